#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The handoff beside a locality-2 manager (issue 20, Documentation/
# manager.rst), booted with boot-dom0 --manager: the stand-in (tpm_mgr_tis
# + tpm-mgr, started before this script, after tpm_handoff.ko) reads
# PCRs, gets random bytes and creates keys at locality 2, holding the TPM
# 1 s after each key creation, while dom0 measures new files and the
# handoff commits; the manager goes on after the commit.  Then the
# manager, the pTPM's owner, reads PCR 10: it is the record's snapshot in
# every bank, the log's prefix [0, cut) reproduces it, and it stays so
# while dom0 measures on.  The host half (handoff-manager.host) reads
# QEMU's tpm_tis trace: after the snapshot, commands at locality 2 only.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/nap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"
. "$lib/manager.sh"

# mgr_pcr10 FILE: the manager's PCR 10, as "pcr10.BANK: hex" lines.
mgr_pcr10() {
	tpm-mgr pcrread --pcr 10 >/tmp/mgr.pcr10 || return 1
	awk '{ print "pcr10." $1 ": " $2 }' /tmp/mgr.pcr10 >"$1"
}

tap_plan 16
mark=$(dmesg_mark)
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
[ "$TH_MANAGER" = 1 ] || tap_bail "boot with boot-dom0 --manager"
tap_is "$(cat /sys/module/tpm_mgr_tis/parameters/key_hold_ms)" 1000 \
	"the manager runs (tpm_mgr_tis, key_hold_ms=1000; tpm-mgr $TH_MANAGER_PID)"
tap_ok "tpm_handoff.ko was loaded before it" handoff_load
ima_load_start /var/tmp/hm
manager_wait /tmp/manager.log CreatePrimary 2 300 || tap_diag "the manager made no key before the trigger"
r=$(handoff_trigger 1)
before=$(wc -l </tmp/manager.log)
keys=$(manager_count /tmp/manager.log CreatePrimary ok)
manager_wait /tmp/manager.log CreatePrimary $((keys + 2)) 300 ||
	tap_diag "the manager made no key after the commit"
manager_stop /tmp/manager.log
rc=$?
ima_load_stop
cp /tmp/manager.log "$RESULTS/"
tap_is "$r" ok "the handoff commits while the manager works"
cp "$TH_SYSFS/record" "$RESULTS/record"
cut=$(handoff_record_get cut)
tap_diag "manager: $(tail -n 1 /tmp/manager.log); cut $cut; shim: $(tr '\n' ' ' <"$TH_SYSFS/tis_shim")"
tap_is "$rc" 0 "the manager saw no error but busy (retried) before, during and after the handoff"
after=$(awk -v b="$before" 'NR > b && $5 == "ok"' /tmp/manager.log | wc -l)
tap_ok "the manager's commands went on after the commit ($after answered)" test "$after" -ge 4
echo "$after" >"$RESULTS/manager-after"
tap_is "$(ima_load_missing /var/tmp/hm)" 0 "every file read is in the IMA log"
ima_quiet_snapshot "$vchip" "$RESULTS/vtpm" || tap_bail "the IMA log never held still"
ima-replay --expect "$RESULTS/vtpm/pcr10" --pcr 10 --entries "$(cat "$RESULTS/vtpm/count")" \
	"$RESULTS/vtpm/ima.log" >"$RESULTS/vtpm/replay.out" 2>&1
tap_is "$?" 0 "the whole log validates against the vTPM's PCR 10 in every bank (ima-replay)"

# The cut, confirmed by the pTPM's owner.
tap_ok "the manager reads the pTPM's PCR 10" mgr_pcr10 "$RESULTS/manager.pcr10"
grep '^pcr10\.[a-z0-9_]*: ' "$RESULTS/record" >/tmp/record.pcr10
tap_is "$(cat "$RESULTS/manager.pcr10")" "$(cat /tmp/record.pcr10)" \
	"the manager's PCR 10 is the record's snapshot in every bank ($(wc -l </tmp/record.pcr10))"
ima-replay --expect "$RESULTS/manager.pcr10" --pcr 10 --entries "$cut" \
	"$RESULTS/vtpm/ima.log" >"$RESULTS/prefix.out" 2>&1
tap_is "$?" 0 "the log's prefix [0, $cut) reproduces the manager's PCR 10 in every bank"
n=$(ima_count)
ima_grow $((n + 30))
tap_ok "dom0 measured on ($n -> $(ima_count) entries)" test "$(ima_count)" -ge $((n + 30))
mgr_pcr10 /tmp/manager.pcr10.later
tap_is "$(cat /tmp/manager.pcr10.later)" "$(cat /tmp/record.pcr10)" \
	"the manager's PCR 10 stays the snapshot: dom0 extends it no more"
tap_ok "the shim: dom0 waited for the manager ($(sed -n 's/^waits //p' "$TH_SYSFS/tis_shim") times, the longest $(sed -n 's/^longest_wait_ms //p' "$TH_SYSFS/tis_shim") ms)" \
	test "$(sed -n 's/^waits //p' "$TH_SYSFS/tis_shim")" -gt 0
tap_is "$(sed -n 's/^failed //p' "$TH_SYSFS/tis_shim")" 0 "the shim: no request for the locality timed out"
tap_is "$(sed -n 's/^installed //p' "$TH_SYSFS/tis_shim")" 0 "the shim is out since the commit (the forwarding ops took its place)"
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
sleep 2		# anything tpm_tis would still do, before the trace ends
tap_done
