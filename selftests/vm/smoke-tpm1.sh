#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke test of the measured dom0 on a TPM 1.2 pTPM (testing/vm/boot-dom0 --tpm1):
# tpm0 is the tpm_tis pTPM, a TPM 1.2, enabled and active; SeaBIOS left a
# TCG 1.2 event log (ACPI TCPA); IMA's boot_aggregate is real, its log
# holds >= 500 measurements, and evmctl validates that log against PCR 10
# (sha1, the only bank).  Leaves for the host half (smoke-tpm1.host), which
# recomputes every PCR from the swtpm trace: $RESULTS/pcrs (tpm0's PCRs
# 0-23 as dom0 read them), pcr10, ima.log, ima-count and bios.log.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"

tap_plan 14
sys=/sys/class/tpm/tpm0
drv=$(readlink -f $sys/device/driver)
tap_is "${drv##*/}" tpm_tis "tpm0 is bound to tpm_tis"
ver=$(cat $sys/tpm_version_major 2>/dev/null)
tap_is "$ver" 1 "tpm0 is a TPM 1.2"
[ "$ver" = 1 ] || tap_diag "a TPM 2.0 pTPM: boot with testing/vm/boot-dom0 --tpm1"
tap_ok "dmesg: tpm_tis found a 1.2 TPM" grep -q 'tpm_tis .*: 1\.2 TPM' <<<"$(dmesg)"
tap_ok "no /dev/tpmrm0 (TPM 1.2 has no resource manager)" test ! -e /dev/tpmrm0
tap_is "$(cat $sys/device/enabled 2>/dev/null) $(cat $sys/device/active 2>/dev/null)" "1 1" \
	"the pTPM is enabled and active"

# SeaBIOS's log (TCG_PCClientPCREventStruct, little endian: PCR index,
# event type, SHA-1 digest, event size, event) found through ACPI TCPA.
bios=/sys/kernel/security/tpm0/binary_bios_measurements
cp "$bios" "$RESULTS/bios.log" 2>/dev/null
tap_ok "the firmware event log is non-empty" test -s "$RESULTS/bios.log"
first=$(od -An -tu4 -N8 "$RESULTS/bios.log" 2>/dev/null | awk '{ print $1, $2 }')
tap_diag "first event: pcr, type = $first; $(od -An -tx1 -N32 "$RESULTS/bios.log" | tr -d '\n')"
tap_ok "its first event is a TCG 1.2 event for a PCR 0-7" \
	awk -v f="$first" 'BEGIN { split(f, a, " "); exit !(f != "" && a[1] < 8 && a[2] > 0 && a[2] < 256) }'

agg=$(awk '$5 == "boot_aggregate" { print $4; exit }' "$IMA_DIR/ascii_runtime_measurements")
tap_diag "boot_aggregate: $agg"
kind=none
[[ $agg =~ ^sha1:[0-9a-f]{40}$ ]] && kind=sha1
[[ $agg =~ ^sha1:0{40}$ ]] && kind=zero		# IMA found no TPM
tap_is "$kind" sha1 "IMA's boot_aggregate is a non-zero sha1"

ima_grow 500
n=$(ima_count)
tap_diag "IMA measurements: $n"
tap_ok "IMA log has >= 500 entries" test "$n" -ge 500

# Warm up every program the snapshot uses, then snapshot the log and read
# the PCRs (one TPM_PCRRead each) with nothing measured in between.
evmctl -v ima_measurement --pcrs sha1,/dev/null /dev/null >/dev/null 2>&1
cp "$IMA_DIR/binary_runtime_measurements" /tmp/warm.log
cat $sys/device/pcrs | awk '{ printf "%s ", $1; for (i = 2; i <= NF; i++) printf "%s", tolower($i); print "" }' |
	sed -n 's/^PCR-10: //p' | tr -d ' ' | tr 'A-F' 'a-f' >/dev/null

# Only files on tmpfs from here on: root's reads on ext4 (/job too) are
# measured.
cat "$IMA_DIR/binary_runtime_measurements" >/tmp/ima.log
n=$(ima_count)
cat $sys/device/pcrs >/tmp/pcrs
echo "pcr10.sha1: $(sed -n 's/^PCR-10: //p' /tmp/pcrs | tr -d ' ' | tr 'A-F' 'a-f')" >/tmp/pcr10
tap_is "$(ima_count)" "$n" "nothing was measured while PCRs were read"
[ "$(ima_count)" = "$n" ] ||
	tap_diag "$(tail -n +$((n + 1)) "$IMA_DIR/ascii_runtime_measurements" | head -n 5)"
echo "$n" >"$RESULTS/ima-count"
cp /tmp/ima.log /tmp/pcrs /tmp/pcr10 "$RESULTS/"
tap_is "$(grep -c '^PCR-[0-9][0-9]: \([0-9A-F][0-9A-F] \)\{20\}$' /tmp/pcrs)" 24 \
	"device/pcrs lists 24 SHA-1 PCRs"
tap_ok "PCR 10 is not zero" test "$(cat /tmp/pcr10)" != "pcr10.sha1: $(printf '%040d' 0)"

# evmctl reads "PCR-NN: hex" files; device/pcrs spaces the bytes.
awk '{ printf "%s ", $1; for (i = 2; i <= NF; i++) printf "%s", tolower($i); print "" }' \
	/tmp/pcrs >/tmp/sha1.pcrs
evmctl -v ima_measurement --pcrs sha1,/tmp/sha1.pcrs /tmp/ima.log >/tmp/evmctl.out 2>&1
rc=$?
tail -n 5 /tmp/evmctl.out | tap_diag "$(cat)"
tap_is "$rc" 0 "evmctl ima_measurement exits 0"
tap_ok "evmctl: the whole log ($n entries) reproduces PCR 10 sha1" \
	grep -q "^sha1 PCR-10: succeed at entry $n\$" /tmp/evmctl.out
tap_done
