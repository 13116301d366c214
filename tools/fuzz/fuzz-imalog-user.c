// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-imalog-user: tools/lib/imalog.c, the userspace IMA log parser and
 * replay that ima-replay and tpm-handoff verify run on logs they are given.
 *
 * Input: the split prefix of fuzz.h, then the log.  The prefix's high
 * nibble c, if not 0, makes the entry callback reject entry c (with a
 * message of its own if c is odd).
 *
 * The parser runs on the whole log in one piece and in the prefix's
 * pieces, and a reference walk written here from the format (imalog.h)
 * runs on the whole log; they must agree on the entries (hashed), on how
 * the log ends (complete, malformed, truncated, rejected) and the two
 * parser runs on the error, message included; so must a run in pieces
 * with no callback.  The callback checks every
 * entry against the log bytes at its offset: PCR, template digest and the
 * violation flag, name, template data (for "ima": file digest, length and
 * name) and the fields imalog_field_next() splits it into.  Then the
 * replay (libcrypto) runs on the same pieces: it may reject an entry the
 * parser accepts only for its template digest, never take more entries
 * than the parser, and its PCR values and watches stay within bounds.
 */
#define _POSIX_C_SOURCE 200809L
#include "imalog.h"
#include "fuzz.h"

#define HDR_LEN		(4 + IMALOG_SHA1_SIZE + 4)
#define IMA_HDR_LEN	(IMALOG_SHA1_SIZE + 4)

enum verdict { V_OK, V_BAD, V_TRUNC, V_STOP };

struct run {
	const uint8_t *log;
	size_t len;
	uint64_t stop;		/* entry number to reject; 0: none */
	uint64_t entries;
	uint64_t next;		/* offset of the next entry */
	uint64_t last;		/* offset of the last entry seen */
	uint64_t hash;
};

static void run_init(struct run *r, const uint8_t *log, size_t len,
		     unsigned int ctl)
{
	memset(r, 0, sizeof(*r));
	r->log = log;
	r->len = len;
	r->stop = ctl;
	r->hash = FUZZ_HASH_INIT;
}

static void hash_entry(struct run *r, uint32_t pcr, const uint8_t *digest,
		       const uint8_t *name, uint32_t name_len,
		       const uint8_t *data, uint32_t data_len)
{
	r->hash = fuzz_hash_u64(r->hash, pcr);
	r->hash = fuzz_hash(r->hash, digest, IMALOG_SHA1_SIZE);
	r->hash = fuzz_hash_u64(r->hash, name_len);
	r->hash = fuzz_hash(r->hash, name, name_len);
	r->hash = fuzz_hash_u64(r->hash, data_len);
	r->hash = fuzz_hash(r->hash, data, data_len);
}

static void check_fields(const uint8_t *data, uint32_t len)
{
	const uint8_t *f;
	uint32_t off = 0, flen, prev = 0;
	int rc;

	while ((rc = imalog_field_next(data, len, &off, &f, &flen)) == 1) {
		FUZZ_ASSERT(f == data + prev + 4);
		FUZZ_ASSERT(flen == fuzz_le32(data + prev));
		FUZZ_ASSERT(off == prev + 4 + flen && off <= len);
		prev = off;
	}
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(rc == 0 ? off == len : off == prev);
}

static int on_entry(void *arg, const struct imalog_entry *e,
		    struct imalog_error *err)
{
	static const uint8_t zero[IMALOG_SHA1_SIZE];
	struct run *r = arg;
	const uint8_t *h = r->log + r->next;
	uint32_t n, size;

	FUZZ_ASSERT(e->num == r->entries + 1);
	FUZZ_ASSERT(e->offset == r->next);
	FUZZ_ASSERT(r->next + HDR_LEN <= r->len);
	FUZZ_ASSERT(e->pcr < IMALOG_MAX_PCRS && e->pcr == fuzz_le32(h));
	FUZZ_ASSERT(!memcmp(e->template_digest, h + 4, IMALOG_SHA1_SIZE));
	FUZZ_ASSERT(e->violation == !memcmp(e->template_digest, zero, IMALOG_SHA1_SIZE));
	n = fuzz_le32(h + 4 + IMALOG_SHA1_SIZE);
	FUZZ_ASSERT(n >= 1 && n <= IMALOG_NAME_MAX);
	FUZZ_ASSERT(memchr(e->name, '\0', sizeof(e->name)) == e->name + n);
	FUZZ_ASSERT(r->next + HDR_LEN + n <= r->len);
	FUZZ_ASSERT(!memcmp(e->name, h + HDR_LEN, n));
	for (uint32_t i = 0; i < n; i++)
		FUZZ_ASSERT(e->name[i] > 0x20 && e->name[i] < 0x7f);
	FUZZ_ASSERT(e->ima_template == !strcmp(e->name, "ima"));
	if (e->ima_template) {
		FUZZ_ASSERT(e->data_len >= IMA_HDR_LEN &&
			    e->data_len <= IMA_HDR_LEN + IMALOG_NAME_MAX);
		FUZZ_ASSERT(e->data_len == IMA_HDR_LEN + fuzz_le32(e->data + IMALOG_SHA1_SIZE));
		size = HDR_LEN + n + e->data_len;
		FUZZ_ASSERT(r->next + size <= r->len);
		FUZZ_ASSERT(!memcmp(e->data, h + HDR_LEN + n, e->data_len));
	} else {
		FUZZ_ASSERT(e->data_len >= 1 && e->data_len <= IMALOG_DATA_MAX);
		FUZZ_ASSERT(r->next + HDR_LEN + n + 4 <= r->len);
		FUZZ_ASSERT(e->data_len == fuzz_le32(h + HDR_LEN + n));
		size = HDR_LEN + n + 4 + e->data_len;
		FUZZ_ASSERT(r->next + size <= r->len);
		FUZZ_ASSERT(!memcmp(e->data, h + HDR_LEN + n + 4, e->data_len));
		check_fields(e->data, e->data_len);
	}
	hash_entry(r, e->pcr, e->template_digest, (const uint8_t *)e->name, n,
		   e->data, e->data_len);
	r->entries++;
	r->last = r->next;
	r->next += size;
	if (e->num == r->stop) {
		if (r->stop & 1)	/* else the parser's own words */
			snprintf(err->msg, sizeof(err->msg), "stop");
		return 1;
	}
	return 0;
}

static enum verdict run_parser(struct run *r, struct fuzz_split *split,
			       struct imalog_error *err)
{
	struct imalog_parser *p = imalog_parser_new(on_entry, r);
	const struct imalog_error *e;
	enum verdict v = V_OK;
	size_t off = 0;
	int rc = 0;

	FUZZ_ASSERT(p);
	do {
		size_t n = split ? fuzz_split_next(split, r->len - off) : r->len - off;
		uint8_t *piece = fuzz_dup(r->log + off, n);

		rc = imalog_parser_feed(p, piece, n);
		free(piece);
		if (rc)
			break;
		off += n;
		FUZZ_ASSERT(imalog_parser_offset(p) == off);
	} while (off < r->len);
	if (rc) {
		FUZZ_ASSERT(rc == -1);
		v = r->stop && r->entries == r->stop ? V_STOP : V_BAD;
		/* sticky */
		FUZZ_ASSERT(imalog_parser_feed(p, "", 0) == -1);
		FUZZ_ASSERT(imalog_parser_finish(p) == -1);
	} else {
		rc = imalog_parser_finish(p);
		FUZZ_ASSERT(rc == 0 || rc == -1);
		if (rc)
			v = V_TRUNC;
		else
			FUZZ_ASSERT(r->next == r->len);
	}
	FUZZ_ASSERT(imalog_parser_entries(p) == r->entries - (v == V_STOP));
	e = imalog_parser_error(p);
	FUZZ_ASSERT(!e == (v == V_OK));
	memset(err, 0, sizeof(*err));
	if (e) {
		FUZZ_ASSERT(memchr(e->msg, '\0', sizeof(e->msg)) && e->msg[0]);
		FUZZ_ASSERT(e->entry == imalog_parser_entries(p) + 1);
		if (v == V_STOP) {
			FUZZ_ASSERT(e->offset == r->last);
			FUZZ_ASSERT(strstr(e->msg, r->stop & 1 ? ": stop" :
					   ": rejected by the caller"));
		} else {
			FUZZ_ASSERT(e->offset >= r->next && e->offset <= r->len);
		}
		*err = *e;
	}
	imalog_parser_free(p);
	return v;
}

/* The parser in pieces with no callback: what it returns. */
static enum verdict run_bare(const uint8_t *log, size_t len,
			     struct fuzz_split *split, uint64_t *entries)
{
	struct imalog_parser *p = imalog_parser_new(NULL, NULL);
	enum verdict v = V_OK;
	size_t off = 0;
	int rc = 0;

	FUZZ_ASSERT(p);
	do {
		size_t n = fuzz_split_next(split, len - off);
		uint8_t *piece = fuzz_dup(log + off, n);

		rc = imalog_parser_feed(p, piece, n);
		free(piece);
		off += n;
	} while (!rc && off < len);
	if (rc)
		v = V_BAD;
	else if (imalog_parser_finish(p))
		v = V_TRUNC;
	*entries = imalog_parser_entries(p);
	imalog_parser_free(p);
	return v;
}

static bool printable(const uint8_t *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

/* The format, walked over the whole log without imalog.c's code. */
static enum verdict run_reference(struct run *r)
{
	const uint8_t *s = r->log;

	for (;;) {
		size_t pos = r->next, left = r->len - pos, size;
		uint32_t pcr, n, dl;
		const uint8_t *data;

		if (!left)
			return V_OK;
		if (left < HDR_LEN)
			return V_TRUNC;
		pcr = fuzz_le32(s + pos);
		n = fuzz_le32(s + pos + 4 + IMALOG_SHA1_SIZE);
		if (pcr >= IMALOG_MAX_PCRS || !n || n > IMALOG_NAME_MAX)
			return V_BAD;
		if (left < HDR_LEN + n)
			return V_TRUNC;
		if (!printable(s + pos + HDR_LEN, n))
			return V_BAD;
		if (n == 3 && !memcmp(s + pos + HDR_LEN, "ima", 3)) {
			if (left < HDR_LEN + n + IMA_HDR_LEN)
				return V_TRUNC;
			dl = fuzz_le32(s + pos + HDR_LEN + n + IMALOG_SHA1_SIZE);
			if (dl > IMALOG_NAME_MAX)
				return V_BAD;
			dl += IMA_HDR_LEN;
			data = s + pos + HDR_LEN + n;
			size = HDR_LEN + n + dl;
		} else {
			if (left < HDR_LEN + n + 4)
				return V_TRUNC;
			dl = fuzz_le32(s + pos + HDR_LEN + n);
			if (!dl || dl > IMALOG_DATA_MAX)
				return V_BAD;
			data = s + pos + HDR_LEN + n + 4;
			size = HDR_LEN + n + 4 + dl;
		}
		if (left < size)
			return V_TRUNC;
		hash_entry(r, pcr, s + pos + 4, s + pos + HDR_LEN, n, data, dl);
		r->entries++;
		r->next += size;
		if (r->entries == r->stop)
			return V_STOP;
	}
}

/* @parsed, @pv: the reference's walk of the log, with no entry rejected. */
static void run_replay(const struct run *parsed, enum verdict pv,
		       const uint8_t *log, size_t len, struct fuzz_split *split)
{
	struct imalog_replay *r = imalog_replay_new();
	struct imalog_match m;
	const struct imalog_error *e;
	size_t off = 0;
	int rc = 0;

	FUZZ_ASSERT(r);
	memset(&m, 0, sizeof(m));
	m.pcr = 10;
	m.bank = IMALOG_SHA256;
	m.at = 1;
	FUZZ_ASSERT(!imalog_replay_watch(r, &m));
	for (int i = 0; i < IMALOG_NR_INTERP; i++)
		FUZZ_ASSERT(m.found[i].first == 0 && m.found[i].in_run);
	do {
		size_t n = fuzz_split_next(split, len - off);
		uint8_t *piece = fuzz_dup(log + off, n);

		rc = imalog_replay_feed(r, piece, n);
		free(piece);
		off += n;
	} while (!rc && off < len);
	if (!rc)
		rc = imalog_replay_finish(r);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	e = imalog_replay_error(r);
	FUZZ_ASSERT(!e == !rc);
	/* The parsed entries, as far as their template digests hold. */
	FUZZ_ASSERT(imalog_replay_entries(r) <= parsed->entries);
	if (!rc)
		FUZZ_ASSERT(pv == V_OK && imalog_replay_entries(r) == parsed->entries);
	else if (e->entry <= parsed->entries)
		FUZZ_ASSERT(strstr(e->msg, "template digest does not match"));
	else
		FUZZ_ASSERT(pv != V_OK && e->entry == parsed->entries + 1);
	FUZZ_ASSERT(!(imalog_replay_pcrs_seen(r) >> IMALOG_MAX_PCRS));
	for (unsigned int p = 0; p < IMALOG_MAX_PCRS; p++)
		for (int b = IMALOG_SHA1; b <= IMALOG_SHA512; b++)
			FUZZ_ASSERT(imalog_replay_pcr(r, p, b, IMALOG_PADDED_SHA1));
	FUZZ_ASSERT(!imalog_replay_pcr(r, IMALOG_MAX_PCRS, IMALOG_SHA1, 0));
	for (int i = 0; i < IMALOG_NR_INTERP; i++)
		FUZZ_ASSERT(m.found[i].first == 0 && m.found[i].last <= imalog_replay_entries(r));
	imalog_replay_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split split, split2, split3;
	uint64_t bare_entries;
	struct run whole, pieces, ref, full;
	struct imalog_error ew, ep;
	enum verdict vw, vp, vr, vf;

	if (!fuzz_split_init(&split, &data, &size))
		return 0;
	split2 = split;
	split3 = split;

	run_init(&whole, data, size, split.ctl);
	vw = run_parser(&whole, NULL, &ew);
	run_init(&pieces, data, size, split.ctl);
	vp = run_parser(&pieces, &split, &ep);
	run_init(&ref, data, size, split.ctl);
	vr = run_reference(&ref);

	FUZZ_ASSERT(vw == vr);
	FUZZ_ASSERT(whole.hash == ref.hash && whole.entries == ref.entries);
	FUZZ_ASSERT(vp == vw);
	FUZZ_ASSERT(pieces.hash == whole.hash && pieces.entries == whole.entries);
	FUZZ_ASSERT(ep.entry == ew.entry && ep.offset == ew.offset);
	FUZZ_ASSERT(!strcmp(ep.msg, ew.msg));

	run_init(&full, data, size, 0);
	vf = run_reference(&full);
	FUZZ_ASSERT(run_bare(data, size, &split3, &bare_entries) == vf);
	FUZZ_ASSERT(bare_entries == full.entries);
	run_replay(&full, vf, data, size, &split2);
	return 0;
}
