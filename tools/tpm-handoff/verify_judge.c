// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff verify: the split-log check of a committed handoff, judged
 * on the reads of the log (verify_log.c), and the verdict.
 *
 *  - Entries [0, cut) of the IMA log must reproduce the pTPM's PCR 10 as
 *    the record's snapshot (or --ptpm-pcrs) has it, in every bank, after
 *    exactly cut entries.
 *  - The whole log must reproduce the vTPM's PCR 10, read live through
 *    ESYS (or given by --vtpm-pcrs), in every bank.
 *
 * Each bank is replayed under the digest kind the record names for it
 * (pcr10.BANK.digest: template-hash or padded-sha1, enum th_kind); after
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
 * whole log must match.  vjudge_vtpm() applies the rule to one read;
 * verify.c does the reads and the waiting.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "logreplay.h"
#include "verify.h"

#define PCR		CLI_IMA_PCR
#define NONE		CLI_NONE

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
 * kind matches where the recorded one does not, else "".
 */
static const char *other_kind(const struct cli_log_match *m, enum th_kind i,
			      char *buf, size_t len)
{
	enum th_kind o = i == TH_KIND_HASH ? TH_KIND_PADDED : TH_KIND_HASH;
	char run[64];

	buf[0] = 0;
	if (m->bank != CLI_SHA1 && m->found[o].first != NONE)
		snprintf(buf, len, " (under %s, not the record's %s, it is reproduced after %s)",
			 cli_kind_name(o), cli_kind_name(i),
			 run_str(m->found[o].first, m->found[o].last, run, sizeof(run)));
	return buf;
}

void vjudge_ptpm(struct verify *v)
{
	uint64_t cut = v->rec.cut;
	char run[64], hint[192];

	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];
		const struct cli_log_match *m = &b->mp;

		b->p_ok = false;
		if (v->damaged && v->damage_index < cut) {
			snprintf(b->p_line, sizeof(b->p_line),
				 "the log is damaged at entry %" PRIu64 ", before the cut %" PRIu64,
				 v->damage_index, cut);
			snprintf(b->p_why, sizeof(b->p_why), "%s", b->p_line);
		} else if (m->found[b->kind].at_hit) {
			b->p_ok = true;
			snprintf(b->p_line, sizeof(b->p_line),
				 "the first %" PRIu64 " entries (the cut) reproduce the snapshot (%s)",
				 cut, cli_kind_name(b->kind));
		} else if (m->found[b->kind].first != NONE) {
			run_str(m->found[b->kind].first, m->found[b->kind].last,
				run, sizeof(run));
			snprintf(b->p_line, sizeof(b->p_line),
				 "reproduced after %s, not at the cut %" PRIu64, run, cut);
			snprintf(b->p_why, sizeof(b->p_why),
				 "pTPM PCR %d (%s) is reproduced after %s, not at the cut %" PRIu64,
				 PCR, b->name, run, cut);
		} else {
			other_kind(m, b->kind, hint, sizeof(hint));
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
 * Does some prefix of the log (L entries) reproduce bank b of the vTPM?
 * If not, b's lines say why.
 */
static bool v_bank_reproduced(const struct verify *v, struct vbank *b, uint64_t L)
{
	const struct cli_log_match *m = &b->mv;
	char hint[192];

	if (!b->have_v) {
		snprintf(b->v_line, sizeof(b->v_line), "the vTPM has no %s bank", b->name);
		snprintf(b->v_why, sizeof(b->v_why), "the vTPM has no PCR %d in the %s bank",
			 PCR, b->name);
		return false;
	}
	if (v->damaged) {
		snprintf(b->v_line, sizeof(b->v_line), "the log is damaged at entry %" PRIu64,
			 v->damage_index);
		snprintf(b->v_why, sizeof(b->v_why), "%s", b->v_line);
		return false;
	}
	if (m->found[b->kind].first == NONE) {
		other_kind(m, b->kind, hint, sizeof(hint));
		snprintf(b->v_line, sizeof(b->v_line),
			 "no prefix of the log (%" PRIu64 " entries) reproduces it%s", L, hint);
		snprintf(b->v_why, sizeof(b->v_why),
			 "no prefix of the log (%" PRIu64 " entries) reproduces the vTPM's PCR %d (%s)%s",
			 L, PCR, b->name, hint);
		return false;
	}
	return true;
}

/*
 * Some bank failed: the banks that do match are judged each on its own
 * against the whole log (L entries).
 */
static int v_fail_rest(struct verify *v, uint64_t L)
{
	char run[64];

	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];
		const struct cli_log_match *m = &b->mv;

		if (!b->v_ok)
			continue;
		if (m->found[b->kind].last == L) {
			snprintf(b->v_line, sizeof(b->v_line),
				 "the whole log (%" PRIu64 " entries) reproduces it (%s)",
				 L, cli_kind_name(b->kind));
			continue;
		}
		b->v_ok = false;
		run_str(m->found[b->kind].first, m->found[b->kind].last,
			run, sizeof(run));
		snprintf(b->v_line, sizeof(b->v_line),
			 "reproduced after %s, not by the whole log (%" PRIu64 ")", run, L);
		snprintf(b->v_why, sizeof(b->v_why), "vTPM PCR %d (%s) is %s",
			 PCR, b->name, b->v_line);
	}
	return V_FAIL;
}

/* Every bank is reproduced, but by prefixes of different lengths. */
static int v_fail_prefixes(struct verify *v)
{
	char run[64];

	v_fail_all(v, "reproduced by a different prefix of the log than another bank");
	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];

		run_str(b->mv.found[b->kind].first, b->mv.found[b->kind].last,
			run, sizeof(run));
		snprintf(b->v_line, sizeof(b->v_line),
			 "reproduced after %s, but not all banks after the same number",
			 run);
	}
	return V_FAIL;
}

/*
 * PASS: the first hi entries reproduce every bank, and they are the whole
 * log or every entry it had before the PCR was read.
 */
static int v_pass(struct verify *v, uint64_t hi)
{
	uint64_t L = v->entries;

	v->vtpm_passed = true;
	v->vtpm_covers = hi;
	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];

		if (hi == L)
			snprintf(b->v_line, sizeof(b->v_line),
				 "the whole log (%" PRIu64 " entries) reproduces it (%s)",
				 L, cli_kind_name(b->kind));
		else
			snprintf(b->v_line, sizeof(b->v_line),
				 "the first %" PRIu64 " of %" PRIu64
				 " entries reproduce it (%s); the rest were appended after the PCR was read",
				 hi, L, cli_kind_name(b->kind));
	}
	return V_PASS;
}

/*
 * FAIL: the first hi entries reproduce every bank, but the next one was in
 * the log before the PCR was read, or no read is left to show it extended.
 */
static int v_fail_unextended(struct verify *v, uint64_t hi, uint64_t prev)
{
	uint64_t L = v->entries;
	char ent[96], why[CLI_MSG];

	vlog_entry_at(v, hi, ent, sizeof(ent));
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

int vjudge_vtpm(struct verify *v, uint64_t prev, bool last)
{
	uint64_t lo = 0, hi = NONE, L = v->entries;
	bool fail = false;

	/* [lo, hi]: the prefix lengths that reproduce every bank. */
	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];
		const struct cli_log_match *m = &b->mv;

		b->v_ok = v_bank_reproduced(v, b, L);
		if (!b->v_ok) {
			fail = true;
			continue;
		}
		if (m->found[b->kind].first > lo)
			lo = m->found[b->kind].first;
		if (m->found[b->kind].last < hi)
			hi = m->found[b->kind].last;
	}
	if (fail)
		return v_fail_rest(v, L);
	if (lo > hi)
		return v_fail_prefixes(v);
	if (hi == L || (prev != NONE && hi >= prev))
		return v_pass(v, hi);
	if (!last && (prev == NONE || hi + 1 == prev))
		return V_RETRY;
	return v_fail_unextended(v, hi, prev);
}

/*
 * A vTPM that was replaced since the handoff (a restart, a crash) and
 * brought back to the log by the module's re-mirror: the PCRs checked are
 * the current vTPM's.  Said, not judged: its entries after the cut are
 * vouched for by that vTPM and by tpm_handoff's replay into it, which a
 * verifier weighs (Documentation/attestation.rst).
 */
static void vjudge_remirrors(const struct verify *v)
{
	const char *n = cli_record_get(&v->rec, "remirrors");
	const char *failed = cli_record_get(&v->rec, "remirrors_failed");
	const char *entries = cli_record_get(&v->rec, "remirror_entries");
	const char *held = cli_record_get(&v->rec, "remirror_resumed");

	if (!n || !strcmp(n, "0"))
		return;
	printf("vTPM re-mirrors: %s since the handoff (%s failed): the vTPM now is %s, brought back to the log's first %s entries (%s of them it held already)\n",
	       n, failed ? failed : "0", cli_record_vtpm_now(&v->rec),
	       entries ? entries : "?", held ? held : "?");
}

int vjudge_report(struct verify *v)
{
	const char *why = NULL, *fw_why, *rec_why;
	char dmg[CLI_MSG + 32];

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
	vjudge_remirrors(v);
	fw_why = vfw_report(v);
	rec_why = vrec_report(v);
	if (v->damaged) {
		snprintf(dmg, sizeof(dmg), "%s", v->damage_msg);
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
		return CLI_EXIT_FAIL;
	}
	if (v->unchecked[0])
		printf("verify: PASS (not checked: %s)\n", v->unchecked);
	else
		printf("verify: PASS\n");
	return CLI_EXIT_OK;
}
