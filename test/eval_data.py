#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""make eval's arithmetic and report on made-up runs: a fast test.

Usage: eval_data.py SOURCE_ROOT

1. spread() gives (median, min, max) and ignores missing values;
2. the PMD summary pairs each repeat's net_shm run with its net_memif run,
   and leaves out a repeat that lacks one of them;
3. a pooled latency CDF adds the repeats' buckets and ends at 1;
4. the violation series counts classes per window, leaves out the drain
   after the scenario and averages the repeats;
5. the isolation summary counts a phase's refused allocations from the
   cumulative counter;
6. the SLOs and guarantees are read from config/qos.json;
7. the report has every section, embeds every figure, names the command,
   puts the original design's figures beside ours, and calls a run noisy
   when the host stalled for more than 20 ms, not otherwise;
8. the figures are drawn, PNG and SVG (skipped without matplotlib, which
   make eval installs and make test does not);
9. the tenants experiment: each tenant's share from config/tenants.json
   and from a weighted, capped section; the goals met and missed where
   they should be (B within 10% of solo, C's realtime at most 2x solo, A
   within its share at its client and at the server, B's reliable lossless
   in both runs), a missing run failing its goal; the summary pairs each
   repeat's runs and counts the repeats that met each goal.
"""
import importlib
import json
import os
import sys
import tempfile

from qosdt import cases as qosdt_cases
from qosdt import eval_data, eval_report, tenants

NAME = "eval_data"
CLASSES = ("realtime", "throughput", "reliable", "best_effort")


def doc(hist=None, missed=None, t_s=None, phases=None, fails=None, p99=None):
    """A client results document with what the eval reads."""
    t_s = t_s or [0.1, 0.2, 0.3]
    n = len(t_s)
    phases = phases or [{"name": "one", "start_s": 0.0, "duration_s": 0.2}]
    cls = {}
    for i, c in enumerate(CLASSES):
        cls[c] = {"sent": 100, "received": 90, "lost": 4, "dropped": 6, "offered_mbps": 10.0 * (i + 1),
                  "throughput_mbps": 9.0 * (i + 1), "slo_violations": i,
                  "latency_us": {"p50": 10.0 + i, "p90": 20.0, "p99": 30.0 + i, "p999": 40.0,
                                 "max": 50.0},
                  "sched_latency_us": {"p50": 1.0, "p90": 2.0, "p99": 3.0 + i, "p999": 4.0,
                                       "max": 5.0},
                  "latency_hist": hist or {"upper_us": [10.0, 20.0], "count": [45, 45]}}
    win = {c: {"missed": (missed or {}).get(c, [0] * n), "sched_missed": [0] * n,
               "p99_us": (p99 or [5.0] * n), "mbps": [1.0] * n,
               "buffers_in_use": [1] * n, "buffers_borrowed": [0] * n,
               "alloc_fail": (fails or [0] * n), "buffers_reserved": 100, "borrow_cap": 50}
           for c in CLASSES}
    return {"classes": cls, "phases": phases, "adaptive": {"enabled": False}, "duration_s": 10.0,
            "windows": {"t_s": t_s, "classes": win, "shared_buffers": 10, "overflow": 0}}


def scaled(d, p99=1.0, mbps=1.0, lost=0):
    """A copy of a results document with every class's p99 and throughput
    scaled and reliable's lost set (sent kept consistent)."""
    out = {k: v for k, v in d.items()}
    out["classes"] = {}
    for c, k in d["classes"].items():
        k = dict(k, latency_us=dict(k["latency_us"], p99=k["latency_us"]["p99"] * p99),
                 throughput_mbps=k["throughput_mbps"] * mbps)
        if c == "reliable":
            k.update(lost=lost, dropped=0, sent=k["received"] + lost)
        out["classes"][c] = k
    return out


def tenant_server(a_mbps):
    """A server's results of the three-VM run, 20 s, tenant 0 (A) released
    a_mbps over A's 10 s."""
    cls = {c: {"offered_mbps": (a_mbps / 2 if c == "best_effort" else 0.0),
               "sent": 10 if c == "best_effort" else 0, "latency_us": {"p99": 7.0}}
           for c in CLASSES}
    b = {c: {"offered_mbps": 1.0, "sent": 10, "latency_us": {"p99": 4.0}} for c in CLASSES}
    zero = {c: {"offered_mbps": 0.0, "sent": 0, "latency_us": {"p99": 0.0}} for c in CLASSES}
    return {"config": "config/tenants.json", "duration_s": 20.0,
            "tenants": {"tenant0": {"index": 0, "classes": cls},
                        "tenant1": {"index": 1, "classes": b},
                        "tenant2": {"index": 2, "classes": zero}}}


def tenant_runs(b_p99=1.05, c_p99=1.5, a_mbps=400.0, lost=0):
    """(together, server, solo) of one repeat: B's p99 and C's scaled from
    their solo runs, A delivering a_mbps (its classes' throughput)."""
    a = doc()
    for i, k in enumerate(a["classes"].values()):
        k["throughput_mbps"] = a_mbps if i == 3 else 0.0
    solo = {"B": scaled(doc()), "C": scaled(doc())}
    together = {"A": a, "B": scaled(doc(), p99=b_p99, lost=lost),
                "C": scaled(doc(), p99=c_p99)}
    return together, tenant_server(a_mbps), solo


def tenant_runs_raw():
    """One repeat of the tenants experiment as eval_data.load gives it."""
    together, _, solo = tenant_runs()
    return dict({f"together-{vm}": d for vm, d in together.items()},
                **{f"solo-{vm}-{vm}": d for vm, d in solo.items()},
                **{f"quiet-A-{vm}": doc() for vm in "ABC"})


class Cases(qosdt_cases.Cases):
    def __init__(self, source_root):
        super().__init__(NAME)
        self.root = source_root
        self.data = eval_data

    def spread(self):
        s = self.data.spread([3.0, None, 1.0, 2.0])
        if s != (2.0, 1.0, 3.0):
            return f"spread([3, None, 1, 2]) = {s}, expected (2, 1, 3)"
        if self.data.spread([None]) is not None:
            return "spread([None]) is not None"
        return None

    def pmd_pairs(self):
        runs = [{"pmd": "net_shm", "size": 64, "repeat": 0, "median_mpps": 20.0},
                {"pmd": "net_memif", "size": 64, "repeat": 0, "median_mpps": 10.0},
                {"pmd": "net_shm", "size": 64, "repeat": 1, "median_mpps": 30.0},
                {"pmd": "net_memif", "size": 64, "repeat": 1, "median_mpps": 10.0},
                {"pmd": "net_shm", "size": 64, "repeat": 2, "median_mpps": 99.0},
                {"pmd": "net_memif", "size": 64, "repeat": 2, "error": "no samples"}]
        row = self.data.pmd_summary(runs, (64, 1500))["sizes"]
        if len(row) != 1:
            return f"{len(row)} sizes summarised, expected 1 (1500 B has no runs)"
        r = row[0]
        if r["ratios"] != [2.0, 3.0]:
            return f"paired ratios {r['ratios']}, expected [2.0, 3.0] (repeat 3 unpaired)"
        if r["net_shm"]["mpps"] != (30.0, 20.0, 99.0):
            return f"net_shm Mpps {r['net_shm']['mpps']}, expected (30, 20, 99)"
        if abs(r["net_memif"]["gbps"][0] - 10.0 * 64 * 8 / 1000) > 1e-9:
            return f"net_memif Gbit/s {r['net_memif']['gbps']}"
        return None

    def cdf(self):
        a = doc(hist={"upper_us": [10.0, 20.0], "count": [1, 1]})
        b = doc(hist={"upper_us": [20.0, 40.0], "count": [1, 1]})
        xs, ys = self.data.pooled_cdf([a, b], "realtime")
        if xs != [10.0, 20.0, 40.0] or ys != [0.25, 0.75, 1.0]:
            return f"pooled CDF {xs} {ys}, expected [10, 20, 40] [0.25, 0.75, 1.0]"
        return None

    def violations(self):
        # Two windows inside a 0.2 s scenario, a third in the drain after it.
        a = doc(missed={"realtime": [1, 1, 1], "reliable": [1, 0, 1]})
        b = doc(missed={"realtime": [0, 1, 1]})
        t, v = self.data.violation_series([a, b], "missed")
        if t != [0.1, 0.2] or v != [1.0, 1.0]:
            return f"series {t} {v}, expected [0.1, 0.2] [1.0, 1.0]"
        per = self.data.violations_per_phase([a, b], "missed")
        if per[0]["violations"] != (2.0, 1, 3):
            return f"per phase {per[0]['violations']}, expected (2, 1, 3)"
        return None

    def isolation(self):
        phases = [{"name": "quiet", "start_s": 0.0, "duration_s": 0.2},
                  {"name": "flood", "start_s": 0.2, "duration_s": 0.2}]
        d = doc(t_s=[0.1, 0.2, 0.3, 0.4], phases=phases, fails=[0, 2, 5, 9],
                p99=[1.0, 3.0, 100.0, 300.0])
        out = self.data.isolation_phases([d])
        got = [(p["name"], p["classes"]["realtime"]["alloc_fail"][0],
                p["classes"]["realtime"]["p99_us"][0]) for p in out]
        if got != [("quiet", 2, 2.0), ("flood", 7, 200.0)]:
            return f"{got}, expected quiet 2 refused p99 2, flood 7 refused p99 200"
        return None

    def config(self):
        slo, g = self.data.config_targets(os.path.join(self.root, "config", "qos.json"))
        if slo.get("realtime") != 200.0 or slo.get("best_effort") != 5000.0:
            return f"SLOs {slo}: realtime 200 us and best_effort 5000 us expected"
        if g != {"throughput": 100.0}:
            return f"guarantees {g}, expected throughput 100 Mbit/s only"
        return None

    def tenant_shares(self):
        with open(os.path.join(self.root, "config", "tenants.json")) as f:
            got = tenants.tenant_shares(json.load(f))
        if got != [1000.0, 1000.0, 1000.0]:
            return f"config/tenants.json shares {got}, expected 3 x 1000 Mbit/s"
        cfg = {"channel": {"rate": "1G"},
               "tenants": {"capacity": "50%", "list": [{"weight": 2}, {}, {"rate": "100M"}]}}
        got = tenants.tenant_shares(cfg)
        if got != [750.0, 375.0, 100.0]:
            return f"weights 2:1:1 of 1.5G, the third capped at 100M: {got}"
        return None

    def tenant_goals(self):
        shares = [1000.0] * 3
        def verdicts(together, server, solo):
            return [(vm, ok, rule.split(":")[0]) for vm, ok, rule, _ in
                    tenants.goal_checks(together, server, solo, shares)]
        got = verdicts(*tenant_runs())
        if not all(ok for _, ok, _ in got) or len(got) != 7:
            return f"every goal should be met (4 B classes, C, A, reliable): {got}"
        bad = []
        for name, runs, missed in (
                ("B's p99 1.2x solo", tenant_runs(b_p99=1.2), {"B"}),
                ("C's p99 2.5x solo", tenant_runs(c_p99=2.5), {"C"}),
                ("A at 1100 of 1000 Mbit/s", tenant_runs(a_mbps=1100.0), {"A"}),
                ("B's reliable losing 1", tenant_runs(lost=1), {"B"})):
            got = verdicts(*runs)
            if {vm for vm, ok, _ in got if not ok} != missed:
                bad.append(f"{name}: missed {[g for g in got if not g[1]]}")
        together, server, solo = tenant_runs()
        # B's throughput 0.85x solo in one class misses that class only.
        together["B"]["classes"]["throughput"]["throughput_mbps"] *= 0.85
        got = [rule for vm, ok, rule in verdicts(together, server, solo) if not ok]
        if got != ["throughput"]:
            bad.append(f"B's throughput at 0.85x solo: missed {got}")
        got = verdicts(tenant_runs()[0], tenant_server(2000.0), solo)
        if [vm for vm, ok, _ in got if not ok] != ["A"]:
            bad.append(f"A over its share at the server only: {got}")
        got = verdicts(tenant_runs()[0], server, {"B": scaled(doc())})
        if [vm for vm, ok, _ in got if not ok] != ["C"]:
            bad.append(f"no solo run of C: {got}")
        return "; ".join(bad) or None

    def tenant_summary(self):
        res = {"tenants": {}, "server": {"tenants": {}}}
        for rep, runs in ((1, tenant_runs()), (2, tenant_runs(c_p99=3.0))):
            together, server, solo = runs
            res["tenants"][rep] = dict({f"together-{vm}": d for vm, d in together.items()},
                                       **{f"solo-{vm}-{vm}": d for vm, d in solo.items()},
                                       **{f"quiet-A-{vm}": doc() for vm in "ABC"})
            res["server"]["tenants"][rep] = {"together": server}
        t = self.data.tenants_summary(res, self.root)
        c = next(g for g in t["goals"] if g["vm"] == "C")
        if t["runs"] != 2 or c["met"] != 1 or len(c["figures"]) != 2:
            return f"C met in {c['met']} of {t['runs']} repeats, expected 1 of 2"
        rt = t["classes"]["C"]["realtime"]
        if rt["together"]["p99"] != (30.0 * 2.25, 45.0, 90.0) or rt["solo"]["p99"][0] != 30.0:
            return f"C's realtime p99 {rt}"
        if t["A"]["server_mbps"] != (400.0, 400.0, 400.0) or t["A"]["share_mbps"] != 1000.0:
            return f"A {t['A']}"
        srv = t["classes"]["B"]["reliable"]
        if srv["together"]["server_p99"] != (4.0, 4.0, 4.0) or srv["solo"]["server_p99"]:
            return (f"B's reliable at the server: {srv}, expected p99 4 us with A flooding "
                    "(tenant 1's section), none solo (no solo server results)")
        return None

    def results(self):
        meta = {"date": "2026-11-22 00:00 UTC", "command": "make eval", "cpu": "a CPU",
                "cpus": 2, "kernel": "6.1", "debian": "12.8", "dpdk": "22.11.11",
                "hugepages": False, "loadavg": 0.1, "quick": False, "repeat": 2,
                "elapsed_s": 61, "noise_seconds": 2,
                "noise": {"0": {"stall_fraction": 0.01, "stalls_per_s": 10,
                                "stalls_20us_per_s": 1, "stalls_1ms_per_s": 0.1,
                                "longest_stall_us": 1000}}}
        phases = [{"name": "normal", "start_s": 0.0, "duration_s": 0.2},
                  {"name": "shift", "start_s": 0.2, "duration_s": 0.2}]
        runs = [{"pmd": p, "size": s, "repeat": r, "median_mpps": m}
                for r in (0, 1) for s in (64, 1500)
                for p, m in (("net_shm", 20.0 if s == 64 else 6.0), ("net_memif", 10.0))]
        ls = doc(t_s=[0.1, 0.2, 0.3, 0.4], phases=phases)
        ls["adaptive"] = {"enabled": True, "timeline": [{"t_s": 0.25}]}
        return {"meta": meta, "pmd": self.data.pmd_summary(runs, (64, 1500)),
                "modes": {m: [doc(), doc()] for m in ("fifo", "wrr", "priority",
                                                      "priority+adaptive")},
                "loadshift": {"static": [ls, ls], "adaptive": [ls, ls]},
                "isolation": {"priority": [doc(t_s=[0.1, 0.2, 0.3, 0.4], phases=phases)]},
                "tenants": {1: tenant_runs_raw()},
                "server": {"modes": {"priority": [doc()]}, "loadshift": {}, "isolation": {},
                           "tenants": {1: {"together": tenant_server(400.0)}}}}

    def report(self):
        rep = eval_report
        figs = {"pmd": "perf/pmd", "cdf": "perf/cdf", "throughput": "perf/tp",
                "loadshift": "perf/ls", "isolation": "perf/iso", "tenants": "perf/ten"}
        with tempfile.TemporaryDirectory() as d:
            path = rep.write(self.results(), figs, d, [], {"realtime": 200.0},
                             {"throughput": 100.0})
            with open(path) as f:
                text = f.read()
        want = ["## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6.", "`make eval`",
                "`priority` round trip 30, client scheduler 3, server scheduler 3",
                "350 -> 95", "60 -> 95", "5 -> 0.1", "**2.00x**", "## 8.",
                "| B | realtime | 30.0 | 30.0 | 31.5 |",
                "- C, realtime p99 <= 2 x solo: **met** (1 of 1 repeats;",
                "its share is 1000 Mbit/s"]
        if "noisy host" in text:
            return "a quiet run (longest stall 1 ms) is called noisy"
        res = self.results()
        res["meta"]["noise"]["0"]["longest_stall_us"] = 80000
        with tempfile.TemporaryDirectory() as d:
            with open(rep.write(res, figs, d, [], {}, {})) as f:
                if "stall this VM for up to 80 ms" not in f.read():
                    return "a run with an 80 ms stall is not called noisy"
        want += [f"]({stem}.png)" for stem in figs.values()]
        want += [f"]({stem}.svg)" for stem in figs.values()]
        missing = [w for w in want if w not in text]
        return f"perf.md lacks {missing}" if missing else None

    def figures(self):
        try:
            importlib.import_module("matplotlib")
        except ImportError:
            raise qosdt_cases.Skip("python3-matplotlib is not installed (make eval installs it)")
        from qosdt import eval_figures as fig
        with tempfile.TemporaryDirectory() as d:
            stems = fig.draw_all(self.results(), os.path.join(d, "perf"), {"realtime": 200.0},
                                 {"throughput": 100.0})
            missing = [f"{s}.{e}" for s in stems.values() for e in ("png", "svg")
                       if not os.path.getsize(os.path.join(d, f"{s}.{e}"))]
        if len(stems) != 6:
            return f"{len(stems)} figures drawn, expected 6"
        return f"empty or missing: {missing}" if missing else None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: eval_data.py SOURCE_ROOT")
    t = Cases(os.path.abspath(sys.argv[1]))
    t.case("spread: median, min, max, missing values ignored", t.spread)
    t.case("pmd: ratios paired per repeat, an unpaired repeat left out", t.pmd_pairs)
    t.case("latency CDF: repeats pooled, ends at 1", t.cdf)
    t.case("violations: per window, drain left out, repeats averaged", t.violations)
    t.case("isolation: refused allocations per phase", t.isolation)
    t.case("config: SLOs and guarantees from config/qos.json", t.config)
    t.case("report: every section, figure, the command and the original design", t.report)
    t.case("tenants: shares of the capacity from the config", t.tenant_shares)
    t.case("tenants: goals met and missed where they should be", t.tenant_goals)
    t.case("tenants: repeats paired, goals counted per repeat", t.tenant_summary)
    t.case("figures: PNG and SVG of each", t.figures)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
