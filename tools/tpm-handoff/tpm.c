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

struct th_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	char name[256];		/* the TCTI string, for messages */
};

static const TPM2_ALG_ID bank_alg[IMALOG_NR_BANKS] = {
	[IMALOG_SHA1] = TPM2_ALG_SHA1,
	[IMALOG_SHA256] = TPM2_ALG_SHA256,
	[IMALOG_SHA384] = TPM2_ALG_SHA384,
	[IMALOG_SHA512] = TPM2_ALG_SHA512,
	[IMALOG_SM3_256] = TPM2_ALG_SM3_256,
};

/* enum imalog_bank of a TPM hash algorithm, or -1. */
static int bank_of(TPM2_ALG_ID alg)
{
	for (int b = 0; b < IMALOG_NR_BANKS; b++)
		if (bank_alg[b] == alg)
			return b;
	return -1;
}

struct th_tpm *th_tpm_open(const char *tcti, char *err, size_t errlen)
{
	struct th_tpm *t = calloc(1, sizeof(*t));
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

void th_tpm_close(struct th_tpm *t)
{
	if (!t)
		return;
	Esys_Finalize(&t->esys);
	Tss2_TctiLdr_Finalize(&t->tcti);
	free(t);
}

int th_tpm_banks(struct th_tpm *t, unsigned int pcr, uint32_t *mask,
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
		int b = bank_of(s->hash);

		if (b >= 0 && pcr / 8 < s->sizeofSelect &&
		    pcr / 8 < sizeof(s->pcrSelect) &&
		    (s->pcrSelect[pcr / 8] & (1u << (pcr % 8))))
			*mask |= 1u << b;
	}
	Esys_Free(cap);
	return 0;
}

/*
 * One TPM2_PCR_Read of PCR pcr in the banks of *left; what came back is
 * stored in vals and cleared from *left.  -1 on an error.
 */
static int read_once(struct th_tpm *t, unsigned int pcr, uint32_t *left,
		     uint8_t vals[IMALOG_NR_BANKS][IMALOG_MAX_DIGEST],
		     UINT32 *counter, char *err, size_t errlen)
{
	TPML_PCR_SELECTION in = { 0 }, *out = NULL;
	TPML_DIGEST *dig = NULL;
	uint32_t got = 0;
	UINT32 j = 0;
	TSS2_RC rc;
	int ret = -1;

	for (int b = 0; b < IMALOG_NR_BANKS; b++) {
		TPMS_PCR_SELECTION *s;

		if (!(*left & (1u << b)))
			continue;
		s = &in.pcrSelections[in.count++];
		s->hash = bank_alg[b];
		s->sizeofSelect = 3;
		s->pcrSelect[pcr / 8] = (BYTE)(1u << (pcr % 8));
	}
	rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			   &in, counter, &out, &dig);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(err, errlen, "TPM at \"%s\": PCR_Read of PCR %u failed: %s",
			 t->name, pcr, Tss2_RC_Decode(rc));
		return -1;
	}
	for (UINT32 i = 0; i < out->count && i < TPM2_NUM_PCR_BANKS; i++) {
		const TPMS_PCR_SELECTION *s = &out->pcrSelections[i];
		int b = bank_of(s->hash);

		for (unsigned int p = 0; p < 8u * s->sizeofSelect &&
		     p / 8 < sizeof(s->pcrSelect); p++) {
			const TPM2B_DIGEST *d;

			if (!(s->pcrSelect[p / 8] & (1u << (p % 8))))
				continue;
			if (j >= dig->count || j >= sizeof(dig->digests) / sizeof(dig->digests[0])) {
				snprintf(err, errlen, "TPM at \"%s\": PCR_Read returned fewer digests than it selected",
					 t->name);
				goto out;
			}
			d = &dig->digests[j++];
			if (p != pcr || b < 0 || !(*left & (1u << b)))
				continue;
			if (d->size != imalog_bank_size(b)) {
				snprintf(err, errlen, "TPM at \"%s\": PCR_Read returned %u bytes for the %s bank",
					 t->name, d->size, imalog_bank_name(b));
				goto out;
			}
			memcpy(vals[b], d->buffer, d->size);
			got |= 1u << b;
		}
	}
	if (!got) {
		for (int b = 0; b < IMALOG_NR_BANKS; b++)
			if (*left & (1u << b)) {
				snprintf(err, errlen, "TPM at \"%s\": PCR_Read returned no PCR %u value in the %s bank",
					 t->name, pcr, imalog_bank_name(b));
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

int th_tpm_pcr_read(struct th_tpm *t, unsigned int pcr, uint32_t mask,
		    uint8_t vals[IMALOG_NR_BANKS][IMALOG_MAX_DIGEST],
		    char *err, size_t errlen)
{
	if (pcr >= IMALOG_MAX_PCRS) {
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
