#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The qosdt application end to end: a fast test.

Usage: app_run.py BUILD_ROOT SOURCE_ROOT

1. --check-config accepts config/qos.json ("FILE: ok", exit 0);
2. --check-config refuses broken files (invalid JSON, an unknown key, a bad
   rate, a missing file) with exit 1 and a message naming the file or the
   JSON path of the fault;
3. --check-config with a broken --scenario names the scenario's JSON path;
4. a server and a client (config/qos.json, config/mixed-overload.json with
   a 2 s timeout, --duration 3, --mode priority) over a fresh net_shm
   region: both exit
   cleanly and the client's results (doc/results.md) are complete and
   consistent, every class sent and got replies, no reply was wrong, the
   reliable class lost and dropped nothing, realtime p50 < p99 <= max;
   each class's latency histogram holds every received reply and gives
   the same p99 as latency_us; the per-window buffer counts stay within
   each class's reserve and borrow cap;
5. the same run in fifo mode, checked the same way less the reliable class's
   protection (FIFO gives none), skipped when the test has run too long.

Each case prints PASS, FAIL or SKIP with the reason, then the summary line
buildtools/test-summary.py counts. Runs are started by qosdt.apprun, as
`make run` starts them: every wait bounded, what hangs killed, the region
and EAL files removed.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

from qosdt import cases as qosdt_cases
from qosdt.apprun import AppRun
from qosdt.results import CLASSES

NAME = "app_run"
CONFIG = "config/qos.json"
SCENARIO = "config/mixed-overload.json"
RUN_SECONDS = 3
SCENARIO_TIMEOUT = "2s"   # of the two-process runs (see Cases.scenario)
CHECK_TIMEOUT = 20        # s for one --check-config


class Cases(qosdt_cases.Cases):
    def __init__(self, build_root, source_root):
        super().__init__(NAME)
        self.source_root = source_root
        self.binary = os.path.join(build_root, "app", "qosdt")
        self.tmp = tempfile.TemporaryDirectory(prefix="qosdt-app-run-")
        self.results = {}

    def precondition(self):
        if not os.access(self.binary, os.X_OK):
            return f"{self.binary} not found or not executable (build qosdt first)"
        return None

    # ------------------------------------------------------- --check-config

    def check_config(self, *args):
        """(exit code, stdout + stderr) of qosdt --check-config ARGS."""
        p = subprocess.run([self.binary, "--check-config"] + list(args),
                           cwd=self.source_root, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=CHECK_TIMEOUT)
        return p.returncode, (p.stdout + p.stderr).strip()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def reference(self, rel):
        path = os.path.join(self.source_root, rel)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path} not found")
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def config_ok(self):
        rc, out = self.check_config(CONFIG)
        if rc != 0 or f"{CONFIG}: ok" not in out.splitlines():
            return f"exit {rc}, expected 0 and the line '{CONFIG}: ok'; output: {out!r}"
        return None

    def refused(self, args, must_name):
        """None if --check-config ARGS exits 1 naming must_name."""
        rc, out = self.check_config(*args)
        if rc != 1:
            return f"exit {rc}, expected 1; output: {out!r}"
        if must_name not in out:
            return f"the message does not name {must_name!r}: {out!r}"
        return None

    def bad_json(self):
        text = json.dumps(self.reference(CONFIG), indent=1)
        path = self.write("bad-json.json", text.replace("}", "},", 1))
        return self.refused([path], path)

    def unknown_key(self):
        cfg = self.reference(CONFIG)
        cfg["classes"]["realtime"]["wieght"] = 4
        path = self.write("unknown-key.json", json.dumps(cfg))
        return self.refused([path], "classes.realtime.wieght")

    def bad_rate(self):
        cfg = self.reference(CONFIG)
        cfg["channel"]["rate"] = "fast"
        path = self.write("bad-rate.json", json.dumps(cfg))
        return self.refused([path], "channel.rate")

    def missing_file(self):
        path = os.path.join(self.tmp.name, "no-such-config.json")
        return self.refused([path], path)

    def bad_scenario(self):
        sc = self.reference(SCENARIO)
        try:
            sc["phases"][0]["flows"][0]["rate"] = "fast"
        except (KeyError, IndexError, TypeError):
            return f"{SCENARIO} has no phases[0].flows[0] to break (doc/scenario.md changed?)"
        path = self.write("bad-scenario.json", json.dumps(sc))
        return self.refused([CONFIG, "--scenario", path], "phases[0].flows[0].rate")

    def bad_scenario_json(self):
        path = self.write("bad-scenario-json.json", '{"phases": [')
        return self.refused([CONFIG, "--scenario", path], path)

    # -------------------------------------------------------- two processes

    def scenario(self):
        """SCENARIO with a 2 s timeout: these runs check correctness, not
        timing, and on a shared VM a stall of the host must not turn a slow
        reply into a loss."""
        path = os.path.join(self.tmp.name, "scenario-2s.json")
        if not os.path.exists(path):
            doc = self.reference(SCENARIO)
            doc["timeout"] = SCENARIO_TIMEOUT
            self.write("scenario-2s.json", json.dumps(doc))
        return path

    def run(self, mode, protected):
        """One server + client run in mode; protected: the reliable class
        must lose and drop nothing."""
        run = AppRun(self.binary, mode, mode, CONFIG, self.scenario(), RUN_SECONDS,
                       os.path.join(self.tmp.name, f"results-{mode}.json"), self.tmp.name)
        errors = run.run()
        if errors:
            return "; ".join(errors) + ("\n" + run.tails() if run.failed_procs else "")
        res = run.results
        self.results[mode] = res
        probs = []
        if res["mode"] != mode:
            probs.append(f"mode {res['mode']!r}, expected {mode!r}")
        for name in CLASSES:
            c = res["classes"][name]
            if c["sent"] == 0 or c["received"] == 0:
                probs.append(f"{name}: sent {c['sent']}, received {c['received']} "
                             "(both must be > 0)")
            if c["bad_replies"]:
                probs.append(f"{name}: {c['bad_replies']} bad replies")
        rel = res["classes"]["reliable"]
        if protected and (rel["lost"] or rel["dropped"]):
            probs.append(f"reliable: lost {rel['lost']}, dropped {rel['dropped']} (must be 0)")
        lat = res["classes"]["realtime"]["latency_us"]
        if not lat["p50"] < lat["p99"] <= lat["max"]:
            probs.append(f"realtime latency: p50 {lat['p50']} < p99 {lat['p99']} <= "
                         f"max {lat['max']} does not hold")
        probs += hist_problems(res) + buffer_problems(res) + service_problems(res)
        if probs:
            client_log = os.path.join(self.tmp.name, f"{mode}-client.log")
            with open(client_log, encoding="utf-8", errors="replace") as f:
                tail = "".join(f.readlines()[-20:])
            return "; ".join(probs) + f"\n--- last lines of the client ---\n{tail}"
        return None

    def run_priority(self):
        return self.run("priority", protected=True)

    def run_fifo(self):
        return self.run("fifo", protected=False)

    def priority_beats_fifo(self):
        """The mechanism, on counts and order in the same load: priority
        drops none of the strict classes and makes best effort absorb the
        overload, and releases realtime from its scheduler ahead of bulk
        that came earlier; fifo drops every class alike and releases them
        in arrival order."""
        p, f = self.results.get("priority"), self.results.get("fifo")
        if p is None or f is None:
            return "the priority or the fifo run did not complete"
        probs = []
        pc, fc = p["classes"], f["classes"]
        for cls in ("realtime", "reliable"):
            if pc[cls]["dropped"] or pc[cls]["lost"]:
                probs.append(f"priority: {cls} dropped {pc[cls]['dropped']}, "
                             f"lost {pc[cls]['lost']} (a strict class within its cap: 0)")
        if pc["best_effort"]["dropped"] == 0:
            probs.append("priority: best effort dropped nothing under a 2x overload")
        if fc["realtime"]["dropped"] == 0:
            probs.append("fifo: realtime dropped nothing: it was not the no-QoS baseline")
        rt, be = (pc[c]["sched_latency_us"]["p50"] for c in ("realtime", "best_effort"))
        if not rt * 10 <= be:
            probs.append(f"priority: realtime waits {rt:.1f} us at p50 in the client's "
                         f"scheduler, best effort {be:.1f}: not ahead")
        rt, be = (fc[c]["sched_latency_us"]["p50"] for c in ("realtime", "best_effort"))
        if rt * 2 < be:
            probs.append(f"fifo: realtime waits {rt:.1f} us at p50, best effort {be:.1f}: "
                         "one queue should hold them alike")
        return "; ".join(probs) or None


def hist_problems(res):
    """latency_hist against received and latency_us.p99 (doc/results.md)."""
    probs = []
    for name, c in res["classes"].items():
        h = c["latency_hist"]
        n = sum(h["count"])
        if n != c["received"]:
            probs.append(f"{name}: latency_hist holds {n} samples, received {c['received']}")
            continue
        if h["upper_us"] != sorted(h["upper_us"]):
            probs.append(f"{name}: latency_hist.upper_us not ascending")
            continue
        rank, seen = max(1, math.ceil(0.99 * n)), 0
        for upper, k in zip(h["upper_us"], h["count"]):
            seen += k
            if seen >= rank:
                if upper != c["latency_us"]["p99"]:
                    probs.append(f"{name}: p99 from latency_hist {upper} us, "
                                 f"latency_us.p99 {c['latency_us']['p99']} us")
                break
    return probs


def service_problems(res):
    """services add up to their classes; each class has its SLO verdict."""
    probs = []
    for name, c in res["classes"].items():
        svc = [v for v in res["services"].values() if v["class"] == name]
        for k in ("sent", "received", "lost", "dropped", "bad_replies"):
            if sum(v[k] for v in svc) != c[k]:
                probs.append(f"{name}: services' {k} add up to {sum(v[k] for v in svc)}, "
                             f"the class has {c[k]}")
        slo = c.get("slo")
        if not isinstance(slo, dict) or not all(
                isinstance(slo.get(r), dict) and "met" in slo[r]
                for r in ("latency", "bandwidth", "loss")):
            probs.append(f"{name}: no SLO verdict (slo) in the results")
        elif slo["latency"]["replies_over"] != sum(v["over_slo"] for v in svc):
            probs.append(f"{name}: slo.latency.replies_over {slo['latency']['replies_over']}, "
                         f"the services' over_slo add up to "
                         f"{sum(v['over_slo'] for v in svc)}")
    return probs


def buffer_problems(res):
    """windows' buffer arrays: aligned with t_s, within reserve and cap."""
    w = res["windows"]
    probs = []
    for name, c in w["classes"].items():
        for k in ("buffers_in_use", "buffers_borrowed", "alloc_fail"):
            if len(c[k]) != len(w["t_s"]):
                probs.append(f"windows.classes.{name}.{k}: {len(c[k])} entries, "
                             f"t_s has {len(w['t_s'])}")
        if max(c["buffers_in_use"], default=0) > c["buffers_reserved"]:
            probs.append(f"{name}: buffers_in_use above buffers_reserved")
        if max(c["buffers_borrowed"], default=0) > c["borrow_cap"]:
            probs.append(f"{name}: buffers_borrowed above borrow_cap")
    return probs


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: app_run.py BUILD_ROOT SOURCE_ROOT")
    t = Cases(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    with t.tmp:
        t.case("check-config accepts config/qos.json", t.config_ok)
        t.case("check-config refuses invalid JSON, naming the file", t.bad_json)
        t.case("check-config refuses classes.realtime.wieght", t.unknown_key)
        t.case("check-config refuses a bad channel.rate", t.bad_rate)
        t.case("check-config refuses a missing file, naming it", t.missing_file)
        t.case("check-config refuses a bad scenario rate, naming its path", t.bad_scenario)
        t.case("check-config refuses invalid scenario JSON, naming the file",
               t.bad_scenario_json)
        t.case(f"server + client, priority, {RUN_SECONDS} s: results complete and sound",
               t.run_priority)
        t.case(f"server + client, fifo, {RUN_SECONDS} s: results complete and sound",
               t.run_fifo)
        t.case("priority drops neither strict class and serves realtime first; fifo "
               "drops and serves every class alike", t.priority_beats_fifo)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
