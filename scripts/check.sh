#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test, in one run, ending with one line
# "N passed, N failed, N skipped".  Each stage records its counts in
# BUILD/results/<stage> ("PASSED FAILED SKIPPED"); scripts/summarize.sh adds
# them up.  Logs go to BUILD/logs/.  The module is loaded only inside the
# QEMU guest (tools/vm/run.sh).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
results=$build/results
logs=$build/logs
rm -rf "$results" "$logs"
mkdir -p "$results" "$logs"
cd "$top" || exit 1

# shellcheck disable=SC1091
. "$build/guest.env" || exit 1

# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

stage build make -s module
stage sparse make -s sparse
stage checkpatch make -s style

# Userspace harness: the model files under ASan+UBSan, unit tests and
# bounded fuzz runs.  It writes results/harness itself.
t0=$SECONDS
if make -s -C harness test BUILD="$build" KSRC="$build/ksrc" \
	>"$logs/harness.log" 2>&1; then
	echo "ok - harness ($((SECONDS - t0)) s)"
else
	echo "not ok - harness ($((SECONDS - t0)) s): see $logs/harness.log"
	grep -E '^not ok|ERROR|runtime error' "$logs/harness.log" | head -n 40 |
		sed 's/^/#   /'
	[ -f "$results/harness" ] || echo "0 1 0" >"$results/harness"
fi

# kselftests in the guest: every program in build/selftests, in two
# boots.  The programs that compare with or drive KVM (KVM_PROGS) get a
# guest with its own /dev/kvm (--kvm-ref: -cpu EPYC, nested SVM, one TCG
# thread; tools/vm/run.sh says why); the others a guest whose vCPUs run
# on two host threads, so that their concurrency tests race for real.
stage selftests-build make -s -C selftests BUILD="$build" KSRC="$build/ksrc"
# libvirq and virqctl: virqctl_test runs the binary (/bin/tests/virqctl)
stage virqctl make -s virqctl BUILD="$build"

# guest NAME [run.sh options] -- PROG...: one boot, its counts and failures
guest() {
	local name=$1 t0=$SECONDS rc
	shift
	bash tools/vm/run.sh --kver "$KVER" --guest-dir "$build/guest/$KVER" \
		--module "$top/virq.ko" --out "$build/$name" --quiet "$@" \
		>"$logs/$name.log" 2>&1
	rc=$?
	cp "$build/$name/results" "$results/$name" 2>/dev/null ||
		echo "0 1 0" >"$results/$name"
	grep -E '^(not )?ok ' "$build/$name/serial.log" 2>/dev/null |
		sed 's/^/#   /' | grep -E 'not ok|SKIP' | head -n 60
	[ $rc -eq 0 ] || tail -n 5 "$logs/$name.log" | sed 's/^/#   /'
	echo "$([ $rc -eq 0 ] && echo ok || echo not ok) - $name" \
		"($((SECONDS - t0)) s; serial log: $build/$name/serial.log)"
}

plain=() kvm=()
split_progs "$build/selftests"
if [ ! -f virq.ko ] || [ ${#plain[@]} -eq 0 ]; then
	echo "not ok - guest: no module or no test programs"
	echo "0 1 0" >"$results/guest"
else
	files=()
	[ ! -x "$build/tools/virqctl" ] || files=(--file "$build/tools/virqctl")
	guest vm "${files[@]}" -- "${plain[@]}"
	[ ${#kvm[@]} -eq 0 ] || guest vm-kvm --kvm-ref -- "${kvm[@]}"
fi

exec bash scripts/summarize.sh "$results"/*
