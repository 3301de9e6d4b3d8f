# SPDX-License-Identifier: BSD-3-Clause
"""QEMU guests for the two-VM harness (usertools/qosdt-vm.py, doc/vm.md).

Each guest: Debian's kernel, the initramfs of qosdt.vm_image, one vCPU,
an ivshmem-plain device on the shared region's host file, and three serial
ports:

- ttyS0, the console, to build/vm/run/NAME-console.log;
- ttyS1, the command channel: Guest.sh() sends a shell script and gets
  its exit status and output back (the agent in qosdt.vm_image);
- ttyS2, the stream: processes started with Guest.spawn() write their
  output there, each line tagged; a thread here timestamps each line as it
  arrives (eclock(): the monotonic clock less the time this process was
  stopped), which is how the harness times events in the
  guests (a link going down) against what it did (a kill).

QEMU runs pinned to one host CPU (taskset), in a session of its own, with
PR_SET_PDEATHSIG: it dies with this process whatever ends it. Every QEMU
started here is also killed by stop_all(), which the harness calls at exit
and on Ctrl-C and SIGTERM.
"""

import base64
import ctypes
import lzma
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

QEMU = "qemu-system-x86_64"
IVSHMEM_DEVFN = "0x2"              # the device is 0000:00:02.0 in each guest
MEM_MB = 1024
BOOT_TIMEOUT = 180.0               # s from QEMU's start to the agent's READY
KVM_PROBE_TIMEOUT = 60.0

_started = []                      # every QEMU Popen of this process
_lock = threading.Lock()


class _Pauses:
    """Time this process spent stopped (SIGSTOP: the shared machine's
    measurement lock stops every other tree's processes, the guests' QEMUs
    with this one). A thread that wakes every 50 ms sees such a stop as a
    gap; eclock() leaves the gaps out, so that no timeout here expires and
    no interval is measured across a time nobody ran."""

    def __init__(self):
        self.total = 0.0
        self.thread = None

    def start(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def _run(self):
        last = time.monotonic()
        while True:
            time.sleep(0.05)
            now = time.monotonic()
            gap = now - last - 0.05
            if gap > 1.0:
                self.total += gap
            last = now


_pauses = _Pauses()


def eclock():
    """time.monotonic() less the time this process was stopped."""
    _pauses.start()
    return time.monotonic() - _pauses.total


def paused_s():
    """Seconds this process has spent stopped so far."""
    return _pauses.total


class GuestError(Exception):
    """A guest died, timed out or answered what the protocol does not allow."""


def _pdeathsig():
    """In the child before exec: die when the harness dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def stop_all():
    """SIGKILL every QEMU this process started that is still running;
    returns how many were."""
    n = 0
    with _lock:
        procs = list(_started)
    for p in procs:
        if p.poll() is None:
            n += 1
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                p.kill()
            p.wait()
    return n


def qemu_version():
    """QEMU's first --version line, or None when it is not installed."""
    q = shutil.which(QEMU)
    if q is None:
        return None
    r = subprocess.run([q, "--version"], capture_output=True, text=True)
    return r.stdout.splitlines()[0] if r.returncode == 0 and r.stdout else None


def pvh_kernel(vmlinuz, out_dir):
    """The ELF vmlinux inside Debian's bzImage (its xz payload), which QEMU
    boots directly through PVH: no real-mode setup, no decompression in the
    guest (seconds under TCG). Cached in out_dir; falls back to the bzImage
    when there is no xz payload."""
    out = os.path.join(out_dir, "vmlinux")
    st = os.stat(vmlinuz)
    stamp = f"{vmlinuz} {st.st_size} {st.st_mtime_ns}"
    stamp_path = out + ".src"
    try:
        with open(stamp_path) as f:
            if f.read() == stamp and os.path.isfile(out):
                return out
    except OSError:
        pass
    with open(vmlinuz, "rb") as f:
        data = f.read()
    i = data.find(b"\xfd7zXZ\x00")
    if i < 0:
        return vmlinuz
    try:
        elf = lzma.LZMADecompressor().decompress(data[i:])
    except lzma.LZMAError:
        return vmlinuz
    if not elf.startswith(b"\x7fELF"):
        return vmlinuz
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.replace(out + ".tmp", out)
    with open(stamp_path, "w") as f:
        f.write(stamp)
    return out


def probe_kvm(kernel, run_dir):
    """(True, how) when a guest really runs under KVM here, else (False,
    why). /dev/kvm can exist where KVM does not work (a nested VM whose
    host lacks what QEMU needs): a guest that prints a line and powers off
    is the probe."""
    if not os.path.exists("/dev/kvm"):
        return False, "/dev/kvm does not exist"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "/dev/kvm is not read-writable by this user"
    busybox = "/bin/busybox"
    from .vm_image import Cpio
    c = Cpio()
    with open(busybox, "rb") as f:
        c.file("bin/busybox", f.read(), 0o755)
    c.file("init", b"#!/bin/busybox sh\n/bin/busybox echo QOSDT-KVM-PROBE-OK\n"
           b"/bin/busybox poweroff -f\n", 0o755)
    initrd = os.path.join(run_dir, "kvm-probe.cpio")
    with open(initrd, "wb") as f:
        f.write(c.close())
    log = os.path.join(run_dir, "kvm-probe.log")
    cmd = [QEMU, "-accel", "kvm", "-cpu", "host", "-smp", "1", "-m", "256",
           "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
           "-kernel", kernel, "-initrd", initrd,
           "-append", "console=ttyS0 panic=-1", "-serial", f"file:{log}"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, start_new_session=True,
                         preexec_fn=_pdeathsig)
    with _lock:
        _started.append(p)
    try:
        out, _ = p.communicate(timeout=KVM_PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        out = (out or "") + f"(no power-off within {KVM_PROBE_TIMEOUT:g} s)"
    try:
        with open(log, errors="replace") as f:
            ok = "QOSDT-KVM-PROBE-OK" in f.read()
    except OSError:
        ok = False
    if ok:
        return True, "a probe guest booted under KVM"
    first = next((l.strip() for l in (out or "").splitlines() if l.strip()), "no output")
    return False, f"a probe guest did not boot under KVM: {first}"


class Guest:
    """One QEMU guest; see the module's docstring."""

    def __init__(self, name, cpu, accel, kernel, image, region, region_size,
                 run_dir, hugepages=0, log=print):
        self.name, self.cpu, self.accel = name, cpu, accel
        self.kernel, self.image = kernel, image
        self.region, self.region_size = region, region_size
        self.run_dir, self.hugepages, self.log = run_dir, hugepages, log
        self.proc = None
        self.cmd_sock = None
        self.stream_lines = []     # (monotonic time, tag, text)
        self.cond = threading.Condition()
        self.seq = 0
        self.boots = 0
        self.pci = None            # the ivshmem device's address, from READY
        self.boot_s = None
        self.spawned = {}          # tag: stream position when last spawned

    def _sock(self, what):
        return os.path.join(self.run_dir, f"{self.name}-{what}.sock")

    def start(self):
        """Start QEMU (a fresh boot); wait_ready() waits for the agent."""
        self.boots += 1
        for what in ("cmd", "stream"):
            try:
                os.unlink(self._sock(what))
            except FileNotFoundError:
                pass
        console = os.path.join(self.run_dir, f"{self.name}-console.log")
        cpu = ["-accel", "kvm", "-cpu", "host"] if self.accel == "kvm" else \
            ["-accel", "tcg", "-cpu", "max"]
        append = (f"console=ttyS0 loglevel=4 panic=-1 qosdt.hugepages={self.hugepages}")
        cmd = ["taskset", "-c", str(self.cpu), QEMU, "-name", self.name] + cpu + [
            "-smp", "1", "-m", str(MEM_MB), "-nodefaults", "-no-user-config",
            "-display", "none", "-no-reboot",
            "-kernel", self.kernel, "-initrd", self.image, "-append", append,
            "-serial", f"file:{console}",
            "-chardev", f"socket,id=cmd,path={self._sock('cmd')},server=on,wait=off",
            "-serial", "chardev:cmd",
            "-chardev", f"socket,id=stream,path={self._sock('stream')},server=on,wait=off",
            "-serial", "chardev:stream",
            "-object", f"memory-backend-file,id=shm,share=on,mem-path={self.region},"
                       f"size={self.region_size}",
            "-device", f"ivshmem-plain,memdev=shm,addr={IVSHMEM_DEVFN}"]
        self.qemu_log = open(os.path.join(self.run_dir, f"{self.name}-qemu.log"), "w")
        self.qemu_log.write(" ".join(cmd) + "\n")
        self.qemu_log.flush()
        self.t_start = eclock()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.qemu_log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=_pdeathsig)
        with _lock:
            _started.append(self.proc)
        self.cmd_sock = self._connect("cmd")
        stream = self._connect("stream")
        self.stream_thread = threading.Thread(target=self._read_stream, args=(stream,),
                                              daemon=True)
        self.stream_thread.start()
        self.rbuf = b""

    def _connect(self, what):
        path = self._sock(what)
        deadline = eclock() + 30
        while True:
            if self.proc.poll() is not None:
                raise GuestError(f"{self.name}: QEMU exited with {self.proc.returncode} "
                                 f"at start: {self.qemu_tail()}")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                s.close()
                if eclock() > deadline:
                    raise GuestError(f"{self.name}: no {path} 30 s after QEMU's start")
                time.sleep(0.05)

    def qemu_tail(self):
        try:
            with open(os.path.join(self.run_dir, f"{self.name}-qemu.log")) as f:
                return " | ".join(f.read().splitlines()[1:][-3:]) or "(no output)"
        except OSError:
            return "(no log)"

    def console_tail(self, n=5):
        try:
            with open(os.path.join(self.run_dir, f"{self.name}-console.log"),
                      errors="replace") as f:
                return " | ".join(l.strip() for l in f.read().splitlines()[-n:])
        except OSError:
            return "(no console log)"

    def _read_stream(self, s):
        log = open(os.path.join(self.run_dir, f"{self.name}-stream.log"),
                   "a" if self.boots > 1 else "w")
        buf = b""
        while True:
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            if not d:
                break
            buf += d
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                t = eclock()
                text = raw.decode(errors="replace").rstrip("\r")
                tag, _, rest = text.partition(" ")
                log.write(f"{t:.3f} {text}\n")
                log.flush()
                with self.cond:
                    self.stream_lines.append((t, tag, rest))
                    self.cond.notify_all()
        log.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _recv_more(self, deadline, in_line):
        """Wait for more of the command channel into rbuf, until deadline
        (TimeoutError). in_line: while waiting for a line, a QEMU that exited
        is reported at once, and a closed channel says whether it runs."""
        while True:
            left = deadline - eclock()
            if left <= 0:
                raise TimeoutError
            self.cmd_sock.settimeout(min(left, 1.0))
            try:
                d = self.cmd_sock.recv(65536)
            except socket.timeout:
                if in_line and not self.alive():
                    raise GuestError(f"{self.name}: QEMU exited ({self.proc.returncode}): "
                                     f"{self.qemu_tail()}")
                continue
            if not d:
                raise GuestError(f"{self.name}: command channel closed" +
                                 (f" (QEMU {'running' if self.alive() else 'exited'})"
                                  if in_line else ""))
            self.rbuf += d
            return

    def _recv_line(self, deadline):
        while b"\n" not in self.rbuf:
            self._recv_more(deadline, True)
        line, self.rbuf = self.rbuf.split(b"\n", 1)
        return line.decode(errors="replace")

    def _recv_bytes(self, n, deadline):
        while len(self.rbuf) < n:
            self._recv_more(deadline, False)
        out, self.rbuf = self.rbuf[:n], self.rbuf[n:]
        return out

    def wait_ready(self, timeout=BOOT_TIMEOUT):
        """Wait for the agent's READY line; returns the boot's seconds."""
        deadline = eclock() + timeout
        try:
            while True:
                line = self._recv_line(deadline)
                if line.startswith("@@READY "):
                    self.pci = line.split()[1]
                    break
        except TimeoutError:
            raise GuestError(f"{self.name}: not booted {timeout:g} s after QEMU's start "
                             f"(console: {self.console_tail()})") from None
        self.boot_s = eclock() - self.t_start
        if self.pci == "none":
            raise GuestError(f"{self.name}: no ivshmem device (1af4:1110) in the guest")
        return self.boot_s

    def sh(self, script, timeout=60.0):
        """Run a shell script in the guest (cwd /opt/qosdt); returns (exit
        status, output). Raises GuestError when the guest does not answer
        in time."""
        if not self.alive():
            raise GuestError(f"{self.name}: not running")
        self.seq += 1
        sid = str(self.seq)
        self.cmd_sock.sendall(b"@@CMD " + sid.encode() + b" " +
                              base64.b64encode(script.encode()) + b"\n")
        deadline = eclock() + timeout
        try:
            while True:
                line = self._recv_line(deadline)
                if line.startswith(f"@@OUT {sid} "):
                    break
            out = self._recv_bytes(int(line.split()[2]), deadline)
            end = self._recv_line(deadline)
        except TimeoutError:
            raise GuestError(f"{self.name}: no answer within {timeout:g} s to: "
                             f"{script[:200]}") from None
        m = re.match(rf"@@END {sid} (\d+)$", end)
        if not m:
            raise GuestError(f"{self.name}: command channel out of step: {end!r}")
        return int(m.group(1)), out.decode(errors="replace")

    def spawn(self, tag, command):
        """Start a shell command in the background; each line of its output
        (stdout and stderr) goes to the stream tagged with tag, and a last
        line "@@EXIT STATUS" when it ends. Returns its pid in the guest."""
        script = (f"rm -f /tmp/{tag}.pid\n"
                  f"( {command} 2>&1 & echo $! > /tmp/{tag}.pid; wait $!; "
                  f"echo \"@@EXIT $?\" ) 2>&1 | "
                  f"while IFS= read -r l; do echo \"{tag} $l\"; done > /dev/ttyS2 &\n"
                  f"i=0; while [ ! -s /tmp/{tag}.pid ] && [ $i -lt 3000 ]; do "
                  f"usleep 10000; i=$((i+1)); done\n"
                  f"cat /tmp/{tag}.pid\n")
        self.spawned[tag] = self.mark()
        rc, out = self.sh(script, timeout=120)
        if rc != 0 or not out.strip().isdigit():
            raise GuestError(f"{self.name}: could not start {tag}: {out.strip()}")
        return int(out.strip())

    def mark(self):
        """A position in the stream, for wait_line(since=...)."""
        with self.cond:
            return len(self.stream_lines)

    def lines(self, tag, since=0):
        with self.cond:
            return [(t, x) for t, g, x in self.stream_lines[since:] if g == tag]

    def wait_line(self, tag, pattern, timeout, since=0):
        """The first (time, text) of tag's stream from position since that
        matches the regex pattern, waiting up to timeout s; None if none
        came (or the process exited first)."""
        rx = re.compile(pattern)
        deadline = eclock() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.stream_lines):
                    t, g, x = self.stream_lines[i]
                    i += 1
                    if g != tag:
                        continue
                    if rx.search(x):
                        return t, x
                    if x.startswith("@@EXIT ") and not pattern.startswith("^@@EXIT"):
                        return None
                left = deadline - eclock()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))

    def exit_status(self, tag, timeout, since=None):
        """The exit status of tag's last process (or of the first one
        after stream position since), waiting up to timeout s; None if it
        is still running."""
        if since is None:
            since = self.spawned.get(tag, 0)
        hit = self.wait_line(tag, r"^@@EXIT \d+$", timeout, since)
        return None if hit is None else int(hit[1].split()[1])

    def signal(self, tag, sig):
        """Send a signal (a number or name such as INT, KILL) to tag's
        process; returns (monotonic time sent, time the guest answered)."""
        t0 = eclock()
        self.sh(f"kill -{sig} $(cat /tmp/{tag}.pid)", timeout=20)
        return t0, eclock()

    def power_off(self):
        """Pull the plug: SIGKILL QEMU (the guest gets no chance to do
        anything). The region's host file stays."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self.cmd_sock is not None:
            self.cmd_sock.close()
            self.cmd_sock = None
        if getattr(self, "qemu_log", None):
            self.qemu_log.close()
            self.qemu_log = None
