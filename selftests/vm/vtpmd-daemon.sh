#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vtpmd as a daemon an operator can trust: it refuses a state directory
# that root does not own or that others can write, and state files that
# are links; a second vtpmd for the same domain (or the same state) refuses
# to start and the live device goes on; once set up it holds no capability;
# and a request at a locality it was not told to allow is refused.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/vtpm.sh"

tap_plan 12
chip=$(vtpm_chip) || tap_bail "no vTPM chip"
pid=$(cat "$VTPMD_PID_FILE")

# try ARGS...: run a vtpmd that must refuse to start; its stderr.
try() { timeout 20 vtpmd --domid 0 "$@" 2>&1; echo "exit $?"; }

mkdir -p /run/vtpm/nobody
chown 65534 /run/vtpm/nobody
r=$(try --state /run/vtpm/nobody --lock-dir /run/vtpmd-test)
tap_ok "a state directory root does not own is refused" \
	grep -q "refusing the state directory /run/vtpm/nobody: not owned by root.*exit 1" <<<"${r//$'\n'/ }"
mkdir -p -m 0770 /run/vtpm/group
chmod 0770 /run/vtpm/group
r=$(try --state /run/vtpm/group --lock-dir /run/vtpmd-test)
tap_ok "one that others can write is refused" \
	grep -q "writable by others than root.*exit 1" <<<"${r//$'\n'/ }"

r=$(try --state /run/vtpm/other)
tap_ok "a second vtpmd for domain 0 refuses to start, naming the first ($pid)" \
	grep -q "another vtpmd (pid $pid) serves domain 0, handle 0: not starting.*exit 1" <<<"${r//$'\n'/ }"
r=$(timeout 20 vtpmd --domid 7 --state /run/vtpm/dom0 2>&1; echo "exit $?")
tap_ok "one for another domain on the same state refuses too" \
	grep -q "is in use by another vtpmd (pid $pid).*exit 1" <<<"${r//$'\n'/ }"
tap_ok "the live device still serves" tpm2 "$chip" getrandom 8 -o /tmp/random

caps=$(sed -n 's/^CapEff:\t//p; s/^CapPrm:\t//p; s/^CapBnd:\t//p' "/proc/$pid/status" | tr '\n' ' ')
tap_is "$caps" "0000000000000000 0000000000000000 0000000000000000 " \
	"vtpmd holds no capability once set up (effective, permitted, bounding)"
tap_is "$(sed -n 's/^NoNewPrivs:\t//p' "/proc/$pid/status")" 1 "and cannot gain any (no_new_privs)"
tap_is "$(stat -c '%U %a' /run/vtpm/dom0)" "root 700" "its state directory is root's, 0700"

# A state file that is a link is not followed.
vtpm_stop
cp /run/vtpm/dom0/permall /run/vtpm/permall.elsewhere
ln -sf /run/vtpm/permall.elsewhere /run/vtpm/dom0/permall
r=$(try --state /run/vtpm/dom0)
tap_ok "a state file that is a symbolic link is refused" \
	grep -q "cannot load state permall: Too many levels of symbolic links.*exit 1" <<<"${r//$'\n'/ }"
rm -rf /run/vtpm/dom0

# Localities: the frontend sends at 0; a vtpmd that allows 1 only refuses.
vtpmd --domid 0 --state /run/vtpm/dom0 --localities 1 >>"$RESULTS/vtpmd.log" 2>&1 &
echo $! >"$VTPMD_PID_FILE"
sleep 5
tap_ok "a vtpmd allowing locality 1 only refuses the frontend's locality-0 requests" \
	grep -q "refused a request at locality 0" "$RESULTS/vtpmd.log"
tap_ok "so no vTPM chip registers" vtpm_gone
vtpm_stop
chip=$(vtpm_start) || tap_bail "vtpmd did not start again"
tap_ok "with the default (locality 0) it serves again ($chip)" tpm2 "$chip" getrandom 8 -o /tmp/random
tap_done
