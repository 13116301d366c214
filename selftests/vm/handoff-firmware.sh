#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The firmware PCRs 0-9, with SeaBIOS's real TCG event log and with
# fabricated ones, in dry runs (every step but the commit):
#  - default fw_pcrs: SeaBIOS's crypto-agile log reproduces the pTPM, every
#    PCR is replayed, and the vTPM reads the pTPM's values in every bank
#    (tpm2_eventlog, an independent parser, computes the same values);
#  - a second run finds the vTPM's firmware PCRs done and resumes;
#  - a foreign extend of pTPM PCR 9 and fw_pcrs=0-7,8:bind,9: PCRs 8 and
#    9 are bound (the vTPM reads H(0 || pTPM value)), the rest replayed;
#  - a truncated log (fw_log): fw_pcrs=0-9:replay is refused before the
#    barrier with the parser's reason; a dirty vTPM PCR gives -EBUSY;
#  - bad fw_pcrs values and a relative fw_log are refused when written,
#    and a missing fw_log file makes the trigger fail with a clear error.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

P=/sys/module/tpm_handoff/parameters
FW_PCRS=$(seq -s ' ' 0 9)

# fw_values CHIP: PCRs 0-9 of CHIP in every bank, "pcrP.bank: hex" lines.
fw_values() {
	local p
	for p in $(seq 0 9); do pcr_values "$1" "$p"; done
}

# bind_values: what the vTPM reads for PCRs $* after one bind extend of
# tpm0's value: H(zeros || value), computed with python3's hashlib.
bind_values() {
	local p
	for p in "$@"; do pcr_values tpm0 "$p"; done | python3 -c '
import hashlib, sys
for line in sys.stdin:
    key, val = line.split(": ")
    bank = key.split(".")[1]
    v = bytes.fromhex(val.strip())
    print("%s: %s" % (key, hashlib.new(bank, bytes(len(v)) + v).hexdigest()))'
}

tap_plan 33
mark=$(dmesg_mark)
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
ev=/sys/kernel/security/tpm0/binary_bios_measurements
cat "$ev" >/tmp/fw.log 2>/dev/null
tap_ok "the pTPM has a firmware event log ($(stat -c %s /tmp/fw.log) bytes)" test -s /tmp/fw.log
cp /tmp/fw.log "$RESULTS/fw.log"

tap_ok "insmod tpm_handoff.ko dry_run=1" handoff_load dry_run=1
tap_is "$(cat $P/fw_pcrs)" 0-9 "fw_pcrs defaults to 0-9"

# 1. SeaBIOS's log, default fw_pcrs.
tap_is "$(handoff_trigger)" ECANCELED "dry run with the default fw_pcrs"
tap_diag "$(handoff_error)"
cp "$TH_SYSFS/record" "$RESULTS/record.1"
tap_is "$(handoff_record_get fw_replay)" "$FW_PCRS" "SeaBIOS's log reproduces PCRs 0-9: all replayed"
tap_is "$(handoff_record_get fw_bind)" "" "none bound"
tap_is "$(handoff_record_get fw_log)/$(handoff_record_get fw_log_format)" \
	tpm0/crypto-agile "the record names the chip's log and its format"
tpm2_eventlog /tmp/fw.log >"$RESULTS/tpm2_eventlog.yaml" 2>&1
n=$(grep -c '^- EventNum:' "$RESULTS/tpm2_eventlog.yaml")
tap_is "$(handoff_record_get fw_log_events)" "$n" "as many events as tpm2_eventlog counts ($n)"
fw_values tpm0 >/tmp/ptpm.fw
fw_values "$vchip" >/tmp/vtpm.fw
tap_ok "the vTPM's PCRs 0-9 equal the pTPM's in every bank ($(wc -l </tmp/ptpm.fw) values)" \
	cmp /tmp/ptpm.fw /tmp/vtpm.fw
# tpm2_eventlog's own replay, sha256 bank: "  sha256:" then "    N : 0xHEX".
sed -n '/^pcrs:/,$p' "$RESULTS/tpm2_eventlog.yaml" |
	awk '/^  [a-z0-9]+:/ { bank = $1; sub(":", "", bank) }
	     /^    [0-9]+ *: 0x/ { printf "pcr%d.%s: %s\n", $1, bank, tolower(substr($3, 3)) }' |
	grep -E '^pcr[0-9]\.' | sort >/tmp/eventlog.fw
tap_ok "tpm2_eventlog's replay of the log agrees with the vTPM ($(wc -l </tmp/eventlog.fw) values)" \
	test -s /tmp/eventlog.fw -a -z "$(comm -23 /tmp/eventlog.fw <(sort /tmp/vtpm.fw))"
tap_is "$(sed -n 's/^pcr0.sha256.mode: //p' "$TH_SYSFS/record")" replay "the record says pcr0.sha256.mode: replay"
tap_ok "the record has pcr0.events" grep -q '^pcr0.events: [1-9]' "$TH_SYSFS/record"

# 2. Again: the vTPM holds the firmware PCRs already.
tap_is "$(handoff_trigger)" ECANCELED "a second dry run"
tap_is "$(handoff_record_get fw_resumed)" "$FW_PCRS" "it resumes all ten firmware PCRs"
tap_is "$(handoff_record_get fw_extended)" 0 "and extends none of them again"

# 3. Something outside the log extends pTPM PCR 9; PCR 8 forced to bind.
vchip=$(vtpm_restart) || tap_bail "vtpmd did not restart"
tpm2 tpm0 pcrextend 9:sha256=$(printf '%064d' 9) || tap_diag "pcrextend failed"
echo '0-7,8:bind,9' >$P/fw_pcrs
tap_is "$(handoff_trigger)" ECANCELED "dry run with fw_pcrs=0-7,8:bind,9 after a foreign extend of PCR 9"
cp "$TH_SYSFS/record" "$RESULTS/record.3"
tap_is "$(handoff_record_get fw_bind)" "8 9" "PCRs 8 and 9 are bound"
tap_is "$(handoff_record_get fw_replay)" "$(seq -s ' ' 0 7)" "PCRs 0-7 are replayed"
tap_ok "the record says why: $(handoff_record_get pcr9.bind)" \
	grep -q "does not reproduce" <<<"$(handoff_record_get pcr9.bind)"
tap_is "$(for p in 8 9; do pcr_values "$vchip" $p; done)" "$(bind_values 8 9)" \
	"the vTPM's PCRs 8 and 9 read H(0 || pTPM value) in every bank"
tap_is "$(for p in 0 7; do pcr_values "$vchip" $p; done)" \
	"$(for p in 0 7; do pcr_values tpm0 $p; done)" "PCRs 0 and 7 equal the pTPM's"

# 4. A truncated log that fw_pcrs insists on replaying; then a dirty vTPM.
head -c 1000 /tmp/fw.log >/tmp/fw-cut.log
echo /tmp/fw-cut.log >$P/fw_log
echo 0-9:replay >$P/fw_pcrs
vchip=$(vtpm_restart) || tap_bail "vtpmd did not restart"
tap_is "$(handoff_trigger)" EINVAL "fw_pcrs=0-9:replay with a truncated log is refused"
tap_ok "the error gives the parser's reason: $(handoff_error)" \
	grep -q "replay PCR 0, but event [0-9]* (offset [0-9]*)" <<<"$(handoff_error)"
tap_is "$(handoff_record_get barrier_ns)" 0 "the barrier was never raised"
echo >$P/fw_log
echo 0-9 >$P/fw_pcrs
tpm2 "$vchip" pcrextend 3:sha256=$(printf '%064d' 3) >/dev/null
tap_is "$(handoff_trigger)" EBUSY "a vTPM PCR 3 extended by someone else gives -EBUSY"
tap_ok "the error names vTPM PCR 3 and the fix" \
	grep -q "vTPM PCR 3 is neither.*restart the vTPM" <<<"$(handoff_error)"

# 5. Bad parameter values.
for v in 10 0-24 3-1 0:foo 1,1; do
	echo "$v" >$P/fw_pcrs 2>/dev/null && break
done
tap_is "$(cat $P/fw_pcrs)" 0-9 "fw_pcrs refuses 10, 0-24, 3-1, 0:foo and 1,1 and keeps its value"
tap_ok "the kernel log says why" grep -q "fw_pcrs: PCR 10 is IMA's" <<<"$(dmesg_since "$mark")"
echo /nonexistent >$P/fw_log
tap_is "$(handoff_trigger)" ENOENT "a missing fw_log file fails the trigger"
tap_ok "the error names the file: $(handoff_error)" \
	grep -q "cannot read the event log /nonexistent" <<<"$(handoff_error)"
echo >$P/fw_log
# The handoff thread reads fw_log, and a kernel thread resolves paths from
# the root: a relative path is refused when it is written.
cd /tmp || tap_bail "no /tmp"
echo fw.log >$P/fw_log 2>/dev/null
tap_is "$?:$(cat $P/fw_log)" "1:" "fw_log refuses a relative path (fw.log) and stays empty"
tap_ok "the kernel log says it must be absolute" \
	grep -q 'fw_log must be empty or an absolute path, not "fw.log"' <<<"$(dmesg_since "$mark")"
cd - >/dev/null || true

tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
