#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers for in-VM tests of the dom0 vTPM (xen_tpmfront_ext + vtpmd).
# shellcheck source=nap.sh
. "$(dirname "${BASH_SOURCE[0]}")/nap.sh"
VTPMD_PID_FILE=/run/vtpmd.pid

# chip_ready CHIP: CHIP's device nodes exist.  The class link appears
# before /dev/tpmN, and a TPM 2.0 chip's tpmrmN is a second device added
# after that: a chip seen in sysfs is not yet usable.
chip_ready() {
	local major=
	[ -c "/dev/$1" ] || return 1
	read -r major <"/sys/class/tpm/$1/tpm_version_major" 2>/dev/null
	[ "$major" = 2 ] || return 0
	[ -c "/dev/tpmrm${1#tpm}" ]
}

# vtpm_chip [--any]: print the tpmN registered by xen_tpmfront_ext, if
# any and usable (with --any: registered at all, usable or not).  The
# driver is compared by identity (test -ef), without a readlink process:
# this runs every 0.1 s while a script waits for a chip.
VTPM_DRIVER=/sys/bus/xen/drivers/xen_tpmfront_ext
vtpm_chip() {
	local c
	for c in /sys/class/tpm/tpm*; do
		[ "$c/device/driver" -ef "$VTPM_DRIVER" ] &&
			{ [ "${1:-}" = --any ] || chip_ready "${c##*/}"; } &&
			{ echo "${c##*/}"; return 0; }
	done
	return 1
}

# vtpm_gone: no vTPM chip is registered.
vtpm_gone() { ! vtpm_chip --any >/dev/null; }

# vtpm_wait_chip SECS: wait for a vTPM chip; print it.
vtpm_wait_chip() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		vtpm_chip && return 0
		nap 0.1
	done
	return 1
}

# vtpm_wait_gone SECS: wait until no vTPM chip is registered.
vtpm_wait_gone() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		vtpm_chip --any >/dev/null || return 0
		nap 0.1
	done
	return 1
}

# vtpm_stop: stop vtpmd cleanly and wait for its chip to go.
vtpm_stop() {
	local pid
	pid=$(cat "$VTPMD_PID_FILE" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do nap 0.1; done
	rm -f "$VTPMD_PID_FILE"
	vtpm_wait_gone 10
}

# vtpm_start [VTPMD ARGS...]: start vtpmd for dom0 (state in $VTPM_STATE_DIR,
# default /run/vtpm/dom0; its output to $VTPMD_LOG, default
# $RESULTS/vtpmd.log); print the new chip.
vtpm_start() {
	mkdir -p /run/vtpm
	vtpmd --domid 0 --state "${VTPM_STATE_DIR:-/run/vtpm/dom0}" "$@" >>"${VTPMD_LOG:-$RESULTS/vtpmd.log}" 2>&1 &
	echo $! >"$VTPMD_PID_FILE"
	vtpm_wait_chip 60
}

# chip_id CHIP: an identity that changes when a chip of the same name is
# registered again (the kernfs inode of its sysfs directory).
chip_id() { stat -L -c %i "/sys/class/tpm/$1" 2>/dev/null; }

# vtpm_restart [VTPMD ARGS...]: kill vtpmd (SIGKILL) if it runs, start a
# new one and wait for its chip (not the old one); print the chip.  The new
# vTPM has powered on: its PCRs are in their reset state.
vtpm_restart() {
	local old oldid c i pid id
	old=$(vtpm_chip --any) && oldid=$(chip_id "$old")
	pid=$(cat "$VTPMD_PID_FILE" 2>/dev/null) && kill -9 "$pid" 2>/dev/null
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do nap 0.1; done
	mkdir -p /run/vtpm
	vtpmd --domid 0 --state "${VTPM_STATE_DIR:-/run/vtpm/dom0}" "$@" >>"${VTPMD_LOG:-$RESULTS/vtpmd.log}" 2>&1 &
	echo $! >"$VTPMD_PID_FILE"
	# A chip that goes away between vtpm_chip and chip_id has no identity
	# (empty): that is the old one leaving, not a new one.
	for ((i = 0; i < 600; i++)); do
		c=$(vtpm_chip) && id=$(chip_id "$c") && [ -n "$id" ] &&
			[ "$id" != "${oldid:-none}" ] && chip_ready "$c" && {
			echo "$c"
			return 0
		}
		nap 0.1
	done
	return 1
}

# vtpm_reset: the dom0 vTPM as a boot leaves it, for scripts that share a
# boot (a boot group of testing/suites): an uncommitted tpm_handoff
# unloaded, the stock xen_tpmfront unloaded and xen_tpmfront_ext loaded,
# a new vtpmd with an empty TPM 2.0 state and its chip in $TH_VTPM_DEV.
vtpm_reset() {
	local pid c
	pid=$(cat "$VTPMD_PID_FILE" 2>/dev/null) && kill -9 "$pid" 2>/dev/null
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do nap 0.1; done
	[ "$(cat /sys/kernel/tpm_handoff/state 2>/dev/null)" = committed ] || rmmod tpm_handoff 2>/dev/null
	if grep -q '^xen_tpmfront ' /proc/modules; then
		rmmod xen_tpmfront || return 1
	fi
	if ! grep -q '^xen_tpmfront_ext ' /proc/modules; then
		insmod "$TH_MODULES/xen_tpmfront_ext.ko" || return 1
	fi
	rm -rf "${VTPM_STATE_DIR:-/run/vtpm/dom0}"
	c=$(vtpm_restart) || { echo "vtpm_reset: no vTPM chip came back"; return 1; }
	export TH_VTPM_DEV=$c
	echo "vtpm_reset: $c"
}

# tpm2 DEV ARGS...: run a tpm2-tools command on /dev/DEV.
tpm2() {
	local dev=$1 cmd=$2
	shift 2
	TPM2TOOLS_TCTI="device:/dev/$dev" "tpm2_$cmd" "$@"
}

# dmesg_mark / dmesg_since MARK: the kernel log after a point.
dmesg_mark() { dmesg | wc -l; }
dmesg_since() { dmesg | tail -n +$(($1 + 1)); }

# kernel_log_clean MARK: no oops, warning, BUG, lockdep, KASAN/UBSAN report
# or hung task in the kernel log since MARK.
kernel_log_clean() {
	! dmesg_since "$1" | grep -E 'WARNING:|BUG:|Oops|general protection|INFO: task .* blocked|UBSAN:|KASAN:|possible circular locking|kmemleak:' >&2
}
