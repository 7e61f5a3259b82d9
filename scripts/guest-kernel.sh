#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the guest kernel for the VM tests (never installed on the host).
# Usage: scripts/guest-kernel.sh [BUILD_DIR]      (default: <repo>/build)
# Env:   GUEST_KVER=6.1.0-56 overrides the derived ABI version
#        (6.12.117+deb12 for a 6.12 of bookworm-security);
#        GUEST_SERIES=6.12 derives it from linux-headers-6.12-amd64
#        instead of linux-headers-amd64 (ignored when GUEST_KVER is set);
#        GUEST_FLAVOUR=rt-amd64 picks another flavour (default amd64);
#        GUEST_ARCH=arm64|ppc64el: a kernel for another architecture (see
#        the end of this comment; default amd64).
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
#
# GUEST_ARCH=arm64 or ppc64el: nothing of that architecture is installed
# on the host (no dpkg --add-architecture).  A private apt configuration,
# BUILD_DIR/apt-<arch>/ (apt.conf, a sources.list naming the host's Debian
# mirrors, its own lists and cache), downloads that architecture's
# linux-image-<kname>, linux-headers-<kname> and -common, and its
# busybox-static; the host's own apt the amd64 linux-kbuild of the same
# version.  All are unpacked with dpkg-deb -x into BUILD_DIR/guest/<kname>/
# (kname 6.1.0-57-arm64 or 6.1.0-57-powerpc64le):
#   boot/vmlinuz-<kname> (arm64 Image) or boot/vmlinux-<kname> (ppc64 ELF)
#   bin/busybox                   the guest's busybox (static)
#   lib/modules/<kname>/modules.dep   empty: what the guest needs (console,
#                                 and KVM on arm64) is built in
#   headers/usr/src/linux-headers-<kname>/   KDIR; its relative scripts
#                                 and tools links lead to the amd64 kbuild
#                                 unpacked beside it, in headers/usr/lib/
# The ABI is the x86 guest's (guest_kver; GUEST_KVER overrides).  When
# the architecture's lists lack it (a mirror whose index for that
# architecture lags behind), its own default 6.1 (linux-headers-<flavour>)
# is taken instead, with a warning, and remembered in apt-<arch>/fallback-*
# (remove apt-<arch>/ to try again).  Stdout: KVER=<kname>, KDIR=<dir>,
# ARCH=<kernel ARCH> and CROSS_COMPILE=<prefix>.  The cross compiler and
# QEMU come from scripts/deps.sh (GUEST_ARCH).  Cached as for amd64.
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

# The private apt of architecture $garch: writes BUILD_DIR/apt-<arch>/
# once and sets conf to its apt.conf (APT_CONFIG).  Its sources are the
# host's Debian ones (apt-get indextargets) as [arch=<arch>].  The host's
# apt.conf.d is still read after it (proxy and mirror settings).
foreign_apt() {
	local a=$build/apt-$garch src key='' u r c
	# shellcheck disable=SC2016 # apt's format, not the shell's
	local fmt='$(REPO_URI) $(RELEASE) $(COMPONENT)'
	local sel=('Identifier: Packages' 'Origin: Debian' 'Target-Of: deb')
	conf=$a/apt.conf
	[ -f "$conf" ] && return 0
	rm -rf "$a"
	mkdir -p "$a"/lists/partial "$a"/cache/archives/partial \
		"$a"/etc/sources.list.d "$a"/etc/preferences.d
	: >"$a/status"
	src=$(apt-get indextargets --format "$fmt" "${sel[@]}" | sort -u)
	if [ -z "$src" ]; then
		msg "no Debian lists on the host: apt-get update"
		apt-get update -qq >&2 || true
		src=$(apt-get indextargets --format "$fmt" "${sel[@]}" | sort -u)
	fi
	[ -n "$src" ] || die "the host's apt names no Debian mirror"
	[ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		key=' signed-by=/usr/share/keyrings/debian-archive-keyring.gpg'
	while read -r u r c; do
		echo "deb [arch=$garch$key] $u $r $c"
	done <<<"$src" >"$a/etc/sources.list"
	printf '%s\n' "APT::Architecture \"$garch\";" \
		"APT::Architectures { \"$garch\"; };" \
		"Dir::State \"$a\";" \
		"Dir::State::lists \"$a/lists\";" \
		"Dir::State::status \"$a/status\";" \
		"Dir::Cache \"$a/cache\";" \
		"Dir::Cache::archives \"$a/cache/archives\";" \
		"Dir::Etc::sourcelist \"$a/etc/sources.list\";" \
		"Dir::Etc::sourceparts \"$a/etc/sources.list.d\";" \
		"Dir::Etc::preferencesparts \"$a/etc/preferences.d\";" \
		'APT::Sandbox::User "root";' >"$conf.tmp"
	mv "$conf.tmp" "$conf"
}

# The private lists, fetched once per new kernel.  A mirror whose index
# for one architecture is out of step (seen for bookworm-security's
# ppc64el: "File has unexpected size ... Mirror sync in progress?") fails
# that list only: say so and go on with the others.
foreign_update() {
	msg "apt-get update ($garch lists, private)"
	if ! APT_CONFIG=$conf apt-get update -qq >"$tmp/update.log" 2>&1; then
		msg "warning: some $garch lists failed to update:"
		grep -E '^(E|W):' "$tmp/update.log" | sed 's/^/  /' >&2
	fi
}

# pkg_ver PKG: its candidate version in the private lists, or nothing.
pkg_ver() {
	{ APT_CONFIG=$conf apt-cache show --no-all-versions "$1" 2>/dev/null ||
		true; } | sed -n 's/^Version: //p' | head -n1
}

# GUEST_ARCH=arm64|ppc64el: see the comment at the top.
foreign_kernel() {
	local kver0 kver kname
	local out fb ver deb kb img f re
	guest_arch "$garch" || die "GUEST_ARCH=$garch: amd64, arm64 or ppc64el"
	[ -z "${GUEST_SERIES:-}${GUEST_FLAVOUR:-}" ] ||
		die "GUEST_SERIES and GUEST_FLAVOUR are for amd64 only"
	# The host's packages (its amd64 headers stay the x86 guest's).
	env -u GUEST_KVER GUEST_ARCH="$garch" "$here/deps.sh" >&2

	kver0=${GUEST_KVER:-$(guest_kver)}
	[ -n "$kver0" ] || die "cannot derive the x86 guest's kernel ABI"
	fb=$build/apt-$garch/fallback-$kver0
	kver=$kver0
	[ ! -f "$fb" ] || kver=$(cat "$fb")
	kname=$kver-$ga_flavour
	out=$build/guest/$kname
	if [ -f "$out/.complete" ]; then
		[ "$kver" = "$kver0" ] ||
			msg "warning: $garch runs $kver, not $kver0 (see $fb)"
	else
		foreign_apt
		tmp=$(mktemp -d "$build/.guest-dl.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		foreign_update
		kver=$kver0
		ver=$(pkg_ver "linux-image-$kver-$ga_flavour")
		if [ -z "$ver" ] && [ -z "${GUEST_KVER:-}" ]; then
			re="s/^ *Depends: linux-headers-\(.*\)-$ga_flavour\$/\1/p"
			kver=$({ APT_CONFIG=$conf apt-cache depends \
				"linux-headers-$ga_flavour" 2>/dev/null ||
				true; } | sed -n "$re" | head -n1)
			[ -z "$kver" ] ||
				ver=$(pkg_ver "linux-image-$kver-$ga_flavour")
			[ -z "$ver" ] || msg "warning: no linux-image-$kver0-$ga_flavour" \
				"in the $garch lists: taking $kver (linux-headers-$ga_flavour)"
		fi
		[ -n "$ver" ] ||
			die "no linux-image-$kver0-$ga_flavour in the $garch lists"
		if [ "$kver" != "$kver0" ]; then
			echo "$kver" >"$fb"
		else
			rm -f "$fb"
		fi
		kname=$kver-$ga_flavour
		out=$build/guest/$kname
	fi
	if [ ! -f "$out/.complete" ]; then
		msg "downloading $garch linux-image-$kname=$ver (private, not installed)"
		(cd "$tmp" && APT_CONFIG=$conf apt-get download -qq \
			"linux-image-$kname=$ver" "linux-headers-$kname=$ver" \
			"linux-headers-$kver-common=$ver" busybox-static) >&2 ||
			die "apt-get download ($garch) failed"
		deb=$(ls "$tmp"/linux-headers-"$kname"_*.deb)
		kb=$(dpkg-deb -f "$deb" Depends |
			grep -o 'linux-kbuild-[0-9.]*[0-9]' | head -n1) ||
			die "linux-headers-$kname: no linux-kbuild in Depends"
		# The build scripts run on the host: the amd64 kbuild.
		if ! (cd "$tmp" && apt-get download -qq \
			-o APT::Sandbox::User=root "$kb=$ver") >&2; then
			msg "no amd64 $kb=$ver: apt-get update, retry"
			apt-get update -qq >&2 || true
			(cd "$tmp" && apt-get download -qq \
				-o APT::Sandbox::User=root "$kb=$ver") >&2 ||
				die "apt-get download $kb=$ver (amd64) failed"
		fi

		rm -rf "$out"
		mkdir -p "$out/boot" "$out/bin" "$out/lib/modules/$kname" \
			"$out/headers" "$tmp/bb"
		img=$(ls "$tmp"/linux-image-"$kname"_*.deb)
		dpkg-deb --fsys-tarfile "$img" |
			tar -x -C "$tmp" --wildcards './boot/*'
		for f in "$tmp/boot/vmlinu"[xz]"-$kname" \
			"$tmp/boot/config-$kname"; do
			[ -f "$f" ] || die "linux-image-$kname: no $(basename "$f")"
			mv "$f" "$out/boot/"
		done
		: >"$out/lib/modules/$kname/modules.dep"
		dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/bb"
		mv "$tmp/bb/bin/busybox" "$out/bin/busybox"
		dpkg-deb -f "$tmp"/busybox-static_*.deb Version >"$out/.busybox"
		for deb in "$tmp"/linux-headers-*.deb "$tmp/$kb"_*.deb; do
			dpkg-deb -x "$deb" "$out/headers"
		done
		sed -i "s|^include /usr/src/|include $out/headers/usr/src/|" \
			"$out/headers/usr/src/linux-headers-$kname/Makefile"
		echo "$ver" >"$out/.pkgver"
		touch "$out/.complete"
		msg "extracted $garch $kname ($ver) into $out"
	fi
	echo "KVER=$kname"
	echo "KDIR=$out/headers/usr/src/linux-headers-$kname"
	echo "ARCH=$ga_karch"
	echo "CROSS_COMPILE=$ga_cross"
}

garch=${GUEST_ARCH:-amd64}
if [ "$garch" != amd64 ]; then
	foreign_kernel
	exit 0
fi

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
