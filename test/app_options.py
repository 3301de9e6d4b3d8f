#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Valid values of qosdt's own options do what they say, in running
processes: a fast test.

Usage: app_options.py BUILD_ROOT SOURCE_ROOT

1. a server whose channel is port 1 (a net_null0 is port 0) with
   --port 1, its stages on other lcores than the main one (--stage-lcores
   1,0,1: RX and TX on lcore 1, the worker on the main lcore 0) and
   --adaptive on: it says it serves port 1; qosdt-send, also behind a
   net_null0, with --port 1 gets the right reply (service 2 reverses the
   bytes); stopped with SIGINT, the server exits 0 and its results show
   the controller on and the request received and sent in its class;
2. --adaptive off overrides a config that enables the controller: the
   results show it off, and the request still answered;
3. --link-wait: a client with no server alive gives up naming the wait it
   was given and no sooner (2 s); with 0 at once; qosdt-send likewise (1 s).
The parser's own table of values is test_app_options.c (app_options_autotest);
bad values are test/bad_input.py's. Every EAL process gets its own
--file-prefix; regions and runtime dirs are removed at the end.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
from qosdt.cases import Cases, Skip
from qosdt.eal import cleanup
from qosdt.process import Proc

NAME = "app_options"
EAL = ["--no-huge", "-m", "256", "--no-pci", "-l", "0,1", "--log-level=lib.eal:error",
       "--no-telemetry"]
READY_S = 60          # a server up (ASan builds start slowly; the host stalls)
STOP_S = 20           # a server's exit after SIGINT
CMD_S = 60            # one short command
REQUEST = b"options!"


class Options(Cases):
    def __init__(self, build, source):
        super().__init__(NAME)
        self.build, self.source = build, source
        self.qosdt = os.path.join(build, "app", "qosdt")
        self.send = os.path.join(build, "app", "qosdt-send")
        self.tmp = tempfile.TemporaryDirectory(prefix="qosdt-app-options-")
        self.region = f"/dev/shm/qosdt-app-options-{os.getpid()}"
        self.prefixes = []
        self.seq = 0

    def precondition(self):
        for exe in (self.qosdt, self.send):
            if not os.access(exe, os.X_OK):
                raise Skip(f"{exe} not built")
        return None

    def eal(self, *vdevs):
        self.seq += 1
        prefix = f"app_options_{os.getpid()}_{self.seq}"
        self.prefixes.append(prefix)
        args = EAL + [f"--file-prefix={prefix}"]
        for v in vdevs:
            args += ["--vdev", v]
        return args

    def server(self, extra, results, config="config/qos.json"):
        """A qosdt server whose channel is port 1; (process, its first
        line naming the port), after that line came."""
        cmd = ([self.qosdt] + self.eal("net_null0", f"net_shm0,path={self.region},role=server")
               + ["--", "--role", "server", "--config", config, "--stats-period", "0",
                  "--results", results] + extra)
        p = Proc("server", cmd, cwd=self.source, keep_all=True)
        if p.wait_ready(READY_S):
            return p, p.ready_text.strip()
        p.stop(0)                                       # a silent hang ends too
        p.close()
        raise AssertionError(f"the server never said it was ready within {READY_S} s "
                             f"(exit {p.proc.returncode}): {p.lines[-10:]}")

    def stop(self, p):
        """SIGINT; (exit status or None if it hung, its output)."""
        killed = p.stop(STOP_S)
        p.close()
        return (None if killed else p.proc.returncode), p.output()

    def send_request(self, extra):
        cmd = ([self.send] + self.eal("net_null0", f"net_shm0,path={self.region},role=client")
               + ["--"] + extra + ["--service", "2", REQUEST.decode()])
        return subprocess.run(cmd, cwd=self.source, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=CMD_S)

    @staticmethod
    def results(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def served(self, extra, config="config/qos.json"):
        """Serve one request with a server given extra; None or what went
        wrong, and the server's results."""
        path = os.path.join(self.tmp.name, f"server{self.seq}.json")
        srv, ready = self.server(extra, path, config)
        try:
            r = self.send_request(["--port", "1", "--link-wait", "5"])
        finally:
            rc, out = self.stop(srv)
        want = f'reply    {len(REQUEST)} bytes: "{REQUEST[::-1].decode()}"'
        if "on port 1" not in ready:
            return f"the server does not serve port 1: {ready!r}", None
        if r.returncode != 0 or want not in r.stdout:
            return (f"qosdt-send on port 1: exit {r.returncode}, expected {want!r}: "
                    f"{r.stdout.strip()} {r.stderr.strip()}"), None
        if rc != 0:
            return f"the server exited {rc} on SIGINT: {out[-2000:]}", None
        doc = self.results(path)
        rt = doc["classes"]["realtime"]
        if rt["received"] != 1 or rt["sent"] != 1:
            return (f"the server's results: realtime received {rt['received']}, sent "
                    f"{rt['sent']}, expected the one request"), None
        return None, doc

    # ------------------------------------------------------------- cases

    def port_stages_adaptive_on(self):
        why, doc = self.served(["--port", "1", "--stage-lcores", "1,0,1", "--adaptive", "on"])
        if why:
            return why
        if not doc["adaptive"].get("enabled"):
            return f"--adaptive on: the results say {doc['adaptive']}"
        return None

    def adaptive_off(self):
        cfg = os.path.join(self.tmp.name, "adaptive.json")
        with open(cfg, "w") as f:
            json.dump({"adaptive": {"enabled": True}}, f)
        why, doc = self.served(["--port", "1", "--adaptive", "off"], cfg)
        if why:
            return why
        if doc["adaptive"] != {"enabled": False}:
            return f"--adaptive off over a config that enables it: {doc['adaptive']}"
        return None

    def link_wait(self):
        if not os.path.exists(self.region):
            raise Skip("no region left by the cases before (they failed)")
        scn = os.path.join(self.source, "config", "idle-latency.json")
        probs = []
        for wait in ("2", "0"):
            cmd = ([self.qosdt] + self.eal(f"net_shm0,path={self.region},role=client")
                   + ["--", "--role", "client", "--config", "config/qos.json",
                      "--scenario", scn, "--link-wait", wait])
            t0 = time.monotonic()
            r = subprocess.run(cmd, cwd=self.source, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=CMD_S)
            took = time.monotonic() - t0
            msg = f"no peer within {wait} s"
            if r.returncode != 1 or msg not in r.stdout + r.stderr:
                probs.append(f"client --link-wait {wait}: exit {r.returncode}, no "
                             f"{msg!r}: {(r.stdout + r.stderr).strip()[-500:]}")
            elif took < float(wait):
                probs.append(f"client --link-wait {wait} gave up after {took:.2f} s")
        t0 = time.monotonic()
        r = subprocess.run([self.send] + self.eal(f"net_shm0,path={self.region},role=client")
                           + ["--", "--link-wait", "1", "--service", "1", "x"],
                           cwd=self.source, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=CMD_S)
        took = time.monotonic() - t0
        if r.returncode != 1 or "no server within 1 s" not in r.stderr:
            probs.append(f"qosdt-send --link-wait 1: exit {r.returncode}: "
                         f"{(r.stdout + r.stderr).strip()[-500:]}")
        elif took < 1:
            probs.append(f"qosdt-send --link-wait 1 gave up after {took:.2f} s")
        return "; ".join(probs) or None

    def cleanup(self):
        cleanup([self.region], self.prefixes)
        self.tmp.cleanup()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: app_options.py BUILD_ROOT SOURCE_ROOT")
    t = Options(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    try:
        t.case("--port 1, --stage-lcores 1,0,1, --adaptive on: served on port 1, "
               "controller on", t.port_stages_adaptive_on)
        t.case("--adaptive off over a config that enables it", t.adaptive_off)
        t.case("--link-wait: a client and qosdt-send wait that long for a server",
               t.link_wait)
    finally:
        t.cleanup()
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
