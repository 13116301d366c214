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
# Files are read in batches (one cat per batch: process starts are slow
# under TCG); files already measured add nothing, so batches repeat until
# the count is reached or the candidates run out.
ima_grow() {
	local want=$1 have skip=0 batch
	have=$(ima_count)
	find /usr/share /usr/lib -xdev -type f -size -64k 2>/dev/null >/tmp/ima_grow.list
	while [ "$have" -lt "$want" ]; do
		batch=$((want - have + 20))
		tail -n +$((skip + 1)) /tmp/ima_grow.list | head -n "$batch" >/tmp/ima_grow.batch
		[ -s /tmp/ima_grow.batch ] || break
		tr '\n' '\0' </tmp/ima_grow.batch | xargs -0 cat >/dev/null 2>&1
		skip=$((skip + batch))
		have=$(ima_count)
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
