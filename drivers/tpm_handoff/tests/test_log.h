/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building binary IMA logs for the KUnit suites, byte by byte as
 * ima_measurements_show() writes them (little-endian fields).
 */
#ifndef _TPM_HANDOFF_TEST_LOG_H
#define _TPM_HANDOFF_TEST_LOG_H

#include <kunit/test.h>
#include <linux/string.h>
#include <crypto/hash.h>
#include <asm/unaligned.h>

#include "../tpm_handoff.h"

struct test_log {
	u8 buf[8192];
	size_t len;
	size_t ends[64];	/* offset after each entry */
	unsigned int n;
};

static inline void test_log_put(struct test_log *l, const void *p, size_t n)
{
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

static inline void test_log_u32(struct test_log *l, u32 v)
{
	u8 b[4];

	put_unaligned_le32(v, b);
	test_log_put(l, b, 4);
}

static inline int test_hash(const char *alg, const void *p, size_t n, u8 *out)
{
	struct crypto_shash *tfm = crypto_alloc_shash(alg, 0, 0);
	int rc;

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	rc = crypto_shash_tfm_digest(tfm, p, n, out);
	crypto_free_shash(tfm);
	return rc;
}

/*
 * Append an entry of template @name on @pcr whose template data is the
 * ima-ng style field "d-ng" holding @data; its logged digest is SHA-1 of
 * that data, or zero for a violation.
 */
static inline void test_log_entry(struct kunit *test, struct test_log *l,
				  u32 pcr, const char *name, const char *data,
				  bool violation)
{
	u8 tdata[256], digest[SHA1_DIGEST_SIZE] = { 0 };
	size_t dlen = strlen(data), tlen = 4 + dlen;

	put_unaligned_le32(dlen, tdata);
	memcpy(tdata + 4, data, dlen);
	if (!violation)
		KUNIT_ASSERT_EQ(test, test_hash("sha1", tdata, tlen, digest), 0);
	test_log_u32(l, pcr);
	test_log_put(l, digest, sizeof(digest));
	test_log_u32(l, strlen(name));
	test_log_put(l, name, strlen(name));
	test_log_u32(l, tlen);
	test_log_put(l, tdata, tlen);
	l->ends[l->n++] = l->len;
}

#endif /* _TPM_HANDOFF_TEST_LOG_H */
