#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A dead or stopped backend is cheap.  After the commit IMA extends every
# measurement into the vTPM while holding its list mutex; with vtpmd
# stopped (SIGSTOP), each would wait for the vTPM's timeouts and every open
# and exec in dom0 would queue behind it.  After the first timeouts the
# frontend reports the vTPM gone at once (-ENODEV) until the backend
# answers again: opening 200 new files with vtpmd stopped costs a few
# timeouts in all.  Their extends were missed: the vTPM fell behind the
# log, and once vtpmd is continued the module's retry re-mirrors the log
# into it; nothing is lost.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 10
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
mkdir -p /var/tmp/dead

# open_new N TAG: create and read N new files (each read is a measurement,
# each extend a vTPM command); print the seconds it took.
open_new() {
	local i line t0=$EPOCHREALTIME
	for ((i = 0; i < $1; i++)); do
		echo "$2 $i" >"/var/tmp/dead/$2.$i"
		read -r line <"/var/tmp/dead/$2.$i"
	done
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
}

tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(handoff_trigger 1)" ok "the handoff commits"
running=$(open_new 200 running)
tap_diag "200 new files with vtpmd running: $running s"
mark=$(dmesg_mark)
pid=$(cat "$VTPMD_PID_FILE")
kill -STOP "$pid"
stopped=$(open_new 200 stopped)
tap_ok "200 new files with vtpmd stopped took $stopped s: a few timeouts, not one each" \
	awk -v s="$stopped" 'BEGIN { exit !(s < 10) }'
t0=$EPOCHREALTIME
timeout 60 env TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getrandom 8 >/dev/null 2>&1
rc=$?
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }')
tap_ok "a TPM client gets an error at once ($took s, exit $rc), no hang" \
	awk -v s="$took" -v rc="$rc" 'BEGIN { exit !(rc != 0 && rc != 124 && s < 5) }'
tap_ok "the kernel log says the vTPM fell behind the log (it gets nothing more)" \
	grep -q "$vchip: missed an extend of IMA's PCR 10" <<<"$(dmesg_since "$mark")"
# The frontend's own fast failure, from a user of the vTPM chip's device:
# its first extend from the pTPM chip timed out, so this command waits
# once for the backend, then the frontend reports it dead.
timeout 60 env TPM2TOOLS_TCTI="device:/dev/tpmrm${vchip#tpm}" tpm2_getrandom 8 >/dev/null 2>&1
tap_ok "the kernel log says the vTPM backend does not answer" \
	grep -q "vTPM backend does not answer" <<<"$(dmesg_since "$mark")"
kill -CONT "$pid"
# The vTPM missed the extends of the measurements made while it was
# stopped: it gets nothing until the module's retry re-mirrors the log
# into it (remirror_retry_ms, 5 s, then 10, 20...).
ok=1
for _ in $(seq 300); do
	TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getrandom 8 >/dev/null 2>&1 && { ok=0; break; }
	nap 0.2
done
tap_is "$ok" 0 "vtpmd continued: /dev/tpm0 answers again"
tap_ok "the kernel log says so" grep -q "vTPM backend answers again" <<<"$(dmesg_since "$mark")"
tap_ok "the module re-mirrored the log into the same vTPM ($(handoff_record_get remirror_resumed) entries held)" \
	test "$(handoff_record_get remirrors)/$(handoff_record_get remirror_vtpm)" = "1/$vchip" \
	-a "$(handoff_record_get remirror_resumed)" -gt 0
again=$(open_new 20 again)
tap_diag "20 new files after: $again s"
ima_quiet_snapshot "$vchip" /tmp/dead-after || tap_diag "the IMA log never held still"
n=$(cat /tmp/dead-after/count)
ima-replay --expect /tmp/dead-after/pcr10 --pcr 10 --entries "$n" /tmp/dead-after/ima.log >/tmp/dead-after/replay.out 2>&1
tap_is "$?" 0 "no measurement lost: the whole log ($n entries, those made while vtpmd was stopped included) replays to the vTPM's PCR 10 in every bank"
tap_done
