// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the handoff quote (quote.c) against a real TPM's answers
 * (test_quote.h, made from a swtpm by testing/fixtures/mkquote.sh): the
 * keys' TPM2_ReadPublic, the binding (against Python's hashlib), the
 * TPM2_Quote command's bytes, and the check of an RSA and an ECDSA quote
 * against the snapshot; then every way an answer can be short, long or
 * different.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "test_log.h"
#include "test_quote.h"

static const struct th_banks tq_banks = {
	.nr = 2,
	.alg = { TPM_ALG_SHA1, TPM_ALG_SHA256 },
	.size = { 20, 32 },
};

/* A copy of @src with its header's size set to @len. */
static u8 *resized(struct kunit *test, const u8 *src, size_t src_len,
		   size_t len)
{
	u8 *b = kunit_kzalloc(test, max(len, src_len), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	memcpy(b, src, min(len, src_len));
	if (len >= TPM_HEADER_SIZE)
		put_unaligned_be32(len, b + 2);
	return b;
}

/* The snapshot the fixture's quotes cover: PCRs 0-10, sha1 then sha256. */
static struct th_pcr_values *tq_snap(struct kunit *test)
{
	struct th_pcr_values *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	const u8 *p = tq_pcrs;
	unsigned int b, i;

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_EQ(test, sizeof(tq_pcrs), (size_t)11 * (20 + 32));
	v->banks = tq_banks;
	for (b = 0; b < 2; b++)
		for (i = 0; i <= 10; i++) {
			memcpy(v->val[b][i], p, tq_banks.size[b]);
			p += tq_banks.size[b];
		}
	v->valid = GENMASK(TH_NR_PCRS - 1, 0);
	return v;
}

/* The fixture's facts besides the cut (test_quote.h). */
static void tq_facts(struct th_quote *q, u64 cut)
{
	q->cut = cut;
	q->pcr_mask = TQ_MASK;
	q->ima_mask = TQ_IMA_MASK;
	q->bind_mask = TQ_BIND_MASK;
	q->vtpm_reset_count = TQ_RESET;
	q->vtpm_restart_count = TQ_RESTART;
	q->kind[0] = TH_KIND_HASH;
	q->kind[1] = TH_KIND_PADDED;
}

static void tq_key(struct kunit *test, const u8 *rsp, size_t len,
		   struct th_key *key)
{
	memset(key, 0, sizeof(*key));
	KUNIT_ASSERT_EQ(test, th_tpm2_read_public_rsp(rsp, len, key), 0);
}

/* A quote allocated for the fixture's keys: the RSA or the ECC one signs. */
static struct th_quote *tq_quote(struct kunit *test, bool ecc_signs)
{
	struct th_key rsa, ecc;
	struct th_quote *q;
	char err[TH_ERRLEN] = "";

	tq_key(test, tq_rsa_read_public_rsp, sizeof(tq_rsa_read_public_rsp),
	       &rsa);
	tq_key(test, tq_ecc_read_public_rsp, sizeof(tq_ecc_read_public_rsp),
	       &ecc);
	rsa.handle = 0x81010002;
	ecc.handle = 0x81010003;
	q = th_quote_alloc(ecc_signs ? &ecc : &rsa, &ecc, err);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(q), "%s", err);
	return q;
}

static void quote_test_read_public(struct kunit *test)
{
	struct th_key k;

	tq_key(test, tq_rsa_read_public_rsp, sizeof(tq_rsa_read_public_rsp),
	       &k);
	KUNIT_EXPECT_EQ(test, k.type, 0x0001);		/* RSA */
	KUNIT_EXPECT_EQ(test, k.name_alg, TPM_ALG_SHA256);
	KUNIT_EXPECT_EQ(test, k.scheme, 0x0014);	/* RSASSA */
	KUNIT_EXPECT_EQ(test, k.scheme_hash, TPM_ALG_SHA256);
	KUNIT_EXPECT_EQ(test, k.name_len, sizeof(tq_rsa_name));
	KUNIT_EXPECT_EQ(test, memcmp(k.name, tq_rsa_name, sizeof(tq_rsa_name)), 0);
	KUNIT_EXPECT_TRUE(test, th_key_is_ak(&k));

	tq_key(test, tq_ecc_read_public_rsp, sizeof(tq_ecc_read_public_rsp),
	       &k);
	KUNIT_EXPECT_EQ(test, k.type, 0x0023);		/* ECC */
	KUNIT_EXPECT_EQ(test, k.scheme, 0x0018);	/* ECDSA */
	KUNIT_EXPECT_EQ(test, k.scheme_hash, TPM_ALG_SHA256);
	KUNIT_EXPECT_EQ(test, k.name_len, sizeof(tq_ecc_name));
	KUNIT_EXPECT_EQ(test, memcmp(k.name, tq_ecc_name, sizeof(tq_ecc_name)), 0);
	KUNIT_EXPECT_TRUE(test, th_key_is_ak(&k));
}

static void quote_test_read_public_bad(struct kunit *test)
{
	const size_t n = sizeof(tq_rsa_read_public_rsp);
	struct th_key k;
	size_t len;
	u8 *r;

	/* Every shorter answer (its header saying so), and a longer one. */
	for (len = 0; len < n; len++) {
		r = resized(test, tq_rsa_read_public_rsp, n, len);
		KUNIT_EXPECT_EQ_MSG(test, th_tpm2_read_public_rsp(r, len, &k),
				    -EPROTO, "length %zu", len);
	}
	r = resized(test, tq_rsa_read_public_rsp, n, n + 1);
	KUNIT_EXPECT_EQ(test, th_tpm2_read_public_rsp(r, n + 1, &k), -EPROTO);
	/* A header that does not say the length received. */
	r = resized(test, tq_rsa_read_public_rsp, n, n);
	put_unaligned_be32(n - 1, r + 2);
	KUNIT_EXPECT_EQ(test, th_tpm2_read_public_rsp(r, n, &k), -EPROTO);
	/* TPM_RC_HANDLE for handle 1: a key that is not there. */
	r = resized(test, tq_rsa_read_public_rsp, n, TPM_HEADER_SIZE);
	put_unaligned_be32(0x18b, r + 6);
	KUNIT_EXPECT_EQ(test, th_tpm2_read_public_rsp(r, TPM_HEADER_SIZE, &k),
			-EIO);
	/* A name whose algorithm is not the public area's nameAlg. */
	r = resized(test, tq_rsa_read_public_rsp, n, n);
	len = TPM_HEADER_SIZE + 2 + get_unaligned_be16(r + TPM_HEADER_SIZE);
	KUNIT_ASSERT_EQ(test, get_unaligned_be16(r + len + 2), TPM_ALG_SHA256);
	put_unaligned_be16(TPM_ALG_SHA1, r + len + 2);
	KUNIT_EXPECT_EQ(test, th_tpm2_read_public_rsp(r, n, &k), -EPROTO);
}

static void quote_test_is_ak(struct kunit *test)
{
	struct th_key k, ak;

	tq_key(test, tq_rsa_read_public_rsp, sizeof(tq_rsa_read_public_rsp),
	       &ak);
	k = ak;
	k.attrs &= ~BIT(16);			/* not restricted */
	KUNIT_EXPECT_FALSE(test, th_key_is_ak(&k));
	k = ak;
	k.attrs |= BIT(17);			/* decrypt too */
	KUNIT_EXPECT_FALSE(test, th_key_is_ak(&k));
	k = ak;
	k.attrs &= ~BIT(1);			/* not fixedTPM: may leave it */
	KUNIT_EXPECT_FALSE(test, th_key_is_ak(&k));
	k = ak;
	k.scheme = TPM_ALG_NULL;
	KUNIT_EXPECT_FALSE(test, th_key_is_ak(&k));
}

/* The binding, as Python's hashlib computed it for the fixture. */
static void quote_test_bind(struct kunit *test)
{
	struct th_pcr_values *snap = tq_snap(test);
	struct th_quote *q = tq_quote(test, false);

	tq_facts(q, TQ_CUT);
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_EQ(test, sizeof(tq_data), sizeof(q->data));
	KUNIT_EXPECT_EQ(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	/*
	 * Each bound thing changes it: the cut, a PCR, the vTPM key and its
	 * boot, which PCRs are IMA's or bound, a bank's digest kind.
	 */
	tq_facts(q, TQ_CUT + 1);
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_NE(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	tq_facts(q, TQ_CUT);
	snap->val[1][10][31] ^= 1;
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_NE(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	snap->val[1][10][31] ^= 1;
	q->vtpm_key.name[5] ^= 1;
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_NE(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	q->vtpm_key.name[5] ^= 1;
	q->vtpm_restart_count++;
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_NE(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	tq_facts(q, TQ_CUT);
	q->bind_mask = 0;
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_NE(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	tq_facts(q, TQ_CUT);
	q->ima_mask |= BIT(9);
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_NE(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	tq_facts(q, TQ_CUT);
	q->kind[1] = TH_KIND_HASH;
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_NE(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	/* And back: the same data again. */
	tq_facts(q, TQ_CUT);
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_EXPECT_EQ(test, memcmp(q->data, tq_data, sizeof(tq_data)), 0);
	th_quote_free(q);
}

static void quote_test_cmd(struct kunit *test)
{
	static const u8 head[] = {
		0x80, 0x02, 0, 0, 0, 10 + 4 + 4 + 9 + 2 + 32 + 2 + 4 + 2 * 6,
		0, 0, 0x01, 0x58,
		0x81, 0x01, 0x00, 0x02,				/* the key */
		0, 0, 0, 9, 0x40, 0, 0, 9, 0, 0, 0, 0, 0,	/* password */
		0, 32,						/* data */
	};
	static const u8 tail[] = {
		0x00, 0x10,					/* TPM_ALG_NULL */
		0, 0, 0, 2,
		0x00, 0x04, 3, 0xff, 0x07, 0x00,		/* sha1: 0-10 */
		0x00, 0x0b, 3, 0xff, 0x07, 0x00,		/* sha256 */
	};
	struct th_quote *q = tq_quote(test, false);
	struct tpm_buf buf;

	tq_facts(q, TQ_CUT);
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, tq_snap(test)), 0);
	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, th_tpm2_quote_cmd(&buf, q, &tq_banks), 0);
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf),
			(u32)(sizeof(head) + 32 + sizeof(tail)));
	KUNIT_EXPECT_EQ(test, memcmp(buf.data, head, sizeof(head)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf.data + sizeof(head), tq_data, 32), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf.data + sizeof(head) + 32, tail,
				     sizeof(tail)), 0);
	tpm_buf_destroy(&buf);

	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, 0, 0), 0);
	th_tpm2_read_public_cmd(&buf, 0x81010002);
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), 14U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(buf.data), TPM2_ST_NO_SESSIONS);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf.data + 6), 0x173U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf.data + 10), 0x81010002U);
	tpm_buf_destroy(&buf);
	th_quote_free(q);
}

/* Both real quotes pass the check: the RSA key's, then the ECC key's. */
static void quote_test_check(struct kunit *test)
{
	struct th_pcr_values *snap = tq_snap(test);
	char err[TH_ERRLEN] = "";
	struct th_quote *q;
	int ecc;

	for (ecc = 0; ecc <= 1; ecc++) {
		const u8 *rsp = ecc ? tq_ecc_quote_rsp : tq_rsa_quote_rsp;
		size_t n = ecc ? sizeof(tq_ecc_quote_rsp) : sizeof(tq_rsa_quote_rsp);

		q = tq_quote(test, ecc);
		tq_facts(q, TQ_CUT);
		KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
		KUNIT_ASSERT_EQ(test, th_tpm2_quote_rsp(rsp, n, q), 0);
		KUNIT_EXPECT_EQ(test, q->sig_alg, ecc ? 0x0018 : 0x0014);
		KUNIT_EXPECT_EQ(test, q->sig_hash, TPM_ALG_SHA256);
		KUNIT_EXPECT_EQ_MSG(test, th_quote_check(q, snap, err), 0,
				    "%s", err);
		/*
		 * clockInfo: after magic, type, qualifiedSigner (a sha256
		 * name), extraData (32 bytes) and the clock.
		 */
		KUNIT_EXPECT_EQ(test, q->clock,
				get_unaligned_be64(q->attest + 4 + 2 + 36 + 34));
		KUNIT_EXPECT_EQ(test, q->reset_count,
				get_unaligned_be32(q->attest + 84));
		KUNIT_EXPECT_EQ(test, q->restart_count,
				get_unaligned_be32(q->attest + 88));
		th_quote_free(q);
	}
}

/* A quote that does not show what the handoff saw is refused. */
static void quote_test_check_mismatch(struct kunit *test)
{
	struct th_pcr_values *snap = tq_snap(test);
	struct th_quote *q = tq_quote(test, false);
	char err[TH_ERRLEN];

	tq_facts(q, TQ_CUT);
	KUNIT_ASSERT_EQ(test, th_quote_bind(q, snap), 0);
	KUNIT_ASSERT_EQ(test, th_tpm2_quote_rsp(tq_rsa_quote_rsp,
						sizeof(tq_rsa_quote_rsp), q), 0);
	/* A PCR the pTPM signed is not the snapshot's. */
	snap->val[1][7][0] ^= 0x80;
	KUNIT_EXPECT_EQ(test, th_quote_check(q, snap, err), -EBADMSG);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "PCR digest"));
	snap->val[1][7][0] ^= 0x80;
	/* Other qualifying data than asked for (another cut). */
	q->data[0] ^= 1;
	KUNIT_EXPECT_EQ(test, th_quote_check(q, snap, err), -EBADMSG);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "qualifying data"));
	q->data[0] ^= 1;
	/* Other PCRs than asked for. */
	q->pcr_mask = TQ_MASK | BIT(16);
	KUNIT_EXPECT_EQ(test, th_quote_check(q, snap, err), -EBADMSG);
	q->pcr_mask = TQ_MASK;
	/* The banks in another order. */
	swap(snap->banks.alg[0], snap->banks.alg[1]);
	KUNIT_EXPECT_EQ(test, th_quote_check(q, snap, err), -EBADMSG);
	swap(snap->banks.alg[0], snap->banks.alg[1]);
	/* One bank fewer. */
	snap->banks.nr = 1;
	KUNIT_EXPECT_EQ(test, th_quote_check(q, snap, err), -EBADMSG);
	snap->banks.nr = 2;
	/* Signed with another hash than the key's. */
	q->sig_hash = TPM_ALG_SHA1;
	KUNIT_EXPECT_EQ(test, th_quote_check(q, snap, err), -EBADMSG);
	q->sig_hash = TPM_ALG_SHA256;
	/* Everything back: it passes again. */
	KUNIT_EXPECT_EQ_MSG(test, th_quote_check(q, snap, err), 0, "%s", err);
	/* A truncated attestation. */
	q->attest_len--;
	KUNIT_EXPECT_EQ(test, th_quote_check(q, snap, err), -EPROTO);
	th_quote_free(q);
}

static void quote_test_quote_rsp_bad(struct kunit *test)
{
	const size_t n = sizeof(tq_rsa_quote_rsp);
	struct th_quote *q = tq_quote(test, false);
	size_t len, params;
	u8 *r;

	/* Shorter than its parameters: malformed (the session may be cut). */
	params = TPM_HEADER_SIZE + 4 + get_unaligned_be32(tq_rsa_quote_rsp + 10);
	for (len = 0; len < params; len++) {
		r = resized(test, tq_rsa_quote_rsp, n, len);
		KUNIT_EXPECT_EQ_MSG(test, th_tpm2_quote_rsp(r, len, q), -EPROTO,
				    "length %zu", len);
	}
	/* A TPM error: TPM_RC_AUTH_UNAVAILABLE (a policy-only key). */
	r = resized(test, tq_rsa_quote_rsp, n, TPM_HEADER_SIZE);
	put_unaligned_be32(0x12f, r + 6);
	KUNIT_EXPECT_EQ(test, th_tpm2_quote_rsp(r, TPM_HEADER_SIZE, q), -EIO);
	/* An attestation longer than the parameters. */
	r = resized(test, tq_rsa_quote_rsp, n, n);
	put_unaligned_be16(get_unaligned_be16(r + 14) + 600, r + 14);
	KUNIT_EXPECT_EQ(test, th_tpm2_quote_rsp(r, n, q), -EPROTO);
	/* A signature of no known scheme (TPM_ALG_NULL). */
	r = resized(test, tq_rsa_quote_rsp, n, n);
	len = 16 + get_unaligned_be16(r + 14);
	put_unaligned_be16(TPM_ALG_NULL, r + len);
	KUNIT_EXPECT_EQ(test, th_tpm2_quote_rsp(r, n, q), -EPROTO);
	th_quote_free(q);
}

static void quote_test_attest_parse(struct kunit *test)
{
	struct th_quote *q = tq_quote(test, false);
	struct th_attest a;
	size_t len;
	u8 *b;

	KUNIT_ASSERT_EQ(test, th_tpm2_quote_rsp(tq_rsa_quote_rsp,
						sizeof(tq_rsa_quote_rsp), q), 0);
	KUNIT_ASSERT_EQ(test, th_attest_parse(q->attest, q->attest_len, &a), 0);
	KUNIT_EXPECT_EQ(test, a.nr_sel, 2U);
	KUNIT_EXPECT_EQ(test, a.sel_alg[0], TPM_ALG_SHA1);
	KUNIT_EXPECT_EQ(test, a.sel_mask[1], (u32)TQ_MASK);
	KUNIT_EXPECT_EQ(test, a.pcr_digest_len, 32);
	KUNIT_EXPECT_EQ(test, a.extra_len, 32);
	KUNIT_EXPECT_EQ(test, memcmp(a.extra, tq_data, 32), 0);
	KUNIT_EXPECT_EQ(test, a.signer_len, 2 + 32);	/* sha256 name */

	b = kunit_kzalloc(test, q->attest_len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memcpy(b, q->attest, q->attest_len);
	for (len = 0; len < q->attest_len; len++)
		KUNIT_EXPECT_EQ_MSG(test, th_attest_parse(b, len, &a), -EPROTO,
				    "length %zu", len);
	KUNIT_EXPECT_EQ(test, th_attest_parse(b, q->attest_len + 1, &a), -EPROTO);
	b[0] ^= 1;				/* not TPM_GENERATED_VALUE */
	KUNIT_EXPECT_EQ(test, th_attest_parse(b, q->attest_len, &a), -EPROTO);
	b[0] ^= 1;
	b[5] = 0x17;				/* TPM_ST_ATTEST_CERTIFY */
	KUNIT_EXPECT_EQ(test, th_attest_parse(b, q->attest_len, &a), -EPROTO);
	th_quote_free(q);
}

static void quote_test_read_clock(struct kunit *test)
{
	static const u8 rsp[] = {
		0x80, 0x01, 0, 0, 0, 35, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0x12, 0x34,		/* time */
		0, 0, 0, 0, 0, 0, 0x56, 0x78,		/* clock */
		0, 0, 0, 3,				/* resetCount */
		0, 0, 1, 2,				/* restartCount */
		1,					/* safe */
	};
	u32 reset = 0, restart = 0;
	struct tpm_buf buf;
	size_t len;
	u8 *r;

	KUNIT_ASSERT_EQ(test, th_tpm2_read_clock_rsp(rsp, sizeof(rsp), &reset,
						     &restart), 0);
	KUNIT_EXPECT_EQ(test, reset, 3U);
	KUNIT_EXPECT_EQ(test, restart, 0x102U);
	for (len = 0; len < sizeof(rsp); len++) {
		r = resized(test, rsp, sizeof(rsp), len);
		KUNIT_EXPECT_EQ_MSG(test, th_tpm2_read_clock_rsp(r, len, &reset,
								 &restart),
				    -EPROTO, "length %zu", len);
	}
	r = resized(test, rsp, sizeof(rsp), sizeof(rsp) + 1);
	KUNIT_EXPECT_EQ(test, th_tpm2_read_clock_rsp(r, sizeof(rsp) + 1, &reset,
						     &restart), -EPROTO);
	r = resized(test, rsp, sizeof(rsp), TPM_HEADER_SIZE);
	put_unaligned_be32(0x101, r + 6);	/* TPM_RC_FAILURE */
	KUNIT_EXPECT_EQ(test, th_tpm2_read_clock_rsp(r, TPM_HEADER_SIZE, &reset,
						     &restart), -EIO);

	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, 0, 0), 0);
	th_tpm2_read_clock_cmd(&buf);
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), 10U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf.data + 6), 0x181U);
	tpm_buf_destroy(&buf);
}

static struct kunit_case quote_test_cases[] = {
	KUNIT_CASE(quote_test_read_clock),
	KUNIT_CASE(quote_test_read_public),
	KUNIT_CASE(quote_test_read_public_bad),
	KUNIT_CASE(quote_test_is_ak),
	KUNIT_CASE(quote_test_bind),
	KUNIT_CASE(quote_test_cmd),
	KUNIT_CASE(quote_test_check),
	KUNIT_CASE(quote_test_check_mismatch),
	KUNIT_CASE(quote_test_quote_rsp_bad),
	KUNIT_CASE(quote_test_attest_parse),
	{}
};

static struct kunit_suite quote_test_suite = {
	.name = "tpm_handoff_quote",
	.test_cases = quote_test_cases,
};

kunit_test_suites(&quote_test_suite);

MODULE_LICENSE("GPL");
