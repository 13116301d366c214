// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-evidence: the evidence file's parser (tools/tpm-handoff/evidence.c,
 * json-c and base64), on files a remote verifier gets from a dom0 it does
 * not trust yet.  The input is the file.  What parses writes back out
 * (cli_evidence_write()) into a file that parses to the same evidence.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "fuzz.h"

static void same_blob(const struct cli_blob *a, const struct cli_blob *b)
{
	FUZZ_ASSERT(a->len == b->len);
	FUZZ_ASSERT(!a->len || !memcmp(a->buf, b->buf, a->len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_evidence a, b;
	char err[512], *text = malloc(size + 1), *out = NULL;
	size_t out_len = 0;
	FILE *f;
	int rc;

	FUZZ_ASSERT(text);
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	rc = cli_evidence_parse(&a, text, size, err, sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(rc == 0 || (err[0] && strlen(err) < sizeof(err)));
	if (!rc) {
		f = open_memstream(&out, &out_len);
		FUZZ_ASSERT(f);
		FUZZ_ASSERT(!cli_evidence_write(f, &a));
		fclose(f);
		rc = cli_evidence_parse(&b, out, out_len, err, sizeof(err));
		if (rc)
			fprintf(stderr, "re-parse: %s\n", err);
		FUZZ_ASSERT(!rc);
		same_blob(&a.nonce, &b.nonce);
		FUZZ_ASSERT(!strcmp(a.record, b.record));
		FUZZ_ASSERT(a.ptpm_ak == b.ptpm_ak && a.vtpm_ak == b.vtpm_ak);
		same_blob(&a.ptpm_ak_pub, &b.ptpm_ak_pub);
		same_blob(&a.vtpm_ak_pub, &b.vtpm_ak_pub);
		same_blob(&a.hq_attest, &b.hq_attest);
		same_blob(&a.hq_sig, &b.hq_sig);
		same_blob(&a.vq_attest, &b.vq_attest);
		same_blob(&a.vq_sig, &b.vq_sig);
		same_blob(&a.ima_log, &b.ima_log);
		same_blob(&a.fw_log, &b.fw_log);
		FUZZ_ASSERT(!memcmp(a.vpcr_mask, b.vpcr_mask, sizeof(a.vpcr_mask)));
		for (unsigned int p = 0; p < CLI_MAX_PCRS; p++)
			for (int k = 0; k < CLI_NR_BANKS; k++)
				if (a.vpcr_mask[p] & (1u << k))
					FUZZ_ASSERT(!memcmp(a.vpcr[p][k], b.vpcr[p][k],
							    cli_bank_size((enum cli_bank)k)));
		cli_evidence_free(&b);
		free(out);
	}
	cli_evidence_free(&a);
	free(text);
	return 0;
}
