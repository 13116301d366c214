#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# testing/vm/boot-dom0 reports failures and never hangs: the script's exit status
# comes back, a dom0 panic ends the run with 125 and the console saved, and
# a script running past --timeout is stopped.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
run=$top/testing/vm/boot-dom0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tap_plan 7

cat >"$tmp/exit7.sh" <<'S'
echo "results from dom0" >"$RESULTS/note"
exit 7
S
"$run" --quiet --script "$tmp/exit7.sh" --out "$tmp/o1" >/dev/null 2>&1
tap_is $? 7 "the script's exit status is run's exit status"
tap_is "$(cat "$tmp/o1/results/note" 2>/dev/null)" "results from dom0" \
	"the results directory comes back"

cat >"$tmp/panic.sh" <<'S'
echo 1 >/proc/sys/kernel/sysrq
echo c >/proc/sysrq-trigger
S
start=$(date +%s)
"$run" --quiet --script "$tmp/panic.sh" --out "$tmp/o2" >/dev/null 2>&1
tap_is $? 125 "a dom0 panic ends the run with 125"
tap_ok "the console log of the panic is saved" grep -q 'Kernel panic' "$tmp/o2/console.log"
tap_diag "panic run took $(( $(date +%s) - start )) s"

cat >"$tmp/hang.sh" <<'S'
echo started
sleep 1000
S
start=$(date +%s)
"$run" --quiet --timeout 5 --script "$tmp/hang.sh" --out "$tmp/o3" >/dev/null 2>&1
rc=$?
took=$(( $(date +%s) - start ))
tap_is $rc 124 "a script past --timeout is stopped (exit 124)"
tap_ok "the timed-out run ended well before the script would have (${took} s)" test $took -lt 200
tap_ok "the timed-out script's output came back" grep -q started "$tmp/o3/output.log"
tap_done
