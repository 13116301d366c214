#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rmmod cannot race a handoff.  The trigger holds a reference on the module
# for its whole length (the commit installs ops that live in it): rmmod
# while the state is "running" fails with EBUSY ("in use"), and the
# handoff then ends normally.  The vTPM answers each command 20 ms late
# (vtpmd --delay-ms) so that the handoff runs for seconds.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 8
mark=$(dmesg_mark)
vchip=$(vtpm_restart --delay-ms 20) || tap_bail "vtpmd did not restart"
tap_ok "insmod tpm_handoff.ko" handoff_load
handoff_trigger 1 >/tmp/trigger.out &
tpid=$!
for _ in $(seq 600); do
	[ "$(handoff_state)" = running ] && break
	nap 0.05
done
tap_is "$(handoff_state)" running "the handoff is running"
err=$(rmmod tpm_handoff 2>&1)
rc=$?
state=$(handoff_state 2>/dev/null)
tap_ok "rmmod while it runs fails: $err" test "$rc" != 0
tap_ok "because the module is in use" grep -q "in use" <<<"$err"
tap_is "$state" running "the handoff was still running then"
wait "$tpid"
tap_is "$(cat /tmp/trigger.out)" ok "the trigger then succeeds"
tap_is "$(handoff_state)" committed "state is committed"
ima_grow $(( $(ima_count) + 20 ))
ima_quiet_snapshot "$vchip" "$RESULTS/vtpm" || tap_diag "the IMA log never held still"
n=$(cat "$RESULTS/vtpm/count")
ima-replay --expect "$RESULTS/vtpm/pcr10" --pcr 10 --entries "$n" \
	"$RESULTS/vtpm/ima.log" >"$RESULTS/vtpm/replay.out" 2>&1
tap_is "$?" 0 "IMA goes on, and the whole log ($n entries) replays to the vTPM's PCR 10 in every bank"
dmesg_since "$mark" | grep -i "tpm_handoff" | tail -n 3 | sed 's/^/# /'
tap_done
