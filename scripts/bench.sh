#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: the in-guest microbenchmark beside KVM's own irqchip in the
# same guest (-cpu EPYC: TCG emulates SVM, so the guest has /dev/kvm), and
# the callgrind instruction counts of the model paths in the harness.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
# shellcheck disable=SC1091
. "$build/guest.env"
bash "$top/tools/vm/run.sh" --kver "$KVER" --guest-dir "$build/guest/$KVER" \
	--module "$top/virq.ko" --out "$build/bench-vm" --kvm-ref --demo \
	-- "$build/bench/virq_bench" 20000
if [ -f "$top/harness/Makefile" ] && grep -q '^bench:' "$top/harness/Makefile"; then
	make -s -C "$top/harness" bench BUILD="$build"
fi
