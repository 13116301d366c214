#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The operator's tool on the real thing: tpm-handoff status, start, record
# --json and verify in the measured dom0, against the real modules and the
# Xen vTPM.  Leaves the log, the record and the vTPM's PCR 10 (read with
# nothing measured in between) in $RESULTS for the host half, which checks
# verify's verdict against the pTPM's PCR 10 recomputed from the swtpm
# trace.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 15
mark=$(dmesg_mark)
vchip=$(vtpm_chip) || tap_bail "no vTPM chip"
ima_grow 300

tpm-handoff status >/tmp/status.out 2>&1
tap_is "$?" 1 "status without the module: not ready (exit 1)"
tap_ok "and it says the module is not loaded" grep -q "not loaded" /tmp/status.out
tap_ok "insmod tpm_handoff.ko" handoff_load
tpm-handoff status >/tmp/status.out 2>&1
rc=$?
tap_diag "$(cat /tmp/status.out)"
tap_is "$rc" 0 "status with the module and a vTPM: ready (exit 0)"
tap_ok "status names both chips" sh -c "grep -q tpm0 /tmp/status.out && grep -q $vchip /tmp/status.out"

tpm-handoff start >/tmp/start.out 2>&1
rc=$?
tap_diag "$(grep -v '^ *pcr' /tmp/start.out | head -n 20)"
tap_is "$rc" 0 "start commits (exit 0)"
tap_is "$(handoff_state)" committed "the module says committed"
tpm-handoff start >/tmp/start2.out 2>&1
tap_ok "a second start triggers nothing and says it has already committed" grep -qi "already committed" /tmp/start2.out

tpm-handoff record --json >/tmp/record.json 2>&1
tap_ok "record --json gives the record's cut as a number" \
	grep -q "\"cut\": *$(handoff_record_get cut)[,}]" /tmp/record.json

ima_grow $(( $(ima_count) + 50 ))
tpm-handoff verify >/tmp/verify.out 2>&1
rc=$?
tap_diag "$(cat /tmp/verify.out)"
tap_is "$rc" 0 "verify: the prefix on the pTPM and the whole log on the vTPM (exit 0)"
tap_ok "verify prints PASS" grep -q "^verify: PASS" /tmp/verify.out

# Wrong inputs: a pTPM value that is not the snapshot, a truncated log.
# (the first hex digit of the sha256 value changes: f <-> 0)
awk '/^pcr10\.[a-z0-9]*: / { if ($1 == "pcr10.sha256:") $2 = (substr($2, 1, 1) == "f" ? "0" : "f") substr($2, 2); print }' \
	"$TH_SYSFS/record" >/tmp/bad.pcrs
tpm-handoff verify --ptpm-pcrs /tmp/bad.pcrs >/tmp/bad.out 2>&1
rc=$?
tap_diag "$(grep -i fail /tmp/bad.out | head -n 3)"
tap_ok "a wrong pTPM PCR 10: FAIL (exit $rc = 1), naming sha256" \
	test "$rc" = 1 -a -n "$(grep 'FAIL.*sha256' /tmp/bad.out)"
head -c 5000 "$IMA_DIR/binary_runtime_measurements" >/tmp/short.log
tpm-handoff verify --log /tmp/short.log >/tmp/short.out 2>&1
rc=$?
tap_diag "$(cat /tmp/short.out)"
tap_ok "a truncated log: one line, exit 2" test "$rc" = 2 -a "$(wc -l </tmp/short.out)" = 1

# For the host half.
ima_quiet_snapshot "$vchip" "$RESULTS/vtpm" || tap_diag "the IMA log never held still"
cp "$TH_SYSFS/record" "$RESULTS/record"
tap_ok "tpm-handoff status after the commit: exit 0" sh -c "tpm-handoff status >/dev/null"
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
