#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify of a TPM 1.2 handoff (family 1.2, the sha1 bank only),
# offline: the vTPM's PCRs come from a fake /sys/class/tpm (--class), the
# pcrs file the kernel's pcrs_show() writes, in tpmN/device/pcrs or else
# tpmN/pcrs.  The record (PCRs 0-7 replayed from a TPM 1.2 event log, 8
# and 9 bound) must PASS, with --fw-log and with --record-from-log too; a
# bound PCR or PCR 10 one byte off in sysfs FAILs.  The event log, the
# record and the pcrs files are fabricated by testing/fixtures (mkevlog.py
# --tpm12, mkrecord.py --family 1.2, mkpcrs.py), their values computed
# with Python's hashlib.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

tap_plan 5
fx_log
fx_tpm12
mkdir -p cls/tpm1/device
cp pcrs.good cls/tpm1/device/pcrs
# v12 OUT [ARGS...]: verify rec12 against the vTPM tpm1 of the fake class
# dir cls, in one read (sysfs values do not move)
v12() { verify "$1" --record rec12 --class cls --attempts 1 "${@:2}"; }
# pcrs_off PCR: PCR's line in cls's pcrs file with its last byte changed
# (PCR: two digits, as the file has them)
pcrs_off() {
	local last
	last=$(sed -n "s/^PCR-$1: .*\(.\) \$/\1/p" pcrs.good)
	sed -i "s/^\(PCR-$1: .*\)\(.\) \$/\1$(tr 0-9A-F 1-9A-F0 <<<"$last") /" cls/tpm1/device/pcrs
}

rc=$(v12 out --fw-log ev12.log)
tap_ok "TPM 1.2 (family 1.2, sha1): the vTPM's PCRs from CLASS/tpm1/device/pcrs, TPM 1.2 event log: PASS" \
	sh -c "[ $rc = 0 ] && [ \"\$(tail -n 1 out)\" = 'verify: PASS' ] && grep -q '^vTPM pcr10.sha1: OK: the whole log' out &&
	       [ \$(grep -c '^vTPM pcr[0-9] (replay\|bind): OK: equals .* (sha1)\$' out) = 10 ] &&
	       grep -q '^fw log: ev12.log: tpm1.2, 30 events' out"
pcrs_off 09
rc=$(v12 out)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 9 (sha1, bind) is not H(00.. || the snapshot)" \
	"TPM 1.2: a bound PCR 9 one byte off in sysfs: FAIL"
cp pcrs.good cls/tpm1/device/pcrs
pcrs_off 10
rc=$(v12 out)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: no prefix of the log ($N entries) reproduces the vTPM's PCR 10 (sha1)" \
	"TPM 1.2: a wrong PCR 10 in sysfs: FAIL"
mkdir -p cls2/tpm1
cp pcrs.good cls2/tpm1/pcrs
rc=$(verify out --record rec12 --class cls2 --attempts 1)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "TPM 1.2: CLASS/tpm1/pcrs when there is no device/pcrs"

# The record measured into the IMA log: a TPM 1.2 extends SHA-1 template
# digests, no padding (--padded none).
"$mkreclog" --padded none --values vt12 vt12.rec log meas12 log12.rec
"$mkpcrs" vt12.rec cls2/tpm1/pcrs
rc=$(verify out --sysfs "$tmp/nonexistent" --record-from-log --log log12.rec --class cls2 --fw-log ev12.log)
tap_is "$rc:$(tail -n 1 out):$(grep -c '^IMA log record: OK' out)" "0:verify: PASS:1" \
	"TPM 1.2 with --record-from-log: PASS"
tap_done
