#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the guest kernel in QEMU (TCG by default), load a module, run test
# programs, unload, check dmesg, power off; then count the results on the
# host. Modules are only ever loaded inside the guest.
#
# Usage:
#   tools/vm/run.sh --guest-dir DIR --out OUTDIR [options] \
#       -- PROG [ARGS...] [--- PROG2 [ARGS...]] ...
#
#   --guest-dir DIR   output of scripts/guest-kernel.sh: build/guest/<kver>
#   --kver VER        guest uname -r (default: basename of --guest-dir)
#   --module KO       module to insmod before the programs (optional)
#   --module-args S   insmod parameters for KO, e.g. 'debug=1'
#   --out OUTDIR      work dir: initramfs, serial.log, results, timings
#   --arch A          guest architecture: x86_64 (default), arm64 or
#                     ppc64le; its QEMU, machine, console, kernel image
#                     and busybox (the guest dir's bin/busybox, see
#                     scripts/guest-kernel.sh GUEST_ARCH); the programs
#                     and the module must be built for it
#   --kvm-ref         also load irqbypass/ccp/kvm/kvm-amd, use -cpu EPYC;
#                     arm64: -M virt,virtualization=on,gic-version=3 (the
#                     guest kernel at EL2, KVM built in, vgic-v3 and ITS)
#                     and a check "kvm reference" that /dev/kvm is there;
#                     ppc64le: refused (no KVM-PR in Debian's kernel)
#   --kvm             use KVM instead of TCG (opt-in; needs /dev/kvm)
#   --cpu MODEL       override the QEMU CPU model
#   --tcg-threads M   'multi' (one host thread per vCPU) or 'single';
#                     default multi, single with --kvm-ref (see below)
#   --timeout SECS    whole-VM timeout (default 600)
#   --prog-timeout S  per-program timeout inside the guest (default 300)
#   --cpus N          vCPUs (default 2)       --mem M   MiB (default 1024)
#   --append STR      extra kernel cmdline (later words override earlier)
#   --file PATH       extra file copied to /bin/tests/ (repeatable)
#   --demo            terminal shows only the programs' output (live)
#   --quiet           terminal shows only the final summary
#
# Programs: host paths of static binaries (or #!/bin/sh scripts), copied
# to /bin/tests/ and run in order from /tmp; '---' separates programs.
# A PROG starting with '@' is a guest command, not copied: '@cat /proc/x'.
#
# Counting (OUTDIR/results, one line "PASSED FAILED SKIPPED"):
#   - each top-level TAP line of a program: "ok N" = pass, "not ok N" =
#     fail, any with "# SKIP" = skip (indented/nested lines are ignored);
#   - a program that prints no TAP line counts once by exit status
#     (0 = pass, 4 = KSFT_SKIP = skip, else fail); a program that exits
#     other than 0/4 (crash, timeout) without any "not ok" adds one fail;
#   - guest checks, one each when --module is given: "module load",
#     "module unload"; on a kernel with kmemleak (scripts/debug-kernel.sh):
#     "kmemleak clean" (nothing leaked since the module was loaded);
#     always: "dmesg clean" (no splat in dmesg).
#   So a module plus one passing and one skipped test gives "4 0 1".
#   A missing "VIRQ-RESULT:" marker (timeout, panic) adds one fail.
# Exit status: 0 all passed, 1 failures or no marker, 2 usage error.
set -euo pipefail

die() { echo "run.sh: $*" >&2; exit 2; }
usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

kver='' guest='' module='' modargs='' out='' kvmref=0 kvm=0 cpu='' tcg=''
arch=x86_64
vm_timeout=600 prog_timeout=300 cpus=2 mem=1024 append='' display=all
files=()
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--guest-dir) guest=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--module-args) modargs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--arch) arch=$2; shift 2 ;;
	--kvm-ref) kvmref=1; shift ;;
	--kvm) kvm=1; shift ;;
	--cpu) cpu=$2; shift 2 ;;
	--tcg-threads) tcg=$2; shift 2 ;;
	--timeout) vm_timeout=$2; shift 2 ;;
	--prog-timeout) prog_timeout=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--file) files+=("$2"); shift 2 ;;
	--demo) display=demo; shift ;;
	--quiet) display=quiet; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
if [ -z "$guest" ] || [ -z "$out" ]; then usage; fi
case $tcg in ''|single|multi) ;; *) die "--tcg-threads: single or multi" ;; esac
guest=$(cd "$guest" && pwd)
[ -n "$kver" ] || kver=$(basename "$guest")
# Per architecture: QEMU, kernel image, console, busybox, ELF machine.
case $arch in
x86_64)
	qemu_bin=qemu-system-x86_64 vmlinuz=$guest/boot/vmlinuz-$kver
	tty=ttyS0 busybox=/bin/busybox elf_machine='X86-64' ;;
arm64)
	# Debian's arm64 vmlinuz is an uncompressed Image.
	qemu_bin=qemu-system-aarch64 vmlinuz=$guest/boot/vmlinuz-$kver
	tty=ttyAMA0 busybox=$guest/bin/busybox elf_machine='AArch64' ;;
ppc64le)
	qemu_bin=qemu-system-ppc64 vmlinuz=$guest/boot/vmlinux-$kver
	tty=hvc0 busybox=$guest/bin/busybox elf_machine='PowerPC64'
	[ "$kvmref" = 0 ] || die "--kvm-ref: no KVM reference on ppc64le" \
		"(Debian's kernel has no KVM-PR; KVM-HV needs -M powernv)" ;;
*) die "--arch: x86_64, arm64 or ppc64le" ;;
esac
[ "$arch" = x86_64 ] || [ "$kvm" = 0 ] || die "--kvm: x86_64 guests only"
[ -f "$vmlinuz" ] || die "no $vmlinuz (run scripts/guest-kernel.sh)"
[ -z "$module" ] || [ -f "$module" ] || die "no module $module"
command -v $qemu_bin >/dev/null || die "$qemu_bin missing (scripts/deps.sh)"
[ -x "$busybox" ] || die "$busybox missing (busybox-static)"
# The applet list comes from the host's busybox (it cannot run another
# architecture's): the guest's must be the same Debian version.
if [ "$arch" != x86_64 ]; then
	[ -x /bin/busybox ] || die "/bin/busybox missing (busybox-static)"
	bb_host=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null ||
		true)
	bb_guest=$(cat "$guest/.busybox" 2>/dev/null || true)
	[ "$bb_host" = "$bb_guest" ] || echo "run.sh: warning: guest busybox" \
		"'$bb_guest' != host '$bb_host': applet list may differ" >&2
fi

# Quote one word for the guest's sh.
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$out/initramfs.d
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,bin/tests,lib/modules}
cp "$busybox" "$root/bin/busybox"
/bin/busybox --list-full | while read -r a; do
	case $a in bin/busybox|*/init|linuxrc|init) continue ;; esac
	ln -sf /bin/busybox "$root/$a"
done
# The kernel's built-in initramfs has /dev/console; this is belt and braces.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

# Copy a host file into /bin/tests/, refusing name clashes and dynamic ELF.
add_test_file() {
	local src=$1 dst m
	dst=$root/bin/tests/$(basename "$src")
	[ -f "$src" ] || die "no such file: $src"
	if [ -e "$dst" ]; then
		cmp -s "$src" "$dst" || die "two different files named $(basename "$src")"
		return 0
	fi
	if readelf -l "$src" 2>/dev/null | grep -q 'program interpreter'; then
		die "$src is dynamically linked; the guest has no libc (use -static)"
	fi
	m=$(readelf -h "$src" 2>/dev/null | sed -n 's/^ *Machine: *//p') || m=""	# a script
	[ -z "$m" ] || [[ $m == *"$elf_machine"* ]] ||
		die "$src is built for $m, not for the $arch guest"
	cp "$src" "$dst"
	chmod +x "$dst"
}
for f in "${files[@]}"; do add_test_file "$f"; done

# Split the program list on '---' into guest command lines.
progs=() names=()
cur=()
flush_prog() {
	local cmd='' a first=${cur[0]}
	if [ "${first:0:1}" = @ ]; then
		cur[0]=${first:1}
	else
		add_test_file "$first"
		cur[0]=/bin/tests/$(basename "$first")
	fi
	for a in "${cur[@]}"; do cmd+=" $(q "$a")"; done
	progs+=("$cmd")
	names+=("$(basename "${cur[0]}")")
	cur=()
}
for a in "$@"; do
	if [ "$a" = --- ]; then
		[ "${#cur[@]}" -gt 0 ] && flush_prog
	else
		cur+=("$a")
	fi
done
[ "${#cur[@]}" -gt 0 ] && flush_prog

# KVM reference modules, in dependency order (deps before dependents).
kvm_mods=()
if [ "$kvmref" = 1 ]; then
	mdir=lib/modules/$kver
	dep=$guest/$mdir/modules.dep
	[ -f "$dep" ] || die "no $dep (run scripts/guest-kernel.sh)"
	declare -A done_mod=()
	add_mod() {	# $1 = path relative to lib/modules/<kver>
		local d
		[ -n "${done_mod[$1]:-}" ] && return 0
		done_mod[$1]=1
		# shellcheck disable=SC2013 # one line, space-separated words
		for d in $(sed -n "s|^$1: *||p" "$dep"); do add_mod "$d"; done
		kvm_mods+=("$1")
	}
	while IFS=: read -r m _; do add_mod "$m"; done <"$dep"
	mkdir -p "$root/$mdir"
	cp -r "$guest/$mdir/." "$root/$mdir/"
fi

modname=
if [ -n "$module" ]; then
	cp "$module" "$root/lib/modules/"
	modname=$(modinfo -F name "$module" 2>/dev/null || true)
	[ -n "$modname" ] || modname=$(basename "$module" .ko)
	modname=${modname//-/_}
	vm=$(modinfo -F vermagic "$module" 2>/dev/null || true)
	[ "${vm%% *}" = "$kver" ] ||
		echo "run.sh: warning: $module vermagic '${vm%% *}' != guest $kver" >&2
fi

# dmesg lines that mean the run is broken; the SRSO mitigation line under
# -cpu EPYC ("... WARNING: See https://...") is not one of them.
splat='BUG:|BUG [a-z]|WARNING:|Oops|KASAN|UBSAN|possible circular locking'
splat+='|inconsistent lock state|kmemleak: [0-9]+ new suspected'
splat+='|unreferenced object'
splat+='|general protection|list_add corruption|list_del corruption'
splat+='|Redzone|Poison overwritten|Object already free|Freepointer'
splat+='|refcount_t:|Call Trace:|soft lockup|hung_task|blocked for more than'
splat+='|rcu.*stall|Kernel panic|double fault|stack-protector'
splat_ok='WARNING: See https?://'

init=$root/init
# shellcheck disable=SC2016 # single-quoted lines are guest shell code
{
	cat <<EOF
#!/bin/sh
# Generated by tools/vm/run.sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp VIRQ_GUEST=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/shm /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t devpts devpts /dev/pts
echo "VIRQ-INIT: uptime=\$(cut -d' ' -f1 /proc/uptime) kernel=\$(uname -r) cpus=\$(grep -c ^processor /proc/cpuinfo)"
fails=0
check() {	# check RC NAME
	if [ "\$1" = 0 ]; then echo "VIRQ-CHECK: ok \$2"
	else echo "VIRQ-CHECK: not ok \$2"; fails=\$((fails + 1)); fi
}
run_prog() {	# run_prog IDX NAME CMD...
	idx=\$1 name=\$2; shift 2
	echo "VIRQ-PROG-BEGIN: \$idx \$name"
	(cd /tmp && timeout -k 5 $prog_timeout "\$@")
	rc=\$?
	# Leading newline: the program's last line may lack one.
	echo; echo "VIRQ-PROG-END: \$idx \$name rc=\$rc"
	[ \$rc = 0 ] || [ \$rc = 4 ] || fails=\$((fails + 1))
}
loaded=1
EOF
	if [ "$kvmref" = 1 ]; then
		for m in "${kvm_mods[@]}"; do
			echo "insmod $(q "/lib/modules/$kver/$m") || echo \"VIRQ: warning: insmod $m failed\""
		done
		if [ "$arch" = x86_64 ]; then
			echo 'ls -l /dev/kvm || echo "VIRQ: warning: no /dev/kvm"'
		else
			# KVM is built in: it is there at EL2, or not at all.
			cat <<'EOF'
if [ -c /dev/kvm ]; then
	ls -l /dev/kvm
	check 0 "kvm reference (/dev/kvm)"
else
	echo "VIRQ: warning: no /dev/kvm"
	check 1 "kvm reference (/dev/kvm)"
fi
dmesg | grep -E 'kvm \[[0-9]+\]' | sed 's/^/VIRQ-KVM: /'
EOF
		fi
	fi
	# A kernel with kmemleak (the debug kernel): forget what boot left,
	# so that the scan after rmmod reports what the programs leaked.
	echo 'kml=/sys/kernel/debug/kmemleak'
	echo '[ ! -w $kml ] || echo clear > $kml'
	if [ -n "$module" ]; then
		echo "if insmod $(q "/lib/modules/$(basename "$module")") $modargs; then"
		echo '	check 0 "module load"'
		echo 'else'
		echo '	check 1 "module load"; loaded=0'
		echo '	echo "VIRQ: module load failed, programs not run"'
		echo 'fi'
	fi
	echo 'if [ $loaded = 1 ]; then'
	echo ':'
	for i in "${!progs[@]}"; do
		echo "run_prog $((i + 1)) $(q "${names[$i]}")${progs[$i]}"
	done
	echo 'fi'
	if [ -n "$module" ]; then
		echo 'if [ $loaded = 1 ]; then'
		echo "	rmmod $(q "$modname"); check \$? \"module unload\""
		echo 'fi'
	fi
	# kmemleak reports objects at least 5 s old, found by two scans
	cat <<'EOF'
if [ -w $kml ]; then
	echo scan > $kml; sleep 6; echo scan > $kml
	if grep -q 'unreferenced object' $kml; then
		sed 's/^/VIRQ-KMEMLEAK: /' $kml | head -n 100
		check 1 "kmemleak clean"
	else
		check 0 "kmemleak clean"
	fi
fi
EOF
	cat <<EOF
bad=\$(dmesg | grep -E $(q "$splat") | grep -vE $(q "$splat_ok"))
if [ -n "\$bad" ]; then
	echo "\$bad" | sed 's/^/VIRQ-DMESG: /'
	echo "VIRQ-DMESG-BEGIN"; dmesg; echo "VIRQ-DMESG-END"
	check 1 "dmesg clean"
else
	check 0 "dmesg clean"
fi
echo "VIRQ-RESULT: rc=\$fails"
sync
poweroff -f
echo o > /proc/sysrq-trigger
EOF
} >"$init"
chmod +x "$init"

initrd=$out/initramfs.cpio.gz
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) |
	gzip -1 >"$initrd"

cmdline="console=$tty panic=-1 panic_on_warn=1 slub_debug=FZPU oops=panic"
cmdline+=" quiet loglevel=4 rdinit=/init $append"
if [ "$kvm" = 1 ]; then
	accel=(-accel kvm)
	[ -n "$cpu" ] || cpu=host
else
	# Nested SVM under multi-threaded TCG (QEMU 7.2, Debian 12) leaves
	# the guest kernel in an endless interrupt storm once in a few runs
	# of KVM vCPUs (kvm_diff_test: 1 hang in 4 runs; 0 in 32 with one
	# TCG thread, which is also faster for these short vCPU runs).
	if [ -z "$tcg" ]; then
		if [ "$kvmref" = 1 ]; then tcg=single; else tcg=multi; fi
	fi
	accel=(-accel "tcg,thread=$tcg")
fi
if [ -z "$cpu" ]; then
	case $arch in
	x86_64) if [ "$kvmref" = 1 ]; then cpu=EPYC; else cpu=max; fi ;;
	# QEMU's own pointer-authentication hash, not QARMA5: Debian's
	# kernel signs every return address, and QARMA under TCG makes the
	# guest 3-4 times slower (boot 16 s -> 5 s here).
	arm64) cpu=max,pauth-impdef=on ;;
	ppc64le) cpu=power9 ;;
	esac
fi
case $arch in
x86_64) machine=pc ;;
arm64)
	machine=virt
	[ "$kvmref" = 0 ] || machine=virt,virtualization=on,gic-version=3 ;;
ppc64le)
	# The Spectre/Meltdown capabilities TCG cannot provide, off (else
	# QEMU warns of each at every boot).
	machine=pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken
	machine+=,cap-ccf-assist=off ;;
esac
qemu=("$qemu_bin" -M "$machine" -nodefaults -no-user-config "${accel[@]}"
	-cpu "$cpu" -smp "$cpus" -m "$mem" -display none -monitor none
	-serial stdio -no-reboot -kernel "$vmlinuz" -initrd "$initrd"
	-append "$cmdline")
printf '%q ' "${qemu[@]}" >"$out/qemu.cmd"
echo >>"$out/qemu.cmd"

log=$out/serial.log
: >"$log"
rm -f "$out/.boot_ts"

# Tee the serial console: CRs stripped, everything into the log, the
# terminal gets all of it, the programs' output only, or nothing.
console() {
	local line inprog=0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line//$'\r'/}
		printf '%s\n' "$line" >>"$log"
		case $line in
		*VIRQ-INIT:*) [ -f "$out/.boot_ts" ] || echo "$EPOCHREALTIME" >"$out/.boot_ts" ;;
		esac
		case $line in
		*"TCG doesn't support requested feature"*) continue ;;
		esac
		case $display in
		all) printf '%s\n' "$line" ;;
		demo)
			case $line in
			*VIRQ-PROG-BEGIN:*) inprog=1 ;;
			*VIRQ-PROG-END:*) inprog=0 ;;
			"VIRQ-CHECK: not ok"*|VIRQ-DMESG:*|*"Kernel panic"*)
				printf '%s\n' "$line" ;;
			*) [ "$inprog" = 0 ] || printf '%s\n' "$line" ;;
			esac ;;
		esac
	done
}

an=''
[ "$arch" = x86_64 ] || an="$arch, "
echo "run.sh: booting $kver (${an}cpu $cpu, ${accel[1]}, ${#progs[@]} program(s)); log: $log" >&2
t0=$EPOCHREALTIME
set +e
timeout --foreground -k 10 "$vm_timeout" "${qemu[@]}" </dev/null 2>&1 | console
qrc=${PIPESTATUS[0]}
set -e
t1=$EPOCHREALTIME

# Results from the serial log.
read -r passed failed skipped < <(awk '
	/VIRQ-PROG-BEGIN: / { inprog = 1; np = nf = ns = 0; next }
	/VIRQ-PROG-END: / {
		rc = $0; sub(/.*rc=/, "", rc); rc += 0
		if (np + nf + ns == 0) {
			if (rc == 0) pass++; else if (rc == 4) skip++; else fail++
		} else if (rc != 0 && rc != 4 && nf == 0) fail++
		inprog = 0; next
	}
	inprog && /^(not )?ok [0-9]+/ {
		if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) { ns++; skip++ }
		else if ($0 ~ /^not ok/) { nf++; fail++ }
		else { np++; pass++ }
		next
	}
	/^VIRQ-CHECK: ok / { pass++ }
	/^VIRQ-CHECK: not ok / { fail++ }
	END { print pass + 0, fail + 0, skip + 0 }
' "$log")

why=
if ! grep -q '^VIRQ-RESULT: rc=' "$log"; then
	failed=$((failed + 1))
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		why="timeout: no result after ${vm_timeout}s"
	elif grep -q 'Kernel panic' "$log"; then
		why="guest crashed: $(grep -m1 'Kernel panic' "$log")"
	elif ! grep -q 'VIRQ-INIT:' "$log"; then
		why="guest did not reach /init (qemu rc=$qrc)"
	else
		why="guest died without result marker (qemu rc=$qrc)"
	fi
fi
echo "$passed $failed $skipped" >"$out/results"

wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1fs", b - a }')
boot=n/a
[ -f "$out/.boot_ts" ] &&
	boot=$(awk -v a="$t0" -v b="$(cat "$out/.boot_ts")" 'BEGIN { printf "%.1fs", b - a }')
echo "boot=$boot wall=$wall qemu_rc=$qrc" >"$out/timings"

# Say what failed.
awk '
	/VIRQ-PROG-BEGIN: / { prog = $0; sub(/.*VIRQ-PROG-BEGIN: /, "", prog); next }
	/VIRQ-PROG-END: / && !/ rc=[04]$/ { sub(/.*VIRQ-PROG-END: /, ""); print "program " $0 " (abnormal exit)" }
	/^not ok [0-9]+/ { print "[" prog "] " $0 }
	/^VIRQ-CHECK: not ok |^VIRQ-DMESG: / { print }
' "$log" | sed 's/^/run.sh: /' >&2
if [ -n "$why" ]; then
	if [ "$display" != all ]; then
		echo "run.sh: last lines of $log:" >&2
		tail -n 40 "$log" >&2
	fi
	echo "run.sh: FAIL: $why" >&2
fi
echo "run.sh: $passed passed, $failed failed, $skipped skipped" \
	"(boot $boot, wall $wall) -> $out/results" >&2
[ "$failed" = 0 ]
