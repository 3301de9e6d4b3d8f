# SPDX-License-Identifier: BSD-3-Clause
"""The kernel baseline: realtime's probe over Linux's own path, shaped by
tc HTB and flooded, for make eval and usertools/qosdt-kernel-baseline.py.

Two network namespaces joined by a veth pair, both created here and removed
again (also on an error, Ctrl-C or SIGTERM); the only addresses used are the
two inside them (198.18.0.1/30 and .2, RFC 2544's benchmarking range).
On the client side's veth egress a tc HTB shaper at --rate carries:

  htb-prio  the probe in a prio 0 class (rate and ceil: realtime's rate cap
            in config/qos.json, 30% of the shaper) beside a prio 1 class for
            everything else (70%, borrowing up to the whole shaper);
  fifo      one class at the shaper's rate for everything: one FIFO queue.

Each leaf queue is a pfifo of 1000 packets (Linux's default txqueuelen).
The probe is `sockperf under-load`: UDP datagrams of 104 bytes (qosdt's
frame: 40 B header + service 1's 64 B payload) at a constant 10 kpps, each
echoed by `sockperf server`, open loop (the next one leaves on time whether
or not a reply came back), every send and receive time in a --full-log;
a 1 s probe first calibrates sockperf 3.7's pacing (calibrated_mps()).
The flood is `iperf3 -u` over 16 sockets: 1400-byte datagrams
(mixed-overload's bulk size) offered at twice the shaper's rate.
doc/perf-analysis.md says why these tools and these rates.

Raw data per run: a JSON document (run()), read back by load() and summed
up by summary(); report_lines() and draw_realtime_cdf() put them into
make eval's report and its latency CDF.
"""
import glob
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import time

VARIANTS = ("htb-prio", "fifo")
NAMES = {v: f"kernel-{v}" for v in VARIANTS}
# The shaper, Mbit/s. Not qosdt's 1 Gbit/s channel: with the probe's sender
# spinning on one of the 2 vCPUs, the flood reached 400-480 Mbit/s here, so
# only a shaper of about 200 Mbit/s is offered twice its rate
# (doc/perf-analysis.md).
RATE_MBPS = 200
FLOOD_FACTOR = 2.0          # flood offered / shaper rate, as in mixed-overload
PROBE_SHARE = 0.30          # realtime's rate cap in config/qos.json
PROBE_BYTES = 104           # qosdt's 40 B header + service 1's 64 B payload
PROBE_PPS = 10000           # service 1 in config/mixed-overload.json
FLOOD_BYTES = 1400          # the bulk services' size in mixed-overload
# The flood's sockets. One UDP socket cannot overflow the shaper's queue:
# its send buffer (net.core.wmem_default, 208 KiB: about 90 datagrams of
# 1400 B in flight) fills first and then sendto() blocks, so the flood would
# slow to the shaper's rate instead of being dropped there. 16 sockets hold
# more than the 1000-packet queue (doc/perf-analysis.md).
FLOOD_STREAMS = 16
QUEUE_PACKETS = 1000        # each leaf pfifo (Linux's default txqueuelen)
BUCKET_MS = 1.0             # HTB's buckets, as config/qos.json's scheduler.bucket
PROBE_PORT = 11111
FLOOD_PORT = 5201
CLIENT_IP, SERVER_IP = "198.18.0.1", "198.18.0.2"
PERCENTILES = (("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p999", 99.9))
TOOLS = ("ip", "tc", "sockperf", "iperf3")
NS_NAME = re.compile(r"^qosdt-kb-(\d+)-[cs]$")
RAW_NAME = re.compile(r"^kernel-(.+)-r(\d+)\.json$")
HIST_STEPS = 32             # histogram buckets per octave (at most 1/32 wide)


class Failure(Exception):
    """A run that could not be made or measured; the message says why."""


# ------------------------------------------------------------------ parsing

def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least @p % of the values at
    or below it; None for no values."""
    if not sorted_values:
        return None
    # The rank is a whole number whenever p * n / 100 is one: 99.9 * 1000
    # must not become 999.0000000000001 and so the next value.
    k = max(1, math.ceil(round(p * len(sorted_values) / 100.0, 6)))
    return sorted_values[k - 1]


def hist_upper(us):
    """The upper bound of the histogram bucket holding @us (log buckets,
    HIST_STEPS per octave, the first one ending at 1 us)."""
    if us <= 1.0:
        return 1.0
    return round(2.0 ** (math.ceil(math.log2(us) * HIST_STEPS - 1e-9) / HIST_STEPS), 3)


def histogram(values):
    """{"upper_us": [...], "count": [...]}: the non-empty buckets, ascending."""
    counts = {}
    for v in values:
        u = hist_upper(v)
        counts[u] = counts.get(u, 0) + 1
    ups = sorted(counts)
    return {"upper_us": ups, "count": [counts[u] for u in ups]}


_FULL_LOG_ROW = re.compile(r"^\s*\d+,\s*([0-9.]+),\s*([0-9.]+),\s*[0-9.]+\s*$")
_VALID = re.compile(r"\[Valid Duration\] RunTime=([0-9.]+) sec; SentMessages=(\d+); "
                    r"ReceivedMessages=(\d+)")
_COUNTS = re.compile(r"# dropped messages = (\d+); # duplicated messages = (\d+); "
                     r"# out-of-order messages = (\d+)")
_PCT = re.compile(r"---> (?:percentile ([0-9.]+)|<(MAX|MIN)> observation) =\s*([0-9.]+)")


def parse_full_log(text):
    """A `sockperf --full-rtt --full-log` file: the round trip of every
    replied probe in its valid window (us, from the send and receive
    times, not the rounded third column), and the summary sockperf printed
    ("sent", "received", "dropped", "duplicated", "out_of_order",
    "valid_s" and its own percentiles, us). Raises Failure when the text
    has no per-message rows or no summary."""
    rtts, summary, own = [], {}, {}
    for line in text.splitlines():
        m = _FULL_LOG_ROW.match(line)
        if m:
            tx, rx = float(m.group(1)), float(m.group(2))
            rtts.append((rx - tx) * 1e6)
            continue
        m = _VALID.search(line)
        if m:
            summary.update(valid_s=float(m.group(1)), sent=int(m.group(2)),
                           received=int(m.group(3)))
            continue
        m = _COUNTS.search(line)
        if m:
            summary.update(dropped=int(m.group(1)), duplicated=int(m.group(2)),
                           out_of_order=int(m.group(3)))
            continue
        m = _PCT.search(line)
        if m:
            key = m.group(2).lower() if m.group(2) else f"p{float(m.group(1)):g}"
            own[key.replace(".", "")] = float(m.group(3))
    if "sent" not in summary or "dropped" not in summary:
        raise Failure("sockperf's full log has no [Valid Duration] or no dropped-messages line")
    if not rtts:
        raise Failure("sockperf's full log has no per-message rows (no reply came back)")
    summary["sockperf_rtt_us"] = own
    return rtts, summary


def rtt_figures(rtts):
    """p50, p90, p99, p999, max, min and mean (us) of the round trips."""
    v = sorted(rtts)
    out = {k: percentile(v, p) for k, p in PERCENTILES}
    out.update(max=v[-1], min=v[0], mean=statistics.fmean(v))
    return out


def parse_iperf3(client_json):
    """The flood from `iperf3 -u -J` on the client side: the rate its
    sender sent and the rate its receiver got (Mbit/s of UDP payload) and
    the receiver's loss (%). Raises Failure on an error."""
    try:
        doc = json.loads(client_json)
    except ValueError as e:
        raise Failure(f"iperf3 printed no JSON ({e})")
    if doc.get("error"):
        raise Failure(f"iperf3: {doc['error']}")
    try:
        sent, got = doc["end"]["sum_sent"], doc["end"]["sum_received"]
        return {"sent_mbps": sent["bits_per_second"] / 1e6,
                "received_mbps": got["bits_per_second"] / 1e6,
                "lost_pct": got["lost_percent"], "datagrams": sent["packets"]}
    except (KeyError, TypeError):
        raise Failure("iperf3's JSON lacks end.sum_sent or end.sum_received")


def parse_qdisc(tc_json):
    """`tc -s -j qdisc show`: per qdisc handle, its kind, packets sent,
    drops and overlimits."""
    return {q["handle"]: {"kind": q["kind"], "packets": q.get("packets", 0),
                          "drops": q.get("drops", 0), "overlimits": q.get("overlimits", 0)}
            for q in json.loads(tc_json or "[]")}


# ------------------------------------------------------------------- set-up

def _htb_class(dev, parent, classid, rate_mbps, ceil_mbps, prio=None):
    """tc class add ... htb: the rate and ceil with buckets (burst, cburst)
    of BUCKET_MS at each, and a quantum of one MTU frame (which also
    silences HTB's warning about the quantum its r2q gives at these rates)."""
    def bucket(mbps):
        return f"{max(1514, int(mbps * 1e6 / 8 * BUCKET_MS / 1000))}b"
    cmd = ["class", "add", "dev", dev, "parent", parent, "classid", classid, "htb",
           "rate", f"{rate_mbps:g}mbit", "burst", bucket(rate_mbps),
           "ceil", f"{ceil_mbps:g}mbit", "cburst", bucket(ceil_mbps), "quantum", "1514"]
    return cmd + (["prio", str(prio)] if prio is not None else [])


def tc_commands(variant, dev, rate_mbps):
    """The tc commands (argument lists) that shape @dev for @variant."""
    fifo = ["pfifo", "limit", str(QUEUE_PACKETS)]
    if variant == "fifo":
        return [["qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10"],
                _htb_class(dev, "1:", "1:10", rate_mbps, rate_mbps),
                ["qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:"] + fifo]
    if variant != "htb-prio":
        raise ValueError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
    probe = rate_mbps * PROBE_SHARE
    return [["qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "20"],
            _htb_class(dev, "1:", "1:1", rate_mbps, rate_mbps),
            _htb_class(dev, "1:1", "1:10", probe, probe, prio=0),
            _htb_class(dev, "1:1", "1:20", rate_mbps - probe, rate_mbps, prio=1),
            ["qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:"] + fifo,
            ["qdisc", "add", "dev", dev, "parent", "1:20", "handle", "20:"] + fifo,
            ["filter", "add", "dev", dev, "parent", "1:", "protocol", "ip", "prio", "1",
             "u32", "match", "ip", "protocol", "17", "0xff",
             "match", "ip", "dport", str(PROBE_PORT), "0xffff", "flowid", "1:10"]]


def missing_tools():
    """Why this host cannot run the baseline, or None."""
    gone = [t for t in TOOLS if not shutil.which(t)]
    if gone:
        return (f"{', '.join(gone)} not found (make eval installs them: "
                "apt-get install iproute2 sockperf iperf3)")
    if os.geteuid() != 0:
        return "network namespaces need root (run make eval as root)"
    return None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale():
    """Delete the namespaces an earlier run left behind when it was killed
    (named after its pid, which no longer lives); returns their names."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    gone = []
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = NS_NAME.match(name)
        if m and not _alive(int(m.group(1))):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
            gone.append(name)
    return gone


class Netns:
    """The two namespaces, the veth pair and the shaper of one run; a
    context manager that removes all of them again."""

    def __init__(self, variant, rate_mbps, log):
        tag = os.getpid()
        self.client, self.server = f"qosdt-kb-{tag}-c", f"qosdt-kb-{tag}-s"
        self.dev, self.peer = f"qkb{tag}c", f"qkb{tag}s"
        self.variant, self.rate = variant, rate_mbps
        self.log = log
        self.made = []
        self.commands = []

    def _ip(self, *args):
        self.commands.append("ip " + " ".join(args))
        r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
        if r.returncode:
            raise Failure(f"ip {' '.join(args)}: {r.stderr.strip()}")

    def exec(self, ns, cmd):
        return ["ip", "netns", "exec", ns] + cmd

    def __enter__(self):
        try:
            for ns in (self.client, self.server):
                self._ip("netns", "add", ns)
                self.made.append(ns)
            self._ip("link", "add", self.dev, "netns", self.client, "type", "veth",
                     "peer", "name", self.peer, "netns", self.server)
            for ns, dev, addr in ((self.client, self.dev, CLIENT_IP),
                                  (self.server, self.peer, SERVER_IP)):
                self._ip("-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
                self._ip("-n", ns, "link", "set", dev, "up")
                self._ip("-n", ns, "link", "set", "lo", "up")
            for args in tc_commands(self.variant, self.dev, self.rate):
                cmd = self.exec(self.client, ["tc"] + args)
                self.commands.append(" ".join(cmd[4:]))
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode:
                    raise Failure(f"tc {' '.join(args)}: {r.stderr.strip()}")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def qdisc_stats(self):
        r = subprocess.run(self.exec(self.client, ["tc", "-s", "-j", "qdisc", "show", "dev",
                                                   self.dev]), capture_output=True, text=True)
        return parse_qdisc(r.stdout) if r.returncode == 0 else {}

    def __exit__(self, *exc):
        # Deleting a namespace deletes the veth end in it, and so the pair.
        for ns in reversed(self.made):
            r = subprocess.run(["ip", "netns", "del", ns], capture_output=True, text=True)
            if r.returncode:
                self.log(f"WARNING: ip netns del {ns}: {r.stderr.strip()}")
        self.made = []
        return False


def _sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(3)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _wait_listening(ns, proto, port, timeout=5.0):
    """Until a socket in @ns listens on @port (ss), or Failure."""
    flag = "-Hltn" if proto == "tcp" else "-Hlun"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = subprocess.run(["ip", "netns", "exec", ns, "ss", flag, f"sport = :{port}"],
                           capture_output=True, text=True)
        if r.stdout.strip():
            return
        time.sleep(0.05)
    raise Failure(f"nothing listens on {proto} port {port} in {ns} after {timeout:g} s")


def _probe_cmd(mps, duration_s, full_log):
    return ["sockperf", "under-load", "-i", SERVER_IP, "-p", str(PROBE_PORT),
            "-m", str(PROBE_BYTES), "--mps", str(mps), "--reply-every", "1",
            "-t", f"{duration_s:g}", "--full-rtt", "--no-rdtsc", "--full-log", full_log]


def sent_pps(text):
    """The rate the probe really left at: from the send times of a
    sockperf full log, messages per second; None with fewer than 2."""
    tx = [float(m.group(1)) for m in map(_FULL_LOG_ROW.match, text.splitlines()) if m]
    if len(tx) < 2 or tx[-1] <= tx[0]:
        return None
    return (len(tx) - 1) / (tx[-1] - tx[0])


def calibrated_mps(ns, full_log):
    """The --mps that makes this sockperf send PROBE_PPS. sockperf 3.7
    (Debian 12's) paces --no-rdtsc runs in TSC ticks taken for nanoseconds,
    so it sends at PROBE_PPS / (TSC GHz): 4.8 kpps for 10 kpps on a 2.1 GHz
    TSC (fixed upstream after 3.7). A 1 s probe on the idle path measures
    the factor; a sockperf without the bug measures 1."""
    r = subprocess.run(ns.exec(ns.client, _probe_cmd(PROBE_PPS, 1, full_log)),
                       capture_output=True, text=True, timeout=30)
    try:
        with open(full_log) as f:
            got = sent_pps(f.read())
    except OSError:
        got = None
    if r.returncode or not got:
        raise Failure(f"sockperf's calibration run failed: {(r.stdout + r.stderr)[-400:]}")
    ns.commands.append(" ".join(_probe_cmd(PROBE_PPS, 1, full_log)) + "   # calibration")
    return max(1, round(PROBE_PPS * PROBE_PPS / got))


def run(variant, duration_s, rate_mbps=RATE_MBPS, flood_factor=FLOOD_FACTOR,
        log=lambda m: None, workdir="/tmp"):
    """One run of @variant: the probe for @duration_s under the flood.
    Returns its raw document; raises Failure when it could not be made."""
    why = missing_tools()
    if why:
        raise Failure(why)
    old_term = signal.signal(signal.SIGTERM, _sigterm)
    procs = []
    full_log = os.path.join(workdir, f"qosdt-kb-{os.getpid()}-{variant}.csv")
    flood_mbps = rate_mbps * flood_factor
    try:
        for name in remove_stale():
            log(f"removed {name}, left by a run that was killed")
        with Netns(variant, rate_mbps, log) as ns:
            def start(side, cmd, out=subprocess.PIPE):
                full = ns.exec(side, cmd)
                ns.commands.append(" ".join(full[4:]))
                p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT, text=True)
                procs.append(p)
                return p
            # The servers' output is not read: never let a full pipe block them.
            start(ns.server, ["sockperf", "server", "-i", SERVER_IP, "-p", str(PROBE_PORT)],
                  subprocess.DEVNULL)
            start(ns.server, ["iperf3", "-s", "-1", "-p", str(FLOOD_PORT), "-B", SERVER_IP],
                  subprocess.DEVNULL)
            _wait_listening(ns.server, "udp", PROBE_PORT)
            _wait_listening(ns.server, "tcp", FLOOD_PORT)
            mps = calibrated_mps(ns, full_log)
            flood = start(ns.client, [
                "iperf3", "-c", SERVER_IP, "-p", str(FLOOD_PORT), "-u",
                "-b", f"{flood_mbps / FLOOD_STREAMS:g}M", "-P", str(FLOOD_STREAMS),
                "-l", str(FLOOD_BYTES),
                "-t", str(int(math.ceil(duration_s)) + 2), "-J"])
            time.sleep(1.0)     # the flood fills the shaper's queue first
            if flood.poll() is not None:
                raise Failure(f"iperf3 flood exited early: {flood.stdout.read()[-400:]}")
            probe = start(ns.client, _probe_cmd(mps, duration_s, full_log))
            try:
                probe_out = probe.communicate(timeout=duration_s + 30)[0]
            except subprocess.TimeoutExpired:
                raise Failure(f"sockperf did not end within {duration_s + 30:g} s")
            qdisc = ns.qdisc_stats()
            try:
                flood_out = flood.communicate(timeout=15)[0]
            except subprocess.TimeoutExpired:
                raise Failure("the iperf3 flood did not end 15 s after the probe")
            if probe.returncode:
                raise Failure(f"sockperf exited {probe.returncode}: {probe_out[-400:]}")
            if not os.path.exists(full_log):
                raise Failure(f"sockperf wrote no full log: {probe_out[-400:]}")
            with open(full_log) as f:
                rtts, s = parse_full_log(f.read())
            fl = parse_iperf3(flood_out)
            commands = ns.commands
    finally:
        _stop(procs)
        signal.signal(signal.SIGTERM, old_term)
        if os.path.exists(full_log):
            os.unlink(full_log)
    return {
        "name": NAMES[variant], "variant": variant, "duration_s": duration_s,
        "shaper_mbps": rate_mbps, "queue_packets": QUEUE_PACKETS,
        "probe_class_mbps": rate_mbps * PROBE_SHARE if variant == "htb-prio" else None,
        "probe": {"bytes": PROBE_BYTES, "rate_pps": PROBE_PPS, "sockperf_mps": mps,
                  "sent": s["sent"], "received": s["received"], "lost": s["dropped"],
                  "out_of_order": s["out_of_order"], "valid_s": s["valid_s"],
                  "sent_pps": s["sent"] / s["valid_s"] if s["valid_s"] else None,
                  "rtt_us": rtt_figures(rtts), "rtt_hist": histogram(rtts),
                  "sockperf_rtt_us": s["sockperf_rtt_us"]},
        "flood": dict(fl, bytes=FLOOD_BYTES, offered_mbps=flood_mbps, streams=FLOOD_STREAMS),
        "qdisc": qdisc,
        "commands": commands,
    }


# ------------------------------------------------------ make eval: raw data

def eval_run(raw_dir, variant, rep, duration_s, say):
    """make eval's run of @variant, repeat @rep (from 0): its raw document
    goes to raw_dir/kernel-VARIANT-rN.json. Returns None, or the error."""
    try:
        doc = run(variant, duration_s, log=say)
    except Failure as e:
        return str(e)
    with open(os.path.join(raw_dir, f"kernel-{variant}-r{rep + 1}.json"), "w") as f:
        json.dump(doc, f, indent=1)
    say("  " + one_line(doc))
    return None


def one_line(doc):
    r, fl = doc["probe"]["rtt_us"], doc["flood"]
    return (f"{doc['name']}: round trip p50 {r['p50']:.1f} us, p99 {r['p99']:.1f} us, "
            f"p99.9 {r['p999']:.1f} us, max {r['max']:.0f} us; {doc['probe']['lost']} of "
            f"{doc['probe']['sent']} lost; flood {fl['sent_mbps']:.0f} Mbit/s sent, "
            f"{fl['received_mbps']:.0f} through the {doc['shaper_mbps']:g} Mbit/s shaper, "
            f"which dropped {shaper_drops(doc)} packets; probe sent at "
            f"{doc['probe']['sent_pps'] / 1000:.2f} kpps")


def shaper_drops(doc):
    """Packets the shaper's queues dropped in a run (tc's counters)."""
    return sum(q["drops"] for q in doc.get("qdisc", {}).values())


def load(raw_dir):
    """{name: [raw documents in repeat order]} of the runs in @raw_dir, in
    VARIANTS order; {} when there are none."""
    found = []
    for path in glob.glob(os.path.join(raw_dir, "kernel-*.json")):
        m = RAW_NAME.match(os.path.basename(path))
        if m and m.group(1) in VARIANTS:
            with open(path) as f:
                found.append((VARIANTS.index(m.group(1)), int(m.group(2)), json.load(f)))
    out = {}
    for _, _, doc in sorted(found, key=lambda x: (x[0], x[1])):
        out.setdefault(doc["name"], []).append(doc)
    return out


def _spread(values):
    v = [x for x in values if x is not None]
    return (statistics.median(v), min(v), max(v)) if v else None


def summary(kernel):
    """Per run name: each round-trip figure, the loss and the flood's
    rates as (median, min, max) over the repeats."""
    out = {}
    for name, docs in kernel.items():
        row = {k: _spread([d["probe"]["rtt_us"][k] for d in docs])
               for k in ("p50", "p90", "p99", "p999", "max")}
        row["loss_pct"] = _spread([100.0 * d["probe"]["lost"] / d["probe"]["sent"]
                                   for d in docs if d["probe"]["sent"]])
        row["sent_pps"] = _spread([d["probe"]["sent_pps"] for d in docs])
        for k in ("sent_mbps", "received_mbps", "offered_mbps"):
            row[f"flood_{k}"] = _spread([d["flood"][k] for d in docs])
        row["shaper_mbps"] = docs[0]["shaper_mbps"]
        row["runs"] = len(docs)
        out[name] = row
    return out


def write_csv(kernel, out_dir):
    """kernel.csv in @out_dir: one row per run; nothing without runs."""
    if not kernel:
        return
    os.makedirs(out_dir, exist_ok=True)
    cols = ("p50", "p90", "p99", "p999", "max")
    with open(os.path.join(out_dir, "kernel.csv"), "w") as f:
        f.write(",".join(["name", "repeat"] + [f"{c}_us" for c in cols]
                         + ["sent", "received", "lost", "shaper_mbps", "flood_offered_mbps",
                            "flood_sent_mbps", "flood_received_mbps"]) + "\n")
        for name, docs in kernel.items():
            for rep, d in enumerate(docs):
                p, fl = d["probe"], d["flood"]
                f.write(",".join(str(x) for x in
                                 [name, rep + 1] + [round(p["rtt_us"][c], 3) for c in cols]
                                 + [p["sent"], p["received"], p["lost"], d["shaper_mbps"],
                                    round(fl["offered_mbps"], 3), round(fl["sent_mbps"], 3),
                                    round(fl["received_mbps"], 3)]) + "\n")


def pooled_cdf(docs):
    """The repeats' round trips pooled: (bucket upper bounds in us,
    cumulative fraction at each, number of round trips), or None."""
    counts = {}
    for d in docs:
        h = d["probe"]["rtt_hist"]
        for u, k in zip(h["upper_us"], h["count"]):
            counts[u] = counts.get(u, 0) + k
    total = sum(counts.values())
    if not total:
        return None
    xs, ys, seen = [], [], 0
    for u in sorted(counts):
        seen += counts[u]
        xs.append(u)
        ys.append(seen / total)
    return xs, ys, total


# ------------------------------------------------------ make eval: the report

STYLES = {"kernel-htb-prio": ("#9467bd", (0, (5, 1, 1, 1))),
          "kernel-fifo": ("#8c564b", (0, (1, 1)))}


def draw_realtime_cdf(ax, kernel):
    """The kernel's probe as two more curves in a logit CDF panel."""
    for name, docs in (kernel or {}).items():
        cdf = pooled_cdf(docs)
        if not cdf:
            continue
        xs, ys, n = cdf
        top = 1 - 0.5 / n
        colour, ls = STYLES.get(name, ("#000000", "-"))
        ax.step(xs, [min(y, top) for y in ys], where="post", color=colour, ls=ls, label=name)


def _fmt(s3, nd=1):
    if s3 is None:
        return "-"
    med, lo, hi = s3
    return f"{med:.{nd}f}" if lo == hi else f"{med:.{nd}f} ({lo:.{nd}f}-{hi:.{nd}f})"


def report_lines(kernel, qosdt_realtime):
    """The report's section on the kernel baseline: its table, with qosdt's
    realtime rows (@qosdt_realtime: {mode: [client results]}) beside it,
    and a reading. [] without kernel runs."""
    if not kernel:
        return []
    s = summary(kernel)
    first = next(iter(kernel.values()))[0]
    rate = first["shaper_mbps"]
    lines = [
        "## 7. Realtime against the kernel's own path", "",
        "The same probe as service 1 of mixed-overload (realtime: 104-byte frames,",
        "qosdt's 40 B header and a 64 B payload, at a constant 10 kpps, each echoed)",
        "over Linux's own path instead of qosdt: UDP between two network namespaces",
        "over a veth pair (`usertools/qosdt-kernel-baseline.py`, `sockperf under-load`",
        f"against `sockperf server`), with a tc HTB shaper of {rate:g} Mbit/s on the",
        "sending side flooded by `iperf3 -u` at twice its rate (1400-byte datagrams).",
        "`kernel-htb-prio` gives the probe a prio 0 class (rate and ceil: realtime's",
        "30% cap); `kernel-fifo` has one class for everything, one FIFO of 1000 packets.",
        "The shaper is below qosdt's 1 Gbit/s channel because the flood cannot offer",
        "twice 1 Gbit/s beside the probe on a 2-vCPU VM ([perf-analysis.md](perf-analysis.md));",
        "the FIFO's standing queue (1000 packets) is then 5x longer in time than at",
        "1 Gbit/s, while the prio class's wait should depend little on the rate (a veth",
        "has no wire time).",
        "Round trips in us, median (min-max) over repeats; qosdt's rows are its",
        "realtime class (services 1 and 2) in the runs of section 2.", "",
        "| path | p50 | p90 | p99 | p99.9 | max | lost % | flood sent / through the shaper, Mbit/s |",
        "| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for mode, docs in (qosdt_realtime or {}).items():
        lat = [d["classes"]["realtime"]["latency_us"] for d in docs]
        lines.append(f"| qosdt `{mode}` | " + " | ".join(
            _fmt(_spread([x[k] for x in lat])) for k in ("p50", "p90", "p99", "p999", "max"))
            + " | | |")
    for name, r in s.items():
        lines.append(f"| **{name}** | " + " | ".join(
            _fmt(r[k]) for k in ("p50", "p90", "p99", "p999", "max"))
            + f" | {_fmt(r['loss_pct'], 2)} | {_fmt(r['flood_sent_mbps'], 0)} / "
            f"{_fmt(r['flood_received_mbps'], 0)} |")
    lines += ["", "**Reading.**", ""]
    prio, fifo = s.get("kernel-htb-prio"), s.get("kernel-fifo")
    if prio and fifo:
        lines.append(f"- The prio class keeps the kernel's probe at p99 {_fmt(prio['p99'])} us "
                     f"under the flood; one FIFO puts it at {_fmt(fifo['p99'])} us, behind "
                     "the flood's standing queue.")
    for name, r in s.items():
        sent = r["flood_sent_mbps"]
        if sent and sent[0] < 1.5 * r["shaper_mbps"]:
            lines.append(f"- `{name}`: the flood sent only {sent[0]:.0f} Mbit/s against the "
                         f"shaper's {r['shaper_mbps']:g}: not the overload this baseline "
                         "needs (the host's CPUs were too busy to make it); do not quote "
                         "this row.")
        pps = r["sent_pps"]
        if pps and pps[0] < 0.95 * PROBE_PPS:
            lines.append(f"- `{name}`: the probe left at only {pps[0] / 1000:.2f} kpps of "
                         f"{PROBE_PPS / 1000:g}: sockperf's sender did not get its CPU.")
    q = (qosdt_realtime or {}).get("priority")
    if q and prio:
        q99 = statistics.median(d["classes"]["realtime"]["latency_us"]["p99"] for d in q)
        verdict = "below" if q99 < prio["p99"][0] else "not below"
        lines.append(f"- qosdt's realtime p99 under `priority` ({q99:.1f} us) is {verdict} "
                     f"the kernel's prio class ({prio['p99'][0]:.1f} us).")
    lines.append("")
    return lines
