#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stock dpdk-testpmd drives net_shm: a fast test.

1. one process, two ports on one region (role=server and role=client), io
   forwarding with --tx-first: frames circle between the ports;
2. two processes on one region, txonly -> rxonly.

From the forwarding statistics testpmd prints at exit (and, for what they
do not tell apart, the ports' counters over DPDK telemetry just before):
1 passes when both ports received frames, none was dropped or refused
  anywhere (RX-dropped, RX-error, RX-nombufs and TX-dropped all 0: the
  frames in the loop never fill a ring), and each port's TX reached the
  other port's RX but for at most one ring in flight;
2 passes when the receiver got everything sent but for at most one ring in
  flight, dropped nothing (RX-dropped, RX-error, RX-nombufs 0), counted no
  bad descriptor, and the sender had no TX error (oerrors 0: its
  TX-dropped counts the frames txonly offered a full ring, which it is
  meant to).
Prints PASS/FAIL per case and the summary line buildtools/test-summary.py
counts; exits 77 (skip) with the reason when testpmd or the driver is not
there.
"""

import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
from qosdt.cases import Cases
from qosdt.pmd_path import loadable_pmd
from qosdt.process import Proc
from qosdt.telemetry import Telemetry

EAL = ["--no-huge", "-m", "512", "--no-pci", "--log-level=lib.eal:error"]
TESTPMD_ARGS = ["--total-num-mbufs=16384", "--stats-period", "1"]
# Frames each receiving port must get; the runs last until they have (or
# WAIT_TIMEOUT s).
RX_WANT = 1000
WAIT_TIMEOUT = 30
RING = 512            # net_shm's default ring size: frames in flight at most
# A port's cumulative RX-packets in testpmd's periodic stats.
RX_STATS = re.compile(r"NIC statistics for port (\d+).*?\n\s*RX-packets:\s*(\d+)", re.S)
# One port's block of testpmd's exit report (up to the next block's start).
PORT_BLOCK = re.compile(r"Forward statistics for port (\d+)(.*?)(?=Forward statistics|\Z)",
                        re.S)
COUNTERS = {"rx": r"RX-packets:\s*(\d+)", "rx_dropped": r"RX-dropped:\s*(\d+)",
            "rx_error": r"RX-error:\s*(\d+)", "rx_nombuf": r"RX-nombufs:\s*(\d+)",
            "tx": r"TX-packets:\s*(\d+)", "tx_dropped": r"TX-dropped:\s*(\d+)"}


def sanitizer_env(so, base=None, asan_options="detect_leaks=0:abort_on_error=1"):
    """Environment for a testpmd loading so: a driver built with ASan needs
    the ASan runtime loaded first (testpmd itself is not built with it).
    base: the environment to start from (os.environ); asan_options: set
    with the runtimes (testpmd's own exit-time leaks are not ours to
    report)."""
    env = dict(os.environ if base is None else base)
    ldd = subprocess.run(["ldd", so], capture_output=True, text=True).stdout
    runtimes = re.findall(r"(\S*lib(?:asan|ubsan)\.so\S*) => (\S+)", ldd)
    if runtimes:
        env["LD_PRELOAD"] = " ".join(path for _, path in runtimes)
        env["ASAN_OPTIONS"] = asan_options
    return env


def start(testpmd, prefix, fwd_core, vdevs, mode, extra=(), eal=EAL):
    """testpmd forwarding on fwd_core (0 or 1), its main lcore on the other;
    eal: its memory options (EAL: --no-huge)."""
    cmd = [testpmd, "-l", "0,1", "--main-lcore", str(1 - fwd_core)] + list(eal) + \
        ["--file-prefix=" + prefix]
    for so, vdev in vdevs:
        cmd += ["-d", so, "--vdev", vdev]
    cmd += ["--", "--forward-mode=" + mode] + TESTPMD_ARGS + list(extra)
    # Every line kept as it comes, so that wait_rx() can watch the stats.
    return Proc(f"testpmd {prefix}", cmd, env=sanitizer_env(vdevs[0][0]), keep_all=True)


def wait_rx(proc, port, want, timeout):
    """Wait until testpmd's periodic stats show port @port has received
    more than @want frames, or @timeout s pass: a start-up the host slows
    down (a shared VM's stalls) must not cut the measured span short."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.alive():
        got = [int(m[1]) for m in RX_STATS.findall("\n".join(proc.lines[-200:]))
               if int(m[0]) == port]
        if got and got[-1] > want:
            return
        time.sleep(0.2)


def stop(proc):
    """SIGINT, as a user would, and the output up to testpmd's exit."""
    proc.stop(20)
    proc.close()
    return proc.output()


def port_counters(out):
    """{port: {rx, rx_dropped, rx_error, rx_nombuf, tx, tx_dropped}} from
    testpmd's exit report (RX-error and RX-nombufs are printed only when
    not 0)."""
    ports = {}
    for port, block in PORT_BLOCK.findall(out):
        c = {}
        for k, rx in COUNTERS.items():
            m = re.search(rx, block)
            c[k] = int(m[1]) if m else 0
        ports[int(port)] = c
    return ports


def port_stats(out):
    """{port: (rx, rx_dropped, tx, tx_dropped)} from testpmd's exit report."""
    return {p: (c["rx"], c["rx_dropped"], c["tx"], c["tx_dropped"])
            for p, c in port_counters(out).items()}


def dropped(c, *keys):
    """The counters of port counters c among keys that are not 0."""
    return {k: c[k] for k in keys if c[k]}


def telemetry_stats(prefix):
    """(/ethdev/stats,0, /ethdev/xstats,0) of a running testpmd, or None
    for each that cannot be read."""
    try:
        with Telemetry(prefix) as tel:
            return tel.query("/ethdev/stats,0"), tel.query("/ethdev/xstats,0")
    except (OSError, ValueError):
        return None, None


class Run(Cases):
    def __init__(self, testpmd, so, path):
        super().__init__("testpmd_shm")
        self.testpmd, self.so, self.path = testpmd, so, path
        self.out = ""

    def case(self, name, fn):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.out = ""
        before = self.failed
        super().case(name, fn)
        if self.failed > before:
            print("\n".join(self.out.splitlines()[-40:]))

    def one_process(self):
        p = start(self.testpmd, f"tpshm1_{os.getpid()}", 1,
                  [(self.so, f"net_shm0,path={self.path},role=server"),
                   (self.so, f"net_shm1,path={self.path},role=client")],
                  "io", ["--tx-first"])
        time.sleep(2)
        wait_rx(p, 1, RX_WANT, WAIT_TIMEOUT)
        self.out = stop(p)
        st = port_counters(self.out)
        print(f"    port counters {st}")
        if sorted(st) != [0, 1]:
            return f"no exit report for ports 0 and 1: {st}"
        probs = []
        for port, c in st.items():
            other = st[1 - port]
            if c["rx"] <= RX_WANT:
                probs.append(f"port {port} received {c['rx']} frames")
            bad = dropped(c, "rx_dropped", "rx_error", "rx_nombuf", "tx_dropped")
            if bad:
                probs.append(f"port {port} dropped or refused frames: {bad}")
            if not 0 <= c["tx"] - other["rx"] <= RING:
                probs.append(f"port {port} sent {c['tx']}, port {1 - port} received "
                             f"{other['rx']} (at most {RING} may be in flight)")
        return "; ".join(probs) or None

    def two_processes(self):
        rx_prefix, tx_prefix = f"tpshmrx_{os.getpid()}", f"tpshmtx_{os.getpid()}"
        rx = start(self.testpmd, rx_prefix, 1,
                   [(self.so, f"net_shm0,path={self.path},role=server")], "rxonly")
        time.sleep(1.5)
        tx = start(self.testpmd, tx_prefix, 0,
                   [(self.so, f"net_shm0,path={self.path},role=client")], "txonly",
                   ["--txpkts=256"])
        time.sleep(2)
        wait_rx(rx, 0, RX_WANT, WAIT_TIMEOUT)
        tx_stats, _ = telemetry_stats(tx_prefix)
        out_tx = stop(tx)
        time.sleep(0.5)
        rx_stats, rx_xstats = telemetry_stats(rx_prefix)
        out_rx = stop(rx)
        self.out = out_tx + out_rx
        got = port_counters(out_rx).get(0)
        sent = port_counters(out_tx).get(0)
        print(f"    sender {sent}, oerrors {tx_stats and tx_stats.get('oerrors')}; "
              f"receiver {got}, bad descriptors "
              f"{rx_xstats and rx_xstats.get('rx_bad_descriptors')}")
        if got is None or sent is None:
            return "no exit report from the sender or the receiver"
        if tx_stats is None or rx_xstats is None or rx_stats is None:
            return "the ports' counters could not be read over telemetry"
        probs = []
        # Everything sent was received, but for what was still in the ring
        # (at most one ring) when the receiver stopped.
        if not (got["rx"] > RX_WANT and 0 <= sent["tx"] - got["rx"] <= RING):
            probs.append(f"sent {sent['tx']}, received {got['rx']} (at most {RING} "
                         "may be in flight)")
        bad = dropped(got, "rx_dropped", "rx_error", "rx_nombuf")
        if bad or rx_stats.get("ierrors") or rx_stats.get("imissed"):
            probs.append(f"the receiver dropped or refused frames: {bad}, ierrors "
                         f"{rx_stats.get('ierrors')}, imissed {rx_stats.get('imissed')}")
        if rx_xstats.get("rx_bad_descriptors") or rx_xstats.get("rx_bad_index"):
            probs.append(f"the receiver counted {rx_xstats.get('rx_bad_descriptors')} bad "
                         f"descriptors, {rx_xstats.get('rx_bad_index')} bad indexes")
        if tx_stats.get("oerrors"):
            probs.append(f"the sender had {tx_stats['oerrors']} TX errors")
        return "; ".join(probs) or None


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    testpmd = shutil.which("dpdk-testpmd")
    if testpmd is None:
        print("skipped: dpdk-testpmd not installed (apt-get install dpdk)")
        sys.exit(77)
    try:
        so = loadable_pmd(build)
    except (FileNotFoundError, PermissionError) as e:
        print(f"skipped: {e}")
        sys.exit(77)
    r = Run(testpmd, so, f"/dev/shm/qosdt-testpmd-{os.getpid()}")
    try:
        r.case("one process, two ports, io --tx-first: nothing dropped, every "
               "frame across", r.one_process)
        r.case("two processes, txonly -> rxonly: everything sent received, no "
               "error", r.two_processes)
    finally:
        if os.path.exists(r.path):
            os.unlink(r.path)
    sys.exit(r.summary())


if __name__ == "__main__":
    main()
