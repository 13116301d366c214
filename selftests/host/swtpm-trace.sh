#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# swtpm-trace, the host-side oracle, against a real swtpm: drive a swtpm
# with tpm2-tools (extends in every bank, PCR_Event, PCR_Reset, a TPM
# re-init, a quote), then check that the PCRs recomputed from its level-20 trace equal
# what the TPM itself reports; and that damaged traces are refused.  Then
# the same for a TPM 1.2 swtpm driven with raw TPM 1.2 commands (python3):
# TPM_Startup, TPM_Extend (including refused ones), TPM_SHA1CompleteExtend,
# TPM_PCR_Reset, TPM_PCRRead of all 24 PCRs, a TPM 2.0 command the TPM 1.2
# refuses, a re-init, and damaged TPM 1.2 traces.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
trace=$top/build/bin/swtpm-trace
[ -x "$trace" ] || { echo "1..0 # SKIP build/bin/swtpm-trace not built"; exit 4; }

tmp=$(mktemp -d)
pid= pid1=
trap 'kill $pid $pid1 2>/dev/null; rm -rf "$tmp"' EXIT
port=$((20000 + RANDOM % 20000))
swtpm socket --tpm2 --tpmstate dir="$tmp" \
	--server type=tcp,port=$port,bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
	--flags not-need-init,startup-clear --log file="$tmp/log",level=20 \
	--pid file="$tmp/pid" --daemon || { echo "1..0 # SKIP swtpm did not start"; exit 4; }
pid=$(cat "$tmp/pid")
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"

tap_plan 34
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
# A quote: "swtpm-trace quote" gives what the TPM signed and its signature,
# byte for byte as tpm2_quote saved them, and "pcrs --at-quote" the PCR
# values it quoted; a PCR extended after the quote does not change those.
q=ok
tpm2_startup -c 2>/dev/null	# after the CMD_INIT above (already started: refused)
tpm2_createek -c "$tmp/ek.ctx" -G rsa -u "$tmp/ek.pub" >/dev/null || q=createek
tpm2_flushcontext -t || q=flush
tpm2_createak -C "$tmp/ek.ctx" -c "$tmp/ak.ctx" -G rsa -g sha256 -s rsassa \
	-u "$tmp/ak.pub" -n "$tmp/ak.name" >/dev/null || q=createak
tpm2_flushcontext -t || q=flush	# no resource manager: swtpm holds 3 objects
tpm2_quote -c "$tmp/ak.ctx" -l sha1:10,11+sha256:10,11 -q 00112233445566778899 \
	-m "$tmp/q.msg" -s "$tmp/q.sig" -o "$tmp/q.pcrs" -F values -g sha256 >/dev/null || q=quote
tpm2_pcrextend "11:sha256=$d1" || q=extend
tap_is "$q" ok "tpm2-tools made an AK and quoted PCRs 10 and 11"
"$trace" quote "$tmp/log" >"$tmp/quote"
tap_is "$(sed -n 's/^quote_attest: //p' "$tmp/quote")/$(sed -n 's/^quote_signature: //p' "$tmp/quote")/$(sed -n 's/^quote_data: //p' "$tmp/quote")" \
	"$(xxd -p -c0 "$tmp/q.msg")/$(xxd -p -c0 "$tmp/q.sig")/00112233445566778899" \
	"swtpm-trace quote: the attestation, signature and qualifying data tpm2_quote got"
"$trace" pcrs --at-quote "$tmp/log" >"$tmp/atq"
tap_is "$(for b in sha1 sha256; do for p in 10 11; do sed -n "s/^pcr$p.$b: //p" "$tmp/atq"; done; done | tr -d '\n')" \
	"$(xxd -p -c0 "$tmp/q.pcrs")" \
	"swtpm-trace pcrs --at-quote: the values tpm2_quote saved, not the later extend"
kill $pid 2>/dev/null

# TPM 1.2: tpm1 CMD... sends raw commands (hex) over one connection and
# prints each response as "RC HEX" (testing/helpers/tpm-send).
t1=$tmp/tpm12
mkdir -p "$t1"
port1=$((port + 2))
swtpm socket --tpmstate dir="$t1" \
	--server type=tcp,port=$port1,bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((port1 + 1)),bindaddr=127.0.0.1 \
	--flags not-need-init --log file="$t1/log",level=20 \
	--pid file="$t1/pid" --daemon || tap_bail "swtpm (TPM 1.2) did not start"
pid1=$(cat "$t1/pid")
tpm1() { "$top/testing/helpers/tpm-send" "$port1" "$@"; }
startup() { printf '00c10000000c00000099%04x' "$1"; }		# TPM_ST_CLEAR 1, _STATE 2
extend() { printf '00c10000002200000014%08x%s' "$1" "$2"; }	# PCR, 20-byte digest
pcrread() { printf '00c10000000e00000015%08x' "$1"; }
pcrreset() {	# pcrreset PCR...: TPM_PCR_Reset; its TPM_PCR_SELECTION's
	local sel=0 p	# 3-byte bitmap has PCRs 0-7 in its first byte
	for p; do sel=$((sel | 1 << (8 * (2 - p / 8) + p % 8))); done
	printf '00c10000000f000000c80003%06x' $sel
}
sha1start() { printf '00c10000000a000000a0'; }
sha1complete() {	# sha1complete PCR HEXDATA: TPM_SHA1CompleteExtend
	printf '00c1%08x000000a3%08x%08x%s' $((18 + ${#2} / 2)) "$1" $((${#2} / 2)) "$2"
}
dig() { printf '%040d' "$1"; }
readall() { for i in $(seq 0 23); do pcrread "$i"; echo; done; }

# Expected return codes: TPM_Extend of PCR 17 needs locality 4 (0x3d,
# TPM_BAD_LOCALITY); a TPM 2.0 command (TPM2_PCR_Extend of PCR 16 with a
# password session) is refused by a TPM 1.2.
tpm1 "$(startup 1)" "$(extend 10 "$(dig 1)")" "$(extend 10 "$(dig 2)")" \
	"$(extend 16 "$(dig 3)")" "$(extend 23 "$(dig 4)")" "$(extend 11 "$(dig 5)")" \
	"$(extend 17 "$(dig 6)")" "$(sha1start)" "$(sha1complete 12 68656c6c6f)" \
	"$(pcrreset 16 23)" "$(extend 23 "$(dig 7)")" \
	"80020000004100000182000000100000000940000009000001000000000001000b$(printf '%064d' 1)" \
	"$(extend 16 "$(dig 8)")" "$(extend 10 "$(dig 9)")" "$(extend 10 "$(dig 10)")" \
	'00c10000000e0000004600000014' $(readall) "$(extend 10 "$(dig 11)")" >"$t1/rsp"
tap_is "$(head -n 16 "$t1/rsp" | cut -d' ' -f1 | tr '\n' ' ')" "0 0 0 0 0 0 61 0 0 0 0 $(sed -n 12p "$t1/rsp" | cut -d' ' -f1) 0 0 0 0 " \
	"raw TPM 1.2 commands drove the swtpm (a PCR 17 extend refused: TPM_BAD_LOCALITY)"
tap_ok "the TPM 2.0 command got a TPM 1.2 error" \
	test "$(sed -n 12p "$t1/rsp" | cut -d' ' -f1)" != 0 -a "$(sed -n 12p "$t1/rsp" | cut -c1-6)" != "- "
# The TPM's word: the reads (responses 17-40), and the last extend's new value.
for i in $(seq 0 23); do
	echo "pcr$i.sha1: $(sed -n "$((17 + i))p" "$t1/rsp" | cut -d' ' -f2 | cut -c21-)"
done >"$t1/want"
last10=$(tail -n1 "$t1/rsp" | cut -d' ' -f2 | cut -c21-)

"$trace" pcrs "$t1/log" >"$t1/got" 2>"$t1/err"
tap_is $? 0 "TPM 1.2: the trace parses and agrees with every TPM_PCRRead and TPM_Extend response"
tap_diag "$(cat "$t1/err")"
"$trace" pcrs --at-last-read "$t1/log" >"$t1/got-read"
tap_is "$(diff "$t1/got-read" "$t1/want" && echo same)" same \
	"TPM 1.2: all 24 PCRs recomputed at their last read equal the TPM's reads"
tap_is "$(sed -n 's/^pcr10.sha1: //p' "$t1/got")" "$last10" \
	"TPM 1.2: PCR 10 after the last extend equals the TPM's outDigest"
tap_is "$(sed 's/^pcr[0-9]*\.\([a-z0-9_]*\):.*/\1/' "$t1/got" | sort -u)" sha1 \
	"TPM 1.2: the only bank is sha1"
tap_is "$(grep -E '^pcr(10|12|16|17|23)\.' "$t1/want" | grep -c -v -E "$(dig 0)|ffffffffff")" 4 \
	"TPM 1.2: PCRs 10, 12, 16, 23 were really changed"

"$trace" commands "$t1/log" >"$t1/cmds"
tap_is "$(awk '$3 ~ /^PCR_(Extend|Reset)$/ { printf "%s:%s:%s ", $2, $3, substr($5, 5) }' "$t1/cmds")" \
	"0x014:PCR_Extend:10 0x014:PCR_Extend:10 0x014:PCR_Extend:16 0x014:PCR_Extend:23 0x014:PCR_Extend:11 0x014:PCR_Extend:17 0x0c8:PCR_Reset:16,23 0x014:PCR_Extend:23 0x182:PCR_Extend:16 0x014:PCR_Extend:16 0x014:PCR_Extend:10 0x014:PCR_Extend:10 0x014:PCR_Extend:10 " \
	"TPM 1.2: commands names each PCR command and its PCRs, by the family of its tag"
tap_is "$(awk '{ printf "%s ", $3 }' "$t1/cmds" | cut -d' ' -f1,8,9,16,17)" \
	"Startup SHA1Start SHA1CompleteExtend GetRandom PCR_Read" \
	"TPM 1.2: commands names TPM_Startup, SHA1Start, SHA1CompleteExtend, GetRandom, PCRRead"
# As selftests/lib/trace.sh counts: after the last PCR 16 extend (a marker),
# only PCR 10 extends, GetRandom and PCR_Reads.
between=$(awk '{ l[NR] = $0 } $3 == "PCR_Extend" && $4 == "rc=0x0" && $5 == "pcr=16" { m = NR }
	END { for (i = m + 1; i <= NR; i++) print l[i] }' "$t1/cmds")
tap_is "$(awk '$3 == "PCR_Extend" && $5 == "pcr=10" { e++ } $3 == "PCR_Read" { r++ } $3 == "GetRandom" { g++ }
	END { printf "%d %d %d %d", e, r, g, NR - e - r - g }' <<<"$between")" "3 24 1 0" \
	"TPM 1.2: after the marker, 3 PCR 10 extends, 24 PCR_Reads, 1 GetRandom and nothing else"

# A re-init: CMD_INIT, TPM_Startup(ST_CLEAR) resets; a second TPM_Startup
# is refused (TPM_INVALID_POSTINIT) and must not reset.
swtpm_ioctl --tcp 127.0.0.1:$((port1 + 1)) -i >/dev/null
tpm1 "$(startup 1)" "$(extend 10 "$(dig 12)")" "$(startup 1)" "$(pcrread 10)" \
	"$(pcrread 17)" >"$t1/rsp2"
# Locality 4 may extend and reset PCR 17: TPM_PCR_Reset sets it to ones.
swtpm_ioctl --tcp 127.0.0.1:$((port1 + 1)) -l 4 >/dev/null
tpm1 "$(extend 17 "$(dig 13)")" "$(pcrread 17)" "$(pcrreset 17)" "$(pcrread 17)" >>"$t1/rsp2"
swtpm_ioctl --tcp 127.0.0.1:$((port1 + 1)) -l 0 >/dev/null
tap_is "$(cut -d' ' -f1 "$t1/rsp2" | tr '\n' ' ')" "0 0 38 0 0 0 0 0 0 " \
	"TPM 1.2: re-init, TPM_Startup, extend, a refused TPM_Startup, reads; PCR 17 at locality 4"
"$trace" pcrs "$t1/log" >"$t1/got2" 2>"$t1/err2"
tap_is $? 0 "TPM 1.2: the trace still agrees with every read after the re-init"
tap_diag "$(cat "$t1/err2")"
tap_is "$(sed -n 's/^pcr\(10\|17\|23\)\.sha1: //p' "$t1/got2" | tr '\n' ' ')" \
	"$(sed -n 4p "$t1/rsp2" | cut -d' ' -f2 | cut -c21-) $(printf 'f%.0s' $(seq 40)) $(dig 0) " \
	"TPM 1.2: after the re-init PCR 10 holds one extend, 17 all ones (reset), 23 zero"

# Damaged TPM 1.2 traces.  tamper FILE ORD WHAT BYTE [NTH]: FILE with byte
# BYTE of the command (WHAT=cmd) or response (rsp) of the NTH (default 1st)
# command ORD flipped; tamper FILE init: with every CMD_INIT's code
# flipped.  damaged ARGS...: swtpm-trace's exit status on that.
tamper() {
	python3 - "$@" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
hexline = re.compile(r"^ *([0-9A-Fa-f]{2} *)+$")
def body(i):		# the hex lines from line i on
	j = i
	while j < len(lines) and hexline.match(lines[j]):
		j += 1
	return j
def flip(i, byte):	# flip byte BYTE of the record starting at line i
	row, col = i + byte // 16, byte % 16
	b = lines[row].split()
	b[col] = "%02X" % (int(b[col], 16) ^ 0x5A)
	lines[row] = " " + " ".join(b) + " "
done = False
if sys.argv[2] == "init":
	for i, l in enumerate(lines):
		if "Ctrl Cmd: length" in l and lines[i + 1].split()[:4] == ["00", "00", "00", "02"]:
			flip(i + 1, 3)		# 02 -> 58: not a command swtpm has
			done = True
else:
	ordinal, what, byte = int(sys.argv[2], 0), sys.argv[3], int(sys.argv[4])
	nth = int(sys.argv[5]) if len(sys.argv) > 5 else 1
	for i, l in enumerate(lines):
		if "SWTPM_IO_Read: length" not in l:
			continue
		cmd = bytes.fromhex("".join(lines[i + 1:body(i + 1)]))
		if int.from_bytes(cmd[6:10], "big") != ordinal:
			continue
		nth -= 1
		if nth:
			continue
		if what == "cmd":
			flip(i + 1, byte)
		else:
			j = body(i + 1)
			while "SWTPM_IO_Write: length" not in lines[j]:
				j += 1
			flip(j + 1, byte)
		done = True
		break
print("\n".join(lines), end="")
sys.exit(0 if done else 1)
PY
}
damaged() {
	local in=$1
	shift
	tamper "$in" "$@" >"$t1/bad" || return 9
	cmp -s "$in" "$t1/bad" && return 8
	"$trace" pcrs "$t1/bad" >/dev/null 2>"$t1/bad.err"
}
damaged "$t1/log" 0x15 rsp 25
tap_is $? 3 "TPM 1.2: a TPM_PCRRead response that disagrees with the replay is caught (exit 3)"
damaged "$t1/log" 0x14 rsp 12
tap_is $? 3 "TPM 1.2: a TPM_Extend outDigest that disagrees with the replay is caught (exit 3)"
damaged "$t1/log" 0x14 cmd 20
tap_is $? 3 "TPM 1.2: a changed TPM_Extend digest is caught (exit 3)"
# Without the CMD_INITs only TPM_Startup(ST_CLEAR) resets the PCRs at the
# re-init; a TPM_Startup of another type there must not.
tamper "$t1/log" init >"$t1/noinit"
tap_is "$?:$("$trace" pcrs "$t1/noinit" 2>&1 >/dev/null; echo $?)" 0:0 \
	"TPM 1.2: TPM_Startup(ST_CLEAR) resets the PCRs (the trace without CMD_INIT agrees)"
damaged "$t1/noinit" 0x99 cmd 11 2	# 01 -> 5B: not ST_CLEAR
tap_is $? 3 "TPM 1.2: a TPM_Startup other than ST_CLEAR does not reset them (exit 3)"
{ printf ' SWTPM_IO_Read: length 14\n 00 C1 00 00 00 22 00 00 00 14 00 00 00 0A\n'
  printf ' SWTPM_IO_Write: length 30\n 00 C4 00 00 00 1E 00 00 00 00 %s\n' "$(printf '00 %.0s' $(seq 20))"
} >"$t1/short-cmd"
"$trace" pcrs "$t1/short-cmd" >/dev/null 2>&1
tap_is $? 2 "TPM 1.2: a TPM_Extend without its digest is refused (exit 2)"
{ printf ' SWTPM_IO_Read: length 34\n 00 C1 00 00 00 22 00 00 00 14 00 00 00 0A %s\n' "$(printf '01 %.0s' $(seq 20))"
  printf ' SWTPM_IO_Write: length 10\n 00 C4 00 00 00 0A 00 00 00 00\n'
} >"$t1/short-rsp"
"$trace" pcrs "$t1/short-rsp" >/dev/null 2>&1
tap_is $? 2 "TPM 1.2: a successful TPM_Extend response without outDigest is refused (exit 2)"
tap_done
