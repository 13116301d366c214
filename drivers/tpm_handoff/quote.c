// SPDX-License-Identifier: GPL-2.0-only
/*
 * The handoff quote (TPM 2.0 only): the pTPM's signed last word for dom0.
 *
 * When attestation keys are provisioned (the ptpm_ak and vtpm_ak
 * parameters, Documentation/attestation.rst), the handoff reads both keys'
 * public areas before the barrier (TPM2_ReadPublic: their names, and the
 * pTPM key's signing scheme, whose hash the quote's PCR digest uses), and
 * under the barrier, once the cut is found, has the pTPM sign a TPM2_Quote
 * over the PCRs it mirrors, in every bank.  Its qualifying data is the
 * SHA-256 of the binding (th_quote_bind()): the cut, the vTPM key's name
 * and boot, the snapshot and how each PCR was mirrored, so the quote says
 * which prefix of the IMA log the pTPM vouches for and which vTPM key
 * inherits the rest.  Before the commit the
 * handoff parses the quote's TPMS_ATTEST and checks its PCR digest against
 * the snapshot (th_quote_check()).
 *
 * Everything here is pure logic (commands, parsers of what a TPM answers,
 * hashes): handoff.c sends the commands.  Every length in a response is
 * checked against the buffer before it is used.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <crypto/hash.h>
#include <tpm_handoff/compat.h>

#include "tpm_handoff.h"

/* TPM 2.0 Part 2 constants that linux/tpm.h does not name. */
#define TPM_GENERATED_VALUE	0xff544347
#define TPM_ST_ATTEST_QUOTE	0x8018
#define TPM_ALG_RSA		0x0001
#define TPM_ALG_HMAC		0x0005
#define TPM_ALG_RSASSA		0x0014
#define TPM_ALG_RSAES		0x0015
#define TPM_ALG_RSAPSS		0x0016
#define TPM_ALG_OAEP		0x0017
#define TPM_ALG_ECDSA		0x0018
#define TPM_ALG_ECDH		0x0019
#define TPM_ALG_ECDAA		0x001a
#define TPM_ALG_SM2		0x001b
#define TPM_ALG_ECSCHNORR	0x001c
#define TPM_ALG_ECMQV		0x001d
#define TPM_ALG_ECC		0x0023
#define TPM_ALG_AES		0x0006
#define TPM_ALG_SM4		0x0013
#define TPM_ALG_CAMELLIA	0x0026

/* TPMA_OBJECT (TPM 2.0 Part 2, 8.3); 6.1's linux/tpm.h names three. */
#define TH_OA_FIXED_TPM			BIT(1)
#define TH_OA_FIXED_PARENT		BIT(4)
#define TH_OA_SENSITIVE_DATA_ORIGIN	BIT(5)
#define TH_OA_RESTRICTED		BIT(16)
#define TH_OA_DECRYPT			BIT(17)
#define TH_OA_SIGN			BIT(18)

#define PCR_SELECT_BYTES	3	/* PCRs 0-23 */

/* The binding's first bytes: what it is and its version. */
static const u8 th_bind_label[] = "tpm_handoff quote v2";

/* A cursor over bytes from a TPM: reads fail once they are exhausted. */
struct cur {
	const u8 *p;
	size_t left;
};

static bool get(struct cur *c, const u8 **out, size_t n)
{
	if (c->left < n)
		return false;
	if (out)
		*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static bool get_u8(struct cur *c, u8 *v)
{
	const u8 *p;

	if (!get(c, &p, 1))
		return false;
	*v = *p;
	return true;
}

static bool get_u16(struct cur *c, u16 *v)
{
	const u8 *p;

	if (!get(c, &p, 2))
		return false;
	*v = get_unaligned_be16(p);
	return true;
}

static bool get_u32(struct cur *c, u32 *v)
{
	const u8 *p;

	if (!get(c, &p, 4))
		return false;
	*v = get_unaligned_be32(p);
	return true;
}

static bool get_u64(struct cur *c, u64 *v)
{
	const u8 *p;

	if (!get(c, &p, 8))
		return false;
	*v = get_unaligned_be64(p);
	return true;
}

/* A TPM2B of at most @max bytes. */
static bool get_2b(struct cur *c, const u8 **out, u16 *len, size_t max)
{
	return get_u16(c, len) && *len <= max && get(c, out, *len);
}

/**
 * th_tpm2_read_public_cmd() - build TPM2_ReadPublic
 * @buf: a tpm_buf from tpm_buf_init()
 * @handle: the object (a persistent handle, 0x81xxxxxx)
 */
void th_tpm2_read_public_cmd(struct tpm_buf *buf, u32 handle)
{
	tpm_buf_reset(buf, TPM2_ST_NO_SESSIONS, TH_CC_READ_PUBLIC);
	tpm_buf_append_u32(buf, handle);
}

/*
 * TPMT_SYM_DEF_OBJECT, then the scheme of TPMS_RSA_PARMS or
 * TPMS_ECC_PARMS (TPM 2.0 Part 2, 12.2.3.5-6): the scheme's hash, if the
 * scheme has one.
 */
static bool get_scheme(struct cur *c, u16 type, u16 *scheme, u16 *hash)
{
	u16 sym, skip;

	*hash = TPM_ALG_NULL;
	if (!get_u16(c, &sym))
		return false;
	/* TPMI_ALG_SYM_OBJECT: a block cipher (keyBits, mode) or nothing. */
	switch (sym) {
	case TPM_ALG_NULL:
		break;
	case TPM_ALG_AES:
	case TPM_ALG_SM4:
	case TPM_ALG_CAMELLIA:
		if (!get_u16(c, &skip) || !get_u16(c, &skip))
			return false;
		break;
	default:
		return false;
	}
	if (!get_u16(c, scheme))
		return false;
	switch (*scheme) {
	case TPM_ALG_NULL:
		return true;
	case TPM_ALG_RSAES:
		return type == TPM_ALG_RSA;
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
	case TPM_ALG_OAEP:
		return type == TPM_ALG_RSA && get_u16(c, hash);
	case TPM_ALG_ECDSA:
	case TPM_ALG_SM2:
	case TPM_ALG_ECSCHNORR:
	case TPM_ALG_ECDH:
	case TPM_ALG_ECMQV:
		return type == TPM_ALG_ECC && get_u16(c, hash);
	case TPM_ALG_ECDAA:
		return type == TPM_ALG_ECC && get_u16(c, hash) &&
		       get_u16(c, &skip);
	default:
		return false;
	}
}

/**
 * th_tpm2_read_public_rsp() - parse a TPM2_ReadPublic response
 * @rsp: the response (header included)
 * @len: its length
 * @key: receives the key's type, attributes, scheme and name (its
 *	 @handle is left alone)
 *
 * Only the start of the public area is parsed (type, nameAlg, attributes,
 * authPolicy, and for RSA and ECC keys the symmetric definition and the
 * scheme); its size says where the name starts.  The name must be the
 * object's name: nameAlg, then a digest.  Anything else (a keyed-hash or
 * symmetric object) comes back with @key->scheme TPM_ALG_NULL.
 *
 * Return: 0, -EIO for a TPM error, -EPROTO for a malformed response.
 */
int th_tpm2_read_public_rsp(const u8 *rsp, size_t len, struct th_key *key)
{
	struct cur c, pub;
	const u8 *p, *name;
	u16 size, name_len, policy_len;
	u32 rc;

	if (th_tpm_rsp_check(rsp, len, &rc))
		return -EPROTO;
	if (rc)
		return -EIO;
	c.p = rsp + TPM_HEADER_SIZE;
	c.left = len - TPM_HEADER_SIZE;
	if (!get_2b(&c, &p, &size, 0xffff))
		return -EPROTO;
	pub.p = p;
	pub.left = size;
	if (!get_u16(&pub, &key->type) || !get_u16(&pub, &key->name_alg) ||
	    !get_u32(&pub, &key->attrs) ||
	    !get_2b(&pub, NULL, &policy_len, TH_MAX_DIGEST))
		return -EPROTO;
	key->scheme = TPM_ALG_NULL;
	key->scheme_hash = TPM_ALG_NULL;
	if ((key->type == TPM_ALG_RSA || key->type == TPM_ALG_ECC) &&
	    !get_scheme(&pub, key->type, &key->scheme, &key->scheme_hash))
		return -EPROTO;

	if (!get_2b(&c, &name, &name_len, TH_NAME_MAX) || name_len <= 2 ||
	    get_unaligned_be16(name) != key->name_alg)
		return -EPROTO;
	/* qualifiedName: its hierarchy's, not needed here. */
	if (!get_2b(&c, NULL, &size, TH_NAME_MAX) || c.left)
		return -EPROTO;
	memcpy(key->name, name, name_len);
	key->name_len = name_len;
	return 0;
}

/**
 * th_tpm2_read_clock_cmd() - build TPM2_ReadClock
 * @buf: a tpm_buf from tpm_buf_init()
 */
void th_tpm2_read_clock_cmd(struct tpm_buf *buf)
{
	tpm_buf_reset(buf, TPM2_ST_NO_SESSIONS, TH_CC_READ_CLOCK);
}

/**
 * th_tpm2_read_clock_rsp() - parse a TPM2_ReadClock response
 * @rsp: the response (header included)
 * @len: its length
 * @reset_count: receives clockInfo.resetCount (TPM resets)
 * @restart_count: receives clockInfo.restartCount (restarts since)
 *
 * The response is a TPMS_TIME_INFO: time, then TPMS_CLOCK_INFO (clock,
 * resetCount, restartCount, safe), and nothing after it.
 *
 * Return: 0, -EIO for a TPM error, -EPROTO for a malformed response.
 */
int th_tpm2_read_clock_rsp(const u8 *rsp, size_t len, u32 *reset_count,
			   u32 *restart_count)
{
	struct cur c;
	u64 t;
	u32 rc, reset, restart;
	u8 safe;

	if (th_tpm_rsp_check(rsp, len, &rc))
		return -EPROTO;
	if (rc)
		return -EIO;
	c.p = rsp + TPM_HEADER_SIZE;
	c.left = len - TPM_HEADER_SIZE;
	if (!get_u64(&c, &t) || !get_u64(&c, &t) || !get_u32(&c, &reset) ||
	    !get_u32(&c, &restart) || !get_u8(&c, &safe) || c.left)
		return -EPROTO;
	*reset_count = reset;
	*restart_count = restart;
	return 0;
}

/**
 * th_key_is_ak() - is @key an attestation key a verifier can trust?
 * @key: from th_tpm2_read_public_rsp()
 *
 * A restricted signing key that never leaves its TPM (fixedTPM,
 * fixedParent, sensitiveDataOrigin), with a signing scheme: what
 * tpm2_createak and tpm-handoff provision make.  A restricted key signs
 * only what the TPM itself produced, so a quote from it cannot be forged
 * through TPM2_Sign.
 */
bool th_key_is_ak(const struct th_key *key)
{
	const u32 need = TH_OA_FIXED_TPM | TH_OA_FIXED_PARENT |
			 TH_OA_SENSITIVE_DATA_ORIGIN | TH_OA_RESTRICTED |
			 TH_OA_SIGN;

	if ((key->attrs & need) != need || key->attrs & TH_OA_DECRYPT)
		return false;
	switch (key->scheme) {
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
	case TPM_ALG_ECDSA:
	case TPM_ALG_SM2:
	case TPM_ALG_ECSCHNORR:
		return true;
	default:
		return false;
	}
}

/**
 * th_quote_alloc() - allocate a quote and its hashes
 * @ptpm_key: the pTPM's key, which will sign it (th_key_is_ak())
 * @vtpm_key: the vTPM's key, which it will name
 * @err: why it failed (TH_ERRLEN bytes)
 *
 * Before the barrier: allocating a hash may load a module, whose
 * measurement would wait for the barrier.
 *
 * Return: the quote, or an ERR_PTR().
 */
struct th_quote *th_quote_alloc(const struct th_key *ptpm_key,
				const struct th_key *vtpm_key, char *err)
{
	struct th_quote *q = kzalloc(sizeof(*q), GFP_KERNEL);
	u16 hash = ptpm_key->scheme_hash;
	const char *names[2] = { "sha256", th_alg_name(hash) };
	struct shash_desc **desc[2];
	struct crypto_shash *tfm;
	unsigned int i;

	if (!q) {
		snprintf(err, TH_ERRLEN, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	q->ptpm_key = *ptpm_key;
	q->vtpm_key = *vtpm_key;
	q->pcr_hash = hash;
	desc[0] = &q->bind;
	desc[1] = &q->pcr;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		tfm = crypto_alloc_shash(names[i], 0, 0);
		if (IS_ERR(tfm)) {
			snprintf(err, TH_ERRLEN,
				 "the handoff quote needs the %s hash (TPM_ALG 0x%04x): %ld",
				 names[i], i ? hash : TPM_ALG_SHA256,
				 PTR_ERR(tfm));
			th_quote_free(q);
			return ERR_PTR(PTR_ERR(tfm));
		}
		*desc[i] = kzalloc(sizeof(**desc[i]) +
				   crypto_shash_descsize(tfm), GFP_KERNEL);
		if (!*desc[i]) {
			crypto_free_shash(tfm);
			snprintf(err, TH_ERRLEN, "out of memory");
			th_quote_free(q);
			return ERR_PTR(-ENOMEM);
		}
		(*desc[i])->tfm = tfm;
	}
	return q;
}

/**
 * th_quote_free() - free a quote from th_quote_alloc()
 * @q: the quote, or NULL
 */
void th_quote_free(struct th_quote *q)
{
	if (!q)
		return;
	if (q->bind) {
		crypto_free_shash(q->bind->tfm);
		kfree_sensitive(q->bind);
	}
	if (q->pcr) {
		crypto_free_shash(q->pcr->tfm);
		kfree_sensitive(q->pcr);
	}
	kfree(q);
}

static int hash_be(struct shash_desc *d, u64 v, unsigned int bytes)
{
	u8 b[8];

	put_unaligned_be64(v, b);
	return crypto_shash_update(d, b + 8 - bytes, bytes);
}

/**
 * th_quote_bind() - compute the quote's qualifying data
 * @q: the quote, with the vTPM key's name and clock counts read, and
 *     @cut, @pcr_mask, @ima_mask, @bind_mask and @kind set
 * @snap: the snapshot (its banks are the quote's)
 *
 * @q->data = SHA-256 of, big-endian:
 *	"tpm_handoff quote v2\0"		21 bytes
 *	cut					u64
 *	the vTPM key's name			u16 size, then the name
 *	the vTPM's resetCount, restartCount	u32, u32
 *	@pcr_mask, @ima_mask, @bind_mask	u32 each
 *	number of banks				u16
 *	per bank, in the snapshot's order:	u16 alg, u16 digest size,
 *		u8 digest kind (0: template-hash, 1: padded-sha1), then the
 *		snapshot of the PCRs in @pcr_mask, lowest first
 * So the pTPM signs everything in the record that a verifier acts on:
 * which prefix of the log, which values, which PCRs the IMA log extends
 * and how, which firmware PCRs were bound, which vTPM key and which vTPM
 * boot inherit the log.  Documentation/attestation.rst gives the same for
 * verifiers.
 *
 * Return: 0 or the hash's error.
 */
int th_quote_bind(struct th_quote *q, const struct th_pcr_values *snap)
{
	const struct th_banks *banks = &snap->banks;
	struct shash_desc *d = q->bind;
	unsigned int b, p;
	int rc;

	rc = crypto_shash_init(d);
	if (!rc)
		rc = crypto_shash_update(d, th_bind_label, sizeof(th_bind_label));
	if (!rc)
		rc = hash_be(d, q->cut, 8);
	if (!rc)
		rc = hash_be(d, q->vtpm_key.name_len, 2);
	if (!rc)
		rc = crypto_shash_update(d, q->vtpm_key.name,
					 q->vtpm_key.name_len);
	if (!rc)
		rc = hash_be(d, q->vtpm_reset_count, 4);
	if (!rc)
		rc = hash_be(d, q->vtpm_restart_count, 4);
	if (!rc)
		rc = hash_be(d, q->pcr_mask, 4);
	if (!rc)
		rc = hash_be(d, q->ima_mask, 4);
	if (!rc)
		rc = hash_be(d, q->bind_mask, 4);
	if (!rc)
		rc = hash_be(d, banks->nr, 2);
	for (b = 0; b < banks->nr && !rc; b++) {
		rc = hash_be(d, banks->alg[b], 2);
		if (!rc)
			rc = hash_be(d, banks->size[b], 2);
		if (!rc)
			rc = hash_be(d, q->kind[b], 1);
		for (p = 0; p < TH_NR_PCRS && !rc; p++)
			if (q->pcr_mask & BIT(p))
				rc = crypto_shash_update(d, snap->val[b][p],
							 banks->size[b]);
	}
	if (!rc)
		rc = crypto_shash_final(d, q->data);
	return rc;
}

/**
 * th_tpm2_quote_cmd() - build TPM2_Quote
 * @buf: a tpm_buf from tpm_buf_init()
 * @q: the quote, after th_quote_bind()
 * @banks: the banks to quote, @q->pcr_mask in each
 *
 * Signed with the key's own scheme (inScheme TPM_ALG_NULL), authorised
 * with the empty password as tpm2_createak's keys are.
 *
 * Return: 0, or -E2BIG if the command does not fit.
 */
int th_tpm2_quote_cmd(struct tpm_buf *buf, const struct th_quote *q,
		      const struct th_banks *banks)
{
	unsigned int b, i;

	tpm_buf_reset(buf, TPM2_ST_SESSIONS, TH_CC_QUOTE);
	buf->flags = 0;
	tpm_buf_append_u32(buf, q->ptpm_key.handle);
	tpm_buf_append_u32(buf, 9);		/* authorization size */
	tpm_buf_append_u32(buf, TPM2_RS_PW);
	tpm_buf_append_u16(buf, 0);		/* nonce */
	tpm_buf_append_u8(buf, 0);		/* attributes */
	tpm_buf_append_u16(buf, 0);		/* hmac */
	tpm_buf_append_u16(buf, sizeof(q->data));
	tpm_buf_append(buf, q->data, sizeof(q->data));
	tpm_buf_append_u16(buf, TPM_ALG_NULL);
	tpm_buf_append_u32(buf, banks->nr);
	for (b = 0; b < banks->nr; b++) {
		tpm_buf_append_u16(buf, banks->alg[b]);
		tpm_buf_append_u8(buf, PCR_SELECT_BYTES);
		for (i = 0; i < PCR_SELECT_BYTES; i++)
			tpm_buf_append_u8(buf, (q->pcr_mask >> (8 * i)) & 0xff);
	}
	return buf->flags & TPM_BUF_OVERFLOW ? -E2BIG : 0;
}

/**
 * th_tpm2_quote_rsp() - take the quote out of a TPM2_Quote response
 * @rsp: the response (header included)
 * @len: its length
 * @q: receives the TPMS_ATTEST (@attest) and the TPMT_SIGNATURE (@sig,
 *     @sig_alg, @sig_hash) as the pTPM produced them
 *
 * The signature is kept as bytes for the verifier; only its algorithm and
 * hash are read (every signature scheme starts with them).
 *
 * Return: 0, -EIO for a TPM error, -EPROTO for a malformed response.
 */
int th_tpm2_quote_rsp(const u8 *rsp, size_t len, struct th_quote *q)
{
	const u8 *params, *attest, *sig;
	u16 attest_len;
	u32 rc, size;
	struct cur c;

	if (th_tpm_rsp_check(rsp, len, &rc))
		return -EPROTO;
	if (rc)
		return -EIO;
	c.p = rsp + TPM_HEADER_SIZE;
	c.left = len - TPM_HEADER_SIZE;
	/* parameterSize, the parameters, then the password session's answer. */
	if (!get_u32(&c, &size) || !get(&c, &params, size))
		return -EPROTO;
	c.p = params;
	c.left = size;
	if (!get_2b(&c, &attest, &attest_len, TH_ATTEST_MAX) ||
	    c.left < 4 || c.left > TH_SIG_MAX)
		return -EPROTO;
	sig = c.p;
	q->sig_alg = get_unaligned_be16(sig);
	q->sig_hash = get_unaligned_be16(sig + 2);
	switch (q->sig_alg) {
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
	case TPM_ALG_ECDSA:
	case TPM_ALG_ECDAA:
	case TPM_ALG_SM2:
	case TPM_ALG_ECSCHNORR:
	case TPM_ALG_HMAC:
		break;
	default:
		return -EPROTO;
	}
	memcpy(q->attest, attest, attest_len);
	q->attest_len = attest_len;
	memcpy(q->sig, sig, c.left);
	q->sig_len = c.left;
	return 0;
}

/**
 * th_attest_parse() - parse a TPMS_ATTEST of a quote
 * @buf: the TPMS_ATTEST (TPM2B_ATTEST's bytes)
 * @len: its length
 * @a: receives its fields; pointers point into @buf
 *
 * Only a quote (TPM_ST_ATTEST_QUOTE) made by a TPM (TPM_GENERATED_VALUE)
 * parses, with PCRs 0-23 selected in at most TH_MAX_BANKS banks, and
 * nothing after its PCR digest.
 *
 * Return: 0 or -EPROTO.
 */
int th_attest_parse(const u8 *buf, size_t len, struct th_attest *a)
{
	struct cur c = { .p = buf, .left = len };
	u32 magic, count, mask;
	u8 sel_size, sel;
	unsigned int b, i;

	memset(a, 0, sizeof(*a));
	if (!get_u32(&c, &magic) || magic != TPM_GENERATED_VALUE ||
	    !get_u16(&c, &a->type) || a->type != TPM_ST_ATTEST_QUOTE ||
	    !get_2b(&c, &a->signer, &a->signer_len, TH_NAME_MAX) ||
	    !get_2b(&c, &a->extra, &a->extra_len, TH_MAX_DIGEST) ||
	    !get_u64(&c, &a->clock) || !get_u32(&c, &a->reset_count) ||
	    !get_u32(&c, &a->restart_count) || !get_u8(&c, &a->safe) ||
	    !get_u64(&c, &a->fw_version) ||
	    !get_u32(&c, &count) || count > TH_MAX_BANKS)
		return -EPROTO;
	for (b = 0; b < count; b++) {
		if (!get_u16(&c, &a->sel_alg[b]) || !get_u8(&c, &sel_size) ||
		    sel_size > 4)
			return -EPROTO;
		for (i = 0, mask = 0; i < sel_size; i++) {
			if (!get_u8(&c, &sel))
				return -EPROTO;
			mask |= (u32)sel << (8 * i);
		}
		if (mask & ~GENMASK(TH_NR_PCRS - 1, 0))
			return -EPROTO;
		a->sel_mask[b] = mask;
	}
	a->nr_sel = count;
	if (!get_2b(&c, &a->pcr_digest, &a->pcr_digest_len, TH_MAX_DIGEST) ||
	    c.left)
		return -EPROTO;
	return 0;
}

/**
 * th_quote_pcr_digest() - what a quote's PCR digest must be
 * @q: the quote (its @pcr hash and @pcr_mask)
 * @snap: the PCR values, in the banks quoted
 * @out: receives the digest (the hash's size)
 *
 * The TPM hashes the selected PCRs' values, selection by selection in the
 * order of TPML_PCR_SELECTION, lowest PCR first (TPM 2.0 Part 1, 17.6.2),
 * with the signing scheme's hash.
 *
 * Return: the digest's size, or the hash's error.
 */
int th_quote_pcr_digest(struct th_quote *q, const struct th_pcr_values *snap,
			u8 *out)
{
	const struct th_banks *banks = &snap->banks;
	struct shash_desc *d = q->pcr;
	unsigned int b, p;
	int rc;

	rc = crypto_shash_init(d);
	for (b = 0; b < banks->nr && !rc; b++)
		for (p = 0; p < TH_NR_PCRS && !rc; p++)
			if (q->pcr_mask & BIT(p))
				rc = crypto_shash_update(d, snap->val[b][p],
							 banks->size[b]);
	if (!rc)
		rc = crypto_shash_final(d, out);
	return rc ? rc : crypto_shash_digestsize(d->tfm);
}

/**
 * th_quote_check() - check the pTPM's quote against what the handoff saw
 * @q: the quote, from th_tpm2_quote_rsp()
 * @snap: the snapshot
 * @err: why it does not match (TH_ERRLEN bytes)
 *
 * The attestation must be a quote with our qualifying data, of exactly the
 * PCRs and banks asked for, signed with the key's scheme hash, whose PCR
 * digest is the snapshot's.  Sets @q's clock fields.
 *
 * Return: 0, -EPROTO if the attestation does not parse, -EBADMSG if it
 * does not match.
 */
int th_quote_check(struct th_quote *q, const struct th_pcr_values *snap,
		   char *err)
{
	const struct th_banks *banks = &snap->banks;
	u8 want[TH_MAX_DIGEST];
	struct th_attest a;
	unsigned int b;
	int n;

	if (th_attest_parse(q->attest, q->attest_len, &a)) {
		snprintf(err, TH_ERRLEN,
			 "the pTPM's quote is malformed (%u bytes of TPMS_ATTEST)",
			 q->attest_len);
		return -EPROTO;
	}
	if (a.extra_len != sizeof(q->data) ||
	    memcmp(a.extra, q->data, sizeof(q->data))) {
		snprintf(err, TH_ERRLEN,
			 "the pTPM's quote does not carry the qualifying data asked for");
		return -EBADMSG;
	}
	if (a.nr_sel != banks->nr) {
		snprintf(err, TH_ERRLEN,
			 "the pTPM's quote covers %u banks, not the %u asked for",
			 a.nr_sel, banks->nr);
		return -EBADMSG;
	}
	for (b = 0; b < banks->nr; b++)
		if (a.sel_alg[b] != banks->alg[b] ||
		    a.sel_mask[b] != q->pcr_mask) {
			snprintf(err, TH_ERRLEN,
				 "the pTPM's quote selects PCRs 0x%06x of bank 0x%04x, not 0x%06x of %s",
				 a.sel_mask[b], a.sel_alg[b], q->pcr_mask,
				 th_alg_name(banks->alg[b]));
			return -EBADMSG;
		}
	if (q->sig_hash != q->pcr_hash) {
		snprintf(err, TH_ERRLEN,
			 "the pTPM's quote is signed with hash 0x%04x, not its key's 0x%04x",
			 q->sig_hash, q->pcr_hash);
		return -EBADMSG;
	}
	n = th_quote_pcr_digest(q, snap, want);
	if (n < 0) {
		snprintf(err, TH_ERRLEN, "cannot hash the snapshot (%d)", n);
		return n;
	}
	if (a.pcr_digest_len != n || memcmp(a.pcr_digest, want, n)) {
		snprintf(err, TH_ERRLEN,
			 "the pTPM's quote's PCR digest is not the snapshot's: the pTPM signed other PCR values than it reported");
		return -EBADMSG;
	}
	q->clock = a.clock;
	q->reset_count = a.reset_count;
	q->restart_count = a.restart_count;
	return 0;
}
