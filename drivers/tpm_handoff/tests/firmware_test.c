// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the firmware PCRs (firmware.c) against fabricated event
 * logs, a model pTPM (the log's events extended here with one-shot hashes,
 * plus whatever a test adds outside the log) and a fake vTPM: the fw_pcrs
 * syntax, replay where the log reproduces the pTPM, bind where it cannot
 * (foreign extends, a missing bank, no log, a malformed log, H-CRTM
 * locality, DRTM PCRs), what fw_pcrs forces, resuming (between two events
 * of a PCR too), and refusing a vTPM that holds something else.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "test_tcg.h"

struct fake_tpm {
	struct kunit *test;
	struct th_pcr_values v;
	unsigned int extends;
	unsigned int fail_after;	/* extends that succeed; 0: all */
};

static int fake_extend(void *ctx, u32 pcr, const u8 *const *dig)
{
	struct fake_tpm *t = ctx;
	unsigned int b;

	if (t->fail_after && t->extends == t->fail_after)
		return -EIO;
	t->extends++;
	for (b = 0; b < four_banks.nr; b++)
		model_extend(t->test, b, t->v.val[b][pcr], dig[b]);
	return 0;
}

static void tpm_reset(struct fake_tpm *t, struct kunit *test, u8 locality)
{
	unsigned int b, p;

	t->test = test;
	t->v.banks = four_banks;
	t->v.valid = GENMASK(TH_NR_PCRS - 1, 0);
	for (b = 0; b < four_banks.nr; b++) {
		for (p = 0; p < TH_NR_PCRS; p++)
			memset(t->v.val[b][p], th_fw_reset_value(p),
			       four_banks.size[b]);
		t->v.val[b][0][four_banks.size[b] - 1] = locality;
	}
}

/* The model pTPM extends @data in every bank, as firmware does. */
static void tpm_measure(struct fake_tpm *t, u32 pcr, const char *data)
{
	u8 d[TH_MAX_DIGEST];
	unsigned int b;

	for (b = 0; b < four_banks.nr; b++) {
		KUNIT_ASSERT_EQ(t->test, test_hash(bank_hash[b], data,
						   strlen(data), d), 0);
		model_extend(t->test, b, t->v.val[b][pcr], d);
	}
}

struct ffix {
	struct tcg_build log;
	struct fake_tpm ptpm;
	struct fake_tpm vtpm;
	struct th_fw fw;
	struct th_fw_spec spec;
	char err[TH_ERRLEN];
};

static const struct {
	u32 pcr;
	const char *data;
} events[] = {
	{ 0, "SeaBIOS" }, { 1, "smbios" }, { 2, "option rom" },
	{ 4, "multiboot" }, { 8, "grub.cfg" }, { 0, "sep" }, { 1, "sep" },
	{ 2, "sep" }, { 3, "sep" }, { 4, "sep" }, { 5, "sep" }, { 6, "sep" },
	{ 7, "sep" },
};

/* A crypto-agile log of events[], measured into the model pTPM too. */
static struct ffix *ffix_new(struct kunit *test, const char *spec)
{
	struct ffix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->log.test = test;
	tpm_reset(&f->ptpm, test, 0);
	tpm_reset(&f->vtpm, test, 0);
	tb_specid(&f->log, 4);
	for (i = 0; i < ARRAY_SIZE(events); i++) {
		tb_event2(&f->log, events[i].pcr, 0xd, events[i].data, 0);
		tpm_measure(&f->ptpm, events[i].pcr, events[i].data);
	}
	KUNIT_ASSERT_EQ_MSG(test, th_fw_spec_parse(spec, &f->spec, f->err), 0,
			    "%s", f->err);
	return f;
}

/* init, decide, mirror; then the fake vTPM must read what fw->expect says. */
static int ffix_run(struct kunit *test, struct ffix *f, const u8 *log,
		    size_t len, u32 ima_mask)
{
	u32 bad;
	unsigned int bank;
	int rc;

	rc = th_fw_init(&f->fw, &f->spec, &four_banks, log, len, f->err);
	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "%s", f->err);
	rc = th_fw_decide(&f->fw, &f->ptpm.v, ima_mask, f->err);
	if (rc)
		return rc;
	rc = th_fw_mirror(&f->fw, &f->vtpm.v, fake_extend, &f->vtpm, f->err);
	if (rc)
		return rc;
	KUNIT_EXPECT_TRUE_MSG(test, th_pcrs_equal(f->fw.expect, &f->vtpm.v,
						  f->fw.mask, &bad, &bank),
			      "PCR %u bank %u", bad, bank);
	return 0;
}

static void ffix_free(struct ffix *f)
{
	th_fw_free(&f->fw);
}

/* The vTPM's PCR equals the pTPM's (replay) or H(reset || pTPM's) (bind). */
static void expect_pcr(struct kunit *test, struct ffix *f, u32 pcr, bool bind)
{
	u8 want[TH_MAX_DIGEST];
	unsigned int b;

	for (b = 0; b < four_banks.nr; b++) {
		memcpy(want, f->ptpm.v.val[b][pcr], four_banks.size[b]);
		if (bind) {
			memset(want, th_fw_reset_value(pcr), four_banks.size[b]);
			model_extend(test, b, want, f->ptpm.v.val[b][pcr]);
		}
		KUNIT_EXPECT_EQ_MSG(test, memcmp(f->vtpm.v.val[b][pcr], want,
						 four_banks.size[b]), 0,
				    "PCR %u bank %s (%s)", pcr, bank_hash[b],
				    bind ? "bind" : "replay");
	}
}

struct spec_case {
	const char *s;
	u32 auto_mask, bind_mask, replay_mask;
	bool ok;
};

static const struct spec_case spec_cases[] = {
	{ "0-9", 0x3ff, 0, 0, true },
	{ "0-9\n", 0x3ff, 0, 0, true },
	{ "0-7,8-9:bind", 0xff, 0x300, 0, true },
	{ "0-3:replay,4:auto,17-22:bind", 0x10, 0x7e0000, 0xf, true },
	{ "", 0, 0, 0, true },
	{ "none", 0, 0, 0, true },
	{ "none\n", 0, 0, 0, true },
	{ "10", 0, 0, 0, false },
	{ "9-11", 0, 0, 0, false },
	{ "0-24", 0, 0, 0, false },
	{ "3-1", 0, 0, 0, false },
	{ "1,1", 0, 0, 0, false },
	{ "0-3,2", 0, 0, 0, false },
	{ "0:foo", 0, 0, 0, false },
	{ "0:", 0, 0, 0, false },
	{ "0,", 0, 0, 0, false },
	{ ",0", 0, 0, 0, false },
	{ "a", 0, 0, 0, false },
	{ "1000", 0, 0, 0, false },
	{ "0 1", 0, 0, 0, false },
	{ "0-9\n\n", 0, 0, 0, false },
};

static void fw_test_spec(struct kunit *test)
{
	const struct spec_case *cases = spec_cases;
	struct th_fw_spec spec;
	char err[TH_ERRLEN];
	unsigned int i, p;

	for (i = 0; i < ARRAY_SIZE(spec_cases); i++) {
		u32 m[TH_FW_NR_MODES] = { 0 };
		int rc, want = -EINVAL;

		if (cases[i].ok)
			want = 0;
		err[0] = '\0';
		rc = th_fw_spec_parse(cases[i].s, &spec, err);
		KUNIT_EXPECT_EQ_MSG(test, rc, want, "\"%s\": %s", cases[i].s,
				    err);
		if (!cases[i].ok) {
			KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(err, "fw_pcrs"),
						  "\"%s\"", cases[i].s);
			continue;
		}
		for (p = 0; p < TH_NR_PCRS; p++)
			m[spec.mode[p]] |= BIT(p);
		KUNIT_EXPECT_EQ_MSG(test, m[TH_FW_AUTO], cases[i].auto_mask,
				    "\"%s\"", cases[i].s);
		KUNIT_EXPECT_EQ(test, m[TH_FW_BIND], cases[i].bind_mask);
		KUNIT_EXPECT_EQ(test, m[TH_FW_REPLAY], cases[i].replay_mask);
	}
}

/* The log reproduces every PCR: all replayed, one extend per event. */
static void fw_test_replay(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "0-9");
	u32 p;

	KUNIT_ASSERT_EQ_MSG(test, ffix_run(test, f, f->log.buf, f->log.len,
					   BIT(10)), 0, "%s", f->err);
	KUNIT_EXPECT_EQ(test, f->fw.replay, 0x3ffU);
	KUNIT_EXPECT_EQ(test, f->fw.bind, 0U);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, (unsigned int)ARRAY_SIZE(events));
	KUNIT_EXPECT_EQ(test, f->fw.extended, (u32)ARRAY_SIZE(events));
	KUNIT_EXPECT_EQ(test, f->fw.events[0], 2U);
	for (p = 0; p < 10; p++)
		expect_pcr(test, f, p, false);
	ffix_free(f);
}

/* Something extended PCR 8 outside the log: auto binds it, alone. */
static void fw_test_foreign(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "0-9");

	tpm_measure(&f->ptpm, 8, "not in the log");
	KUNIT_ASSERT_EQ_MSG(test, ffix_run(test, f, f->log.buf, f->log.len,
					   BIT(10)), 0, "%s", f->err);
	KUNIT_EXPECT_EQ(test, f->fw.bind, BIT(8));
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->fw.why[8], "does not reproduce"));
	expect_pcr(test, f, 8, true);
	expect_pcr(test, f, 4, false);
	/* Every event but PCR 8's, and one bind extend. */
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, (unsigned int)ARRAY_SIZE(events));
	ffix_free(f);

	/* fw_pcrs insists on replaying it: refused, nothing extended. */
	f = ffix_new(test, "0-7,8:replay,9");
	tpm_measure(&f->ptpm, 8, "not in the log");
	KUNIT_EXPECT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->err, "replay PCR 8"));
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 0U);
	ffix_free(f);
}

static void fw_test_forced_bind(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "0-7:bind,8-9");
	u32 p;

	KUNIT_ASSERT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), 0);
	KUNIT_EXPECT_EQ(test, f->fw.bind, 0xffU);
	KUNIT_EXPECT_EQ(test, f->fw.replay, 0x300U);
	for (p = 0; p < 8; p++)
		expect_pcr(test, f, p, true);
	expect_pcr(test, f, 8, false);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 8U + 1);
	ffix_free(f);
}

/* No log, or a broken one: everything bound; replay: refused. */
static void fw_test_no_log(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "0-9");
	u32 p;

	KUNIT_ASSERT_EQ(test, ffix_run(test, f, NULL, 0, BIT(10)), 0);
	KUNIT_EXPECT_EQ(test, f->fw.bind, 0x3ffU);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->fw.why[3], "no event log"));
	for (p = 0; p < 10; p++)
		expect_pcr(test, f, p, true);
	ffix_free(f);

	f = ffix_new(test, "0-9");
	put_unaligned_le32(99, f->log.buf + f->log.ends[2]);	/* PCR 99 */
	KUNIT_ASSERT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), 0);
	KUNIT_EXPECT_FALSE(test, f->fw.log_ok);
	KUNIT_EXPECT_EQ(test, f->fw.bind, 0x3ffU);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->fw.why[0], "PCR 99"));
	ffix_free(f);

	f = ffix_new(test, "0:replay");
	KUNIT_EXPECT_EQ(test, ffix_run(test, f, NULL, 0, BIT(10)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->err, "no event log"));
	ffix_free(f);
}

/* A PCR 5 event without a sha384 digest: PCR 5 cannot be replayed. */
static void fw_test_missing_bank(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "0-9");

	tb_event2(&f->log, 5, 0xd, "partial", BIT(2));
	tpm_measure(&f->ptpm, 5, "partial");
	KUNIT_ASSERT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), 0);
	KUNIT_EXPECT_EQ_MSG(test, f->fw.bind, BIT(5), "%s", f->fw.why[0]);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->fw.why[5], "no sha384 digest"));
	expect_pcr(test, f, 5, true);
	ffix_free(f);
}

/* TPM2_Startup at locality 3: PCR 0 starts at 3 on the pTPM, 0 on the vTPM. */
static void fw_test_locality(struct kunit *test)
{
	struct ffix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->log.test = test;
	tpm_reset(&f->ptpm, test, 3);
	tpm_reset(&f->vtpm, test, 0);
	tb_specid(&f->log, 4);
	tb_locality(&f->log, 3);
	tb_event2(&f->log, 0, 0xd, "H-CRTM", 0);
	tb_event2(&f->log, 1, 0xd, "config", 0);
	tpm_measure(&f->ptpm, 0, "H-CRTM");
	tpm_measure(&f->ptpm, 1, "config");
	KUNIT_ASSERT_EQ(test, th_fw_spec_parse("0-1", &f->spec, f->err), 0);
	KUNIT_ASSERT_EQ_MSG(test, ffix_run(test, f, f->log.buf, f->log.len,
					   BIT(10)), 0, "%s", f->err);
	/* The replay reproduced PCR 0 (from 3), but the vTPM cannot. */
	KUNIT_EXPECT_EQ(test, f->fw.bind, BIT(0));
	KUNIT_EXPECT_EQ(test, f->fw.replay, BIT(1));
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->fw.why[0], "locality 3"));
	expect_pcr(test, f, 0, true);
	expect_pcr(test, f, 1, false);
	ffix_free(f);
}

/* DRTM PCRs: no events, nothing to do; events: bound. */
static void fw_test_drtm(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "17-18");

	KUNIT_ASSERT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), 0);
	KUNIT_EXPECT_EQ(test, f->fw.replay, BIT(17) | BIT(18));
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 0U);
	KUNIT_EXPECT_EQ(test, f->vtpm.v.val[1][17][0], 0xff);
	ffix_free(f);

	f = ffix_new(test, "17-18");
	tb_event2(&f->log, 17, 0x401, "SINIT", 0);
	tpm_measure(&f->ptpm, 17, "SINIT");
	KUNIT_ASSERT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), 0);
	KUNIT_EXPECT_EQ(test, f->fw.bind, BIT(17));
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->fw.why[17], "DRTM"));
	expect_pcr(test, f, 17, true);
	ffix_free(f);
}

/* A second attempt resumes what the first extended; a dirty PCR stops it. */
static void fw_test_resume(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "0-9");
	unsigned int first;

	tpm_measure(&f->ptpm, 9, "foreign");
	KUNIT_ASSERT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), 0);
	first = f->vtpm.extends;
	ffix_free(f);
	memset(&f->fw, 0, sizeof(f->fw));
	KUNIT_ASSERT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), 0);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, first);
	KUNIT_EXPECT_EQ(test, f->fw.resumed, 0x3ffU);
	KUNIT_EXPECT_EQ(test, f->fw.extended, 0U);
	ffix_free(f);

	f = ffix_new(test, "0-9");
	tpm_measure(&f->vtpm, 3, "someone else");
	KUNIT_EXPECT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), -EBUSY);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->err, "vTPM PCR 3"));
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 0U);
	ffix_free(f);
}

/*
 * An attempt stopped between two events of a PCR (the vTPM's fourth extend
 * fails: PCRs 0, 1 and 2 hold the first of their two events each); the
 * retry extends the rest, once each.  A vTPM PCR at a value that is not on
 * the log's way (its events out of order) is still -EBUSY.
 */
static void fw_test_midway(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "0-9");
	unsigned int p;

	/* EXPECT, not ASSERT: a failure still frees what th_fw_init() took. */
	f->vtpm.fail_after = 3;
	KUNIT_EXPECT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), -EIO);
	KUNIT_EXPECT_EQ(test, f->fw.extended, 3U);
	ffix_free(f);
	memset(&f->fw, 0, sizeof(f->fw));

	f->vtpm.fail_after = 0;
	KUNIT_EXPECT_EQ_MSG(test, ffix_run(test, f, f->log.buf, f->log.len,
					   BIT(10)), 0, "%s", f->err);
	KUNIT_EXPECT_EQ(test, f->fw.midway, 0x7U);
	/* PCR 9 has no events: its reset value is its expected value. */
	KUNIT_EXPECT_EQ(test, f->fw.resumed, (u32)BIT(9));
	KUNIT_EXPECT_EQ(test, f->fw.extended, ARRAY_SIZE(events) - 3);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, ARRAY_SIZE(events));
	for (p = 0; p < 10; p++)
		expect_pcr(test, f, p, false);
	ffix_free(f);

	f = ffix_new(test, "0-9");
	tpm_measure(&f->vtpm, 0, "sep");
	KUNIT_EXPECT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10)), -EBUSY);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->err, "vTPM PCR 0"));
	KUNIT_EXPECT_EQ(test, f->fw.midway, 0U);
	KUNIT_EXPECT_EQ(test, f->vtpm.extends, 0U);
	ffix_free(f);
}

/* A firmware PCR that the IMA log extends too is refused. */
static void fw_test_ima_conflict(struct kunit *test)
{
	struct ffix *f = ffix_new(test, "0-9");

	KUNIT_EXPECT_EQ(test, ffix_run(test, f, f->log.buf, f->log.len,
				       BIT(10) | BIT(9)), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->err, "PCR 9"));
	ffix_free(f);
}

/* A TPM 1.2 format log holds SHA-1 only: 4-bank PCRs with events are bound. */
static void fw_test_tpm12_log(struct kunit *test)
{
	struct ffix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->log.test = test;
	tpm_reset(&f->ptpm, test, 0);
	tpm_reset(&f->vtpm, test, 0);
	tb_event12(&f->log, 0, 0x8, "BIOS");
	tpm_measure(&f->ptpm, 0, "BIOS");
	KUNIT_ASSERT_EQ(test, th_fw_spec_parse("0-1", &f->spec, f->err), 0);
	KUNIT_ASSERT_EQ_MSG(test, ffix_run(test, f, f->log.buf, f->log.len,
					   BIT(10)), 0, "%s", f->err);
	KUNIT_EXPECT_EQ(test, f->fw.bind, BIT(0));
	KUNIT_EXPECT_EQ(test, f->fw.replay, BIT(1));
	KUNIT_EXPECT_NOT_NULL(test, strstr(f->fw.why[0], "no sha256 digest"));
	ffix_free(f);
}

static struct kunit_case firmware_test_cases[] = {
	KUNIT_CASE(fw_test_spec),
	KUNIT_CASE(fw_test_replay),
	KUNIT_CASE(fw_test_foreign),
	KUNIT_CASE(fw_test_forced_bind),
	KUNIT_CASE(fw_test_no_log),
	KUNIT_CASE(fw_test_missing_bank),
	KUNIT_CASE(fw_test_locality),
	KUNIT_CASE(fw_test_drtm),
	KUNIT_CASE(fw_test_resume),
	KUNIT_CASE(fw_test_midway),
	KUNIT_CASE(fw_test_ima_conflict),
	KUNIT_CASE(fw_test_tpm12_log),
	{}
};

static struct kunit_suite firmware_test_suite = {
	.name = "tpm_handoff_firmware",
	.test_cases = firmware_test_cases,
};

kunit_test_suite(firmware_test_suite);

MODULE_LICENSE("GPL");
