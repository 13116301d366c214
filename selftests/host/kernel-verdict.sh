#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# selftests/lib/kernel.sh, the kernel's verdict after each in-VM script,
# against this host's own kernel log: clean when nothing is reported, dirty
# with the line when a report of each kind appears (written to /dev/kmsg),
# and a report from before the scenario started does not count.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/kernel.sh"

[ -w /dev/kmsg ] && dmesg >/dev/null 2>&1 || { echo "1..0 # SKIP needs root (/dev/kmsg, dmesg)"; exit 4; }
kmemleak_on && { echo "1..0 # SKIP this host has kmemleak: a scan could find its own leaks"; exit 4; }
v=$(mktemp)
trap 'rm -f "$v"' EXIT
reports=(
	"WARNING: CPU: 0 PID: 1 at drivers/x.c:1 f+0x1/0x2"
	"BUG: KASAN: slab-out-of-bounds in f+0x1/0x2"
	"UBSAN: array-index-out-of-bounds in drivers/x.c:1:2"
	"WARNING: possible circular locking dependency detected"
	"INFO: task th:1 blocked for more than 120 seconds."
	"BUG: sleeping function called from invalid context at x.c:1"
	"ODEBUG: free active (active state 0) object type: timer_list"
)
tap_plan $((7 + 2 * ${#reports[@]}))

kernel_scenario_start
echo "<6>kernel-verdict test: an ordinary line" >/dev/kmsg
kernel_scenario_end "$v"
tap_is "$(head -n1 "$v")" clean "nothing reported: clean"
tap_ok "it says there is no kmemleak here" grep -q "no kmemleak" "$v"
for r in "${reports[@]}"; do
	kernel_scenario_start
	echo "<4>$r (kernel-verdict test)" >/dev/kmsg
	kernel_scenario_end "$v"
	tap_is "$(head -n1 "$v")" dirty "\"${r:0:40}...\": dirty"
	tap_ok "and the verdict quotes the line" grep -qF "$r (kernel-verdict test)" "$v"
done
kernel_scenario_start
kernel_scenario_end "$v"
tap_is "$(head -n1 "$v")" clean "a report before the scenario started does not count"

# kmemleak_reports leaves out the reports of deliberate leakers (by the
# allocating task's PID), on kmemleak's own format.
KMEMLEAK=$(mktemp) KMEMLEAK_EXPECTED=$(mktemp)
trap 'rm -f "$v" "$KMEMLEAK" "$KMEMLEAK_EXPECTED"' EXIT
report() {	# report ADDR COMM PID
	printf 'unreferenced object 0x%s (size 32):\n  comm "%s", pid %s, jiffies 4294897163\n' "$1" "$2" "$3"
	printf '  hex dump (first 32 bytes):\n    00 00 00 00  ....\n  backtrace:\n'
	printf '    [<0000000001a67ce6>] kmalloc_trace+0x21/0xb0\n'
}
{ report a1 modprobe 149; report a2 bash 1490; report a3 "kworker/0:1" 14; } >"$KMEMLEAK"
tap_is "$(kmemleak_reports | grep -c 'unreferenced object')" 3 "no expected PIDs: every report counts"
echo 149 >"$KMEMLEAK_EXPECTED"
echo 14 >>"$KMEMLEAK_EXPECTED"
tap_is "$(kmemleak_reports | grep '^unreferenced' | cut -d' ' -f3)" 0xa2 \
	"PIDs 149 and 14 expected: only pid 1490's report is left (whole PIDs, not prefixes)"
tap_is "$(kmemleak_reports | wc -l)" 6 "and all of its lines"
: >"$KMEMLEAK_EXPECTED"
echo 1490 >"$KMEMLEAK_EXPECTED"
tap_is "$(kmemleak_reports | grep -c '^  comm')" 2 "the other way round: two left"
tap_done
