#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers for the host tests of tpm-handoff, the operator's tool
# (selftests/host/tool-*.sh): the binaries, a private working directory,
# the fixtures (fabricated by testing/fixtures, whose values come from
# Python's hashlib, never from the tool), a swtpm as the vTPM, and running
# the tool.  Source it after selftests/lib/tap.sh, with $top set:
#
#   tool_init                   # no tool: skip (exit 4); else cd to a temp dir
#   fx_log; fx_fw; fx_tpm12     # the fixtures a script needs (below)
#   vtpm_start || ...           # a swtpm as the vTPM, if there is one
#   rc=$(verify out ARGS...)    # tpm-handoff verify
#   bad NAME ARGS...; bad_under_asan    # verify must refuse ARGS (exit 2)
tool=$top/build/bin/tpm-handoff
asan=$top/build/bin/tpm-handoff-asan
fixtures=$top/testing/fixtures
mklog=$fixtures/mklog.py
mkevlog=$fixtures/mkevlog.py
mkrecord=$fixtures/mkrecord.py
mkreclog=$fixtures/mkreclog.py
mkpcrs=$fixtures/mkpcrs.py
mkdamaged=$fixtures/mkdamaged.py
N=40 C=30	# the IMA log's entries; the handoff's cut (entries 0-29 mirrored)
tmp=
spid=

# tool_init [--asan]: skip the script (exit 4) if build/bin/tpm-handoff is
# not built; with --asan, build the ASan/UBSan build if it is missing.  Then
# a private temp dir (removed at exit, with the swtpm), the working
# directory.
# shellcheck disable=SC2120 # scripts without sanitizer checks pass no --asan
tool_init() {
	[ -x "$tool" ] || { echo "1..0 # SKIP build/bin/tpm-handoff not built"; exit 4; }
	if [ "${1:-}" = --asan ] && [ ! -x "$asan" ]; then
		mkdir -p "$top/build"
		flock "$top/build" make -s -C "$top/tools" asan >/dev/null 2>&1
	fi
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	trap 'tool_cleanup' EXIT
	cd "$tmp" || exit 1
}
tool_cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null
	rm -rf "$tmp"
}

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

# ---- bad input: exit 2 and one line on stderr, also under ASan ----
# bad NAME ARGS...: tpm-handoff verify --sysfs $tmp ARGS must exit 2 with
# one line on stderr (in out.err, for a check of its words after it); the
# case is kept in bad_cases for bad_under_asan.
bad_cases=()
bad() {
	local name=$1 rc
	shift
	bad_cases+=("$(printf '%q ' "$@")")
	rc=$(run out -- "$tool" verify --sysfs "$tmp" "$@")
	exit2_one_line "$rc" || tap_diag "exit $rc: $(head -n 3 out.err)"
	tap_ok "$name: exit 2, one line" exit2_one_line "$rc"
}
exit2_one_line() { [ "$1" = 2 ] && one_line_err out.err; }
# bad_under_asan: one check, that every case bad() ran exits 2 with one
# line under the ASan/UBSan build too: a sanitizer report would be more
# lines (or exit 99, 98), a leak on an error path as well.  Without the
# build (tool_init --asan makes it) the check fails: a bad input that only
# a sanitizer catches must not pass unseen.
bad_under_asan() {
	local c rc args fails=
	if [ ! -x "$asan" ]; then
		tap_result 1 "the ASan build exists (make -C tools asan)"
		return
	fi
	for c in "${bad_cases[@]}"; do
		eval "args=($c)"	# the words bad() quoted
		ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:exitcode=98 \
			"$asan" verify --sysfs "$tmp" "${args[@]}" >/dev/null 2>asan.err
		rc=$?
		{ [ $rc = 2 ] && one_line_err asan.err; } || fails+=" [$c: exit $rc, $(head -c 200 asan.err)]"
	done
	tap_is "${fails:-none}" none "all ${#bad_cases[@]} bad inputs under ASan/UBSan: exit 2, one line, no report"
}

# ---- the fixtures ----
# fx_log: the IMA log "log" ($N ima-ng entries, layout in "lay"), its
# values after the cut (v.cut), after 29 entries (v.29) and whole (v.all),
# each also as a Debian 6.1 TPM holds them (ptpm.cut, vtpm.29, vtpm.all:
# sha1 and sha256 hashed, sha384 padded), and "record", the module's record
# of a handoff with that cut.
fx_log() {
	"$mklog" --kind ima-ng --seed 5 --entries $N --layout lay --after $C \
		--values v.cut --tpm-values ptpm.cut log
	"$mklog" --kind ima-ng --seed 5 --entries $N --after 29 --values v.29 --tpm-values vtpm.29 log
	"$mklog" --kind ima-ng --seed 5 --entries $N --values v.all --tpm-values vtpm.all log
	"$mkrecord" --pcr10 ptpm.cut --cut $C record
}
# fx_fw (after fx_log): the firmware event log ev.log (crypto agile, its
# replay in ev.val, its extends in ev.ext) and the record rec.fw of a
# handoff that replayed PCRs 0-7 and bound 8, 9 and 17; the vTPM's values
# after it (vt.fw) and the copy measured into the IMA log (meas.fw).
fx_fw() {
	"$mkevlog" --seed 3 --extends ev.ext ev.log ev.val
	"$mkrecord" --pcr10 ptpm.cut --cut $C --fw-values ev.val --replay 0-7 --bind 8,9,17 \
		--vtpm-pcr10 vtpm.all --vtpm-out vt.fw --measured meas.fw rec.fw
}
# fx_tpm12 (after fx_log): a TPM 1.2 handoff: event log ev12.log (ev12.val),
# record rec12 (sha1, PCRs 0-7 replayed, 8 and 9 bound), the vTPM's values
# vt12 and its sysfs pcrs file pcrs.good, the measured copy meas12.
fx_tpm12() {
	"$mkevlog" --tpm12 --seed 4 ev12.log ev12.val
	"$mkrecord" --pcr10 ptpm.cut --cut $C --banks sha1 --fw-values ev12.val --family 1.2 \
		--vtpm-pcr10 vtpm.all --vtpm-out vt12 --measured meas12 rec12
	"$mkpcrs" vt12 pcrs.good
}

off() { awk -v e="$1" -v f="$2" '$1 == e { print $f }' lay; }	# off INDEX COLUMN (of mklog's layout)
val() { sed -n "s/^pcr10\.$1: //p" "$2"; }	# val BANK FILE
getval() { sed -n "s/^$2: //p" "$1"; }	# getval FILE KEY
# setval FILE KEY VALUE: the "KEY: VALUE" line of FILE replaced
setval() { sed -i "s/^$2: .*/$2: $3/" "$1"; }
# flip HEX: the hex digits with the last one changed (one byte off)
flip() { local h=$1; echo "${h%?}$(tr 0-9a-f 1-9a-f0 <<<"${h: -1}")"; }
# patch_u32 FILE OFFSET VALUE: a little-endian u32 of FILE overwritten
patch_u32() {
	printf '%b' "$(printf '\\x%02x' $(($3 & 255)) $(($3 >> 8 & 255)) \
		$(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# ---- the vTPM: a swtpm on free ports ----
# free_port: a free TCP port P on 127.0.0.1 with P + 1 free too
free_port() {
	python3 -c '
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
        pass'
}
# vtpm_start: a TPM 2.0 swtpm as the vTPM (state in $tmp/st), started;
# tpm2-tools and tcti=(--tcti ...) talk to it.  Fails without swtpm,
# swtpm_ioctl or tpm2-tools.
vtpm_start() {
	command -v swtpm >/dev/null && command -v tpm2_pcrextend >/dev/null &&
		command -v swtpm_ioctl >/dev/null || return 1
	mkdir -p "$tmp/st"
	port=$(free_port)
	[ -n "$port" ] && swtpm socket --tpm2 --tpmstate dir="$tmp/st" \
		--server type=tcp,port="$port",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear --pid file="$tmp/st/pid" \
		--daemon 2>"$tmp/swtpm.err" || return 1
	spid=$(cat "$tmp/st/pid")
	export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"
	tcti=(--tcti "$TPM2TOOLS_TCTI")
}
vtpm_reset() {	# PCRs back to zero: TPM2_Init and Startup(CLEAR)
	swtpm_ioctl --tcp "127.0.0.1:$((port + 1))" -i >/dev/null &&
		tpm2_startup -c >/dev/null 2>&1
}
# vtpm_extend FILE FIRST LAST: extend the vTPM by lines FIRST..LAST
# (0-based: entry indexes, for mklog.py --extends) of FILE, one
# tpm2_pcrextend argument a line
vtpm_extend() {
	local s
	sed -n "$(($2 + 1)),$(($3 + 1))p" "$1" | while read -r s; do
		tpm2_pcrextend "$s" || return 1
	done
}

# verify OUT [ARGS...]: tpm-handoff verify, by default of "record" and
# "log" with $tmp as the sysfs; an ARG --record, --record-from-log, --log
# or --sysfs replaces the default.  Prints the exit status.
verify() {
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

# mkfake DIR STATE VTPM: a fake /sys/kernel/tpm_handoff in DIR (state
# STATE, vtpm VTPM, the pTPM tpm0) and a fake /sys/class/tpm in DIR.class,
# the chips tpm0 and tpm1 with the sha1 and sha256 banks.
mkfake() {
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
# on_fake COMMAND OUT DIR [ARGS...]: tpm-handoff COMMAND (status, start) on
# the fake DIR of mkfake and its class dir DIR.class, with the log "log";
# prints the exit status.
on_fake() {
	local cmd=$1 out=$2 d=$3
	shift 3
	run "$out" -- "$tool" "$cmd" --sysfs "$d" --class "$d.class" --log log "$@"
}
