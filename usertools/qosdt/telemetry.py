# SPDX-License-Identifier: BSD-3-Clause
"""The one telemetry client of the scripts and tests: queries a running
DPDK process's telemetry socket (v2), what `dpdk-telemetry.py -f PREFIX`
does interactively, one command per call. The socket is
dpdk_telemetry.v2 in the process's EAL runtime folder (qosdt.eal.runtime_dir,
doc/monitoring.md)."""

import json
import os
import socket
import time

from .eal import runtime_dir

SOCKET_NAME = "dpdk_telemetry.v2"


def socket_path(prefix):
    """The telemetry socket of the process started with --file-prefix prefix."""
    return os.path.join(runtime_dir(prefix), SOCKET_NAME)


class Telemetry:
    """One connection; query(cmd) returns the reply's value (a dict or
    list), or raises OSError/ValueError when the process is gone. wait:
    seconds to keep trying while the socket is not there yet (a process
    still starting); then OSError names the socket."""

    def __init__(self, prefix, timeout=5.0, wait=0.0):
        self.path = socket_path(prefix)
        deadline = time.monotonic() + wait
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self.sock.settimeout(timeout)
            try:
                self.sock.connect(self.path)
                greeting = json.loads(self.sock.recv(4096).decode())
                break
            except (OSError, ValueError) as e:
                self.sock.close()
                if time.monotonic() >= deadline:
                    if wait:
                        raise OSError(f"no telemetry at {self.path} after {wait:g} s: "
                                      f"{e}") from e
                    raise
                time.sleep(0.2)
        self.max_len = int(greeting.get("max_output_len", 16384))

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = self.sock.recv(self.max_len)
        if not reply:
            raise OSError(f"telemetry: connection closed on {cmd!r}")
        doc = json.loads(reply.decode())
        return doc.get(cmd.split(",", 1)[0])

    def xstats(self, port=0):
        """{name: value} of a port's extended statistics."""
        return self.query(f"/ethdev/xstats,{port}")

    def link_up(self, port=0):
        """True if the port's link is up."""
        return self.query(f"/ethdev/link_status,{port}").get("status") == "UP"

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
