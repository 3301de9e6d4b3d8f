#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""One service VM, three client VMs: the benchmark and its goals
(doc/tenants.md, "Measured").

A qosdt server with config/tenants.json serves three net_shm ports; three
client VMs, one per region, run at once for the same duration (the sessions
of one client process on the other core; --processes: a process each): A
floods best effort at 5x the channel (config/tenant-flood.json), B runs
config/mixed-overload.json, C config/idle-latency.json. Then the same three
with A idle (a control, not judged: what sharing the client core costs B
and C without the flood), then B alone and C alone against the same
server. Prints each run's classes, then issue 16's
goals judged on those runs (qosdt.tenants.goal_checks): B's classes within
10% of B solo, C's realtime p99 at most 2x C solo, A no more than its
share, nothing lost in B's reliable.

Writes OUT/{together,quiet-A,solo-B,solo-C}-{A,B,C}.json (the clients' results,
doc/results.md) and OUT/server-*.json. Exit status: 0 when every run
completed (a missed goal is reported, not an error), 1 when one failed, 2
on bad arguments.

Usage: usertools/qosdt-tenants.py [--build DIR] [--duration S] [--out DIR] [--processes]
"""
import argparse
import os
import sys

from qosdt import tenants


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build dir holding app/qosdt (build)")
    ap.add_argument("--duration", type=float, default=tenants.DURATION_S,
                    help=f"each client's --duration, s ({tenants.DURATION_S})")
    ap.add_argument("--out", default="", help="results and logs (BUILD/tenants)")
    ap.add_argument("--processes", action="store_true",
                    help="a client process per client VM (default: the client VMs "
                    "are the sessions of one client process)")
    a = ap.parse_args()
    if not 1 <= a.duration <= 300:
        ap.error("--duration must be in 1..300 s")
    binary = os.path.join(os.path.abspath(a.build), "app", "qosdt")
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: {binary} not found or not executable (build it: make)")
    out = os.path.abspath(a.out or os.path.join(a.build, "tenants"))
    os.makedirs(out, exist_ok=True)
    try:
        runs = tenants.run_benchmark(binary, out, a.duration, one_process=not a.processes)
    except KeyboardInterrupt:
        sys.exit("interrupted (processes stopped, regions and EAL files removed)")
    together = runs["together"]
    shares = tenants.config_shares(together.server_results)
    solo = {vm: runs[f"solo-{vm}"].results.get(vm) for vm in tenants.SOLOS}
    solo = {vm: r for vm, r in solo.items() if r is not None}
    print()
    for line in tenants.compare_lines({n: r.results for n, r in runs.items()}):
        print(line)
    for line in tenants.goal_lines(tenants.goal_checks(
            together.results, together.server_results, solo, shares)):
        print(line)
    for run in runs.values():
        for w in run.warnings:
            print(f"warning: {w}")
    print(f"results in {out}")
    errors = [e for run in runs.values() for e in run.errors]
    if errors:
        print(f"FAILED: {len(errors)} error(s):")
        for e in errors:
            print(f"  {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
