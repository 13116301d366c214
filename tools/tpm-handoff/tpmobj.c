// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: keys, quotes and their signatures, checked without a TPM
 * (tpmobj.h).  Unmarshalling is tpm2-tss's; the cryptography libcrypto's.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "tpmobj.h"

#define AK_ATTRS (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
		  TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_RESTRICTED | \
		  TPMA_OBJECT_SIGN_ENCRYPT)

static const EVP_MD *md_of(uint16_t alg)
{
	int b = cli_bank_by_alg(alg);

	return b < 0 ? NULL : EVP_get_digestbyname(cli_bank_evp((enum cli_bank)b));
}

int cli_key_load(const uint8_t *buf, size_t len, struct cli_key *k, char *err,
		 size_t errlen)
{
	const EVP_MD *md;
	unsigned int n;
	size_t off = 0;

	memset(k, 0, sizeof(*k));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &k->pub) || off != len ||
	    !k->pub.size || k->pub.size != len - 2) {
		snprintf(err, errlen, "not a TPM2B_PUBLIC (%zu bytes)", len);
		return -1;
	}
	md = md_of(k->pub.publicArea.nameAlg);
	if (!md) {
		snprintf(err, errlen, "a key named with an unknown hash (0x%04x)",
			 k->pub.publicArea.nameAlg);
		return -1;
	}
	k->name[0] = (uint8_t)(k->pub.publicArea.nameAlg >> 8);
	k->name[1] = (uint8_t)k->pub.publicArea.nameAlg;
	if (!EVP_Digest(buf + 2, len - 2, k->name + 2, &n, md, NULL)) {
		snprintf(err, errlen, "libcrypto cannot hash the key's name");
		return -1;
	}
	k->name_len = 2 + n;
	return 0;
}

bool cli_key_is_ak(const struct cli_key *k)
{
	const TPMT_PUBLIC *p = &k->pub.publicArea;
	TPMI_ALG_SIG_SCHEME s;

	if ((p->objectAttributes & AK_ATTRS) != AK_ATTRS ||
	    (p->objectAttributes & TPMA_OBJECT_DECRYPT))
		return false;
	if (p->type == TPM2_ALG_RSA)
		s = p->parameters.rsaDetail.scheme.scheme;
	else if (p->type == TPM2_ALG_ECC)
		s = p->parameters.eccDetail.scheme.scheme;
	else
		return false;
	return s == TPM2_ALG_RSASSA || s == TPM2_ALG_RSAPSS || s == TPM2_ALG_ECDSA;
}

int cli_quote_load(const uint8_t *attest, size_t attest_len, const uint8_t *sig,
		   size_t sig_len, struct cli_quote *q, char *err, size_t errlen)
{
	size_t off = 0;

	memset(q, 0, sizeof(*q));
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(attest, attest_len, &off, &q->attest) ||
	    off != attest_len) {
		snprintf(err, errlen, "not a TPMS_ATTEST (%zu bytes)", attest_len);
		return -1;
	}
	if (q->attest.magic != TPM2_GENERATED_VALUE ||
	    q->attest.type != TPM2_ST_ATTEST_QUOTE) {
		snprintf(err, errlen, "not a quote made by a TPM (magic 0x%08x, type 0x%04x)",
			 q->attest.magic, q->attest.type);
		return -1;
	}
	off = 0;
	if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(sig, sig_len, &off, &q->sig) ||
	    off != sig_len) {
		snprintf(err, errlen, "not a TPMT_SIGNATURE (%zu bytes)", sig_len);
		return -1;
	}
	q->attest_buf = attest;
	q->attest_len = attest_len;
	return 0;
}

/* The key as libcrypto's, or NULL (err says why). */
static EVP_PKEY *pkey_of(const TPMT_PUBLIC *p, char *err, size_t errlen)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = NULL, *e = NULL;
	uint8_t point[1 + 2 * TPM2_MAX_ECC_KEY_BYTES];
	const char *type = NULL, *group = NULL;
	size_t plen = 0;

	if (!bld)
		goto out;
	if (p->type == TPM2_ALG_RSA) {
		type = "RSA";
		n = BN_bin2bn(p->unique.rsa.buffer, p->unique.rsa.size, NULL);
		e = BN_new();
		if (!n || !e || !BN_set_word(e, p->parameters.rsaDetail.exponent ?
					     p->parameters.rsaDetail.exponent : 65537) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
	} else if (p->type == TPM2_ALG_ECC) {
		type = "EC";
		switch (p->parameters.eccDetail.curveID) {
		case TPM2_ECC_NIST_P256: group = "prime256v1"; break;
		case TPM2_ECC_NIST_P384: group = "secp384r1"; break;
		case TPM2_ECC_NIST_P521: group = "secp521r1"; break;
		default:
			snprintf(err, errlen, "an ECC key on an unknown curve (0x%04x)",
				 p->parameters.eccDetail.curveID);
			goto out;
		}
		point[0] = 4;
		memcpy(point + 1, p->unique.ecc.x.buffer, p->unique.ecc.x.size);
		memcpy(point + 1 + p->unique.ecc.x.size, p->unique.ecc.y.buffer,
		       p->unique.ecc.y.size);
		plen = 1 + p->unique.ecc.x.size + p->unique.ecc.y.size;
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						     group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						      point, plen))
			goto out;
	} else {
		snprintf(err, errlen, "not an RSA or ECC key (type 0x%04x)", p->type);
		goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		pkey = NULL;
		snprintf(err, errlen, "libcrypto does not take the %s key", type);
	}
out:
	if (!pkey && !err[0])
		snprintf(err, errlen, "out of memory");
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* An ECDSA signature as DER, into *der (OPENSSL_free it); its length or -1. */
static int ecdsa_der(const TPMS_SIGNATURE_ECC *s, unsigned char **der)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(s->signatureR.buffer, s->signatureR.size, NULL);
	BIGNUM *ss = BN_bin2bn(s->signatureS.buffer, s->signatureS.size, NULL);
	int len = -1;

	if (sig && r && ss && ECDSA_SIG_set0(sig, r, ss)) {
		r = ss = NULL;		/* the signature owns them */
		*der = NULL;
		len = i2d_ECDSA_SIG(sig, der);
	}
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(sig);
	return len;
}

int cli_quote_verify(const struct cli_key *k, const struct cli_quote *q,
		     char *err, size_t errlen)
{
	const TPMT_SIGNATURE *s = &q->sig;
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	const unsigned char *sig;
	const EVP_MD *md;
	EVP_PKEY *pkey;
	size_t sig_len;
	int ret = -1, len;

	err[0] = '\0';
	{
		const TPMT_PUBLIC *p = &k->pub.publicArea;
		TPMI_ALG_SIG_SCHEME scheme = p->type == TPM2_ALG_RSA ?
			p->parameters.rsaDetail.scheme.scheme :
			p->parameters.eccDetail.scheme.scheme;
		TPMI_ALG_HASH hash = p->type == TPM2_ALG_RSA ?
			p->parameters.rsaDetail.scheme.details.anySig.hashAlg :
			p->parameters.eccDetail.scheme.details.anySig.hashAlg;

		if (s->sigAlg != scheme || s->signature.any.hashAlg != hash) {
			snprintf(err, errlen, "signed with scheme 0x%04x and hash 0x%04x, not the key's (0x%04x, 0x%04x)",
				 s->sigAlg, s->signature.any.hashAlg, scheme, hash);
			return 1;
		}
		if (hash == TPM2_ALG_SHA1) {
			snprintf(err, errlen, "a SHA-1 signature is not accepted");
			return 1;
		}
	}
	switch (s->sigAlg) {
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS:
		if (k->pub.publicArea.type != TPM2_ALG_RSA)
			goto mismatch;
		sig = s->signature.rsassa.sig.buffer;
		sig_len = s->signature.rsassa.sig.size;
		break;
	case TPM2_ALG_ECDSA:
		if (k->pub.publicArea.type != TPM2_ALG_ECC)
			goto mismatch;
		len = ecdsa_der(&s->signature.ecdsa, &der);
		if (len < 0) {
			snprintf(err, errlen, "a malformed ECDSA signature");
			return 1;
		}
		sig = der;
		sig_len = (size_t)len;
		break;
	default:
		snprintf(err, errlen, "a signature scheme the tool does not check (0x%04x)",
			 s->sigAlg);
		return -1;
	}
	md = md_of(s->signature.any.hashAlg);
	if (!md) {
		snprintf(err, errlen, "a signature with an unknown hash (0x%04x)",
			 s->signature.any.hashAlg);
		OPENSSL_free(der);
		return 1;
	}
	pkey = pkey_of(&k->pub.publicArea, err, errlen);
	if (!pkey) {
		OPENSSL_free(der);
		return -1;
	}
	mctx = EVP_MD_CTX_new();
	if (mctx && EVP_DigestVerifyInit(mctx, &pctx, md, NULL, pkey) == 1 &&
	    (s->sigAlg != TPM2_ALG_RSAPSS ||
	     (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) > 0))) {
		ret = EVP_DigestVerify(mctx, sig, sig_len, q->attest_buf,
				       q->attest_len) == 1 ? 0 : 1;
		if (ret)
			snprintf(err, errlen, "the signature does not verify with the key");
	} else {
		snprintf(err, errlen, "libcrypto cannot check the signature");
	}
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pkey);
	OPENSSL_free(der);
	return ret;
mismatch:
	snprintf(err, errlen, "a signature (0x%04x) of another kind of key",
		 s->sigAlg);
	return 1;
}

int cli_quote_pcr_digest(const TPML_PCR_SELECTION *sel, uint16_t alg,
			 const uint8_t vals[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST],
			 uint8_t *out, size_t *out_len)
{
	const EVP_MD *md = md_of(alg);
	EVP_MD_CTX *ctx;
	unsigned int n = 0;
	int ok;

	if (!md || !(ctx = EVP_MD_CTX_new()))
		return -1;
	ok = EVP_DigestInit_ex(ctx, md, NULL);
	for (uint32_t i = 0; ok && i < sel->count; i++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
		int b = cli_bank_by_alg(s->hash);

		if (b < 0) {
			ok = 0;
			break;
		}
		for (unsigned int p = 0; p < CLI_MAX_PCRS && p < 8u * s->sizeofSelect; p++)
			if (s->pcrSelect[p / 8] & (1u << (p % 8)))
				ok = ok && EVP_DigestUpdate(ctx, vals[p][b],
							    cli_bank_size((enum cli_bank)b));
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &n);
	EVP_MD_CTX_free(ctx);
	*out_len = n;
	return ok ? 0 : -1;
}

static int put_be(EVP_MD_CTX *ctx, uint64_t v, unsigned int bytes)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	return EVP_DigestUpdate(ctx, b, bytes);
}

int cli_quote_binding(const struct cli_bind_facts *f,
		      const uint8_t vals[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST],
		      uint8_t out[32])
{
	static const char label[] = "tpm_handoff quote v2";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n;
	int ok;

	if (!ctx)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, label, sizeof(label)) &&
	     put_be(ctx, f->cut, 8) && put_be(ctx, f->name_len, 2) &&
	     EVP_DigestUpdate(ctx, f->name, f->name_len) &&
	     put_be(ctx, f->reset_count, 4) && put_be(ctx, f->restart_count, 4) &&
	     put_be(ctx, f->mask, 4) && put_be(ctx, f->ima_mask, 4) &&
	     put_be(ctx, f->bind_mask, 4) && put_be(ctx, f->nb, 2);
	for (size_t i = 0; ok && i < f->nb; i++) {
		ok = put_be(ctx, cli_bank_alg(f->banks[i]), 2) &&
		     put_be(ctx, cli_bank_size(f->banks[i]), 2) &&
		     put_be(ctx, f->kind[i], 1);
		for (unsigned int p = 0; ok && p < CLI_MAX_PCRS; p++)
			if (f->mask & (1u << p))
				ok = EVP_DigestUpdate(ctx, vals[p][f->banks[i]],
						      cli_bank_size(f->banks[i]));
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &n) && n == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

bool cli_sel_is(const TPML_PCR_SELECTION *sel, const enum cli_bank *banks,
		size_t nb, uint32_t mask)
{
	uint32_t seen = 0;

	if (sel->count != nb)
		return false;
	for (uint32_t i = 0; i < sel->count; i++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
		int b = cli_bank_by_alg(s->hash);
		bool ours = false;
		uint32_t m = 0;

		for (size_t k = 0; k < nb; k++)
			ours |= b >= 0 && banks[k] == (enum cli_bank)b;
		if (!ours || (seen & (1u << b)) || s->sizeofSelect > 4)
			return false;
		seen |= 1u << b;
		for (unsigned int k = 0; k < s->sizeofSelect; k++)
			m |= (uint32_t)s->pcrSelect[k] << (8 * k);
		if (m != mask)
			return false;
	}
	return true;
}

uint32_t cli_sel_mask(const TPML_PCR_SELECTION *sel, uint16_t alg)
{
	uint32_t mask = 0;

	for (uint32_t i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];

		if (s->hash != alg)
			continue;
		for (unsigned int k = 0; k < s->sizeofSelect && k < 4; k++)
			mask |= (uint32_t)s->pcrSelect[k] << (8 * k);
	}
	return mask;
}
