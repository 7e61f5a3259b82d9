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
