# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by the set-up scripts (sourced, not run).

# Guest kernel ABI version (e.g. 6.1.0-56), from the metapackage's
# dependency in the apt lists, else from the installed metapackage.
guest_kver() {
	local v
	v=$(apt-cache depends linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)-amd64$/\1/p' | head -n1)
	if [ -z "$v" ]; then
		v=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
			tr ',' '\n' |
			sed -n 's/^ *linux-headers-\(.*\)-amd64\( .*\)\?$/\1/p' |
			head -n1)
	fi
	echo "$v"
}
