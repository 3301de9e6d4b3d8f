#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bootstrap.sh [BUILDDIR] [extra meson args...]
#
# Makes a machine ready to build qosdt and configures a build dir, doing
# only what is missing (safe to run before every build):
#  1. installs the Debian packages qosdt needs (apt-get, via sudo if not root),
#     clang too with -Dfuzz=true or QOSDT_WITH_CLANG=1, matplotlib with
#     QOSDT_WITH_PLOTS=1 (make eval's figures), iproute2, sockperf and iperf3
#     with QOSDT_WITH_NETBENCH=1 (make eval's kernel baseline), tshark with
#     QOSDT_WITH_TSHARK=1 (make test's capture test, doc/tools.md), QEMU, a guest
#     kernel and busybox with QOSDT_WITH_VM=1 (the two-VM harness, doc/vm.md);
#  2. gets the DPDK driver-SDK headers into build/driver-sdk
#     (buildtools/get-driver-sdk.sh);
#  3. runs `meson setup BUILDDIR` (default: build), again with --reconfigure
#     when the extra meson args differ from the last successful setup.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP"
BUILDDIR=${1:-build}
[ $# -eq 0 ] || shift

say() { echo "bootstrap: $*"; }
die() { echo "bootstrap: error: $*" >&2; exit 1; }

# 1. Debian packages; clang and its libFuzzer runtime only for the fuzz
# targets (-Dfuzz=true, or QOSDT_WITH_CLANG=1 as `make perf` sets it).
PKGS="dpdk dpdk-dev libdpdk-dev meson ninja-build pkg-config libnuma-dev
	libjansson-dev python3 python3-pyelftools gcc make xz-utils"
for a in "$@"; do
	[ "$a" != -Dfuzz=true ] || QOSDT_WITH_CLANG=1
done
[ "${QOSDT_WITH_CLANG:-0}" != 1 ] || PKGS="$PKGS clang libclang-rt-dev"
[ "${QOSDT_WITH_PLOTS:-0}" != 1 ] || PKGS="$PKGS python3-matplotlib"
[ "${QOSDT_WITH_NETBENCH:-0}" != 1 ] || PKGS="$PKGS iproute2 sockperf iperf3"
[ "${QOSDT_WITH_TSHARK:-0}" != 1 ] || PKGS="$PKGS tshark"
# usertools/qosdt-vm.py: QEMU, Debian's kernel as the guests' kernel, a static
# busybox as their userland (make perf and make vm-test set QOSDT_WITH_VM=1).
[ "${QOSDT_WITH_VM:-0}" != 1 ] ||
	PKGS="$PKGS qemu-system-x86 linux-image-amd64 busybox-static cpio"
missing=()
for p in $PKGS; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	SUDO=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} by hand"
		SUDO=(sudo)
	fi
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q update ||
		die "apt-get update failed"
	# wireshark-common (tshark's) asks whether non-root users may capture:
	# answer no (its default) before it asks.
	if [[ " ${missing[*]} " == *" tshark "* ]] && command -v debconf-set-selections >/dev/null; then
		echo "wireshark-common wireshark-common/install-setuid boolean false" |
			"${SUDO[@]}" debconf-set-selections ||
			die "debconf-set-selections failed"
	fi
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q install -y \
		--no-install-recommends "${missing[@]}" </dev/null ||
		die "apt-get install ${missing[*]} failed"
fi

# 2. driver-SDK headers (a no-op when present or when the system DPDK has them)
SDK=$TOP/build/driver-sdk
bash "$TOP/buildtools/get-driver-sdk.sh" "$SDK"

# 3. meson build dir. driver_sdk_dir is given relative to the source root:
# meson refuses include_directories() with an absolute path into the source
# tree, and build/ is inside it.
ARGS=(-Ddriver_sdk_dir=build/driver-sdk/include "$@")
STAMP=$BUILDDIR/.qosdt-setup-args
want=$(printf '%q ' "${ARGS[@]}")
if [ -f "$BUILDDIR/build.ninja" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
	exit 0
fi
if [ -f "$BUILDDIR/meson-private/coredata.dat" ]; then
	say "meson setup --reconfigure $BUILDDIR ${ARGS[*]}"
	meson setup --reconfigure "$BUILDDIR" "${ARGS[@]}"
else
	say "meson setup $BUILDDIR ${ARGS[*]}"
	meson setup "$BUILDDIR" "${ARGS[@]}"
fi
printf '%s' "$want" >"$STAMP"
