#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""qosdt between two real virtual machines: the two-VM harness (doc/vm.md).

Boots two QEMU guests (Debian's kernel, a busybox initramfs carrying the
project's binaries, stock dpdk-testpmd and the host's DPDK libraries; one
vCPU each, each QEMU pinned to its own host CPU) that share one
ivshmem-plain region (a 16 MiB host file in /dev/shm). Guest "server" runs
the server side, guest "client" the client side; net_shm is given
pci=<the ivshmem device>, i.e. the device's BAR2. KVM is used where a
probe guest really boots under it, else QEMU's emulator (TCG); the output
says which, and every figure measured under TCG is the emulator's.

--smoke (fast-tests; at most 3 minutes once the image is built):
  boot    both guests boot and find the ivshmem device
  bar     a region larger than the BAR is refused, naming both sizes
  testpmd stock testpmd, txonly in the client guest -> rxonly in the
          server guest: the link comes up, and every frame sent is received
  send    one qosdt-send round trip to a qosdt server (echo)

The full ladder (default; perf-tests, `make vm-test`) adds:
  devmem  the BAR through resource2_wc and through /dev/mem at its
          address; a missing BAR file is "no such file"
  rate    testpmd at 64 B for a few seconds: Mpps
  qos/fifo/idle  qosdt mixed-overload under priority and fifo, and the
          idle run, with `make run`'s table, SLO verdicts and goals
  services qosdt-send for a few services, each reply checked
  kill-server / kill-client   kill -9 of one side's process under load:
          the other side's link goes down, a new process resumes
  poweroff-server / poweroff-client   a hard power-off (QEMU killed) of
          one whole guest under load and a fresh boot of it: the same
It ends with one table. Each step prints PASS, FAIL or SKIP, and the
summary line buildtools/test-summary.py counts. Every QEMU started is
stopped at the end, also on Ctrl-C or SIGTERM (and dies with this process
whatever ends it). Logs: build/vm/run/ (consoles, QEMU, the guests'
output streams with host timestamps, results JSON).

Exit status: 0 when every step passed, 1 when one failed, 77 when QEMU
cannot run here (the reason is printed), 2 on bad arguments.

Usage: usertools/qosdt-vm.py [--build DIR] [--smoke] [--image-only]
       [--accel auto|kvm|tcg] [--duration S] [--only STEP ...]
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import sys
import time

USERTOOLS = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(USERTOOLS)
sys.path.insert(0, USERTOOLS)
sys.path.insert(0, os.path.join(SOURCE_ROOT, "test"))
import qosdt_cases  # noqa: E402
from qosdt_vm_guest import (Guest, GuestError, eclock, paused_s,  # noqa: E402
                            probe_kvm, pvh_kernel, qemu_version, stop_all)
from qosdt_vm_image import ImageError, build_image, newest_kernel  # noqa: E402

NAME = "vm"
REGION_MB = 16
HUGEPAGES = 320                    # 2 MiB pages per guest (640 of its 1024 MiB)
PMD_SO = "/opt/qosdt/lib/librte_net_shm.so"
CONFIG = "config/qos.json"
SCENARIO = "config/mixed-overload.json"
IDLE = "config/idle-latency.json"
SMOKE_TX_S = 3.0                   # testpmd's txonly run in the smoke
RATE_TX_S = 8.0                    # ... and in the ladder's rate step
LINK_DOWN_BOUND_MS = 100           # doc/shm_region.md's promise
EAL_START_S = 90.0                 # an EAL start in a TCG guest: seconds
SEND_CASES = (                     # service, request, what the reply line says
    (1, "hello-vm", 'reply    8 bytes: "hello-vm"'),
    (7, "Hello", 'reply    5 bytes: "Uryyb"'),
    (10, "123456789", "reply    4 bytes: cbf43926"),
    (2, "abc", 'reply    3 bytes: "cba"'),
)
SMOKE_STEPS = ("boot", "bar", "testpmd", "send")
LADDER_STEPS = ("boot", "bar", "devmem", "testpmd", "rate", "send", "services",
                "qos", "fifo", "idle", "kill-server", "kill-client",
                "poweroff-server", "poweroff-client")
STEP_NAMES = tuple(dict.fromkeys(LADDER_STEPS))


def say(msg):
    print(f"[vm] {msg}", flush=True)


def load_runner():
    """usertools/qosdt-run.py as a module: make run's results checks, table,
    verdicts and goals."""
    spec = importlib.util.spec_from_file_location(
        "qosdt_run", os.path.join(USERTOOLS, "qosdt-run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def eal(prefix, mem, devargs, lcores="-l 0", log="", pmd=False):
    """EAL options of one process in a guest (1 vCPU)."""
    return (f"{lcores} -m {mem} --no-pci --file-prefix {prefix} "
            + (f"-d {PMD_SO} " if pmd else "")
            + f"--huge-unlink --vdev {devargs} {log}").strip()


class Harness(qosdt_cases.Cases):
    """The steps, run in order on one pair of guests (rebooted as needed)."""

    def __init__(self, a):
        super().__init__(NAME)
        self.a = a
        self.build = os.path.abspath(a.build)
        self.run_dir = os.path.join(self.build, "vm", "run")
        self.rows = []                 # (step, verdict, figures) for the table
        self.results = {}              # name: client results document
        self.server = self.client = None
        self.accel = None
        self.runner = load_runner()
        self.region = f"/dev/shm/qosdt-vm-{os.getpid()}"
        self.tcg_note = ""

    # -------------------------------------------------------------- setup

    def setup(self):
        """Build the image, choose KVM or TCG. Raises qosdt_cases.Skip when
        QEMU cannot run here."""
        qv = qemu_version()
        if qv is None:
            raise qosdt_cases.Skip("qemu-system-x86_64 not installed (QOSDT_WITH_VM=1 "
                                   "bash buildtools/bootstrap.sh installs it)")
        vmlinuz = newest_kernel()
        if vmlinuz is None:
            raise qosdt_cases.Skip("no readable /boot/vmlinuz-* for the guests "
                                   "(apt-get install linux-image-amd64)")
        if len(os.sched_getaffinity(0)) < 2:
            say("warning: one host CPU: both guests share it")
        os.makedirs(self.run_dir, exist_ok=True)
        for f in os.listdir(self.run_dir):
            os.unlink(os.path.join(self.run_dir, f))
        self.kernel = pvh_kernel(vmlinuz, os.path.join(self.build, "vm"))
        if self.a.accel == "tcg":
            ok, why = False, "--accel tcg"
        else:
            ok, why = probe_kvm(self.kernel, self.run_dir)
            if not ok and self.a.accel == "kvm":
                raise qosdt_cases.Skip(f"--accel kvm, but {why}")
        self.accel = "kvm" if ok else "tcg"
        say(f"{qv}; guest kernel {vmlinuz}"
            + (" (its vmlinux, booted through PVH)" if self.kernel != vmlinuz else ""))
        say(f"accelerator: {self.accel.upper()} ({why})")
        if self.accel == "tcg":
            self.tcg_note = " [TCG: emulator figures, not the design's]"
            say("under TCG every rate and latency below is QEMU's emulator's: "
                "they say nothing about the design on real hardware")
        t = eclock()
        try:
            self.image, gbuild, rebuilt = build_image(self.build, self.accel == "kvm", say)
        except ImageError as e:
            raise qosdt_cases.Skip(f"cannot build the guest image: {e}") from None
        say(f"guest image {os.path.relpath(self.image)} from {os.path.relpath(gbuild)}"
            + (f" (built in {eclock() - t:.0f} s)" if rebuilt else " (cached)"))
        cpus = sorted(os.sched_getaffinity(0))
        self.cpus = (cpus[0], cpus[min(1, len(cpus) - 1)])
        if os.path.exists(self.region):
            os.unlink(self.region)

    def guest(self, name, cpu):
        return Guest(name, cpu, self.accel, self.kernel, self.image, self.region,
                     REGION_MB << 20, self.run_dir, HUGEPAGES)

    def boot(self, *guests):
        """Start the guests at once and wait for each; returns their boot
        times."""
        for g in guests:
            g.start()
        return [g.wait_ready() for g in guests]

    def row(self, step, ok, figures):
        self.rows.append((step, "PASS" if ok else "FAIL", figures))

    def pci(self, g, wc=False):
        return f"net_shm0,pci={g.pci}" + (",wc=1" if wc else "")

    # ------------------------------------------------------------ helpers

    def start_server(self, g, mode="priority", tag="srv", log_info=True):
        """A qosdt server in guest g; returns once it is ready."""
        mark = g.mark()
        g.spawn(tag, f"exec qosdt {eal(tag, 512, self.pci(g) + ',role=server', log='--log-level=pmd.net.shm:info' if log_info else '')} "
                     f"-- --role server --config {CONFIG} --mode {mode} --stats-period 0")
        hit = g.wait_line(tag, r"server ready", EAL_START_S, mark)
        if hit is None:
            raise GuestError(f"{g.name}: qosdt server not ready within {EAL_START_S:g} s: "
                             + " | ".join(x for _, x in g.lines(tag, mark)[-5:]))
        return hit[0]

    def stop(self, g, tag, timeout=30):
        """SIGINT to tag's process, and its exit status (None: still running)."""
        mark_exit = g.exit_status(tag, 0)
        if mark_exit is not None:
            return mark_exit
        g.signal(tag, "INT")
        return g.exit_status(tag, timeout)

    def start_client(self, g, name, scenario, duration, mode="priority", tag="cli",
                     stats=0):
        mark = g.mark()
        g.spawn(tag, f"exec qosdt {eal(tag, 512, self.pci(g) + ',role=client', log='--log-level=pmd.net.shm:info')} "
                     f"-- --role client --config {CONFIG} --mode {mode} --scenario {scenario} "
                     f"--duration {duration:g} --stats-period {stats:g} --link-wait 60 "
                     f"--results /tmp/results-{name}.json")
        return mark

    def fetch_results(self, g, name):
        """The client's results file, copied to the run dir and checked as
        make run checks it: (document or None, problems)."""
        rc, out = g.sh(f"cat /tmp/results-{name}.json", timeout=60)
        path = os.path.join(self.run_dir, f"results-{name}.json")
        with open(path, "w") as f:
            f.write(out if rc == 0 else "")
        doc, shape, cons = self.runner.load_results(path, "client")
        return doc, shape + cons

    # -------------------------------------------------------------- steps

    def step_boot(self):
        if self.server is None:
            self.server = self.guest("server", self.cpus[0])
            self.client = self.guest("client", self.cpus[1])
        t = self.boot(self.server, self.client)
        self.row("boot", True, f"{self.accel.upper()}: server {t[0]:.1f} s, client "
                 f"{t[1]:.1f} s to a shell; ivshmem at {self.server.pci} in both")
        if self.server.pci != self.client.pci:
            return f"the device is at {self.server.pci} in one guest, {self.client.pci} in the other"
        return None

    def step_bar(self):
        """A server asked for a region larger than the BAR is refused before
        any mapping, with both sizes named."""
        g = self.server
        rc, out = g.sh(f"qosdt-send {eal('bar', 64, self.pci(g) + ',role=server,size=32M')} "
                       "-- --service 1 x 2>&1; echo rc=$?", timeout=EAL_START_S)
        bar = REGION_MB << 20
        want = re.search(rf"the region needs {32 << 20} bytes at offset 0, more than the "
                         rf"{bar} there are in \S+/resource2 \({bar} bytes", out)
        ok = want is not None and "rc=0" not in out
        line = next((l for l in out.splitlines() if "the region needs" in l), out.strip()[-200:])
        self.row("bar", ok, f"size=32M on a {REGION_MB} MiB BAR: {line.strip()}")
        return None if ok else f"not refused as expected: {out.strip()[-600:]}"

    def step_devmem(self):
        """The other ways to the same memory: resource2_wc (fences), /dev/mem
        at the BAR's address (and a region too large for that BAR refused),
        a mistyped BAR path."""
        s, c = self.server, self.client
        problems, figures = [], []
        rc, res = s.sh(f"head -3 /sys/bus/pci/devices/{s.pci}/resource | tail -1")
        start = int(res.split()[0], 16)
        # server over resource2_wc, client over /dev/mem at the BAR's address
        mark = s.mark()
        s.spawn("wc", f"exec qosdt {eal('wc', 512, self.pci(s, wc=True) + ',role=server', log='--log-level=pmd.net.shm:info')} "
                      f"-- --role server --config {CONFIG} --stats-period 0")
        if s.wait_line("wc", "server ready", EAL_START_S, mark) is None:
            problems.append("server on resource2_wc not ready: " + " | ".join(
                x for _, x in s.lines("wc", mark)[-4:]))
        else:
            fenced = any("write-combining" in x for _, x in s.lines("wc", mark))
            if not fenced:
                problems.append("resource2_wc: the driver did not say it fences")
            rc, out = c.sh(f"qosdt-send {eal('mem', 256, f'net_shm0,path=/dev/mem,offset={start:#x},role=client')} "
                           f"-- --service 1 devmem 2>&1", timeout=EAL_START_S)
            ok = rc == 0 and 'reply    6 bytes: "devmem"' in out
            figures.append(f"server on resource2_wc{' (fenced)' if fenced else ''}, client on "
                           f"/dev/mem at {start:#x}: echo {'replied' if ok else 'FAILED'}")
            if not ok:
                problems.append(f"qosdt-send over /dev/mem: rc {rc}: {out.strip()[-400:]}")
        self.stop(s, "wc")
        # /dev/mem with a size the BAR cannot hold
        rc, out = c.sh(f"qosdt-send {eal('mem2', 64, f'net_shm0,path=/dev/mem,offset={start:#x},role=server,size=32M')} "
                       f"-- --service 1 x 2>&1", timeout=EAL_START_S)
        hit = re.search(r"more than the (\d+) there are in /dev/mem at \S+, in BAR2 of (\S+) \((\d+) bytes", out)
        if rc == 0 or hit is None:
            problems.append(f"/dev/mem size=32M not refused as expected: {out.strip()[-400:]}")
        else:
            figures.append(f"/dev/mem size=32M refused ({hit.group(1)} bytes in BAR2 of {hit.group(2)})")
        # a mistyped BAR path
        bad = f"/sys/bus/pci/devices/{s.pci}/resource3"
        rc, out = c.sh(f"qosdt-send {eal('miss', 64, f'net_shm0,path={bad},role=server')} "
                       f"-- --service 1 x 2>&1; ls {bad} 2>&1", timeout=EAL_START_S)
        if f"path={bad}: no such file" not in out:
            problems.append(f"missing BAR file: {out.strip()[-300:]}")
        else:
            figures.append(f"{os.path.basename(bad)}: no such file")
        self.row("devmem", not problems, "; ".join(figures))
        return "; ".join(problems) or None

    def testpmd(self, seconds, step):
        """txonly (client guest) -> rxonly (server guest) for seconds: (rx,
        tx, rx_dropped, median Rx-pps, link seen, problems)."""
        s, c = self.server, self.client
        common = "--total-num-mbufs=16384 --stats-period 1"
        ms, mc = s.mark(), c.mark()
        s.spawn("tp", f"exec dpdk-testpmd {eal('tp', 256, self.pci(s) + ',role=server', lcores='--lcores 0@0,1@0', pmd=True)} "
                      f"-- --forward-mode=rxonly {common}")
        problems = []
        if s.wait_line("tp", r"Port statistics", EAL_START_S, ms) is None:
            return 0, 0, 0, 0, False, ["testpmd (server guest) did not start: " + " | ".join(
                x for _, x in s.lines("tp", ms)[-4:])]
        c.spawn("tp", f"exec dpdk-testpmd {eal('tp', 256, self.pci(c) + ',role=client', lcores='--lcores 0@0,1@0', pmd=True)} "
                      f"-- --forward-mode=txonly --txpkts=64 {common}")
        link = s.wait_line("tp", r"Port 0: link state change event", EAL_START_S, ms) is not None
        if c.wait_line("tp", r"Port statistics", EAL_START_S, mc) is None:
            problems.append("testpmd (client guest) did not start: " + " | ".join(
                x for _, x in c.lines("tp", mc)[-4:]))
        t_run = eclock()
        time.sleep(seconds)
        t_stop = eclock()
        rc_c = self.stop(c, "tp")
        time.sleep(1.0)                # the receiver drains the ring
        rc_s = self.stop(s, "tp")
        if rc_c != 0 or rc_s != 0:
            problems.append(f"testpmd exit status: client {rc_c}, server {rc_s}")
        fwd = re.compile(r"Forward statistics for port 0")

        def final(g, mark):
            lines = [x for _, x in g.lines("tp", mark)]
            for i in range(len(lines) - 1, -1, -1):
                if fwd.search(lines[i]):
                    rx = re.search(r"RX-packets:\s*(\d+)\s+RX-dropped:\s*(\d+)", lines[i + 1])
                    tx = re.search(r"TX-packets:\s*(\d+)\s+TX-dropped:\s*(\d+)", lines[i + 2])
                    if rx and tx:
                        return [int(x) for x in rx.groups() + tx.groups()]
            return None
        fs, fc = final(s, ms), final(c, mc)
        if fs is None or fc is None:
            problems.append("no forward statistics from testpmd")
            return 0, 0, 0, 0, link, problems
        pps = sorted(int(m.group(1)) for t, x in s.lines("tp", ms)
                     if t_run + 1 < t < t_stop and (m := re.search(r"Rx-pps:\s+(\d+)", x)))
        med = pps[len(pps) // 2] if pps else 0
        return fs[0], fc[2], fs[1], med, link, problems

    def step_testpmd(self, seconds=SMOKE_TX_S, step="testpmd"):
        rx, tx, drop, pps, link, problems = self.testpmd(seconds, step)
        if not link:
            problems.append("the server guest's testpmd saw no link state change")
        if tx == 0 or rx != tx or drop != 0:
            problems.append(f"sent {tx}, received {rx}, dropped {drop}: not exactly the same")
        fig = (f"link up; sent {tx}, received {rx} (64 B, txonly -> rxonly across the guests)"
               if step == "testpmd" else
               f"{pps / 1e6:.2f} Mpps at 64 B (median of testpmd's Rx-pps){self.tcg_note}; "
               f"sent {tx}, received {rx}")
        self.row(step, not problems, fig)
        return "; ".join(problems) or None

    def step_rate(self):
        return self.step_testpmd(RATE_TX_S, "rate")

    def send(self, service, data, want, tag="send"):
        rc, out = self.client.sh(
            f"qosdt-send {eal(tag, 256, self.pci(self.client) + ',role=client')} "
            f"-- --service {service} {data} 2>&1", timeout=EAL_START_S)
        lat = re.search(r"latency\s+([\d.]+) us", out)
        ok = rc == 0 and want in out
        return ok, (float(lat.group(1)) if lat else None), out

    def step_send(self):
        self.start_server(self.server)
        try:
            service, data, want = SEND_CASES[0]
            ok, lat, out = self.send(service, data, want)
        finally:
            self.stop(self.server, "srv")
        self.row("send", ok, f"qosdt-send --service {service} {data}: "
                 + (f"{want.split(':', 1)[1].strip()} in {lat:.0f} us{self.tcg_note}"
                    if ok else "no correct reply"))
        return None if ok else f"qosdt-send: {out.strip()[-600:]}"

    def step_services(self):
        self.start_server(self.server)
        got, bad = [], []
        try:
            for service, data, want in SEND_CASES:
                ok, lat, out = self.send(service, data, want)
                (got if ok else bad).append(f"{service}")
                if not ok:
                    bad[-1] += f" ({out.strip()[-200:]})"
        finally:
            self.stop(self.server, "srv")
        self.row("services", not bad, f"services {', '.join(got)} answered right"
                 + (f"; wrong: {'; '.join(bad)}" if bad else ""))
        return "; ".join(bad) or None

    def app_run(self, name, mode, scenario, duration):
        """qosdt server (server guest) and client (client guest) over the BAR."""
        s, c = self.server, self.client
        self.start_server(s, mode)
        mark = self.start_client(c, name, scenario, duration, mode)
        rc = c.exit_status("cli", duration + EAL_START_S + 30, mark)
        rc_s = self.stop(s, "srv")
        problems = []
        if rc != 0:
            problems.append(f"client exit status {rc}: " + " | ".join(
                x for _, x in c.lines("cli", mark)[-4:]))
        if rc_s != 0:
            problems.append(f"server exit status {rc_s} after SIGINT")
        doc, probs = self.fetch_results(c, name)
        problems += probs
        if doc is not None:
            self.results[name] = doc
            cls = doc["classes"]
            bad = sum(cls[k]["bad_replies"] for k in cls)
            if bad:
                problems.append(f"{bad} bad replies")
            recv = {k: cls[k]["received"] for k in cls}
            self.row(name, not problems, f"{mode}, {os.path.basename(scenario)}, {duration:g} s: "
                     + ", ".join(f"{k} {v}" for k, v in recv.items()) + " replies; "
                     f"bad {bad}{self.tcg_note}")
        else:
            self.row(name, False, "no results")
        return "; ".join(problems) or None

    def step_qos(self):
        return self.app_run("qos", "priority", SCENARIO, self.a.duration)

    def step_fifo(self):
        return self.app_run("fifo", "fifo", SCENARIO, self.a.duration)

    def step_idle(self):
        return self.app_run("idle", "priority", IDLE, 4.0)

    # ----------------------------------------------------------- restarts

    def link_down_after(self, g, tag, t_kill, mark, timeout=10):
        hit = g.wait_line(tag, r"net_shm: net_shm0: link down", timeout, mark)
        return None if hit is None else (hit[0] - t_kill) * 1e3

    def received_total(self, g, tag, since):
        """Replies received so far, from the client's last live table."""
        total, seen = None, {}
        for _, x in g.lines(tag, since):
            m = re.match(r"\s+(realtime|throughput|reliable|best_effort)\s+(\d+)\s+(\d+)\s", x)
            if m:
                seen[m.group(1)] = int(m.group(3))
                if len(seen) == 4:
                    total = sum(seen.values())
        return total

    def restart_under_load(self, step, victim, how):
        """victim ('server' or 'client') killed (-9 of its process, or its
        guest powered off) while the other side runs; the survivor's link
        must go down, and come back with a new victim that then works."""
        s, c = self.server, self.client
        dur = 60.0
        problems, fig = [], []
        self.start_server(s)
        mark_c = self.start_client(c, step, SCENARIO, dur, stats=1)
        if c.wait_line("cli", r"client running", EAL_START_S, mark_c) is None:
            self.stop(s, "srv")
            self.row(step, False, "client did not start")
            return "client did not start: " + " | ".join(x for _, x in c.lines("cli", mark_c)[-4:])
        time.sleep(4.0)
        surv, stag = (c, "cli") if victim == "server" else (s, "srv")
        vict, vtag = (s, "srv") if victim == "server" else (c, "cli")
        before = self.received_total(c, "cli", mark_c) or 0
        mark = surv.mark()
        if how == "kill":
            t0, t1 = vict.signal(vtag, "KILL")
            what = f"kill -9 of the {victim} process"
        else:
            t0 = eclock()
            vict.power_off()
            t1 = eclock()
            what = f"hard power-off of the {victim} guest"
        down = self.link_down_after(surv, stag, t0, mark)
        if down is None:
            problems.append(f"{victim} gone: the {'client' if victim == 'server' else 'server'}'s "
                            "link did not go down within 10 s")
            fig.append(f"{what}: link not seen down")
        else:
            fig.append(f"{what}: survivor's link down {down:.0f} ms after"
                       + (f" (the kill took {(t1 - t0) * 1e3:.0f} ms to confirm)" if how == "kill" else ""))
            if down > LINK_DOWN_BOUND_MS:
                fig[-1] += f" (> {LINK_DOWN_BOUND_MS} ms{self.tcg_note})"
        if how == "poweroff":
            tb = vict.boots
            boot_s = self.boot(vict)[0]
            fig.append(f"rebooted in {boot_s:.1f} s (boot {tb + 1})")
        else:
            time.sleep(1.0)
        mark_up = surv.mark()
        if victim == "server":
            self.start_server(s)
            up = c.wait_line("cli", r"net_shm: net_shm0: link up", 30, mark_up)
            if up is None:
                problems.append("the client's link did not come back")
            time.sleep(5.0)
            after = self.received_total(c, "cli", mark_c) or 0
            rc = self.stop(c, "cli", timeout=60)
            self.stop(s, "srv")
            doc, probs = self.fetch_results(c, step)
            problems += probs
            fig.append(f"replies: {before} before, {after} after the restart")
            if after <= before:
                problems.append(f"no replies after the restart ({before} -> {after})")
            if rc != 0:
                problems.append(f"client exit status {rc}")
        else:
            mark2 = self.start_client(c, step, IDLE, 4.0)
            up = s.wait_line("srv", r"net_shm: net_shm0: link up", EAL_START_S, mark_up)
            if up is None:
                problems.append("the server's link did not come back")
            rc = c.exit_status("cli", 4.0 + EAL_START_S + 30, mark2)
            self.stop(s, "srv")
            doc, probs = self.fetch_results(c, step)
            problems += probs
            if rc != 0:
                problems.append(f"new client exit status {rc}")
        if doc is not None:
            cls = doc["classes"]
            bad = sum(cls[k]["bad_replies"] for k in cls)
            recv = sum(cls[k]["received"] for k in cls)
            rel = cls["reliable"]
            fig.append(f"{'the client' if victim == 'server' else 'the new client'}: "
                       f"{recv} verified replies, bad {bad}, unmatched {doc.get('unmatched_replies', 0)}, "
                       f"reliable lost {rel['lost']} dropped {rel['dropped']}")
            if bad:
                problems.append(f"{bad} bad replies")
            if recv == 0:
                problems.append("no verified replies")
        self.row(step, not problems, "; ".join(fig))
        return "; ".join(problems) or None

    def step_kill_server(self):
        return self.restart_under_load("kill-server", "server", "kill")

    def step_kill_client(self):
        return self.restart_under_load("kill-client", "client", "kill")

    def step_poweroff_server(self):
        return self.restart_under_load("poweroff-server", "server", "poweroff")

    def step_poweroff_client(self):
        return self.restart_under_load("poweroff-client", "client", "poweroff")

    # -------------------------------------------------------------- table

    def print_tables(self):
        print()
        if "qos" in self.results or "fifo" in self.results:
            qos, fifo = self.results.get("qos"), self.results.get("fifo")
            print(f"qosdt across the two guests ({self.accel.upper()}"
                  + (": emulator figures, not the design's" if self.accel == "tcg" else "")
                  + "):")
            for line in self.runner.table(qos, fifo):
                print(line)
            if qos:
                print(self.runner.share_line(qos))
                for line in self.runner.goal_lines(qos, fifo, self.results.get("idle")):
                    print(line)
            print()
        w = max([len(r[0]) for r in self.rows] + [4])
        print(f"{'step':<{w}}  result  figures")
        for step, verdict, fig in self.rows:
            print(f"{step:<{w}}  {verdict:<6}  {fig}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build dir (build)")
    ap.add_argument("--smoke", action="store_true", help="the short run (fast-tests)")
    ap.add_argument("--image-only", action="store_true",
                    help="build the guest image and stop (no guest is booted)")
    ap.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto")
    ap.add_argument("--duration", type=float, default=10.0,
                    help="seconds of the qos and fifo runs (10)")
    ap.add_argument("--only", action="append", choices=STEP_NAMES,
                    help="run only this step (and boot); repeatable")
    a = ap.parse_args()
    if not 0 < a.duration <= 300:
        ap.error("--duration must be in (0, 300]")
    steps = SMOKE_STEPS if a.smoke else LADDER_STEPS
    if a.only:
        steps = [s for s in steps if s == "boot" or s in a.only]
    h = Harness(a)

    def on_term(*_):
        raise SystemExit("terminated")
    signal.signal(signal.SIGTERM, on_term)
    t0 = eclock()
    rc = 0
    try:
        try:
            h.setup()
        except qosdt_cases.Skip as e:
            if a.image_only:
                say(f"no guest image: {e}")
                return 0
            print(f"SKIP {NAME}: {e}", flush=True)
            print(f"qosdt-test summary: name={NAME} passed=0 failed=0 skipped=1", flush=True)
            return 0 if a.image_only else 77
        if a.image_only:
            return 0
        booted = True
        for step in steps:
            fn = getattr(h, "step_" + step.replace("-", "_"))
            if not booted and step != "boot":
                h.case(step, lambda: (_ for _ in ()).throw(qosdt_cases.Skip("no guests")))
                continue

            def run(fn=fn, step=step):
                try:
                    return fn()
                except GuestError as e:
                    h.row(step, False, str(e)[:300])
                    return f"GuestError: {e}"
            failed_before = h.failed
            h.case(step, run)
            if step == "boot" and h.failed > failed_before:
                booted = False
            elif h.failed > failed_before and not (h.server.alive() and h.client.alive()):
                say("a guest is down after a failed step: booting both again")
                for g in (h.server, h.client):
                    g.power_off()
                try:
                    h.boot(h.server, h.client)
                except GuestError as e:
                    say(f"cannot boot the guests again: {e}")
                    booted = False
        h.print_tables()
        print(f"total {eclock() - t0:.0f} s ({h.accel.upper()})"
              + (f", not counting {paused_s():.0f} s stopped by another tree's "
                 "measurement" if paused_s() > 0 else ""), flush=True)
        rc = h.summary()
    except KeyboardInterrupt:
        print("\ninterrupted", flush=True)
        rc = 130
    finally:
        n = stop_all()
        if n:
            say(f"stopped {n} QEMU process(es)")
        if os.path.exists(h.region):
            os.unlink(h.region)
    return rc


if __name__ == "__main__":
    sys.exit(main())
