# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by the set-up scripts (sourced, not run).

# Kernel ABI version (e.g. 6.1.0-56, 6.12.117+deb12) that a headers
# metapackage points at, from its dependency in the apt lists, else from
# the installed metapackage.  META defaults to linux-headers-amd64 (the
# guest kernel of `make check`); linux-headers-6.12-amd64 gives the
# newest 6.12 of bookworm-security.
guest_kver() {
	local v meta=${1:-linux-headers-amd64}
	v=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)-amd64$/\1/p' | head -n1)
	if [ -z "$v" ]; then
		v=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null |
			tr ',' '\n' |
			sed -n 's/^ *linux-headers-\(.*\)-amd64\( .*\)\?$/\1/p' |
			head -n1)
	fi
	echo "$v"
}

# guest_arch DEBARCH: the names one guest architecture goes by, into the
# caller's variables: ga_flavour (Debian's kernel flavour), ga_karch (the
# kernel's ARCH), ga_cross (CROSS_COMPILE), ga_run (tools/vm/run.sh
# --arch) and ga_pkgs (the host packages that build and boot for it:
# cross compiler, static libc, QEMU).  DEBARCH: amd64, arm64, ppc64el.
# Returns 1 for any other.
# shellcheck disable=SC2034 # the ga_* variables are the caller's
guest_arch() {
	case $1 in
	amd64)
		ga_flavour=amd64 ga_karch=x86 ga_cross='' ga_run=x86_64
		ga_pkgs=() ;;
	arm64)
		ga_flavour=arm64 ga_karch=arm64 ga_cross=aarch64-linux-gnu-
		ga_run=arm64
		ga_pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross
			qemu-system-arm) ;;
	ppc64el)
		ga_flavour=powerpc64le ga_karch=powerpc
		ga_cross=powerpc64le-linux-gnu- ga_run=ppc64le
		ga_pkgs=(gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
			qemu-system-ppc) ;;
	*) return 1 ;;
	esac
}

# linux-source-X.Y: from the linux-source metapackage, else from the
# upstream version of the guest kernel headers (6.1.0-56 -> 6.1).
src_pkg() {
	local p v
	p=$(apt-cache depends linux-source 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-source-[0-9.]*\)$/\1/p' | head -n1)
	if [ -z "$p" ]; then
		v=$(apt-cache depends linux-headers-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-headers-\([0-9]*\.[0-9]*\)\..*$/\1/p' |
			head -n1)
		[ -n "$v" ] || v=$(dpkg-query -W -f='${Version}' linux-headers-amd64 \
			2>/dev/null | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
		[ -n "$v" ] && p=linux-source-$v
	fi
	echo "$p"
}

# stage NAME CMD...: run CMD, its output in $logs/NAME.log; one pass or
# one fail in $results/NAME ("PASSED FAILED SKIPPED"), the log's tail on
# failure.  Returns CMD's status.
# shellcheck disable=SC2154 # $logs and $results are the caller's
stage() {
	local name=$1 t0=$SECONDS
	shift
	if "$@" >"$logs/$name.log" 2>&1; then
		echo "ok - $name ($((SECONDS - t0)) s)"
		echo "1 0 0" >"$results/$name"
	else
		echo "not ok - $name ($((SECONDS - t0)) s): last lines of $logs/$name.log"
		tail -n 40 "$logs/$name.log" | sed 's/^/#   /'
		echo "0 1 0" >"$results/$name"
		return 1
	fi
}

# The selftests that compare with or drive KVM: they need a guest booted
# with --kvm-ref (its own /dev/kvm).
KVM_PROGS="kvm_diff_test vmm_test gicv3_kvm_diff_test"

# split_progs DIR: the test programs in DIR, as run.sh's "---"-separated
# program lists, into the caller's arrays plain (the rest) and kvm
# (KVM_PROGS).
split_progs() {
	local t
	for t in "$1"/*_test; do
		[ -x "$t" ] || continue
		if [[ " $KVM_PROGS " == *" $(basename "$t") "* ]]; then
			[ ${#kvm[@]} -eq 0 ] || kvm+=(---)
			kvm+=("$t")
		else
			[ ${#plain[@]} -eq 0 ] || plain+=(---)
			plain+=("$t")
		fi
	done
}
