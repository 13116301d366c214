// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mirror plan: which IMA log entries go into the vTPM, and when.
 *
 * IMA appends an entry to its list and then extends the TPM, both under
 * its ima_extend_list_mutex, so at any moment at most the newest entry of
 * the list is appended but not yet extended.  Every entry that has a
 * successor in the list has therefore reached the pTPM for good, and it
 * will be inside the cut whenever the barrier is raised.  The mirror uses
 * that to replay almost all of the log before the barrier:
 *
 *  - Streaming the log, it extends each entry into the vTPM once the next
 *    entry has been seen (a lag of one), and keeps the newest entry's
 *    digests as "pending".
 *  - Under the barrier it continues the same stream with only the entries
 *    that arrived since, looks for the cut among the prefixes it has not
 *    ruled out (the state one entry back, the state now and every new
 *    prefix), and extends the pending entry only if the cut includes it.
 *
 * The vTPM may already hold a prefix of the log: an earlier attempt that
 * aborted after its pre-barrier replay leaves one.  Before the first
 * extend, the vTPM's PCRs are compared with every prefix the stream passes
 * (the reset state is the empty prefix); the mirror continues from the one
 * that matches.  A vTPM that matches no prefix was extended by someone
 * else and is refused.
 *
 * Pure logic: the caller provides the extend callback and the streams
 * (handoff.c, and the KUnit suite with a fake vTPM).
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>

#include "tpm_handoff.h"

/**
 * th_mirror_init() - start a mirror plan
 * @m: the plan
 * @r: the replay that will stream the log (reset by the caller)
 * @vtpm: the vTPM's PCRs before the mirror, read in @r's banks
 * @vmask: PCRs to compare with @vtpm (10 and every PCR in the log)
 * @kind: per bank, the digest kind that reproduces the pTPM
 * @extend: sends one entry to the vTPM
 * @ctx: its argument
 */
void th_mirror_init(struct th_mirror *m, struct th_replay *r,
		    const struct th_pcr_values *vtpm, u32 vmask, const u8 *kind,
		    th_extend_fn extend, void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->r = r;
	m->vtpm = vtpm;
	m->vmask = vmask | BIT(TH_IMA_PCR);
	memcpy(m->kind, kind, th_replay_banks(r)->nr);
	m->extend = extend;
	m->ctx = ctx;
}

/* Does the vTPM hold the prefix the replay is at? */
static void vtpm_check(struct th_mirror *m, u64 prefix)
{
	if (m->matched)
		return;
	if (th_replay_match(m->r, m->vtpm, m->vmask | th_replay_pcrs(m->r),
			    m->kind, false)) {
		m->matched = true;
		m->resumed = prefix;
		m->mirrored = prefix;
	}
}

/* Does the snapshot cover the prefix the replay is at (one entry back)? */
static void cut_check(struct th_mirror *m, u64 prefix, bool back)
{
	const struct th_replay *r = m->r;
	u32 mask = back ? th_replay_pcrs_back(r) : th_replay_pcrs(r);

	mask |= BIT(TH_IMA_PCR);

	if (m->snap && th_replay_match(r, m->snap, mask, m->kind, back))
		th_cands_add(&m->cands, prefix, mask, m->kind);
}

static int extend_pending(struct th_mirror *m)
{
	const u8 *dig[TH_MAX_BANKS];
	unsigned int b;
	int rc;

	for (b = 0; b < TH_MAX_BANKS; b++)
		dig[b] = m->pending_dig[b];
	rc = m->extend(m->ctx, m->pending_pcr, dig);
	if (rc)
		return rc;
	m->mirrored++;
	m->extended++;
	return 0;
}

/**
 * th_mirror_entry() - a th_entry_fn that drives the plan
 * @ctx: the struct th_mirror
 * @r: the replay
 * @index: the entry, before it takes effect
 * @pcr: its PCR
 *
 * Return: 0, or the extend callback's error.
 */
int th_mirror_entry(void *ctx, struct th_replay *r, u64 index, u32 pcr)
{
	struct th_mirror *m = ctx;
	const struct th_banks *banks = th_replay_banks(r);
	unsigned int b;
	int rc;

	vtpm_check(m, index);
	cut_check(m, index, false);
	/* The entry before this one has a successor now: it is final. */
	if (m->pending && m->matched && m->mirrored == index - 1) {
		rc = extend_pending(m);
		if (rc)
			return rc;
	}
	m->pending = true;
	m->pending_pcr = pcr;
	for (b = 0; b < banks->nr; b++)
		memcpy(m->pending_dig[b], th_replay_digest(r, b, m->kind[b]),
		       banks->size[b]);
	return 0;
}

/**
 * th_mirror_caught_up() - the stream reached the end of the log for now
 * @m: the plan
 *
 * Return: 0, or -EBUSY if the vTPM holds no prefix of the log.
 */
int th_mirror_caught_up(struct th_mirror *m)
{
	vtpm_check(m, th_replay_entries(m->r));
	return m->matched ? 0 : -EBUSY;
}

/**
 * th_mirror_set_snapshot() - the barrier is up: look for the cut from now on
 * @m: the plan, caught up
 * @snap: the pTPM's PCRs, read under the barrier
 *
 * Entries before the newest one seen were extended into the pTPM before
 * the barrier, so the first candidate is the state one entry back.
 */
void th_mirror_set_snapshot(struct th_mirror *m,
			    const struct th_pcr_values *snap)
{
	u64 n = th_replay_entries(m->r);

	m->snap = snap;
	if (n)
		cut_check(m, n - 1, true);
	m->first_candidate = n ? n - 1 : 0;
}

/**
 * th_mirror_finish() - the log was read to its end under the barrier
 * @m: the plan
 * @err: TH_ERRLEN bytes for the reason of a failure
 *
 * Finds the cut if it is the whole log, extends the pending entry if the
 * cut includes it, and checks that the vTPM then holds exactly [0, cut).
 *
 * Return: 0, or a negative errno (@err says why).
 */
int th_mirror_finish(struct th_mirror *m, char *err)
{
	u64 n = th_replay_entries(m->r);
	const struct th_cand *c;
	int rc;

	cut_check(m, n, false);
	m->entries = n;
	c = th_cands_pick(&m->cands, th_replay_pcrs(m->r) | BIT(TH_IMA_PCR),
			  m->snap, th_replay_banks(m->r));
	m->cut_found = c;
	if (c)
		m->cut = c->prefix;
	if (!m->cut_found) {
		snprintf(err, TH_ERRLEN,
			 "no prefix of the IMA log from entry %llu on (%llu entries) reproduces the pTPM's PCRs: a PCR that IMA uses was extended outside IMA, or an extend failed",
			 m->first_candidate, n);
		return -EIO;
	}
	if (n - m->cut > 1) {
		snprintf(err, TH_ERRLEN,
			 "%llu IMA log entries after the cut were never extended into the pTPM (a failed extend?)",
			 n - m->cut);
		return -EIO;
	}
	if (m->pending && m->mirrored + 1 == m->cut && m->cut == n) {
		rc = extend_pending(m);
		if (rc)
			return rc;
	}
	if (m->mirrored != m->cut) {
		snprintf(err, TH_ERRLEN,
			 "the vTPM holds %llu IMA log entries but the pTPM's cut is %llu: restart the vTPM, then retry",
			 m->mirrored, m->cut);
		return -EIO;
	}
	return 0;
}

/**
 * th_mirror_finish_at() - the log was read to its end: stop at @target
 * @m: the plan, caught up
 * @target: the entries that reached the TPM chip IMA extends (for a
 *	re-mirror: the entries the old vTPM held, and those whose extends
 *	reached the forwarder since, forward.c)
 * @err: TH_ERRLEN bytes for the reason of a failure
 *
 * The re-mirror's end (remirror.c): there is no pTPM snapshot to find a
 * cut in, but the forwarder knows how many of IMA's extends reached it.
 * Every entry before @target is in the log only (the vTPM that failed it
 * is gone) or in the new vTPM already; an entry at @target is the newest,
 * and its own extend waits for the barrier: it will reach the new vTPM by
 * itself.  So extend the pending entry if @target includes it, and check
 * that the vTPM then holds exactly [0, @target).
 *
 * Return: 0, or -EIO (@err says why).
 */
int th_mirror_finish_at(struct th_mirror *m, u64 target, char *err)
{
	u64 n = th_replay_entries(m->r);
	int rc;

	m->entries = n;
	if (n < target) {
		snprintf(err, TH_ERRLEN,
			 "%llu extends of PCR %u reached the TPM chip IMA uses, but the IMA log has %llu entries: the PCR was extended outside IMA",
			 target, TH_IMA_PCR, n);
		return -EIO;
	}
	if (n - target > 1) {
		snprintf(err, TH_ERRLEN,
			 "%llu IMA log entries never reached the TPM chip IMA uses (only the newest may wait for the barrier)",
			 n - target);
		return -EIO;
	}
	if (m->pending && m->mirrored + 1 == target && target == n) {
		rc = extend_pending(m);
		if (rc)
			return rc;
	}
	if (m->mirrored != target) {
		snprintf(err, TH_ERRLEN,
			 "the vTPM holds %llu IMA log entries but %llu reached the TPM chip IMA uses",
			 m->mirrored, target);
		return -EIO;
	}
	m->cut_found = true;
	m->cut = target;
	return 0;
}
