#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The trigger's input and the state machine: only "1" is accepted; bad
# values, an empty line and an oversized write give -EINVAL and change
# nothing; non-root writers are refused; no vTPM gives -ENODEV; of 8
# concurrent triggers exactly one runs (the others get -EBUSY); a trigger
# after commit gets -EALREADY; after commit neither module can be removed.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 29
mark=$(dmesg_mark)
tap_ok "insmod tpm_handoff.ko" handoff_load

for v in 0 2 11 "1 " " 1" yes -1 $'\n' $'1\n\n' $'1\n1'; do
	tap_is "$(handoff_trigger "$v")" EINVAL "trigger \"$(printf '%q' "$v")\" is refused with -EINVAL"
done
big=$(head -c 5000 /dev/zero | tr '\0' 1)
tap_is "$(handoff_trigger "$big")" EINVAL "an oversized write (5000 bytes of 1) is refused with -EINVAL"
dd if=/dev/null of="$TH_SYSFS/trigger" conv=notrunc 2>/dev/null
tap_is "$(handoff_state)/$(handoff_error)" "idle/" "after all that, state is still idle and error empty"
tap_is "$(dmesg_since "$mark" | grep -c 'handoff from')" 0 "no bad input started a handoff"

# Non-root: the file mode refuses the open; if root opens the mode up,
# the write itself is still refused (CAP_SYS_ADMIN).
printf 1 >/tmp/one
chmod 0644 /tmp/one
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
err=$(nobody dd if=/tmp/one of="$TH_SYSFS/trigger" conv=notrunc 2>&1)
tap_ok "a non-root writer cannot open trigger ($err)" grep -q "Permission denied" <<<"$err"
chmod 0666 "$TH_SYSFS/trigger"
err=$(nobody dd if=/tmp/one of="$TH_SYSFS/trigger" conv=notrunc 2>&1)
tap_ok "a non-root writer of a 0666 trigger gets -EPERM ($err)" grep -q "Operation not permitted" <<<"$err"
chmod 0200 "$TH_SYSFS/trigger"
tap_is "$(handoff_state)" idle "still idle"

# No vTPM: vtpmd stopped, the frontend has no chip.
vtpm_stop
tap_is "$(handoff_trigger 1)" ENODEV "trigger without a vTPM gets -ENODEV"
tap_is "$(handoff_state)" aborted "state is aborted"
tap_ok "error says there is no vTPM: $(handoff_error)" grep -q "no vTPM" <<<"$(handoff_error)"

vchip=$(vtpm_restart) || tap_bail "vtpmd did not come back"
tap_diag "vTPM: $vchip"

# 8 concurrent triggers: exactly one runs.
for i in 1 2 3 4 5 6 7 8; do
	handoff_trigger 1 >"/tmp/trig.$i" &
done
wait
cat /tmp/trig.* | sort | uniq -c | tap_diag "$(cat)"
tap_is "$(cat /tmp/trig.* | grep -c '^ok$')" 1 "of 8 concurrent triggers exactly one succeeds"
tap_is "$(cat /tmp/trig.* | grep -cv '^ok$\|^EBUSY$\|^EALREADY$')" 0 \
	"the other 7 get -EBUSY (while it runs) or -EALREADY (after)"
tap_is "$(dmesg_since "$mark" | grep -c 'handoff from tpm0 started')" 2 \
	"only one of them started a handoff (plus the -ENODEV attempt)"
tap_is "$(handoff_state)" committed "state is committed"

tap_is "$(handoff_trigger 1)" EALREADY "a trigger after commit gets -EALREADY"
err=$(rmmod tpm_handoff 2>&1)
tap_ok "rmmod tpm_handoff is refused after commit ($err)" grep -q "in use" <<<"$err"
tap_ok "the module is still loaded" test -d /sys/module/tpm_handoff
err=$(rmmod xen_tpmfront_ext 2>&1)
tap_ok "rmmod xen_tpmfront_ext is refused too ($err)" grep -q "in use" <<<"$err"
tap_ok "the kernel log is clean" kernel_log_clean "$mark"
tap_done
