#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the guest suite on the debug kernel
# (scripts/debug-kernel.sh: KASAN, UBSAN, lockdep, kmemleak, debug objects,
# failslab), ending like `make check` with "N passed, N failed, N skipped".
#   1. builds (or reuses) the debug kernel in BUILD/debug-kernel;
#   2. builds virq.ko against it in BUILD/debug-kernel/mod (the tree's own
#      virq.ko stays the one for Debian's kernel);
#   3. boots it with every selftest except the ones that need KVM (the
#      debug kernel has none), the in-guest ioctl fuzzer for longer
#      (FUZZ_CALLS, default 1000000), and the kmemleak scan of run.sh.
# Not part of `make check` (CI): the kernel build alone takes 15-17 min
# with -j2 on these machines.  Run it before resolving anything that
# touches locking or lifetimes.
# Usage: scripts/check-debug.sh [BUILD_DIR]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
results=$build/results-debug
logs=$build/logs
rm -rf "$results"
mkdir -p "$results" "$logs"
cd "$top" || exit 1

# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

# The module against the debug kernel, from a copy of the tracked
# sources (never the tree's objects, built for Debian's kernel)
build_module() {
	local mod=$build/debug-kernel/mod

	rm -rf "$mod"
	mkdir -p "$mod"
	git ls-files -z Kbuild Kconfig virq include | tar --null -T - -cf - |
		tar -C "$mod" -xf - &&
		make -C "$KDIR" M="$mod" W=1 modules
}

stage debug-kernel bash scripts/debug-kernel.sh "$build" || exec \
	bash scripts/summarize.sh "$results"/*
# shellcheck disable=SC1091
. "$build/debug-kernel/env"
stage debug-module build_module
stage selftests-build make -s -C selftests BUILD="$build" KSRC="$build/ksrc"
stage virqctl make -s virqctl BUILD="$build"

progs=()
for t in "$build"/selftests/*_test; do
	[ -x "$t" ] || continue
	case $(basename "$t") in
	kvm_diff_test|vmm_test) continue ;;
	ioctl_fuzz_test) set -- "$t" -n "${FUZZ_CALLS:-1000000}" ;;
	*) set -- "$t" ;;
	esac
	[ ${#progs[@]} -eq 0 ] || progs+=(---)
	progs+=("$@")
done
if [ -f "$build/debug-kernel/mod/virq.ko" ]; then
	t0=$SECONDS
	files=()
	[ ! -x "$build/tools/virqctl" ] || files=(--file "$build/tools/virqctl")
	bash tools/vm/run.sh --kver "$KVER" --guest-dir "$build/debug-kernel/guest" \
		--module "$build/debug-kernel/mod/virq.ko" --out "$build/vm-debug" \
		"${files[@]}" --timeout 3600 --prog-timeout 1800 \
		--quiet -- "${progs[@]}" >"$logs/vm-debug.log" 2>&1
	rc=$?
	cp "$build/vm-debug/results" "$results/vm-debug" 2>/dev/null ||
		echo "0 1 0" >"$results/vm-debug"
	grep -E '^not ok |VIRQ-(DMESG|KMEMLEAK):' "$build/vm-debug/serial.log" |
		head -n 60 | sed 's/^/#   /'
	echo "$([ $rc -eq 0 ] && echo ok || echo not ok) - vm-debug" \
		"($((SECONDS - t0)) s; serial log: $build/vm-debug/serial.log)"
fi
exec bash scripts/summarize.sh "$results"/*
