#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The evaluation suite: runs every experiment of the performance chapter
on this host, then writes its raw data, its figures and doc/perf.md.

What `make eval` runs (`make eval QUICK=1`: --quick). The matrix:

  pmd        net_shm vs net_memif in two stock dpdk-testpmd processes
             (txonly -> rxonly), frame sizes 64..1500 B: Mpps, Gbit/s, ratio
  modes      config/mixed-overload.json under fifo, wrr, priority and
             priority + the adaptive controller: per-class latency CDFs,
             throughput, and the table against the original design
  loadshift  config/load-shift.json, static vs adaptive: SLO violations
             over time, in LOADSHIFT_PAIRS interleaved pairs (5; 2 with
             --quick) whatever --repeat says, as usertools/qosdt-loadshift.py
             runs them: the figure and the table judge the median of the
             per-pair ratios
  isolation  config/be-flood.json: realtime's latency and every class's
             buffer use while best effort floods the channel
  kernel     the kernel baseline: realtime's probe over veth between two
             network namespaces, tc HTB with a prio class and with one FIFO,
             flooded (usertools/qosdt/kernel_baseline.py; needs root)
  tenants    one service VM (config/tenants.json, three ports), three
             client VMs at once: A floods best effort at 5x the channel
             (config/tenant-flood.json), B mixed-overload, C idle-latency;
             the same with A idle (a control); B solo and C solo; issue 16's
             goals judged per repeat (usertools/qosdt/tenants.py)

Each repeat runs the whole matrix once (repeats are interleaved, so slow
drift of a shared machine hits every experiment alike); the full mode
repeats it --repeat times (default 3) and reports medians with min-max.
A progress line precedes every run, with the time left.

Raw data go to OUT/raw (the client's results JSON of each run,
doc/results.md, and the PMD benchmark's samples), summaries to OUT/*.csv
and OUT/eval.json. The figures (PNG and SVG) and the report go to DOC:
doc/perf/ and doc/perf.md in full mode; OUT itself in quick mode, so that
a quick run never overwrites the committed chapter. --from-raw redraws the
figures and the report from an earlier run's OUT/raw without running
anything.

Exit status: 0 when every run completed; 1 when one failed (what was
measured is still reported); 2 on bad arguments.

Usage: usertools/qosdt-eval.py [--build DIR] [--quick] [--repeat N]
       [--out DIR] [--doc DIR] [--only EXP ...] [--from-raw]
"""
import argparse
import datetime
import glob
import json
import os
import platform
import shlex
import subprocess
import sys
import time

from qosdt import SOURCE_ROOT
from qosdt import eval_data as data
from qosdt import kernel_baseline as kbase
from qosdt import tenants
from qosdt.apprun import AppRun
from qosdt.eal import CLIENT_CORE, MEM_MB, SERVER_CORE, hugepages_ok
from qosdt.noise import noise_probe
from qosdt.pmd_bench import Bench

CONFIG = "config/qos.json"
EXPERIMENTS = ("pmd", "modes", "loadshift", "isolation", "kernel", "tenants")
# name: (scheduler mode, adaptive controller on)
MODES = {"fifo": ("fifo", False), "wrr": ("wrr", False),
         "priority": ("priority", False), "priority+adaptive": ("priority", True)}
SCENARIOS = {"modes": "config/mixed-overload.json",
             "loadshift": "config/load-shift.json",
             "isolation": "config/be-flood.json"}
PMD_SIZES = (64, 128, 256, 512, 1024, 1500)
# Seconds per run: (full, quick). The app runs' full durations are their
# scenarios' own; quick ones scale the phases down.
APP_SECONDS = {"modes": (10, 4), "loadshift": (28, 14), "isolation": (12, 6), "kernel": (10, 4),
               "tenants": (10, 4)}
# Static/adaptive pairs of loadshift (full, quick): the load-shift tool's 5.
LOADSHIFT_PAIRS = (5, 2)
PMD_SECONDS = {"duration": (5, 2), "warmup": (2, 1)}
# The spin-loop probe of the host's stalls before and after the runs, s.
NOISE_SECONDS = (10, 3)
# Measured start-up and tear-down around a run, for the time estimate.
APP_OVERHEAD_S = 2.5
PMD_OVERHEAD_S = 4.5
TENANTS_OVERHEAD_S = 3.5


def say(msg):
    print(f"[eval] {msg}", flush=True)


def mmss(s):
    s = max(0, int(round(s)))
    return f"{s // 60}:{s % 60:02d}"


class Plan:
    """The runs in order, their estimated lengths, and the progress line."""

    def __init__(self):
        self.runs = []          # (label, estimate_s, fn)
        self.t0 = None
        self.estimated_done = 0.0

    def add(self, label, estimate, fn):
        self.runs.append((label, estimate, fn))

    def total(self):
        return sum(e for _, e, _ in self.runs)

    def execute(self):
        self.t0 = time.monotonic()
        errors = []
        for i, (label, est, fn) in enumerate(self.runs):
            spent = time.monotonic() - self.t0
            left = sum(e for _, e, _ in self.runs[i:])
            # Scale what is left by how the estimates have held so far.
            if self.estimated_done > 0:
                left *= spent / self.estimated_done
            say(f"run {i + 1}/{len(self.runs)}: {label} (~{est:.0f} s); "
                f"elapsed {mmss(spent)}, about {mmss(left)} left")
            err = fn()
            if err:
                say(f"ERROR: {label}: {err}")
                errors.append(f"{label}: {err}")
            self.estimated_done += est
        return errors


class Suite:
    def __init__(self, a):
        self.a = a
        self.build = os.path.abspath(a.build)
        self.binary = os.path.join(self.build, "app", "qosdt")
        self.raw = os.path.join(a.out, "raw")
        self.quick = a.quick
        self.pmd_runs = []

    def seconds(self, exp):
        return APP_SECONDS[exp][1 if self.quick else 0]

    # ------------------------------------------------------------ app runs

    def app_run(self, exp, name, mode, adaptive, rep):
        """One server + client run; its client results go to raw/."""
        path = os.path.join(self.raw, f"{exp}-{name}-r{rep + 1}.json")
        run = AppRun(
            self.binary, f"eval-{exp}-{name}", mode, CONFIG, SCENARIOS[exp],
            self.seconds(exp), path, self.raw, stats_period=0,
            server_results=os.path.join(self.raw, f"server-{exp}-{name}-r{rep + 1}.json"),
            extra=["--adaptive", "on" if adaptive else "off"])
        errors = run.run()
        if run.failed_procs:
            print(run.tails(), flush=True)
        if errors:
            return "; ".join(errors)
        for log in run.logs:
            os.unlink(log)
        say("  " + "; ".join(
            f"{c} p99 {v['latency_us']['p99']:.0f} us, {v['throughput_mbps']:.0f} Mbit/s"
            for c, v in run.results["classes"].items()))
        return None

    def tenants_run(self, name, clients, rep):
        """One run of the tenants experiment: a server on three ports and
        the clients of @clients; every results file goes to raw/."""
        def raw_name(vm):
            return os.path.join(self.raw, f"tenants-{name}-{vm}-r{rep + 1}.json" if vm
                                else f"server-tenants-{name}-r{rep + 1}.json")
        run = tenants.TenantsRun(self.binary, f"eval-tenants-{name}", clients,
                                 self.seconds("tenants"), self.raw, raw_name=raw_name)
        errors = run.run()
        if run.failed_procs:
            print(run.tails(), flush=True)
        if errors:
            return "; ".join(errors)
        run.remove_logs()
        for line in tenants.run_line(name, run.results):
            say(f"  {line}")
        return None

    # ------------------------------------------------------------ pmd runs

    def pmd_bench(self):
        if not hasattr(self, "_bench"):
            i = 1 if self.quick else 0
            args = argparse.Namespace(
                build=self.build, duration=PMD_SECONDS["duration"][i],
                warmup=PMD_SECONDS["warmup"][i], repeat=self.a.repeat, link_timeout=30,
                testpmd="dpdk-testpmd", verbose=False)
            # Its per-step log lines would drown the progress lines: keep
            # only warnings and errors.
            self._bench = Bench(args, log=lambda m: ("ERROR" in m or "WARNING" in m)
                                and say(f"pmd: {m}"))
            if not self._bench.testpmd:
                raise SystemExit("error: dpdk-testpmd not found (apt-get install dpdk)")
            why = self._bench.shm_unavailable()
            if why:
                raise SystemExit(f"error: net_shm cannot be loaded: {why}")
        return self._bench

    def pmd_run(self, pmd, size, rep):
        rec = self.pmd_bench().run_one(pmd, size, rep)
        self.pmd_runs.append(rec)
        with open(os.path.join(self.raw, "pmd.json"), "w") as f:
            json.dump({"runs": self.pmd_runs}, f, indent=1)
        if "error" in rec:
            return rec["error"]
        say(f"  {pmd} {size} B: {rec['median_mpps']:.2f} Mpps")
        return None

    # ---------------------------------------------------------------- plan

    def plan(self):
        p = Plan()
        only = self.a.only or EXPERIMENTS
        i = 1 if self.quick else 0
        pmd_est = PMD_SECONDS["duration"][i] + PMD_SECONDS["warmup"][i] + PMD_OVERHEAD_S
        for rep in range(self.a.repeat):
            tag = f"repeat {rep + 1}/{self.a.repeat}"
            if "pmd" in only:
                for size in PMD_SIZES:
                    for pmd in ("net_shm", "net_memif"):
                        p.add(f"pmd {pmd} {size} B, {tag}", pmd_est,
                              lambda pmd=pmd, size=size, rep=rep: self.pmd_run(pmd, size, rep))
            if "modes" in only:
                for name, (mode, adaptive) in MODES.items():
                    p.add(f"modes {name}, {tag}", self.seconds("modes") + APP_OVERHEAD_S,
                          lambda name=name, mode=mode, adaptive=adaptive, rep=rep:
                          self.app_run("modes", name, mode, adaptive, rep))
            if "loadshift" in only:
                # The pairs are spread over the repeats (pair k in repeat
                # k mod repeats), each static then adaptive.
                pairs = LOADSHIFT_PAIRS[i]
                for k in range(rep, pairs, self.a.repeat):
                    for side in ("static", "adaptive"):
                        p.add(f"loadshift {side}, pair {k + 1}/{pairs}",
                              self.seconds("loadshift") + APP_OVERHEAD_S,
                              lambda side=side, k=k:
                              self.app_run("loadshift", side, "priority",
                                           side == "adaptive", k))
            if "isolation" in only:
                p.add(f"isolation priority, {tag}", self.seconds("isolation") + APP_OVERHEAD_S,
                      lambda rep=rep: self.app_run("isolation", "priority", "priority", False, rep))
            for name, clients in tenants.benchmark_runs() if "tenants" in only else ():
                p.add(f"tenants {name}, {tag}", self.seconds("tenants") + TENANTS_OVERHEAD_S,
                      lambda name=name, clients=clients, rep=rep:
                      self.tenants_run(name, clients, rep))
            for v in kbase.VARIANTS if "kernel" in only else ():
                p.add(f"kernel {v}, {tag}", self.seconds("kernel") + 4, lambda v=v, rep=rep:
                      kbase.eval_run(self.raw, v, rep, self.seconds("kernel"), say))
        return p


# ------------------------------------------------------------------- machine

def _first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def noise(seconds):
    """The host's stalls of a bare spin loop on both cores."""
    return {str(c): {"stall_fraction": v[0], "stalls_per_s": v[1], "stalls_20us_per_s": v[2],
                     "stalls_1ms_per_s": v[3], "longest_stall_us": v[4]}
            for c, v in noise_probe([SERVER_CORE, CLIENT_CORE], seconds).items()}


def machine(noise_s):
    """What the report says about the host the figures came from."""
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    debian = ""
    if os.path.exists("/etc/debian_version"):
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    with open("/proc/loadavg") as f:
        load = float(f.read().split()[0])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cpus": len(os.sched_getaffinity(0)),
        "kernel": platform.release(), "debian": debian,
        "dpdk": _first_line(["pkg-config", "--modversion", "libdpdk"]),
        "hugepages": hugepages_ok(MEM_MB),
        "loadavg": load,
        "noise": noise(noise_s),
        "noise_seconds": noise_s,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build dir holding app/qosdt (build)")
    ap.add_argument("--quick", action="store_true",
                    help="short runs, one repeat: the whole matrix in under 5 minutes")
    ap.add_argument("--repeat", type=int, default=0,
                    help="repeats of the matrix (default 3; 1 with --quick)")
    ap.add_argument("--out", default="", help="raw data and summaries (build/eval, "
                    "build/eval-quick with --quick)")
    ap.add_argument("--doc", default="", help="figures and perf.md (doc, or OUT with --quick)")
    ap.add_argument("--only", action="append", choices=EXPERIMENTS,
                    help="run only this experiment (repeatable); the report covers what ran")
    ap.add_argument("--from-raw", action="store_true",
                    help="redraw figures and report from OUT/raw, run nothing")
    a = ap.parse_args()
    if a.repeat < 0 or a.repeat > 20:
        ap.error("--repeat must be in 1..20")
    a.repeat = a.repeat or (1 if a.quick else 3)
    a.out = os.path.abspath(a.out or os.path.join(a.build, "eval-quick" if a.quick else "eval"))
    a.doc = os.path.abspath(a.doc or (a.out if a.quick else os.path.join(SOURCE_ROOT, "doc")))
    try:
        from qosdt import eval_figures as figures
        from qosdt import eval_report as report
    except ImportError as e:
        sys.exit(f"error: {e}: make eval installs python3-matplotlib "
                 "(or: apt-get install python3-matplotlib)")

    suite = Suite(a)
    raw = suite.raw
    errors = []
    # make eval says how it was invoked; else this script's own command line.
    command = (os.environ.get("QOSDT_EVAL_COMMAND")
               or shlex.join(["python3", "usertools/qosdt-eval.py"] + sys.argv[1:]))
    if not a.from_raw:
        if not os.access(suite.binary, os.X_OK):
            sys.exit(f"error: {suite.binary} not found or not executable "
                     f"(build it: make, or ninja -C {a.build})")
        os.makedirs(raw, exist_ok=True)
        for old in glob.glob(os.path.join(raw, "*.json")):
            os.unlink(old)               # never mix two runs' data
        noise_s = NOISE_SECONDS[1 if a.quick else 0]
        say(f"probing the host's stalls on both cores ({noise_s:g} s)")
        meta = machine(noise_s)
        meta.update(command=command, quick=a.quick, repeat=a.repeat,
                    experiments=a.only or list(EXPERIMENTS))
        if meta["loadavg"] > 0.5:
            say(f"WARNING: load average {meta['loadavg']:.2f}: other work shares these "
                "cores; the figures will be noisy")
        plan = suite.plan()
        say(f"{len(plan.runs)} runs, about {mmss(plan.total())} (min:s) in all")
        errors = plan.execute()
        meta["elapsed_s"] = time.monotonic() - plan.t0
        say(f"probing the host's stalls again ({noise_s:g} s)")
        meta["noise_after"] = noise(noise_s)
        with open(os.path.join(raw, "meta.json"), "w") as f:
            json.dump(meta, f, indent=2)
    results = data.load(raw, MODES, PMD_SIZES)
    if results is None:
        sys.exit(f"error: no raw data in {raw} (run without --from-raw first)")
    results["kernel"] = kbase.load(raw)
    data.write_csv(results, a.out)
    kbase.write_csv(results["kernel"], a.out)
    if not a.quick:
        data.write_csv(results, os.path.join(a.doc, "perf", "data"))
        kbase.write_csv(results["kernel"], os.path.join(a.doc, "perf", "data"))
    slo_us, guarantees = data.config_targets(os.path.join(SOURCE_ROOT, CONFIG))
    objectives = data.service_objectives(os.path.join(SOURCE_ROOT, CONFIG))
    figs = figures.draw_all(results, os.path.join(a.doc, "perf"), slo_us, guarantees,
                            objectives)
    path = report.write(results, figs, a.doc, errors, slo_us, guarantees)
    say(f"raw data in {raw}, summaries in {a.out}, figures in "
        f"{os.path.join(a.doc, 'perf')}, report {path}")
    if errors:
        say(f"{len(errors)} run(s) failed: " + "; ".join(errors))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
