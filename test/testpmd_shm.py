#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stock dpdk-testpmd drives net_shm: a fast test.

1. one process, two ports on one region (role=server and role=client), io
   forwarding with --tx-first: frames circle between the ports;
2. two processes on one region, txonly -> rxonly.

Each passes if the forwarding statistics testpmd prints at exit show frames
received on every receiving port and no RX/TX errors. Prints the usual
summary line for buildtools/test-summary.py; exits 77 (skip) with the reason
when testpmd or the driver is not there.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "usertools"))
from qosdt_pmd_path import loadable_pmd  # noqa: E402

EAL = ["--no-huge", "-m", "512", "--no-pci", "--log-level=lib.eal:error"]
TESTPMD_ARGS = ["--total-num-mbufs=16384", "--stats-period", "1"]
# Frames each receiving port must get; the runs last until they have (or
# WAIT_TIMEOUT s).
RX_WANT = 1000
WAIT_TIMEOUT = 30
# A port's cumulative RX-packets in testpmd's periodic stats.
RX_STATS = re.compile(r"NIC statistics for port (\d+).*?\n\s*RX-packets:\s*(\d+)", re.S)
STATS = re.compile(r"Forward statistics for port (\d+).*?\n\s*RX-packets:\s*(\d+)"
                   r"\s+RX-dropped:\s*(\d+).*?\n\s*TX-packets:\s*(\d+)\s+TX-dropped:\s*(\d+)",
                   re.S)


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
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=sanitizer_env(vdevs[0][0]))
    # Read its output as it comes, so that wait_rx() can watch the stats.
    proc.lines = []
    proc.reader = threading.Thread(target=lambda: proc.lines.extend(proc.stdout),
                                   daemon=True)
    proc.reader.start()
    return proc


def wait_rx(proc, port, want, timeout):
    """Wait until testpmd's periodic stats show port @port has received
    more than @want frames, or @timeout s pass: a start-up the host slows
    down (a shared VM's stalls) must not cut the measured span short."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        got = [int(m[1]) for m in RX_STATS.findall("".join(proc.lines[-200:]))
               if int(m[0]) == port]
        if got and got[-1] > want:
            return
        time.sleep(0.2)


def stop(proc):
    """SIGINT, as a user would, and the output up to testpmd's exit."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.reader.join(timeout=5)
    return "".join(proc.lines)


def port_stats(out):
    """{port: (rx, rx_dropped, tx, tx_dropped)} from testpmd's exit report."""
    return {int(m[0]): tuple(int(x) for x in m[1:]) for m in STATS.findall(out)}


def check(name, cond, what, out):
    print(f" + {name}: {'succeeded' if cond else 'failed'} ({what})")
    if not cond:
        print("\n".join(out.splitlines()[-40:]))
    return cond


def one_process(testpmd, so, path):
    p = start(testpmd, f"tpshm1_{os.getpid()}", 1,
              [(so, f"net_shm0,path={path},role=server"),
               (so, f"net_shm1,path={path},role=client")],
              "io", ["--tx-first"])
    time.sleep(2)
    wait_rx(p, 1, RX_WANT, WAIT_TIMEOUT)
    out = stop(p)
    st = port_stats(out)
    ok = len(st) == 2 and all(s[0] > RX_WANT for s in st.values())
    return check("one process, two ports, io --tx-first", ok,
                 f"port statistics {st}", out)


def two_processes(testpmd, so, path):
    rx = start(testpmd, f"tpshmrx_{os.getpid()}", 1,
               [(so, f"net_shm0,path={path},role=server")], "rxonly")
    time.sleep(1.5)
    tx = start(testpmd, f"tpshmtx_{os.getpid()}", 0,
               [(so, f"net_shm0,path={path},role=client")], "txonly",
               ["--txpkts=256"])
    time.sleep(2)
    wait_rx(rx, 0, RX_WANT, WAIT_TIMEOUT)
    out_tx = stop(tx)
    time.sleep(0.5)
    out_rx = stop(rx)
    st_rx, st_tx = port_stats(out_rx), port_stats(out_tx)
    got = st_rx.get(0, (0, 0, 0, 0))[0]
    sent = st_tx.get(0, (0, 0, 0, 0))[2]
    # Everything sent was received, but for what was still in the ring
    # (at most one ring, 512 frames) when the receiver stopped.
    ok = got > RX_WANT and 0 <= sent - got <= 512
    return check("two processes, txonly -> rxonly", ok,
                 f"sent {sent}, received {got}", out_tx + out_rx)


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
    path = f"/dev/shm/qosdt-testpmd-{os.getpid()}"
    results = []
    try:
        for case in (one_process, two_processes):
            if os.path.exists(path):
                os.unlink(path)
            results.append(case(testpmd, so, path))
    finally:
        if os.path.exists(path):
            os.unlink(path)
    passed = sum(results)
    print(f"qosdt-test summary: name=testpmd_shm passed={passed} "
          f"failed={len(results) - passed} skipped=0")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
