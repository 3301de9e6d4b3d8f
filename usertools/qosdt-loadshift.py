#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Load-shift: the adaptive controller against the static configuration.

Runs config/load-shift.json in PAIRS interleaved pairs (default 5), a
server and a client over net_shm each time (qosdt.apprun, the same launcher as make run,
usertools/qosdt-run.py): static (--adaptive off), then adaptive
(--adaptive on), then static again, ... so that a slow stretch of the host
falls on both sides. Both use config/qos.json in priority mode. Each goal
is judged on the median over the pairs of the per-pair value (a ratio
adaptive / static, a count), printed with its spread (min..max).
From the client's per-window record ("windows" in the results, one entry
per 100 ms monitoring window) it prints, per phase, for the median pair
(the one whose scheduler ratio is the median):

  sched       class-windows that missed an SLO, judged by the QoS core's
              own monitor (the client's scheduler): what the controller
              acts on, and what the goal is judged on
  e2e         the same, judged on the client's round trips (the server,
              the channel and every host stall added), with the noise
              floor the static run shows while nothing is shifted
  recovery    control periods from the first violation of the class the
              shift hits (the one whose offered rate grew most) to the
              first run of HEALTHY_RUN windows in which it missed nothing
              (0: the shift caused no violation in its first
              BITE_WINDOWS windows); a phase whose shift adds no load has
              nothing to recover from
  changes     the controller's changes in the phase (in its steady part:
              after its first STEADY_AFTER_S seconds)

then, per phase, every change the controller made in each pair's adaptive
run and what it did: the class-windows each class missed in the windows
before it and after it (from the controller's own record, the timeline of
the results), and whether it was undone; then the totals, and a verdict
per goal (doc/adaptive.md), on the medians over the pairs:
  violations  scheduler violations at most RATIO_MAX of static's
  round trip  e2e violations at most E2E_RATIO_MAX of static's
  calm        in each phase with no shift, adaptive's scheduler violations
              at most static's plus the noise floor (the spread of
              static's own over the pairs)
  recovery    within RECOVERY_PERIODS_MAX control periods after each shift
  oscillation at most STEADY_CHANGES_MAX changes in any steady part
Results: build/run/loadshift-{static,adaptive}-pN.json and
build/run/loadshift-summary.json (every pair, the medians, the verdicts).

Exit status: 0 when both runs completed (a missed goal is reported, not an
error, unless --check); 1 when a run failed, or with --check a goal was
missed; 2 on bad arguments. With --check it ends with the summary line
buildtools/test-summary.py counts: a case per goal (a failed run: one
failed case).

Usage: usertools/qosdt-loadshift.py [--build DIR] [--pairs N] [--duration S] [--check]
"""
import argparse
import json
import os
import sys
import time

from qosdt import SOURCE_ROOT
from qosdt.apprun import AppRun, say
from qosdt.cases import summary_line
from qosdt.loadshift import (CONFIG, MODE, NAME, PAIRS, SCENARIO, SIDES, phase_targets,
                             report, summarise)


def run_side(binary, side, k, duration, out_dir):
    run = AppRun(binary, f"ls-{side}-p{k}", MODE, CONFIG, SCENARIO, duration,
                   os.path.join(out_dir, f"loadshift-{side}-p{k}.json"), out_dir,
                   echo=True, stats_period=0,
                   extra=["--adaptive", "on" if side == "adaptive" else "off",
                          "--stats-period", "0"])
    errs = run.run()
    for e in errs:
        say(f"ERROR: {e}")
    if run.failed_procs:
        print(run.tails(), flush=True)
    if not errs:
        for log in run.logs:
            os.unlink(log)
    return errs, run.results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build dir holding app/qosdt (build)")
    ap.add_argument("--pairs", type=int, default=PAIRS,
                    help=f"interleaved static/adaptive pairs (default {PAIRS})")
    ap.add_argument("--duration", type=float, default=0,
                    help="run the scenario in S seconds (its phases scaled; default: "
                         "its own 28 s)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    a = ap.parse_args()
    if a.duration < 0 or a.duration > 600:
        ap.error("--duration must be in [0, 600] seconds")
    if a.pairs < 1 or a.pairs > 21:
        ap.error("--pairs must be in [1, 21]")
    build = os.path.abspath(a.build)
    binary = os.path.join(build, "app", "qosdt")
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: {binary} not found or not executable (build it: ninja -C {a.build})")
    out_dir = os.path.join(build, "run")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(SOURCE_ROOT, CONFIG)) as f:
        config = json.load(f)
    period_s = config.get("adaptive", {}).get("period_ms", 100) / 1000
    with open(os.path.join(SOURCE_ROOT, SCENARIO)) as f:
        scenario = json.load(f)
    scen_s = sum(float(p["duration"].rstrip("s")) for p in scenario["phases"])
    targets = phase_targets(scenario, config)
    duration = a.duration or scen_s
    t0 = time.monotonic()
    pairs, errors = [], []
    for k in range(1, a.pairs + 1):
        docs = {}
        for side in SIDES:
            errs, doc = run_side(binary, side, k, duration, out_dir)
            errors += errs
            if not errs:
                docs[side] = doc
        if len(docs) == 2:
            pairs.append({side: summarise(docs[side], period_s, targets) for side in SIDES})
    if errors:
        print(f"FAILED: {len(errors)} error(s)")
        if a.check:
            print(summary_line(NAME, 0, 1), flush=True)
        return 1
    verdicts, nums, mid = report(pairs, period_s)
    summ = {"pairs": pairs, "per_pair": nums, "median_pair": mid + 1,
            "verdicts": {k: {"met": ok, "text": t} for k, (ok, t) in verdicts.items()}}
    with open(os.path.join(out_dir, "loadshift-summary.json"), "w") as f:
        json.dump(summ, f, indent=2)
    print(f"results in {out_dir} (loadshift-*.json); total {time.monotonic() - t0:.0f} s")
    if a.check:
        met = sum(ok for ok, _ in verdicts.values())
        print(summary_line(NAME, met, len(verdicts) - met), flush=True)
        if met < len(verdicts):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
