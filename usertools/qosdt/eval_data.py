# SPDX-License-Identifier: BSD-3-Clause
"""The evaluation suite's data: loading a run's raw files, the summaries
the figures and the report are drawn from, and the CSV files.

Every summary of repeated runs is (median, min, max) over the repeats.
"""
import csv
import glob
import json
import math
import os
import re
import statistics

from . import tenants
from .results import CLASSES
SLO_RULES = ("latency", "bandwidth", "loss")
PERCENTILES = ("p50", "p99", "p999")
RAW_NAME = re.compile(r"^(server-)?(modes|loadshift|isolation|tenants)-(.+)-r(\d+)\.json$")


def spread(values):
    """(median, min, max) of the values, or None when there are none."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return statistics.median(v), min(v), max(v)


def load(raw, modes, sizes):
    """Everything a run left in raw/: {"meta", "pmd", "modes", "loadshift",
    "isolation", "tenants"}; None when raw/ holds nothing. "modes" keeps the
    order of @modes; each list of runs is in repeat order. "tenants" is by
    repeat (from 1), each {run name-vm: client results}; the server's
    {run name: results} likewise, so that a failed run leaves a hole, not a
    shift."""
    meta_path = os.path.join(raw, "meta.json")
    if not os.path.exists(meta_path):
        return None
    with open(meta_path) as f:
        res = {"meta": json.load(f), "pmd": None, "modes": {}, "loadshift": {},
               "isolation": {}, "tenants": {},
               "server": {"modes": {}, "loadshift": {}, "isolation": {}, "tenants": {}}}
    pmd_path = os.path.join(raw, "pmd.json")
    if os.path.exists(pmd_path):
        with open(pmd_path) as f:
            res["pmd"] = pmd_summary(json.load(f)["runs"], sizes)
    found = []
    for path in glob.glob(os.path.join(raw, "*.json")):
        m = RAW_NAME.match(os.path.basename(path))
        if m:
            found.append((bool(m.group(1)), m.group(2), m.group(3), int(m.group(4)), path))
    for server, exp, name, rep, path in sorted(found, key=lambda x: x[3]):
        with open(path) as f:
            doc = json.load(f)
        where = (res["server"] if server else res)[exp]
        if exp == "tenants":
            where.setdefault(rep, {})[name] = doc
        else:
            where.setdefault(name, []).append(doc)
    order = {n: i for i, n in enumerate(modes)}
    res["modes"] = dict(sorted(res["modes"].items(), key=lambda kv: order.get(kv[0], 99)))
    return res


# ----------------------------------------------------------------------- pmd

def pmd_summary(runs, sizes):
    """Per size: each PMD's Mpps and Gbit/s (median, min, max over the
    repeats' medians) and the paired ratio net_shm / net_memif of the runs
    made back to back in each repeat."""
    out = {"sizes": [], "runs": runs}
    for size in sizes:
        per = {}
        for pmd in ("net_shm", "net_memif"):
            v = [r["median_mpps"] for r in runs
                 if r["pmd"] == pmd and r["size"] == size and "median_mpps" in r]
            per[pmd] = v
        if not any(per.values()):
            continue
        reps = sorted({r["repeat"] for r in runs if r["size"] == size})
        ratios = []
        for rep in reps:
            pair = {r["pmd"]: r.get("median_mpps") for r in runs
                    if r["size"] == size and r["repeat"] == rep}
            if pair.get("net_shm") and pair.get("net_memif"):
                ratios.append(pair["net_shm"] / pair["net_memif"])
        row = {"size": size, "ratio": spread(ratios), "ratios": ratios}
        for pmd, v in per.items():
            row[pmd] = {"mpps": spread(v), "mpps_runs": v,
                        "gbps": spread([x * size * 8 / 1000 for x in v])}
        out["sizes"].append(row)
    return out


# --------------------------------------------------------------------- modes

def loss_pct(c):
    """Requests that got no reply (dropped by a scheduler or lost), % of sent."""
    return 100.0 * (c["lost"] + c["dropped"]) / c["sent"] if c["sent"] else 0.0


def class_figures(docs, cls):
    """One class over repeated runs: each figure as (median, min, max)."""
    cs = [d["classes"][cls] for d in docs]
    row = {p: spread([c["latency_us"][p] for c in cs]) for p in PERCENTILES}
    row["throughput_mbps"] = spread([c["throughput_mbps"] for c in cs])
    row["offered_mbps"] = spread([c["offered_mbps"] for c in cs])
    row["loss_pct"] = spread([loss_pct(c) for c in cs])
    row["slo_violations"] = spread([c["slo_violations"] for c in cs])
    # The SLO verdict of each run (doc/results.md), where the results have it.
    slos = [c["slo"] for c in cs if "slo" in c]
    if slos:
        row["over_pct"] = spread([100.0 * v["latency"]["share_over"] for v in slos])
        row["windows_missed_pct"] = spread([100.0 * v["windows"]["share_missed"]
                                            for v in slos])
        row["slo_missed"] = {rule: sum(1 for v in slos if v[rule]["judged"]
                                       and not v[rule]["met"])
                             for rule in SLO_RULES
                             if any(v[rule]["judged"] for v in slos)}
        row["slo_runs"] = len(slos)
    row["runs"] = len(cs)
    return row


def where_time_goes(res, cls, exp="modes"):
    """Per run name of @exp, a class's round-trip p99 beside the p99 of the
    time its requests spent in the client's scheduler and in the server's
    (each (median, min, max) over repeats; the server's None without its
    files)."""
    out = {}
    for m, docs in res[exp].items():
        srv = res["server"][exp].get(m, [])
        out[m] = {"rtt": spread([d["classes"][cls]["latency_us"]["p99"] for d in docs]),
                  "client_sched": spread([d["classes"][cls]["sched_latency_us"]["p99"]
                                          for d in docs]),
                  "server_sched": spread([d["classes"][cls]["sched_latency_us"]["p99"]
                                          for d in srv])}
    return out


def mode_table(res):
    """{mode: {class: class_figures}}."""
    return {m: {c: class_figures(docs, c) for c in CLASSES} for m, docs in res["modes"].items()}


def pooled_cdf(docs, cls):
    """The repeats' round trips of a class pooled: (upper bounds in us,
    cumulative fraction at each), or None when nothing was received."""
    counts = {}
    for d in docs:
        h = d["classes"][cls].get("latency_hist")
        if not h:
            continue
        for u, k in zip(h["upper_us"], h["count"]):
            counts[u] = counts.get(u, 0) + k
    total = sum(counts.values())
    if total == 0:
        return None
    xs, ys, seen = [], [], 0
    for u in sorted(counts):
        seen += counts[u]
        xs.append(u)
        ys.append(seen / total)
    return xs, ys


# ------------------------------------------------------------- time series

def scenario_end(doc):
    return sum(p["duration_s"] for p in doc["phases"])


def window_violations(doc, key):
    """One run's windows of the scenario (the drain after it left out):
    (t_s, how many classes missed an SLO in each), @key "missed": round
    trip, "sched_missed": the client's scheduler."""
    w = doc["windows"]
    end = scenario_end(doc) + 1e-6
    n = sum(1 for t in w["t_s"] if t <= end)
    return w["t_s"][:n], [sum(1 for c in CLASSES if w["classes"][c][key][i])
                          for i in range(n)]


def violation_totals(docs, key):
    """Class-windows that missed an SLO in each run's scenario."""
    return [sum(window_violations(d, key)[1]) for d in docs]


def violation_series(docs, key):
    """Per window of the scenario: the mean over repeats of how many
    classes missed an SLO in it (window_violations). (t_s, values)."""
    series = [window_violations(d, key) for d in docs]
    n = min(len(s[1]) for s in series)
    t = series[0][0][:n]
    return t, [statistics.mean(s[1][i] for s in series) for i in range(n)]


def violations_per_phase(docs, key):
    """Per phase: class-windows that missed an SLO, (median, min, max)."""
    out = []
    for i, p in enumerate(docs[0]["phases"]):
        lo, hi = p["start_s"], p["start_s"] + p["duration_s"]
        counts = []
        for d in docs:
            w = d["windows"]
            prev, k = 0.0, 0
            for j, t in enumerate(w["t_s"]):
                if lo - 1e-6 <= (prev + t) / 2 < hi:
                    k += sum(1 for c in CLASSES if w["classes"][c][key][j])
                prev = t
            counts.append(k)
        out.append({"name": p["name"], "violations": spread(counts)})
    return out


def changes(docs):
    """The controller's changes per run (median, min, max)."""
    return spread([len(d["adaptive"].get("timeline", [])) for d in docs])


def isolation_series(doc, cls):
    """One run's windows within the scenario for a class: t_s, p99_us,
    buffers (own in use + borrowed), alloc_fail."""
    w = doc["windows"]
    end = scenario_end(doc) + 1e-6
    n = sum(1 for t in w["t_s"] if t <= end)
    c = w["classes"][cls]
    return {"t_s": w["t_s"][:n], "p99_us": c["p99_us"][:n],
            "buffers": [a + b for a, b in zip(c["buffers_in_use"][:n],
                                              c["buffers_borrowed"][:n])],
            "alloc_fail": c["alloc_fail"][:n], "reserved": c["buffers_reserved"],
            "borrow_cap": c["borrow_cap"]}


def isolation_phases(docs):
    """Per phase and class: the windows' p99 (us) and buffers in use
    (median over the phase's windows, then median, min, max over runs), the
    peak of buffers, and allocation failures in the phase."""
    out = []
    for p in docs[0]["phases"]:
        lo, hi = p["start_s"], p["start_s"] + p["duration_s"]
        row = {"name": p["name"], "classes": {}}
        for cls in CLASSES:
            p99, buf, peak, fails = [], [], [], []
            for d in docs:
                s = isolation_series(d, cls)
                idx = [i for i, t in enumerate(s["t_s"]) if lo < t <= hi + 1e-6]
                if not idx:
                    continue
                vals = [s["p99_us"][i] for i in idx if s["p99_us"][i] > 0]
                p99.append(statistics.median(vals) if vals else None)
                buf.append(statistics.median(s["buffers"][i] for i in idx))
                peak.append(max(s["buffers"][i] for i in idx))
                before = s["alloc_fail"][idx[0] - 1] if idx[0] > 0 else 0
                fails.append(s["alloc_fail"][idx[-1]] - before)
            row["classes"][cls] = {"p99_us": spread(p99), "buffers": spread(buf),
                                   "peak": spread(peak), "alloc_fail": spread(fails)}
        out.append(row)
    return out


# ------------------------------------------------------------------- tenants

# The tenants experiment's runs in the order the tables give them: solo, the
# control (A idle), the three client VMs with A flooding.
TENANT_RUNS = ("solo", tenants.CONTROL[0], "together")


def tenant_repeats(res):
    """Per repeat of the tenants experiment: {"together": {vm: results},
    "server": the three-VM run's server results, "solo": {vm: results},
    "control": {vm: results}, "servers": {run: server results}} (run as in
    TENANT_RUNS); a repeat without its three-VM run's clients is left out."""
    out = []
    for rep in sorted(res["tenants"]):
        runs = res["tenants"][rep]
        def vms(run):
            return {n.rsplit("-", 1)[1]: d for n, d in runs.items()
                    if n.rsplit("-", 1)[0] == run}
        together = vms("together")
        if not together:
            continue
        solo = {vm: runs[f"solo-{vm}-{vm}"] for vm in tenants.SOLOS
                if f"solo-{vm}-{vm}" in runs}
        servers = res["server"]["tenants"].get(rep, {})
        out.append({"together": together, "server": servers.get("together"), "solo": solo,
                    "control": vms(tenants.CONTROL[0]), "servers": servers})
    return out


def _server_class(servers, run, vm, cls):
    """A client VM's class in the server's results of a run (its tenant's
    section); None without it."""
    name = f"solo-{vm}" if run == "solo" else run
    doc = servers.get(name) or {}
    index = tenants.VMS[vm][0]
    t = next((v for v in (doc.get("tenants") or {}).values() if v.get("index") == index), None)
    return t["classes"][cls] if t else None


def tenants_summary(res, root=None):
    """The tenants experiment over its repeats: {"classes": {vm: {class:
    {run: {"p99", "throughput_mbps", "server_p99"}}}} for B and C in
    TENANT_RUNS (server_p99: the wait in the server's scheduler, its
    tenant's section), "A": its delivered rate at its client and at the
    server, what it offered and its share, "goals": per goal of
    tenants.goal_checks, how many repeats met it and the figures of each;
    every figure (median, min, max). None without a three-VM run."""
    reps = tenant_repeats(res)
    if not reps:
        return None
    kw = {} if root is None else {"root": root}
    shares = tenants.config_shares(reps[0]["server"], **kw)
    classes = {}
    for vm in tenants.SOLOS:
        for cls in CLASSES:
            row = {}
            for run in TENANT_RUNS:
                key = run if run in ("solo", "together") else "control"
                ks = [r[key][vm]["classes"][cls] for r in reps if vm in r[key]]
                if not any(k["sent"] for k in ks):
                    continue
                srv = [_server_class(r["servers"], run, vm, cls) for r in reps]
                row[run] = {"p99": spread([k["latency_us"]["p99"] for k in ks]),
                            "throughput_mbps": spread([k["throughput_mbps"] for k in ks]),
                            "server_p99": spread([k["latency_us"]["p99"] for k in srv
                                                  if k and k["sent"]])}
            if row:
                classes.setdefault(vm, {})[cls] = row
    a_idx = tenants.VMS["A"][0]
    a = [(r["together"]["A"], r["server"]) for r in reps if "A" in r["together"]]
    summary = {"runs": len(reps), "classes": classes, "A": {
        "client_mbps": spread([sum(k["throughput_mbps"] for k in d["classes"].values())
                               for d, _ in a]),
        "server_mbps": spread([tenants.tenant_traffic_mbps(srv, a_idx, d["duration_s"])
                               for d, srv in a]),
        "offered_mbps": spread([sum(k["offered_mbps"] for k in d["classes"].values())
                                for d, _ in a]),
        "share_mbps": shares[a_idx]}}
    goals = []
    for r in reps:
        for i, (vm, ok, rule, figures) in enumerate(tenants.goal_checks(
                r["together"], r["server"], r["solo"], shares)):
            if i == len(goals):
                goals.append({"vm": vm, "rule": rule, "met": 0, "figures": []})
            g = goals[i]
            g["met"] += ok
            g["figures"].append(figures)
    summary["goals"] = goals
    return summary


# ----------------------------------------------------------------------- csv

def _write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _r(x, nd=3):
    return "" if x is None else round(x, nd) if isinstance(x, float) else x


def write_csv(res, out):
    """pmd.csv, modes.csv, loadshift.csv, isolation.csv, tenants.csv (one
    row per run, class or window) and eval.json (the summaries) in @out."""
    os.makedirs(out, exist_ok=True)
    if res["pmd"]:
        _write(os.path.join(out, "pmd.csv"), ["pmd", "size_bytes", "repeat", "mpps", "gbps"],
               [[r["pmd"], r["size"], r["repeat"] + 1, _r(r["median_mpps"]),
                 _r(r["median_mpps"] * r["size"] * 8 / 1000)]
                for r in res["pmd"]["runs"] if "median_mpps" in r])
    rows = []
    for mode, docs in res["modes"].items():
        for rep, d in enumerate(docs):
            for cls in CLASSES:
                c = d["classes"][cls]
                rows.append([mode, rep + 1, cls] + [_r(c["latency_us"][p]) for p in
                                                    ("p50", "p90", "p99", "p999", "max")]
                            + [_r(c["offered_mbps"]), _r(c["throughput_mbps"]), c["sent"],
                               c["received"], c["lost"], c["dropped"], _r(loss_pct(c), 4),
                               c["slo_violations"]])
    if rows:
        _write(os.path.join(out, "modes.csv"),
               ["mode", "repeat", "class", "p50_us", "p90_us", "p99_us", "p999_us", "max_us",
                "offered_mbps", "throughput_mbps", "sent", "received", "lost", "dropped",
                "loss_pct", "slo_violation_windows"], rows)
    for exp, name_col in (("loadshift", "side"), ("isolation", "mode")):
        rows = []
        for name, docs in res[exp].items():
            for rep, d in enumerate(docs):
                w = d["windows"]
                for i, t in enumerate(w["t_s"]):
                    for cls in CLASSES:
                        c = w["classes"][cls]
                        rows.append([name, rep + 1, _r(t), cls, c["missed"][i],
                                     c["sched_missed"][i], _r(c["p99_us"][i]),
                                     _r(c["mbps"][i]), c["buffers_in_use"][i],
                                     c["buffers_borrowed"][i], c["alloc_fail"][i]])
        if rows:
            _write(os.path.join(out, f"{exp}.csv"),
                   [name_col, "repeat", "t_s", "class", "missed", "sched_missed", "p99_us",
                    "mbps", "buffers_in_use", "buffers_borrowed", "alloc_fail"], rows)
    rows = []
    for rep, runs in sorted(res["tenants"].items()):
        for name, d in sorted(runs.items()):
            run, vm = name.rsplit("-", 1)
            for cls in CLASSES:
                c = d["classes"][cls]
                rows.append([run, vm, rep, cls] + [_r(c["latency_us"][p]) for p in
                                                   ("p50", "p90", "p99", "p999", "max")]
                            + [_r(c["offered_mbps"]), _r(c["throughput_mbps"]), c["sent"],
                               c["received"], c["lost"], c["dropped"]])
    if rows:
        _write(os.path.join(out, "tenants.csv"),
               ["run", "client_vm", "repeat", "class", "p50_us", "p90_us", "p99_us",
                "p999_us", "max_us", "offered_mbps", "throughput_mbps", "sent", "received",
                "lost", "dropped"], rows)
    summary = {"meta": res["meta"], "modes": mode_table(res)}
    if res["pmd"]:
        summary["pmd"] = [{k: v for k, v in r.items() if k != "runs"} for r in res["pmd"]["sizes"]]
    if res["loadshift"]:
        summary["loadshift"] = {side: {"sched": violations_per_phase(docs, "sched_missed"),
                                       "e2e": violations_per_phase(docs, "missed"),
                                       "changes": changes(docs)}
                                for side, docs in res["loadshift"].items()}
    if res["isolation"]:
        summary["isolation"] = {m: isolation_phases(docs) for m, docs in res["isolation"].items()}
    if res["tenants"]:
        summary["tenants"] = tenants_summary(res)
    with open(os.path.join(out, "eval.json"), "w") as f:
        json.dump(summary, f, indent=1, default=lambda x: None if isinstance(x, float)
                  and math.isnan(x) else x)
    return summary


# -------------------------------------------------------------------- config

_UNIT_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
_RATE = {"": 1e-6, "k": 1e-3, "K": 1e-3, "M": 1.0, "G": 1e3}


def service_objectives(path):
    """From a qosdt config: {class: [(services, us), ...]}, each distinct
    latency objective of the class's services (a rule's max_latency, else
    the class's), ascending, with the service ids that have it."""
    with open(path) as f:
        cfg = json.load(f)
    own = {}
    for cls, c in cfg.get("classes", {}).items():
        m = re.fullmatch(r"([0-9.]+)(ns|us|ms|s)", str(c.get("slo", {}).get("max_latency", "")))
        if m:
            own[cls] = float(m.group(1)) * _UNIT_US[m.group(2)]
    out = {}
    for rule in cfg.get("services", {}).get("map", []):
        cls, ids = rule.get("class"), str(rule.get("ids"))
        m = re.fullmatch(r"([0-9.]+)(ns|us|ms|s)", str(rule.get("max_latency", "")))
        us = float(m.group(1)) * _UNIT_US[m.group(2)] if m else own.get(cls)
        if cls and us:
            out.setdefault(cls, {}).setdefault(us, []).append(ids)
    return {cls: sorted(((", ".join(ids), us) for us, ids in objs.items()),
                        key=lambda o: o[1])
            for cls, objs in out.items()}


def config_targets(path):
    """From a qosdt config (doc/config.md): each class's SLO max_latency in
    us and rate guarantee in Mbit/s, where it has one."""
    with open(path) as f:
        cfg = json.load(f)
    slo, guarantee = {}, {}
    for cls, c in cfg.get("classes", {}).items():
        m = re.fullmatch(r"([0-9.]+)(ns|us|ms|s)", str(c.get("slo", {}).get("max_latency", "")))
        if m:
            slo[cls] = float(m.group(1)) * _UNIT_US[m.group(2)]
        m = re.fullmatch(r"([0-9.]+)([kKMG]?)", str(c.get("rate", {}).get("guarantee", "")))
        if m:
            guarantee[cls] = float(m.group(1)) * _RATE[m.group(2)]
    return slo, guarantee
