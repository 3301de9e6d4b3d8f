# SPDX-License-Identifier: BSD-3-Clause
"""The judgements `make run` and `make eval` print from results files.

Two kinds, both documented in doc/results.md:
- the SLO verdict of each class: read from the results JSON's `slo`
  object, which the client computes (app/slo_verdict.c) against every SLO
  the config gives the class or its services; printed here with the rule
  that was missed and the figure that missed it;
- the transport's goals under mixed-overload (realtime against the idle
  and fifo runs, reliable within its share, throughput's AQM, best
  effort's share): relative checks across the runs of one `make run`.
"""

from .shares import wrr_shares

# The goals (doc/results.md, "The goals").
RT_IDLE_FACTOR = 2.0          # realtime p99 at most this x the idle run's p99
RT_FIFO_FACTOR = 10.0         # ... and at most fifo's p99 over this
RT_WINDOWS_MISSED_MAX = 0.10  # ... and misses in at most this share of windows
RT_BARE_FACTOR = 2.0          # idle p50 at most this x the bare ping-pong's p50
REL_OVER_SLO_MAX = 0.01       # reliable: replies over their SLO
REL_WINDOWS_MISSED_MAX = 0.10
TP_P99_MAX_US = 1000.0        # throughput's round-trip p99
SHARE_FRACTION = 0.9          # throughput and best effort deliver this x their WRR share


def fmt_us(v):
    """A latency in a verdict or a table cell: one decimal below 1 ms."""
    return f"{v:.1f}" if v < 1000 else f"{v:.0f}"


def slo_misses(slo):
    """The rules of a class's `slo` object that were missed, each with the
    figure that missed it."""
    out = []
    lat = slo["latency"]
    if lat["judged"] and not lat["met"]:
        svcs = [f"svc {sid} p99 {fmt_us(s['p99_us'])} > {fmt_us(s['max_latency_us'])} us"
                if s["received"] else f"svc {sid} no reply"
                for sid, s in lat["services"].items() if not s["met"]]
        out.append("latency: " + ", ".join(svcs))
    bw = slo["bandwidth"]
    if bw["judged"] and not bw["met"]:
        out.append(f"bandwidth: {bw['throughput_mbps']:.1f} < {bw['min_mbps']:g} Mbit/s")
    loss = slo["loss"]
    if loss["judged"] and not loss["met"]:
        out.append(f"loss: {loss['measured'] * 100:.3g}% > {loss['max'] * 100:g}%")
    return out


def slo_verdict(c):
    """"met", "MISSED (rule: figure; ...)" or "n/a (why)" of one class's results."""
    slo = c.get("slo")
    if slo is None:
        return "n/a (no slo in the results)"
    if not slo["judged"]:
        return "n/a (no load, or no SLO)"
    if slo["met"]:
        return "met"
    return f"MISSED ({'; '.join(slo_misses(slo))})"


def slo_cells(c):
    """(share of replies over their SLO, share of windows missed) of a class."""
    slo = c.get("slo")
    if slo is None:
        return None, None
    return slo["latency"]["share_over"], slo["windows"]["share_missed"]


def _check(goals, cls, ok, goal, figures):
    """One goal: the rule, then the figures it was judged on."""
    goals.append((cls, bool(ok), f"{goal}: {figures}"))


def goal_checks(qos, fifo, idle, bare=None):
    """[(class, met, text)] of the transport's goals, judged on the qos run
    against the fifo and idle runs and the bare ping-pong of the same
    `make run` (a run not made leaves its comparison out, and says so).
    The text is the goal, then the figures it was judged on."""
    goals = []
    cls = qos["classes"]
    rt = cls["realtime"]
    p99 = rt["latency_us"]["p99"]
    irt = idle["classes"]["realtime"] if idle is not None else None
    if irt is not None and bare is not None and irt["received"]:
        ip50, bp50 = irt["latency_us"]["p50"], bare["latency_us"]["p50"]
        _check(goals, "realtime", ip50 <= RT_BARE_FACTOR * bp50,
               f"idle p50 <= {RT_BARE_FACTOR:g} x bare ping-pong p50",
               f"{fmt_us(ip50)} vs {fmt_us(RT_BARE_FACTOR * bp50)} us")
    if irt is not None and irt["received"]:
        ip99 = irt["latency_us"]["p99"]
        _check(goals, "realtime", rt["received"] and p99 <= RT_IDLE_FACTOR * ip99,
               f"p99 <= {RT_IDLE_FACTOR:g} x idle p99",
               f"{fmt_us(p99)} vs {fmt_us(RT_IDLE_FACTOR * ip99)} us")
    else:
        _check(goals, "realtime", False, "p99 against the idle run's", "no idle run")
    if fifo is not None:
        fp99 = fifo["classes"]["realtime"]["latency_us"]["p99"]
        _check(goals, "realtime", rt["received"] and p99 <= fp99 / RT_FIFO_FACTOR,
               f"p99 <= fifo p99 / {RT_FIFO_FACTOR:g}",
               f"{fmt_us(p99)} vs {fmt_us(fp99 / RT_FIFO_FACTOR)} us")
    w = rt["slo"]["windows"]["share_missed"]
    _check(goals, "realtime", w <= RT_WINDOWS_MISSED_MAX,
           f"windows missed <= {RT_WINDOWS_MISSED_MAX * 100:g}%", f"{w * 100:.1f}%")

    share, _ = wrr_shares(qos)
    tp = cls["throughput"]
    tp99 = tp["latency_us"]["p99"]
    _check(goals, "throughput", tp["received"] and tp99 <= TP_P99_MAX_US,
           f"p99 <= {TP_P99_MAX_US:g} us", f"{fmt_us(tp99)} us")
    _check(goals, "throughput", tp["throughput_mbps"] >= SHARE_FRACTION * share["throughput"],
           f">= {SHARE_FRACTION:g} x WRR share",
           f"{tp['throughput_mbps']:.1f} vs {SHARE_FRACTION * share['throughput']:.1f} Mbit/s")

    rel = cls["reliable"]
    over, wmiss = slo_cells(rel)
    _check(goals, "reliable", over <= REL_OVER_SLO_MAX,
           f"replies over SLO <= {REL_OVER_SLO_MAX * 100:g}%", f"{over * 100:.2f}%")
    _check(goals, "reliable", wmiss <= REL_WINDOWS_MISSED_MAX,
           f"windows missed <= {REL_WINDOWS_MISSED_MAX * 100:g}%", f"{wmiss * 100:.1f}%")
    _check(goals, "reliable", rel["lost"] == 0 and rel["dropped"] == 0,
           "none lost or dropped", f"lost {rel['lost']}, dropped {rel['dropped']}")

    be = cls["best_effort"]
    _check(goals, "best_effort", be["throughput_mbps"] >= SHARE_FRACTION * share["best_effort"],
           f">= {SHARE_FRACTION:g} x WRR share",
           f"{be['throughput_mbps']:.1f} vs {SHARE_FRACTION * share['best_effort']:.1f} Mbit/s")
    _check(goals, "best_effort", be["starved_windows"] == 0,
           "never starved", f"{be['starved_windows']} starved windows")
    return goals
