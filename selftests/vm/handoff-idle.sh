#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Before a handoff nothing changes for any TPM user, and rmmod leaves the
# system as it was: loading, reading every attribute and unloading (twice)
# sends the pTPM nothing (the host half checks the swtpm trace between two
# markers), tpm0 keeps working, IMA keeps measuring into the pTPM and its
# log still validates there, and no reference is left behind.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 12
mark=$(dmesg_mark)
users() { awk -v m="$1" '$1 == m { print $3 }' /proc/modules; }
front_users=$(users xen_tpmfront_ext)
# Warm up every program used between the markers, so that only the
# module's own measurement lands there.
cat /proc/modules /sys/class/tpm/tpm0/pcr-sha256/10 >/dev/null
ls /sys/kernel >/dev/null

ptpm_marker || echo "marker 1 failed" >>/tmp/idle.err
for i in 1 2; do
	insmod "$TH_MODULES/tpm_handoff.ko" || echo "insmod $i failed" >>/tmp/idle.err
	for f in state error ptpm vtpm record; do
		cat "$TH_SYSFS/$f" >>/tmp/idle.attrs 2>&1 || echo "read $f" >>/tmp/idle.err
	done
	rmmod tpm_handoff || echo "rmmod $i failed" >>/tmp/idle.err
done
ptpm_marker || echo "marker 2 failed" >>/tmp/idle.err
tap_is "$(cat /tmp/idle.err 2>/dev/null)" "" "insmod, reading every attribute and rmmod worked twice (between two markers)"
tap_diag "$(cat /tmp/idle.attrs)"
tap_ok "the attributes said idle, tpm0 and the vTPM" \
	sh -c "grep -qx idle /tmp/idle.attrs && grep -qx tpm0 /tmp/idle.attrs &&
	       grep -q '^tpm[0-9]* xen\$' /tmp/idle.attrs"
tap_ok "/sys/kernel/tpm_handoff is gone after rmmod" test ! -e "$TH_SYSFS"
tap_is "$(users xen_tpmfront_ext)" "$front_users" "xen_tpmfront_ext has its users count back ($front_users)"

r=$(tpm2 tpm0 getrandom --hex 8 2>/dev/null)
tap_is "${#r}" 16 "tpm0 still answers getrandom"
tap_is "$(readlink -f /sys/class/tpm/tpm0/device/driver | xargs basename)" tpm_tis \
	"tpm0 is still tpm_tis's"
n0=$(ima_count)
ima_grow $((n0 + 50))
tap_ok "IMA keeps measuring ($n0 -> $(ima_count))" test "$(ima_count)" -gt "$n0"
ptpm_validates /tmp/after "after rmmod"

# Unloading without a handoff left the vTPM usable and untouched.
tap_is "$(tr 'A-F' 'a-f' </sys/class/tpm/"${TH_VTPM_DEV:-tpm1}"/pcr-sha256/10)" \
	"$(printf '%064d' 0)" "the vTPM's PCR 10 is still in its reset state"
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_is "$(dmesg_since "$mark" | grep -c 'tpm_handoff: attached to tpm0')" 2 \
	"the module said twice that it attached to tpm0"
# Last: PCR 10 with nothing measured around it, for the host half.
ima_quiet_snapshot tpm0 /tmp/final && cp /tmp/final/pcr10 "$RESULTS/pcr10"
tap_done
