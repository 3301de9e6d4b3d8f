# SPDX-License-Identifier: BSD-3-Clause
"""Load-shift's judging (usertools/qosdt-loadshift.py, doc/adaptive.md): the
experiment (CONFIG, SCENARIO, MODE), each run's summary per phase from the
client's per-window record, the per-pair numbers, and report(), which
prints the tables and judges each goal on the median over the pairs.
"""
import math

from .scenario import frame_bps

CONFIG = "config/qos.json"
SCENARIO = "config/load-shift.json"
MODE = "priority"
SIDES = ("static", "adaptive")
NAME = "adaptive_loadshift_perf"   # in the --check summary line

HEALTHY_RUN = 3             # windows in a row with no class missing: recovered
BITE_WINDOWS = 10           # a shift that causes no violation this soon did not bite
STEADY_AFTER_S = 1.0        # a phase's steady part starts this long after its shift
STEADY_CHANGES_MAX = 6      # changes allowed in a steady part (decays back included)
RATIO_MAX = 0.20            # goal: adaptive / static scheduler violations (median)
E2E_RATIO_MAX = 0.35        # goal: adaptive / static round-trip violations (median)
RECOVERY_PERIODS_MAX = 5    # goal: recovery after each shift
PAIRS = 5                   # interleaved static/adaptive pairs


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
            "timeline": changes,
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


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def spread(xs):
    xs = [x for x in xs if x is not None]
    return (min(xs), max(xs)) if xs else (None, None)


def fmt_num(x, nd=3):
    if x is None:
        return "never"
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    return f"{x:.{nd}f}" if isinstance(x, float) else str(x)


def fmt_med(xs, nd=3):
    lo, hi = spread(xs)
    return f"{fmt_num(median(xs), nd)} ({fmt_num(lo, nd)}..{fmt_num(hi, nd)})"


def fmt_rec(p, first=False):
    return "-" if first else "never" if p is None else str(p)


CLASS_SHORT = {"realtime": "rt", "throughput": "tp", "reliable": "rel", "best_effort": "be"}


def knob_value(ch, v):
    if ch["knob"] == "rate_cap":
        return f"{v / 1e6:.0f}M"
    if ch["knob"] == "aqm_target":
        return f"{v / 1e3:.0f}us"
    return str(v)


def describe_change(ch):
    """One line: when, what, why, the trade, and what it did to the
    class-windows missed in the windows before and after it."""
    why = ch["reason"]
    if why == "latency":
        why = f"{ch['for_class']} p99 {ch['measured'] / 1e3:.0f} us > {ch['objective'] / 1e3:.0f} us"
    elif why == "decay":
        why = f"decay after {ch['measured']} healthy windows"
    elif why == "undo":
        why = "undo: a class it took from missed in the window after"
    elif why in ("bandwidth", "backlog", "loss"):
        why = f"{ch['for_class']} {why} {ch['measured']} vs {ch['objective']}"
    trade = ""
    if ch.get("trade"):
        t = ch["trade"]
        p99 = "unbounded" if t["p99_us"] < 0 else f"{t['p99_us']:.0f} us"
        trade = (f"; trade: {t['class']} gets {t['get_mbps']:.0f} of {t['ask_mbps']:.0f} "
                 f"Mbit/s, p99 {p99} within {t['objective_us']:.0f} us")
    mb = ch.get("missed_before", {})
    ma = ch.get("missed_after", {})
    eff = (" | missed before " + " ".join(f"{CLASS_SHORT[c]} {mb.get(c, 0)}" for c in CLASS_SHORT)
           + f" in {ch.get('windows_before', 0)}, after "
           + " ".join(f"{CLASS_SHORT[c]} {ma.get(c, 0)}" for c in CLASS_SHORT)
           + f" in {ch.get('windows_after', 0)}: {ch.get('outcome', '?')}")
    return (f"{ch['t_s']:6.2f} s  {ch['class']} {ch['knob']} {knob_value(ch, ch['from'])} -> "
            f"{knob_value(ch, ch['to'])}: {why}{trade}{eff}")


def pair_numbers(p):
    s, a = p["static"], p["adaptive"]
    calm = {}
    for ps, pa in zip(s["phases"], a["phases"]):
        if not pa["target"]:
            calm[ps["name"]] = (ps["sched_violations"], pa["sched_violations"])
    return {
        "sched_ratio": ratio(a["sched_violations"], s["sched_violations"]),
        "e2e_ratio": ratio(a["violations"], s["violations"]),
        "recovery": {pa["name"]: pa["sched_recovery_periods"]
                     for pa in a["phases"] if pa["target"]},
        "e2e_recovery": {pa["name"]: pa["recovery_periods"]
                         for pa in a["phases"] if pa["target"]},
        "steady_max": max(pa["steady_changes"] for pa in a["phases"]),
        "changes": a["changes"],
        "calm": calm,
    }


def report(pairs, period_s):
    nums = [pair_numbers(p) for p in pairs]
    n = len(pairs)
    order = sorted(range(n), key=lambda i: nums[i]["sched_ratio"])
    mid = order[n // 2] if n % 2 else order[n // 2 - 1]
    print(f"\nload-shift, {CONFIG} {MODE}: {n} interleaved static/adaptive pair(s), control "
          f"period {period_s * 1000:.0f} ms; violations = class-windows that missed an SLO")
    print("  sched: as judged by the QoS core's own monitor (the scheduler's queueing;")
    print("         /qosdt/stats slo_violation_windows), which the controller acts on;")
    print("  e2e:   as judged on the client's round trips, which add the server, the")
    print("         channel and every host stall; static / adaptive in each column")
    print("\nper pair: sched static / adaptive (ratio), e2e static / adaptive (ratio), changes")
    for i, p in enumerate(pairs):
        s, a = p["static"], p["adaptive"]
        print(f"  pair {i + 1}: sched {s['sched_violations']:>4} / {a['sched_violations']:<4} "
              f"({nums[i]['sched_ratio']:.3f}), e2e {s['violations']:>4} / {a['violations']:<4} "
              f"({nums[i]['e2e_ratio']:.3f}), {a['changes']} changes"
              + ("   <- the median pair, below" if i == mid else ""))
    s, a = pairs[mid]["static"], pairs[mid]["adaptive"]
    print(f"\npair {mid + 1} (median), per phase:")
    print(f"{'phase':<18} {'windows':>7} {'sched':>13} {'e2e':>13} "
          f"{'recovery sched':>15} {'e2e':>13} {'changes (steady)':>17}")
    for ps, pa in zip(s["phases"], a["phases"]):
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
    print(f"{'total':<18} {'':>7} {s['sched_violations']:>5} / {a['sched_violations']:<5} "
          f"{s['violations']:>5} / {a['violations']:<5}")
    print("per class, e2e (static / adaptive): " + ", ".join(
        f"{c} {s['per_class'].get(c, 0)} / {a['per_class'].get(c, 0)}" for c in s["per_class"]))
    print("\nwhat the controller did, per phase and pair (changes, and the windows each class "
          f"missed in the {5} windows before and after each, from its own record):")
    for k, ph in enumerate(pairs[0]["adaptive"]["phases"]):
        print(f"  {ph['name']}:")
        for i, p in enumerate(pairs):
            tl = p["adaptive"]["phases"][k]["timeline"]
            if not tl:
                print(f"    pair {i + 1}: no change")
                continue
            print(f"    pair {i + 1}: {len(tl)} change(s)")
            for ch in tl:
                print(f"      {describe_change(ch)}")
    print("\ncontroller counters (per pair): " + "; ".join(
        ", ".join(f"{k} {v}" for k, v in (p["adaptive"]["counters"] or {}).items()
                  if k in ("changes", "raises", "decays", "trades", "trades_refused",
                           "unexplained", "undone"))
        for p in pairs))
    # The floor no knob moves: what each static run misses per window in
    # its unshifted phases (host stalls), over the whole run; what each side
    # has beyond it (for reading, not a goal).
    floors = []
    for i, p in enumerate(pairs):
        s_ = p["static"]
        calm = [ph for ph in s_["phases"] if not ph["target"]]
        cw = sum(ph["windows"] for ph in calm)
        if cw:
            rate = sum(ph["sched_violations"] for ph in calm) / cw
            floor = rate * sum(ph["windows"] for ph in s_["phases"])
            floors.append((rate, floor, max(s_["sched_violations"] - floor, 0),
                           max(p["adaptive"]["sched_violations"] - floor, 0)))
    if floors:
        print("sched noise floor (static's unshifted phases, per window; over the run), and "
              "what each side has beyond it, per pair: " + "; ".join(
                  f"{r:.2f}, {f:.0f}: static {bs:.0f}, adaptive {ba:.0f}"
                  for r, f, bs, ba in floors))
        net = [ratio(ba, bs) for _, _, bs, ba in floors]
        print(f"  beyond the floor, adaptive / static: median {fmt_med(net)}")
    verdicts = {}
    rs = [x["sched_ratio"] for x in nums]
    re_ = [x["e2e_ratio"] for x in nums]
    verdicts["violations"] = (median(rs) <= RATIO_MAX,
                              f"sched adaptive / static, median of {n} pairs "
                              f"{fmt_med(rs)} (goal <= {RATIO_MAX:.2f})")
    verdicts["round trip"] = (median(re_) <= E2E_RATIO_MAX,
                              f"e2e adaptive / static, median {fmt_med(re_)} "
                              f"(goal <= {E2E_RATIO_MAX:.2f})")
    calm_ok, calm_txt = True, []
    for name in nums[0]["calm"]:
        st = [x["calm"][name][0] for x in nums]
        ad = [x["calm"][name][1] for x in nums]
        lo, hi = spread(st)
        floor = hi - lo
        ok = median(ad) <= median(st) + floor
        calm_ok &= ok
        calm_txt.append(f"{name} static {fmt_med(st, 0)}, adaptive {fmt_med(ad, 0)}, "
                        f"noise floor {floor}")
    verdicts["calm"] = (calm_ok, "phases with no shift, sched: " + "; ".join(calm_txt)
                        + " (goal: adaptive median <= static median + floor)")
    rec_ok, rec_txt = True, []
    for name in nums[0]["recovery"]:
        r = [x["recovery"][name] for x in nums]
        e = [x["e2e_recovery"][name] for x in nums]
        m = median([v if v is not None else math.inf for v in r])
        rec_ok &= m is not None and m <= RECOVERY_PERIODS_MAX
        rt = [v if v is not None else math.inf for v in r]
        et = [v if v is not None else math.inf for v in e]
        rec_txt.append(f"{name} {fmt_med(rt, 0)} (e2e {fmt_med(et, 0)})")
    verdicts["recovery"] = (rec_ok, "after each shift, sched periods, median (spread): "
                            + ", ".join(rec_txt) + f" (goal <= {RECOVERY_PERIODS_MAX})")
    st = [x["steady_max"] for x in nums]
    verdicts["oscillation"] = (median(st) <= STEADY_CHANGES_MAX,
                               f"most changes in a phase's steady part, median {fmt_med(st, 0)} "
                               f"(bound {STEADY_CHANGES_MAX})")
    print()
    for k, (ok, text) in verdicts.items():
        print(f"goal {k:<12} {'met' if ok else 'MISSED'}: {text}")
    return verdicts, nums, mid
