#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Soak: a long run at twice the channel's rate. Memory must stay flat and
every request must be accounted for, on both sides.

Usage: soak.py BUILD_ROOT SOURCE_ROOT [--duration S] [--sample S]
       [--overload X] [--keep-logs]

A qosdt server and client (config/qos.json, priority mode) share a net_shm
region. The client's scenario has three phases:

  idle      WARMUP_S of a 10-per-second echo: the baseline is taken here
            (lowest in-use count of every mempool, both processes);
  overload  --duration seconds (default 600) of config/mixed-overload.json's
            flows, every rate scaled so that all of them offer --overload
            (default 2.0) times the channel rate, all four classes busy;
  drain     DRAIN_S of the echo again: everything in flight resolves.

Every --sample seconds (default 10) the RSS of both processes (VmRSS) and
their mempools' in-use counts (telemetry /qosdt/mempools) are sampled.
Checks:

1. memory flat: neither process's RSS grows by more than RSS_SLACK_MIB
   between the first overload sample after RSS_SETTLE_S and any later
   sample; in the drain phase the lowest in-use count of every mempool is
   back at its baseline (a leaked mbuf stays out for good);
2. client results (doc/results.md): complete, and in every class
   sent == received + dropped + lost + bad_replies, with no bad reply;
3. server results: in every class received == sent + dropped (nothing is
   left queued after the drain), no malformed frame;
4. the two sides agree, per class: what the client put on the channel
   (sent - dropped, plus the copies of lossless requests it sent again
   after a link loss, resent) is what the server received, and the
   client's lost requests plus those copies are exactly the server's drops
   plus the replies that came late or twice (duplicate_replies).

Prints a line per sample, the per-class figures, and a summary line with
start/end/max of each figure; exits 1 on any violation.
"""

import argparse
import json
import os
import signal
import socket
import sys
import tempfile
import time

TEST_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(TEST_DIR, "..", "usertools"))
sys.path.insert(0, TEST_DIR)
from app_run import load_runner  # noqa: E402
from peer_restart import App, stop_and_clean  # noqa: E402
from qosdt_eal import hugepages_ok  # noqa: E402
from qosdt_scenario import frame_bps  # noqa: E402

NAME = "soak"
CONFIG = "config/qos.json"
SCENARIO = "config/mixed-overload.json"
MODE = "priority"
WARMUP_S = 3
DRAIN_S = 5
RSS_SETTLE_S = 30             # RSS reference: first sample this far into the overload
                              # (a quarter of it when shorter)
RSS_SLACK_MIB = 4             # ... and later samples may exceed it by this much
STOP_GRACE = 5.0
TELEMETRY_TIMEOUT = 10.0      # s; a host stalled longer costs a sample, noted
MISSED_MAX = 0.25             # more samples missed than this share fails the run
CLIENT_SLACK_S = 30           # the client may end this long after its scenario



def soak_scenario(source_root, duration, overload):
    """(scenario document, offered bit/s, channel bit/s)."""
    with open(os.path.join(source_root, CONFIG), encoding="utf-8") as f:
        channel = f"{json.load(f)['channel']['rate']}"
    channel_bps = frame_bps({"rate": channel, "size": 0}, 0)
    with open(os.path.join(source_root, SCENARIO), encoding="utf-8") as f:
        ref = json.load(f)
    flows = [dict(fl) for ph in ref["phases"] for fl in ph["flows"]]
    total = sum(frame_bps(fl, channel_bps) for fl in flows)
    scale = overload * channel_bps / total
    for fl in flows:
        fl["rate"] = f"{frame_bps(fl, channel_bps) * scale:.0f}"
    echo = [{"service": 1, "rate": "10pps", "size": 64, "pattern": "constant"}]
    doc = {"name": "soak", "timeout": ref.get("timeout", "200ms"),
           "description": f"soak.py: {SCENARIO} scaled to {overload:g}x the channel",
           "phases": [{"name": "idle", "duration": f"{WARMUP_S}s", "flows": echo},
                      {"name": "overload", "duration": f"{duration}s", "flows": flows},
                      {"name": "drain", "duration": f"{DRAIN_S}s", "flows": echo}]}
    return doc, total * scale, channel_bps


def rss_mib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise OSError(f"no VmRSS for pid {pid}")


def min_pools(app, seconds, step=0.05):
    """Per mempool, the lowest in-use count sampled for seconds (a query
    that times out on a stalled host is skipped)."""
    low = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            pools = app.pools()
        except socket.timeout:
            continue
        for name, n in pools.items():
            low[name] = min(n, low.get(name, n))
        time.sleep(step)
    if not low:
        raise RuntimeError(f"the {app.role}'s telemetry never answered in {seconds:g} s")
    return low


class Soak:
    def __init__(self, args):
        self.args = args
        self.runner = load_runner(args.source_root)
        self.binary = os.path.join(args.build_root, "app", "qosdt")
        self.tmp = tempfile.mkdtemp(prefix="qosdt-soak-")
        self.tag = f"qosdt-soak-{os.getpid()}"
        self.region = f"/dev/shm/{self.tag}"
        self.apps = []
        self.probs = []
        self.acct_probs = []       # requests in no counter, or counted apart
        self.missed = 0            # samples whose telemetry query timed out
        self.settle = min(RSS_SETTLE_S, args.duration / 4)
        self.samples = []          # (t, {role: (rss MiB, pools in use)})
        doc, self.offered_bps, self.channel_bps = soak_scenario(
            args.source_root, args.duration, args.overload)
        self.scenario_path = os.path.join(self.tmp, "soak.json")
        with open(self.scenario_path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
        self.results = {r: os.path.join(self.tmp, f"results-{r}.json")
                        for r in ("client", "server")}

    def start(self, role, extra):
        prefix = f"{self.tag}-{role}"
        core = self.runner.SERVER_CORE if role == "server" else self.runner.CLIENT_CORE
        vdev = f"net_shm0,path={self.region},role={role}"
        cmd = ([self.binary]
               + self.runner.eal_args(core, prefix, vdev, hugepages_ok(self.runner.MEM_MB))
               + ["--", "--role", role, "--config", CONFIG, "--mode", MODE,
                  "--results", self.results[role]] + extra)
        app = App(self.runner, role, cmd, self.args.source_root,
                  os.path.join(self.tmp, f"{role}.log"), prefix, TELEMETRY_TIMEOUT)
        self.apps.append(app)
        return app

    def sample(self, t, apps):
        """RSS and mbufs in use of each app (None when its telemetry did not
        answer within TELEMETRY_TIMEOUT: the host stalled it)."""
        row = {}
        for app in apps:
            try:
                in_use = sum(app.pools().values())
            except socket.timeout:
                in_use = None
                self.missed += 1
            row[app.role] = (rss_mib(app.proc.proc.pid), in_use)
        self.samples.append((t, row))
        print(f"t={t:6.0f} s  " + "  ".join(
            f"{r}: RSS {v[0]:7.1f} MiB, mbufs in use "
            + (f"{v[1]:5d}" if v[1] is not None else "(telemetry stalled)")
            for r, v in row.items()), flush=True)

    def run(self):
        a = self.args
        srv = self.start("server", ["--stats-period", "0"])
        if not srv.proc.ready.wait(self.runner.READY_TIMEOUT):
            raise RuntimeError("the server did not start")
        cli = self.start("client", ["--scenario", self.scenario_path, "--link-wait", "10",
                                    "--stats-period", str(a.sample)])
        while cli.running_at is None:
            if not cli.proc.alive():
                raise RuntimeError(f"the client exited (code {cli.proc.proc.returncode})")
            time.sleep(0.01)
        t0 = cli.running_at
        # the idle phase: baseline of every pool
        time.sleep(0.5)
        base = {"client": min_pools(cli, WARMUP_S - 1), "server": min_pools(srv, 0.3)}
        print(f"baseline (idle): client {base['client']}; server {base['server']}", flush=True)
        load_end = t0 + WARMUP_S + a.duration
        t = t0 + WARMUP_S
        while t < load_end - 0.5 * a.sample:
            t += a.sample
            while time.monotonic() < min(t, load_end - 1):
                if not (cli.proc.alive() and srv.proc.alive()):
                    raise RuntimeError("a process died during the overload")
                time.sleep(0.2)
            self.sample(time.monotonic() - t0, (cli, srv))
        # the drain phase: back at the baseline?
        while time.monotonic() < load_end + 1.5:
            time.sleep(0.05)
        drained = {"client": min_pools(cli, DRAIN_S - 2.5), "server": min_pools(srv, 0.5)}
        for role in ("client", "server"):
            off = {n: v - base[role].get(n, 0) for n, v in drained[role].items()
                   if v != base[role].get(n, 0)}
            if off:
                self.probs.append(f"{role}: mempools not back at their baseline after the "
                                  f"load: {off}")
        self.drained = drained
        if not cli.proc.wait(CLIENT_SLACK_S + DRAIN_S):
            cli.proc.stop(1.0)
            raise RuntimeError("the client did not end with its scenario")
        cli.close()
        if cli.proc.proc.returncode != 0:
            self.probs.append(f"client exit code {cli.proc.proc.returncode}")
        if srv.proc.stop(STOP_GRACE) or srv.proc.proc.returncode != 0:
            self.probs.append(f"server: exit code {srv.proc.proc.returncode} after SIGINT")
        srv.close()

    def check_memory(self):
        figures = {}
        asked = 2 * len(self.samples)
        if asked and self.missed > MISSED_MAX * asked:
            self.probs.append(f"{self.missed} of {asked} mempool samples timed out")
        for role in ("client", "server"):
            rows = [(t, r[role]) for t, r in self.samples if role in r]
            if not rows:
                continue
            later = [v for t, v in rows if t >= WARMUP_S + self.settle]
            ref = later[0] if later else rows[0][1]
            grow = max(v[0] for v in later) - ref[0] if later else 0.0
            if grow > RSS_SLACK_MIB:
                self.probs.append(f"{role}: RSS grew {grow:.1f} MiB during the overload "
                                  f"(more than {RSS_SLACK_MIB} MiB)")
            rss = [v[0] for _, v in rows]
            mb = [v[1] for _, v in rows if v[1] is not None] or [0]
            figures[role] = (f"{role} RSS start/end/max {rss[0]:.1f}/{rss[-1]:.1f}/"
                             f"{max(rss):.1f} MiB (growth after {self.settle:g} s "
                             f"{grow:+.1f} MiB), mbufs in use start/end/max "
                             f"{mb[0]}/{mb[-1]}/{max(mb)}, after the load "
                             f"{sum(self.drained[role].values())}")
        return figures

    def check_results(self):
        cdoc, shape, cons = self.runner.load_results(self.results["client"], "client")
        self.probs += shape
        self.acct_probs += cons
        sdoc, shape, _ = self.runner.load_results(self.results["server"], "server")
        self.probs += shape
        if not (cdoc and sdoc):
            return 0
        total = 0
        if sdoc.get("malformed"):
            self.probs.append(f"server: {sdoc['malformed']} malformed frames")
        for n in self.runner.CLASSES:
            c, s = cdoc["classes"][n], sdoc["classes"][n]
            total += c["sent"]
            if c["bad_replies"]:
                self.probs.append(f"{n}: {c['bad_replies']} bad replies")
            if s["received"] != s["sent"] + s["dropped"]:
                self.acct_probs.append(f"{n}: server received {s['received']} != sent "
                                  f"{s['sent']} + dropped {s['dropped']}")
            put = c["sent"] - c["dropped"] + c["resent"]
            if put != s["received"]:
                self.acct_probs.append(f"{n}: the client put {put} on the channel (resent "
                                       f"{c['resent']}), the server received {s['received']}")
            if c["lost"] + c["resent"] != s["dropped"] + c["late"] + c["duplicate_replies"]:
                self.acct_probs.append(f"{n}: client lost {c['lost']} + resent {c['resent']} != "
                                       f"server dropped {s['dropped']} + late replies "
                                       f"{c['late']} + duplicate replies "
                                       f"{c['duplicate_replies']}")
            print(f"  {n:<11} client: sent {c['sent']} = received {c['received']} + "
                  f"dropped {c['dropped']} + lost {c['lost']} + bad {c['bad_replies']} "
                  f"(late {c['late']}, deferred {c['deferred']}), {c['throughput_mbps']:.1f} "
                  f"Mbit/s, p99 {c['latency_us']['p99']:.0f} us; server: received "
                  f"{s['received']} = sent {s['sent']} + dropped {s['dropped']}", flush=True)
        return total

    def teardown(self):
        stop_and_clean(self.apps, [self.region], [app.prefix for app in self.apps],
                       self.tmp, bool(self.probs) or self.args.keep_logs)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("build_root")
    p.add_argument("source_root")
    p.add_argument("--duration", type=int, default=600,
                   help="seconds of overload (default 600)")
    p.add_argument("--sample", type=float, default=None,
                   help="seconds between samples (default 10, or duration/10 if shorter)")
    p.add_argument("--overload", type=float, default=2.0,
                   help="offered load over the channel rate (default 2.0)")
    p.add_argument("--keep-logs", action="store_true")
    a = p.parse_args()
    if a.duration < 5 or a.overload <= 0:
        p.error("--duration >= 5 and --overload > 0")
    if a.sample is None:
        a.sample = min(10.0, a.duration / 10)
    if a.sample < 0.5:
        p.error("--sample >= 0.5")
    a.build_root = os.path.abspath(a.build_root)
    a.source_root = os.path.abspath(a.source_root)
    return a


def main():
    s = Soak(parse_args())
    if not os.access(s.binary, os.X_OK):
        print(f"SKIP {NAME}: {s.binary} not found (build qosdt first)")
        return 77
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))   # meson's timeout
    print(f"soak: {s.args.duration} s of {SCENARIO} scaled to {s.offered_bps / 1e6:.0f} "
          f"Mbit/s = {s.offered_bps / s.channel_bps:.2f}x the channel", flush=True)
    total = 0
    try:
        s.run()
        total = s.check_results()
        figures = s.check_memory()
    except (RuntimeError, OSError, ValueError) as e:
        s.probs.append(str(e))
        figures = {}
    finally:
        s.probs += s.acct_probs
        s.teardown()
    for p in s.probs:
        print(f"FAIL {p}", flush=True)
    print(f"soak: {s.args.duration} s at {s.offered_bps / s.channel_bps:.2f}x; "
          + "; ".join(figures.values())
          + (f"; {s.missed} mempool samples missed (telemetry stalled)" if s.missed else "")
          + f"; {total} requests, {len(s.acct_probs)} accounting violations; "
          + ("FAILED" if s.probs else "OK"), flush=True)
    print(f"qosdt-test summary: name={NAME} passed={0 if s.probs else 1} "
          f"failed={1 if s.probs else 0} skipped=0", flush=True)
    return 1 if s.probs else 0


if __name__ == "__main__":
    sys.exit(main())
