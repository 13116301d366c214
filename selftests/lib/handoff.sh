#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers for in-VM tests of tpm_handoff.ko.  Source after tap.sh, ima.sh
# and vtpm.sh.
TH_SYSFS=/sys/kernel/tpm_handoff

# handoff_load [PARAMS...]: insmod tpm_handoff.ko.  With boot-dom0
# --manager it is in already (loaded before the manager started), with
# its defaults: PARAMS are refused then.
handoff_load() {
	if [ "${TH_MANAGER:-}" = 1 ]; then
		[ $# = 0 ] && [ -d /sys/module/tpm_handoff ]
		return
	fi
	insmod "$TH_MODULES/tpm_handoff.ko" "$@"
}

# handoff_trigger [VALUE]: write VALUE (default 1) to trigger in a single
# write() (dd; a shell's printf may split it at newlines); print "ok" or
# the errno name the write failed with.
handoff_trigger() {
	local v=${1-1} in=/tmp/th-trigger.$BASHPID err
	printf '%s' "$v" >"$in"
	if err=$(dd if="$in" of="$TH_SYSFS/trigger" bs=65536 count=1 conv=notrunc 2>&1); then
		echo ok
		return
	fi
	case "$err" in
	*"Invalid argument"*) echo EINVAL ;;
	*"Device or resource busy"*) echo EBUSY ;;
	*"Operation already in progress"*) echo EALREADY ;;
	*"No such device"*) echo ENODEV ;;
	*"Permission denied"*) echo EACCES ;;
	*"Operation not permitted"*) echo EPERM ;;
	*"Connection timed out"*) echo ETIMEDOUT ;;
	*"Input/output error"*) echo EIO ;;
	*"Timer expired"*) echo ETIME ;;
	*"Operation not supported"*) echo EOPNOTSUPP ;;
	*"Operation canceled"*) echo ECANCELED ;;
	*"No such file or directory"*) echo ENOENT ;;
	*) echo "other: $err" ;;
	esac
}

handoff_state() { cat "$TH_SYSFS/state"; }
handoff_error() { cat "$TH_SYSFS/error"; }

# handoff_record_get KEY: one value from the record.
handoff_record_get() {
	sed -n "s/^$1: //p" "$TH_SYSFS/record"
}

# pcr_values CHIP PCR: "pcrP.<bank>: hex" for every bank of tpmN, read
# through the chip's sysfs PCR files.
pcr_values() {
	local chip=$1 pcr=$2 d v
	for d in /sys/class/tpm/"$chip"/pcr-*; do
		read -r v <"$d/$pcr" || return 1
		echo "pcr$pcr.${d##*/pcr-}: ${v,,}"
	done
}

# ima_quiet_snapshot CHIP DIR: copy the IMA log and read PCR 10 of CHIP in
# every bank with nothing measured in between (retries until the count
# held still).  Writes DIR/ima.log, DIR/pcr10 and DIR/count.
ima_quiet_snapshot() {
	local chip=$1 dir=$2 n i
	mkdir -p "$dir"
	for i in 1 2 3 4 5; do
		pcr_values "$chip" 10 >"$dir/pcr10"	# warm: measure the tools
		n=$(ima_count)
		cat "$IMA_DIR/binary_runtime_measurements" >"$dir/ima.log"
		pcr_values "$chip" 10 >"$dir/pcr10"
		if [ "$(ima_count)" = "$n" ]; then
			echo "$n" >"$dir/count"
			return 0
		fi
	done
	return 1
}

# evmctl_check LOG PCRFILE N: evmctl validates the whole LOG (N entries)
# against PCR 10 of PCRFILE ("pcr10.<bank>: hex") in sha1 and sha256.
evmctl_check() {
	local log=$1 pcrs=$2 n=$3 b v line i args=()
	# evmctl wants all 24 PCRs in the file; only PCR 10 is checked.
	# Plain evmctl passes when any prefix of the log matches: -v and its
	# "succeed at entry N" are what show that the whole log does.
	for b in sha1 sha256; do
		v=
		while read -r line; do
			[[ $line == "pcr10.$b: "* ]] && v=${line#*: }
		done <"$pcrs"
		[ -n "$v" ] || return 1
		for i in {0..23}; do
			if [ "$i" = 10 ]; then
				printf 'PCR-10: %s\n' "$v"
			else
				printf 'PCR-%02d: %s\n' "$i" "${v//?/0}"
			fi
		done >"/tmp/evm.$b"
		args+=(--pcrs "$b,/tmp/evm.$b")
	done
	evmctl -v ima_measurement "${args[@]}" "$log" >/tmp/evmctl.out 2>&1
	grep -q -e "^sha1 PCR-10: succeed at entry $n\$" /tmp/evmctl.out &&
		grep -q -e "^sha256 PCR-10: succeed at entry $n\$" /tmp/evmctl.out
}

# ptpm_validates DIR WHAT: the whole IMA log validates against tpm0's
# PCR 10 (evmctl in sha1/sha256, ima-replay in every bank); two tap results.
ptpm_validates() {
	local dir=$1 what=$2 n
	ima_quiet_snapshot tpm0 "$dir" || { tap_diag "the IMA log never held still"; }
	read -r n <"$dir/count"
	tap_ok "$what: evmctl validates the whole log ($n entries) against tpm0's PCR 10" \
		evmctl_check "$dir/ima.log" "$dir/pcr10" "$n"
	ima-replay --expect "$dir/pcr10" --pcr 10 --entries "$n" "$dir/ima.log" >"$dir/replay.out" 2>&1
	tap_is "$?" 0 "$what: ima-replay validates it in every bank"
}

# ptpm_marker: send one raw TPM2_PCR_Extend of PCR 16 (sha256, digest
# 0x16 x 32) to /dev/tpm0.  Nothing else extends PCR 16, so it marks a
# point in the pTPM's swtpm trace ("PCR_Extend ... pcr=16").  Fails unless
# the TPM answered success.
ptpm_marker() {
	local rsp
	{
		printf '\x80\x02\x00\x00\x00\x41\x00\x00\x01\x82'	# header, 65 bytes
		printf '\x00\x00\x00\x10'				# PCR 16
		printf '\x00\x00\x00\x09\x40\x00\x00\x09\x00\x00\x00\x00\x00'	# password
		printf '\x00\x00\x00\x01\x00\x0b'			# one sha256 digest
		head -c 32 /dev/zero | tr '\0' '\026'
	} >/tmp/marker.cmd
	exec 3<>/dev/tpm0 || return 1
	cat /tmp/marker.cmd >&3
	rsp=$(dd bs=4096 count=1 <&3 2>/dev/null | od -An -tx1 | tr -d ' \n')
	exec 3>&-
	[ "${rsp:12:8}" = 00000000 ]
}
