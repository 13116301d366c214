#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vtpmd killed (SIGKILL) in the middle of a stream of commands: the client
# gets errors within the TPM's timeouts, never a hang; the kernel log has
# no oops or warning; no event channel or grant is left behind; a restarted
# vtpmd is usable again.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/vtpm.sh"

tap_plan 9
mark=$(dmesg_mark)
chip=$(vtpm_chip) || tap_bail "no vTPM chip"
rm_dev=tpmrm${chip#tpm}

# The stream: one getrandom after another, each logged as "rc ms".
stream() {
	local s e rc
	while [ ! -e /tmp/stop-stream ]; do
		s=$(date +%s%N)
		tpm2 "$1" getrandom 8 >/dev/null 2>&1
		rc=$?
		e=$(date +%s%N)
		echo "$rc $(( (e - s) / 1000000 ))"
	done
}
stream "$rm_dev" >/tmp/stream.log &
spid=$!
sleep 3
ok_before=$(awk '$1 == 0' /tmp/stream.log | wc -l)
kill -9 "$(cat "$VTPMD_PID_FILE")"
killed_at=$(wc -l </tmp/stream.log)
# Let the client run into the dead backend a few times.
for _ in $(seq 600); do
	[ "$(tail -n +$((killed_at + 2)) /tmp/stream.log | awk '$1 != 0' | wc -l)" -ge 3 ] && break
	nap 0.1
done
touch /tmp/stop-stream
timeout 30 tail --pid=$spid -f /dev/null
tap_ok "the stream was running before the kill ($ok_before commands ok)" test "$ok_before" -gt 0
tap_ok "the client stopped cleanly after the kill (no hang)" sh -c "! kill -0 $spid 2>/dev/null"
after=$(tail -n +$((killed_at + 2)) /tmp/stream.log)
nerr=$(awk '$1 != 0' <<<"$after" | wc -l)
maxms=$(awk '$1 != 0 && $2 > m { m = $2 } END { print m + 0 }' <<<"$after")
tap_ok "commands after the kill fail ($nerr errors)" test "$nerr" -ge 3
tap_diag "slowest failing command: $maxms ms"
tap_ok "each failed within the TPM's timeouts (slowest $maxms ms < 10 s)" test "$maxms" -lt 10000

# The dead vtpmd's chip goes when the new one closes its stale device:
# wait for the new chip, not the old one.
new=$(vtpm_restart)
tap_ok "a restarted vtpmd brings a vTPM chip back ($new)" test -n "$new"
r=$(tpm2 "tpmrm${new#tpm}" getrandom --hex 8 2>/tmp/getrandom.err)
[ ${#r} = 16 ] || tap_diag "$(ls -l /dev/tpm* 2>&1; head -n 5 /tmp/getrandom.err)"
tap_is "${#r}" 16 "and it answers getrandom"
tap_is "$(grep -c tpmif /proc/interrupts)" 1 "one tpmif event channel: none leaked"
tap_ok "no grant was left in use" sh -c "! dmesg | tail -n +$((mark + 1)) | grep -qi 'still in use\|leaking'"
tap_ok "kernel log is clean" kernel_log_clean "$mark"
dmesg_since "$mark" | grep -i 'tpm' | sed 's/^/# /'
tap_done
