#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# IMA helpers for scripts that run inside the measured dom0.
IMA_DIR=/sys/kernel/security/ima
TPM_BANKS="sha1 sha256 sha384 sha512"

# Forks cost tens of milliseconds in a Xen PV dom0 under TCG (every page
# table update is a hypercall): the helpers read files with builtins.
ima_count() {
	local n
	read -r n <"$IMA_DIR/runtime_measurements_count"
	echo "$n"
}

# ima_grow N: read files that IMA has not measured yet, as root, until the
# measurement list holds at least N entries.  Each file read is a real
# measurement on the ext4 rootfs (ima_policy=tcb measures root's reads).
# The candidates are small files under /usr/share and /usr/lib, listed
# once per boot (testing/vm/mkrootfs leaves the list in the image as
# /etc/th-ima-candidates; else find makes it); how many were used is kept
# in /run, so later calls, by this script or the next one in the same
# boot, start with files not yet read.  Files are read in batches, one cat
# each: process starts are slow under TCG.
IMA_GROW_LIST=/run/th-ima-grow.list
IMA_GROW_USED=/run/th-ima-grow.used
ima_grow() {
	local want=$1 have used=0 batch files
	if [ ! -s "$IMA_GROW_LIST" ]; then
		if [ -s /etc/th-ima-candidates ]; then
			cp /etc/th-ima-candidates "$IMA_GROW_LIST"
		else
			find /usr/share /usr/lib -xdev -type f -size -64k \
				2>/dev/null >"$IMA_GROW_LIST"
		fi
	fi
	[ -s "$IMA_GROW_USED" ] && read -r used <"$IMA_GROW_USED"
	read -r have <"$IMA_DIR/runtime_measurements_count"
	while [ "$have" -lt "$want" ]; do
		batch=$((want - have + 20))
		mapfile -t -s "$used" -n "$batch" files <"$IMA_GROW_LIST"
		[ ${#files[@]} -gt 0 ] || break
		cat -- "${files[@]}" >/dev/null 2>&1
		used=$((used + ${#files[@]}))
		echo "$used" >"$IMA_GROW_USED"
		read -r have <"$IMA_DIR/runtime_measurements_count"
	done
	[ "$have" -ge "$want" ]
}

# pcrs_file CHIP BANK FILE: write PCRs 0-23 of tpmN's BANK in the
# "PCR-NN: HEX" form that evmctl --pcrs reads.
pcrs_file() {
	local i v
	for i in {0..23}; do
		read -r v <"/sys/class/tpm/$1/pcr-$2/$i" || return 1
		printf 'PCR-%02d: %s\n' "$i" "$v"
	done >"$3"
}

# ima_policy_critical_data: add to IMA's policy the rule that logs the
# module's records (Documentation/admin-guide.rst) and tcb's measurements.
ima_policy_critical_data() {
	printf '%s\n' \
		"measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf" \
		"measure func=BPRM_CHECK" \
		"measure func=FILE_MMAP mask=MAY_EXEC" \
		"measure func=FILE_CHECK mask=MAY_READ uid=0" >/tmp/policy &&
		cat /tmp/policy >"$IMA_DIR/policy"
}
