#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Idempotent installer for the host packages virq's build and VM tests need.
# Usage: scripts/deps.sh [EXTRA_PACKAGE...]
# Env:   GUEST_ARCH=arm64|ppc64el also installs that guest architecture's
#        cross compiler, static libc and QEMU (scripts/lib.sh guest_arch;
#        about 15 s and 180 MB each, so only when a matrix cell asks).
# Prints nothing when everything is already installed. Must run as root
# (or via sudo) when something is missing. Install log: $DEPS_LOG
# (default /tmp/virq-deps.log).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
log=${DEPS_LOG:-/tmp/virq-deps.log}
updated=0

base_pkgs=(build-essential sparse qemu-system-x86 busybox-static cpio gzip
	xz-utils clang libclang-rt-14-dev llvm valgrind bc flex bison
	libelf-dev dwarves kmod python3 linux-headers-amd64)

die() { echo "deps.sh: $*" >&2; exit 1; }

apt_update() {
	[ "$updated" = 1 ] && return 0
	apt-get update -qq >>"$log" 2>&1 || die "apt-get update failed, see $log"
	updated=1
}

is_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = \
		"install ok installed" ]
}

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
	local kver p missing=()

	kver=${GUEST_KVER:-$(guest_kver)}
	if [ -z "$kver" ]; then
		# Neither apt lists nor the metapackage: refresh lists and retry.
		apt_update
		kver=$(guest_kver)
		[ -n "$kver" ] || die "cannot derive guest kernel version"
	fi

	guest_arch "${GUEST_ARCH:-amd64}" ||
		die "GUEST_ARCH=$GUEST_ARCH: amd64, arm64 or ppc64el"
	for p in "${base_pkgs[@]}" "linux-headers-$kver-amd64" \
		"${ga_pkgs[@]}" "$@"; do
		is_installed "$p" || missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0

	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	echo "deps.sh: installing ${missing[*]} (log: $log)" >&2
	apt_update
	apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>>"$log" 2>&1 || die "apt-get install failed, see $log"
}

main "$@"
