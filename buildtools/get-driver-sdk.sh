#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# get-driver-sdk.sh OUTDIR
#
# Puts the four DPDK driver-SDK headers (dev_driver.h, ethdev_driver.h,
# ethdev_vdev.h, bus_vdev_driver.h) into OUTDIR/include. Debian builds DPDK
# without the driver SDK, so they are taken from Debian's own source package
# of exactly the installed libdpdk-dev version, fetched with apt through a
# private sources dir (OUTDIR/apt) that mirrors the system's Debian sources
# as deb-src. Idempotent: does nothing when the system DPDK has the headers
# or OUTDIR/include/.version already matches the installed version.
# The headers are build inputs only: never commit them.
set -euo pipefail

die() { echo "get-driver-sdk: error: $*" >&2; exit 1; }
say() { echo "get-driver-sdk: $*"; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
mkdir -p "$1/include" || die "cannot create $1/include"
OUT=$(cd "$1" && pwd)
INC=$OUT/include
HEADERS="dev_driver.h ethdev_driver.h ethdev_vdev.h bus_vdev_driver.h"
# where each header lives in the DPDK source tree
PATTERNS=('*/lib/eal/include/dev_driver.h' '*/lib/ethdev/ethdev_driver.h'
	'*/lib/ethdev/ethdev_vdev.h' '*/drivers/bus/vdev/bus_vdev_driver.h')

# 1. Does the system DPDK already ship the driver SDK?
command -v pkg-config >/dev/null || die "pkg-config not found (run buildtools/bootstrap.sh)"
cflags=$(pkg-config --cflags-only-I libdpdk 2>/dev/null) ||
	die "libdpdk not found by pkg-config (install libdpdk-dev; buildtools/bootstrap.sh does)"
for f in $cflags; do
	d=${f#-I}
	if [ -f "$d/ethdev_driver.h" ]; then
		say "system DPDK has the driver SDK ($d/ethdev_driver.h): nothing to fetch"
		exit 0
	fi
done

# 2. Already extracted for this version?
V=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed as a Debian package: cannot tell which source to fetch"
[ -n "$V" ] || die "libdpdk-dev is not installed (dpkg-query gave no version)"

have_all() {
	[ "$(cat "$INC/.version" 2>/dev/null)" = "$V" ] || return 1
	for h in $HEADERS; do [ -f "$INC/$h" ] || return 1; done
}
if have_all; then
	say "driver SDK headers for dpdk $V already in $INC"
	exit 0
fi

# Serialise concurrent runs on the same OUTDIR, then re-check.
exec 9>"$OUT/.lock"
flock 9
if have_all; then
	say "driver SDK headers for dpdk $V already in $INC"
	exit 0
fi

# 3. Private deb-src sources derived from the system's Debian deb sources.
# A stanza counts as Debian when it is enabled, has Types deb and a suite
# of this release (bookworm, bookworm-updates, bookworm-security, ...).
# shellcheck disable=SC1091
CODENAME=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || CODENAME=
SUITE_RE="^(${CODENAME:+$CODENAME|}stable|oldstable|testing|unstable|sid)(-[a-z-]+)?$"
APTDIR=$OUT/apt
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
rm -f "$APTDIR"/*.sources
SRCFILE=$APTDIR/debian-src.sources

{
	# deb822 files: copy each matching stanza with Types set to deb-src
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v re="$SUITE_RE" '
			function flush() {
				if (n && deb && suite_ok && enabled) {
					for (i = 1; i <= n; i++) print buf[i]
					print ""
				}
				n = 0; deb = 0; suite_ok = 0; enabled = 1
			}
			BEGIN { enabled = 1 }
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			/^[Tt]ypes:/ {
				for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1
				buf[++n] = "Types: deb-src"; next
			}
			/^[Ee]nabled:/ { if (tolower($2) == "no") enabled = 0; next }
			/^[Ss]uites:/ { for (i = 2; i <= NF; i++) if ($i ~ re) suite_ok = 1 }
			{ buf[++n] = $0 }
			END { flush() }' "$f"
	done
	# one-line format: deb [options] URI SUITE COMPONENT...
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v re="$SUITE_RE" '
			$1 != "deb" { next }
			{
				line = $0; sub(/^deb[ \t]+/, "", line)
				signed = ""
				if (line ~ /^\[/) {
					opts = substr(line, 2, index(line, "]") - 2)
					line = substr(line, index(line, "]") + 1)
					no = split(opts, o, /[ \t]+/)
					for (i = 1; i <= no; i++)
						if (o[i] ~ /^signed-by=/) signed = substr(o[i], 11)
				}
				nf = split(line, w, /[ \t]+/)
				j = (w[1] == "") ? 2 : 1
				uri = w[j]; suite = w[j + 1]; comps = ""
				for (i = j + 2; i <= nf; i++) comps = comps " " w[i]
				if (suite !~ re || comps == "") next
				print "Types: deb-src"
				print "URIs: " uri
				print "Suites: " suite
				print "Components:" comps
				if (signed != "") print "Signed-By: " signed
				print ""
			}' "$f"
	done
} >"$SRCFILE"

[ -s "$SRCFILE" ] ||
	die "cannot fetch Debian source package dpdk=$V: no enabled Debian apt source for '${CODENAME:-this release}' in /etc/apt/sources.list{,.d/}"

APT=(apt-get -q -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$APTDIR"
	-o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache")
# The private dirs may not be reachable by the _apt sandbox user.
[ "$(id -u)" -ne 0 ] || APT+=(-o APT::Sandbox::User=root)

say "fetching Debian source package dpdk=$V (sources: $SRCFILE)"
LOG=$APTDIR/apt.log
if ! "${APT[@]}" update >"$LOG" 2>&1; then
	cat "$LOG" >&2
	die "cannot fetch Debian source package dpdk=$V: apt-get update of $SRCFILE failed (log above)"
fi
rm -rf "$OUT/src"
mkdir -p "$OUT/src"
if ! (cd "$OUT/src" && "${APT[@]}" source --download-only "dpdk=$V") >>"$LOG" 2>&1; then
	tail -n 20 "$LOG" >&2
	die "cannot fetch Debian source package dpdk=$V: apt-get source failed (log above)"
fi

# 4. Extract only the four headers, then swap them in (rename is atomic, so
# a concurrent build never sees a half-written header).
origs=("$OUT"/src/dpdk_*.orig.tar.*)
orig=${origs[0]}
[ -f "$orig" ] || die "cannot fetch Debian source package dpdk=$V: no orig tarball in $OUT/src"
TMP=$(mktemp -d "$OUT/.tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
tar -xf "$orig" -C "$TMP" --wildcards --transform='s,.*/,,' "${PATTERNS[@]}" ||
	die "cannot extract the driver SDK headers from $orig"
for h in $HEADERS; do
	[ -f "$TMP/$h" ] || die "$h not found in $orig"
done
for h in $HEADERS; do mv -f "$TMP/$h" "$INC/$h"; done
echo "$V" >"$INC/.version"

# Keep the build dir small: drop the source package and the apt indexes.
rm -rf "$OUT/src" "$APTDIR/lists" "$APTDIR/cache"
say "driver SDK headers for dpdk $V extracted to $INC"
