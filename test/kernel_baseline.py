#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The kernel baseline's parsing, arithmetic and report on made-up input:
a fast test (usertools/qosdt/kernel_baseline.py, doc/perf-analysis.md).

Usage: kernel_baseline.py SOURCE_ROOT

1. percentiles are nearest rank (p50 of 1..1000 is 500, p99.9 is 999);
2. the histogram's buckets are at most 1/32 of an octave wide and hold
   every value at or below their upper bound and above the previous one;
3. a sockperf full log gives each round trip from its send and receive
   times, the rate the probe left at, and sockperf's own counts and
   percentiles; a log without rows or without its summary is an error
   naming what is missing;
4. iperf3's JSON gives the flood's sent and received rates; its error is
   passed on;
5. the shaper: htb-prio puts UDP to the probe's port into a prio 0 class of
   30% of the rate, everything else into a prio 1 class; fifo has one
   class; an unknown variant is refused;
6. raw files load in variant and repeat order, and the summary gives
   median, min and max over repeats;
7. the report's section has qosdt's realtime rows and both kernel rows and
   is in make eval's perf.md; a flood that did not oversubscribe the shaper
   and a probe that left slower than 10 kpps are called out;
8. the realtime CDF panel gets both kernel curves (skipped without
   matplotlib, which make eval installs);
9. the namespaces are removed again when the set-up fails half way (a
   shaper tc refuses), and a namespace left by a killed run is removed by
   the next (skipped when not root: it makes real namespaces).
"""
import importlib
import json
import math
import os
import subprocess
import sys
import tempfile

from qosdt import cases as qosdt_cases
from qosdt import eval_report, kernel_baseline

NAME = "kernel_baseline"

FULL_LOG = """------------------------------
test was performed using the following parameters: --mps=10000 --burst=1 --reply-every=1 --msg-size=104 --time=3 --full-rtt
------------------------------
sockperf: [Total Run] RunTime=3.001 sec; Warm up time=400 msec; SentMessages=9; ReceivedMessages=8
sockperf: ========= Printing statistics for Server No: 0
sockperf: [Valid Duration] RunTime=0.001 sec; SentMessages=5; ReceivedMessages=4
sockperf: \x1b[2;35m====> avg-rtt=40.000 (std-dev=10.000)\x1b[0m
sockperf: # dropped messages = 1; # duplicated messages = 0; # out-of-order messages = 0
sockperf: \x1b[2;35mTotal 4 observations\x1b[0m; each percentile contains 0.04 observations
sockperf: ---> <MAX> observation =   70.500
sockperf: ---> percentile 99.900 =   70.500
sockperf: ---> percentile 50.000 =   20.250
sockperf: ---> <MIN> observation =   10.000
------------------------------
packet, txTime(sec), rxTime(sec), rtt(usec)
0, 100.000000000, 100.000010000, 10.000
1, 100.000100000, 100.000120250, 20.250
2, 100.000200000, 100.000230000, 30.000
3, 100.000400000, 100.000470500, 70.500
------------------------------
"""


def raw_doc(variant, rep, p99, sent_mbps=1000.0):
    """A run's raw document with what load(), summary() and the report read."""
    rtts = [10.0, 20.0, p99, p99 + 1]
    return {"name": f"kernel-{variant}", "variant": variant, "duration_s": 1,
            "shaper_mbps": 500, "probe": {
                "sent": 100, "received": 99, "lost": 1, "out_of_order": 0, "valid_s": 0.01,
                "sent_pps": 10000.0 + rep,
                "rtt_us": {"p50": 20.0, "p90": 30.0, "p99": p99, "p999": p99 + 1,
                           "max": p99 + 1, "min": 10.0, "mean": 30.0},
                "rtt_hist": {"upper_us": sorted(rtts), "count": [1, 1, 1, 1]}},
            "flood": {"sent_mbps": sent_mbps, "received_mbps": 480.0, "offered_mbps": 1000.0,
                      "lost_pct": 52.0, "datagrams": 1000, "bytes": 1400}}


def client_doc(p99):
    lat = {"p50": 10.0, "p90": 20.0, "p99": p99, "p999": p99 * 2, "max": p99 * 3}
    return {"classes": {"realtime": {"latency_us": lat}}}


class Cases(qosdt_cases.Cases):
    def __init__(self, source_root):
        super().__init__(NAME)
        self.root = source_root
        self.kb = kernel_baseline

    def percentiles(self):
        v = [float(x) for x in range(1, 1001)]
        got = {k: self.kb.percentile(v, p) for k, p in self.kb.PERCENTILES}
        want = {"p50": 500.0, "p90": 900.0, "p99": 990.0, "p999": 999.0}
        if got != want:
            return f"percentiles of 1..1000: {got}, expected {want}"
        if self.kb.percentile([5.0], 99.9) != 5.0 or self.kb.percentile([], 50) is not None:
            return "a single value is not its own p99.9, or no values give a percentile"
        f = self.kb.rtt_figures([3.0, 1.0, 2.0])
        if (f["p50"], f["max"], f["min"], f["mean"]) != (2.0, 3.0, 1.0, 2.0):
            return f"rtt_figures([3, 1, 2]) = {f}"
        return None

    def histogram(self):
        values = [0.4, 1.0, 1.01, 10.0, 10.2, 57.3, 1000.0, 5123.4]
        h = self.kb.histogram(values)
        if sum(h["count"]) != len(values) or h["upper_us"] != sorted(h["upper_us"]):
            return f"histogram {h} does not count each value once, ascending"
        for v in values:
            u = self.kb.hist_upper(v)
            lower = u / 2 ** (1 / self.kb.HIST_STEPS)
            if not (v <= u + 1e-3 and (u == 1.0 or v > lower - 1e-3)):
                return f"{v} us is not in the bucket ({lower:.3f}, {u}]"
            if u > 1.0 and math.log2(u / lower) > 1 / 32 + 1e-6:
                return f"the bucket up to {u} is wider than 1/32 octave"
        return None

    def full_log(self):
        rtts, s = self.kb.parse_full_log(FULL_LOG)
        if [round(r, 3) for r in rtts] != [10.0, 20.25, 30.0, 70.5]:
            return f"round trips {rtts}, expected [10, 20.25, 30, 70.5]"
        want = {"sent": 5, "received": 4, "dropped": 1, "out_of_order": 0, "valid_s": 0.001}
        bad = {k: s.get(k) for k in want if s.get(k) != want[k]}
        if bad:
            return f"summary {bad}, expected {want}"
        if round(self.kb.sent_pps(FULL_LOG)) != 7500:
            return f"sent at {self.kb.sent_pps(FULL_LOG)} pps, expected 7500 (3 gaps in 0.4 ms)"
        own = s["sockperf_rtt_us"]
        if own.get("p999") != 70.5 or own.get("p50") != 20.25 or own.get("max") != 70.5:
            return f"sockperf's own percentiles {own}"
        rows_only = "\n".join(line for line in FULL_LOG.splitlines() if "Valid" not in line)
        for text, what in ((rows_only, "Valid Duration"),
                           (FULL_LOG.split("packet,")[0], "per-message rows")):
            try:
                self.kb.parse_full_log(text)
            except self.kb.Failure as e:
                if what not in str(e):
                    return f"a log without {what}: error {e!r} does not name it"
            else:
                return f"a log without {what} was accepted"
        return None

    def iperf3(self):
        doc = {"end": {"sum_sent": {"bits_per_second": 1.2e9, "packets": 9},
                       "sum_received": {"bits_per_second": 4.8e8, "lost_percent": 60.0}}}
        f = self.kb.parse_iperf3(json.dumps(doc))
        if (round(f["sent_mbps"]), round(f["received_mbps"]), f["lost_pct"]) != (1200, 480, 60.0):
            return f"flood {f}, expected 1200 sent, 480 received, 60% lost"
        try:
            self.kb.parse_iperf3(json.dumps({"error": "unable to connect to server"}))
        except self.kb.Failure as e:
            if "unable to connect" not in str(e):
                return f"iperf3's error is not passed on: {e}"
        else:
            return "an iperf3 error was accepted"
        return None

    def shaper(self):
        prio = [" ".join(c) for c in self.kb.tc_commands("htb-prio", "x0", 500)]
        want = ["classid 1:10 htb rate 150mbit burst 18750b ceil 150mbit cburst 18750b "
                "quantum 1514 prio 0",
                "classid 1:20 htb rate 350mbit burst 43750b ceil 500mbit cburst 62500b "
                "quantum 1514 prio 1",
                "htb default 20", "parent 1:20 handle 20: pfifo limit 1000",
                f"match ip dport {self.kb.PROBE_PORT} 0xffff flowid 1:10"]
        missing = [w for w in want if not any(w in c for c in prio)]
        if missing:
            return f"htb-prio lacks {missing}: {prio}"
        fifo = [" ".join(c) for c in self.kb.tc_commands("fifo", "x0", 500)]
        if sum("class add" in c for c in fifo) != 1 or any("prio" in c for c in fifo):
            return f"fifo is not one class without prio: {fifo}"
        try:
            self.kb.tc_commands("red", "x0", 500)
        except ValueError as e:
            if "red" not in str(e):
                return f"the error does not name the variant: {e}"
        else:
            return "an unknown variant was accepted"
        return None

    def load(self):
        with tempfile.TemporaryDirectory() as d:
            for v, rep, p99 in (("fifo", 2, 3000.0), ("fifo", 1, 5000.0),
                                ("htb-prio", 1, 60.0), ("htb-prio", 2, 80.0),
                                ("htb-prio", 3, 70.0)):
                with open(os.path.join(d, f"kernel-{v}-r{rep}.json"), "w") as f:
                    json.dump(raw_doc(v, rep, p99), f)
            with open(os.path.join(d, "modes-fifo-r1.json"), "w") as f:
                f.write("{}")
            k = self.kb.load(d)
            self.kb.write_csv(k, d)
            with open(os.path.join(d, "kernel.csv")) as f:
                csv_rows = f.read().splitlines()
        if list(k) != ["kernel-htb-prio", "kernel-fifo"]:
            return f"runs {list(k)}, expected htb-prio then fifo"
        if [d["probe"]["rtt_us"]["p99"] for d in k["kernel-fifo"]] != [5000.0, 3000.0]:
            return "fifo's runs are not in repeat order"
        s = self.kb.summary(k)
        if s["kernel-htb-prio"]["p99"] != (70.0, 60.0, 80.0):
            return f"htb-prio p99 {s['kernel-htb-prio']['p99']}, expected (70, 60, 80)"
        if s["kernel-fifo"]["loss_pct"] != (1.0, 1.0, 1.0):
            return f"fifo loss {s['kernel-fifo']['loss_pct']}, expected 1%"
        if len(csv_rows) != 6 or not csv_rows[1].startswith("kernel-htb-prio,1,20.0,30.0,60.0"):
            return f"kernel.csv: {csv_rows[:2]}"
        cdf = self.kb.pooled_cdf(k["kernel-htb-prio"])
        if cdf[1][-1] != 1.0 or cdf[2] != 12:
            return f"pooled CDF ends at {cdf[1][-1]} over {cdf[2]} round trips, expected 1 over 12"
        return None

    def kernel_results(self, sent_mbps=1000.0):
        return {"kernel-htb-prio": [raw_doc("htb-prio", 1, 60.0, sent_mbps)],
                "kernel-fifo": [raw_doc("fifo", 1, 5000.0, sent_mbps)]}

    def report(self):
        modes = {"fifo": [client_doc(900.0)], "priority": [client_doc(50.0)]}
        text = "\n".join(self.kb.report_lines(self.kernel_results(), modes))
        want = ["## 7.", "| qosdt `fifo` | 10.0 | 20.0 | 900.0 | 1800.0 | 2700.0 |",
                "| qosdt `priority` |", "| **kernel-htb-prio** | 20.0 | 30.0 | 60.0 | 61.0 |",
                "| **kernel-fifo** |", "1000 / 480", "p99 60.0 us", "5000.0 us",
                "(50.0 us) is below the kernel's prio class (60.0 us)"]
        missing = [w for w in want if w not in text]
        if missing:
            return f"the section lacks {missing}:\n{text}"
        if "not oversubscribed" in text:
            return "a flood at twice the shaper is called too weak"
        if "left at only" in text:
            return "a probe sent at 10 kpps is called too slow"
        weak = self.kernel_results(600.0)
        weak["kernel-fifo"][0]["probe"]["sent_pps"] = 4770.0
        weak = "\n".join(self.kb.report_lines(weak, modes))
        if "sent only 600 Mbit/s" not in weak:
            return "a flood of 600 Mbit/s against a 500 Mbit/s shaper is not called out"
        if "left at only 4.77 kpps" not in weak:
            return "a probe sent at 4.77 of 10 kpps is not called out"
        if self.kb.report_lines({}, modes):
            return "a run without the kernel experiment has its section"
        rep = eval_report
        res = {"meta": {"date": "d", "command": "make eval", "cpu": "c", "cpus": 2,
                        "kernel": "6.1", "debian": "12", "dpdk": "22.11", "hugepages": False,
                        "loadavg": 0.1, "repeat": 1, "noise_seconds": 1, "noise": {}},
               "pmd": None, "modes": {}, "loadshift": {}, "isolation": {},
               "kernel": self.kernel_results()}
        with tempfile.TemporaryDirectory() as d:
            with open(rep.write(res, {}, d, [], {}, {})) as f:
                if "| **kernel-fifo** |" not in f.read():
                    return "make eval's perf.md has no kernel rows"
        return None

    def figures(self):
        try:
            importlib.import_module("matplotlib")
        except ImportError:
            raise qosdt_cases.Skip("python3-matplotlib is not installed (make eval installs it)")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots()
        self.kb.draw_realtime_cdf(ax, self.kernel_results())
        labels = [line.get_label() for line in ax.get_lines()]
        plt.close(fig)
        if labels != ["kernel-htb-prio", "kernel-fifo"]:
            return f"curves {labels}, expected kernel-htb-prio and kernel-fifo"
        return None

    def cleanup(self):
        if os.geteuid() != 0:
            raise qosdt_cases.Skip("not root: the case makes real network namespaces")
        if self.kb.missing_tools():
            raise qosdt_cases.Skip(self.kb.missing_tools())

        def ours():
            out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
            return sorted(line.split()[0] for line in out.splitlines()
                          if line.startswith(f"qosdt-kb-{os.getpid()}-"))
        # The shaper's last command is one tc refuses.
        real = self.kb.tc_commands
        self.kb.tc_commands = lambda v, dev, rate: real(v, dev, rate) + [["qdisc", "bogus"]]
        try:
            with self.kb.Netns("htb-prio", 500, lambda m: None):
                return "a shaper with a bogus tc command was set up"
        except self.kb.Failure as e:
            if "tc qdisc bogus" not in str(e):
                return f"the error does not name the tc command: {e}"
        finally:
            self.kb.tc_commands = real
        if ours():
            return f"namespaces left after a failed set-up: {ours()}"
        # A run killed before it could clean up: its pid no longer lives.
        dead = subprocess.Popen(["true"])
        dead.wait()
        stale = f"qosdt-kb-{dead.pid}-c"
        subprocess.run(["ip", "netns", "add", stale], check=True)
        try:
            gone = self.kb.remove_stale()
        finally:
            subprocess.run(["ip", "netns", "del", stale], capture_output=True)
        if stale not in gone:
            return f"{stale} (its pid is dead) was not removed: {gone}"
        return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: kernel_baseline.py SOURCE_ROOT")
    t = Cases(os.path.abspath(sys.argv[1]))
    t.case("percentiles: nearest rank", t.percentiles)
    t.case("histogram: 1/32-octave buckets, every value counted", t.histogram)
    t.case("sockperf full log: round trips, counts, errors named", t.full_log)
    t.case("iperf3: flood rates, errors passed on", t.iperf3)
    t.case("shaper: prio class for the probe, or one FIFO class", t.shaper)
    t.case("raw files: order, median over repeats, kernel.csv, CDF", t.load)
    t.case("report: qosdt's realtime beside both kernel rows", t.report)
    t.case("figures: two kernel curves in the realtime panel", t.figures)
    t.case("namespaces removed after a failed set-up and after a killed run", t.cleanup)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
