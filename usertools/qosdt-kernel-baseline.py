#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The kernel baseline alone: realtime's probe (104-byte UDP requests at a
constant 10 kpps, each echoed) between two network namespaces over a veth
pair, through a tc HTB shaper flooded at twice its rate, once with a prio
class for the probe (htb-prio), once with one FIFO class (fifo). make eval
runs the same as its `kernel` experiment; the details are in
usertools/qosdt/kernel_baseline.py and doc/perf-analysis.md.

Needs root, iproute2, sockperf and iperf3 (make eval installs them). It
creates the namespaces itself, uses addresses only inside them and removes
them again, also on an error or Ctrl-C.

Prints one line per run and the round trips' percentiles; --out DIR also
writes each run's raw JSON there (kernel-VARIANT-rN.json, as make eval's
raw/). Exit status: 0 when every run completed, 1 when one failed, 2 on
bad arguments, 130 when interrupted (Ctrl-C, SIGTERM).

Usage: usertools/qosdt-kernel-baseline.py [--duration 10] [--rate 200]
       [--flood-factor 2] [--variant htb-prio|fifo ...] [--repeat 1]
       [--out DIR]
"""
import argparse
import json
import os
import sys

from qosdt import kernel_baseline as kb


def say(msg):
    print(f"[kernel] {msg}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=10.0,
                    help="seconds of probe per run (default 10)")
    ap.add_argument("--rate", type=float, default=kb.RATE_MBPS,
                    help=f"the HTB shaper's rate, Mbit/s (default {kb.RATE_MBPS})")
    ap.add_argument("--flood-factor", type=float, default=kb.FLOOD_FACTOR,
                    help="the flood offered, times the shaper's rate "
                    f"(default {kb.FLOOD_FACTOR:g})")
    ap.add_argument("--variant", action="append", choices=kb.VARIANTS,
                    help="run only this variant (repeatable; default both)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per variant (default 1)")
    ap.add_argument("--out", default="", help="write each run's raw JSON into this directory")
    a = ap.parse_args()
    if not 1 <= a.duration <= 3600:
        ap.error(f"--duration {a.duration:g}: must be 1..3600 s")
    if not 1 <= a.rate <= 100000:
        ap.error(f"--rate {a.rate:g}: must be 1..100000 Mbit/s")
    if not 0 < a.flood_factor <= 100:
        ap.error(f"--flood-factor {a.flood_factor:g}: must be in (0, 100]")
    if not 1 <= a.repeat <= 20:
        ap.error(f"--repeat {a.repeat}: must be 1..20")
    why = kb.missing_tools()
    if why:
        sys.exit(f"error: {why}")
    if a.out:
        os.makedirs(a.out, exist_ok=True)
    failed = 0
    runs = {}
    for rep in range(a.repeat):
        for v in a.variant or kb.VARIANTS:
            say(f"{kb.NAMES[v]}, repeat {rep + 1}/{a.repeat}: {a.duration:g} s, shaper "
                f"{a.rate:g} Mbit/s, flood {a.rate * a.flood_factor:g} Mbit/s offered")
            try:
                doc = kb.run(v, a.duration, a.rate, a.flood_factor, log=say)
            except kb.Failure as e:
                say(f"ERROR: {kb.NAMES[v]}: {e}")
                failed += 1
                continue
            say("  " + kb.one_line(doc))
            runs.setdefault(doc["name"], []).append(doc)
            if a.out:
                with open(os.path.join(a.out, f"kernel-{v}-r{rep + 1}.json"), "w") as f:
                    json.dump(doc, f, indent=1)
    print()
    print(f"{'path':<18} {'p50':>8} {'p90':>8} {'p99':>8} {'p99.9':>8} {'max':>8}  "
          "(round trip, us; median over repeats)")
    for name, r in kb.summary(runs).items():
        print(f"{name:<18} " + " ".join(f"{r[k][0]:8.1f}" for k in
                                         ("p50", "p90", "p99", "p999", "max")))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted: the namespaces and processes it made are removed")
        sys.exit(130)
