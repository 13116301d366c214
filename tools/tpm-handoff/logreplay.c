// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: the IMA log through the module's parser and replay (see
 * logreplay.h).  Built with tools/kshim, as the kernel files it calls.
 *
 * One read of the log feeds each chunk to two users of ima_log.c: the
 * replay (th_replay, which parses for itself and hashes) and, after it, a
 * plain parser that hands whole entries, template data included, to the
 * caller.  The replay goes first so that the plain parser knows where the
 * replay stopped: a damaged entry, or a malformed one, ends what the
 * caller sees at the same entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../drivers/tpm_handoff/tpm_handoff.h"
#include "logreplay.h"

#define CHUNK		(1u << 16)

struct walker {
	const struct cli_log_walk *w;
	struct cli_log_result *res;
	struct ima_log_parser parser;
	struct ima_log_entry hdr;	/* the plain parser's current entry */
	u8 *data;
	size_t data_cap;
	u32 data_len;
	u64 limit;		/* entries the plain parser may pass on */
	bool stopped;		/* fn stopped the walk */
	struct th_replay *r;
	int slot[CLI_NR_BANKS];	/* a cli_bank's index in the replay */
	u64 replayed;		/* entries the replay took in */
};

const char *cli_kind_name(unsigned int kind)
{
	return kind < TH_NR_KINDS ? th_kind_name[kind] : "?";
}

int cli_log_field_next(const uint8_t *data, uint32_t data_len, uint32_t *off,
		       const uint8_t **field, uint32_t *len)
{
	u32 l;

	if (*off == data_len)
		return 0;
	if (*off > data_len || data_len - *off < 4)
		return -1;
	l = get_unaligned_le32(data + *off);
	if (l > data_len - *off - 4)
		return -1;
	*field = data + *off + 4;
	*len = l;
	*off += 4 + l;
	return 1;
}

/* ---- the plain parser: whole entries for the caller ---- */

static int pp_begin(void *ctx, const struct ima_log_entry *e)
{
	struct walker *k = ctx;

	k->hdr = *e;
	k->data_len = 0;
	return 0;
}

static int pp_data(void *ctx, const u8 *p, size_t len)
{
	struct walker *k = ctx;

	if (k->data_len + len > k->data_cap) {
		size_t cap = k->data_cap ? 2 * k->data_cap : 4096;
		u8 *n;

		while (cap < k->data_len + len)
			cap *= 2;
		n = realloc(k->data, cap);
		if (!n)
			return -ENOMEM;
		k->data = n;
		k->data_cap = cap;
	}
	memcpy(k->data + k->data_len, p, len);
	k->data_len += len;
	return 0;
}

/* ima_log.c calls end() before it counts the entry: p->entries is its index. */
static int pp_end(void *ctx)
{
	struct walker *k = ctx;
	struct cli_log_entry e = {
		.index = k->parser.entries,
		.offset = k->parser.entry_offset,
		.pcr = k->hdr.pcr,
		.violation = !memchr_inv(k->hdr.digest, 0, SHA1_DIGEST_SIZE),
		.template_name = k->hdr.name,
		.data = k->data,
		.data_len = k->data_len,
	};

	if (e.index >= k->limit)
		return -ECANCELED;
	if (k->w->fn && k->w->fn(k->w->arg, &e)) {
		k->stopped = true;
		return -ECANCELED;
	}
	return 0;
}

static const struct ima_log_ops pp_ops = {
	.begin = pp_begin,
	.data = pp_data,
	.end = pp_end,
};

/* ---- the replay ---- */

/* Every match, after the first n entries. */
static void match_update(struct walker *k, u64 n)
{
	for (size_t i = 0; i < k->w->nr_match; i++) {
		struct cli_log_match *m = k->w->match[i];
		unsigned int size = cli_bank_size(m->bank);

		for (unsigned int kind = 0; kind < TH_NR_KINDS; kind++) {
			const u8 *v = th_replay_value(k->r, m->pcr,
						      k->slot[m->bank], kind);

			if (memcmp(v, m->value, size)) {
				m->found[kind].in_run = false;
				continue;
			}
			if (m->found[kind].first == CLI_NONE) {
				m->found[kind].first = n;
				m->found[kind].in_run = true;
			}
			if (m->found[kind].in_run)
				m->found[kind].last = n;
			if (n == m->at)
				m->found[kind].at_hit = true;
		}
	}
}

/* Called with entry @index's digests, before the PCRs take it in. */
static int rp_entry(void *ctx, struct th_replay *r, u64 index, u32 pcr)
{
	struct walker *k = ctx;

	(void)r;
	(void)pcr;
	match_update(k, index);
	k->replayed = index + 1;
	return 0;
}

static int replay_setup(struct walker *k)
{
	const struct cli_log_walk *w = k->w;
	struct th_banks banks = { 0 };
	char err[TH_ERRLEN];

	for (int b = 0; b < CLI_NR_BANKS; b++)
		k->slot[b] = -1;
	for (size_t i = 0; i < w->nr_banks && banks.nr < TH_MAX_BANKS; i++) {
		enum cli_bank b = w->banks[i];

		if (k->slot[b] >= 0)
			continue;
		k->slot[b] = banks.nr;
		banks.alg[banks.nr] = cli_bank_alg(b);
		banks.size[banks.nr] = cli_bank_size(b);
		banks.nr++;
	}
	for (size_t i = 0; i < w->nr_match; i++) {
		struct cli_log_match *m = w->match[i];

		if (m->pcr >= TH_NR_PCRS || k->slot[m->bank] < 0) {
			snprintf(k->res->msg, sizeof(k->res->msg),
				 "internal error: a match for PCR %u of a bank not replayed",
				 m->pcr);
			return -1;
		}
		for (unsigned int kind = 0; kind < TH_NR_KINDS; kind++) {
			m->found[kind].first = m->found[kind].last = CLI_NONE;
			m->found[kind].at_hit = m->found[kind].in_run = false;
		}
	}
	k->r = th_replay_alloc(&banks, err);
	if (IS_ERR(k->r)) {
		k->r = NULL;
		snprintf(k->res->msg, sizeof(k->res->msg),
			 "cannot replay the IMA log: %s", err);
		return -1;
	}
	match_update(k, 0);
	return 0;
}

/*
 * Feed one chunk to the replay.  Return 0, or -1 for a malformed log
 * (res->msg set).  A damaged entry sets res->damaged and stops the replay:
 * ima_log.c counts an entry whose end() failed, the digest check is in
 * end() before rp_entry(), so the replay counted one entry more than it
 * took in; a malformed one is never counted.
 */
static int replay_chunk(struct walker *k, const u8 *buf, size_t len)
{
	int rc = th_replay_feed(k->r, buf, len, rp_entry, k);

	if (!rc)
		return 0;
	if (rc == -EBADMSG && th_replay_entries(k->r) == k->replayed + 1) {
		k->res->damaged = true;
		k->res->damage_index = k->replayed;
		snprintf(k->res->msg, sizeof(k->res->msg), "%s",
			 th_replay_error(k->r));
		k->limit = k->replayed;
		return 0;
	}
	snprintf(k->res->msg, sizeof(k->res->msg), "IMA log %s: %s",
		 k->w->path, th_replay_error(k->r));
	k->limit = k->replayed;
	return -1;
}

/* ---- one read ---- */

/* Both users, one chunk.  0 to go on, 1 at the end of what matters, -1. */
static int walk_chunk(struct walker *k, const u8 *buf, size_t len)
{
	int bad = 0, rc;

	if (k->r && !k->res->damaged)
		bad = replay_chunk(k, buf, len);
	rc = ima_log_feed(&k->parser, buf, len);
	if (k->stopped) {
		snprintf(k->res->msg, sizeof(k->res->msg),
			 "IMA log %s: stopped at entry %llu", k->w->path,
			 k->parser.entries);
		return -1;
	}
	if (rc == -ENOMEM) {
		snprintf(k->res->msg, sizeof(k->res->msg), "out of memory");
		return -1;
	}
	if (bad)
		return -1;
	if (rc == -ECANCELED)
		return 1;
	if (rc) {
		snprintf(k->res->msg, sizeof(k->res->msg), "IMA log %s: %s",
			 k->w->path, k->parser.msg);
		return -1;
	}
	return 0;
}

static int walk_end(struct walker *k)
{
	if (k->r && !k->res->damaged) {
		if (th_replay_finish(k->r)) {
			snprintf(k->res->msg, sizeof(k->res->msg),
				 "IMA log %s: %s", k->w->path,
				 th_replay_error(k->r));
			return -1;
		}
		match_update(k, k->replayed);
	}
	if (!k->res->damaged && ima_log_finish(&k->parser)) {
		snprintf(k->res->msg, sizeof(k->res->msg), "IMA log %s: %s",
			 k->w->path, k->parser.msg);
		return -1;
	}
	return 0;
}

static int walk_file(struct walker *k)
{
	u8 *chunk = malloc(CHUNK);
	FILE *f = fopen(k->w->path, "rb");
	int rc = 0;

	if (!chunk || !f) {
		snprintf(k->res->msg, sizeof(k->res->msg),
			 "cannot read the IMA log: %s: %s", k->w->path,
			 strerror(chunk ? errno : ENOMEM));
		rc = -1;
	}
	while (!rc) {
		size_t n = fread(chunk, 1, CHUNK, f);

		if (n)
			rc = walk_chunk(k, chunk, n);
		if (n < CHUNK)
			break;
	}
	if (!rc && ferror(f)) {
		snprintf(k->res->msg, sizeof(k->res->msg),
			 "cannot read the IMA log: %s: %s", k->w->path,
			 strerror(EIO));
		rc = -1;
	}
	if (f)
		fclose(f);
	free(chunk);
	return rc;
}

int cli_log_walk(const struct cli_log_walk *w, struct cli_log_result *res)
{
	struct walker k = { .w = w, .res = res, .limit = CLI_NONE };
	int rc = 0;

	memset(res, 0, sizeof(*res));
	ima_log_init(&k.parser, &pp_ops, &k);
	if (w->nr_banks && replay_setup(&k))
		return -1;
	if (w->buf)
		rc = walk_chunk(&k, w->buf, w->len);
	else
		rc = walk_file(&k);
	if (!rc)
		rc = walk_end(&k);
	res->entries = k.r ? k.replayed : k.parser.entries;
	th_replay_free(k.r);
	free(k.data);
	return rc < 0 ? -1 : 0;
}
