#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The original HyperAMP services end to end: a fast test.

Usage: services_hvisor.py BUILD_ROOT SOURCE_ROOT

A qosdt server runs with --services hvisor on a fresh net_shm region, and
qosdt-send --text (the original client's requests: the data and a NUL)
sends it one request after another: empty data, an embedded NUL, bytes
>= 0x80, hash text cut to a short buffer, the generators' sequences across
requests of separate processes (their state is the server's), an unknown
id, and requests without the NUL (served as if it followed them). Each
reply's result and every one of its bytes must equal what Original, a
reference written here from the rules of doc/services.md, computes; so
must its length (the request's). Every rule on every length is
app_services_autotest's job; this test checks the way there: the option,
the server, the frames and qosdt-send's printing.

Prints PASS, FAIL or SKIP per case, then the summary line
buildtools/test-summary.py counts.
"""

import os
import re
import subprocess
import sys
import time

from qosdt.eal import cleanup
from qosdt.process import Proc

from qosdt.cases import Cases

NAME = "services_hvisor"
EAL = ["--no-huge", "-m", "256", "--no-pci", "--log-level=lib.eal:error",
       "--no-telemetry"]
READY_TIMEOUT = 60    # s for the server's "server ready" (ASan builds are slow)
SEND_TIMEOUT = 60     # s for one qosdt-send


class Original:
    """The original server's services, from doc/services.md's rules: in
    place on the buffer (the data and its NUL), the length kept."""

    CHARSET = (b"abcdefghijklmnopqrstuvwxyz"
               b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    def __init__(self):
        self.xorshift = 1
        self.lcg = 1
        self.rand_string = 12345
        self.rand_letter = 54321

    @staticmethod
    def lcg_next(x):
        return (x * 1103515245 + 12345) & 0x7FFFFFFF

    @staticmethod
    def snprintf(buf, text):
        """snprintf(buf, len(buf), "%s", text): at most len - 1 characters
        and a NUL; the rest of buf as it was."""
        if not buf:
            return buf
        k = min(len(text), len(buf) - 1)
        return text[:k] + b"\0" + buf[k + 1:]

    @staticmethod
    def shift(s, n):
        out = bytearray(s)
        for i, c in enumerate(out):
            if 0x61 <= c <= 0x7A:
                out[i] = 0x61 + (c - 0x61 + n) % 26
            elif 0x41 <= c <= 0x5A:
                out[i] = 0x41 + (c - 0x41 + n) % 26
        return bytes(out)

    def run(self, sid, req):
        """(result, reply bytes) for a request: the original's buffer if it
        ends with a NUL, else the data with a NUL after it; the reply is the
        buffer's first len(req) bytes."""
        buf = req if req.endswith(b"\0") else req + b"\0"
        result, out = self.original(sid, buf)
        return result, out[:len(req)]

    def original(self, sid, buf):
        """(result, buffer afterwards) for the original's buffer: the data
        and its NUL."""
        end = buf.find(b"\0")
        s, rest = (buf, b"") if end < 0 else (buf[:end], buf[end:])
        if sid == 1:
            return "SUCCESS", buf
        if sid == 2:
            return "SUCCESS", s[::-1] + rest
        if sid in (3, 4):
            return "SUCCESS", self.shift(s, 3 if sid == 3 else 23) + rest
        if sid in (5, 6):
            return "SUCCESS", bytes(c ^ 0x42 for c in s) + rest
        if sid in (7, 8):
            return "SUCCESS", self.shift(s, 13) + rest
        if sid == 9:
            h = 5381
            for c in s:
                h = (h * 33 + c) % 2**64
            return "SUCCESS", self.snprintf(buf, b"%d" % h)
        if sid == 10:
            crc = 0xFFFFFFFF
            for c in s:
                crc ^= c
                for _ in range(8):
                    crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
            return "SUCCESS", self.snprintf(buf, b"%08X" % (crc ^ 0xFFFFFFFF))
        if sid == 11:
            h = 2166136261
            for c in s:
                h = ((h ^ c) * 16777619) % 2**32
            return "SUCCESS", self.snprintf(buf, b"%08X" % h)
        if sid == 12:
            x = 123456789 if self.xorshift == 1 else self.xorshift
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
            self.xorshift = x
            return "SUCCESS", self.snprintf(buf, b"%d" % x)
        if sid == 13:
            self.lcg = self.lcg_next(self.lcg)
            return "SUCCESS", self.snprintf(buf, b"%d" % self.lcg)
        if sid == 14:
            n = min(len(buf) - 1, 63)
            out = bytearray(buf)
            for i in range(n):
                self.rand_string = self.lcg_next(self.rand_string)
                out[i] = self.CHARSET[self.rand_string % 62]
            out[n] = 0
            return "SUCCESS", bytes(out)
        if sid == 15:
            self.rand_letter = self.lcg_next(self.rand_letter)
            return "SUCCESS", self.snprintf(buf, bytes([65 + self.rand_letter % 26]))
        return "NOT_EXIST", buf


# (service, data as bytes, sent with --text): in this order, one server.
VECTORS = [
    (1, b"", True),                          # only the NUL
    (2, b"ab\0cd", True),                    # stops at the embedded NUL
    (5, b"ABC", True),                       # 'B' becomes a NUL
    (7, b"Hello, World!", True),
    (9, b"hello", True),                     # 12 digits cut to 5
    (9, b"\xff\x80abcdefghijklmnopqrstuvwxyz", True),  # unsigned bytes
    (10, b"123456789", True),
    (12, b"x" * 12, True),                   # the server's state goes on
    (12, b"x" * 12, True),
    (13, b"y" * 12, True),
    (14, b"z" * 70, True),                   # 63 characters, then as it was
    (15, b"abc", True),
    (16, b"who", True),                      # NOT_EXIST, as it came
    (9, b"hello", False),                    # no NUL: 5 digits, no NUL back
    (14, b"zzz", False),
]


class Test(Cases):
    def __init__(self, build_root, source_root):
        super().__init__(NAME)
        pid = os.getpid()
        self.qosdt = os.path.join(build_root, "app", "qosdt")
        self.send = os.path.join(build_root, "app", "qosdt-send")
        self.cfg = os.path.join(source_root, "config", "qos.json")
        self.region = f"/dev/shm/qosdt-svc-hvisor-{pid}"
        self.prefix = f"svchv_{pid}"
        self.prefixes = [self.prefix + "_srv"]
        self.env = dict(os.environ)
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        self.server = None
        self.model = Original()

    def precondition(self):
        for p in (self.qosdt, self.send):
            if not os.access(p, os.X_OK):
                return f"{p} not built"
        return None

    def start_server(self):
        cmd = [self.qosdt] + EAL + [
            "-l", "0", "--file-prefix", self.prefix + "_srv",
            "--vdev", f"net_shm0,path={self.region},role=server", "--",
            "--role", "server", "--config", self.cfg, "--services", "hvisor",
            "--stats-period", "0"]
        self.server = Proc("server", cmd, env=self.env, keep_all=True)
        if not self.server.wait_ready(READY_TIMEOUT):
            return (f"no 'server ready' within {READY_TIMEOUT} s: "
                    f"{self.server.output()[-600:]!r}")
        if "services hvisor" not in self.server.ready_text:
            return f"the ready line does not name the semantics: {self.server.ready_text!r}"
        return None

    def send_one(self, n, sid, data, text):
        prefix = f"{self.prefix}_{n}"
        self.prefixes.append(prefix)
        cmd = [self.send] + EAL + [
            "-l", "1", "--file-prefix", prefix,
            "--vdev", f"net_shm0,path={self.region},role=client", "--",
            "--service", str(sid), "--timeout", "5", "--hex", data.hex()]
        if text:
            cmd.append("--text")
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, errors="replace", timeout=SEND_TIMEOUT,
                           env=self.env)
        return r.returncode, r.stdout + r.stderr

    def check(self, n, sid, data, text):
        status, out = self.send_one(n, sid, data, text)
        buf = data + b"\0" if text else data
        want_result, want = self.model.run(sid, buf)
        if status != 0:
            return f"qosdt-send exit {status}: {out.strip()[-400:]!r}"
        result = re.search(r"^result\s+(\S+)", out, re.M)
        if text:    # --text: all the bytes in hex on their own line
            got = re.search(r"^bytes\s+(\d+):((?: [0-9a-f]{2})*)$", out, re.M)
        else:       # without: quoted if all printable, else hex
            got = re.search(r'^reply\s+(\d+) bytes: (?:"(.*)"|([0-9a-f]*))', out, re.M)
        if result is None or got is None:
            return f"no result or reply bytes: {out.strip()[-400:]!r}"
        if text or got.group(3) is not None:
            got_bytes = bytes.fromhex(got.group(2) if text else got.group(3))
        else:
            got_bytes = got.group(2).encode()
        if result.group(1) != want_result:
            return f"result {result.group(1)}, expected {want_result}"
        if int(got.group(1)) != len(buf) or got_bytes != want:
            return f"reply {got_bytes!r}, expected {want!r}"
        if text:
            shown = re.search(r'^reply\s+"(.*)"$', out, re.M)
            cstr = want.split(b"\0", 1)[0]
            if shown is None or (cstr.isascii() and cstr.decode().isprintable()
                                 and shown.group(1) != cstr.decode()):
                return f"C string not shown as {cstr!r}: {out.strip()[-300:]!r}"
        return None

    def run(self):
        why = self.start_server()
        if why:
            self.case("server with --services hvisor", lambda: why)
            return
        for n, (sid, data, text) in enumerate(VECTORS):
            shown = repr(data) if len(data) <= 16 else \
                f"{data[:8]!r}... ({len(data)} bytes)"
            what = f"service {sid} on {shown}{' + NUL' if text else ', no NUL'}"
            self.case(what, lambda: self.check(n, sid, data, text))

    def finish(self):
        if self.server is not None and self.server.alive():
            killed = self.server.stop(READY_TIMEOUT)
            self.server.close()
            if killed:
                self.case("server exits cleanly", lambda: "did not exit at SIGINT")
            elif self.server.proc.returncode != 0:
                out = self.server.output()
                self.case("server exits cleanly", lambda: (
                    f"exit {self.server.proc.returncode}: {out.strip()[-400:]!r}"))
        cleanup([self.region], self.prefixes)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: services_hvisor.py BUILD_ROOT SOURCE_ROOT")
    build_root, source_root = (os.path.abspath(a) for a in sys.argv[1:])
    t = Test(build_root, source_root)
    t0 = time.monotonic()
    try:
        if t.precondition() is None:
            t.run()
        else:
            t.case("build", t.precondition)
    finally:
        t.finish()
    print(f"{len(VECTORS)} requests in {time.monotonic() - t0:.0f} s", flush=True)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
