#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The handoff under load: 4 processes create and read new files (each read
# a new IMA measurement) and a /dev/tpmrm0 client runs in a loop while the
# handoff runs.  No measurement is lost (every file read is in the log), the
# whole log validates against the vTPM, and the client sees only successes
# or clean TPM errors, never a hang.  The host half checks the pTPM side.
# Two vCPUs, so that the load, the client and the handoff really run at
# once (testing/check gives it the machine to itself on Debian's kernel).
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 13
tap_diag "dom0 vCPUs: $(nproc)"
mark=$(dmesg_mark)
vchip=${TH_VTPM_DEV:-$(vtpm_chip)} || tap_bail "no vTPM chip"
ima_grow 1000
tap_ok "insmod tpm_handoff.ko" handoff_load
mkdir -p /var/tmp/load

worker() {	# worker I: new file, read it, note its name; until /tmp/stop
	local i=$1 n=0 f
	while [ ! -e /tmp/stop ]; do
		f=/var/tmp/load/w$i.$n
		echo "worker $i file $n $$ $RANDOM" >"$f"
		cat "$f" >/dev/null && echo "$f" >>"/tmp/load.$i"
		n=$((n + 1))
	done
}
client() {	# getrandom on /dev/tpmrm0 in a loop: "rc ms" per command
	local s e rc
	while [ ! -e /tmp/stop ]; do
		s=$(date +%s%N)
		timeout 60 env TPM2TOOLS_TCTI=device:/dev/tpmrm0 \
			tpm2_getrandom 8 >/dev/null 2>>/tmp/client.err
		rc=$?
		e=$(date +%s%N)
		echo "$rc $(( (e - s) / 1000000 )) $([ -e /tmp/handoff-done ] && echo after || echo before)"
	done >/tmp/client.log
}
pids=()
for i in 1 2 3 4; do
	worker "$i" &
	pids+=($!)
done
client &
pids+=($!)
# wait_lines FILE PATTERN N SECS: until N lines of FILE match PATTERN.
wait_lines() {
	local i
	for i in $(seq $(($4 * 10))); do
		[ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		nap 0.1
	done
	return 1
}
# The client must be running before the trigger and after the commit,
# however slow the machine: wait for its commands, not for a fixed time.
sleep 3
wait_lines /tmp/client.log ' before$' 2 120
before=$(ima_count)
r=$(handoff_trigger 1)
touch /tmp/handoff-done
after=$(ima_count)
sleep 3
wait_lines /tmp/client.log ' after$' 2 120
touch /tmp/stop
for p in "${pids[@]}"; do
	timeout 120 tail --pid="$p" -f /dev/null
done
tap_is "$r" ok "trigger under load succeeds"
tap_is "$(handoff_state)" committed "state is committed"
cp "$TH_SYSFS/record" "$RESULTS/record"
tap_diag "$(grep -v '^pcr' "$RESULTS/record")"
tap_ok "IMA measured during the handoff ($before -> $after entries)" test "$after" -gt "$before"

cat /tmp/load.* >/tmp/files
nfiles=$(wc -l </tmp/files)
tap_ok "the workers read $nfiles new files" test "$nfiles" -gt 50
awk '{ print $NF }' "$IMA_DIR/ascii_runtime_measurements" | sort -u >/tmp/measured
missing=$(sort -u /tmp/files | comm -23 - /tmp/measured | wc -l)
tap_is "$missing" 0 "no measurement was lost: every file read is in the IMA log"

ima_quiet_snapshot "$vchip" "$RESULTS/vtpm" || tap_bail "the IMA log never held still"
n=$(cat "$RESULTS/vtpm/count")
tap_ok "evmctl: the whole log ($n entries) validates against the vTPM's PCR 10 (sha1, sha256)" \
	evmctl_check "$RESULTS/vtpm/ima.log" "$RESULTS/vtpm/pcr10" "$n"
ima-replay --expect "$RESULTS/vtpm/pcr10" --pcr 10 --entries "$n" \
	"$RESULTS/vtpm/ima.log" >"$RESULTS/vtpm/replay.out" 2>&1
tap_is "$?" 0 "ima-replay: the whole log validates against the vTPM's PCR 10 in every bank"

cp /tmp/client.log "$RESULTS/client.log"
total=$(wc -l </tmp/client.log)
hangs=$(awk '$1 == 124' /tmp/client.log | wc -l)
odd=$(awk '$1 != 0 && $1 != 1 && $1 != 124' /tmp/client.log | wc -l)
ok_after=$(awk '$1 == 0 && $3 == "after"' /tmp/client.log | wc -l)
nbefore=$(awk '$3 == "before"' /tmp/client.log | wc -l)
maxms=$(awk '$2 > m { m = $2 } END { print m + 0 }' /tmp/client.log)
tap_diag "client: $total commands, $(awk '$1 == 0' /tmp/client.log | wc -l) ok, slowest $maxms ms"
tap_diag "$(sort /tmp/client.err 2>/dev/null | uniq -c | head -n 5)"
tap_ok "the /dev/tpmrm0 client ran before and after the handoff ($nbefore before, $((total - nbefore)) after)" \
	test "$nbefore" -ge 2 -a $((total - nbefore)) -ge 2
tap_is "$hangs" 0 "the client never hung (no command hit its 60 s limit)"
tap_is "$odd" 0 "the client saw only successes or clean TPM errors (exit 0 or 1)"
tap_ok "the client succeeded after the handoff ($ok_after times)" test "$ok_after" -gt 0
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
