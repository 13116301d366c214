// SPDX-License-Identifier: GPL-2.0-only
/*
 * The handoff: barrier, snapshot, mirror, commit, hot-unplug.
 *
 * th_handoff_run() prepares everything that could sleep for long or load a
 * module (the vTPM, hashes, buffers, the open log), then runs the steps in
 * a kernel thread that the barrier's watchdog can interrupt (barrier.c):
 *
 *  1. barrier     ops_sem of the pTPM chip for writing: in-flight commands
 *                 drain, new ones wait
 *  2. snapshot    every PCR of every allocated bank of the pTPM
 *  3. mirror      replay the IMA log in software to find the cut (the
 *                 prefix the snapshot covers) and each bank's digest kind;
 *                 check that the vTPM's PCRs are in their reset state;
 *                 extend entries [0, cut) into the vTPM; read it back and
 *                 compare with the snapshot
 *  4. commit      refresh the chip's cached timeouts, durations and command
 *                 attributes from the vTPM and install the forwarding ops
 *  5. unplug      the pTPM was left idle with its locality relinquished
 *                 (tpm_chip_stop() after the snapshot); nothing is sent to
 *                 it again
 *
 * Any failure before step 4 lowers the barrier with the pTPM's own ops in
 * place: the system runs on the pTPM exactly as before.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/ktime.h>

#include "tpm_handoff_priv.h"
#include <tpm_handoff/tpm_core.h>

#define TH_STOP		1	/* a th_entry_fn's "enough": not an error */

static int fail(struct th_handoff *h, int rc, const char *fmt, ...)
	__printf(3, 4);

static int fail(struct th_handoff *h, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!h->err[0]) {
		va_start(ap, fmt);
		vsnprintf(h->err, sizeof(h->err), fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Send @h->buf to @chip (whose locks the caller holds). */
static int transmit(struct th_handoff *h, struct tpm_chip *chip,
		    const char *what)
{
	ssize_t rc = tpm_transmit_cmd(chip, &h->buf, 0, NULL);

	if (rc < 0)
		return fail(h, (int)rc, "%s: %s failed (%zd)", dev_name(&chip->dev),
			    what, rc);
	if (rc > 0)
		return fail(h, -EIO, "%s: %s failed with TPM error 0x%zx",
			    dev_name(&chip->dev), what, rc);
	return 0;
}

/* Read the PCRs in @mask of every bank in @v->banks from @chip. */
static int read_pcrs(struct th_handoff *h, struct tpm_chip *chip,
		     struct th_pcr_values *v, u32 mask)
{
	unsigned int b;
	u32 left, got;
	int rc;

	v->banks = h->banks;
	v->valid = 0;
	for (b = 0; b < h->banks.nr; b++) {
		for (left = mask; left; left &= ~got) {
			th_tpm2_pcr_read_cmd(&h->buf, h->banks.alg[b], left);
			rc = transmit(h, chip, "PCR_Read");
			if (rc)
				return rc;
			rc = th_tpm2_pcr_read_rsp(h->buf.data,
						  tpm_buf_length(&h->buf),
						  v, b, &got);
			if (!rc && !(got & left))
				rc = -EPROTO;
			if (rc)
				return fail(h, rc,
					    "%s: malformed PCR_Read response for the %s bank",
					    dev_name(&chip->dev),
					    th_alg_name(h->banks.alg[b]));
			got &= left;
		}
		if (th_barrier_expired(&h->barrier))
			return -ETIMEDOUT;
	}
	v->valid = mask;
	return 0;
}

/* The log, from its start, as a th_read_fn that honours the watchdog. */
static ssize_t log_read(void *src, u8 *buf, size_t len)
{
	struct th_handoff *h = src;

	if (th_barrier_expired(&h->barrier))
		return -ETIMEDOUT;
	return th_log_read(&h->log, buf, len);
}

/* Step 3b: extend entries [0, cut) into the vTPM. */
static int mirror_entry(void *ctx, struct th_replay *r, u64 index, u32 pcr)
{
	struct th_handoff *h = ctx;
	const u8 *dig[TH_MAX_BANKS];
	unsigned int b;
	int rc;

	if (index >= h->cut.cut)
		return TH_STOP;
	if (th_barrier_expired(&h->barrier))
		return -ETIMEDOUT;
	for (b = 0; b < h->banks.nr; b++)
		dig[b] = th_replay_digest(r, b, h->cut.kind[b]);
	rc = th_tpm2_pcr_extend_cmd(&h->buf, pcr, &h->banks, dig);
	if (rc)
		return fail(h, rc, "PCR_Extend does not fit in a page");
	rc = transmit(h, h->vtpm.chip, "PCR_Extend");
	if (rc)
		return rc;
	h->replayed++;
	return 0;
}

static int replay_log(struct th_handoff *h, th_entry_fn fn, bool find_cut)
{
	int rc;

	th_log_rewind(&h->log);
	th_replay_reset(h->replay);
	if (find_cut)
		rc = th_find_cut(h->replay, log_read, h, h->chunk, PAGE_SIZE,
				 h->snap, &h->cut);
	else
		rc = th_replay_stream(h->replay, log_read, h, h->chunk,
				      PAGE_SIZE, fn, h);
	if (rc == TH_STOP)
		return 0;
	if (rc == -ETIMEDOUT)
		return rc;
	if (rc)
		return fail(h, rc, "%s", th_replay_error(h->replay));
	return 0;
}

/* The vTPM's PCRs that the mirror extends must not have been extended. */
static int check_reset(struct th_handoff *h, u32 mask)
{
	unsigned int b;
	u32 p;

	for (p = 0; p < TH_NR_PCRS; p++) {
		if (!(mask & BIT(p)))
			continue;
		for (b = 0; b < h->banks.nr; b++)
			if (memchr_inv(h->vpcr->val[b][p], 0, h->banks.size[b]))
				return fail(h, -EBUSY,
					    "vTPM PCR %u is not in its reset state (an earlier attempt or another user extended it): restart the vTPM, then retry",
					    p);
	}
	return 0;
}

/* Steps 2-4, with the barrier up. */
static int handoff_locked(struct th_handoff *h)
{
	struct tpm_chip *ptpm = h->ptpm, *vchip = h->vtpm.chip;
	u32 mask, bad_pcr;
	unsigned int bad_bank;

	int rc;

	/* 2. Snapshot. */
	h->step = "reading the pTPM's PCRs";
	rc = tpm_chip_start(ptpm);
	if (rc)
		return fail(h, rc, "cannot start the pTPM (%d)", rc);
	rc = read_pcrs(h, ptpm, h->snap, GENMASK(TH_NR_PCRS - 1, 0));
	/* 5. Unplug: idle, locality relinquished; never started again. */
	tpm_chip_stop(ptpm);
	if (rc)
		return rc;

	/* 3. Mirror: the cut. */
	h->step = "replaying the IMA log to find the cut";
	rc = replay_log(h, NULL, true);
	if (rc)
		return rc;
	if (!h->cut.found)
		return fail(h, -EIO,
			    "no prefix of the IMA log (%llu entries) reproduces the pTPM's PCRs: a PCR that IMA uses was extended outside IMA, or an extend failed",
			    h->cut.entries);
	h->tail = h->cut.entries - h->cut.cut;
	if (h->tail > 1)
		return fail(h, -EIO,
			    "%llu IMA log entries after the cut were never extended into the pTPM (a failed extend?)",
			    h->tail);

	rc = tpm_try_get_ops(vchip);
	if (rc)
		return fail(h, -ENODEV, "the vTPM (%s) went away",
			    dev_name(&vchip->dev));
	mask = h->cut.pcr_mask;
	h->step = "reading the vTPM's PCRs";
	rc = read_pcrs(h, vchip, h->vpcr, mask);
	if (!rc)
		rc = check_reset(h, mask);
	/* 3b. Replay [0, cut) into the vTPM. */
	if (!rc) {
		h->step = "extending the IMA log into the vTPM";
		rc = replay_log(h, mirror_entry, false);
	}
	/* 3c. Read back and compare. */
	if (!rc) {
		h->step = "reading the vTPM's PCRs back";
		rc = read_pcrs(h, vchip, h->vpcr, mask);
	}
	tpm_put_ops(vchip);
	if (rc)
		return rc;
	if (!th_pcrs_equal(h->snap, h->vpcr, mask, &bad_pcr, &bad_bank))
		return fail(h, -EIO,
			    "vTPM read back after the replay: PCR %u in the %s bank differs from the pTPM's snapshot",
			    bad_pcr, th_alg_name(h->banks.alg[bad_bank]));
	if (th_barrier_expired(&h->barrier))
		return -ETIMEDOUT;

	/* 4. Commit. */
	th_forward_commit(ptpm, vchip, h->cc_attrs_tbl);
	h->cc_attrs_tbl = NULL;
	h->committed = true;
	return 0;
}

static int th_handoff_thread(void *data)
{
	struct th_handoff *h = data;
	int rc;

	allow_signal(SIGKILL);
	h->step = "raising the barrier";
	rc = th_barrier_raise(&h->barrier, h->ptpm, h->barrier_timeout_ms);
	if (rc == -ETIMEDOUT)
		fail(h, rc,
		     "the barrier timed out after %u ms waiting for TPM commands in flight to finish",
		     h->barrier_timeout_ms);
	else if (rc)
		fail(h, rc, "the pTPM chip was unregistered");
	if (!rc) {
		rc = handoff_locked(h);
		th_barrier_lower(&h->barrier);
		if (rc && (rc == -ETIMEDOUT || atomic_read(&h->barrier.fired))) {
			h->err[0] = '\0';	/* the cause, not its symptom */
			rc = fail(h, -ETIMEDOUT,
				  "the barrier timed out after %u ms (barrier_timeout_ms) while %s (the vTPM is %s)",
				  h->barrier_timeout_ms, h->step,
				  dev_name(&h->vtpm.chip->dev));
		}
	}
	h->rc = rc;
	kthread_complete_and_exit(&h->done, 0);
}

/* What the vTPM must offer before anything else happens. */
static int check_vtpm(struct th_handoff *h)
{
	struct tpm_chip *ptpm = h->ptpm, *vchip = h->vtpm.chip;
	unsigned int i, j;
	int rc;

	if (!(ptpm->flags & TPM_CHIP_FLAG_TPM2))
		return fail(h, -EOPNOTSUPP,
			    "the pTPM %s is a TPM 1.2: only TPM 2.0 handoffs are supported",
			    dev_name(&ptpm->dev));
	if (!(vchip->flags & TPM_CHIP_FLAG_TPM2))
		return fail(h, -EINVAL,
			    "the pTPM is a TPM 2.0 but the vTPM %s is a TPM 1.2: both must be the same family",
			    dev_name(&vchip->dev));

	rc = tpm_try_get_ops(vchip);
	if (rc)
		return fail(h, -ENODEV, "the vTPM (%s) is not working",
			    dev_name(&vchip->dev));
	for (i = 0; i < h->banks.nr && !rc; i++) {
		for (j = 0; j < vchip->nr_allocated_banks; j++)
			if (vchip->allocated_banks[j].alg_id == h->banks.alg[i])
				break;
		if (j == vchip->nr_allocated_banks)
			rc = fail(h, -EOPNOTSUPP,
				  "the vTPM %s has no %s PCR bank, which IMA extends on the pTPM: allocate it in the vTPM (tpm2_pcrallocate) and restart it",
				  dev_name(&vchip->dev),
				  th_alg_name(h->banks.alg[i]));
	}
	if (!rc && vchip->cc_attrs_tbl && vchip->nr_commands) {
		h->cc_attrs_tbl = kmemdup(vchip->cc_attrs_tbl,
					  vchip->nr_commands * sizeof(u32),
					  GFP_KERNEL);
		if (!h->cc_attrs_tbl)
			rc = fail(h, -ENOMEM, "out of memory");
	}
	tpm_put_ops(vchip);
	return rc;
}

static int prepare(struct th_handoff *h, const char *log_path)
{
	struct tpm_chip *ptpm = h->ptpm;
	unsigned int i;
	int rc;

	h->banks.nr = ptpm->nr_allocated_banks;
	for (i = 0; i < h->banks.nr; i++) {
		h->banks.alg[i] = ptpm->allocated_banks[i].alg_id;
		h->banks.size[i] = ptpm->allocated_banks[i].digest_size;
	}

	rc = th_vtpm_get(&h->vtpm, h->vtpm_spec, ptpm, h->err);
	if (rc)
		return rc;
	rc = check_vtpm(h);
	if (rc)
		return rc;

	h->replay = th_replay_alloc(&h->banks, h->err);
	if (IS_ERR(h->replay)) {
		rc = PTR_ERR(h->replay);
		h->replay = NULL;
		return rc;
	}
	h->snap = kzalloc(sizeof(*h->snap), GFP_KERNEL);
	h->vpcr = kzalloc(sizeof(*h->vpcr), GFP_KERNEL);
	h->chunk = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!h->snap || !h->vpcr || !h->chunk ||
	    tpm_buf_init(&h->buf, 0, 0) || th_forward_prepare())
		return fail(h, -ENOMEM, "out of memory");

	return th_log_open(&h->log, log_path, h->err);
}

/**
 * th_handoff_run() - run one handoff attempt
 * @h: the attempt, with @ptpm, @vtpm_spec and @barrier_timeout_ms set
 * @log_path: IMA's binary_runtime_measurements
 *
 * Sleeps until the attempt has committed or aborted.  Call
 * th_handoff_release() afterwards in either case.
 *
 * Return: 0 if committed, or a negative errno (@h->err says why).
 */
int th_handoff_run(struct th_handoff *h, const char *log_path)
{
	struct task_struct *task;
	ktime_t start = ktime_get();
	int rc;

	init_completion(&h->done);
	rc = prepare(h, log_path);
	if (rc)
		goto out;

	task = kthread_run(th_handoff_thread, h, "tpm_handoff");
	if (IS_ERR(task)) {
		rc = fail(h, PTR_ERR(task), "cannot start the handoff thread");
		goto out;
	}
	wait_for_completion(&h->done);
	rc = h->rc;
out:
	h->duration_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	if (rc && !h->err[0])
		fail(h, rc, "failed (%d)", rc);
	return rc;
}

/**
 * th_handoff_release() - free what an attempt holds
 * @h: the attempt
 *
 * After a commit the vTPM reference stays with the forwarding ops.
 */
void th_handoff_release(struct th_handoff *h)
{
	th_log_close(&h->log);
	if (h->buf.data)
		tpm_buf_destroy(&h->buf);
	h->buf.data = NULL;
	th_replay_free(h->replay);
	h->replay = NULL;
	kfree(h->chunk);
	h->chunk = NULL;
	kfree(h->cc_attrs_tbl);
	h->cc_attrs_tbl = NULL;
	kfree(h->snap);
	h->snap = NULL;
	kfree(h->vpcr);
	h->vpcr = NULL;
	if (!h->committed) {
		th_vtpm_put(&h->vtpm);
		th_forward_unprepare();
	}
}
