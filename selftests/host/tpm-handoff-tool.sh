#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff, the operator's tool, on the host: no VM, no module.  verify
# runs against logs fabricated by tools/ima-replay/mklog.py and a real swtpm
# as the vTPM, whose PCR 10 is extended entry by entry with tpm2_pcrextend
# (digests computed here in Python from mklog's --layout, independently of
# tools/lib/imalog.c); status, start and record run against a fake
# /sys/kernel/tpm_handoff.  Every bad input is also run under the
# ASan/UBSan build (build/bin/tpm-handoff-asan): exit 2, one line starting
# "tpm-handoff: ", no sanitizer report.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
tool=$top/build/bin/tpm-handoff
asan=$top/build/bin/tpm-handoff-asan
mklog=$top/tools/ima-replay/mklog.py
[ -x "$tool" ] || { echo "1..0 # SKIP build/bin/tpm-handoff not built"; exit 4; }
[ -x "$asan" ] || make -s -C "$top/tools" asan >/dev/null 2>&1

tmp=$(mktemp -d)
chmod 755 "$tmp"
spid=
trap '[ -n "$spid" ] && kill $spid 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

tap_plan 82

# run OUT -- CMD...: stdout to OUT, stderr to OUT.err; prints the status.
run() {
	local out=$1 rc=0
	shift 2
	"$@" >"$out" 2>"$out.err" || rc=$?
	echo $rc
}
# one_line_err FILE: exactly one line, starting "tpm-handoff: "
one_line_err() {
	[ "$(wc -l <"$1")" = 1 ] && grep -q '^tpm-handoff: ' "$1"
}

# ---- the log, the record and the expected values ----
N=40 C=30
"$mklog" --kind ima-ng --seed 5 --entries 100 --layout lay100 log100
"$mklog" --kind ima-ng --seed 5 --entries $N --layout lay --values v.cut --after $C log
"$mklog" --kind ima-ng --seed 5 --entries $N --values v.all log
"$mklog" --kind ima-ng --seed 5 --entries $N --values v.29 --after 29 log
off() { awk -v e="$1" -v f="$2" '$1 == e { print $f }' lay; }	# off ENTRY COLUMN

# What a Debian 6.1 TPM holds: sha1 and sha256 hashed, sha384 padded.
tpm_values() {	# tpm_values VALUES: "pcr10.BANK: hex" for sha1 sha256 sha384
	sed -n -e 's/^pcr10\.\(sha1\|sha256\): /pcr10.\1: /p' \
		-e 's/^pcr10\.\(sha384\)\.padded-sha1: /pcr10.\1: /p' "$1"
}
tpm_values v.cut >ptpm.cut
tpm_values v.all >vtpm.all
val() { sed -n "s/^pcr10\.$1: //p" "$2"; }	# val BANK FILE

mkrecord() {	# mkrecord [PTPM-VALUES]: a committed record on stdout
	local b
	cat <<EOF
result: committed
ptpm: tpm0
vtpm: tpm1
vtpm_provider: chip
banks: sha1 sha256 sha384
cut: $C
entries: $((C + 1))
replayed: $C
barrier_ns: 1500000
duration_ns: 42000000
pcrs: 10
EOF
	for b in sha1 sha256 sha384; do
		echo "pcr10.$b: $(val $b "${1:-ptpm.cut}")"
		echo "pcr10.$b.mode: replay"
		[ $b = sha384 ] && echo "pcr10.$b.digest: padded-sha1" ||
			echo "pcr10.$b.digest: template-hash"
	done
}
mkrecord >record

# Digests to extend, one tpm2_pcrextend argument per entry, from the log's
# bytes: each bank's hash of the template data, or (sha384) the SHA-1
# template digest zero-padded; 0xff.. for a violation.
cat >digests.py <<'EOF'
import hashlib, sys
log = open(sys.argv[1], "rb").read()
first, last = int(sys.argv[3]), int(sys.argv[4])
for line in open(sys.argv[2]):
    num, start, name, dlen, data, end, pcr = map(int, line.split())
    if not first <= num <= last:
        continue
    td = log[start + 4:start + 24]
    out = []
    for bank, padded in (("sha1", 0), ("sha256", 0), ("sha384", 1)):
        size = hashlib.new(bank).digest_size
        if td == bytes(20):
            d = b"\xff" * size
        elif padded:
            d = td.ljust(size, b"\0")
        else:
            d = hashlib.new(bank, log[data:end]).digest()
        out.append("%s=%s" % (bank, d.hex()))
    print("%d:%s" % (pcr, ",".join(out)))
EOF
python3 digests.py log100 lay100 1 100 >ext100

# ---- the vTPM: a swtpm on free ports ----
free_port() {
	python3 - <<'EOF'
import socket
for _ in range(50):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    if p > 65000:
        continue
    try:
        t = socket.socket()
        t.bind(("127.0.0.1", p + 1))
        t.close()
        print(p)
        break
    except OSError:
        pass
EOF
}
have_swtpm=
if command -v swtpm >/dev/null && command -v tpm2_pcrextend >/dev/null &&
	command -v swtpm_ioctl >/dev/null; then
	mkdir st
	port=$(free_port)
	if [ -n "$port" ] && swtpm socket --tpm2 --tpmstate dir="$tmp/st" \
		--server type=tcp,port="$port",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear --pid file="$tmp/st/pid" \
		--daemon 2>swtpm.err; then
		spid=$(cat st/pid)
		have_swtpm=1
	fi
fi
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"
tcti=(--tcti "$TPM2TOOLS_TCTI")
vtpm_reset() {	# PCRs back to zero: TPM2_Init and Startup(CLEAR)
	swtpm_ioctl --tcp "127.0.0.1:$((port + 1))" -i >/dev/null &&
		tpm2_startup -c >/dev/null 2>&1
}
vtpm_extend() {	# vtpm_extend FIRST LAST: entries FIRST..LAST of log100
	local s
	sed -n "$1,$2p" ext100 | while read -r s; do
		tpm2_pcrextend "$s" || return 1
	done
}
verify() {	# verify OUT [ARGS...]: verify, by default of record and log
	local out=$1 a def=(--record record --log log)
	shift
	for a in "$@"; do
		case "$a" in
		--record) def=("${def[@]:2}") ;;
		--log) def=("${def[@]:0:2}") ;;
		esac
	done
	run "$out" -- "$tool" verify --sysfs "$tmp" "${def[@]}" "$@"
}

# ---- verify against the live swtpm ----
if [ -n "$have_swtpm" ]; then
	vtpm_extend 1 $((N - 1))
	"$mklog" --kind ima-ng --seed 5 --entries $N --values v.39 --after $((N - 1)) log
	tap_is "$(tpm2_pcrread sha256:10 | awk '/10:/ { print tolower(substr($2, 3)) }')" \
		"$(val sha256 v.39)" "the swtpm holds what mklog.py says $((N - 1)) entries give"
	rc=$(verify out "${tcti[@]}")
	tap_is "$rc:$(tail -n 1 out)" \
		"1:verify: FAIL: vTPM PCR 10 (sha1) is reproduced after 39 entries, not by the whole log (40) in 5 reads: entry 40 at offset $(off 40 2) was not extended into the vTPM" \
		"a vTPM missing the last extend: FAIL after 5 reads, naming entry 40 and its offset"
	tap_is "$(grep -c '^pTPM pcr10\.sha[0-9]*: OK' out):$(grep -c '^vTPM pcr10\.sha[0-9]*: FAIL' out)" "3:3" \
		"one line per check and bank: the pTPM's hold, the vTPM's fail"

	# IMA appends before it extends: the extend arrives while verify waits.
	( sleep 0.3; vtpm_extend $N $N ) &
	rc=$(verify out "${tcti[@]}" --attempts 10)
	wait
	tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" \
		"entry $N extended 0.3 s after verify started (a pending extend): PASS on a later read"

	rc=$(verify out "${tcti[@]}")
	tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "a good split (cut $C of $N): PASS, exit 0"
	tap_is "$(grep -c ': OK: ' out)" 6 "3 banks x (pTPM, vTPM) lines, all OK"
	tap_ok "the pTPM lines say the cut, the vTPM lines the whole log" \
		grep -q "^pTPM pcr10.sha384: OK: the first $C entries (the cut) reproduce the snapshot (padded-sha1)\$" out
	rc=$(run out -- "$tool" verify --sysfs "$tmp" --record record --log - "${tcti[@]}" <log)
	tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "the log can come from stdin (--log -)"

	if grep -q '^pcr10.sm3_256: ' v.cut; then
		{ sed 's/^banks: .*/& sm3_256/' record
		  echo "pcr10.sm3_256: $(val sm3_256 v.cut)"
		  echo "pcr10.sm3_256.mode: replay"
		  echo "pcr10.sm3_256.digest: template-hash"; } >record.sm3
		rc=$(verify out "${tcti[@]}" --record record.sm3)
		tap_is "$rc:$(grep '^vTPM pcr10.sm3_256' out):$(tail -n 1 out)" \
			"1:vTPM pcr10.sm3_256: FAIL: the vTPM has no sm3_256 bank:verify: FAIL: the vTPM has no PCR 10 in the sm3_256 bank" \
			"a record bank (sm3_256) the swtpm lacks: FAIL naming it"
	else
		tap_skip "a record bank the swtpm lacks" "no SM3 in Python's hashlib"
	fi
	mkrecord v.29 >record.wrong
	rc=$(verify out "${tcti[@]}" --record record.wrong)
	tap_is "$rc:$(tail -n 1 out)" \
		"1:verify: FAIL: pTPM PCR 10 (sha1) is reproduced after 29 entries, not at the cut $C" \
		"a pTPM snapshot of 29 entries: FAIL naming where it does match"
	sed "s/^\(pcr10.sha256: \).*/\1$(printf '%064d' 5)/" record >record.bad
	rc=$(verify out "${tcti[@]}" --record record.bad)
	tap_is "$rc:$(tail -n 1 out)" \
		"1:verify: FAIL: no prefix of the log reproduces the pTPM's PCR 10 (sha256)" \
		"a wrong pTPM value: FAIL, no prefix reproduces it"
	rc=$(verify out "${tcti[@]}" --record record.bad --ptpm-pcrs ptpm.cut)
	tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "--ptpm-pcrs FILE replaces the record's snapshot"
	sed 's/^\(pcr10.sha384.digest: \).*/\1template-hash/' record >record.interp
	rc=$(verify out "${tcti[@]}" --record record.interp)
	tap_ok "a wrong digest kind for sha384: FAIL, saying padded-sha1 would match" \
		sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: no prefix of the log reproduces the pTPM.s PCR 10 (sha384) (under padded-sha1, not the record.s template-hash, it is reproduced after $C entries)' out"

	"$mklog" --kind ima-ng --seed 5 --entries $N --bad-digest 35 bad35.log
	rc=$(verify out "${tcti[@]}" --log bad35.log)
	tap_is "$rc:$(tail -n 1 out)" \
		"1:verify: FAIL: IMA log entry 35 at offset $(off 35 2): template digest does not match the template data" \
		"entry 35's template digest does not match its data: FAIL naming entry 35"
	tap_is "$(grep -c '^pTPM pcr10.*: OK' out)" 3 "the pTPM's check still holds (entry 35 is after the cut)"
	"$mklog" --kind ima-ng --seed 5 --entries $N --bad-digest 12 bad12.log
	rc=$(verify out "${tcti[@]}" --log bad12.log)
	tap_is "$rc:$(grep -c '^pTPM pcr10.*: FAIL: the log is damaged at entry 12, before the cut 30' out)" "1:3" \
		"a damaged entry 12, before the cut: the pTPM's checks fail too"

	# A busy system: entries keep arriving (append, then extend) while
	# verify reads; it must PASS on a read where the PCR covers every entry
	# that was in the log before it.
	cp log busy.log
	for j in $(seq $((N + 1)) 100); do
		head -c "$(awk -v e="$j" '$1 == e { print $6 }' lay100)" log100 >"busy.$j"
	done
	( for j in $(seq $((N + 1)) 100); do
		mv "busy.$j" busy.log	# IMA appends the entry,
		vtpm_extend "$j" "$j"	# then extends it
	done ) &
	bg=$!
	sleep 0.2
	rc=$(verify out "${tcti[@]}" --log busy.log --attempts 10)
	n_seen=$(grep -o 'of [0-9]* entries\|log ([0-9]* entries)' out | head -n 1)
	wait $bg
	tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "a log growing while verify reads it: PASS ($n_seen)"
	rc=$(verify out "${tcti[@]}" --log log100)
	tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "and the whole 100-entry log matches once it is quiet"
	rc=$(verify out "${tcti[@]}" --log log)
	tap_is "$rc:$(tail -n 1 out)" \
		"1:verify: FAIL: no prefix of the log ($N entries) reproduces the vTPM's PCR 10 (sha1)" \
		"a vTPM ahead of the log (an old copy of it): FAIL, no prefix reproduces it"
	vtpm_reset
	rc=$(verify out "${tcti[@]}")
	tap_ok "a restarted vTPM (PCRs reset): FAIL, asking whether it was restarted" \
		sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: vTPM PCR 10 (sha1) is reproduced after 0 entries, but the log had $N before the PCR was read: entry 1 at offset 0 was not extended into the vTPM (fewer than the $C the handoff mirrored: was the vTPM restarted?)' out"
else
	for _ in $(seq 20); do tap_skip "verify against a swtpm" "no swtpm, swtpm_ioctl or tpm2-tools"; done
fi

# ---- verify offline (--vtpm-pcrs) ----
rc=$(verify out --vtpm-pcrs vtpm.all)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "--vtpm-pcrs FILE: the whole log reproduces the given values"
tpm_values v.29 >vtpm.29
rc=$(verify out --vtpm-pcrs vtpm.29)
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: vTPM PCR 10 (sha1) is reproduced after 29 entries, not by the whole log (40): entry 30 at offset $(off 30 2) was not extended into the vTPM (fewer than the $C the handoff mirrored: was the vTPM restarted?)" \
	"--vtpm-pcrs of 29 entries: FAIL at once (one read), naming entry 30"

# ---- bad input: exit 2, one line on stderr ----
# bad NAME ARGS...: verify ARGS must exit 2 with one line on stderr; the
# case is kept for the ASan run below.
cases=()
exit2_one_line() { [ "$1" = 2 ] && one_line_err out.err; }
bad() {
	local name=$1 rc
	shift
	cases+=("$(printf '%q ' "$@")")
	rc=$(run out -- "$tool" verify --sysfs "$tmp" "$@")
	exit2_one_line "$rc" || tap_diag "exit $rc: $(head -n 3 out.err)"
	tap_ok "$name: exit 2, one line" exit2_one_line "$rc"
}
src=(--record record --vtpm-pcrs vtpm.all)
head -c $(($(off 35 5) + 7)) log >trunc.log
bad "a log truncated inside entry 35's data" "${src[@]}" --log trunc.log
grep -q "entry 35 at offset $(off 35 5): truncated template data" out.err
tap_is $? 0 "... and the message names entry 35 and its offset"
python3 -c 'import sys, struct
d = bytearray(open("log", "rb").read())
struct.pack_into("<I", d, int(sys.argv[1]), 99)
open("garbled.log", "wb").write(d)' "$(off 20 2)"
bad "a garbled log (PCR 99 in entry 20)" "${src[@]}" --log garbled.log
head -c 5000 /dev/urandom >random.log
bad "a log of random bytes" "${src[@]}" --log random.log
bad "a missing log" "${src[@]}" --log nonexistent.log
for k in cut banks pcr10.sha256 pcr10.sha1.digest result; do
	grep -v "^$k:" record >rec.no-$k
	bad "a record without \"$k\"" --record rec.no-$k --vtpm-pcrs vtpm.all --log log
done
sed -e "s/^cut: .*/cut: $((N + 5))/" -e "s/^entries: .*/entries: $((N + 6))/" record >rec.cut
bad "a record whose cut ($((N + 5))) is past the end of the log ($N)" \
	--record rec.cut --vtpm-pcrs vtpm.all --log log
grep -q "fewer than the record's cut $((N + 5))" out.err
tap_is $? 0 "... and the message says so"
sed -e "s/^cut: .*/cut: 31/" -e "s/^entries: .*/entries: 30/" record >rec.order
bad "a record with cut > entries" --record rec.order --vtpm-pcrs vtpm.all --log log
sed "s/^\(pcr10.sha1: \).\{4\}/\1zzzz/" record >rec.hex
bad "a non-hex PCR value" --record rec.hex --vtpm-pcrs vtpm.all --log log
sed "s/^\(pcr10.sha256: \)../\1/" record >rec.len
bad "a PCR value one byte short" --record rec.len --vtpm-pcrs vtpm.all --log log
sed "s/^cut: .*/cut: 3o/" record >rec.num
bad "a cut that is not a number" --record rec.num --vtpm-pcrs vtpm.all --log log
head -c 3000 /dev/urandom >rec.random
bad "a record of random bytes" --record rec.random --vtpm-pcrs vtpm.all --log log
printf 'result: committed\nptpm tpm0\n' >rec.garbage
bad "a record line without a colon" --record rec.garbage --vtpm-pcrs vtpm.all --log log
{ cat record; echo "cut: 12"; } >rec.twice
bad "a key given twice" --record rec.twice --vtpm-pcrs vtpm.all --log log
{ echo "result: aborted"; echo "error: no vTPM"; echo "ptpm: tpm0"; echo "banks: sha1"; } >rec.aborted
bad "an aborted record" --record rec.aborted --vtpm-pcrs vtpm.all --log log
: >rec.empty
bad "an empty record" --record rec.empty --vtpm-pcrs vtpm.all --log log
bad "no record (the module is not loaded)" --sysfs "$tmp/nonexistent" --vtpm-pcrs vtpm.all --log log
sed 's/^pcr10.sha256/pcr10.sha257/' vtpm.all >vt.bank
bad "an unknown bank in --vtpm-pcrs" --record record --vtpm-pcrs vt.bank --log log
grep -v sha384 vtpm.all >vt.short
bad "a --vtpm-pcrs file without sha384" --record record --vtpm-pcrs vt.short --log log
dead=$(free_port)
bad "an unreachable vTPM (nothing on port $dead)" --record record --log log \
	--tcti "swtpm:host=127.0.0.1,port=$dead"
grep -q "cannot open the TPM through TCTI \"swtpm:host=127.0.0.1,port=$dead\"" out.err
tap_is $? 0 "... the message names the TCTI"
bad "a TCTI that does not exist" --record record --log log --tcti "nosuchtcti:x"
sed 's/^vtpm: .*/vtpm: tpm987/' record >rec.tpm987
bad "the default TCTI, /dev/tpmrm987, which does not exist" --record rec.tpm987 --log log

if [ -x "$asan" ]; then
	fails=
	for c in "${cases[@]}"; do
		eval "set -- $c"
		ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:exitcode=98 \
			"$asan" verify --sysfs "$tmp" "$@" >/dev/null 2>asan.err
		rc=$?
		{ [ $rc = 2 ] && one_line_err asan.err; } || fails+=" [$c: exit $rc, $(head -c 200 asan.err)]"
	done
	tap_is "${fails:-none}" none "all ${#cases[@]} bad inputs under ASan/UBSan: exit 2, one line, no report"
	python3 - <<'EOF'
import random
rec = open("record", "rb").read()
log = open("log", "rb").read()
rng = random.Random(7)
for i in range(150):
    r = bytearray(rec)
    for _ in range(rng.randint(1, 6)):
        k = rng.randrange(len(r))
        op = rng.randrange(3)
        if op == 0:
            r[k] = rng.randrange(256)
        elif op == 1:
            del r[k:k + rng.randint(1, 40)]
        else:
            r[k:k] = rng.choice([b":", b"\n", b" ", b"pcr10.", b"sha1", b"99999999999999999999", b"\0"])
    open("fz%03d.rec" % i, "wb").write(r)
    l = bytearray(log)
    if i % 2:
        for _ in range(rng.randint(1, 4)):
            l[rng.randrange(len(l))] ^= 1 << rng.randrange(8)
    else:
        l = l[:rng.randrange(len(l))]
    open("fz%03d.log" % i, "wb").write(l)
EOF
	fails=
	for r in fz*.rec; do
		ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=98 \
			"$asan" verify --sysfs "$tmp" --record "$r" --vtpm-pcrs vtpm.all \
			--log "${r%.rec}.log" >/dev/null 2>asan.err
		rc=$?
		ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=98 \
			"$asan" record --json --record "$r" >/dev/null 2>>asan.err
		rc2=$?
		case "$rc:$rc2" in
		[012]:[012]) grep -q 'Sanitizer\|runtime error' asan.err && fails+=" $r" ;;
		*) fails+=" $r:$rc:$rc2" ;;
		esac
	done
	tap_is "${fails:-none}" none "150 damaged records and logs under ASan/UBSan: exit 0, 1 or 2, no report"
else
	tap_result 1 "the ASan build exists (make -C tools asan)"
	tap_result 1 "fuzzing under ASan"
fi

# ---- record ----
mkdir sysfs
cp record sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_ok "record --json: exit 0 and valid JSON" sh -c "[ $rc = 0 ] && python3 -m json.tool out >/dev/null"
tap_is "$(python3 -c 'import json, sys
j = json.load(open("out"))
print(j["cut"], type(j["cut"]).__name__, j["entries"], j["banks"], j["pcrs"]["10"]["sha384"]["digest"],
      j["pcrs"]["10"]["sha1"]["value"] == sys.argv[1])' "$(val sha1 ptpm.cut)")" \
	"$C int $((C + 1)) ['sha1', 'sha256', 'sha384'] padded-sha1 True" \
	"numbers are numbers, banks a list, PCR values nested"
printf 'result: aborted\nerror: the "vTPM" \\ said\tno\nptpm: tpm0\nbanks:\nreplayed: 0\n' >sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_is "$rc:$(tail -n 1 out.err)" "2:tpm-handoff: sysfs/record:2: control character 0x09: not a handoff record" \
	"a tab in the record is refused"
printf 'result: aborted\nerror: the "vTPM" \\ said \xc3\xa9 no\nptpm: tpm0\nbanks:\nreplayed: 0\n' >sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_is "$rc:$(python3 -c 'import json; print(json.load(open("out"))["error"])' 2>&1)" \
	"0:the \"vTPM\" \\ said Ã© no" "quotes, backslashes and non-ASCII bytes are escaped"
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

# ---- status and start on a fake sysfs ----
mkfake() {	# mkfake DIR STATE VTPM: the module's files and a class dir
	rm -rf "$1" "$1.class"
	mkdir -p "$1" "$1.class/tpm0/pcr-sha1" "$1.class/tpm0/pcr-sha256" \
		"$1.class/tpm1/pcr-sha1" "$1.class/tpm1/pcr-sha256" "$1.class/tpm1/pcr-sha384"
	echo "$2" >"$1/state"
	echo >"$1/error"
	echo tpm0 >"$1/ptpm"
	echo "$3" >"$1/vtpm"
	: >"$1/record"
	: >"$1/trigger"
}
st() {	# st OUT DIR [ARGS]: status on the fake DIR
	local out=$1 d=$2
	shift 2
	run "$out" -- "$tool" status --sysfs "$d" --class "$d.class" --log log "$@"
}
mkfake f idle "tpm1 chip"
rc=$(st out f)
tap_is "$rc:$(tail -n 1 out)" "0:ready: yes (tpm-handoff start)" "status: idle, a vTPM with every bank: ready, exit 0"
tap_ok "status names both chips, their banks and the provider" \
	sh -c "grep -q '^pTPM: *tpm0, banks sha1 sha256\$' out && grep -q '^vTPM: *tpm1, provider chip, banks sha1 sha256 sha384\$' out"
echo "none: no vTPM: xen_tpmfront_ext is not loaded (modprobe xen_tpmfront_ext, then start the vTPM backend)" >f/vtpm
rc=$(st out f)
tap_ok "status without a vTPM: not ready (exit 1), naming the check, the reason and a fix" \
	sh -c "[ $rc = 1 ] && grep -q '^  FAIL  a vTPM is found: no vTPM: xen_tpmfront_ext is not loaded' out &&
	       grep -q 'fix: modprobe xen_tpmfront_ext, start vtpmd' out && grep -q '^ready: no (1 check failed)' out"
rc=$(st out "$tmp/gone")
tap_ok "status without the module: not loaded, exit 1" \
	sh -c "[ $rc = 1 ] && grep -q '^module: *not loaded' out && grep -q 'FAIL  tpm_handoff is loaded: tpm_handoff is not loaded' out"
mkfake f idle "tpm1 chip"
rmdir f.class/tpm1/pcr-sha256
rc=$(st out f)
tap_ok "a vTPM without the sha256 bank: not ready, naming it" \
	sh -c "[ $rc = 1 ] && grep -q 'FAIL  the vTPM has every PCR bank of the pTPM: the vTPM tpm1 lacks sha256' out"
mkfake f sleeping "tpm1 chip"
rc=$(st out f)
tap_is "$rc:$(tail -n 1 out.err)" "2:tpm-handoff: cannot read the handoff state: cannot read f/state: not idle, running, committed or aborted" \
	"an unknown state: exit 2"
mkfake f committed committed
cp record f/record
rc=$(st out f)
tap_is "$rc:$(tail -n 1 out)" "0:ready: already committed (tpm-handoff record, tpm-handoff verify)" \
	"committed: exit 0, and the vTPM comes from the record"
mkfake f running "tpm1 chip"
rc=$(st out f)
tap_ok "a handoff running: not ready" sh -c "[ $rc = 1 ] && grep -q 'FAIL  state is idle or aborted: a handoff is running' out"
mkfake f idle "tpm1 chip"
chmod -R a+rX "$tmp"
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	rc=$(run out -- setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$tool" status --sysfs f --class f.class --log log)
	tap_ok "not root: not ready, naming it" sh -c "[ $rc = 1 ] && grep -q 'FAIL  running as root: running as uid 65534' out"
else
	tap_skip "not root: not ready" "no setpriv"
fi

mkfake f idle "tpm1 chip"
cp record f/record
sta() {	# sta OUT DIR [ARGS]: start on the fake DIR
	local out=$1 d=$2
	shift 2
	run "$out" -- "$tool" start --sysfs "$d" --class "$d.class" --log log "$@"
}
rc=$(sta out f)
tap_is "$rc:$(od -An -c f/trigger | tr -d ' ')" "0:1" "start: writes \"1\" (one byte) to the trigger, exit 0"
tap_ok "... then prints the record" grep -q "^cut: *$C of $((C + 1)) IMA log entries" out
mkfake f idle "none: no vTPM: there is no TPM chip tpm7"
rc=$(sta out f)
tap_ok "start refuses when a precondition fails: exit 1, trigger untouched" \
	sh -c "[ $rc = 1 ] && [ ! -s f/trigger ] && grep -q 'not starting: 1 precondition failed' out.err &&
	       grep -q 'fix: name an existing chip' out.err"
rc=$(sta out f --force)
tap_is "$rc:$(cat f/trigger)" "0:1" "start --force writes anyway"
mkfake f committed committed
rc=$(sta out f)
tap_is "$rc:$(cat f/trigger):$(cat out.err)" \
	"0::tpm-handoff: a handoff has already committed: nothing to do (tpm-handoff record shows it)" \
	"start after a commit: nothing written, exit 0"

# On a terminal: the elapsed time and the state while the write blocks
# (here on a FIFO that is read 1.5 s later).
mkfake f idle "tpm1 chip"
cp record f/record
rm f/trigger
mkfifo f/trigger
( sleep 0.7; echo running >f/state; sleep 0.8; cat f/trigger >trigger.got ) &
timeout 30 script -qec "$tool start --sysfs f --class f.class --log log" typescript \
	</dev/null >/dev/null 2>&1
rc=$?
wait
progress_ok() {
	[ "$rc" = 0 ] && [ "$(cat trigger.got)" = 1 ] &&
		grep -q $'\r\033\\[Ktpm-handoff: handing off: 1\\.[0-9] s, state running' typescript &&
		grep -q "^cut: *$C of" typescript
}
tap_ok "start on a terminal: progress in place (elapsed time, state), then the record" progress_ok

# The kernel's answers: a preloaded write() fails with $FAKE_ERRNO.
cat >fakewrite.c <<'EOF'
// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t (*real)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
	const char *e = getenv("FAKE_ERRNO");

	if (e && fd > 2) {
		errno = atoi(e);
		return -1;
	}
	return real(fd, buf, n);
}
EOF
if cc -shared -fPIC -o fakewrite.so fakewrite.c -ldl 2>cc.err; then
	starterr() {	# starterr ERRNO ERROR: start's stderr when the write fails so
		mkfake f idle "tpm1 chip"
		echo "$2" >f/error
		echo aborted >f/state
		FAKE_ERRNO=$1 LD_PRELOAD=$tmp/fakewrite.so \
			"$tool" start --sysfs f --class f.class --log log >out 2>out.err
		echo "$?"
		cat out.err
	}
	tap_is "$(starterr 16 "vTPM PCR 10 is neither in its reset state nor at a prefix of the IMA log (another user extended it): restart the vTPM, then retry")" \
		"1
tpm-handoff: handoff failed: EBUSY (Device or resource busy): vTPM PCR 10 is neither in its reset state nor at a prefix of the IMA log (another user extended it): restart the vTPM, then retry
tpm-handoff: fix: restart vtpmd so its PCRs are in reset state, then retry" \
		"EBUSY, vTPM not reset: the kernel's error and \"restart vtpmd\", exit 1"
	tap_is "$(starterr 95 "the vTPM tpm1 has no sha384 PCR bank, which IMA extends on the pTPM: allocate it in the vTPM (tpm2_pcrallocate) and restart it" | tail -n 1)" \
		"tpm-handoff: fix: allocate the missing bank in the vTPM (tpm2_pcrallocate), restart vtpmd, then retry" \
		"EOPNOTSUPP, a missing bank: tpm2_pcrallocate"
	tap_is "$(starterr 62 "the barrier timed out after 30000 ms (barrier_timeout_ms) while reading the vTPM's PCRs (the vTPM is tpm1)" | sed -n 's/^\(tpm-handoff: handoff failed: [A-Z]*\) .*/\1/p')" \
		"tpm-handoff: handoff failed: ETIME" "ETIME is named"
	tap_is "$(starterr 110 "the replay before the barrier timed out after 5000 ms (mirror_timeout_ms) while reading the vTPM's PCRs (the vTPM is tpm1)" | tail -n 1 | grep -o 'raise mirror_timeout_ms')" \
		"raise mirror_timeout_ms" "ETIMEDOUT before the barrier: the fix names mirror_timeout_ms"
	tap_is "$(starterr 125 "dry run (dry_run=1): every step passed and the vTPM equals the pTPM at the cut; nothing was committed" | tail -n 1 | grep -o 'echo 0 > [^,]*dry_run')" \
		"echo 0 > /sys/module/tpm_handoff/parameters/dry_run" "ECANCELED (a dry run): the fix says how to hand off for real"
else
	for _ in 1 2 3 4 5; do tap_skip "start: errno fixes" "cannot build an LD_PRELOAD shim"; done
fi

# ---- usage ----
fails=
for c in status start record verify; do
	"$tool" $c --help >out 2>&1 && grep -q "^usage: tpm-handoff $c" out || fails+=" $c"
done
tap_is "${fails:-none}" none "--help for every subcommand: exit 0, its usage"
rc=$(run out -- "$tool" verify --json)
tap_is "$rc:$(cat out.err)" "2:tpm-handoff: verify: no option --json (tpm-handoff verify --help)" \
	"an option of another subcommand: exit 2, one line"
tap_done
