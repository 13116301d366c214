#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel's own verdict on a scenario, for every kernel the tests boot
# (Debian's stock one, the debug dom0 kernel, the KASAN kernel).  The guest
# calls kernel_scenario_start before a script and kernel_scenario_end after
# it (testing/vm/guest/stage2, in a dom0 and natively, for a script that
# boots alone; testing/check's group script for each member); testing/check
# turns the result into one TAP line per script.

KMEMLEAK=/sys/kernel/debug/kmemleak

# What fails a scenario: lockdep, KASAN, UBSAN, KCSAN and debugobjects
# reports, WARNING/BUG/oops, hung tasks and RCU stalls.
KERNEL_REPORT_RE='WARNING:|BUG:|Oops|general protection|INFO: task .* blocked|INFO: rcu_.* stall|UBSAN:|KASAN:|KCSAN:|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|suspicious RCU usage|ODEBUG:|Kernel panic'

kmemleak_on() {
	[ -e "$KMEMLEAK" ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	[ -w "$KMEMLEAK" ]
}

# kernel_scenario_start [--scanned]: remember where the kernel log is;
# forget the leaks kmemleak knows of so far (they belong to the boot or an
# earlier scenario, which was judged then).  --scanned: the previous
# scenario's end just scanned (a boot group's next member), so only
# "clear"; what leaked in between is this scenario's.
kernel_scenario_start() {
	KERNEL_MARK=$(dmesg | wc -l)
	if kmemleak_on; then
		[ "${1:-}" = --scanned ] || echo scan >"$KMEMLEAK" 2>/dev/null
		echo clear >"$KMEMLEAK" 2>/dev/null
	fi
	return 0
}

# kmemleak_scan_twice: scan so that every object allocated before the call
# and leaked is reported.  kmemleak (mm/kmemleak.c, 6.1) reports a white
# object only when a scan finds its checksum unchanged since the previous
# scan, and only if that scan started at least MSECS_MIN_AGE (5 s) after
# the allocation: the first scan records checksums, the second starts
# 5.5 s after the first did.
kmemleak_scan_twice() {
	local t0 t1 left
	t0=${EPOCHREALTIME/./}
	echo scan >"$KMEMLEAK" 2>/dev/null
	t1=${EPOCHREALTIME/./}
	left=$(( 5500000 - (10#$t1 - 10#$t0) ))
	if [ "$left" -gt 0 ]; then
		sleep "$((left / 1000000)).$(printf '%06d' $((left % 1000000)))"
	fi
	echo scan >"$KMEMLEAK" 2>/dev/null
}

# Processes whose leaks are deliberate, one PID a line (vm/kmemleak.sh's
# modprobe of kmemleak-test): their reports never make a verdict dirty,
# however late kmemleak finds them.  PIDs are not reused within a boot.
KMEMLEAK_EXPECTED=/run/th-kmemleak-expected

# kmemleak_reports: kmemleak's reports, but those of the allocating tasks
# in $KMEMLEAK_EXPECTED ("  comm "NAME", pid N, jiffies J" is a report's
# second line).
kmemleak_reports() {
	local pids=''
	[ -r "$KMEMLEAK_EXPECTED" ] && pids=$(tr '\n' ' ' <"$KMEMLEAK_EXPECTED")
	awk -v pids="$pids" '
		function flush() { if (buf != "" && !(pid in skip)) printf "%s", buf; buf = ""; pid = "" }
		BEGIN { n = split(pids, p, " "); for (i = 1; i <= n; i++) skip[p[i]] = 1 }
		/^unreferenced object/ { flush() }
		/^  comm ".*", pid [0-9]+,/ { pid = $0; sub(/.*, pid /, "", pid); sub(/,.*/, "", pid) }
		{ buf = buf $0 "\n" }
		END { flush() }' "$KMEMLEAK" 2>/dev/null
}

# kernel_scenario_end FILE: write the verdict to FILE: a first line "clean"
# or "dirty", then the offending kernel log lines and leak reports.
kernel_scenario_end() {
	local file=$1 leaks='' reports
	reports=$(dmesg | tail -n +$((${KERNEL_MARK:-0} + 1)) | grep -E "$KERNEL_REPORT_RE" | head -n 20)
	if kmemleak_on; then
		kmemleak_scan_twice
		leaks=$(kmemleak_reports | head -n 60)
	fi
	{
		if [ -z "$reports$leaks" ]; then echo clean; else echo dirty; fi
		[ -n "$reports" ] && printf 'kernel log:\n%s\n' "$reports"
		[ -n "$leaks" ] && printf 'kmemleak:\n%s\n' "$leaks"
		kmemleak_on && echo "(kmemleak scanned)" || echo "(no kmemleak in this kernel)"
	} >"$file"
}
