/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: reading a TPM's PCRs through tpm2-tss ESYS (never a
 * hand-built command), over any TCTI ("device:/dev/tpmrm1",
 * "swtpm:host=127.0.0.1,port=2321").
 */
#ifndef CLI_TPM_H
#define CLI_TPM_H

#include <stddef.h>
#include <stdint.h>

#include "bank.h"

struct cli_tpm;

/* Open the TCTI and an ESYS context; NULL with a reason in err. */
struct cli_tpm *cli_tpm_open(const char *tcti, char *err, size_t errlen);
void cli_tpm_close(struct cli_tpm *t);

/* The ESYS context of an open TPM, for commands that drive it (provision). */
struct ESYS_CONTEXT *cli_tpm_esys(struct cli_tpm *t);

/*
 * The banks (bit b: enum cli_bank b) in which PCR pcr is allocated, from
 * TPM2_GetCapability(TPM_CAP_PCRS).  Banks imalog does not know are left
 * out.  Return 0, or -1 with a reason in err.
 */
int cli_tpm_banks(struct cli_tpm *t, unsigned int pcr, uint32_t *mask,
		 char *err, size_t errlen);

/*
 * Read PCR pcr in every bank of mask into vals[bank], as one snapshot: if
 * the TPM answers in more than one TPM2_PCR_Read, their update counters
 * must agree (else it reads again).  Return 0, or -1 with a reason in err.
 */
int cli_tpm_pcr_read(struct cli_tpm *t, unsigned int pcr, uint32_t mask,
		    uint8_t vals[CLI_NR_BANKS][CLI_MAX_DIGEST],
		    char *err, size_t errlen);

#endif /* CLI_TPM_H */
