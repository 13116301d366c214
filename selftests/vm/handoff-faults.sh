#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Faults.  vtpmd killed before the handoff, vtpmd dying in the middle of
# the replay, a vTPM whose PCR 10 is not in its reset state, and the
# barrier's watchdog each abort the handoff: state "aborted", an error that
# says why, and the system keeps running on the pTPM, whose PCR 10 still
# validates the whole (growing) log.  A retry then commits.  vtpmd killed
# after the commit gives TPM errors within the timeouts: no hang, no oops.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 31
mark=$(dmesg_mark)
ima_grow 400
tap_ok "insmod tpm_handoff.ko" handoff_load

# aborted_on_ptpm WHAT: the checks after every abort.
aborted_on_ptpm() {
	local n0
	tap_is "$(handoff_state)" aborted "$1: state is aborted"
	n0=$(ima_count)
	ima_grow $((n0 + 20))
	ptpm_validates "/tmp/$2" "$1: still on the pTPM"
}

# 1. vtpmd killed before the trigger: its chip stays, but it answers
# nothing (and TPM2_PCR_Read has the core's 120 s default duration): the
# early replay's watchdog ends the attempt, through the frontend's abort
# hook (its wait ignores signals), before the barrier is raised; a 5 s
# limit keeps the test short.
kill -9 "$(cat "$VTPMD_PID_FILE")"
echo 5000 >/sys/module/tpm_handoff/parameters/mirror_timeout_ms
s=$(date +%s%N)
r=$(handoff_trigger 1)
ms=$(( ($(date +%s%N) - s) / 1000000 ))
tap_ok "vtpmd killed before: the trigger fails ($r)" test "$r" != ok
tap_ok "the watchdog ended it within 10 s of its 5 s limit ($ms ms)" test "$ms" -lt 15000
tap_diag "error: $(handoff_error)"
tap_ok "the error says what was waiting on which chip" grep -q "while reading the vTPM's PCRs (the vTPM is tpm[0-9]*)" <<<"$(handoff_error)"
aborted_on_ptpm "killed before" k1

tap_is "$(handoff_record_get barrier_ns)" 0 "the barrier was never raised"
echo 600000 >/sys/module/tpm_handoff/parameters/mirror_timeout_ms

# 2. vtpmd dies after 200 commands: in the middle of the replay (400+
# extends).
vchip=$(vtpm_restart --fault die --fault-after 200) || tap_bail "vtpmd did not restart"
r=$(handoff_trigger 1)
tap_ok "vtpmd dying during the replay: the trigger fails ($r)" test "$r" != ok
tap_diag "error: $(handoff_error)"
grep -o 'replayed: .*' "$TH_SYSFS/record" | tap_diag "$(cat)"
tap_ok "it died during the replay (some entries were replayed)" \
	test "$(handoff_record_get replayed)" -gt 0
aborted_on_ptpm "killed during" k2

# 3. A vTPM whose PCR 10 was extended is refused.
vchip=$(vtpm_restart) || tap_bail "vtpmd did not restart"
tpm2 "$vchip" pcrextend "10:sha256=$(printf '%064x' 7)" >/dev/null
tap_is "$(handoff_trigger 1)" EBUSY "a vTPM with PCR 10 already extended: -EBUSY"
tap_ok "the error says to restart the vTPM" grep -q "reset state.*restart the vTPM" <<<"$(handoff_error)"
aborted_on_ptpm "dirty vTPM" k3

# 4. The watchdog: a 1 ms limit cannot be met.
vchip=$(vtpm_restart) || tap_bail "vtpmd did not restart"
echo 1 >/sys/module/tpm_handoff/parameters/barrier_timeout_ms
tap_is "$(handoff_trigger 1)" ETIMEDOUT "barrier_timeout_ms=1: the watchdog aborts (-ETIMEDOUT)"
tap_ok "the error says the barrier timed out" grep -q "barrier timed out" <<<"$(handoff_error)"
bns=$(handoff_record_get barrier_ns)
tap_ok "the barrier was released within 2 s of its 1 ms limit ($bns ns)" test "$bns" -lt 2000000000
aborted_on_ptpm "watchdog" k4

# 5. A retry commits.
echo 30000 >/sys/module/tpm_handoff/parameters/barrier_timeout_ms
tap_is "$(handoff_trigger 1)" ok "a retry after the aborts commits"
tap_ok "it resumed from the prefix the aborted attempt left in the vTPM (resumed: $(handoff_record_get resumed))" \
	test "$(handoff_record_get resumed)" -gt 0
ima_quiet_snapshot "$vchip" /tmp/v5 || tap_diag "the IMA log never held still"
ima-replay --expect /tmp/v5/pcr10 --pcr 10 --entries "$(cat /tmp/v5/count)" /tmp/v5/ima.log >/dev/null 2>&1
tap_is "$?" 0 "after the retry the whole log validates against the vTPM"

# 6. vtpmd killed after the commit: errors, in time, no hang.
kill -9 "$(cat "$VTPMD_PID_FILE")"
s=$(date +%s%N)
timeout 60 env TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getrandom 8 >/dev/null 2>&1
rc=$?
ms=$(( ($(date +%s%N) - s) / 1000000 ))
tap_ok "after commit + kill: tpm0 getrandom fails (exit $rc)" test "$rc" != 0 -a "$rc" != 124
tap_ok "within the timeouts ($ms ms < 10 s)" test "$ms" -lt 10000
s=$(date +%s%N)
n0=$(ima_count)
for i in 1 2 3; do echo "after kill $i" >"/var/tmp/ak$i"; timeout 60 cat "/var/tmp/ak$i" >/dev/null; done
ms=$(( ($(date +%s%N) - s) / 1000000 ))
tap_ok "IMA still measures (extends fail, files open) in $ms ms" test "$(ima_count)" -gt "$n0" -a "$ms" -lt 30000
tap_ok "the kernel log has no oops, warning or hung task" kernel_log_clean "$mark"
tap_done
