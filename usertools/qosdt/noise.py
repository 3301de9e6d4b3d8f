# SPDX-License-Identifier: BSD-3-Clause
"""The host's noise: what the host (hypervisor, kernel, other processes)
takes from a busy-polling thread, probed with a bare spin loop per core."""
import gc
import multiprocessing
import os
import time

NOISE_SECONDS = 2.0


def _spin(core, seconds, out):
    """Spin on one core and time the gaps between iterations: what the host
    (hypervisor, kernel, other processes) takes from a busy-polling thread."""
    os.sched_setaffinity(0, {core})
    gc.disable()
    now = time.perf_counter_ns
    end = now() + int(seconds * 1e9)
    last, lost, n5, n20, n1ms, top = now(), 0, 0, 0, 0, 0
    while last < end:
        t = now()
        d, last = t - last, t
        if d >= 5000:
            lost += d
            n5 += 1
            n20 += d >= 20000
            n1ms += d >= 1000000
            top = max(top, d)
    out.put((core, lost / (seconds * 1e9), n5 / seconds, n20 / seconds, n1ms / seconds,
             top / 1e3))


def noise_probe(cores, seconds=NOISE_SECONDS):
    """Busy-poll every core at once, as the two processes do; returns
    {core: (fraction of time lost in stalls >= 5 us, stalls/s, stalls >= 20 us /s,
    stalls >= 1 ms /s, the longest stall in us)}."""
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_spin, args=(c, seconds, out)) for c in cores]
    for p in procs:
        p.start()
    res = {}
    for _ in procs:
        core, *figures = out.get(timeout=seconds + 10)
        res[core] = tuple(figures)
    for p in procs:
        p.join()
    return res


def noise_line(noise):
    per_core = "; ".join(f"core {c}: {lost * 100:.1f}% of the time in stalls >= 5 us "
                         f"({n5:.0f}/s, {n20:.0f}/s >= 20 us, longest {top / 1000:.1f} ms)"
                         for c, (lost, n5, n20, _, top) in sorted(noise.items()))
    return (f"host noise (a bare spin loop on both cores, {NOISE_SECONDS:g} s): {per_core}. "
            f"A round trip crosses both cores about three times: stalls this frequent "
            f"bound how low the realtime p99 can go here.")

