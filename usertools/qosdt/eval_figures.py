# SPDX-License-Identifier: BSD-3-Clause
"""The evaluation suite's figures (matplotlib, PNG and SVG).

Each draw_* function takes the loaded results (qosdt.eval_data.load) and
writes one figure; draw_all() draws those the results have data for and
returns {figure name: file stem relative to the report's directory}.
"""
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator  # noqa: E402

from . import eval_data as data  # noqa: E402
from . import kernel_baseline as kbase  # noqa: E402

CLASS_COLOURS = {"realtime": "#d62728", "throughput": "#1f77b4",
                 "reliable": "#2ca02c", "best_effort": "#7f7f7f"}
MODE_STYLES = {"fifo": ("#7f7f7f", ":"), "wrr": ("#ff7f0e", "-."),
               "priority": ("#1f77b4", "--"), "priority+adaptive": ("#d62728", "-")}
SIDE_STYLES = {"static": ("#7f7f7f", "--"), "adaptive": ("#d62728", "-")}
PMD_STYLES = {"net_shm": ("#d62728", "o"), "net_memif": ("#1f77b4", "s")}
SMOOTH_WINDOWS = 5       # moving average of the violation series (0.5 s)

# A fixed salt and no date: the same data give the same SVG bytes, so a
# redraw shows in git only where a figure changed.
plt.rcParams.update({"font.size": 10, "axes.grid": True, "grid.alpha": 0.3,
                     "svg.fonttype": "none", "savefig.bbox": "tight",
                     "svg.hashsalt": "qosdt"})


def _save(fig, out_dir, name):
    os.makedirs(out_dir, exist_ok=True)
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out_dir, f"{name}.{ext}"), dpi=120,
                    metadata={"Date": None})
    plt.close(fig)
    return f"{os.path.basename(out_dir)}/{name}"


def _errbar(ax, x, s3, **kw):
    """Median with its min-max as an error bar; s3 are (median, min, max)."""
    xs = [a for a, s in zip(x, s3) if s]
    med = [s[0] for s in s3 if s]
    lo = [s[0] - s[1] for s in s3 if s]
    hi = [s[2] - s[0] for s in s3 if s]
    ax.errorbar(xs, med, yerr=[lo, hi], capsize=3, **kw)


def _phases(ax, doc, label=True):
    """Shade every other phase and name each at the top."""
    for i, p in enumerate(doc["phases"]):
        lo, hi = p["start_s"], p["start_s"] + p["duration_s"]
        if i % 2:
            ax.axvspan(lo, hi, color="#000000", alpha=0.05, lw=0)
        if label:
            ax.text((lo + hi) / 2, 1.01, p["name"], transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=8)


def draw_pmd(res, out_dir):
    rows = res["pmd"]["sizes"]
    sizes = [r["size"] for r in rows]
    # Evenly spaced sizes: a linear axis crowds 64..256, a log one 1024/1500.
    xs = list(range(len(sizes)))
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
    for pmd, (colour, marker) in PMD_STYLES.items():
        _errbar(axes[0], xs, [r[pmd]["mpps"] for r in rows], color=colour, marker=marker,
                label=pmd)
        _errbar(axes[1], xs, [r[pmd]["gbps"] for r in rows], color=colour, marker=marker,
                label=pmd)
    _errbar(axes[2], xs, [r["ratio"] for r in rows], color="#000000", marker="o",
            label="net_shm / net_memif")
    axes[2].axhline(1.0, color="#7f7f7f", lw=1)
    for ax, title, unit in ((axes[0], "packet rate", "Mpps"),
                            (axes[1], "bit rate (frame bytes)", "Gbit/s"),
                            (axes[2], "ratio, paired per repeat", "net_shm / net_memif")):
        ax.set_xticks(xs, [str(v) for v in sizes])
        ax.set_xlabel("frame size (bytes)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
    fig.suptitle("net_shm vs net_memif: two stock dpdk-testpmd, txonly -> rxonly, "
                 "one forwarding core each (median, min-max over repeats)", fontsize=10)
    return _save(fig, out_dir, "pmd-throughput")


def draw_cdf(res, out_dir, slo_us, objectives=None):
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), layout="constrained")
    for ax, cls in zip(axes.flat, data.CLASSES):
        for mode, docs in res["modes"].items():
            cdf = data.pooled_cdf(docs, cls)
            if not cdf:
                continue
            n = sum(d["classes"][cls]["received"] for d in docs)
            top = 1 - 0.5 / n          # the last step, drawn inside the logit axis
            colour, ls = MODE_STYLES.get(mode, ("#000000", "-"))
            ax.step(cdf[0], [min(y, top) for y in cdf[1]], where="post", color=colour,
                    ls=ls, label=mode)
        if cls == "realtime":
            kbase.draw_realtime_cdf(ax, res.get("kernel"))
        # Each service's objective (a rule's max_latency, else the class's).
        marks = (objectives or {}).get(cls) or (
            [("", slo_us[cls])] if cls in slo_us else [])
        for i, (ids, us) in enumerate(marks):
            ax.axvline(us, color="#000000", lw=0.8, ls=(0, (1, 2)))
            ax.text(us, 0.02 + 0.06 * i, f" SLO {ids}".rstrip() if not ids else
                    f" svc {ids}: {us:g} us", fontsize=7,
                    transform=ax.get_xaxis_transform())
        ax.set_xscale("log")
        ax.set_yscale("logit")
        ax.set_ylim(0.01, 0.9999)
        ax.yaxis.set_major_locator(FixedLocator([0.1, 0.5, 0.9, 0.99, 0.999, 0.9999]))
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _: {0.5: "p50", 0.9: "p90", 0.99: "p99", 0.999: "p99.9",
                          0.9999: "p99.99", 0.1: "p10"}.get(round(v, 4), "")))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("round-trip latency (us, log)")
        ax.set_ylabel("fraction of replies (logit)")
        ax.set_title(cls)
        ax.legend(fontsize=8, loc="upper left")
    fig.suptitle("mixed-overload: round-trip latency CDF per class and scheduler mode "
                 "(the repeats' replies pooled)", fontsize=10)
    return _save(fig, out_dir, "latency-cdf")


def draw_throughput(res, out_dir, guarantees):
    table = data.mode_table(res)
    modes = list(table)
    fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
    width = 0.8 / max(1, len(modes))
    for j, mode in enumerate(modes):
        xs = [i + (j - (len(modes) - 1) / 2) * width for i in range(len(data.CLASSES))]
        s3 = [table[mode][c]["throughput_mbps"] for c in data.CLASSES]
        colour, _ = MODE_STYLES.get(mode, ("#000000", "-"))
        bars = ax.bar(xs, [s[0] for s in s3], width, color=colour, alpha=0.85, label=mode,
                      yerr=[[s[0] - s[1] for s in s3], [s[2] - s[0] for s in s3]], capsize=2)
        ax.bar_label(bars, labels=[f"{s[0]:.0f}" for s in s3], fontsize=7, padding=2)
        off = [table[mode][c]["offered_mbps"][0] for c in data.CLASSES]
        ax.scatter(xs, off, marker="_", s=200, color="#000000", zorder=3,
                   label="offered" if j == 0 else None)
    for i, c in enumerate(data.CLASSES):
        if guarantees.get(c):
            ax.hlines(guarantees[c], i - 0.45, i + 0.45, color="#000000", ls="--", lw=1,
                      label=f"{c} guarantee")
    ax.set_xticks(range(len(data.CLASSES)), data.CLASSES)
    ax.set_ylabel("delivered (Mbit/s of request frames)")
    ax.set_title("mixed-overload: throughput per class and mode (median, min-max over repeats)",
                 fontsize=10)
    ax.legend(fontsize=8, ncol=5)
    return _save(fig, out_dir, "throughput")


def _smooth(v, k):
    out = []
    for i in range(len(v)):
        part = v[max(0, i - k + 1):i + 1]
        out.append(sum(part) / len(part))
    return out


def draw_loadshift(res, out_dir):
    fig, axes = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True, layout="constrained")
    for ax, key, title in ((axes[0], "sched_missed", "judged in the client's QoS scheduler "
                            "(what the controller acts on)"),
                           (axes[1], "missed", "judged on the round trips (server, channel "
                            "and host stalls included)")):
        for side, docs in res["loadshift"].items():
            t, v = data.violation_series(docs, key)
            colour, ls = SIDE_STYLES.get(side, ("#000000", "-"))
            ax.plot(t, _smooth(v, SMOOTH_WINDOWS), color=colour, ls=ls, label=side)
        _phases(ax, next(iter(res["loadshift"].values()))[0], label=ax is axes[0])
        ax.set_ylim(0, 4)
        ax.set_ylabel("classes missing an SLO")
        ax.set_title(title, fontsize=9, loc="left", pad=16)
        ax.legend(fontsize=8, loc="upper right")
    axes[1].set_xlabel("time (s)")
    fig.suptitle(f"load-shift: SLO violations over time, static vs adaptive (mean over repeats, "
                 f"{SMOOTH_WINDOWS}-window moving average)", fontsize=10)
    return _save(fig, out_dir, "loadshift-violations")


def draw_isolation(res, out_dir, slo_us):
    docs = next(iter(res["isolation"].values()))
    fig, axes = plt.subplots(2, 1, figsize=(11, 7), sharex=True, layout="constrained")
    for k, d in enumerate(docs):
        s = data.isolation_series(d, "realtime")
        axes[0].plot(s["t_s"], [v if v > 0 else None for v in s["p99_us"]],
                     color=CLASS_COLOURS["realtime"], alpha=0.9 if k == 0 else 0.4,
                     lw=1, label="realtime p99 per window" if k == 0 else None)
        be = data.isolation_series(d, "best_effort")
        axes[0].plot(be["t_s"], [v if v > 0 else None for v in be["p99_us"]],
                     color=CLASS_COLOURS["best_effort"], alpha=0.9 if k == 0 else 0.4,
                     lw=1, label="best_effort p99 per window" if k == 0 else None)
    if "realtime" in slo_us:
        axes[0].axhline(slo_us["realtime"], color="#000000", ls=(0, (1, 2)), lw=0.8,
                        label="realtime SLO")
    axes[0].set_yscale("log")
    axes[0].set_ylabel("round-trip p99 (us, log)")
    axes[0].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    d = docs[0]
    for cls in data.CLASSES:
        s = data.isolation_series(d, cls)
        colour = CLASS_COLOURS[cls]
        axes[1].plot(s["t_s"], s["buffers"], color=colour, label=f"{cls} in use")
        axes[1].axhline(s["reserved"], color=colour, ls="--", lw=0.8,
                        label=f"{cls} reserve ({s['reserved']})")
    axes[1].set_yscale("symlog", linthresh=10)
    axes[1].set_ylim(bottom=0)
    axes[1].set_ylabel("mbufs (own + borrowed, symlog)")
    axes[1].set_xlabel("time (s)")
    axes[1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    for ax in axes:
        _phases(ax, d, label=ax is axes[0])
    axes[0].set_title("round trips", fontsize=9, loc="left", pad=16)
    axes[1].set_title("the client's buffer reservation, first repeat", fontsize=9, loc="left")
    fig.suptitle("be-flood: realtime latency and buffer use while best effort floods "
                 "(priority)", fontsize=10)
    return _save(fig, out_dir, "isolation")


TENANT_STYLES = {"solo": "#7f7f7f", "quiet-A": "#1f77b4", "together": "#d62728"}
TENANT_LABELS = {"solo": "solo", "quiet-A": "neighbours, A idle",
                 "together": "neighbours, A flooding"}


def _tenant_bars(ax, rows, key, names):
    """Grouped bars, one group per name, one bar per run (median, min-max)."""
    runs = data.TENANT_RUNS
    width = 0.8 / len(runs)
    for j, run in enumerate(runs):
        xs, s3 = [], []
        for i, n in enumerate(names):
            v = rows[n].get(run, {}).get(key)
            if v:
                xs.append(i + (j - (len(runs) - 1) / 2) * width)
                s3.append(v)
        if xs:
            ax.bar(xs, [v[0] for v in s3], width, color=TENANT_STYLES[run], alpha=0.85,
                   label=TENANT_LABELS[run], yerr=[[v[0] - v[1] for v in s3],
                                                    [v[2] - v[0] for v in s3]], capsize=2)
    ax.set_xticks(range(len(names)), names)


def draw_tenants(res, out_dir):
    """B's p99 and throughput per class, C's realtime p99, A against its
    share: solo, with A idle, with A flooding."""
    t = data.tenants_summary(res)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), layout="constrained")
    b = t["classes"].get("B", {})
    names = list(b)
    _tenant_bars(axes[0, 0], b, "p99", names)
    axes[0, 0].set_yscale("log")
    axes[0, 0].set_ylim(bottom=10)
    axes[0, 0].set_ylabel("round-trip p99 (us, log)")
    axes[0, 0].set_title("B (mixed-overload): p99 per class", fontsize=9, loc="left")
    _tenant_bars(axes[0, 1], b, "throughput_mbps", names)
    axes[0, 1].set_ylabel("delivered (Mbit/s of request frames)")
    axes[0, 1].set_title("B: throughput per class", fontsize=9, loc="left")
    c = {"realtime": t["classes"].get("C", {}).get("realtime", {})}
    _tenant_bars(axes[1, 0], c, "p99", ["realtime"])
    axes[1, 0].set_yscale("log")
    axes[1, 0].set_ylim(bottom=10)
    axes[1, 0].set_ylabel("round-trip p99 (us, log)")
    axes[1, 0].set_title("C (idle-latency): realtime p99", fontsize=9, loc="left")
    a = t["A"]
    keys = [("offered", a["offered_mbps"]), ("at its client", a["client_mbps"]),
            ("at the server", a["server_mbps"])]
    xs = [i for i, (_, v) in enumerate(keys) if v]
    vals = [v for _, v in keys if v]
    axes[1, 1].bar(xs, [v[0] for v in vals], 0.6, color=TENANT_STYLES["together"], alpha=0.85,
                   yerr=[[v[0] - v[1] for v in vals], [v[2] - v[0] for v in vals]], capsize=2)
    axes[1, 1].axhline(a["share_mbps"], color="#000000", ls="--", lw=1,
                       label=f"A's share ({a['share_mbps']:g})")
    axes[1, 1].set_xticks(range(len(keys)), [k for k, _ in keys])
    axes[1, 1].set_yscale("log")
    axes[1, 1].set_ylim(bottom=10)
    axes[1, 1].set_ylabel("Mbit/s (log)")
    axes[1, 1].set_title("A (tenant-flood): offered, delivered, against its share",
                         fontsize=9, loc="left")
    for ax in axes.flat:
        ax.legend(fontsize=7)
    fig.suptitle("one service VM, three client VMs: B and C solo, beside A idle, beside A "
                 f"flooding (median, min-max over {t['runs']} "
                 f"repeat{'s' if t['runs'] != 1 else ''})", fontsize=10)
    return _save(fig, out_dir, "tenants")


def draw_all(res, out_dir, slo_us, guarantees, objectives=None):
    """Every figure the results have data for: {name: stem}."""
    figs = {}
    if res["pmd"] and res["pmd"]["sizes"]:
        figs["pmd"] = draw_pmd(res, out_dir)
    if res["modes"]:
        figs["cdf"] = draw_cdf(res, out_dir, slo_us, objectives)
        figs["throughput"] = draw_throughput(res, out_dir, guarantees)
    if res["loadshift"]:
        figs["loadshift"] = draw_loadshift(res, out_dir)
    if res["isolation"]:
        figs["isolation"] = draw_isolation(res, out_dir, slo_us)
    if res.get("tenants") and data.tenants_summary(res):
        figs["tenants"] = draw_tenants(res, out_dir)
    return figs
