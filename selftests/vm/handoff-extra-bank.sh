#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# No vTPM bank is left open for forgery.  The pTPM here has only the sha1
# and sha256 banks; the vTPM starts with all four.  IMA extends the pTPM
# chip's banks only, so the vTPM's sha384 and sha512 PCRs would never be
# extended: anyone could drive them to match a forged log.  The handoff
# refuses such a vTPM, naming the bank and the fix; vtpmd --pcr-banks
# starts it with the pTPM's banks, and then it commits.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

banks() { ls -d /sys/class/tpm/"$1"/pcr-* | sed 's|.*/pcr-||' | tr '\n' ' '; }

tap_plan 10
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
tap_is "$(banks tpm0)" "sha1 sha256 " "the pTPM has the sha1 and sha256 banks"
tap_is "$(banks "$vchip")" "sha1 sha256 sha384 sha512 " "the vTPM has all four"
tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(handoff_trigger 1)" EOPNOTSUPP "a vTPM with banks the pTPM lacks is refused"
tap_diag "$(handoff_error)"
tap_ok "the error names the bank and vtpmd --pcr-banks" \
	grep -q "has a sha384 PCR bank that the pTPM lacks.*vtpmd --pcr-banks sha1,sha256" "$TH_SYSFS/error"
tap_is "$(handoff_record_get barrier_ns)" 0 "the barrier was never raised"

vchip=$(vtpm_restart --pcr-banks sha1,sha256) || tap_bail "vtpmd did not restart"
tap_is "$(banks "$vchip")" "sha1 sha256 " "vtpmd --pcr-banks sha1,sha256: the vTPM has the pTPM's banks"
tap_is "$(handoff_trigger 1)" ok "the handoff then commits"
ima_grow $(( $(ima_count) + 20 ))
ima_quiet_snapshot "$vchip" "$RESULTS/vtpm" || tap_diag "the IMA log never held still"
n=$(cat "$RESULTS/vtpm/count")
ima-replay --expect "$RESULTS/vtpm/pcr10" --pcr 10 --entries "$n" \
	"$RESULTS/vtpm/ima.log" >"$RESULTS/vtpm/replay.out" 2>&1
tap_is "$?" 0 "the whole log ($n entries) replays to the vTPM's PCR 10 in both banks"
tap_is "$(pcr_values tpm0 10)" "$(pcr_values "$vchip" 10)" "tpm0 forwards to the vTPM (the same PCR 10 in both banks)"
tap_done
