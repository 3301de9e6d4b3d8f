# SPDX-License-Identifier: BSD-3-Clause
"""Where a realtime round trip goes, hop by hop: joins the client's and the
server's --trace files (app/hop_trace.h) by request id and gives each hop's
share of the round trip (median and p90 over the traced requests).

The command line: usertools/qosdt_hops.py CLIENT_TRACE SERVER_TRACE (main()).
"""
import json
import sys

# The segments of a round trip: (name, from hop, to hop), in order.
SEGMENTS = (
    ("client scheduler", "client_gen", "client_sched"),
    ("client TX ring and stage", "client_sched", "client_tx"),
    ("channel client->server", "client_tx", "server_rx"),
    ("server RX ring to worker", "server_rx", "server_admit"),
    ("server scheduler", "server_admit", "server_sched"),
    ("service", "server_sched", "server_served"),
    ("server TX ring and stage", "server_served", "server_tx"),
    ("channel server->client", "server_tx", "client_rx"),
    ("client RX ring to verified", "client_rx", "client_done"),
)


def load(path):
    """{request id: {hop: ns}} of one trace file (hops not stamped left out)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    hops = doc["hops"]
    out = {}
    for row in doc["requests"]:
        out[row[0]] = {h: t for h, t in zip(hops, row[1:]) if t}
    return out


def _pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))] if v else 0.0


def budget(client, server):
    """[(segment, median us, p90 us, p99 us)] plus the total's, over the requests
    every hop of which was stamped; and how many those were."""
    joined = []
    for rid, c in client.items():
        s = server.get(rid)
        if s is None:
            continue
        hops = {**c, **s}
        if all(a in hops and b in hops for _, a, b in SEGMENTS):
            joined.append(hops)
    rows = []
    for name, a, b in SEGMENTS:
        d = [(h[b] - h[a]) / 1e3 for h in joined]
        rows.append((name, _pct(d, 0.5), _pct(d, 0.9), _pct(d, 0.99)))
    total = [(h["client_done"] - h["client_gen"]) / 1e3 for h in joined]
    rows.append(("round trip", _pct(total, 0.5), _pct(total, 0.9), _pct(total, 0.99)))
    return rows, len(joined)


def budget_lines(client_path, server_path, what="idle"):
    """The hop budget as printable lines."""
    rows, n = budget(load(client_path), load(server_path))
    if n == 0:
        return ["hop budget: no request was stamped at every hop"]
    lines = [f"{what} round trip hop by hop ({n} traced realtime requests; "
             "median / p90 / p99 us):"]
    lines += [f"  {name:<28} {med:7.2f} {p90:7.2f} {p99:8.1f}" for name, med, p90, p99 in rows]
    return lines


def main(argv):
    """usertools/qosdt_hops.py CLIENT_TRACE SERVER_TRACE: prints the budget."""
    if len(argv) != 3:
        sys.exit("usage: qosdt_hops.py CLIENT_TRACE SERVER_TRACE")
    print("\n".join(budget_lines(argv[1], argv[2])))
    return 0
