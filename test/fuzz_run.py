#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A bounded libFuzzer run of every fuzz target in test/fuzz (doc/fuzzing.md).

Usage: fuzz_run.py SOURCE_ROOT BUILD_ROOT [--seconds N] [TARGET...]

Configures a build dir of its own, BUILD_ROOT/fuzz, with clang, ASan+UBSan
and -Dfuzz=true (buildtools/bootstrap.sh), builds the targets, and runs each
for N seconds (default 60) from its seed corpus (test/fuzz/corpus/TARGET,
plus config/ for the JSON parsers) and what earlier runs added
(BUILD_ROOT/fuzz/corpus/TARGET). A target passes if it ran without a
finding: a crash, a sanitizer report, a leak, a timeout or running out of
memory. A finding fails it; the input is kept under
BUILD_ROOT/fuzz/findings/ and the line printed says how to reproduce it.
A target that ran no input at all (libFuzzer's final stats report no
execution, or none) fails too: it fuzzed nothing.

Prints one line per target with its executions, then the summary line
buildtools/test-summary.py counts. Exits 77 (skip) with the reason when
clang or its libFuzzer runtime is not installed (buildtools/bootstrap.sh
installs both for `make perf`).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

NAME = "fuzz_run"
TARGETS = ["fuzz_shm_desc", "fuzz_config", "fuzz_scenario"]
# Seeds beyond the target's own corpus: the shipped JSON files.
EXTRA_SEEDS = {"fuzz_config": ["config"], "fuzz_scenario": ["config"]}
DICTS = {"fuzz_config": "config.dict", "fuzz_scenario": "scenario.dict"}
MESON_ARGS = ["-Db_sanitize=address,undefined", "-Db_lundef=false", "-Dfuzz=true"]
EXECUTED = re.compile(r"^stat::number_of_executed_units:\s*(\d+)", re.M)
FINDING = re.compile(r"^(?:artifact_prefix=.*; )?Test unit written to (\S+)", re.M)


def skip(why):
    print(f"SKIP {NAME}: {why}", flush=True)
    print(f"qosdt-test summary: name={NAME} passed=0 failed=0 skipped=1", flush=True)
    sys.exit(77)


def libfuzzer_missing():
    """Why clang cannot build a libFuzzer target here, or None."""
    clang = shutil.which("clang")
    if clang is None:
        return "clang is not installed (apt-get install clang libclang-rt-dev)"
    rt = subprocess.run([clang, "-print-file-name=libclang_rt.fuzzer-x86_64.a"],
                        capture_output=True, text=True).stdout.strip()
    if not os.path.isabs(rt) or not os.path.exists(rt):
        return "clang's libFuzzer runtime is not installed (apt-get install libclang-rt-dev)"
    return None


def build(source_root, build_dir, targets):
    """Configure and build; returns None or why it failed."""
    env = dict(os.environ, CC="clang")
    steps = [
        ["bash", os.path.join(source_root, "buildtools", "bootstrap.sh"), build_dir]
        + MESON_ARGS,
        ["ninja", "-C", build_dir] + [f"test/fuzz/{t}" for t in targets],
    ]
    for cmd in steps:
        r = subprocess.run(cmd, cwd=source_root, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.stdout.write(r.stdout[-4000:])
            return f"`{' '.join(cmd)}` failed (exit {r.returncode})"
    return None


def fuzz_env(source_root):
    env = dict(os.environ)
    env["UBSAN_OPTIONS"] = ("halt_on_error=1:print_stacktrace=1:suppressions="
                            + os.path.join(source_root, "buildtools", "ubsan.supp"))
    return env


def run_target(source_root, build_dir, target, seconds):
    """Run one target; returns (passed, line)."""
    exe = os.path.join(build_dir, "test", "fuzz", target)
    work = os.path.join(build_dir, "corpus", target)
    findings = os.path.join(build_dir, "findings", target) + os.sep
    os.makedirs(work, exist_ok=True)
    os.makedirs(findings, exist_ok=True)
    seeds = [os.path.join(source_root, "test", "fuzz", "corpus", target)]
    seeds += [os.path.join(source_root, d) for d in EXTRA_SEEDS.get(target, [])]
    cmd = [exe, f"-max_total_time={seconds}", "-print_final_stats=1",
           "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={findings}"]
    if target in DICTS:
        cmd.append("-dict=" + os.path.join(source_root, "test", "fuzz", DICTS[target]))
    cmd += [work] + seeds
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace",
                       env=fuzz_env(source_root), timeout=seconds + 300)
    took = time.monotonic() - t0
    executed = sum(int(n) for n in EXECUTED.findall(r.stdout))
    found = FINDING.findall(r.stdout)
    if r.returncode == 0 and not found and executed > 0:
        return True, (f"PASS {target}: {executed} executions in {took:.0f} s, "
                      f"no finding")
    if r.returncode == 0 and not found:
        sys.stdout.write(r.stdout[-6000:])
        return False, (f"FAIL {target}: no execution in {took:.0f} s (libFuzzer's "
                       f"final stats report {executed or 'none'}): it fuzzed nothing")
    sys.stdout.write(r.stdout[-6000:])
    what = found[0] if found else "(no input saved)"
    return False, (f"FAIL {target}: finding after {executed} executions "
                   f"(exit {r.returncode}): {what}; reproduce: {exe} {what}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source_root")
    ap.add_argument("build_root")
    ap.add_argument("--seconds", type=int, default=60,
                    help="how long each target runs (default 60)")
    ap.add_argument("targets", nargs="*", metavar="TARGET",
                    help=f"targets to run (default: all of {', '.join(TARGETS)})")
    args = ap.parse_intermixed_args()     # targets before or after --seconds
    targets = args.targets or TARGETS
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        ap.error(f"unknown target {unknown[0]} (known: {', '.join(TARGETS)})")
    if args.seconds < 1:
        ap.error(f"--seconds {args.seconds}: must be at least 1")

    why = libfuzzer_missing()
    if why:
        skip(why)
    build_dir = os.path.join(os.path.abspath(args.build_root), "fuzz")
    source_root = os.path.abspath(args.source_root)
    why = build(source_root, build_dir, targets)
    if why:
        print(f"FAIL {NAME}: build: {why}", flush=True)
        print(f"qosdt-test summary: name={NAME} passed=0 failed=1 skipped=0",
              flush=True)
        return 1
    passed = failed = 0
    for t in targets:
        ok, line = run_target(source_root, build_dir, t, args.seconds)
        print(line, flush=True)
        passed, failed = passed + ok, failed + (not ok)
    print(f"qosdt-test summary: name={NAME} passed={passed} failed={failed} "
          f"skipped=0", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
