#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A TPM 1.2 pTPM (swtpm without --tpm2) hands off to a TPM 1.2 vTPM
# (vtpmd --tpm1) end to end, with SHA-1 PCR 10 continuity: the prefix
# [0, cut) reproduces the pTPM's snapshot, the whole log the vTPM's PCR 10,
# firmware PCRs come from the TPM 1.2 format event log, and afterwards IMA
# and /dev/tpm0 reach the vTPM.  A TPM 2.0 vTPM is refused first (mixed
# families).  tpm-handoff verify passes on the pair.  The host half
# (handoff-tpm1.host) checks the pTPM's side from its swtpm trace.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

# tpm1_pcr CHIP P: PCR P of a TPM 1.2 chip (its device's pcrs file), as
# lower-case hex.
tpm1_pcr() {
	sed -n "s/^PCR-$(printf '%02d' "$2"): //p" "/sys/class/tpm/$1/device/pcrs" |
		tr -d ' \n' | tr 'A-F' 'a-f'
}

# tpm1_extend16: TPM_Extend of PCR 16 with 0x16 x 20 through /dev/tpm0;
# prints the new value the TPM returns.
tpm1_extend16() {
	python3 - <<'PY'
import os
fd = os.open("/dev/tpm0", os.O_RDWR)
os.write(fd, bytes.fromhex("00c1" "00000022" "00000014" "00000010") + b"\x16" * 20)
r = os.read(fd, 4096)
print(r[10:30].hex() if len(r) == 30 and r[6:10] == b"\0\0\0\0" else "error " + r.hex())
PY
}

tap_plan 23
mark=$(dmesg_mark)
tap_is "$(cat /sys/class/tpm/tpm0/tpm_version_major)" 1 "the pTPM (tpm0) is a TPM 1.2"
ima_grow 300 || tap_diag "the log did not grow"
tap_ok "IMA measures into it ($(ima_count) entries, PCR 10 $(tpm1_pcr tpm0 10 | cut -c1-16)...)" \
	test "$(ima_count)" -ge 300 -a "$(tpm1_pcr tpm0 10)" != "$(printf '%040d' 0)"
cat /sys/kernel/security/tpm0/binary_bios_measurements >"$RESULTS/fw.log" 2>/dev/null

# Mixed families: the boot's vTPM is a TPM 2.0.
tap_ok "insmod tpm_handoff.ko" handoff_load
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
tap_is "$(handoff_trigger)" EINVAL "a TPM 2.0 vTPM ($vchip) for a TPM 1.2 pTPM is refused"
tap_ok "the error names both families: $(handoff_error)" \
	grep -q "pTPM tpm0 is a TPM 1.2 but the vTPM $vchip is a TPM 2.0" <<<"$(handoff_error)"
tap_is "$(handoff_record_get barrier_ns)" 0 "the barrier was never raised"

vtpm_stop
vchip=$(VTPM_STATE_DIR=/run/vtpm/dom0-tpm12 vtpm_start --tpm1)
tap_ok "vtpmd --tpm1 brings up a TPM 1.2 vTPM ($vchip)" \
	test -n "$vchip" -a "$(cat /sys/class/tpm/"$vchip"/tpm_version_major 2>/dev/null)" = 1
[ -n "$vchip" ] || tap_bail "no TPM 1.2 vTPM"
tap_is "$(cat $TH_SYSFS/vtpm)" "$vchip xen" "tpm_handoff now sees it"

ptpm_fw=$(for p in $(seq 0 9); do tpm1_pcr tpm0 "$p"; done)
tap_is "$(handoff_trigger)" ok "the TPM 1.2 handoff commits"
tap_diag "$(handoff_error)"
cp "$TH_SYSFS/record" "$RESULTS/record"
tap_is "$(handoff_record_get family)/$(handoff_record_get banks)" "1.2/sha1" \
	"the record says family 1.2, bank sha1"
cut=$(handoff_record_get cut)
snap=$(handoff_record_get pcr10.sha1)
tap_ok "it has a cut ($cut) and the pTPM's SHA-1 PCR 10" test -n "$cut" -a ${#snap} = 40

# The prefix [0, cut) reproduces the pTPM's snapshot.
cat "$IMA_DIR/binary_runtime_measurements" >"$RESULTS/ima.log"
echo "pcr10.sha1: $snap" >"$RESULTS/ptpm.pcr10"
ima-replay --expect "$RESULTS/ptpm.pcr10" --pcr 10 --entries "$cut" "$RESULTS/ima.log" \
	>"$RESULTS/ptpm.replay" 2>&1
tap_is "$?" 0 "entries [0, $cut) reproduce the pTPM's PCR 10 snapshot"

# Firmware PCRs from the TPM 1.2 format event log.
tap_is "$(handoff_record_get fw_log_format)" tpm1.2 "the firmware event log is in the TPM 1.2 format"
tap_is "$(handoff_record_get fw_replay)" "$(seq -s ' ' 0 9)" "it reproduces PCRs 0-9: all replayed"
tap_is "$(for p in $(seq 0 9); do tpm1_pcr "$vchip" "$p"; done)" "$ptpm_fw" \
	"the vTPM's PCRs 0-9 equal the pTPM's"

# After the commit: IMA extends the vTPM, and the whole log validates there.
n0=$(ima_count)
find /usr/lib/x86_64-linux-gnu -xdev -type f -size -32k 2>/dev/null | head -n 100 |
	xargs -r cat >/dev/null 2>&1
tap_ok "IMA keeps measuring ($n0 -> $(ima_count))" test "$(ima_count)" -gt "$n0"
for i in 1 2 3 4 5; do
	n=$(ima_count)
	cat "$IMA_DIR/binary_runtime_measurements" >"$RESULTS/ima.after"
	v=$(tpm1_pcr "$vchip" 10)
	[ "$(ima_count)" = "$n" ] && break
done
echo "pcr10.sha1: $v" >"$RESULTS/vtpm.pcr10"
ima-replay --expect "$RESULTS/vtpm.pcr10" --pcr 10 --entries "$n" "$RESULTS/ima.after" \
	>"$RESULTS/vtpm.replay" 2>&1
tap_is "$?" 0 "the whole log ($n entries) reproduces the vTPM's SHA-1 PCR 10"
tap_is "$(tpm1_pcr tpm0 10)" "$(tpm1_pcr "$vchip" 10)" "tpm0 now reads the vTPM's PCR 10"

# /dev/tpm0 reaches the vTPM.
before=$(tpm1_pcr "$vchip" 16)
new=$(tpm1_extend16)
tap_ok "TPM_Extend of PCR 16 through /dev/tpm0 succeeds ($new)" test ${#new} = 40
tap_is "$(tpm1_pcr "$vchip" 16)" "$new" "and lands in the vTPM's PCR 16"
tap_ok "which changed ($before -> $new)" test "$before" != "$new"
tpm-handoff verify --fw-log "$RESULTS/fw.log" >"$RESULTS/verify.out" 2>&1
tap_is "$?" 0 "tpm-handoff verify passes on the TPM 1.2 pair (PCR 10 and the firmware PCRs, --fw-log)"
tap_diag "$(tail -n 4 "$RESULTS/verify.out")"
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
