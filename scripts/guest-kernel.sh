#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the guest kernel for the VM tests (never installed on the host).
# Usage: scripts/guest-kernel.sh [BUILD_DIR]      (default: <repo>/build)
# Env:   GUEST_KVER=6.1.0-56 overrides the derived ABI version
#        (6.12.117+deb12 for a 6.12 of bookworm-security);
#        GUEST_SERIES=6.12 derives it from linux-headers-6.12-amd64
#        instead of linux-headers-amd64 (ignored when GUEST_KVER is set);
#        GUEST_FLAVOUR=rt-amd64 picks another flavour (default amd64).
#
# Derives the ABI version from linux-headers-amd64, makes sure the matching
# headers are installed, downloads linux-image-<kname> (kname is
# <ver>-<flavour>, e.g. 6.1.0-56-amd64) of the *same* package version as
# those headers and extracts into BUILD_DIR/guest/<kname>/:
#   boot/vmlinuz-<kname>
#   lib/modules/<kname>/modules.dep
#   lib/modules/<kname>/kernel/... kvm.ko kvm-amd.ko ccp.ko and their deps
# Compressed modules (.ko.xz, .ko.zst, .ko.gz) are stored decompressed, so
# that the guest's busybox insmod loads them on any kernel.
# Stdout is exactly two lines, KVER=<kname> and KDIR=<headers dir>;
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

flavour=${GUEST_FLAVOUR:-amd64}
meta=linux-headers-amd64
[ -z "${GUEST_SERIES:-}" ] || meta=linux-headers-$GUEST_SERIES-amd64
kver=${GUEST_KVER:-$(guest_kver "$meta")}
[ -n "$kver" ] || die "cannot derive guest kernel version (run apt-get update?)"
kname=$kver-$flavour
out=$build/guest/$kname
stamp=$out/.complete

# Private headers: download linux-headers-<kname>, the -common package and
# linux-kbuild it depends on, extract them into BUILD_DIR/headers/<kname>/
# and point the flavour's Makefile at the private -common tree (the other
# links are relative).  Sets kdir and hdr_ver.
private_headers() {
	local root=$build/headers/$kname t deb pkgs p re
	kdir=$root/usr/src/linux-headers-$kname
	if [ ! -f "$root/.complete" ]; then
		t=$(mktemp -d "$build/.guest-hdr.XXXXXX")
		msg "downloading linux-headers-$kname (private, not installed)"
		(cd "$t" && apt-get download -qq -o APT::Sandbox::User=root \
			"linux-headers-$kname") >&2 ||
			die "apt-get download linux-headers-$kname failed"
		deb=$(ls "$t"/linux-headers-"$kname"_*.deb)
		hdr_ver=$(dpkg-deb -f "$deb" Version)
		pkgs=()
		re='linux-headers-[^ ]*-common[^ ]*\|linux-kbuild-[^ ]*'
		for p in $(dpkg-deb -f "$deb" Depends | sed 's/[,|]/\n/g' |
			sed -n "s/^ *\($re\).*/\1/p"); do
			pkgs+=("$p=$hdr_ver")
		done
		[ "${#pkgs[@]}" -eq 2 ] ||
			die "linux-headers-$kname: no -common/linux-kbuild in Depends"
		(cd "$t" && apt-get download -qq -o APT::Sandbox::User=root \
			"${pkgs[@]}") >&2 || die "apt-get download ${pkgs[*]} failed"
		rm -rf "$root"
		mkdir -p "$root"
		for deb in "$t"/*.deb; do dpkg-deb -x "$deb" "$root"; done
		rm -rf "$t"
		sed -i "s|^include /usr/src/|include $root/usr/src/|" \
			"$kdir/Makefile"
		echo "$hdr_ver" >"$root/.pkgver"
		touch "$root/.complete"
	fi
	hdr_ver=$(cat "$root/.pkgver")
}

# Headers for building the module (also pulls in the rest of the deps);
# another flavour's headers come on top of the amd64 ones.  Headers that
# depend on their linux-image (Debian's 6.12 do) would install a kernel on
# the host: those are never installed, but extracted privately.
if apt-cache show --no-all-versions "linux-headers-$kname" 2>/dev/null |
	sed -n 's/^Depends: //p' | grep -q 'linux-image-'; then
	"$here/deps.sh" >&2
	private_headers
else
	extra=()
	[ "$flavour" = amd64 ] || extra=("linux-headers-$kname")
	GUEST_KVER=$kver "$here/deps.sh" "${extra[@]}" >&2
	kdir=/lib/modules/$kname/build
	[ -d "$kdir" ] || kdir=/usr/src/linux-headers-$kname
	hdr_ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kname")
fi
[ -f "$kdir/Makefile" ] || die "no kernel headers at $kdir"

if [ ! -f "$stamp" ]; then
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
		case $f in
		*.ko.xz) xz -d "$stage/$f"; f=${f%.xz} ;;
		*.ko.zst) zstd -q -d --rm "$stage/$f"; f=${f%.zst} ;;
		*.ko.gz) gzip -d "$stage/$f"; f=${f%.gz} ;;
		esac
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
