#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel x architecture matrix (issue #8): for each cell, fetch the
# guest kernel and its headers (scripts/guest-kernel.sh), build virq.ko
# against them from a copy of the sources, boot that kernel in QEMU twice
# as scripts/check.sh does (all the selftests; then KVM_PROGS of
# scripts/lib.sh under --kvm-ref), and print a table of the counts and
# times.
# The tree's own virq.ko is never touched (it stays the `make check` one);
# nothing is installed on the host but headers under /usr/src, and for
# the arm64 and ppc64le cells the cross compilers and QEMUs
# (scripts/deps.sh GUEST_ARCH).
#
# The arm64 and ppc64le cells run under QEMU TCG (tools/vm/run.sh --arch)
# with Debian's kernel of that architecture; the module is cross-built
# (ARCH, CROSS_COMPILE from guest-kernel.sh), the selftests and virqctl
# too, statically, into BUILD/matrix/progs-<arch>/.  On arm64 KVM_PROGS
# run in a second boot with --kvm-ref (the guest at EL2 with KVM's
# vgic-v3 and ITS: the check "kvm reference" fails without /dev/kvm);
# ppc64le has no KVM reference, all the programs run in one boot.
#
# Usage: scripts/matrix.sh [BUILD_DIR]            (default: <repo>/build)
# Env:   MATRIX_CELLS="6.1 6.12-x86_64 6.1-arm64"  the cells to run, as
#        <kernel>-<arch> (a bare kernel is its x86_64 cell); default all:
#        6.1 6.1-rt 6.12 6.1-arm64 6.1-ppc64le.  KSRC=DIR: the kselftest
#        headers (default BUILD/ksrc, made by scripts/ksrc.sh).
#        MATRIX_PREBUILT=1: do not build the selftests and virqctl, run
#        those already in BUILD and BUILD/matrix/progs-<arch> (reruns).
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

# cell name, arch (tools/vm/run.sh --arch), environment for
# scripts/guest-kernel.sh
all_cells=(
	"6.1 x86_64 -"
	"6.1-rt x86_64 GUEST_FLAVOUR=rt-amd64"
	"6.12 x86_64 GUEST_SERIES=6.12"
	"6.1 arm64 GUEST_ARCH=arm64"
	"6.1 ppc64le GUEST_ARCH=ppc64el"
)
want=${MATRIX_CELLS:-6.1 6.1-rt 6.12 6.1-arm64 6.1-ppc64le}

msg() { echo "matrix.sh: $*" >&2; }

# The module's sources (tracked and new, never build products).
copy_src() {	# copy_src DEST
	rm -rf "$1"
	mkdir -p "$1"
	git ls-files -co --exclude-standard -- Kbuild Kconfig include virq |
		while IFS= read -r f; do [ -f "$f" ] && echo "$f"; done |
		cpio -pdm --quiet "$1"
}

ksrc=${KSRC:-$build/ksrc}
ksrc_ready() {
	if [ ! -f "$ksrc/.stamp" ] && [ -z "${KSRC:-}" ]; then
		bash scripts/ksrc.sh "$build" >/dev/null || return 1
	fi
}

# Selftests and virqctl once: they are user space and kernel-independent.
progs_build() {
	ksrc_ready &&
		nice -n 10 make -s -C selftests BUILD="$build" KSRC="$ksrc" &&
		nice -n 10 make -s virqctl BUILD="$build"
}

# The same for another architecture, with its cross compiler, into DIR
# (a BUILD of their Makefiles): every program that builds, then
# DIR/missing lists those that did not (DIR/build.log says why).
progs_cross() {	# progs_cross DIR CROSS_COMPILE
	local d=$1 cc=${2}gcc t rc=0
	mkdir -p "$d"
	rm -f "$d/missing"
	{
		ksrc_ready &&
			nice -n 10 make -s -k -C selftests BUILD="$d" \
				KSRC="$ksrc" CC="$cc"
		nice -n 10 make -s virqctl BUILD="$d" CC="$cc" AR="${2}ar"
	} >"$d/build.log" 2>&1 || rc=1
	for t in selftests/*/*_test.c; do
		case $t in selftests/lib/*) continue ;; esac
		t=$(basename "$t" .c)
		[ -x "$d/selftests/$t" ] || echo "$t" >>"$d/missing"
	done
	[ -x "$d/tools/virqctl" ] || echo virqctl >>"$d/missing"
	[ ! -f "$d/missing" ] || rc=1
	return $rc
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

# One cell: fetch, build, two boots (x86_64, arm64) or one (ppc64le);
# times into CELLDIR/times.
run_cell() {	# run_cell NAME ARCH ENV
	local name=$1 arch=$2 env=$3 c=$mdir/$1-$2 t0 tf tb tv kver kdir rc
	local plain=() kvm=() files=() karch cross mk=() hdr pdir l
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
	karch=$(sed -n 's/^ARCH=//p' "$c/guest.env")
	cross=$(sed -n 's/^CROSS_COMPILE=//p' "$c/guest.env")
	[ -z "$karch" ] || mk=(ARCH="$karch" CROSS_COMPILE="$cross")
	echo "$kver" >"$c/kver"
	# Another ABI than the x86 guest's (the arch's lists lack it).
	sed -n 's/^guest-kernel.sh: warning: \(.* runs .*\|no linux-image.*\)/\1/p' \
		"$c/fetch.log" >>"$c/notes"

	# W=1; a warning or error in virq's own files fails the build (the
	# kernel's headers, under /usr/src or a private .../usr/src, are not
	# ours to judge).
	hdr=${kdir%/usr/src/*}/usr/src/
	t0=$SECONDS
	copy_src "$c/src"
	nice -n 10 make -C "$kdir" M="$c/src" "${mk[@]}" W=1 modules \
		>"$c/module.log" 2>&1
	rc=$?
	tb=$((SECONDS - t0))
	if [ $rc -ne 0 ] || [ ! -f "$c/src/virq.ko" ]; then
		msg "$name: module build failed, see $c/module.log"
		grep -E 'warning:|error:' "$c/module.log" | head -n 20 >&2
		add "$c" "0 1 0"
		echo "$tf $tb -" >"$c/times"
		return
	fi
	# A warning fails the check; the module still runs the suite.
	if grep -E '(warning|error):' "$c/module.log" |
		grep -v '^/usr/src/' | grep -qvF "$hdr"; then
		msg "$name: module build warned, see $c/module.log"
		grep -E 'warning:|error:' "$c/module.log" | sort -u |
			head -n 20 >&2
		echo "module build warned: $(grep -E 'warning:|error:' \
			"$c/module.log" | grep -v '^/usr/src/' |
			grep -vF "$hdr" | head -n1 | sed "s|^$c/src/||")" \
			>>"$c/notes"
		add "$c" "0 1 0"
	else
		add "$c" "1 0 0"
	fi
	# sparse, as `make sparse` (C=2 rechecks every file).
	if ! nice -n 10 make -C "$kdir" M="$c/src" "${mk[@]}" C=2 W=1 modules \
		>"$c/sparse.log" 2>&1 ||
		grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' \
			"$c/sparse.log" | grep -v '^/usr/src/' |
			grep -qvF "$hdr"; then
		msg "$name: sparse found problems, see $c/sparse.log"
		add "$c" "0 1 0"
	else
		add "$c" "1 0 0"
	fi

	# The programs: x86_64's are check.sh's (BUILD/selftests); another
	# architecture's are cross-built once per run, their build one check.
	pdir=$build
	if [ "$arch" != x86_64 ]; then
		pdir=$mdir/progs-$arch
		if [ -n "${MATRIX_PREBUILT:-}" ]; then
			:
		elif [ -z "${cross_built[$arch]:-}" ]; then
			cross_built[$arch]=1
			progs_cross "$pdir" "$cross"
		fi
		if [ -f "$pdir/missing" ]; then
			l=$(tr '\n' ' ' <"$pdir/missing")
			msg "$name/$arch: not built: $l(see $pdir/build.log)"
			grep -E 'error:' "$pdir/build.log" | head -n 10 >&2
			echo "not built for $arch: $l" >>"$c/notes"
			add "$c" "0 1 0"
		else
			add "$c" "1 0 0"
		fi
	fi
	tb=$((SECONDS - t0))

	split_progs "$pdir/selftests"
	[ ! -x "$pdir/tools/virqctl" ] || files=(--file "$pdir/tools/virqctl")

	t0=$SECONDS
	case $arch in
	x86_64)
		boot "$c" vm "$kver" "$build/guest/$kver" "${files[@]}" -- \
			"${plain[@]}"
		[ ${#kvm[@]} -eq 0 ] ||
			boot "$c" vm-kvm "$kver" "$build/guest/$kver" \
				--kvm-ref -- "${kvm[@]}"
		;;
	arm64)
		# The --kvm-ref boot (~25 s): gicv3_kvm_diff_test against
		# KVM's vgic-v3 and ITS (issue #5); the x86 ones skip.
		boot "$c" vm "$kver" "$build/guest/$kver" --arch arm64 \
			"${files[@]}" -- "${plain[@]}"
		[ ${#kvm[@]} -eq 0 ] ||
			boot "$c" vm-kvm "$kver" "$build/guest/$kver" \
				--arch arm64 --kvm-ref -- "${kvm[@]}"
		;;
	*)
		# No KVM reference: every program in one boot (the KVM ones
		# must skip).
		[ ${#kvm[@]} -eq 0 ] || [ ${#plain[@]} -eq 0 ] || plain+=(---)
		boot "$c" vm "$kver" "$build/guest/$kver" --arch "$arch" \
			"${files[@]}" -- "${plain[@]}" "${kvm[@]}"
		;;
	esac
	tv=$((SECONDS - t0))
	echo "$tf $tb $tv" >"$c/times"
}

# wanted NAME ARCH: is the cell in MATRIX_CELLS?
wanted() {
	[[ " $want " == *" $1-$2 "* ]] ||
		{ [ "$2" = x86_64 ] && [[ " $want " == *" $1 "* ]]; }
}

t_all=$SECONDS
progs_ok=1
declare -A cross_built=()
x86=0
for cell in "${all_cells[@]}"; do
	read -r name arch env <<<"$cell"
	[ "$arch" != x86_64 ] || ! wanted "$name" "$arch" || x86=1
done
if [ -n "${MATRIX_PREBUILT:-}" ]; then
	msg "MATRIX_PREBUILT: using the programs already in $build/selftests"
elif [ $x86 = 1 ] && ! progs_build >"$mdir/progs.log" 2>&1; then
	msg "selftests/virqctl build failed, see $mdir/progs.log"
	tail -n 20 "$mdir/progs.log" >&2
	progs_ok=0
fi

fails=0
rows=()
for cell in "${all_cells[@]}"; do
	read -r name arch env <<<"$cell"
	wanted "$name" "$arch" || continue
	c=$mdir/$name-$arch
	if [ $progs_ok = 1 ]; then
		msg "cell $name/$arch"
		t0=$SECONDS
		run_cell "$name" "$arch" "$env"
		wall=$((SECONDS - t0))
		read -r p f s <"$c/results"
		read -r tf tb tv <"$c/times"
		kver=$(cat "$c/kver" 2>/dev/null || echo '?')
	else
		p=0 f=1 s=0 tf=- tb=- tv=- wall=0 kver='?'
	fi
	[ "$f" = 0 ] || fails=$((fails + 1))
	rows+=("$(printf '%-8s %-8s %-34s %s' "$name" "$arch" \
		"$p passed, $f failed, $s skipped" \
		"${wall}s (fetch ${tf}s, build ${tb}s, guests ${tv}s) $kver")")
	[ ! -f "$c/notes" ] || while IFS= read -r l; do
		rows+=("$(printf '%-17s note: %s' '' "$l")")
	done <"$c/notes"
done

{
	printf '%-8s %-8s %-34s %s\n' kernel arch result "wall time"
	printf '%s\n' "${rows[@]}"
	echo "matrix: $((SECONDS - t_all)) s in all; $fails failing cell(s)"
} | tee "$mdir/table.txt"
[ "$fails" = 0 ]
