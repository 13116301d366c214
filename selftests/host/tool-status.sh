#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff status on a fake /sys/kernel/tpm_handoff and /sys/class/tpm
# (selftests/lib/tool.sh's mkfake): ready (exit 0) when the module is
# idle and a vTPM has exactly the pTPM's banks, naming both chips, their
# banks and the provider; not ready (exit 1), naming the failed check,
# its reason and a fix, without a vTPM or the module, with a bank too few
# or too many, a TPM 1.2 beside a TPM 2.0, a handoff running, or not as
# root; exit 2 for a state it does not know.  After a commit: the record
# in brief, with its firmware PCRs' modes; TPM 1.2 chips (pcrs files, no
# pcr-<bank> dirs) have the sha1 bank.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

tap_plan 18
fx_log
fx_fw
fx_tpm12
mkfake f idle "tpm1 chip"
rc=$(on_fake status out f)
tap_is "$rc:$(tail -n 1 out)" "0:ready: yes (tpm-handoff start)" "status: idle, a vTPM with every bank: ready, exit 0"
tap_ok "status names both chips, their banks and the provider" \
	sh -c "grep -q '^pTPM: *tpm0, banks sha1 sha256\$' out && grep -q '^vTPM: *tpm1, provider chip, banks sha1 sha256\$' out"
echo "none: no vTPM: xen_tpmfront_ext is not loaded (modprobe xen_tpmfront_ext, then start the vTPM backend)" >f/vtpm
rc=$(on_fake status out f)
tap_ok "status without a vTPM: not ready (exit 1), naming the check, the reason and a fix" \
	sh -c "[ $rc = 1 ] && grep -q '^  FAIL  a vTPM is found: no vTPM: xen_tpmfront_ext is not loaded' out &&
	       grep -q 'fix: modprobe xen_tpmfront_ext, start vtpmd' out && grep -q '^ready: no (1 check failed)' out"
rc=$(on_fake status out "$tmp/gone")
tap_ok "status without the module: not loaded, exit 1" \
	sh -c "[ $rc = 1 ] && grep -q '^module: *not loaded' out && grep -q 'FAIL  tpm_handoff is loaded: tpm_handoff is not loaded' out"

# ---- the vTPM's banks ----
mkfake f idle "tpm1 chip"
rmdir f.class/tpm1/pcr-sha256
rc=$(on_fake status out f)
tap_ok "a vTPM without the sha256 bank: not ready, naming it" \
	sh -c "[ $rc = 1 ] && grep -q 'FAIL  the vTPM has the PCR banks of the pTPM, no more, no less: the vTPM tpm1 lacks sha256' out"
mkfake f idle "tpm1 chip"
mkdir f.class/tpm1/pcr-sha384
rc=$(on_fake status out f)
tap_ok "a vTPM with a bank the pTPM lacks: not ready, naming it and vtpmd --pcr-banks" \
	sh -c "[ $rc = 1 ] && grep -q 'FAIL  the vTPM has the PCR banks of the pTPM, no more, no less: the vTPM tpm1 has sha384, which the pTPM tpm0 lacks' out &&
	       grep -q 'fix: start vtpmd with the pTPM.s banks only (vtpmd --pcr-banks)' out"

# ---- the handoff's state ----
mkfake f sleeping "tpm1 chip"
rc=$(on_fake status out f)
tap_is "$rc:$(tail -n 1 out.err)" "2:tpm-handoff: cannot read the handoff state: cannot read f/state: not idle, running, committed or aborted" \
	"an unknown state: exit 2"
mkfake f committed committed
cp record f/record
rc=$(on_fake status out f)
tap_is "$rc:$(tail -n 1 out)" "0:ready: already committed (tpm-handoff record, tpm-handoff verify)" \
	"committed: exit 0, and the vTPM comes from the record"
cp rec.fw f/record
rc=$(on_fake status out f)
tap_ok "status after a commit with firmware PCRs: the record in brief, the firmware PCRs' modes" \
	sh -c "[ $rc = 0 ] && grep -q '^record: *committed, cut $C of $((C + 1)), TPM 2.0 (tpm-handoff record)\$' out &&
	       grep -q '^firmware: *replayed 0-7; bound 8 9 17 (event log tpm0, crypto-agile)\$' out"

# ---- the vTPM's life after the commit (vtpm_state, re-mirrors) ----
cp record f/record
echo following >f/vtpm_state
rc=$(on_fake status out f)
tap_ok "committed, vtpm_state following: exit 0, the vTPM follows the log" \
	sh -c "[ $rc = 0 ] && grep -q '^vTPM now: *tpm1 follows the IMA log; tpm-handoff verify checks its PCRs\$' out"
printf 'remirrors: 2\nremirrors_failed: 1\nremirror_vtpm: tpm3\n' >>f/record
rc=$(on_fake status out f)
tap_ok "after two re-mirrors: the new vTPM, and how often it was brought back" \
	sh -c "[ $rc = 0 ] && grep -q '^vTPM now: *tpm3 follows the IMA log (brought back to it 2 times since the handoff, 1 failed)' out"
echo away >f/vtpm_state
rc=$(on_fake status out f)
tap_ok "vtpm_state away: exit 1, measurements go on, start the vTPM again" \
	sh -c "[ $rc = 1 ] && grep -q '^vTPM now: *away: the vTPM does not answer' out &&
	       grep -q 'fix: start the vTPM again (vtpmd); the module brings it back' out &&
	       grep -q '^ready: already committed; the vTPM does not follow the IMA log' out"
echo failed >f/vtpm_state
echo "vTPM PCR 10 is neither in its reset state nor at a prefix of the IMA log" >f/error
rc=$(on_fake status out f)
tap_ok "vtpm_state failed: exit 1, the module's error, and the fix" \
	sh -c "[ $rc = 1 ] && grep -q '^vTPM now: *failed: the last re-mirror did not bring the vTPM back to the log: vTPM PCR 10 is neither' out &&
	       grep -q 'fix: start a vTPM whose PCRs nobody extended' out"
echo remirroring >f/vtpm_state
echo >f/error
rc=$(on_fake status out f)
tap_ok "vtpm_state remirroring: exit 0, says so" \
	sh -c "[ $rc = 0 ] && grep -q '^vTPM now: *a new vTPM is being brought back to the IMA log' out"

# ---- TPM 1.2 chips: a pcrs file instead of pcr-<bank> dirs ----
mkfake f idle "tpm1 chip"
rm -r f.class/tpm0/pcr-* f.class/tpm1/pcr-*
mkdir -p f.class/tpm0/device f.class/tpm1/device
cp pcrs.good f.class/tpm0/device/pcrs
cp pcrs.good f.class/tpm1/device/pcrs
rc=$(on_fake status out f)
tap_ok "status: a TPM 1.2 pTPM and vTPM (pcrs files, no pcr-<bank>): ready, bank sha1" \
	sh -c "[ $rc = 0 ] && grep -q '^pTPM: *tpm0, TPM 1.2, bank sha1\$' out && grep -q '^vTPM: *tpm1, provider chip, TPM 1.2, bank sha1\$' out"
mkdir f.class/tpm1/pcr-sha1 f.class/tpm1/pcr-sha256
rm f.class/tpm1/device/pcrs
rc=$(on_fake status out f)
tap_ok "status: a TPM 1.2 pTPM and a TPM 2.0 vTPM: not ready, both must be the same family" \
	sh -c "[ $rc = 1 ] && grep -q 'FAIL  the vTPM has the PCR banks of the pTPM, no more, no less: the pTPM tpm0 is a TPM 1.2 but the vTPM tpm1 is a TPM 2.0: both must be the same family' out &&
	       grep -q 'fix: start the vTPM as a TPM 1.2' out"

mkfake f running "tpm1 chip"
rc=$(on_fake status out f)
tap_ok "a handoff running: not ready" sh -c "[ $rc = 1 ] && grep -q 'FAIL  state is idle or aborted: a handoff is running' out"
# not root (nobody, uid 65534): the fake files readable by anyone, so that
# what fails is the root check, not a permission
mkfake f idle "tpm1 chip"
chmod -R a+rX "$tmp"
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	rc=$(run out -- setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$tool" status --sysfs f --class f.class --log log)
	tap_ok "not root: not ready, naming it" sh -c "[ $rc = 1 ] && grep -q 'FAIL  running as root: running as uid 65534' out"
else
	tap_skip "not root: not ready" "no setpriv"
fi
tap_done
