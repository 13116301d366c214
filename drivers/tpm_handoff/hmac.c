// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM core's HMAC sessions (CONFIG_TCG_TPM2_HMAC, Linux 6.10 and
 * later) across the handoff.
 *
 * Such a kernel keeps, in struct tpm_chip (include/linux/tpm.h), an HMAC
 * session on the chip's TPM (@auth, started lazily by the first PCR extend
 * or random number and kept open across commands) and the context, name
 * and public point of a primary key in the TPM's null hierarchy
 * (@null_key_context, @null_key_name, @null_ec_key_x/y), made when the
 * chip registered.  Every extend salts its session with that key and checks
 * the key's name when it loads it again.  Both belong to one TPM: after
 * the commit the pTPM chip's commands reach the vTPM, where the pTPM's
 * session handle is not loaded (sessions.c answers it as a TPM does) and the
 * pTPM's null key context does not load; tpm2_load_null() then recreates
 * the key, finds another name, says "null key integrity check failed" and
 * disables the chip for good.  IMA's extends would fail from the first one.
 *
 * So under the barrier, while the pTPM is still the pTPM chip's TPM, its
 * session ends (tpm2_end_auth_session(): flushed on the pTPM, @auth freed),
 * and at the commit the pTPM chip takes the vTPM chip's null key, which the
 * vTPM chip made on the vTPM when it registered.  The next extend starts a
 * session on the vTPM, salted with a key the vTPM has.  A vTPM chip
 * without a null key (it registered without TPM_OPS_AUTO_STARTUP, or its
 * creation failed) makes the handoff refuse before the barrier.
 *
 * Assumptions about kernel internals (checked on 7.2.13 with
 * CONFIG_TCG_TPM2_HMAC=y by native/handoff-hmac, which commits a handoff
 * with IMA extending after it and fails without this file's work; 6.1 and
 * 6.12 as Debian builds them have no HMAC sessions, and there this file
 * does nothing): the fields above are what the sessions code reads, the
 * null key's name starts with its name algorithm (SHA-256), and a
 * session the core finds NULL in @auth is started anew.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/tpm.h>

#include "tpm_handoff_priv.h"
#include <tpm_handoff/compat.h>

#ifdef CONFIG_TCG_TPM2_HMAC

/**
 * th_hmac_check() - can the pTPM chip use the vTPM's null key?
 * @ptpm: the pTPM chip
 * @vchip: the vTPM chip, its ops held
 * @err: the reason if not (TH_ERRLEN bytes)
 *
 * Return: 0, or -EOPNOTSUPP when the kernel uses HMAC sessions on TPM 2.0
 * chips and the vTPM chip has no null key.
 */
int th_hmac_check(struct tpm_chip *ptpm, struct tpm_chip *vchip, char *err)
{
	if (!(ptpm->flags & TPM_CHIP_FLAG_TPM2))
		return 0;
	if (get_unaligned_be16(vchip->null_key_name) == TPM_ALG_SHA256)
		return 0;
	snprintf(err, TH_ERRLEN,
		 "this kernel protects PCR extends with HMAC sessions (CONFIG_TCG_TPM2_HMAC), but the vTPM %s has no null-seed key for them (its chip did not start up through the TPM core): IMA's extends would fail after the handoff",
		 dev_name(&vchip->dev));
	return -EOPNOTSUPP;
}

/**
 * th_hmac_end_session() - end the pTPM chip's HMAC session on the pTPM
 * @ptpm: the pTPM chip, started, under the barrier
 *
 * Nothing else can start a session until the barrier drops; if the
 * handoff aborts, the next extend starts one on the pTPM again.
 */
void th_hmac_end_session(struct tpm_chip *ptpm)
{
	if (ptpm->flags & TPM_CHIP_FLAG_TPM2)
		tpm2_end_auth_session(ptpm);
}

/**
 * th_hmac_take_null_key() - the pTPM chip salts its sessions on the vTPM
 * @ptpm: the pTPM chip, under the barrier, its session ended
 * @vchip: the vTPM chip
 *
 * Copies what the vTPM chip's registration made (tpm2_sessions_init());
 * the vTPM chip never changes it afterwards.
 */
void th_hmac_take_null_key(struct tpm_chip *ptpm, struct tpm_chip *vchip)
{
	if (!(ptpm->flags & TPM_CHIP_FLAG_TPM2))
		return;
	memcpy(ptpm->null_key_context, vchip->null_key_context,
	       sizeof(ptpm->null_key_context));
	memcpy(ptpm->null_key_name, vchip->null_key_name,
	       sizeof(ptpm->null_key_name));
	memcpy(ptpm->null_ec_key_x, vchip->null_ec_key_x,
	       sizeof(ptpm->null_ec_key_x));
	memcpy(ptpm->null_ec_key_y, vchip->null_ec_key_y,
	       sizeof(ptpm->null_ec_key_y));
}

#else /* !CONFIG_TCG_TPM2_HMAC: no sessions to carry over */

int th_hmac_check(struct tpm_chip *ptpm, struct tpm_chip *vchip, char *err)
{
	return 0;
}

void th_hmac_end_session(struct tpm_chip *ptpm)
{
}

void th_hmac_take_null_key(struct tpm_chip *ptpm, struct tpm_chip *vchip)
{
}

#endif /* CONFIG_TCG_TPM2_HMAC */
