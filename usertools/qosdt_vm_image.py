# SPDX-License-Identifier: BSD-3-Clause
"""The guest image of the two-VM harness (usertools/qosdt-vm.py, doc/vm.md).

One initramfs (newc cpio, gzip) boots Debian's kernel straight to a busybox
shell that serves a command channel on the second serial port. It holds:

- busybox (busybox-static) and /init (below);
- the project's binaries: qosdt, qosdt-send, qosdt-pingpong and
  librte_net_shm.so, from a build dir whose instruction set the guest CPU
  runs (guest_build());
- stock dpdk-testpmd and every library `ldd` lists for all of them,
  libgcc_s.so.1 (glibc dlopens it for pthread_cancel), and EAL's plugin
  dir with librte_mempool_ring.so alone (the ring_mp_mc mempool ops);
- config/*.json under /opt/qosdt, the working directory of every command.

The image is rebuilt only when one of its inputs changed (their paths,
sizes and modification times are hashed into build/vm/image.key).
"""

import gzip
import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import sys

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GUEST_ROOT = "/opt/qosdt"                  # the commands' working directory
BUSYBOX = "/bin/busybox"
TESTPMD = "/usr/bin/dpdk-testpmd"
# EAL loads every driver in its default plugin dir; only the ring mempool
# ops are needed (testpmd gets net_shm with -d).
PLUGIN_SO = "librte_mempool_ring.so"
APP_BINARIES = ("app/qosdt", "app/qosdt-send", "app/qosdt-pingpong")
SHM_SO = "drivers/shm_pmd/librte_net_shm.so"
# What the binaries of a guest build dir are built for when the guest CPU is
# not the host's (TCG): x86-64-v3 (AVX2), which QEMU 7.2's TCG runs;
# -march=native on a host with AVX-512 would not.
GUEST_ISA = "x86-64-v3"

# /init: PID 1 of each guest. Mounts what DPDK needs, reserves the hugepages
# given on the kernel command line (qosdt.hugepages=N, 2 MiB each), enables
# the ivshmem-plain device (vendor 0x1af4, device 0x1110) so that its BAR2
# can be mapped, then serves the command channel on /dev/ttyS1 (ttyS0 is the
# console).
INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
chmod 755 /
export PATH=/bin:/opt/qosdt/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run /dev/hugepages /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
ln -s /run /var/run
hp=0
for a in $(cat /proc/cmdline); do
	case "$a" in qosdt.hugepages=*) hp=${a#qosdt.hugepages=} ;; esac
done
if [ "$hp" -gt 0 ]; then
	mount -t hugetlbfs hugetlbfs /dev/hugepages
	echo "$hp" > /proc/sys/vm/nr_hugepages
fi
dev=none
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat $d/vendor)" = 0x1af4 ] && [ "$(cat $d/device)" = 0x1110 ]; then
		echo 1 > $d/enable
		dev=${d##*/}
	fi
done
echo "$dev" > /run/ivshmem
echo "qosdt guest: ivshmem at $dev, $(cat /proc/sys/vm/nr_hugepages) hugepages"
stty -F /dev/ttyS1 115200 raw -echo
exec /bin/sh /agent
"""

# The command channel. The host sends "@@CMD ID BASE64-SCRIPT\n"; the agent
# runs the script with sh, its output to a file, and answers
# "@@OUT ID NBYTES\n", the NBYTES bytes of output, "@@END ID STATUS\n".
AGENT = r"""exec 3<>/dev/ttyS1
echo "@@READY $(cat /run/ivshmem)" >&3
while read -r tag id payload <&3; do
	[ "$tag" = "@@CMD" ] || continue
	echo "$payload" | base64 -d > /tmp/.cmd
	( cd /opt/qosdt && sh /tmp/.cmd ) </dev/null >/tmp/.out 2>&1 3>&-
	rc=$?
	echo "@@OUT $id $(wc -c < /tmp/.out)" >&3
	cat /tmp/.out >&3
	echo "@@END $id $rc" >&3
done
"""


class ImageError(Exception):
    """The image cannot be built; the message says what is missing."""


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def newest_kernel():
    """Debian's newest /boot/vmlinuz-*, or None."""
    boot = "/boot"
    try:
        names = [n for n in os.listdir(boot) if n.startswith("vmlinuz-")]
    except OSError:
        return None

    def version(n):
        return [int(x) if x.isdigit() else x for x in re.split(r"[.-]", n[8:])]
    names.sort(key=lambda n: [(0, x) if isinstance(x, int) else (1, x)
                              for x in version(n)])
    for n in reversed(names):
        p = os.path.join(boot, n)
        if os.access(p, os.R_OK):
            return p
    return None


def meson_option(build, name):
    """The value of a meson option of a configured build dir, or None."""
    try:
        out = run(["meson", "introspect", "--buildoptions", build]).stdout
        import json
        for o in json.loads(out):
            if o["name"] == name:
                return o["value"]
    except (OSError, ValueError, KeyError):
        pass
    return None


def guest_build(build, host_cpu, log):
    """The build dir whose binaries go into the image: build itself when
    the guest CPU is the host's (KVM, -cpu host) or build was configured
    for a portable ISA; otherwise build/vm/meson, configured through the
    bootstrap with -Dcpu_instruction_set=GUEST_ISA, its guest binaries
    built (not its tests)."""
    isa = meson_option(build, "cpu_instruction_set")
    sanitize = meson_option(build, "b_sanitize")
    if sanitize not in (None, "none"):
        raise ImageError(f"{build} is a sanitizer build (b_sanitize={sanitize}): "
                         "the guests run a plain build")
    if host_cpu and isa is not None:
        out = build
    elif isa == GUEST_ISA:
        out = build
    else:
        out = os.path.join(build, "vm", "meson")
        log(f"guest binaries: {os.path.relpath(out)} (-Dcpu_instruction_set="
            f"{GUEST_ISA}: the guest CPU is QEMU's, build/ is -march={isa})")
        r = run(["bash", os.path.join(SOURCE_ROOT, "buildtools", "bootstrap.sh"), out,
                 f"-Dcpu_instruction_set={GUEST_ISA}"], cwd=SOURCE_ROOT)
        if r.returncode != 0:
            raise ImageError(f"configuring {out} failed:\n{r.stdout}{r.stderr}")
    targets = list(APP_BINARIES) + [SHM_SO]
    r = run(["ninja", "-C", out] + targets)
    if r.returncode != 0:
        raise ImageError(f"ninja -C {out} {' '.join(targets)} failed:\n"
                         f"{r.stdout[-3000:]}{r.stderr[-3000:]}")
    return out


def ldd_libs(path):
    """Absolute paths of the libraries the dynamic loader would load for
    path (the loader itself included)."""
    r = run(["ldd", path])
    if r.returncode != 0:
        raise ImageError(f"ldd {path}: {r.stderr.strip() or r.stdout.strip()}")
    libs = []
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (\S+) \(", line)
        if m:
            libs.append(m.group(2))
            continue
        if "not found" in line:
            raise ImageError(f"ldd {path}: {line.strip()}")
        m = re.match(r"\s*(/\S+) \(", line)
        if m:
            libs.append(m.group(1))
    return libs


def find_lib(name):
    """Path of a library the loader's cache knows by soname, or None."""
    out = run(["ldconfig", "-p"]).stdout
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) \(libc6,x86-64[^)]*\) => (\S+)", line)
        if m and m.group(1) == name:
            return m.group(2)
    return None


def plugin_dir():
    """EAL's default plugin dir (RTE_EAL_PMD_PATH) of the host's DPDK."""
    r = run(["pkg-config", "--variable=pmdsdir", "libdpdk"])
    d = r.stdout.strip()
    if r.returncode == 0 and d:
        return d
    for base in ("/usr/lib/x86_64-linux-gnu/dpdk",):
        if os.path.isdir(base):
            for n in sorted(os.listdir(base)):
                if n.startswith("pmds-"):
                    return os.path.join(base, n)
    return None


class Cpio:
    """A newc cpio archive in memory."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1
        self.dirs = set()

    def _entry(self, name, mode, data=b"", nlink=1):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08x}" for v in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
        self.ino += 1
        self.buf.write(hdr.encode() + name_b)
        self.buf.write(b"\0" * ((-(110 + len(name_b))) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * ((-len(data)) % 4))

    def mkdir(self, path):
        path = path.strip("/")
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d and d not in self.dirs:
                self.dirs.add(d)
                self._entry(d, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, path, data, mode=0o644):
        path = path.strip("/")
        self.mkdir(os.path.dirname(path))
        self._entry(path, stat.S_IFREG | mode, data)

    def symlink(self, path, target):
        path = path.strip("/")
        self.mkdir(os.path.dirname(path))
        self._entry(path, stat.S_IFLNK | 0o777, target.encode())

    def close(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def image_inputs(gbuild):
    """{path in the guest: host file} of everything the image holds but
    /init and /agent; raises ImageError naming what is missing."""
    for p, what in ((BUSYBOX, "busybox-static"), (TESTPMD, "dpdk")):
        if not os.access(p, os.X_OK):
            raise ImageError(f"{p} not found (apt-get install {what}, or "
                             "QOSDT_WITH_VM=1 bash buildtools/bootstrap.sh)")
    files = {"/bin/busybox": BUSYBOX, "/opt/qosdt/bin/dpdk-testpmd": TESTPMD}
    bins = [TESTPMD]
    for b in APP_BINARIES:
        p = os.path.join(gbuild, b)
        if not os.access(p, os.X_OK):
            raise ImageError(f"{p} not found (ninja -C {gbuild})")
        files[f"/opt/qosdt/bin/{os.path.basename(b)}"] = p
        bins.append(p)
    so = os.path.join(gbuild, SHM_SO)
    if not os.path.isfile(so):
        raise ImageError(f"{so} not found (ninja -C {gbuild})")
    files["/opt/qosdt/lib/librte_net_shm.so"] = so
    bins.append(so)
    pdir = plugin_dir()
    plugin = os.path.join(pdir, PLUGIN_SO) if pdir else None
    if plugin is None or not os.path.exists(plugin):
        raise ImageError(f"{PLUGIN_SO} not found in DPDK's plugin dir ({pdir})")
    files[os.path.join(pdir, PLUGIN_SO)] = plugin
    bins.append(plugin)
    gcc_s = find_lib("libgcc_s.so.1")
    if gcc_s is None:
        raise ImageError("libgcc_s.so.1 not found (glibc needs it for pthread_cancel)")
    files[gcc_s] = gcc_s
    for b in bins:
        for lib in ldd_libs(b):
            files[lib] = lib
    cfg = os.path.join(SOURCE_ROOT, "config")
    for n in sorted(os.listdir(cfg)):
        if n.endswith(".json"):
            files[f"/opt/qosdt/config/{n}"] = os.path.join(cfg, n)
    return files


def _key(files, kernel):
    h = hashlib.sha256()
    h.update(INIT.encode() + AGENT.encode() + str(kernel).encode())
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    for g in sorted(files):
        st = os.stat(files[g])
        h.update(f"{g}\0{os.path.realpath(files[g])}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def build_image(build, host_cpu, log=print):
    """Build (or reuse) build/vm/initramfs.cpio.gz. Returns (image path,
    the build dir its binaries came from, whether it was rebuilt)."""
    vm_dir = os.path.join(build, "vm")
    os.makedirs(vm_dir, exist_ok=True)
    gbuild = guest_build(build, host_cpu, log)
    files = image_inputs(gbuild)
    image = os.path.join(vm_dir, "initramfs.cpio.gz")
    key_path = os.path.join(vm_dir, "image.key")
    key = _key(files, gbuild)
    try:
        with open(key_path) as f:
            if f.read() == key and os.path.isfile(image):
                return image, gbuild, False
    except OSError:
        pass
    c = Cpio()
    for d in ("proc", "sys", "dev", "tmp", "run", "var", "usr/lib64",
              "usr/lib/x86_64-linux-gnu", "opt/qosdt/bin"):
        c.mkdir(d)
    # merged /usr, as on Debian 12: ldd's /lib and /lib64 paths resolve
    c.symlink("lib", "usr/lib")
    c.symlink("lib64", "usr/lib64")
    c.symlink("bin/sh", "busybox")
    c.file("init", INIT.encode(), 0o755)
    c.file("agent", AGENT.encode(), 0o644)
    for g in sorted(files):
        host = files[g]
        dest = g
        for pre, real in (("/lib/", "/usr/lib/"), ("/lib64/", "/usr/lib64/")):
            if dest.startswith(pre):
                dest = real + dest[len(pre):]
        with open(host, "rb") as f:
            data = f.read()
        mode = 0o755 if os.access(host, os.X_OK) else 0o644
        c.file(dest, data, mode)
    raw = c.close()
    tmp = image + ".tmp"
    with open(tmp, "wb") as f:
        f.write(gzip.compress(raw, compresslevel=1))
    os.replace(tmp, image)
    with open(key_path, "w") as f:
        f.write(key)
    log(f"guest image: {os.path.relpath(image)}, {len(files)} files, "
        f"{len(raw) / 1e6:.0f} MB ({os.path.getsize(image) / 1e6:.0f} MB gzip)")
    return image, gbuild, True


if __name__ == "__main__":
    b = sys.argv[1] if len(sys.argv) > 1 else "build"
    print(build_image(b, False))
