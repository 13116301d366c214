#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A vTPM that lacks a PCR bank which IMA extends on the pTPM is refused
# before anything happens: -EOPNOTSUPP, an error that names the bank, and
# the system stays on the pTPM.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 8
mark=$(dmesg_mark)
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"

# Allocate only sha256 in the vTPM; the allocation takes effect at its
# next power-on.
tpm2 "$vchip" pcrallocate sha1:none+sha256:all+sha384:none+sha512:none >/dev/null 2>&1
vchip=$(vtpm_restart) || tap_bail "vtpmd did not restart"
tap_is "$(ls -d /sys/class/tpm/"$vchip"/pcr-* | xargs -n1 basename | tr '\n' ' ')" "pcr-sha256 " \
	"the vTPM now has only the sha256 bank"

tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(handoff_trigger 1)" EOPNOTSUPP "a vTPM missing banks is refused with -EOPNOTSUPP"
tap_diag "error: $(handoff_error)"
tap_ok "the error names the missing bank and the fix" \
	grep -q "has no sha1 PCR bank.*tpm2_pcrallocate" <<<"$(handoff_error)"
tap_is "$(handoff_state)" aborted "state is aborted"
tap_is "$(handoff_record_get barrier_ns)" 0 "the barrier was never raised"
ptpm_validates /tmp/b "missing bank"
tap_done
