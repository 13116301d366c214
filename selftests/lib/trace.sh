#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side checks of the pTPM's swtpm trace after a handoff.  Source after
# tap.sh; $top is the repository.

# trace_after_marker TRACE: the commands (swtpm-trace commands format:
# "idx 0xCC Name rc=...") after the last GetRandom, which the in-VM test
# sent to the pTPM as a marker just before the trigger.
trace_after_marker() {
	"$top/build/bin/swtpm-trace" commands "$1" |
		awk '{ line[NR] = $0; if ($3 == "GetRandom") m = NR }
		     END { for (i = m + 1; i <= NR; i++) print line[i] }'
}

# trace_check_cut TRACE CUT: tap results for "nothing reached the pTPM
# after the snapshot".  After the marker only IMA's PCR_Extends and then
# the snapshot's PCR_Reads; the trace ends with the snapshot; the pTPM got
# exactly CUT PCR_Extends in all.
trace_check_cut() {
	local trace=$1 cut=$2 after others ext_after_read extends last
	after=$(trace_after_marker "$trace")
	others=$(awk '$3 != "PCR_Extend" && $3 != "PCR_Read"' <<<"$after" | head -n 3)
	tap_is "$others" "" "after the marker the pTPM got only PCR_Extend and PCR_Read"
	ext_after_read=$(awk '$3 == "PCR_Read" { r = 1 } r && $3 == "PCR_Extend"' <<<"$after" | wc -l)
	tap_is "$ext_after_read" 0 "no extend reached the pTPM after the snapshot began"
	last=$(tail -n 1 <<<"$after" | awk '{ print $3 }')
	tap_is "$last" PCR_Read "the trace ends with the snapshot: nothing reached the pTPM after it"
	extends=$("$top/build/bin/swtpm-trace" commands "$trace" |
		awk '$3 == "PCR_Extend" && $5 == "pcr=10"' | wc -l)
	tap_is "$extends" "$cut" "the pTPM received exactly cut=$cut extends of PCR 10 in all"
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
