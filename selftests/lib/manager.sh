#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The stand-in for Xen's vTPM manager (Documentation/manager.rst): the
# pTPM's locality-2 registers through tpm_mgr_tis.ko, and tpm-mgr on them.
# Source after tap.sh.

# manager_load [PARAMS...]: insmod tpm_mgr_tis.ko (/dev/tpm-mgr).
manager_load() {
	insmod "$TH_MODULES/tpm_mgr_tis.ko" "$@"
}

# manager_start LOG [tpm-mgr run OPTIONS...]: the manager's loop in the
# background until manager_stop; one line per command in LOG.  Keep LOG
# on /tmp (tmpfs, which IMA's policy does not measure): a measured file
# read while tpm-mgr writes it is an open-writers violation in the log.
manager_start() {
	local log=$1
	shift
	rm -f /tmp/manager.stop
	tpm-mgr run --stop /tmp/manager.stop "$@" >"$log" 2>"$log.err" &
	MANAGER_PID=$!
}

# manager_stop [LOG]: end the loop after its round (manager_start's, or
# boot-dom0 --manager's, whose LOG is /tmp/manager.log); fails if it does
# not end within 120 s or its last line counts an error.
manager_stop() {
	local pid=${MANAGER_PID:-$TH_MANAGER_PID}
	touch /tmp/manager.stop
	timeout 120 tail --pid="$pid" -f /dev/null || return 1
	[ -z "${1:-}" ] || { tail -n 1 "$1" | grep -q ' errors=0 '; return; }
	wait "$pid"
}

# manager_count LOG COMMAND [RESULT]: how many lines of LOG are COMMAND
# (with RESULT).
manager_count() {
	awk -v c="$2" -v r="${3:-}" '$4 == c && (r == "" || $5 == r)' "$1" | wc -l
}

# manager_wait LOG COMMAND N SECS: until LOG has N answered COMMANDs.
manager_wait() {
	local _
	for _ in $(seq $(($4 * 10))); do
		[ "$(manager_count "$1" "$2" ok)" -ge "$3" ] && return 0
		nap 0.1
	done
	return 1
}

# manager_one_command: exactly one TPM command through /dev/tpm-mgr, a raw
# TPM2_PCR_Read of PCR 10 in sha256 (tpm-mgr's ESYS may send more than the
# command asked for); fails unless the TPM answered success.
manager_one_command() {
	local rsp
	exec 3<>/dev/tpm-mgr || return 1
	# header (20 bytes, TPM2_CC_PCR_Read), one selection: sha256, PCR 10
	printf '\x80\x01\x00\x00\x00\x14\x00\x00\x01\x7e\x00\x00\x00\x01\x00\x0b\x03\x00\x04\x00' >&3
	rsp=$(dd bs=4096 count=1 <&3 2>/dev/null | od -An -tx1 | tr -d ' \n')
	exec 3>&-
	[ "${rsp:12:8}" = 00000000 ]
}

# ima_load_start DIR: read new files (new measurements) in DIR until
# ima_load_stop; the names read go to DIR.list.
ima_load_start() {
	local dir=$1
	mkdir -p "$dir"
	rm -f /tmp/ima-load.stop
	(
		n=0
		while [ ! -e /tmp/ima-load.stop ]; do
			f=$dir/f.$n
			echo "load $n $$ $RANDOM" >"$f"
			cat "$f" >/dev/null && echo "$f" >>"$dir.list"
			n=$((n + 1))
		done
	) &
	IMA_LOAD_PID=$!
}

ima_load_stop() {
	touch /tmp/ima-load.stop
	timeout 60 tail --pid="$IMA_LOAD_PID" -f /dev/null
}

# ima_load_missing DIR: how many of the files read are not in the log.
ima_load_missing() {
	awk '{ print $NF }' "$IMA_DIR/ascii_runtime_measurements" | sort -u >/tmp/measured
	sort -u "$1.list" | comm -23 - /tmp/measured | wc -l
}
