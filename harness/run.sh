#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the harness's unit tests and bounded fuzz runs as one TAP stream:
# each unit test's own TAP is renumbered into it, each fuzz run is one test
# point, a missing binary (failed build) is a failure.  "not ok ... # TODO"
# points are known, documented bugs and count as skipped.  Writes
# "PASSED FAILED SKIPPED" to --results; exits non-zero on any failure.
set -uo pipefail

out= results= fuzz_time=15 fuzz_runs=500000 corpus= tests= fuzzers=
skips=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift ;;
	--results) results=$2; shift ;;
	--fuzz-time) fuzz_time=$2; shift ;;
	--fuzz-runs) fuzz_runs=$2; shift ;;
	--corpus) corpus=$2; shift ;;
	--tests) tests=$2; shift ;;
	--fuzzers) fuzzers=$2; shift ;;
	--skip) skips+=("$2"); shift ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

n=0 pass=0 fail=0 skip=0
t0=$SECONDS

point() {	# point ok|fail|skip|todo NAME
	n=$((n + 1))
	case $1 in
	ok) pass=$((pass + 1)); echo "ok $n $2" ;;
	skip) skip=$((skip + 1)); echo "ok $n $2 # SKIP" ;;
	todo) skip=$((skip + 1)); echo "not ok $n $2" ;;
	*) fail=$((fail + 1)); echo "not ok $n $2" ;;
	esac
}

echo "TAP version 13"
for t in $tests; do
	bin=$out/t/$t
	if [ ! -x "$bin" ]; then
		echo "# $t: not built (see $out/build.log)"
		point fail "$t: build"
		continue
	fi
	log=$out/$t.log
	"$bin" >"$log" 2>&1
	rc=$?
	seen=0
	while IFS= read -r l; do
		case $l in
		"ok "*"# SKIP"*)
			seen=1; point skip "$t: ${l#ok * }" ;;
		"ok "*)
			seen=1; name=${l#ok }; point ok "$t: ${name#* }" ;;
		"not ok "*"# TODO"*)
			seen=1; name=${l#not ok }; point todo "$t: ${name#* }" ;;
		"not ok "*)
			seen=1; name=${l#not ok }; point fail "$t: ${name#* }" ;;
		"TAP version"*|1..*) ;;
		"#"*) echo "$l" ;;
		*) echo "# $l" ;;
		esac
	done <"$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log"; then
		# crashed (sanitizer report, abort) before reporting a failure
		point fail "$t: exited with status $rc"
	elif [ $seen -eq 0 ]; then
		point fail "$t: no test ran"
	fi
done
for s in "${skips[@]+"${skips[@]}"}"; do
	point skip "$s"
done

for f in $fuzzers; do
	bin=$out/f/$f
	if [ ! -x "$bin" ]; then
		echo "# $f: not built (see $out/build.log)"
		point fail "fuzz $f: build"
		continue
	fi
	work=$out/corpus/$f
	mkdir -p "$work" "$out/artifacts"
	seeds=()
	[ -d "$corpus/$f" ] && seeds=("$corpus/$f")
	log=$out/$f.log
	"$bin" -max_total_time="$fuzz_time" -runs="$fuzz_runs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$f-" \
		"$work" "${seeds[@]+"${seeds[@]}"}" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		point ok "fuzz $f (${runs:-?} runs)"
	else
		grep -E 'ERROR|runtime error|WARNING|[a-z0-9]*_fuzz:|LOCKING|BUG' "$log" |
			head -n 20 | sed 's/^/# /'
		echo "# full log: $log; reproducer in $out/artifacts/"
		point fail "fuzz $f (exit $rc)"
	fi
done

echo "1..$n"
echo "# harness: $pass passed, $fail failed, $skip skipped ($((SECONDS - t0)) s)"
[ -n "$results" ] && echo "$pass $fail $skip" >"$results"
[ $fail -eq 0 ]
