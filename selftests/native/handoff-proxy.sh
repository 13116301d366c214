#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The handoff core end to end on the KASAN kernel, booted natively (no Xen;
# testing/kernel/boot-native): the pTPM is QEMU's tpm-tis on a swtpm, the
# vTPM a second, non-Xen TPM chip: tpm_vtpm_proxy with a swtpm inside the
# guest, named by vtpm=tpmN.  KASAN, lockdep, UBSAN and kmemleak watch the
# whole run (the boot's kernel verdict); the named chip's locks nest
# inside the pTPM's, which lockdep must accept.  On the kasan-hmac kernel
# (hmac-native/handoff-proxy) the TPM core protects every extend with an
# HMAC session salted by a null-seed key of the chip's TPM: after the
# commit those must be the vTPM's (hmac.c), or no extend succeeds.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

tap_plan 15
mark=$(dmesg_mark)
debug_kernel() {
	dmesg | grep -q "KernelAddressSanitizer initialized" &&
		dmesg | grep -q "Lock dependency validator"
}
tap_ok "the kernel has KASAN and lockdep" debug_kernel
tap_is "$(cat /sys/class/tpm/tpm0/tpm_version_major)" 2 "the pTPM (tpm0, tpm_tis) is a TPM 2.0"

modprobe tpm_vtpm_proxy || insmod "$(find /lib/modules -name 'tpm_vtpm_proxy.ko*' | head -n1)"
mkdir -p /run/vswtpm
swtpm chardev --vtpm-proxy --tpm2 --tpmstate dir=/run/vswtpm --flags startup-clear \
	>/run/vswtpm/out 2>&1 &
for _ in $(seq 600); do
	dev=$(sed -n 's|^New TPM device: /dev/\(tpm[0-9]*\).*|\1|p' /run/vswtpm/out)
	[ -n "$dev" ] && chip_ready "$dev" && break
	nap 0.1
done
tap_ok "swtpm behind tpm_vtpm_proxy is chip $dev" test -n "$dev" -a -e "/dev/$dev"
[ -n "$dev" ] || tap_bail "no vTPM chip: $(cat /run/vswtpm/out)"

ima_grow 300 || tap_diag "the log did not grow"
tap_ok "insmod tpm_handoff.ko vtpm=$dev" handoff_load vtpm="$dev"
tap_is "$(cat $TH_SYSFS/vtpm)" "$dev chip" "the vTPM is the chip $dev"
tap_is "$(handoff_trigger 1)" ok "the handoff commits"
tap_diag "$(handoff_error)"
cp "$TH_SYSFS/record" "$RESULTS/record"
tap_is "$(handoff_record_get fw_replay)" "$(seq -s ' ' 0 9)" "SeaBIOS's event log reproduces PCRs 0-9"

n0=$(ima_count)
find /usr/lib/x86_64-linux-gnu -xdev -type f -size -32k 2>/dev/null | head -n 100 |
	xargs -r cat >/dev/null 2>&1
tap_ok "IMA keeps measuring, into the vTPM ($n0 -> $(ima_count))" test "$(ima_count)" -gt "$n0"
errs=$(dmesg_since "$mark" | grep -c "A TPM error")
dmesg_since "$mark" | grep -m3 "A TPM error" | tap_diag "$(cat)"
tap_is "$errs" 0 "no TPM error from the core: IMA's extends succeed on the vTPM"
ima_quiet_snapshot "$dev" "$RESULTS/vtpm" || tap_bail "the IMA log never held still"
n=$(cat "$RESULTS/vtpm/count")
ima-replay --expect "$RESULTS/vtpm/pcr10" --pcr 10 --entries "$n" "$RESULTS/vtpm/ima.log" \
	>"$RESULTS/vtpm/replay.out" 2>&1
tap_is "$?" 0 "the whole log ($n entries) validates against the vTPM's PCR 10 in every bank"
tap_is "$(pcr_values tpm0 10)" "$(pcr_values "$dev" 10)" "tpm0 reads the vTPM's PCR 10"
TPM2TOOLS_TCTI=device:/dev/tpmrm0 tpm2_pcrextend "16:sha256=$(printf '%064x' 1)" >/dev/null 2>&1
tap_is "$(pcr_values "$dev" 16 | grep sha256)" "$(pcr_values tpm0 16 | grep sha256)" \
	"/dev/tpmrm0 reaches the vTPM (PCR 16 extended through it)"
tap_ok "PCR 16 moved" test "$(cat "/sys/class/tpm/$dev/pcr-sha256/16")" != "$(printf '%064d' 0)"
tpm-handoff verify >"$RESULTS/verify.out" 2>&1
tap_is "$?" 0 "tpm-handoff verify passes"
tap_diag "$(tail -n 3 "$RESULTS/verify.out")"
tap_ok "no lockdep, KASAN or UBSAN report, WARNING or BUG" kernel_log_clean "$mark"
tap_done
