#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke test of a native boot (tools/kernel/boot-native --script): the
# debugging options came up, tpm0 is the tpm_tis pTPM and IMA bound it,
# tpm_vtpm_proxy loads, and /job/modules has a tpm_handoff.ko built for
# this kernel.  Leaves dmesg in $RESULTS.
lib=${TH_SELFTESTS:-$(dirname "$0")/../../../selftests}/lib
# shellcheck source=/dev/null
. "$lib/tap.sh"

tap_plan 10
dmesg >"$RESULTS/boot-dmesg.txt"
tap_ok "KASAN initialised" grep -q 'KernelAddressSanitizer initialized' "$RESULTS/boot-dmesg.txt"
tap_ok "lockdep initialised" grep -q 'Lock dependency validator' "$RESULTS/boot-dmesg.txt"
tap_ok "kmemleak initialised" grep -q 'kmemleak: Kernel memory leak detector initialized' "$RESULTS/boot-dmesg.txt"

drv=$(readlink -f /sys/class/tpm/tpm0/device/driver)
tap_is "${drv##*/}" tpm_tis "tpm0 is bound to tpm_tis"
tap_is "$(cat /sys/class/tpm/tpm0/tpm_version_major)" 2 "tpm0 is a TPM 2.0"
ima=/sys/kernel/security/ima
agg=$(awk '$5 == "boot_aggregate" { print $4; exit }' "$ima/ascii_runtime_measurements")
tap_diag "boot_aggregate $agg; $(wc -l <"$ima/ascii_runtime_measurements") measurements"
tap_ok "IMA bound tpm0 (boot_aggregate is not zero)" \
	sh -c "[ -n '$agg' ] && ! echo '$agg' | grep -qE '^sha256:0+\$'"

modprobe tpm_vtpm_proxy
tap_ok "tpm_vtpm_proxy loads (/dev/vtpmx)" test -c /dev/vtpmx

ko=$TH_MODULES/tpm_handoff.ko
tap_ok "tpm_handoff.ko built for $(uname -r) is in /job/modules" \
	sh -c "[ \"\$(modinfo -F vermagic '$ko' | cut -d' ' -f1)\" = '$(uname -r)' ]"

echo scan >/sys/kernel/debug/kmemleak
cat /sys/kernel/debug/kmemleak >"$RESULTS/kmemleak.txt"
tap_diag "kmemleak: $(grep -c '^unreferenced object' "$RESULTS/kmemleak.txt") unreferenced objects after a scan"
tap_ok "a kmemleak scan runs" test -e "$RESULTS/kmemleak.txt"
dmesg >"$RESULTS/dmesg-end.txt"
tap_ok "no WARNING, BUG, KASAN, UBSAN or lockdep report" \
	sh -c "! grep -E 'WARNING:|BUG:|KASAN:|UBSAN:|possible circular locking|possible recursive locking|inconsistent lock state' '$RESULTS/dmesg-end.txt'"
tap_done
