#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: the in-guest microbenchmark beside KVM's own irqchip in the
# same guest (-cpu EPYC: TCG emulates SVM, so the guest has /dev/kvm), the
# GICv3 figures (bench/gicv3_bench.c: SPI and MSI->LPI ratios, the ITS
# translation cache warm and cold, save/restore of 1024 vCPUs x 64k LPIs;
# KVM's vgic-v3 beside them needs an arm64 guest, run by hand as its
# header comment says), the save/restore figures of libvirq and virqctl
# (bench/migrate_bench.c; the virqctl binary goes into the guest beside
# it), and the callgrind instruction counts of the model paths in the
# harness.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
# shellcheck disable=SC1091
. "$build/guest.env"
bash "$top/tools/vm/run.sh" --kver "$KVER" --guest-dir "$build/guest/$KVER" \
	--module "$top/virq.ko" --out "$build/bench-vm" --kvm-ref --demo \
	--file "$build/tools/virqctl" \
	-- "$build/bench/virq_bench" 20000 --- "$build/bench/gicv3_bench" 20000 \
	--- "$build/bench/migrate_bench"
if [ -f "$top/harness/Makefile" ] && grep -q '^bench:' "$top/harness/Makefile"; then
	make -s -C "$top/harness" bench BUILD="$build"
fi
