// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the handoff core (handoff.c, barrier.c, forward.c, vtpm.c) end to
 * end, against two fake TPM 2.0 chips registered with the real TPM core
 * and an IMA measurement list in memory.
 *
 * The fake chips model what the handoff uses of a TPM 2.0 (GetCapability
 * of the PCR allocation, PCR_Read with at most 8 PCRs a response,
 * PCR_Extend, Shutdown) and count what reached them; one can hold a
 * command in flight, fail for good after some extends, or call a hook
 * when it is read.  An "IMA" here measures as IMA does: it appends an
 * entry to the list, then extends the pTPM chip through tpm_pcr_extend(),
 * so at most one entry is in the list but not yet in the TPM.  The
 * expected PCR 10 values come from the test's own hashing of the entries
 * (the oracle), not from the module.
 *
 * What this shows deterministically, under whatever the kernel checks
 * (KASAN, lockdep, kmemleak in the kasan kernel): the commit forwards
 * later commands to the vTPM and none to the pTPM; an abort leaves the
 * pTPM's own ops in place and loses nothing; a command in flight is
 * drained before the snapshot; an extend that meets the barrier runs once,
 * on the vTPM, after the commit; the watchdog ends a barrier that cannot
 * drain; a retry resumes from the vTPM's prefix, and from between two
 * events of a firmware PCR.
 *
 * It needs the TPM core built in (the kasan kernel); in a kernel without
 * one (UML, which has no I/O memory for it) the suite reports itself
 * skipped.
 */
#include <kunit/test.h>
#include <linux/tpm.h>

#if IS_BUILTIN(CONFIG_TCG_TPM)

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <crypto/sha1.h>
#include <crypto/sha2.h>
#include <tpm_handoff/compat.h>

#include "../tpm_handoff_priv.h"
#include <tpm_handoff/tpm_core.h>
#include "test_log.h"
#include "test_tcg.h"

#define FAKE_PCRS	24
#define FAKE_BANKS	2	/* sha1, sha256: what the pTPM has */
#define FAKE_MAX_BANKS	3	/* and sha384, for a vTPM with one more */
#define FAKE_DIGEST	SHA384_DIGEST_SIZE
#define IMA_PCR		10
#define N_ENTRIES	10
/* TPM_RC_VALUE (TPM 2.0 Part 2, RC_FMT1 + 0x004): not in 6.1's tpm.h */
#define FAKE_RC_VALUE	0x0084

/**
 * struct fake_tpm - a TPM 2.0 chip the test controls
 * @pdev: its parent device (drvdata: this struct)
 * @chip: the chip, registered with the TPM core
 * @nr_banks: allocated banks: sha1, then sha256, then sha384
 * @pcr: PCR values, per bank
 * @rsp: the response to the last command
 * @rsp_len: its length
 * @reads: PCR_Read commands received
 * @extends: PCR_Extend commands received, per PCR
 * @fail_after: extends to accept before every command fails with -EIO
 *	(a vTPM that died); -1: never
 * @interruptible: commands fail with -EINTR while the sender has a signal
 *	pending, as a driver that waits for its TPM interruptibly
 * @get_random_rc: the response code GetRandom answers with
 * @hold_cc: hold the next command with this code in send() until
 *	@release (a command in flight); 0: none
 * @held: completed when a command is held
 * @release: the test completes it to let the held command go on
 * @on_read: called when a PCR_Read arrives, before it is answered
 * @ctx: for @on_read
 * @locality_busy: (fake_tis_ops) how many more requests for a locality
 *	fail, as tpm_tis's do while another locality holds the TPM; -1:
 *	all of them
 * @locality_asks: requests for a locality received
 *
 * The TPM core calls send() and recv() with the chip's tpm_mutex held:
 * that serialises the fields; the test reads them when nothing is in
 * flight.
 */
struct fake_tpm {
	struct device *pdev;
	struct tpm_chip *chip;
	unsigned int nr_banks;
	u8 pcr[FAKE_MAX_BANKS][FAKE_PCRS][FAKE_DIGEST];
	u8 rsp[PAGE_SIZE];
	size_t rsp_len;
	unsigned int reads;
	unsigned int extends[FAKE_PCRS];
	int fail_after;
	bool interruptible;
	u32 get_random_rc;
	u32 hold_cc;
	struct completion held;
	struct completion release;
	void (*on_read)(struct fake_tpm *f);
	void *ctx;
	int locality_busy;
	unsigned int locality_asks;
};

static const u16 fake_alg[FAKE_MAX_BANKS] = {
	TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384
};

static const char *const fake_hash[FAKE_MAX_BANKS] = {
	"sha1", "sha256", "sha384"
};

static const unsigned int fake_size[FAKE_MAX_BANKS] = {
	SHA1_DIGEST_SIZE, SHA256_DIGEST_SIZE, SHA384_DIGEST_SIZE
};

static int fake_bank(struct fake_tpm *f, u16 alg)
{
	unsigned int b;

	for (b = 0; b < f->nr_banks; b++)
		if (fake_alg[b] == alg)
			return b;
	return -1;
}

static unsigned int alg_size(u16 alg)
{
	switch (alg) {
	case TPM_ALG_SHA1:
		return SHA1_DIGEST_SIZE;
	case TPM_ALG_SHA256:
		return SHA256_DIGEST_SIZE;
	case TPM_ALG_SHA384:
		return SHA384_DIGEST_SIZE;
	case TPM_ALG_SHA512:
		return SHA512_DIGEST_SIZE;
	}
	return 0;
}

/* The response: a header, then @body. */
static int fake_answer(struct fake_tpm *f, u16 tag, u32 rc, const u8 *body,
		       size_t len)
{
	put_unaligned_be16(tag, f->rsp);
	put_unaligned_be32(TPM_HEADER_SIZE + len, f->rsp + 2);
	put_unaligned_be32(rc, f->rsp + 6);
	memcpy(f->rsp + TPM_HEADER_SIZE, body, len);
	f->rsp_len = TPM_HEADER_SIZE + len;
	return 0;
}

/* GetCapability(TPM_CAP_PCRS): every bank, all 24 PCRs allocated. */
static int fake_get_cap(struct fake_tpm *f, const u8 *cmd, size_t len)
{
	u8 body[64], *p = body;
	unsigned int b;

	if (len < TPM_HEADER_SIZE + 12 ||
	    get_unaligned_be32(cmd + TPM_HEADER_SIZE) != TPM2_CAP_PCRS)
		return fake_answer(f, TPM2_ST_NO_SESSIONS, FAKE_RC_VALUE, NULL, 0);
	*p++ = 0;				/* moreData */
	put_unaligned_be32(TPM2_CAP_PCRS, p);
	p += 4;
	put_unaligned_be32(f->nr_banks, p);
	p += 4;
	for (b = 0; b < f->nr_banks; b++) {
		put_unaligned_be16(fake_alg[b], p);
		p[2] = 3;
		p[3] = 0xff;
		p[4] = 0xff;
		p[5] = 0xff;
		p += 6;
	}
	return fake_answer(f, TPM2_ST_NO_SESSIONS, 0, body, p - body);
}

/* PCR_Read of one selection: at most 8 PCRs, as real TPMs answer. */
static int fake_pcr_read(struct fake_tpm *f, const u8 *cmd, size_t len)
{
	/* counter, TPML_PCR_SELECTION (count, one selection), digest count */
	u8 body[4 + 4 + 6 + 4 + 8 * (2 + FAKE_DIGEST)], *p = body, *sel;
	const u8 *in = cmd + TPM_HEADER_SIZE;
	u32 want, got = 0;
	unsigned int pcr, n = 0;
	int b;

	f->reads++;
	if (f->on_read)
		f->on_read(f);
	if (len < TPM_HEADER_SIZE + 10 || get_unaligned_be32(in) != 1 ||
	    in[6] != 3)
		return fake_answer(f, TPM2_ST_NO_SESSIONS, FAKE_RC_VALUE, NULL, 0);
	b = fake_bank(f, get_unaligned_be16(in + 4));
	want = in[7] | in[8] << 8 | in[9] << 16;
	put_unaligned_be32(f->reads, p);	/* pcrUpdateCounter */
	p += 4;
	put_unaligned_be32(1, p);
	p += 4;
	memcpy(p, in + 4, 3);			/* hash, sizeofSelect */
	sel = p + 3;
	p += 6;
	if (b >= 0)
		for (pcr = 0; pcr < FAKE_PCRS && n < 8; pcr++)
			if (want & BIT(pcr)) {
				got |= BIT(pcr);
				n++;
			}
	sel[0] = got;
	sel[1] = got >> 8;
	sel[2] = got >> 16;
	put_unaligned_be32(n, p);
	p += 4;
	for (pcr = 0; pcr < FAKE_PCRS; pcr++) {
		if (!(got & BIT(pcr)))
			continue;
		put_unaligned_be16(fake_size[b], p);
		memcpy(p + 2, f->pcr[b][pcr], fake_size[b]);
		p += 2 + fake_size[b];
	}
	return fake_answer(f, TPM2_ST_NO_SESSIONS, 0, body, p - body);
}

/* new = H(old || digest) */
static void fake_extend_bank(struct fake_tpm *f, int b, u32 pcr, const u8 *d)
{
	u8 in[2 * FAKE_DIGEST];

	memcpy(in, f->pcr[b][pcr], fake_size[b]);
	memcpy(in + fake_size[b], d, fake_size[b]);
	WARN_ON(test_hash(fake_hash[b], in, 2 * fake_size[b], f->pcr[b][pcr]));
}

/* PCR_Extend: handle, authorization area, TPML_DIGEST_VALUES. */
static int fake_pcr_extend(struct fake_tpm *f, const u8 *cmd, size_t len)
{
	static const u8 ok[] = { 0, 0, 0, 0, 0, 0, 1, 0, 0 };
	const u8 *p = cmd + TPM_HEADER_SIZE, *end = cmd + len;
	u32 pcr, auth, count, i;
	u16 alg;
	int b;

	if (p + 8 > end)
		return fake_answer(f, TPM2_ST_NO_SESSIONS, FAKE_RC_VALUE, NULL, 0);
	pcr = get_unaligned_be32(p);
	auth = get_unaligned_be32(p + 4);
	p += 8 + auth;
	if (pcr >= FAKE_PCRS || p + 4 > end)
		return fake_answer(f, TPM2_ST_NO_SESSIONS, FAKE_RC_VALUE, NULL, 0);
	count = get_unaligned_be32(p);
	p += 4;
	for (i = 0; i < count; i++) {
		if (p + 2 > end)
			break;
		alg = get_unaligned_be16(p);
		p += 2;
		if (!alg_size(alg) || p + alg_size(alg) > end)
			return fake_answer(f, TPM2_ST_SESSIONS, TPM2_RC_HASH, NULL, 0);
		b = fake_bank(f, alg);
		if (b >= 0)
			fake_extend_bank(f, b, pcr, p);
		p += alg_size(alg);
	}
	f->extends[pcr]++;
	if (f->fail_after > 0)
		f->fail_after--;
	return fake_answer(f, TPM2_ST_SESSIONS, 0, ok, sizeof(ok));
}

static struct fake_tpm *fake_of(struct tpm_chip *chip)
{
	return dev_get_drvdata(chip->dev.parent);
}

#if TH_TPM_SEND_BUFSIZ
static int fake_send(struct tpm_chip *chip, u8 *buf, size_t bufsiz,
		     size_t len)
#else
static int fake_send(struct tpm_chip *chip, u8 *buf, size_t len)
#endif
{
	struct fake_tpm *f = fake_of(chip);
	u32 cc;

	if (len < TPM_HEADER_SIZE)
		return -EINVAL;
	cc = get_unaligned_be32(buf + 6);
	if (f->hold_cc && f->hold_cc == cc) {
		f->hold_cc = 0;
		complete(&f->held);
		wait_for_completion(&f->release);
	}
	if (f->fail_after == 0)
		return -EIO;
	if (f->interruptible && signal_pending(current))
		return -EINTR;
	switch (cc) {
	case TPM2_CC_GET_RANDOM:
		return fake_answer(f, TPM2_ST_NO_SESSIONS, f->get_random_rc,
				   NULL, 0);
	case TPM2_CC_GET_CAPABILITY:
		return fake_get_cap(f, buf, len);
	case TPM2_CC_PCR_READ:
		return fake_pcr_read(f, buf, len);
	case TPM2_CC_PCR_EXTEND:
		return fake_pcr_extend(f, buf, len);
	case TPM2_CC_SHUTDOWN:
		return fake_answer(f, TPM2_ST_NO_SESSIONS, 0, NULL, 0);
	case TH_CC_READ_CLOCK: {
		/* TPMS_TIME_INFO: time, clock, resetCount 1, restartCount 0, safe */
		static const u8 ti[25] = { [19] = 1, [24] = 1 };

		return fake_answer(f, TPM2_ST_NO_SESSIONS, 0, ti, sizeof(ti));
	}
	}
	return fake_answer(f, TPM2_ST_NO_SESSIONS, TPM2_RC_COMMAND_CODE, NULL, 0);
}

static int fake_recv(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct fake_tpm *f = fake_of(chip);

	if (f->rsp_len > len)
		return -EIO;
	memcpy(buf, f->rsp, f->rsp_len);
	return f->rsp_len;
}

/* send() answers at once: the core's status poll ends at once. */
static u8 fake_status(struct tpm_chip *chip)
{
	return 0;
}

static bool fake_req_canceled(struct tpm_chip *chip, u8 status)
{
	return false;
}

static void fake_cancel(struct tpm_chip *chip)
{
}

/* No TPM_OPS_AUTO_STARTUP: registering only asks for the PCR allocation. */
static const struct tpm_class_ops fake_ops = {
	.req_complete_mask = 0,
	.req_complete_val = 0,
	.req_canceled = fake_req_canceled,
	.status = fake_status,
	.send = fake_send,
	.recv = fake_recv,
	.cancel = fake_cancel,
};

/*
 * tpm_tis's request_locality while another locality (the manager) holds
 * the TPM: each call fails, having waited timeout_a, until it lets go.
 */
static int fake_request_locality(struct tpm_chip *chip, int loc)
{
	struct fake_tpm *f = fake_of(chip);

	f->locality_asks++;
	if (!f->locality_busy)
		return loc;
	if (f->locality_busy > 0)
		f->locality_busy--;
	return -1;
}

static int fake_relinquish_locality(struct tpm_chip *chip, int loc)
{
	return 0;
}

/*
 * A pTPM with localities, as tpm_tis's chip: what the shim wraps.  The
 * fake's ops and the locality callbacks; filled by fake_tis_ops_get()
 * (the completion mask is const: copied, not assigned).
 */
static struct tpm_class_ops fake_tis_ops;

static const struct tpm_class_ops *fake_tis_ops_get(void)
{
	memcpy(&fake_tis_ops, &fake_ops, sizeof(fake_tis_ops));
	fake_tis_ops.request_locality = fake_request_locality;
	fake_tis_ops.relinquish_locality = fake_relinquish_locality;
	return &fake_tis_ops;
}

static struct fake_tpm *fake_tpm_new(struct kunit *test, const char *name,
				     unsigned int nr_banks, bool tpm2)
{
	struct fake_tpm *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct tpm_chip *chip;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->nr_banks = nr_banks;
	f->fail_after = -1;
	init_completion(&f->held);
	init_completion(&f->release);
	f->pdev = root_device_register(name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f->pdev));
	dev_set_drvdata(f->pdev, f);
	chip = tpm_chip_alloc(f->pdev, &fake_ops);
	KUNIT_ASSERT_FALSE(test, IS_ERR(chip));
	chip->flags |= TPM_CHIP_FLAG_HWRNG_DISABLED;
	if (tpm2)
		chip->flags |= TPM_CHIP_FLAG_TPM2;
	KUNIT_ASSERT_EQ(test, tpm_chip_register(chip), 0);
	f->chip = chip;
	return f;
}

static void fake_tpm_del(struct fake_tpm *f)
{
	if (!f || !f->chip)
		return;
	tpm_chip_unregister(f->chip);
	put_device(&f->chip->dev);
	root_device_unregister(f->pdev);
	f->chip = NULL;
}

/**
 * struct mem_log - IMA's measurement list, in memory
 * @lock: protects @l and @pos: the "IMA" appends while the handoff reads
 * @l: the binary list
 * @pos: the next byte to read
 *
 * Entries are appended whole under @lock, so a reader sees whole entries
 * only, as from IMA's seq_file.
 */
struct mem_log {
	struct mutex lock;	/* @l and @pos; innermost, never held long */
	struct test_log l;
	size_t pos;
};

static int memlog_open(void *src, const char *path, char *err)
{
	struct mem_log *m = src;

	m->pos = 0;
	return 0;
}

static void memlog_close(void *src)
{
}

static void memlog_rewind(void *src)
{
	struct mem_log *m = src;

	mutex_lock(&m->lock);
	m->pos = 0;
	mutex_unlock(&m->lock);
}

static void memlog_resume(void *src)
{
}

static size_t memlog_buffer_size(const void *src)
{
	return 0;
}

static ssize_t memlog_read(void *src, u8 *buf, size_t len)
{
	struct mem_log *m = src;
	size_t n;

	mutex_lock(&m->lock);
	n = min(len, m->l.len - m->pos);
	memcpy(buf, m->l.buf + m->pos, n);
	m->pos += n;
	mutex_unlock(&m->lock);
	return n;
}

static const struct th_log_ops memlog_ops = {
	.open = memlog_open,
	.close = memlog_close,
	.rewind = memlog_rewind,
	.resume = memlog_resume,
	.buffer_size = memlog_buffer_size,
	.read = memlog_read,
};

/**
 * struct ho_ctx - one case
 * @test: the case
 * @p: the pTPM
 * @v: the vTPM
 * @log: the measurement list
 * @oracle: PCR 10 per bank, hashed here from every entry measured
 * @at: @oracle after each entry (@at[n]: after n entries)
 * @h: the handoff attempt
 * @done: the handoff runner finished (handoff_start())
 * @rc: what th_handoff_run() returned
 * @runner_started: handoff_start() started a runner; it completes @done
 * @actor_appended: the actor appended its entry
 * @actor_done: the actor's extend returned
 * @actor_rc: what it returned
 * @actor_started: an actor runs or ran; it completes @actor_done
 */
struct ho_ctx {
	struct kunit *test;
	struct fake_tpm *p, *v, *v2;
	struct mem_log log;
	u8 oracle[FAKE_BANKS][SHA256_DIGEST_SIZE];
	u8 at[64][FAKE_BANKS][SHA256_DIGEST_SIZE];
	struct th_handoff *h;
	struct completion done;
	int rc;
	bool runner_started;
	struct completion actor_appended;
	struct completion actor_done;
	int actor_rc;
	bool actor_started;
};

/*
 * The first half of what IMA does for one measurement: append an ima-ng
 * style entry (its template data a single field holding @what) and fill
 * @d with what IMA extends for it: SHA-1 of the template data (the logged
 * digest) in the sha1 bank, SHA-256 of it in the sha256 bank.  The oracle
 * follows.  No KUnit assertions: actors call this from threads of their
 * own.
 */
static int ima_append(struct ho_ctx *c, const char *what,
		      struct tpm_digest *d)
{
	u8 tdata[64], in[2 * SHA256_DIGEST_SIZE];
	size_t tlen = 4 + strlen(what);
	unsigned int b;
	int rc = 0;

	if (tlen > sizeof(tdata))
		return -EINVAL;
	put_unaligned_le32(strlen(what), tdata);
	memcpy(tdata + 4, what, strlen(what));
	for (b = 0; b < FAKE_BANKS && !rc; b++) {
		d[b].alg_id = fake_alg[b];
		rc = test_hash(fake_hash[b], tdata, tlen, d[b].digest);
	}
	if (rc)
		return rc;

	mutex_lock(&c->log.lock);
	if (c->log.l.n + 1 >= ARRAY_SIZE(c->at) ||
	    c->log.l.len + 64 + tlen > sizeof(c->log.l.buf)) {
		mutex_unlock(&c->log.lock);
		return -ENOSPC;
	}
	test_log_append(&c->log.l, IMA_PCR, d[0].digest, "ima-ng", tdata, tlen);
	for (b = 0; b < FAKE_BANKS && !rc; b++) {
		memcpy(in, c->oracle[b], fake_size[b]);
		memcpy(in + fake_size[b], d[b].digest, fake_size[b]);
		rc = test_hash(fake_hash[b], in, 2 * fake_size[b],
			       c->oracle[b]);
	}
	memcpy(c->at[c->log.l.n], c->oracle, sizeof(c->oracle));
	mutex_unlock(&c->log.lock);
	return rc;
}

/* All of it: append, then extend the pTPM chip through the TPM core. */
static int ima_measure(struct ho_ctx *c, const char *what)
{
	struct tpm_digest d[FAKE_BANKS];
	int rc = ima_append(c, what, d);

	return rc ? rc : tpm_pcr_extend(c->p->chip, IMA_PCR, d);
}

/* A fake's PCR 10 equals the oracle after @n entries, in every bank. */
static bool pcr10_at(struct ho_ctx *c, struct fake_tpm *f, unsigned int n)
{
	unsigned int b;

	for (b = 0; b < FAKE_BANKS; b++)
		if (memcmp(f->pcr[b][IMA_PCR], c->at[n][b], fake_size[b]))
			return false;
	return true;
}

static struct th_handoff *handoff_new(struct ho_ctx *c, bool prereplay)
{
	struct kunit *test = c->test;
	struct th_handoff *h = kzalloc(sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->ptpm = c->p->chip;
	h->vtpm_spec = dev_name(&c->v->chip->dev);
	h->barrier_timeout_ms = 10000;
	h->mirror_timeout_ms = 10000;
	h->prereplay = prereplay;
	KUNIT_ASSERT_EQ(test, th_fw_spec_parse("none", &h->fw_spec, h->err), 0);
	h->log_ops = &memlog_ops;
	h->log_src = &c->log;
	c->h = h;
	return h;
}

/* The attempt's resources; a committed one's vTPM stays with the forwarder. */
static void handoff_free(struct ho_ctx *c)
{
	if (!c->h)
		return;
	th_handoff_release(c->h);
	kfree(c->h);
	c->h = NULL;
}

static int handoff_runner(void *data)
{
	struct ho_ctx *c = data;

	c->rc = th_handoff_run(c->h, "memory");
	complete_all(&c->done);
	return 0;
}

/* Run the attempt in a thread of its own; wait with handoff_wait(). */
static void handoff_start(struct ho_ctx *c)
{
	struct task_struct *t;

	init_completion(&c->done);
	t = kthread_run(handoff_runner, c, "th_test_run");
	KUNIT_ASSERT_FALSE(c->test, IS_ERR(t));
	c->runner_started = true;
}

static bool handoff_wait(struct ho_ctx *c, unsigned int ms)
{
	return wait_for_completion_timeout(&c->done, msecs_to_jiffies(ms));
}

/*
 * The actor: "IMA" measuring in a thread of its own while the handoff
 * runs.  It appends its entry, says so, then extends (which may wait for
 * the barrier, or be held in flight by the fake).
 */
static int actor(void *data)
{
	struct ho_ctx *c = data;
	struct tpm_digest d[FAKE_BANKS];

	c->actor_rc = ima_append(c, "actor", d);
	complete_all(&c->actor_appended);
	if (!c->actor_rc)
		c->actor_rc = tpm_pcr_extend(c->p->chip, IMA_PCR, d);
	complete_all(&c->actor_done);
	return 0;
}

static int actor_start(struct ho_ctx *c)
{
	struct task_struct *t;

	init_completion(&c->actor_appended);
	init_completion(&c->actor_done);
	t = kthread_run(actor, c, "th_test_ima");
	if (IS_ERR(t))
		return PTR_ERR(t);
	c->actor_started = true;
	return 0;
}

static bool actor_wait(struct ho_ctx *c, unsigned int ms)
{
	return wait_for_completion_timeout(&c->actor_done,
					   msecs_to_jiffies(ms));
}

static int handoff_test_init(struct kunit *test)
{
	struct ho_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int i;
	char what[16];

	KUNIT_ASSERT_NOT_NULL(test, c);
	test->priv = c;
	c->test = test;
	mutex_init(&c->log.lock);
	c->p = fake_tpm_new(test, "th_test_ptpm", FAKE_BANKS, true);
	c->v = fake_tpm_new(test, "th_test_vtpm", FAKE_BANKS, true);
	for (i = 0; i < N_ENTRIES; i++) {
		snprintf(what, sizeof(what), "file %u", i);
		KUNIT_ASSERT_EQ(test, ima_measure(c, what), 0);
	}
	KUNIT_ASSERT_EQ(test, c->p->extends[IMA_PCR], N_ENTRIES);
	KUNIT_ASSERT_TRUE(test, pcr10_at(c, c->p, N_ENTRIES));
	return 0;
}

static void handoff_test_exit(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct tpm_chip *vchip;

	if (!c)
		return;
	/* Nothing may be left waiting on a fake, or running on @c. */
	if (c->p)
		complete_all(&c->p->release);
	if (c->v)
		complete_all(&c->v->release);
	if (c->v2)
		complete_all(&c->v2->release);
	if (c->actor_started &&
	    !wait_for_completion_timeout(&c->actor_done, 30 * HZ)) {
		KUNIT_FAIL(test, "the actor never finished: leaking the case");
		return;
	}
	if (c->runner_started &&
	    !wait_for_completion_timeout(&c->done, 30 * HZ)) {
		KUNIT_FAIL(test, "the handoff never finished: leaking the case");
		return;
	}
	handoff_free(c);
	/* A committed pTPM sends its Shutdown through the forwarder. */
	fake_tpm_del(c->p);
	vchip = th_forward_reset();
	if (vchip)
		put_device(&vchip->dev);
	fake_tpm_del(c->v);
	fake_tpm_del(c->v2);
}

/* The common end of a commit: the pTPM forwards, to the vTPM only. */
static void expect_forwarding(struct ho_ctx *c, unsigned int entries)
{
	struct kunit *test = c->test;
	unsigned int preads = c->p->reads, pext = c->p->extends[IMA_PCR];
	struct tpm_digest d = { .alg_id = TPM_ALG_SHA256 };

	KUNIT_EXPECT_PTR_NE(test, READ_ONCE(c->p->chip->ops), &fake_ops);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->v, entries));

	/* IMA measures on: its extend reaches the vTPM, not the pTPM. */
	KUNIT_EXPECT_EQ(test, ima_measure(c, "after the commit"), 0);
	KUNIT_EXPECT_EQ(test, c->p->extends[IMA_PCR], pext);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->v, entries + 1));
	/* So do reads, through the core's own path. */
	KUNIT_EXPECT_EQ(test, tpm_pcr_read(c->p->chip, IMA_PCR, &d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(d.digest, c->v->pcr[1][IMA_PCR],
				     SHA256_DIGEST_SIZE), 0);
	KUNIT_EXPECT_EQ(test, c->p->reads, preads);
}

/* The whole handoff, the early replay first (the default). */
static void handoff_test_commit(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_EXPECT_TRUE(test, h->committed);
	KUNIT_EXPECT_EQ(test, h->cut.cut, N_ENTRIES);
	KUNIT_EXPECT_EQ(test, h->cut.entries, N_ENTRIES);
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], N_ENTRIES);
	/* Before the barrier all but the newest entry went in. */
	KUNIT_EXPECT_EQ(test, h->replayed_in_barrier, 1);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->p, N_ENTRIES));
	expect_forwarding(c, N_ENTRIES);
}

/* prereplay=N: the whole replay under the barrier. */
static void handoff_test_naive(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, false);

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, h->cut.cut, N_ENTRIES);
	KUNIT_EXPECT_EQ(test, h->replayed_in_barrier, N_ENTRIES);
	expect_forwarding(c, N_ENTRIES);
}

/* The system stays on the pTPM after an abort, and IMA's extends reach it. */
static void expect_on_ptpm(struct ho_ctx *c)
{
	struct kunit *test = c->test;
	unsigned int pext = c->p->extends[IMA_PCR];

	KUNIT_EXPECT_FALSE(test, c->h->committed);
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(c->p->chip->ops), &fake_ops);
	KUNIT_EXPECT_EQ(test, ima_measure(c, "after the abort"), 0);
	KUNIT_EXPECT_EQ(test, c->p->extends[IMA_PCR], pext + 1);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->p, c->log.l.n));
}

/* A vTPM without a bank IMA extends is refused before anything is sent. */
static void handoff_test_missing_bank(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h;

	fake_tpm_del(c->v);
	c->v = fake_tpm_new(test, "th_test_vtpm", 1, true);
	h = handoff_new(c, true);
	KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -EOPNOTSUPP);
	KUNIT_EXPECT_NOT_NULL(test, strstr(h->err, "no sha256 PCR bank"));
	KUNIT_EXPECT_EQ(test, c->v->reads + c->v->extends[IMA_PCR], 0);
	KUNIT_EXPECT_EQ(test, h->barrier.window_ns, 0);
	expect_on_ptpm(c);
}

/* Mixed families are refused. */
static void handoff_test_family(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h;

	fake_tpm_del(c->v);
	c->v = fake_tpm_new(test, "th_test_vtpm", 1, false);
	h = handoff_new(c, true);
	KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(h->err, "both must be the same family"));
	expect_on_ptpm(c);
}

/*
 * The vTPM dies in the middle of the replay: abort, still on the pTPM.
 * Once it answers again a retry resumes from the prefix it holds, and
 * extends nothing twice.
 */
static void handoff_test_vtpm_dies(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);
	unsigned int n;

	c->v->fail_after = 4;
	KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -EIO);
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], 4);
	KUNIT_EXPECT_EQ(test, h->barrier.window_ns, 0);
	expect_on_ptpm(c);
	handoff_free(c);

	n = c->log.l.n;
	c->v->fail_after = -1;
	h = handoff_new(c, true);
	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, h->mirror.resumed, 4);
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], n);
	expect_forwarding(c, n);
}

/* Firmware measures @data into @pcr of the pTPM and logs it in @t. */
static void fw_measure(struct ho_ctx *c, struct tcg_build *t, u32 pcr,
		       const char *data)
{
	struct tpm_digest d[FAKE_BANKS];
	unsigned int b;

	/* The log declares sha1 and sha256: four_banks' first two. */
	tb_event2(t, pcr, 0xd, data, BIT(2) | BIT(3));
	for (b = 0; b < FAKE_BANKS; b++) {
		d[b].alg_id = c->p->chip->allocated_banks[b].alg_id;
		KUNIT_ASSERT_EQ(c->test, test_hash(fake_hash[b], data,
						   strlen(data), d[b].digest), 0);
	}
	KUNIT_ASSERT_EQ(c->test, tpm_pcr_extend(c->p->chip, pcr, d), 0);
}

/*
 * The vTPM dies between the two events of firmware PCR 0 (fw_pcrs=0-1,
 * the pTPM's own event log); the retry extends the second one only, then
 * PCR 1, and commits with both equal to the pTPM's.
 */
static void handoff_test_fw_midway(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct tcg_build *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct tpm_bios_log *log = &c->p->chip->log;
	struct th_handoff *h;
	unsigned int b, p;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	tb_specid(t, FAKE_BANKS);
	fw_measure(c, t, 0, "CRTM");
	fw_measure(c, t, 1, "config");
	fw_measure(c, t, 0, "separator");
	/* As the core keeps a log it read: device-managed on the chip. */
	log->bios_event_log = devm_kmemdup(&c->p->chip->dev, t->buf, t->len,
					   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log->bios_event_log);
	log->bios_event_log_end = log->bios_event_log + t->len;

	h = handoff_new(c, true);
	KUNIT_ASSERT_EQ(test, th_fw_spec_parse("0-1", &h->fw_spec, h->err), 0);
	c->v->fail_after = 1;
	KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -EIO);
	KUNIT_EXPECT_EQ(test, c->v->extends[0], 1);
	KUNIT_EXPECT_EQ(test, c->v->extends[1], 0);
	expect_on_ptpm(c);
	handoff_free(c);

	c->v->fail_after = -1;
	h = handoff_new(c, true);
	KUNIT_ASSERT_EQ(test, th_fw_spec_parse("0-1", &h->fw_spec, h->err), 0);
	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, h->fw.replay, 0x3U);
	KUNIT_EXPECT_EQ(test, h->fw.midway, 0x1U);
	KUNIT_EXPECT_EQ(test, h->fw.extended, 2U);
	KUNIT_EXPECT_EQ(test, c->v->extends[0], 2);
	KUNIT_EXPECT_EQ(test, c->v->extends[1], 1);
	for (b = 0; b < FAKE_BANKS; b++)
		for (p = 0; p < 2; p++)
			KUNIT_EXPECT_EQ_MSG(test,
					    memcmp(c->v->pcr[b][p],
						   c->p->pcr[b][p],
						   fake_size[b]), 0,
					    "PCR %u bank %u", p, b);
	expect_forwarding(c, c->log.l.n);
}

/* A dry run changes nothing; the real one then resumes from it. */
static void handoff_test_dry_run(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);

	h->dry_run = true;
	KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -ECANCELED);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->v, N_ENTRIES));
	expect_on_ptpm(c);
	handoff_free(c);

	h = handoff_new(c, true);
	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, h->mirror.resumed, N_ENTRIES);
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], N_ENTRIES + 1);
	expect_forwarding(c, N_ENTRIES + 1);
}

/*
 * A command in flight when the handoff starts: the barrier waits for it
 * (drain), and the snapshot, the cut and the vTPM include its extend.
 */
static void handoff_test_drain(struct kunit *test)
{
	struct ho_ctx *c = test->priv;

	handoff_new(c, false);
	c->p->hold_cc = TPM2_CC_PCR_EXTEND;
	KUNIT_ASSERT_EQ(test, actor_start(c), 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->p->held, HZ * 10));

	handoff_start(c);
	KUNIT_EXPECT_FALSE_MSG(test, handoff_wait(c, 300),
			       "the handoff did not wait for the command in flight");
	KUNIT_EXPECT_EQ(test, c->p->reads, 0);

	complete(&c->p->release);
	KUNIT_ASSERT_TRUE(test, actor_wait(c, 10000));
	KUNIT_EXPECT_EQ(test, c->actor_rc, 0);
	KUNIT_ASSERT_TRUE(test, handoff_wait(c, 10000));
	KUNIT_ASSERT_EQ_MSG(test, c->rc, 0, "%s", c->h->err);
	KUNIT_EXPECT_EQ(test, c->p->extends[IMA_PCR], N_ENTRIES + 1);
	KUNIT_EXPECT_EQ(test, c->h->cut.cut, N_ENTRIES + 1);
	expect_forwarding(c, N_ENTRIES + 1);
}

/*
 * The fake pTPM's hook: at the snapshot's first read, under the barrier,
 * "IMA" measures; its entry is in the list before the snapshot is taken,
 * and its extend waits for the barrier.
 */
static void measure_under_barrier(struct fake_tpm *f)
{
	struct ho_ctx *c = f->ctx;

	if (!c->h->barrier.held)
		return;
	f->on_read = NULL;
	if (!actor_start(c))
		wait_for_completion(&c->actor_appended);
}

/*
 * An extend that meets the barrier: its entry is in the list, the pTPM
 * never gets it, the cut leaves it out, the mirror does not extend it,
 * and after the commit it runs exactly once, on the vTPM.
 */
static void handoff_test_queued_once(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, false);

	c->p->ctx = c;
	c->p->on_read = measure_under_barrier;
	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_ASSERT_TRUE(test, actor_wait(c, 10000));
	KUNIT_EXPECT_EQ(test, c->actor_rc, 0);
	KUNIT_EXPECT_EQ(test, h->cut.cut, N_ENTRIES);
	KUNIT_EXPECT_EQ(test, h->cut.entries, N_ENTRIES + 1);
	KUNIT_EXPECT_EQ(test, h->replayed_in_barrier, N_ENTRIES);
	KUNIT_EXPECT_EQ(test, c->p->extends[IMA_PCR], N_ENTRIES);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->p, N_ENTRIES));
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], N_ENTRIES + 1);
	expect_forwarding(c, N_ENTRIES + 1);
}

/*
 * A command in flight that does not finish: the watchdog ends the barrier
 * (-ETIMEDOUT), the pTPM keeps its ops, and the command, let go, completes
 * on the pTPM: nothing is lost.
 */
static void handoff_test_watchdog(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, false);

	h->barrier_timeout_ms = 200;
	c->p->hold_cc = TPM2_CC_PCR_EXTEND;
	KUNIT_ASSERT_EQ(test, actor_start(c), 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&c->p->held, HZ * 10));
	KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -ETIMEDOUT);
	KUNIT_EXPECT_NOT_NULL(test, strstr(h->err, "barrier timed out"));
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(c->p->chip->ops), &fake_ops);
	complete(&c->p->release);
	KUNIT_ASSERT_TRUE(test, actor_wait(c, 10000));
	KUNIT_EXPECT_EQ(test, c->actor_rc, 0);
	KUNIT_EXPECT_EQ(test, c->p->extends[IMA_PCR], N_ENTRIES + 1);
	expect_on_ptpm(c);
}

/* The vTPM's abort hook: let a command held by the fake go. */
static void fake_abort(struct tpm_chip *chip)
{
	complete(&fake_of(chip)->release);
}

/*
 * A wait for the vTPM that SIGKILL does not end (the Xen frontend's): the
 * watchdog calls the vTPM's abort hook, which ends it, and disarming waits
 * for the hook.  The wait here is uninterruptible, as the frontend's.
 */
static void handoff_test_watchdog_abort(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	/* Not on the stack: its timer and work are not annotated for it. */
	struct th_barrier *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	th_watchdog_set_abort(b, fake_abort, c->v->chip);
	th_watchdog_arm(b, 100);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&c->v->release,
							    10 * HZ));
	th_watchdog_disarm(b);
	KUNIT_EXPECT_TRUE(test, th_barrier_expired(b));
}

/* A vTPM bank that the pTPM lacks would be open for forgery: refused. */
static void handoff_test_extra_bank(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h;

	fake_tpm_del(c->v);
	c->v = fake_tpm_new(test, "th_test_vtpm", FAKE_MAX_BANKS, true);
	h = handoff_new(c, true);
	KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -EOPNOTSUPP);
	KUNIT_EXPECT_NOT_NULL(test, strstr(h->err,
					   "has a sha384 PCR bank that the pTPM lacks"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(h->err, "--pcr-banks sha1,sha256"));
	KUNIT_EXPECT_EQ(test, c->v->reads + c->v->extends[IMA_PCR], 0);
	KUNIT_EXPECT_EQ(test, h->barrier.window_ns, 0);
	expect_on_ptpm(c);
}

/* A pTPM whose driver takes interrupts is refused before the barrier. */
static void handoff_test_irq(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);

	c->p->chip->flags |= TPM_CHIP_FLAG_IRQ;
	KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -EOPNOTSUPP);
	c->p->chip->flags &= ~TPM_CHIP_FLAG_IRQ;
	KUNIT_EXPECT_NOT_NULL(test, strstr(h->err, "tpm_tis.interrupts=0"));
	KUNIT_EXPECT_EQ(test, c->v->reads + c->v->extends[IMA_PCR], 0);
	KUNIT_EXPECT_EQ(test, h->barrier.window_ns, 0);
	expect_on_ptpm(c);
}

/* The pTPM chip named as its own vTPM: refused, in either order. */
static void handoff_test_self(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h;
	bool prereplay;

	for (prereplay = false; ; prereplay = true) {
		h = handoff_new(c, prereplay);
		h->vtpm_spec = dev_name(&c->p->chip->dev);
		KUNIT_EXPECT_EQ(test, th_handoff_run(h, "memory"), -EINVAL);
		KUNIT_EXPECT_NOT_NULL(test, strstr(h->err, "is the pTPM chip itself"));
		KUNIT_EXPECT_EQ(test, h->barrier.window_ns, 0);
		expect_on_ptpm(c);
		handoff_free(c);
		if (prereplay)
			break;
	}
}

/*
 * After the commit a transaction of the pTPM chip (tpm_try_get_ops() to
 * tpm_put_ops(), a whole /dev/tpmrm0 command with its context loads and
 * saves) holds the vTPM chip for its whole length.
 */
static void handoff_test_atomic(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&c->v->chip->tpm_mutex));
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(c->p->chip), 0);
	KUNIT_EXPECT_TRUE(test, mutex_is_locked(&c->v->chip->tpm_mutex));
	tpm_put_ops(c->p->chip);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&c->v->chip->tpm_mutex));
	expect_forwarding(c, N_ENTRIES);
}

/*
 * A vTPM response code of 0x80000000 or more is the TPM's answer: it
 * reaches the caller as the vTPM gave it, not as an errno.
 */
static void handoff_test_rc_high(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);
	struct tpm_buf buf;
	ssize_t rc;

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	c->v->get_random_rc = 0x80000001;
	KUNIT_ASSERT_EQ(test, tpm_buf_init(&buf, TPM2_ST_NO_SESSIONS,
					   TPM2_CC_GET_RANDOM), 0);
	tpm_buf_append_u16(&buf, 8);
	KUNIT_ASSERT_EQ(test, tpm_try_get_ops(c->p->chip), 0);
	rc = tpm_transmit_cmd(c->p->chip, &buf, 0, NULL);
	tpm_put_ops(c->p->chip);
	KUNIT_EXPECT_EQ(test, (u32)rc, 0x80000001U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf.data + 6), 0x80000001U);
	/*
	 * The response's own length field: tpm_buf_length() reads the
	 * header up to 6.11 but buf->length from 6.12 on, which
	 * tpm_transmit_cmd() sets only for a successful command.
	 */
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf.data + 2),
			(u32)TPM_HEADER_SIZE);
	tpm_buf_destroy(&buf);
}

/*
 * The record's measurement, as IMA makes it: append, then extend through
 * the pTPM chip.  A kill -9 arrives just before (the watchdog's last
 * SIGKILL, or root's): it must not cost the extend.
 */
static int measure_killed(struct th_handoff *h, const void *buf, size_t len)
{
	/* handoff_new() points the log source at the case's list. */
	struct ho_ctx *c = container_of(h->log_src, struct ho_ctx, log);

	send_sig(SIGKILL, current, 1);
	return ima_measure(c, "the record");
}

static void handoff_test_measure_killed(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);

	h->measure = measure_killed;
	c->v->interruptible = true;
	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, h->measure_rc, 0);
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], N_ENTRIES + 1);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->v, N_ENTRIES + 1));
	c->v->interruptible = false;
	expect_forwarding(c, N_ENTRIES + 1);
}

/*
 * After the commit the vTPM's backend goes away (its chip is unregistered)
 * and IMA measures on: @n entries whose extends fail, but which are in the
 * log.  Then a new vTPM chip, v2.
 */
static void vtpm_replaced(struct ho_ctx *c, unsigned int n)
{
	struct kunit *test = c->test;
	unsigned int i;
	char what[32];

	fake_tpm_del(c->v);
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "while away %u", i);
		KUNIT_EXPECT_NE(test, ima_measure(c, what), 0);
	}
	c->v2 = fake_tpm_new(test, "th_test_vtpm2", FAKE_BANKS, true);
}

/* The pTPM chip forwards to v2, which holds all @n entries of the log. */
static void expect_remirrored(struct ho_ctx *c, unsigned int n)
{
	struct kunit *test = c->test;

	KUNIT_EXPECT_EQ(test, c->log.l.n, n);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->v2, n));
	KUNIT_EXPECT_EQ(test, ima_measure(c, "after the re-mirror"), 0);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->v2, n + 1));
	KUNIT_EXPECT_EQ(test, c->p->extends[IMA_PCR], N_ENTRIES);
}

/*
 * A crash: the new vTPM is reset.  The whole log goes into it, the entries
 * whose extends failed while it was away included, each once.
 */
static void handoff_test_remirror_reset(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	vtpm_replaced(c, 3);
	KUNIT_ASSERT_EQ_MSG(test, th_remirror_run(h, dev_name(&c->v2->chip->dev)),
			    0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, h->remirror.count, 1U);
	KUNIT_EXPECT_EQ(test, h->remirror.resumed, 0ULL);
	KUNIT_EXPECT_EQ(test, h->remirror.entries, (u64)N_ENTRIES + 3);
	KUNIT_EXPECT_EQ(test, c->v2->extends[IMA_PCR], N_ENTRIES + 3);
	expect_remirrored(c, N_ENTRIES + 3);
}

/*
 * A clean restart: the new vTPM comes back at the prefix the old one held
 * (its saved PCRs); only the entries since go into it.
 */
static void handoff_test_remirror_resumed(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);
	unsigned int b;

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_ASSERT_EQ(test, ima_measure(c, "on the vTPM"), 0);
	vtpm_replaced(c, 2);
	/* v2 resumes v's PCRs: the log's first N_ENTRIES + 1 entries. */
	for (b = 0; b < FAKE_BANKS; b++)
		memcpy(c->v2->pcr[b][IMA_PCR], c->at[N_ENTRIES + 1][b],
		       fake_size[b]);
	KUNIT_ASSERT_EQ_MSG(test, th_remirror_run(h, dev_name(&c->v2->chip->dev)),
			    0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, h->remirror.resumed, (u64)N_ENTRIES + 1);
	KUNIT_EXPECT_EQ(test, c->v2->extends[IMA_PCR], 2);
	expect_remirrored(c, N_ENTRIES + 3);
}

/*
 * A new vTPM whose PCR 10 someone extended first: nothing is sent to it,
 * the error names the PCR, and the pTPM chip keeps failing; the next vTPM
 * still gets every entry.
 */
static void handoff_test_remirror_tampered(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);
	struct fake_tpm *bad;
	unsigned int p;

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	vtpm_replaced(c, 1);
	bad = c->v2;
	bad->pcr[1][IMA_PCR][0] = 1;
	KUNIT_EXPECT_EQ(test, th_remirror_run(h, dev_name(&bad->chip->dev)),
			-EBUSY);
	KUNIT_EXPECT_NOT_NULL(test, strstr(h->err, "PCR 10"));
	for (p = 0; p < FAKE_PCRS; p++)
		KUNIT_EXPECT_EQ(test, bad->extends[p], 0);
	KUNIT_EXPECT_EQ(test, h->remirror.failed, 1U);
	KUNIT_EXPECT_NE(test, ima_measure(c, "still away"), 0);

	fake_tpm_del(bad);
	c->v2 = fake_tpm_new(test, "th_test_vtpm3", FAKE_BANKS, true);
	KUNIT_ASSERT_EQ_MSG(test, th_remirror_run(h, dev_name(&c->v2->chip->dev)),
			    0, "%s", h->err);
	expect_remirrored(c, N_ENTRIES + 2);
}

/*
 * A measurement during the re-mirror's barrier: its entry is in the log,
 * its extend waits, and after the retarget it reaches the new vTPM once.
 */
static void handoff_test_remirror_queued_once(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	vtpm_replaced(c, 2);
	c->v2->ctx = c;
	c->v2->on_read = measure_under_barrier;
	KUNIT_ASSERT_EQ_MSG(test, th_remirror_run(h, dev_name(&c->v2->chip->dev)),
			    0, "%s", h->err);
	KUNIT_ASSERT_TRUE(test, actor_wait(c, 10000));
	KUNIT_EXPECT_EQ(test, c->actor_rc, 0);
	KUNIT_EXPECT_EQ(test, h->remirror.entries, (u64)N_ENTRIES + 2);
	KUNIT_EXPECT_EQ(test, c->v2->extends[IMA_PCR], N_ENTRIES + 3);
	expect_remirrored(c, N_ENTRIES + 3);
}

/*
 * A vTPM that stalls (its backend stopped) misses IMA's extends and falls
 * behind the log: nothing more is sent to it, even once it answers again,
 * until a re-mirror into the same chip brings it back.  A re-mirror into
 * the chip while it follows the log is refused (IMA's extends reach it
 * meanwhile: they would be extended twice).
 */
static void handoff_test_remirror_behind(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct th_handoff *h = handoff_new(c, true);
	const char *name;
	unsigned int ext;

	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	name = dev_name(&c->v->chip->dev);
	KUNIT_EXPECT_EQ(test, th_remirror_run(h, name), -EALREADY);
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], N_ENTRIES);

	c->v->fail_after = 0;
	KUNIT_EXPECT_NE(test, ima_measure(c, "stalled"), 0);
	c->v->fail_after = -1;
	ext = c->v->extends[IMA_PCR];
	KUNIT_EXPECT_NE(test, ima_measure(c, "answers again, behind"), 0);
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], ext);

	KUNIT_ASSERT_EQ_MSG(test, th_remirror_run(h, name), 0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, h->remirror.resumed, (u64)N_ENTRIES);
	KUNIT_EXPECT_EQ(test, c->v->extends[IMA_PCR], N_ENTRIES + 2);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->v, N_ENTRIES + 2));
	KUNIT_EXPECT_EQ(test, ima_measure(c, "followed again"), 0);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, c->v, N_ENTRIES + 3));
}

static void set_ops(struct tpm_chip *chip, const struct tpm_class_ops *ops)
{
	down_write(&chip->ops_sem);
	WRITE_ONCE(chip->ops, ops);
	up_write(&chip->ops_sem);
}

/*
 * The shim's "waits" and "failed" counters, from its sysfs text; returns
 * its "installed" (its ops are @chip's).
 */
static int shim_counts(struct kunit *test, struct tpm_chip *chip,
		       unsigned long *waits, unsigned long *failed)
{
	static const char fmt[] =
		"installed %d wait_ms %*u waits %lu longest_wait_ms %*u failed %lu";
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	int n, in = -1;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_GT(test, th_tis_shim_show(buf, chip), 0);
	n = sscanf(buf, fmt, &in, waits, failed);
	KUNIT_ASSERT_EQ_MSG(test, n, 3, "%s", buf);
	return in;
}

/*
 * The tpm_tis shim (tis_shim.c): IMA's extend waits while another
 * locality holds the pTPM, where tpm_tis alone fails it after one wait,
 * and reaches the pTPM once; the handoff then commits through the shim's
 * ops and replaces them.
 */
static void handoff_test_tis_shim(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct fake_tpm *p = c->p;
	unsigned long waits, failed, w, f;
	unsigned int asks, ext = p->extends[IMA_PCR];
	struct th_handoff *h;

	set_ops(p->chip, fake_tis_ops_get());
	KUNIT_ASSERT_TRUE(test, th_tis_shim_install(p->chip, 5000));
	KUNIT_EXPECT_EQ(test, shim_counts(test, p->chip, &waits, &failed), 1);

	p->locality_busy = 3;
	asks = p->locality_asks;
	KUNIT_EXPECT_EQ(test, ima_measure(c, "the manager holds the TPM"), 0);
	KUNIT_EXPECT_EQ(test, p->locality_asks - asks, 4);
	KUNIT_EXPECT_EQ(test, p->extends[IMA_PCR], ext + 1);
	KUNIT_EXPECT_TRUE(test, pcr10_at(c, p, c->log.l.n));
	shim_counts(test, p->chip, &w, &f);
	KUNIT_EXPECT_EQ(test, w, waits + 1);
	KUNIT_EXPECT_EQ(test, f, failed);

	h = handoff_new(c, true);
	KUNIT_ASSERT_EQ_MSG(test, th_handoff_run(h, "memory"), 0, "%s", h->err);
	KUNIT_EXPECT_EQ(test, shim_counts(test, p->chip, &w, &f), 0);
	expect_forwarding(c, c->log.l.n);
	/* After the commit the shim is not the chip's to take out. */
	th_tis_shim_remove(p->chip);
	expect_forwarding(c, c->log.l.n);
}

/*
 * A locality held past the shim's limit fails the command, as tpm_tis
 * alone does, and counts; taking the shim out gives the chip its ops
 * back.  A chip without localities gets no shim.
 */
static void handoff_test_tis_shim_limit(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct fake_tpm *p = c->p;
	unsigned long waits, failed, w, f;

	KUNIT_EXPECT_FALSE(test, th_tis_shim_install(p->chip, 5000));
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(p->chip->ops), &fake_ops);
	set_ops(p->chip, fake_tis_ops_get());
	KUNIT_EXPECT_FALSE(test, th_tis_shim_install(p->chip, 0));
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(p->chip->ops), &fake_tis_ops);

	KUNIT_ASSERT_TRUE(test, th_tis_shim_install(p->chip, 100));
	shim_counts(test, p->chip, &waits, &failed);
	p->locality_busy = -1;
	KUNIT_EXPECT_NE(test, ima_measure(c, "held for good"), 0);
	shim_counts(test, p->chip, &w, &f);
	KUNIT_EXPECT_EQ(test, f, failed + 1);
	KUNIT_EXPECT_EQ(test, w, waits + 1);
	p->locality_busy = 0;
	th_tis_shim_remove(p->chip);
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(p->chip->ops), &fake_tis_ops);
	set_ops(p->chip, &fake_ops);
}

/*
 * The barrier's watchdog bounds the handoff while another locality holds
 * the pTPM for good: the shim gives up for the handoff's killed thread
 * (a kernel thread), long before its own limit, and the system stays on
 * the pTPM with the shim in.
 */
static void handoff_test_tis_shim_watchdog(struct kunit *test)
{
	struct ho_ctx *c = test->priv;
	struct fake_tpm *p = c->p;
	struct th_handoff *h = handoff_new(c, false);
	unsigned long waits, failed;
	ktime_t start;
	int rc;

	set_ops(p->chip, fake_tis_ops_get());
	KUNIT_ASSERT_TRUE(test, th_tis_shim_install(p->chip, 60000));
	h->barrier_timeout_ms = 300;
	h->mirror_timeout_ms = 300;
	p->locality_busy = -1;
	start = ktime_get();
	rc = th_handoff_run(h, "memory");
	KUNIT_EXPECT_NE(test, rc, 0);
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), start), 10000);
	KUNIT_EXPECT_FALSE(test, h->committed);
	KUNIT_EXPECT_EQ(test, shim_counts(test, p->chip, &waits, &failed), 1);
	p->locality_busy = 0;
	th_tis_shim_remove(p->chip);
	set_ops(p->chip, &fake_ops);
}

static struct kunit_case handoff_test_cases[] = {
	KUNIT_CASE(handoff_test_commit),
	KUNIT_CASE(handoff_test_remirror_reset),
	KUNIT_CASE(handoff_test_remirror_resumed),
	KUNIT_CASE(handoff_test_remirror_tampered),
	KUNIT_CASE(handoff_test_remirror_queued_once),
	KUNIT_CASE(handoff_test_remirror_behind),
	KUNIT_CASE(handoff_test_naive),
	KUNIT_CASE(handoff_test_missing_bank),
	KUNIT_CASE(handoff_test_family),
	KUNIT_CASE(handoff_test_vtpm_dies),
	KUNIT_CASE(handoff_test_fw_midway),
	KUNIT_CASE(handoff_test_dry_run),
	KUNIT_CASE(handoff_test_drain),
	KUNIT_CASE(handoff_test_queued_once),
	KUNIT_CASE(handoff_test_watchdog),
	KUNIT_CASE(handoff_test_watchdog_abort),
	KUNIT_CASE(handoff_test_extra_bank),
	KUNIT_CASE(handoff_test_irq),
	KUNIT_CASE(handoff_test_self),
	KUNIT_CASE(handoff_test_atomic),
	KUNIT_CASE(handoff_test_rc_high),
	KUNIT_CASE(handoff_test_measure_killed),
	KUNIT_CASE(handoff_test_tis_shim),
	KUNIT_CASE(handoff_test_tis_shim_limit),
	KUNIT_CASE(handoff_test_tis_shim_watchdog),
	{}
};

static struct kunit_suite handoff_test_suite = {
	.name = "tpm_handoff_core",
	.init = handoff_test_init,
	.exit = handoff_test_exit,
	.test_cases = handoff_test_cases,
};

#else /* !IS_BUILTIN(CONFIG_TCG_TPM) */

static void handoff_test_no_tpm_core(struct kunit *test)
{
	kunit_skip(test, "needs the TPM core built in (CONFIG_TCG_TPM=y)");
}

static struct kunit_case handoff_test_cases[] = {
	KUNIT_CASE(handoff_test_no_tpm_core),
	{}
};

static struct kunit_suite handoff_test_suite = {
	.name = "tpm_handoff_core",
	.test_cases = handoff_test_cases,
};

#endif

kunit_test_suite(handoff_test_suite);
