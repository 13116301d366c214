#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# No handoff onto the pTPM chip itself.  On a dom0 without a TPM of its
# own the Xen vTPM is the only chip, tpm0, and tpm_handoff attaches to it
# as "the pTPM"; a trigger with vtpm=xen would forward the chip to itself
# and deadlock on its own ops_sem under the barrier.  With the early replay
# on and off: a clear error, at once, and the chip still works.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 8
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
tap_is "$vchip $(ls /sys/class/tpm | tr '\n' ' ')" "tpm0 tpm0 " \
	"the Xen vTPM is the only TPM chip, tpm0"
tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(cat $TH_SYSFS/ptpm)" tpm0 "tpm_handoff attaches to tpm0"
tap_ok "the vtpm attribute says the vTPM is the pTPM chip itself" \
	grep -q "^none: .*is the pTPM chip itself" "$TH_SYSFS/vtpm"
for p in 0 1; do
	echo "$p" >/sys/module/tpm_handoff/parameters/prereplay
	r=$(timeout 60 bash -c ". $lib/handoff.sh; handoff_trigger 1")
	tap_is "$r $(handoff_error)" \
		"EINVAL the vTPM (tpm0, provider xen) is the pTPM chip itself: there is nothing to hand off from (does this machine have a TPM of its own?)" \
		"prereplay=$p: -EINVAL at once, naming the cause"
done
tap_ok "the chip still answers (tpm2_getrandom on /dev/tpm0)" \
	timeout 30 env TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getrandom 8 -o /tmp/random
tap_ok "rmmod tpm_handoff" rmmod tpm_handoff
tap_done
