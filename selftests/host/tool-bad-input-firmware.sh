#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify refuses firmware PCR inputs it cannot judge: an event
# log (--fw-log) that is truncated, random, empty, missing or whose Spec ID
# event declares no algorithm (the message is the parser's); a record
# whose firmware PCR keys contradict each other (an unknown or a wrong
# mode, a PCR both replayed and bound, an unknown family, a bank's value
# or mode missing, an empty bind reason, an event count that is not a
# number, a PCR out of range); --ptpm-pcrs giving a PCR in one bank of
# three.  Each must exit 2 with one line on stderr starting
# "tpm-handoff: ", and again so under the ASan/UBSan build.  The event
# logs and records are fabricated by testing/fixtures (mkevlog.py,
# mkrecord.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init --asan

tap_plan 17
fx_log
fx_fw
fwsrc=(--record rec.fw --vtpm-pcrs vt.fw --log log)

# ---- the event log ----
head -c 500 ev.log >ev.trunc
bad "a truncated --fw-log" "${fwsrc[@]}" --fw-log ev.trunc
head -c 3000 /dev/urandom >ev.random
bad "an --fw-log of random bytes" "${fwsrc[@]}" --fw-log ev.random
# ev.log's events, but the Spec ID event's numberOfAlgorithms is 0
"$mkevlog" --seed 3 --spec-algs 0 ev.noalg ev.noalg.val
bad "an --fw-log whose Spec ID event declares no algorithm" "${fwsrc[@]}" --fw-log ev.noalg
grep -q "the Spec ID event declares 0 algorithms" out.err
tap_is $? 0 "... and the message is the parser's"
: >ev.empty
bad "an empty --fw-log" "${fwsrc[@]}" --fw-log ev.empty
bad "a missing --fw-log" "${fwsrc[@]}" --fw-log nonexistent.ev

# ---- the record's firmware PCRs: one key changed by sed ----
for m in 's/^pcr3.sha1.mode: replay/pcr3.sha1.mode: frobnicate/' 's/^pcr0.sha256.mode: replay/pcr0.sha256.mode: bind/' \
	's/^fw_bind: .*/& 0/' 's/^family: .*/family: 3.0/' '/^pcr4.sha256.mode:/d' '/^pcr4.sha256:/d' \
	's/^pcr8.bind: .*/pcr8.bind:/' 's/^pcr0.events: .*/pcr0.events: many/' 's/^fw_replay: .*/fw_replay: 0 1 2 3 4 5 6 7 99/'; do
	sed "$m" rec.fw >rec.m
	bad "a record with firmware PCRs, sed '$m'" --record rec.m --vtpm-pcrs vt.fw --log log
done

# ---- the pTPM's values ----
grep '^pcr3.sha1:' ev.val >ptpm.part
cat ptpm.cut >>ptpm.part
bad "--ptpm-pcrs with PCR 3 in one bank of three" "${fwsrc[@]}" --ptpm-pcrs ptpm.part

bad_under_asan
tap_done
