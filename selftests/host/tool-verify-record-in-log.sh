#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify of the record the module measures into the IMA log
# (an ima-buf entry named tpm_handoff, after the cut), offline
# (--vtpm-pcrs): its d-ng digest must match its buffer and its keys those
# of the sysfs record (all but the run-to-run ones, which the module
# leaves out of the measured copy), or verify FAILs naming the key; with
# two such entries the last counts; --record-from-log takes the log's
# record alone (no sysfs, also with the log on stdin) and, without a
# record in the log, exits 2 naming the IMA policy rule that measures it.
# A record entry before the cut or for another PCR than 10 FAILs: no TPM
# check would cover it.  The entries are fabricated by
# testing/fixtures/mkreclog.py (thfix/ima.py's record_entry()), the
# values after them computed with Python's hashlib.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

tap_plan 13
fx_log
fx_fw
# log.rec: the log and the record's entry (entry $N, after the cut); vt.rec
# what the vTPM holds after both
"$mkreclog" --values vt.fw vt.rec log meas.fw log.rec
nkeys=$(($(grep -c . meas.fw) - 1))	# its keys: every line but "tpm_handoff: 1"
rc=$(verify out --record rec.fw --log log.rec --vtpm-pcrs vt.rec)
tap_is "$rc:$(tail -n 1 out):$(grep '^IMA log record: ' out)" \
	"0:verify: PASS:IMA log record: OK: IMA log entry $N, after the cut $C, its sha256 digest matches its $(stat -c %s meas.fw) bytes; its $nkeys keys equal rec.fw's" \
	"the record measured into the IMA log (ima-buf, after the cut): its digest and its $nkeys keys check out, PASS"

sed 's/^vtpm_provider: chip/vtpm_provider: xen/' meas.fw >meas.xen
"$mkreclog" --values vt.fw vt.xen log meas.xen log.xen
rc=$(verify out --record rec.fw --log log.xen --vtpm-pcrs vt.xen)
tap_is "$rc:$(tail -n 1 out):$(grep '^IMA log record: ' out)" \
	"1:verify: FAIL: the record in the IMA log (entry $N) and rec.fw differ in key vtpm_provider:IMA log record: FAIL: IMA log entry $N has vtpm_provider: xen, rec.fw has vtpm_provider: chip" \
	"the IMA log's record with one key changed: FAIL naming the key"
grep -v '^pcr9.bind:' meas.fw >meas.nobind
"$mkreclog" --values vt.fw vt.nobind log meas.nobind log.nobind
rc=$(verify out --record rec.fw --log log.nobind --vtpm-pcrs vt.nobind)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: the record in the IMA log (entry $N) and rec.fw differ in key pcr9.bind" \
	"a key of the sysfs record missing from the IMA log's: FAIL naming it"
sed -e 's/^barrier_ns: .*/barrier_ns: 7/' -e 's/^replayed: .*/replayed: 3/' rec.fw >rec.timing
rc=$(verify out --record rec.timing --log log.rec --vtpm-pcrs vt.rec)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "the run-to-run keys (replayed, barrier_ns) are not in the measured copy: not compared"
"$mkreclog" --bad-dng --values vt.fw vt.bad log meas.fw log.bad
rc=$(verify out --record rec.fw --log log.bad --vtpm-pcrs vt.bad)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: IMA log entry $N (the record): its d-ng digest does not match its buffer" \
	"an entry whose d-ng digest does not match its buffer: FAIL"
"$mkreclog" --values vt.rec vt.two log.rec meas.fw log.two
rc=$(verify out --record rec.fw --log log.two --vtpm-pcrs vt.two)
tap_ok "two tpm_handoff entries: the last counts, and verify says so" \
	sh -c "[ $rc = 0 ] && grep -q '^IMA log record: OK: IMA log entry $((N + 1)), the last of 2 tpm_handoff entries, after the cut' out"

# ---- --record-from-log: the log's record, not sysfs's ----
rc=$(verify out --sysfs "$tmp/nonexistent" --record-from-log --log log.rec --vtpm-pcrs vt.rec --fw-log ev.log)
tap_ok "--record-from-log: the log's record alone (no sysfs): PASS" \
	sh -c "[ $rc = 0 ] && [ \"\$(tail -n 1 out)\" = 'verify: PASS' ] &&
	       grep -q '^IMA log record: OK: IMA log entry $N, .*; it is the record verify used (sysfs not read)\$' out &&
	       grep -q '^vTPM pcr9 (bind): OK' out"
rc=$(run out -- "$tool" verify --sysfs "$tmp/nonexistent" --record-from-log --log - --vtpm-pcrs vt.rec <log.rec)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "--record-from-log with the log on stdin"
rc=$(verify out --sysfs "$tmp/nonexistent" --record-from-log --log log.xen --vtpm-pcrs vt.xen)
tap_is "$rc:$(grep -c '^vTPM pcr8 (bind): OK' out)" "0:1" \
	"--record-from-log ignores sysfs: the log's (changed) record is the one checked"
rc=$(verify out --sysfs "$tmp/nonexistent" --record-from-log --log log --vtpm-pcrs vt.fw)
tap_is "$rc:$(cat out.err)" \
	"2:tpm-handoff: --record-from-log: the IMA log log holds no tpm_handoff record (an ima-buf entry named tpm_handoff): add the IMA policy rule \"measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf\" before the handoff" \
	"--record-from-log and no record in the log: exit 2 naming the policy rule"
rc=$(run out -- "$tool" verify --sysfs "$tmp/nonexistent" --log log.rec --vtpm-pcrs vt.rec)
tap_is "$rc:$(cat out.err)" \
	"2:tpm-handoff: no record: $tmp/nonexistent/record does not exist: tpm_handoff is not loaded; the IMA log holds one: verify --record-from-log" \
	"no sysfs record but one in the log: exit 2, pointing at --record-from-log"

# ---- a record entry no TPM check covers ----
# log.early: the record's entry put before entry 19, so that it is entry
# 19 (the 20th of 41), inside the cut
head -c "$(off 19 2)" log >log.head
"$mkreclog" --values vt.fw vt.early log.head meas.fw log.early
tail -c +"$(($(off 19 2) + 1))" log >>log.early
rc=$(verify out --record rec.fw --log log.early --vtpm-pcrs vt.fw)
tap_ok "a record entry before the cut (the 20th of 41, entry 19; cut $C): FAIL" \
	sh -c "[ $rc = 1 ] && grep -q '^IMA log record: FAIL: IMA log entry 19 is before the cut $C: ' out"
"$mkreclog" --pcr 11 --values vt.fw vt.p11 log meas.fw log.p11
rc=$(verify out --record rec.fw --log log.p11 --vtpm-pcrs vt.p11)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: IMA log entry $N (the record) is for PCR 11, not 10" \
	"a record entry for PCR 11 (pcr= in the policy rule): FAIL, no TPM check covers it"
tap_done
