#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff start on a fake /sys/kernel/tpm_handoff and /sys/class/tpm
# (selftests/lib/tool.sh's mkfake): it writes "1" (one byte) to the
# trigger and prints the record; it refuses when a precondition fails
# (exit 1, the trigger untouched) unless --force; after a commit it writes
# nothing.  On a terminal it shows the elapsed time and the state in place
# while the write blocks.  When the kernel fails the write, start names
# the errno, prints the module's error and the fix for it (restart vtpmd,
# vtpmd --pcr-banks, the vTPM's family, mirror_timeout_ms, dry_run):
# testing/helpers/fail-write.c, preloaded, makes write() fail with each
# errno the module returns.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

tap_plan 13
fx_log
mkfake f idle "tpm1 chip"
cp record f/record
rc=$(on_fake start out f)
tap_is "$rc:$(od -An -c f/trigger | tr -d ' ')" "0:1" "start: writes \"1\" (one byte) to the trigger, exit 0"
tap_ok "... then prints the record" grep -q "^cut: *$C of $((C + 1)) IMA log entries" out
mkfake f idle "none: no vTPM: there is no TPM chip tpm7"
rc=$(on_fake start out f)
tap_ok "start refuses when a precondition fails: exit 1, trigger untouched" \
	sh -c "[ $rc = 1 ] && [ ! -s f/trigger ] && grep -q 'not starting: 1 precondition failed' out.err &&
	       grep -q 'fix: name an existing chip' out.err"
rc=$(on_fake start out f --force)
tap_is "$rc:$(cat f/trigger)" "0:1" "start --force writes anyway"
mkfake f committed committed
rc=$(on_fake start out f)
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
# progress_ok: start exited 0, the trigger got "1", the terminal saw the
# progress line redrawn in place (CR, erase to the end of the line) and
# then the record
# shellcheck disable=SC2317 # run by tap_ok
progress_ok() {
	[ "$rc" = 0 ] && [ "$(cat trigger.got)" = 1 ] &&
		grep -q $'\r\033\\[Ktpm-handoff: handing off: 1\\.[0-9] s, state running' typescript &&
		grep -q "^cut: *$C of" typescript
}
tap_ok "start on a terminal: progress in place (elapsed time, state), then the record" progress_ok

# ---- the kernel's answers: the trigger's write() fails with an errno ----
if cc -shared -fPIC -o fail-write.so "$top/testing/helpers/fail-write.c" -ldl 2>cc.err; then
	# starterr ERRNO ERROR: start's exit status and stderr when the write
	# fails with ERRNO and the module's error file says ERROR
	starterr() {
		mkfake f idle "tpm1 chip"
		echo "$2" >f/error
		echo aborted >f/state
		FAKE_ERRNO=$1 LD_PRELOAD=$tmp/fail-write.so \
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
	for _ in 1 2 3 4 5 6 7; do tap_skip "start: errno fixes" "cannot build an LD_PRELOAD shim: $(head -n 1 cc.err)"; done
fi
tap_done
