# SPDX-License-Identifier: GPL-2.0-only
# Sourced by stage2 with boot-dom0 --manager (TH_MANAGER=1 in vm.conf):
# the stand-in for Xen's vTPM manager (Documentation/manager.rst) works at
# the pTPM's locality 2 from before the script to its manager_stop.
# tpm_handoff.ko goes in first: its tpm_tis shim is what keeps dom0's
# commands from failing while the manager holds the TPM.  The manager
# holds it 1 s after each key creation (tpm_mgr_tis key_hold_ms), makes a
# key every second round, and logs each command to /tmp/manager.log
# (tmpfs: IMA does not measure it while it is written), which stage 2
# copies to $RESULTS/manager.log at the end.
[ "${TH_MANAGER:-}" = 1 ] || return 0
insmod "$TH_MODULES/tpm_handoff.ko" || return 1
insmod "$TH_MODULES/tpm_mgr_tis.ko" key_hold_ms=1000 || return 1
rm -f /tmp/manager.stop
tpm-mgr run --stop /tmp/manager.stop --keys-every 2 >/tmp/manager.log 2>/tmp/manager.err &
echo "TH_MANAGER_PID=$!" >>/job/vm.conf
echo "manager: tpm-mgr $! on /dev/tpm-mgr (locality 2)"
echo 'touch /tmp/manager.stop; cp /tmp/manager.log "$RESULTS/manager.log" 2>/dev/null' >>/run/th-teardown
