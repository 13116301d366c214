#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A locality-2 manager beside dom0 before the handoff (issue 20,
# Documentation/manager.rst).  The stand-in (tpm_mgr_tis + tpm-mgr) reads
# PCRs, gets random bytes and creates keys at locality 2, holding the TPM
# 1.5 s after each key creation (key_hold_ms, as a real TPM's RSA key
# generation does; swtpm's takes milliseconds), while dom0 measures new
# files at locality 0 without a pause.
#  1. With tpm_handoff.ko loaded (its tpm_tis shim): no IMA extend is
#     lost (the whole log validates against the pTPM's PCR 10, every file
#     read is in the log), dom0 waited past tpm_tis's own limit (750 ms)
#     for the locality, and the manager saw no error but retried busies.
#  2. The stand-in keeping the locality while idle, as vtpmmgr's driver
#     does: dom0's next command waits until the manager's next command
#     (5 s here; the shim waits, nothing is lost).
#  3. Then stock tpm_tis (the module unloaded, its ops given back): the
#     same load makes IMA's extends fail ("Error Communicating to TPM
#     chip") and the log no longer validates against PCR 10.  This is why
#     the shim exists; if it ever stops happening, this test says so.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/nap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"
. "$lib/manager.sh"

tap_plan 23
mark=$(dmesg_mark)
tap_ok "insmod tpm_mgr_tis.ko (locality 2's TIS page, key_hold_ms=1500)" \
	manager_load key_hold_ms=1500
tap_ok "insmod tpm_handoff.ko" handoff_load
tap_diag "$(tr '\n' ' ' <"$TH_SYSFS/tis_shim")"
tap_is "$(sed -n 's/^installed //p' "$TH_SYSFS/tis_shim")" 1 "the tpm_tis shim is in"

# Its limit: garbage, more than a minute and 0 (the shim is in) refused,
# the value kept; a good one reaches the shim.
wait_param=/sys/module/tpm_handoff/parameters/ptpm_locality_wait_ms
refused=
for v in abc -1 70000 0 ''; do
	echo "$v" 2>/dev/null >"$wait_param" || refused="$refused [$v]"
done
tap_ok "ptpm_locality_wait_ms refuses$refused and keeps $(cat "$wait_param")" \
	test "$refused" = " [abc] [-1] [70000] [0] []" -a "$(cat "$wait_param")" = 30000
echo 25000 >"$wait_param"
tap_is "$(sed -n 's/^wait_ms //p' "$TH_SYSFS/tis_shim")" 25000 "a new limit reaches the shim"
echo 30000 >"$wait_param"

# One phase: the manager creates KEYS keys while dom0 measures.
phase() {
	local name=$1 keys=$2
	ima_load_start "/var/tmp/$name"
	manager_start "/tmp/$name.manager" --keys-every 1
	manager_wait "/tmp/$name.manager" CreatePrimary "$keys" 300 ||
		tap_diag "$name: the manager made fewer than $keys keys in 300 s"
	manager_stop
	echo $? >"/tmp/$name.rc"
	ima_load_stop
	cp "/tmp/$name.manager" "/tmp/$name.manager.err" "$RESULTS/"
	tap_diag "$name: manager: $(tail -n 1 "$RESULTS/$name.manager"); files read: $(wc -l <"/var/tmp/$name.list")"
}

phase shim 4
tap_is "$(cat /tmp/shim.rc)" 0 "shim: the manager saw no error but busy (retried)"
slow=$(awk '$4 == "CreatePrimary" && $5 == "ok" && $3 >= 1500' "$RESULTS/shim.manager" | wc -l)
tap_ok "shim: the manager held the TPM 1.5 s or more in $slow key creations" test "$slow" -ge 4
waited=$(sed -n 's/^longest_wait_ms //p' "$TH_SYSFS/tis_shim")
tap_ok "shim: dom0 waited for locality 0 past tpm_tis's 750 ms ($waited ms, $(sed -n 's/^waits //p' "$TH_SYSFS/tis_shim") times)" \
	test "${waited:-0}" -gt 750
tap_is "$(sed -n 's/^failed //p' "$TH_SYSFS/tis_shim")" 0 "shim: no request for the locality timed out"
tap_is "$(dmesg_since "$mark" | grep -c 'Error Communicating to TPM')" 0 "shim: IMA reported no failed extend"
tap_is "$(ima_load_missing /var/tmp/shim)" 0 "shim: every file read is in the IMA log"
ptpm_validates "$RESULTS/shim" "shim"

# A manager that keeps the locality while it idles, as vtpmmgr's driver
# (mini-os's tpm_tis) does: it gives it up only after its next command,
# and only if another locality asked.  dom0's next command waits for that.
param=/sys/module/tpm_mgr_tis/parameters
echo 1 >"$param/keep_locality"
# While the manager keeps the locality, any new measurement of dom0's
# waits: what this part runs (the subshell, manager_one_command's dd, od
# and tr) is measured now, so that the subshell's file is the only one.
date +%s%N >/dev/null
cat /dev/null
dd if=/dev/null of=/dev/null 2>/dev/null
od </dev/null
tr -d x </dev/null
manager_one_command || tap_diag "the manager's first command failed"
nap 1
rm -f /tmp/idle.ms
(
	s=$(date +%s%N)
	echo "idle $BASHPID" >/var/tmp/idle.f
	cat /var/tmp/idle.f >/dev/null
	e=$(date +%s%N)
	echo $(((e - s) / 1000000)) >/tmp/idle.ms
) &
idle=$!
nap 5
tap_ok "keep_locality: dom0's measurement still waits 5 s on (the manager idles holding locality 2)" \
	kill -0 "$idle"
# One command: it ends with dom0's request pending, so the manager lets go.
# (A second one would take the locality back and keep it again: dom0's
# next command would wait for the manager's next.)
manager_one_command || tap_diag "the manager's second command failed"
tap_diag "TPM_ACCESS(2) after the manager's command: $(cat "$param/last_access") (0x04: a request pending)"
timeout 60 tail --pid="$idle" -f /dev/null
echo 0 >"$param/keep_locality"
echo 1500 >"$param/key_hold_ms"
tap_ok "keep_locality: the manager's next command let dom0's measurement through ($(cat /tmp/idle.ms 2>/dev/null) ms)" \
	test "$(cat /tmp/idle.ms 2>/dev/null || echo 0)" -ge 4500
tap_is "$(sed -n 's/^failed //p' "$TH_SYSFS/tis_shim")" 0 "keep_locality: no request for the locality timed out (the shim waited)"
ptpm_validates "$RESULTS/idle" "keep_locality"

tap_ok "rmmod tpm_handoff (tpm_tis's own ops back)" rmmod tpm_handoff
mark2=$(dmesg_mark)
phase stock 3
errors=$(dmesg_since "$mark2" | grep -c 'Error Communicating to TPM')
tap_ok "stock tpm_tis: IMA's extends failed while the manager held the TPM ($errors errors)" \
	test "$errors" -gt 0
ima_quiet_snapshot tpm0 "$RESULTS/stock" || tap_diag "the IMA log never held still"
ima-replay --expect "$RESULTS/stock/pcr10" --pcr 10 --entries "$(cat "$RESULTS/stock/count")" \
	"$RESULTS/stock/ima.log" >"$RESULTS/stock/replay.out" 2>&1
tap_ok "stock tpm_tis: the log no longer validates against the pTPM's PCR 10 (measurements lost)" \
	test $? != 0
tap_is "$(cat /tmp/stock.rc)" 0 "stock: the manager saw no error but busy"
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
