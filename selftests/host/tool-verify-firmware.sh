#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify of the firmware PCRs, offline (--vtpm-pcrs): a record
# whose PCRs 0-7 were replayed from the firmware's event log and 8, 9 and
# 17 bound, with the vTPM's values as the module leaves them, must PASS,
# with --fw-log too (the event log reproduces each replayed PCR's
# snapshot); a PCR one byte off in the vTPM or the record, a bind from the
# wrong reset value, an event log that does not give the snapshot (another
# log, another StartupLocality, an event without a bank's digest) FAIL
# naming the PCR, the bank and the mode; a truncated event log is refused.
# The event logs and records are fabricated by testing/fixtures
# (mkevlog.py, mkrecord.py), their values computed with Python's hashlib,
# independently of tools/tpm-handoff and drivers/tpm_handoff/tcg_log.c.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

tap_plan 15
fx_log
fx_fw
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" \
	"firmware PCRs 0-7 replayed, 8, 9 and 17 bound, vTPM values as the module leaves them: PASS"
tap_is "$(grep -c '^vTPM pcr[0-7] (replay): OK: equals the snapshot (sha1 sha256 sha384)$' out):$(grep -c '^vTPM pcr[89] (bind): OK: equals H(00.. || the snapshot) (sha1 sha256 sha384)$' out):$(grep -c '^vTPM pcr17 (bind): OK: equals H(ff.. || the snapshot)' out)" \
	"8:2:1" "one line per firmware PCR and mode; PCR 17 is bound from ff.."
tap_ok "without --fw-log, verify says the replayed PCRs' event log went unchecked" \
	grep -q '^fw log: not given: .*(--fw-log FILE)$' out
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw --fw-log ev.log)
tap_is "$rc:$(tail -n 1 out):$(grep -c '^fw log pcr[0-7] (replay): OK: its [0-9]* events reproduce the snapshot (sha1 sha256 sha384)$' out):$(grep -c '^fw log pcr\(8\|9\|17\) (bind): bound: fw_pcrs asks to bind it$' out)" \
	"0:verify: PASS:8:3" "--fw-log: the event log reproduces every replayed PCR's snapshot; bound PCRs say why"
tap_ok "... and the log is described and compared with the record's" \
	grep -q '^fw log: ev.log: crypto-agile, 32 events (as the handoff.s, tpm0)$' out

cp vt.fw vt.off8
setval vt.off8 pcr8.sha256 "$(flip "$(getval vt.fw pcr8.sha256)")"
rc=$(verify out --record rec.fw --vtpm-pcrs vt.off8)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 8 (sha256, bind) is not H(00.. || the snapshot)" \
	"a bound PCR 8 one byte off in the vTPM: FAIL naming the PCR, the bank and the mode"
cp rec.fw rec.off8
setval rec.off8 pcr8.sha384 "$(flip "$(getval rec.fw pcr8.sha384)")"
rc=$(verify out --record rec.off8 --vtpm-pcrs vt.fw)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 8 (sha384, bind) is not H(00.. || the snapshot)" \
	"a bind snapshot one byte off in the record: FAIL"
cp vt.fw vt.off3
setval vt.off3 pcr3.sha1 "$(flip "$(getval vt.fw pcr3.sha1)")"
rc=$(verify out --record rec.fw --vtpm-pcrs vt.off3)
tap_ok "a replayed PCR 3 one byte off in the vTPM: FAIL, the line shows both values" \
	sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: vTPM PCR 3 (sha1, replay) is not the snapshot\$' out &&
	       grep -q '^vTPM pcr3 (replay): FAIL: sha1 reads $(getval vt.off3 pcr3.sha1), not the snapshot = $(getval vt.fw pcr3.sha1)\$' out"
# The same handoff, but the vTPM's PCR 17 bound from 00.. (its reset value
# is ff..)
"$mkrecord" --pcr10 ptpm.cut --cut $C --fw-values ev.val --replay 0-7 --bind 8,9,17 \
	--vtpm-pcr10 vtpm.all --vtpm-out vt.drtm --bind-from-zero 17 rec.drtm
rc=$(verify out --record rec.fw --vtpm-pcrs vt.drtm)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 17 (sha1, bind) is not H(ff.. || the snapshot)" \
	"PCR 17 bound from 00.. instead of ff..: FAIL"

"$mkevlog" --seed 4 ev.other ev.oval
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw --fw-log ev.other)
tap_ok "an event log that does not give the replayed PCRs' snapshot: FAIL, though the vTPM holds the snapshot" \
	sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: the event log ev.other does not reproduce the snapshot of PCR 0 (sha1, replay)\$' out &&
	       grep -q '^vTPM pcr0 (replay): OK' out && grep -q '^fw log pcr0 (replay): FAIL: sha1: its 2 events give $(getval ev.oval pcr0.sha1), not the snapshot $(getval ev.val pcr0.sha1)\$' out"
"$mkevlog" --seed 3 --locality 3 ev.loc3 ev.l3val
"$mkrecord" --pcr10 ptpm.cut --cut $C --fw-values ev.l3val --replay 0-7 --bind 8,9 \
	--vtpm-pcr10 vtpm.all --vtpm-out vt.loc3 rec.loc3
rc=$(verify out --record rec.loc3 --vtpm-pcrs vt.loc3 --fw-log ev.loc3)
rc2=$(verify out2 --record rec.loc3 --vtpm-pcrs vt.loc3 --fw-log ev.log)
tap_is "$rc:$(tail -n 1 out):$rc2:$(tail -n 1 out2):$(grep -c '^fw log pcr[0-9]* (replay): FAIL' out2)" \
	"0:verify: PASS:1:verify: FAIL: the event log ev.log does not reproduce the snapshot of PCR 0 (sha1, replay):1" \
	"StartupLocality 3: PCR 0's replay starts at 00..03; the same events at locality 0 fail PCR 0 only"
"$mkevlog" --seed 3 --omit sha384:6 ev.omit ev.omval
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw --fw-log ev.omit)
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: the event log ev.omit cannot reproduce PCR 4 (sha384, replay): event 6 has no sha384 digest" \
	"an event without a sha384 digest: its PCR cannot be replayed in that bank, FAIL"
head -c 500 ev.log >ev.trunc
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw --fw-log ev.trunc)
tap_is "$rc:$(wc -l <out.err):$(grep -c '^tpm-handoff: --fw-log: event log ev.trunc: event [0-9]* (offset [0-9]*) is truncated: the log ends at 500 bytes$' out.err)" \
	"2:1:1" "a truncated --fw-log: exit 2, one line with the parser's message"

# --ptpm-pcrs replaces the record's snapshot for the PCRs it gives.
cp rec.fw rec.snap3
setval rec.snap3 pcr3.sha256 "$(flip "$(getval rec.fw pcr3.sha256)")"
{ cat ptpm.cut; grep '^pcr3\.' ev.val; } >ptpm.fw
rc=$(verify out --record rec.snap3 --vtpm-pcrs vt.fw)
rc2=$(verify out2 --record rec.snap3 --vtpm-pcrs vt.fw --ptpm-pcrs ptpm.fw --fw-log ev.log)
tap_ok "a wrong PCR 3 snapshot: FAIL; with the pTPM's PCR 3 from --ptpm-pcrs: PASS" \
	sh -c "[ $rc:$rc2 = 1:0 ] && grep -q '^verify: FAIL: vTPM PCR 3 (sha256, replay) is not the snapshot\$' out &&
	       grep -q '^vTPM pcr3 (replay): OK: equals the pTPM.s value (--ptpm-pcrs)' out2 &&
	       grep -q '^fw log pcr3 (replay): OK: its 2 events reproduce the pTPM.s value (--ptpm-pcrs)' out2"
rc=$(verify out --record rec.fw --vtpm-pcrs vtpm.all)
tap_ok "--vtpm-pcrs without the firmware PCRs: PASS, saying what was not checked" \
	sh -c "[ $rc = 0 ] && grep -q '^vTPM pcr8 (bind): not checked: vtpm.all has no pcr8 value\$' out &&
	       [ \"\$(tail -n 1 out)\" = 'verify: PASS (not checked: vTPM PCRs 0-9 17, not in vtpm.all)' ]"
tap_done
