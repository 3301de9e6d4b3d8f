#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Load-shift: the adaptive controller against the static configuration.

Runs config/load-shift.json twice in one go, a server and a client over
net_shm each time (the same launcher as make run, usertools/qosdt-run.py):
first with the static configuration (--adaptive off), then with the
controller (--adaptive on). Both use config/qos.json in priority mode.
From the client's per-window record ("windows" in the results, one entry
per 100 ms monitoring window) it prints, per phase and side by side:

  sched       class-windows that missed an SLO, judged by the QoS core's
              own monitor (the client's scheduler): what the controller
              acts on, and what the goal is judged on
  e2e         the same, judged on the client's round trips (the server,
              the channel and every host stall added), with the noise
              floor the static run shows while nothing is shifted
  recovery    control periods from the first violation of the class the
              shift hits (the one whose offered rate grew most) to the
              first run of HEALTHY_RUN windows in which it missed nothing
              (0: the shift caused no violation in its first
              BITE_WINDOWS windows); a phase whose shift adds no load has
              nothing to recover from
  changes     the controller's changes in the phase (in its steady part:
              after its first STEADY_AFTER_S seconds)

then the totals, the ratio adaptive / static, and a verdict per goal
(doc/adaptive.md): violations at most 20% of static's, recovery within 5
control periods after each shift, at most STEADY_CHANGES_MAX changes in the
steady part of any phase. Results: build/run/loadshift-{static,adaptive}.json
and build/run/loadshift-summary.json.

Exit status: 0 when both runs completed (a missed goal is reported, not an
error, unless --check); 1 when a run failed, or with --check a goal was
missed; 2 on bad arguments. With --check it ends with the summary line
buildtools/test-summary.py counts: a case per goal (a failed run: one
failed case).

Usage: usertools/qosdt-loadshift.py [--build DIR] [--duration S] [--check]
"""
import argparse
import importlib.util
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qosdt_scenario import frame_bps  # noqa: E402

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = "config/qos.json"
SCENARIO = "config/load-shift.json"
MODE = "priority"
SIDES = ("static", "adaptive")
NAME = "adaptive_loadshift_perf"   # in the --check summary line

HEALTHY_RUN = 3             # windows in a row with no class missing: recovered
BITE_WINDOWS = 10           # a shift that causes no violation this soon did not bite
STEADY_AFTER_S = 1.0        # a phase's steady part starts this long after its shift
STEADY_CHANGES_MAX = 6      # changes allowed in a steady part (decays back included)
RATIO_MAX = 0.20            # goal: adaptive violations / static violations
RECOVERY_PERIODS_MAX = 5    # goal: recovery after each shift


def load_runner():
    path = os.path.join(SOURCE_ROOT, "usertools", "qosdt-run.py")
    spec = importlib.util.spec_from_file_location("qosdt_run", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def window_rows(doc):
    """(t_end, window_s, {class: (rtt_missed, sched_missed)}) per window
    that ended within the scenario (the drain after it is left out)."""
    w = doc["windows"]
    end = sum(p["duration_s"] for p in doc["phases"]) + 1e-6
    t = w["t_s"]
    rows = []
    for i, te in enumerate(t):
        if te > end:
            break
        width = te - (t[i - 1] if i else 0.0)
        rows.append((te, width, {c: (s["missed"][i], s["sched_missed"][i])
                                 for c, s in w["classes"].items()}))
    return rows


def phase_of(doc, t):
    for i, p in enumerate(doc["phases"]):
        if p["start_s"] <= t < p["start_s"] + p["duration_s"]:
            return i
    return len(doc["phases"]) - 1


def class_of_service(config):
    """service id -> class name, from the config's service map."""
    svc = config.get("services", {})
    default = svc.get("default", "best_effort")
    table = {}
    for rule in svc.get("map", []):
        ids = str(rule["ids"]).split("-")
        for i in range(int(ids[0]), int(ids[-1]) + 1):
            table[i] = rule["class"]
    return lambda sid: table.get(sid, default)


def phase_targets(scenario, config):
    """Per phase, the class whose offered bit rate grew most at its start
    (the class the shift hits), or None (first phase, or no growth)."""
    cls_of = class_of_service(config)
    channel_bps = frame_bps({"rate": config["channel"]["rate"], "size": 0}, 0)
    offered = []
    for p in scenario["phases"]:
        per = {}
        for f in p["flows"]:
            c = cls_of(f["service"])
            per[c] = per.get(c, 0) + frame_bps(f, channel_bps)
        offered.append(per)
    targets = [None]
    for prev, cur in zip(offered, offered[1:]):
        growth = {c: cur.get(c, 0) - prev.get(c, 0) for c in cur}
        best = max(growth, key=growth.get) if growth else None
        targets.append(best if best and growth[best] > 0 else None)
    return targets


def recovery_periods(rows, start, end, period_s, target, side):
    """Control periods from the first violation of @target (a class; None:
    every class) within BITE_WINDOWS of the shift at @start, until the first
    HEALTHY_RUN windows in a row where it missed nothing (@side 0: round
    trip, 1: in the scheduler); 0: the shift did not bite; None: never
    within [start, end)."""
    inside = [r for r in rows if r[0] - r[1] >= start - 1e-6 and r[0] <= end + 1e-6]
    bad = [any(v[side] for c, v in r[2].items() if target in (None, c)) for r in inside]
    first = next((i for i, b in enumerate(bad[:BITE_WINDOWS]) if b), None)
    if first is None:
        return 0
    for i in range(first, len(inside) - HEALTHY_RUN + 1):
        if not any(bad[i:i + HEALTHY_RUN]):
            bite = inside[first][0] - inside[first][1]
            return math.ceil((inside[i][0] - inside[i][1] - bite) / period_s - 1e-6)
    return None


def summarise(doc, period_s, targets):
    rows = window_rows(doc)
    phases = []
    timeline = doc["adaptive"].get("timeline", [])
    for i, p in enumerate(doc["phases"]):
        start, end = p["start_s"], p["start_s"] + p["duration_s"]
        mine = [r for r in rows if phase_of(doc, r[0] - r[1] / 2) == i]
        changes = [c for c in timeline if start <= c["t_s"] < end]
        phases.append({
            "name": p["name"],
            "windows": len(mine),
            "violations": sum(1 for r in mine for m, _ in r[2].values() if m),
            "sched_violations": sum(1 for r in mine for _, s in r[2].values() if s),
            "target": targets[i],
            "recovery_periods": (recovery_periods(rows, start, end, period_s,
                                                  targets[i], 0) if targets[i] else None),
            "sched_recovery_periods": (recovery_periods(rows, start, end, period_s,
                                                        targets[i], 1)
                                       if targets[i] else None),
            "changes": len(changes),
            "steady_changes": sum(1 for c in changes if c["t_s"] >= start + STEADY_AFTER_S),
        })
    per_class = {c: sum(1 for r in rows if r[2][c][0]) for c in rows[0][2]} if rows else {}
    return {
        "phases": phases,
        "violations": sum(p["violations"] for p in phases),
        "sched_violations": sum(p["sched_violations"] for p in phases),
        "per_class": per_class,
        "changes": len(timeline),
        "counters": doc["adaptive"].get("counters"),
    }


def ratio(a, s):
    return a / s if s else (0.0 if a == 0 else math.inf)


def fmt_rec(p, first=False):
    return "-" if first else "never" if p is None else str(p)


def report(summ, period_s):
    s, a = summ["static"], summ["adaptive"]
    print(f"\nload-shift, {CONFIG} {MODE}: static vs adaptive (control period "
          f"{period_s * 1000:.0f} ms); violations = class-windows that missed an SLO")
    print("  sched: as judged by the QoS core's own monitor (the scheduler's queueing;")
    print("         /qosdt/stats slo_violation_windows), which the controller acts on;")
    print("  e2e:   as judged on the client's round trips, which add the server, the")
    print("         channel and every host stall; static / adaptive in each column")
    print(f"{'phase':<18} {'windows':>7} {'sched':>13} {'e2e':>13} "
          f"{'recovery sched':>15} {'e2e':>13} {'changes (steady)':>17}")
    for i, (ps, pa) in enumerate(zip(s["phases"], a["phases"])):
        na = not pa["target"]
        print(f"{ps['name']:<18} {pa['windows']:>7} "
              f"{ps['sched_violations']:>5} / {pa['sched_violations']:<5} "
              f"{ps['violations']:>5} / {pa['violations']:<5} "
              f"{fmt_rec(ps['sched_recovery_periods'], na):>7} / "
              f"{fmt_rec(pa['sched_recovery_periods'], na):<5} "
              f"{fmt_rec(ps['recovery_periods'], na):>5} / "
              f"{fmt_rec(pa['recovery_periods'], na):<5} "
              f"{pa['changes']:>6} ({pa['steady_changes']})"
              + (f"  shift hits {pa['target']}" if pa["target"] else ""))
    r = ratio(a["violations"], s["violations"])
    rs = ratio(a["sched_violations"], s["sched_violations"])
    print(f"{'total':<18} {'':>7} {s['sched_violations']:>5} / {a['sched_violations']:<5} "
          f"{s['violations']:>5} / {a['violations']:<5}")
    print("per class, e2e (static / adaptive): " + ", ".join(
        f"{c} {s['per_class'].get(c, 0)} / {a['per_class'].get(c, 0)}" for c in s["per_class"]))
    print(f"ratio adaptive / static: {rs:.3f} sched, {r:.3f} e2e")
    # The floor no knob moves: the static run's e2e violation rate while
    # nothing is shifted (its unshifted phases), over every window.
    calm = [p for p in s["phases"] if not p["target"]]
    calm_w = sum(p["windows"] for p in calm)
    if calm_w:
        rate = sum(p["violations"] for p in calm) / calm_w
        total_w = sum(p["windows"] for p in s["phases"])
        floor = rate * total_w
        print(f"e2e noise floor: {rate:.2f} class-windows per window in the static run's "
              f"unshifted phases, about {floor:.0f} over the run in either; beyond it: "
              f"static {max(s['violations'] - floor, 0):.0f}, adaptive "
              f"{max(a['violations'] - floor, 0):.0f}")
    verdicts = {}
    verdicts["violations"] = (rs <= RATIO_MAX,
                              f"sched {a['sched_violations']} vs {s['sched_violations']}: "
                              f"{rs:.3f} (goal <= {RATIO_MAX:.2f}); e2e {r:.3f}")
    shifts = [p for p in a["phases"] if p["target"]]
    worst = [p["sched_recovery_periods"] for p in shifts]
    ok = all(p is not None and p <= RECOVERY_PERIODS_MAX for p in worst)
    verdicts["recovery"] = (ok, "after each shift, sched (e2e): " + ", ".join(
        f"{p['name']} {fmt_rec(p['sched_recovery_periods'])} "
        f"({fmt_rec(p['recovery_periods'])})" for p in shifts)
        + f" periods (goal <= {RECOVERY_PERIODS_MAX})")
    steady = max(p["steady_changes"] for p in a["phases"])
    verdicts["oscillation"] = (steady <= STEADY_CHANGES_MAX,
                               f"at most {steady} changes in a phase's steady part "
                               f"(bound {STEADY_CHANGES_MAX})")
    for k, (ok, text) in verdicts.items():
        print(f"goal {k:<12} {'met' if ok else 'MISSED'}: {text}")
    return verdicts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build dir holding app/qosdt (build)")
    ap.add_argument("--duration", type=float, default=0,
                    help="run the scenario in S seconds (its phases scaled; default: "
                         "its own 28 s)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    a = ap.parse_args()
    if a.duration < 0 or a.duration > 600:
        ap.error("--duration must be in [0, 600] seconds")
    r = load_runner()
    build = os.path.abspath(a.build)
    binary = os.path.join(build, "app", "qosdt")
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: {binary} not found or not executable (build it: ninja -C {a.build})")
    out_dir = os.path.join(build, "run")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(SOURCE_ROOT, CONFIG)) as f:
        config = json.load(f)
    period_s = config.get("adaptive", {}).get("period_ms", 100) / 1000
    with open(os.path.join(SOURCE_ROOT, SCENARIO)) as f:
        scenario = json.load(f)
    scen_s = sum(float(p["duration"].rstrip("s")) for p in scenario["phases"])
    targets = phase_targets(scenario, config)
    duration = a.duration or scen_s
    t0 = time.monotonic()
    docs, errors = {}, []
    for side in SIDES:
        run = r.AppRun(binary, f"ls-{side}", MODE, CONFIG, SCENARIO, duration,
                       os.path.join(out_dir, f"loadshift-{side}.json"), out_dir,
                       echo=True, stats_period=0,
                       extra=["--adaptive", "on" if side == "adaptive" else "off",
                              "--stats-period", "0"])
        errs = run.run()
        errors += errs
        for e in errs:
            r.say(f"ERROR: {e}")
        if run.failed_procs:
            print(run.tails(), flush=True)
        if not errs:
            for log in run.logs:
                os.unlink(log)
            docs[side] = run.results
    if errors:
        print(f"FAILED: {len(errors)} error(s)")
        if a.check:
            print(f"qosdt-test summary: name={NAME} passed=0 failed=1 skipped=0",
                  flush=True)
        return 1
    summ = {side: summarise(docs[side], period_s, targets) for side in SIDES}
    verdicts = report(summ, period_s)
    summ["verdicts"] = {k: {"met": ok, "text": t} for k, (ok, t) in verdicts.items()}
    with open(os.path.join(out_dir, "loadshift-summary.json"), "w") as f:
        json.dump(summ, f, indent=2)
    print(f"results in {out_dir} (loadshift-*.json); total {time.monotonic() - t0:.0f} s")
    if a.check:
        met = sum(ok for ok, _ in verdicts.values())
        print(f"qosdt-test summary: name={NAME} passed={met} "
              f"failed={len(verdicts) - met} skipped=0", flush=True)
        if met < len(verdicts):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
