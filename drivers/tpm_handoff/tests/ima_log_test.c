// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the binary IMA log parser (ima_log.c): entries split at
 * every byte boundary, and every malformed header it must refuse.
 */
#include <kunit/test.h>

#include "test_log.h"

struct seen {
	unsigned int begins, ends;
	u32 pcr[8];
	char name[8][IMA_LOG_NAME_MAX + 1];
	size_t data[8];
};

static int s_begin(void *ctx, const struct ima_log_entry *e)
{
	struct seen *s = ctx;

	s->pcr[s->begins] = e->pcr;
	strscpy(s->name[s->begins], e->name, sizeof(s->name[0]));
	s->begins++;
	return 0;
}

static int s_data(void *ctx, const u8 *p, size_t len)
{
	struct seen *s = ctx;

	s->data[s->begins - 1] += len;
	return 0;
}

static int s_end(void *ctx)
{
	struct seen *s = ctx;

	s->ends++;
	return 0;
}

static const struct ima_log_ops s_ops = {
	.begin = s_begin, .data = s_data, .end = s_end,
};

static void ima_log_test_split_everywhere(struct kunit *test)
{
	struct test_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct ima_log_parser *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	size_t cut;

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, s);
	test_log_entry(test, l, 10, "ima-ng", "boot_aggregate", false);
	test_log_entry(test, l, 11, "ima-sig", "/usr/bin/true", false);
	test_log_entry(test, l, 10, "ima-buf", "", true);

	for (cut = 0; cut <= l->len; cut++) {
		memset(s, 0, sizeof(*s));
		ima_log_init(p, &s_ops, s);
		KUNIT_ASSERT_EQ(test, ima_log_feed(p, l->buf, cut), 0);
		KUNIT_ASSERT_EQ(test, ima_log_feed(p, l->buf + cut,
						   l->len - cut), 0);
		KUNIT_ASSERT_EQ(test, ima_log_finish(p), 0);
		KUNIT_EXPECT_EQ(test, s->begins, 3U);
		KUNIT_EXPECT_EQ(test, s->ends, 3U);
		KUNIT_EXPECT_EQ(test, p->entries, 3ULL);
	}
	KUNIT_EXPECT_EQ(test, s->pcr[0], 10U);
	KUNIT_EXPECT_EQ(test, s->pcr[1], 11U);
	KUNIT_EXPECT_STREQ(test, s->name[1], "ima-sig");
	KUNIT_EXPECT_EQ(test, s->data[0], 4 + strlen("boot_aggregate"));
	KUNIT_EXPECT_EQ(test, s->data[2], (size_t)4);
}

static void ima_log_test_truncated(struct kunit *test)
{
	struct test_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct ima_log_parser *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	size_t cut;

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_NOT_NULL(test, p);
	test_log_entry(test, l, 10, "ima-ng", "a", false);
	test_log_entry(test, l, 10, "ima-ng", "bc", false);

	for (cut = 0; cut <= l->len; cut++) {
		bool boundary = cut == 0 || cut == l->ends[0] ||
				cut == l->ends[1];

		ima_log_init(p, &s_ops, kunit_kzalloc(test,
						      sizeof(struct seen),
						      GFP_KERNEL));
		KUNIT_ASSERT_EQ(test, ima_log_feed(p, l->buf, cut), 0);
		KUNIT_EXPECT_EQ_MSG(test, ima_log_finish(p),
				    boundary ? 0 : -EBADMSG, "cut at %zu", cut);
		if (!boundary)
			KUNIT_EXPECT_NOT_NULL(test, strstr(p->msg, "truncated"));
	}
}

/* Overwrite a header field of the first entry and expect a refusal. */
static void expect_bad(struct kunit *test, size_t off, u32 val,
		       const char *why)
{
	struct test_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct ima_log_parser *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, s);
	test_log_entry(test, l, 10, "ima-ng", "x", false);
	put_unaligned_le32(val, l->buf + off);
	ima_log_init(p, &s_ops, s);
	KUNIT_EXPECT_EQ(test, ima_log_feed(p, l->buf, l->len), -EBADMSG);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(p->msg, why), "%s", p->msg);
	KUNIT_EXPECT_EQ(test, s->begins, 0U);
}

static void ima_log_test_bad_headers(struct kunit *test)
{
	const size_t name_len_off = 4 + SHA1_DIGEST_SIZE;
	const size_t data_len_off = name_len_off + 4 + strlen("ima-ng");

	expect_bad(test, 0, TH_NR_PCRS, "PCR index");
	expect_bad(test, name_len_off, 0, "name length");
	expect_bad(test, name_len_off, IMA_LOG_NAME_MAX + 1, "name length");
	expect_bad(test, data_len_off, IMA_LOG_DATA_MAX + 1, "data length");
	expect_bad(test, name_len_off + 4, 0x0067, "NUL byte");
}

static void ima_log_test_legacy_template(struct kunit *test)
{
	struct test_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct ima_log_parser *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, s);
	test_log_entry(test, l, 10, "ima", "x", false);
	ima_log_init(p, &s_ops, s);
	KUNIT_EXPECT_EQ(test, ima_log_feed(p, l->buf, l->len), -EBADMSG);
	KUNIT_EXPECT_NOT_NULL(test, strstr(p->msg, "legacy"));
}

static void ima_log_test_empty(struct kunit *test)
{
	struct ima_log_parser *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, s);
	ima_log_init(p, &s_ops, s);
	KUNIT_EXPECT_EQ(test, ima_log_feed(p, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, ima_log_finish(p), 0);
	KUNIT_EXPECT_EQ(test, p->entries, 0ULL);
}

static struct kunit_case ima_log_test_cases[] = {
	KUNIT_CASE(ima_log_test_split_everywhere),
	KUNIT_CASE(ima_log_test_truncated),
	KUNIT_CASE(ima_log_test_bad_headers),
	KUNIT_CASE(ima_log_test_legacy_template),
	KUNIT_CASE(ima_log_test_empty),
	{}
};

static struct kunit_suite ima_log_test_suite = {
	.name = "tpm_handoff_ima_log",
	.test_cases = ima_log_test_cases,
};

kunit_test_suites(&ima_log_test_suite);

MODULE_LICENSE("GPL");
