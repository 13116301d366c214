#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A backend never stalls xenbus.  Every paravirtual device of dom0 (and
# every xenstore watch opened through /dev/xen/xenbus) is served by one
# kernel thread, xenwatch; the vTPM frontend must not wait for its backend
# there.  Two backends that do not answer: one that stalls during the
# frontend's probe and is then stopped, one that stops answering once it
# announces Closing.  Meanwhile another xenstore watch in dom0 fires within
# LIMIT seconds: a watch takes about 0.1 s on Debian's kernel, more than a
# second on the debug kernel next to another VM; a xenwatch blocked by the
# frontend (the stock driver, or ours before the fix) never fires while the
# backend stalls (99: not within the 30 s the test waits).
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/vtpm.sh"

tap_plan 6
node=/local/domain/0/th-xenwatch
LIMIT=5

# watch_latency: seconds from a write of $node to its watch firing, for a
# watch registered through the kernel (/dev/xen/xenbus: served by
# xenwatch), or 99 if it did not fire within 30 s.
watch_latency() {
	local out=/tmp/xenwatch.$BASHPID t0
	XENSTORED_PATH=/dev/xen/xenbus timeout 30 xenstore-watch -n 2 "$node" >"$out" 2>&1 &
	# The first event is the registration's own.
	for _ in $(seq 300); do [ -s "$out" ] && break; nap 0.1; done
	t0=$EPOCHREALTIME
	xenstore-write "$node" "$t0"
	for _ in $(seq 300); do
		[ "$(grep -c . "$out")" -ge 2 ] && {
			awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
			return
		}
		nap 0.05
	done
	echo 99
}

xenstore-write "$node" start
l=$(watch_latency)
tap_ok "a watch through /dev/xen/xenbus fires at once ($l s)" \
	awk -v s="$l" -v m=$LIMIT 'BEGIN { exit !(s < m) }'

# 1. The backend stalls on the probe's first command, then stops.
vtpm_stop
vtpmd --domid 0 --state /run/vtpm/stall --fault stall --fault-after 0 >>"$RESULTS/vtpmd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ "$(xenstore-read /local/domain/0/backend/vtpm/0/0/state 2>/dev/null)" = 4 ] && break
	nap 0.1
done
sleep 2		# the frontend's probe waits for the first answer
kill -TERM "$pid"
sleep 1
l=$(watch_latency)
tap_ok "the probe stalled, vtpmd stopping: another watch fires within $LIMIT s ($l s)" \
	awk -v s="$l" -v m=$LIMIT 'BEGIN { exit !(s < m) }'
wait "$pid"
tap_ok "the stalled device goes away" vtpm_wait_gone 60

# 2. The backend stops answering once it announces Closing.
vtpmd --domid 0 --state /run/vtpm/close --fault close-stall >>"$RESULTS/vtpmd.log" 2>&1 &
pid=$!
chip=$(vtpm_wait_chip 60) || tap_bail "no vTPM chip came"
kill -TERM "$pid"
sleep 1
l=$(watch_latency)
tap_ok "vtpmd silent while closing ($chip): another watch fires within $LIMIT s ($l s)" \
	awk -v s="$l" -v m=$LIMIT 'BEGIN { exit !(s < m) }'
wait "$pid"
tap_ok "the silent device goes away" vtpm_wait_gone 60
chip=$(vtpm_start) || tap_bail "vtpmd did not start again"
tap_ok "a new vtpmd serves again ($chip)" tpm2 "$chip" getrandom 8 -o /tmp/random
tap_done
