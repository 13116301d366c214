#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# TPM 1.2 backends keep working: vtpmd --tpm1 registers as a TPM 1.2 chip
# (no /dev/tpmrmN) that answers TPM 1.2 commands on /dev/tpmN.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/vtpm.sh"

tap_plan 5
mark=$(dmesg_mark)
vtpm_stop
chip=$(VTPM_STATE_DIR=/run/vtpm/dom0-tpm12 vtpm_start --tpm1)
tap_ok "vtpmd --tpm1 brings up a vTPM chip ($chip)" test -n "$chip"
[ -n "$chip" ] || tap_bail "no chip"
tap_is "$(cat /sys/class/tpm/$chip/tpm_version_major)" 1 "it registers as TPM 1.2"
tap_ok "it has no /dev/tpmrm${chip#tpm}" test ! -e "/dev/tpmrm${chip#tpm}"
# TPM_GetCapability(TPM_CAP_VERSION_VAL), raw: tag 0x00c1, size 18,
# ordinal 0x65, capArea 0x1a, subCapSize 0.
rsp=$(python3 - "/dev/$chip" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, bytes.fromhex("00c1" "00000012" "00000065" "0000001a" "00000000"))
print(os.read(fd, 4096).hex())
PY
)
tap_is "${rsp:0:20}" "00c4$(printf '%08x' $(( ${#rsp} / 2 )))00000000" \
	"/dev/$chip answers TPM_GetCapability with TPM_SUCCESS"
tap_ok "kernel log is clean" kernel_log_clean "$mark"
tap_done
