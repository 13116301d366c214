#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The resource manager stays one.  Long-lived clients hold a key and an
# HMAC session each (tpm-client): A on the vTPM chip's own /dev/tpmrmN,
# B on /dev/tpmrm0 from before the commit (its objects are the pTPM's), C
# on /dev/tpmrm0 from after it; and F, a raw /dev/tpmN user, flushes every
# transient object it finds loaded.  A and B hold the same session handle
# number, each on its own TPM, until the commit puts them on one.
#
# After the commit: A never fails; B gets clean errors for its pTPM
# objects only, then makes new ones and works; C works and sees its own
# key and session only; F never finds an object loaded (a /dev/tpmrm0
# transaction holds the vTPM chip from start to end); B leaving flushes
# nothing of A's.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 14
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
vrm=tpmrm${vchip#tpm}
d=/tmp/sessions
mkdir -p $d
rm -f $d/*

# client NAME TCTI [ARGS]: a tpm-client user, its output in $d/NAME.
client() {
	local name=$1 tcti=$2
	shift 2
	tpm-client user --tcti "$tcti" --stop "$d/stop.$name" --commit "$d/committed" \
		--name "$name" "$@" >"$d/$name" 2>&1 &
}
# summary NAME: its last line, "iterations=N ok=N ..."; field NAME KEY.
summary() { sed -n "s/^$1: iterations=/iterations=/p" "$d/$1"; }
field() { summary "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# stop NAME: tell it to stop, wait for its summary.
stop() {
	touch "$d/stop.$1"
	for _ in $(seq 600); do [ -n "$(summary "$1")" ] && return; nap 0.1; done
}
settle() { sleep "$1"; }

client A "device:/dev/$vrm"
settle 3
client B device:/dev/tpmrm0 --own-handles
tpm-client flusher --tcti "device:/dev/$vchip" --stop "$d/stop.F" --name F >"$d/F" 2>&1 &
settle 5
tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(handoff_trigger 1)" ok "the handoff commits with the clients running"
touch "$d/committed"
client C device:/dev/tpmrm0 --own-handles
settle 10
stop B
settle 5
stop C
stop A
stop F
for n in A B C F; do tap_diag "$(cat "$d/$n")"; done
cp $d/* "$RESULTS/" 2>/dev/null

tap_ok "A (the vTPM's own /dev/$vrm) worked throughout ($(field A ok) HMACs, $(field A ok_after) after the commit)" \
	test "$(field A ok_after)" -ge 3
tap_is "$(field A errors)" 0 "A never failed: no one flushed or used its session"
tap_is "$(field A stale)" 0 "A had nothing stale"
tap_is "$(field B stale)" 1 "B (/dev/tpmrm0 from before the commit) got one clean error, for its pTPM objects"
tap_is "$(field B errors)" 0 "B got no other error"
tap_ok "B made new objects after the commit and they worked ($(field B made) made, $(field B ok_after) HMACs after the commit)" \
	test "$(field B made)" -ge 2 -a "$(field B ok_after)" -ge 1
tap_is "$(field B handle_errors)" 0 "B saw its own handles only"
tap_ok "C (/dev/tpmrm0 from after the commit) worked ($(field C ok_after) HMACs)" \
	test "$(field C ok_after)" -ge 3
tap_is "$(field C errors) $(field C stale)" "0 0" "C never failed"
tap_is "$(field C handle_errors)" 0 "C saw its own key and session only"
tap_ok "F, the raw /dev/$vchip user, ran ($(field F iterations) rounds)" \
	test "$(field F iterations)" -ge 5
tap_is "$(field F seen)" 0 "F never found another's transient object loaded: transactions are atomic"
tap_done
