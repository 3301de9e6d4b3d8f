# SPDX-License-Identifier: BSD-3-Clause
"""EAL housekeeping for the scripts that start DPDK processes: whether
hugepages can be used, and removing what a run leaves behind."""

import os
import shutil


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
