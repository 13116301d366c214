#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify against a live vTPM (ESYS, a swtpm on the host): the
# swtpm is extended entry by entry with tpm2_pcrextend, by the digests
# testing/fixtures/mklog.py computes with Python's hashlib, as IMA would
# after a handoff with the cut of the record.  verify must PASS when the
# vTPM holds the log (also when the log grows while it reads, or an extend
# is pending) and FAIL naming the entry, the bank or the PCR otherwise:
# a missing extend, a wrong snapshot or digest kind, a damaged entry, a
# bank the vTPM lacks, a vTPM ahead of the log or restarted.  Then the
# vTPM as the module leaves it with firmware PCRs (replayed and bound)
# and its record measured into the IMA log.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init
vtpm_start || { echo "1..0 # SKIP no swtpm, swtpm_ioctl or tpm2-tools"; exit 4; }

tap_plan 25
fx_log
fx_fw
# 100 entries (the first $N those of "log"), and the extends IMA makes for
# each: one tpm2_pcrextend argument a line
"$mklog" --kind ima-ng --seed 5 --entries 100 --layout lay100 --extends ext100 log100

# ---- PCR 10 ----
vtpm_extend ext100 0 $((N - 2))
"$mklog" --kind ima-ng --seed 5 --entries $N --values v.39 --after $((N - 1)) log
tap_is "$(tpm2_pcrread sha256:10 | awk '/10:/ { print tolower(substr($2, 3)) }')" \
	"$(val sha256 v.39)" "the swtpm holds what mklog.py says $((N - 1)) entries give"
rc=$(verify out "${tcti[@]}")
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: vTPM PCR 10 (sha1) is reproduced after 39 entries, not by the whole log (40) in 5 reads: entry 39 at offset $(off 39 2) was not extended into the vTPM" \
	"a vTPM missing the last extend: FAIL after 5 reads, naming entry 39 (the 40th) and its offset"
tap_is "$(grep -c '^pTPM pcr10\.sha[0-9]*: OK' out):$(grep -c '^vTPM pcr10\.sha[0-9]*: FAIL' out)" "3:3" \
	"one line per check and bank: the pTPM's hold, the vTPM's fail"

# IMA appends before it extends: the extend arrives while verify waits.
( sleep 0.3; vtpm_extend ext100 $((N - 1)) $((N - 1)) ) &
rc=$(verify out "${tcti[@]}" --attempts 10)
wait
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" \
	"entry $((N - 1)) extended 0.3 s after verify started (a pending extend): PASS on a later read"

rc=$(verify out "${tcti[@]}")
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "a good split (cut $C of $N): PASS, exit 0"
tap_is "$(grep -c ': OK: ' out)" 6 "3 banks x (pTPM, vTPM) lines, all OK"
tap_ok "the pTPM lines say the cut, the vTPM lines the whole log" \
	grep -q "^pTPM pcr10.sha384: OK: the first $C entries (the cut) reproduce the snapshot (padded-sha1)\$" out
rc=$(run out -- "$tool" verify --sysfs "$tmp" --record record --log - "${tcti[@]}" <log)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "the log can come from stdin (--log -)"

if grep -q '^pcr10.sm3_256: ' v.cut; then
	{ sed 's/^banks: .*/& sm3_256/' record
	  echo "pcr10.sm3_256: $(val sm3_256 v.cut)"
	  echo "pcr10.sm3_256.mode: replay"
	  echo "pcr10.sm3_256.digest: template-hash"; } >record.sm3
	rc=$(verify out "${tcti[@]}" --record record.sm3)
	tap_is "$rc:$(grep '^vTPM pcr10.sm3_256' out):$(tail -n 1 out)" \
		"1:vTPM pcr10.sm3_256: FAIL: the vTPM has no sm3_256 bank:verify: FAIL: the vTPM has no PCR 10 in the sm3_256 bank" \
		"a record bank (sm3_256) the swtpm lacks: FAIL naming it"
else
	tap_skip "a record bank the swtpm lacks" "no SM3 in Python's hashlib"
fi
"$mkrecord" --pcr10 v.29 --cut $C record.wrong
rc=$(verify out "${tcti[@]}" --record record.wrong)
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: pTPM PCR 10 (sha1) is reproduced after 29 entries, not at the cut $C" \
	"a pTPM snapshot of 29 entries: FAIL naming where it does match"
sed "s/^\(pcr10.sha256: \).*/\1$(printf '%064d' 5)/" record >record.bad
rc=$(verify out "${tcti[@]}" --record record.bad)
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: no prefix of the log reproduces the pTPM's PCR 10 (sha256)" \
	"a wrong pTPM value: FAIL, no prefix reproduces it"
rc=$(verify out "${tcti[@]}" --record record.bad --ptpm-pcrs ptpm.cut)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "--ptpm-pcrs FILE replaces the record's snapshot"
sed 's/^\(pcr10.sha384.digest: \).*/\1template-hash/' record >record.interp
rc=$(verify out "${tcti[@]}" --record record.interp)
tap_ok "a wrong digest kind for sha384: FAIL, saying padded-sha1 would match" \
	sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: no prefix of the log reproduces the pTPM.s PCR 10 (sha384) (under padded-sha1, not the record.s template-hash, it is reproduced after $C entries)' out"

"$mklog" --kind ima-ng --seed 5 --entries $N --bad-digest 34 bad34.log
rc=$(verify out "${tcti[@]}" --log bad34.log)
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: IMA log entry 34 at offset $(off 34 2): the template digest does not match the template data" \
	"entry 34's template digest does not match its data: FAIL naming entry 34 and its offset"
tap_is "$(grep -c '^pTPM pcr10.*: OK' out)" 3 "the pTPM's check still holds (entry 34 is after the cut)"
"$mklog" --kind ima-ng --seed 5 --entries $N --bad-digest 11 bad11.log
rc=$(verify out "${tcti[@]}" --log bad11.log)
tap_is "$rc:$(grep -c '^pTPM pcr10.*: FAIL: the log is damaged at entry 11, before the cut 30' out)" "1:3" \
	"a damaged entry 11, before the cut: the pTPM's checks fail too"

# A busy system: entries keep arriving (append, then extend) while verify
# reads; it must PASS on a read where the PCR covers every entry that was
# in the log before it.  busy.I: the log up to entry I.
cp log busy.log
for i in $(seq $N 99); do
	head -c "$(awk -v e="$i" '$1 == e { print $6 }' lay100)" log100 >"busy.$i"
done
( for i in $(seq $N 99); do
	mv "busy.$i" busy.log		# IMA appends the entry,
	vtpm_extend ext100 "$i" "$i"	# then extends it
done ) &
bg=$!
sleep 0.2
rc=$(verify out "${tcti[@]}" --log busy.log --attempts 10)
n_seen=$(grep -o 'of [0-9]* entries\|log ([0-9]* entries)' out | head -n 1)
wait $bg
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "a log growing while verify reads it: PASS ($n_seen)"
rc=$(verify out "${tcti[@]}" --log log100)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "and the whole 100-entry log matches once it is quiet"
rc=$(verify out "${tcti[@]}" --log log)
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: no prefix of the log ($N entries) reproduces the vTPM's PCR 10 (sha1)" \
	"a vTPM ahead of the log (an old copy of it): FAIL, no prefix reproduces it"
vtpm_reset
rc=$(verify out "${tcti[@]}")
tap_ok "a restarted vTPM (PCRs reset): FAIL, asking whether it was restarted" \
	sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: vTPM PCR 10 (sha1) is reproduced after 0 entries, but the log had $N before the PCR was read: entry 0 at offset 0 was not extended into the vTPM (fewer than the $C the handoff mirrored: was the vTPM restarted?)' out"

# ---- firmware PCRs and the record in the IMA log ----
# The swtpm as the vTPM after a handoff: the log's $N entries and the
# record's entry in PCR 10, the event log's events for PCRs 0-7 (replay),
# one extend of the snapshot into PCRs 8 and 9 (bind).
"$mkrecord" --pcr10 ptpm.cut --cut $C --fw-values ev.val --replay 0-7 --bind 8,9 \
	--measured meas.live --bind-extends bind.ext rec.live
"$mkreclog" --values vtpm.all vt.live --extend live.ext log meas.live log.live
vtpm_reset
vtpm_extend ext100 0 $((N - 1))
fails=
for s in $(cat live.ext) $(grep '^[0-7]:' ev.ext) $(cat bind.ext); do
	tpm2_pcrextend "$s" || fails+=" $s"
done
tap_is "${fails:-none}" none "the swtpm extended like the module: firmware PCRs replayed and bound, the record's entry"
rc=$(verify out "${tcti[@]}" --record rec.live --log log.live --fw-log ev.log)
tap_ok "live vTPM (ESYS): PCRs 0-7 replayed, 8-9 bound, the record in the IMA log: PASS" \
	sh -c "[ $rc = 0 ] && [ \"\$(tail -n 1 out)\" = 'verify: PASS' ] &&
	       [ \$(grep -c '^vTPM pcr[0-9] (replay\|bind): OK: equals .* (sha1 sha256 sha384)\$' out) = 10 ] &&
	       grep -q '^IMA log record: OK: IMA log entry 40,' out"
rc=$(verify out "${tcti[@]}" --sysfs "$tmp/nonexistent" --record-from-log --log log.live --fw-log ev.log)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "live vTPM with --record-from-log (no sysfs): PASS"
cp rec.live rec.live9
setval rec.live9 pcr9.sha256 "$(flip "$(getval rec.live pcr9.sha256)")"
rc=$(verify out "${tcti[@]}" --record rec.live9 --log log.live)
tap_ok "live vTPM, a bind snapshot one byte off: FAIL naming PCR 9, sha256, bind (and the IMA log's record disagrees)" \
	sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: vTPM PCR 9 (sha256, bind) is not H(00.. || the snapshot)\$' out &&
	       grep -q '^IMA log record: FAIL: IMA log entry 40 has pcr9.sha256: ' out"
tpm2_pcrextend "5:sha1=$(printf '%040d' 5)" >/dev/null
rc=$(verify out "${tcti[@]}" --record rec.live --log log.live --fw-log ev.log)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 5 (sha1, replay) is not the snapshot" \
	"live vTPM, PCR 5 extended after the handoff: FAIL"
tap_done
