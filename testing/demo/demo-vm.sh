#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest half of make demo, run as root in the measured dom0 by
# testing/vm/boot-dom0: the log grows on the pTPM, the handoff runs, dom0 keeps
# measuring on the vTPM, and tpm-handoff verify checks the one log against
# both TPMs.  Prints a report; exits non-zero if a step fails.  Leaves the
# log, the record and the vTPM's PCR 10 in $RESULTS for the host half.
lib=${TH_SELFTESTS:-/job/selftests}/lib
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

fail=0
step() { printf '\n== %s\n' "$*"; }
check() {	# check WHAT CMD...: run CMD, report WHAT as ok or FAILED
	local what=$1
	shift
	if "$@"; then echo "   ok: $what"; else echo "   FAILED: $what"; fail=1; fi
}
pcr10() { tr 'A-F' 'a-f' <"/sys/class/tpm/$1/pcr-sha256/10"; }

step "1. A measured dom0 on its pTPM"
vchip=$(vtpm_chip) || { echo "no vTPM chip"; exit 1; }
drv=$(readlink -f /sys/class/tpm/tpm0/device/driver)
echo "   pTPM: tpm0 (${drv##*/}), banks: $(ls -d /sys/class/tpm/tpm0/pcr-* | sed 's/.*pcr-//' | tr '\n' ' ')"
echo "   vTPM: $vchip (xen_tpmfront_ext + vtpmd), PCR 10 sha256 $(pcr10 "$vchip")"
n0=$(ima_count)
p0=$(pcr10 tpm0)
ima_grow $((n0 + 300))
echo "   IMA log: $n0 -> $(ima_count) entries; pTPM PCR 10 sha256 $p0"
echo "                                        -> $(pcr10 tpm0)"

step "2. tpm-handoff status"
handoff_load
tpm-handoff status | sed 's/^/   /'
check "preconditions hold" tpm-handoff status >/dev/null

step "3. tpm-handoff start"
before=$(ima_count)
tpm-handoff start >/tmp/start.out 2>&1
rc=$?
# PCR 10's values; the firmware PCRs' in one line each below.
grep -v '^ *pcr\([0-9]*\.[a-z0-9_]*\.\(mode\|digest\)\|[0-9]\.\)' /tmp/start.out | sed 's/^/   /'
check "the handoff committed" test "$rc" = 0
cp "$TH_SYSFS/record" "$RESULTS/record"
echo "   firmware PCRs replayed from the TCG event log: $(handoff_record_get fw_replay)"
echo "   firmware PCRs bound to the pTPM's value:       $(handoff_record_get fw_bind)"
fw_same=yes
for p in $(handoff_record_get fw_replay); do
	[ "$(tr 'A-F' 'a-f' <"/sys/class/tpm/$vchip/pcr-sha256/$p")" = \
		"$(handoff_record_get "pcr$p.sha256")" ] || fw_same=no
done
check "the vTPM's replayed firmware PCRs equal the pTPM's snapshot (sha256)" test "$fw_same" = yes

step "4. dom0 keeps measuring, on the vTPM"
ima_grow $(( $(ima_count) + 100 ))
echo "   IMA log: $before entries before the handoff, $(ima_count) now"
echo "   PCR 10 sha256 read through tpm0 (forwarded): $(pcr10 tpm0)"
echo "   PCR 10 sha256 of the vTPM $vchip:            $(pcr10 "$vchip")"
check "tpm0 now reads the vTPM" test "$(pcr10 tpm0)" = "$(pcr10 "$vchip")"
p16=$(cat "/sys/class/tpm/$vchip/pcr-sha256/16")
TPM2TOOLS_TCTI=device:/dev/tpmrm0 tpm2_pcrextend "16:sha256=$(printf '%064x' 1)"
check "tpm2_pcrextend PCR 16 on /dev/tpmrm0 reached the vTPM" \
	test "$(cat "/sys/class/tpm/$vchip/pcr-sha256/16")" != "$p16"

step "5. tpm-handoff verify"
tpm-handoff verify 2>&1 | sed 's/^/   /'
check "verify passes" test "${PIPESTATUS[0]}" = 0
ima_quiet_snapshot "$vchip" "$RESULTS/vtpm" >/dev/null 2>&1
exit $fail
