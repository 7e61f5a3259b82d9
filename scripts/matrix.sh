#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel x architecture matrix (issue #8): for each cell, fetch the
# guest kernel and its headers (scripts/guest-kernel.sh), build virq.ko
# against them from a copy of the sources, boot that kernel in QEMU twice
# as scripts/check.sh does (all the selftests; then kvm_diff_test and
# vmm_test under --kvm-ref), and print a table of the counts and times.
# The tree's own virq.ko is never touched (it stays the `make check` one);
# nothing is installed on the host but headers under /usr/src.
#
# Usage: scripts/matrix.sh [BUILD_DIR]            (default: <repo>/build)
# Env:   MATRIX_CELLS="6.1 6.12"  the cells to run (default: all x86_64
#        ones: 6.1 6.1-rt 6.12); arm64 and ppc64le cells are listed as
#        "not yet".  KSRC=DIR: the kselftest headers (default BUILD/ksrc,
#        made by scripts/ksrc.sh).  MATRIX_PREBUILT=1: do not build the
#        selftests and virqctl, run those already in BUILD (reruns).
# Output: BUILD/matrix/<cell>-<arch>/ (src/, module.log, guest.env, vm/,
#        vm-kvm/, results "PASSED FAILED SKIPPED", times), the table on
#        stdout and in BUILD/matrix/table.txt.  Exit 1 on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$top/build}")
mdir=$build/matrix
mkdir -p "$mdir"
cd "$top" || exit 1

# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

# cell name, arch, environment for scripts/guest-kernel.sh
all_cells=(
	"6.1 x86_64 -"
	"6.1-rt x86_64 GUEST_FLAVOUR=rt-amd64"
	"6.12 x86_64 GUEST_SERIES=6.12"
	"6.1 arm64 not-yet"
	"6.1 ppc64le not-yet"
)
want=${MATRIX_CELLS:-6.1 6.1-rt 6.12}

msg() { echo "matrix.sh: $*" >&2; }

# The module's sources (tracked and new, never build products).
copy_src() {	# copy_src DEST
	rm -rf "$1"
	mkdir -p "$1"
	git ls-files -co --exclude-standard -- Kbuild Kconfig include virq |
		while IFS= read -r f; do [ -f "$f" ] && echo "$f"; done |
		cpio -pdm --quiet "$1"
}

# Selftests and virqctl once: they are user space and kernel-independent.
progs_build() {
	local ksrc=${KSRC:-$build/ksrc}
	if [ ! -f "$ksrc/.stamp" ] && [ -z "${KSRC:-}" ]; then
		bash scripts/ksrc.sh "$build" >/dev/null || return 1
	fi
	nice -n 10 make -s -C selftests BUILD="$build" KSRC="$ksrc" &&
		nice -n 10 make -s virqctl BUILD="$build"
}

# One boot, as check.sh's guest(): adds its counts to the cell's.
boot() {	# boot CELLDIR NAME KVER GUESTDIR [run.sh options] -- PROGS
	local c=$1 name=$2 kver=$3 gdir=$4 p f s
	shift 4
	bash tools/vm/run.sh --kver "$kver" --guest-dir "$gdir" \
		--module "$c/src/virq.ko" --out "$c/$name" --quiet "$@" \
		>"$c/$name.log" 2>&1
	if [ -f "$c/$name/results" ]; then
		read -r p f s <"$c/$name/results"
	else
		p=0 f=1 s=0
	fi
	grep -E '^not ok|VIRQ-DMESG:|VIRQ-CHECK: not ok|VIRQ: warning' \
		"$c/$name/serial.log" 2>/dev/null | head -n 40 |
		sed "s/^/#   $name: /" >&2
	[ "$f" = 0 ] || tail -n 5 "$c/$name.log" | sed "s/^/#   $name: /" >&2
	# A --kvm-ref boot without /dev/kvm skips the KVM comparisons: say so.
	if grep -q 'VIRQ: warning: no /dev/kvm' "$c/$name/serial.log" \
		2>/dev/null; then
		echo "$name: no /dev/kvm in the guest ($(grep -m1 -oE \
			'(RT requires|kvm: )[^]]*$' "$c/$name/serial.log" ||
			echo 'see serial.log'))" >>"$c/notes"
	fi
	add "$c" "$p $f $s"
}

add() {	# add CELLDIR "PASSED FAILED SKIPPED": into CELLDIR/results
	local P F S p f s
	read -r P F S <"$1/results"
	read -r p f s <<<"$2"
	echo "$((P + p)) $((F + f)) $((S + s))" >"$1/results"
}

# One x86_64 cell: fetch, build, two boots; times into CELLDIR/times.
run_cell() {	# run_cell NAME ENV
	local name=$1 env=$2 c=$mdir/$1-x86_64 t0 tf tb tv kver kdir rc
	local plain=() kvm=() files=()
	rm -rf "$c"
	mkdir -p "$c"
	echo "0 0 0" >"$c/results"

	t0=$SECONDS
	# shellcheck disable=SC2086 # ENV is one VAR=value word or '-'
	if ! env ${env/#-/} bash scripts/guest-kernel.sh "$build" \
		>"$c/guest.env" 2>"$c/fetch.log"; then
		msg "$name: fetch failed, see $c/fetch.log"
		tail -n 5 "$c/fetch.log" >&2
		add "$c" "0 1 0"
		echo "$((SECONDS - t0)) - -" >"$c/times"
		return
	fi
	tf=$((SECONDS - t0))
	kver=$(sed -n 's/^KVER=//p' "$c/guest.env")
	kdir=$(sed -n 's/^KDIR=//p' "$c/guest.env")
	echo "$kver" >"$c/kver"

	# W=1; a warning or error in virq's own files fails the build (the
	# kernel's headers are not ours to judge).
	t0=$SECONDS
	copy_src "$c/src"
	nice -n 10 make -C "$kdir" M="$c/src" W=1 modules >"$c/module.log" 2>&1
	rc=$?
	tb=$((SECONDS - t0))
	if [ $rc -ne 0 ] || [ ! -f "$c/src/virq.ko" ] ||
		grep -E '(warning|error):' "$c/module.log" |
			grep -qv '^/usr/src/'; then
		msg "$name: module build failed or warned, see $c/module.log"
		grep -E 'warning:|error:' "$c/module.log" | head -n 20 >&2
		add "$c" "0 1 0"
		echo "$tf $tb -" >"$c/times"
		return
	fi
	add "$c" "1 0 0"
	# sparse, as `make sparse` (C=2 rechecks every file).
	if ! nice -n 10 make -C "$kdir" M="$c/src" C=2 W=1 modules \
		>"$c/sparse.log" 2>&1 ||
		grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' \
			"$c/sparse.log" | grep -qv '^/usr/src/'; then
		msg "$name: sparse found problems, see $c/sparse.log"
		add "$c" "0 1 0"
	else
		add "$c" "1 0 0"
	fi
	tb=$((SECONDS - t0))

	split_progs "$build/selftests"
	[ ! -x "$build/tools/virqctl" ] || files=(--file "$build/tools/virqctl")

	t0=$SECONDS
	boot "$c" vm "$kver" "$build/guest/$kver" "${files[@]}" -- "${plain[@]}"
	[ ${#kvm[@]} -eq 0 ] ||
		boot "$c" vm-kvm "$kver" "$build/guest/$kver" --kvm-ref -- \
			"${kvm[@]}"
	tv=$((SECONDS - t0))
	echo "$tf $tb $tv" >"$c/times"
}

t_all=$SECONDS
progs_ok=1
if [ -n "${MATRIX_PREBUILT:-}" ]; then
	msg "MATRIX_PREBUILT: using the programs already in $build/selftests"
elif ! progs_build >"$mdir/progs.log" 2>&1; then
	msg "selftests/virqctl build failed, see $mdir/progs.log"
	tail -n 20 "$mdir/progs.log" >&2
	progs_ok=0
fi

fails=0
rows=()
for cell in "${all_cells[@]}"; do
	read -r name arch env <<<"$cell"
	if [ "$env" = not-yet ]; then
		rows+=("$(printf '%-8s %-8s %-30s %s' "$name" "$arch" "not yet" \
			"-")")
		continue
	fi
	[[ " $want " == *" $name "* ]] || continue
	c=$mdir/$name-$arch
	if [ $progs_ok = 1 ]; then
		msg "cell $name/$arch"
		t0=$SECONDS
		run_cell "$name" "$env"
		wall=$((SECONDS - t0))
		read -r p f s <"$c/results"
		read -r tf tb tv <"$c/times"
		kver=$(cat "$c/kver" 2>/dev/null || echo '?')
	else
		p=0 f=1 s=0 tf=- tb=- tv=- wall=0 kver='?'
	fi
	[ "$f" = 0 ] || fails=$((fails + 1))
	rows+=("$(printf '%-8s %-8s %-30s %s' "$name" "$arch" \
		"$p passed, $f failed, $s skipped" \
		"${wall}s (fetch ${tf}s, build ${tb}s, guests ${tv}s) $kver")")
	[ ! -f "$c/notes" ] || while IFS= read -r l; do
		rows+=("$(printf '%-17s note: %s' '' "$l")")
	done <"$c/notes"
done

{
	printf '%-8s %-8s %-30s %s\n' kernel arch result "wall time"
	printf '%s\n' "${rows[@]}"
	echo "matrix: $((SECONDS - t_all)) s in all; $fails failing cell(s)"
} | tee "$mdir/table.txt"
[ "$fails" = 0 ]
