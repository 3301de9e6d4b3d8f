# SPDX-License-Identifier: BSD-3-Clause
"""Where stock DPDK tools can load net_shm from.

EAL refuses `-d DRIVER.so` when any parent folder of the file is
world-writable (a checkout under /tmp, say). Then a copy goes to a private
folder of the user's, and that copy is what tools are given.

Tools that take no -d (dpdk-dumpcap) load drivers from the system DPDK's
plugin directory only: plugin_dir() finds it, as librte_eal records it
(doc/tools.md), and `make install` (buildtools/pmd-install.py) puts
librte_net_shm.so there.
"""

import os
import re
import shutil
import subprocess

SHM_SO = os.path.join("drivers", "shm_pmd", "librte_net_shm.so")
# librte_eal carries its default driver directory (RTE_EAL_PMD_PATH) as
# this marker, for dpdk-pmdinfo.py and the like.
PLUGIN_MARKER = re.compile(rb"DPDK_PLUGIN_PATH=([^\0]*)\0")


def eal_library():
    """The system DPDK's librte_eal.so, found through pkg-config's libdir.
    Raises FileNotFoundError saying what is missing."""
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "libdpdk"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        raise FileNotFoundError(f"pkg-config cannot find libdpdk ({e}): install "
                                "libdpdk-dev (make does)") from e
    lib = os.path.join(libdir, "librte_eal.so")
    if not os.path.exists(lib):
        raise FileNotFoundError(f"{lib} not found (libdpdk's libdir {libdir})")
    return lib


def plugin_dir():
    """The directory every shared-library DPDK process loads drivers from
    (Debian: LIBDIR/dpdk/pmds-ABI), as librte_eal records it. Raises
    FileNotFoundError when the library or the record is missing, or the
    record is empty (a DPDK built without a default driver directory)."""
    lib = eal_library()
    with open(lib, "rb") as f:
        m = PLUGIN_MARKER.search(f.read())
    if m is None or not m.group(1):
        raise FileNotFoundError(f"{lib} records no default driver directory "
                                "(DPDK_PLUGIN_PATH): stock tools load drivers with -d only")
    return m.group(1).decode()


def installed_pmd():
    """Path net_shm has (or would have) in the plugin directory."""
    return os.path.join(plugin_dir(), os.path.basename(SHM_SO))


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
