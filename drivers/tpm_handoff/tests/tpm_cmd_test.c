// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the TPM 2.0 and 1.2 marshalling (tpm_cmd.c): the exact
 * bytes of PCR_Read and PCR_Extend (TPM_PcrRead and TPM_Extend), and their
 * responses, good and malformed.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "test_log.h"

static const struct th_banks two_banks = {
	.nr = 2,
	.alg = { TPM_ALG_SHA1, TPM_ALG_SHA256 },
	.size = { 20, 32 },
};

static void tpm_cmd_test_pcr_read_cmd(struct kunit *test)
{
	static const u8 want[] = {
		0x80, 0x01, 0, 0, 0, 20, 0, 0, 0x01, 0x7e,	/* header */
		0, 0, 0, 1,					/* count */
		0x00, 0x0b, 3, 0x00, 0x04, 0x80,		/* sha256: 10, 23 */
	};
	struct tpm_buf buf;

	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, 0, 0), 0);
	th_tpm2_pcr_read_cmd(&buf, TPM_ALG_SHA256, BIT(10) | BIT(23));
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), (u32)sizeof(want));
	KUNIT_EXPECT_EQ(test, memcmp(buf.data, want, sizeof(want)), 0);
	tpm_buf_destroy(&buf);
}

static void tpm_cmd_test_pcr_extend_cmd(struct kunit *test)
{
	u8 d1[20], d2[32];
	const u8 *dig[] = { d1, d2 };
	static const u8 head[] = {
		0x80, 0x02, 0, 0, 0, 10 + 4 + 4 + 9 + 4 + 2 + 20 + 2 + 32,
		0, 0, 0x01, 0x82,
		0, 0, 0, 10,				/* PCR 10 */
		0, 0, 0, 9, 0x40, 0, 0, 9, 0, 0, 0, 0, 0,	/* password */
		0, 0, 0, 2,				/* two digests */
		0x00, 0x04,
	};
	struct tpm_buf buf;
	size_t off = sizeof(head);

	memset(d1, 0x11, sizeof(d1));
	memset(d2, 0x22, sizeof(d2));
	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, th_tpm2_pcr_extend_cmd(&buf, 10, &two_banks, dig),
			0);
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), (u32)head[5]);
	KUNIT_EXPECT_EQ(test, memcmp(buf.data, head, sizeof(head)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf.data + off, d1, 20), 0);
	off += 20;
	KUNIT_EXPECT_EQ(test, buf.data[off], 0x00);
	KUNIT_EXPECT_EQ(test, buf.data[off + 1], 0x0b);
	KUNIT_EXPECT_EQ(test, memcmp(buf.data + off + 2, d2, 32), 0);
	tpm_buf_destroy(&buf);
}

/* A PCR_Read response for sha1 holding PCRs in @mask, digest i = i+1. */
static size_t make_rsp(u8 *r, u32 rc, u16 alg, u32 mask, u16 dsize,
		       u32 ndig)
{
	size_t len = 0;
	u32 p;

	r[len++] = 0x80;
	r[len++] = 0x01;
	len += 4;				/* length, below */
	put_unaligned_be32(rc, r + len);
	len += 4;
	put_unaligned_be32(7, r + len);		/* update counter */
	len += 4;
	put_unaligned_be32(1, r + len);
	len += 4;
	put_unaligned_be16(alg, r + len);
	len += 2;
	r[len++] = 3;
	r[len++] = mask & 0xff;
	r[len++] = (mask >> 8) & 0xff;
	r[len++] = (mask >> 16) & 0xff;
	put_unaligned_be32(ndig, r + len);
	len += 4;
	for (p = 0; p < ndig; p++) {
		put_unaligned_be16(dsize, r + len);
		len += 2;
		memset(r + len, p + 1, dsize);
		len += dsize;
	}
	put_unaligned_be32(len, r + 2);
	return len;
}

static void tpm_cmd_test_pcr_read_rsp(struct kunit *test)
{
	struct th_pcr_values *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	u8 *r = kunit_kzalloc(test, 1024, GFP_KERNEL);
	size_t len;
	u32 got;

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, r);
	v->banks = two_banks;

	/* PCRs 0, 10 and 23 in the sha1 bank (index 0). */
	len = make_rsp(r, 0, TPM_ALG_SHA1, BIT(0) | BIT(10) | BIT(23), 20, 3);
	KUNIT_EXPECT_EQ(test, th_tpm2_pcr_read_rsp(r, len, v, 0, &got), 0);
	KUNIT_EXPECT_EQ(test, got, (u32)(BIT(0) | BIT(10) | BIT(23)));
	KUNIT_EXPECT_EQ(test, v->val[0][0][0], 1);
	KUNIT_EXPECT_EQ(test, v->val[0][10][19], 2);
	KUNIT_EXPECT_EQ(test, v->val[0][23][0], 3);

	/* An empty selection is a valid answer: no PCRs. */
	len = make_rsp(r, 0, TPM_ALG_SHA1, 0, 20, 0);
	KUNIT_EXPECT_EQ(test, th_tpm2_pcr_read_rsp(r, len, v, 0, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 0U);
}

static void tpm_cmd_test_pcr_read_rsp_bad(struct kunit *test)
{
	struct th_pcr_values *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	u8 *r = kunit_kzalloc(test, 1024, GFP_KERNEL);
	size_t len, cut;
	u32 got;

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, r);
	v->banks = two_banks;

	len = make_rsp(r, 0x101, TPM_ALG_SHA1, BIT(10), 20, 1);
	KUNIT_EXPECT_EQ(test, th_tpm2_pcr_read_rsp(r, len, v, 0, &got), -EIO);
	len = make_rsp(r, 0, TPM_ALG_SHA256, BIT(10), 32, 1);
	KUNIT_EXPECT_EQ(test, th_tpm2_pcr_read_rsp(r, len, v, 0, &got),
			-EPROTO);			/* wrong bank */
	len = make_rsp(r, 0, TPM_ALG_SHA1, BIT(10), 32, 1);
	KUNIT_EXPECT_EQ(test, th_tpm2_pcr_read_rsp(r, len, v, 0, &got),
			-EPROTO);			/* wrong size */
	len = make_rsp(r, 0, TPM_ALG_SHA1, BIT(10) | BIT(11), 20, 1);
	KUNIT_EXPECT_EQ(test, th_tpm2_pcr_read_rsp(r, len, v, 0, &got),
			-EPROTO);			/* count */

	/* Every truncation, with a consistent header length. */
	len = make_rsp(r, 0, TPM_ALG_SHA1, BIT(1) | BIT(2), 20, 2);
	for (cut = 0; cut < len; cut++) {
		if (cut >= 6)
			put_unaligned_be32(cut, r + 2);
		KUNIT_EXPECT_EQ_MSG(test,
				    th_tpm2_pcr_read_rsp(r, cut, v, 0, &got),
				    -EPROTO, "cut %zu", cut);
		KUNIT_EXPECT_EQ(test, got, 0U);
	}
	/* A header length that disagrees with the bytes received. */
	len = make_rsp(r, 0, TPM_ALG_SHA1, BIT(1), 20, 1);
	put_unaligned_be32(len + 1, r + 2);
	KUNIT_EXPECT_EQ(test, th_tpm2_pcr_read_rsp(r, len, v, 0, &got),
			-EPROTO);
	/* A byte after the last digest, the header's length counting it. */
	len = make_rsp(r, 0, TPM_ALG_SHA1, BIT(1), 20, 1);
	r[len] = 0;
	put_unaligned_be32(len + 1, r + 2);
	KUNIT_EXPECT_EQ(test, th_tpm2_pcr_read_rsp(r, len + 1, v, 0, &got),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, got, 0U);
}

static void tpm_cmd_test_tpm1_cmds(struct kunit *test)
{
	static const u8 read[] = {
		0x00, 0xc1, 0, 0, 0, 14, 0, 0, 0, 0x15,	/* TPM_PcrRead */
		0, 0, 0, 17,
	};
	u8 d[SHA1_DIGEST_SIZE];
	struct tpm_buf buf;
	unsigned int i;

	for (i = 0; i < sizeof(d); i++)
		d[i] = i + 1;
	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, 0, 0), 0);
	th_tpm1_pcr_read_cmd(&buf, 17);
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), (u32)sizeof(read));
	KUNIT_EXPECT_EQ(test, memcmp(buf.data, read, sizeof(read)), 0);

	th_tpm1_extend_cmd(&buf, 10, d);
	KUNIT_EXPECT_EQ(test, tpm_buf_length(&buf), 34U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(buf.data), 0xc1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf.data + 2), 34U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf.data + 6), 0x14U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf.data + 10), 10U);
	KUNIT_EXPECT_EQ(test, memcmp(buf.data + 14, d, sizeof(d)), 0);
	tpm_buf_destroy(&buf);
}

/* The forwarder's count of IMA's extends: extends of that PCR, and only. */
static void tpm_cmd_test_is_pcr_extend(struct kunit *test)
{
	u8 d1[20] = { 1 }, d2[32] = { 2 };
	const u8 *dig[] = { d1, d2 };
	struct tpm_buf buf;
	u8 other[14];

	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, th_tpm2_pcr_extend_cmd(&buf, 10, &two_banks, dig),
			0);
	KUNIT_EXPECT_TRUE(test, th_is_pcr_extend(buf.data,
						 tpm_buf_length(&buf), 10));
	KUNIT_EXPECT_FALSE(test, th_is_pcr_extend(buf.data,
						  tpm_buf_length(&buf), 11));
	/* Too short to name a PCR. */
	KUNIT_EXPECT_FALSE(test, th_is_pcr_extend(buf.data, 13, 10));
	th_tpm1_extend_cmd(&buf, 10, d1);
	KUNIT_EXPECT_TRUE(test, th_is_pcr_extend(buf.data,
						 tpm_buf_length(&buf), 10));
	KUNIT_EXPECT_FALSE(test, th_is_pcr_extend(buf.data,
						  tpm_buf_length(&buf), 9));
	/* A PCR_Read of PCR 10 is not an extend, in either family. */
	th_tpm1_pcr_read_cmd(&buf, 10);
	KUNIT_EXPECT_FALSE(test, th_is_pcr_extend(buf.data,
						  tpm_buf_length(&buf), 10));
	memcpy(other, buf.data, sizeof(other));
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, other);
	put_unaligned_be32(TPM2_CC_PCR_READ, other + 6);
	KUNIT_EXPECT_FALSE(test, th_is_pcr_extend(other, sizeof(other), 10));
	/* The TPM 2.0 extend's code under a TPM 1.2 tag, and the reverse. */
	put_unaligned_be16(0x00c1, other);
	put_unaligned_be32(TPM2_CC_PCR_EXTEND, other + 6);
	KUNIT_EXPECT_FALSE(test, th_is_pcr_extend(other, sizeof(other), 10));
	put_unaligned_be16(TPM2_ST_SESSIONS, other);
	put_unaligned_be32(0x14, other + 6);
	KUNIT_EXPECT_FALSE(test, th_is_pcr_extend(other, sizeof(other), 10));
	tpm_buf_destroy(&buf);
}

static void tpm_cmd_test_tpm1_rsp(struct kunit *test)
{
	u8 r[64] = { 0x00, 0xc4, 0, 0, 0, 30, 0, 0, 0, 0 }, out[20];
	unsigned int i;
	size_t cut;

	for (i = 0; i < 20; i++)
		r[10 + i] = 0xa0 + i;
	KUNIT_EXPECT_EQ(test, th_tpm1_digest_rsp(r, 30, out), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, r + 10, 20), 0);
	/* Every shorter read, and a longer one: malformed. */
	for (cut = 0; cut < 30; cut++)
		KUNIT_EXPECT_EQ_MSG(test, th_tpm1_digest_rsp(r, cut, out),
				    -EPROTO, "cut %zu", cut);
	put_unaligned_be32(31, r + 2);
	KUNIT_EXPECT_EQ(test, th_tpm1_digest_rsp(r, 31, out), -EPROTO);
	/* A TPM error (TPM_BADINDEX) with a bare header. */
	put_unaligned_be32(10, r + 2);
	put_unaligned_be32(2, r + 6);
	KUNIT_EXPECT_EQ(test, th_tpm1_digest_rsp(r, 10, out), -EIO);
}

static struct kunit_case tpm_cmd_test_cases[] = {
	KUNIT_CASE(tpm_cmd_test_pcr_read_cmd),
	KUNIT_CASE(tpm_cmd_test_pcr_extend_cmd),
	KUNIT_CASE(tpm_cmd_test_pcr_read_rsp),
	KUNIT_CASE(tpm_cmd_test_pcr_read_rsp_bad),
	KUNIT_CASE(tpm_cmd_test_tpm1_cmds),
	KUNIT_CASE(tpm_cmd_test_tpm1_rsp),
	KUNIT_CASE(tpm_cmd_test_is_pcr_extend),
	{}
};

static struct kunit_suite tpm_cmd_test_suite = {
	.name = "tpm_handoff_tpm_cmd",
	.test_cases = tpm_cmd_test_cases,
};

kunit_test_suites(&tpm_cmd_test_suite);

MODULE_LICENSE("GPL");
