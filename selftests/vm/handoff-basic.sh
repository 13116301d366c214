#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The handoff on a measured dom0 with >= 1000 real IMA measurements: the
# trigger commits, the whole log validates against the vTPM's PCR 10 in
# every bank, and afterwards IMA, /dev/tpm0 and /dev/tpmrm0 work and reach
# the vTPM.  The host half (handoff-basic.host) checks the pTPM side from
# the swtpm trace: the prefix [0, cut) against the PCR 10 the trace
# recomputes, and that nothing reached the pTPM after the snapshot.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 24
mark=$(dmesg_mark)
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"

ima_grow 1000
tap_ok "IMA log has >= 1000 entries ($(ima_count))" test "$(ima_count)" -ge 1000

tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(handoff_state)" idle "state is idle after insmod"
tap_is "$(cat $TH_SYSFS/ptpm)" tpm0 "the pTPM is tpm0 (IMA's chip)"
tap_is "$(cat $TH_SYSFS/vtpm)" "$vchip xen" "the vTPM is found through xen_tpmfront_ext"

# A marker on the pTPM just before the trigger: the host half checks that
# nothing but background traffic and the snapshot follows it in the trace.
ptpm_marker || tap_diag "the marker failed"
tap_is "$(handoff_trigger 1)" ok "trigger: the write returns success"
tap_is "$(handoff_state)" committed "state is committed"
tap_is "$(handoff_error)" "" "error is empty"
cp "$TH_SYSFS/record" "$RESULTS/record"
tap_diag "$(cat "$RESULTS/record")"
cut=$(handoff_record_get cut)
tap_ok "the record has a cut ($cut) and a barrier window ($(handoff_record_get barrier_ns) ns)" \
	test -n "$cut" -a -n "$(handoff_record_get barrier_ns)"
tap_is "$(handoff_record_get replayed)" "$cut" "the record says every entry before the cut was replayed"
# The early replay: 1000+ entries were in the log before the trigger, and
# only the ones that arrived while it ran go under the barrier.
rib=$(handoff_record_get replayed_in_barrier)
tap_ok "most of the replay ran before the barrier ($rib of $cut under it)" \
	test "$(handoff_record_get prereplay)" = yes -a "$rib" -lt $((cut / 10))
for b in sha1 sha256 sha384 sha512; do
	tap_ok "the record holds the $b snapshot of PCR 10" \
		grep -q "^pcr10.$b: [0-9a-f]\{40,\}\$" "$RESULTS/record"
done

# Keep measuring after the handoff: IMA now extends the vTPM.
n0=$(ima_count)
find /usr/lib/x86_64-linux-gnu -xdev -type f -size -32k 2>/dev/null | head -n 200 |
	xargs -r cat >/dev/null 2>&1
tap_ok "IMA keeps measuring after the handoff ($n0 -> $(ima_count))" test "$(ima_count)" -gt "$n0"

# The whole log against the vTPM, read directly from its own chip and
# through tpm0 (which now forwards): the same values.
ima_quiet_snapshot "$vchip" "$RESULTS/vtpm" || tap_bail "the IMA log never held still"
pcr_values tpm0 10 >"$RESULTS/vtpm/pcr10.tpm0"
tap_is "$(cat "$RESULTS/vtpm/pcr10.tpm0")" "$(cat "$RESULTS/vtpm/pcr10")" \
	"PCR 10 read through tpm0 equals the vTPM's own PCR 10"
n=$(cat "$RESULTS/vtpm/count")
tap_ok "evmctl: the whole log ($n entries) validates against the vTPM's PCR 10 (sha1, sha256)" \
	evmctl_check "$RESULTS/vtpm/ima.log" "$RESULTS/vtpm/pcr10" "$n"
ima-replay --expect "$RESULTS/vtpm/pcr10" --pcr 10 --entries "$n" \
	"$RESULTS/vtpm/ima.log" >"$RESULTS/vtpm/replay.out" 2>&1
tap_is "$?" 0 "ima-replay: the whole log validates against the vTPM's PCR 10 in every bank"
tap_diag "$(cat "$RESULTS/vtpm/replay.out")"

# /dev/tpm0 and /dev/tpmrm0 reach the vTPM: extend the debug PCR 16 through
# each and see it move on the vTPM's own chip.
before=$(cat /sys/class/tpm/"$vchip"/pcr-sha256/16)
tap_ok "tpm2_pcrextend on /dev/tpm0" \
	tpm2 tpm0 pcrextend 16:sha256=$(printf '%064x' 1)
mid=$(cat /sys/class/tpm/"$vchip"/pcr-sha256/16)
tap_ok "tpm2_pcrextend on /dev/tpmrm0" \
	tpm2 tpmrm0 pcrextend 16:sha256=$(printf '%064x' 2)
after=$(cat /sys/class/tpm/"$vchip"/pcr-sha256/16)
tap_ok "both extends reached the vTPM's PCR 16" \
	test "$before" != "$mid" -a "$mid" != "$after"
tap_ok "tpm2_getrandom on /dev/tpm0 and /dev/tpmrm0" \
	sh -c "TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getrandom 16 >/dev/null &&
	       TPM2TOOLS_TCTI=device:/dev/tpmrm0 tpm2_getrandom 16 >/dev/null"

tap_ok "the kernel log is clean" kernel_log_clean "$mark"
dmesg_since "$mark" | grep tpm_handoff | tap_diag "$(cat)"
tap_done
