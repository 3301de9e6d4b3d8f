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
   make eval installs and make test does not).
"""
import importlib
import os
import sys
import tempfile

from qosdt import cases as qosdt_cases
from qosdt import eval_data, eval_report

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
    return {"classes": cls, "phases": phases, "adaptive": {"enabled": False},
            "windows": {"t_s": t_s, "classes": win, "shared_buffers": 10, "overflow": 0}}


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
                "server": {"modes": {"priority": [doc()]}, "loadshift": {}, "isolation": {}}}

    def report(self):
        rep = eval_report
        figs = {"pmd": "perf/pmd", "cdf": "perf/cdf", "throughput": "perf/tp",
                "loadshift": "perf/ls", "isolation": "perf/iso"}
        with tempfile.TemporaryDirectory() as d:
            path = rep.write(self.results(), figs, d, [], {"realtime": 200.0},
                             {"throughput": 100.0})
            with open(path) as f:
                text = f.read()
        want = ["## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6.", "`make eval`",
                "`priority` round trip 30, client scheduler 3, server scheduler 3",
                "350 -> 95", "60 -> 95", "5 -> 0.1", "**2.00x**"]
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
        if len(stems) != 5:
            return f"{len(stems)} figures drawn, expected 5"
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
    t.case("figures: PNG and SVG of each", t.figures)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
