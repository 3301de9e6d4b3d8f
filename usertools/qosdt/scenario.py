# SPDX-License-Identifier: BSD-3-Clause
"""Reading scenario files (doc/scenario.md) from scripts."""
import re

UNITS = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}
PPS = re.compile(r"^([0-9.]+)([kMG]?)pps$")
BPS = re.compile(r"^([0-9.]+)([kMG]?)(?:bps|bit)?$")
FRAME_HEADER = 40     # bytes of request header before the payload


def frame_bps(flow, channel_bps):
    """A scenario flow's rate in frame bits per second: a message rate
    ("10kpps") times its frame, a percentage of @channel_bps, or a bit rate
    ("200M"). ValueError for anything else."""
    rate, size = str(flow["rate"]).strip(), flow["size"]
    m = PPS.match(rate)
    if m:
        return float(m.group(1)) * UNITS[m.group(2)] * 8 * (FRAME_HEADER + size)
    if rate.endswith("%"):
        return float(rate[:-1]) / 100 * channel_bps
    m = BPS.match(rate)
    if m:
        return float(m.group(1)) * UNITS[m.group(2)]
    raise ValueError(f"rate {rate!r} is not a form this script reads")
