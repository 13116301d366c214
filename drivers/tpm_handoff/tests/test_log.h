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
#include <tpm_handoff/compat.h>
#include <linux/minmax.h>

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

/* Append one entry: @pcr, its logged SHA-1 @digest, @name, @tdata. */
static inline void test_log_append(struct test_log *l, u32 pcr,
				   const u8 *digest, const char *name,
				   const u8 *tdata, size_t tlen)
{
	test_log_u32(l, pcr);
	test_log_put(l, digest, SHA1_DIGEST_SIZE);
	test_log_u32(l, strlen(name));
	test_log_put(l, name, strlen(name));
	test_log_u32(l, tlen);
	test_log_put(l, tdata, tlen);
	l->ends[l->n++] = l->len;
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
	test_log_append(l, pcr, digest, name, tdata, tlen);
}

/* The banks of the Debian VM's TPM, and the kernel hash of each. */
static const struct th_banks four_banks __maybe_unused = {
	.nr = 4,
	.alg = { TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384, TPM_ALG_SHA512 },
	.size = { 20, 32, 48, 64 },
};

static const char *const bank_hash[] __maybe_unused = {
	"sha1", "sha256", "sha384", "sha512",
};

struct mem_src {
	const u8 *p;
	size_t left;
	size_t step;	/* largest read; exercises entries split across reads */
};

static inline ssize_t mem_read(void *src, u8 *buf, size_t len)
{
	struct mem_src *m = src;
	size_t n = min3(len, m->left, m->step);

	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return n;
}

static inline struct th_replay *new_replay(struct kunit *test)
{
	char err[TH_ERRLEN];
	struct th_replay *r = th_replay_alloc(&four_banks, err);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(r), "%s", err);
	return r;
}

/* pcr = H(pcr || d), computed here with a one-shot digest. */
static inline void model_extend(struct kunit *test, unsigned int b, u8 *pcr,
				const u8 *d)
{
	u8 tmp[2 * TH_MAX_DIGEST];
	size_t n = four_banks.size[b];

	memcpy(tmp, pcr, n);
	memcpy(tmp + n, d, n);
	KUNIT_ASSERT_EQ(test, test_hash(bank_hash[b], tmp, 2 * n, pcr), 0);
}

/* The model's per-bank digest of one "d-ng"-style entry. */
static inline void model_digest(struct kunit *test, unsigned int b,
				enum th_kind k, const char *data, bool violation,
				u8 *out)
{
	u8 tdata[256];
	size_t dlen = strlen(data);

	memset(out, 0, TH_MAX_DIGEST);
	if (violation) {
		memset(out, 0xff, four_banks.size[b]);
		return;
	}
	put_unaligned_le32(dlen, tdata);
	memcpy(tdata + 4, data, dlen);
	KUNIT_ASSERT_EQ(test, test_hash(k == TH_KIND_HASH ? bank_hash[b] :
					"sha1", tdata, 4 + dlen, out), 0);
}

#endif /* _TPM_HANDOFF_TEST_LOG_H */
