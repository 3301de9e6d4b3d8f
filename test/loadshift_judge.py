#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""usertools/qosdt-loadshift.py's judging (qosdt.loadshift) on made-up runs: a fast test.

Usage: loadshift_judge.py SOURCE_ROOT

1. a run is summarised per phase: scheduler and round-trip violations, the
   class the shift hits, recovery in control periods, the changes (and
   those in the steady part) with their own record;
2. over 5 pairs each goal is judged on the median of the per-pair values,
   not on one pair: one lucky pair does not meet it, one unlucky pair does
   not miss it;
3. a calm phase (no shift) passes while adaptive's median is within
   static's plus the spread of static's own counts, and fails beyond;
4. every change is printed in its phase with its trade and the windows
   each class missed before and after it.
"""
import contextlib
import io
import sys

from qosdt import cases as qosdt_cases
from qosdt import loadshift

NAME = "loadshift_judge"
CLASSES = ("realtime", "throughput", "reliable", "best_effort")
PHASES = [("normal", 0.0, 1.0), ("realtime-doubles", 1.0, 2.0)]
TARGETS = [None, "realtime"]


def doc(sched, e2e=None, timeline=None):
    """A client results document: 30 windows of 100 ms over two phases
    (10 normal, 20 realtime-doubles); @sched maps a class to the window
    indices it missed in the scheduler (@e2e: on the round trips, default
    the same)."""
    e2e = sched if e2e is None else e2e
    t = [round(0.1 * (i + 1), 3) for i in range(30)]
    cls = {c: {"missed": [1 if i in e2e.get(c, ()) else 0 for i in range(30)],
               "sched_missed": [1 if i in sched.get(c, ()) else 0 for i in range(30)]}
           for c in CLASSES}
    return {"windows": {"t_s": t, "classes": cls},
            "phases": [{"name": n, "start_s": s, "duration_s": d} for n, s, d in PHASES],
            "adaptive": {"timeline": timeline or [], "counters": {"changes": len(timeline or [])}}}


def change(t_s, **kw):
    ch = {"t_s": t_s, "class": "realtime", "knob": "rate_cap", "from": 300000000,
          "to": 550000000, "reason": "latency", "for_class": "realtime",
          "measured": 9000000, "objective": 200000, "outcome": "better",
          "windows_before": 5, "windows_after": 5,
          "missed_before": {"realtime": 1, "throughput": 1, "reliable": 1, "best_effort": 0},
          "missed_after": {"realtime": 1, "throughput": 0, "reliable": 0, "best_effort": 0},
          "trade": {"class": "best_effort", "get_mbps": 281.0, "ask_mbps": 333.0,
                    "p99_us": 1500.0, "objective_us": 5000.0}}
    ch.update(kw)
    return ch


def static_doc():
    # The shift's 20 windows: three classes miss in every one.
    bad = range(10, 30)
    return doc({"realtime": bad, "throughput": bad, "reliable": bad})


def adaptive_doc(late_windows, calm=()):
    """Realtime late in the shift's first @late_windows windows; @calm:
    windows of the normal phase realtime missed in."""
    return doc({"realtime": list(range(10, 10 + late_windows)) + list(calm)},
               timeline=[change(1.1)])


class Judge(qosdt_cases.Cases):
    def __init__(self, root):
        super().__init__(NAME)
        self.tool = loadshift

    def pair(self, static, adaptive):
        t = self.tool
        return {"static": t.summarise(static, 0.1, TARGETS),
                "adaptive": t.summarise(adaptive, 0.1, TARGETS)}

    def judge(self, pairs):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            verdicts, _, _ = self.tool.report(pairs, 0.1)
        return verdicts, out.getvalue()

    def test_summary(self):
        s = self.tool.summarise(adaptive_doc(3), 0.1, TARGETS)
        ph = s["phases"]
        if [p["windows"] for p in ph] != [10, 20]:
            return f"windows per phase {[p['windows'] for p in ph]}"
        if ph[1]["sched_violations"] != 3 or ph[1]["target"] != "realtime":
            return f"shift phase: {ph[1]}"
        # Late in windows 10..12, healthy from 13: 3 periods.
        if ph[1]["sched_recovery_periods"] != 3:
            return f"recovery {ph[1]['sched_recovery_periods']}, want 3"
        if ph[1]["changes"] != 1 or ph[1]["steady_changes"] != 0:
            return f"changes {ph[1]['changes']} ({ph[1]['steady_changes']})"
        if ph[1]["timeline"][0]["trade"]["class"] != "best_effort":
            return "the change's own record is not kept"
        return None

    def test_median_not_one_pair(self):
        # Ratios 3/60 = 0.05 once, 18/60 = 0.30 four times: the median misses.
        lucky = [self.pair(static_doc(), adaptive_doc(3))]
        pairs = lucky + [self.pair(static_doc(), adaptive_doc(18)) for _ in range(4)]
        v, text = self.judge(pairs)
        if v["violations"][0]:
            return "one lucky pair met the goal: " + v["violations"][1]
        if "0.300 (0.050..0.300)" not in v["violations"][1]:
            return "median and spread not shown: " + v["violations"][1]
        # And the other way: one unlucky pair among four good ones.
        pairs = [self.pair(static_doc(), adaptive_doc(18))] + \
            [self.pair(static_doc(), adaptive_doc(3)) for _ in range(4)]
        v, _ = self.judge(pairs)
        if not v["violations"][0]:
            return "one unlucky pair missed the goal: " + v["violations"][1]
        if not v["recovery"][0]:
            return "recovery: " + v["recovery"][1]
        return None

    def test_calm_within_floor(self):
        # Static's calm phase: 1, 1, 3, 5, 2 misses (median 2, spread 4).
        counts = [1, 1, 3, 5, 2]

        def static(n):
            d = static_doc()
            d["windows"]["classes"]["best_effort"]["sched_missed"][:n] = [1] * n
            return d

        ok = [self.pair(static(n), adaptive_doc(3, calm=range(6))) for n in counts]
        v, _ = self.judge(ok)
        if not v["calm"][0]:
            return "6 within 2 + 4 judged worse: " + v["calm"][1]
        bad = [self.pair(static(n), adaptive_doc(3, calm=range(7))) for n in counts]
        v, _ = self.judge(bad)
        if v["calm"][0]:
            return "7 beyond 2 + 4 judged within the floor: " + v["calm"][1]
        return None

    def test_changes_explained(self):
        pairs = [self.pair(static_doc(), adaptive_doc(3)) for _ in range(5)]
        _, text = self.judge(pairs)
        want = ("realtime rate_cap 300M -> 550M: realtime p99 9000 us > 200 us; "
                "trade: best_effort gets 281 of 333 Mbit/s, p99 1500 us within 5000 us"
                " | missed before rt 1 tp 1 rel 1 be 0 in 5, after rt 1 tp 0 rel 0 be 0 in 5: better")
        if want not in text:
            return "change line not printed as expected:\n" + text
        if "  normal:\n" not in text or "no change" not in text:
            return "the calm phase's absence of change is not said"
        return None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    j = Judge(sys.argv[1])
    j.case("summary per phase", j.test_summary)
    j.case("goals on the median of the pairs", j.test_median_not_one_pair)
    j.case("calm phases within the noise floor", j.test_calm_within_floor)
    j.case("every change with its trade and effect", j.test_changes_explained)
    return j.summary()


if __name__ == "__main__":
    sys.exit(main())
