# SPDX-License-Identifier: BSD-3-Clause
"""One service VM, several client VMs (doc/tenants.md): TenantsRun, a qosdt
server with a tenants config serving one net_shm port per tenant and a
client process on each region that has a scenario, every wait bounded;
run_benchmark, the three-VM benchmark and the solo runs it is compared
with; and goal_checks, issue 16's goals judged on one run of each.

The client VMs are emulated on this machine: the server on one core, the
client VMs on the other (eal.SERVER_CORE, eal.CLIENT_CORE). By default
they are the sessions of one client process (--scenario once per VM),
polled in turn, each on its own region; one_process=False runs a client
process per VM instead, time-sliced by the kernel (doc/tenants.md,
"Emulating the client VMs").
"""
import json
import os
import re
import time

from . import SOURCE_ROOT
from .eal import CLIENT_CORE, MEM_MB, SERVER_CORE, cleanup, eal_args, hugepages_ok
from .process import Proc, server_stop_error
from .results import CLASSES, load_results

TENANTS_CONFIG = "config/tenants.json"   # the service VM's: three equal tenants
CLIENT_CONFIG = "config/qos.json"        # each client VM's (no tenants section)
MODE = "priority"
# The benchmark's client VMs: name -> (tenant index, scenario). A floods best
# effort at 5x the channel (doc/scenario.md), B runs mixed-overload, C
# idle-latency.
VMS = {"A": (0, "config/tenant-flood.json"),
       "B": (1, "config/mixed-overload.json"),
       "C": (2, "config/idle-latency.json")}
SOLOS = ("B", "C")                       # the client VMs also run alone
# The control: the three client processes again with A idle (C's scenario
# instead of the flood), not judged. Against it the three-VM run shows what
# A's flood costs B and C; against the solos, what sharing the client core
# costs them (three busy-polling clients on one CPU).
CONTROL = ("quiet-A", "config/idle-latency.json")
DURATION_S = 10                          # mixed-overload's own length
ONE_PROCESS = True                       # the client VMs: one process's sessions

READY_TIMEOUT = 10.0      # s from server start to its ready line (3 ports)
CLIENT_SLACK = 10.0       # s a client may run beyond --duration
LINK_WAIT = 5             # s a client waits for its link (--link-wait)
STOP_GRACE = 5.0          # s the server has to exit after SIGINT

# The goals (issue 16; doc/tenants.md, "Measured").
NEIGHBOUR_TP_MIN = 0.90   # B's class throughput with neighbours >= this x solo
NEIGHBOUR_P99_MAX = 1.10  # ... and its p99 <= this x solo
C_P99_FACTOR = 2.0        # C's realtime p99 <= this x solo
SHARE_SLACK = 1.01        # A's delivered rate <= this x its share


def say(msg):
    print(f"[tenants] {msg}", flush=True)


# --------------------------------------------------------------- the config

_RATE_UNIT = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9}
_RATE = re.compile(r"([0-9]+(?:\.[0-9]+)?)([kKMG]?)(?:bps|bit)?")


def parse_rate(text, of_bps=None):
    """A config rate in bit/s: "1G", "400M", "1.2Gbps", or "N%" of of_bps
    (doc/config.md, "Units"). ValueError when it is none of those."""
    s = str(text).strip()
    if s.endswith("%"):
        if of_bps is None:
            raise ValueError(f"{text!r}: a share where no whole is given")
        return float(s[:-1]) / 100.0 * of_bps
    m = _RATE.fullmatch(s)
    if not m:
        raise ValueError(f"not a rate: {text!r}")
    return float(m.group(1)) * _RATE_UNIT[m.group(2)]


def tenant_shares(cfg):
    """Each tenant's share of the capacity in Mbit/s, by index, from a
    config's `tenants` section (doc/config.md): capacity x weight / the sum
    of the weights, at most the tenant's `rate`. The capacity defaults to
    count x channel.rate."""
    channel = parse_rate(cfg.get("channel", {}).get("rate", "1G"))
    t = cfg.get("tenants", {})
    lst = t.get("list", [])
    count = t.get("count", len(lst) or 1)
    whole = count * channel
    cap = t.get("capacity")
    capacity = whole if cap is None else parse_rate(cap, whole)
    weights = [(lst[i].get("weight", 1) if i < len(lst) else 1) for i in range(count)]
    out = []
    for i, w in enumerate(weights):
        share = capacity * w / sum(weights)
        rate = lst[i].get("rate") if i < len(lst) else None
        if rate is not None:
            share = min(share, parse_rate(rate, capacity))
        out.append(share / 1e6)
    return out


# ------------------------------------------------------------------ the run

class TenantsRun:
    """One server with a tenants config (one net_shm port per tenant, one
    region each) and a client process on each region in @clients, all
    started at once.

    clients: {vm name: (tenant index, scenario)}; one_process: all of them
    the sessions of one client process (else a process each). run() returns
    the list of
    errors (empty on success); afterwards results holds each client's
    results document ({vm name: doc}, the complete ones) and server_results
    the server's.
    """
    seq = 0

    def __init__(self, binary, name, clients, duration, out_dir,
                 config=TENANTS_CONFIG, client_config=CLIENT_CONFIG, mode=MODE,
                 cwd=SOURCE_ROOT, raw_name=None, one_process=ONE_PROCESS):
        with open(os.path.join(cwd, config), encoding="utf-8") as f:
            cfg = json.load(f)
        t = cfg.get("tenants", {})
        self.nb_tenants = t.get("count", len(t.get("list", [])) or 1)
        bad = [vm for vm, (i, _) in clients.items() if not 0 <= i < self.nb_tenants]
        if bad:
            raise ValueError(f"{config}: {self.nb_tenants} tenants; no port for "
                             + ", ".join(f"{vm} (tenant {clients[vm][0]})" for vm in bad))
        self.binary, self.name, self.clients = binary, name, dict(clients)
        self.duration, self.out_dir, self.cwd = duration, out_dir, cwd
        self.config, self.client_config, self.mode = config, client_config, mode
        # raw_name(vm or None) -> results path; vm None is the server's.
        self.raw_name = raw_name or (lambda vm: os.path.join(
            out_dir, f"{name}-{vm}.json" if vm else f"server-{name}.json"))
        self.one_process = one_process and len(self.clients) > 1
        self.results, self.server_results = {}, None
        self.errors, self.warnings, self.logs, self.failed_procs = [], [], [], []
        TenantsRun.seq += 1
        self.tag = f"qosdt-tenants-{os.getpid()}-{TenantsRun.seq}-{name}"
        self.regions = [f"/dev/shm/{self.tag}-{i}" for i in range(self.nb_tenants)]

    def _proc(self, role, cmd):
        log = os.path.join(self.out_dir, f"{self.name}-{role}.log")
        self.logs.append(log)
        return Proc(role, cmd, self.cwd, log)

    def _server_cmd(self, huge):
        vdevs = [f"net_shm{i},path={r},role=server" for i, r in enumerate(self.regions)]
        cmd = [self.binary] + eal_args(SERVER_CORE, f"{self.tag}-server", vdevs[0], huge)
        for v in vdevs[1:]:
            cmd += ["--vdev", v]
        return cmd + ["--", "--role", "server", "--config", self.config,
                      "--mode", self.mode, "--stats-period", "0",
                      "--results", self.raw_name(None)]

    def _client_cmd(self, vm, huge):
        index, scenario = self.clients[vm]
        vdev = f"net_shm0,path={self.regions[index]},role=client"
        return ([self.binary] + eal_args(CLIENT_CORE, f"{self.tag}-{vm}", vdev, huge)
                + ["--", "--role", "client", "--config", self.client_config,
                   "--mode", self.mode, "--scenario", scenario,
                   "--duration", f"{self.duration:g}", "--stats-period", "0",
                   "--link-wait", str(LINK_WAIT), "--results", self.raw_name(vm)])

    def _sessions_cmd(self, huge):
        """One client process driving every client VM of the run, a session
        each on its own port (--scenario repeated), all on one lcore:
        polled in turn, not time-sliced by the kernel."""
        vms = list(self.clients)
        cmd = [self.binary] + eal_args(CLIENT_CORE, f"{self.tag}-clients",
                                       f"net_shm0,path={self.regions[self.clients[vms[0]][0]]},role=client",
                                       huge)
        for n, vm in enumerate(vms[1:], 1):
            cmd += ["--vdev", f"net_shm{n},path={self.regions[self.clients[vm][0]]},role=client"]
        cmd += ["--", "--role", "client", "--config", self.client_config,
                "--mode", self.mode, "--duration", f"{self.duration:g}",
                "--stats-period", "0", "--link-wait", str(LINK_WAIT),
                "--results", self._sessions_base()]
        for vm in vms:
            cmd += ["--scenario", self.clients[vm][1]]
        return cmd

    def _sessions_base(self):
        return os.path.join(self.out_dir, f"{self.tag}-sessions.json")

    def _sessions_results(self):
        """Move the one process's R-<i>.json to each VM's results path."""
        base = self._sessions_base()[:-len(".json")]
        for n, vm in enumerate(self.clients):
            src = f"{base}-{n}.json"
            if os.path.exists(src):
                os.replace(src, self.raw_name(vm))

    def run(self):
        errors = self.errors
        for vm in [None] + list(self.clients):
            if os.path.exists(self.raw_name(vm)):
                os.unlink(self.raw_name(vm))   # never judge a stale file
        huge = hugepages_ok(MEM_MB, 1 + len(self.clients))
        server, clients = None, {}
        try:
            server = self._proc("server", self._server_cmd(huge))
            if not server.wait_ready(READY_TIMEOUT):
                errors.append(f"{self.name}: server not ready within {READY_TIMEOUT:g} s"
                              + (f" (exit code {server.proc.returncode})"
                                 if not server.alive() else ""))
                self.failed_procs.append(server)
                return errors
            want = f"ports 0-{self.nb_tenants - 1} (tenants {self.nb_tenants})"
            if self.nb_tenants > 1 and want not in server.ready_text:
                errors.append(f"{self.name}: the server's ready line does not name "
                              f"{want}: {server.ready_text!r}")
                return errors
            if self.one_process:
                clients["+".join(self.clients)] = self._proc(
                    "clients", self._sessions_cmd(huge))
            else:
                for vm in self.clients:
                    clients[vm] = self._proc(f"client {vm}", self._client_cmd(vm, huge))
            deadline = time.monotonic() + self.duration + CLIENT_SLACK
            for vm, c in clients.items():
                if not c.wait(deadline - time.monotonic()):
                    killed = c.stop(1.0)
                    errors.append(f"{self.name}: client {vm} still running "
                                  f"{self.duration + CLIENT_SLACK:g} s after its start: "
                                  + ("killed (SIGKILL)" if killed else "stopped (SIGINT)"))
                    self.failed_procs.append(c)
                elif c.proc.returncode != 0:
                    errors.append(f"{self.name}: client {vm} exited with code "
                                  f"{c.proc.returncode}")
                    self.failed_procs.append(c)
            why = server_stop_error(self.name, server, STOP_GRACE)
            if why is not None:
                errors.append(why)
                self.failed_procs.append(server)
        finally:
            for p in list(clients.values()) + ([server] if server else []):
                p.stop(0.5)
                p.close()
            cleanup(self.regions, [f"{self.tag}-{r}"
                                   for r in ["server", "clients"] + list(self.clients)])
        if self.one_process:
            self._sessions_results()
        self._load()
        return errors

    def _load(self):
        for vm, (_, scenario) in self.clients.items():
            doc, shape, cons = load_results(self.raw_name(vm), "client")
            self.errors.extend(f"{self.name}: client {vm}: {p}" for p in shape + cons)
            if doc is None:
                continue
            self.results[vm] = doc
            for k in ("unmatched_replies", "stale_replies"):
                if doc.get(k, 0):
                    self.errors.append(f"{self.name}: client {vm}: {k} {doc[k]}")
            bad = {c: k["bad_replies"] for c, k in doc["classes"].items() if k["bad_replies"]}
            if bad:
                self.errors.append(f"{self.name}: client {vm}: bad replies {bad}")
        doc, shape, _ = load_results(self.raw_name(None), "server")
        self.warnings += [f"{self.name}: server: {p}" for p in shape]
        if doc is not None and self.nb_tenants > 1 and not isinstance(doc.get("tenants"), dict):
            self.errors.append(f"{self.name}: server: no tenants section")
            doc = None
        self.server_results = doc

    def tails(self):
        return "\n".join(p.tail() for p in self.failed_procs)

    def remove_logs(self):
        for log in self.logs:
            if os.path.exists(log):
                os.unlink(log)


def benchmark_runs(control=True):
    """The runs of the benchmark, in order: (run name, {vm: (tenant,
    scenario)}): the three client VMs at once, the control (CONTROL) when
    asked, then each of SOLOS alone against the same server config."""
    runs = [("together", dict(VMS))]
    if control:
        runs.append((CONTROL[0], dict(VMS, A=(VMS["A"][0], CONTROL[1]))))
    runs += [(f"solo-{vm}", {vm: VMS[vm]}) for vm in SOLOS]
    return runs


def run_benchmark(binary, out_dir, duration=DURATION_S, raw_name=None, log=say,
                  control=True, one_process=ONE_PROCESS):
    """Every run of benchmark_runs(), one after the other: {run name:
    TenantsRun} (each holds its errors and results). raw_name(run, vm or
    None) gives a results path (None: the server's); default: under out_dir.
    log is told what runs and what it measured."""
    runs = {}
    for name, clients in benchmark_runs(control):
        path = None if raw_name is None else (lambda vm, name=name: raw_name(name, vm))
        run = TenantsRun(binary, name, clients, duration, out_dir, raw_name=path,
                         one_process=one_process)
        log(f"{name}: " + ", ".join(f"{vm} {os.path.basename(sc)} on port {i}"
                                    for vm, (i, sc) in clients.items())
            + f", {duration:g} s")
        errors = run.run()
        for e in errors:
            log(f"ERROR: {e}")
        if run.failed_procs:
            print(run.tails(), flush=True)
        if not errors:
            run.remove_logs()
        for line in run_line(name, run.results):
            log(f"  {line}")
        runs[name] = run
    return runs


def config_shares(server, root=SOURCE_ROOT):
    """tenant_shares() of the config a server's results name (its
    `config`, relative to root), else of TENANTS_CONFIG."""
    path = (server or {}).get("config") or TENANTS_CONFIG
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return tenant_shares(json.load(f))


def tenant_traffic_mbps(server, index, span_s):
    """What the server released of tenant @index's requests (its `sent`,
    frame bits) as a rate over span_s seconds; None without the server's
    tenants section."""
    if not server or not isinstance(server.get("tenants"), dict):
        return None
    t = next((v for v in server["tenants"].values() if v.get("index") == index), None)
    if t is None or span_s <= 0:
        return None
    bits = sum(c["offered_mbps"] for c in t["classes"].values()) * server["duration_s"]
    return bits / span_s


# ---------------------------------------------------------------- the goals

def _check(goals, vm, ok, rule, figures):
    goals.append((vm, bool(ok), rule, figures))


def _fmt_us(v):
    return f"{v:.1f}" if v < 1000 else f"{v:.0f}"


def goal_checks(together, server, solo, shares):
    """[(client VM, met, rule, figures)] of issue 16's goals, judged on one
    run of each: together {vm: client results} and the server's results of
    the three-VM run, solo {vm: client results} of the solo runs, shares
    each tenant's share of the capacity in Mbit/s (tenant_shares). figures
    are those the rule was judged on; a run not made fails its goal and
    says so."""
    goals = []
    b, sb = together.get("B"), solo.get("B")
    if b is None or sb is None:
        _check(goals, "B", False, "each class within 10% of B solo",
               "no " + ("three-VM run" if b is None else "solo run"))
    else:
        for cls in CLASSES:
            k, s = b["classes"][cls], sb["classes"][cls]
            if s["received"] == 0:
                continue
            tp, stp = k["throughput_mbps"], s["throughput_mbps"]
            p99, sp99 = k["latency_us"]["p99"], s["latency_us"]["p99"]
            ok = (k["received"] > 0 and tp >= NEIGHBOUR_TP_MIN * stp
                  and p99 <= NEIGHBOUR_P99_MAX * sp99)
            _check(goals, "B", ok,
                   f"{cls}: throughput >= {NEIGHBOUR_TP_MIN:g} x solo and p99 <= "
                   f"{NEIGHBOUR_P99_MAX:g} x solo",
                   f"{tp:.1f} vs {stp:.1f} Mbit/s ({tp / stp if stp else 0:.2f}x), "
                   f"p99 {_fmt_us(p99)} vs {_fmt_us(sp99)} us "
                   f"({p99 / sp99 if sp99 else 0:.2f}x)")
    c, sc = together.get("C"), solo.get("C")
    if c is None or sc is None or sc["classes"]["realtime"]["received"] == 0:
        _check(goals, "C", False, f"realtime p99 <= {C_P99_FACTOR:g} x C solo",
               "no " + ("three-VM run" if c is None else "solo run with realtime"))
    else:
        rt, srt = c["classes"]["realtime"], sc["classes"]["realtime"]
        p99, sp99 = rt["latency_us"]["p99"], srt["latency_us"]["p99"]
        _check(goals, "C", rt["received"] > 0 and p99 <= C_P99_FACTOR * sp99,
               f"realtime p99 <= {C_P99_FACTOR:g} x solo",
               f"{_fmt_us(p99)} us against a bound of {_fmt_us(C_P99_FACTOR * sp99)} "
               f"(solo {_fmt_us(sp99)} us: {p99 / sp99 if sp99 else 0:.2f}x solo)")
    a = together.get("A")
    index = VMS["A"][0]
    if a is None or index >= len(shares):
        _check(goals, "A", False, "delivered <= its share", "no three-VM run")
    else:
        share = shares[index]
        got = sum(k["throughput_mbps"] for k in a["classes"].values())
        offered = sum(k["offered_mbps"] for k in a["classes"].values())
        at_srv = tenant_traffic_mbps(server, index, a["duration_s"])
        ok = got <= SHARE_SLACK * share and at_srv is not None \
            and at_srv <= SHARE_SLACK * share
        _check(goals, "A", ok,
               f"delivered <= {SHARE_SLACK:g} x its share, at its client and at the server",
               f"client {got:.1f}, server "
               + (f"{at_srv:.1f}" if at_srv is not None else "n/a (no tenants section)")
               + f" vs share {share:.1f} Mbit/s (offered {offered:.0f})")
    parts, ok = [], True
    for what, doc in (("with neighbours", b), ("solo", sb)):
        if doc is None:
            parts.append(f"{what}: no run")
            ok = False
            continue
        r = doc["classes"]["reliable"]
        parts.append(f"{what}: lost {r['lost']}, dropped {r['dropped']} of {r['sent']}")
        ok = ok and r["sent"] > 0 and r["lost"] == 0 and r["dropped"] == 0
    _check(goals, "B", ok, "reliable: none lost or dropped, with neighbours and solo",
           "; ".join(parts))
    return goals


def goal_lines(goals):
    """The goals as printed (goal_checks): a head line, then one line per
    goal: client VM, rule: figures, met or MISSED."""
    met = sum(g[1] for g in goals)
    lines = [f"goals of one service VM, three client VMs (doc/tenants.md): "
             f"{met} of {len(goals)} met"]
    for vm, ok, rule, figures in goals:
        lines.append(f"  {vm}  {rule}: {figures}  {'met' if ok else 'MISSED'}")
    return lines


def run_line(name, results):
    """One line per client of a run: each class's p99 and throughput."""
    out = []
    for vm, doc in results.items():
        cls = [f"{c} p99 {_fmt_us(k['latency_us']['p99'])} us {k['throughput_mbps']:.1f} Mbit/s"
               for c, k in doc["classes"].items() if k["sent"]]
        out.append(f"{name} {vm} ({doc['scenario']}): " + "; ".join(cls))
    return out


def compare_lines(runs):
    """B's and C's classes across the runs, solo first: p99 (us) and
    throughput (Mbit/s) in each. runs: {run name: {vm: client results}}."""
    order = [n for n in [f"solo-{vm}" for vm in SOLOS] + [CONTROL[0], "together"]
             if n in runs]
    lines = ["B and C in each run: p99 us / Mbit/s ("
             + ", ".join(order).replace("solo-B, solo-C", "solo") + ")"]
    for vm in SOLOS:
        names = [n for n in order if vm in runs[n] and (n == f"solo-{vm}"
                                                        or not n.startswith("solo-"))]
        if not names:
            continue
        for cls in CLASSES:
            docs = [runs[n][vm]["classes"][cls] for n in names]
            if not any(k["sent"] for k in docs):
                continue
            lines.append(f"  {vm} {cls:<11} " + "  ".join(
                f"{n if not n.startswith('solo-') else 'solo'} "
                f"{_fmt_us(k['latency_us']['p99'])} / {k['throughput_mbps']:.1f}"
                for n, k in zip(names, docs)))
    return lines
