// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the replay and the cut-point search (replay.c): PCR values
 * against hashes computed here independently, both digest kinds,
 * violations, several banks and PCRs, an empty log, and cuts at the first
 * and the last entry.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "test_log.h"

static int replay_buf(struct th_replay *r, const u8 *p, size_t len,
		      size_t step, u8 *chunk)
{
	struct mem_src m = { .p = p, .left = len, .step = step };

	th_replay_reset(r);
	return th_replay_stream(r, mem_read, &m, chunk, 4096, NULL, NULL);
}

static const char *const datas[] = { "boot_aggregate", "/bin/sh", "", "/etc/x" };
static const bool viol[] = { false, false, true, false };

static void build_log(struct kunit *test, struct test_log *l)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(datas); i++)
		test_log_entry(test, l, 10, "ima-ng", datas[i], viol[i]);
}

static void expect_value(struct kunit *test, struct th_replay *r,
			 unsigned int b, enum th_kind k, const u8 *want)
{
	int diff = memcmp(th_replay_value(r, 10, b, k), want,
			  four_banks.size[b]);

	KUNIT_EXPECT_EQ_MSG(test, diff, 0, "bank %s kind %s", bank_hash[b],
			    th_kind_name[k]);
}

static void replay_test_values(struct kunit *test)
{
	struct test_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	u8 *chunk = kunit_kzalloc(test, 4096, GFP_KERNEL);
	u8 model[TH_NR_KINDS][4][TH_MAX_DIGEST] = { 0 };
	u8 d[TH_MAX_DIGEST];
	struct th_replay *r = new_replay(test);
	unsigned int i, b, k;

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_NOT_NULL(test, chunk);
	build_log(test, l);
	for (i = 0; i < ARRAY_SIZE(datas); i++)
		for (k = 0; k < TH_NR_KINDS; k++)
			for (b = 0; b < 4; b++) {
				model_digest(test, b, k, datas[i], viol[i], d);
				model_extend(test, b, model[k][b], d);
			}

	/* Whole, and one byte per read: the same values. */
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, replay_buf(r, l->buf, l->len,
						 i ? 1 : 4096, chunk), 0);
		KUNIT_EXPECT_EQ(test, th_replay_entries(r), 4ULL);
		KUNIT_EXPECT_EQ(test, th_replay_pcrs(r), (u32)BIT(10));
		for (k = 0; k < TH_NR_KINDS; k++)
			for (b = 0; b < 4; b++)
				expect_value(test, r, b, k, model[k][b]);
	}
	/* The SHA-1 bank is the same either way. */
	KUNIT_EXPECT_EQ(test, memcmp(th_replay_value(r, 10, 0, TH_KIND_HASH),
				     th_replay_value(r, 10, 0, TH_KIND_PADDED),
				     20), 0);
	th_replay_free(r);
}

/* Snapshot: the values after the first @n entries, bank b in kind[b]. */
static void snapshot_after(struct kunit *test, struct test_log *l,
			   unsigned int n, const u8 *kind,
			   struct th_pcr_values *snap, u8 *chunk)
{
	struct th_replay *r = new_replay(test);
	unsigned int b, p;

	KUNIT_ASSERT_EQ(test, replay_buf(r, l->buf, n ? l->ends[n - 1] : 0,
					 4096, chunk), 0);
	memset(snap, 0, sizeof(*snap));
	snap->banks = four_banks;
	for (b = 0; b < 4; b++)
		for (p = 0; p < TH_NR_PCRS; p++)
			memcpy(snap->val[b][p], th_replay_value(r, p, b, kind[b]),
			       four_banks.size[b]);
	th_replay_free(r);
}

/* The buffers every cut test needs, freed with the test. */
static void fixture(struct kunit *test, struct test_log **l,
		    struct th_pcr_values **snap, u8 **chunk)
{
	*l = kunit_kzalloc(test, sizeof(**l), GFP_KERNEL);
	*snap = kunit_kzalloc(test, sizeof(**snap), GFP_KERNEL);
	*chunk = kunit_kzalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *l);
	KUNIT_ASSERT_NOT_NULL(test, *snap);
	KUNIT_ASSERT_NOT_NULL(test, *chunk);
}

static void find(struct kunit *test, struct test_log *l,
		 struct th_pcr_values *snap, struct th_cut *cut, u8 *chunk)
{
	struct th_replay *r = new_replay(test);
	struct mem_src m = { .p = l->buf, .left = l->len, .step = 7 };

	KUNIT_ASSERT_EQ(test, th_find_cut(r, mem_read, &m, chunk, 4096, snap,
					  cut), 0);
	th_replay_free(r);
}

static void replay_test_cut_everywhere(struct kunit *test)
{
	struct test_log *l;
	struct th_pcr_values *snap;
	u8 *chunk;
	/* Debian's case: sha384 and sha512 padded, the others hashed. */
	const u8 kind[4] = { TH_KIND_HASH, TH_KIND_HASH, TH_KIND_PADDED,
			     TH_KIND_PADDED };
	struct th_cut cut;
	unsigned int n, b;

	fixture(test, &l, &snap, &chunk);
	build_log(test, l);

	/* 0: nothing extended; 1: the first entry; 4: the last. */
	for (n = 0; n <= ARRAY_SIZE(datas); n++) {
		snapshot_after(test, l, n, kind, snap, chunk);
		find(test, l, snap, &cut, chunk);
		KUNIT_EXPECT_TRUE_MSG(test, cut.found, "cut %u", n);
		KUNIT_EXPECT_EQ(test, cut.cut, (u64)n);
		KUNIT_EXPECT_EQ(test, cut.entries, 4ULL);
		KUNIT_EXPECT_EQ(test, cut.pcr_mask, (u32)BIT(10));
		for (b = 1; n && b < 4; b++)
			KUNIT_EXPECT_EQ_MSG(test, cut.kind[b], kind[b],
					    "cut %u bank %s", n, bank_hash[b]);
	}
}

static void replay_test_no_match(struct kunit *test)
{
	struct test_log *l;
	struct th_pcr_values *snap;
	u8 *chunk;
	const u8 kind[4] = { 0 };
	struct th_cut cut;

	fixture(test, &l, &snap, &chunk);
	build_log(test, l);
	snapshot_after(test, l, 2, kind, snap, chunk);
	snap->val[1][10][0] ^= 1;	/* PCR 10 also extended outside IMA */
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_FALSE(test, cut.found);
	KUNIT_EXPECT_EQ(test, cut.entries, 4ULL);
}

static void replay_test_empty_log(struct kunit *test)
{
	struct test_log *l;
	struct th_pcr_values *snap;
	u8 *chunk;
	struct th_cut cut;

	fixture(test, &l, &snap, &chunk);
	snap->banks = four_banks;
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_TRUE(test, cut.found);
	KUNIT_EXPECT_EQ(test, cut.cut, 0ULL);
	KUNIT_EXPECT_EQ(test, cut.entries, 0ULL);

	snap->val[0][10][19] = 1;	/* PCR 10 extended, log empty */
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_FALSE(test, cut.found);
}

/* Entries on PCR 11 too: the cut needs PCR 10 and 11 to agree. */
static void replay_test_several_pcrs(struct kunit *test)
{
	struct test_log *l;
	struct th_pcr_values *snap;
	u8 *chunk;
	const u8 kind[4] = { 0 };
	struct th_cut cut;

	fixture(test, &l, &snap, &chunk);
	test_log_entry(test, l, 10, "ima-ng", "a", false);
	test_log_entry(test, l, 11, "ima-ng", "b", false);
	test_log_entry(test, l, 10, "ima-ng", "c", false);
	test_log_entry(test, l, 11, "ima-ng", "d", false);

	snapshot_after(test, l, 3, kind, snap, chunk);
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_TRUE(test, cut.found);
	KUNIT_EXPECT_EQ(test, cut.cut, 3ULL);
	KUNIT_EXPECT_EQ(test, cut.pcr_mask, (u32)(BIT(10) | BIT(11)));

	/* PCR 10 agrees after 3 entries but PCR 11 does not. */
	snap->val[2][11][5] ^= 0x80;
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_FALSE(test, cut.found);

	/*
	 * After 1 entry PCR 11 is still zero; a snapshot there is a cut
	 * only while the snapshot's PCR 11 is zero too.
	 */
	snapshot_after(test, l, 1, kind, snap, chunk);
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_TRUE(test, cut.found);
	KUNIT_EXPECT_EQ(test, cut.cut, 1ULL);
	snap->val[0][11][0] = 1;
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_FALSE(test, cut.found);
}

/*
 * The newest entry is the first on PCR 11.  PCR 10 has the same value
 * before and after it, so the shorter prefix matches PCR 10 first; the cut
 * is still the whole log, because the snapshot's PCR 11 is not zero.
 */
static void replay_test_new_pcr_last(struct kunit *test)
{
	const u8 kind[4] = { TH_KIND_HASH, TH_KIND_HASH, TH_KIND_PADDED,
			     TH_KIND_PADDED };
	struct th_pcr_values *snap;
	struct test_log *l;
	struct th_cut cut;
	u8 *chunk;

	fixture(test, &l, &snap, &chunk);
	build_log(test, l);
	test_log_entry(test, l, 11, "ima-ng", "/etc/late", false);
	snapshot_after(test, l, 5, kind, snap, chunk);
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_TRUE(test, cut.found);
	KUNIT_EXPECT_EQ(test, cut.cut, 5ULL);
	snapshot_after(test, l, 4, kind, snap, chunk);
	find(test, l, snap, &cut, chunk);
	KUNIT_EXPECT_TRUE(test, cut.found);
	KUNIT_EXPECT_EQ(test, cut.cut, 4ULL);
}

static void replay_test_bad_digest(struct kunit *test)
{
	struct test_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	u8 *chunk = kunit_kzalloc(test, 4096, GFP_KERNEL);
	struct th_replay *r = new_replay(test);

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_NOT_NULL(test, chunk);
	build_log(test, l);
	l->buf[l->ends[0] + 4] ^= 1;	/* the second entry's digest */
	KUNIT_EXPECT_EQ(test, replay_buf(r, l->buf, l->len, 4096, chunk),
			-EBADMSG);
	KUNIT_EXPECT_NOT_NULL(test, strstr(th_replay_error(r), "entry 1"));
	KUNIT_EXPECT_EQ(test, replay_buf(r, l->buf, l->len - 1, 4096, chunk),
			-EBADMSG);
	th_replay_free(r);
}

static void replay_test_unsupported_bank(struct kunit *test)
{
	struct th_banks banks = { .nr = 1, .alg = { TPM_ALG_NULL },
				  .size = { 32 } };
	char err[TH_ERRLEN];
	struct th_replay *r = th_replay_alloc(&banks, err);

	KUNIT_EXPECT_TRUE(test, IS_ERR(r));
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "not supported"));
}

static struct kunit_case replay_test_cases[] = {
	KUNIT_CASE(replay_test_values),
	KUNIT_CASE(replay_test_cut_everywhere),
	KUNIT_CASE(replay_test_no_match),
	KUNIT_CASE(replay_test_empty_log),
	KUNIT_CASE(replay_test_several_pcrs),
	KUNIT_CASE(replay_test_new_pcr_last),
	KUNIT_CASE(replay_test_bad_digest),
	KUNIT_CASE(replay_test_unsupported_bank),
	{}
};

static struct kunit_suite replay_test_suite = {
	.name = "tpm_handoff_replay",
	.test_cases = replay_test_cases,
};

kunit_test_suites(&replay_test_suite);

MODULE_LICENSE("GPL");
