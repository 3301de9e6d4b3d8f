#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Install net_shm into the system DPDK's driver plugin directory, or take
it out again: `make install` and `make uninstall`.

  pmd-install.py install BUILD   copy BUILD/drivers/shm_pmd/librte_net_shm.so
                                 there (nothing to do when the same bytes
                                 are there already)
  pmd-install.py uninstall       remove it (nothing to do when it is not there)
  pmd-install.py dir             print the directory

Every shared-library DPDK process loads each driver of that directory at
start (dpdk-dumpcap, dpdk-proc-info, dpdk-testpmd without -d). The directory
is the one librte_eal records (usertools/qosdt/pmd_path.py; Debian:
/usr/lib/<arch>/dpdk/pmds-<ABI>). A driver built with the sanitizers is
refused: it would stop every DPDK tool that does not preload their runtime.
Writing there needs root: sudo is used when we are not root.

It imports the qosdt package: usertools/ goes on PYTHONPATH (make does).

Exit status: 0 done (or nothing to do), 1 error (the message says what).
"""
import filecmp
import os
import re
import shutil
import subprocess
import sys

from qosdt import pmd_path as qosdt_pmd_path

SANITIZER_RUNTIMES = ("libasan", "libubsan", "libtsan", "libmsan")


def say(msg):
    print(f"pmd-install: {msg}", flush=True)


def die(msg):
    print(f"pmd-install: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def needed_libraries(so):
    """DT_NEEDED entries of an ELF shared object (binutils' readelf, which
    gcc brings)."""
    try:
        out = subprocess.run(["readelf", "-d", so], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        die(f"readelf -d {so}: {e}")
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def as_root(argv):
    """Run this script again under sudo (we are not root and may not write
    the plugin directory); does not return."""
    if shutil.which("sudo") is None:
        die(f"cannot write {qosdt_pmd_path.plugin_dir()}: run as root (no sudo here)")
    say("the plugin directory is root's: running under sudo")
    os.execvp("sudo", ["sudo", sys.executable, os.path.abspath(__file__)] + argv)


def install(build, argv):
    src = os.path.abspath(os.path.join(build, qosdt_pmd_path.SHM_SO))
    if not os.path.isfile(src):
        die(f"{src} not found: build first (make)")
    bad = [n for n in needed_libraries(src) if n.startswith(SANITIZER_RUNTIMES)]
    if bad:
        die(f"{src} is a sanitizer build (needs {', '.join(bad)}): every DPDK tool "
            f"would fail to load it; install from a plain build (make install, "
            f"without SANITIZE=1)")
    dst = qosdt_pmd_path.installed_pmd()
    if os.path.isfile(dst) and filecmp.cmp(src, dst, shallow=False):
        say(f"{dst} is up to date")
        return
    d = os.path.dirname(dst)
    if not os.access(d, os.W_OK):
        if os.geteuid() != 0:
            as_root(argv)
        die(f"cannot write {d}")
    tmp = os.path.join(d, f".{os.path.basename(dst)}.{os.getpid()}")
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dst)       # a process starting now sees old or new, whole
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        die(f"cannot install {dst}: {e}")
    say(f"installed {src} as {dst}")


def uninstall(argv):
    dst = qosdt_pmd_path.installed_pmd()
    if not os.path.lexists(dst):
        say(f"{dst} is not installed: nothing to do")
        return
    if not os.access(os.path.dirname(dst), os.W_OK):
        if os.geteuid() != 0:
            as_root(argv)
        die(f"cannot write {os.path.dirname(dst)}")
    try:
        os.unlink(dst)
    except OSError as e:
        die(f"cannot remove {dst}: {e}")
    say(f"removed {dst}")


def main():
    argv = sys.argv[1:]
    try:
        if argv == ["dir"]:
            print(qosdt_pmd_path.plugin_dir())
        elif len(argv) == 2 and argv[0] == "install":
            install(argv[1], argv)
        elif argv == ["uninstall"]:
            uninstall(argv)
        else:
            die("usage: pmd-install.py install BUILD | uninstall | dir")
    except FileNotFoundError as e:
        die(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
