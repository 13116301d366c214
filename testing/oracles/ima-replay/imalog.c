// SPDX-License-Identifier: GPL-2.0-only
/*
 * imalog: IMA binary measurement list parser and per-bank PCR replay.
 * See imalog.h for the format and the API.
 *
 * The replay follows Linux 6.1: ima_calc_field_array_hash_tfm() hashes,
 * for every template but "ima", each field as u32 length + bytes, which is
 * exactly the template data in the binary log; for "ima" it hashes the
 * 20-byte file digest and the file name zero-padded to
 * IMA_EVENT_NAME_LEN_MAX + 1 = 256 bytes.  ima_add_template_entry()
 * extends 0xff.. into every bank for a violation (template digest zero in
 * the log).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "imalog.h"

#define HDR_LEN		(4 + IMALOG_SHA1_SIZE + 4)	/* pcr, digest, name_len */
#define IMA_HDR_LEN	(IMALOG_SHA1_SIZE + 4)		/* file digest, name len */
#define IMA_NAME_PAD	(IMALOG_NAME_MAX + 1)

static const struct {
	const char *name;
	const char *evp;
	unsigned int size;
} banks[IMALOG_NR_BANKS] = {
	[IMALOG_SHA1]    = { "sha1",    "SHA1",   20 },
	[IMALOG_SHA256]  = { "sha256",  "SHA256", 32 },
	[IMALOG_SHA384]  = { "sha384",  "SHA384", 48 },
	[IMALOG_SHA512]  = { "sha512",  "SHA512", 64 },
	[IMALOG_SM3_256] = { "sm3_256", "SM3",    32 },
};

static const char *const kind_names[IMALOG_NR_KINDS] = {
	[IMALOG_KIND_HASH]   = "template-hash",
	[IMALOG_KIND_PADDED] = "padded-sha1",
};

const char *imalog_bank_name(enum imalog_bank b)
{
	return (unsigned int)b < IMALOG_NR_BANKS ? banks[b].name : "?";
}

unsigned int imalog_bank_size(enum imalog_bank b)
{
	return (unsigned int)b < IMALOG_NR_BANKS ? banks[b].size : 0;
}

int imalog_bank_by_name(const char *name)
{
	for (int b = 0; b < IMALOG_NR_BANKS; b++)
		if (!strcmp(banks[b].name, name))
			return b;
	return -1;
}

const char *imalog_kind_name(enum imalog_kind k)
{
	return (unsigned int)k < IMALOG_NR_KINDS ? kind_names[k] : "?";
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- parser ---- */

enum stage {
	ST_HDR,		/* pcr, template digest, name length */
	ST_NAME,	/* template name */
	ST_DLEN,	/* template data length */
	ST_DATA,	/* template data */
	ST_IMA_HDR,	/* "ima": file digest, file name length */
	ST_IMA_NAME,	/* "ima": file name */
};

static const char *const truncated_what[] = {
	[ST_HDR]      = "truncated entry header",
	[ST_NAME]     = "truncated template name",
	[ST_DLEN]     = "truncated template data length",
	[ST_DATA]     = "truncated template data",
	[ST_IMA_HDR]  = "truncated file digest or file name length",
	[ST_IMA_NAME] = "truncated file name",
};

struct imalog_parser {
	imalog_entry_fn fn;
	void *arg;
	enum stage stage;
	uint8_t *buf;		/* the current entry's bytes so far */
	size_t cap;
	size_t have;		/* bytes of the entry buffered */
	size_t need;		/* bytes of the entry the stage needs */
	size_t field;		/* entry-relative start of the stage's field */
	size_t data_start;	/* entry-relative start of the template data */
	uint64_t offset;	/* bytes consumed */
	uint64_t entry_off;	/* log offset of the current entry */
	uint64_t entries;	/* complete entries */
	bool failed;
	struct imalog_error err;
};

/* entry: the index of the entry at fault, or IMALOG_NONE. */
static void vfail(struct imalog_error *err, uint64_t entry, uint64_t entry_offset,
		  uint64_t offset, const char *fmt, va_list ap)
{
	char why[160];

	vsnprintf(why, sizeof(why), fmt, ap);
	err->entry = entry;
	err->entry_offset = entry_offset;
	err->offset = offset;
	if (entry != IMALOG_NONE)
		snprintf(err->msg, sizeof(err->msg),
			 "entry %" PRIu64 " at offset %" PRIu64 ": %s",
			 entry, offset, why);
	else
		snprintf(err->msg, sizeof(err->msg), "%s", why);
}

/* Fail at entry-relative offset rel of the current entry. */
static int parser_fail(struct imalog_parser *p, size_t rel, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(&p->err, p->entries, p->entry_off, p->entry_off + rel, fmt, ap);
	va_end(ap);
	p->failed = true;
	return -1;
}

/*
 * Room for want bytes of the entry (want <= p->need).  The template data
 * buffer grows as the data comes, not to what its length field claims, so
 * that a short log claiming a long entry costs little.
 */
static int grow(struct imalog_parser *p, size_t want)
{
	size_t cap = p->cap * 2;
	uint8_t *n;

	if (want <= p->cap)
		return 0;
	if (cap < want)
		cap = want;
	if (cap > p->need)
		cap = p->need;
	n = realloc(p->buf, cap);
	if (!n)
		return parser_fail(p, p->field, "out of memory");
	p->buf = n;
	p->cap = cap;
	return 0;
}

struct imalog_parser *imalog_parser_new(imalog_entry_fn fn, void *arg)
{
	struct imalog_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->fn = fn;
	p->arg = arg;
	p->cap = HDR_LEN + IMALOG_NAME_MAX + IMA_HDR_LEN + IMALOG_NAME_MAX;
	p->buf = malloc(p->cap);
	if (!p->buf) {
		free(p);
		return NULL;
	}
	p->stage = ST_HDR;
	p->need = HDR_LEN;
	return p;
}

void imalog_parser_free(struct imalog_parser *p)
{
	if (!p)
		return;
	free(p->buf);
	free(p);
}

static int complete(struct imalog_parser *p)
{
	struct imalog_entry e;
	static const uint8_t zero[IMALOG_SHA1_SIZE];
	uint32_t name_len = le32(p->buf + 24);

	memset(&e, 0, sizeof(e));
	e.index = p->entries;
	e.offset = p->entry_off;
	e.pcr = le32(p->buf);
	memcpy(e.template_digest, p->buf + 4, IMALOG_SHA1_SIZE);
	e.violation = !memcmp(e.template_digest, zero, sizeof(zero));
	e.ima_template = p->stage == ST_IMA_NAME;
	memcpy(e.name, p->buf + HDR_LEN, name_len);
	e.name[name_len] = 0;
	e.data = p->buf + p->data_start;
	e.data_len = (uint32_t)(p->need - p->data_start);

	if (p->fn) {
		struct imalog_error err = { 0 };

		if (p->fn(p->arg, &e, &err)) {
			if (!err.msg[0])
				snprintf(err.msg, sizeof(err.msg), "rejected by the caller");
			return parser_fail(p, 0, "%s", err.msg);
		}
	}
	p->entries++;
	p->entry_off += p->need;
	p->stage = ST_HDR;
	p->have = 0;
	p->need = HDR_LEN;
	p->field = 0;
	return 0;
}

/* The current stage's bytes are all in: check them and move on. */
static int advance(struct imalog_parser *p)
{
	const uint8_t *f = p->buf + p->field;
	uint32_t v;

	switch (p->stage) {
	case ST_HDR:
		v = le32(f);
		if (v >= IMALOG_MAX_PCRS)
			return parser_fail(p, 0, "PCR index %" PRIu32 " out of range (0-%d)",
					   v, IMALOG_MAX_PCRS - 1);
		v = le32(f + 24);
		if (v == 0 || v > IMALOG_NAME_MAX)
			return parser_fail(p, 24, "template name length %" PRIu32
					   " out of range (1-%d)", v, IMALOG_NAME_MAX);
		p->stage = ST_NAME;
		p->field = HDR_LEN;
		p->need = HDR_LEN + v;
		return 0;
	case ST_NAME:
		for (size_t i = 0; i < p->need - p->field; i++)
			if (f[i] <= 0x20 || f[i] >= 0x7f)
				return parser_fail(p, p->field,
						   "template name is not printable");
		p->field = p->need;
		p->data_start = p->need;
		if (p->need - HDR_LEN == 3 && !memcmp(f, "ima", 3)) {
			p->stage = ST_IMA_HDR;
			p->need += IMA_HDR_LEN;
		} else {
			p->stage = ST_DLEN;
			p->need += 4;
		}
		return 0;
	case ST_DLEN:
		v = le32(f);
		if (v == 0)
			return parser_fail(p, p->field, "empty template data");
		if (v > IMALOG_DATA_MAX)
			return parser_fail(p, p->field, "template data length %" PRIu32
					   " exceeds %u", v, IMALOG_DATA_MAX);
		p->stage = ST_DATA;
		p->field = p->need;
		p->data_start = p->need;
		p->need += v;
		return 0;
	case ST_IMA_HDR:
		v = le32(f + IMALOG_SHA1_SIZE);
		if (v > IMALOG_NAME_MAX)
			return parser_fail(p, p->field + IMALOG_SHA1_SIZE,
					   "\"ima\" template file name length %" PRIu32
					   " exceeds %d", v, IMALOG_NAME_MAX);
		p->stage = ST_IMA_NAME;
		p->field = p->need;
		p->need += v;
		return 0;
	case ST_DATA:
	case ST_IMA_NAME:
		return complete(p);
	}
	return parser_fail(p, 0, "internal error");
}

int imalog_parser_feed(struct imalog_parser *p, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	if (p->failed)
		return -1;
	for (;;) {
		size_t n;

		/* A stage may need no bytes at all (an empty "ima" file name). */
		while (p->have == p->need)
			if (advance(p))
				return -1;
		if (!len)
			return 0;
		n = p->need - p->have;
		if (n > len)
			n = len;
		if (p->stage == ST_DATA && grow(p, p->have + n))
			return -1;
		memcpy(p->buf + p->have, b, n);
		p->have += n;
		p->offset += n;
		b += n;
		len -= n;
	}
}

int imalog_parser_finish(struct imalog_parser *p)
{
	if (p->failed)
		return -1;
	if (p->stage == ST_HDR && p->have == 0)
		return 0;
	return parser_fail(p, p->field, "%s", truncated_what[p->stage]);
}

const struct imalog_error *imalog_parser_error(const struct imalog_parser *p)
{
	return p->failed ? &p->err : NULL;
}

uint64_t imalog_parser_entries(const struct imalog_parser *p)
{
	return p->entries;
}

uint64_t imalog_parser_offset(const struct imalog_parser *p)
{
	return p->offset;
}

int imalog_field_next(const uint8_t *data, uint32_t data_len, uint32_t *off,
		      const uint8_t **field, uint32_t *len)
{
	uint32_t l;

	if (*off == data_len)
		return 0;
	if (*off > data_len || data_len - *off < 4)
		return -1;
	l = le32(data + *off);
	if (l > data_len - *off - 4)
		return -1;
	*field = data + *off + 4;
	*len = l;
	*off += 4 + l;
	return 1;
}

/* ---- replay ---- */

struct imalog_replay {
	struct imalog_parser *p;
	const EVP_MD *md[IMALOG_NR_BANKS];	/* NULL: bank unavailable */
	EVP_MD_CTX *ctx;
	uint64_t entries;
	uint32_t seen;
	uint8_t pcr[IMALOG_NR_BANKS][IMALOG_NR_KINDS][IMALOG_MAX_PCRS][IMALOG_MAX_DIGEST];
	uint8_t last[IMALOG_NR_BANKS][IMALOG_NR_KINDS][IMALOG_MAX_DIGEST];
	imalog_step_fn step;
	void *step_arg;
	struct imalog_match **watch;
	size_t nwatch;
};

static void match_update(const struct imalog_replay *r, struct imalog_match *m)
{
	for (int k = 0; k < IMALOG_NR_KINDS; k++) {
		const uint8_t *v = imalog_replay_pcr(r, m->pcr, m->bank, k);
		bool eq = v && !memcmp(v, m->value, banks[m->bank].size);

		if (!eq) {
			m->found[k].in_run = false;
			continue;
		}
		if (m->found[k].first == IMALOG_NONE) {
			m->found[k].first = r->entries;
			m->found[k].in_run = true;
		}
		if (m->found[k].in_run)
			m->found[k].last = r->entries;
		if (r->entries == m->at)
			m->found[k].at_hit = true;
	}
}

static int hash(struct imalog_replay *r, enum imalog_bank b,
		const struct imalog_entry *e, uint8_t *out)
{
	unsigned int len;

	if (!EVP_DigestInit_ex(r->ctx, r->md[b], NULL))
		return -1;
	if (e->ima_template) {
		uint8_t name[IMA_NAME_PAD] = { 0 };

		/* data = digest[20], u32 len, name[len]; len <= 255 */
		memcpy(name, e->data + IMA_HDR_LEN, e->data_len - IMA_HDR_LEN);
		if (!EVP_DigestUpdate(r->ctx, e->data, IMALOG_SHA1_SIZE) ||
		    !EVP_DigestUpdate(r->ctx, name, sizeof(name)))
			return -1;
	} else if (!EVP_DigestUpdate(r->ctx, e->data, e->data_len)) {
		return -1;
	}
	return EVP_DigestFinal_ex(r->ctx, out, &len) && len == banks[b].size ? 0 : -1;
}

static int extend(struct imalog_replay *r, uint8_t *pcr, enum imalog_bank b,
		  const uint8_t *digest)
{
	unsigned int sz = banks[b].size, len;

	if (!EVP_DigestInit_ex(r->ctx, r->md[b], NULL) ||
	    !EVP_DigestUpdate(r->ctx, pcr, sz) ||
	    !EVP_DigestUpdate(r->ctx, digest, sz) ||
	    !EVP_DigestFinal_ex(r->ctx, pcr, &len))
		return -1;
	return 0;
}

static int replay_entry(void *arg, const struct imalog_entry *e,
			struct imalog_error *err)
{
	struct imalog_replay *r = arg;
	uint8_t (*d)[IMALOG_NR_KINDS][IMALOG_MAX_DIGEST] = r->last;

	memset(r->last, 0, sizeof(r->last));
	if (e->violation) {
		memset(r->last, 0xff, sizeof(r->last));
	} else {
		if (hash(r, IMALOG_SHA1, e, d[IMALOG_SHA1][IMALOG_KIND_HASH]))
			goto crypto;
		if (memcmp(d[IMALOG_SHA1][IMALOG_KIND_HASH], e->template_digest,
			   IMALOG_SHA1_SIZE)) {
			snprintf(err->msg, sizeof(err->msg),
				 "template digest does not match the template data");
			return -1;
		}
		for (int b = 0; b < IMALOG_NR_BANKS; b++) {
			if (!r->md[b])
				continue;
			if (b != IMALOG_SHA1 && hash(r, b, e, d[b][IMALOG_KIND_HASH]))
				goto crypto;
			memcpy(d[b][IMALOG_KIND_PADDED], e->template_digest,
			       IMALOG_SHA1_SIZE);
		}
	}
	for (int b = 0; b < IMALOG_NR_BANKS; b++)
		for (int k = 0; k < IMALOG_NR_KINDS && r->md[b]; k++)
			if (extend(r, r->pcr[b][k][e->pcr], b, d[b][k]))
				goto crypto;
	r->entries++;
	r->seen |= 1u << e->pcr;
	for (size_t k = 0; k < r->nwatch; k++)
		match_update(r, r->watch[k]);
	if (r->step && r->step(r->step_arg, r, e)) {
		snprintf(err->msg, sizeof(err->msg), "stopped by the caller");
		return -1;
	}
	return 0;
crypto:
	snprintf(err->msg, sizeof(err->msg), "libcrypto hashing failed");
	return -1;
}

struct imalog_replay *imalog_replay_new(void)
{
	struct imalog_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	for (int b = 0; b < IMALOG_NR_BANKS; b++) {
		r->md[b] = EVP_get_digestbyname(banks[b].evp);
		if (!r->md[b] && b != IMALOG_SM3_256)
			goto fail;
	}
	r->ctx = EVP_MD_CTX_new();
	r->p = imalog_parser_new(replay_entry, r);
	if (!r->ctx || !r->p)
		goto fail;
	return r;
fail:
	imalog_replay_free(r);
	return NULL;
}

void imalog_replay_free(struct imalog_replay *r)
{
	if (!r)
		return;
	imalog_parser_free(r->p);
	EVP_MD_CTX_free(r->ctx);
	free(r->watch);
	free(r);
}

bool imalog_replay_has_bank(const struct imalog_replay *r, enum imalog_bank b)
{
	return (unsigned int)b < IMALOG_NR_BANKS && r->md[b];
}

void imalog_replay_on_step(struct imalog_replay *r, imalog_step_fn fn, void *arg)
{
	r->step = fn;
	r->step_arg = arg;
}

int imalog_replay_watch(struct imalog_replay *r, struct imalog_match *m)
{
	struct imalog_match **w;

	if (m->pcr >= IMALOG_MAX_PCRS || (unsigned int)m->bank >= IMALOG_NR_BANKS)
		return -1;
	w = realloc(r->watch, (r->nwatch + 1) * sizeof(*w));
	if (!w)
		return -1;
	r->watch = w;
	r->watch[r->nwatch++] = m;
	for (int k = 0; k < IMALOG_NR_KINDS; k++) {
		m->found[k].first = m->found[k].last = IMALOG_NONE;
		m->found[k].at_hit = m->found[k].in_run = false;
	}
	match_update(r, m);
	return 0;
}

int imalog_replay_feed(struct imalog_replay *r, const void *buf, size_t len)
{
	return imalog_parser_feed(r->p, buf, len);
}

int imalog_replay_finish(struct imalog_replay *r)
{
	return imalog_parser_finish(r->p);
}

int imalog_replay_buffer(struct imalog_replay *r, const void *buf, size_t len)
{
	if (imalog_replay_feed(r, buf, len))
		return -1;
	return imalog_replay_finish(r);
}

static int file_fail(struct imalog_replay *r, const char *path, int e)
{
	struct imalog_parser *p = r->p;

	p->failed = true;
	p->err.entry = IMALOG_NONE;
	p->err.entry_offset = p->err.offset = p->offset;
	snprintf(p->err.msg, sizeof(p->err.msg), "%s: %s", path, strerror(e));
	return -1;
}

int imalog_replay_file(struct imalog_replay *r, const char *path)
{
	const size_t size = 1 << 16;
	bool is_stdin = !strcmp(path, "-");
	uint8_t *chunk;
	FILE *f;
	int ret = 0;

	chunk = malloc(size);
	if (!chunk)
		return file_fail(r, path, ENOMEM);
	f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		ret = file_fail(r, path, errno);
		free(chunk);
		return ret;
	}
	for (;;) {
		size_t n = fread(chunk, 1, size, f);

		if (n && imalog_replay_feed(r, chunk, n)) {
			ret = -1;
			break;
		}
		if (n < size) {
			if (ferror(f))
				ret = file_fail(r, path, errno ? errno : EIO);
			else
				ret = imalog_replay_finish(r);
			break;
		}
	}
	if (!is_stdin)
		fclose(f);
	free(chunk);
	return ret;
}

const struct imalog_error *imalog_replay_error(const struct imalog_replay *r)
{
	return imalog_parser_error(r->p);
}

uint64_t imalog_replay_entries(const struct imalog_replay *r)
{
	return r->entries;
}

uint32_t imalog_replay_pcrs_seen(const struct imalog_replay *r)
{
	return r->seen;
}

const uint8_t *imalog_replay_pcr(const struct imalog_replay *r, unsigned int pcr,
				 enum imalog_bank b, enum imalog_kind k)
{
	if (pcr >= IMALOG_MAX_PCRS || (unsigned int)b >= IMALOG_NR_BANKS ||
	    (unsigned int)k >= IMALOG_NR_KINDS || !r->md[b])
		return NULL;
	return r->pcr[b][k][pcr];
}

const uint8_t *imalog_replay_last_digest(const struct imalog_replay *r,
					 enum imalog_bank b, enum imalog_kind k)
{
	if ((unsigned int)b >= IMALOG_NR_BANKS ||
	    (unsigned int)k >= IMALOG_NR_KINDS || !r->md[b])
		return NULL;
	return r->last[b][k];
}
