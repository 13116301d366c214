#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# IMA helpers for scripts that run inside the measured dom0.
IMA_DIR=/sys/kernel/security/ima
TPM_BANKS="sha1 sha256 sha384 sha512"

ima_count() {
	cat "$IMA_DIR/runtime_measurements_count"
}

# ima_grow N: read files that IMA has not measured yet, as root, until the
# measurement list holds at least N entries.  Each file read is a real
# measurement on the ext4 rootfs (ima_policy=tcb measures root's reads).
ima_grow() {
	local want=$1 have
	have=$(ima_count)
	[ "$have" -ge "$want" ] && return 0
	find /usr/share /usr/lib -xdev -type f -size -64k 2>/dev/null |
		head -n $(( (want - have) * 2 + 100 )) |
		while read -r f; do
			cat -- "$f" >/dev/null 2>&1
			[ "$(ima_count)" -ge "$want" ] && break
		done
	[ "$(ima_count)" -ge "$want" ]
}

# pcrs_file CHIP BANK FILE: write PCRs 0-23 of tpmN's BANK in the
# "PCR-NN: HEX" form that evmctl --pcrs reads.
pcrs_file() {
	local i
	for i in $(seq 0 23); do
		printf 'PCR-%02d: %s\n' "$i" "$(cat "/sys/class/tpm/$1/pcr-$2/$i")"
	done >"$3"
}
