/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fabricated TCG event logs for the KUnit suites, byte by byte as the PC
 * Client specifications lay them out (little-endian): a crypto-agile log
 * (Spec ID event, then TCG_PCR_EVENT2s with one digest per bank, each the
 * bank's hash of the event data, as firmware measures data it logs) or a
 * TPM 1.2 log (SHA-1 only).
 */
#ifndef _TPM_HANDOFF_TEST_TCG_H
#define _TPM_HANDOFF_TEST_TCG_H

#include "test_log.h"
#include "../tcg_log.h"

struct tcg_build {
	struct kunit *test;
	u8 buf[4096];
	size_t len;
	size_t ends[32];	/* offset after each event */
	unsigned int n;
};

static inline void tb_put(struct tcg_build *t, const void *p, size_t n)
{
	KUNIT_ASSERT_LE(t->test, t->len + n, sizeof(t->buf));
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

static inline void tb_u32(struct tcg_build *t, u32 v)
{
	u8 b[4];

	put_unaligned_le32(v, b);
	tb_put(t, b, 4);
}

static inline void tb_u16(struct tcg_build *t, u16 v)
{
	u8 b[2];

	put_unaligned_le16(v, b);
	tb_put(t, b, 2);
}

static inline void tb_end(struct tcg_build *t)
{
	t->ends[t->n++] = t->len;
}

/* The first event of a crypto-agile log, declaring @nalg of the 4 banks. */
static inline void tb_specid(struct tcg_build *t, unsigned int nalg)
{
	static const u8 zero[SHA1_DIGEST_SIZE];
	unsigned int b;

	tb_u32(t, 0);
	tb_u32(t, TCG_EV_NO_ACTION);
	tb_put(t, zero, sizeof(zero));
	tb_u32(t, 16 + 4 + 4 + 4 + 4 * nalg + 1);
	tb_put(t, "Spec ID Event03", 16);
	tb_u32(t, 0);			/* platform class */
	tb_put(t, "\x00\x02\x00\x02", 4); /* minor, major, errata, uintn */
	tb_u32(t, nalg);
	for (b = 0; b < nalg; b++) {
		tb_u16(t, four_banks.alg[b]);
		tb_u16(t, four_banks.size[b]);
	}
	tb_put(t, "", 1);		/* no vendor data */
	tb_end(t);
}

/* Event @data on @pcr, digests of every bank but those in @omit. */
static inline void tb_event2(struct tcg_build *t, u32 pcr, u32 type,
			     const char *data, u32 omit)
{
	u8 d[TH_MAX_DIGEST];
	unsigned int b, n = 0;

	for (b = 0; b < four_banks.nr; b++)
		n += !(omit & BIT(b));
	tb_u32(t, pcr);
	tb_u32(t, type);
	tb_u32(t, n);
	for (b = 0; b < four_banks.nr; b++) {
		if (omit & BIT(b))
			continue;
		KUNIT_ASSERT_EQ(t->test, test_hash(bank_hash[b], data,
						   strlen(data), d), 0);
		tb_u16(t, four_banks.alg[b]);
		tb_put(t, d, four_banks.size[b]);
	}
	tb_u32(t, strlen(data));
	tb_put(t, data, strlen(data));
	tb_end(t);
}

/* StartupLocality (an EV_NO_ACTION event of a crypto-agile log). */
static inline void tb_locality(struct tcg_build *t, u8 loc)
{
	static const u8 zero[TH_MAX_DIGEST];
	unsigned int b;

	tb_u32(t, 0);
	tb_u32(t, TCG_EV_NO_ACTION);
	tb_u32(t, four_banks.nr);
	for (b = 0; b < four_banks.nr; b++) {
		tb_u16(t, four_banks.alg[b]);
		tb_put(t, zero, four_banks.size[b]);
	}
	tb_u32(t, 17);
	tb_put(t, "StartupLocality", 16);
	tb_put(t, &loc, 1);
	tb_end(t);
}

/* A TPM 1.2 event: SHA-1 of @data. */
static inline void tb_event12(struct tcg_build *t, u32 pcr, u32 type,
			      const char *data)
{
	u8 d[SHA1_DIGEST_SIZE];

	KUNIT_ASSERT_EQ(t->test, test_hash("sha1", data, strlen(data), d), 0);
	tb_u32(t, pcr);
	tb_u32(t, type);
	tb_put(t, d, sizeof(d));
	tb_u32(t, strlen(data));
	tb_put(t, data, strlen(data));
	tb_end(t);
}

#endif /* _TPM_HANDOFF_TEST_TCG_H */
