// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the TCG event log parser (tcg_log.c): both layouts, the
 * zero fill after the last event, StartupLocality, every truncation of a
 * valid log, and each kind of malformed header and event.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "test_tcg.h"

struct seen {
	unsigned int n;
	u32 pcr[32];
	u32 type[32];
	unsigned int nr_digests[32];
	bool digests_ok;
};

static int record_event(void *ctx, const struct tcg_log_info *info,
			const struct tcg_log_event *ev)
{
	struct seen *s = ctx;

	if (s->n < ARRAY_SIZE(s->pcr)) {
		s->pcr[s->n] = ev->pcr;
		s->type[s->n] = ev->type;
		s->nr_digests[s->n] = ev->nr_digests;
	}
	s->n++;
	return 0;
}

/* A SeaBIOS-like crypto-agile log in four banks. */
static void build_agile(struct tcg_build *t)
{
	tb_specid(t, 4);
	tb_event2(t, 0, 0x8, "SeaBIOS", 0);
	tb_event2(t, 2, 0x80000002, "option rom", 0);
	tb_event2(t, 4, 0x80000003, "boot loader", 0);
	tb_event2(t, 7, 0x4, "separator", 0);
	tb_event2(t, 0, 0x4, "separator", 0);
}

static void tcg_test_agile(struct kunit *test)
{
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tcg_log_info info;
	struct seen s = { 0 };
	char err[TCG_LOG_ERRLEN];

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	build_agile(t);
	KUNIT_ASSERT_EQ_MSG(test, tcg_log_parse(t->buf, t->len, &info,
						record_event, &s, err,
						sizeof(err)), 0, "%s", err);
	KUNIT_EXPECT_TRUE(test, info.agile);
	KUNIT_EXPECT_EQ(test, info.nr_algs, 4U);
	KUNIT_EXPECT_EQ(test, info.alg[3], (u16)TPM_ALG_SHA512);
	KUNIT_EXPECT_EQ(test, info.size[2], (u16)48);
	KUNIT_EXPECT_EQ(test, info.events, 6U);
	KUNIT_EXPECT_EQ(test, s.n, 6U);
	KUNIT_EXPECT_EQ(test, info.length, t->len);
	KUNIT_EXPECT_EQ(test, s.type[0], (u32)TCG_EV_NO_ACTION);
	KUNIT_EXPECT_EQ(test, s.pcr[3], 4U);
	KUNIT_EXPECT_EQ(test, s.nr_digests[2], 4U);
	KUNIT_EXPECT_EQ(test, info.locality, 0);
}

/* Each event's digests are where tcg_log_digest() says. */
static int check_digest(void *ctx, const struct tcg_log_info *info,
			const struct tcg_log_event *ev)
{
	struct kunit *test = ctx;
	u8 d[TH_MAX_DIGEST];
	unsigned int b;

	if (ev->type == TCG_EV_NO_ACTION)
		return 0;
	for (b = 0; b < four_banks.nr; b++) {
		const u8 *got = tcg_log_digest(ev, four_banks.alg[b],
					       four_banks.size[b]);

		KUNIT_ASSERT_NOT_NULL(test, got);
		KUNIT_ASSERT_EQ(test, test_hash(bank_hash[b], ev->data,
						ev->data_len, d), 0);
		KUNIT_EXPECT_EQ(test, memcmp(got, d, four_banks.size[b]), 0);
	}
	KUNIT_EXPECT_NULL(test, tcg_log_digest(ev, TPM_ALG_SHA256, 48));
	KUNIT_EXPECT_NULL(test, tcg_log_digest(ev, TPM_ALG_SM3_256, 32));
	return 0;
}

static void tcg_test_digests(struct kunit *test)
{
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tcg_log_info info;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	build_agile(t);
	KUNIT_EXPECT_EQ(test, tcg_log_parse(t->buf, t->len, &info,
					    check_digest, test, NULL, 0), 0);
}

static void tcg_test_tpm12(struct kunit *test)
{
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tcg_log_info info;
	struct seen s = { 0 };

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	tb_event12(t, 0, 0x8, "BIOS");
	tb_event12(t, 4, 0x5, "IPL");
	tb_event12(t, 0, 0x4, "separator");
	KUNIT_ASSERT_EQ(test, tcg_log_parse(t->buf, t->len, &info,
					    record_event, &s, NULL, 0), 0);
	KUNIT_EXPECT_FALSE(test, info.agile);
	KUNIT_EXPECT_EQ(test, info.nr_algs, 1U);
	KUNIT_EXPECT_EQ(test, info.alg[0], (u16)TPM_ALG_SHA1);
	KUNIT_EXPECT_EQ(test, info.events, 3U);
	KUNIT_EXPECT_EQ(test, s.pcr[1], 4U);
	KUNIT_EXPECT_EQ(test, s.nr_digests[1], 1U);
}

/* Firmware hands over a zero-filled area; the log ends at its last event. */
static void tcg_test_zero_fill(struct kunit *test)
{
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tcg_log_info info;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	build_agile(t);
	len = t->len;
	KUNIT_ASSERT_EQ(test, tcg_log_parse(t->buf, len + 1000, &info, NULL,
					    NULL, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, info.events, 6U);
	KUNIT_EXPECT_EQ(test, info.length, len);
	/* A few zero bytes, fewer than an event header, end it too. */
	KUNIT_ASSERT_EQ(test, tcg_log_parse(t->buf, len + 5, &info, NULL,
					    NULL, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, info.events, 6U);
}

/* Every cut of a valid log: whole events parse, anything else is refused. */
static void tcg_test_truncation(struct kunit *test)
{
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tcg_log_info info;
	char err[TCG_LOG_ERRLEN];
	unsigned int e, events;
	size_t len;
	int rc;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	build_agile(t);
	for (len = 1; len < t->len; len++) {
		size_t last = 0;

		for (e = 0, events = 0; e < t->n; e++)
			if (t->ends[e] <= len) {
				events = e + 1;
				last = t->ends[e];
			}
		/* A tail of zero bytes is the zero fill, not a cut event. */
		if (memchr_inv(t->buf + last, 0, len - last))
			events = 0;
		rc = tcg_log_parse(t->buf, len, &info, NULL, NULL, err,
				   sizeof(err));
		if (events) {
			KUNIT_EXPECT_EQ_MSG(test, rc, 0, "len %zu: %s", len, err);
			KUNIT_EXPECT_EQ(test, info.events, events);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, rc, -EINVAL, "len %zu", len);
			KUNIT_EXPECT_NE(test, err[0], '\0');
		}
	}
}

static void tcg_test_locality(struct kunit *test)
{
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tcg_log_info info;
	char err[TCG_LOG_ERRLEN];

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	tb_specid(t, 4);
	tb_locality(t, 3);
	tb_event2(t, 0, 0x8, "H-CRTM", 0);
	KUNIT_ASSERT_EQ(test, tcg_log_parse(t->buf, t->len, &info, NULL, NULL,
					    err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, info.locality, 3);
	t->buf[t->ends[1] - 1] = 5;
	KUNIT_EXPECT_EQ(test, tcg_log_parse(t->buf, t->len, &info, NULL, NULL,
					    err, sizeof(err)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "locality 5"));
}

/* Patch the u32 at @off of a fresh log and expect @msg in the refusal. */
static void expect_bad(struct kunit *test, size_t off, u32 v, const char *msg)
{
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tcg_log_info info;
	char err[TCG_LOG_ERRLEN];

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	build_agile(t);
	put_unaligned_le32(v, t->buf + off);
	KUNIT_EXPECT_EQ_MSG(test, tcg_log_parse(t->buf, t->len, &info, NULL,
						NULL, err, sizeof(err)),
			    -EINVAL, "offset %zu value %u", off, v);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(err, msg), "got \"%s\"", err);
}

static void tcg_test_malformed(struct kunit *test)
{
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	/* Offsets in the Spec ID event: header 32 bytes, then its data. */
	const size_t nalg = 32 + 16 + 4 + 4, alg0 = nalg + 4;
	size_t ev1;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	build_agile(t);
	ev1 = t->ends[0];

	expect_bad(test, nalg, 0, "declares 0 algorithms");
	expect_bad(test, nalg, 9, "declares 9 algorithms");
	expect_bad(test, nalg, 0x10000, "algorithms");
	/* sha256 declared with size 0, then as sha1 (twice). */
	expect_bad(test, alg0 + 4, TPM_ALG_SHA256, "digest size of 0");
	expect_bad(test, alg0 + 4, TPM_ALG_SHA1 | (20 << 16), "twice");
	/* Event 1: PCR 24; 5 digests; an undeclared algorithm; huge data. */
	expect_bad(test, ev1, 24, "PCR 24");
	expect_bad(test, ev1 + 8, 5, "has 5 digests");
	expect_bad(test, ev1 + 12, TPM_ALG_SM3_256, "does not declare");
	expect_bad(test, ev1 + 12 + 2 + 20, TPM_ALG_SHA1,
		   "event 1 (offset");
	expect_bad(test, t->ends[1] - 7 - 4, 0xfffffff0, "run past the end");
	/* The Spec ID event's own length cuts its algorithm list. */
	expect_bad(test, 28, 16 + 4 + 4 + 4 + 3, "truncated");
}

static void tcg_test_empty(struct kunit *test)
{
	static const u8 zeros[64];
	struct tcg_log_info info;
	char err[TCG_LOG_ERRLEN];

	KUNIT_EXPECT_EQ(test, tcg_log_parse(zeros, 0, &info, NULL, NULL, err,
					    sizeof(err)), -EINVAL);
	KUNIT_EXPECT_EQ(test, tcg_log_parse(zeros, sizeof(zeros), &info, NULL,
					    NULL, err, sizeof(err)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "event"));
}

static struct kunit_case tcg_log_test_cases[] = {
	KUNIT_CASE(tcg_test_agile),
	KUNIT_CASE(tcg_test_digests),
	KUNIT_CASE(tcg_test_tpm12),
	KUNIT_CASE(tcg_test_zero_fill),
	KUNIT_CASE(tcg_test_truncation),
	KUNIT_CASE(tcg_test_locality),
	KUNIT_CASE(tcg_test_malformed),
	KUNIT_CASE(tcg_test_empty),
	{}
};

static struct kunit_suite tcg_log_test_suite = {
	.name = "tpm_handoff_tcg_log",
	.test_cases = tcg_log_test_cases,
};

kunit_test_suite(tcg_log_test_suite);

MODULE_LICENSE("GPL");
