#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A signal never costs a measurement.  IMA extends in the context of the
# task that opens a file; a task that handles SIGUSR1 creates and reads
# 300 new files while another floods it with SIGUSR1.  On the pTPM first
# (the control: tpm_tis polls, signals do not reach its waits), then after
# the commit, on the vTPM behind xen_tpmfront_ext.  Each time the whole
# log must replay to the TPM's PCR 10 in every bank, and the kernel log
# must show no TPM error.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 10
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
mkdir -p /var/tmp/sig

# reader DIR N: a bash that handles SIGUSR1 creates N new files and reads
# each one itself (a builtin read: the open, and so IMA's extend, happen
# in this task), then reports how many signals it handled.
reader() {
	local dir=$1 n=$2 i got=0 line
	trap 'got=$((got + 1))' USR1
	echo "$BASHPID" >"$dir.pid"
	for ((i = 0; i < n; i++)); do
		echo "$dir file $i $RANDOM" >"$dir/f$i"
		read -r line <"$dir/f$i"
	done
	echo "$got" >"$dir.signals"
}

# flood PID: SIGUSR1 to PID until it is gone (the kill builtin: no fork).
flood() {
	while kill -USR1 "$1" 2>/dev/null; do :; done
}

# storm NAME CHIP: the reader under the flood; then the whole log against
# CHIP's PCR 10, and the kernel log since the start.
storm() {
	local name=$1 chip=$2 dir=/var/tmp/sig/$1 mark pid n
	mkdir -p "$dir"
	mark=$(dmesg_mark)
	rm -f "$dir.pid" "$dir.signals"
	reader "$dir" 300 &
	pid=$!
	while [ ! -s "$dir.pid" ]; do nap 0.01; done
	flood "$(cat "$dir.pid")" &
	wait "$pid"
	wait
	tap_ok "$name: the reader read 300 new files and handled $(cat "$dir.signals" 2>/dev/null) signals" \
		test "$(cat "$dir.signals" 2>/dev/null || echo 0)" -gt 0
	ima_quiet_snapshot "$chip" "$RESULTS/$name" || tap_diag "the IMA log never held still"
	n=$(cat "$RESULTS/$name/count")
	ima-replay --expect "$RESULTS/$name/pcr10" --pcr 10 --entries "$n" \
		"$RESULTS/$name/ima.log" >"$RESULTS/$name/replay.out" 2>&1
	tap_is "$?" 0 "$name: the whole log ($n entries) replays to $chip's PCR 10 in every bank"
	tap_diag "$(tail -n 3 "$RESULTS/$name/replay.out")"
	dmesg_since "$mark" >"$RESULTS/$name/dmesg"
	tap_is "$(grep -E -i 'tpm|ima:' "$RESULTS/$name/dmesg" | grep -v -i 'tpm_handoff: ' | head -n 5)" "" \
		"$name: the kernel log shows no TPM or IMA error"
}

storm control tpm0
tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(handoff_trigger 1)" ok "the handoff commits"
tap_is "$(handoff_state)" committed "state is committed"
storm vtpm "$vchip"
tap_ok "and /dev/tpm0 is the vTPM: the same PCR 10" \
	test "$(pcr_values tpm0 10)" = "$(pcr_values "$vchip" 10)"
tap_done
