#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm_tis stays quiet after the commit.  The guest half: commit, then keep
# every kind of TPM user busy (IMA, /dev/tpm0, /dev/tpmrm0, the hwrng) and
# try to suspend, which must be refused (tpm_tis's suspend and resume would
# touch the pTPM).  The host half (handoff-tis-quiet.host) reads QEMU's own
# tpm_tis trace, an oracle outside dom0: no access to the TIS registers
# after the snapshot.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 8
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
tap_diag "tpm_tis interrupts: $(grep -c tpm0 /proc/interrupts) line(s) in /proc/interrupts"
grep tpm /proc/interrupts >"$RESULTS/interrupts" 2>/dev/null
tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(handoff_trigger 1)" ok "the handoff commits"
cp "$TH_SYSFS/record" "$RESULTS/record"
for _ in 1 2 3; do
	ima_grow $(( $(ima_count) + 20 ))
	TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getrandom 8 >/dev/null
	TPM2TOOLS_TCTI=device:/dev/tpmrm0 tpm2_pcrread sha256:10 >/dev/null
	head -c 16 /dev/hwrng >/dev/null 2>&1
done
tap_ok "TPM users work after the commit (tpm0, tpmrm0)" \
	env TPM2TOOLS_TCTI=device:/dev/tpmrm0 tpm2_getrandom 8 -o /tmp/r
tap_is "$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)" tpm-rng-0 \
	"the hwrng is the TPM's (it reads /dev/tpm0's chip)"

# Suspend is refused: pm_test "freezers" stops before devices would be
# suspended, so on a kernel that let it through nothing happens either.
mark=$(dmesg_mark)
echo freezer >/sys/power/pm_test 2>/dev/null
err=$(echo freeze 2>&1 >/sys/power/state)
tap_ok "suspend (freeze) is refused: ${err:-accepted}" grep -q "Device or resource busy" <<<"$err"
tap_ok "the kernel log says why" \
	grep -q "tpm_handoff: suspend refused: tpm0 was handed off to a vTPM" <<<"$(dmesg_since "$mark")"
if grep -qw disk /sys/power/state; then
	err=$(echo disk 2>&1 >/sys/power/state)
	tap_ok "hibernation is refused too: ${err:-accepted}" grep -q "Device or resource busy" <<<"$err"
else
	tap_skip "hibernation is refused too" "this kernel cannot hibernate (/sys/power/state: $(cat /sys/power/state))"
fi
echo none >/sys/power/pm_test 2>/dev/null
sleep 3		# anything tpm_tis would still do, before the trace ends
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
