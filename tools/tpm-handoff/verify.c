// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff verify: the split-log check of a committed handoff.
 *
 *  - Entries [0, cut) of the IMA log must reproduce the pTPM's PCR 10 as
 *    the record's snapshot (or --ptpm-pcrs) has it, in every bank, after
 *    exactly cut entries.
 *  - The whole log must reproduce the vTPM's PCR 10, read live through
 *    ESYS (or given by --vtpm-pcrs), in every bank.
 *
 * Each bank is replayed under the interpretation the record names for it
 * (pcr10.BANK.digest: template-hash or padded-sha1, imalog_interp); after
 * the commit IMA keeps extending the vTPM the same way.
 *
 * A live log grows while it is read, and IMA appends an entry before it
 * extends it, so a PCR read at time t holds the replay of the log as it was
 * at t, or of all but its last entry.  Hence this rule (--attempts N,
 * default 5): read the vTPM's PCR 10 in all banks as one snapshot, then
 * the whole log (L_i entries), and let k_i be the largest prefix of the
 * log that reproduces the PCR in every bank.
 *   PASS   if k_i = L_i (the whole log), or if i > 1 and k_i >= L_{i-1}:
 *          every entry that was in the log before the PCR was read is in
 *          the PCR; entries after k_i were appended since.
 *   FAIL   at once if no prefix reproduces the PCR (in some bank, or not
 *          the same prefix in all banks), or if i > 1 and
 *          k_i < L_{i-1} - 1: entry k_i + 1 was in the log before the PCR
 *          was read and it is not the one entry IMA may have appended but
 *          not yet extended.
 *   RETRY  otherwise (first read, or k_i = L_{i-1} - 1: the last entry may
 *          still be on its way to the TPM): wait 0.1 s, 0.2 s, 0.4 s...
 *          and read both again; after N reads FAIL, naming entry k + 1.
 * With --vtpm-pcrs or a log read from stdin there is one read and the
 * whole log must match.
 *
 * A TPM 1.2 vTPM (record family 1.2, bank sha1) is read from sysfs
 * (CLASS/tpmN/device/pcrs), since tpm2-tss cannot talk to it.  Then come
 * the firmware PCRs (verify_fw.c) and the record the IMA log holds
 * (verify_rec.c; with --record-from-log it is the record used throughout).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/imalog.h"
#include "record.h"
#include "tpm.h"
#include "util.h"
#include "verify.h"

#define PCR		TH_IMA_PCR
#define NONE		IMALOG_NONE
#define RETRY_MS	100	/* first wait; doubles, at most 1 s */
#define STDIN_MAX	(1ul << 30)	/* --log -: read into memory */

enum { V_PASS, V_FAIL, V_RETRY };

/* Step callback: remember where every entry starts. */
static int note_offset(void *arg, const struct imalog_replay *r,
		       const struct imalog_entry *e)
{
	struct verify *v = arg;

	(void)r;
	if (v->noff == v->capoff) {
		size_t cap = v->capoff ? 2 * v->capoff : 4096;
		uint64_t *n = realloc(v->off, cap * sizeof(*n));

		if (!n)
			return -1;
		v->off = n;
		v->capoff = cap;
	}
	v->off[v->noff++] = e->offset;
	return vrec_note(v, e);
}

/* "entry N at offset O" for entry n (1-based) of the last read. */
static const char *entry_at(const struct verify *v, uint64_t n, char *buf, size_t len)
{
	if (n >= 1 && n <= v->noff)
		snprintf(buf, len, "entry %" PRIu64 " at offset %" PRIu64, n, v->off[n - 1]);
	else
		snprintf(buf, len, "entry %" PRIu64, n);
	return buf;
}

/* "N entries" or "N-M entries". */
static const char *run_str(uint64_t first, uint64_t last, char *buf, size_t len)
{
	if (first == last)
		snprintf(buf, len, "%" PRIu64 " entr%s", first, first == 1 ? "y" : "ies");
	else
		snprintf(buf, len, "%" PRIu64 "-%" PRIu64 " entries", first, last);
	return buf;
}

/*
 * " (under padded-sha1 it is reproduced after N entries)" if the other
 * interpretation matches where the recorded one does not, else "".
 */
static const char *other_interp(const struct imalog_match *m, enum imalog_interp i,
				char *buf, size_t len)
{
	enum imalog_interp o = i == IMALOG_TEMPLATE_HASH ? IMALOG_PADDED_SHA1 :
						       IMALOG_TEMPLATE_HASH;
	char run[64];

	buf[0] = 0;
	if (m->bank != IMALOG_SHA1 && m->found[o].first != NONE)
		snprintf(buf, len, " (under %s, not the record's %s, it is reproduced after %s)",
			 imalog_interp_name(o), imalog_interp_name(i),
			 run_str(m->found[o].first, m->found[o].last, run, sizeof(run)));
	return buf;
}

/* Read the whole log once, watching every bank's values.  0, or exit status. */
static int replay_log(struct verify *v)
{
	struct imalog_replay *r = imalog_replay_new();
	const struct imalog_error *e;
	int ret = 0;

	if (!r) {
		th_err("cannot set up libcrypto's digests");
		return TH_EXIT_INPUT;
	}
	v->noff = 0;
	v->damaged = false;
	th_imarec_free(&v->logrec);
	imalog_replay_on_step(r, note_offset, v);
	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];

		b->mp.pcr = b->mv.pcr = PCR;
		b->mp.bank = b->mv.bank = b->b;
		memcpy(b->mp.value, b->ptpm, sizeof(b->ptpm));
		memcpy(b->mv.value, b->vtpm, sizeof(b->vtpm));
		b->mp.at = v->rec.cut;
		b->mv.at = NONE;
		if (imalog_replay_watch(r, &b->mp) || imalog_replay_watch(r, &b->mv)) {
			th_err("out of memory");
			ret = TH_EXIT_INPUT;
			goto out;
		}
	}
	if (v->log_buf ? imalog_replay_buffer(r, v->log_buf, v->log_len) :
	    imalog_replay_file(r, v->o->log)) {
		e = imalog_replay_error(r);
		if (e->entry && strstr(e->msg, "template digest does not match")) {
			/* The log's own integrity: a verification failure. */
			v->damaged = true;
			v->damage = *e;
		} else if (!e->entry) {
			th_err("cannot read the IMA log: %s", e->msg);
			ret = TH_EXIT_INPUT;
			goto out;
		} else {
			th_err("IMA log %s: %s", v->o->log, e->msg);
			ret = TH_EXIT_INPUT;
			goto out;
		}
	}
	if (v->reads && imalog_replay_entries(r) < v->entries && !v->damaged) {
		th_err("IMA log %s: it shrank from %" PRIu64 " to %" PRIu64
		       " entries between two reads", v->o->log, v->entries,
		       imalog_replay_entries(r));
		ret = TH_EXIT_INPUT;
		goto out;
	}
	v->entries = imalog_replay_entries(r);
	v->reads++;
	if (v->damaged)
		goto out;
	if (v->entries < v->rec.cut) {
		th_err("IMA log %s has %" PRIu64 " entries, fewer than the record's cut %" PRIu64
		       ": not this boot's log, or truncated", v->o->log, v->entries, v->rec.cut);
		ret = TH_EXIT_INPUT;
	} else if (v->entries < v->rec.entries) {
		th_err("IMA log %s has %" PRIu64 " entries, fewer than the %" PRIu64
		       " it had at the handoff (record: entries): not this boot's log, or truncated",
		       v->o->log, v->entries, v->rec.entries);
		ret = TH_EXIT_INPUT;
	}
out:
	imalog_replay_free(r);
	return ret;
}

/* The pTPM's check on the last read of the log. */
static void judge_ptpm(struct verify *v)
{
	uint64_t cut = v->rec.cut;
	char run[64], hint[192];

	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];
		const struct imalog_match *m = &b->mp;

		b->p_ok = false;
		if (v->damaged && v->damage.entry <= cut) {
			snprintf(b->p_line, sizeof(b->p_line),
				 "the log is damaged at entry %" PRIu64 ", before the cut %" PRIu64,
				 v->damage.entry, cut);
			snprintf(b->p_why, sizeof(b->p_why), "%s", b->p_line);
		} else if (m->found[b->interp].at_hit) {
			b->p_ok = true;
			snprintf(b->p_line, sizeof(b->p_line),
				 "the first %" PRIu64 " entries (the cut) reproduce the snapshot (%s)",
				 cut, imalog_interp_name(b->interp));
		} else if (m->found[b->interp].first != NONE) {
			run_str(m->found[b->interp].first, m->found[b->interp].last,
				run, sizeof(run));
			snprintf(b->p_line, sizeof(b->p_line),
				 "reproduced after %s, not at the cut %" PRIu64, run, cut);
			snprintf(b->p_why, sizeof(b->p_why),
				 "pTPM PCR %d (%s) is reproduced after %s, not at the cut %" PRIu64,
				 PCR, b->name, run, cut);
		} else {
			other_interp(m, b->interp, hint, sizeof(hint));
			snprintf(b->p_line, sizeof(b->p_line),
				 "no prefix of the log reproduces the snapshot%s", hint);
			snprintf(b->p_why, sizeof(b->p_why),
				 "no prefix of the log reproduces the pTPM's PCR %d (%s)%s",
				 PCR, b->name, hint);
		}
	}
}

/* Every vTPM bank fails with the same line; the verdict names the first. */
static void v_fail_all(struct verify *v, const char *why)
{
	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];

		if (b->have_v && b->v_ok) {
			b->v_ok = false;
			snprintf(b->v_line, sizeof(b->v_line), "%s", why);
			snprintf(b->v_why, sizeof(b->v_why), "vTPM PCR %d (%s) is %s",
				 PCR, b->name, why);
		}
	}
}

/*
 * The vTPM's check on the last reads (see the rule at the top).  prev is
 * the length of the previous read of the log (NONE on the first); last:
 * no further read will come.
 */
static int judge_vtpm(struct verify *v, uint64_t prev, bool last)
{
	uint64_t lo = 0, hi = NONE, L = v->entries;
	char run[64], ent[96], why[TH_MSG], hint[192];
	bool fail = false;

	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];
		const struct imalog_match *m = &b->mv;

		b->v_ok = false;
		if (!b->have_v) {
			snprintf(b->v_line, sizeof(b->v_line), "the vTPM has no %s bank", b->name);
			snprintf(b->v_why, sizeof(b->v_why), "the vTPM has no PCR %d in the %s bank",
				 PCR, b->name);
			fail = true;
			continue;
		}
		if (v->damaged) {
			snprintf(b->v_line, sizeof(b->v_line), "the log is damaged at entry %" PRIu64,
				 v->damage.entry);
			snprintf(b->v_why, sizeof(b->v_why), "%s", b->v_line);
			fail = true;
			continue;
		}
		if (m->found[b->interp].first == NONE) {
			other_interp(m, b->interp, hint, sizeof(hint));
			snprintf(b->v_line, sizeof(b->v_line),
				 "no prefix of the log (%" PRIu64 " entries) reproduces it%s", L, hint);
			snprintf(b->v_why, sizeof(b->v_why),
				 "no prefix of the log (%" PRIu64 " entries) reproduces the vTPM's PCR %d (%s)%s",
				 L, PCR, b->name, hint);
			fail = true;
			continue;
		}
		b->v_ok = true;
		if (m->found[b->interp].first > lo)
			lo = m->found[b->interp].first;
		if (m->found[b->interp].last < hi)
			hi = m->found[b->interp].last;
	}
	if (fail) {
		/* The banks that do match: each on its own against the whole log. */
		for (size_t k = 0; k < v->nb; k++) {
			struct vbank *b = &v->bank[k];
			const struct imalog_match *m = &b->mv;

			if (!b->v_ok)
				continue;
			if (m->found[b->interp].last == L) {
				snprintf(b->v_line, sizeof(b->v_line),
					 "the whole log (%" PRIu64 " entries) reproduces it (%s)",
					 L, imalog_interp_name(b->interp));
				continue;
			}
			b->v_ok = false;
			run_str(m->found[b->interp].first, m->found[b->interp].last,
				run, sizeof(run));
			snprintf(b->v_line, sizeof(b->v_line),
				 "reproduced after %s, not by the whole log (%" PRIu64 ")", run, L);
			snprintf(b->v_why, sizeof(b->v_why), "vTPM PCR %d (%s) is %s",
				 PCR, b->name, b->v_line);
		}
		return V_FAIL;
	}
	if (lo > hi) {
		v_fail_all(v, "reproduced by a different prefix of the log than another bank");
		for (size_t k = 0; k < v->nb; k++) {
			struct vbank *b = &v->bank[k];

			run_str(b->mv.found[b->interp].first, b->mv.found[b->interp].last,
				run, sizeof(run));
			snprintf(b->v_line, sizeof(b->v_line),
				 "reproduced after %s, but not all banks after the same number",
				 run);
		}
		return V_FAIL;
	}
	if (hi == L) {
		v->vtpm_passed = true;
		v->vtpm_covers = L;
		for (size_t k = 0; k < v->nb; k++)
			snprintf(v->bank[k].v_line, sizeof(v->bank[k].v_line),
				 "the whole log (%" PRIu64 " entries) reproduces it (%s)",
				 L, imalog_interp_name(v->bank[k].interp));
		return V_PASS;
	}
	if (prev != NONE && hi >= prev) {
		v->vtpm_passed = true;
		v->vtpm_covers = hi;
		for (size_t k = 0; k < v->nb; k++)
			snprintf(v->bank[k].v_line, sizeof(v->bank[k].v_line),
				 "the first %" PRIu64 " of %" PRIu64
				 " entries reproduce it (%s); the rest were appended after the PCR was read",
				 hi, L, imalog_interp_name(v->bank[k].interp));
		return V_PASS;
	}
	if (!last && (prev == NONE || hi + 1 == prev))
		return V_RETRY;

	entry_at(v, hi + 1, ent, sizeof(ent));
	if (prev != NONE && hi + 1 < prev)
		snprintf(why, sizeof(why),
			 "reproduced after %" PRIu64 " entries, but the log had %" PRIu64
			 " before the PCR was read: %s was not extended into the vTPM",
			 hi, prev, ent);
	else if (v->reads > 1)
		snprintf(why, sizeof(why),
			 "reproduced after %" PRIu64 " entries, not by the whole log (%" PRIu64
			 ") in %u reads: %s was not extended into the vTPM", hi, L, v->reads, ent);
	else
		snprintf(why, sizeof(why),
			 "reproduced after %" PRIu64 " entries, not by the whole log (%" PRIu64
			 "): %s was not extended into the vTPM", hi, L, ent);
	if (hi < v->rec.cut) {
		size_t n = strlen(why);

		snprintf(why + n, sizeof(why) - n,
			 " (fewer than the %" PRIu64 " the handoff mirrored: was the vTPM restarted?)",
			 v->rec.cut);
	}
	v_fail_all(v, why);
	for (size_t k = 0; k < v->nb; k++)
		snprintf(v->bank[k].v_line, sizeof(v->bank[k].v_line), "%s", why);
	return V_FAIL;
}

/* Sleep ms milliseconds. */
static void sleep_ms(unsigned int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* Read the vTPM's PCR 10 in every bank it has, as one snapshot. */
static int read_vtpm(struct verify *v)
{
	uint8_t vals[IMALOG_NR_BANKS][IMALOG_MAX_DIGEST];
	uint32_t mask = 0;
	char err[TH_MSG];

	if (v->tpm1) {
		/* A TPM 1.2: the sha1 bank only (the record says so). */
		if (th_tpm1_pcrs(v->o->class_dir, v->rec.vtpm, v->tpm1_vals, &v->tpm1_mask,
				 v->tpm1_path, sizeof(v->tpm1_path), err, sizeof(err))) {
			th_err("vTPM: %s", err);
			return TH_EXIT_INPUT;
		}
		if (!(v->tpm1_mask & (1u << PCR))) {
			th_err("vTPM: %s has no PCR-%d line", v->tpm1_path, PCR);
			return TH_EXIT_INPUT;
		}
		memcpy(v->bank[0].vtpm, v->tpm1_vals[PCR], TH_TPM1_DIGEST);
		return 0;
	}
	for (size_t k = 0; k < v->nb; k++)
		if (v->bank[k].have_v)
			mask |= 1u << v->bank[k].b;
	if (!mask)
		return 0;
	if (th_tpm_pcr_read(v->tpm, PCR, mask, vals, err, sizeof(err))) {
		th_err("%s", err);
		return TH_EXIT_INPUT;
	}
	for (size_t k = 0; k < v->nb; k++)
		memcpy(v->bank[k].vtpm, vals[v->bank[k].b], sizeof(v->bank[k].vtpm));
	return 0;
}

/* The banks, their interpretations and the pTPM's values. */
static int setup_banks(struct verify *v)
{
	const struct th_opts *o = v->o;
	uint32_t mask = 0;
	char err[TH_MSG];
	struct imalog_replay *probe;

	if (o->ptpm_pcrs) {
		if (th_pcrfile_load_all(o->ptpm_pcrs, v->pfile, v->pfile_mask, err, sizeof(err))) {
			th_err("%s", err);
			return TH_EXIT_INPUT;
		}
		mask = v->pfile_mask[PCR];
	}
	probe = imalog_replay_new();
	if (!probe) {
		th_err("cannot set up libcrypto's digests");
		return TH_EXIT_INPUT;
	}
	for (size_t k = 0; k < v->rec.banks.nr; k++) {
		struct vbank *b = &v->bank[v->nb];
		const char *name = v->rec.banks.name[k];
		const struct th_rec_pcr *p = th_record_pcr(&v->rec, PCR, name);
		int id = imalog_bank_by_name(name);

		memset(b, 0, sizeof(*b));
		if (id < 0 || !imalog_replay_has_bank(probe, id)) {
			th_err("record: the %s bank cannot be replayed here (no such digest in libcrypto)",
			       name);
			goto bad;
		}
		b->b = id;
		b->name = imalog_bank_name(id);
		if (!p || !p->digest) {
			th_err("record: no pcr%d.%s.digest line (which digest IMA extends into the %s bank)",
			       PCR, name, name);
			goto bad;
		}
		if (!strcmp(p->digest, imalog_interp_name(IMALOG_TEMPLATE_HASH))) {
			b->interp = IMALOG_TEMPLATE_HASH;
		} else if (!strcmp(p->digest, imalog_interp_name(IMALOG_PADDED_SHA1))) {
			b->interp = IMALOG_PADDED_SHA1;
		} else {
			th_err("record: pcr%d.%s.digest is \"%s\", not template-hash or padded-sha1",
			       PCR, name, p->digest);
			goto bad;
		}
		if (o->ptpm_pcrs) {
			if (!(mask & (1u << id))) {
				th_err("%s: no pcr%d.%s value", o->ptpm_pcrs, PCR, name);
				goto bad;
			}
			memcpy(b->ptpm, v->pfile[PCR][id], sizeof(b->ptpm));
		} else {
			memcpy(b->ptpm, p->value, sizeof(b->ptpm));
		}
		v->nb++;
	}
	imalog_replay_free(probe);
	if (!v->nb) {
		th_err("record: no PCR banks");
		return TH_EXIT_INPUT;
	}
	return 0;
bad:
	imalog_replay_free(probe);
	return TH_EXIT_INPUT;
}

/* The vTPM: --vtpm-pcrs, or open it and learn its banks. */
static int setup_vtpm(struct verify *v)
{
	const struct th_opts *o = v->o;
	char err[TH_MSG], tcti[300];
	uint32_t mask;

	if (o->vtpm_pcrs) {
		if (th_pcrfile_load_all(o->vtpm_pcrs, v->vfile, v->vfile_mask, err, sizeof(err))) {
			th_err("%s", err);
			return TH_EXIT_INPUT;
		}
		for (size_t k = 0; k < v->nb; k++) {
			struct vbank *b = &v->bank[k];

			if (!(v->vfile_mask[PCR] & (1u << b->b))) {
				th_err("%s: no pcr%d.%s value", o->vtpm_pcrs, PCR, b->name);
				return TH_EXIT_INPUT;
			}
			b->have_v = true;
			memcpy(b->vtpm, v->vfile[PCR][b->b], sizeof(b->vtpm));
		}
		return 0;
	}
	if (v->rec.family == TH_FAMILY_12) {
		if (o->tcti) {
			th_err("--tcti: the vTPM is a TPM 1.2 (record: family 1.2), which tpm2-tss cannot read; verify reads its PCRs from %s/%s/device/pcrs (--class DIR)",
			       o->class_dir, v->rec.vtpm ? v->rec.vtpm : "tpmN");
			return TH_EXIT_INPUT;
		}
		if (!v->rec.vtpm) {
			th_err("the record names no vTPM: give --vtpm-pcrs");
			return TH_EXIT_INPUT;
		}
		v->tpm1 = true;
		v->bank[0].have_v = true;	/* the record's banks: sha1 */
		return 0;
	}
	if (o->tcti) {
		snprintf(tcti, sizeof(tcti), "%s", o->tcti);
	} else if (v->rec.vtpm) {
		snprintf(tcti, sizeof(tcti), "device:/dev/tpmrm%s", v->rec.vtpm + 3);
	} else {
		th_err("the record names no vTPM: give --tcti or --vtpm-pcrs");
		return TH_EXIT_INPUT;
	}
	v->tpm = th_tpm_open(tcti, err, sizeof(err));
	if (!v->tpm || th_tpm_banks(v->tpm, PCR, &mask, err, sizeof(err))) {
		th_err("vTPM: %s", err);
		return TH_EXIT_INPUT;
	}
	for (size_t k = 0; k < v->nb; k++)
		v->bank[k].have_v = mask & (1u << v->bank[k].b);
	return 0;
}

/* The record, which must be of a committed handoff with a cut. */
static int load_record(struct verify *v)
{
	char err[TH_MSG];
	int ret;

	if (v->o->record_from_log) {
		ret = vrec_load(v);
		if (ret)
			return ret;
		goto loaded;
	}
	if (v->o->record)
		snprintf(v->rec_path, sizeof(v->rec_path), "%s", v->o->record);
	else
		snprintf(v->rec_path, sizeof(v->rec_path), "%s/record", v->o->sysfs);
	v->rec_name = v->rec_path;
	switch (th_record_load(&v->rec, v->o, err, sizeof(err))) {
	case TH_REC_OK:
		break;
	case TH_REC_EMPTY:
		th_err("no record yet: no handoff has been attempted");
		return TH_EXIT_INPUT;
	case TH_REC_ABSENT:
		th_err("no record: %s%s", err, vrec_in_log(v) ?
		       "; the IMA log holds one: verify --record-from-log" : "");
		return TH_EXIT_INPUT;
	default:
		th_err("%s", err);
		return TH_EXIT_INPUT;
	}
loaded:
	if (strcmp(v->rec.result, "committed")) {
		th_err("the record is of an aborted handoff (%s): nothing to verify",
		       v->rec.error ? v->rec.error : "no reason given");
		return TH_EXIT_INPUT;
	}
	if (!v->rec.has_cut) {
		th_err("record: no \"cut\" line");
		return TH_EXIT_INPUT;
	}
	return 0;
}

/* Print the verdict; the exit status. */
static int report(struct verify *v)
{
	const char *why = NULL, *fw_why, *rec_why;
	char dmg[TH_MSG + 32];

	for (size_t k = 0; k < v->nb; k++) {
		const struct vbank *b = &v->bank[k];

		printf("pTPM pcr%d.%s: %s: %s\n", PCR, b->name, b->p_ok ? "OK" : "FAIL",
		       b->p_line);
	}
	for (size_t k = 0; k < v->nb; k++) {
		const struct vbank *b = &v->bank[k];

		printf("vTPM pcr%d.%s: %s: %s\n", PCR, b->name, b->v_ok ? "OK" : "FAIL",
		       b->v_line);
	}
	fw_why = vfw_report(v);
	rec_why = vrec_report(v);
	if (v->damaged) {
		snprintf(dmg, sizeof(dmg), "IMA log %s", v->damage.msg);
		why = dmg;
	}
	for (size_t k = 0; k < v->nb && !why; k++)
		if (!v->bank[k].p_ok)
			why = v->bank[k].p_why;
	for (size_t k = 0; k < v->nb && !why; k++)
		if (!v->bank[k].v_ok)
			why = v->bank[k].v_why;
	if (!why)
		why = fw_why;
	if (!why)
		why = rec_why;
	if (why) {
		printf("verify: FAIL: %s\n", why);
		return TH_EXIT_FAIL;
	}
	if (v->unchecked[0])
		printf("verify: PASS (not checked: %s)\n", v->unchecked);
	else
		printf("verify: PASS\n");
	return TH_EXIT_OK;
}

int cmd_verify(const struct th_opts *o)
{
	struct verify *v = calloc(1, sizeof(*v));
	unsigned int attempts = 1, wait = RETRY_MS;
	uint64_t prev = NONE;
	int ret, verdict = V_FAIL;

	if (!v) {
		th_err("out of memory");
		return TH_EXIT_INPUT;
	}
	v->o = o;
	if (!strcmp(o->log, "-")) {
		/* stdin can be read once; verify may read the log twice. */
		ret = th_read_file("-", STDIN_MAX, &v->log_buf, &v->log_len);
		if (ret) {
			th_err("cannot read the IMA log from stdin: %s", strerror(-ret));
			ret = TH_EXIT_INPUT;
			goto out;
		}
	}
	ret = load_record(v);
	if (!ret)
		ret = setup_banks(v);
	if (!ret)
		ret = vfw_setup(v);
	if (!ret)
		ret = setup_vtpm(v);
	if (ret)
		goto out;
	if ((v->tpm || v->tpm1) && !v->log_buf)
		attempts = o->attempts;
	for (unsigned int i = 1; i <= attempts; i++) {
		if (v->tpm || v->tpm1) {
			ret = read_vtpm(v);
			if (ret)
				goto out;
		}
		ret = replay_log(v);
		if (ret)
			goto out;
		verdict = judge_vtpm(v, prev, i == attempts);
		if (verdict != V_RETRY)
			break;
		prev = v->entries;
		sleep_ms(wait);
		if (wait < 1000)
			wait *= 2;
	}
	judge_ptpm(v);
	ret = vfw_read_vtpm(v);
	if (!ret)
		ret = vfw_judge(v);
	if (!ret)
		ret = vrec_judge(v);
	if (!ret)
		ret = report(v);
out:
	th_tpm_close(v->tpm);
	th_record_free(&v->rec);
	th_imarec_free(&v->logrec);
	th_imarec_free(&v->prerec);
	free(v->fwlog);
	free(v->log_buf);
	free(v->off);
	free(v);
	if (fflush(stdout)) {
		th_err("write error: %s", strerror(errno));
		ret = TH_EXIT_INPUT;
	}
	return ret;
}
