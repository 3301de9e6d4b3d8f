# SPDX-License-Identifier: BSD-3-Clause
"""The channel benchmark: net_shm against DPDK's net_memif, each in two stock
dpdk-testpmd processes (txonly -> rxonly), per-second Rx-pps samples from
the rx side (usertools/qosdt-pmd-bench.py, make eval's pmd experiment).

Gbit/s counts frame bytes only (SIZE * 8 bits per packet, no preamble, IFG or CRC).
"""
import os
import re
import shlex
import shutil
import statistics
import sys
import time

from .eal import MEM_MB, cleanup, hugepages_ok
from .pmd_path import loadable_pmd
from .process import Proc

GOALS = {64: 2.0, 1500: 1.25}          # required net_shm / net_memif ratio
NAME = "shm_vs_memif_perf"             # in the summary line
STOP_GRACE = 5.0                       # s a testpmd has to exit after SIGINT
RX_PPS = re.compile(r"Rx-pps:\s+(\d+)")


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    """A run that produced no usable samples."""


class TestPmd(Proc):
    """One testpmd process (qosdt.process.Proc); its Rx-pps samples as they
    come; ready once its ports are configured and started."""

    def __init__(self, name, cmd):
        self.samples = []
        super().__init__(name, cmd, on_line=self._sample, ready_line="Checking link statuses")

    def _sample(self, line):
        m = RX_PPS.search(line)
        if m:
            self.samples.append(int(m.group(1)))


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class Bench:
    """The runs of the benchmark; args: the command line's options (build,
    duration, warmup, repeat, link_timeout, testpmd, verbose); log: where
    its progress lines go."""

    def __init__(self, args, log=log):
        self.args, self.log = args, log
        self.testpmd = shutil.which(args.testpmd)
        self.stdbuf = shutil.which("stdbuf")   # Proc line-buffers testpmd's stdout with it
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
        return cmd

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
            self.log(f"rx: {rec['rx_cmd']}")
            self.log(f"tx: {rec['tx_cmd']}")
        rec["loadavg_before"] = loadavg()
        self.log(f"{pmd} {size} B run {rep + 1}/{a.repeat}: starting "
                 f"(load average {rec['loadavg_before']:.2f})")
        procs = []
        try:
            rx = TestPmd(f"rx side ({pmd} server, rxonly)", rx_cmd)
            procs.append(rx)
            self.wait_ready(rx)                  # the server creates the region/socket
            tx = TestPmd(f"tx side ({pmd} client, txonly)", tx_cmd)
            procs.append(tx)
            first = self.wait_traffic(rx, tx)
            self.log(f"{pmd} {size} B: traffic after {first[1]:.1f} s, "
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
            self.log(f"{pmd} {size} B: median {rec['median_mpps']:.2f} Mpps "
                     f"(min {min(kept) / 1e6:.2f}, max {max(kept) / 1e6:.2f})")
        except Failure as e:
            rec["error"] = str(e)
            self.log(f"ERROR: {pmd} {size} B produced no samples: {e}")
            for p in reversed(procs):            # client first, then server
                self.stop(p)
            for p in procs:
                print(p.tail(), file=sys.stderr)
        finally:
            for p in reversed(procs):            # client first, then server
                self.stop(p)
            rec["exit_codes"] = [p.proc.returncode for p in procs]
            cleanup(files, [f"{tag}-rx", f"{tag}-tx"])
        return rec

    def stop(self, p):
        """SIGINT, then SIGKILL of its process group if it hangs."""
        if p.stop(STOP_GRACE):
            self.log(f"{p.name}: no exit {STOP_GRACE:.0f} s after SIGINT: killed")
        p.close()

    def wait_ready(self, rx):
        t0 = time.monotonic()
        while not (rx.ready.is_set() or rx.samples):
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
