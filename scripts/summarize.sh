#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Add up result files written by tools/vm/run.sh.
# Usage: scripts/summarize.sh RESULT_FILE...
# Each file holds one line "PASSED FAILED SKIPPED"; a missing or malformed
# file counts as one failure. The last line printed is exactly
# "N passed, N failed, N skipped"; exit status 1 if anything failed.
set -euo pipefail

pass=0 fail=0 skip=0
for f in "$@"; do
	p='' x='' s='' extra=''
	if [ -r "$f" ]; then
		read -r p x s extra <"$f" || true
	fi
	if [ ! -r "$f" ]; then
		echo "summarize: missing result file $f (counted as 1 failure)" >&2
		fail=$((fail + 1))
	elif ! [[ "$p" =~ ^[0-9]+$ && "$x" =~ ^[0-9]+$ && "$s" =~ ^[0-9]+$ ]] ||
		[ -n "$extra" ]; then
		echo "summarize: malformed result file $f (counted as 1 failure)" >&2
		fail=$((fail + 1))
	else
		pass=$((pass + p)) fail=$((fail + x)) skip=$((skip + s))
	fi
done
if [ $# -eq 0 ]; then
	echo "summarize: no result files given (counted as 1 failure)" >&2
	fail=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
