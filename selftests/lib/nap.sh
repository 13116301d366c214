#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# nap SECS: sleep without a process.  sleep(1) is a fork and an exec, which
# cost 60-120 ms of CPU in a Xen PV dom0 under TCG (Documentation/vm.rst):
# a loop that polls every 0.1 s with it keeps the guest's CPU more than
# half busy while it "waits", on a host whose CPUs every other guest of
# testing/check needs.  read -t on a pipe that never gets data (this shell
# holds its only write end) waits in the kernel instead.  The pipe is made
# once per shell (a subshell that naps makes its own).  Process
# substitution needs /dev/fd (stage 2 makes it); without it, sleep.
nap() {
	if [ "${NAP_PID:-}" != "$BASHPID" ]; then
		[ -d /dev/fd/ ] || { sleep "$1"; return 0; }
		exec {NAP_FD}<> <(:)
		NAP_PID=$BASHPID
	fi
	read -r -t "$1" -u "$NAP_FD" _ || :
}
