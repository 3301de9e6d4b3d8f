#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""One service VM, three client VMs: a fast test (doc/tenants.md).

Usage: tenants_run.py BUILD_ROOT SOURCE_ROOT

A qosdt server with config/tenants.json (three tenants) serves three
net_shm ports, one region each; three qosdt client processes, one per
region, run their own scenarios at once: A floods best effort
(be-flood), B runs mixed-overload, C idle-latency. Checks what a user of
a service VM checks:
- the server comes up on the three ports;
- every client ends with verified replies only: none unmatched, none from
  an earlier client, no bad reply (a reply sent by the wrong port would be
  one of those);
- the server's per-tenant counts are each client's traffic and nobody
  else's: a class the client did not offer has no request at the
  server's tenant, and the server received at least the replies the
  client verified;
- nothing of B's reliable class is lost;
- the server's results carry a section per tenant, by name;
- the server keeps a dedup table per tenant (--dedup-file FILE: one file
  per tenant, FILE.<tenant name>): each tenant's table remembers that
  tenant's reliable requests and no other's;
- then one client process with the same three scenarios (--scenario
  three times) drives the three ports (a client VM each): three results
  files, every reply verified, each tenant's counts at the server its
  client's, B's reliable none lost, and the process runs until every
  client VM's requests are resolved (none open when it stops: C, done
  first, does not stop B).

Prints PASS, FAIL or SKIP per case, then the summary line
buildtools/test-summary.py counts. Rates and latencies are not judged:
four busy-polling processes share this machine's cores.
"""

import json
import os
import sys

from qosdt.cases import Cases
from qosdt.eal import cleanup
from qosdt.process import Proc

NAME = "tenants_run"
EAL = ["--no-huge", "-m", "512", "--no-pci", "--log-level=lib.eal:error",
       "--no-telemetry"]
READY_TIMEOUT = 60     # s for the server's ready line (ASan builds are slow)
CLIENT_S = 4           # each client's --duration
CLIENT_TIMEOUT = 120   # s for a client to finish
TENANTS = [("A", "be-flood"), ("B", "mixed-overload"), ("C", "idle-latency")]


class Test(Cases):
    def __init__(self, build_root, source_root):
        super().__init__(NAME)
        pid = os.getpid()
        self.qosdt = os.path.join(build_root, "app", "qosdt")
        self.config = os.path.join(source_root, "config")
        self.regions = [f"/dev/shm/qosdt-tenants-{pid}-{i}" for i in range(3)]
        self.prefix = f"tenants_{pid}"
        self.prefixes = [self.prefix + "_srv"] + \
            [f"{self.prefix}_c{i}" for i in range(3)]
        self.results = [f"/tmp/qosdt-tenants-{pid}-{n}.json"
                        for n in ("srv", "c0", "c1", "c2")]
        # The one-process run: --results BASE, written as BASE-<i>.json.
        self.one_base = f"/tmp/qosdt-tenants-{pid}-one.json"
        self.one_results = [f"/tmp/qosdt-tenants-{pid}-one-{i}.json"
                            for i in range(3)]
        self.prefixes.append(f"{self.prefix}_one")
        # The first server's dedup tables: FILE.<tenant name> each.
        self.dedup_base = f"/dev/shm/qosdt-tenants-{pid}-dedup"
        self.dedup_files = [f"{self.dedup_base}.tenant{i}" for i in range(3)]
        self.env = dict(os.environ)
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        self.server = None
        self.clients = []
        self.srv = None
        self.cli = []

    def precondition(self):
        if not os.access(self.qosdt, os.X_OK):
            return f"{self.qosdt} not built"
        return None

    def start_server(self, dedup_file=None):
        self.srv, self.cli = None, []
        cmd = [self.qosdt] + EAL + ["-l", "0", "--file-prefix", self.prefixes[0]]
        for i, region in enumerate(self.regions):
            cmd += ["--vdev", f"net_shm{i},path={region},role=server"]
        cmd += ["--", "--role", "server",
                "--config", os.path.join(self.config, "tenants.json"),
                "--stats-period", "0", "--results", self.results[0]]
        if dedup_file:
            cmd += ["--dedup-file", dedup_file]
        self.server = Proc("server", cmd, env=self.env, keep_all=True)
        if not self.server.wait_ready(READY_TIMEOUT):
            return (f"no ready line within {READY_TIMEOUT} s: "
                    f"{self.server.output()[-600:]!r}")
        if "ports 0-2 (tenants 3)" not in self.server.ready_text:
            return f"the ready line does not name the 3 ports: {self.server.ready_text!r}"
        where = self.dedup_files if dedup_file else ["memory"] * 3
        for i, w in enumerate(where):
            if f"tenant tenant{i}: dedup 8192 entries in {w}" not in \
                    self.server.ready_text:
                return (f"the ready line does not name tenant{i}'s dedup "
                        f"table in {w}: {self.server.ready_text!r}")
        return None

    def run_clients(self):
        for i, (_, scenario) in enumerate(TENANTS):
            cmd = [self.qosdt] + EAL + [
                "-l", "1", "--file-prefix", self.prefixes[1 + i],
                "--vdev", f"net_shm0,path={self.regions[i]},role=client", "--",
                "--role", "client", "--config",
                os.path.join(self.config, "qos.json"),
                "--scenario", os.path.join(self.config, scenario + ".json"),
                "--duration", str(CLIENT_S), "--stats-period", "0",
                "--results", self.results[1 + i]]
            self.clients.append(Proc(f"client {TENANTS[i][0]}", cmd,
                                     env=self.env, keep_all=True))
        why = []
        for c in self.clients:
            if not c.wait(CLIENT_TIMEOUT):
                c.stop(5)
                why.append(f"{c.name} did not finish in {CLIENT_TIMEOUT} s")
            elif c.proc.returncode != 0:
                why.append(f"{c.name} exit {c.proc.returncode}: "
                           f"{c.output().strip()[-300:]!r}")
            c.close()
        return "; ".join(why) or None

    def stop_server(self):
        killed = self.server.stop(READY_TIMEOUT)
        self.server.close()
        if killed:
            return "did not exit at SIGINT"
        if self.server.proc.returncode != 0:
            return (f"exit {self.server.proc.returncode}: "
                    f"{self.server.output().strip()[-400:]!r}")
        return self.load()

    def run_one_client(self):
        """One client process, three --scenario, the three ports."""
        cmd = [self.qosdt] + EAL[:1] + ["-m", "768"] + EAL[3:] + [
            "-l", "1", "--file-prefix", self.prefixes[-1]]
        for i, region in enumerate(self.regions):
            cmd += ["--vdev", f"net_shm{i},path={region},role=client"]
        cmd += ["--", "--role", "client", "--config",
                os.path.join(self.config, "qos.json")]
        for _, scenario in TENANTS:
            cmd += ["--scenario", os.path.join(self.config, scenario + ".json")]
        cmd += ["--duration", str(CLIENT_S), "--stats-period", "0",
                "--results", self.one_base]
        c = Proc("client process of 3 VMs", cmd, env=self.env, keep_all=True)
        self.clients.append(c)
        if not c.wait(CLIENT_TIMEOUT):
            c.stop(5)
            return f"{c.name} did not finish in {CLIENT_TIMEOUT} s"
        c.close()
        if c.proc.returncode != 0:
            return f"{c.name} exit {c.proc.returncode}: {c.output().strip()[-300:]!r}"
        return None

    def load(self, client_results=None):
        try:
            with open(self.results[0], encoding="utf-8") as f:
                self.srv = json.load(f)
            for path in client_results or self.results[1:]:
                with open(path, encoding="utf-8") as f:
                    self.cli.append(json.load(f))
        except (OSError, ValueError) as e:
            return f"results: {e}"
        return None

    def clients_verified(self):
        bad = []
        for (name, _), r in zip(TENANTS, self.cli):
            for key in ("unmatched_replies", "stale_replies"):
                if r.get(key, 0) != 0:
                    bad.append(f"{name}: {key} {r[key]}")
            for cls, k in r["classes"].items():
                if k.get("bad_replies", 0) != 0:
                    bad.append(f"{name}: {cls} bad replies {k['bad_replies']}")
            if sum(k["received"] for k in r["classes"].values()) == 0:
                bad.append(f"{name}: no reply at all")
        return "; ".join(bad) or None

    def tenants_section(self):
        tenants = self.srv.get("tenants")
        if not isinstance(tenants, dict):
            return "no tenants section in the server's results"
        names = sorted(tenants, key=lambda n: tenants[n]["index"])
        if names != ["tenant0", "tenant1", "tenant2"]:
            return f"tenants {names}, expected tenant0..tenant2"
        return None

    def traffic_per_tenant(self, names=None):
        tenants = sorted(self.srv["tenants"].values(), key=lambda t: t["index"])
        bad = []
        for name, r, t in zip(names or [n for n, _ in TENANTS], self.cli, tenants):
            for cls, k in r["classes"].items():
                at_server = t["classes"][cls]["received"]
                if k["sent"] == 0 and at_server != 0:
                    bad.append(f"{name} sent no {cls}, yet its tenant has {at_server}")
                if at_server < k["received"]:
                    bad.append(f"{name}: {k['received']} {cls} replies verified, "
                               f"its tenant received only {at_server} requests")
        return "; ".join(bad) or None

    def dedup_per_tenant(self, files=None):
        """Each tenant's table served its tenant's reliable requests (the
        one lossless class of config/tenants.json), and nobody else's."""
        bad = []
        for t in sorted(self.srv["tenants"].values(), key=lambda t: t["index"]):
            d, i = t.get("dedup", {}), t["index"]
            if not d.get("enabled"):
                bad.append(f"tenant{i}: no dedup table")
                continue
            want = files[i] if files else None
            if d.get("file") != want:
                bad.append(f"tenant{i}: table in {d.get('file')}, expected {want}")
            life = d["this_life"]
            got = life["served"] + life["replayed"]
            rel = t["classes"]["reliable"]["received"]
            if got != rel:
                bad.append(f"tenant{i}: its table served {life['served']} and "
                           f"answered {life['replayed']}, its reliable "
                           f"received {rel}")
            if life["duplicates_served"] or life["conflicts"]:
                bad.append(f"tenant{i}: duplicates served "
                           f"{life['duplicates_served']}, conflicts "
                           f"{life['conflicts']}")
        if files:
            bad += [f"{f} missing" for f in files if not os.path.exists(f)]
        if "dedup" in self.srv:
            bad.append("a top-level dedup section beside the tenants' own")
        if not bad and self.cli[1]["classes"]["reliable"]["received"] == 0:
            bad.append("B had no reliable reply: nothing was judged")
        return "; ".join(bad) or None

    def all_resolved(self):
        open_at_stop = [f"{name}: {cls} {k['unresolved_at_stop']}"
                        for (name, _), r in zip(TENANTS, self.cli)
                        for cls, k in r["classes"].items()
                        if k.get("unresolved_at_stop", 0)]
        if open_at_stop:
            return "requests still open when the process stopped: " + \
                "; ".join(open_at_stop)
        return None

    def reliable_kept(self):
        k = self.cli[1]["classes"]["reliable"]
        if k["sent"] == 0:
            return "B offered no reliable request"
        if k.get("lost", 0) != 0:
            return f"B lost {k['lost']} reliable requests"
        return None

    def run(self):
        why = self.start_server(self.dedup_base)
        self.case("server on 3 ports, one per tenant", lambda: why)
        if why:
            return
        why = self.run_clients()
        self.case("three client VMs finish", lambda: why)
        why = self.stop_server()
        self.server = None
        self.case("server exits cleanly with its results", lambda: why)
        if why or len(self.cli) != 3:
            return
        self.case("every reply verified at its client", self.clients_verified)
        self.case("results: a section per tenant", self.tenants_section)
        if self.tenants_section() is None:
            self.case("each tenant's counts are its client's traffic",
                      self.traffic_per_tenant)
        self.case("B's reliable: none lost", self.reliable_kept)
        self.case("a dedup table per tenant, in FILE.<tenant name>",
                  lambda: self.dedup_per_tenant(self.dedup_files))
        self.run_one_process()

    def run_one_process(self):
        why = self.start_server()
        self.case("server again, for one client process", lambda: why)
        if why:
            return
        why = self.run_one_client()
        self.case("one client process drives the 3 ports", lambda: why)
        killed = self.server.stop(READY_TIMEOUT)
        self.server.close()
        self.server = None
        why = why or ("server did not exit at SIGINT" if killed else
                      self.load(self.one_results))
        if why:
            self.case("its three results files", lambda: why)
            return
        self.case("one process: every reply verified at its client VM",
                  self.clients_verified)
        self.case("one process: each tenant's counts are its client VM's",
                  self.traffic_per_tenant)
        self.case("one process: runs until every client VM is done",
                  self.all_resolved)
        self.case("one process: B's reliable: none lost", self.reliable_kept)
        self.case("one process: a dedup table per tenant, in memory",
                  self.dedup_per_tenant)

    def finish(self):
        for p in [self.server] + self.clients:
            if p is not None and p.alive():
                p.stop(5)
                p.close()
        cleanup(self.regions + self.results + self.one_results +
                self.dedup_files, self.prefixes)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: tenants_run.py BUILD_ROOT SOURCE_ROOT")
    t = Test(*(os.path.abspath(a) for a in sys.argv[1:]))
    try:
        if t.precondition() is None:
            t.run()
        else:
            t.case("build", t.precondition)
    finally:
        t.finish()
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
