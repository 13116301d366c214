#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke test of the measured dom0: tpm0 is the tpm_tis pTPM, IMA's log
# holds >= 1000 real measurements, and evmctl validates that log against
# the pTPM's PCR 10.  Leaves PCR 10 as read in dom0 in $RESULTS/pcr10 for
# the host half (smoke.host), which recomputes it from the swtpm trace.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"

tap_plan 8

drv=$(readlink -f /sys/class/tpm/tpm0/device/driver)
tap_is "${drv##*/}" tpm_tis "tpm0 is bound to tpm_tis"
tap_is "$(cat /sys/class/tpm/tpm0/tpm_version_major)" 2 "tpm0 is a TPM 2.0"

ima_grow 1000
n=$(ima_count)
tap_diag "IMA measurements: $n"
tap_ok "IMA log has >= 1000 entries" test "$n" -ge 1000

# Validate.  Run every program the check uses once first, so that their
# own measurements land before the snapshot; then snapshot the log and read
# the PCRs with nothing measured in between: the whole log must match.
# (An empty log is enough to load evmctl, its libraries and OpenSSL's
# configuration; the reads below use shell builtins.)
evmctl -v ima_measurement --pcrs sha256,/dev/null /dev/null >/dev/null 2>&1
cp "$IMA_DIR/binary_runtime_measurements" /tmp/warm.log

cat "$IMA_DIR/binary_runtime_measurements" >/tmp/ima.log
n=$(ima_count)
echo "$n" >"$RESULTS/ima-count"
for b in $TPM_BANKS; do
	pcrs_file tpm0 "$b" "/tmp/$b.pcrs"
done
for b in $TPM_BANKS; do
	while read -r p v; do
		[ "$p" = PCR-10: ] && echo "pcr10.$b: ${v,,}"
	done <"/tmp/$b.pcrs"
done >"$RESULTS/pcr10"
cp /tmp/ima.log "$RESULTS/ima.log"
tap_is "$(ima_count)" "$n" "nothing was measured while PCRs were read"

# sha384/sha512 hold zero-padded SHA-1 digests on this kernel (IMA cannot
# allocate those hashes at boot), so evmctl checks sha1 and sha256; the
# host half checks all four banks against the swtpm trace.
evmctl -v ima_measurement --pcrs sha1,/tmp/sha1.pcrs \
	--pcrs sha256,/tmp/sha256.pcrs /tmp/ima.log >/tmp/evmctl.out 2>&1
rc=$?
tail -n 5 /tmp/evmctl.out | tap_diag "$(cat)"
tap_is "$rc" 0 "evmctl ima_measurement exits 0"
for b in sha1 sha256; do
	tap_ok "evmctl: the whole log ($n entries) reproduces PCR 10 $b" \
		grep -q "^$b PCR-10: succeed at entry $n\$" /tmp/evmctl.out
done
tap_ok "dom0 read PCR 10 in 4 banks" test "$(grep -c '[0-9a-f]\{40\}' "$RESULTS/pcr10")" = 4
tap_done
