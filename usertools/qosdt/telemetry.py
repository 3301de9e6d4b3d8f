# SPDX-License-Identifier: BSD-3-Clause
"""Query a running DPDK process's telemetry socket (v2) from a script: what
`dpdk-telemetry.py -f PREFIX` does interactively, one command per call.
The socket is <runtime dir>/<file-prefix>/dpdk_telemetry.v2, the runtime
dir /var/run/dpdk for root, else $XDG_RUNTIME_DIR/dpdk (doc/monitoring.md)."""

import json
import os
import socket

SOCKET_NAME = "dpdk_telemetry.v2"


def socket_path(prefix):
    """The telemetry socket of the process started with --file-prefix prefix."""
    if os.geteuid() == 0:
        base = "/var/run/dpdk"
    else:
        base = os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
    return os.path.join(base, prefix, SOCKET_NAME)


class Telemetry:
    """One connection; query(cmd) returns the reply's value (a dict or
    list), or raises OSError/ValueError when the process is gone."""

    def __init__(self, prefix, timeout=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(socket_path(prefix))
            greeting = json.loads(self.sock.recv(4096).decode())
        except (OSError, ValueError):
            self.sock.close()
            raise
        self.max_len = int(greeting.get("max_output_len", 16384))

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = self.sock.recv(self.max_len)
        if not reply:
            raise OSError(f"telemetry: connection closed on {cmd!r}")
        doc = json.loads(reply.decode())
        return doc.get(cmd.split(",", 1)[0])

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
