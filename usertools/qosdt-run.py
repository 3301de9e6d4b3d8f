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
import os
import signal
import sys
import time

from qosdt import SOURCE_ROOT
from qosdt.apprun import AppRun, run_pingpong, say, PINGPONG_COUNT
from qosdt.eal import CLIENT_CORE, MEM_MB, SERVER_CORE, hugepages_ok
from qosdt.hops import budget_lines
from qosdt.noise import noise_line, noise_probe
from qosdt.tables import goal_lines, idle_line, notes, share_line, table


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
