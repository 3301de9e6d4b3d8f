# SPDX-License-Identifier: BSD-3-Clause
"""Running the qosdt application: AppRun, a server and a client over a fresh
net_shm region with every wait bounded (what make run, make eval, the
load-shift tool and the tests run), and run_pingpong, the bare channel's
round trip (app/pingpong.c)."""
import json
import os
import sys
import time

from . import SOURCE_ROOT
from .eal import CLIENT_CORE, MEM_MB, SERVER_CORE, cleanup, eal_args, hugepages_ok
from .process import READY_LINE, Proc, server_stop_error
from .results import load_results

READY_TIMEOUT = 6.0           # s from server start to its READY_LINE
CLIENT_SLACK = 8.0            # s a client may run beyond --duration
LINK_WAIT = 5                 # s the client waits for the link (--link-wait)
STOP_GRACE = 3.0              # s a server has to exit after SIGINT
CLIENT_GRACE = 1.0            # s a hung client has after SIGINT before SIGKILL


def say(msg):
    print(f"[run] {msg}", flush=True)


class AppRun:
    """One server + client run of qosdt over a fresh net_shm region.

    run() returns the list of errors (empty on success); afterwards
    results holds the client's results document when it is complete.
    """
    seq = 0

    def __init__(self, binary, name, mode, config, scenario, duration, results,
                 log_dir, server_results=None, echo=False, cwd=SOURCE_ROOT,
                 extra=(), stats_period=1, live=False, trace=False, client_extra=(),
                 on_server_ready=None, on_client_done=None, eal_extra=()):
        self.binary, self.name, self.mode = binary, name, mode
        self.config, self.scenario, self.duration = config, scenario, duration
        self.results_path, self.server_results_path = results, server_results
        self.log_dir, self.echo, self.cwd = log_dir, echo, cwd
        self.live = live                   # echo: stream the client's live table
        # --trace: each role's hop stamps (app/hop_trace.h), joined after
        self.trace = ({r: os.path.join(log_dir, f"trace-{name}-{r}.json")
                       for r in ("client", "server")} if trace else None)
        self.extra = list(extra)           # more qosdt options, both roles
        self.client_extra = list(client_extra)   # ... the client's only
        self.eal_extra = list(eal_extra)   # more EAL options, both roles
        # Called with the run once the server is ready, and once the client
        # has exited while the server still runs (for tools that attach to
        # the live server, test/dpdk_tools.py); each returns a list of
        # errors, and errors from the first end the run.
        self.on_server_ready, self.on_client_done = on_server_ready, on_client_done
        self.stats_period = stats_period   # the client's live table, s (0: none)
        self.results = None
        self.server_results = None
        self.warnings = []
        self.logs = []
        self.failed_procs = []
        AppRun.seq += 1
        self.tag = f"qosdt-run-{os.getpid()}-{AppRun.seq}-{name}"

    def prefix(self, role):
        """The EAL file prefix of the role's process (for secondary processes:
        dpdk-proc-info, dpdk-dumpcap)."""
        return f"{self.tag}-{role}"

    def _command(self, role, core, extra):
        vdev = f"net_shm0,path=/dev/shm/{self.tag},role={role}"
        trace = ["--trace", self.trace[role]] if self.trace else []
        return ([self.binary] + eal_args(core, self.prefix(role), vdev, hugepages_ok(MEM_MB))
                + self.eal_extra + ["--", "--role", role, "--config", self.config,
                                    "--mode", self.mode]
                + self.extra + trace + extra)

    def _start(self, role, core, extra, echo):
        log = os.path.join(self.log_dir, f"{self.name}-{role}.log")
        self.logs.append(log)
        return Proc(role, self._command(role, core, extra), self.cwd, log, echo)

    def _wait_client(self, client, limit):
        """True if the client exited within limit seconds. Echoing on a
        terminal without the live table, one progress line is refreshed in
        place meanwhile."""
        if not (self.echo and not self.live and sys.stdout.isatty()):
            return client.wait(limit)
        t0 = time.monotonic()
        try:
            while True:
                spent = time.monotonic() - t0
                if client.wait(min(0.5, max(0.0, limit - spent))):
                    return True
                if spent >= limit:
                    return False
                print(f"\r[run] {self.name}: {spent:3.0f} s of {self.duration:g} s "
                      f"({self.mode}, {os.path.basename(self.scenario)})", end="", flush=True)
        finally:
            print("\r\033[K", end="", flush=True)

    def run(self):
        errors = []
        procs = []
        for p in (self.results_path, self.server_results_path):
            if p and os.path.exists(p):
                os.unlink(p)               # never judge a stale file
        try:
            # The live tables only when they are shown: each line wakes
            # this process, on a core the two busy-polling ones need.
            srv_extra = (["--results", self.server_results_path]
                         if self.server_results_path else [])
            srv_extra += ["--stats-period", "1" if self.live else "0"]
            server = self._start("server", SERVER_CORE, srv_extra, None)
            procs.append(server)
            t0 = time.monotonic()
            while not server.ready.wait(0.05):
                if not server.alive():
                    errors.append(f"{self.name}: server exited before printing "
                                  f"'{READY_LINE}' (exit code {server.proc.returncode})")
                    self.failed_procs.append(server)
                    return errors
                if time.monotonic() - t0 > READY_TIMEOUT:
                    server.stop(0)
                    errors.append(f"{self.name}: server did not print '{READY_LINE}' "
                                  f"within {READY_TIMEOUT:.0f} s: killed (SIGKILL)")
                    self.failed_procs.append(server)
                    return errors
            if self.on_server_ready is not None:
                errs = self.on_server_ready(self)
                if errs:
                    return errors + [f"{self.name}: {e}" for e in errs]
            if self.echo:
                say(f"{self.name}: server ready after {time.monotonic() - t0:.1f} s; "
                    f"client running {self.duration:g} s ({self.mode}, {self.scenario})")
            client = self._start("client", CLIENT_CORE, [
                "--scenario", self.scenario, "--duration", f"{self.duration:g}",
                "--stats-period", f"{self.stats_period if self.live else 0:g}",
                "--link-wait", str(LINK_WAIT),
                "--results", self.results_path] + self.client_extra,
                f"  {self.name:<4} | " if self.echo and self.live else None)
            procs.append(client)
            limit = self.duration + CLIENT_SLACK
            if not self._wait_client(client, limit):
                killed = client.stop(CLIENT_GRACE)
                errors.append(f"{self.name}: client still running {limit:g} s after its "
                              f"start: " + ("killed (SIGKILL)" if killed
                                            else "stopped with SIGINT"))
                self.failed_procs.append(client)
            elif client.proc.returncode != 0:
                errors.append(f"{self.name}: client exited with code "
                              f"{client.proc.returncode}")
                self.failed_procs.append(client)
            if self.on_client_done is not None and server.alive():
                errors += [f"{self.name}: {e}" for e in self.on_client_done(self)]
            why = server_stop_error(self.name, server, STOP_GRACE)
            if why is not None:
                errors.append(why)
                self.failed_procs.append(server)
        finally:
            for p in reversed(procs):      # client first, then server
                p.stop(0.5)
                p.close()
            cleanup([f"/dev/shm/{self.tag}"], [f"{self.tag}-server", f"{self.tag}-client"])
        self.results, shape, cons = load_results(self.results_path, "client")
        errors += [f"{self.name}: {p}" for p in shape + cons]
        if self.results:
            for k, want in (("mode", self.mode), ("config", self.config)):
                if self.results[k] != want:
                    errors.append(f"{self.name}: {self.results_path}: {k}: "
                                  f"{self.results[k]!r}, expected {want!r}")
        if self.server_results_path:
            # The server's counters are its own view: only the shape is checked.
            self.server_results, shape, _ = load_results(self.server_results_path, "server")
            self.warnings += [f"{self.name}: {p}" for p in shape]
        return errors

    def tails(self):
        return "\n".join(p.tail() for p in self.failed_procs)



PINGPONG_COUNT = 4000     # round trips, at idle-latency's 1000/s
PINGPONG_TIMEOUT = 15.0   # s for the whole run


def run_pingpong(build, log_dir):
    """The bare channel's round trip between the same two cores (app/pingpong.c):
    (its results document or None, [errors])."""
    binary = os.path.join(build, "app", "qosdt-pingpong")
    tag = f"qosdt-run-{os.getpid()}-pingpong"
    out = os.path.join(log_dir, "pingpong.json")
    if os.path.exists(out):
        os.unlink(out)
    procs, errors = [], []
    try:
        for role, core in (("reflect", SERVER_CORE), ("ping", CLIENT_CORE)):
            side = "server" if role == "reflect" else "client"
            vdev = f"net_shm0,path=/dev/shm/{tag},role={side}"
            cmd = ([binary] + eal_args(core, f"{tag}-{role}", vdev, hugepages_ok(MEM_MB))
                   + ["--", "--role", role])
            if role == "ping":
                cmd += ["--count", str(PINGPONG_COUNT), "--results", out]
            p = Proc(role, cmd, SOURCE_ROOT, os.path.join(log_dir, f"pingpong-{role}.log"))
            procs.append(p)
            if role == "reflect":
                t0 = time.monotonic()
                while "ready" not in " ".join(p.tail_lines) and p.alive() \
                        and time.monotonic() - t0 < READY_TIMEOUT:
                    time.sleep(0.05)
        ping = procs[-1]
        if not ping.wait(PINGPONG_TIMEOUT):
            errors.append("pingpong: still running after "
                          f"{PINGPONG_TIMEOUT:g} s: killed")
        elif ping.proc.returncode != 0:
            errors.append(f"pingpong: exited with code {ping.proc.returncode}")
    finally:
        for p in reversed(procs):
            p.stop(1.0)
            p.close()
        cleanup([f"/dev/shm/{tag}"], [f"{tag}-reflect", f"{tag}-ping"])
    try:
        with open(out, encoding="utf-8") as f:
            return json.load(f), errors
    except (OSError, ValueError) as e:
        return None, errors + [f"pingpong: {out}: {e}"]

