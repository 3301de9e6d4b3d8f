# SPDX-License-Identifier: BSD-3-Clause
"""The lines make run prints: QoS beside FIFO per class with each class's
SLO verdict, the WRR shares, the idle run, the goals and the notes."""
from .goals import fmt_us, goal_checks, slo_cells, slo_verdict
from .results import CLASSES, TOP_OPTIONAL_COUNTS
from .shares import SHARED_CLASSES, wrr_shares


def _pair(q, f, fmt, width):
    cell = lambda d: "-" if d is None else fmt(d)   # noqa: E731
    return f"{cell(q):>{width}} {cell(f):>{width}}"


def _pct(v):
    return "-" if v is None else f"{v * 100:.1f}%"


COLUMNS = (  # title, width of each of the QoS and FIFO cells, cell of one class
    ("Mbit/s", 6, lambda c: f"{c['throughput_mbps']:.1f}"),
    ("p50/p99 us", 12, lambda c: f"{fmt_us(c['latency_us']['p50'])}/{fmt_us(c['latency_us']['p99'])}"),
    ("over SLO", 6, lambda c: _pct(slo_cells(c)[0])),
    ("windows missed", 6, lambda c: _pct(slo_cells(c)[1])),
    ("lost+drop", 7, lambda c: str(c["lost"] + c["dropped"])),
)


def table(qos, fifo):
    """The side-by-side lines: per class, QoS then FIFO in each column, and
    the SLO verdict of the QoS run."""
    head1 = f"{'':<11}"
    head2 = f"{'class':<11}"
    for title, w, _ in COLUMNS:
        head1 += " " + f" {title} ".center(2 * w + 1, "-")
        head2 += " " + f"{'QoS':>{w}} {'FIFO':>{w}}"
    head2 += "  SLO verdict (QoS)"
    lines = [head1, head2]
    for name in CLASSES:
        row = f"{name:<11}"
        q = qos["classes"][name] if qos else None
        f = fifo["classes"][name] if fifo else None
        for _, w, fmt in COLUMNS:
            row += " " + _pair(q, f, fmt, w)
        row += "  " + (slo_verdict(q) if q else "- (no QoS run)")
        lines.append(row)
    return lines


def goal_lines(qos, fifo, idle, bare=None):
    """The transport's goals under mixed-overload, one line per class."""
    by_class = {}
    checks = goal_checks(qos, fifo, idle, bare)
    for cls, ok, text in checks:
        by_class.setdefault(cls, []).append(f"{text} {'met' if ok else 'MISSED'}")
    met = sum(ok for _, ok, _ in checks)
    total = sum(len(v) for v in by_class.values())
    lines = [f"goals under mixed-overload (doc/results.md): {met} of {total} met"]
    for cls in CLASSES:
        if cls in by_class:
            lines.append(f"  {cls:<11} " + "; ".join(by_class[cls]))
    return lines


def share_line(qos):
    share, w = wrr_shares(qos)
    names = "/".join(SHARED_CLASSES)
    return (f"WRR shares: weighted max-min fair split (wire Mbit/s) of {w['capacity']:.1f} = "
            f"channel {qos['channel_mbps']:g} - realtime {w['rt_wire']:.1f}, among {names} "
            f"offering " + "/".join(f"{w['demand'][k]:.1f}" for k in SHARED_CLASSES)
            + " at weights " + ":".join(str(w['weight'][k]) for k in SHARED_CLASSES)
            + " -> " + "/".join(f"{w['alloc'][k]:.1f}" for k in SHARED_CLASSES))


def idle_line(idle, run):
    parts = []
    for name in CLASSES:
        c = idle["classes"][name]
        if c["received"]:
            lat = c["latency_us"]
            parts.append(f"{name} {lat['p50']:.1f} us (p99 {lat['p99']:.1f}, "
                         f"max {lat['max']:.1f}, {c['received']} replies)")
    what = "; ".join(parts) if parts else "no replies received"
    return f"idle p50 ({run.mode}, {run.scenario}, {run.duration:g} s): {what}"


def notes(runs):
    """Bad replies outside the QoS run (its verdicts cover its own) and
    frames any process could not match or parse."""
    out = []
    for name, run in runs.items():
        for role, doc in (("client", run.results), ("server", run.server_results)):
            if not doc:
                continue
            for k in TOP_OPTIONAL_COUNTS:
                if doc.get(k):
                    out.append(f"{name}: {role}: {k} {doc[k]}")
            if role == "client" and name != "qos":
                for c in CLASSES:
                    bad = doc["classes"][c]["bad_replies"]
                    if bad:
                        out.append(f"{name}: {c}: {bad} bad replies")
    return out

