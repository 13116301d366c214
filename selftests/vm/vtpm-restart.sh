#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The vTPM's life after the commit (Documentation/design.rst, "The
# re-mirror"): the IMA log is the source of truth that a new vTPM is
# always brought back to, under IMA load.
#
#  - vtpmd stopped with SIGTERM and started again resumes its saved PCRs;
#    the module retargets the pTPM chip to the new vTPM chip and extends
#    only what was measured while it was away.  A damaged saved state is
#    refused: the vTPM starts clean and gets the whole log.
#  - vtpmd killed (SIGKILL), a pause in which measurements fail to extend
#    and TPM users get errors at once, then a new vtpmd with reset PCRs:
#    the firmware PCRs and the whole log (those entries included) are
#    replayed into it, the record counts the re-mirror and a critical-data
#    entry says so in the log.
#  - two crashes in a row, and a crash in the middle of a re-mirror: it
#    converges.
#  - a new vTPM whose PCR 10 someone extended first: no extend is sent to
#    it, the error names the PCR, and the next vTPM still gets every entry.
# After each: the whole IMA log validates against PCR 10 in every bank
# (ima-replay), the firmware PCRs hold their values, and
# tpm-handoff verify passes.  The kernel log stays clean.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 51
mark=$(dmesg_mark)
# vtpmd's output on tmpfs, which IMA does not measure: reading a file that
# vtpmd has open for writing would log a ToMToU violation.
export VTPMD_LOG=/run/vtpmd.log
trap 'cat "$VTPMD_LOG" >>"$RESULTS/vtpmd.log" 2>/dev/null' EXIT
param() { echo "$2" >/sys/module/tpm_handoff/parameters/"$1"; }
vtpm_state() { cat "$TH_SYSFS/vtpm_state"; }

# IMA load: a background shell that creates and reads new files (each a
# measurement) until load_stop.
LOAD_STOP=/run/th-load.stop
load_start() {
	rm -f "$LOAD_STOP"
	mkdir -p /var/tmp/restart
	(
		i=0
		while [ ! -e "$LOAD_STOP" ]; do
			echo "$1 $i" >"/var/tmp/restart/$1.$i"
			read -r _ <"/var/tmp/restart/$1.$i"
			i=$((i + 1))
			nap 0.1
		done
	) &
	LOAD_PID=$!
}
load_stop() { touch "$LOAD_STOP"; wait "$LOAD_PID"; }

# wait_follows CHIP SECS: the pTPM chip forwards to CHIP (the record's
# remirror_vtpm) and the vTPM follows the log.
wait_follows() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(handoff_record_get remirror_vtpm)" = "$1" ] &&
			[ "$(vtpm_state)" = following ] && return 0
		nap 0.1
	done
	return 1
}

# fw_pcrs: the firmware PCRs as the pTPM chip (now the vTPM) shows them.
fw_pcrs() { local p; for p in {0..9}; do pcr_values tpm0 "$p"; done; }

# follows WHAT DIR: the whole log validates against PCR 10 in every bank
# (ima-replay, the oracle with a log parser of its own: evmctl of
# ima-evm-utils 1.4 cannot replay the log's ima-buf entries, the
# critical-data records, in the sha256 bank), the firmware PCRs are the
# handoff's, tpm-handoff verify passes (3 results).
follows() {
	local dir=$RESULTS/$2 n
	ima_quiet_snapshot tpm0 "$dir" || tap_diag "the IMA log never held still"
	read -r n <"$dir/count"
	ima-replay --expect "$dir/pcr10" --pcr 10 --entries "$n" "$dir/ima.log" >"$dir/replay.out" 2>&1
	tap_is "$?" 0 "$1: the whole log ($n entries) replays to PCR 10 in every bank (ima-replay)"
	tap_is "$(fw_pcrs)" "$FW_BEFORE" "$1: the firmware PCRs 0-9 are the handoff's"
	tpm-handoff verify >"$dir/verify.out" 2>&1
	tap_is "$?" 0 "$1: tpm-handoff verify passes"
	tap_diag "$(tail -n 4 "$dir/verify.out")"
}

tap_ok "IMA takes the tpm_handoff critical-data rule" ima_policy_critical_data
ima_grow 100 || tap_diag "the log did not grow"
tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(vtpm_state)" none "vtpm_state is none before the commit"
tap_is "$(handoff_trigger 1)" ok "the handoff commits"
tap_is "$(vtpm_state)" following "the vTPM follows the log"
FW_BEFORE=$(fw_pcrs)

# 1. A clean restart keeps the PCRs.
load_start term
nap 0.5
vtpm_stop
n_gone=$(ima_count)
nap 1
vchip=$(vtpm_start) || tap_bail "no vTPM chip after the restart"
tap_ok "SIGTERM, start: the vTPM is back ($vchip) and followed within 60 s" wait_follows "$vchip" 60
tap_is "$(handoff_record_get remirrors)" 1 "the record counts one re-mirror"
load_stop
tap_diag "the log grew from $n_gone to $(ima_count) entries while the vTPM was away or catching up"
tap_ok "vtpmd resumed its saved state" grep -q "resumed the state saved" "$VTPMD_LOG"
resumed=$(handoff_record_get remirror_resumed)
tap_ok "the new vTPM held $resumed entries already (its PCRs were kept)" test "${resumed:-0}" -gt 0
tap_is "$(handoff_record_get remirror_fw_extended)" 0 "no firmware PCR was extended again"
follows "after the clean restart" term

# 1b. A saved state that is damaged is refused: the vTPM starts clean, and
# the re-mirror brings it back to the log from its reset state.
load_start damaged
vtpm_stop
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 1; open(p, "wb").write(b)' \
	"${VTPM_STATE_DIR:-/run/vtpm/dom0}/resume"
vchip=$(vtpm_start) || tap_bail "no vTPM chip after the damaged restart"
tap_ok "a damaged resume record: vtpmd refuses it, says why and starts clean" \
	grep -q "refusing the saved state in .*: .*damaged.*; starting clean" "$VTPMD_LOG"
tap_ok "the vTPM follows the log again within 120 s" wait_follows "$vchip" 120
load_stop
tap_is "$(handoff_record_get remirror_resumed)" 0 "it held no entry: the whole log was replayed into it"
follows "after the damaged restart" damaged

# 2. A crash, a pause, a new vTPM with reset PCRs.
load_start kill
nap 0.5
pid=$(cat "$VTPMD_PID_FILE")
kill -9 "$pid"
while kill -0 "$pid" 2>/dev/null; do nap 0.1; done
n_dead=$(ima_count)
t0=$EPOCHREALTIME
timeout 60 env TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getrandom 8 >/dev/null 2>&1
rc=$?
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }')
tap_ok "while the vTPM is gone a TPM client gets an error within the timeouts ($took s, exit $rc)" \
	awk -v s="$took" -v rc="$rc" 'BEGIN { exit !(rc != 0 && rc != 124 && s < 30) }'
nap 2
# away, or remirroring while the module's retry probes the dead chip
st=$(vtpm_state)
tap_ok "vtpm_state says away ($st)" test "$st" = away -o "$st" = remirroring
tpm-handoff status >"$RESULTS/status-away.out" 2>&1
tap_is "$?/$(grep -c '^vTPM now: *away' "$RESULTS/status-away.out")" 1/1 \
	"tpm-handoff status: exit 1, the vTPM is away, and what to do"
n_back=$(ima_count)
tap_ok "measurements went on while it was gone ($n_dead -> $n_back entries)" test "$n_back" -gt "$n_dead"
vchip=$(vtpm_restart) || tap_bail "no vTPM chip after the crash"
tap_ok "a new vtpmd ($vchip): the vTPM follows the log again within 120 s" wait_follows "$vchip" 120
tap_is "$(handoff_record_get remirrors)" 3 "the record counts three re-mirrors"
tpm-handoff status >"$RESULTS/status-back.out" 2>&1
tap_is "$?/$(grep -c "^vTPM now: *$vchip follows the IMA log (brought back to it 3 times" "$RESULTS/status-back.out")" 0/1 \
	"tpm-handoff status: exit 0, the new vTPM follows the log"
load_stop
tap_is "$(handoff_record_get remirror_resumed)" 0 "the new vTPM started reset (it held no entry)"
tap_ok "the firmware PCRs were extended into it again" \
	test "$(handoff_record_get remirror_fw_extended)" -gt 0
tap_is "$(grep -c ' tpm_handoff_remirror ' "$IMA_DIR/ascii_runtime_measurements")" 3 \
	"the log holds three re-mirror critical-data entries"
follows "after the crash" kill
tap_ok "tpm-handoff verify says the vTPM was brought back to the log 3 times" \
	grep -q "^vTPM re-mirrors: 3 since the handoff ([0-9]* failed): the vTPM now is $vchip" "$RESULTS/kill/verify.out"

# 3. Two crashes in a row, and a crash during a re-mirror.
load_start twice
vtpm_restart >/dev/null || tap_bail "no vTPM chip after the first crash"
vchip=$(vtpm_restart) || tap_bail "no vTPM chip after the second crash"
tap_ok "two crashes in a row: the vTPM follows the log within 120 s" wait_follows "$vchip" 120
# A slow vTPM (20 ms a command): the re-mirror of the whole log takes a while.
vtpm_restart --delay-ms 20 >/dev/null || tap_bail "no slow vTPM chip"
for ((i = 0; i < 300; i++)); do
	[ "$(vtpm_state)" = remirroring ] && break
	nap 0.05
done
tap_is "$(vtpm_state)" remirroring "a re-mirror into a slow vTPM runs"
nap 1
failed=$(handoff_record_get remirrors_failed)
vchip=$(vtpm_restart) || tap_bail "no vTPM chip after the crash during the re-mirror"
tap_ok "killed during the re-mirror, started again: it follows the log within 120 s" \
	wait_follows "$vchip" 120
load_stop
tap_ok "the interrupted re-mirror counts as failed ($failed -> $(handoff_record_get remirrors_failed))" \
	test "$(handoff_record_get remirrors_failed)" -gt "$failed"
follows "after the crashes" crashes

# 4. A new vTPM that someone extended before the module saw it.
param remirror_auto N
vchip=$(vtpm_restart) || tap_bail "no vTPM chip for the tampered case"
tap_is "$(vtpm_state)" away "with remirror_auto=N a new vTPM is not taken by itself"
tpm2 "$vchip" pcrextend 10:sha256=$(printf '%064d' 10) >/dev/null
tampered=$(pcr_values "$vchip" 10)
n_before=$(ima_count)
echo 1 >"$TH_SYSFS/remirror" 2>/dev/null
tap_is "$?" 1 "echo 1 > remirror fails"
tap_is "$(vtpm_state)" failed "vtpm_state says failed"
tap_ok "the error names PCR 10: $(handoff_error | cut -c1-120)" grep -q "PCR 10" "$TH_SYSFS/error"
tap_is "$(pcr_values "$vchip" 10)" "$tampered" "no extend was sent to the tampered vTPM"
ima_grow $((n_before + 20)) || tap_diag "the log did not grow"
vchip=$(vtpm_restart) || tap_bail "no vTPM chip after the tampered one"
echo 1 >"$TH_SYSFS/remirror"
tap_is "$?" 0 "the next vTPM: echo 1 > remirror succeeds"
tap_is "$(vtpm_state)" following "the vTPM follows the log"
param remirror_auto Y
follows "after the tampered vTPM" tampered

tap_ok "the kernel log is clean (no WARN, BUG, lockdep, KASAN, hung task)" kernel_log_clean "$mark"
tap_done
