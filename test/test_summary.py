#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""buildtools/test-summary.py, the counter of make test's last line, on
made-up meson logs (and one real crash): a fast test.

Usage: test_summary.py BUILD_ROOT SOURCE_ROOT

Each case writes testlog.json files into scratch build dirs, runs the
summariser on them as make test does, and checks its last line, its exit
status and the FAILED lines it prints:
1. summary lines are summed, over tests and over build dirs (each dir's
   totals and failures named with the dir), "N skipped" only when some are;
2. a unit binary that crashes part-way (qosdt-test's runner_crash_selftest,
   run for real) keeps the cases it ran, and the crash is one failed case;
   so does a python test killed part-way, and a test meson timed out;
3. a test that exits 0 and reports no case counts as failed; one meson
   skipped (exit 77) counts as skipped;
4. a test that fails after a summary with no failed case (a sanitizer
   report at exit) adds one failed case;
5. with --suite: an expected test that did not run, and a test that ran but
   is not listed, each count as failed, naming the test;
6. a build dir without a log counts as failed; a malformed list, or a
   suite it does not list, is refused (exit 2);
7. test/expected-tests.txt lists exactly the tests test/meson.build
   registers, suite by suite.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
from qosdt.cases import Cases, Skip
from qosdt.eal import cleanup

NAME = "test_summary"
EAL = ["--no-huge", "-m", "128", "--no-pci", "-l", "0,1", "--log-level=lib.eal:error",
       "--no-telemetry"]


def summary(name, p, f, s):
    return f"qosdt-test summary: name={name} passed={p} failed={f} skipped={s}\n"


def entry(name, result, stdout="", suite="fast-tests"):
    """One meson testlog.json entry, as meson 1.0 writes them."""
    return {"name": f"qosdt:{suite} / {name}", "result": result, "stdout": stdout,
            "duration": 1.0, "returncode": 0 if result == "OK" else 1}


class Summary(Cases):
    def __init__(self, build_root, source_root):
        super().__init__(NAME)
        self.build = build_root
        self.root = source_root
        self.script = os.path.join(source_root, "buildtools", "test-summary.py")
        self.tmp = tempfile.TemporaryDirectory(prefix="qosdt-test-summary-")
        self.n = 0

    def dir_with(self, *entries):
        """A scratch build dir whose last run logged @entries."""
        self.n += 1
        d = os.path.join(self.tmp.name, f"build{self.n}")
        os.makedirs(os.path.join(d, "meson-logs"))
        with open(os.path.join(d, "meson-logs", "testlog.json"), "w") as f:
            for e in entries:
                f.write(json.dumps(e) + "\n")
        return d

    def run(self, *args):
        """(exit status, output lines) of the summariser."""
        r = subprocess.run([sys.executable, self.script] + list(args),
                           capture_output=True, text=True, cwd=self.tmp.name)
        return r.returncode, (r.stdout + r.stderr).splitlines()

    @staticmethod
    def expect(got, last, status, failed_lines=()):
        """None when the run ended with @last and @status and printed a
        FAILED line matching each of @failed_lines (and no other)."""
        rc, lines = got
        failed = [l for l in lines if l.startswith("test-summary: FAILED")]
        if not lines or lines[-1] != last:
            return f"last line {lines[-1] if lines else None!r}, expected {last!r}: {lines}"
        if rc != status:
            return f"exit status {rc}, expected {status}: {lines}"
        if len(failed) != len(failed_lines) or not all(
                re.search(p, l) for p, l in zip(failed_lines, failed)):
            return f"FAILED lines {failed}, expected ones matching {list(failed_lines)}"
        return None

    # ------------------------------------------------------------- cases

    def sums(self):
        a = self.dir_with(entry("one", "OK", summary("one", 5, 0, 1)),
                          entry("two", "OK", "PASS x\n" + summary("two", 3, 0, 0)))
        b = self.dir_with(entry("one", "FAIL", summary("one", 4, 1, 1)),
                          entry("two", "OK", summary("two", 3, 0, 0)))
        why = self.expect(self.run(a), "8 passed, 0 failed, 1 skipped", 0)
        why = why or self.expect(self.run(self.dir_with(entry("two", "OK", summary(
            "two", 3, 0, 0)))), "3 passed, 0 failed", 0)
        got = self.run(a, b)
        why = why or self.expect(got, "15 passed, 1 failed, 2 skipped", 1,
                                 [rf"^test-summary: FAILED {re.escape(b)}: one \(FAIL, 1 failed"])
        per_dir = [l for l in got[1] if re.match(r"test-summary: \S+: \d+ passed", l)]
        if not why and per_dir != [f"test-summary: {a}: 8 passed, 0 failed, 1 skipped",
                                   f"test-summary: {b}: 7 passed, 1 failed, 1 skipped"]:
            why = f"per build dir totals: {per_dir}"
        return why

    def real_crash(self):
        exe = os.path.join(self.build, "test", "qosdt-test")
        if not os.access(exe, os.X_OK):
            raise Skip(f"{exe} not built")
        prefix = f"test_summary_{os.getpid()}"
        try:
            r = subprocess.run([exe] + EAL + [f"--file-prefix={prefix}", "--",
                                "runner_crash_selftest"],
                               capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired as e:
            return (f"runner_crash_selftest still running after 30 s; its output: "
                    f"{e.stdout!r} {e.stderr!r}")
        finally:
            cleanup([], [prefix])
        if r.returncode >= 0:
            return f"runner_crash_selftest exited {r.returncode}: it should die of SIGABRT"
        d = self.dir_with(entry("crashing_autotest", "FAIL", r.stdout),
                          entry("fine_autotest", "OK", summary("fine_autotest", 2, 0, 0)))
        return self.expect(self.run(d), "3 passed, 1 failed, 1 skipped", 1,
                           [r"crashing_autotest \(FAIL, 1 failed; FAIL without its summary "
                            r"line, after 2 case\(s\)"])

    def python_crash_and_timeout(self):
        py = "PASS first\nSKIP second: no clang\nFAIL third: wrong\nTraceback (most recent...\n"
        unit = ("qosdt-test case: name=x result=passed case=a\n"
                "qosdt-test case: name=x result=passed case=b\n")
        d = self.dir_with(entry("py", "FAIL", py), entry("unit", "TIMEOUT", unit))
        return self.expect(self.run(d), "3 passed, 3 failed, 1 skipped", 1,
                           [r"py \(FAIL, 2 failed; .*after 3 case", r"unit \(TIMEOUT, 1 failed; "
                            r"TIMEOUT without its summary line, after 2 case"])

    def silent(self):
        d = self.dir_with(entry("quiet", "OK", "all good, trust me\n"),
                          entry("skipper", "SKIP", "skipped: no testpmd\n"))
        return self.expect(self.run(d), "0 passed, 1 failed, 1 skipped", 1,
                           [r"quiet \(OK, 1 failed; exited 0 without reporting any case\)"])

    def fail_after_summary(self):
        d = self.dir_with(entry("asan", "FAIL", summary("asan", 3, 0, 0)
                                + "ERROR: LeakSanitizer: detected memory leaks\n"))
        return self.expect(self.run(d), "3 passed, 1 failed", 1,
                           [r"asan \(FAIL, 1 failed; FAIL after a summary with no failed case\)"])

    def expected_list(self):
        lst = os.path.join(self.tmp.name, "expected.txt")
        with open(lst, "w") as f:
            f.write("# a comment\nfast-tests one\nfast-tests two  # trailing comment\n"
                    "perf-tests slow\n")
        ok = self.dir_with(entry("one", "OK", summary("one", 1, 0, 0)),
                           entry("two", "OK", summary("two", 1, 0, 0)))
        why = self.expect(self.run("--suite", "fast-tests", "--expected", lst, ok),
                          "2 passed, 0 failed", 0)
        drift = self.dir_with(entry("one", "OK", summary("one", 1, 0, 0)),
                              entry("new", "OK", summary("new", 1, 0, 0)))
        why = why or self.expect(
            self.run("--suite", "fast-tests", "--expected", lst, drift), "2 passed, 2 failed",
            1, [r"FAILED two \(expected, did not run", r"FAILED new \(ran, but is not listed"])
        perf = self.dir_with(entry("slow", "OK", summary("slow", 1, 0, 0), "perf-tests"))
        return why or self.expect(self.run("--suite", "perf-tests", "--expected", lst, perf),
                                  "1 passed, 0 failed", 0)

    def no_log_and_bad_list(self):
        empty = os.path.join(self.tmp.name, "never-ran")
        os.makedirs(empty)
        why = self.expect(self.run(empty), "0 passed, 1 failed", 1, [r"no test ran in"])
        lst = os.path.join(self.tmp.name, "bad.txt")
        with open(lst, "w") as f:
            f.write("fast-tests one two\n")
        rc, lines = self.run("--suite", "fast-tests", "--expected", lst, empty)
        if not why and (rc != 2 or not lines or ":1: expected" not in lines[-1]):
            why = f"a malformed list: exit {rc}, {lines}"
        rc, lines = self.run("--suite", "no-such-suite", empty)
        if not why and (rc != 2 or not lines or "lists no test of suite" not in lines[-1]):
            why = f"an unknown suite: exit {rc}, {lines}"
        return why

    def shipped_list(self):
        r = subprocess.run(["meson", "introspect", self.build, "--tests"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Skip(f"meson introspect {self.build} --tests failed: {r.stderr.strip()}")
        registered = {(s.split(":")[-1], t["name"]) for t in json.loads(r.stdout)
                      for s in t["suite"]}
        listed = set()
        with open(os.path.join(self.root, "test", "expected-tests.txt")) as f:
            for line in f:
                words = line.split("#", 1)[0].split()
                if words:
                    listed.add(tuple(words))
        if registered != listed:
            return (f"test/meson.build registers but the list lacks "
                    f"{sorted(registered - listed)}; the list has but test/meson.build "
                    f"lacks {sorted(listed - registered)}")
        return None


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: test_summary.py BUILD_ROOT SOURCE_ROOT")
    t = Summary(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    try:
        t.case("summary lines summed over tests and build dirs", t.sums)
        t.case("a unit binary crashing part-way keeps its cases (real crash)", t.real_crash)
        t.case("a python test killed part-way, a timed-out test keep their cases",
               t.python_crash_and_timeout)
        t.case("exit 0 without any case fails; exit 77 skips", t.silent)
        t.case("a failure after a clean summary counts", t.fail_after_summary)
        t.case("--suite: a missing test and an unlisted one fail", t.expected_list)
        t.case("no log fails; a malformed list or unknown suite is refused",
               t.no_log_and_bad_list)
        t.case("test/expected-tests.txt matches test/meson.build", t.shipped_list)
    finally:
        t.tmp.cleanup()
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
