#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# swtpm-trace, the host-side oracle, against a real swtpm: drive a swtpm
# with tpm2-tools (extends in every bank, PCR_Event, PCR_Reset, a TPM
# re-init), then check that the PCRs recomputed from its level-20 trace equal
# what the TPM itself reports; and that damaged traces are refused.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
trace=$top/build/bin/swtpm-trace
[ -x "$trace" ] || { echo "1..0 # SKIP build/bin/swtpm-trace not built"; exit 4; }

tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
port=$((20000 + RANDOM % 20000))
swtpm socket --tpm2 --tpmstate dir="$tmp" \
	--server type=tcp,port=$port,bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
	--flags not-need-init,startup-clear --log file="$tmp/log",level=20 \
	--pid file="$tmp/pid" --daemon || { echo "1..0 # SKIP swtpm did not start"; exit 4; }
pid=$(cat "$tmp/pid")
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"

tap_plan 11
d1=$(printf '%064d' 1) d2=$(printf '%0128d' 2)
ok=0
tpm2_pcrextend "10:sha1=$(printf '%040d' 7),sha256=$d1" || ok=1
tpm2_pcrextend "10:sha384=$(printf '%096d' 3),sha512=$d2" || ok=1
tpm2_pcrextend "16:sha256=$d1" "23:sha1=$(printf '%040d' 9)" || ok=1
echo hello >"$tmp/ev" && tpm2_pcrevent 11 "$tmp/ev" >/dev/null || ok=1
tpm2_pcrreset 16 || ok=1
tap_is $ok 0 "tpm2-tools drove the swtpm"

# The TPM's own word, read last (this read is in the trace too).
sel="sha1:10,11,16,23+sha256:10,11,16,23+sha384:10,11,16,23+sha512:10,11,16,23"
tpm2_pcrread "$sel" >"$tmp/read" || ok=1
want() {	# want BANK PCR: tpm2_pcrread's value, lower case, no 0x
	awk -v b="  $1:" -v p="$2" '$0 == b { inb = 1; next }
		/^  [a-z0-9]+:$/ { inb = 0 }
		inb && $1 == p":" { print tolower(substr($2, 3)) }' "$tmp/read"
}
"$trace" pcrs "$tmp/log" >"$tmp/got"
tap_is $? 0 "the trace parses and agrees with every PCR_Read in it"
bad=
for b in sha1 sha256 sha384 sha512; do
	for p in 10 11 16 23; do
		g=$(sed -n "s/^pcr$p.$b: //p" "$tmp/got")
		[ -n "$g" ] && [ "$g" = "$(want $b $p)" ] || bad+=" pcr$p.$b"
	done
done
tap_is "${bad:-none}" none "recomputed PCRs 10, 11, 16, 23 equal the TPM's in all four banks"
tap_ok "PCR 10 was really extended" test "$(want sha256 10)" != "$(printf '%064d' 0)"

# A TPM re-init (CMD_INIT, as at a power cycle) resets the PCRs.
swtpm_ioctl --tcp 127.0.0.1:$((port + 1)) -i >/dev/null
"$trace" pcrs --pcr 10 "$tmp/log" >"$tmp/got2"
tap_is "$(sed -n 's/^pcr10.sha256: //p' "$tmp/got2")" "$(printf '%064d' 0)" \
	"CMD_INIT resets the recomputed PCRs"

"$trace" commands "$tmp/log" >"$tmp/cmds"
tap_is "$(grep -c " PCR_Extend " "$tmp/cmds")" 4 "commands lists the 4 PCR_Extends"
tap_is "$(awk '$3 ~ /^PCR_/ && $5 ~ /^pcr=/ { printf "%s:%s ", $3, substr($5, 5) }' "$tmp/cmds")" \
	"PCR_Extend:10 PCR_Extend:10 PCR_Extend:16 PCR_Extend:23 PCR_Event:11 PCR_Reset:16 " \
	"commands names the PCR of each PCR command"

# Damaged traces.
printf ' SWTPM_IO_Read: length 99999999\n 80 01\n' >"$tmp/huge"
"$trace" pcrs "$tmp/huge" >/dev/null 2>&1
tap_is $? 2 "an absurd record length is refused (exit 2)"
# Change one byte of the last PCR_Read response's digest.
awk '/SWTPM_IO_Write/ { last = NR } { l[NR] = $0 } END {
	for (i = 1; i <= NR; i++) { if (i == last + 4) sub(/^ ../, " 5A", l[i]); print l[i] } }' \
	"$tmp/log" >"$tmp/tampered"
"$trace" pcrs "$tmp/tampered" >/dev/null 2>&1
tap_is $? 3 "a PCR_Read response that disagrees with the replay is caught (exit 3)"
printf ' SWTPM_IO_Write: length 10\n 80 01 00 00 00 0A 00 00 00 00\n' >"$tmp/orphan"
"$trace" pcrs "$tmp/orphan" >/dev/null 2>&1
tap_is $? 2 "a response without a command is refused (exit 2)"
"$trace" pcrs "$tmp/missing" >/dev/null 2>&1
tap_is $? 2 "a missing trace file is an error"
tap_done
