#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side checks of the pTPM's swtpm trace after a handoff.  Source after
# tap.sh; $top is the repository.  Commands are listed by swtpm-trace
# ("idx 0xCC Name rc=... [pcr=N]").  Background traffic that may reach
# the pTPM at any time before the barrier: IMA's PCR 10 extends and the
# kernel hwrng's GetRandom.

trace_commands() { "$top/build/bin/swtpm-trace" commands "$1"; }

# trace_check_cut TRACE CUT NBANKS [marker]: tap results for "nothing
# reached the pTPM after the snapshot".  The handoff reads the pTPM twice,
# 3 PCR_Reads per bank each time (a TPM returns at most 8 of the 24 PCRs
# per read): once before the barrier (the early replay's digest kinds) and
# once under it (the snapshot).  The trace ends with the snapshot, and
# nothing follows it; the pTPM got exactly CUT extends of PCR 10.  With
# "marker": after ptpm_marker's PCR 16 extend only background traffic and
# the two snapshots' 6 PCR_Reads per bank reached the pTPM.
trace_check_cut() {
	local trace=$1 cut=$2 nbanks=$3 cmds run extends between reads
	cmds=$(trace_commands "$trace")
	run=$(awk '{ c[NR] = $3 } END { n = 0; for (i = NR; i > 0 && c[i] == "PCR_Read"; i--) n++; print n }' <<<"$cmds")
	tap_ok "the trace ends with the snapshot ($run PCR_Reads: $((3 * nbanks)), or $((6 * nbanks)) right after the early read): nothing reached the pTPM after it" \
		test "$run" = $((3 * nbanks)) -o "$run" = $((6 * nbanks))
	extends=$(awk '$3 == "PCR_Extend" && $5 == "pcr=10"' <<<"$cmds" | wc -l)
	tap_is "$extends" "$cut" "the pTPM received exactly cut=$cut extends of PCR 10"
	[ "${4:-}" = marker ] || return 0
	between=$(awk '{ l[NR] = $0 } $3 == "PCR_Extend" && $5 == "pcr=16" { m = NR }
		END { for (i = m + 1; i <= NR; i++) print l[i] }' <<<"$cmds")
	tap_ok "the trace holds the marker" grep -q 'PCR_Extend rc=0x0 pcr=16$' <<<"$cmds"
	tap_is "$(awk '!($3 == "PCR_Extend" && $5 == "pcr=10") && $3 != "GetRandom" && $3 != "PCR_Read"' <<<"$between" | head -n 3)" "" \
		"after the marker only IMA's extends, hwrng reads and PCR_Reads ($(grep -c . <<<"$between") commands)"
	reads=$(awk '$3 == "PCR_Read"' <<<"$between" | wc -l)
	tap_is "$reads" $((6 * nbanks)) "after the marker exactly the two snapshots' PCR_Reads ($((6 * nbanks)))"
}

# trace_check_prefix OUT LOG CUT: the pTPM's PCR 10 recomputed from the
# trace equals the record's snapshot, and the log's first CUT entries
# reproduce it in every bank (ima-replay).
trace_check_prefix() {
	local out=$1 log=$2 cut=$3 b
	"$top/build/bin/swtpm-trace" pcrs --pcr 10 "$out/swtpm.log" >"$out/ptpm.pcr10" 2>"$out/ptpm.pcr10.err"
	tap_is "$?" 0 "swtpm-trace recomputes the pTPM's PCRs (every PCR_Read agrees)"
	for b in sha1 sha256 sha384 sha512; do
		tap_is "$(grep "^pcr10.$b:" "$out/ptpm.pcr10")" \
			"$(grep "^pcr10.$b:" "$out/results/record")" \
			"the record's $b snapshot of PCR 10 is the pTPM's real value"
	done
	"$top/build/bin/ima-replay" --expect "$out/ptpm.pcr10" --pcr 10 \
		--entries "$cut" "$log" >"$out/prefix.out" 2>&1
	tap_is "$?" 0 "entries [0, $cut) of the log reproduce the pTPM's PCR 10 in every bank"
	tap_diag "$(cat "$out/prefix.out")"
}
