#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug guest kernel (KASAN, UBSAN, lockdep, kmemleak, failslab,
# ...) from Debian's linux-source package of the same version as the guest
# kernel, for tools/vm/run.sh.  Never installed on the host.
# Usage: scripts/debug-kernel.sh [BUILD_DIR]      (default: <repo>/build)
# Env:   JOBS=2            make -j (default 2)
#        DEBUG_KERNEL_BASE=allnoconfig   or tinyconfig: the starting config
#        KSRC_PKG=linux-source-6.1       overrides the derived package name
#
# Into BUILD_DIR/debug-kernel/:
#   src/    the unpacked source tree (once; the .deb and tarball are deleted)
#   obj/    the O= tree: .config, vmlinux, bzImage, modules_prepare output;
#           KDIR for out-of-tree modules (make -C obj M=...)
#   guest/  boot/vmlinuz-<kver>, lib/modules/<kver>/: a tools/vm/run.sh
#           --guest-dir
#   env     KVER=<kver> and KDIR=<obj> (also printed on stdout)
#   timings configure/build seconds and bzImage size of the last build
# The config is allnoconfig + scripts/debug-kernel.config (merge_config.sh
# -m, olddefconfig); every option of the fragment is then checked in the
# final .config.  Rebuilt only when the stamp (sha256 of the fragment, the
# base config and the source package version) changes.  Runs under nice 10.
set -euo pipefail

if [ -z "${VIRQ_DK_NICED:-}" ]; then
	VIRQ_DK_NICED=1 exec nice -n 10 "$0" "$@"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
dk=$build/debug-kernel
src=$dk/src
obj=$dk/obj
guest=$dk/guest
frag=$here/debug-kernel.config
base=${DEBUG_KERNEL_BASE:-allnoconfig}
jobs=${JOBS:-2}
localver=-virq-debug

die() { echo "debug-kernel.sh: $*" >&2; exit 1; }
msg() { echo "debug-kernel.sh: $*" >&2; }

case $base in
allnoconfig|tinyconfig) ;;
*) die "DEBUG_KERNEL_BASE: allnoconfig or tinyconfig" ;;
esac
[ -f "$frag" ] || die "no $frag"

# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

# Package version of the guest kernel (its headers, as guest-kernel.sh
# pins the image to them): the source is pinned to the same version.
want_ver() {
	local k
	k=${GUEST_KVER:-$(guest_kver linux-headers-amd64)}
	[ -n "$k" ] || return 0
	dpkg-query -W -f='${Version}' "linux-headers-$k-amd64" 2>/dev/null || true
}

# Download and unpack linux-source-X.Y[=VER] into $src.
fetch_src() {	# fetch_src PKG [VER]
	local pkg=$1 ver=${2:-} tmp deb dver
	tmp=$(mktemp -d "$dk/.src-dl.XXXXXX")
	# shellcheck disable=SC2064 # expand now: tmp is local
	trap "rm -rf '$tmp'" EXIT
	msg "downloading $pkg${ver:+=$ver}"
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root \
		"$pkg${ver:+=$ver}") >&2 || return 1
	deb=$(ls "$tmp"/"$pkg"_*.deb)
	dver=$(dpkg-deb -f "$deb" Version)
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xf - -C "$tmp" "./usr/src/$pkg.tar.xz"
	rm -f "$deb"
	msg "unpacking $pkg $dver into $src"
	rm -rf "$src" "$src.new"
	mkdir -p "$src.new"
	tar -xJf "$tmp/usr/src/$pkg.tar.xz" -C "$src.new" --strip-components=1
	rm -rf "$tmp"
	trap - EXIT
	[ -f "$src.new/Makefile" ] || die "$pkg: no Makefile in the tarball"
	echo "$pkg $dver" >"$src.new/.virq-stamp"
	mv "$src.new" "$src"
}

mkdir -p "$dk"
want=$(want_ver)
have=
[ -f "$src/.virq-stamp" ] && have=$(cut -d' ' -f2 "$src/.virq-stamp")
if [ -z "$have" ] || { [ -n "$want" ] && [ "$have" != "$want" ]; }; then
	pkg=${KSRC_PKG:-$(src_pkg)}
	[ -n "$pkg" ] || die "cannot derive linux-source package (apt-get update?)"
	if ! fetch_src "$pkg" "$want"; then
		if [ -n "$have" ]; then
			msg "warning: $pkg=$want not available; keeping $have"
		else
			msg "warning: $pkg=$want not available; taking the candidate"
			fetch_src "$pkg" || die "apt-get download $pkg failed"
		fi
	fi
	have=$(cut -d' ' -f2 "$src/.virq-stamp")
	# Unpacked files keep the tarball's (old) times: start the O= tree
	# afresh, or make would keep objects of the previous source.
	rm -rf "$obj"
fi
[ -z "$want" ] || [ "$have" = "$want" ] ||
	msg "warning: source $have != guest kernel $want"

mk() { make -s -C "$src" O="$obj" ARCH=x86_64 LOCALVERSION="$localver" "$@"; }

stamp_val=$( { cat "$src/.virq-stamp"; echo "base=$base"; cat "$frag"; } |
	sha256sum | cut -d' ' -f1)
if [ -f "$dk/.stamp" ] && [ "$(cat "$dk/.stamp")" = "$stamp_val" ] &&
	[ -f "$dk/env" ]; then
	cat "$dk/env"
	exit 0
fi
rm -f "$dk/.stamp"

# Configure: base config, merge the fragment, resolve, verify.
t0=$(date +%s.%N)
mkdir -p "$obj"
mk "$base" >"$dk/config.log" 2>&1 ||
	{ cat "$dk/config.log" >&2; die "make $base failed"; }
(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
	"$obj/.config" "$frag") >>"$dk/config.log" 2>&1 ||
	{ cat "$dk/config.log" >&2; die "merge_config.sh failed"; }
mk olddefconfig >>"$dk/config.log" 2>&1 ||
	{ cat "$dk/config.log" >&2; die "make olddefconfig failed"; }
bad=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$obj/.config" && continue
		got=$(grep -E "^(# )?${line%%=*}[= ]" "$obj/.config" ||
			echo unset)
		bad+=("$line (have: $got)")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		if grep -qE "^$sym=" "$obj/.config"; then
			bad+=("$line (have: $(grep -E "^$sym=" "$obj/.config"))")
		fi
		;;
	esac
done <"$frag"
if [ "${#bad[@]}" -gt 0 ]; then
	msg "options of $(basename "$frag") not set as asked (missing dependency?):"
	printf '  %s\n' "${bad[@]}" >&2
	die "${#bad[@]} option(s) dropped by Kconfig"
fi
t1=$(date +%s.%N)
msg "configured ($base + fragment) in $(echo "$t1 - $t0" | bc) s"

# Build the kernel and what out-of-tree modules need.  "modules" builds
# no in-tree module (the fragment has none) but writes Module.symvers.
msg "building bzImage (make -j$jobs; log: $dk/build.log)"
mk -j"$jobs" bzImage modules_prepare modules >"$dk/build.log" 2>&1 ||
	{ tail -n 60 "$dk/build.log" >&2; die "kernel build failed"; }
t2=$(date +%s.%N)
kver=$(mk kernelrelease)
[ -n "$kver" ] || die "no kernelrelease"
bz=$obj/arch/x86/boot/bzImage
msg "built $kver in $(echo "$t2 - $t1" | bc) s;" \
	"bzImage $(stat -c %s "$bz") bytes"

# Guest dir for tools/vm/run.sh --guest-dir.
rm -rf "$guest"
mkdir -p "$guest/boot" "$guest/lib/modules/$kver"
cp "$bz" "$guest/boot/vmlinuz-$kver"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ ! -f "$obj/$f" ] || cp "$obj/$f" "$guest/lib/modules/$kver/"
done
: >"$guest/lib/modules/$kver/modules.dep"

printf 'configure_s=%.1f build_s=%.1f bzimage_bytes=%s jobs=%s base=%s\n' \
	"$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" \
	"$(stat -c %s "$bz")" "$jobs" "$base" >"$dk/timings"
printf 'KVER=%s\nKDIR=%s\n' "$kver" "$obj" >"$dk/env"
echo "$stamp_val" >"$dk/.stamp"
cat "$dk/env"
