#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract a few files from Debian's kernel source package (same upstream
# version as the guest kernel) into BUILD_DIR/ksrc/, keeping their paths:
#   tools/testing/selftests/kselftest_harness.h, kselftest.h
#   scripts/checkpatch.pl, spelling.txt, const_structs.checkpatch
# Usage: scripts/ksrc.sh [BUILD_DIR]      (default: <repo>/build)
# Env:   KSRC_PKG=linux-source-6.1 overrides the derived package name.
# Prints the ksrc directory on stdout; progress goes to stderr.
# Cached by BUILD_DIR/ksrc/.stamp; the deb and tarball are deleted after.
# These files are GPL kernel sources: never commit them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
out=$build/ksrc

members=(tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch)

die() { echo "ksrc.sh: $*" >&2; exit 1; }

# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

stamp=$out/.stamp
if [ ! -f "$stamp" ]; then
	pkg=${KSRC_PKG:-$(src_pkg)}
	[ -n "$pkg" ] || die "cannot derive linux-source package (apt-get update?)"
	tmp=$(mktemp -d "$build/.ksrc-dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "ksrc.sh: downloading $pkg" >&2
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$pkg") >&2 ||
		die "apt-get download $pkg failed"
	deb=$(ls "$tmp"/"$pkg"_*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	tarball=usr/src/$pkg.tar.xz
	dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$tmp" "./$tarball"
	rm -f "$deb"
	top=$pkg	# Debian's tarball has a single linux-source-X.Y/ top dir
	rm -rf "$out"
	mkdir -p "$out"
	tar -xJf "$tmp/$tarball" -C "$out" --strip-components=1 \
		"${members[@]/#/$top/}"
	for m in "${members[@]}"; do
		[ -f "$out/$m" ] || die "missing $m in $pkg"
	done
	echo "$pkg $ver" >"$stamp"
	echo "ksrc.sh: extracted ${#members[@]} files from $pkg $ver into $out" >&2
fi
echo "$out"
