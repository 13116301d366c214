#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify and record on many damaged copies of good inputs,
# under the ASan/UBSan build (build/bin/tpm-handoff-asan): records and IMA
# logs; firmware event logs, record entries in the IMA log, TPM 1.2 pcrs
# files and records with firmware PCRs.  A verdict (0, 1) or a refusal
# (2) are both fine; a sanitizer report, another exit status, or record
# --json printing invalid JSON are not.  The damage is
# testing/fixtures/mkdamaged.py's (thfix/damage.py), deterministic for its
# seed, so a failure reproduces.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init --asan

tap_plan 2
if [ ! -x "$asan" ]; then
	tap_result 1 "damaged records and logs under ASan: the ASan build exists (make -C tools asan)"
	tap_result 1 "damaged firmware PCR inputs under ASan: the ASan build exists"
	tap_done
fi
fx_log
fx_fw
fx_tpm12

# asan_run ARGS...: the ASan build, its exit status in arc; what went
# wrong (a report, an exit status other than 0, 1 or 2) added to fails.
asan_run() {
	ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=98 \
		"$asan" "$@" >asan.out 2>asan.err
	arc=$?
	case $arc in
	[012]) ! grep -q 'Sanitizer\|runtime error' asan.err || fails+=" [$*: report]" ;;
	*) fails+=" [$*: exit $arc]" ;;
	esac
}

# fzNNN.rec, fzNNN.log: the record with up to 6 changes, the log with bits
# flipped or cut short; each pair through verify, the record through
# record --json
"$mkdamaged" verify-inputs record log
fails=
for r in fz*.rec; do
	asan_run verify --sysfs "$tmp" --record "$r" --vtpm-pcrs vtpm.all --log "${r%.rec}.log"
	asan_run record --json --record "$r"
done
tap_is "${fails:-none}" none "150 damaged records and logs under ASan/UBSan: exit 0, 1 or 2, no report"

# feNNN.ev, fmNNN.log, fpNNN.pcrs, frNNN.rec: damaged event logs, record
# entries, TPM 1.2 pcrs files, records with firmware PCRs
"$mkdamaged" fw-inputs ev.log log meas.fw rec.fw pcrs.good
fails=
declare -A seen=()	# the exit statuses per kind of input, for the diagnostics
for f in fe*.ev; do
	asan_run verify --sysfs "$tmp" --record rec.fw --vtpm-pcrs vt.fw --log log --fw-log "$f"
	seen[ev$arc]=1
done
for f in fm*.log; do
	asan_run verify --sysfs "$tmp" --record-from-log --log "$f" --vtpm-pcrs vt.fw
	seen[fm$arc]=1
	asan_run verify --sysfs "$tmp" --record rec.fw --log "$f" --vtpm-pcrs vt.fw
done
mkdir -p clsf/tpm1
for f in fp*.pcrs; do
	cp "$f" clsf/tpm1/pcrs
	asan_run verify --sysfs "$tmp" --record rec12 --log log --class clsf --attempts 1
	seen[fp$arc]=1
done
for f in fr*.rec; do
	asan_run verify --sysfs "$tmp" --record "$f" --log log --vtpm-pcrs vt.fw --fw-log ev.log
	seen[fr$arc]=1
	asan_run record --json --record "$f"
	if [ $arc = 0 ] && ! python3 -m json.tool asan.out >/dev/null 2>&1; then
		fails+=" [$f: record --json printed invalid JSON]"
	fi
done
tap_diag "exit statuses seen: ${!seen[*]}"
tap_is "${fails:-none}" none \
	"100 damaged event logs, 60 damaged record entries, 40 TPM 1.2 pcrs files, 60 records under ASan/UBSan: no report, valid JSON"
tap_done
