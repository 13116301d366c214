// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-quote's oracle: tpm2-tss's own unmarshalling of what the module's
 * quote.c parses (see fuzz-quote.c).  Plain C against <tss2/tss2_mu.h>.
 */
#include <string.h>
#include <tss2/tss2_mu.h>

#include "fuzz-quote.h"

/*
 * TPM2B_PUBLIC, TPM2B_NAME, TPM2B_NAME (qualifiedName): a ReadPublic
 * answer's parameters.
 */
int fq_mu_public(const uint8_t *buf, size_t len, struct fq_public *out)
{
	TPM2B_PUBLIC pub;
	TPM2B_NAME name, qname;
	size_t off = 0;

	memset(&pub, 0, sizeof(pub));
	/*
	 * tpm2-tss reads the public area past its TPM2B's size when that is
	 * too small: an answer whose size is not the area's is malformed.
	 */
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &pub) ||
	    (pub.size && off != 2 + (size_t)pub.size) ||
	    Tss2_MU_TPM2B_NAME_Unmarshal(buf, len, &off, &name) ||
	    Tss2_MU_TPM2B_NAME_Unmarshal(buf, len, &off, &qname) || off != len)
		return 0;
	memset(out, 0, sizeof(*out));
	out->pub_len = pub.size;
	out->type = pub.publicArea.type;
	out->name_alg = pub.publicArea.nameAlg;
	out->attrs = pub.publicArea.objectAttributes;
	out->policy_len = pub.publicArea.authPolicy.size;
	out->scheme = TPM2_ALG_NULL;
	out->scheme_hash = TPM2_ALG_NULL;
	if (out->type == TPM2_ALG_RSA) {
		out->sym = pub.publicArea.parameters.rsaDetail.symmetric.algorithm;
		out->scheme = pub.publicArea.parameters.rsaDetail.scheme.scheme;
		if (out->scheme != TPM2_ALG_NULL && out->scheme != TPM2_ALG_RSAES)
			out->scheme_hash =
				pub.publicArea.parameters.rsaDetail.scheme.details.anySig.hashAlg;
	} else if (out->type == TPM2_ALG_ECC) {
		out->sym = pub.publicArea.parameters.eccDetail.symmetric.algorithm;
		out->scheme = pub.publicArea.parameters.eccDetail.scheme.scheme;
		if (out->scheme != TPM2_ALG_NULL)
			out->scheme_hash =
				pub.publicArea.parameters.eccDetail.scheme.details.anySig.hashAlg;
	}
	out->name_len = name.size;
	out->qname_len = qname.size;
	memcpy(out->name, name.name, name.size);
	return 1;
}

int fq_mu_attest(const uint8_t *buf, size_t len, struct fq_attest *out)
{
	TPMS_ATTEST a;
	size_t off = 0;

	memset(&a, 0, sizeof(a));
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(buf, len, &off, &a) || off != len ||
	    a.type != TPM2_ST_ATTEST_QUOTE)
		return 0;
	memset(out, 0, sizeof(*out));
	out->magic = a.magic;
	out->type = a.type;
	out->signer_len = a.qualifiedSigner.size;
	memcpy(out->signer, a.qualifiedSigner.name, a.qualifiedSigner.size);
	out->extra_len = a.extraData.size;
	memcpy(out->extra, a.extraData.buffer, a.extraData.size);
	out->clock = a.clockInfo.clock;
	out->reset_count = a.clockInfo.resetCount;
	out->restart_count = a.clockInfo.restartCount;
	out->safe = a.clockInfo.safe;
	out->fw_version = a.firmwareVersion;
	out->nr_sel = a.attested.quote.pcrSelect.count;
	for (uint32_t i = 0; i < out->nr_sel && i < 16; i++) {
		const TPMS_PCR_SELECTION *s = &a.attested.quote.pcrSelect.pcrSelections[i];

		out->sel_alg[i] = s->hash;
		out->sel_size[i] = s->sizeofSelect;
		for (unsigned int k = 0; k < s->sizeofSelect && k < 4; k++)
			out->sel_mask[i] |= (uint32_t)s->pcrSelect[k] << (8 * k);
	}
	out->pcr_digest_len = a.attested.quote.pcrDigest.size;
	memcpy(out->pcr_digest, a.attested.quote.pcrDigest.buffer,
	       a.attested.quote.pcrDigest.size);
	return 1;
}

int fq_mu_quote(const uint8_t *buf, size_t len, struct fq_quote *out)
{
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
	size_t off = 0, start;

	if (Tss2_MU_TPM2B_ATTEST_Unmarshal(buf, len, &off, &attest))
		return 0;
	start = off;
	memset(&sig, 0, sizeof(sig));
	if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(buf, len, &off, &sig) || off != len)
		return 0;
	out->attest_len = attest.size;
	out->attest_off = 2;
	out->sig_alg = sig.sigAlg;
	out->sig_hash = sig.signature.any.hashAlg;
	out->sig_len = len - start;
	return 1;
}

/* TPMS_TIME_INFO: a ReadClock answer's parameters. */
int fq_mu_time_info(const uint8_t *buf, size_t len, uint32_t *reset,
		    uint32_t *restart)
{
	TPMS_TIME_INFO t;
	size_t off = 0;

	if (Tss2_MU_TPMS_TIME_INFO_Unmarshal(buf, len, &off, &t) || off != len)
		return 0;
	*reset = t.clockInfo.resetCount;
	*restart = t.clockInfo.restartCount;
	return 1;
}
