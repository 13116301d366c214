/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The digest kinds: what IMA extended into a PCR bank for one entry of its
 * measurement list.  Linux 6.1 IMA (ima_calc_field_array_hash()) extends,
 * into a bank whose hash it allocated at boot, that hash over the template
 * data; into a bank whose hash it could not allocate, the SHA-1 template
 * digest zero-padded to the bank's size.  Which one a bank got is not
 * visible afterwards, so the replay computes both (replay.c) and the cut
 * search picks the one that reproduces the PCRs.  For the sha1 bank they
 * are the same; a violation extends 0xff.. either way.
 *
 * The one vocabulary for the concept, in tpm_handoff.ko, its record
 * ("pcr10.sha256.digest: template-hash") and the tool (tools/tpm-handoff),
 * which includes this file without the kernel's headers: plain C only.
 */
#ifndef _TPM_HANDOFF_IMA_KIND_H
#define _TPM_HANDOFF_IMA_KIND_H

enum th_kind {
	TH_KIND_HASH,		/* "template-hash": the bank's hash of the data */
	TH_KIND_PADDED,		/* "padded-sha1": the SHA-1 digest, zero-padded */
	TH_NR_KINDS,
};

/* "template-hash", "padded-sha1" (replay.c). */
extern const char *const th_kind_name[TH_NR_KINDS];

#endif /* _TPM_HANDOFF_IMA_KIND_H */
