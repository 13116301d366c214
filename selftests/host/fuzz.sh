#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The libFuzzer targets of testing/fuzz (Documentation/testing.rst, "Fuzzers"):
# for each target, build it (make -C testing/fuzz); replay every input kept
# in testing/fuzz/regressions/TARGET/ and the seed corpus
# testing/fuzz/corpus/TARGET/ (none may crash); then fuzz it, from a fresh
# copy of corpus and regressions in a temporary directory, for its share
# of FUZZ_SECONDS.  A crash fails the target's test, and its input is
# copied into testing/fuzz/regressions/TARGET/ so that every later run
# replays it; the diagnostics say where it went and how to reproduce it.
# The last lines give, per target, executions, speed and coverage.
#
#   FUZZ_SECONDS=60   total fuzzing time, split evenly between the targets
#                     (0: build and replay only)
#   FUZZ_TARGETS="fuzz-tcg-log ..."   a subset
#   CLANG=clang
#
# Exit 4 (skipped) only if clang or its libFuzzer is missing.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"

CLANG=${CLANG:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
read -ra targets <<<"${FUZZ_TARGETS:-fuzz-ima-log fuzz-tpm-rsp fuzz-tcg-log fuzz-vtpmd-req fuzz-sessions fuzz-quote fuzz-evidence}"
fuzz=$top/testing/fuzz
bin=$top/build/fuzz

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v "$CLANG" >/dev/null || { echo "1..0 # SKIP no $CLANG"; exit 4; }
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" >"$tmp/probe.err" 2>&1; then
	echo "1..0 # SKIP $CLANG cannot build a libFuzzer target: $(head -n1 "$tmp/probe.err")"
	exit 4
fi
[[ $FUZZ_SECONDS =~ ^[0-9]+$ ]] || { echo "Bail out! FUZZ_SECONDS=$FUZZ_SECONDS"; exit 1; }
per=$((FUZZ_SECONDS / ${#targets[@]}))
[ "$FUZZ_SECONDS" -gt 0 ] && [ $per = 0 ] && per=1

tap_plan $((3 * ${#targets[@]}))
tap_diag "fuzzing ${per}s per target (FUZZ_SECONDS=$FUZZ_SECONDS, ${#targets[@]} targets)"

# inputs DIR: the files of DIR an input can be (not README*, not dotfiles).
inputs() {
	find "$1" -maxdepth 1 -type f ! -name 'README*' ! -name '.*' 2>/dev/null | sort
}

# The interesting lines of a libFuzzer log that ended in a crash: the
# report, and the first frames of its stack in the project's sources.
crash_diag() {
	grep -E 'invariant violated|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY|WARNING:' "$1" | head -n 6
	grep -E '^    #[0-9]+ .*/(tools|drivers)/[^ ]*\.[ch]:[0-9]+' "$1" | head -n 6 |
		sed -E "s| \(BuildId: [0-9a-f]+\)||; s|$top/||"
}

summary=()
for t in "${targets[@]}"; do
	# --- build ---
	make -s -C "$fuzz" CLANG="$CLANG" "$t" >"$tmp/$t.build" 2>&1
	rc=$?
	[ $rc = 0 ] || tap_diag "$(tail -n 20 "$tmp/$t.build")"
	tap_is "$rc:$([ -x "$bin/$t" ] && echo built)" "0:built" "$t: builds (clang, libFuzzer, ASan, UBSan)"
	if [ $rc != 0 ] || [ ! -x "$bin/$t" ]; then
		tap_result 1 "$t: regression inputs and seed corpus replay without a crash"
		tap_result 1 "$t: fuzzing finds no crash"
		summary+=("$t: not built")
		continue
	fi

	# --- replay ---
	mapfile -t regs < <(inputs "$fuzz/regressions/$t")
	mapfile -t seeds < <(inputs "$fuzz/corpus/$t")
	rc=0
	if [ $((${#regs[@]} + ${#seeds[@]})) -gt 0 ]; then
		"$bin/$t" -timeout=10 -rss_limit_mb=2048 "${regs[@]}" "${seeds[@]}" >"$tmp/$t.replay" 2>&1
		rc=$?
	fi
	if [ $rc != 0 ]; then
		tap_diag "$(grep '^Running: ' "$tmp/$t.replay" | tail -n 1)"
		tap_diag "$(crash_diag "$tmp/$t.replay")"
	fi
	tap_is "$rc" 0 "$t: ${#regs[@]} regression inputs and ${#seeds[@]} seeds replay without a crash"

	# --- fuzz ---
	if [ "$per" = 0 ]; then
		tap_skip "$t: fuzzing finds no crash" "FUZZ_SECONDS=0"
		summary+=("$t: not fuzzed")
		continue
	fi
	work=$tmp/$t.work
	mkdir -p "$work/corpus"
	for f in "${seeds[@]}" "${regs[@]}"; do
		cp "$f" "$work/corpus/"
	done
	n0=$(find "$work/corpus" -type f | wc -l)
	"$bin/$t" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1
	rc=$?
	kept=()
	for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
		[ -f "$a" ] || continue
		mkdir -p "$fuzz/regressions/$t"
		cp "$a" "$fuzz/regressions/$t/"
		kept+=("testing/fuzz/regressions/$t/$(basename "$a")")
	done
	if [ $rc != 0 ] || [ ${#kept[@]} != 0 ]; then
		crash_diag "$work/log" >"$tmp/diag"
		tap_diag "$(cat "$tmp/diag")"
		for k in "${kept[@]}"; do
			tap_diag "crash input kept as $k (replayed from now on); reproduce with: build/fuzz/$t $k"
		done
		[ ${#kept[@]} = 0 ] && tap_diag "exit $rc, no crash input written: $(tail -n 3 "$work/log")"
	fi
	tap_is "$rc:${#kept[@]}" "0:0" "$t: fuzzing ${per}s finds no crash"

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$work/log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	n1=$(find "$work/corpus" -type f | wc -l)
	summary+=("$(printf '%-17s %9s execs in %ss (%s/s), cov %s, ft %s, corpus %s -> %s' \
		"$t:" "${execs:-?}" "$per" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$n0" "$n1")")
done
for s in "${summary[@]}"; do
	tap_diag "$s"
done
tap_done
