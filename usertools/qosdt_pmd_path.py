# SPDX-License-Identifier: BSD-3-Clause
"""Where stock DPDK tools can load net_shm from.

EAL refuses `-d DRIVER.so` when any parent folder of the file is
world-writable (a checkout under /tmp, say). Then a copy goes to a private
folder of the user's, and that copy is what tools are given.
"""

import os
import shutil

SHM_SO = os.path.join("drivers", "shm_pmd", "librte_net_shm.so")


def world_writable_parent(path):
    """The first parent folder of path that anyone may write to, or None."""
    d = os.path.dirname(os.path.abspath(path))
    while d and d != "/":
        if os.stat(d).st_mode & 0o002:
            return d
        d = os.path.dirname(d)
    return None


def loadable_pmd(build):
    """Path of librte_net_shm.so under build that EAL will accept for -d.

    Raises FileNotFoundError if it was not built, PermissionError if no
    acceptable place could be found for a copy.
    """
    so = os.path.abspath(os.path.join(build, SHM_SO))
    if not os.path.isfile(so):
        raise FileNotFoundError(f"{so} not found (build net_shm first)")
    bad = world_writable_parent(so)
    if bad is None:
        return so
    private = os.path.join(os.path.expanduser("~"), ".cache", "qosdt")
    os.makedirs(private, mode=0o700, exist_ok=True)
    copy = os.path.join(private, os.path.basename(so))
    shutil.copy2(so, copy)
    still = world_writable_parent(copy)
    if still is not None:
        raise PermissionError(f"EAL refuses -d under {bad} and under {still}")
    return copy
