#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A backend that misbehaves (vtpmd --fault, armed by SIGUSR1 for one
# command) gives the client an error, the frontend a log line where the
# page itself is malformed, and crashes neither side; the next command
# works.  A backend that stalls or dies gives errors within the timeouts,
# and a restarted one works.  A backend slow on its first commands (it
# creates its state; the core gives SelfTest 2 s) still gets its chip.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/vtpm.sh"

tap_plan 25
mark=$(dmesg_mark)

# one_shot FAULT LOGPATTERN: a single malformed response.
one_shot() {
	local fault=$1 pat=$2 chip dev m r pid
	vtpm_stop
	chip=$(vtpm_start --fault "$fault") || { tap_result 1 "$fault: vtpmd starts"; return; }
	dev=tpmrm${chip#tpm}
	pid=$(cat "$VTPMD_PID_FILE")
	m=$(dmesg_mark)
	kill -USR1 "$pid"
	timeout 60 env TPM2TOOLS_TCTI="device:/dev/$dev" tpm2_getrandom --hex 8 >/dev/null 2>&1
	tap_ok "$fault: the client gets an error" test $? != 0 -a $? != 124
	if [ -n "$pat" ]; then
		tap_ok "$fault: the frontend logs it" sh -c "dmesg | tail -n +$((m + 1)) | grep -q '$pat'"
	fi
	tap_ok "$fault: vtpmd is still running" kill -0 "$pid"
	r=$(tpm2 "$dev" getrandom --hex 8 2>/dev/null)
	tap_is "${#r}" 16 "$fault: the next command works"
}

one_shot bad-length "malformed page"
one_shot bad-state "malformed page"
one_shot short "malformed page"
one_shot bad-size ""

# slow: the chip's SelfTest (the second command after the probe's
# GetCapability) answered 5 s late; the frontend registers once it came.
vtpm_stop
m=$(dmesg_mark)
chip=$(vtpm_start --fault slow --fault-after 1)
tap_ok "slow: a SelfTest answered after its time: the chip comes anyway ($chip)" test -n "$chip"
tap_ok "slow: the frontend said it would try again" \
	sh -c "dmesg | tail -n +$((m + 1)) | grep -q 'trying again once it does'"

# stall: the backend keeps the command and never answers.
vtpm_stop
chip=$(vtpm_start --fault stall)
dev=tpmrm${chip#tpm}
kill -USR1 "$(cat "$VTPMD_PID_FILE")"
s=$(date +%s)
timeout 120 env TPM2TOOLS_TCTI="device:/dev/$dev" tpm2_getrandom --hex 8 >/dev/null 2>&1
rc=$?
took=$(( $(date +%s) - s ))
tap_ok "stall: the client gets an error, not a hang (exit $rc after ${took} s)" test $rc != 0 -a $rc != 124
vtpm_stop
tap_ok "stall: the stalled vtpmd stops on SIGTERM and its chip goes" vtpm_gone
chip=$(vtpm_start)
r=$(tpm2 "tpmrm${chip#tpm}" getrandom --hex 8 2>/dev/null)
tap_is "${#r}" 16 "stall: a fresh vtpmd works"

# die: the backend exits in the middle of a command.
vtpm_stop
chip=$(vtpm_start --fault die)
dev=tpmrm${chip#tpm}
pid=$(cat "$VTPMD_PID_FILE")
kill -USR1 "$pid"
timeout 120 env TPM2TOOLS_TCTI="device:/dev/$dev" tpm2_getrandom --hex 8 >/dev/null 2>&1
rc=$?
tap_ok "die: the client gets an error, not a hang (exit $rc)" test $rc != 0 -a $rc != 124
tap_ok "die: vtpmd is gone" sh -c "! kill -0 $pid 2>/dev/null"
# Its chip stays until the new vtpmd closes the stale device: wait for
# the new chip, not the old one.
chip=$(vtpm_restart)
r=$(tpm2 "tpmrm${chip#tpm}" getrandom --hex 8 2>/dev/null)
tap_is "${#r}" 16 "die: a restarted vtpmd clears the stale device and works"

tap_is "$(grep -c tpmif /proc/interrupts)" 1 "one tpmif event channel: none leaked"
tap_ok "kernel log is clean" kernel_log_clean "$mark"
tap_done
