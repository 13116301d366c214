# SPDX-License-Identifier: GPL-2.0-only
# Sourced by stage2: dom0 serves its own vTPM.  vtpmd (the backend) attaches
# a TPM 2.0 vTPM to domain 0 and xen_tpmfront_ext registers it as the next
# TPM chip.  $TH_VTPM_DEV is that chip (tpmN); /run/vtpmd.pid is vtpmd.
# Skipped when the frontend module or vtpmd was not built.
if [ -e "$TH_MODULES/xen_tpmfront_ext.ko" ] && command -v vtpmd >/dev/null; then
	insmod "$TH_MODULES/xen_tpmfront_ext.ko" || return 1
	mkdir -p /run/vtpm
	vtpmd --domid 0 --state /run/vtpm/dom0 >>"$RESULTS/vtpmd.log" 2>&1 &
	echo $! >/run/vtpmd.pid
	for _ in $(seq 100); do
		for c in /sys/class/tpm/tpm*; do
			drv=$(readlink -f "$c/device/driver")
			[ "${drv##*/}" = xen_tpmfront_ext ] || continue
			echo "TH_VTPM_DEV=${c##*/}" >>/job/vm.conf
			echo "vtpm: ${c##*/} served by vtpmd $(cat /run/vtpmd.pid)"
			echo 'kill $(cat /run/vtpmd.pid) 2>/dev/null; sleep 1' >>/run/th-teardown
			return 0
		done
		nap 0.1
	done
	echo "vtpm: no vTPM chip appeared"
	return 1
fi
