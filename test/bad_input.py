#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad input at the command line: a fast, table-driven test.

Usage: bad_input.py BUILD_ROOT SOURCE_ROOT

Each row of ROWS is what a user could get wrong (a config, a scenario, a
net_shm devarg, a qosdt or qosdt-send option), the command line that does
it, a fragment of the message that must name the wrong thing and its value,
and the exit status. A row passes when:
- the command exits with that status (a crash, a hang or exit 0 fails);
- exactly one line of its output holds the fragment, and no sanitizer
  report is printed; for --check-config (no EAL) that line is the whole
  output but for "FILE: ok" of the other file given;
- nothing else is affected: no file the row names in `absent` exists
  afterwards (no region for a refused devarg, no results for a refused
  run), and the row's `after` check holds (the valid ports of the same
  testpmd command line still forward).
The parsers' own rules are table-tested in process by test_qos_config.c
and test_app_scenario.c: this table is about what the user sees.

Client launches attach to a region an earlier short server run left
(formatted, no server alive): they create nothing. Every EAL process gets
its own --file-prefix; the runtime dirs and regions are removed at the end.
Prints one line per row, then the summary line buildtools/test-summary.py
counts.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "usertools"))
from qosdt_eal import cleanup  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qosdt_cases import Cases  # noqa: E402
from testpmd_shm import sanitizer_env  # noqa: E402

NAME = "bad_input"
TIMEOUT = 60          # s for one command (ASan builds are slow to start)
EAL = ["--no-huge", "-m", "256", "--no-pci", "-l", "0,1",
       "--log-level=lib.eal:error", "--no-telemetry"]
SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error:|"
                       r"ERROR: LeakSanitizer")
TESTPMD_STATS = re.compile(r"Forward statistics for port (\d+).*?\n\s*"
                           r"RX-packets:\s*(\d+)", re.S)

# Files the rows refer to as {tmp}/NAME, written before the rows run.
FILES = {
    "broken.json": '{"channel": {"rate": "1G",\n',
    "empty.json": "",
    "unknown-key.json": '{"channel": {"rat": "1G"}}',
    "bad-rate.json": '{"channel": {"rate": "fast"}}',
    "bad-weight.json": '{"classes": {"realtime": {"weight": 300}}}',
    "newline-key.json": '{"ch\\nnel": {"rate": "1G"}}',
    "wrr-trap.json": '{"scheduler": {"mode": "wrr"}, "classes": {"realtime": '
                     '{"weight": 16}, "throughput": {"weight": 17}}}',
    "scn-bad-rate.json": '{"phases": [{"duration": "1s", "flows": [{"service": 1, '
                         '"rate": "fast", "size": 64}]}]}',
    "scn-no-flows.json": '{"phases": [{"duration": "1s", "flows": []}]}',
    "scn-big-frame.json": '{"phases": [{"duration": "1s", "flows": [{"service": 1, '
                          '"rate": "1kpps", "size": 9000}]}]}',
    "scn-unknown-key.json": '{"phases": [{"duration": "1s", "flows": [{"service": 1, '
                            '"rate": "1kpps", "sise": 64}]}]}',
}


def row(what, cmd, expect, status=1, absent=(), after=None, why_status=None):
    """One row. status None: any exit status (stock tools decide theirs,
    why_status says so); absent: paths that must not exist afterwards;
    after: a function of the output returning None or what is wrong."""
    return dict(what=what, cmd=cmd, expect=expect, status=status,
                absent=absent, after=after, why_status=why_status)


def testpmd_good_ports_forwarded(out):
    """The two valid ports of the mixed testpmd line both received."""
    rx = {int(p): int(n) for p, n in TESTPMD_STATS.findall(out)}
    if len(rx) != 2 or min(rx.values()) < 1000:
        return f"valid ports 0 and 1 should both forward, got RX {rx}"
    return None


CHECK = ["{qosdt}", "--check-config"]
SERVER = ["{qosdt}", "{eal}", "--vdev", "net_shm0,path={region},role=client",
          "--", "--role", "server", "--config", "{cfg}"]
CLIENT = ["{qosdt}", "{eal}", "--vdev", "net_shm0,path={region},role=client",
          "--", "--role", "client", "--config", "{cfg}", "--scenario", "{scn}"]
SEND = ["{send}", "{eal}", "--vdev", "net_shm0,path={region},role=client", "--"]


def vdev_launch(devargs):
    """A qosdt server whose only port has these devargs."""
    return ["{qosdt}", "{eal}", "--vdev", devargs, "--", "--role", "server",
            "--config", "{cfg}"]


TESTPMD = ["{testpmd}", "{eal}", "-d", "{so}"]
TESTPMD_ARGS = ["--", "--total-num-mbufs=16384"]
TESTPMD_STATUS = "stock dpdk-testpmd goes on with the ports that probed"

ROWS = [
    # Configs, checked without EAL (like nginx -t).
    row("config: missing file", CHECK + ["{tmp}/missing.json"],
        "{tmp}/missing.json: unable to open {tmp}/missing.json"),
    row("config: a directory", CHECK + ["{tmp}"], "{tmp}: is a directory"),
    row("config: empty file", CHECK + ["{tmp}/empty.json"],
        "{tmp}/empty.json:1:0: '[' or '{{' expected"),
    row("config: invalid JSON", CHECK + ["{tmp}/broken.json"],
        "{tmp}/broken.json:2:"),
    row("config: unknown key", CHECK + ["{tmp}/unknown-key.json"],
        "channel.rat: unknown key"),
    row("config: not a rate", CHECK + ["{tmp}/bad-rate.json"],
        "channel.rate: is not a rate"),
    row("config: weight out of range", CHECK + ["{tmp}/bad-weight.json"],
        "classes.realtime.weight: "),
    row("config: newline in a key, one line", CHECK + ["{tmp}/newline-key.json"],
        "ch?nel: unknown key"),
    row("config: WRR weights rte_sched would flatten", CHECK + ["{tmp}/wrr-trap.json"],
        "{tmp}/wrr-trap.json: "),
    row("config: refused at launch too", SERVER[:-1] + ["{tmp}/bad-rate.json"],
        "{tmp}/bad-rate.json: channel.rate: is not a rate"),
    row("config: refused before the port makes its region",
        vdev_launch("net_shm0,path={newregion},role=server")[:-1] + ["{tmp}/bad-rate.json"],
        "{tmp}/bad-rate.json: channel.rate: is not a rate", absent=["{newregion}"]),
    row("options: bad --role before the port makes its region",
        ["{qosdt}", "{eal}", "--vdev", "net_shm0,path={newregion},role=server", "--",
         "--role", "master", "--config", "{cfg}"],
        '--role: bad value "master"', absent=["{newregion}"]),
    row("options: qosdt's own options without \"--\"",
        ["{qosdt}", "--role", "server", "--config", "{cfg}"], 'no "--": EAL options come first'),
    # Scenarios.
    row("scenario: missing file",
        CHECK + ["{cfg}", "--scenario", "{tmp}/missing-scn.json"],
        "{tmp}/missing-scn.json: No such file or directory"),
    row("scenario: a directory", CHECK + ["{cfg}", "--scenario", "{tmp}"],
        "{tmp}: is a directory"),
    row("scenario: not a rate",
        CHECK + ["{cfg}", "--scenario", "{tmp}/scn-bad-rate.json"],
        "phases[0].flows[0].rate: "),
    row("scenario: a phase without flows",
        CHECK + ["{cfg}", "--scenario", "{tmp}/scn-no-flows.json"],
        "phases[0].flows: "),
    row("scenario: unknown key",
        CHECK + ["{cfg}", "--scenario", "{tmp}/scn-unknown-key.json"],
        "phases[0].flows[0].sise: unknown key"),
    row("scenario: request larger than max_frame",
        CHECK + ["{cfg}", "--scenario", "{tmp}/scn-big-frame.json"],
        "phases[0].flows[0].size: "),
    row("scenario: refused at launch too",
        CLIENT[:-1] + ["{tmp}/scn-bad-rate.json"], "phases[0].flows[0].rate: "),
    # net_shm devargs through qosdt's EAL --vdev: no region is created.
    row("devarg: unknown key", vdev_launch("net_shm0,path={newregion},role=server,bogus=1"),
        "unknown devarg bogus=1", absent=["{newregion}"]),
    row("devarg: bad role", vdev_launch("net_shm0,path={newregion},role=master"),
        "devarg role=master", absent=["{newregion}"]),
    row("devarg: no path", vdev_launch("net_shm0,role=server"),
        "devarg path is missing"),
    row("devarg: path in a missing dir", vdev_launch("net_shm0,path={tmp}/no/dir/r,role=server"),
        "path={tmp}/no/dir/r: no such file (its directory {tmp}/no/dir does not exist)",
        absent=["{tmp}/no"]),
    row("devarg: client before any server", vdev_launch("net_shm0,path={newregion},role=client"),
        "path={newregion}: no such file (start the server side first",
        absent=["{newregion}"]),
    # device memory (doc/vm.md): a mistyped BAR path is no such file, and
    # nothing is created in sysfs or in /dev itself
    row("devarg: missing BAR file",
        vdev_launch("net_shm0,path=/sys/bus/pci/devices/0000:ff:1f.7/resource2,role=server"),
        "path=/sys/bus/pci/devices/0000:ff:1f.7/resource2: no such file (its directory"),
    row("devarg: missing file in sysfs", vdev_launch("net_shm0,path=/sys/qosdt-region,role=server"),
        "path=/sys/qosdt-region: no such file (not created: /sys is on sysfs",
        absent=["/sys/qosdt-region"]),
    row("devarg: missing device in /dev", vdev_launch("net_shm0,path=/dev/qosdt-hshm9,role=server"),
        "path=/dev/qosdt-hshm9: no such file (not created: /dev holds devices",
        absent=["/dev/qosdt-hshm9"]),
    row("devarg: pci not an address", vdev_launch("net_shm0,pci=00:02,role=server"),
        "devarg pci=00:02: must be a PCI address like 0000:00:02.0"),
    row("devarg: pci of no device", vdev_launch("net_shm0,pci=0000:ff:1f.7,role=server"),
        "devarg pci=0000:ff:1f.7: no such PCI device"),
    row("devarg: pci and path", vdev_launch("net_shm0,pci=0000:00:02.0,path={newregion}"),
        "devargs path={newregion} and pci=0000:00:02.0: give one of them",
        absent=["{newregion}"]),
    row("devarg: wc without pci", vdev_launch("net_shm0,path={newregion},wc=1"),
        "devarg wc=1: only with pci=", absent=["{newregion}"]),
    row("devarg: wc not 0 or 1", vdev_launch("net_shm0,pci=0000:00:02.0,wc=yes"),
        "devarg wc=yes: must be 0 or 1"),
    row("devarg: queues 0", vdev_launch("net_shm0,path={newregion},role=server,queues=0"),
        "devarg queues=0", absent=["{newregion}"]),
    row("devarg: ring_size not a power of two",
        vdev_launch("net_shm0,path={newregion},role=server,ring_size=100"),
        "devarg ring_size=100", absent=["{newregion}"]),
    row("devarg: buf_size not a multiple of 64",
        vdev_launch("net_shm0,path={newregion},role=server,buf_size=1000"),
        "buf_size=1000", absent=["{newregion}"]),
    row("devarg: offset not page-aligned",
        vdev_launch("net_shm0,path={newregion},role=server,offset=7"),
        "offset=7", absent=["{newregion}"]),
    row("devarg: size below the minimum",
        vdev_launch("net_shm0,path={newregion},role=server,size=4096"),
        "size=4096", absent=["{newregion}"]),
    # The same through stock dpdk-testpmd -d (as test/testpmd_shm.py runs it).
    row("testpmd devarg: bad role",
        TESTPMD + ["--vdev", "net_shm0,path={newregion},role=master"] + TESTPMD_ARGS,
        "devarg role=master", status=None, why_status=TESTPMD_STATUS,
        absent=["{newregion}"]),
    row("testpmd devarg: a bad port beside two good ones",
        TESTPMD + ["--vdev", "net_shm0,path={region2},role=server",
                   "--vdev", "net_shm1,path={region2},role=client",
                   "--vdev", "net_shm2,path={newregion},role=server,queues=99"]
        + TESTPMD_ARGS + ["--forward-mode=io", "--tx-first", "--stats-period", "1"],
        "devarg queues=99", status=None, why_status=TESTPMD_STATUS,
        absent=["{newregion}"], after=testpmd_good_ports_forwarded),
    # qosdt's own options.
    row("qosdt: bad --role", SERVER[:5] + ["--role", "boss", "--config", "{cfg}"],
        '--role: bad value "boss"'),
    row("qosdt: no --role", SERVER[:5] + ["--config", "{cfg}"], "--role server|client is required"),
    row("qosdt: no --config", SERVER[:7], "--config FILE is required"),
    row("qosdt: client without --scenario", CLIENT[:-2], "--role client needs --scenario"),
    row("qosdt: server with --scenario", SERVER + ["--scenario", "{scn}"],
        "--scenario is for --role client only"),
    row("qosdt: bad --mode", SERVER + ["--mode", "fast"], '--mode: bad value "fast"'),
    row("qosdt: bad --adaptive", SERVER + ["--adaptive", "maybe"],
        '--adaptive: bad value "maybe"'),
    row("qosdt: bad --services", SERVER + ["--services", "original"],
        '--services: bad value "original": binary or hvisor'),
    row("qosdt: client with --services hvisor", CLIENT + ["--services", "hvisor"],
        "--services hvisor is for --role server only"),
    row("qosdt: --duration not a number", SERVER + ["--duration", "abc"],
        '--duration: not a number of seconds in [0.001, 86400]: "abc"'),
    row("qosdt: negative --duration", SERVER + ["--duration", "-1"],
        '--duration: not a number of seconds in [0.001, 86400]: "-1"'),
    row("qosdt: --stats-period too short", SERVER + ["--stats-period", "0.05"],
        '--stats-period: 0 (off) or at least 0.1 s: "0.05"'),
    row("qosdt: --link-wait not a number", SERVER + ["--link-wait", "x"],
        '--link-wait: not a number of seconds in [0, 86400]: "x"'),
    row("qosdt: --results in a missing dir", SERVER + ["--results", "{tmp}/no/dir/r.json"],
        "--results: cannot write {tmp}/no/dir/r.json.tmp", absent=["{tmp}/no"]),
    row("qosdt: --results is a directory", SERVER + ["--results", "{tmp}/resultsdir"],
        "--results: {tmp}/resultsdir is a directory",
        absent=["{tmp}/resultsdir.tmp"]),
    row("qosdt: a refused run writes no --results",
        SERVER + ["--results", "{tmp}/r.json", "--mode", "fast"],
        '--mode: bad value "fast"', absent=["{tmp}/r.json", "{tmp}/r.json.tmp"]),
    row("qosdt: server with --msg-log", SERVER + ["--msg-log", "{tmp}/m.log"],
        "--msg-log is for --role client only", absent=["{tmp}/m.log"]),
    row("qosdt: --msg-log in a missing dir", CLIENT + ["--msg-log", "{tmp}/no/dir/m.log"],
        "--msg-log: cannot write {tmp}/no/dir/m.log: No such file or directory",
        absent=["{tmp}/no"]),
    row("qosdt: --dedup-entries not a power of two", SERVER + ["--dedup-entries", "100"],
        '--dedup-entries: 0 (off) or a power of two in [64, 1048576]: "100"'),
    row("qosdt: --dedup-entries below 64", SERVER + ["--dedup-entries", "32"],
        '--dedup-entries: 0 (off) or a power of two in [64, 1048576]: "32"'),
    row("qosdt: --dedup-entries too large", SERVER + ["--dedup-entries", "2097152"],
        '--dedup-entries: not an integer in [0, 1048576]: "2097152"'),
    row("qosdt: --dedup-entries not a number", SERVER + ["--dedup-entries", "lots"],
        '--dedup-entries: not an integer in [0, 1048576]: "lots"'),
    row("qosdt: client with --dedup-file", CLIENT + ["--dedup-file", "{tmp}/d.dedup"],
        "--dedup-file is for --role server only", absent=["{tmp}/d.dedup"]),
    row("qosdt: client with --dedup-entries", CLIENT + ["--dedup-entries", "64"],
        "--dedup-entries is for --role server only"),
    row("qosdt: --dedup-file with the table off",
        SERVER + ["--dedup-file", "{tmp}/d.dedup", "--dedup-entries", "0"],
        "--dedup-file {tmp}/d.dedup with --dedup-entries 0: there is no table to keep",
        absent=["{tmp}/d.dedup"]),
    row("qosdt: --dedup-file in a missing dir", SERVER + ["--dedup-file", "{tmp}/no/dir/d"],
        "--dedup-file: cannot open {tmp}/no/dir/d: No such file or directory",
        absent=["{tmp}/no"]),
    row("qosdt: --dedup-file is a directory", SERVER + ["--dedup-file", "{tmp}/resultsdir"],
        "--dedup-file: cannot open {tmp}/resultsdir: Is a directory"),
    row("qosdt: --dedup-file not a regular file", SERVER + ["--dedup-file", "/dev/null"],
        "--dedup-file: /dev/null is not a regular file"),
    row("qosdt: no such --port", SERVER + ["--port", "5"], "no ethdev port 5"),
    row("qosdt: --stage-lcores not three ids", SERVER + ["--stage-lcores", "0,1"],
        '--stage-lcores: expected three lcore ids RX,WORKER,TX below 128: "0,1"'),
    row("qosdt: --stage-lcores not numbers", SERVER + ["--stage-lcores", "a,b,c"],
        '--stage-lcores: expected three lcore ids RX,WORKER,TX below 128: "a,b,c"'),
    row("qosdt: --stage-lcores outside -l", SERVER + ["--stage-lcores", "0,1,9"],
        "--stage-lcores: lcore 9 (tx stage) is not in the EAL lcore list"),
    row("qosdt: unknown option", SERVER + ["--bogus"], 'unknown option or missing value: "--bogus"'),
    row("qosdt: option without its value", SERVER + ["--mode"],
        'unknown option or missing value: "--mode"'),
    row("qosdt: stray argument", SERVER + ["extra"], 'unexpected argument "extra"'),
    row("qosdt: EAL lcore that does not exist",
        ["{qosdt}", "-l", "99", "--no-huge", "--no-pci", "--file-prefix", "{prefix}",
         "--", "--role", "server", "--config", "{cfg}"],
        "lcore 99 unavailable"),
    # qosdt-send.
    row("qosdt-send: --service out of range", SEND + ["--service", "70000", "hi"],
        '--service: not an integer in [0, 65535]: "70000"'),
    row("qosdt-send: --service not a number", SEND + ["--service", "echo", "hi"],
        '--service: not an integer in [0, 65535]: "echo"'),
    row("qosdt-send: no DATA", SEND + ["--service", "1"], "need --service ID and one DATA"),
    row("qosdt-send: --hex DATA not hex", SEND + ["--service", "1", "--hex", "zz"],
        "DATA: not an even number of hex digits"),
    row("qosdt-send: --text DATA with no room for its NUL",
        SEND + ["--service", "1", "--text", "--hex", "41" * 1400],
        "DATA: longer than 1399 bytes with --text"),
    row("qosdt-send: negative --timeout", SEND + ["--service", "1", "--timeout", "-1", "hi"],
        '--timeout: not a number of seconds in [0, 3600]: "-1"'),
    row("qosdt-send: missing --config", SEND + ["--service", "1", "--config",
                                                "{tmp}/missing.json", "hi"],
        "{tmp}/missing.json: unable to open"),
    row("qosdt-send: no such --port", SEND + ["--service", "1", "--port", "3", "hi"],
        "no ethdev port 3"),
    row("qosdt-send: no server", SEND + ["--service", "1", "--link-wait", "0.2", "hi"],
        "no server within 0.2 s"),
]


class Table(Cases):
    def __init__(self, build_root, source_root, tmp):
        super().__init__(NAME)
        pid = os.getpid()
        self.tmp = tmp
        self.subst = {
            "qosdt": os.path.join(build_root, "app", "qosdt"),
            "send": os.path.join(build_root, "app", "qosdt-send"),
            "testpmd": shutil.which("dpdk-testpmd") or "",
            "so": "",
            "tmp": tmp,
            "cfg": os.path.join(source_root, "config", "qos.json"),
            "scn": os.path.join(source_root, "config", "idle-latency.json"),
            "region": f"/dev/shm/qosdt-badinput-{pid}",
            "region2": f"/dev/shm/qosdt-badinput-{pid}-pair",
            "newregion": f"/dev/shm/qosdt-badinput-{pid}-new",
        }
        self.prefixes = []
        self.env = dict(os.environ)
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        self._testpmd_env = None

    def expand(self, s, prefix):
        return s.replace("{prefix}", prefix).format(**self.subst)

    def argv(self, cmd, prefix):
        out = []
        for a in cmd:
            if a == "{eal}":
                out += EAL + ["--file-prefix", prefix]
            else:
                out.append(self.expand(a, prefix))
        return out

    def make_region(self):
        """A formatted region for the client rows: a 1 s server run."""
        prefix = f"badin_{os.getpid()}_srv"
        self.prefixes.append(prefix)
        cmd = [self.subst["qosdt"]] + EAL + [
            "--file-prefix", prefix, "--vdev",
            f"net_shm0,path={self.subst['region']},role=server", "--",
            "--role", "server", "--config", self.subst["cfg"],
            "--duration", "1", "--stats-period", "0"]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=TIMEOUT, env=self.env)
        if r.returncode != 0 or not os.path.exists(self.subst["region"]):
            return f"server run to make the region failed ({r.returncode}): " \
                   f"{(r.stdout + r.stderr)[-500:]}"
        return None

    def testpmd_env(self):
        """testpmd with an ASan-built driver needs the runtime preloaded
        (looked up once)."""
        if self._testpmd_env is None:
            self._testpmd_env = sanitizer_env(self.subst["so"], self.env,
                                              asan_options="detect_leaks=0")
        return self._testpmd_env

    def execute(self, r, argv):
        """Run one command line; returns (status or None if it hung, output)."""
        testpmd = argv[0] == self.subst["testpmd"]
        env = self.testpmd_env() if testpmd else self.env
        if r["after"] is None:
            try:
                p = subprocess.run(argv, stdin=subprocess.DEVNULL, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace", timeout=TIMEOUT)
                return p.returncode, p.stdout
            except subprocess.TimeoutExpired as e:
                out = e.stdout or ""
                return None, out if isinstance(out, str) else out.decode(errors="replace")
        # A forwarding testpmd: let it run, then stop it as a user would.
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, errors="replace")
        time.sleep(4)
        p.send_signal(signal.SIGINT)
        try:
            out, _ = p.communicate(timeout=TIMEOUT)
            return p.returncode, out
        except subprocess.TimeoutExpired:
            p.kill()
            return None, p.communicate()[0]

    def check(self, r, status, out, prefix):
        expect = self.expand(r["expect"], prefix)
        if status is None:
            return f"did not exit within {TIMEOUT} s"
        if status < 0:
            return f"killed by signal {-status}"
        if r["status"] is not None and status != r["status"]:
            return f"exit status {status}, expected {r['status']}"
        if SANITIZER.search(out):
            return "sanitizer report: " + SANITIZER.search(out).group(0)
        lines = [ln for ln in out.splitlines() if expect in ln]
        if len(lines) != 1:
            return (f"{len(lines)} lines hold {expect!r}, expected one; "
                    f"output: {out.strip()[-600:]!r}")
        others = [ln for ln in out.strip().splitlines()
                  if ln not in lines and not ln.endswith(": ok")]
        if r["cmd"][:2] == CHECK and others:
            return f"--check-config printed more than its one line: {out.strip()!r}"
        for path in r["absent"]:
            path = self.expand(path, prefix)
            if os.path.exists(path):
                return f"{path} exists afterwards"
        if r["after"] is not None:
            return r["after"](out)
        return None

    def run_row(self, n, r):
        prefix = f"badin_{os.getpid()}_{n}"
        self.prefixes.append(prefix)
        argv = self.argv(r["cmd"], prefix)
        if argv[0] == "":
            self.skipped += 1
            print(f"SKIP {r['what']}: dpdk-testpmd or the driver .so not found",
                  flush=True)
            return
        status, out = self.execute(r, argv)
        why = self.check(r, status, out, prefix)
        for p in ("newregion", "region2"):
            cleanup([self.subst[p]], [])
        if why:
            self.failed += 1
            print(f"FAIL {r['what']}: {why}\n     command: {' '.join(argv)}",
                  flush=True)
        else:
            self.passed += 1
            note = f" (exit {status}: {r['why_status']})" if r["status"] is None else ""
            print(f"PASS {r['what']}{note}", flush=True)

    def run(self):
        for name, text in FILES.items():
            with open(os.path.join(self.tmp, name), "w") as f:
                f.write(text)
        os.mkdir(os.path.join(self.tmp, "resultsdir"))
        why = self.make_region()
        if why:
            print(f"FAIL {NAME}: {why}", flush=True)
            self.failed += 1
            return
        for n, r in enumerate(ROWS):
            self.run_row(n, r)

    def finish(self):
        cleanup([self.subst[p] for p in ("region", "region2", "newregion")],
                self.prefixes)


def loadable_so(build_root):
    try:
        from qosdt_pmd_path import loadable_pmd
        return loadable_pmd(build_root)
    except (ImportError, FileNotFoundError, PermissionError):
        return ""


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bad_input.py BUILD_ROOT SOURCE_ROOT")
    build_root, source_root = (os.path.abspath(a) for a in sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="qosdt-bad-input-") as tmp:
        t = Table(build_root, source_root, tmp)
        if t.subst["testpmd"]:
            t.subst["so"] = loadable_so(build_root)
            if not t.subst["so"]:
                t.subst["testpmd"] = ""
        t0 = time.monotonic()
        try:
            t.run()
        finally:
            t.finish()
        print(f"{len(ROWS)} rows in {time.monotonic() - t0:.0f} s", flush=True)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
