// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the mirror plan (mirror.c) against a fake vTPM and a
 * model pTPM, both computed here with one-shot hashes: the pre-barrier
 * replay with its lag of one entry, the log growing between the two
 * phases, the cut at the newest entry or one before it, resuming a vTPM
 * that holds a prefix, refusing one that holds something else, and the
 * naive order (everything under the barrier), and a re-mirror's end at
 * a count of extends instead of a cut.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "test_log.h"

/* Debian's case: sha384 and sha512 padded, the others hashed. */
static const u8 kinds[4] = { TH_KIND_HASH, TH_KIND_HASH, TH_KIND_PADDED,
			     TH_KIND_PADDED };

struct mlog_entry {
	u32 pcr;
	const char *data;
	bool violation;
};

/* The log; the last entry is the first one on PCR 11. */
static const struct mlog_entry mlog[] = {
	{ 10, "boot_aggregate" }, { 10, "/bin/sh" }, { 10, "", true },
	{ 10, "/etc/passwd" }, { 10, "/usr/bin/env" }, { 10, "/etc/x" },
	{ 10, "/etc/y" }, { 11, "/etc/z" },
};

#define NLOG ARRAY_SIZE(mlog)

/* A TPM model: the PCR values, and how many extends it got. */
struct fake_tpm {
	struct kunit *test;
	struct th_pcr_values v;
	unsigned int extends;
	int fail_at;		/* extend number that fails (1-based), or 0 */
};

static int fake_extend(void *ctx, u32 pcr, const u8 *const *dig)
{
	struct fake_tpm *t = ctx;
	unsigned int b;

	if (++t->extends == t->fail_at)
		return -EIO;
	for (b = 0; b < four_banks.nr; b++)
		model_extend(t->test, b, t->v.val[b][pcr], dig[b]);
	return 0;
}

/* @t after entries [0, n) as IMA extends them, bank b in kinds[b]. */
static void model_after(struct kunit *test, struct fake_tpm *t, unsigned int n)
{
	u8 d[TH_MAX_DIGEST];
	unsigned int i, b;

	for (i = 0; i < n; i++)
		for (b = 0; b < four_banks.nr; b++) {
			model_digest(test, b, kinds[b], mlog[i].data,
				     mlog[i].violation, d);
			model_extend(test, b, t->v.val[b][mlog[i].pcr], d);
		}
}

struct mfix {
	struct test_log l;
	struct fake_tpm ptpm;	/* the model pTPM: its snapshot */
	struct fake_tpm vtpm;	/* the fake vTPM */
	struct th_pcr_values vstart;
	struct th_mirror m;
	struct th_replay *r;
	u8 chunk[4096];
	char err[TH_ERRLEN];
};

static struct mfix *mfix_new(struct kunit *test)
{
	struct mfix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	for (i = 0; i < NLOG; i++)
		test_log_entry(test, &f->l, mlog[i].pcr, "ima-ng", mlog[i].data,
			       mlog[i].violation);
	f->ptpm.test = test;
	f->vtpm.test = test;
	f->ptpm.v.banks = four_banks;
	f->vtpm.v.banks = four_banks;
	f->r = new_replay(test);
	return f;
}

static void mfix_free(struct mfix *f)
{
	th_replay_free(f->r);
}

/* The vTPM's PCRs are read now; the plan starts. */
static void mfix_start(struct mfix *f)
{
	f->vstart = f->vtpm.v;
	th_mirror_init(&f->m, f->r, &f->vstart, BIT(10) | BIT(11), kinds,
		       fake_extend, &f->vtpm);
}

/* Stream entries [from, to) of the log (7-byte reads) through the plan. */
static int mfix_stream(struct mfix *f, unsigned int from, unsigned int to)
{
	size_t a = from ? f->l.ends[from - 1] : 0, z = to ? f->l.ends[to - 1] : 0;
	struct mem_src src = { .p = f->l.buf + a, .left = z - a, .step = 7 };

	return th_replay_stream(f->r, mem_read, &src, f->chunk,
				sizeof(f->chunk), th_mirror_entry, &f->m);
}

/* The vTPM now equals the pTPM model in every bank of PCRs 10 and 11. */
static void expect_mirrored(struct kunit *test, struct mfix *f)
{
	unsigned int b, p;

	for (p = 10; p <= 11; p++)
		for (b = 0; b < four_banks.nr; b++)
			KUNIT_EXPECT_EQ_MSG(test,
					    memcmp(f->vtpm.v.val[b][p],
						   f->ptpm.v.val[b][p],
						   four_banks.size[b]), 0,
					    "PCR %u bank %s", p, bank_hash[b]);
}

/*
 * Before the barrier the log holds @seen entries; under it, @total, and
 * the pTPM has extended @cut of them.  The vTPM first holds @held.
 */
static void run_split(struct kunit *test, unsigned int seen,
		      unsigned int total, unsigned int cut, unsigned int held)
{
	struct mfix *f = mfix_new(test);

	model_after(test, &f->vtpm, held);
	f->vtpm.extends = 0;
	mfix_start(f);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, 0, seen), 0);
	KUNIT_ASSERT_EQ(test, th_mirror_caught_up(&f->m), 0);
	KUNIT_EXPECT_EQ(test, f->m.resumed, (u64)held);
	/* Before the barrier, all but the newest entry. */
	KUNIT_EXPECT_EQ_MSG(test, f->vtpm.extends,
			    seen - 1 > held ? seen - 1 - held : 0,
			    "seen %u held %u", seen, held);

	model_after(test, &f->ptpm, cut);
	th_mirror_set_snapshot(&f->m, &f->ptpm.v);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, seen, total), 0);
	KUNIT_ASSERT_EQ_MSG(test, th_mirror_finish(&f->m, f->err), 0, "%s",
			    f->err);
	KUNIT_EXPECT_EQ(test, f->m.cut, (u64)cut);
	KUNIT_EXPECT_EQ(test, f->m.entries, (u64)total);
	KUNIT_EXPECT_EQ(test, f->m.mirrored, (u64)cut);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, cut - held);
	KUNIT_EXPECT_EQ(test, f->m.extended, (u64)(cut - held));
	expect_mirrored(test, f);
	mfix_free(f);
}

/* The log does not grow: the cut is the newest entry, or one before it. */
static void mirror_test_no_growth(struct kunit *test)
{
	run_split(test, 6, 6, 6, 0);
	run_split(test, 6, 6, 5, 0);
}

/* The log grows between the phases; the delta is replayed under the barrier. */
static void mirror_test_growth(struct kunit *test)
{
	run_split(test, 4, 7, 7, 0);
	run_split(test, 4, 7, 6, 0);
	run_split(test, 1, 5, 5, 0);
	run_split(test, 1, 2, 1, 0);
}

/* The newest entry is the first on PCR 11: the cut before it needs the
 * state one entry back, and PCR 11 must still be zero in the snapshot.
 */
static void mirror_test_new_pcr(struct kunit *test)
{
	run_split(test, NLOG, NLOG, NLOG - 1, 0);
	run_split(test, NLOG, NLOG, NLOG, 0);
	run_split(test, 3, NLOG, NLOG - 1, 0);
}

/* A vTPM that holds a prefix (an aborted attempt) is resumed from there. */
static void mirror_test_resume(struct kunit *test)
{
	run_split(test, 6, 7, 7, 3);
	run_split(test, 6, 7, 6, 5);
	run_split(test, 6, 6, 6, 6);
	run_split(test, 3, 7, 7, 2);
}

/* The naive order: the snapshot first, the whole replay under it. */
static void mirror_test_naive(struct kunit *test)
{
	struct mfix *f = mfix_new(test);

	mfix_start(f);
	model_after(test, &f->ptpm, 6);
	th_mirror_set_snapshot(&f->m, &f->ptpm.v);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, 0, 7), 0);
	KUNIT_ASSERT_EQ(test, th_mirror_caught_up(&f->m), 0);
	KUNIT_ASSERT_EQ_MSG(test, th_mirror_finish(&f->m, f->err), 0, "%s",
			    f->err);
	KUNIT_EXPECT_EQ(test, f->m.cut, 6ULL);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 6U);
	expect_mirrored(test, f);
	mfix_free(f);
}

/* A vTPM extended outside the log matches no prefix: -EBUSY, no extend. */
static void mirror_test_dirty_vtpm(struct kunit *test)
{
	struct mfix *f = mfix_new(test);

	f->vtpm.v.val[1][10][0] = 1;
	mfix_start(f);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, 0, 5), 0);
	KUNIT_EXPECT_EQ(test, th_mirror_caught_up(&f->m), -EBUSY);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 0U);
	mfix_free(f);
}

/* Two entries the pTPM never got: refused, with the count. */
static void mirror_test_tail(struct kunit *test)
{
	struct mfix *f = mfix_new(test);

	mfix_start(f);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, 0, 6), 0);
	KUNIT_ASSERT_EQ(test, th_mirror_caught_up(&f->m), 0);
	model_after(test, &f->ptpm, 4);
	th_mirror_set_snapshot(&f->m, &f->ptpm.v);
	KUNIT_EXPECT_EQ(test, th_mirror_finish(&f->m, f->err), -EIO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->err, "reproduces the pTPM"));
	mfix_free(f);
}

/* A snapshot that no prefix gives (PCR 10 extended outside IMA). */
static void mirror_test_foreign_extend(struct kunit *test)
{
	struct mfix *f = mfix_new(test);

	mfix_start(f);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, 0, 6), 0);
	KUNIT_ASSERT_EQ(test, th_mirror_caught_up(&f->m), 0);
	model_after(test, &f->ptpm, 6);
	f->ptpm.v.val[0][10][3] ^= 1;
	th_mirror_set_snapshot(&f->m, &f->ptpm.v);
	KUNIT_EXPECT_EQ(test, th_mirror_finish(&f->m, f->err), -EIO);
	mfix_free(f);
}

/* A vTPM error stops the stream with that error. */
static void mirror_test_extend_fails(struct kunit *test)
{
	struct mfix *f = mfix_new(test);

	f->vtpm.fail_at = 3;
	mfix_start(f);
	KUNIT_EXPECT_EQ(test, mfix_stream(f, 0, 6), -EIO);
	KUNIT_EXPECT_EQ(test, f->m.mirrored, 2ULL);
	mfix_free(f);
}

/*
 * A re-mirror: a new vTPM holds @held entries; before the barrier the log
 * holds @seen, under it @total, and @target of them reached the TPM chip
 * IMA uses (the rest, at most the newest, waits for the barrier).
 */
static void run_at(struct kunit *test, unsigned int seen, unsigned int total,
		   unsigned int target, unsigned int held)
{
	struct mfix *f = mfix_new(test);

	model_after(test, &f->vtpm, held);
	f->vtpm.extends = 0;
	mfix_start(f);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, 0, seen), 0);
	KUNIT_ASSERT_EQ(test, th_mirror_caught_up(&f->m), 0);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, seen, total), 0);
	KUNIT_ASSERT_EQ_MSG(test, th_mirror_finish_at(&f->m, target, f->err),
			    0, "%s", f->err);
	KUNIT_EXPECT_EQ(test, f->m.resumed, (u64)held);
	KUNIT_EXPECT_EQ(test, f->m.mirrored, (u64)target);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, target - held);
	model_after(test, &f->ptpm, target);
	expect_mirrored(test, f);
	mfix_free(f);
}

/*
 * A reset vTPM gets the whole log; a resumed one (a clean restart) the
 * entries since it stopped; the newest entry is extended only if it
 * reached the chip (not if its own extend waits for the barrier).
 */
static void mirror_test_finish_at(struct kunit *test)
{
	run_at(test, 6, 6, 6, 0);
	run_at(test, 6, 6, 5, 0);
	run_at(test, 4, 7, 7, 0);
	run_at(test, 4, 7, 6, 0);
	run_at(test, 6, 7, 7, 4);
	run_at(test, 6, 6, 6, 6);
	run_at(test, 6, 7, 6, 6);
	run_at(test, NLOG, NLOG, NLOG - 1, 0);
}

/* Counts that no log explains are refused, and nothing is extended. */
static void mirror_test_finish_at_bad(struct kunit *test)
{
	struct mfix *f = mfix_new(test);

	mfix_start(f);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, 0, 5), 0);
	KUNIT_ASSERT_EQ(test, th_mirror_caught_up(&f->m), 0);
	/* More extends than entries: PCR 10 extended outside IMA. */
	KUNIT_EXPECT_EQ(test, th_mirror_finish_at(&f->m, 6, f->err), -EIO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->err, "outside IMA"));
	/* Two entries that never reached the chip. */
	f->err[0] = '\0';
	KUNIT_EXPECT_EQ(test, th_mirror_finish_at(&f->m, 3, f->err), -EIO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->err, "never reached"));
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 4U);
	mfix_free(f);

	/* A vTPM that holds more than reached the chip. */
	f = mfix_new(test);
	model_after(test, &f->vtpm, 5);
	f->vtpm.extends = 0;
	mfix_start(f);
	KUNIT_ASSERT_EQ(test, mfix_stream(f, 0, 6), 0);
	KUNIT_ASSERT_EQ(test, th_mirror_caught_up(&f->m), 0);
	KUNIT_EXPECT_EQ(test, th_mirror_finish_at(&f->m, 5, f->err), 0);
	KUNIT_EXPECT_EQ(test, th_mirror_finish_at(&f->m, 4, f->err), -EIO);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 0U);
	mfix_free(f);
}

static struct kunit_case mirror_test_cases[] = {
	KUNIT_CASE(mirror_test_no_growth),
	KUNIT_CASE(mirror_test_growth),
	KUNIT_CASE(mirror_test_new_pcr),
	KUNIT_CASE(mirror_test_resume),
	KUNIT_CASE(mirror_test_naive),
	KUNIT_CASE(mirror_test_dirty_vtpm),
	KUNIT_CASE(mirror_test_tail),
	KUNIT_CASE(mirror_test_foreign_extend),
	KUNIT_CASE(mirror_test_extend_fails),
	KUNIT_CASE(mirror_test_finish_at),
	KUNIT_CASE(mirror_test_finish_at_bad),
	{}
};

static struct kunit_suite mirror_test_suite = {
	.name = "tpm_handoff_mirror",
	.test_cases = mirror_test_cases,
};

kunit_test_suites(&mirror_test_suite);

MODULE_LICENSE("GPL");
