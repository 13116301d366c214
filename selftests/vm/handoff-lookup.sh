#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Any user may read the vtpm attribute, which looks the vTPM up through
# xen_tpmfront_ext.  That lookup must never wait for a backend, and must
# not hold the state machine's lock: here the backend stalls during the
# frontend's probe, and both vtpm and state answer at once.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 4
vtpm_stop
vtpmd --domid 0 --state /run/vtpm/stall --fault stall --fault-after 0 >>"$RESULTS/vtpmd.log" 2>&1 &
echo $! >"$VTPMD_PID_FILE"
for _ in $(seq 100); do
	[ "$(xenstore-read /local/domain/0/backend/vtpm/0/0/state 2>/dev/null)" = 4 ] && break
	nap 0.1
done
sleep 2		# the frontend's probe waits for the first answer
tap_ok "insmod tpm_handoff.ko" handoff_load
timeout 20 cat "$TH_SYSFS/vtpm" >/tmp/vtpm.attr 2>&1 &
vpid=$!
nap 0.5
t0=$EPOCHREALTIME
state=$(timeout 20 cat "$TH_SYSFS/state")
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }')
tap_ok "state answers at once while the vtpm attribute is read ($state, $took s)" \
	awk -v s="$took" 'BEGIN { exit !(s < 1) }'
wait "$vpid"
tap_is "$?" 0 "the vtpm attribute answers too, without waiting for the backend"
tap_ok "it says no vTPM is connected: $(cat /tmp/vtpm.attr)" \
	grep -q "^none: no vTPM: no Xen vTPM is connected" /tmp/vtpm.attr
rmmod tpm_handoff
tap_done
