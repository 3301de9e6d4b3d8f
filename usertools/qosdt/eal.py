# SPDX-License-Identifier: BSD-3-Clause
"""EAL for the scripts that start DPDK processes: the EAL arguments of a
qosdt process and the cores the two processes of a run take, whether
hugepages can be used, where a process's runtime files are, and removing
what a run leaves behind."""

import os
import shutil

MEM_MB = 512                  # EAL memory per process
# The first two CPUs this process may run on (a container's cpuset need
# not start at 0); one CPU only: both processes share it, and say so.
_CPUS = sorted(os.sched_getaffinity(0))
SERVER_CORE, CLIENT_CORE = _CPUS[0], _CPUS[min(1, len(_CPUS) - 1)]


def eal_args(core, prefix, vdev, huge):
    """EAL options of a qosdt process on one core with one net_shm vdev;
    huge: hugepages_ok(MEM_MB), else --no-huge."""
    mem = ["-m", str(MEM_MB)] if huge else ["--no-huge", "-m", str(MEM_MB)]
    return ["-l", str(core)] + mem + ["--no-pci", "--file-prefix", prefix,
                                      "--log-level=lib.eal:error", "--vdev", vdev]


def hugepages_ok(mem_mb, processes=2):
    """True if enough free hugepages exist for `processes` EAL processes of
    `-m mem_mb` each (plus some slack)."""
    info = {}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                k, v = line.split(":", 1)
                info[k] = int(v.split()[0])
    except (OSError, ValueError):
        return False
    free_kb = info.get("HugePages_Free", 0) * info.get("Hugepagesize", 0)
    return free_kb >= processes * (mem_mb + 128) * 1024


def runtime_dir(prefix):
    """The runtime folder of the EAL process started with --file-prefix
    prefix: under /var/run/dpdk for root, else $XDG_RUNTIME_DIR/dpdk (/tmp
    when unset), as EAL makes it (doc/monitoring.md)."""
    if os.geteuid() == 0:
        base = "/var/run/dpdk"
    else:
        base = os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
    return os.path.join(base, prefix)


def cleanup(files, prefixes):
    """Remove region/socket files and the EAL leftovers of our file prefixes:
    runtime dirs, and hugepage files a SIGKILLed process left."""
    for f in files:
        try:
            os.unlink(f)
        except FileNotFoundError:
            pass
    dirs = ["/var/run/dpdk",
            os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"), "dpdk")]
    for p in prefixes:
        for d in dirs:
            shutil.rmtree(os.path.join(d, p), ignore_errors=True)
    try:
        with open("/proc/mounts") as m:
            mounts = [l.split()[1] for l in m if l.split()[2] == "hugetlbfs"]
        for mnt in mounts:
            for name in os.listdir(mnt):
                if any(name.startswith(p + "map_") for p in prefixes):
                    os.unlink(os.path.join(mnt, name))
    except OSError:
        pass
