/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: reading a TPM's PCRs through tpm2-tss ESYS (never a
 * hand-built command), over any TCTI ("device:/dev/tpmrm1",
 * "swtpm:host=127.0.0.1,port=2321").
 */
#ifndef TH_TPM_H
#define TH_TPM_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/imalog.h"

struct th_tpm;

/* Open the TCTI and an ESYS context; NULL with a reason in err. */
struct th_tpm *th_tpm_open(const char *tcti, char *err, size_t errlen);
void th_tpm_close(struct th_tpm *t);

/*
 * The banks (bit b: enum imalog_bank b) in which PCR pcr is allocated, from
 * TPM2_GetCapability(TPM_CAP_PCRS).  Banks imalog does not know are left
 * out.  Return 0, or -1 with a reason in err.
 */
int th_tpm_banks(struct th_tpm *t, unsigned int pcr, uint32_t *mask,
		 char *err, size_t errlen);

/*
 * Read PCR pcr in every bank of mask into vals[bank], as one snapshot: if
 * the TPM answers in more than one TPM2_PCR_Read, their update counters
 * must agree (else it reads again).  Return 0, or -1 with a reason in err.
 */
int th_tpm_pcr_read(struct th_tpm *t, unsigned int pcr, uint32_t mask,
		    uint8_t vals[IMALOG_NR_BANKS][IMALOG_MAX_DIGEST],
		    char *err, size_t errlen);

#endif /* TH_TPM_H */
