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
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

from qosdt.eal import cleanup, hugepages_ok
from qosdt.pmd_path import SHM_SO, loadable_pmd

GOALS = {64: 2.0, 1500: 1.25}          # required net_shm / net_memif ratio
NAME = "shm_vs_memif_perf"             # in the summary line
MEM_MB = 512                           # EAL memory per process
RX_PPS = re.compile(r"Rx-pps:\s+(\d+)")


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    """A run that produced no usable samples."""


class TestPmd:
    """One testpmd process; a thread collects its output and Rx-pps samples."""

    def __init__(self, name, cmd):
        self.name, self.cmd = name, cmd
        self.lines, self.samples = [], []
        self.ready = False                       # ports configured and started
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            self.ready = self.ready or "Checking link statuses" in line
            m = RX_PPS.search(line)
            if m:
                self.samples.append(int(m.group(1)))

    def alive(self):
        return self.proc.poll() is None

    def stop(self, grace=5.0):
        """SIGINT, then SIGKILL of the whole process group if it hangs."""
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                log(f"{self.name}: no exit {grace:.0f} s after SIGINT, killing")
        if self.alive():
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.thread.join(2)

    def tail(self, n=25):
        text = "\n".join(l.replace("\x1b[2J", "").replace("\x1b[1;1H", "")
                         for l in self.lines[-n:])
        return f"--- last {n} lines of {self.name} (exit {self.proc.poll()}) ---\n{text}"



def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class Bench:
    def __init__(self, args):
        self.args = args
        self.testpmd = shutil.which(args.testpmd)
        self.stdbuf = shutil.which("stdbuf")   # line-buffer testpmd's stdout pipe
        self.huge = hugepages_ok(MEM_MB)
        self.so = None                         # set by shm_unavailable()
        self.seq = 0

    def shm_unavailable(self):
        try:
            self.so = loadable_pmd(self.args.build)
        except (FileNotFoundError, PermissionError) as e:
            return str(e)
        return None

    def vdevs(self, pmd, tag):
        """(server devargs, client devargs, extra EAL args, files to clean up)."""
        if pmd == "net_shm":
            path = f"/dev/shm/{tag}"
            return (f"net_shm0,path={path},role=server", f"net_shm0,path={path},role=client",
                    ["-d", self.so], [path])
        sock = f"/run/{tag}.sock"
        return (f"net_memif0,role=server,socket={sock}", f"net_memif0,role=client,socket={sock}",
                [], [sock])

    def command(self, prefix, lcores, vdev, extra, fwd):
        mem = ["-m", str(MEM_MB)] if self.huge else ["--no-huge", "-m", str(MEM_MB)]
        cmd = [self.testpmd] + lcores + mem + ["--no-pci", f"--file-prefix={prefix}",
               f"--vdev={vdev}"] + extra + ["--", "--total-num-mbufs=16384",
               f"--forward-mode={fwd}", "--stats-period", "1"]
        return ([self.stdbuf, "-oL"] + cmd) if self.stdbuf else cmd

    def run_one(self, pmd, size, rep):
        """One rx/tx pair; returns a dict with the kept per-second samples."""
        a = self.args
        self.seq += 1
        tag = f"qosdt-bench-{os.getpid()}-{self.seq}"
        srv, cli, extra, files = self.vdevs(pmd, tag)
        rx_cmd = self.command(f"{tag}-rx", ["-l", "0,1"], srv, extra, "rxonly")
        tx_cmd = self.command(f"{tag}-tx", ["-l", "0,1", "--main-lcore", "1"], cli, extra,
                              "txonly") + [f"--txpkts={size}"]
        rec = {"pmd": pmd, "size": size, "repeat": rep,
               "rx_cmd": shlex.join(rx_cmd), "tx_cmd": shlex.join(tx_cmd)}
        if a.verbose:
            log(f"rx: {rec['rx_cmd']}")
            log(f"tx: {rec['tx_cmd']}")
        rec["loadavg_before"] = loadavg()
        log(f"{pmd} {size} B run {rep + 1}/{a.repeat}: starting "
            f"(load average {rec['loadavg_before']:.2f})")
        procs = []
        try:
            rx = TestPmd(f"rx side ({pmd} server, rxonly)", rx_cmd)
            procs.append(rx)
            self.wait_ready(rx)                  # the server creates the region/socket
            tx = TestPmd(f"tx side ({pmd} client, txonly)", tx_cmd)
            procs.append(tx)
            first = self.wait_traffic(rx, tx)
            log(f"{pmd} {size} B: traffic after {first[1]:.1f} s, "
                f"warm-up {a.warmup} s, measuring {a.duration} s")
            start = first[0] + 1 + a.warmup      # the first non-zero sample is partial
            deadline = time.monotonic() + a.warmup + a.duration + 10
            while len(rx.samples) < start + a.duration:
                self.check_alive(rx, tx, "while measuring")
                if time.monotonic() > deadline:
                    raise Failure(f"only {len(rx.samples) - start} of {a.duration} samples")
                time.sleep(0.2)
            kept = rx.samples[start:start + a.duration]
            rec["samples_pps"] = kept
            rec["median_mpps"] = statistics.median(kept) / 1e6
            log(f"{pmd} {size} B: median {rec['median_mpps']:.2f} Mpps "
                f"(min {min(kept) / 1e6:.2f}, max {max(kept) / 1e6:.2f})")
        except Failure as e:
            rec["error"] = str(e)
            log(f"ERROR: {pmd} {size} B produced no samples: {e}")
            for p in reversed(procs):            # client first, then server
                p.stop()
            for p in procs:
                print(p.tail(), file=sys.stderr)
        finally:
            for p in reversed(procs):            # client first, then server
                p.stop()
            rec["exit_codes"] = [p.proc.returncode for p in procs]
            cleanup(files, [f"{tag}-rx", f"{tag}-tx"])
        return rec

    def wait_ready(self, rx):
        t0 = time.monotonic()
        while not (rx.ready or rx.samples):
            if not rx.alive():
                raise Failure(f"{rx.name} exited during start-up (exit code {rx.proc.returncode})")
            if time.monotonic() - t0 > self.args.link_timeout:
                raise Failure(f"{rx.name} did not start its port within {self.args.link_timeout} s")
            time.sleep(0.1)

    def wait_traffic(self, rx, tx):
        """Wait for the first non-zero Rx-pps sample: (its index, seconds waited)."""
        t0 = time.monotonic()
        while True:
            for i, v in enumerate(rx.samples):
                if v > 0:
                    return i, time.monotonic() - t0
            self.check_alive(rx, tx, "before the link came up")
            if time.monotonic() - t0 > self.args.link_timeout:
                raise Failure(f"no traffic on the rx side within {self.args.link_timeout} s")
            time.sleep(0.2)

    @staticmethod
    def check_alive(rx, tx, when):
        for p in (rx, tx):
            if not p.alive():
                raise Failure(f"{p.name} exited {when} (exit code {p.proc.returncode})")



def summarize(recs):
    ok = [r for r in recs if "median_mpps" in r]
    if not ok:
        return None
    allv = [v / 1e6 for r in ok for v in r["samples_pps"]]
    return {"mpps": statistics.median(r["median_mpps"] for r in ok),
            "min": min(allv), "max": max(allv), "runs": len(ok)}


def paired_ratios(recs, size, repeats):
    """Per repeat, column 0's median over column 1's, where both have one."""
    out = []
    for rep in range(repeats):
        med = {r["column"]: r.get("median_mpps") for r in recs
               if r["size"] == size and r["repeat"] == rep}
        if med.get(0) and med.get(1):
            out.append(med[0] / med[1])
    return out


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
            print(f"qosdt-test summary: name={NAME} passed=0 failed=1 skipped=0",
                  flush=True)
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
    print(f"qosdt-test summary: name={NAME} passed={passed} "
          f"failed={goals - passed + bool(failed)} skipped=0", flush=True)
    return 1 if failed or passed < goals else 0


if __name__ == "__main__":
    sys.exit(main())
