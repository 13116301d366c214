#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff record on a fake /sys/kernel/tpm_handoff: --json is valid
# JSON (numbers as numbers, lists as lists, PCR values nested; quotes and
# backslashes escaped, UTF-8 kept, bytes that are not UTF-8 as U+FFFD),
# a control character is refused; the readable form and --raw (the lines
# as they are); an empty record says no handoff was attempted, a missing
# one that the module is not loaded (exit 1).  With firmware PCRs: the
# PCR lists, modes, bind reasons and event counts, in both forms.  The
# records are fabricated by testing/fixtures/mkrecord.py.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

# json_eval FILE EXPR...: the Python expressions EXPR of j, the JSON in
# FILE as json.load reads it, printed as print() prints them (lists and
# strings in them as Python writes them, True, False)
json_eval() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(*(eval(e) for e in sys.argv[2:]))' "$@"
}

tap_plan 11
fx_log
fx_fw
mkdir sysfs
cp record sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_ok "record --json: exit 0 and valid JSON" sh -c "[ $rc = 0 ] && python3 -m json.tool out >/dev/null"
tap_is "$(json_eval out 'j["cut"]' 'type(j["cut"]).__name__' 'j["entries"]' 'j["banks"]' \
	'j["pcrs"]["10"]["sha384"]["digest"]' "j['pcrs']['10']['sha1']['value'] == '$(val sha1 ptpm.cut)'")" \
	"$C int $((C + 1)) ['sha1', 'sha256', 'sha384'] padded-sha1 True" \
	"numbers are numbers, banks a list, PCR values nested"
printf 'result: aborted\nerror: the "vTPM" \\ said\tno\nptpm: tpm0\nbanks:\nreplayed: 0\n' >sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_is "$rc:$(tail -n 1 out.err)" "2:tpm-handoff: sysfs/record:2: control character 0x09: not a handoff record" \
	"a tab in the record is refused"
printf 'result: aborted\nerror: the "vTPM" \\ said \xc3\xa9 no\nptpm: tpm0\nbanks:\nreplayed: 0\n' >sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_is "$rc:$(json_eval out 'j["error"]' 2>&1)" \
	"0:the \"vTPM\" \\ said é no" "quotes and backslashes are escaped, UTF-8 text survives"
printf 'result: aborted\nerror: half \xc3 a char, \xff\xfe no UTF-8\nptpm: tpm0\nbanks:\nreplayed: 0\n' >sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_is "$rc:$(json_eval out 'j["error"]' 2>&1)" \
	"0:half � a char, �� no UTF-8" "bytes that are not UTF-8 become U+FFFD: the output is valid JSON"
cp record sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs)
tap_ok "record: the readable form" sh -c "[ $rc = 0 ] && grep -q '^cut: *$C of $((C + 1)) IMA log entries' out &&
	grep -q '^pcr10.sha384: *[0-9a-f]\{96\} (replay, padded-sha1)\$' out"
rc=$(run out -- "$tool" record --sysfs sysfs --raw)
tap_is "$rc:$(cmp out record && echo same)" "0:same" "record --raw: the lines as they are"
: >sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs)
tap_is "$rc:$(cat out.err)" "1:tpm-handoff: no record yet: no handoff has been attempted (tpm-handoff start)" \
	"an empty record: exit 1, no record yet"
rc=$(run out -- "$tool" record --sysfs "$tmp/none")
tap_is "$rc:$(cat out.err)" "1:tpm-handoff: no record: $tmp/none/record does not exist: tpm_handoff is not loaded" \
	"no module: exit 1, not loaded"

# ---- with firmware PCRs ----
cp rec.fw sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_is "$rc:$(json_eval out 'j["family"]' 'j["fw_replay"]' 'j["fw_bind"]' 'j["fw_resumed"]' 'j["fw_log_events"]' \
	'j["pcrs"]["8"]["sha256"]["mode"]' 'j["pcrs"]["8"]["bind"]' 'j["pcrs"]["0"]["events"]' \
	'j["pcrs"]["0"]["sha1"]["mode"]' '"digest" in j["pcrs"]["0"]["sha1"]' 'j["pcrs"]["10"]["sha384"]["digest"]' 2>&1)" \
	"0:2.0 [0, 1, 2, 3, 4, 5, 6, 7] [8, 9, 17] [] 32 bind fw_pcrs asks to bind it 2 replay False padded-sha1" \
	"record --json with firmware PCRs: PCR lists as lists, modes, bind reasons and event counts per PCR"
rc=$(run out -- "$tool" record --sysfs sysfs)
tap_ok "record: the firmware PCRs in the readable form" \
	sh -c "[ $rc = 0 ] && grep -q '^firmware PCRs: *replayed 0-7; bound 8 9 17\$' out &&
	       grep -q '^firmware log: *tpm0 (crypto-agile, 32 events)\$' out && grep -q '^PCRs mirrored: *0-10 17\$' out &&
	       grep -q '^pcr0.sha1: *[0-9a-f]\{40\} (replay, 2 events)\$' out && grep -q '^pcr8.bind: *fw_pcrs asks to bind it\$' out &&
	       grep -q '^family: *TPM 2.0\$' out"
tap_done
