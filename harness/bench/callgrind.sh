#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Instructions per (edge injection + H_XIRR + H_EOI) round of the XICS
# model: two callgrind runs of different lengths, so setup and teardown
# cancel out.  Usage: callgrind.sh <xics_bench binary> [rounds]
set -euo pipefail

bin=$1
n=${2:-10000}
dir=$(dirname "$bin")

count() {	# count ROUNDS: total instructions of a run
	valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out.$1" \
		"$bin" "$1" >/dev/null 2>"$dir/callgrind.log.$1"
	sed -n 's/^summary: *//p' "$dir/callgrind.out.$1"
}

command -v valgrind >/dev/null || { echo "bench: valgrind not installed"; exit 1; }
small=$(count 1000)
large=$(count $((1000 + n)))
if [ -z "$small" ] || [ -z "$large" ]; then
	echo "bench: callgrind failed, see $dir/callgrind.log.*" >&2
	exit 1
fi
per=$(( (large - small) / n ))
echo "xics: $per instructions per inject+H_XIRR+H_EOI round ($n rounds)"
echo "per function: callgrind_annotate $dir/callgrind.out.$((1000 + n))"
