#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A vTPM that serves before its storage exists (vtpmd --state-later DIR):
# it answers and is extended with its state in memory, touching nothing
# on disk; SIGHUP makes it adopt DIR (made 0700) and persist from then on;
# stopped cleanly and started on DIR, it resumes with its PCRs.  A
# directory that holds another TPM's state is refused on SIGHUP, and the
# vTPM goes on serving from memory.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 12
export VTPMD_LOG=/run/vtpmd-later.log
trap 'cat "$VTPMD_LOG" >>"$RESULTS/vtpmd.log" 2>/dev/null' EXIT
DIR=/var/lib/th-state-later
rm -rf "$DIR"

# later DIR: a vtpmd with --state-later DIR; print its chip.
later() {
	vtpmd --domid 0 --state-later "$1" >>"$VTPMD_LOG" 2>&1 &
	echo $! >"$VTPMD_PID_FILE"
	vtpm_wait_chip 60
}
# said TEXT SECS: vtpmd's output has TEXT within SECS.
said() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -qF -- "$1" "$VTPMD_LOG" && return 0
		nap 0.1
	done
	return 1
}

vtpm_stop
: >"$VTPMD_LOG"
chip=$(later "$DIR") || tap_bail "no vTPM chip from vtpmd --state-later"
tap_ok "vtpmd --state-later serves before it has a state directory ($chip)" \
	tpm2 "$chip" getrandom 8 -o /tmp/random
tpm2 "$chip" pcrextend 12:sha256=$(printf '%064d' 12) >/dev/null
v12=$(pcr_values "$chip" 12)
tap_ok "it was extended (PCR 12), and nothing is on disk: $DIR does not exist" \
	test -n "$v12" -a ! -e "$DIR"
kill -HUP "$(cat "$VTPMD_PID_FILE")"
tap_ok "SIGHUP: it adopts $DIR" said "state directory $DIR adopted; persisting from now on" 10
tap_ok "  the state is there (permall), the directory 0700" \
	test -s "$DIR/permall" -a "$(stat -c %a "$DIR")" = 700
tap_is "$(pcr_values "$chip" 12)" "$v12" "  it still serves, PCR 12 unchanged"
vtpm_stop
tap_ok "SIGTERM saves the state in $DIR" said "state saved in $DIR; the next start resumes it" 10
chip=$(VTPM_STATE_DIR=$DIR vtpm_start) || tap_bail "no vTPM chip from vtpmd --state $DIR"
tap_ok "vtpmd --state $DIR resumes it" said "resumed the state saved at the last clean stop" 10
tap_is "$(pcr_values "$chip" 12)" "$v12" "PCR 12 kept the value it was given before there was storage"

# Another TPM in memory does not take a directory that holds this one.
vtpm_stop
sum=$(sha256sum <"$DIR/permall")
chip=$(later "$DIR") || tap_bail "no second vTPM chip from vtpmd --state-later"
v12b=$(pcr_values "$chip" 12)
tap_ok "a second vtpmd --state-later $DIR serves a new TPM (PCR 12 reset)" test "$v12b" != "$v12"
kill -HUP "$(cat "$VTPMD_PID_FILE")"
tap_ok "SIGHUP: it refuses $DIR, which holds another TPM's state" \
	said "refusing the state directory $DIR: it holds a different TPM's state; still serving from memory" 10
tap_ok "  and still serves from memory" tpm2 "$chip" getrandom 8 -o /tmp/random
tap_is "$(sha256sum <"$DIR/permall")" "$sum" "  the directory still holds the first TPM (its permall unchanged)"
vtpm_stop
rm -rf "$DIR"
tap_done
