#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xics_bench: instructions per (edge injection + H_XIRR + H_EOI) round
# of the XICS model: two callgrind runs of different lengths, so setup and
# teardown cancel out.  Then issue #4's figures for a chip of 1 << 20
# sources: model memory, sparse and dense, and the bulk save (get_sources)
# and restore (set_sources) of all of them, 64K words a call: times from a
# native run, instructions from one callgrind run that instruments those
# two phases only.
#
# x86_bench: instructions per operation of the x86 family (injection
# paths, INTA and EOI, route updates in a 128K-route table), from one
# callgrind run that collects only around each measured operation and
# dumps each phase by name; the cost of the collection toggles (phase
# "baseline") is taken off every operation.
#
# Usage: callgrind.sh <xics_bench or x86_bench binary> [rounds]
set -euo pipefail

bin=$1
n=${2:-10000}
dir=$(dirname "$bin")

# The dump of phase $1 of the x86 run
x86_dump() {
	grep -l "^desc: Trigger: Client Request: $1\$" "$dir"/callgrind.out.x86.* ||
		{ echo "bench: no callgrind dump of phase $1" >&2; exit 1; }
}

# Self instructions of a callgrind dump: all of them, and those of the
# harness runtime (harness/lib/rt.c: checking lock and IRQ shims, the
# allocator) and of libc (malloc behind kmalloc, qsort behind sort):
# "all rt+libc".  Call lines carry inclusive costs: skipped.
# shellcheck disable=SC2016  # an awk program: $ is awk's
split_awk='
function name(s, tab,    id, rest) {
	sub(/^[a-z]+=/, "", s)
	if (s !~ /^\(/)
		return s
	id = substr(s, 2, index(s, ")") - 2)
	rest = substr(s, index(s, ")") + 1)
	sub(/^ /, "", rest)
	if (rest != "")
		tab[id] = rest
	return tab[id]
}
/^c?ob=/ { n = name($0, obs); if ($0 ~ /^ob=/) ob = n; next }
/^(fl|fi|fe|cfi|cfl)=/ {
	n = name($0, fls)
	if ($0 ~ /^fl=/) { fl = n; fi = n }
	else if ($0 ~ /^f[ie]=/) fi = n
	next
}
/^fn=/ { fi = fl; next }
/^calls=/ { skip = 1; next }
/^[0-9+*-]/ {
	if (skip) { skip = 0; next }
	all += $2
	if (ob ~ /\/libc\.so/ || fi ~ /harness\/lib\/rt\.c$/)
		shim += $2
}
END { print all + 0, shim + 0 }'

x86_counts() {
	local base phase ops what out all shim

	rm -f "$dir"/callgrind.out.x86*
	valgrind --tool=callgrind --collect-atstart=no \
		--callgrind-out-file="$dir/callgrind.out.x86" "$bin" "$n" \
		>/dev/null 2>"$dir/callgrind.log.x86" || {
		echo "bench: callgrind failed, see $dir/callgrind.log.x86" >&2
		exit 1
	}
	read -r base shim < <(awk "$split_awk" "$(x86_dump baseline)")
	echo "x86: instructions per operation, $n of each; the collection" \
		"toggles ($((base / n)) per operation) taken off"
	printf 'x86   %-14s %8s %8s\n' phase all rt+libc
	while IFS='|' read -r phase ops what; do
		out=$(x86_dump "$phase")
		read -r all shim < <(awk "$split_awk" "$out")
		if [ "$all" != "$(sed -n 's/^summary: *//p' "$out")" ]; then
			echo "bench: $out: self costs do not add up" >&2
			exit 1
		fi
		awk -v all="$all" -v shim="$shim" -v base="$base" -v n="$n" \
			-v ops="$ops" -v phase="$phase" -v what="$what" 'BEGIN {
			calls = ops ? ops : n
			per = (all - base / n * (ops ? 1 : n)) / calls
			printf "x86   %-14s %8.1f %8.1f  %s\n", phase, per,
				shim / calls, what }'
	done <<-EOF
	ioapic_edge||VIRQ_IRQ_LINE edge, IOAPIC GSI 16 to a LAPIC (delivered)
	msi||VIRQ_SIGNAL_MSI, compatibility format (delivered)
	msi_remapped||VIRQ_SIGNAL_MSI through an IRTE (delivered)
	inta_eoi||INTA (VIRQ_VCPU_ACK) + EOI write of that edge vector
	edge_round||edge inject + INTA + EOI
	level_round||level GSI 17: assert + INTA + deassert + EOI
	route_replace||VIRQ_UPDATE_GSI_ROUTE REPLACE, 131072-route table
	route_set_all|131072|VIRQ_SET_GSI_ROUTING of 131072 MSI routes, per route
	EOF
	echo "rt+libc: harness/lib/rt.c (checking lock shims, allocator) and" \
		"libc (malloc, qsort); the kernel has its own"
	echo "per function: callgrind_annotate --threshold=100" \
		"$dir/callgrind.out.x86.<2..9> (in the order above)"
}

count() {	# count ROUNDS: total instructions of a run
	valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out.$1" \
		"$bin" "$1" >/dev/null 2>"$dir/callgrind.log.$1"
	sed -n 's/^summary: *//p' "$dir/callgrind.out.$1"
}

command -v valgrind >/dev/null || { echo "bench: valgrind not installed"; exit 1; }
if [ "$(basename "$bin")" = x86_bench ]; then
	x86_counts
	exit 0
fi
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
