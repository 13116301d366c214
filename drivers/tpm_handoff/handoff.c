// SPDX-License-Identifier: GPL-2.0-only
/*
 * The handoff: barrier, snapshot, mirror, commit, hot-unplug.
 *
 * th_handoff_run() starts a kernel thread and waits for it.  The thread
 * first prepares everything that could sleep for long or load a module
 * (the vTPM, hashes, buffers, the open log), then runs the steps, which a
 * watchdog can interrupt (barrier.c):
 *
 *  0. early mirror  (prereplay=Y, before the barrier, bounded by
 *                 mirror_timeout_ms) read the pTPM's PCRs the normal way;
 *                 replay the IMA log in software to learn each bank's
 *                 digest kind; read the vTPM's PCRs; mirror the firmware
 *                 PCRs (firmware.c: the TCG event log's events, or a bind
 *                 extend); extend all of the IMA log but its newest entry
 *                 into the vTPM (mirror.c)
 *  1. barrier     ops_sem of the pTPM chip for writing: in-flight commands
 *                 drain, new ones wait (bounded by barrier_timeout_ms)
 *  2. snapshot    every PCR of every allocated bank of the pTPM (the
 *                 firmware PCRs must not have moved since step 0)
 *  3. mirror      stream only the entries that arrived since step 0 (with
 *                 prereplay=N: steps 0's work, all of it, here), find the
 *                 cut among the prefixes not ruled out, extend the newest
 *                 entry if the cut includes it; read the vTPM back and
 *                 compare with the snapshot
 *     quote       (ptpm_ak and vtpm_ak set) the pTPM quotes the mirrored
 *                 PCRs, bound to the cut and the vTPM key (quote.c); the
 *                 quote must show the snapshot
 *  4. commit      refresh the chip's cached timeouts, durations and command
 *                 attributes from the vTPM and install the forwarding ops;
 *                 then, with the barrier down, measure the record as IMA
 *                 critical data (an entry if the policy asks for one)
 *  5. unplug      the pTPM was left idle with its locality relinquished
 *                 (tpm_chip_stop() after the snapshot); nothing is sent to
 *                 it again
 *
 * Any failure before step 4 lowers the barrier with the pTPM's own ops in
 * place: the system runs on the pTPM exactly as before.  The vTPM may then
 * hold a prefix of the log; the next attempt resumes from it (mirror.c).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/vmalloc.h>
#include <linux/sizes.h>
#include <linux/ima.h>

#include "tpm_handoff_priv.h"
#include <tpm_handoff/tpm_core.h>

/**
 * th_ho_fail() - note why an attempt failed (the first reason wins)
 * @h: the attempt
 * @rc: the error
 * @fmt: the reason, for @h->err
 *
 * Return: @rc.
 */
int th_ho_fail(struct th_handoff *h, int rc, const char *fmt, ...)
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
		return th_ho_fail(h, (int)rc, "%s: %s failed (%zd)", dev_name(&chip->dev),
				  what, rc);
	if (rc > 0)
		return th_ho_fail(h, -EIO, "%s: %s failed with TPM error 0x%zx",
				  dev_name(&chip->dev), what, rc);
	return 0;
}

/* A TPM 1.2 has one bank (SHA-1) and reads one PCR per command. */
static int read_pcrs_tpm1(struct th_handoff *h, struct tpm_chip *chip,
			  struct th_pcr_values *v, u32 mask)
{
	unsigned long bits = mask;
	int pcr, rc;

	for_each_set_bit(pcr, &bits, TH_NR_PCRS) {
		th_tpm1_pcr_read_cmd(&h->buf, pcr);
		rc = transmit(h, chip, "TPM_PcrRead");
		if (rc)
			return rc;
		rc = th_tpm1_digest_rsp(h->buf.data, tpm_buf_length(&h->buf),
					v->val[0][pcr]);
		if (rc)
			return th_ho_fail(h, rc, "%s: malformed TPM_PcrRead response",
					  dev_name(&chip->dev));
		if (th_barrier_expired(&h->barrier))
			return -ETIMEDOUT;
	}
	v->valid = mask;
	return 0;
}

/* Read the PCRs in @mask of every bank in @v->banks from @chip. */
int th_ho_read_pcrs(struct th_handoff *h, struct tpm_chip *chip,
		    struct th_pcr_values *v, u32 mask)
{
	unsigned int b;
	u32 left, got;
	int rc;

	v->banks = h->banks;
	v->valid = 0;
	if (h->tpm1)
		return read_pcrs_tpm1(h, chip, v, mask);
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
				return th_ho_fail(h, rc,
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
ssize_t th_ho_log_read(void *src, u8 *buf, size_t len)
{
	struct th_handoff *h = src;

	if (th_barrier_expired(&h->barrier))
		return -ETIMEDOUT;
	return h->log_ops->read(h->log_src, buf, len);
}

/* A th_extend_fn: one entry into the vTPM, whose ops the caller holds. */
int th_ho_extend(void *ctx, u32 pcr, const u8 *const *dig)
{
	struct th_handoff *h = ctx;
	int rc;

	if (th_barrier_expired(&h->barrier))
		return -ETIMEDOUT;
	if (h->tpm1) {
		th_tpm1_extend_cmd(&h->buf, pcr, dig[0]);
	} else {
		rc = th_tpm2_pcr_extend_cmd(&h->buf, pcr, &h->banks, dig);
		if (rc)
			return th_ho_fail(h, rc, "PCR_Extend does not fit in a page");
	}
	rc = transmit(h, h->vtpm.chip, h->tpm1 ? "TPM_Extend" : "PCR_Extend");
	if (rc)
		return rc;
	if (h->barrier.held)
		h->replayed_in_barrier++;
	return 0;
}

/*
 * The firmware PCRs: decide replay or bind against @pcrs (the pTPM's) and
 * extend them into the vTPM, whose PCRs h->vpcr holds (mirror_start()).
 */
static int mirror_firmware(struct th_handoff *h,
			   const struct th_pcr_values *pcrs)
{
	int rc;

	if (!h->fw.mask)
		return 0;
	h->step = "mirroring the firmware PCRs";
	rc = th_fw_decide(&h->fw, pcrs, h->kinds.pcr_mask, h->err);
	if (!rc)
		rc = th_fw_mirror(&h->fw, h->vpcr, th_ho_extend, h, h->err);
	if (rc && !h->err[0])
		th_ho_fail(h, rc, "extending the firmware PCRs into the vTPM failed (%d)",
			   rc);
	return rc;
}

int th_ho_replay_error(struct th_handoff *h, int rc)
{
	if (rc == -ETIMEDOUT || h->err[0])
		return rc;
	return th_ho_fail(h, rc, "%s", th_replay_error(h->replay));
}

/*
 * The digest kinds: replay the whole log in software and find the prefix
 * that @pcrs (the pTPM's PCRs) covers; which kind reproduces it, bank by
 * bank, is how IMA extends that bank.
 */
static int find_kinds(struct th_handoff *h, const struct th_pcr_values *pcrs)
{
	int rc;

	h->step = "replaying the IMA log to find the cut";
	h->log_ops->rewind(h->log_src);
	th_replay_reset(h->replay);
	rc = th_find_cut(h->replay, th_ho_log_read, h, h->chunk, PAGE_SIZE, pcrs,
			 &h->kinds);
	if (rc)
		return th_ho_replay_error(h, rc);
	if (!h->kinds.found)
		return th_ho_fail(h, -EIO,
				  "no prefix of the IMA log (%llu entries) reproduces the pTPM's PCRs: a PCR that IMA uses was extended outside IMA, or an extend failed",
				  h->kinds.entries);
	return 0;
}

int th_ho_vtpm_hold(struct th_handoff *h)
{
	if (tpm_try_get_ops(h->vtpm.chip))
		return th_ho_fail(h, -ENODEV, "the vTPM (%s) went away",
				  dev_name(&h->vtpm.chip->dev));
	h->vtpm_held = true;
	return 0;
}

void th_ho_vtpm_unhold(struct th_handoff *h)
{
	if (h->vtpm_held)
		tpm_put_ops(h->vtpm.chip);
	h->vtpm_held = false;
}

/*
 * Start the mirror: read the vTPM's PCRs and stream the log from its start
 * (mirror.c extends all but the newest entry).  The vTPM's ops are held
 * from here until vtpm_put().
 */
static int mirror_start(struct th_handoff *h)
{
	int rc;

	rc = th_ho_vtpm_hold(h);
	if (rc)
		return rc;
	h->step = "reading the vTPM's PCRs";
	rc = th_ho_read_pcrs(h, h->vtpm.chip, h->vpcr, GENMASK(TH_NR_PCRS - 1, 0));
	if (rc)
		return rc;
	h->log_ops->rewind(h->log_src);
	th_replay_reset(h->replay);
	th_mirror_init(&h->mirror, h->replay, h->vpcr, h->kinds.pcr_mask,
		       h->kinds.kind, th_ho_extend, h);
	return 0;
}

/* Stream what the log holds beyond what the mirror has seen. */
int th_ho_mirror_stream(struct th_handoff *h)
{
	ktime_t start = ktime_get();
	int rc;

	h->step = "extending the IMA log into the vTPM";
	h->log_ops->resume(h->log_src);
	rc = th_replay_stream(h->replay, th_ho_log_read, h, h->chunk, PAGE_SIZE,
			      th_mirror_entry, &h->mirror);
	h->replay_ns += ktime_to_ns(ktime_sub(ktime_get(), start));
	if (rc)
		return th_ho_replay_error(h, rc);
	if (th_mirror_caught_up(&h->mirror))
		return th_ho_fail(h, -EBUSY,
				  "vTPM PCR %u is neither in its reset state nor at a prefix of the IMA log (another user extended it): restart the vTPM, then retry",
				  TH_IMA_PCR);
	return 0;
}

/*
 * Before the barrier: the digest kinds from a snapshot read the normal
 * way, then all of the log but its newest entry into the vTPM.
 */
static int mirror_early(struct th_handoff *h)
{
	int rc;

	h->step = "reading the pTPM's PCRs before the barrier";
	rc = tpm_try_get_ops(h->ptpm);
	if (rc)
		return th_ho_fail(h, -ENODEV, "the pTPM %s is not working",
				  dev_name(&h->ptpm->dev));
	rc = th_ho_read_pcrs(h, h->ptpm, h->presnap, GENMASK(TH_NR_PCRS - 1, 0));
	tpm_put_ops(h->ptpm);
	if (!rc)
		rc = find_kinds(h, h->presnap);
	if (!rc)
		rc = mirror_start(h);
	if (!rc)
		rc = mirror_firmware(h, h->presnap);
	if (!rc)
		rc = th_ho_mirror_stream(h);
	th_ho_vtpm_unhold(h);
	return rc;
}

/*
 * 3d. The handoff quote: the pTPM signs the PCRs the handoff mirrors, with
 * the cut, the snapshot and the vTPM key's name as qualifying data, and
 * the quote must show the snapshot (quote.c).  The pTPM is started again
 * for it: the snapshot left it stopped.
 */
static int take_quote(struct th_handoff *h)
{
	struct th_quote *q = h->quote;
	struct tpm_chip *ptpm = h->ptpm;
	ssize_t len;
	int rc;

	h->step = "taking the handoff quote";
	q->cut = h->cut.cut;
	q->pcr_mask = h->cut.pcr_mask | h->fw.mask;
	q->ima_mask = h->cut.pcr_mask;
	q->bind_mask = h->fw.bind;
	memcpy(q->kind, h->cut.kind, sizeof(q->kind));
	rc = th_quote_bind(q, h->snap);
	if (rc)
		return th_ho_fail(h, rc, "cannot hash the handoff quote's binding (%d)",
				  rc);
	rc = th_tpm2_quote_cmd(&h->buf, q, &h->banks);
	if (rc)
		return th_ho_fail(h, rc, "the TPM2_Quote command does not fit");
	rc = tpm_chip_start(ptpm);
	if (rc)
		return th_ho_fail(h, rc, "cannot start the pTPM (%d)", rc);
	len = tpm_transmit_cmd(ptpm, &h->buf, 0, NULL);
	tpm_chip_stop(ptpm);
	if (len < 0)
		return th_ho_fail(h, (int)len,
				  "the pTPM %s could not quote with its key 0x%08x (ptpm_ak): %zd",
				  dev_name(&ptpm->dev), q->ptpm_key.handle, len);
	if (len > 0)
		return th_ho_fail(h, -EIO,
				  "the pTPM %s refused the handoff quote with its key 0x%08x (ptpm_ak): TPM error 0x%zx",
				  dev_name(&ptpm->dev), q->ptpm_key.handle, len);
	rc = th_tpm2_quote_rsp(h->buf.data, tpm_buf_length(&h->buf), q);
	if (rc)
		return th_ho_fail(h, rc, "%s: malformed TPM2_Quote response",
				  dev_name(&ptpm->dev));
	return th_quote_check(q, h->snap, h->err);
}

/* Steps 2-4, with the barrier up. */
static int handoff_locked(struct th_handoff *h)
{
	struct tpm_chip *ptpm = h->ptpm, *vchip = h->vtpm.chip;
	u32 bad_pcr;
	unsigned int bad_bank;
	int rc;

	/* 2. Snapshot. */
	h->step = "reading the pTPM's PCRs";
	rc = tpm_chip_start(ptpm);
	if (rc)
		return th_ho_fail(h, rc, "cannot start the pTPM (%d)", rc);
	rc = th_ho_read_pcrs(h, ptpm, h->snap, GENMASK(TH_NR_PCRS - 1, 0));
	/* The kernel's HMAC session lives on the pTPM: ended here (hmac.c). */
	if (!rc)
		th_hmac_end_session(ptpm);
	/* 5. Unplug: idle, locality relinquished; never started again. */
	tpm_chip_stop(ptpm);
	if (rc)
		return rc;

	/* 3. Mirror: what arrived since the early replay, or all of it. */
	if (h->prereplay) {
		if (!th_pcrs_equal(h->presnap, h->snap, h->fw.mask, &bad_pcr,
				   &bad_bank))
			return th_ho_fail(h, -EAGAIN,
					  "pTPM PCR %u changed during the handoff (something outside IMA extended it): retry",
					  bad_pcr);
		rc = th_ho_vtpm_hold(h);
	} else {
		rc = find_kinds(h, h->snap);
		if (!rc)
			rc = mirror_start(h);
		if (!rc)
			rc = mirror_firmware(h, h->snap);
	}
	if (!rc) {
		th_mirror_set_snapshot(&h->mirror, h->snap);
		rc = th_ho_mirror_stream(h);
	}
	if (!rc) {
		h->step = "finding the cut";
		rc = th_mirror_finish(&h->mirror, h->err);
		h->cut.found = h->mirror.cut_found;
		h->cut.cut = h->mirror.cut;
		h->cut.entries = h->mirror.entries;
		h->cut.pcr_mask = th_replay_pcrs(h->replay) | BIT(TH_IMA_PCR);
		memcpy(h->cut.kind, h->kinds.kind, sizeof(h->cut.kind));
	}
	/* 3c. Read back and compare. */
	if (!rc) {
		h->step = "reading the vTPM's PCRs back";
		rc = th_ho_read_pcrs(h, vchip, h->vpcr, h->cut.pcr_mask | h->fw.mask);
	}
	th_ho_vtpm_unhold(h);
	if (rc)
		return rc;
	if (!th_pcrs_equal(h->snap, h->vpcr, h->cut.pcr_mask, &bad_pcr,
			   &bad_bank))
		return th_ho_fail(h, -EIO,
				  "vTPM read back after the replay: PCR %u in the %s bank differs from the pTPM's snapshot",
				  bad_pcr, th_alg_name(h->banks.alg[bad_bank]));
	if (h->fw.mask &&
	    !th_pcrs_equal(h->fw.expect, h->vpcr, h->fw.mask, &bad_pcr,
			   &bad_bank))
		return th_ho_fail(h, -EIO,
				  "vTPM read back after the firmware mirror: PCR %u in the %s bank is not the %s value",
				  bad_pcr, th_alg_name(h->banks.alg[bad_bank]),
				  h->fw.bind & BIT(bad_pcr) ? "bound" : "replayed");
	if (h->quote) {
		rc = take_quote(h);
		if (rc)
			return rc;
	}
	if (th_barrier_expired(&h->barrier))
		return -ETIMEDOUT;
	if (h->dry_run)
		return th_ho_fail(h, -ECANCELED,
				  "dry run (dry_run=1): every step passed and the vTPM equals the pTPM at the cut; nothing was committed");

	/* 4. Commit. */
	th_hmac_take_null_key(ptpm, vchip);
	th_forward_commit(ptpm, vchip, h->cc_attrs_tbl);
	h->cc_attrs_tbl = NULL;
	h->committed = true;
	h->remirror.base = h->cut.cut;
	strscpy(h->vtpm_name, dev_name(&vchip->dev), sizeof(h->vtpm_name));
	return 0;
}

/* A timeout is reported as its cause: what was waiting, on which chip. */
int th_ho_timed_out(struct th_handoff *h, const char *what,
		    const char *param, unsigned int ms)
{
	h->err[0] = '\0';
	return th_ho_fail(h, -ETIMEDOUT,
			  "%s timed out after %u ms (%s) while %s (the vTPM is %s)",
			  what, ms, param, h->step, dev_name(&h->vtpm.chip->dev));
}

/* Steps 0-4: the early mirror, then the barrier and what it guards. */
static int handoff_steps(struct th_handoff *h)
{
	int rc = 0;

	if (h->prereplay) {
		th_watchdog_arm(&h->barrier, h->mirror_timeout_ms);
		rc = mirror_early(h);
		th_watchdog_disarm(&h->barrier);
		if (th_barrier_expired(&h->barrier))
			rc = th_ho_timed_out(h, "the replay before the barrier",
					     "mirror_timeout_ms", h->mirror_timeout_ms);
	}
	if (!rc) {
		h->step = "raising the barrier";
		rc = th_barrier_raise(&h->barrier, h->ptpm,
				      h->barrier_timeout_ms);
		if (rc == -ETIMEDOUT)
			th_ho_fail(h, rc,
				   "the barrier timed out after %u ms waiting for TPM commands in flight to finish",
				   h->barrier_timeout_ms);
		else if (rc)
			th_ho_fail(h, rc, "the pTPM chip was unregistered");
		if (!rc) {
			rc = handoff_locked(h);
			th_barrier_lower(&h->barrier);
			if (rc && (rc == -ETIMEDOUT ||
				   atomic_read(&h->barrier.fired)))
				rc = th_ho_timed_out(h, "the barrier",
						     "barrier_timeout_ms",
						     h->barrier_timeout_ms);
		}
	}
	return rc;
}

/* What the vTPM must offer before anything else happens. */
int th_ho_check_vtpm(struct th_handoff *h)
{
	struct tpm_chip *ptpm = h->ptpm, *vchip = h->vtpm.chip;
	unsigned int i, j;
	int rc;

	if ((ptpm->flags ^ vchip->flags) & TPM_CHIP_FLAG_TPM2)
		return th_ho_fail(h, -EINVAL,
				  "the pTPM %s is a TPM %s but the vTPM %s is a TPM %s: both must be the same family",
				  dev_name(&ptpm->dev), h->tpm1 ? "1.2" : "2.0",
				  dev_name(&vchip->dev), h->tpm1 ? "2.0" : "1.2");

	rc = tpm_try_get_ops(vchip);
	if (rc)
		return th_ho_fail(h, -ENODEV, "the vTPM (%s) is not working",
				  dev_name(&vchip->dev));
	for (i = 0; i < h->banks.nr && !rc; i++) {
		for (j = 0; j < vchip->nr_allocated_banks; j++)
			if (vchip->allocated_banks[j].alg_id == h->banks.alg[i])
				break;
		if (j == vchip->nr_allocated_banks)
			rc = th_ho_fail(h, -EOPNOTSUPP,
					"the vTPM %s has no %s PCR bank, which IMA extends on the pTPM: start the vTPM with the pTPM's banks (vtpmd --pcr-banks %s, or tpm2_pcrallocate and a restart)",
					dev_name(&vchip->dev),
					th_alg_name(h->banks.alg[i]), h->bank_list);
	}
	/*
	 * Nothing would ever extend a bank the pTPM lacks: IMA extends the
	 * pTPM chip's banks only.  Its PCRs would stay where any user of
	 * the vTPM could drive them to match a forged log, and a verifier
	 * that quotes that bank would believe it.  So the sets must be equal.
	 */
	for (j = 0; j < vchip->nr_allocated_banks && !rc; j++) {
		for (i = 0; i < h->banks.nr; i++)
			if (vchip->allocated_banks[j].alg_id == h->banks.alg[i])
				break;
		if (i == h->banks.nr)
			rc = th_ho_fail(h, -EOPNOTSUPP,
					"the vTPM %s has a %s PCR bank that the pTPM lacks: nothing would extend it, so anyone could set it to match a forged log; start the vTPM with the pTPM's banks only (vtpmd --pcr-banks %s, or tpm2_pcrallocate and a restart)",
					dev_name(&vchip->dev),
					th_alg_name(vchip->allocated_banks[j].alg_id),
					h->bank_list);
	}
	if (!rc)
		rc = th_hmac_check(ptpm, vchip, h->err);
	if (!rc && vchip->cc_attrs_tbl && vchip->nr_commands) {
		h->cc_attrs_tbl = kmemdup(vchip->cc_attrs_tbl,
					  vchip->nr_commands * sizeof(u32),
					  GFP_KERNEL);
		if (!h->cc_attrs_tbl)
			rc = th_ho_fail(h, -ENOMEM, "out of memory");
	}
	tpm_put_ops(vchip);
	return rc;
}

/* Read the key at @key->handle on @chip (its ops not held). */
static int read_key(struct th_handoff *h, struct tpm_chip *chip,
		    const char *which, const char *param, struct th_key *key)
{
	ssize_t len;
	int rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return th_ho_fail(h, -ENODEV, "the %s %s is not working", which,
				  dev_name(&chip->dev));
	th_tpm2_read_public_cmd(&h->buf, key->handle);
	len = tpm_transmit_cmd(chip, &h->buf, 0, NULL);
	tpm_put_ops(chip);
	if (len < 0)
		return th_ho_fail(h, (int)len,
				  "the %s %s: reading the key 0x%08x (%s) failed (%zd)",
				  which, dev_name(&chip->dev), key->handle, param, len);
	if (len > 0)
		return th_ho_fail(h, -ENOENT,
				  "the %s %s has no key at 0x%08x (%s): TPM error 0x%zx; make one with tpm-handoff provision --handle 0x%08x",
				  which, dev_name(&chip->dev), key->handle, param, len,
				  key->handle);
	rc = th_tpm2_read_public_rsp(h->buf.data, tpm_buf_length(&h->buf), key);
	if (rc)
		return th_ho_fail(h, rc,
				  "the %s %s: malformed TPM2_ReadPublic response for 0x%08x",
				  which, dev_name(&chip->dev), key->handle);
	if (!th_key_is_ak(key))
		return th_ho_fail(h, -EINVAL,
				  "the %s %s's key 0x%08x (%s) is not an attestation key (a restricted signing key fixed to its TPM, with a signing scheme): make one with tpm-handoff provision",
				  which, dev_name(&chip->dev), key->handle, param);
	return 0;
}

/**
 * th_ho_read_clock() - the vTPM's resetCount and restartCount
 * @h: the attempt (its vTPM's ops not held)
 * @reset_count: receives its resetCount
 * @restart_count: and its restartCount
 *
 * For the record: a verifier sees in a later vTPM quote whether the vTPM
 * was reset or restarted since.
 *
 * Return: 0 or a negative errno (@h->err says why).
 */
int th_ho_read_clock(struct th_handoff *h, u32 *reset_count,
		     u32 *restart_count)
{
	struct tpm_chip *vchip = h->vtpm.chip;
	ssize_t len;
	int rc;

	rc = tpm_try_get_ops(vchip);
	if (rc)
		return th_ho_fail(h, -ENODEV, "the vTPM %s is not working",
				  dev_name(&vchip->dev));
	th_tpm2_read_clock_cmd(&h->buf);
	len = tpm_transmit_cmd(vchip, &h->buf, 0, NULL);
	tpm_put_ops(vchip);
	if (len)
		return th_ho_fail(h, len < 0 ? (int)len : -EIO,
				  "the vTPM %s: TPM2_ReadClock failed (%zd)",
				  dev_name(&vchip->dev), len);
	rc = th_tpm2_read_clock_rsp(h->buf.data, tpm_buf_length(&h->buf),
				    reset_count, restart_count);
	if (rc)
		return th_ho_fail(h, rc, "the vTPM %s: malformed TPM2_ReadClock response",
				  dev_name(&vchip->dev));
	return 0;
}

/*
 * The handoff quote's keys, before the barrier: their names, and the hash
 * that the quote's PCR digest will use (allocated now: see
 * th_quote_alloc()).  Both keys or neither.
 */
static int quote_prepare(struct th_handoff *h)
{
	struct th_key pkey = { .handle = h->ptpm_ak };
	struct th_key vkey = { .handle = h->vtpm_ak };
	struct th_quote *q;
	int rc;

	if (!h->ptpm_ak && !h->vtpm_ak)
		return 0;
	if (!h->ptpm_ak || !h->vtpm_ak)
		return th_ho_fail(h, -EINVAL,
				  "%s is set but %s is not: the handoff quote needs the pTPM's key and the vTPM's that it names (tpm-handoff provision on each), or neither",
				  h->ptpm_ak ? "ptpm_ak" : "vtpm_ak",
				  h->ptpm_ak ? "vtpm_ak" : "ptpm_ak");
	if (h->tpm1)
		return th_ho_fail(h, -EOPNOTSUPP,
				  "the handoff quote (ptpm_ak) needs a TPM 2.0, and the pTPM %s is a TPM 1.2: set ptpm_ak and vtpm_ak to 0",
				  dev_name(&h->ptpm->dev));
	rc = read_key(h, h->ptpm, "pTPM", "ptpm_ak", &pkey);
	if (!rc)
		rc = read_key(h, h->vtpm.chip, "vTPM", "vtpm_ak", &vkey);
	if (rc)
		return rc;
	q = th_quote_alloc(&pkey, &vkey, h->err);
	if (IS_ERR(q))
		return PTR_ERR(q);
	h->quote = q;
	return th_ho_read_clock(h, &q->vtpm_reset_count,
				&q->vtpm_restart_count);
}

/* Longest event log read from a file (fw_log); firmware logs are < 64 KiB. */
#define TH_FW_LOG_MAX	SZ_4M

/*
 * Read the file at @path (at most @max bytes) into a vmalloc'ed buffer,
 * through the VFS as log_source.c reads IMA's log.  Not with
 * kernel_read_file_from_path(): its LSM hook is for what the kernel loads
 * for itself (firmware, modules, policies), and IPE (Linux 6.12 and
 * later, on in Debian 13's kernel) WARNs on any other purpose
 * (READING_UNKNOWN); trixie-vm/handoff-firmware's kernel verdict caught it.
 * Works for files that do not know their size (securityfs's).
 */
static ssize_t read_whole_file(const char *path, size_t max, void **out)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	size_t cap = 0, len = 0;
	u8 *buf = NULL, *bigger;
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	for (;;) {
		if (len == cap) {
			/* Room for one byte more than @max: a longer file. */
			if (cap > max) {
				n = -EFBIG;
				goto out;
			}
			cap = min_t(size_t, cap ? 2 * cap : SZ_64K, max + 1);
			bigger = vmalloc(cap);
			if (!bigger) {
				n = -ENOMEM;
				goto out;
			}
			if (len)
				memcpy(bigger, buf, len);
			vfree(buf);
			buf = bigger;
		}
		n = kernel_read(f, buf + len, cap - len, &pos);
		if (n < 0)
			goto out;
		if (!n)
			break;
		len += n;
	}
	fput(f);
	*out = buf;
	return len;
out:
	vfree(buf);
	fput(f);
	return n;
}

/*
 * The firmware's event log: the file fw_log names, or the pTPM chip's own
 * (set at its registration and kept until its release; the device
 * reference this module holds keeps it).  Then its replay in software.
 */
static int fw_open(struct th_handoff *h)
{
	const struct tpm_bios_log *log = &h->ptpm->log;
	const u8 *buf = NULL;
	size_t len = 0;
	void *file = NULL;
	ssize_t n;

	if (h->fw_log_path && h->fw_log_path[0]) {
		n = read_whole_file(h->fw_log_path, TH_FW_LOG_MAX, &file);
		if (n < 0)
			return th_ho_fail(h, (int)n,
					  "cannot read the event log %s (fw_log): error %zd",
					  h->fw_log_path, n);
		h->fw_log_buf = file;
		buf = file;
		len = n;
	} else if (log->bios_event_log &&
		   log->bios_event_log_end > log->bios_event_log) {
		buf = log->bios_event_log;
		len = log->bios_event_log_end - log->bios_event_log;
	}
	return th_fw_init(&h->fw, &h->fw_spec, &h->banks, buf, len, h->err);
}

static int prepare(struct th_handoff *h, const char *log_path)
{
	struct tpm_chip *ptpm = h->ptpm;
	unsigned int i;
	int rc;

	h->tpm1 = !(ptpm->flags & TPM_CHIP_FLAG_TPM2);
	h->banks.nr = ptpm->nr_allocated_banks;
	for (i = 0; i < h->banks.nr; i++) {
		h->banks.alg[i] = ptpm->allocated_banks[i].alg_id;
		h->banks.size[i] = ptpm->allocated_banks[i].digest_size;
		snprintf(h->bank_list + strlen(h->bank_list),
			 sizeof(h->bank_list) - strlen(h->bank_list), "%s%s",
			 i ? "," : "", th_alg_name(h->banks.alg[i]));
	}

	rc = th_vtpm_get(&h->vtpm, h->vtpm_spec, ptpm, h->err);
	if (rc)
		return rc;
	th_watchdog_set_abort(&h->barrier, h->vtpm.abort, h->vtpm.chip);
	/*
	 * A pTPM driver that takes interrupts keeps its handler after the
	 * commit: tpm_tis's reads the interrupt status and requests locality
	 * 0 on any interrupt of the TIS, touching the pTPM that is no longer
	 * dom0's.  The handoff cannot mask it through the TPM core, so it
	 * refuses (TPM_CHIP_FLAG_IRQ: the driver uses its interrupt).
	 */
	if (ptpm->flags & TPM_CHIP_FLAG_IRQ)
		return th_ho_fail(h, -EOPNOTSUPP,
				  "the pTPM %s uses interrupts: its driver's interrupt handler would still touch the pTPM after the handoff; boot with tpm_tis.interrupts=0",
				  dev_name(&ptpm->dev));
	rc = th_ho_check_vtpm(h);
	if (rc)
		return rc;

	h->replay = th_replay_alloc(&h->banks, h->err);
	if (IS_ERR(h->replay)) {
		rc = PTR_ERR(h->replay);
		h->replay = NULL;
		return rc;
	}
	h->presnap = kzalloc(sizeof(*h->presnap), GFP_KERNEL);
	h->snap = kzalloc(sizeof(*h->snap), GFP_KERNEL);
	h->vpcr = kzalloc(sizeof(*h->vpcr), GFP_KERNEL);
	h->chunk = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!h->presnap || !h->snap || !h->vpcr || !h->chunk ||
	    tpm_buf_init(&h->buf, 0, 0) || th_forward_prepare(!h->tpm1))
		return th_ho_fail(h, -ENOMEM, "out of memory");
	rc = quote_prepare(h);
	if (rc)
		return rc;

	rc = fw_open(h);
	if (rc)
		return rc;
	rc = h->log_ops->open(h->log_src, log_path, h->err);
	/* What this attempt holds; the log buffer may grow (th_handoff_run()). */
	h->mem_bytes = sizeof(*h) + th_replay_size() + 3 * sizeof(*h->snap) +
		       2 * PAGE_SIZE + th_cut_search_size() +
		       (h->fw.mask ? th_fw_size() : 0) +
		       (h->fw_log_buf ? h->fw.log_len : 0) +
		       (h->quote ? sizeof(*h->quote) : 0) +
		       (h->cc_attrs_tbl ? h->vtpm.chip->nr_commands * sizeof(u32) : 0);
	return rc;
}

/* Longest measured record: 24 PCRs in 8 banks of 64-byte digests fit. */
#define TH_MEASURED_MAX	(32 * 1024)

/*
 * The handoff in the IMA log: after the commit (the barrier is down, and
 * IMA's extends reach the vTPM), measure the record as critical data.  IMA
 * adds an entry only if its policy has a rule for it, such as
 *	measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf
 * (Documentation/admin-guide.rst); the vTPM's PCR 10 then covers it.
 */
static void measure(struct th_handoff *h)
{
	char *buf = kzalloc(TH_MEASURED_MAX, GFP_KERNEL);
	int len;

	if (!buf) {
		h->measure_rc = -ENOMEM;
		return;
	}
	len = th_record_format(h, buf, TH_MEASURED_MAX, true);
	h->measure_rc = th_ho_measure(h, TH_CRITICAL_DATA_LABEL, buf, len);
	kfree(buf);
}

/**
 * th_ho_measure() - measure a record as IMA critical data
 * @h: the attempt
 * @event: the event name (the entry's "n-ng")
 * @buf: the record
 * @len: its length
 *
 * Under the label TH_CRITICAL_DATA_LABEL, which the IMA policy names.
 *
 * Return: what IMA (or @h->measure, the KUnit suite's) returned.
 */
int th_ho_measure(struct th_handoff *h, const char *event, const void *buf,
		  size_t len)
{
	if (h->measure)
		return h->measure(h, buf, len);
	return ima_measure_critical_data(TH_CRITICAL_DATA_LABEL, event, buf,
					 len, false, NULL, 0);
}

/*
 * The handoff thread: everything but the trigger's checks.  It opens files
 * (the IMA log, fw_log) and IMA measures those opens, taking its iint
 * mutex.  The writer of the trigger holds kernfs's of->mutex, and IMA
 * takes seq_file and kernfs locks under an iint mutex when it measures a
 * pseudo-file, so opening from the writer would give lockdep a cycle of
 * lock classes.  A kernel thread holds no locks.
 */
static int th_handoff_thread(void *data)
{
	struct th_handoff *h = data;
	int rc;

	allow_signal(SIGKILL);
	rc = prepare(h, h->log_path);
	if (!rc)
		rc = handoff_steps(h);
	h->mem_bytes += h->log_ops->buffer_size(h->log_src);
	/*
	 * Committed: nothing may stop the thread now.  A SIGKILL that the
	 * watchdog sent just before it was disarmed, or root's kill -9,
	 * would be pending while the record is measured, and a vTPM driver
	 * that waits for its answer interruptibly would cancel the extend of
	 * an entry that IMA has already logged.  Ignoring SIGKILL drops a
	 * pending one and any later one.
	 */
	if (!rc) {
		disallow_signal(SIGKILL);
		measure(h);
	}
	h->rc = rc;
	kthread_complete_and_exit(&h->done, 0);
}

/**
 * th_handoff_run() - run one handoff attempt
 * @h: the attempt, with @ptpm, @vtpm_spec and @barrier_timeout_ms set
 *	(and @log_ops and @log_src, to read the IMA log from elsewhere than
 *	securityfs)
 * @log_path: IMA's binary_runtime_measurements (an absolute path)
 *
 * Sleeps until the attempt has committed or aborted; the attempt runs in
 * a kernel thread (see th_handoff_thread()).  Call th_handoff_release()
 * afterwards in either case.
 *
 * Return: 0 if committed, or a negative errno (@h->err says why).
 */
int th_handoff_run(struct th_handoff *h, const char *log_path)
{
	struct task_struct *task;
	ktime_t start = ktime_get();
	int rc;

	init_completion(&h->done);
	h->log_path = log_path;
	if (!h->log_ops) {
		h->log_ops = &th_log_file_ops;
		h->log_src = &h->log;
	}
	task = kthread_run(th_handoff_thread, h, "tpm_handoff");
	if (IS_ERR(task)) {
		rc = th_ho_fail(h, PTR_ERR(task), "cannot start the handoff thread");
		goto out;
	}
	wait_for_completion(&h->done);
	rc = h->rc;
out:
	h->duration_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	if (rc && !h->err[0])
		th_ho_fail(h, rc, "failed (%d)", rc);
	return rc;
}

/**
 * th_handoff_park() - keep a committed handoff for its re-mirrors
 * @h: the attempt, committed
 *
 * A committed handoff stays for good: a vTPM that restarts is brought back
 * to the log with what the handoff learnt (the banks, the digest kinds,
 * the firmware PCRs' plan, its snapshot and event log) and its buffers
 * (remirror.c).  Only the open IMA log is closed; a re-mirror opens it
 * again.
 */
void th_handoff_park(struct th_handoff *h)
{
	if (h->log_ops)
		h->log_ops->close(h->log_src);
}

/**
 * th_handoff_release() - free what an attempt holds
 * @h: the attempt
 *
 * After a commit the vTPM reference stays with the forwarding ops.
 */
void th_handoff_release(struct th_handoff *h)
{
	if (h->log_ops)
		h->log_ops->close(h->log_src);
	if (h->buf.data)
		tpm_buf_destroy(&h->buf);
	h->buf.data = NULL;
	th_replay_free(h->replay);
	h->replay = NULL;
	kfree(h->chunk);
	h->chunk = NULL;
	kfree(h->cc_attrs_tbl);
	h->cc_attrs_tbl = NULL;
	kfree(h->presnap);
	h->presnap = NULL;
	kfree(h->snap);
	h->snap = NULL;
	kfree(h->vpcr);
	h->vpcr = NULL;
	th_quote_free(h->quote);
	h->quote = NULL;
	th_fw_free(&h->fw);
	vfree(h->fw_log_buf);
	h->fw_log_buf = NULL;
	kfree(h->fw_log_path);
	h->fw_log_path = NULL;
	if (!h->committed) {
		th_vtpm_put(&h->vtpm);
		th_forward_unprepare();
	}
}
