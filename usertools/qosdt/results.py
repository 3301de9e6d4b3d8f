# SPDX-License-Identifier: BSD-3-Clause
"""The results documents the qosdt client and server write (doc/results.md):
their shape and consistency, and loading one."""
import json
import math

# The traffic classes, in the order the results and the tables give them.
CLASSES = ("realtime", "throughput", "reliable", "best_effort")
MODES = ("priority", "wrr", "fifo")
# Per-class fields of the results JSON (doc/results.md).
CLASS_COUNTS = ("sent", "received", "lost", "dropped", "deferred", "late",
                "bad_replies", "weight", "slo_violations", "latency_violations",
                "starved_windows")
CLASS_RATES = ("offered_mbps", "throughput_mbps", "avg_frame_bytes", "guarantee_mbps")
PERCENTILES = ("p50", "p90", "p99", "p999", "max")
TOP_STRINGS = ("role", "mode", "config", "scenario")
TOP_NUMBERS = ("duration_s", "channel_mbps")
TOP_OPTIONAL_COUNTS = ("malformed", "unmatched_replies", "stale_replies", "link_downs")
# Per-class counts checked when present (results of older builds lack them).
CLASS_OPTIONAL_COUNTS = ("resent", "duplicate_replies", "unresolved_at_stop")


def _is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_number(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) and v >= 0)


def class_problems(name, c):
    """(shape, consistency) problems of one class's results: shape is what
    is missing or mistyped; consistency is checked only on a sound shape."""
    if not isinstance(c, dict):
        return [f"classes.{name}: not an object"], []
    shape = []
    for k in CLASS_COUNTS:
        if k not in c:
            shape.append(f"classes.{name}.{k}: missing")
        elif not _is_count(c[k]):
            shape.append(f"classes.{name}.{k}: not a count: {c[k]!r}")
    for k in CLASS_OPTIONAL_COUNTS:
        if k in c and not _is_count(c[k]):
            shape.append(f"classes.{name}.{k}: not a count: {c[k]!r}")
    for k in CLASS_RATES:
        if k not in c:
            shape.append(f"classes.{name}.{k}: missing")
        elif not _is_number(c[k]):
            shape.append(f"classes.{name}.{k}: not a number >= 0: {c[k]!r}")
    lat = c.get("latency_us")
    if not isinstance(lat, dict):
        shape.append(f"classes.{name}.latency_us: missing or not an object")
    else:
        for k in PERCENTILES:
            if k not in lat:
                shape.append(f"classes.{name}.latency_us.{k}: missing")
            elif not _is_number(lat[k]):
                shape.append(f"classes.{name}.latency_us.{k}: not a number >= 0: {lat[k]!r}")
    if shape:
        return shape, []
    cons = []
    vals = [lat[k] for k in PERCENTILES]
    if vals != sorted(vals):
        cons.append(f"classes.{name}.latency_us: percentiles out of order: "
                    + ", ".join(f"{k} {v:g}" for k, v in zip(PERCENTILES, vals)))
    if c["sent"] != c["received"] + c["dropped"] + c["lost"] + c["bad_replies"]:
        cons.append(f"classes.{name}: sent {c['sent']} != received {c['received']} + "
                    f"dropped {c['dropped']} + lost {c['lost']} + "
                    f"bad_replies {c['bad_replies']}")
    return shape, cons


def results_problems(doc, role):
    """(shape, consistency) problems of a results document against
    doc/results.md; both empty when it is complete and consistent."""
    if not isinstance(doc, dict):
        return ["not a JSON object"], []
    shape, cons = [], []
    for k in TOP_STRINGS:
        if isinstance(doc.get(k), str) or (k == "scenario" and role == "server"
                                           and doc.get(k, 0) is None):
            continue
        shape.append(f"{k}: missing or not a string")
    for k in TOP_OPTIONAL_COUNTS:
        if k in doc and not _is_count(doc[k]):
            shape.append(f"{k}: not a count: {doc[k]!r}")
    for k in TOP_NUMBERS:
        if not _is_number(doc.get(k)):
            shape.append(f"{k}: missing or not a number >= 0")
    if not _is_count(doc.get("channel_overhead_bytes")):
        shape.append("channel_overhead_bytes: missing or not a count")
    if isinstance(doc.get("role"), str) and doc["role"] != role:
        shape.append(f"role: {doc['role']!r}, expected {role!r}")
    if isinstance(doc.get("mode"), str) and doc["mode"] not in MODES:
        shape.append(f"mode: {doc['mode']!r} is none of {', '.join(MODES)}")
    classes = doc.get("classes")
    if not isinstance(classes, dict):
        return shape + ["classes: missing or not an object"], cons
    for name in CLASSES:
        if name not in classes:
            shape.append(f"classes.{name}: missing")
            continue
        s, c = class_problems(name, classes[name])
        shape += s
        cons += c
    return shape, cons


def load_results(path, role):
    """(document, shape problems, consistency problems) of a results file;
    the document is None unless its shape is complete."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        return None, [f"{path}: missing"], []
    except (OSError, ValueError) as e:
        return None, [f"{path}: {e}"], []
    shape, cons = results_problems(doc, role)
    return ((None if shape else doc), [f"{path}: {p}" for p in shape],
            [f"{path}: {p}" for p in cons])

