// SPDX-License-Identifier: GPL-2.0-only
/*
 * The re-mirror: after the commit, a vTPM that comes back (vtpmd restarted
 * cleanly, or after a crash) is brought back to the IMA log, and the pTPM
 * chip forwards to it from then on.  The log is the source of truth.
 *
 * While the vTPM is away every command through the pTPM chip fails at once
 * (forward.c), IMA's extends too, but IMA keeps logging: the entries are in
 * the log, not in any TPM.  A new vTPM comes back reset (after a crash) or
 * at the prefix of the log it held when it stopped (a clean restart resumes
 * its saved PCRs).  A vTPM that stalled and missed one of IMA's extends is
 * "behind" (forward.c sends it nothing more): the re-mirror then goes into
 * the same chip, which holds the prefix it had when it fell behind.
 *
 * The re-mirror works like the handoff, with the new vTPM in place of the
 * old one and the forwarder's count in place of the pTPM's snapshot:
 *
 *  0. before the barrier (mirror_timeout_ms): take the new vTPM chip and
 *     check it as the handoff does (family, banks, command attributes);
 *     read its PCRs; bring the firmware PCRs back with the handoff's plan
 *     (firmware.c: replay the event log, or bind the snapshot; a PCR at its
 *     mirrored value is kept); stream the IMA log and extend all of it but
 *     its newest entry, resuming from the prefix the vTPM holds
 *     (mirror.c).  A vTPM PCR that is neither reset nor at a prefix (or at
 *     its firmware value) was extended by someone else: nothing is sent to
 *     it, and the error names the PCR.
 *  1. barrier (barrier_timeout_ms): the pTPM chip's ops_sem for writing.
 *     Commands in flight through the forwarder drain (they fail fast, the
 *     old vTPM is gone); new ones wait.
 *  2. the target: the entries the old vTPM held when it took over plus the
 *     extends of IMA's PCR that reached the forwarder since
 *     (th_forward_ima_extends()).  Stream the entries that arrived since
 *     step 0; extend the newest one only if the target includes it: if it
 *     does not, IMA's own extend of it waits for the barrier and will reach
 *     the new vTPM (th_mirror_finish_at()).
 *  3. read the new vTPM back: IMA's PCRs must equal the replay of the log
 *     at the target, the firmware PCRs their handoff values.
 *  4. retarget: the pTPM chip forwards to the new vTPM chip
 *     (th_forward_retarget()); the barrier drops; the old chip's
 *     reference is released.
 *  5. the re-mirror's record is measured as IMA critical data
 *     (TH_REMIRROR_EVENT under the handoff's label): the new vTPM's PCR 10
 *     covers it, and a verifier sees in the log that the vTPM was replaced.
 *
 * A failure anywhere before step 4 leaves the forwarder on the old chip:
 * the pTPM chip keeps failing, and the next re-mirror starts over (from
 * whatever prefix the new vTPM then holds).  A measurement made meanwhile
 * is in the log, and so reaches the next vTPM.
 */
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "tpm_handoff_priv.h"
#include <tpm_handoff/tpm_core.h>

/* Longest measured re-mirror record. */
#define TH_REMIRROR_MEASURED_MAX	1024

/* Step 0: the firmware PCRs and all of the log but its newest entry. */
static int remirror_early(struct th_handoff *h)
{
	int rc;

	rc = th_ho_vtpm_hold(h);
	if (rc)
		return rc;
	h->step = "reading the new vTPM's PCRs";
	rc = th_ho_read_pcrs(h, h->vtpm.chip, h->vpcr,
			     GENMASK(TH_NR_PCRS - 1, 0));
	/*
	 * Nothing may reach a vTPM that someone else extended: the firmware
	 * PCRs are checked first, and the mirror extends IMA's entries only
	 * once the vTPM's PCRs matched a prefix of the log.
	 */
	if (!rc && h->fw.mask) {
		h->step = "checking the new vTPM's firmware PCRs";
		rc = th_fw_check(&h->fw, h->vpcr, h->err);
	}
	if (!rc) {
		h->log_ops->rewind(h->log_src);
		th_replay_reset(h->replay);
		th_mirror_init(&h->mirror, h->replay, h->vpcr,
			       h->kinds.pcr_mask, h->kinds.kind, th_ho_extend,
			       h);
		rc = th_ho_mirror_stream(h);
	}
	if (!rc && h->fw.mask) {
		h->step = "bringing the firmware PCRs back";
		rc = th_fw_mirror(&h->fw, h->vpcr, th_ho_extend, h, h->err);
		if (rc && !h->err[0])
			th_ho_fail(h, rc,
				   "extending the firmware PCRs into the new vTPM failed (%d)",
				   rc);
		h->remirror.fw_resumed = h->fw.resumed;
		h->remirror.fw_extended = h->fw.extended;
	}
	th_ho_vtpm_unhold(h);
	return rc;
}

/* The first PCR of @mask where the new vTPM differs from the log, or -1. */
static int ima_differs(struct th_handoff *h, u32 mask, bool back)
{
	u32 p;

	for (p = 0; p < TH_NR_PCRS; p++)
		if ((mask & BIT(p)) &&
		    !th_replay_match(h->replay, h->vpcr, BIT(p),
				     h->kinds.kind, back))
			return p;
	return -1;
}

/* Steps 2-4, under the barrier. */
static int remirror_locked(struct th_handoff *h)
{
	struct th_remirror *rm = &h->remirror;
	struct tpm_chip *ptpm = h->ptpm, *vchip = h->vtpm.chip, *old;
	u32 ima_mask, bad_pcr;
	unsigned int bad_bank;
	u64 target;
	bool back;
	int rc, p;

	target = rm->base + th_forward_ima_extends(ptpm);
	rc = th_ho_vtpm_hold(h);
	if (rc)
		return rc;
	rc = th_ho_mirror_stream(h);
	if (!rc) {
		h->step = "finding the entries that reached the TPM";
		rc = th_mirror_finish_at(&h->mirror, target, h->err);
	}
	ima_mask = th_replay_pcrs(h->replay) | BIT(TH_IMA_PCR);
	if (!rc) {
		h->step = "reading the new vTPM's PCRs back";
		rc = th_ho_read_pcrs(h, vchip, h->vpcr, ima_mask | h->fw.mask);
	}
	th_ho_vtpm_unhold(h);
	if (rc)
		return rc;

	/* The newest entry, if it waits for the barrier, is not in. */
	back = h->mirror.entries == target + 1;
	if (back)
		ima_mask = th_replay_pcrs_back(h->replay) | BIT(TH_IMA_PCR);
	p = ima_differs(h, ima_mask, back);
	if (p >= 0)
		return th_ho_fail(h, -EIO,
				  "new vTPM read back after the re-mirror: PCR %d differs from the IMA log's first %llu entries",
				  p, target);
	if (h->fw.mask &&
	    !th_pcrs_equal(h->fw.expect, h->vpcr, h->fw.mask, &bad_pcr,
			   &bad_bank))
		return th_ho_fail(h, -EIO,
				  "new vTPM read back after the re-mirror: PCR %u in the %s bank is not the %s value",
				  bad_pcr, th_alg_name(h->banks.alg[bad_bank]),
				  h->fw.bind & BIT(bad_pcr) ? "bound" : "replayed");
	if (th_barrier_expired(&h->barrier))
		return -ETIMEDOUT;

	/* 4. Retarget.  The kernel's HMAC session was on the old vTPM. */
	if (!tpm_chip_start(ptpm)) {
		th_hmac_end_session(ptpm);
		tpm_chip_stop(ptpm);
	}
	th_hmac_take_null_key(ptpm, vchip);
	old = th_forward_retarget(ptpm, vchip, h->cc_attrs_tbl);
	h->cc_attrs_tbl = NULL;
	rm->base = target;
	rm->entries = target;
	rm->log_entries = h->mirror.entries;
	rm->resumed = h->mirror.resumed;
	rm->extended = h->mirror.extended;
	WARN_ON(old != h->remirror_old.chip);
	return 0;
}

/* Steps 0-4 with their watchdogs; as handoff_steps(). */
static int remirror_steps(struct th_handoff *h)
{
	int rc;

	th_watchdog_arm(&h->barrier, h->mirror_timeout_ms);
	rc = remirror_early(h);
	th_watchdog_disarm(&h->barrier);
	if (th_barrier_expired(&h->barrier))
		return th_ho_timed_out(h, "the re-mirror before the barrier",
				       "mirror_timeout_ms",
				       h->mirror_timeout_ms);
	if (rc)
		return rc;
	h->step = "raising the barrier";
	rc = th_barrier_raise(&h->barrier, h->ptpm, h->barrier_timeout_ms);
	if (rc == -ETIMEDOUT)
		return th_ho_fail(h, rc,
				  "the barrier timed out after %u ms waiting for TPM commands in flight to finish",
				  h->barrier_timeout_ms);
	if (rc)
		return th_ho_fail(h, rc, "the pTPM chip was unregistered");
	rc = remirror_locked(h);
	th_barrier_lower(&h->barrier);
	h->remirror.barrier_ns = h->barrier.window_ns;
	if (rc && (rc == -ETIMEDOUT || atomic_read(&h->barrier.fired)))
		rc = th_ho_timed_out(h, "the re-mirror's barrier",
				     "barrier_timeout_ms",
				     h->barrier_timeout_ms);
	return rc;
}

/* Take the new vTPM and check it; open the log. */
static int remirror_prepare(struct th_handoff *h, const char *spec)
{
	struct th_remirror *rm = &h->remirror;
	int rc;

	rc = th_vtpm_get(&h->vtpm, spec, h->ptpm, h->err);
	if (rc)
		return rc;
	/*
	 * The chip the pTPM chip forwards to gets IMA's extends meanwhile,
	 * unless it fell behind the log (then it gets nothing): re-mirroring
	 * into it would extend them twice.
	 */
	if (h->vtpm.chip == h->remirror_old.chip &&
	    !th_forward_vtpm_behind(h->vtpm.chip))
		return th_ho_fail(h, -EALREADY,
				  "the vTPM %s already follows the IMA log: nothing to re-mirror",
				  dev_name(&h->vtpm.chip->dev));
	th_watchdog_set_abort(&h->barrier, h->vtpm.abort, h->vtpm.chip);
	rc = th_ho_check_vtpm(h);
	if (!rc && !h->tpm1)
		rc = th_ho_read_clock(h, &rm->reset_count, &rm->restart_count);
	if (!rc)
		rc = h->log_ops->open(h->log_src, h->log_path, h->err);
	return rc;
}

/* After the retarget, with the barrier down: the record into the log. */
static void remirror_measure(struct th_handoff *h)
{
	char *buf = kzalloc(TH_REMIRROR_MEASURED_MAX, GFP_KERNEL);
	int len;

	if (!buf) {
		h->remirror.measure_rc = -ENOMEM;
		return;
	}
	len = th_remirror_format(h, buf, TH_REMIRROR_MEASURED_MAX, true);
	h->remirror.measure_rc = th_ho_measure(h, TH_REMIRROR_EVENT, buf, len);
	kfree(buf);
}

/* The re-mirror thread: a kernel thread for the reasons of the handoff's. */
static int th_remirror_thread(void *data)
{
	struct th_handoff *h = data;
	int rc;

	allow_signal(SIGKILL);
	rc = remirror_prepare(h, h->remirror_spec);
	if (!rc)
		rc = remirror_steps(h);
	/* Retargeted: as after the commit, nothing may stop the extend. */
	if (!rc) {
		disallow_signal(SIGKILL);
		h->remirror.count++;
		h->remirror.time = ktime_get_real_seconds();
		remirror_measure(h);
	}
	h->rc = rc;
	kthread_complete_and_exit(&h->done, 0);
}

/**
 * th_remirror_run() - bring a new vTPM to the log and forward to it
 * @h: the committed handoff (th_handoff_park())
 * @spec: the vTPM to take, as the vtpm parameter names it
 *
 * Sleeps until the re-mirror has retargeted the forwarder or failed; it
 * runs in a kernel thread.  The caller runs one re-mirror at a time.  On
 * failure the forwarder keeps the old vTPM chip (whatever state it is in)
 * and the new one is released.
 *
 * Return: 0, or a negative errno (@h->err says why).
 */
int th_remirror_run(struct th_handoff *h, const char *spec)
{
	struct task_struct *task;
	ktime_t start = ktime_get();
	int rc;

	if (WARN_ON(!h->committed))
		return -EINVAL;
	h->err[0] = '\0';
	h->step = "taking the new vTPM";
	h->remirror_spec = spec;
	h->remirror_old = h->vtpm;
	memset(&h->vtpm, 0, sizeof(h->vtpm));
	h->replayed_in_barrier = 0;
	h->replay_ns = 0;
	init_completion(&h->done);
	task = kthread_run(th_remirror_thread, h, "tpm_handoff");
	if (IS_ERR(task)) {
		rc = th_ho_fail(h, PTR_ERR(task),
				"cannot start the re-mirror thread");
	} else {
		wait_for_completion(&h->done);
		rc = h->rc;
	}
	h->log_ops->close(h->log_src);
	kfree(h->cc_attrs_tbl);
	h->cc_attrs_tbl = NULL;
	h->remirror.duration_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	if (rc) {
		if (!h->err[0])
			th_ho_fail(h, rc, "failed (%d)", rc);
		h->remirror.failed++;
		th_vtpm_put(&h->vtpm);
		h->vtpm = h->remirror_old;
		th_watchdog_set_abort(&h->barrier, h->vtpm.abort,
				      h->vtpm.chip);
	} else {
		h->remirror.in_barrier = h->replayed_in_barrier;
		th_vtpm_put(&h->remirror_old);
	}
	memset(&h->remirror_old, 0, sizeof(h->remirror_old));
	return rc;
}
