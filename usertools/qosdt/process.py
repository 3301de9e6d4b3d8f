# SPDX-License-Identifier: BSD-3-Clause
"""The one way the scripts and tests start a DPDK process that runs until it
is stopped: Proc, a child in its own session whose output a thread reads
(to a log, to callbacks, kept whole when asked), ready once it prints its
ready line, stopped with SIGINT then SIGKILL of its group, and reporting
its last lines or its sanitizer report when it failed."""
import collections
import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time

READY_LINE = "server ready"   # what a qosdt server prints once it serves
TAIL_LINES = 20               # lines of a failed process's output shown

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SANITIZER = re.compile(r"==\d+==ERROR: \w+Sanitizer|: runtime error: ")


class Proc:
    """One DPDK process (qosdt, testpmd, ...), in a session of its own. A
    thread copies its output (stdout and stderr) to log_path when given,
    keeps the last lines and the start of the first sanitizer report, sets
    ready once a line holds ready_line and, when echo is a string, prints
    each line to our stdout after that prefix. on_line, when given, is
    called with each line (from that thread) as it arrives. env: the
    environment to start from (ours by default). keep_all: keep every line
    (lines, output()), not only the last ones. stdout is line-buffered
    through stdbuf when it is installed."""

    def __init__(self, name, cmd, cwd=None, log_path=None, echo=None, on_line=None,
                 ready_line=READY_LINE, env=None, keep_all=False):
        self.name, self.echo, self.on_line = name, echo, on_line
        self.ready_line = ready_line
        self.ready_text = None              # the line that made it ready
        self.lines = [] if keep_all else None
        self.tail_lines = collections.deque(maxlen=TAIL_LINES)
        self.report = []                    # first sanitizer report's start
        self.ready = threading.Event()
        self.log_path = log_path
        self.log = open(log_path, "w", encoding="utf-8") if log_path else None
        if self.log:
            self.log.write(f"$ cd {shlex.quote(cwd or os.getcwd())} && {shlex.join(cmd)}\n")
            self.log.flush()
        env = dict(os.environ if env is None else env)
        stdbuf = shutil.which("stdbuf")     # line-buffer the app's stdout pipe
        if stdbuf:
            cmd = [stdbuf, "-oL"] + cmd
            # stdbuf preloads its library, which an ASan build must allow
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                         "verify_asan_link_order=0"]))
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = ANSI.sub("", raw.decode(errors="replace").rstrip("\r\n"))
            if self.log:
                self.log.write(line + "\n")
                self.log.flush()
            self.tail_lines.append(line)
            if self.lines is not None:
                self.lines.append(line)
            if (self.report or SANITIZER.search(line)) and len(self.report) < TAIL_LINES:
                self.report.append(line)
            if not self.ready.is_set() and self.ready_line in line:
                self.ready_text = line
                self.ready.set()
            if self.echo is not None:
                print(f"{self.echo}{line}", flush=True)
            if self.on_line is not None:
                self.on_line(line)

    def output(self):
        """Every line it printed so far (keep_all)."""
        return "".join(line + "\n" for line in self.lines[:])

    def wait_ready(self, timeout):
        """True once it printed its ready line; False if it exited or
        timeout seconds passed first."""
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.05):
            if not self.alive() or time.monotonic() > deadline:
                return self.ready.is_set()
        return True

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """True if the process exited within timeout seconds."""
        try:
            self.proc.wait(max(0.0, timeout))
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self, grace):
        """SIGINT, then SIGKILL of its process group after grace seconds.
        True if it had to be killed."""
        if not self.alive():
            return False
        self.proc.send_signal(signal.SIGINT)
        if self.wait(grace):
            return False
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        return True

    def close(self):
        self.thread.join(2)
        if self.log:
            self.log.close()

    def tail(self):
        """Its sanitizer report's start if it printed one, else its last lines."""
        lines, what = ((self.report, "sanitizer report") if self.report
                       else (self.tail_lines, f"last {len(self.tail_lines)} lines"))
        body = "\n".join(f"    {l}" for l in lines) or "    (no output)"
        return (f"  --- {what} of the {self.name} (exit code {self.proc.returncode}, "
                f"full log {self.log_path}) ---\n{body}")


def server_stop_error(run, server, grace):
    """Stop the server of a run (SIGINT, SIGKILL after grace seconds) and
    say what went wrong, or None: it exited before it was stopped, it did
    not stop, or it exited non-zero."""
    if not server.alive():
        return (f"{run}: server exited before it was stopped "
                f"(exit code {server.proc.returncode})")
    if server.stop(grace):
        return f"{run}: server still running {grace:g} s after SIGINT: killed (SIGKILL)"
    if server.proc.returncode != 0:
        return f"{run}: server exited with code {server.proc.returncode} after SIGINT"
    return None
