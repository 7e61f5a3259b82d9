#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Instructions per (edge injection + H_XIRR + H_EOI) round of the XICS
# model: two callgrind runs of different lengths, so setup and teardown
# cancel out.  Then issue #4's figures for a chip of 1 << 20 sources:
# model memory, sparse and dense, and the bulk save (get_sources) and
# restore (set_sources) of all of them, 64K words a call: times from a
# native run, instructions from one callgrind run that instruments those
# two phases only.  Usage: callgrind.sh <xics_bench binary> [rounds]
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

"$bin" sources
rm -f "$dir"/callgrind.out.sources*
valgrind --tool=callgrind --instr-atstart=no \
	--callgrind-out-file="$dir/callgrind.out.sources" "$bin" sources \
	>/dev/null 2>"$dir/callgrind.log.sources" || {
	echo "bench: callgrind failed, see $dir/callgrind.log.sources" >&2
	exit 1
}
for phase in get_sources set_sources; do
	out=$(grep -l "^desc: Trigger: Client Request: $phase\$" \
		"$dir"/callgrind.out.sources.*)
	ir=$(sed -n 's/^summary: *//p' "$out")
	awk -v ir="$ir" -v phase="$phase" 'BEGIN {
		printf "xics 1M sources, %s: %d instructions, %.1f %s\n",
			phase, ir, ir / 1048576, "per source" }'
done
echo "per function: callgrind_annotate $dir/callgrind.out.sources.{1,2}" \
	"(get, set)"
