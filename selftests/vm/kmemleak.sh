#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel's verdict after a scenario (selftests/lib/kernel.sh) catches a
# real leak, even one made just before the scenario ends: kmemleak-test
# (CONFIG_DEBUG_KMEMLEAK_TEST, tools/kernel/debug.config) leaks objects on
# purpose when loaded, and kernel_scenario_end must call that scenario
# dirty and quote kmemleak's report.  Then the leaks are cleared, and the
# next scenario is clean again.  Skipped on kernels without kmemleak
# (Debian's).
# check-boot: vtpm 0
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/kernel.sh"

kmemleak_on || { echo "1..0 # SKIP no kmemleak in this kernel"; exit 4; }
tap_plan 4

kernel_scenario_start
tap_ok "modprobe kmemleak-test (it leaks on purpose)" modprobe kmemleak-test
kernel_scenario_end /tmp/leak.verdict
tap_is "$(head -n1 /tmp/leak.verdict)" dirty \
	"a scenario that ends right after the leak is dirty"
tap_ok "its verdict quotes kmemleak's report of an unreferenced object" \
	grep -q 'unreferenced object' /tmp/leak.verdict
tap_diag "$(grep -c 'unreferenced object' /tmp/leak.verdict) objects reported"

# Known now: grey them, so that neither the next scenario nor this
# script's own verdict (the check-boot group's) counts them again.
echo clear >"$KMEMLEAK"
kernel_scenario_start --scanned
kernel_scenario_end /tmp/after.verdict
tap_is "$(head -n1 /tmp/after.verdict)" clean "after clear, the next scenario is clean"
# kmemleak-test stays loaded: unloading it frees the statics that hold
# the only references to more of its objects, which would then leak into
# later scenarios' verdicts.
tap_done
