// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: one fix per failure.  The first entry whose errno matches
 * (0: any) and whose text occurs in the kernel's error line (NULL: any)
 * wins, so the specific entries come before each errno's catch-all.  The
 * texts are those of drivers/tpm_handoff/handoff.c, vtpm.c and main.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "fixes.h"

static const struct {
	int e;
	const char *text;	/* in the error line; NULL: any */
	const char *fix;
} fixes[] = {
	{ EBUSY, "reset state",
	  "restart vtpmd so its PCRs are in reset state, then retry" },
	{ ECANCELED, "dry run",
	  "a rehearsal (dry_run=1) passed: echo 0 > /sys/module/tpm_handoff/parameters/dry_run, then start again" },
	{ EBUSY, NULL,
	  "a handoff is running: wait for it to finish (tpm-handoff status)" },
	{ EALREADY, NULL,
	  "a handoff has already committed: nothing to do (tpm-handoff verify checks it)" },
	{ EPERM, NULL, "run tpm-handoff start as root (CAP_SYS_ADMIN)" },
	{ EACCES, NULL, "run tpm-handoff start as root" },
	{ 0, "xen_tpmfront_ext is not loaded",
	  "modprobe xen_tpmfront_ext, start vtpmd (the vTPM backend), then retry" },
	{ 0, "no Xen vTPM is connected",
	  "start vtpmd (the vTPM backend) and wait for the frontend to connect, then retry" },
	{ 0, "there is no TPM chip",
	  "name an existing chip (ls /sys/class/tpm) in tpm_handoff's vtpm parameter: reload it with vtpm=tpmN" },
	{ 0, "is the pTPM chip itself",
	  "start a vTPM (vtpmd) next to the pTPM, or name another chip in tpm_handoff's vtpm parameter (reload it with vtpm=tpmN)" },
	{ 0, "bad vtpm parameter",
	  "reload tpm_handoff with vtpm=xen or vtpm=tpmN" },
	{ 0, "went away", "restart vtpmd, check that the vTPM chip is back, then retry" },
	{ 0, "is not working", "restart vtpmd, check that the vTPM chip is back, then retry" },
	{ EINVAL, "same family",
	  "start the vTPM in the pTPM's family (vtpmd --tpm1 for a TPM 1.2 pTPM, without it for a TPM 2.0), then retry" },
	{ EINVAL, "fw_pcrs asks to replay",
	  "the event log cannot reproduce that PCR: let it be bound (N:bind or N:auto in /sys/module/tpm_handoff/parameters/fw_pcrs), or fix the log (fw_log); then retry" },
	{ EINVAL, "fw_pcrs lists PCR",
	  "leave the PCRs the IMA log extends out of /sys/module/tpm_handoff/parameters/fw_pcrs, then retry" },
	{ 0, "(fw_log)",
	  "fix /sys/module/tpm_handoff/parameters/fw_log, or empty it to use the pTPM's own event log; then retry" },
	{ EAGAIN, "changed during the handoff",
	  "a firmware PCR of the pTPM moved during the handoff: find what extends it, then retry" },
	{ EINVAL, NULL, "write exactly \"1\" to the trigger (tpm-handoff start does)" },
	{ ENODEV, NULL, "make sure the vTPM is running and its chip exists (tpm-handoff status), then retry" },
	{ EOPNOTSUPP, "PCR bank",
	  "start vtpmd with the pTPM's banks (vtpmd --pcr-banks LIST, the list the error names), then retry" },
	{ EOPNOTSUPP, "uses interrupts",
	  "add tpm_tis.interrupts=0 to the kernel command line and reboot, then retry" },
	{ EOPNOTSUPP, NULL, "check that both TPMs are of the same family with the same PCR banks (tpm-handoff status)" },
	{ ETIMEDOUT, "mirror_timeout_ms",
	  "the replay before the barrier took too long: check that vtpmd is responsive, or raise mirror_timeout_ms in /sys/module/tpm_handoff/parameters; then retry" },
	{ ETIMEDOUT, "while", "a TPM did not answer in time at the step the error names: if it is the vTPM, check that vtpmd is responsive; or raise barrier_timeout_ms in /sys/module/tpm_handoff/parameters; then retry" },
	{ ETIMEDOUT, NULL, "a TPM command in flight did not finish: retry when the TPM is less busy, or raise barrier_timeout_ms in /sys/module/tpm_handoff/parameters" },
	{ ETIME, NULL, "a TPM command in flight did not finish: retry when the TPM is less busy, or raise barrier_timeout_ms in /sys/module/tpm_handoff/parameters" },
	{ EIO, "no prefix of the IMA log",
	  "PCR 10 was extended outside IMA or an extend failed: this boot's log cannot be handed off; stay on the pTPM and reboot to retry" },
	{ EIO, "never extended into the pTPM",
	  "an IMA extend failed on the pTPM: stay on the pTPM (check dmesg) and reboot to retry" },
	{ EIO, "the vTPM holds",
	  "the vTPM is ahead of the pTPM's cut: restart vtpmd, then retry" },
	{ EIO, "read back",
	  "the vTPM did not keep what was extended into it: restart vtpmd, then retry" },
	{ 0, "TPM error", "a TPM command failed: check dmesg and the TPM, then retry" },
	{ EIO, NULL, "a TPM command failed or the log did not match: check dmesg, then retry" },
	{ EPROTO, NULL, "a TPM answered malformed data: check dmesg and restart vtpmd, then retry" },
	{ EBADMSG, NULL, "the IMA log is malformed (see the error): it cannot be handed off in this boot" },
	{ 0, "securityfs", "mount securityfs (mount -t securityfs securityfs /sys/kernel/security), then retry" },
	{ ENOMEM, NULL, "free some memory, then retry" },
};

const char *cli_fix(int e, const char *error)
{
	for (size_t k = 0; k < sizeof(fixes) / sizeof(fixes[0]); k++) {
		if (fixes[k].e && fixes[k].e != e)
			continue;
		if (fixes[k].text && (!error || !strstr(error, fixes[k].text)))
			continue;
		return fixes[k].fix;
	}
	return "see dmesg for the cause, then retry";
}
