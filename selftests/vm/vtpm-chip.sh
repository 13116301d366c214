#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# With vtpmd serving dom0, the vTPM is a TPM 2.0 chip whose /dev/tpmN and
# /dev/tpmrmN answer tpm2-tools, and PCR_Extend computes what the TPM 2.0
# spec says.  xen_tpmfront_ext refuses to load beside the stock driver.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/vtpm.sh"

tap_plan 14
mark=$(dmesg_mark)
chip=$(vtpm_chip)
tap_ok "a vTPM chip is registered by xen_tpmfront_ext ($chip)" test -n "$chip"
[ -n "$chip" ] || tap_bail "no vTPM chip; setup.log: $(cat "$RESULTS/setup.log")"
rm_dev=tpmrm${chip#tpm}
tap_is "$(cat /sys/class/tpm/$chip/tpm_version_major)" 2 "it is a TPM 2.0 chip"
tap_ok "it has /dev/$rm_dev" test -c "/dev/$rm_dev"
tap_is "$(ls -d /sys/class/tpm/$chip/pcr-* | sed 's/.*pcr-//' | sort | paste -sd' ')" \
	"sha1 sha256 sha384 sha512" "its PCR banks are sha1 sha256 sha384 sha512"

for dev in $chip $rm_dev; do
	r=$(tpm2 $dev getrandom --hex 16)
	tap_ok "getrandom on /dev/$dev" test ${#r} = 32
done

old=$(tpm2 $rm_dev pcrread sha256:16 | awk '/16:/ { print tolower(substr($2, 3)) }')
d=$(printf 'tpm-handoff' | sha256sum | cut -d' ' -f1)
tpm2 $chip pcrextend "16:sha256=$d"
tap_is $? 0 "pcrextend on /dev/$chip"
new=$(tpm2 $rm_dev pcrread sha256:16 | awk '/16:/ { print tolower(substr($2, 3)) }')
want=$(python3 -c "import hashlib,sys; print(hashlib.sha256(bytes.fromhex(sys.argv[1]) + bytes.fromhex(sys.argv[2])).hexdigest())" "$old" "$d")
tap_is "$new" "$want" "pcrread on /dev/$rm_dev shows PCR 16 = sha256(old || digest)"
tap_is "$(tr 'A-F' 'a-f' </sys/class/tpm/$chip/pcr-sha256/16)" "$want" \
	"the kernel's own PCR read (sysfs) agrees"

tap_ok "the pTPM is untouched: tpm0 is still tpm_tis" \
	test "$(basename "$(readlink -f /sys/class/tpm/tpm0/device/driver)")" = tpm_tis
tap_ok "kernel log is clean" kernel_log_clean "$mark"

# The stock driver and this one both claim "vtpm" devices.
vtpm_stop
rmmod xen_tpmfront_ext
tap_is $? 0 "with vtpmd stopped, xen_tpmfront_ext unloads"
modprobe xen-tpmfront
mark=$(dmesg_mark)
insmod "$TH_MODULES/xen_tpmfront_ext.ko" 2>/dev/null
tap_ok "it refuses to load beside the stock xen_tpmfront" test $? != 0
tap_ok "and says why" sh -c "dmesg | tail -n +$((mark + 1)) | grep -q 'stock xen_tpmfront driver is loaded'"
tap_done
