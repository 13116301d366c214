// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-ima-log: the two readers of IMA's binary measurement list against
 * each other.  One is the module's streaming parser and replay
 * (drivers/tpm_handoff/ima_log.c and replay.c, built unchanged through
 * kshim), the other the test oracle's (testing/oracles/ima-replay/imalog.c,
 * which shares no code with them).  Neither is the reference: each keeps
 * the other honest (Documentation/testing.rst, "Oracles are independent on
 * purpose").
 *
 * Input: the split prefix of fuzz.h, then the log.  The prefix's high
 * nibble c, if not 0, stops every run at entry s = (c - 1) / 3 (0-4): the
 * module's parser callback (c - 1) % 3 (begin, data, end) returns
 * -ECANCELED, the oracle's entry callback rejects the entry, and both
 * replays' per-entry callbacks (th_entry_fn, imalog_step_fn) stop there.
 *
 * The log is cut once into the prefix's pieces, each a heap copy of its own
 * size (reading past one is an AddressSanitizer report), and every run is
 * fed those pieces, unless it says "whole":
 *  1. the module's parser, no stop; then with the stop, whole and (if
 *     there is a stop) in pieces: those must be the same in every respect
 *     (entries, data bytes, verdict, message), and the same as the first
 *     up to the stop, which must happen if and only if the first run got
 *     to that callback;
 *  2. the oracle's parser, no stop; then with the stop, whole (likewise);
 *  3. the module's replay in the banks sha1, sha256, sha384, sha512 and
 *     sm3_256 (if libcrypto has SM3), in pieces and whole: the same;
 *  4. the oracle's replay, in pieces.
 * The parsers must agree on every entry both take (offset, PCR, template
 * digest, name, data length and data bytes), on how many they take, and
 * on how the log ends: complete, malformed or truncated, with the index
 * (from 0) and the start of the entry at fault.  Their messages must name
 * that index ("entry N at offset O"); O is where the entry starts in the
 * module's, where the fault is in the oracle's (imalog_error.offset; its
 * entry_offset is the entry's start).  The replays must agree on every
 * entry's PCR and digest in every bank and digest kind, on the entry whose
 * template digest is wrong (or where they were stopped), and, having
 * replayed the same entries, on every PCR value in every bank and kind;
 * and each replay must end where its own parser does unless a template
 * digest or the stop ends it first.
 *
 * The two differ on purpose in a few ways; cross_parse() accepts each,
 * and only where its condition holds:
 *  - the oracle refuses a template name with a byte outside 0x21-0x7e and
 *    empty template data (no IMA template has either); the module takes
 *    them (it refuses a NUL in the name only);
 *  - the module refuses the legacy "ima" template (its entries have no
 *    data length; the module does not support it); the oracle replays it;
 *  - the oracle checks the PCR index and the name as soon as it has them,
 *    the module once it has the whole header: a log that ends inside a
 *    header is "malformed" to the oracle, "truncated" to the module;
 *  - the module's counts include an entry whose end callback failed (a
 *    wrong template digest, a stop); the oracle's replay counts an entry
 *    its step callback stopped at, its parser does not.  Counts here are
 *    of entries taken, and the libraries' own are checked against them.
 * Their limits (name and data lengths, PCR indexes) are the same: see the
 * static assertions.
 */
#include "tpm_handoff.h"
#include "imalog.h"
#include "fuzz.h"

#define HDR_FIXED	(4 + SHA1_DIGEST_SIZE + 4)
#define NR_BANKS	IMALOG_NR_BANKS
#define MSGLEN		256
#define NO_OFFSET	UINT64_MAX

_Static_assert(IMA_LOG_NAME_MAX == IMALOG_NAME_MAX, "template name bounds differ");
_Static_assert(IMA_LOG_DATA_MAX == IMALOG_DATA_MAX, "template data bounds differ");
_Static_assert(TH_NR_PCRS == IMALOG_MAX_PCRS, "PCR ranges differ");
_Static_assert(TH_NR_KINDS == IMALOG_NR_KINDS, "digest kinds differ");
_Static_assert(SHA1_DIGEST_SIZE == IMALOG_SHA1_SIZE, "SHA-1 sizes differ");
_Static_assert(TH_MAX_DIGEST == IMALOG_MAX_DIGEST, "digest sizes differ");
_Static_assert(NR_BANKS <= TH_MAX_BANKS, "too many banks");
_Static_assert(TH_ERRLEN <= MSGLEN, "messages too long");

enum verdict { V_OK, V_BAD, V_DIGEST, V_TRUNC, V_STOP };
enum cb { CB_BEGIN, CB_DATA, CB_END, CB_NONE };

struct stop {
	enum cb cb;		/* CB_NONE: no stop */
	u64 entry;
};

/* ---- pieces ---- */

/*
 * The log cut as fuzz.h's split prefix says (or whole), each piece a heap
 * copy of its own size, made once and fed to every run.
 */
struct pieces {
	size_t len;		/* of the log */
	size_t n;
	u8 **p;
	size_t *size;
};

static void pieces_make(struct pieces *ps, const u8 *log, size_t len,
			const struct fuzz_split *split)
{
	struct fuzz_split sp;
	size_t off = 0, cap = 0;

	memset(ps, 0, sizeof(*ps));
	ps->len = len;
	if (split)
		sp = *split;
	do {		/* an empty log: one empty piece */
		size_t n = split ? fuzz_split_next(&sp, len - off) : len - off;

		if (ps->n == cap) {
			cap = cap ? 2 * cap : 16;
			ps->p = realloc(ps->p, cap * sizeof(*ps->p));
			ps->size = realloc(ps->size, cap * sizeof(*ps->size));
			FUZZ_ASSERT(ps->p && ps->size);
		}
		ps->p[ps->n] = fuzz_dup(log + off, n);
		ps->size[ps->n++] = n;
		off += n;
	} while (off < len);
}

static void pieces_free(struct pieces *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->p[i]);
	free(ps->p);
	free(ps->size);
}

struct feeder {
	const struct pieces *ps;
	size_t next;
	const u8 *piece;	/* the current piece */
	size_t piece_len;
	size_t off;		/* bytes fed, the current piece included */
};

static void feeder_init(struct feeder *f, const struct pieces *ps)
{
	memset(f, 0, sizeof(*f));
	f->ps = ps;
}

static bool feeder_next(struct feeder *f)
{
	if (f->next == f->ps->n)
		return false;
	f->piece = f->ps->p[f->next];
	f->piece_len = f->ps->size[f->next++];
	f->off += f->piece_len;
	return true;
}

/* ---- what the parsers report ---- */

struct entry {
	u64 offset;
	u32 pcr;
	u8 digest[SHA1_DIGEST_SIZE];
	char name[IMA_LOG_NAME_MAX + 1];
	u32 data_len;
	u64 data_hash;
	bool ima;		/* the oracle: legacy "ima" template */
	bool data_seen;		/* the module: a data callback had some of it */
	bool complete;		/* taken: its (end) callback returned 0 */
};

struct parse {
	enum verdict v;
	u64 entries;		/* entries taken */
	u64 index;		/* unless V_OK: the entry at fault */
	u64 offset;		/* and where it starts */
	char msg[MSGLEN];
	struct entry *e;	/* every entry a callback had */
	size_t ne, cap;
};

static void parse_init(struct parse *o, size_t len)
{
	memset(o, 0, sizeof(*o));
	o->cap = len / HDR_FIXED + 2;
	o->e = calloc(o->cap, sizeof(*o->e));
	FUZZ_ASSERT(o->e);
}

static struct entry *parse_add(struct parse *o)
{
	struct entry *e;

	FUZZ_ASSERT(o->ne < o->cap);
	e = &o->e[o->ne++];
	memset(e, 0, sizeof(*e));
	e->data_hash = FUZZ_HASH_INIT;
	return e;
}

static size_t name_len(const char *name)
{
	const char *nul = memchr(name, '\0', IMA_LOG_NAME_MAX + 1);

	FUZZ_ASSERT(nul);
	return (size_t)(nul - name);
}

/* The oracle's rule for template names, which the module does not have. */
static bool printable(const char *name)
{
	for (const char *c = name; *c; c++)
		if ((u8)*c <= 0x20 || (u8)*c >= 0x7f)
			return false;
	return true;
}

static void same_entry(const struct entry *a, const struct entry *b, bool flags)
{
	FUZZ_ASSERT(a->offset == b->offset);
	FUZZ_ASSERT(a->pcr == b->pcr);
	FUZZ_ASSERT(!memcmp(a->digest, b->digest, SHA1_DIGEST_SIZE));
	FUZZ_ASSERT(!strcmp(a->name, b->name));
	FUZZ_ASSERT(a->data_len == b->data_len);
	FUZZ_ASSERT(a->data_hash == b->data_hash);
	FUZZ_ASSERT(a->ima == b->ima);
	FUZZ_ASSERT(a->complete == b->complete);
	if (flags)
		FUZZ_ASSERT(a->data_seen == b->data_seen);
}

static void same_parse(const struct parse *a, const struct parse *b)
{
	FUZZ_ASSERT(a->v == b->v);
	FUZZ_ASSERT(a->entries == b->entries && a->ne == b->ne);
	FUZZ_ASSERT(a->index == b->index && a->offset == b->offset);
	FUZZ_ASSERT(!strcmp(a->msg, b->msg));
	for (size_t i = 0; i < a->ne; i++)
		same_entry(&a->e[i], &b->e[i], true);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* "IMA log entry N at offset O: ..." or "IMA log entry N: ...": 1 or 0 (no offset). */
static int kernel_msg(const char *msg, u64 *index, u64 *offset)
{
	unsigned long long i, o;
	int n = 0;

	if (sscanf(msg, "IMA log entry %llu at offset %llu: %n", &i, &o, &n) == 2 && n) {
		*index = i;
		*offset = o;
		return 1;
	}
	n = 0;
	FUZZ_ASSERT(sscanf(msg, "IMA log entry %llu: %n", &i, &n) == 1 && n);
	*index = i;
	return 0;
}

/* "entry N at offset O: ...", the oracle's error. */
static void oracle_msg(const struct imalog_error *err)
{
	unsigned long long i, o;
	int n = 0;

	FUZZ_ASSERT(memchr(err->msg, '\0', sizeof(err->msg)));
	FUZZ_ASSERT(sscanf(err->msg, "entry %llu at offset %llu: %n", &i, &o, &n) == 2 && n);
	FUZZ_ASSERT(err->msg[n]);
	FUZZ_ASSERT(i == err->entry && o == err->offset);
}

/*
 * A run with a stop against the same parser's run without: the same up to
 * the stop, which happens iff the run without got to that callback.
 */
static void check_stop(const struct parse *full, const struct parse *s,
		       const struct stop *stop, bool kernel)
{
	const struct entry *e = stop->entry < full->ne ? &full->e[stop->entry] : NULL;
	bool reached = false;

	if (e && stop->cb == CB_BEGIN)
		reached = true;
	else if (e && stop->cb == CB_DATA)
		reached = e->data_seen;
	else if (e && stop->cb == CB_END)
		reached = e->complete;
	if (!kernel && stop->cb != CB_NONE)	/* the oracle: when complete */
		reached = e && e->complete;
	if (!reached) {
		same_parse(full, s);
		return;
	}
	FUZZ_ASSERT(s->v == V_STOP && s->index == stop->entry);
	FUZZ_ASSERT(s->entries == stop->entry && s->offset == e->offset);
	for (u64 i = 0; i < stop->entry; i++)
		same_entry(&full->e[i], &s->e[i], true);
}

/* ---- the module's parser ---- */

struct krun {
	struct parse *out;
	struct stop stop;
	struct ima_log_parser *p;
	struct feeder *f;
	u64 next;		/* where the next entry starts */
	u32 data_got;
	bool stopped;
};

static bool k_stop(struct krun *r, enum cb cb)
{
	if (r->stop.cb != cb || r->out->ne - 1 != r->stop.entry)
		return false;
	r->stopped = true;
	return true;
}

static int k_begin(void *ctx, const struct ima_log_entry *ke)
{
	struct krun *r = ctx;
	struct ima_log_parser *p = r->p;
	size_t n = name_len(ke->name);
	struct entry *e;

	FUZZ_ASSERT(ke == &p->entry);
	FUZZ_ASSERT(n >= 1 && n <= IMA_LOG_NAME_MAX);
	FUZZ_ASSERT(ke->pcr < TH_NR_PCRS && ke->data_len <= IMA_LOG_DATA_MAX);
	FUZZ_ASSERT(r->out->ne == r->out->entries);
	FUZZ_ASSERT(p->entries == r->out->entries);
	FUZZ_ASSERT(p->entry_offset == r->next);
	FUZZ_ASSERT(p->offset == r->next + HDR_FIXED + n + 4);
	FUZZ_ASSERT(p->offset <= r->f->off);
	e = parse_add(r->out);
	e->offset = p->entry_offset;
	e->pcr = ke->pcr;
	memcpy(e->digest, ke->digest, SHA1_DIGEST_SIZE);
	memcpy(e->name, ke->name, n + 1);
	e->data_len = ke->data_len;
	r->data_got = 0;
	return k_stop(r, CB_BEGIN) ? -ECANCELED : 0;
}

static int k_data(void *ctx, const u8 *buf, size_t len)
{
	struct krun *r = ctx;
	struct entry *e = &r->out->e[r->out->ne - 1];

	FUZZ_ASSERT(r->out->ne == r->out->entries + 1);
	FUZZ_ASSERT(len > 0 && len <= e->data_len - r->data_got);
	/* inside the piece being fed */
	FUZZ_ASSERT(buf >= r->f->piece && len <= r->f->piece_len &&
		    (size_t)(buf - r->f->piece) <= r->f->piece_len - len);
	FUZZ_ASSERT(r->p->offset == e->offset + HDR_FIXED + strlen(e->name) + 4 + r->data_got);
	if (!r->data_got && k_stop(r, CB_DATA))
		return -ECANCELED;
	e->data_seen = true;
	e->data_hash = fuzz_hash(e->data_hash, buf, len);
	r->data_got += len;
	return 0;
}

static int k_end(void *ctx)
{
	struct krun *r = ctx;
	struct entry *e = &r->out->e[r->out->ne - 1];
	u64 end = e->offset + HDR_FIXED + strlen(e->name) + 4 + e->data_len;

	FUZZ_ASSERT(r->out->ne == r->out->entries + 1);
	FUZZ_ASSERT(r->data_got == e->data_len);
	FUZZ_ASSERT(r->p->offset == end);
	FUZZ_ASSERT(r->p->entries == r->out->entries);
	if (k_stop(r, CB_END))
		return -ECANCELED;
	e->complete = true;
	r->out->entries++;
	r->next = end;
	return 0;
}

static const struct ima_log_ops k_ops = {
	.begin = k_begin,
	.data = k_data,
	.end = k_end,
};

static void kernel_parse(struct parse *out, const struct pieces *ps,
			 const struct stop *stop)
{
	size_t len = ps->len;
	struct ima_log_parser *p = malloc(sizeof(*p));
	struct feeder f;
	struct krun r = { .out = out, .stop = *stop, .p = p, .f = &f };
	int rc = 0;

	FUZZ_ASSERT(p);
	parse_init(out, len);
	feeder_init(&f, ps);
	ima_log_init(p, &k_ops, &r);
	while (!rc && feeder_next(&f)) {
		rc = ima_log_feed(p, f.piece, f.piece_len);
		FUZZ_ASSERT(p->hdr_len <= p->hdr_need && p->hdr_need <= IMA_LOG_HDR_MAX);
		FUZZ_ASSERT(!p->in_data || p->hdr_len == p->hdr_need);
		FUZZ_ASSERT(rc || p->offset == f.off);
	}
	if (!rc) {
		rc = ima_log_finish(p);
		FUZZ_ASSERT(rc == 0 || rc == -EBADMSG);
		FUZZ_ASSERT(!rc == (!p->in_data && !p->hdr_len));
		FUZZ_ASSERT(rc || r.next == len);
		out->v = rc ? V_TRUNC : V_OK;
	} else if (rc == -ECANCELED) {
		out->v = V_STOP;
	} else {
		FUZZ_ASSERT(rc == -EBADMSG);
		FUZZ_ASSERT(out->ne == out->entries);	/* a header: never begun */
		out->v = V_BAD;
	}
	FUZZ_ASSERT(r.stopped == (out->v == V_STOP));
	/* The parser counts an entry whose end callback failed. */
	FUZZ_ASSERT(p->entries == out->entries + (r.stopped && stop->cb == CB_END));
	if (out->v == V_STOP) {
		out->index = stop->entry;
		out->offset = out->e[stop->entry].offset;
		FUZZ_ASSERT(!p->msg[0]);
	} else if (out->v != V_OK) {
		u64 i, o;

		out->index = out->entries;
		out->offset = r.next;
		FUZZ_ASSERT(p->entry_offset == r.next);
		FUZZ_ASSERT(memchr(p->msg, '\0', sizeof(p->msg)));
		FUZZ_ASSERT(kernel_msg(p->msg, &i, &o) == 1);
		FUZZ_ASSERT(i == out->index && o == out->offset);
		snprintf(out->msg, sizeof(out->msg), "%s", p->msg);
	}
	free(p);
}

/* ---- the oracle's parser ---- */

struct orun {
	struct parse *out;
	struct stop stop;
	struct imalog_parser *p;
	struct feeder *f;
	u64 next;
	bool stopped;
};

/* imalog_field_next() over template data: within bounds, to the end or not. */
static void check_fields(const uint8_t *data, uint32_t len)
{
	const uint8_t *f;
	uint32_t off = 0, flen, prev = 0;
	int rc;

	while ((rc = imalog_field_next(data, len, &off, &f, &flen)) == 1) {
		FUZZ_ASSERT(f == data + prev + 4 && off == prev + 4 + flen && off <= len);
		prev = off;
	}
	FUZZ_ASSERT(rc == 0 ? off == len : rc == -1 && off == prev);
}

static int o_entry(void *arg, const struct imalog_entry *oe, struct imalog_error *err)
{
	struct orun *r = arg;
	size_t n = name_len(oe->name);
	struct entry *e;
	u64 end;

	(void)err;
	FUZZ_ASSERT(oe->index == r->out->entries);
	FUZZ_ASSERT(oe->offset == r->next);
	FUZZ_ASSERT(oe->pcr < IMALOG_MAX_PCRS);
	FUZZ_ASSERT(n >= 1 && n <= IMALOG_NAME_MAX);
	FUZZ_ASSERT(oe->violation == !memchr_inv(oe->template_digest, 0, IMALOG_SHA1_SIZE));
	FUZZ_ASSERT(oe->ima_template == !strcmp(oe->name, "ima"));
	end = oe->offset + HDR_FIXED + n + (oe->ima_template ? 0 : 4) + oe->data_len;
	FUZZ_ASSERT(imalog_parser_offset(r->p) == end && end <= r->f->off);
	e = parse_add(r->out);
	e->offset = oe->offset;
	e->pcr = oe->pcr;
	memcpy(e->digest, oe->template_digest, SHA1_DIGEST_SIZE);
	memcpy(e->name, oe->name, n + 1);
	e->data_len = oe->data_len;
	e->data_hash = fuzz_hash(e->data_hash, oe->data, oe->data_len);
	e->ima = oe->ima_template;
	e->data_seen = oe->data_len > 0;
	if (!e->ima)
		check_fields(oe->data, oe->data_len);
	if (r->stop.cb != CB_NONE && oe->index == r->stop.entry) {
		r->stopped = true;
		return 1;	/* err->msg empty: the parser's own words */
	}
	e->complete = true;
	r->out->entries++;
	r->next = end;
	return 0;
}

static void oracle_parse(struct parse *out, const struct pieces *ps,
			 const struct stop *stop)
{
	size_t len = ps->len;
	struct feeder f;
	struct orun r = { .out = out, .stop = *stop, .f = &f };
	const struct imalog_error *err;
	int rc = 0;

	parse_init(out, len);
	feeder_init(&f, ps);
	r.p = imalog_parser_new(o_entry, &r);
	FUZZ_ASSERT(r.p);
	while (!rc && feeder_next(&f)) {
		rc = imalog_parser_feed(r.p, f.piece, f.piece_len);
		FUZZ_ASSERT(rc == 0 || rc == -1);
		FUZZ_ASSERT(rc || imalog_parser_offset(r.p) == f.off);
	}
	if (rc) {
		out->v = r.stopped ? V_STOP : V_BAD;
		/* sticky */
		FUZZ_ASSERT(imalog_parser_feed(r.p, "", 0) == -1);
		FUZZ_ASSERT(imalog_parser_finish(r.p) == -1);
	} else {
		rc = imalog_parser_finish(r.p);
		FUZZ_ASSERT(rc == 0 || rc == -1);
		FUZZ_ASSERT(rc || r.next == len);
		out->v = rc ? V_TRUNC : V_OK;
	}
	FUZZ_ASSERT(r.stopped == (out->v == V_STOP));
	FUZZ_ASSERT(imalog_parser_entries(r.p) == out->entries);
	err = imalog_parser_error(r.p);
	FUZZ_ASSERT(!err == (out->v == V_OK));
	if (err) {
		FUZZ_ASSERT(err->entry == out->entries);
		FUZZ_ASSERT(err->entry_offset == r.next);
		FUZZ_ASSERT(err->offset >= err->entry_offset && err->offset <= len);
		oracle_msg(err);
		if (out->v == V_STOP)
			FUZZ_ASSERT(err->offset == err->entry_offset &&
				    strstr(err->msg, ": rejected by the caller"));
		out->index = err->entry;
		out->offset = err->entry_offset;
		snprintf(out->msg, sizeof(out->msg), "%s", err->msg);
	}
	imalog_parser_free(r.p);
}

/*
 * The module's parser (K) against the oracle's (O), neither stopped: the
 * same entries, as many, and the same end, but for the differences the
 * comment at the top lists.
 */
static void cross_parse(const struct parse *K, const struct parse *O)
{
	u64 m = K->entries < O->entries ? K->entries : O->entries;

	for (u64 i = 0; i < m; i++) {
		same_entry(&K->e[i], &O->e[i], false);
		/* Both took it: it passes the oracle's own checks. */
		FUZZ_ASSERT(printable(K->e[i].name) && K->e[i].data_len > 0);
	}
	if (K->entries == O->entries) {
		if (K->v == V_OK || O->v == V_OK) {
			FUZZ_ASSERT(K->v == O->v);
			return;
		}
		/* Both stopped at entry m, which starts where m - 1 ends. */
		FUZZ_ASSERT(K->index == m && O->index == m && K->offset == O->offset);
		if (K->v == O->v)
			return;
		/* The module refused "ima", the oracle ran out of log or found a fault after it. */
		if (K->v == V_BAD && strstr(K->msg, ": the legacy \"ima\" template"))
			return;
		FUZZ_ASSERT(K->v == V_TRUNC && O->v == V_BAD);
		if (K->ne == m)		/* in the header: checked early by the oracle */
			FUZZ_ASSERT(strstr(O->msg, ": PCR index ") ||
				    strstr(O->msg, ": template name is not printable"));
		else			/* its header taken by the module */
			FUZZ_ASSERT(strstr(O->msg, ": template name is not printable") &&
				    !printable(K->e[m].name));
		return;
	}
	if (K->entries > O->entries) {
		/* The oracle refused an entry the module takes: its own checks. */
		FUZZ_ASSERT(O->v == V_BAD);
		if (strstr(O->msg, ": template name is not printable"))
			FUZZ_ASSERT(!printable(K->e[m].name));
		else
			FUZZ_ASSERT(strstr(O->msg, ": empty template data") &&
				    !K->e[m].data_len);
		return;
	}
	/* The module refused an entry the oracle takes: "ima". */
	FUZZ_ASSERT(K->v == V_BAD && strstr(K->msg, ": the legacy \"ima\" template"));
	FUZZ_ASSERT(O->e[m].ima);
}

/* ---- the replays ---- */

static struct th_banks banks;		/* imalog's bank b is the module's bank b */
static unsigned int okind[TH_NR_KINDS];	/* the oracle's enum for each th_kind */
static struct th_replay *kreplay_r;

struct step {
	u32 pcr;
	u8 d[NR_BANKS][TH_NR_KINDS][TH_MAX_DIGEST];
};

struct replay {
	enum verdict v;
	u64 entries;		/* entries replayed: extended into the PCRs */
	u64 index;		/* unless V_OK: the entry at fault */
	u64 offset;		/* where it starts (V_STOP, NO_OFFSET: unknown) */
	char msg[MSGLEN];
	struct step *s;		/* per entry replayed, what it extended */
	size_t cap;
	u32 stop_pcr;		/* the entry it stopped at: its PCR */
	u32 pcr_mask;
	u8 pcr[TH_NR_PCRS][NR_BANKS][TH_NR_KINDS][TH_MAX_DIGEST];
};

static struct replay *replay_new(size_t len)
{
	struct replay *o = calloc(1, sizeof(*o));

	FUZZ_ASSERT(o);
	o->cap = len / HDR_FIXED + 2;
	o->s = calloc(o->cap, sizeof(*o->s));
	FUZZ_ASSERT(o->s);
	return o;
}

static void replay_free(struct replay *o)
{
	if (o)
		free(o->s);
	free(o);
}

static void setup(void)
{
	static const u16 algs[NR_BANKS] = {
		[IMALOG_SHA1] = TPM_ALG_SHA1,
		[IMALOG_SHA256] = TPM_ALG_SHA256,
		[IMALOG_SHA384] = TPM_ALG_SHA384,
		[IMALOG_SHA512] = TPM_ALG_SHA512,
		[IMALOG_SM3_256] = TPM_ALG_SM3_256,
	};
	struct imalog_replay *o;
	char err[TH_ERRLEN];

	if (kreplay_r)
		return;
	/* One vocabulary: the digest kinds and banks go by the same names. */
	for (unsigned int k = 0; k < TH_NR_KINDS; k++) {
		unsigned int j = 0;

		while (j < IMALOG_NR_KINDS && strcmp(th_kind_name[k], imalog_kind_name(j)))
			j++;
		FUZZ_ASSERT(j < IMALOG_NR_KINDS);
		okind[k] = j;
	}
	o = imalog_replay_new();
	FUZZ_ASSERT(o);
	for (unsigned int b = 0; b < NR_BANKS; b++) {
		FUZZ_ASSERT(!strcmp(th_alg_name(algs[b]), imalog_bank_name(b)));
		banks.alg[b] = algs[b];
		banks.size[b] = imalog_bank_size(b);
		if (imalog_replay_has_bank(o, b))
			banks.nr = b + 1;
	}
	FUZZ_ASSERT(banks.nr >= IMALOG_SM3_256);
	imalog_replay_free(o);
	kreplay_r = th_replay_alloc(&banks, err);
	if (IS_ERR(kreplay_r)) {
		fprintf(stderr, "th_replay_alloc: %s\n", err);
		abort();
	}
}

struct krr {
	struct replay *out;
	struct stop stop;
	bool stopped;
};

static int kr_entry(void *ctx, struct th_replay *r, u64 index, u32 pcr)
{
	struct krr *k = ctx;
	struct step *s;

	FUZZ_ASSERT(index == k->out->entries && th_replay_entries(r) == index);
	FUZZ_ASSERT(pcr < TH_NR_PCRS);
	if (k->stop.cb != CB_NONE && index == k->stop.entry) {
		k->stopped = true;
		k->out->stop_pcr = pcr;
		return -ECANCELED;
	}
	FUZZ_ASSERT(index < k->out->cap);
	s = &k->out->s[index];
	s->pcr = pcr;
	for (unsigned int b = 0; b < banks.nr; b++)
		for (unsigned int kd = 0; kd < TH_NR_KINDS; kd++)
			memcpy(s->d[b][kd], th_replay_digest(r, b, kd), banks.size[b]);
	k->out->entries++;
	return 0;
}

static void kernel_replay(struct replay *out, const struct pieces *ps,
			  const struct stop *stop)
{
	struct th_replay *r = kreplay_r;
	struct krr k = { .out = out, .stop = *stop };
	struct feeder f;
	bool finishing = false;
	const char *msg;
	u32 mask = 0;
	int rc = 0;

	th_replay_reset(r);
	feeder_init(&f, ps);
	while (!rc && feeder_next(&f))
		rc = th_replay_feed(r, f.piece, f.piece_len, kr_entry, &k);
	if (!rc) {
		finishing = true;
		rc = th_replay_finish(r);
	}
	msg = th_replay_error(r);
	FUZZ_ASSERT(memchr(msg, '\0', TH_ERRLEN));
	if (!rc) {
		out->v = V_OK;
	} else if (rc == -ECANCELED) {
		out->v = V_STOP;
		out->index = stop->entry;
		out->offset = NO_OFFSET;
	} else {
		u64 i, o;
		int has_offset = kernel_msg(msg, &i, &o);

		FUZZ_ASSERT(rc == -EBADMSG);
		if (finishing)
			out->v = V_TRUNC;
		else if (ends_with(msg, ": the template digest does not match the template data"))
			out->v = V_DIGEST;
		else
			out->v = V_BAD;
		/* the digest's message may leave the offset out */
		FUZZ_ASSERT(has_offset || out->v == V_DIGEST);
		FUZZ_ASSERT(i == out->entries);
		out->index = i;
		out->offset = has_offset ? o : NO_OFFSET;
		snprintf(out->msg, sizeof(out->msg), "%s", msg);
	}
	FUZZ_ASSERT(k.stopped == (out->v == V_STOP));
	if (out->v == V_OK || out->v == V_STOP)
		FUZZ_ASSERT(!msg[0]);
	/* The parser counts an entry whose end callback failed. */
	FUZZ_ASSERT(th_replay_entries(r) == out->entries +
		    (out->v == V_DIGEST || out->v == V_STOP));
	for (u64 i = 0; i < out->entries; i++)
		mask |= BIT(out->s[i].pcr);
	out->pcr_mask = th_replay_pcrs(r);
	FUZZ_ASSERT(out->pcr_mask == mask);
	for (u32 p = 0; p < TH_NR_PCRS; p++)
		for (unsigned int b = 0; b < banks.nr; b++)
			for (unsigned int kd = 0; kd < TH_NR_KINDS; kd++)
				memcpy(out->pcr[p][b][kd], th_replay_value(r, p, b, kd),
				       banks.size[b]);
}

struct orr {
	struct replay *out;
	struct stop stop;
	bool stopped;
};

static int or_step(void *arg, const struct imalog_replay *r, const struct imalog_entry *e)
{
	struct orr *o = arg;
	struct step *s;

	FUZZ_ASSERT(e->index == o->out->entries);
	FUZZ_ASSERT(imalog_replay_entries(r) == e->index + 1);
	if (o->stop.cb != CB_NONE && e->index == o->stop.entry) {
		o->stopped = true;
		o->out->stop_pcr = e->pcr;
		return 1;
	}
	FUZZ_ASSERT(e->index < o->out->cap);
	s = &o->out->s[e->index];
	s->pcr = e->pcr;
	for (unsigned int b = 0; b < banks.nr; b++)
		for (unsigned int k = 0; k < TH_NR_KINDS; k++)
			memcpy(s->d[b][k], imalog_replay_last_digest(r, b, okind[k]),
			       banks.size[b]);
	o->out->entries++;
	return 0;
}

static void oracle_replay(struct replay *out, const struct pieces *ps,
			  const struct stop *stop)
{
	struct imalog_replay *r = imalog_replay_new();
	struct orr o = { .out = out, .stop = *stop };
	const struct imalog_error *err;
	struct imalog_match m;
	bool finishing = false;
	u64 done, zero;
	struct feeder f;
	int rc = 0;

	FUZZ_ASSERT(r);
	memset(&m, 0, sizeof(m));	/* PCR 10 all zero, after exactly 1 entry? */
	m.pcr = 10;
	m.bank = IMALOG_SHA256;
	m.at = 1;
	FUZZ_ASSERT(!imalog_replay_watch(r, &m));
	imalog_replay_on_step(r, or_step, &o);
	feeder_init(&f, ps);
	while (!rc && feeder_next(&f))
		rc = imalog_replay_feed(r, f.piece, f.piece_len);
	if (!rc) {
		finishing = true;
		rc = imalog_replay_finish(r);
	}
	FUZZ_ASSERT(rc == 0 || rc == -1);
	err = imalog_replay_error(r);
	FUZZ_ASSERT(!err == !rc);
	if (err) {
		oracle_msg(err);
		FUZZ_ASSERT(!strstr(err->msg, "libcrypto"));
		if (strstr(err->msg, ": stopped by the caller"))
			out->v = V_STOP;
		else if (strstr(err->msg, ": template digest does not match the template data"))
			out->v = V_DIGEST;
		else
			out->v = finishing ? V_TRUNC : V_BAD;
		FUZZ_ASSERT(err->entry == out->entries);
		out->index = err->entry;
		out->offset = out->v == V_STOP ? NO_OFFSET : err->entry_offset;
		snprintf(out->msg, sizeof(out->msg), "%s", err->msg);
	}
	FUZZ_ASSERT(o.stopped == (out->v == V_STOP));
	/* The replay counts the entry its step callback stopped at. */
	done = imalog_replay_entries(r);
	FUZZ_ASSERT(done == out->entries + (out->v == V_STOP));
	out->pcr_mask = imalog_replay_pcrs_seen(r);
	for (u32 p = 0; p < TH_NR_PCRS; p++)
		for (unsigned int b = 0; b < banks.nr; b++)
			for (unsigned int k = 0; k < TH_NR_KINDS; k++)
				memcpy(out->pcr[p][b][k], imalog_replay_pcr(r, p, b, okind[k]),
				       banks.size[b]);
	FUZZ_ASSERT(!imalog_replay_pcr(r, IMALOG_MAX_PCRS, IMALOG_SHA1, IMALOG_KIND_HASH));
	/* PCR 10 is zero until the first entry for it */
	for (zero = 0; zero < out->entries && out->s[zero].pcr != 10; zero++)
		;
	if (zero == out->entries && out->v == V_STOP && out->stop_pcr != 10)
		zero++;
	for (unsigned int k = 0; k < IMALOG_NR_KINDS; k++) {
		FUZZ_ASSERT(m.found[k].first == 0 && m.found[k].last == zero);
		FUZZ_ASSERT(m.found[k].at_hit == (zero >= 1));
	}
	imalog_replay_free(r);
}

static void same_replay(const struct replay *a, const struct replay *b)
{
	FUZZ_ASSERT(a->v == b->v && a->entries == b->entries && a->index == b->index);
	FUZZ_ASSERT(a->offset == b->offset && !strcmp(a->msg, b->msg));
	FUZZ_ASSERT(a->pcr_mask == b->pcr_mask);
	FUZZ_ASSERT(!memcmp(a->s, b->s, a->entries * sizeof(*a->s)));
	FUZZ_ASSERT(!memcmp(a->pcr, b->pcr, sizeof(a->pcr)));
}

/*
 * A replay against its own parser's run (no stop): it ends where the
 * parser does, unless a template digest or the stop ends it first.
 */
static void check_replay(const struct parse *P, const struct replay *R,
			 const struct stop *stop)
{
	FUZZ_ASSERT(R->entries <= P->entries);
	for (u64 i = 0; i < R->entries; i++)
		FUZZ_ASSERT(R->s[i].pcr == P->e[i].pcr);
	if (R->v == V_DIGEST) {
		FUZZ_ASSERT(R->index == R->entries && R->index < P->entries);
		FUZZ_ASSERT(R->offset == NO_OFFSET || R->offset == P->e[R->index].offset);
		/* a violation has no digest to check */
		FUZZ_ASSERT(memchr_inv(P->e[R->index].digest, 0, SHA1_DIGEST_SIZE));
	} else if (R->v == V_STOP) {
		FUZZ_ASSERT(stop->cb != CB_NONE && R->index == stop->entry);
		FUZZ_ASSERT(R->index == R->entries && R->index < P->entries);
		FUZZ_ASSERT(R->stop_pcr == P->e[R->index].pcr);
	} else {
		FUZZ_ASSERT(R->v == P->v && R->entries == P->entries);
		FUZZ_ASSERT(R->v == V_OK || (R->index == P->index && R->offset == P->offset &&
					     !strcmp(R->msg, P->msg)));
	}
}

/*
 * The module's replay (KR) against the oracle's (OR); K and O are their
 * parsers' runs, cross_parse()d.
 */
static void cross_replay(const struct parse *K, const struct parse *O,
			 const struct replay *KR, const struct replay *OR)
{
	u64 m = K->entries < O->entries ? K->entries : O->entries;
	u64 both = KR->entries < OR->entries ? KR->entries : OR->entries;

	for (u64 i = 0; i < both; i++) {
		FUZZ_ASSERT(KR->s[i].pcr == OR->s[i].pcr);
		for (unsigned int b = 0; b < banks.nr; b++)
			for (unsigned int k = 0; k < TH_NR_KINDS; k++)
				FUZZ_ASSERT(!memcmp(KR->s[i].d[b][k], OR->s[i].d[b][k],
						    banks.size[b]));
	}
	/* Ended by a template digest or the stop among entries both parsers took. */
	if (KR->entries < m || OR->entries < m) {
		FUZZ_ASSERT(KR->v == OR->v && KR->entries == OR->entries);
		FUZZ_ASSERT(KR->index == OR->index);
		FUZZ_ASSERT(KR->v == V_DIGEST || KR->v == V_STOP);
		FUZZ_ASSERT(KR->offset == NO_OFFSET || KR->offset == OR->offset);
	}
	/* The same entries replayed (a stopped oracle took one more). */
	if (KR->entries == OR->entries && KR->v != V_STOP && OR->v != V_STOP) {
		FUZZ_ASSERT(KR->pcr_mask == OR->pcr_mask);
		for (u32 p = 0; p < TH_NR_PCRS; p++)
			for (unsigned int b = 0; b < banks.nr; b++)
				for (unsigned int k = 0; k < TH_NR_KINDS; k++)
					FUZZ_ASSERT(!memcmp(KR->pcr[p][b][k], OR->pcr[p][b][k],
							    banks.size[b]));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct stop none = { .cb = CB_NONE };
	struct fuzz_split split;
	struct stop stop = none;
	struct pieces pieces, whole;
	struct parse K, Kw, Kp, O, Ow;
	struct replay *KR, *KRw, *OR;

	if (!fuzz_split_init(&split, &data, &size))
		return 0;
	setup();
	if (split.ctl) {
		stop.cb = (enum cb)((split.ctl - 1) % 3);
		stop.entry = (split.ctl - 1) / 3;
	}
	pieces_make(&pieces, data, size, &split);
	pieces_make(&whole, data, size, NULL);

	kernel_parse(&K, &pieces, &none);
	kernel_parse(&Kw, &whole, &stop);
	check_stop(&K, &Kw, &stop, true);
	Kp.e = NULL;
	if (stop.cb != CB_NONE) {	/* else Kp would be K */
		kernel_parse(&Kp, &pieces, &stop);
		same_parse(&Kw, &Kp);
	}

	oracle_parse(&O, &pieces, &none);
	oracle_parse(&Ow, &whole, &stop);
	check_stop(&O, &Ow, &stop, false);

	cross_parse(&K, &O);

	KR = replay_new(size);
	KRw = replay_new(size);
	OR = replay_new(size);
	kernel_replay(KR, &pieces, &stop);
	kernel_replay(KRw, &whole, &stop);
	same_replay(KR, KRw);
	oracle_replay(OR, &pieces, &stop);
	check_replay(&K, KR, &stop);
	check_replay(&O, OR, &stop);
	cross_replay(&K, &O, KR, OR);

	replay_free(KR);
	replay_free(KRw);
	replay_free(OR);
	free(K.e);
	free(Kw.e);
	free(Kp.e);
	free(O.e);
	free(Ow.e);
	pieces_free(&pieces);
	pieces_free(&whole);
	return 0;
}
