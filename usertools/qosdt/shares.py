# SPDX-License-Identifier: BSD-3-Clause
"""The share model: what each class sharing the WRR scheduler is owed in a
run, a weighted max-min fair split of what realtime leaves of the channel,
from the rates and weights the run's results report (doc/results.md).

The C library has the same model, qosdt_wrr_shares() in
lib/qosdt_adaptive_model.c, for the adaptive controller's live decisions;
this copy judges a finished run's results file, which reports no share.
Once the client writes each class's share into its results, wrr_shares()
reads it from there and this model goes.
"""

SHARED_CLASSES = ("throughput", "reliable", "best_effort")  # share what realtime leaves


def wire_factor(c, overhead):
    """Channel bits per request frame bit for a class."""
    avg = c["avg_frame_bytes"]
    return (avg + overhead) / avg if avg > 0 else 1.0


def water_fill(capacity, demand, weight):
    """Weighted max-min fair allocation of capacity among the demands."""
    alloc = {k: 0.0 for k in demand}
    active = {k for k in demand if demand[k] > 0 and weight[k] > 0}
    left = capacity
    while active and left > 1e-9:
        wsum = sum(weight[k] for k in active)
        fair = {k: left * weight[k] / wsum for k in active}
        done = {k for k in active if demand[k] - alloc[k] <= fair[k]}
        if not done:
            for k in active:
                alloc[k] += fair[k]
            break
        for k in done:
            left -= demand[k] - alloc[k]
            alloc[k] = demand[k]
        active -= done
    return alloc


def wrr_shares(doc):
    """Each shared class's WRR share, frame Mbit/s, plus the wire figures."""
    cls, ovh = doc["classes"], doc["channel_overhead_bytes"]
    rt = cls["realtime"]
    rt_wire = rt["throughput_mbps"] * wire_factor(rt, ovh)
    capacity = max(0.0, doc["channel_mbps"] - rt_wire)
    demand = {k: cls[k]["offered_mbps"] * wire_factor(cls[k], ovh) for k in SHARED_CLASSES}
    weight = {k: cls[k]["weight"] for k in SHARED_CLASSES}
    alloc = water_fill(capacity, demand, weight)
    share = {k: alloc[k] / wire_factor(cls[k], ovh) for k in SHARED_CLASSES}
    return share, {"rt_wire": rt_wire, "capacity": capacity, "demand": demand,
                   "weight": weight, "alloc": alloc}
