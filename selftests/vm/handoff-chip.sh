#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The vTPM as a plain TPM chip named by the vtpm parameter (the transport
# that any chip provides, not only the Xen frontend): bad names are
# refused with clear errors, and naming the dom0 vTPM's chip hands off.
# This handoff runs in the naive order (prereplay=0: the whole replay under
# the barrier), the baseline of make bench, so that order is tested too.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 18
mark=$(dmesg_mark)
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"

try() {	# try PARAM: load with vtpm=PARAM, trigger, report, unload
	handoff_load vtpm="$1" || return 1
	echo "$(cat $TH_SYSFS/vtpm)|$(handoff_trigger 1)|$(handoff_error)"
	rmmod tpm_handoff
}
r=$(try tpm9)
tap_ok "vtpm=tpm9 (no such chip): -ENODEV, \"no TPM chip tpm9\"" grep -q "^none: .*|ENODEV|.*no TPM chip tpm9" <<<"$r"
tap_diag "$r"
r=$(try tpm0)
tap_ok "vtpm=tpm0 (the pTPM itself): -EINVAL" grep -q "|EINVAL|.*is the pTPM chip itself" <<<"$r"
tap_diag "$r"
r=$(try bogus)
tap_ok "vtpm=bogus: -EINVAL naming the parameter" grep -q "|EINVAL|bad vtpm parameter" <<<"$r"
tap_diag "$r"

ima_grow 300
tap_ok "insmod tpm_handoff.ko vtpm=$vchip prereplay=0" handoff_load vtpm="$vchip" prereplay=0
tap_is "$(cat $TH_SYSFS/vtpm)" "$vchip chip" "the vTPM is the chip $vchip"
# A rehearsal first: every step, no commit; the real handoff resumes the
# vTPM from where the rehearsal left it.
echo 1 >/sys/module/tpm_handoff/parameters/dry_run
tap_is "$(handoff_trigger 1)" ECANCELED "dry_run=1: -ECANCELED"
tap_ok "dry run: aborted, the error says nothing was committed" \
	grep -q "^aborted dry run.*nothing was committed" <<<"$(handoff_state) $(handoff_error)"
ima_grow $(( $(ima_count) + 5 ))
tap_ok "after the dry run new measurements reach tpm0 only (its PCR 10 moved on from the vTPM's)" \
	test "$(pcr_values tpm0 10)" != "$(pcr_values "$vchip" 10)"
echo 0 >/sys/module/tpm_handoff/parameters/dry_run
tap_is "$(handoff_trigger 1)" ok "trigger commits"
tap_is "$(handoff_record_get vtpm_provider)" chip "the record names the chip provider"
tap_is "$(handoff_record_get vtpm)" "$vchip" "and the chip"
tap_is "$(handoff_record_get prereplay) $(handoff_record_get replayed_in_barrier)" \
	"no $(handoff_record_get replayed)" "prereplay=0: all $(handoff_record_get replayed) entries it extended were extended under the barrier"
tap_is "$(( $(handoff_record_get resumed) + $(handoff_record_get replayed) ))" "$(handoff_record_get cut)" \
	"it resumed from the dry run's $(handoff_record_get resumed) entries: resumed + replayed = cut"
ima_grow $(( $(ima_count) + 20 ))
ima_quiet_snapshot "$vchip" /tmp/c || tap_diag "the IMA log never held still"
n=$(cat /tmp/c/count)
tap_ok "evmctl: the whole log ($n entries) validates against $vchip's PCR 10" \
	evmctl_check /tmp/c/ima.log /tmp/c/pcr10 "$n"
ima-replay --expect /tmp/c/pcr10 --pcr 10 --entries "$n" /tmp/c/ima.log >/dev/null 2>&1
tap_is "$?" 0 "ima-replay: in every bank"
a=$(pcr_values tpm0 10)
b=$(pcr_values "$vchip" 10)
tap_is "$a" "$b" "tpm0 forwards to $vchip (same PCR 10 read through both)"
err=$(rmmod tpm_handoff 2>&1)
tap_ok "rmmod is refused after commit" grep -q "in use" <<<"$err"
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
