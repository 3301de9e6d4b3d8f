#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run the qosdt server and client over net_shm and judge the QoS goals.

What `make run` runs. Five runs, each a server (core 0) and a client
(core 1) sharing one net_shm region in /dev/shm:

  qos   config/qos.json, config/mixed-overload.json, --mode priority
  fifo  the same load with --mode fifo: the baseline without QoS
  idle  config/idle-latency.json, --mode priority, 4 s: latency without load
  hops  the same for 3 s, a sample of its requests stamped at each hop
        (--trace): where the idle round trip goes
  bare  qosdt-pingpong: the channel's own round trip, no qosdt around it

On a terminal one progress line per run is refreshed in place (--verbose
streams the client's live per-second table instead). Full output goes to
build/run/<run>-server.log and <run>-client.log (kept when a run fails or
with --keep-logs, else removed at the end); results to
build/run/results-<run>.json (client), build/run/server-<run>.json
(server), build/run/pingpong.json and the idle run's hop stamps. Then one
table puts QoS beside FIFO per class with the SLO verdict of each class,
the idle run's hop budget, and the transport's goals; doc/results.md says
how each verdict and goal is reached.

Every wait is bounded: a server that is not ready in 6 s, a client still
running 8 s after its --duration, or a server still running 3 s after
SIGINT is killed with SIGKILL and the run fails. With the default durations
the whole script ends within 90 s.

Exit status: 0 when every run completed and wrote complete, consistent
results (a missed goal is reported, not an error); 1 when a process failed
or hung, or a results file is missing or invalid; 2 on bad arguments.

Usage: usertools/qosdt-run.py [--build DIR] [--duration S]
       [--only qos|fifo|idle|hops|bare ...] [--keep-logs] [--verbose]
"""
import argparse
import collections
import gc
import json
import math
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qosdt_eal import cleanup, hugepages_ok  # noqa: E402
from qosdt_goals import (CLASSES, SHARED_CLASSES, goal_checks, slo_cells,  # noqa: E402
                         slo_verdict, wrr_shares)
from qosdt_hops import budget_lines  # noqa: E402

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODES = ("priority", "wrr", "fifo")
# Per-class fields of the results JSON (doc/results.md).
CLASS_COUNTS = ("sent", "received", "lost", "dropped", "deferred", "late",
                "bad_replies", "weight", "slo_violations", "latency_violations",
                "starved_windows")
CLASS_RATES = ("offered_mbps", "throughput_mbps", "avg_frame_bytes", "guarantee_mbps")
PERCENTILES = ("p50", "p90", "p99", "p999", "max")
TOP_STRINGS = ("role", "mode", "config", "scenario")
TOP_NUMBERS = ("duration_s", "channel_mbps")
TOP_OPTIONAL_COUNTS = ("malformed", "unmatched_replies", "stale_replies", "link_downs")
# Per-class counts checked when present (results of older builds lack them).
CLASS_OPTIONAL_COUNTS = ("resent", "duplicate_replies", "unresolved_at_stop")

READY_LINE = "server ready"
MEM_MB = 512                  # EAL memory per process
# The first two CPUs this process may run on (a container's cpuset need
# not start at 0); one CPU only: both processes share it, and say so.
_CPUS = sorted(os.sched_getaffinity(0))
SERVER_CORE, CLIENT_CORE = _CPUS[0], _CPUS[min(1, len(_CPUS) - 1)]
READY_TIMEOUT = 6.0           # s from server start to its READY_LINE
CLIENT_SLACK = 8.0            # s a client may run beyond --duration
LINK_WAIT = 5                 # s the client waits for the link (--link-wait)
STOP_GRACE = 3.0              # s a server has to exit after SIGINT
CLIENT_GRACE = 1.0            # s a hung client has after SIGINT before SIGKILL
TAIL_LINES = 20               # lines of a failed process's output shown

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SANITIZER = re.compile(r"==\d+==ERROR: \w+Sanitizer|: runtime error: ")


def say(msg):
    print(f"[run] {msg}", flush=True)


# ---------------------------------------------------------------- results

def _is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_number(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) and v >= 0)


def class_problems(name, c):
    """(shape, consistency) problems of one class's results: shape is what
    is missing or mistyped; consistency is checked only on a sound shape."""
    if not isinstance(c, dict):
        return [f"classes.{name}: not an object"], []
    shape = []
    for k in CLASS_COUNTS:
        if k not in c:
            shape.append(f"classes.{name}.{k}: missing")
        elif not _is_count(c[k]):
            shape.append(f"classes.{name}.{k}: not a count: {c[k]!r}")
    for k in CLASS_OPTIONAL_COUNTS:
        if k in c and not _is_count(c[k]):
            shape.append(f"classes.{name}.{k}: not a count: {c[k]!r}")
    for k in CLASS_RATES:
        if k not in c:
            shape.append(f"classes.{name}.{k}: missing")
        elif not _is_number(c[k]):
            shape.append(f"classes.{name}.{k}: not a number >= 0: {c[k]!r}")
    lat = c.get("latency_us")
    if not isinstance(lat, dict):
        shape.append(f"classes.{name}.latency_us: missing or not an object")
    else:
        for k in PERCENTILES:
            if k not in lat:
                shape.append(f"classes.{name}.latency_us.{k}: missing")
            elif not _is_number(lat[k]):
                shape.append(f"classes.{name}.latency_us.{k}: not a number >= 0: {lat[k]!r}")
    if shape:
        return shape, []
    cons = []
    vals = [lat[k] for k in PERCENTILES]
    if vals != sorted(vals):
        cons.append(f"classes.{name}.latency_us: percentiles out of order: "
                    + ", ".join(f"{k} {v:g}" for k, v in zip(PERCENTILES, vals)))
    if c["sent"] != c["received"] + c["dropped"] + c["lost"] + c["bad_replies"]:
        cons.append(f"classes.{name}: sent {c['sent']} != received {c['received']} + "
                    f"dropped {c['dropped']} + lost {c['lost']} + "
                    f"bad_replies {c['bad_replies']}")
    return shape, cons


def results_problems(doc, role):
    """(shape, consistency) problems of a results document against
    doc/results.md; both empty when it is complete and consistent."""
    if not isinstance(doc, dict):
        return ["not a JSON object"], []
    shape, cons = [], []
    for k in TOP_STRINGS:
        if isinstance(doc.get(k), str) or (k == "scenario" and role == "server"
                                           and doc.get(k, 0) is None):
            continue
        shape.append(f"{k}: missing or not a string")
    for k in TOP_OPTIONAL_COUNTS:
        if k in doc and not _is_count(doc[k]):
            shape.append(f"{k}: not a count: {doc[k]!r}")
    for k in TOP_NUMBERS:
        if not _is_number(doc.get(k)):
            shape.append(f"{k}: missing or not a number >= 0")
    if not _is_count(doc.get("channel_overhead_bytes")):
        shape.append("channel_overhead_bytes: missing or not a count")
    if isinstance(doc.get("role"), str) and doc["role"] != role:
        shape.append(f"role: {doc['role']!r}, expected {role!r}")
    if isinstance(doc.get("mode"), str) and doc["mode"] not in MODES:
        shape.append(f"mode: {doc['mode']!r} is none of {', '.join(MODES)}")
    classes = doc.get("classes")
    if not isinstance(classes, dict):
        return shape + ["classes: missing or not an object"], cons
    for name in CLASSES:
        if name not in classes:
            shape.append(f"classes.{name}: missing")
            continue
        s, c = class_problems(name, classes[name])
        shape += s
        cons += c
    return shape, cons


def load_results(path, role):
    """(document, shape problems, consistency problems) of a results file;
    the document is None unless its shape is complete."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        return None, [f"{path}: missing"], []
    except (OSError, ValueError) as e:
        return None, [f"{path}: {e}"], []
    shape, cons = results_problems(doc, role)
    return ((None if shape else doc), [f"{path}: {p}" for p in shape],
            [f"{path}: {p}" for p in cons])


# -------------------------------------------------------------- processes


def eal_args(core, prefix, vdev, huge):
    mem = ["-m", str(MEM_MB)] if huge else ["--no-huge", "-m", str(MEM_MB)]
    return ["-l", str(core)] + mem + ["--no-pci", "--file-prefix", prefix,
                                      "--log-level=lib.eal:error", "--vdev", vdev]



class Proc:
    """One qosdt process. A thread copies its output (stdout and stderr) to
    a log file, keeps the last lines and the start of the first sanitizer
    report, notices READY_LINE and, when echo is a string, prints each line
    to our stdout after that prefix. on_line, when given, is called with
    each line (from that thread) as it arrives."""

    def __init__(self, name, cmd, cwd, log_path, echo=None, on_line=None):
        self.name, self.echo, self.on_line = name, echo, on_line
        self.tail_lines = collections.deque(maxlen=TAIL_LINES)
        self.report = []                    # first sanitizer report's start
        self.ready = threading.Event()
        self.log_path = log_path
        self.log = open(log_path, "w", encoding="utf-8")
        self.log.write(f"$ cd {shlex.quote(cwd)} && {shlex.join(cmd)}\n")
        self.log.flush()
        env = dict(os.environ)
        stdbuf = shutil.which("stdbuf")     # line-buffer the app's stdout pipe
        if stdbuf:
            cmd = [stdbuf, "-oL"] + cmd
            # stdbuf preloads its library, which an ASan build must allow
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                         "verify_asan_link_order=0"]))
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = ANSI.sub("", raw.decode(errors="replace").rstrip("\r\n"))
            self.log.write(line + "\n")
            self.log.flush()
            self.tail_lines.append(line)
            if (self.report or SANITIZER.search(line)) and len(self.report) < TAIL_LINES:
                self.report.append(line)
            if READY_LINE in line:
                self.ready.set()
            if self.echo is not None:
                print(f"{self.echo}{line}", flush=True)
            if self.on_line is not None:
                self.on_line(line)

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """True if the process exited within timeout seconds."""
        try:
            self.proc.wait(max(0.0, timeout))
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self, grace):
        """SIGINT, then SIGKILL of its process group after grace seconds.
        True if it had to be killed."""
        if not self.alive():
            return False
        self.proc.send_signal(signal.SIGINT)
        if self.wait(grace):
            return False
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        return True

    def close(self):
        self.thread.join(2)
        self.log.close()

    def tail(self):
        """Its sanitizer report's start if it printed one, else its last lines."""
        lines, what = ((self.report, "sanitizer report") if self.report
                       else (self.tail_lines, f"last {len(self.tail_lines)} lines"))
        body = "\n".join(f"    {l}" for l in lines) or "    (no output)"
        return (f"  --- {what} of the {self.name} (exit code {self.proc.returncode}, "
                f"full log {self.log_path}) ---\n{body}")


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
            if not server.alive():
                errors.append(f"{self.name}: server exited before it was stopped "
                              f"(exit code {server.proc.returncode})")
                self.failed_procs.append(server)
            elif server.stop(STOP_GRACE):
                errors.append(f"{self.name}: server still running {STOP_GRACE:g} s after "
                              "SIGINT: killed (SIGKILL)")
                self.failed_procs.append(server)
            elif server.proc.returncode != 0:
                errors.append(f"{self.name}: server exited with code "
                              f"{server.proc.returncode} after SIGINT")
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


# -------------------------------------------------------------------- table

def _pair(q, f, fmt, width):
    cell = lambda d: "-" if d is None else fmt(d)   # noqa: E731
    return f"{cell(q):>{width}} {cell(f):>{width}}"


def _us(v):
    """A latency in a table cell: one decimal below 1 ms."""
    return f"{v:.1f}" if v < 1000 else f"{v:.0f}"


def _pct(v):
    return "-" if v is None else f"{v * 100:.1f}%"


COLUMNS = (  # title, width of each of the QoS and FIFO cells, cell of one class
    ("Mbit/s", 6, lambda c: f"{c['throughput_mbps']:.1f}"),
    ("p50/p99 us", 12, lambda c: f"{_us(c['latency_us']['p50'])}/{_us(c['latency_us']['p99'])}"),
    ("over SLO", 6, lambda c: _pct(slo_cells(c)[0])),
    ("windows missed", 6, lambda c: _pct(slo_cells(c)[1])),
    ("lost+drop", 7, lambda c: str(c["lost"] + c["dropped"])),
)


def table(qos, fifo):
    """The side-by-side lines: per class, QoS then FIFO in each column, and
    the SLO verdict of the QoS run."""
    head1 = f"{'':<11}"
    head2 = f"{'class':<11}"
    for title, w, _ in COLUMNS:
        head1 += " " + f" {title} ".center(2 * w + 1, "-")
        head2 += " " + f"{'QoS':>{w}} {'FIFO':>{w}}"
    head2 += "  SLO verdict (QoS)"
    lines = [head1, head2]
    for name in CLASSES:
        row = f"{name:<11}"
        q = qos["classes"][name] if qos else None
        f = fifo["classes"][name] if fifo else None
        for _, w, fmt in COLUMNS:
            row += " " + _pair(q, f, fmt, w)
        row += "  " + (slo_verdict(q) if q else "- (no QoS run)")
        lines.append(row)
    return lines


def goal_lines(qos, fifo, idle, bare=None):
    """The transport's goals under mixed-overload, one line per class."""
    by_class = {}
    checks = goal_checks(qos, fifo, idle, bare)
    for cls, ok, text in checks:
        by_class.setdefault(cls, []).append(f"{text} {'met' if ok else 'MISSED'}")
    met = sum(ok for _, ok, _ in checks)
    total = sum(len(v) for v in by_class.values())
    lines = [f"goals under mixed-overload (doc/results.md): {met} of {total} met"]
    for cls in CLASSES:
        if cls in by_class:
            lines.append(f"  {cls:<11} " + "; ".join(by_class[cls]))
    return lines


def share_line(qos):
    share, w = wrr_shares(qos)
    names = "/".join(SHARED_CLASSES)
    return (f"WRR shares: weighted max-min fair split (wire Mbit/s) of {w['capacity']:.1f} = "
            f"channel {qos['channel_mbps']:g} - realtime {w['rt_wire']:.1f}, among {names} "
            f"offering " + "/".join(f"{w['demand'][k]:.1f}" for k in SHARED_CLASSES)
            + " at weights " + ":".join(str(w['weight'][k]) for k in SHARED_CLASSES)
            + " -> " + "/".join(f"{w['alloc'][k]:.1f}" for k in SHARED_CLASSES))


def idle_line(idle, run):
    parts = []
    for name in CLASSES:
        c = idle["classes"][name]
        if c["received"]:
            lat = c["latency_us"]
            parts.append(f"{name} {lat['p50']:.1f} us (p99 {lat['p99']:.1f}, "
                         f"max {lat['max']:.1f}, {c['received']} replies)")
    what = "; ".join(parts) if parts else "no replies received"
    return f"idle p50 ({run.mode}, {run.scenario}, {run.duration:g} s): {what}"


def notes(runs):
    """Bad replies outside the QoS run (its verdicts cover its own) and
    frames any process could not match or parse."""
    out = []
    for name, run in runs.items():
        for role, doc in (("client", run.results), ("server", run.server_results)):
            if not doc:
                continue
            for k in TOP_OPTIONAL_COUNTS:
                if doc.get(k):
                    out.append(f"{name}: {role}: {k} {doc[k]}")
            if role == "client" and name != "qos":
                for c in CLASSES:
                    bad = doc["classes"][c]["bad_replies"]
                    if bad:
                        out.append(f"{name}: {c}: {bad} bad replies")
    return out


# ------------------------------------------------------ bare ping-pong

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


# ------------------------------------------------------------ host noise

NOISE_SECONDS = 2.0


def _spin(core, seconds, out):
    """Spin on one core and time the gaps between iterations: what the host
    (hypervisor, kernel, other processes) takes from a busy-polling thread."""
    os.sched_setaffinity(0, {core})
    gc.disable()
    now = time.perf_counter_ns
    end = now() + int(seconds * 1e9)
    last, lost, n5, n20, n1ms, top = now(), 0, 0, 0, 0, 0
    while last < end:
        t = now()
        d, last = t - last, t
        if d >= 5000:
            lost += d
            n5 += 1
            n20 += d >= 20000
            n1ms += d >= 1000000
            top = max(top, d)
    out.put((core, lost / (seconds * 1e9), n5 / seconds, n20 / seconds, n1ms / seconds,
             top / 1e3))


def noise_probe(cores, seconds=NOISE_SECONDS):
    """Busy-poll every core at once, as the two processes do; returns
    {core: (fraction of time lost in stalls >= 5 us, stalls/s, stalls >= 20 us /s,
    stalls >= 1 ms /s, the longest stall in us)}."""
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_spin, args=(c, seconds, out)) for c in cores]
    for p in procs:
        p.start()
    res = {}
    for _ in procs:
        core, *figures = out.get(timeout=seconds + 10)
        res[core] = tuple(figures)
    for p in procs:
        p.join()
    return res


def noise_line(noise):
    per_core = "; ".join(f"core {c}: {lost * 100:.1f}% of the time in stalls >= 5 us "
                         f"({n5:.0f}/s, {n20:.0f}/s >= 20 us, longest {top / 1000:.1f} ms)"
                         for c, (lost, n5, n20, _, top) in sorted(noise.items()))
    return (f"host noise (a bare spin loop on both cores, {NOISE_SECONDS:g} s): {per_core}. "
            f"A round trip crosses both cores about three times: stalls this frequent "
            f"bound how low the realtime p99 can go here.")


# --------------------------------------------------------------------- main

RUNS = {  # name: (mode, scenario, fixed duration or None for --duration)
    "qos": ("priority", "config/mixed-overload.json", None),
    "fifo": ("fifo", "config/mixed-overload.json", None),
    "idle": ("priority", "config/idle-latency.json", 4.0),
    # The idle load again, a sample of its requests stamped at each hop
    # (--trace): apart, since the stamps cost the requests they time.
    "hops": ("priority", "config/idle-latency.json", 3.0),
    "bare": (None, None, None),  # qosdt-pingpong: the channel's own round trip
}
CONFIG = "config/qos.json"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build dir holding app/qosdt (build)")
    ap.add_argument("--duration", type=float, default=12.0,
                    help="seconds of the qos and fifo runs (12)")
    ap.add_argument("--only", action="append", choices=list(RUNS),
                    help="run only this one (repeatable)")
    ap.add_argument("--keep-logs", action="store_true",
                    help="keep the logs of runs that succeeded too")
    ap.add_argument("--verbose", action="store_true",
                    help="stream the client's live per-second table")
    a = ap.parse_args()
    if not 0 < a.duration <= 600:
        ap.error("--duration must be in (0, 600] seconds")
    names = [n for n in RUNS if not a.only or n in a.only]
    build = os.path.abspath(a.build)
    binary = os.path.join(build, "app", "qosdt")
    out_dir = os.path.join(build, "run")
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: {binary} not found or not executable (build it: ninja -C {a.build})")
    for f in {CONFIG} | {RUNS[n][1] for n in names if RUNS[n][1]}:
        if not os.path.isfile(os.path.join(SOURCE_ROOT, f)):
            sys.exit(f"error: {os.path.join(SOURCE_ROOT, f)} not found")
    os.makedirs(out_dir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))

    if SERVER_CORE == CLIENT_CORE:
        say(f"warning: one CPU only: server and client share core {SERVER_CORE}; "
            f"latencies will mostly measure the OS scheduler")
    say(f"{binary}, server on core {SERVER_CORE}, client on core {CLIENT_CORE}, "
        f"EAL memory: {'hugepages' if hugepages_ok(MEM_MB) else '--no-huge'} -m {MEM_MB}; "
        f"runs: {', '.join(names)}")
    runs, errors, bare = {}, [], None
    t_start = time.monotonic()
    try:
        noise = noise_probe(sorted({SERVER_CORE, CLIENT_CORE}))
        for n in names:
            mode, scenario, fixed = RUNS[n]
            if n == "bare":
                say("bare: qosdt-pingpong, the channel's own round trip "
                    f"({PINGPONG_COUNT} at 1000/s)")
                bare, errs = run_pingpong(build, out_dir)
                errors += errs
                for e in errs:
                    say(f"ERROR: {e}")
                continue
            run = AppRun(binary, n, mode, CONFIG, scenario, fixed or a.duration,
                         os.path.join(out_dir, f"results-{n}.json"), out_dir,
                         server_results=os.path.join(out_dir, f"server-{n}.json"), echo=True,
                         live=a.verbose, trace=n == "hops")
            errs = run.run()
            runs[n] = run
            errors += errs
            for e in errs:
                say(f"ERROR: {e}")
            if run.failed_procs:
                print(run.tails(), flush=True)
            if not errs and not a.keep_logs:
                for log in run.logs:
                    os.unlink(log)
    except KeyboardInterrupt:
        sys.exit("interrupted (processes stopped, region and EAL files removed)")

    qos = runs["qos"].results if "qos" in runs else None
    fifo = runs["fifo"].results if "fifo" in runs else None
    print()
    if qos or fifo:
        for line in table(qos, fifo):
            print(line)
        print("Mbit/s: request frames (40 B header + payload) delivered; p50/p99: round "
              "trip; over SLO: replies over their service's max_latency; windows missed: "
              "100 ms windows with an SLO missed; verdicts: doc/results.md")
        if qos:
            print(share_line(qos))
    idle = runs["idle"].results if "idle" in runs else None
    if idle:
        print(idle_line(idle, runs["idle"]))
    if bare:
        lat = bare["latency_us"]
        print(f"bare net_shm ping-pong ({bare['frame_bytes']} B frames, same cores): "
              f"p50 {lat['p50']:.1f} us, p99 {lat['p99']:.1f}, {bare['received']} round trips")
    hops = runs.get("hops")
    if hops and hops.results and all(os.path.exists(p) for p in hops.trace.values()):
        for line in budget_lines(hops.trace["client"], hops.trace["server"], "idle"):
            print(line)
    if qos:
        for line in goal_lines(qos, fifo, idle, bare):
            print(line)
    print(noise_line(noise))
    for n in notes(runs):
        print(f"note: {n}")
    for run in runs.values():
        for w in run.warnings:
            print(f"warning: {w}")
    kept = [log for run in runs.values() for log in run.logs if os.path.exists(log)]
    print(f"results in {out_dir}" + (f"; logs: {' '.join(kept)}" if kept else
                                     " (logs removed: --keep-logs keeps them)"))
    print(f"total {time.monotonic() - t_start:.0f} s")
    if errors:
        print(f"FAILED: {len(errors)} error(s):")
        for e in errors:
            print(f"  {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
