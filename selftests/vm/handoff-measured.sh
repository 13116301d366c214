#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The handoff measures itself.  With the IMA policy rule
#     measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf
# the commit adds one ima-buf entry named "tpm_handoff" after the cut whose
# buffer is the record (the cut, the snapshot, each PCR's mode): its
# d-ng digest is sha256 of that buffer, its keys equal the sysfs record's,
# and the whole log, this entry included, validates against the vTPM's
# PCR 10.  So a verifier finds the cut in the log itself.  The policy can
# be written once (Debian: no CONFIG_IMA_WRITE_POLICY), so this script
# boots alone.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 14
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

tap_ok "insmod tpm_handoff.ko" handoff_load
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
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
