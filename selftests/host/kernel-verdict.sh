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
tap_plan $((3 + 2 * ${#reports[@]}))

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
tap_done
