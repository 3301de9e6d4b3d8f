#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark qosdt's net_shm PMD against DPDK's net_memif with stock dpdk-testpmd.

For each PMD and frame size two testpmd processes run on different cores:
the rx side (rxonly, server, started first, forwarding on lcore 1) and the
tx side (txonly --txpkts=SIZE, client, forwarding on lcore 0). Per-second
Rx-pps samples are read from the rx side's --stats-period output; after the
link is up and a warm-up, --duration samples are kept. The result per run is
the median; with --repeat N the median of the N medians is reported.

Gbit/s counts frame bytes only (SIZE * 8 bits per packet, no preamble, IFG or CRC).

Each size with a goal (GOALS: the net_shm / net_memif ratio it must reach)
prints PASS or FAIL and the summary line buildtools/test-summary.py counts.
Exit status: 0 when every goal was met; 1 when one was missed, a run gave
no samples, or net_shm cannot be loaded (nothing is then run); 2 on bad
arguments.

Usage: usertools/qosdt-pmd-bench.py [--build DIR] [--sizes 64,1500]
       [--duration 8] [--repeat 1] [--json FILE] [--verbose]
"""
import argparse
import json
import signal
import statistics
import sys

from qosdt.cases import summary_line
from qosdt.eal import MEM_MB
from qosdt.pmd_bench import GOALS, NAME, Bench, loadavg, log, paired_ratios, summarize
from qosdt.pmd_path import SHM_SO


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build dir holding " + SHM_SO)
    ap.add_argument("--sizes", default="64,1500", help="frame sizes in bytes (default 64,1500)")
    ap.add_argument("--duration", type=int, default=8, help="seconds measured per run (8)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per PMD and size (1)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds skipped after link up (2)")
    ap.add_argument("--link-timeout", type=int, default=30, help="seconds to wait for traffic")
    ap.add_argument("--json", metavar="FILE", help="write raw samples and summary as JSON")
    ap.add_argument("--testpmd", default="dpdk-testpmd", help="testpmd binary")
    ap.add_argument("--verbose", action="store_true", help="print the testpmd command lines")
    # hidden: run other PMDs in the two columns, e.g. net_memif,net_memif to test the harness
    ap.add_argument("--pmds", default="net_shm,net_memif", help=argparse.SUPPRESS)
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    pmds = a.pmds.split(",")
    if len(pmds) != 2 or not set(pmds) <= {"net_shm", "net_memif"}:
        ap.error("--pmds takes two of net_shm, net_memif")
    if a.duration < 1 or a.repeat < 1 or a.warmup < 0:
        ap.error("--duration and --repeat must be >= 1, --warmup >= 0")

    bench = Bench(a)
    if not bench.testpmd:
        sys.exit(f"error: {a.testpmd} not found (apt-get install dpdk)")
    na = {p: bench.shm_unavailable() if p == "net_shm" else None for p in pmds}
    for p, why in set(na.items()):
        if why:
            # the benchmark is of net_shm: without it, nothing to measure
            print(f"FAIL {p} cannot be loaded: {why}")
            print(summary_line(NAME, 0, 1), flush=True)
            return 1
    log(f"EAL memory: {'hugepages' if bench.huge else 'no hugepages, --no-huge'} -m {MEM_MB}; "
        f"stdout {'line-buffered via stdbuf' if bench.stdbuf else 'pipe-buffered (no stdbuf)'}")

    if loadavg() > 0.5:
        log(f"WARNING: load average {loadavg():.2f}: other work shares these cores, "
            "figures will be noisy (use --repeat 5 on an idle machine)")
    # Interleave PMDs inside each repeat so slow drift of the machine hits both alike.
    recs = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    for rep in range(a.repeat):
        for size in sizes:
            for col, pmd in enumerate(pmds):
                r = bench.run_one(pmd, size, rep)
                r["column"] = col
                recs.append(r)

    rows = []
    hdr = (f"{'size':>5}  {pmds[0] + ' Mpps (min-max)':>26} {'Gbit/s':>7}  "
           f"{pmds[1] + ' Mpps (min-max)':>26} {'Gbit/s':>7}  {'ratio':>6} {'goal':>6}  result")
    print(f"\n{hdr}\n{'-' * len(hdr)}")
    for size in sizes:
        cells, row = [], {"size": size}
        for col, pmd in enumerate(pmds):
            s = summarize([r for r in recs if r["column"] == col and r["size"] == size])
            row[f"col{col}"] = dict(pmd=pmd, **(s or {"na": "no samples"}))
            if s:
                s["gbps"] = s["mpps"] * size * 8 / 1000
                cells.append(f"{s['mpps']:>6.2f} ({s['min']:.2f}-{s['max']:.2f})".rjust(26)
                             + f" {s['gbps']:>7.2f}")
            else:
                cells.append(f"{'n/a':>26} {'n/a':>7}")
        s0, s1 = row["col0"], row["col1"]
        # Paired: the two PMDs ran back to back in each repeat, so the ratio
        # of each repeat's medians cancels slow drift of a shared machine.
        pairs = paired_ratios(recs, size, a.repeat)
        ratio = statistics.median(pairs) if pairs else None
        row["ratios"] = pairs
        # the goals are net_shm's against net_memif, not the harness's
        goal = GOALS.get(size) if pmds == ["net_shm", "net_memif"] else None
        result = "n/a" if goal is None else \
            "MISS" if ratio is None or ratio < goal else "PASS"
        row.update(ratio=ratio, goal=goal, result=result)
        rows.append(row)
        spread = f" ({min(pairs):.2f}-{max(pairs):.2f})" if len(pairs) > 1 else ""
        print(f"{size:>5}  {cells[0]}  {cells[1]}  "
              f"{(f'{ratio:.2f}x' if ratio else 'n/a'):>6}{spread} "
              f"{(f'>={goal}x' if goal else '-'):>6}  {result}")
    print(f"\nmedian of {a.repeat} run(s) x {a.duration} s per-second Rx-pps samples after a "
          f"{a.warmup} s warm-up; min-max over all samples; Gbit/s = Mpps x size x 8 "
          f"(frame bytes only, no preamble/IFG/CRC); ratio = median over repeats of "
          f"{pmds[0]}/{pmds[1]} run back to back (min-max of those ratios)")

    if a.json:
        with open(a.json, "w") as f:
            json.dump({"convention": "Gbit/s = pps * frame_size * 8, frame bytes only",
                       "config": {k: v for k, v in vars(a).items()},
                       "hugepages": bench.huge, "goals": GOALS, "unavailable": na,
                       "runs": recs, "summary": rows}, f, indent=2)
        log(f"raw data written to {a.json}")
    failed = [r for r in recs if "error" in r]
    if failed:
        print("FAIL every run gives samples: none from " + ", ".join(
            f"{r['pmd']} {r['size']} B run {r['repeat'] + 1} ({r['error']})" for r in failed))
    passed = 0
    for row in rows:
        if row["goal"] is None:
            continue
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] else "no ratio (no samples)"
        met = row["result"] == "PASS"
        passed += met
        print(f"{'PASS' if met else 'FAIL'} {row['size']} B: net_shm / net_memif "
              f"{ratio}, goal >= {row['goal']}x")
    goals = sum(row["goal"] is not None for row in rows)
    print(summary_line(NAME, passed, goals - passed + bool(failed)), flush=True)
    return 1 if failed or passed < goals else 0


if __name__ == "__main__":
    sys.exit(main())
