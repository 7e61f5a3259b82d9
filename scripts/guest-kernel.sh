#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the guest kernel for the VM tests (never installed on the host).
# Usage: scripts/guest-kernel.sh [BUILD_DIR]      (default: <repo>/build)
# Env:   GUEST_KVER=6.1.0-56 overrides the derived ABI version.
#
# Derives the ABI version from linux-headers-amd64, makes sure the matching
# headers are installed, downloads linux-image-<ver>-amd64 of the *same*
# package version as those headers and extracts into BUILD_DIR/guest/<ver>/:
#   boot/vmlinuz-<ver>
#   lib/modules/<ver>/modules.dep
#   lib/modules/<ver>/kernel/... kvm.ko kvm-amd.ko ccp.ko and their deps
# Stdout is exactly two lines, KVER=<ver> and KDIR=<headers dir>;
# everything else goes to stderr. Cached: a second call does no work.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
mkdir -p "$build"
build=$(cd "$build" && pwd)

# Modules wanted in the guest (for --kvm-ref), by module name.
want_mods=(kvm kvm-amd ccp)

die() { echo "guest-kernel.sh: $*" >&2; exit 1; }
msg() { echo "guest-kernel.sh: $*" >&2; }

# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

kver=${GUEST_KVER:-$(guest_kver)}
[ -n "$kver" ] || die "cannot derive guest kernel version (run apt-get update?)"
kname=$kver-amd64
out=$build/guest/$kname
stamp=$out/.complete

# Headers for building the module (also pulls in the rest of the deps).
GUEST_KVER=$kver "$here/deps.sh" >&2

kdir=/lib/modules/$kname/build
[ -d "$kdir" ] || kdir=/usr/src/linux-headers-$kname
[ -f "$kdir/Makefile" ] || die "no kernel headers at $kdir"

if [ ! -f "$stamp" ]; then
	hdr_ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kname")
	tmp=$(mktemp -d "$build/.guest-dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	msg "downloading linux-image-$kname=$hdr_ver"
	# Sandbox user root: _apt cannot write into our private temp dir.
	if ! (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root \
		"linux-image-$kname=$hdr_ver") >&2; then
		# Stale lists or headers: refresh, upgrade the headers, retry once.
		[ -z "${VIRQ_GK_RETRY:-}" ] ||
			die "apt-get download linux-image-$kname=$hdr_ver failed"
		msg "download failed; apt-get update, upgrade headers and retry"
		rm -rf "$tmp"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends --only-upgrade "linux-headers-$kname" >&2 || true
		VIRQ_GK_RETRY=1 exec "$0" "$@"
	fi
	deb=$(ls "$tmp"/linux-image-"$kname"_*.deb)
	deb_ver=$(dpkg-deb -f "$deb" Version)
	[ "$deb_ver" = "$hdr_ver" ] ||
		die "image version $deb_ver != headers version $hdr_ver"

	# The .deb has no modules.dep (depmod makes it at install time), so
	# walk each module's "depends" field and run depmod on the subset.
	mdir=lib/modules/$kname
	stage=$tmp/root
	mkdir -p "$stage"
	dpkg-deb --fsys-tarfile "$deb" >"$tmp/image.tar"
	tar -tf "$tmp/image.tar" | grep -E '\.ko(\.[a-z]+)?$' >"$tmp/kos"
	tar -xf "$tmp/image.tar" -C "$stage" "./boot/vmlinuz-$kname" \
		"./$mdir/modules.order" "./$mdir/modules.builtin" \
		"./$mdir/modules.builtin.modinfo"

	queue=("${want_mods[@]}")
	declare -A seen=()
	while [ "${#queue[@]}" -gt 0 ]; do
		m=${queue[0]}
		queue=("${queue[@]:1}")
		key=${m//-/_}
		[ -n "${seen[$key]:-}" ] && continue
		seen[$key]=1
		# Module names may use - or _ interchangeably in file names.
		re=${key//_/[-_]}
		f=$(grep -E "/${re}\.ko(\.[a-z]+)?$" "$tmp/kos" | head -n1) ||
			die "module $m not in linux-image-$kname"
		tar -xf "$tmp/image.tar" -C "$stage" "$f"
		deps=$(modinfo -F depends "$stage/$f")
		IFS=, read -r -a more <<<"$deps"
		queue+=("${more[@]}")
	done
	depmod -b "$stage" "$kname"

	rm -rf "$out"
	mkdir -p "$out/$mdir"
	mv "$stage/boot" "$out/"
	mv "$stage/$mdir/modules.dep" "$stage/$mdir/kernel" "$out/$mdir/"
	echo "$deb_ver" >"$out/.pkgver"
	touch "$stamp"
	msg "extracted $kname ($deb_ver) into $out:"
	sed 's/^/  /' "$out/$mdir/modules.dep" >&2
fi

echo "KVER=$kname"
echo "KDIR=$kdir"
