#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench, the half that runs inside the measured dom0 (testing/vm/boot-dom0
# --script; testing/bench/bench prepends the BENCH_* settings).  Writes to
# $RESULTS:
#   samples.txt        one line of key=value pairs per handoff attempt
#                      (mode Y: ours, N: all under the barrier, Q: ours
#                      with the handoff quote)
#   records/           the full sysfs record of each attempt
#   extend.txt         tpmbench extend's summary; extend-samples.txt raw
#   fwd-summary.txt    tpmbench fwd's summary; fwd.txt raw "dev op ns"
#   env.txt            what else ran on the TPMs (hwrng), chip names
# Exit 0 if every attempt ended as expected, 1 otherwise (the samples
# written so far stay).  No figure is judged here: see testing/bench/bench.
lib=${TH_SELFTESTS:-$(dirname "$0")/../../selftests}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

BENCH_SIZES=${BENCH_SIZES:-1000 10000 50000}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_FWD_N=${BENCH_FWD_N:-1000}
BENCH_EXTEND_N=${BENCH_EXTEND_N:-1000}
PARAMS=/sys/module/tpm_handoff/parameters
bad=0

say() { echo "bench: $*"; }
fail() { say "ERROR: $*"; bad=1; }

mkdir -p "$RESULTS/records"
: >"$RESULTS/samples.txt"
{
	echo "sizes=$BENCH_SIZES reps=$BENCH_REPS fwd_n=$BENCH_FWD_N extend_n=$BENCH_EXTEND_N"
	echo "kernel=$(uname -r)"
	echo "hwrng_current=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
	echo "hwrng_available=$(cat /sys/class/misc/hw_random/rng_available 2>/dev/null)"
	echo "ima_entries_at_start=$(ima_count)"
	echo "ima_grow_candidates=$(find /usr/share /usr/lib -xdev -type f -size -64k 2>/dev/null | wc -l)"
} >"$RESULTS/env.txt"
sed 's/^/bench: /' "$RESULTS/env.txt"

# bench_grow N: IMA's log to at least N entries.  ima_grow reads the
# rootfs's own files, a few thousand of them; past those, the bench writes
# small files of its own on an ext4 filesystem (a loop device on /tmp, or
# else /job) and reads each once as root: one real measurement each.
BENCH_FS=
bench_fs() {	# bench_fs FILES: a measured filesystem with room for FILES files
	local img=/tmp/bench-ima.img mnt=/mnt/bench-ima
	[ -n "$BENCH_FS" ] && return 0
	mkdir -p "$mnt"
	if modprobe loop 2>/dev/null &&
		truncate -s $(( ($1 * 2048 + (32 << 20)) >> 20 ))M "$img" &&
		mkfs.ext4 -q -F -b 1024 -N $(($1 + 1024)) "$img" &&
		mount -o loop "$img" "$mnt"; then
		BENCH_FS=$mnt
	else
		BENCH_FS=/job/bench-ima
		mkdir -p "$BENCH_FS"
	fi
	say "writing files to measure on $BENCH_FS ($(df -i "$BENCH_FS" | awk 'NR == 2 { print $4 }') free inodes)"
}
bench_grow() {
	local want=$1
	ima_grow "$want" && return 0
	bench_fs $((max_size + 1000))	# once, with room for the largest size
	python3 - "$BENCH_FS" "$want" <<-'PY'
	import os, sys
	d, want = sys.argv[1], int(sys.argv[2])
	count = "/sys/kernel/security/ima/runtime_measurements_count"
	def have():
	    with open(count) as f:
	        return int(f.read())
	i = len(os.listdir(d))
	n = have()
	while n < want:
	    for _ in range(min(500, want - n + 10)):
	        p = os.path.join(d, "f%07d" % i)
	        with open(p, "w") as f:
	            f.write("tpm-handoff bench measurement %d\n" % i)
	        with open(p) as f:
	            f.read()
	        i += 1
	    before, n = n, have()
	    if n == before:
	        sys.exit("bench_grow: reading new files on %s measures nothing" % d)
	PY
	[ "$(ima_count)" -ge "$want" ]
}

# One attempt's sample line: SIZE MODE REP RESULT, then the record's keys.
sample() {
	local line="size=$1 mode=$2 rep=$3 result=$4 log=$5" k v
	for k in entries cut resumed replayed replayed_in_barrier replay_ns \
		barrier_ns duration_ns memory_bytes; do
		v=$(handoff_record_get "$k")
		line+=" $k=${v:-NA}"
	done
	echo "$line" >>"$RESULTS/samples.txt"
	cp "$TH_SYSFS/record" "$RESULTS/records/$1-$2-$3.txt"
	say "$line"
}

# attempt SIZE MODE REP WANT [LABEL]: a fresh vTPM (so the whole log is
# replayed), prereplay=MODE (Y or N), trigger; WANT is the trigger's
# expected result.  The sample's mode is LABEL, default MODE.  Mode Q is
# Y with the handoff quote: an attestation key provisioned on the fresh
# vTPM, ptpm_ak and vtpm_ak set for this attempt only.
PTPM_AK=0x81010002 VTPM_AK=0x81010003
attempt() {
	local size=$1 mode=$2 rep=$3 want=$4 label=${5:-$2} chip r n
	chip=$(vtpm_restart) || { fail "vtpmd did not restart"; return 1; }
	if [ "$mode" = Q ]; then
		tpm-handoff provision --tcti "device:/dev/tpmrm${chip#tpm}" \
			--handle $VTPM_AK --out /tmp/bench-vtpm-ak >/dev/null ||
			{ fail "provisioning the vTPM's key on $chip failed"; return 1; }
		echo $PTPM_AK >"$PARAMS/ptpm_ak"
		echo $VTPM_AK >"$PARAMS/vtpm_ak"
	fi
	echo "$([ "$mode" = N ] && echo N || echo Y)" >"$PARAMS/prereplay"
	n=$(ima_count)
	r=$(handoff_trigger 1)
	sample "$size" "$label" "$rep" "$r" "$n"
	echo 0 >"$PARAMS/ptpm_ak"
	echo 0 >"$PARAMS/vtpm_ak"
	[ "$r" = "$want" ] || { fail "size $size mode $mode rep $rep on $chip: got $r, want $want: $(handoff_error)"; return 1; }
}

# Long logs replayed under the barrier (prereplay=N) take far longer than
# the 30 s default watchdog: the bench measures, it does not time out.
handoff_load dry_run=1 barrier_timeout_ms=3600000 mirror_timeout_ms=3600000 ||
	{ say "ERROR: insmod tpm_handoff.ko failed"; exit 1; }

# The pTPM's attestation key, for mode Q (the handoff quote).
tpm-handoff provision --tcti device:/dev/tpmrm0 --handle $PTPM_AK --out "$RESULTS/ptpm-ak" >/dev/null ||
	fail "provisioning the pTPM's attestation key failed"

sizes=$(tr ' ' '\n' <<<"$BENCH_SIZES" | grep . | sort -n | tr '\n' ' ')
max_size=$(tr ' ' '\n' <<<"$sizes" | grep . | tail -n1)
for size in $sizes; do
	bench_grow "$size" || fail "bench_grow $size: only $(ima_count) entries"
	say "size $size: the IMA log holds $(ima_count) entries"
	for rep in $(seq "$BENCH_REPS"); do
		# Alternate which order goes first, so neither always follows
		# the other's vtpmd restart.
		if [ $((rep % 2)) = 1 ]; then modes="Y N Q"; else modes="Q N Y"; fi
		for mode in $modes; do
			attempt "$size" "$mode" "$rep" ECANCELED
		done
	done
done

# A real commit (ours, on a fresh vTPM), then the forwarding and extend
# timings on the committed system.
echo 0 >"$PARAMS/dry_run"
attempt "$size" Y 1 ok commit
if [ "$(handoff_state)" != committed ]; then
	fail "no commit: state $(handoff_state): $(handoff_error)"
	exit 1
fi
chip=$(vtpm_chip) || { fail "no vTPM chip after the commit"; exit 1; }
echo "vtpm_chip=$chip" >>"$RESULTS/env.txt"
say "committed; the vTPM is $chip (/dev/${chip}, number ${chip#tpm})"

tpmbench extend --tcti "device:/dev/$chip" -n "$BENCH_EXTEND_N" --pcr 23 \
	--out "$RESULTS/extend-samples.txt" >"$RESULTS/extend.txt" 2>"$RESULTS/extend.err" ||
	fail "tpmbench extend: $(tail -n 3 "$RESULTS/extend.err")"
say "$(cat "$RESULTS/extend.txt")"
tpmbench fwd --a device:/dev/tpm0 --b "device:/dev/$chip" -n "$BENCH_FWD_N" \
	--out "$RESULTS/fwd.txt" >"$RESULTS/fwd-summary.txt" 2>"$RESULTS/fwd.err" ||
	fail "tpmbench fwd: $(tail -n 3 "$RESULTS/fwd.err")"
sed 's/^/bench: /' "$RESULTS/fwd-summary.txt"
exit $bad
