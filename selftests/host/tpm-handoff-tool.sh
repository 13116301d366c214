#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff, the operator's tool, on the host: no VM, no module.  verify
# runs against logs fabricated by tools/ima-replay/mklog.py and a real swtpm
# as the vTPM, whose PCR 10 is extended entry by entry with tpm2_pcrextend
# (digests computed here in Python from mklog's --layout, independently of
# tools/lib/imalog.c); status, start and record run against a fake
# /sys/kernel/tpm_handoff.  The firmware PCRs (replay and bind, --fw-log),
# the record measured into the IMA log (an ima-buf entry, --record-from-log)
# and TPM 1.2 (a fake /sys/class/tpm/tpmN/device/pcrs) run against
# fabricated event logs, records and IMA log entries whose values are
# computed here with Python's hashlib.  Every bad input is also run under
# the ASan/UBSan build (build/bin/tpm-handoff-asan): exit 2, one line
# starting "tpm-handoff: ", no sanitizer report.
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

tap_plan 157

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
	local out=$1 a rec=(--record record) log=(--log log) sys=(--sysfs "$tmp")
	shift
	for a in "$@"; do
		case "$a" in
		--record | --record-from-log) rec=() ;;
		--log) log=() ;;
		--sysfs) sys=() ;;
		esac
	done
	run "$out" -- "$tool" verify "${sys[@]}" "${rec[@]}" "${log[@]}" "$@"
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

# ---- firmware PCRs (offline) ----
# Fabricated firmware event logs (mkevlog.py) and records with firmware
# PCRs (mkfwrec.py), their values computed here with Python's hashlib,
# independently of tools/tpm-handoff and drivers/tpm_handoff/tcg_log.c.
cat >mkevlog.py <<'EOF'
import hashlib, random, struct, sys
# mkevlog.py OUT VALUES [--tpm12] [--seed S] [--locality L] [--events N]
#            [--pcrs 0-9,17] [--omit BANK:K] [--extends FILE]
# A firmware TCG event log: crypto-agile (Spec ID event, StartupLocality,
# then TCG_PCR_EVENT2s with sha1, sha256 and sha384 digests) or TPM 1.2
# (sha1), N events on the PCRs given, every 7th an EV_NO_ACTION (never
# extended), then zero fill.  VALUES: its replay, "pcrP.BANK: hex" for
# PCRs 0-23 (reset 00.., ff.. for 17-22; PCR 0's last byte the locality)
# and "# pcrP events: K" lines.  --omit BANK:K leaves bank BANK's digest out
# of event K (0 is the header).  --extends: one tpm2_pcrextend argument per
# extended event.
a = sys.argv[1:]
out, values, a = a[0], a[1], a[2:]
tpm12 = "--tpm12" in a
a = [x for x in a if x != "--tpm12"]
opt = dict(zip(a[0::2], a[1::2]))
rng = random.Random(int(opt.get("--seed", "1")))
loc = int(opt.get("--locality", "0"))
n = int(opt.get("--events", "30"))
pcrs = []
for part in opt.get("--pcrs", "0-9").split(","):
    lo, _, hi = part.partition("-")
    pcrs += range(int(lo), int(hi or lo) + 1)
omit = {}
if "--omit" in opt:
    b, k = opt["--omit"].split(":")
    omit[int(k)] = b
BANKS = [("sha1", 4, 20)]
if not tpm12:
    BANKS += [("sha256", 0xb, 32), ("sha384", 0xc, 48)]
u32 = lambda v: struct.pack("<I", v)
u16 = lambda v: struct.pack("<H", v)
def ev12(pcr, typ, digest, data):
    return u32(pcr) + u32(typ) + digest + u32(len(data)) + data
def ev2(pcr, typ, digests, data):
    return (u32(pcr) + u32(typ) + u32(len(digests)) +
            b"".join(u16(alg) + d for alg, d in digests) + u32(len(data)) + data)
val, count, ext = {}, [0] * 24, []
for p in range(24):
    for b, _, sz in BANKS:
        val[(p, b)] = bytes([0xff if 17 <= p <= 22 else 0]) * sz
log, idx = b"", 0
if not tpm12:
    spec = b"Spec ID Event03\0" + u32(0) + bytes([0, 2, 0, 2]) + u32(len(BANKS))
    spec += b"".join(u16(alg) + u16(sz) for _, alg, sz in BANKS) + b"\0"
    log += ev12(0, 3, bytes(20), spec)
    log += ev2(0, 3, [(alg, bytes(sz)) for _, alg, sz in BANKS],
               b"StartupLocality\0" + bytes([loc]))
    for b, _, sz in BANKS:
        val[(0, b)] = bytes(sz - 1) + bytes([loc])
    idx = 2
for i in range(n):
    pcr = pcrs[i % len(pcrs)]
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60)))
    if i % 7 == 3:
        digs = [(alg, bytes(sz)) for _, alg, sz in BANKS]
        log += ev12(pcr, 3, bytes(20), data) if tpm12 else ev2(pcr, 3, digs, data)
        idx += 1
        continue
    typ = rng.choice([1, 5, 0xd])
    digs, arg = [], []
    for b, alg, sz in BANKS:
        if omit.get(idx) == b:
            continue
        d = hashlib.new(b, data).digest()
        digs.append((alg, d))
        arg.append("%s=%s" % (b, d.hex()))
        val[(pcr, b)] = hashlib.new(b, val[(pcr, b)] + d).digest()
    log += ev12(pcr, typ, digs[0][1], data) if tpm12 else ev2(pcr, typ, digs, data)
    ext.append("%d:%s" % (pcr, ",".join(arg)))
    count[pcr] += 1
    idx += 1
open(out, "wb").write(log + bytes(64))
with open(values, "w") as f:
    f.write("# events: %d\n" % idx)
    for p in range(24):
        f.write("# pcr%d events: %d\n" % (p, count[p]))
        for b, _, _ in BANKS:
            f.write("pcr%d.%s: %s\n" % (p, b, val[(p, b)].hex()))
if "--extends" in opt:
    open(opt["--extends"], "w").write("".join(e + "\n" for e in ext))
EOF
cat >mkfwrec.py <<'EOF'
import hashlib, sys
# mkfwrec.py BASE EVVALUES VTPM-IN OUT [--replay 0-7] [--bind 8,9]
#            [--family 2.0] [--vtpm-out FILE] [--measured FILE] [--extends FILE]
# The record BASE (PCR 10 only) with firmware PCRs, as the module writes
# it: replay PCRs take their snapshot from the event log's replay
# (EVVALUES, mkevlog.py's), bind PCRs an arbitrary one.  --vtpm-out: the
# vTPM's values (VTPM-IN's PCR 10, the replay PCRs' snapshot, H(reset ||
# snapshot) for bound ones); --measured: the copy the module measures into
# the IMA log; --extends: the tpm2_pcrextend arguments that bind.
a = sys.argv[1:]
base, evvals, vin, out, a = a[0], a[1], a[2], a[3], a[4:]
opt = dict(zip(a[0::2], a[1::2]))
def pcrlist(s):
    r = []
    for part in filter(None, s.split(",")):
        lo, _, hi = part.partition("-")
        r += range(int(lo), int(hi or lo) + 1)
    return r
replay, bind = pcrlist(opt.get("--replay", "0-7")), pcrlist(opt.get("--bind", "8,9"))
kv = [l.rstrip("\n").split(": ", 1) if ": " in l else [l.rstrip("\n").rstrip(":"), ""]
      for l in open(base) if l.strip()]
banks = dict(kv)["banks"].split()
ev, events, total = {}, {}, 0
for l in open(evvals):
    if l.startswith("# events: "):
        total = int(l.split()[-1])
    elif l.startswith("# pcr"):
        events[int(l.split()[1][3:])] = int(l.split()[-1])
    elif l.strip():
        k, v = l.split(": ")
        ev[k] = v.strip()
snap = {}
for p in replay:
    for b in banks:
        snap[(p, b)] = ev["pcr%d.%s" % (p, b)]
for p in bind:
    for b in banks:
        snap[(p, b)] = hashlib.new(b, b"bind %d %s" % (p, b.encode())).hexdigest()
lines = []
for k, v in kv:
    if k == "pcrs" or k.startswith("pcr10"):
        continue
    lines.append((k, v))
    if k == "vtpm_provider":
        lines.append(("family", opt.get("--family", "2.0")))
    if k == "duration_ns":
        lines += [("fw_extended", str(sum(events.get(p, 0) for p in replay) + len(bind))),
                  ("fw_resumed", "")]
fw = sorted(replay + bind)
lines += [("fw_log", "tpm0"),
          ("fw_log_format", "tpm1.2" if opt.get("--family") == "1.2" else "crypto-agile"),
          ("fw_log_events", str(total)),
          ("fw_replay", " ".join(map(str, sorted(replay)))),
          ("fw_bind", " ".join(map(str, sorted(bind)))),
          ("pcrs", " ".join(map(str, sorted(fw + [10]))))]
for p in sorted(fw + [10]):
    if p == 10:
        lines += [(k, v) for k, v in kv if k.startswith("pcr10")]
        continue
    for b in banks:
        lines += [("pcr%d.%s" % (p, b), snap[(p, b)]),
                  ("pcr%d.%s.mode" % (p, b), "bind" if p in bind else "replay")]
    if p in bind:
        lines.append(("pcr%d.bind" % p, "fw_pcrs asks to bind it"))
    else:
        lines.append(("pcr%d.events" % p, str(events.get(p, 0))))
fmt = lambda k, v: "%s:%s%s\n" % (k, " " if v else "", v)
open(out, "w").write("".join(fmt(k, v) for k, v in lines))
UNMEASURED = {"prereplay", "resumed", "replayed", "replayed_in_barrier", "replay_ns",
              "barrier_ns", "duration_ns", "memory_bytes", "fw_extended", "fw_resumed"}
if "--measured" in opt:
    open(opt["--measured"], "w").write("tpm_handoff: 1\n" + "".join(
        fmt(k, v) for k, v in lines if k not in UNMEASURED))
if "--vtpm-out" in opt:
    with open(opt["--vtpm-out"], "w") as f:
        f.write("".join(l for l in open(vin) if l.startswith("pcr10.")))
        for p in fw:
            for b in banks:
                s = bytes.fromhex(snap[(p, b)])
                if p in bind:
                    reset = bytes([0xff if 17 <= p <= 22 else 0]) * len(s)
                    s = hashlib.new(b, reset + s).digest()
                f.write("pcr%d.%s: %s\n" % (p, b, s.hex()))
if "--extends" in opt:
    open(opt["--extends"], "w").write("".join("%d:%s\n" % (p, ",".join(
        "%s=%s" % (b, snap[(p, b)]) for b in banks)) for p in bind))
EOF
# setval FILE KEY VALUE: the "KEY: VALUE" line of FILE replaced
setval() { sed -i "s/^$2: .*/$2: $3/" "$1"; }
# flip HEX: the hex digits with the last one changed (one byte off)
flip() { local h=$1; echo "${h%?}$(tr 0-9a-f 1-9a-f0 <<<"${h: -1}")"; }
getval() { sed -n "s/^$2: //p" "$1"; }	# getval FILE KEY

python3 mkevlog.py ev.log ev.val --seed 3 --extends ev.ext
python3 mkfwrec.py record ev.val vtpm.all rec.fw --replay 0-7 --bind 8,9,17 \
	--vtpm-out vt.fw --measured meas.fw
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" \
	"firmware PCRs 0-7 replayed, 8, 9 and 17 bound, vTPM values as the module leaves them: PASS"
tap_is "$(grep -c '^vTPM pcr[0-7] (replay): OK: equals the snapshot (sha1 sha256 sha384)$' out):$(grep -c '^vTPM pcr[89] (bind): OK: equals H(00.. || the snapshot) (sha1 sha256 sha384)$' out):$(grep -c '^vTPM pcr17 (bind): OK: equals H(ff.. || the snapshot)' out)" \
	"8:2:1" "one line per firmware PCR and mode; PCR 17 is bound from ff.."
tap_ok "without --fw-log, verify says the replayed PCRs' event log went unchecked" \
	grep -q '^fw log: not given: .*(--fw-log FILE)$' out
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw --fw-log ev.log)
tap_is "$rc:$(tail -n 1 out):$(grep -c '^fw log pcr[0-7] (replay): OK: its [0-9]* events reproduce the snapshot (sha1 sha256 sha384)$' out):$(grep -c '^fw log pcr\(8\|9\|17\) (bind): bound: fw_pcrs asks to bind it$' out)" \
	"0:verify: PASS:8:3" "--fw-log: the event log reproduces every replayed PCR's snapshot; bound PCRs say why"
tap_ok "... and the log is described and compared with the record's" \
	grep -q '^fw log: ev.log: crypto-agile, 32 events (as the handoff.s, tpm0)$' out

cp vt.fw vt.off8
setval vt.off8 pcr8.sha256 "$(flip "$(getval vt.fw pcr8.sha256)")"
rc=$(verify out --record rec.fw --vtpm-pcrs vt.off8)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 8 (sha256, bind) is not H(00.. || the snapshot)" \
	"a bound PCR 8 one byte off in the vTPM: FAIL naming the PCR, the bank and the mode"
cp rec.fw rec.off8
setval rec.off8 pcr8.sha384 "$(flip "$(getval rec.fw pcr8.sha384)")"
rc=$(verify out --record rec.off8 --vtpm-pcrs vt.fw)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 8 (sha384, bind) is not H(00.. || the snapshot)" \
	"a bind snapshot one byte off in the record: FAIL"
cp vt.fw vt.off3
setval vt.off3 pcr3.sha1 "$(flip "$(getval vt.fw pcr3.sha1)")"
rc=$(verify out --record rec.fw --vtpm-pcrs vt.off3)
tap_ok "a replayed PCR 3 one byte off in the vTPM: FAIL, the line shows both values" \
	sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: vTPM PCR 3 (sha1, replay) is not the snapshot\$' out &&
	       grep -q '^vTPM pcr3 (replay): FAIL: sha1 reads $(getval vt.off3 pcr3.sha1), not the snapshot = $(getval vt.fw pcr3.sha1)\$' out"
python3 - rec.fw vt.fw vt.drtm <<'EOF'
import hashlib, sys
rec = dict(l.rstrip("\n").split(": ", 1) for l in open(sys.argv[1]) if ": " in l)
with open(sys.argv[3], "w") as f:
    for l in open(sys.argv[2]):
        k, v = l.split(": ")
        if k.startswith("pcr17."):
            s = bytes.fromhex(rec[k])
            v = hashlib.new(k.split(".")[1], bytes(len(s)) + s).hexdigest() + "\n"
        f.write("%s: %s" % (k, v))
EOF
rc=$(verify out --record rec.fw --vtpm-pcrs vt.drtm)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 17 (sha1, bind) is not H(ff.. || the snapshot)" \
	"PCR 17 bound from 00.. instead of ff..: FAIL"

python3 mkevlog.py ev.other ev.oval --seed 4
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw --fw-log ev.other)
tap_ok "an event log that does not give the replayed PCRs' snapshot: FAIL, though the vTPM holds the snapshot" \
	sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: the event log ev.other does not reproduce the snapshot of PCR 0 (sha1, replay)\$' out &&
	       grep -q '^vTPM pcr0 (replay): OK' out && grep -q '^fw log pcr0 (replay): FAIL: sha1: its 2 events give $(getval ev.oval pcr0.sha1), not the snapshot $(getval ev.val pcr0.sha1)\$' out"
python3 mkevlog.py ev.loc3 ev.l3val --seed 3 --locality 3
python3 mkfwrec.py record ev.l3val vtpm.all rec.loc3 --replay 0-7 --bind 8,9 --vtpm-out vt.loc3
rc=$(verify out --record rec.loc3 --vtpm-pcrs vt.loc3 --fw-log ev.loc3)
rc2=$(verify out2 --record rec.loc3 --vtpm-pcrs vt.loc3 --fw-log ev.log)
tap_is "$rc:$(tail -n 1 out):$rc2:$(tail -n 1 out2):$(grep -c '^fw log pcr[0-9]* (replay): FAIL' out2)" \
	"0:verify: PASS:1:verify: FAIL: the event log ev.log does not reproduce the snapshot of PCR 0 (sha1, replay):1" \
	"StartupLocality 3: PCR 0's replay starts at 00..03; the same events at locality 0 fail PCR 0 only"
python3 mkevlog.py ev.omit ev.omval --seed 3 --omit sha384:6
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw --fw-log ev.omit)
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: the event log ev.omit cannot reproduce PCR 4 (sha384, replay): event 6 has no sha384 digest" \
	"an event without a sha384 digest: its PCR cannot be replayed in that bank, FAIL"
head -c 500 ev.log >ev.trunc
rc=$(verify out --record rec.fw --vtpm-pcrs vt.fw --fw-log ev.trunc)
tap_is "$rc:$(wc -l <out.err):$(grep -c '^tpm-handoff: --fw-log: event log ev.trunc: event [0-9]* (offset [0-9]*) is truncated: the log ends at 500 bytes$' out.err)" \
	"2:1:1" "a truncated --fw-log: exit 2, one line with the parser's message"

# --ptpm-pcrs replaces the record's snapshot for the PCRs it gives.
cp rec.fw rec.snap3
setval rec.snap3 pcr3.sha256 "$(flip "$(getval rec.fw pcr3.sha256)")"
{ cat ptpm.cut; grep '^pcr3\.' ev.val; } >ptpm.fw
rc=$(verify out --record rec.snap3 --vtpm-pcrs vt.fw)
rc2=$(verify out2 --record rec.snap3 --vtpm-pcrs vt.fw --ptpm-pcrs ptpm.fw --fw-log ev.log)
tap_ok "a wrong PCR 3 snapshot: FAIL; with the pTPM's PCR 3 from --ptpm-pcrs: PASS" \
	sh -c "[ $rc:$rc2 = 1:0 ] && grep -q '^verify: FAIL: vTPM PCR 3 (sha256, replay) is not the snapshot\$' out &&
	       grep -q '^vTPM pcr3 (replay): OK: equals the pTPM.s value (--ptpm-pcrs)' out2 &&
	       grep -q '^fw log pcr3 (replay): OK: its 2 events reproduce the pTPM.s value (--ptpm-pcrs)' out2"
rc=$(verify out --record rec.fw --vtpm-pcrs vtpm.all)
tap_ok "--vtpm-pcrs without the firmware PCRs: PASS, saying what was not checked" \
	sh -c "[ $rc = 0 ] && grep -q '^vTPM pcr8 (bind): not checked: vtpm.all has no pcr8 value\$' out &&
	       [ \"\$(tail -n 1 out)\" = 'verify: PASS (not checked: vTPM PCRs 0-9 17, not in vtpm.all)' ]"

# ---- the record in the IMA log (offline) ----
cat >mkimabuf.py <<'EOF'
import hashlib, struct, sys
# mkimabuf.py LOG RECORD OUT VALUES-IN VALUES-OUT [--pcr P] [--algo A]
#             [--bad-dng] [--padded BANK] [--extend FILE]
# OUT: LOG and one more entry, the module's record as IMA measures critical
# data with template ima-buf: d-ng "A:" NUL digest of RECORD (A sha256 by
# default), n-ng "tpm_handoff" NUL, buf RECORD; --bad-dng flips a bit of the
# digest.  VALUES-OUT: VALUES-IN with its pcrP lines extended by the entry
# (each bank's hash of the template data, or for --padded BANK, sha384 by
# default, the SHA-1 template digest zero-padded); --extend: the
# tpm2_pcrextend argument.
a = sys.argv[1:]
log, rec, out, vin, vout, a = a[0], a[1], a[2], a[3], a[4], a[5:]
opt, i = {}, 0
while i < len(a):
    if a[i] == "--bad-dng":
        opt[a[i]] = True
        i += 1
    else:
        opt[a[i]] = a[i + 1]
        i += 2
field = lambda b: struct.pack("<I", len(b)) + b
buf = open(rec, "rb").read()
algo = opt.get("--algo", "sha256")
d = bytearray(hashlib.new(algo, buf).digest())
if "--bad-dng" in opt:
    d[0] ^= 1
data = field(algo.encode() + b":\0" + bytes(d)) + field(b"tpm_handoff\0") + field(buf)
td = hashlib.sha1(data).digest()
pcr = int(opt.get("--pcr", "10"))
entry = struct.pack("<I", pcr) + td + field(b"ima-buf") + field(data)
open(out, "wb").write(open(log, "rb").read() + entry)
padded, arg = opt.get("--padded", "sha384"), []
with open(vout, "w") as f:
    for l in open(vin):
        k, v = l.rstrip("\n").split(": ")
        bank = k.split(".")[1]
        if k.startswith("pcr%d." % pcr):
            x = bytes.fromhex(v)
            e = td.ljust(len(x), b"\0") if bank == padded else hashlib.new(bank, data).digest()
            v = hashlib.new(bank, x + e).hexdigest()
            arg.append("%s=%s" % (bank, e.hex()))
        f.write("%s: %s\n" % (k, v))
if "--extend" in opt:
    open(opt["--extend"], "w").write("%d:%s\n" % (pcr, ",".join(arg)))
EOF
python3 mkimabuf.py log meas.fw log.rec vt.fw vt.rec
nkeys=$(($(grep -c . meas.fw) - 1))
rc=$(verify out --record rec.fw --log log.rec --vtpm-pcrs vt.rec)
tap_is "$rc:$(tail -n 1 out):$(grep '^IMA log record: ' out)" \
	"0:verify: PASS:IMA log record: OK: IMA log entry 41, after the cut $C, its sha256 digest matches its $(stat -c %s meas.fw) bytes; its $nkeys keys equal rec.fw's" \
	"the record measured into the IMA log (ima-buf, after the cut): its digest and its $nkeys keys check out, PASS"
sed 's/^vtpm_provider: chip/vtpm_provider: xen/' meas.fw >meas.xen
python3 mkimabuf.py log meas.xen log.xen vt.fw vt.xen
rc=$(verify out --record rec.fw --log log.xen --vtpm-pcrs vt.xen)
tap_is "$rc:$(tail -n 1 out):$(grep '^IMA log record: ' out)" \
	"1:verify: FAIL: the record in the IMA log (entry 41) and rec.fw differ in key vtpm_provider:IMA log record: FAIL: IMA log entry 41 has vtpm_provider: xen, rec.fw has vtpm_provider: chip" \
	"the IMA log's record with one key changed: FAIL naming the key"
grep -v '^pcr9.bind:' meas.fw >meas.nobind
python3 mkimabuf.py log meas.nobind log.nobind vt.fw vt.nobind
rc=$(verify out --record rec.fw --log log.nobind --vtpm-pcrs vt.nobind)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: the record in the IMA log (entry 41) and rec.fw differ in key pcr9.bind" \
	"a key of the sysfs record missing from the IMA log's: FAIL naming it"
sed -e 's/^barrier_ns: .*/barrier_ns: 7/' -e 's/^replayed: .*/replayed: 3/' rec.fw >rec.timing
rc=$(verify out --record rec.timing --log log.rec --vtpm-pcrs vt.rec)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "the run-to-run keys (replayed, barrier_ns) are not in the measured copy: not compared"
python3 mkimabuf.py log meas.fw log.bad vt.fw vt.bad --bad-dng
rc=$(verify out --record rec.fw --log log.bad --vtpm-pcrs vt.bad)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: IMA log entry 41 (the record): its d-ng digest does not match its buffer" \
	"an entry whose d-ng digest does not match its buffer: FAIL"
python3 mkimabuf.py log.rec meas.fw log.two vt.rec vt.two
rc=$(verify out --record rec.fw --log log.two --vtpm-pcrs vt.two)
tap_ok "two tpm_handoff entries: the last counts, and verify says so" \
	sh -c "[ $rc = 0 ] && grep -q '^IMA log record: OK: IMA log entry 42, the last of 2 tpm_handoff entries, after the cut' out"
rc=$(verify out --sysfs "$tmp/nonexistent" --record-from-log --log log.rec --vtpm-pcrs vt.rec --fw-log ev.log)
tap_ok "--record-from-log: the log's record alone (no sysfs): PASS" \
	sh -c "[ $rc = 0 ] && [ \"\$(tail -n 1 out)\" = 'verify: PASS' ] &&
	       grep -q '^IMA log record: OK: IMA log entry 41, .*; it is the record verify used (sysfs not read)\$' out &&
	       grep -q '^vTPM pcr9 (bind): OK' out"
rc=$(run out -- "$tool" verify --sysfs "$tmp/nonexistent" --record-from-log --log - --vtpm-pcrs vt.rec <log.rec)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "--record-from-log with the log on stdin"
rc=$(verify out --sysfs "$tmp/nonexistent" --record-from-log --log log.xen --vtpm-pcrs vt.xen)
tap_is "$rc:$(grep -c '^vTPM pcr8 (bind): OK' out)" "0:1" \
	"--record-from-log ignores sysfs: the log's (changed) record is the one checked"
rc=$(verify out --sysfs "$tmp/nonexistent" --record-from-log --log log --vtpm-pcrs vt.fw)
tap_is "$rc:$(cat out.err)" \
	"2:tpm-handoff: --record-from-log: the IMA log log holds no tpm_handoff record (an ima-buf entry named tpm_handoff): add the IMA policy rule \"measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf\" before the handoff" \
	"--record-from-log and no record in the log: exit 2 naming the policy rule"
rc=$(run out -- "$tool" verify --sysfs "$tmp/nonexistent" --log log.rec --vtpm-pcrs vt.rec)
tap_is "$rc:$(cat out.err)" \
	"2:tpm-handoff: no record: $tmp/nonexistent/record does not exist: tpm_handoff is not loaded; the IMA log holds one: verify --record-from-log" \
	"no sysfs record but one in the log: exit 2, pointing at --record-from-log"
head -c "$(off 20 2)" log >log.head
python3 mkimabuf.py log.head meas.fw log.early vt.fw vt.early
tail -c +"$(($(off 20 2) + 1))" log >>log.early
rc=$(verify out --record rec.fw --log log.early --vtpm-pcrs vt.fw)
tap_ok "a record entry before the cut (entry 20 of 41, cut $C): FAIL" \
	sh -c "[ $rc = 1 ] && grep -q '^IMA log record: FAIL: IMA log entry 20 is before the cut $C: ' out"
python3 mkimabuf.py log meas.fw log.p11 vt.fw vt.p11 --pcr 11
rc=$(verify out --record rec.fw --log log.p11 --vtpm-pcrs vt.p11)
tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: IMA log entry 41 (the record) is for PCR 11, not 10" \
	"a record entry for PCR 11 (pcr= in the policy rule): FAIL, no TPM check covers it"

# ---- TPM 1.2 (offline: a fake /sys/class/tpm) ----
python3 mkevlog.py ev12.log ev12.val --tpm12 --seed 4
sed -e 's/^banks: .*/banks: sha1/' record | grep -v '^pcr10\.sha[23]' >rec12.base
python3 mkfwrec.py rec12.base ev12.val vtpm.all rec12 --replay 0-7 --bind 8,9 --family 1.2 \
	--vtpm-out vt12 --measured meas12
cat >mkpcrs.py <<'EOF'
import sys
# mkpcrs.py VALUES OUT: a TPM 1.2's sysfs pcrs file, as pcrs_show() writes
# it, for the sha1 values in VALUES (PCRs it lacks: 00.., 17-22 ff..)
v = {}
for l in open(sys.argv[1]):
    if l.startswith("pcr") and ".sha1: " in l:
        k, h = l.split(": ")
        v[int(k[3:].split(".")[0])] = bytes.fromhex(h.strip())
with open(sys.argv[2], "w") as f:
    for p in range(24):
        d = v.get(p, bytes([0xff if 17 <= p <= 22 else 0]) * 20)
        f.write("PCR-%02d: %s\n" % (p, "".join("%02X " % b for b in d)))
EOF
mkdir -p cls/tpm1/device
python3 mkpcrs.py vt12 cls/tpm1/device/pcrs
v12() { verify "$1" --record rec12 --class cls --attempts 1 "${@:2}"; }
rc=$(v12 out --fw-log ev12.log)
tap_ok "TPM 1.2 (family 1.2, sha1): the vTPM's PCRs from CLASS/tpm1/device/pcrs, TPM 1.2 event log: PASS" \
	sh -c "[ $rc = 0 ] && [ \"\$(tail -n 1 out)\" = 'verify: PASS' ] && grep -q '^vTPM pcr10.sha1: OK: the whole log' out &&
	       [ \$(grep -c '^vTPM pcr[0-9] (replay\|bind): OK: equals .* (sha1)\$' out) = 10 ] &&
	       grep -q '^fw log: ev12.log: tpm1.2, 30 events' out"
cp cls/tpm1/device/pcrs pcrs.good
# pcrs_off PCR: that line's last byte changed
pcrs_off() { sed -i "s/^\(PCR-$1: .*\)\(.\) \$/\1$(tr 0-9A-F 1-9A-F0 <<<"$(sed -n "s/^PCR-$1: .*\(.\) \$/\1/p" pcrs.good)") /" cls/tpm1/device/pcrs; }
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
cp pcrs.good cls/tpm1/device/pcrs
python3 mkimabuf.py log meas12 log12.rec vt12 vt12.rec --padded none
python3 mkpcrs.py vt12.rec cls2/tpm1/pcrs
rc=$(verify out --sysfs "$tmp/nonexistent" --record-from-log --log log12.rec --class cls2 --fw-log ev12.log)
tap_is "$rc:$(tail -n 1 out):$(grep -c '^IMA log record: OK' out)" "0:verify: PASS:1" \
	"TPM 1.2 with --record-from-log: PASS"

# ---- firmware PCRs and the record in the IMA log, live (swtpm) ----
# The swtpm as the vTPM after a handoff: the log's 40 entries and the
# record's entry in PCR 10, the event log's events for PCRs 0-7 (replay),
# one extend of the snapshot into PCRs 8 and 9 (bind).
if [ -n "$have_swtpm" ]; then
	python3 mkfwrec.py record ev.val vtpm.all rec.live --replay 0-7 --bind 8,9 \
		--measured meas.live --extends bind.ext
	python3 mkimabuf.py log meas.live log.live vtpm.all vt.live --extend live.ext
	vtpm_reset
	vtpm_extend 1 $N
	fails=
	for s in $(cat live.ext) $(grep '^[0-7]:' ev.ext) $(cat bind.ext); do
		tpm2_pcrextend "$s" || fails+=" $s"
	done
	tap_is "${fails:-none}" none "the swtpm extended like the module: firmware PCRs replayed and bound, the record's entry"
	rc=$(verify out "${tcti[@]}" --record rec.live --log log.live --fw-log ev.log)
	tap_ok "live vTPM (ESYS): PCRs 0-7 replayed, 8-9 bound, the record in the IMA log: PASS" \
		sh -c "[ $rc = 0 ] && [ \"\$(tail -n 1 out)\" = 'verify: PASS' ] &&
		       [ \$(grep -c '^vTPM pcr[0-9] (replay\|bind): OK: equals .* (sha1 sha256 sha384)\$' out) = 10 ] &&
		       grep -q '^IMA log record: OK: IMA log entry 41,' out"
	rc=$(verify out "${tcti[@]}" --sysfs "$tmp/nonexistent" --record-from-log --log log.live --fw-log ev.log)
	tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "live vTPM with --record-from-log (no sysfs): PASS"
	cp rec.live rec.live9
	setval rec.live9 pcr9.sha256 "$(flip "$(getval rec.live pcr9.sha256)")"
	rc=$(verify out "${tcti[@]}" --record rec.live9 --log log.live)
	tap_ok "live vTPM, a bind snapshot one byte off: FAIL naming PCR 9, sha256, bind (and the IMA log's record disagrees)" \
		sh -c "[ $rc = 1 ] && grep -q '^verify: FAIL: vTPM PCR 9 (sha256, bind) is not H(00.. || the snapshot)\$' out &&
		       grep -q '^IMA log record: FAIL: IMA log entry 41 has pcr9.sha256: ' out"
	tpm2_pcrextend "5:sha1=$(printf '%040d' 5)" >/dev/null
	rc=$(verify out "${tcti[@]}" --record rec.live --log log.live --fw-log ev.log)
	tap_is "$rc:$(tail -n 1 out)" "1:verify: FAIL: vTPM PCR 5 (sha1, replay) is not the snapshot" \
		"live vTPM, PCR 5 extended after the handoff: FAIL"
else
	for _ in 1 2 3 4 5; do tap_skip "firmware PCRs against a swtpm" "no swtpm, swtpm_ioctl or tpm2-tools"; done
fi

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

# Firmware PCRs, the record in the IMA log, TPM 1.2.
fwsrc=(--record rec.fw --vtpm-pcrs vt.fw --log log)
bad "a truncated --fw-log" "${fwsrc[@]}" --fw-log ev.trunc
head -c 3000 /dev/urandom >ev.random
bad "an --fw-log of random bytes" "${fwsrc[@]}" --fw-log ev.random
python3 -c 'import struct, sys
d = bytearray(open("ev.log", "rb").read())
struct.pack_into("<I", d, 32 + 24, 0)	# the Spec ID event: numberOfAlgorithms
open("ev.noalg", "wb").write(d)'
bad "an --fw-log whose Spec ID event declares no algorithm" "${fwsrc[@]}" --fw-log ev.noalg
grep -q "the Spec ID event declares 0 algorithms" out.err
tap_is $? 0 "... and the message is the parser's"
: >ev.empty
bad "an empty --fw-log" "${fwsrc[@]}" --fw-log ev.empty
bad "a missing --fw-log" "${fwsrc[@]}" --fw-log nonexistent.ev
bad "--record-from-log, no record in the log" --record-from-log --log log --vtpm-pcrs vt.fw
printf 'not a record\001\n' >rec.garbage
python3 mkimabuf.py log rec.garbage log.garbage vt.fw vt.garbage
bad "--record-from-log, an entry that is not a record" --record-from-log --log log.garbage --vtpm-pcrs vt.garbage
bad "an IMA log's record that is not one, with --record" --record rec.fw --log log.garbage --vtpm-pcrs vt.garbage
sed 's/^tpm_handoff: 1$/tpm_handoff: 2/' meas.fw >meas.v2
python3 mkimabuf.py log meas.v2 log.v2 vt.fw vt.v2
bad "a measured record of version 2" --record-from-log --log log.v2 --vtpm-pcrs vt.v2
grep -v '^tpm_handoff:' meas.fw >meas.nover
python3 mkimabuf.py log meas.nover log.nover vt.fw vt.nover
bad "a measured record without its tpm_handoff line" --record-from-log --log log.nover --vtpm-pcrs vt.nover
python3 mkimabuf.py log meas.fw log.md4 vt.fw vt.md4 --algo md5
sed -i 's/md5:/xy5:/' log.md4	# same length: a hash libcrypto does not know
python3 -c 'import hashlib, struct
d = bytearray(open("log.md4", "rb").read())
off = len(open("log", "rb").read())
n = struct.unpack_from("<I", d, off + 24)[0]
data = d[off + 28 + n + 4:]
d[off + 4:off + 24] = hashlib.sha1(data).digest()
open("log.md4", "wb").write(d)'
bad "a record entry whose d-ng names an unknown hash" --record-from-log --log log.md4 --vtpm-pcrs vt.fw
for m in 's/^pcr3.sha1.mode: replay/pcr3.sha1.mode: frobnicate/' 's/^pcr0.sha256.mode: replay/pcr0.sha256.mode: bind/' \
	's/^fw_bind: .*/& 0/' 's/^family: .*/family: 3.0/' '/^pcr4.sha256.mode:/d' '/^pcr4.sha256:/d' \
	's/^pcr8.bind: .*/pcr8.bind:/' 's/^pcr0.events: .*/pcr0.events: many/' 's/^fw_replay: .*/fw_replay: 0 1 2 3 4 5 6 7 99/'; do
	sed "$m" rec.fw >rec.m
	bad "a record with firmware PCRs, sed '$m'" --record rec.m --vtpm-pcrs vt.fw --log log
done
grep '^pcr3.sha1:' ev.val >ptpm.part
cat ptpm.cut >>ptpm.part
bad "--ptpm-pcrs with PCR 3 in one bank of three" "${fwsrc[@]}" --ptpm-pcrs ptpm.part
bad "--tcti for a TPM 1.2 (family 1.2)" --record rec12 --log log --tcti "swtpm:host=127.0.0.1,port=1"
mkdir -p cls3/tpm1/device
printf 'PCR-00: 12 34\n' >cls3/tpm1/device/pcrs
bad "a TPM 1.2 pcrs file with a short line" --record rec12 --log log --class cls3 --attempts 1
sed 's/^PCR-10: .*/& 00 /' pcrs.good >cls3/tpm1/device/pcrs
bad "a TPM 1.2 pcrs line with 21 bytes" --record rec12 --log log --class cls3 --attempts 1
grep -v '^PCR-10:' pcrs.good >cls3/tpm1/device/pcrs
bad "a TPM 1.2 pcrs file without PCR 10" --record rec12 --log log --class cls3 --attempts 1
grep -v '^PCR-08:' pcrs.good >cls3/tpm1/device/pcrs
bad "a TPM 1.2 pcrs file without PCR 8 (bound)" --record rec12 --log log --class cls3 --attempts 1
bad "a TPM 1.2 without a pcrs file" --record rec12 --log log --class "$tmp/nonexistent" --attempts 1

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
	# Damaged event logs, record entries, TPM 1.2 pcrs files and records
	# with firmware PCRs; record --json must stay valid JSON when it prints.
	python3 - <<'EOF'
import hashlib, random, struct
rng = random.Random(11)
ev = open("ev.log", "rb").read()
log = open("log", "rb").read()
meas = open("meas.fw", "rb").read()
rec = open("rec.fw", "rb").read()
pcrs = open("pcrs.good", "rb").read()
def damage(b, junk, most=6):
    b = bytearray(b)
    for _ in range(rng.randint(1, most)):
        k = rng.randrange(len(b))
        op = rng.randrange(4)
        if op == 0:
            b[k] = rng.randrange(256)
        elif op == 1:
            del b[k:k + rng.randint(1, 40)]
        elif op == 2:
            b[k:k] = rng.choice(junk)
        else:
            struct.pack_into("<I", b, min(k, len(b) - 4), rng.choice([0, 1, 8, 9, 0xffff, 0xffffffff]))
    return bytes(b)
field = lambda b: struct.pack("<I", len(b)) + b
for i in range(100):
    open("fe%03d.ev" % i, "wb").write(damage(ev, [b"\0" * 8, b"\3\0\0\0", b"\xff" * 4]))
for i in range(60):
    buf = damage(meas, [b":", b"\n", b" ", b"pcr8.", b"sha1", b"99999999999999999999", b"\0", b"tpm_handoff: 1\n"])
    dng = b"sha256:\0" + hashlib.sha256(buf).digest()
    if i % 3 == 0:
        dng = dng[:rng.randrange(len(dng))]
    data = field(dng) + field(b"tpm_handoff\0") + field(buf)
    entry = struct.pack("<I", 10) + hashlib.sha1(data).digest() + field(b"ima-buf") + field(data)
    open("fm%03d.log" % i, "wb").write(log + entry)
    open("fr%03d.rec" % i, "wb").write(damage(rec, [b":", b"\n", b" ", b"pcr8.", b"bind", b"fw_replay: ", b"\0", b".mode: bind"], 1 + i % 2))
for i in range(40):
    open("fp%03d.pcrs" % i, "wb").write(damage(pcrs, [b" ", b"\n", b"PCR-", b"ZZ", b"\0"]))
EOF
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
	fails=
	declare -A seen=()
	for f in fe*.ev; do
		asan_run verify --sysfs "$tmp" "${fwsrc[@]}" --fw-log "$f"
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
else
	tap_result 1 "the ASan build exists (make -C tools asan)"
	tap_result 1 "fuzzing under ASan"
	tap_result 1 "fuzzing the firmware PCRs' inputs under ASan"
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
cp rec.fw sysfs/record
rc=$(run out -- "$tool" record --sysfs sysfs --json)
tap_is "$rc:$(python3 -c 'import json
j = json.load(open("out"))
p = j["pcrs"]
print(j["family"], j["fw_replay"], j["fw_bind"], j["fw_resumed"], j["fw_log_events"], p["8"]["sha256"]["mode"],
      p["8"]["bind"], p["0"]["events"], p["0"]["sha1"]["mode"], "digest" in p["0"]["sha1"], p["10"]["sha384"]["digest"])' 2>&1)" \
	"0:2.0 [0, 1, 2, 3, 4, 5, 6, 7] [8, 9, 17] [] 32 bind fw_pcrs asks to bind it 2 replay False padded-sha1" \
	"record --json with firmware PCRs: PCR lists as lists, modes, bind reasons and event counts per PCR"
rc=$(run out -- "$tool" record --sysfs sysfs)
tap_ok "record: the firmware PCRs in the readable form" \
	sh -c "[ $rc = 0 ] && grep -q '^firmware PCRs: *replayed 0-7; bound 8 9 17\$' out &&
	       grep -q '^firmware log: *tpm0 (crypto-agile, 32 events)\$' out && grep -q '^PCRs mirrored: *0-10 17\$' out &&
	       grep -q '^pcr0.sha1: *[0-9a-f]\{40\} (replay, 2 events)\$' out && grep -q '^pcr8.bind: *fw_pcrs asks to bind it\$' out &&
	       grep -q '^family: *TPM 2.0\$' out"

# ---- status and start on a fake sysfs ----
mkfake() {	# mkfake DIR STATE VTPM: the module's files and a class dir
	rm -rf "$1" "$1.class"
	mkdir -p "$1" "$1.class/tpm0/pcr-sha1" "$1.class/tpm0/pcr-sha256" \
		"$1.class/tpm1/pcr-sha1" "$1.class/tpm1/pcr-sha256"
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
	sh -c "grep -q '^pTPM: *tpm0, banks sha1 sha256\$' out && grep -q '^vTPM: *tpm1, provider chip, banks sha1 sha256\$' out"
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
	sh -c "[ $rc = 1 ] && grep -q 'FAIL  the vTPM has the PCR banks of the pTPM, no more, no less: the vTPM tpm1 lacks sha256' out"
mkfake f idle "tpm1 chip"
mkdir f.class/tpm1/pcr-sha384
rc=$(st out f)
tap_ok "a vTPM with a bank the pTPM lacks: not ready, naming it and vtpmd --pcr-banks" \
	sh -c "[ $rc = 1 ] && grep -q 'FAIL  the vTPM has the PCR banks of the pTPM, no more, no less: the vTPM tpm1 has sha384, which the pTPM tpm0 lacks' out &&
	       grep -q 'fix: start vtpmd with the pTPM.s banks only (vtpmd --pcr-banks)' out"
mkfake f sleeping "tpm1 chip"
rc=$(st out f)
tap_is "$rc:$(tail -n 1 out.err)" "2:tpm-handoff: cannot read the handoff state: cannot read f/state: not idle, running, committed or aborted" \
	"an unknown state: exit 2"
mkfake f committed committed
cp record f/record
rc=$(st out f)
tap_is "$rc:$(tail -n 1 out)" "0:ready: already committed (tpm-handoff record, tpm-handoff verify)" \
	"committed: exit 0, and the vTPM comes from the record"
cp rec.fw f/record
rc=$(st out f)
tap_ok "status after a commit with firmware PCRs: the record in brief, the firmware PCRs' modes" \
	sh -c "[ $rc = 0 ] && grep -q '^record: *committed, cut $C of $((C + 1)), TPM 2.0 (tpm-handoff record)\$' out &&
	       grep -q '^firmware: *replayed 0-7; bound 8 9 17 (event log tpm0, crypto-agile)\$' out"
mkfake f idle "tpm1 chip"
rm -r f.class/tpm0/pcr-* f.class/tpm1/pcr-*
mkdir -p f.class/tpm0/device f.class/tpm1/device
cp pcrs.good f.class/tpm0/device/pcrs
cp pcrs.good f.class/tpm1/device/pcrs
rc=$(st out f)
tap_ok "status: a TPM 1.2 pTPM and vTPM (pcrs files, no pcr-<bank>): ready, bank sha1" \
	sh -c "[ $rc = 0 ] && grep -q '^pTPM: *tpm0, TPM 1.2, bank sha1\$' out && grep -q '^vTPM: *tpm1, provider chip, TPM 1.2, bank sha1\$' out"
mkdir f.class/tpm1/pcr-sha1 f.class/tpm1/pcr-sha256
rm f.class/tpm1/device/pcrs
rc=$(st out f)
tap_ok "status: a TPM 1.2 pTPM and a TPM 2.0 vTPM: not ready, both must be the same family" \
	sh -c "[ $rc = 1 ] && grep -q 'FAIL  the vTPM has the PCR banks of the pTPM, no more, no less: the pTPM tpm0 is a TPM 1.2 but the vTPM tpm1 is a TPM 2.0: both must be the same family' out &&
	       grep -q 'fix: start the vTPM as a TPM 1.2' out"
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
	tap_is "$(starterr 95 "the vTPM tpm1 has no sha384 PCR bank, which IMA extends on the pTPM: start the vTPM with the pTPM's banks (vtpmd --pcr-banks sha1,sha256,sha384, or tpm2_pcrallocate and a restart)" | tail -n 1)" \
		"tpm-handoff: fix: start vtpmd with the pTPM's banks (vtpmd --pcr-banks LIST, the list the error names), then retry" \
		"EOPNOTSUPP, a missing bank: vtpmd --pcr-banks"
	tap_is "$(starterr 62 "the barrier timed out after 30000 ms (barrier_timeout_ms) while reading the vTPM's PCRs (the vTPM is tpm1)" | sed -n 's/^\(tpm-handoff: handoff failed: [A-Z]*\) .*/\1/p')" \
		"tpm-handoff: handoff failed: ETIME" "ETIME is named"
	tap_is "$(starterr 110 "the replay before the barrier timed out after 5000 ms (mirror_timeout_ms) while reading the vTPM's PCRs (the vTPM is tpm1)" | tail -n 1 | grep -o 'raise mirror_timeout_ms')" \
		"raise mirror_timeout_ms" "ETIMEDOUT before the barrier: the fix names mirror_timeout_ms"
	tap_is "$(starterr 125 "dry run (dry_run=1): every step passed and the vTPM equals the pTPM at the cut; nothing was committed" | tail -n 1 | grep -o 'echo 0 > [^,]*dry_run')" \
		"echo 0 > /sys/module/tpm_handoff/parameters/dry_run" "ECANCELED (a dry run): the fix says how to hand off for real"
	tap_is "$(starterr 22 "the pTPM tpm0 is a TPM 1.2 but the vTPM tpm1 is a TPM 2.0: both must be the same family" | tail -n 1)" \
		"tpm-handoff: fix: start the vTPM in the pTPM's family (vtpmd --tpm1 for a TPM 1.2 pTPM, without it for a TPM 2.0), then retry" \
		"EINVAL, a TPM 1.2 pTPM and a TPM 2.0 vTPM: start the vTPM in the pTPM's family"
	tap_is "$(starterr 11 "pTPM PCR 7 changed during the handoff (something outside IMA extended it): retry" | sed -n 's/^\(tpm-handoff: handoff failed: [A-Z]*\) .*/\1/p')" \
		"tpm-handoff: handoff failed: EAGAIN" "EAGAIN (a firmware PCR moved) is named"
else
	for _ in 1 2 3 4 5 6 7; do tap_skip "start: errno fixes" "cannot build an LD_PRELOAD shim"; done
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
