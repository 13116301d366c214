#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The handoff measures itself.  With the IMA policy rule
#     measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf
# the commit adds one ima-buf entry named "tpm_handoff" after the cut whose
# buffer is the record (the cut, the snapshot, each PCR's mode): its
# d-ng digest is sha256 of that buffer, its keys equal the sysfs record's,
# and the whole log, this entry included, validates against the vTPM's
# PCR 10.  So a verifier finds the cut in the log itself: tpm-handoff
# verify --record-from-log passes without sysfs, with the firmware PCRs in
# both modes (PCR 8 bound by fw_pcrs, PCR 9 by a foreign extend, the rest
# replayed and checked against the saved event log), and fails when the
# event log it is given is not the one replayed.  The policy can be
# written once (Debian: no CONFIG_IMA_WRITE_POLICY), so this script boots
# alone.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 22
mark=$(dmesg_mark)
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"

# The policy: the handoff's critical data, and root's reads and execs so
# that the log keeps growing as under ima_policy=tcb.
cat >/tmp/policy <<'EOF'
measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf
measure func=BPRM_CHECK
measure func=FILE_MMAP mask=MAY_EXEC
measure func=MODULE_CHECK
measure func=FILE_CHECK mask=MAY_READ uid=0
EOF
tap_ok "IMA accepts the policy with the tpm_handoff critical-data rule" \
	sh -c "cat /tmp/policy >$IMA_DIR/policy"
ima_grow 200 || tap_diag "the log did not grow"

cat /sys/kernel/security/tpm0/binary_bios_measurements >/tmp/fw.log
tpm2 tpm0 pcrextend 9:sha256=$(printf '%064d' 9) || tap_diag "pcrextend failed"
tap_ok "insmod tpm_handoff.ko fw_pcrs=0-7,8:bind,9" handoff_load fw_pcrs=0-7,8:bind,9
tap_is "$(handoff_trigger 1)" ok "trigger: committed"
cp "$TH_SYSFS/record" "$RESULTS/record"
cut=$(handoff_record_get cut)

# The entry, from the ascii list: "10 <template digest> ima-buf
# sha256:<digest> tpm_handoff <hex buffer>".
grep ' ima-buf .* tpm_handoff ' "$IMA_DIR/ascii_runtime_measurements" >/tmp/entries
tap_is "$(wc -l </tmp/entries)" 1 "the IMA log holds one tpm_handoff entry"
idx=$(grep -n ' ima-buf .* tpm_handoff ' "$IMA_DIR/ascii_runtime_measurements" | head -n1 | cut -d: -f1)
tap_ok "it comes after the cut (entry $((idx - 1)), cut $cut)" test "$((idx - 1))" -ge "$cut"
read -r pcr _ tmpl dng name hex </tmp/entries
tap_is "$pcr/$tmpl" "10/ima-buf" "on PCR 10, template ima-buf"
printf '%s' "$hex" | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' \
	>"$RESULTS/measured-record"
tap_is "$dng" "sha256:$(sha256sum <"$RESULTS/measured-record" | cut -d' ' -f1)" \
	"its d-ng digest is sha256 of the buffer"
tap_is "$(head -n1 "$RESULTS/measured-record")" "tpm_handoff: 1" "the buffer is a record (tpm_handoff: 1)"
get() { sed -n "s/^$1: //p" "$RESULTS/measured-record"; }
tap_is "$(get cut)" "$cut" "its cut equals the sysfs record's"
tap_is "$(get result)" committed "it says committed"
# Every key of the measured record has the sysfs record's value.
bad=$(while IFS= read -r line; do
	k=${line%%: *}
	[ "$k" = tpm_handoff ] && continue
	grep -qxF -- "$line" "$RESULTS/record" || echo "$line"
done <"$RESULTS/measured-record")
tap_is "$bad" "" "every line of it is in the sysfs record ($(wc -l <"$RESULTS/measured-record") lines)"
tap_ok "it has no timings (replay_ns, barrier_ns, memory_bytes)" \
	test -z "$(get replay_ns)$(get barrier_ns)$(get memory_bytes)"

# The entry was extended into the vTPM: the whole log validates there.
ima_quiet_snapshot "$vchip" "$RESULTS/vtpm" || tap_bail "the IMA log never held still"
n=$(cat "$RESULTS/vtpm/count")
ima-replay --expect "$RESULTS/vtpm/pcr10" --pcr 10 --entries "$n" \
	"$RESULTS/vtpm/ima.log" >"$RESULTS/vtpm/replay.out" 2>&1
tap_is "$?" 0 "the whole log ($n entries, the tpm_handoff entry included) validates against the vTPM's PCR 10"

# tpm-handoff verify: the sysfs record, then the log's alone.
tap_is "$(handoff_record_get fw_bind)" "8 9" "PCRs 8 and 9 are bound, 0-7 replayed"
tpm-handoff verify --fw-log /tmp/fw.log >"$RESULTS/verify.out" 2>&1
tap_is "$?" 0 "tpm-handoff verify --fw-log passes (sysfs record, live vTPM)"
tap_diag "$(cat "$RESULTS/verify.out")"
tap_ok "it checked the measured record against sysfs" \
	grep -q "^IMA log record: OK" "$RESULTS/verify.out"
tpm-handoff verify --record-from-log --fw-log /tmp/fw.log >"$RESULTS/verify-log.out" 2>&1
tap_is "$?" 0 "tpm-handoff verify --record-from-log passes (no sysfs)"
tap_diag "$(cat "$RESULTS/verify-log.out")"
modes_checked() {
	grep -q "^vTPM pcr8 (bind): OK" "$1" && grep -q "^vTPM pcr3 (replay): OK" "$1" &&
		grep -q "^fw log pcr3 (replay): OK" "$1"
}
tap_ok "it verified PCR 8 in bind mode and PCR 3 in replay mode" \
	modes_checked "$RESULTS/verify-log.out"
# A different event log (one event's digest byte flipped) must not pass.
python3 - /tmp/fw.log /tmp/fw-bad.log <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0xff
open(sys.argv[2], "wb").write(b)
PY
tpm-handoff verify --record-from-log --fw-log /tmp/fw-bad.log >"$RESULTS/verify-bad.out" 2>&1
rc=$?
tap_ok "with a corrupted event log verify does not pass (exit $rc)" test "$rc" != 0
tap_diag "$(tail -n 3 "$RESULTS/verify-bad.out")"
tpm2 "$vchip" pcrextend 8:sha256=$(printf '%064d' 8) >/dev/null
tpm-handoff verify --record-from-log >"$RESULTS/verify-ext.out" 2>&1
tap_is "$?" 1 "after someone extends vTPM PCR 8, verify fails"
tap_ok "naming PCR 8" grep -q "PCR 8" "$RESULTS/verify-ext.out"
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
