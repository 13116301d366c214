#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ima-replay, the IMA log oracle, against two independent implementations:
# testing/fixtures/mklog.py fabricates binary logs (ima-ng, ima-sig,
# ima-buf, a nameless template, legacy "ima", violations, PCRs 0/10/11/23)
# and computes their PCRs with Python's hashlib; evmctl ima_measurement
# checks an ima-ng log.  Then cuts (--entries), --expect, and damaged logs
# and expect files, also under ASan/UBSan.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
replay=$top/build/bin/ima-replay
mklog=$top/testing/fixtures/mklog.py
[ -x "$replay" ] || { echo "1..0 # SKIP build/bin/ima-replay not built"; exit 4; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

tap_plan 49

# ---- values ----
"$mklog" --entries 60 --layout lay --values want.all mixed.log
n=$(wc -l <lay)
"$replay" mixed.log >got.all
tap_is "$?" 0 "a $n-entry mixed log replays"
tap_is "$(cat got.all)" "$(cat want.all)" \
	"values for PCRs 0, 10, 11, 23 in every bank, both digest kinds, equal the Python model"
tap_is "$(grep -cE '^pcr(0|10|11|23)\.sha(1|256|384|512)(\.padded-sha1)?: [0-9a-f]+$' got.all)" 28 \
	"that is 4 PCRs x (4 template-hash + 3 padded-sha1) values"
"$mklog" --seed 7 --entries 3000 --values want.big big.log
tap_is "$("$replay" big.log)" "$(cat want.big)" \
	"a 3000-entry log ($(stat -c %s big.log) bytes, read in 64 KiB chunks) equals the model"
bad=
for c in 1 2 5 29 4096; do
	"$replay" --chunk $c mixed.log | cmp -s - want.all || bad+=" $c"
done
tap_is "${bad:-none}" none "fed in chunks of 1, 2, 5, 29, 4096 bytes: the same values"
tap_is "$("$replay" - <mixed.log | tail -n 1)" "entries: $n" "the log can come from stdin"

for k in 0 1 5 31 $((n - 1)) $n; do
	"$mklog" --entries 60 --values want.$k --after $k mixed.log
	tap_is "$("$replay" --entries $k mixed.log)" "$(cat want.$k)" \
		"--entries $k: the values after the first $k entries"
done
"$replay" --entries $((n + 1)) mixed.log >/dev/null 2>err
tap_is "$?:$(cat err)" "2:ima-replay: mixed.log has $n entries, not $((n + 1))" \
	"--entries past the end is an error"

# ---- --expect ----
# What a Debian 6.1 TPM holds: sha1/sha256 hashed, sha384/sha512 padded.
as_tpm() {	# as_tpm VALUES [PCR]: swtpm-trace-style lines for one PCR
	sed -n -e "s/^pcr${2:-10}\.\(sha1\|sha256\): /pcr${2:-10}.\1: /p" \
		-e "s/^pcr${2:-10}\.\(sha384\|sha512\)\.padded-sha1: /pcr${2:-10}.\1: /p" "$1"
}
"$mklog" --entries 60 --values want.20 --after 20 mixed.log
as_tpm want.20 >exp.20
"$replay" --expect exp.20 mixed.log >out
tap_is "$?" 0 "--expect: values after 20 entries are found"
tap_is "$(head -n 4 out)" "pcr10.sha1: matches after 20 entries (template-hash)
pcr10.sha256: matches after 20 entries (template-hash)
pcr10.sha384: matches after 20 entries (padded-sha1)
pcr10.sha512: matches after 20 entries (padded-sha1)" \
	"each bank matches after 20 entries, with the right digest kind"
"$replay" --expect exp.20 --entries 20 mixed.log >/dev/null
tap_is "$?" 0 "--entries 20 --expect: exact match"
"$replay" --expect exp.20 --entries 19 mixed.log >out
tap_is "$?:$(head -n 1 out)" "1:pcr10.sha1: matches after 20 entries, not 19 (template-hash)" \
	"--entries 19: mismatch, says where it does match"
"$mklog" --entries 60 --values want.6 --after 6 mixed.log
as_tpm want.6 >exp.6
"$replay" --expect exp.6 --pcr 10 mixed.log >out
tap_is "$?:$(sed -n 2p out)" "0:pcr10.sha256: matches after 6-8 entries (template-hash)" \
	"entries 6 and 7 are for PCR 11: PCR 10's value holds after 6 to 8 entries"
"$replay" --expect exp.6 --entries 8 mixed.log >/dev/null
tap_is "$?" 0 "so --entries 8 matches too"
sed -n 's/^\(pcr[0-9]*\.sha[0-9]*\): /\1: /p' want.all >exp.full
"$replay" --expect exp.full --entries $n mixed.log >out
tap_is "$?:$(grep -c "matches after $n entries (template-hash)$" out)" "0:16" \
	"all 4 PCRs x 4 banks (template-hash) match after exactly $n entries"
{ as_tpm want.20; sed -n 's/^\(pcr11\.sha[0-9]*\): /\1: /p' want.all; } >exp.mixed
"$replay" --expect exp.mixed mixed.log >out
tap_is "$?:$(grep -c ': matches after' out):$(grep -c '^no common prefix' out)" "1:8:1" \
	"PCR 10 after 20 entries and PCR 11 after $n: each matches, but no common prefix"
printf 'pcr10.%s: %s\n' sha1 "$(printf '%040d' 0)" sha256 "$(printf '%064d' 0)" \
	sha384 "$(printf '%096d' 0)" sha512 "$(printf '%0128d' 0)" >exp.zero
"$replay" --expect exp.zero --entries 0 mixed.log >out
tap_is "$?:$(sed -n 2p out)" "0:pcr10.sha256: matches after 0 entries (template-hash, padded-sha1)" \
	"the all-zero start matches after 0 entries"
sed 's/^pcr10/pcr5/' exp.zero >exp.pcr5
"$replay" --expect exp.pcr5 --pcr 5 mixed.log >out
tap_is "$?:$(head -n 1 out)" "0:pcr5.sha1: matches after 0-$n entries (template-hash)" \
	"--pcr 5, which the log never extends: zero after 0-$n entries"
sed "s/^\(pcr10.sha256: \).*/\1$(printf '%064d' 7)/" exp.20 >exp.wrong
"$replay" --expect exp.wrong mixed.log >out
tap_is "$?:$(sed -n 2p out)" "1:pcr10.sha256: no prefix matches" "a wrong value: no prefix matches, exit 1"

# ---- evmctl, an independent oracle (ima-ng only) ----
"$mklog" --kind ima-ng --seed 3 --entries 300 --values ng.want ng.log
evm_pcrs() {	# evm_pcrs BANK: PCR-00..23 as evmctl --pcrs reads them
	local i z
	z=$(sed -n "s/^pcr10.$1: //p" ng.want | tr 0-9a-f 0)
	for i in $(seq 0 23); do
		[ $i = 10 ] && printf 'PCR-10: %s\n' "$(sed -n "s/^pcr10.$1: //p" ng.want)" ||
			printf 'PCR-%02d: %s\n' $i "$z"
	done
}
evm_pcrs sha1 >evm.sha1
evm_pcrs sha256 >evm.sha256
# Without --ignore-violations, evmctl 1.4 extends zeros for a violation
# (so that any violation fails); the kernel extends 0xff.., as here.
evmctl -v ima_measurement --ignore-violations --pcrs sha1,evm.sha1 \
	--pcrs sha256,evm.sha256 ng.log >evm.out 2>&1
for b in sha1 sha256; do
	tap_ok "evmctl agrees with the model: $b PCR-10 succeeds at entry 300" \
		grep -q "^$b PCR-10: succeed at entry 300\$" evm.out
done
as_tpm ng.want >exp.ng
"$replay" --expect exp.ng --entries 300 ng.log >out
tap_is "$?:$(grep -c 'matches after 300 entries' out)" "0:4" \
	"ima-replay reproduces the same log in all 4 banks"

# ---- damaged logs ----
# field INDEX COLUMN: a column of mklog.py's layout for the entry with that
# index (from 0, as ima-replay, mklog.py and the module number them).
field() { awk -v e="$1" -v f="$2" '$1 == e { print $f }' lay; }
cut_at() {	# cut_at BYTES: replay the first BYTES of the log
	head -c "$1" mixed.log >cut.log
	"$replay" cut.log >/dev/null 2>err
	echo "$?:$(cat err)"
}
o=$(field 8 2); tap_is "$(cut_at $((o + 10)))" "2:ima-replay: entry 8 at offset $o: truncated entry header" \
	"truncated inside an entry header: exit 2, names entry (0-based) and offset"
o=$(field 8 3); tap_is "$(cut_at $((o + 2)))" "2:ima-replay: entry 8 at offset $o: truncated template name" \
	"truncated inside the template name"
o=$(field 8 5); tap_is "$(cut_at $((o + 5)))" "2:ima-replay: entry 8 at offset $o: truncated template data" \
	"truncated inside the template data"
o=$(field 2 5); tap_is "$(cut_at $((o + 100)))" "2:ima-replay: entry 2 at offset $((o + 24)): truncated file name" \
	"truncated inside an \"ima\" template's file name"
head -c "$(field 8 6)" mixed.log >cut.log
tap_is "$("$replay" cut.log | tail -n 1)" "entries: 9" "cut at the end of entry 8: a valid 9-entry log"

patch32() {	# patch32 OFFSET VALUE: mixed.log with a u32 at OFFSET replaced
	python3 -c 'import sys, struct
d = bytearray(open("mixed.log", "rb").read())
struct.pack_into("<I", d, int(sys.argv[1]), int(sys.argv[2]))
sys.stdout.buffer.write(d)' "$1" "$2" >patched.log
	"$replay" patched.log >/dev/null 2>err
	echo "$?:$(cat err)"
}
o=$(field 11 4); tap_is "$(patch32 $o 4294967295)" \
	"2:ima-replay: entry 11 at offset $o: template data length 4294967295 exceeds 16777216" \
	"a huge template data length is refused (exit 2, no crash)"
o=$(field 11 2); tap_is "$(patch32 $((o + 24)) 2147483648)" \
	"2:ima-replay: entry 11 at offset $((o + 24)): template name length 2147483648 out of range (1-255)" \
	"a huge template name length is refused"
o=$(field 2 5); tap_is "$(patch32 $((o + 20)) 256)" \
	"2:ima-replay: entry 2 at offset $((o + 20)): \"ima\" template file name length 256 exceeds 255" \
	"an \"ima\" file name longer than 255 is refused"
o=$(field 11 2); tap_is "$(patch32 $o 24)" \
	"2:ima-replay: entry 11 at offset $o: PCR index 24 out of range (0-23)" "PCR 24 is refused"
"$mklog" --entries 60 --bad-digest 8 bad.log
"$replay" bad.log >/dev/null 2>err
tap_is "$?:$(cat err)" "2:ima-replay: entry 8 at offset $(field 8 2): template digest does not match the template data" \
	"a wrong template digest is caught, naming the entry"
"$replay" --expect exp.20 bad.log >/dev/null 2>&1
tap_is "$?" 2 "--expect on a damaged log: exit 2, even though the values match before it"
: >empty.log
tap_is "$("$replay" empty.log; echo "rc=$?")" "entries: 0
rc=0" "an empty log: 0 entries"
"$replay" --expect exp.zero empty.log >out
tap_is "$?:$(head -n 1 out)" "0:pcr10.sha1: matches after 0 entries (template-hash)" \
	"an empty log reproduces an unextended PCR 10"
"$replay" missing.log >/dev/null 2>err
tap_is "$?:$(cat err)" "2:ima-replay: missing.log: No such file or directory" "a missing log: exit 2"

# ---- bad expect files and usage ----
expect_err() {	# expect_err FILE: exit status and message of --expect FILE
	"$replay" --expect "$1" mixed.log >/dev/null 2>err
	echo "$?:$(cat err)"
}
echo "pcr10.sha256 = 1234" >e1
tap_is "$(expect_err e1)" "2:ima-replay: e1:1: expected \"pcrP.<bank>: hex\"" "a garbled expect line: exit 2"
printf '# comment\n\npcr10.sha256: 1234\n' >e2
tap_is "$(expect_err e2)" "2:ima-replay: e2:3: pcr10.sha256 needs 64 hex digits" "a short value: exit 2"
echo "pcr10.md5: 00" >e3
tap_is "$(expect_err e3)" "2:ima-replay: e3:1: unknown bank \"md5\"" "an unknown bank: exit 2"
{ cat exp.20; head -n 1 exp.20; } >e4
tap_is "$(expect_err e4)" "2:ima-replay: e4:5: pcr10.sha1 given twice" "a value given twice: exit 2"
sed 's/^pcr10/pcr3/' exp.20 >e5
tap_is "$(expect_err e5)" "2:ima-replay: e5: no values for PCR 10 or any PCR in the log" \
	"no value for a PCR the log extends: exit 2"
tap_is "$(expect_err nonexistent)" "2:ima-replay: nonexistent: No such file or directory" \
	"a missing expect file: exit 2"
"$replay" >/dev/null 2>&1
u=$?
"$replay" --help >out 2>&1
tap_is "$u:$?:$(grep -c '^usage: ima-replay' out)" "2:0:1" "no arguments: usage, exit 2; --help: usage, exit 0"

# ---- fuzz a little, under ASan and UBSan ----
if cc -std=c11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-o asan "$top/testing/oracles/ima-replay/ima-replay.c" "$top/testing/oracles/ima-replay/imalog.c" \
	$(pkg-config --libs libcrypto) 2>asan.err; then
	"$top/testing/fixtures/mkdamaged.py" logs --count 300 mixed.log
	bad=
	for f in fuzz*.log; do
		./asan --chunk 7 "$f" >/dev/null 2>"$f.err"
		rc=$?
		[ $rc = 0 ] || [ $rc = 2 ] || bad+=" $f:$rc"
	done
	tap_is "${bad:-none}" none "300 damaged logs under ASan/UBSan: exit 0 or 2, never a crash"
else
	tap_skip "300 damaged logs under ASan/UBSan" "no sanitizer build: $(head -n 1 asan.err)"
fi
tap_done
