#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""net_shm against a hostile peer, across processes.

Usage: hostile_peer.py BUILD_ROOT [--seconds S] [--behave S] [--seed N]
                       [--modes indexes,descs,flip,header,random,all]
                       [--our-role server|client]

Our side is stock dpdk-testpmd with net_shm (role=server by default, 4
queues, 4 KiB slots so that frames span two mbufs) forwarding every queue
back to itself (io, loop topology): RX, TX, chained mbufs and the link
supervision all run. With --our-role client, a testpmd server formats the
region and leaves, and our side attaches to it as the client.
When BUILD_ROOT is a sanitizer build (make SANITIZE=1), the driver testpmd
loads is the ASan+UBSan one, with the sanitizer runtimes preloaded, and so
is the hostile peer.

The peer is build/test/qosdt-hostile-peer (test/hostile_peer/), attached
as the other role. For each mode it attacks for S seconds, then behaves (echoes
frames) for a while. Our side's counters are read over DPDK telemetry
(/ethdev/xstats) when the attack starts, when it ends and after the peer
left. Each mode passes when testpmd is still running and:

- indexes: every producer index jump counted in rx_bad_index and every
  consumer index jump in tx_bad_index, no bad descriptor, every good frame
  received (ipackets + imissed);
- descs: every bad descriptor counted in rx_bad_descriptors, every good
  frame (in or outside its own slot) received, no index event;
- flip: on each queue whose descriptors flipped, every entry published was
  received or counted bad (the value read once decides), and every
  descriptor our side wrote while its consumer index flipped was valid;
- header: every garbled header counted once in region_header_errors, every
  generation change in peer_restarts, the link went down at least once per
  episode that must take it down, and frames flowed meanwhile, unaltered;
- random, all: each counter within what the peer did: every producer
  index jump it settled with counted in rx_bad_index; in random mode
  (where the peer's random stores are the only writes to the indexes our
  side reads) rx_bad_index at most the stores to a producer index, and
  tx_bad_index at most the stores to a consumer index; region_header_errors
  (once per time the header goes bad) at most the times it was right again
  plus one; then, the attack over, the peer garbles the header from a right
  state until seen (after random stores our side must still notice): one
  header error exactly, and the link down;
- every mode: afterwards, with the peer behaving, frames of the peer's come
  back unaltered on every queue, no bad descriptor either way.

Then a real peer (testpmd in the other role, io --tx-first) attaches: both links
come up and frames flow both ways. Last, testpmd exits cleanly on SIGINT
and nothing in its output or the peer's is a sanitizer report. Prints
PASS/FAIL/SKIP per case and the summary line of buildtools/test-summary.py.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
from qosdt.eal import cleanup
from qosdt.pmd_path import loadable_pmd
from qosdt.process import Proc
from qosdt.telemetry import Telemetry
from testpmd_shm import port_stats, sanitizer_env
from qosdt.cases import Cases, Skip

NAME = "hostile_peer"
MODES = ["indexes", "descs", "flip", "header", "random", "all"]
EAL = ["--no-huge", "-m", "512", "--no-pci", "--log-level=lib.eal:error"]
TESTPMD = ["--forward-mode=io", "--port-topology=loop", "--rxq=4", "--txq=4",
           "--total-num-mbufs=16384", "--stats-period", "1"]
SANITIZER_REPORT = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                              r"runtime error:|UndefinedBehaviorSanitizer")
STARTUP_S = 30      # testpmd up and its telemetry socket there
PHASE_SLACK_S = 30  # beyond the planned seconds, before a phase is given up
REAL_PEER_S = 3


class Fail(Exception):
    """A check that did not hold; the message says which and why."""


def sanitized_env(so):
    """The environment for a process of this build: the sanitizer runtimes
    for testpmd (sanitizer_env), and undefined behaviour made fatal as
    `make SANITIZE=1` does."""
    env = sanitizer_env(so)
    if "LD_PRELOAD" in env and "UBSAN_OPTIONS" not in env:
        supp = os.path.join(HERE, "..", "buildtools", "ubsan.supp")
        env["UBSAN_OPTIONS"] = f"halt_on_error=1:print_stacktrace=1:suppressions={supp}"
    return env


def delta(a, b):
    return {k: b[k] - a.get(k, 0) for k in b}


class Testpmd(Proc):
    """One testpmd process on the region (a qosdt.process.Proc); its output
    goes to a file too; its telemetry connected once it is up."""

    def __init__(self, testpmd, so, path, role, prefix, fwd_core, logdir, extra=()):
        self.prefix = prefix
        cmd = [testpmd, "-l", "0,1", "--main-lcore", str(1 - fwd_core)] + EAL + \
            ["--file-prefix=" + prefix, "-d", so, "--vdev",
             f"net_shm0,path={path},role={role},buf_size=4096",
             "--"] + TESTPMD + list(extra)
        super().__init__(f"testpmd {prefix}", cmd, log_path=os.path.join(logdir, prefix + ".log"),
                         env=sanitized_env(so), keep_all=True)
        try:
            self.tel = Telemetry(prefix, wait=STARTUP_S)
        except OSError:
            super().stop(0)
            self.close()
            raise

    def stop(self, grace=20):
        """SIGINT as a user would; the exit status (None if it hung)."""
        self.tel.close()
        killed = super().stop(grace)
        self.close()
        return None if killed else self.proc.returncode

    def tail(self, n=30):
        return "\n".join(self.output().splitlines()[-n:])


class Peer:
    """qosdt-hostile-peer --sync: one line per phase, stdin lines go on."""

    def __init__(self, binary, path, side, mode, seconds, behave, seed, env):
        self.proc = subprocess.Popen(
            [binary, "--path", path, "--side", side, "--mode", mode,
             "--duration", str(seconds),
             "--behave", str(behave), "--seed", str(seed), "--sync"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env)
        self.lines = []
        limit = seconds + behave + PHASE_SLACK_S
        self.watchdog = threading.Timer(limit, self.proc.kill)
        self.watchdog.start()

    def expect(self, word):
        """The rest of the next line that starts with word."""
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith(word):
                return line[len(word):].strip()
        raise Fail(f"the peer ended before '{word}' (exit {self.proc.wait()}): "
                   f"{self.errors()}")

    def go(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def finish(self):
        out, err = self.proc.communicate()
        self.watchdog.cancel()
        self.lines += out.splitlines()
        self.stderr = err
        return self.proc.returncode

    def errors(self):
        return (self.proc.stderr.read() if self.proc.stderr else "").strip()


def check(cond, what):
    if not cond:
        raise Fail(what)


def check_equal(name, got, want):
    check(got == want, f"{name}: our side counted {got}, the peer made {want}")


def check_mode(mode, peer, d):
    """The per-mode checks of the docstring; peer: the 'attacked' JSON,
    d: our side's xstats delta over the attack."""
    rx_done = d["rx_good_packets"] + d["rx_missed_errors"]
    check(peer["rx_jumps_unseen"] == 0 and peer["tx_jumps_unseen"] == 0,
          f"index jumps our side never resynchronised on: {peer['rx_jumps_unseen']} "
          f"producer, {peer['tx_jumps_unseen']} consumer")
    if mode in ("indexes", "descs"):
        check_equal("rx_bad_index", d["rx_bad_index"], peer["rx_jumps"])
        check_equal("tx_bad_index", d["tx_bad_index"], peer["tx_jumps"])
        check_equal("rx_bad_descriptors", d["rx_bad_descriptors"], peer["bad_descs"])
        check_equal("frames received (ipackets + imissed)", rx_done, peer["good_frames"])
    if mode == "descs":
        check(peer["bad_descs"] > 0 and peer["misplaced_frames"] > 0,
              "the peer sent no bad or no misplaced descriptor")
    if mode == "indexes":
        check(peer["rx_jumps"] > 0 and peer["tx_jumps"] > 0,
              "the peer made no producer or no consumer index jump")
    if mode == "flip":
        for q, published in enumerate(peer["published"]):
            if q == 0:
                continue        # its producer index flipped, not its descriptors
            seen = d[f"rx_q{q}_packets"] + d[f"rx_q{q}_errors"]
            check(abs(seen - published) <= d["rx_missed_errors"],
                  f"queue {q}: {published} entries published, our side received "
                  f"or refused {seen} (imissed {d['rx_missed_errors']})")
        check(peer["their_bad_descs"] == 0,
              f"our side wrote {peer['their_bad_descs']} invalid descriptors")
    if mode == "header":
        check_equal("region_header_errors", d["region_header_errors"],
                    peer["header_episodes"])
        check_equal("peer_restarts", d["peer_restarts"], peer["gen_changes"])
        check(d["link_down_events"] >= peer["down_episodes"],
              f"link_down_events {d['link_down_events']} < {peer['down_episodes']} "
              "episodes that take the link down")
        check(peer["traffic_round_trips"] > 0 and peer["traffic_corrupted"] == 0,
              f"frames during the attack: {peer['traffic_round_trips']} back intact, "
              f"{peer['traffic_corrupted']} altered")
    if mode in ("random", "all"):
        check(d["rx_bad_index"] >= peer["rx_jumps"],
              f"rx_bad_index {d['rx_bad_index']}: fewer than the {peer['rx_jumps']} "
              "producer index jumps the peer settled with (each seen consumed)")
        if mode == "random":
            check(d["rx_bad_index"] <= peer["prod_index_stores"],
                  f"rx_bad_index {d['rx_bad_index']}: more than the "
                  f"{peer['prod_index_stores']} stores to a producer index")
            check(d["tx_bad_index"] <= peer["cons_index_stores"],
                  f"tx_bad_index {d['tx_bad_index']}: more than the "
                  f"{peer['cons_index_stores']} stores to a consumer index")
        check(d["region_header_errors"] <= peer["header_fixes"] + 1,
              f"region_header_errors {d['region_header_errors']}: more than the "
              f"{peer['header_fixes']} times the header was right again, plus one")
    check(peer["ok"], "the peer's settling after the attack timed out")


def check_witnessed(w, d):
    """After random stores, the header garbled once until seen: d, our
    side's xstats delta over that, counts it exactly once, and the link
    went down (at least: a host stall can add a flap, never take one)."""
    check(w["ok"], "the peer's header episode after the attack timed out")
    check_equal("region_header_errors (header garbled after the attack)",
                d["region_header_errors"], w["header_episodes"])
    check(d["link_down_events"] >= w["down_episodes"],
          f"link_down_events (header garbled after the attack): our side counted "
          f"{d['link_down_events']}, the peer made {w['down_episodes']} episodes "
          "that take the link down")


def check_behaved(b, d):
    """The peer behaved: its frames came back on every queue, unaltered;
    d: our side's xstats delta over that phase."""
    check(all(n > 0 for n in b["round_trips"]),
          f"no frame came back on some queue: round trips {b['round_trips']}")
    check(b["corrupted"] == 0 and b["their_bad_descs"] == 0,
          f"{b['corrupted']} frames altered, {b['their_bad_descs']} bad descriptors "
          "from our side")
    check(d["rx_bad_descriptors"] == 0,
          f"our side counted {d['rx_bad_descriptors']} bad descriptors from a "
          "behaving peer")
    check(d["rx_good_packets"] > 0 and d["tx_good_packets"] > 0,
          "no frame flowed while the peer behaved")


class Run(Cases):
    """The cases, run in order against one testpmd of ours; a case raises
    Fail (or the errors of reading our side), unlike Cases' own cases."""

    def __init__(self, args):
        super().__init__(NAME)
        self.args = args
        self.build = os.path.abspath(args.build_root)
        self.tool = os.path.join(self.build, "test", "qosdt-hostile-peer")
        self.testpmd = shutil.which("dpdk-testpmd")
        self.tmp = tempfile.TemporaryDirectory(prefix="qosdt-hostile-")
        self.path = f"/dev/shm/qosdt-hostile-{os.getpid()}"
        self.prefixes = []
        self.ours = None
        self.so = None
        self.writes = 0

    def case(self, name, fn, *a):
        try:
            fn(*a)
        except Skip as e:
            self.skipped += 1
            print(f"SKIP {name}: {e}", flush=True)
            return
        except (Fail, OSError, ValueError, KeyError) as e:
            self.failed += 1
            if self.ours is not None and not self.ours.alive():
                e = f"{e}; our side died (exit {self.ours.proc.returncode})"
            print(f"FAIL {name}: {e}", flush=True)
            if self.ours is not None:
                print(f"--- last lines of our side ---\n{self.ours.tail()}", flush=True)
            return
        self.passed += 1
        print(f"PASS {name}", flush=True)

    def peer_role(self):
        return "client" if self.args.our_role == "server" else "server"

    def prefix(self, tag):
        p = f"hostile_{tag}_{os.getpid()}"
        self.prefixes.append(p)
        return p

    def start_ours(self):
        if self.testpmd is None:
            raise Skip("dpdk-testpmd not installed (apt-get install dpdk)")
        try:
            self.so = loadable_pmd(self.build)
        except (FileNotFoundError, PermissionError) as e:
            raise Skip(str(e))
        if not os.access(self.tool, os.X_OK):
            raise Skip(f"{self.tool} not built")
        if self.args.our_role == "client":
            # a server formats the region and leaves: we attach to it
            fmt = Testpmd(self.testpmd, self.so, self.path, "server",
                          self.prefix("fmt"), 1, self.tmp.name)
            check(fmt.stop() == 0, "the formatting server failed:\n" + fmt.tail())
        self.ours = Testpmd(self.testpmd, self.so, self.path, self.args.our_role,
                            self.prefix("ours"), 1, self.tmp.name)
        check(self.ours.alive(), "testpmd exited at start:\n" + self.ours.tail())

    def attack(self, mode, seed):
        if self.ours is None or not self.ours.alive():
            raise Skip("our side is not running")
        env = dict(os.environ)
        ubsan = sanitized_env(self.so).get("UBSAN_OPTIONS")
        if ubsan is not None:
            env["UBSAN_OPTIONS"] = ubsan
        tel = self.ours.tel
        peer = Peer(self.tool, self.path, self.peer_role(), mode, self.args.seconds,
                    self.args.behave, seed, env)
        try:
            peer.expect("ready")
            x0 = tel.xstats()
            peer.go()
            attacked = json.loads(peer.expect("attacked"))
            x1 = xw = tel.xstats()
            peer.go()
            witnessed = None
            if mode in ("random", "all") and attacked["ok"]:
                witnessed = json.loads(peer.expect("witnessed"))
                xw = tel.xstats()
                peer.go()
            behaved = json.loads(peer.expect("behaved"))
        finally:
            rc = peer.finish()
        x2 = tel.xstats()
        self.writes += attacked["hostile_writes"]
        print(f"    {mode}: {attacked['hostile_writes']} hostile writes in "
              f"{self.args.seconds} s (to a producer index "
              f"{attacked['prod_index_stores']}, a consumer index "
              f"{attacked['cons_index_stores']}, the header {attacked['header_stores']}, "
              f"which was right again {attacked['header_fixes']} times); "
              f"our side counted rx_bad_descriptors "
              f"{x1['rx_bad_descriptors'] - x0['rx_bad_descriptors']}, rx_bad_index "
              f"{x1['rx_bad_index'] - x0['rx_bad_index']}, tx_bad_index "
              f"{x1['tx_bad_index'] - x0['tx_bad_index']}, region_header_errors "
              f"{x1['region_header_errors'] - x0['region_header_errors']}, "
              f"link_down_events {x1['link_down_events'] - x0['link_down_events']}; "
              f"then {sum(behaved['round_trips'])} frames echoed", flush=True)
        check(self.ours.alive(), f"testpmd died (exit {self.ours.proc.returncode})")
        check(not SANITIZER_REPORT.search(peer.stderr),
              f"sanitizer report from the peer:\n{peer.stderr}")
        check_mode(mode, attacked, delta(x0, x1))
        if witnessed is not None:
            check_witnessed(witnessed, delta(x1, xw))
        check_behaved(behaved, delta(xw, x2))
        check(rc == 0, f"the peer exited {rc}: {peer.stderr.strip()}")

    def real_peer(self):
        """A real peer attaches after the hostile one: links up, frames
        both ways, nothing counted bad."""
        if self.ours is None or not self.ours.alive():
            raise Skip("our side is not running")
        x0 = self.ours.tel.xstats()
        real = Testpmd(self.testpmd, self.so, self.path, self.peer_role(),
                         self.prefix("peer"), 0, self.tmp.name, ["--tx-first"])
        deadline = time.monotonic() + REAL_PEER_S
        up = False
        while time.monotonic() < deadline and not up:
            up = self.ours.tel.link_up() and real.tel.link_up()
            time.sleep(0.1)
        time.sleep(max(0.0, deadline - time.monotonic()))
        x1 = self.ours.tel.xstats()
        rc, out = real.stop(), real.output()
        st = port_stats(out).get(0, (0, 0, 0, 0))
        d = delta(x0, x1)
        check(up, "the links did not both come up with a real peer "
              f"(ours: {'up' if self.ours.tel.link_up() else 'down'})")
        check(rc == 0, f"the real peer exited {rc}:\n{real.tail()}")
        check(not SANITIZER_REPORT.search(out), "sanitizer report from the real peer")
        check(st[0] > 1000 and st[2] > 1000 and d["rx_good_packets"] > 1000 and
              d["tx_good_packets"] > 1000,
              f"frames with a real peer: it received {st[0]}, sent {st[2]}; "
              f"we received {d['rx_good_packets']}, sent {d['tx_good_packets']}")
        check(d["rx_bad_descriptors"] == 0,
              f"{d['rx_bad_descriptors']} bad descriptors counted from a real peer")

    def stop_ours(self):
        if self.ours is None:
            raise Skip("our side never started")
        alive = self.ours.alive()
        rc = self.ours.stop()
        out = self.ours.output()
        check(alive, f"testpmd had died (exit {self.ours.proc.returncode})")
        check(rc == 0, f"testpmd exited {rc} on SIGINT")
        report = SANITIZER_REPORT.search(out)
        check(not report, "sanitizer report:\n" + out[max(0, report.start() - 200):][:3000]
              if report else "")

    def cleanup(self):
        if self.ours is not None and self.ours.alive():
            self.ours.stop()
        cleanup([self.path], self.prefixes)
        self.tmp.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build_root")
    ap.add_argument("--seconds", type=float, default=3, help="attack per mode")
    ap.add_argument("--behave", type=float, default=1, help="good phase per mode")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--our-role", choices=["server", "client"], default="server")
    args = ap.parse_args()
    modes = args.modes.split(",")
    bad = [m for m in modes if m not in MODES]
    if bad:
        ap.error(f"unknown mode(s) {bad}: choose from {MODES}")
    r = Run(args)
    try:
        r.case(f"our side (testpmd, net_shm {args.our_role}) starts", r.start_ours)
        for i, mode in enumerate(modes):
            r.case(f"hostile peer, {mode}, {args.seconds:g} s, then behaving",
                   r.attack, mode, args.seed + i)
        r.case("a real peer attaches afterwards: links up, frames both ways",
               r.real_peer)
        r.case("our side exits cleanly, no sanitizer report", r.stop_ours)
    finally:
        r.cleanup()
    print(f"hostile writes survived: {r.writes} in {len(modes)} modes", flush=True)
    return r.summary()


if __name__ == "__main__":
    sys.exit(main())
