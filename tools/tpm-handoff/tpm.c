// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: ESYS access to a TPM (tss2-esys, tss2-tctildr, tss2-rc).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "tpm.h"

#define READ_TRIES	5	/* PCR_Read rounds whose counters disagreed */

struct cli_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	char name[256];		/* the TCTI string, for messages */
};

struct cli_tpm *cli_tpm_open(const char *tcti, char *err, size_t errlen)
{
	struct cli_tpm *t = calloc(1, sizeof(*t));
	TSS2_RC rc;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(t->name, sizeof(t->name), "%s", tcti);
	rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(err, errlen, "cannot open the TPM through TCTI \"%s\": %s",
			 tcti, Tss2_RC_Decode(rc));
		free(t);
		return NULL;
	}
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(err, errlen, "cannot set up ESYS on TCTI \"%s\": %s",
			 tcti, Tss2_RC_Decode(rc));
		Tss2_TctiLdr_Finalize(&t->tcti);
		free(t);
		return NULL;
	}
	return t;
}

void cli_tpm_close(struct cli_tpm *t)
{
	if (!t)
		return;
	Esys_Finalize(&t->esys);
	Tss2_TctiLdr_Finalize(&t->tcti);
	free(t);
}

struct ESYS_CONTEXT *cli_tpm_esys(struct cli_tpm *t)
{
	return t->esys;
}

int cli_tpm_banks(struct cli_tpm *t, unsigned int pcr, uint32_t *mask,
		 char *err, size_t errlen)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_NO;
	TPML_PCR_SELECTION *sel;
	TSS2_RC rc;

	*mask = 0;
	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				TPM2_CAP_PCRS, 0, 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(err, errlen, "TPM at \"%s\": GetCapability(PCRS) failed: %s",
			 t->name, Tss2_RC_Decode(rc));
		return -1;
	}
	sel = &cap->data.assignedPCR;
	for (UINT32 i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
		int b = cli_bank_by_alg(s->hash);

		if (b >= 0 && pcr / 8 < s->sizeofSelect &&
		    pcr / 8 < sizeof(s->pcrSelect) &&
		    (s->pcrSelect[pcr / 8] & (1u << (pcr % 8))))
			*mask |= 1u << b;
	}
	Esys_Free(cap);
	return 0;
}

/* The selection of PCR pcr in every bank of left. */
static void select_pcr(TPML_PCR_SELECTION *in, unsigned int pcr, uint32_t left)
{
	for (int b = 0; b < CLI_NR_BANKS; b++) {
		TPMS_PCR_SELECTION *s;

		if (!(left & (1u << b)))
			continue;
		s = &in->pcrSelections[in->count++];
		s->hash = cli_bank_alg(b);
		s->sizeofSelect = 3;
		s->pcrSelect[pcr / 8] = (BYTE)(1u << (pcr % 8));
	}
}

/*
 * What a TPM2_PCR_Read returned: the digests come in the order of the
 * selected PCRs, bank by bank.  PCR pcr's values in the banks of left go
 * into vals, and their bits into *got.  -1 on an error.
 */
static int take_digests(const struct cli_tpm *t, unsigned int pcr, uint32_t left,
			const TPML_PCR_SELECTION *out, const TPML_DIGEST *dig,
			uint8_t vals[CLI_NR_BANKS][CLI_MAX_DIGEST], uint32_t *got,
			char *err, size_t errlen)
{
	UINT32 j = 0;

	for (UINT32 i = 0; i < out->count && i < TPM2_NUM_PCR_BANKS; i++) {
		const TPMS_PCR_SELECTION *s = &out->pcrSelections[i];
		int b = cli_bank_by_alg(s->hash);

		for (unsigned int p = 0; p < 8u * s->sizeofSelect &&
		     p / 8 < sizeof(s->pcrSelect); p++) {
			const TPM2B_DIGEST *d;

			if (!(s->pcrSelect[p / 8] & (1u << (p % 8))))
				continue;
			if (j >= dig->count || j >= sizeof(dig->digests) / sizeof(dig->digests[0])) {
				snprintf(err, errlen, "TPM at \"%s\": PCR_Read returned fewer digests than it selected",
					 t->name);
				return -1;
			}
			d = &dig->digests[j++];
			if (p != pcr || b < 0 || !(left & (1u << b)))
				continue;
			if (d->size != cli_bank_size(b)) {
				snprintf(err, errlen, "TPM at \"%s\": PCR_Read returned %u bytes for the %s bank",
					 t->name, d->size, cli_bank_name(b));
				return -1;
			}
			memcpy(vals[b], d->buffer, d->size);
			*got |= 1u << b;
		}
	}
	return 0;
}

/*
 * One TPM2_PCR_Read of PCR pcr in the banks of *left; what came back is
 * stored in vals and cleared from *left.  -1 on an error.
 */
static int read_once(struct cli_tpm *t, unsigned int pcr, uint32_t *left,
		     uint8_t vals[CLI_NR_BANKS][CLI_MAX_DIGEST],
		     UINT32 *counter, char *err, size_t errlen)
{
	TPML_PCR_SELECTION in = { 0 }, *out = NULL;
	TPML_DIGEST *dig = NULL;
	uint32_t got = 0;
	TSS2_RC rc;
	int ret = -1;

	select_pcr(&in, pcr, *left);
	rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			   &in, counter, &out, &dig);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(err, errlen, "TPM at \"%s\": PCR_Read of PCR %u failed: %s",
			 t->name, pcr, Tss2_RC_Decode(rc));
		return -1;
	}
	if (take_digests(t, pcr, *left, out, dig, vals, &got, err, errlen))
		goto out;
	if (!got) {
		for (int b = 0; b < CLI_NR_BANKS; b++)
			if (*left & (1u << b)) {
				snprintf(err, errlen, "TPM at \"%s\": PCR_Read returned no PCR %u value in the %s bank",
					 t->name, pcr, cli_bank_name(b));
				break;
			}
		goto out;
	}
	*left &= ~got;
	ret = 0;
out:
	Esys_Free(out);
	Esys_Free(dig);
	return ret;
}

int cli_tpm_pcr_read(struct cli_tpm *t, unsigned int pcr, uint32_t mask,
		    uint8_t vals[CLI_NR_BANKS][CLI_MAX_DIGEST],
		    char *err, size_t errlen)
{
	if (pcr >= CLI_MAX_PCRS) {
		snprintf(err, errlen, "PCR %u out of range", pcr);
		return -1;
	}
	for (int tries = 0; tries < READ_TRIES; tries++) {
		uint32_t left = mask;
		UINT32 first = 0, counter;
		bool same = true;

		for (int n = 0; left && same; n++) {
			if (read_once(t, pcr, &left, vals, &counter, err, errlen))
				return -1;
			if (!n)
				first = counter;
			same = counter == first;
		}
		if (same)
			return 0;
	}
	snprintf(err, errlen, "TPM at \"%s\": PCR %u kept changing while it was read",
		 t->name, pcr);
	return -1;
}
