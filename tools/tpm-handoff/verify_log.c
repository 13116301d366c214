// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff verify: one read of the IMA log.  The whole log is replayed
 * in every bank under the record's digest kind, watching for the pTPM's
 * value at the cut and for the vTPM's value after any prefix; where each
 * entry starts is kept so that a verdict can name the entry, and the
 * tpm_handoff record (verify_rec.c) is picked up on the way.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logreplay.h"
#include "verify.h"

#define PCR		CLI_IMA_PCR
#define NONE		CLI_NONE

/* Every entry: remember where it starts, and whether it is the record. */
static int note_entry(void *arg, const struct cli_log_entry *e)
{
	struct verify *v = arg;

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

const char *vlog_entry_at(const struct verify *v, uint64_t i, char *buf, size_t len)
{
	if (i < v->noff)
		snprintf(buf, len, "entry %" PRIu64 " at offset %" PRIu64, i, v->off[i]);
	else
		snprintf(buf, len, "entry %" PRIu64, i);
	return buf;
}

/*
 * After a read: a log shorter than the last read, than the cut or than it
 * was at the handoff is not this boot's log.  0, or exit status.
 */
static int check_length(struct verify *v, uint64_t entries)
{
	if (v->reads && entries < v->entries && !v->damaged) {
		cli_err("IMA log %s: it shrank from %" PRIu64 " to %" PRIu64
		       " entries between two reads", v->o->log, v->entries, entries);
		return CLI_EXIT_INPUT;
	}
	v->entries = entries;
	v->reads++;
	if (v->damaged)
		return 0;
	if (v->entries < v->rec.cut) {
		cli_err("IMA log %s has %" PRIu64 " entries, fewer than the record's cut %" PRIu64
		       ": not this boot's log, or truncated", v->o->log, v->entries, v->rec.cut);
		return CLI_EXIT_INPUT;
	}
	if (v->entries < v->rec.entries) {
		cli_err("IMA log %s has %" PRIu64 " entries, fewer than the %" PRIu64
		       " it had at the handoff (record: entries): not this boot's log, or truncated",
		       v->o->log, v->entries, v->rec.entries);
		return CLI_EXIT_INPUT;
	}
	return 0;
}

int vlog_read(struct verify *v)
{
	enum cli_bank banks[CLI_NR_BANKS];
	struct cli_log_match *match[2 * CLI_NR_BANKS];
	struct cli_log_walk w = {
		.path = v->o->log, .buf = v->log_buf, .len = v->log_len,
		.fn = note_entry, .arg = v, .banks = banks, .match = match,
	};
	struct cli_log_result res;

	v->noff = 0;
	v->damaged = false;
	cli_imarec_free(&v->logrec);
	for (size_t k = 0; k < v->nb; k++) {
		struct vbank *b = &v->bank[k];

		b->mp.pcr = b->mv.pcr = PCR;
		b->mp.bank = b->mv.bank = b->b;
		memcpy(b->mp.value, b->ptpm, sizeof(b->ptpm));
		memcpy(b->mv.value, b->vtpm, sizeof(b->vtpm));
		b->mp.at = v->rec.cut;
		b->mv.at = NONE;
		banks[w.nr_banks++] = b->b;
		match[w.nr_match++] = &b->mp;
		match[w.nr_match++] = &b->mv;
	}
	if (cli_log_walk(&w, &res)) {
		cli_err("%s", res.msg);
		return CLI_EXIT_INPUT;
	}
	if (res.damaged) {
		/* The log's own integrity: a verification failure. */
		v->damaged = true;
		v->damage_index = res.damage_index;
		snprintf(v->damage_msg, sizeof(v->damage_msg), "%s", res.msg);
	}
	return check_length(v, res.entries);
}
