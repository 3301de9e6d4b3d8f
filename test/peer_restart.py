#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Peer restarts under load: kill -9 the peer again and again; the survivor
must see its link go down within the documented bound and come back when
the peer returns, leak no mbuf, account for every request, lose no
reliable request, and no service may run twice for one request.

Usage: peer_restart.py BUILD_ROOT SOURCE_ROOT [--restarts N]
       [--client-restarts M] [--period S] [--keep-logs]

A qosdt server and client (config/qos.json) share a net_shm region; every
server keeps its dedup table in one file (--dedup-file), so that each new
server knows what the ones before it served. The client runs a scenario of
bursts: every PERIOD seconds each class gets a
burst (about 15 MB of requests, at least twice what the 1 Gbit/s channel
carries in the 50 ms the two sides take to deal with it), under a steady
trickle of realtime and reliable requests. One restart:

1. odd restarts, in a burst: the server's reliable pool (telemetry
   /qosdt/mempools, server_rl) is watched around the burst, and the server
   gets SIGKILL as soon as it holds reliable requests (received, queued,
   being served or answered and not yet sent: the requests a dead server
   takes with it); never seen in RELIABLE_WATCH_S: the next period, up to
   KILL_TRIES times, then the kill is done anyway and counted; even
   restarts: 0.4 s after the burst, with only the trickle on its way;
2. the client's link (telemetry /ethdev/link_status,0, polled every 2 ms)
   must go down within LINK_DOWN_BOUND_MS, doc/shm_region.md's bound: a
   query sent later than that must not answer UP (a late answer to a busy
   script is not the driver's delay);
3. DEAD_S later the server is started again; the client's link must come up
   within LINK_UP_BOUND_MS of the new server's "server ready" line;
4. in the quiet part of the period (nothing but the trickle), sampled every
   50 ms: the minimum in-use count of every client mempool
   (/qosdt/mempools) must equal its baseline (the same minimum before the
   first kill), and the minimum over the live tables of sent - (received +
   lost + dropped) must be 0 in every class: a leaked mbuf, or a request in
   no counter, stays and shows in every sample; one in flight does not.
   When off, the next RECHECK_PERIODS quiet parts are looked at too (a
   host that stalls the processes can push a burst into a quiet part; a
   leak stays);
5. reliable loses nothing: its lost + dropped did not move across the
   restart (the live tables before the kill and in the quiet part): the
   client held its reliable requests while the link was down and sent
   the unanswered ones again once it was back (its "link back" line says
   how many, shown per restart);
6. the client is still running, printed at most OTHER_LINES_PER_RESTART
   lines besides its tables, its "link back" lines and the driver's
   link up/down lines (no error loop while the peer is down), and its
   link went down once, plus at
   most once per stall measured meanwhile (xstat link_down_events): a
   live peer's heartbeat (every 10 ms) stands still for the 50 ms timeout
   only when something held a thread off its CPU for 30 ms or more.
   StallWatch measures that three ways: a peer's heartbeat counter in the
   region seen standing still for HB_STILL_MS (the kill's own excepted), a
   watcher thread pinned to each CPU that woke STALL_MS late, or a
   heartbeat thread (eal-intr-thread) of the two processes whose run delay
   (/proc/PID/task/TID/schedstat) grew by STALL_MS at once. A flap no
   stall explains fails the restart.

Then the client is stopped with SIGINT: its results (doc/results.md) must be
complete and consistent (sent == received + dropped + lost + bad_replies in
every class), with no bad, no unmatched and no stale replies, and reliable
lost 0 and dropped 0 but for the requests in flight when it was stopped
(unresolved_at_stop). Then the other direction, --client-restarts times: a
client is killed mid-burst, the server's link must go down within the bound,
a new client attaches, and in its first quiet part the server's mempools
must be back at their baseline; the last client's replies must hold no
unmatched one (the replies to a killed client are counted as stale). The
last client and the server are stopped with SIGINT and must exit 0; the
server's results give the dedup store's counts over every server that used
it: as many lives as servers started, and duplicates served 0 (no request
served twice, also by a server that was killed).

Prints a line per restart (link down and up times, pool counts, reliable
accounting) and a summary line; exits 1 on any violation. Processes are
started by qosdt.process (as make run starts them); the region and EAL files are
removed at the end.
"""

import argparse
import collections
import json
import os
import re
import signal
import struct
import sys
import tempfile
import threading
import time

TEST_DIR = os.path.dirname(os.path.abspath(__file__))
from qosdt.apprun import READY_TIMEOUT
from qosdt.eal import CLIENT_CORE, MEM_MB, SERVER_CORE, cleanup, eal_args, hugepages_ok
from qosdt.process import READY_LINE, Proc
from qosdt.results import CLASSES, load_results
from qosdt.telemetry import Telemetry

NAME = "peer_restart"
CONFIG = "config/qos.json"
TIMEOUT_S = 0.5               # the scenario's request timeout: shorter than an
                              # outage (0.5 s dead + the new server's start), so
                              # only holding saves reliable, longer than the
                              # host's stalls (a 300 ms one expired reliable
                              # requests before the client saw the link go down)
KILL_IN_BURST_S = 0.015       # odd restarts: the kill lands this long after a burst,
                              # while it is on its way (it takes about 50 ms)
KILL_IN_TRICKLE_S = 0.4       # even restarts: this long after, only the trickle flows
KILL_TRIES = 3                # periods tried for a kill that finds the burst in flight
RELIABLE_POOL = "server_rl"   # the server's reliable reservation (/qosdt/mempools)
RELIABLE_WATCH_S = (0.03, 0.15)  # burst kills of the server: its reliable pool is
                              # watched from this long before the burst to this long
                              # after, and the kill comes when it holds requests
RECHECK_PERIODS = 3           # quiet parts a pool or gap off baseline is looked at again:
                              # a leak stays, a host stall that delayed the burst passes
DEAD_S = 0.5                  # the peer stays dead this long after our link went down
LINK_DOWN_BOUND_MS = 100      # doc/shm_region.md, "Link state and restarts"
LINK_UP_BOUND_MS = 100        # from the peer's "server ready" line
LINK_UP_TIMEOUT_S = 10        # a peer whose link is not up by then failed to return
QUIET_FROM_S = 1.2            # a period's quiet part starts this long after its burst
QUIET_GUARD_S = 0.15          # ... and ends this long before the next burst
SETTLE_S = 0.4                # and not before this long after the link came back
QUIET_MIN_S = 0.5             # a quiet part shorter than this is skipped
SAMPLE_S = 0.05               # pool sampling interval
POLL_S = 0.002                # link state polling interval
STATS_PERIOD = "0.1"          # the client's live table
OTHER_LINES_PER_RESTART = 4   # survivor's lines besides tables and link changes
STALL_MS = 30                 # a thread held off its CPU this long can make a live
                              # peer's heartbeat (every 10 ms) miss the survivor's
                              # 50 ms timeout (it takes 30 ms or more): a stall
FLAP_MS = 40                  # a live peer's heartbeat standing still this long
                              # can take the survivor's link down: at most one
                              # flap per FLAP_MS of a stall
HB_STILL_MS = 25              # ... and a heartbeat seen standing still this long
                              # (sampled every HB_WATCH_S: 30 ms less the sampling)
KILL_HB_S = 0.4               # the killed side's last heartbeat read this long after
                              # the kill at most (its new process comes DEAD_S later)
WATCH_S = 0.005               # StallWatch's sampling period (CPUs, run delays)
HB_WATCH_S = 0.002            # ... and of the heartbeats in the region
SIDE_HEARTBEAT = {"server": 64 + 8, "client": 128 + 8}   # offsets in the region
                              # (doc/shm_region.md: the side states, u64 heartbeat)
STOP_GRACE = 5.0              # s a process has to exit after SIGINT
# The dedup store's header (app/dedup.h, struct dedup_store_hdr): magic,
# version, nb_entries, reply_cap, slot_size, lives, reserved, next, then the
# counters of every life: served, replayed, duplicates_served, conflicts,
# unstored, evicted, replayed_earlier, redone.
DEDUP_HDR = struct.Struct("<QIIIIIIQ8Q")
DEDUP_MAGIC = 0x3150554444544451
LINK_LINE = re.compile(r"^net_shm: \S+: link (up|down)$")
RESEND_LINE = re.compile(r"client: link back: (\d+) lossless requests unanswered, "
                         r"(\d+) sent again")

# The scenario, per period of P seconds: (class, service, pps, size, burst?).
# A burst flow sends pps x P requests at the start of each period; the rest
# are steady (constant) and small, so that the quiet part has requests in
# flight only now and then.
FLOWS = [
    ("realtime", 1, 200, 64, False),
    ("realtime", 2, 200, 64, True),
    ("throughput", 9, 500, 1400, True),
    ("throughput", 10, 500, 1400, True),
    ("throughput", 11, 500, 1400, True),
    ("reliable", 3, 200, 1000, False),
    ("reliable", 4, 200, 1000, True),
    ("reliable", 5, 200, 1000, True),
    ("reliable", 6, 200, 1000, True),
    ("reliable", 7, 200, 1000, True),
    ("reliable", 8, 200, 1000, True),
    ("best_effort", 14, 1000, 1400, True),
    ("best_effort", 12, 1000, 64, True),
    ("best_effort", 13, 1000, 64, True),
    ("best_effort", 15, 1000, 64, True),
]


def scenario(period, periods):
    """The scenario document: one phase of `periods` periods."""
    flows = []
    for _, service, pps, size, burst in FLOWS:
        f = {"service": service, "rate": f"{pps}pps", "size": size}
        if burst:
            f.update(pattern="burst", burst=pps * period)
        else:
            f["pattern"] = "constant"
        flows.append(f)
    return {"name": "restart-bursts", "timeout": f"{int(TIMEOUT_S * 1000)}ms",
            "description": "peer_restart.py: a burst in every class each period, "
                           "a steady trickle of realtime and reliable requests",
            "phases": [{"name": "bursts", "duration": f"{period * periods}s",
                        "flows": flows}]}


class Failure(Exception):
    """A violation; the message says what."""


def intr_run_delay_ns(pid):
    """The run delay (ns waiting for a CPU) of process pid's EAL interrupt
    thread, which runs net_shm's heartbeat; None when it cannot be read."""
    total, found = 0, False
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if f.read().strip() != "eal-intr-thread":
                    continue
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[1])
                found = True
        except (OSError, ValueError, IndexError):
            continue
    return total if found else None


class StallWatch:
    """When a live peer's heartbeat could have missed the survivor's
    timeout: a side's heartbeat counter in the region stood still for
    HB_STILL_MS; a watcher thread pinned to each CPU woke STALL_MS late
    (the host stopped the vCPU, or other work held it); the heartbeat
    thread of a watched process waited STALL_MS for a CPU."""

    def __init__(self, region):
        self.region = region
        self.events = []
        self.pids = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.threads = [threading.Thread(target=self._cpu, args=(cpu,), daemon=True)
                        for cpu in sorted(os.sched_getaffinity(0))]
        self.threads.append(threading.Thread(target=self._intr, daemon=True))
        self.threads.append(threading.Thread(target=self._heartbeats, daemon=True))
        for t in self.threads:
            t.start()

    def _add(self, t, what, ms):
        with self._lock:
            self.events.append((t, what, ms))

    def _cpu(self, cpu):
        try:
            os.sched_setaffinity(0, {cpu})        # 0: this thread only
        except OSError:
            return
        while not self._stop.is_set():
            t0 = time.monotonic()
            time.sleep(WATCH_S)
            t1 = time.monotonic()
            if (t1 - t0 - WATCH_S) * 1e3 >= STALL_MS:
                self._add(t1, f"cpu{cpu}", (t1 - t0 - WATCH_S) * 1e3)

    def _intr(self):
        last = {}
        while not self._stop.is_set():
            for pid in list(self.pids):
                d = intr_run_delay_ns(pid)
                if d is None:
                    continue
                if pid in last and d - last[pid] >= STALL_MS * 1e6:
                    self._add(time.monotonic(), f"intr{pid}", (d - last[pid]) / 1e6)
                last[pid] = d
            time.sleep(WATCH_S)

    def _read_heartbeats(self):
        """{side: heartbeat} from the region, {} while it is not there."""
        try:
            fd = os.open(self.region, os.O_RDONLY)
        except OSError:
            return {}
        try:
            return {side: int.from_bytes(os.pread(fd, 8, off), "little")
                    for side, off in SIDE_HEARTBEAT.items()}
        except OSError:
            return {}
        finally:
            os.close(fd)

    def _heartbeats(self):
        """A side's counter read with the same value at t_a and t_b did not
        move in between: one stall of t_b - t_a when that is HB_STILL_MS."""
        seen = {}                       # side: (value, first read, last read)
        while not self._stop.is_set():
            now = time.monotonic()
            for side, v in self._read_heartbeats().items():
                old = seen.get(side)
                if old is not None and old[0] == v:
                    seen[side] = (v, old[1], now)
                    continue
                if old is not None and (old[2] - old[1]) * 1e3 >= HB_STILL_MS:
                    self._add(old[2], f"hb-{side}", (old[2] - old[1]) * 1e3)
                seen[side] = (v, now, now)
            time.sleep(HB_WATCH_S)

    def count(self, t0, t1, victim, t_kill):
        """Stalls measured between t0 and t1, not counting the victim side's
        heartbeat standing still from its kill at t_kill (seen from a read
        up to KILL_HB_S later: the watch may read it late) until its new
        process bumps it, DEAD_S later at the earliest: the events, each the
        span [end - ms, end] something could not run, in clusters of spans
        that overlap (one stall seen several ways); a cluster counts as many
        stalls as the most events one source had in it (a thread that got
        the CPU now and then was held up each time), and at least one per
        whole FLAP_MS of its span (a heartbeat thread that ran now and then
        while the watchers could not look can let the survivor's link come
        back and time out again that often). Returns (stalls, the events as
        text)."""
        with self._lock:
            ev = sorted((t - ms / 1e3, t, what) for t, what, ms in self.events
                        if t0 <= t <= t1 and not
                        (what == f"hb-{victim}" and t >= t_kill and
                         t - ms / 1e3 <= t_kill + KILL_HB_S))
        stalls, begin, end, per = 0, None, None, collections.Counter()

        def cluster():
            return max(max(per.values()), int((end - begin) * 1e3 // FLAP_MS))

        for start, stop, what in ev:
            if end is not None and start > end:
                stalls += cluster()
                per.clear()
                end = None
            per[what] += 1
            begin = start if end is None else begin
            end = stop if end is None else max(end, stop)
        seen = ", ".join(f"{what} {(stop - start) * 1e3:.0f} ms" for start, stop, what in ev)
        return stalls + (cluster() if per else 0), seen

    def close(self):
        self._stop.set()


class App:
    """One qosdt process: its Proc, its telemetry, the live tables it printed
    (arrival time, {class: (sent, received, lost, dropped)}), when its
    marker lines came, and how many other lines it printed."""

    def __init__(self, role, cmd, cwd, log_path, prefix, tel_timeout=5.0):
        self.role, self.prefix = role, prefix
        self.tel_timeout = tel_timeout
        self.tables = []
        self.resends = []              # (time, unanswered, sent again)
        self.other_lines = 0
        self.running_at = None         # client: "client running" line
        self.ready_at = None           # server: "server ready" line
        self._table = None
        self._lock = threading.Lock()
        self.tel = None
        self.spawned_at = time.monotonic()
        self.proc = Proc(role, cmd, cwd, log_path, on_line=self._line)

    def _line(self, line):
        now = time.monotonic()
        words = line.split()
        if line.startswith(("-- ", "== ")) and "sent" in words:
            self._table = {}
            return
        if self._table is not None and words and words[0] in CLASSES:
            try:
                sent, received = int(words[1]), int(words[2])
                lost, dropped = int(words[6]), int(words[7])
            except (IndexError, ValueError):
                self._table = None
                self.other_lines += 1
                return
            self._table[words[0]] = (sent, received, lost, dropped)
            if len(self._table) == len(CLASSES):
                with self._lock:
                    self.tables.append((now, self._table))
                self._table = None
            return
        self._table = None
        if LINK_LINE.search(line):
            return
        m = RESEND_LINE.search(line)
        if m:
            with self._lock:
                self.resends.append((now, int(m.group(1)), int(m.group(2))))
            return
        if "client running scenario" in line:
            self.running_at = now
        elif READY_LINE in line:
            self.ready_at = now
        self.other_lines += 1

    def tables_between(self, t0, t1):
        with self._lock:
            return [(t, tab) for t, tab in self.tables if t0 <= t <= t1]

    def resends_since(self, t0):
        """(lossless requests unanswered, sent again) over the link-back
        lines since t0."""
        with self._lock:
            got = [(u, r) for t, u, r in self.resends if t >= t0]
        return sum(u for u, _ in got), sum(r for _, r in got)

    def query(self, cmd):
        """A telemetry reply; reconnects once when the socket went away."""
        for attempt in (0, 1):
            try:
                if self.tel is None:
                    self.tel = Telemetry(self.prefix, self.tel_timeout)
                return self.tel.query(cmd)
            except (OSError, ValueError):
                if self.tel is not None:
                    self.tel.close()
                    self.tel = None
                if attempt:
                    raise
        return None

    def pools(self):
        """{mempool name: objects in use}."""
        return {name: p["in_use"] for name, p in self.query("/qosdt/mempools").items()}

    def link_downs(self):
        """The port's xstat link_down_events."""
        return self.query("/ethdev/xstats,0")["link_down_events"]

    def link_up(self):
        return self.query("/ethdev/link_status,0").get("status") == "UP"

    def wait_link(self, up, timeout):
        """(when a reply first showed the link in state up, when the last
        query still answered the other state was sent), or None at timeout.
        The change happened between the two: a host that delays this
        script widens the interval, it never moves its start."""
        end = time.monotonic() + timeout
        last_other = None
        while time.monotonic() < end:
            if not self.proc.alive():
                raise Failure(f"the {self.role} died (exit code "
                              f"{self.proc.proc.returncode})")
            sent = time.monotonic()
            if self.link_up() == up:
                return time.monotonic(), last_other
            last_other = sent
            time.sleep(POLL_S)
        return None

    def kill(self):
        self.proc.proc.kill()          # SIGKILL, as kill -9
        t = time.monotonic()
        self.proc.proc.wait()
        self.close()
        return t

    def close(self):
        if self.tel is not None:
            self.tel.close()
            self.tel = None
        self.proc.close()


def stop_and_clean(apps, files, prefixes, tmp, keep_logs):
    """Stop @apps (the last started first), remove @files (the region, the
    dedup store) and the EAL files, and the logs in @tmp unless
    @keep_logs."""
    for app in reversed(apps):
        if app.proc.alive():
            app.proc.stop(1.0)
        app.close()
    cleanup(files, prefixes)
    if keep_logs:
        print(f"logs kept in {tmp}", flush=True)
    else:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)


def sleep_until(t):
    d = t - time.monotonic()
    if d > 0:
        time.sleep(d)


def min_pools(apps, t_end):
    """Per app, per mempool, the lowest in-use count sampled until t_end."""
    low = [{} for _ in apps]
    while True:
        for app, lo in zip(apps, low):
            for name, n in app.pools().items():
                lo[name] = min(n, lo.get(name, n))
        if time.monotonic() + SAMPLE_S > t_end:
            return low
        time.sleep(SAMPLE_S)


def gaps(tables):
    """Per class, the lowest sent - (received + lost + dropped) in tables."""
    low = {}
    for _, tab in tables:
        for cls, (s, r, l, d) in tab.items():
            low[cls] = min(s - r - l - d, low.get(cls, s))
    return low


def fmt_pools(p):
    return " ".join(f"{k}={v}" for k, v in sorted(p.items()))


class Test:
    def __init__(self, args):
        self.args = args
        self.binary = os.path.join(args.build_root, "app", "qosdt")
        self.tmp = tempfile.mkdtemp(prefix="qosdt-peer-restart-")
        self.tag = f"qosdt-pr-{os.getpid()}"
        self.region = f"/dev/shm/{self.tag}"
        self.dedup_file = f"/dev/shm/{self.tag}.dedup"
        self.prefixes = []
        self.apps = []
        self.passed = self.failed = 0
        self.seq = collections.Counter()
        self.period = args.period
        self.down_ms, self.up_ms, self.leaked = [], [], 0
        self.down_still, self.up_still = [], []
        self.flaps = 0
        self.stalls = 0            # stalls StallWatch measured during the restarts
        self.watch = StallWatch(self.region)
        self.resent = 0            # reliable requests sent again (link-back lines)
        self.idle_kills = 0        # burst kills that found nothing in flight
        self.rechecks = 0          # quiet parts looked at again
        self.dedup = None          # the store's counts, at the end
        self.scenario_path = os.path.join(self.tmp, "restart-bursts.json")
        periods = 2 * (args.restarts + 3 * args.client_restarts) + 20
        with open(self.scenario_path, "w", encoding="utf-8") as f:
            json.dump(scenario(self.period, periods), f, indent=1)

    def case(self, ok, line):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {line}", flush=True)

    def start(self, role, extra):
        self.seq[role] += 1
        n = self.seq[role]
        prefix = f"{self.tag}-{role}{n}"
        self.prefixes.append(prefix)
        core = SERVER_CORE if role == "server" else CLIENT_CORE
        vdev = f"net_shm0,path={self.region},role={role}"
        # net_shm logs its link changes at INFO: the survivor's log shows one
        # line each way per restart, and would show an error loop
        cmd = ([self.binary]
               + eal_args(core, prefix, vdev, hugepages_ok(MEM_MB))
               + ["--log-level=pmd.net.shm:info", "--", "--role", role, "--config", CONFIG]
               + extra)
        app = App(role, cmd, self.args.source_root,
                  os.path.join(self.tmp, f"{role}{n}.log"), prefix)
        self.apps.append(app)
        self.watch.pids.add(app.proc.proc.pid)
        return app

    def start_server(self):
        """A server on the shared dedup file; its results (written only at
        a clean exit) in server-N.json."""
        results = os.path.join(self.tmp, f"server-{self.seq['server'] + 1}.json")
        srv = self.start("server", ["--stats-period", "0", "--dedup-file", self.dedup_file,
                                    "--results", results])
        srv.results = results
        if not srv.proc.ready.wait(READY_TIMEOUT):
            raise Failure(f"server {srv.prefix} not ready within "
                          f"{READY_TIMEOUT:g} s")
        return srv

    def start_client(self, results):
        cli = self.start("client", ["--scenario", self.scenario_path,
                                    "--stats-period", STATS_PERIOD, "--link-wait", "10",
                                    "--results", results])
        end = time.monotonic() + LINK_UP_TIMEOUT_S + 5
        while cli.running_at is None:
            if not cli.proc.alive() or time.monotonic() > end:
                raise Failure(f"client {cli.prefix} did not start its scenario")
            time.sleep(0.01)
        return cli

    def burst_at(self, cli, k):
        return cli.running_at + k * self.period

    def quiet(self, cli, k, since):
        """(start, end) of period k's quiet part, starting no earlier than
        since; None if too short."""
        t0 = max(self.burst_at(cli, k) + QUIET_FROM_S, since)
        t1 = self.burst_at(cli, k + 1) - QUIET_GUARD_S
        return (t0, t1) if t1 - t0 >= QUIET_MIN_S else None

    def kill_under_load(self, victim, survivor, cli, in_burst):
        """SIGKILL victim in cli's next period: KILL_IN_BURST_S after its
        burst (tried again in the next period, up to KILL_TRIES, when the
        two sides had nothing in flight: the host woke us late), or
        KILL_IN_TRICKLE_S after it. Returns (kill time, mbufs in use in
        the two processes just before, period)."""
        offset = KILL_IN_BURST_S if in_burst else KILL_IN_TRICKLE_S
        k = 0
        for attempt in range(1, KILL_TRIES + 1):
            while self.burst_at(cli, k) + offset < time.monotonic() + 0.05:
                k += 1
            sleep_until(self.burst_at(cli, k) + offset)
            in_use = sum(survivor.pools().values()) + sum(victim.pools().values())
            if in_use > 0 or not in_burst or attempt == KILL_TRIES:
                break     # after KILL_TRIES the host is stalling us: kill anyway
            k += 1
        if in_burst and in_use == 0:
            self.idle_kills += 1    # (the client kills: the server's are counted apart)
        return victim.kill(), in_use, k

    def kill_holding_reliable(self, srv, cli):
        """SIGKILL the server in one of cli's next bursts as soon as its
        reliable pool holds requests (tried in up to KILL_TRIES periods,
        then done anyway and counted). Returns (kill time, the server's
        mbufs in use just before, its reliable ones, period)."""
        lead, tail = RELIABLE_WATCH_S
        k = 0
        for _ in range(KILL_TRIES):
            while self.burst_at(cli, k) - lead < time.monotonic() + 0.05:
                k += 1
            sleep_until(self.burst_at(cli, k) - lead)
            end = self.burst_at(cli, k) + tail
            while time.monotonic() < end:
                pools = srv.pools()
                if pools.get(RELIABLE_POOL, 0) > 0:
                    return srv.kill(), sum(pools.values()), pools[RELIABLE_POOL], k
            k += 1
        self.idle_kills += 1
        pools = srv.pools()
        return srv.kill(), sum(pools.values()), pools.get(RELIABLE_POOL, 0), k

    def quiet_state(self, apps, cli, k, since):
        """Sample the apps' pools (and cli's tables) in the first quiet part,
        from cli's period k on, that starts after since: (lowest in-use
        count per app and pool, gaps, the period)."""
        while True:
            w = self.quiet(cli, k, since)
            if w is not None:
                break
            k += 1
        sleep_until(w[0])
        pools = min_pools(apps, w[1])
        return pools, gaps(cli.tables_between(*w)), k

    # ---------------------------------------------------------- the server dies

    def baseline(self, srv, cli):
        (pools, srv_pools), gap, k = self.quiet_state([cli, srv], cli, 0, 0)
        ok = all(v == 0 for v in gap.values()) and len(gap) == len(CLASSES)
        self.case(ok, f"baseline (period {k}): client pools {fmt_pools(pools)}; "
                      f"server pools {fmt_pools(srv_pools)}; accounting gaps {gap}")
        return pools, srv_pools

    def link_change(self, app, up, since, what, probs):
        """Wait until app's link is up (or down); returns (time seen, ms
        from since to then). A problem is added when a query sent more
        than the bound after since still answered the old state: the
        only sure violation (a late reply to us may just be our delay)."""
        bound = LINK_UP_BOUND_MS if up else LINK_DOWN_BOUND_MS
        got = app.wait_link(up, LINK_UP_TIMEOUT_S if up else 5)
        state = "up" if up else "down"
        if got is None:
            raise Failure(f"the {app.role}'s link not {state} "
                          f"{LINK_UP_TIMEOUT_S if up else 5} s after {what}")
        seen, last_other = got
        still = (last_other - since) * 1e3 if last_other is not None else 0.0
        (self.up_still if up else self.down_still).append(still)
        if still > bound:
            probs.append(f"link still {'down' if up else 'up'} {still:.0f} ms after "
                         f"{what} (bound {bound} ms)")
        ms = (seen - since) * 1e3
        (self.up_ms if up else self.down_ms).append(ms)
        text = f"{ms:.0f} ms"
        if ms > bound >= still:
            text += f" (but still {'down' if up else 'up'} at {still:.0f} ms: we were late)"
        return seen, text

    def settled(self, app, cli, k, since, base):
        """app's pools and cli's accounting gaps in the first quiet part from
        period k on after since; looked at again in up to RECHECK_PERIODS
        later quiet parts while off (a host stall can delay a burst into a
        quiet part; a leaked mbuf or a lost request stays). Returns (pools,
        gaps, {pool: in use above baseline})."""
        for again in range(RECHECK_PERIODS + 1):
            (pools,), gap, k = self.quiet_state([app], cli, k, since)
            leaked = {n: v - base.get(n, 0) for n, v in pools.items()
                      if v != base.get(n, 0)}
            if not leaked and all(v == 0 for v in gap.values()):
                break
            self.rechecks += again < RECHECK_PERIODS
            k += 1
        return pools, gap, leaked

    def survivor_sane(self, app, t0, t_kill, lines0, downs0, probs):
        """The survivor's log and link since a restart began (at t0, with
        lines0, downs0: its other_lines and link_down_events then; the peer
        killed at t_kill); returns what to print."""
        victim = "client" if app.role == "server" else "server"
        extra = app.other_lines - lines0
        if extra > OTHER_LINES_PER_RESTART:
            probs.append(f"the {app.role} printed {extra} lines besides its tables "
                         "and link changes")
        flaps = app.link_downs() - downs0 - 1
        stalls, seen = self.watch.count(t0, time.monotonic(), victim, t_kill)
        self.flaps += flaps
        self.stalls += stalls
        if flaps > stalls:
            probs.append(f"the {app.role}'s link went down {flaps} more times than the "
                         f"kill explains, and only {stalls} stalls were measured "
                         f"meanwhile ({seen or 'none'})")
        return (f"; {flaps} spurious link flaps, {stalls} stalls measured ({seen})"
                if flaps else "")

    def restart_server(self, i, srv, cli, base):
        """One server restart; returns the new server."""
        probs = []
        in_burst = i % 2 == 1
        t0, lines0, downs0 = time.monotonic(), cli.other_lines, cli.link_downs()
        if in_burst:
            t_kill, at_kill, rel_at_kill, k = self.kill_holding_reliable(srv, cli)
            at_kill = f"{at_kill} in the server ({rel_at_kill} reliable)"
        else:
            t_kill, at_kill, k = self.kill_under_load(srv, cli, cli, False)
        t_down, down_ms = self.link_change(cli, False, t_kill, "the kill", probs)
        sleep_until(t_down + DEAD_S)
        srv = self.start_server()
        t_up, up_ms = self.link_change(cli, True, srv.ready_at, "'server ready'", probs)
        pools, gap, leaked = self.settled(cli, cli, k, t_up + SETTLE_S, base)
        if leaked:
            self.leaked += sum(max(0, v) for v in leaked.values())
            probs.append(f"pools not back at baseline: {leaked}")
        bad_gap = {c: v for c, v in gap.items() if v != 0}
        if bad_gap or len(gap) < len(CLASSES):
            probs.append(f"requests in no counter (sent - received - lost - dropped, "
                         f"lowest in the quiet part): {gap}")
        gone = self.reliable_gone(cli, t_kill)
        if gone != 0:
            probs.append(f"reliable: {gone} requests lost or dropped across the restart")
        unanswered, resent = cli.resends_since(t_kill)
        self.resent += resent
        if not cli.proc.alive():
            raise Failure(f"restart {i}: the client died")
        flaps = self.survivor_sane(cli, t0, t_kill, lines0, downs0, probs)
        self.case(not probs,
                  f"restart {i} ({'in a burst' if in_burst else 'in the trickle'}): "
                  f"link down {down_ms} after the kill, up "
                  f"{(t_up - srv.spawned_at) * 1e3:.0f} ms after the restart "
                  f"({up_ms} after 'server ready'); in use at kill "
                  f"{at_kill}, quiet {fmt_pools(pools)}; reliable "
                  f"unanswered at link-back {unanswered}, sent again {resent}, "
                  f"lost+dropped {gone}"
                  + flaps + ("; " + "; ".join(probs) if probs else ""))
        return srv

    def reliable_gone(self, cli, t_kill):
        """The reliable lost + dropped from the last live table before the
        kill to the latest one."""
        tabs = cli.tables_between(0, time.monotonic())
        before = [tab for t, tab in tabs if t < t_kill]
        after_kill = [tab for t, tab in tabs if t >= t_kill]
        if not before or not after_kill:
            raise Failure("no live table around the kill")
        b, a = before[-1]["reliable"], after_kill[-1]["reliable"]
        return (a[2] + a[3]) - (b[2] + b[3])

    def check_results(self, path, what):
        doc, shape, cons = load_results(path, "client")
        probs = shape + cons
        if doc:
            for cls in CLASSES:
                if doc["classes"][cls]["bad_replies"]:
                    probs.append(f"{cls}: {doc['classes'][cls]['bad_replies']} bad replies")
            if doc.get("unmatched_replies"):
                probs.append(f"{doc['unmatched_replies']} unmatched replies")
            if what == "server restarts" and doc.get("stale_replies"):
                probs.append(f"{doc['stale_replies']} replies to another client "
                             "(there was only one)")
            c = doc["classes"]
            rel = c["reliable"]
            if what == "server restarts" and (rel["lost"] + rel["dropped"]
                                              != rel["unresolved_at_stop"]):
                probs.append(f"reliable lost {rel['lost']}, dropped {rel['dropped']}, of "
                             f"which {rel['unresolved_at_stop']} were in flight at the "
                             "stop: the goal is none while running")
            summary = "; ".join(
                f"{n} sent {c[n]['sent']} = received {c[n]['received']} + dropped "
                f"{c[n]['dropped']} + lost {c[n]['lost']} + bad {c[n]['bad_replies']} "
                f"(late {c[n]['late']}, deferred {c[n]['deferred']}, resent "
                f"{c[n].get('resent')}, duplicate replies {c[n].get('duplicate_replies')}, "
                f"in flight at the stop {c[n].get('unresolved_at_stop')})"
                for n in CLASSES)
            summary += (f"; unmatched replies {doc.get('unmatched_replies', 0)}, stale "
                        f"replies {doc.get('stale_replies')}, link downs "
                        f"{doc.get('link_downs')}")
        else:
            summary = "no results"
        self.case(not probs, f"client results after the {what}: {summary}"
                  + ("; " + "; ".join(probs) if probs else ""))
        return doc

    def stop(self, app, what):
        killed = app.proc.stop(STOP_GRACE)
        app.close()
        rc = app.proc.proc.returncode
        if killed or rc != 0:
            raise Failure(f"{what} {app.prefix}: " + ("did not exit within "
                          f"{STOP_GRACE:g} s of SIGINT" if killed else f"exit code {rc}"))

    # ---------------------------------------------------------- the client dies

    def restart_client(self, j, srv, cli, srv_base):
        probs = []
        t0, lines0, downs0 = time.monotonic(), srv.other_lines, srv.link_downs()
        t_kill, at_kill, _ = self.kill_under_load(cli, srv, cli, True)
        t_down, down_ms = self.link_change(srv, False, t_kill, "the kill", probs)
        sleep_until(t_down + DEAD_S)
        cli = self.start_client(os.path.join(self.tmp, f"results-client{j + 2}.json"))
        pools, _, leaked = self.settled(srv, cli, 0, cli.running_at + SETTLE_S, srv_base)
        if leaked:
            self.leaked += sum(max(0, v) for v in leaked.values())
            probs.append(f"server pools not back at baseline: {leaked}")
        if not srv.proc.alive():
            raise Failure(f"client restart {j}: the server died")
        flaps = self.survivor_sane(srv, t0, t_kill, lines0, downs0, probs)
        self.case(not probs,
                  f"client restart {j}: server's link down {down_ms} after the kill; "
                  f"in use at kill {at_kill}, server's quiet {fmt_pools(pools)}"
                  + flaps + ("; " + "; ".join(probs) if probs else ""))
        return cli

    # --------------------------------------------------------------------- run

    def run(self):
        a = self.args
        srv = self.start_server()
        cli = self.start_client(os.path.join(self.tmp, "results-client1.json"))
        if cli.wait_link(True, LINK_UP_TIMEOUT_S) is None:
            raise Failure("the client's link never came up")
        base, srv_base = self.baseline(srv, cli)
        for i in range(1, a.restarts + 1):
            srv = self.restart_server(i, srv, cli, base)
        self.stop(cli, "client")
        doc = self.check_results(os.path.join(self.tmp, "results-client1.json"),
                                 "server restarts")
        if doc:
            self.check_served_once(doc)
        if a.client_restarts:
            cli = self.start_client(os.path.join(self.tmp, "results-client2.json"))
            last = 2
            for j in range(1, a.client_restarts + 1):
                cli = self.restart_client(j, srv, cli, srv_base)
                last = j + 2
            self.stop(cli, "client")
            self.check_results(os.path.join(self.tmp, f"results-client{last}.json"),
                               "client restarts")
        self.stop(srv, "server")
        self.check_dedup(srv)

    def read_store(self):
        """The dedup store's header: {lives, served, replayed, ...}."""
        with open(self.dedup_file, "rb") as f:
            raw = f.read(DEDUP_HDR.size)
        v = DEDUP_HDR.unpack(raw)
        if v[0] != DEDUP_MAGIC:
            raise Failure(f"{self.dedup_file}: no dedup store (magic {v[0]:#x})")
        return dict(zip(("lives", "served", "replayed", "duplicates_served", "conflicts",
                         "unstored", "evicted", "replayed_earlier", "redone"),
                        (v[5],) + v[8:]))

    def check_served_once(self, doc):
        """Every reliable request the first client issued was served exactly
        once over all the server lives: the store's count of services run to
        their end (read from its file; the first client is the only one so
        far) is the client's reliable sent, less at most those still in
        flight when it was stopped (maybe not served yet)."""
        st = self.read_store()
        rel = doc["classes"]["reliable"]
        lo, hi = rel["sent"] - rel["unresolved_at_stop"], rel["sent"]
        ok = lo <= st["served"] <= hi
        self.case(ok, f"reliable served once: the client issued {rel['sent']} "
                      f"({rel['unresolved_at_stop']} in flight at its stop), the servers "
                      f"finished {st['served']} services for them over {st['lives']} lives, "
                      f"answered {st['replayed']} duplicates from the table "
                      f"({st['replayed_earlier']} with a reply a killed server had kept), "
                      f"finished {st['redone']} a killed server had begun"
                      + ("" if ok else f"; expected between {lo} and {hi}: a request "
                         "served twice, or one never served"))

    def check_dedup(self, srv):
        """The last server's results: the dedup store's counts over every
        server that used the file."""
        probs = []
        try:
            with open(srv.results, encoding="utf-8") as f:
                d = json.load(f).get("dedup")
        except (OSError, ValueError) as e:
            raise Failure(f"server results {srv.results}: {e}")
        if not isinstance(d, dict) or not d.get("enabled"):
            raise Failure(f"server results {srv.results}: no dedup table: {d!r}")
        st = d["store"]
        servers = self.seq["server"]
        if d["lives"] != servers:
            probs.append(f"the store saw {d['lives']} lives, {servers} servers were started")
        if st["duplicates_served"]:
            probs.append(f"{st['duplicates_served']} requests served again (duplicates served)")
        if st["unstored"] or st["conflicts"]:
            probs.append(f"unstored {st['unstored']}, conflicts {st['conflicts']}")
        self.dedup = st
        self.case(not probs,
                  f"dedup store over {d['lives']} server lives: {st['served']} reliable requests "
                  f"served, {st['replayed']} duplicates answered from the table "
                  f"({st['replayed_earlier']} kept by an earlier server), {st['redone']} "
                  f"begun by a killed server finished, duplicates "
                  f"served {st['duplicates_served']}, evicted {st['evicted']}; last server: "
                  f"deepest replay {d['deepest_replay']} of {d['entries']} entries"
                  + ("; " + "; ".join(probs) if probs else ""))

    def summary(self):
        def stat(v, still, bound):
            if not v:
                return "none"
            return (f"seen after mean {sum(v) / len(v):.0f} / max {max(v):.0f} ms, "
                    f"old state last seen at most {max(still):.0f} ms after (bound {bound} ms)")
        print(f"peer_restart: {self.args.restarts} server restarts, "
              f"{self.args.client_restarts} client restarts; link down "
              f"{stat(self.down_ms, self.down_still, LINK_DOWN_BOUND_MS)} the kill; "
              f"link up {stat(self.up_ms, self.up_still, LINK_UP_BOUND_MS)} 'server ready'; "
              f"leaked mbufs {self.leaked}; spurious link flaps {self.flaps} (stalls "
              f"measured {self.stalls}); quiet parts "
              f"looked at again {self.rechecks}; burst kills with nothing in flight "
              f"{self.idle_kills}; reliable sent again {self.resent}; dedup "
              + (f"replayed {self.dedup['replayed']} ({self.dedup['replayed_earlier']} "
                 f"across a server's death), duplicates served "
                 f"{self.dedup['duplicates_served']}; " if self.dedup else "none; ")
              + 
              f"{'FAILED' if self.failed else 'OK'}", flush=True)
        print(f"qosdt-test summary: name={NAME} passed={self.passed} failed={self.failed} "
              f"skipped=0", flush=True)

    def teardown(self):
        self.watch.close()
        stop_and_clean(self.apps, [self.region, self.dedup_file], self.prefixes, self.tmp,
                       self.failed or self.args.keep_logs)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("build_root")
    p.add_argument("source_root")
    p.add_argument("--restarts", type=int, default=100, help="server kills (default 100)")
    p.add_argument("--client-restarts", type=int, default=1,
                   help="client kills after them (default 1)")
    p.add_argument("--period", type=int, default=3, choices=(3, 4),
                   help="seconds per restart: a burst, then quiet (default 3)")
    p.add_argument("--keep-logs", action="store_true")
    a = p.parse_args()
    if a.restarts < 1 or a.client_restarts < 0:
        p.error("--restarts >= 1 and --client-restarts >= 0")
    a.build_root = os.path.abspath(a.build_root)
    a.source_root = os.path.abspath(a.source_root)
    return a


def main():
    t = Test(parse_args())
    if not os.access(t.binary, os.X_OK):
        print(f"SKIP {NAME}: {t.binary} not found (build qosdt first)")
        return 77
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))   # meson's timeout
    try:
        t.run()
    except Failure as e:
        t.case(False, str(e))
    except (OSError, ValueError) as e:     # telemetry gone or garbled
        t.case(False, f"telemetry: {type(e).__name__}: {e}")
    finally:
        t.teardown()
    t.summary()
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
