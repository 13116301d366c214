/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the TPM objects a verifier checks without a TPM
 * (attest, verify --evidence): a key's public area and its name, a
 * quote's TPMS_ATTEST and TPMT_SIGNATURE (unmarshalled by tpm2-tss's
 * Tss2_MU), the signature checked with libcrypto, and the handoff quote's
 * binding (Documentation/attestation.rst, "The binding").
 */
#ifndef CLI_TPMOBJ_H
#define CLI_TPMOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#include "bank.h"

#define CLI_NAME_MAX	(2 + CLI_MAX_DIGEST)	/* nameAlg, then a digest */

/* A key's public area, as TPM2B_PUBLIC bytes and unmarshalled. */
struct cli_key {
	TPM2B_PUBLIC pub;
	uint8_t name[CLI_NAME_MAX];	/* nameAlg || H(TPMT_PUBLIC) */
	size_t name_len;
};

/*
 * Unmarshal len bytes of TPM2B_PUBLIC (exactly) and compute the key's name
 * over the TPMT_PUBLIC bytes as given.  0, or -1 with a reason in err.
 */
int cli_key_load(const uint8_t *buf, size_t len, struct cli_key *k, char *err,
		 size_t errlen);

/*
 * An attestation key: restricted, sign, not decrypt, fixedTPM,
 * fixedParent, sensitiveDataOrigin, with a signing scheme (the module's
 * th_key_is_ak()).
 */
bool cli_key_is_ak(const struct cli_key *k);

/* A quote: what the TPM signed, and the signature. */
struct cli_quote {
	TPMS_ATTEST attest;
	TPMT_SIGNATURE sig;
	const uint8_t *attest_buf;	/* the signed bytes (not owned) */
	size_t attest_len;
};

/*
 * Unmarshal a quote's TPMS_ATTEST and TPMT_SIGNATURE (each exactly); it
 * must be a quote (TPM_ST_ATTEST_QUOTE) made by a TPM
 * (TPM_GENERATED_VALUE).  0, or -1 with a reason in err.
 */
int cli_quote_load(const uint8_t *attest, size_t attest_len, const uint8_t *sig,
		   size_t sig_len, struct cli_quote *q, char *err, size_t errlen);

/*
 * Check q's signature with k (RSASSA, RSAPSS, ECDSA on NIST P-256/384/521):
 * it must use the key's own scheme and hash, not SHA-1.  0 valid, 1 not
 * valid (err says why), -1 cannot check (err says why).
 */
int cli_quote_verify(const struct cli_key *k, const struct cli_quote *q,
		     char *err, size_t errlen);

/*
 * The PCR values a quote covers, in its selection's order: bank after
 * bank, lowest PCR first.  vals[P][b] for enum cli_bank b.  The digest
 * with hash alg (a TPM_ALG id) into out (size *out_len).  0, or -1 if the
 * selection names a bank the tool does not know or alg is unknown.
 */
int cli_quote_pcr_digest(const TPML_PCR_SELECTION *sel, uint16_t alg,
			 const uint8_t vals[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST],
			 uint8_t *out, size_t *out_len);

/* What the handoff quote binds besides the values (the record's word). */
struct cli_bind_facts {
	uint64_t cut;
	const uint8_t *name;		/* the vTPM key's name */
	size_t name_len;
	uint32_t reset_count, restart_count;	/* the vTPM's at the handoff */
	uint32_t mask, ima_mask, bind_mask;	/* quoted, IMA's, bound */
	const enum cli_bank *banks;	/* the record's order */
	size_t nb;
	const uint8_t *kind;		/* per bank: 0 template-hash, 1 padded-sha1 */
};

/*
 * The handoff quote's qualifying data (SHA-256, into out[32]), "v2"
 * (Documentation/attestation.rst, "The binding").  0, or -1 (libcrypto).
 */
int cli_quote_binding(const struct cli_bind_facts *f,
		      const uint8_t vals[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST],
		      uint8_t out[32]);

/*
 * Does sel select exactly mask in each of banks[0..nb), each once, and
 * nothing else?
 */
bool cli_sel_is(const TPML_PCR_SELECTION *sel, const enum cli_bank *banks,
		size_t nb, uint32_t mask);

/* The PCR mask of a selection's bank alg, or 0 if it has none. */
uint32_t cli_sel_mask(const TPML_PCR_SELECTION *sel, uint16_t alg);

#endif /* CLI_TPMOBJ_H */
