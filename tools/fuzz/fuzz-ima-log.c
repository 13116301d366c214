// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-ima-log: drivers/tpm_handoff/ima_log.c, the kernel's streaming
 * parser of IMA's binary measurement list, built unchanged (kshim).
 *
 * Input: the split prefix of fuzz.h, then the log.  The prefix's high
 * nibble c makes a callback stop the parser: none for 0, else callback
 * (c - 1) % 3 (begin, data, end) of entry (c - 1) / 3 returns -ECANCELED.
 *
 * The log is parsed three times: by the kernel's parser in one piece, by
 * the kernel's parser in the pieces the prefix says, and by a reference
 * walk of the whole buffer written here from the format; then once more in
 * pieces with no callback at all (the ops are optional).  The three must
 * report the same entries, headers and data bytes (hashed), and end the
 * same way (complete, malformed, truncated, stopped); the two kernel runs
 * must also agree on the error message.  The callbacks check what they
 * get against the input: every header field, every data byte, the data
 * lengths adding up to data_len, data pointers inside the piece being fed,
 * the parser's offsets and counts.
 */
#include "tpm_handoff.h"
#include "fuzz.h"

#define HDR_FIXED	(4 + SHA1_DIGEST_SIZE + 4)

enum verdict { V_OK, V_BAD, V_TRUNC, V_STOP };
enum cb { CB_BEGIN, CB_DATA, CB_END };

struct run {
	/* the whole log, to check what the callbacks see */
	const u8 *log;
	size_t log_len;
	/* the stop the input asks for */
	int stop_cb;		/* -1: none */
	u64 stop_entry;
	bool stopped;
	/* what the callbacks saw */
	u64 hash;
	u64 begins, ends;
	bool in_entry;
	u32 name_len;
	u32 data_len;
	u32 data_got;
	u64 entry_start;	/* log offset of the current (next) entry */
	/* the kernel's parser and the piece it is being fed */
	struct ima_log_parser *p;
	const u8 *piece;
	size_t piece_len;
};

static bool stop_here(struct run *r, enum cb cb)
{
	if (r->stop_cb != (int)cb || r->begins - 1 != r->stop_entry)
		return false;
	r->stopped = true;
	return true;
}

static void hash_begin(struct run *r, u32 pcr, const u8 *digest,
		       const char *name, u32 name_len, u32 data_len)
{
	r->hash = fuzz_hash_u64(r->hash, CB_BEGIN);
	r->hash = fuzz_hash_u64(r->hash, pcr);
	r->hash = fuzz_hash(r->hash, digest, SHA1_DIGEST_SIZE);
	r->hash = fuzz_hash_u64(r->hash, name_len);
	r->hash = fuzz_hash(r->hash, name, name_len);
	r->hash = fuzz_hash_u64(r->hash, data_len);
}

static int cb_begin(void *ctx, const struct ima_log_entry *e)
{
	struct run *r = ctx;
	const u8 *h = r->log + r->entry_start;
	const char *nul = memchr(e->name, '\0', sizeof(e->name));
	u32 n;

	FUZZ_ASSERT(!r->in_entry);
	FUZZ_ASSERT(e == &r->p->entry);
	FUZZ_ASSERT(nul);
	n = (u32)(nul - e->name);
	FUZZ_ASSERT(n >= 1 && n <= IMA_LOG_NAME_MAX);
	FUZZ_ASSERT(strcmp(e->name, "ima"));
	FUZZ_ASSERT(e->pcr < TH_NR_PCRS);
	FUZZ_ASSERT(e->data_len <= IMA_LOG_DATA_MAX);
	/* The parser is where this entry's header ends. */
	FUZZ_ASSERT(r->p->entry_offset == r->entry_start);
	FUZZ_ASSERT(r->p->entries == r->ends);
	FUZZ_ASSERT(r->p->offset == r->entry_start + HDR_FIXED + n + 4);
	FUZZ_ASSERT(r->p->offset <= r->log_len);
	/* Every field is the log's. */
	FUZZ_ASSERT(e->pcr == fuzz_le32(h));
	FUZZ_ASSERT(!memcmp(e->digest, h + 4, SHA1_DIGEST_SIZE));
	FUZZ_ASSERT(fuzz_le32(h + 4 + SHA1_DIGEST_SIZE) == n);
	FUZZ_ASSERT(!memcmp(e->name, h + HDR_FIXED, n));
	FUZZ_ASSERT(e->data_len == fuzz_le32(h + HDR_FIXED + n));

	r->in_entry = true;
	r->name_len = n;
	r->data_len = e->data_len;
	r->data_got = 0;
	r->begins++;
	hash_begin(r, e->pcr, e->digest, e->name, n, e->data_len);
	return stop_here(r, CB_BEGIN) ? -ECANCELED : 0;
}

static int cb_data(void *ctx, const u8 *p, size_t len)
{
	struct run *r = ctx;
	u64 at;

	FUZZ_ASSERT(r->in_entry);
	FUZZ_ASSERT(len > 0);
	FUZZ_ASSERT(p >= r->piece && len <= r->piece_len &&
		    (size_t)(p - r->piece) <= r->piece_len - len);
	FUZZ_ASSERT(len <= r->data_len - r->data_got);
	at = r->entry_start + HDR_FIXED + r->name_len + 4 + r->data_got;
	FUZZ_ASSERT(at + len <= r->log_len);
	FUZZ_ASSERT(!memcmp(p, r->log + at, len));
	if (!r->data_got && stop_here(r, CB_DATA))
		return -ECANCELED;
	r->hash = fuzz_hash(r->hash, p, len);
	r->data_got += len;
	return 0;
}

static int cb_end(void *ctx)
{
	struct run *r = ctx;

	FUZZ_ASSERT(r->in_entry);
	FUZZ_ASSERT(r->data_got == r->data_len);
	r->in_entry = false;
	r->entry_start += HDR_FIXED + r->name_len + 4 + r->data_len;
	FUZZ_ASSERT(r->p->offset == r->entry_start);
	FUZZ_ASSERT(r->p->entries == r->ends);
	r->ends++;
	r->hash = fuzz_hash_u64(r->hash, CB_END);
	return stop_here(r, CB_END) ? -ECANCELED : 0;
}

static const struct ima_log_ops ops = {
	.begin = cb_begin,
	.data = cb_data,
	.end = cb_end,
};

static void run_init(struct run *r, const u8 *log, size_t len,
		     unsigned int ctl)
{
	memset(r, 0, sizeof(*r));
	r->log = log;
	r->log_len = len;
	r->stop_cb = ctl ? (int)((ctl - 1) % 3) : -1;
	r->stop_entry = ctl ? (ctl - 1) / 3 : 0;
	r->hash = FUZZ_HASH_INIT;
}

static void check_parser_state(const struct ima_log_parser *p)
{
	FUZZ_ASSERT(p->hdr_need <= IMA_LOG_HDR_MAX);
	FUZZ_ASSERT(p->hdr_len <= p->hdr_need);
	FUZZ_ASSERT(!p->in_data || p->hdr_len == p->hdr_need);
}

/* The kernel's parser, fed in pieces (@split NULL: one piece). */
static enum verdict run_kernel(struct run *r, struct fuzz_split *split,
			       char *msg, size_t msglen)
{
	struct ima_log_parser *p = malloc(sizeof(*p));
	size_t off = 0;
	enum verdict v = V_OK;
	int rc = 0;

	FUZZ_ASSERT(p);
	r->p = p;
	ima_log_init(p, &ops, r);
	do {
		size_t n = split ? fuzz_split_next(split, r->log_len - off)
				 : r->log_len - off;
		u8 *piece = fuzz_dup(r->log + off, n);

		r->piece = piece;
		r->piece_len = n;
		rc = ima_log_feed(p, piece, n);
		free(piece);
		check_parser_state(p);
		if (rc)
			break;
		off += n;
		FUZZ_ASSERT(p->offset == off);
	} while (off < r->log_len);

	if (!rc) {
		rc = ima_log_finish(p);
		if (!rc) {
			FUZZ_ASSERT(!r->in_entry && !p->in_data && !p->hdr_len);
			FUZZ_ASSERT(p->entries == r->ends);
			FUZZ_ASSERT(r->entry_start == r->log_len);
		} else {
			FUZZ_ASSERT(rc == -EBADMSG);
			FUZZ_ASSERT(p->in_data || p->hdr_len);
			v = V_TRUNC;
		}
		FUZZ_ASSERT(p->offset == r->log_len);
	} else if (rc == -ECANCELED) {
		FUZZ_ASSERT(r->stopped);
		v = V_STOP;
	} else {
		FUZZ_ASSERT(rc == -EBADMSG);
		FUZZ_ASSERT(!r->in_entry);	/* a header, never begun */
		FUZZ_ASSERT(p->entry_offset == r->entry_start);
		v = V_BAD;
	}
	FUZZ_ASSERT(r->stopped == (v == V_STOP));
	if (v == V_BAD || v == V_TRUNC) {
		FUZZ_ASSERT(memchr(p->msg, '\0', sizeof(p->msg)));
		FUZZ_ASSERT(p->msg[0]);
		FUZZ_ASSERT(p->entries == r->ends);
	}
	snprintf(msg, msglen, "%s", v == V_BAD || v == V_TRUNC ? p->msg : "");
	free(p);
	r->p = NULL;
	return v;
}

/* The format, walked over the whole log without the kernel's code. */
static enum verdict run_reference(struct run *r)
{
	const u8 *s = r->log;
	size_t pos = 0;

	for (;;) {
		size_t left = r->log_len - pos, hdr, avail;
		u32 pcr, name_len, data_len;
		const char *name;

		if (!left)
			return V_OK;
		if (left < HDR_FIXED)
			return V_TRUNC;
		name_len = fuzz_le32(s + pos + 4 + SHA1_DIGEST_SIZE);
		if (!name_len || name_len > IMA_LOG_NAME_MAX)
			return V_BAD;
		hdr = HDR_FIXED + name_len + 4;
		if (left < hdr)
			return V_TRUNC;
		name = (const char *)s + pos + HDR_FIXED;
		if (memchr(name, '\0', name_len))
			return V_BAD;
		if (name_len == 3 && !memcmp(name, "ima", 3))
			return V_BAD;
		pcr = fuzz_le32(s + pos);
		if (pcr >= TH_NR_PCRS)
			return V_BAD;
		data_len = fuzz_le32(s + pos + HDR_FIXED + name_len);
		if (data_len > IMA_LOG_DATA_MAX)
			return V_BAD;

		r->begins++;
		hash_begin(r, pcr, s + pos + 4, name, name_len, data_len);
		if (stop_here(r, CB_BEGIN))
			return V_STOP;
		avail = left - hdr < data_len ? left - hdr : data_len;
		if (avail) {
			if (stop_here(r, CB_DATA))
				return V_STOP;
			r->hash = fuzz_hash(r->hash, s + pos + hdr, avail);
		}
		if (avail < data_len)
			return V_TRUNC;
		r->ends++;
		r->hash = fuzz_hash_u64(r->hash, CB_END);
		if (stop_here(r, CB_END))
			return V_STOP;
		pos += hdr + data_len;
	}
}

/* The kernel's parser in pieces with no callback at all: what it returns. */
static enum verdict run_bare(const u8 *log, size_t len, struct fuzz_split *split,
			     u64 *entries)
{
	static const struct ima_log_ops none;
	struct ima_log_parser *p = malloc(sizeof(*p));
	enum verdict v = V_OK;
	size_t off = 0;
	int rc = 0;

	FUZZ_ASSERT(p);
	ima_log_init(p, &none, NULL);
	do {
		size_t n = fuzz_split_next(split, len - off);
		u8 *piece = fuzz_dup(log + off, n);

		rc = ima_log_feed(p, piece, n);
		free(piece);
		off += n;
	} while (!rc && off < len);
	if (rc)
		v = V_BAD;
	else if (ima_log_finish(p))
		v = V_TRUNC;
	FUZZ_ASSERT(rc == 0 || rc == -EBADMSG);
	*entries = p->entries;
	free(p);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split split, split2;
	struct run whole, pieces, ref;
	enum verdict vw, vp, vr;
	char mw[TH_ERRLEN], mp[TH_ERRLEN];
	u64 bare_entries;

	if (!fuzz_split_init(&split, &data, &size))
		return 0;
	split2 = split;

	run_init(&whole, data, size, split.ctl);
	vw = run_kernel(&whole, NULL, mw, sizeof(mw));
	run_init(&pieces, data, size, split.ctl);
	vp = run_kernel(&pieces, &split, mp, sizeof(mp));
	run_init(&ref, data, size, split.ctl);
	vr = run_reference(&ref);

	FUZZ_ASSERT(vw == vr);
	FUZZ_ASSERT(whole.hash == ref.hash);
	FUZZ_ASSERT(whole.begins == ref.begins && whole.ends == ref.ends);
	FUZZ_ASSERT(vp == vw);
	FUZZ_ASSERT(pieces.hash == whole.hash);
	FUZZ_ASSERT(pieces.begins == whole.begins && pieces.ends == whole.ends);
	FUZZ_ASSERT(!strcmp(mp, mw));

	/* No callbacks: the reference's verdict and entries, with no stop. */
	run_init(&ref, data, size, 0);
	vr = run_reference(&ref);
	FUZZ_ASSERT(run_bare(data, size, &split2, &bare_entries) == vr);
	FUZZ_ASSERT(bare_entries == ref.ends);
	return 0;
}
