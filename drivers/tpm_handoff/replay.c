// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replay of the IMA measurement list: the digest IMA extended into each PCR
 * bank for each entry, the running PCR values, and the search for the cut
 * point (the prefix of the log that a snapshot of the pTPM's PCRs covers).
 *
 * How Linux 6.1 IMA extends (security/integrity/ima/ima_crypto.c,
 * ima_calc_field_array_hash(), and ima_queue.c):
 *  - for a bank whose hash IMA allocated at boot, the digest is that hash
 *    over the template data exactly as the binary log serialises it;
 *  - for a bank whose hash it could not allocate, the digest is the SHA-1
 *    template digest, zero-padded to the bank's size;
 *  - a violation is logged with an all-zero template digest and extends
 *    0xff..ff into every bank.
 * Which banks were padded was decided at boot and is not visible to a
 * module, so every bank is replayed both ways (TH_KIND_HASH and
 * TH_KIND_PADDED) and the cut-point search picks, per bank, the kind that
 * reproduces the snapshot.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <crypto/hash.h>
#include <crypto/hash_info.h>

#include "tpm_handoff.h"

const char *const th_kind_name[TH_NR_KINDS] = {
	[TH_KIND_HASH] = "template-hash",
	[TH_KIND_PADDED] = "padded-sha1",
};

/**
 * struct th_replay - replay state
 * @banks: the banks replayed, in the pTPM's order
 * @tfm: per bank, the kernel hash for that bank's algorithm
 * @desc: per bank, the hash of the current entry's template data
 * @sha1: SHA-1 over the template data, to check the logged digest
 * @parser: the binary log parser
 * @entry: header of the current entry
 * @violation: the current entry is a violation
 * @digest: per bank and kind, the current entry's digest
 * @pcr: running values, pcr[p][bank][kind]
 * @pcr_mask: PCRs that some entry extended
 * @prev: the value of the last entry's PCR before that entry, per bank and
 *	  kind: with @pcr it gives the state one entry back
 * @prev_pcr: the last entry's PCR
 * @prev_mask: @pcr_mask before the last entry
 * @fn: per-entry callback of the current feed
 * @fn_ctx: its argument
 * @err: why the replay failed
 */
struct th_replay {
	struct th_banks banks;
	struct crypto_shash *tfm[TH_MAX_BANKS];
	struct shash_desc *desc[TH_MAX_BANKS];
	struct shash_desc *sha1;
	struct ima_log_parser parser;
	struct ima_log_entry entry;
	bool violation;
	u8 digest[TH_MAX_BANKS][TH_NR_KINDS][TH_MAX_DIGEST];
	u8 pcr[TH_NR_PCRS][TH_MAX_BANKS][TH_NR_KINDS][TH_MAX_DIGEST];
	u32 pcr_mask;
	u8 prev[TH_MAX_BANKS][TH_NR_KINDS][TH_MAX_DIGEST];
	u32 prev_pcr;
	u32 prev_mask;
	th_entry_fn fn;
	void *fn_ctx;
	char err[TH_ERRLEN];
};

static const struct {
	u16 alg;
	enum hash_algo hash;
	const char *name;
} th_algs[] = {
	{ TPM_ALG_SHA1, HASH_ALGO_SHA1, "sha1" },
	{ TPM_ALG_SHA256, HASH_ALGO_SHA256, "sha256" },
	{ TPM_ALG_SHA384, HASH_ALGO_SHA384, "sha384" },
	{ TPM_ALG_SHA512, HASH_ALGO_SHA512, "sha512" },
	{ TPM_ALG_SM3_256, HASH_ALGO_SM3_256, "sm3_256" },
};

/**
 * th_alg_name() - name of a TPM hash algorithm, as sysfs spells banks
 * @alg: TPM_ALG_* id
 *
 * Return: "sha256" and so on, or "unknown".
 */
const char *th_alg_name(u16 alg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(th_algs); i++)
		if (th_algs[i].alg == alg)
			return th_algs[i].name;
	return "unknown";
}

static struct shash_desc *desc_alloc(struct crypto_shash *tfm)
{
	struct shash_desc *d;

	d = kzalloc(sizeof(*d) + crypto_shash_descsize(tfm), GFP_KERNEL);
	if (d)
		d->tfm = tfm;
	return d;
}

static void tfm_free(struct crypto_shash *tfm)
{
	if (!IS_ERR_OR_NULL(tfm))
		crypto_free_shash(tfm);
}

/**
 * th_replay_alloc() - set up a replay for a set of banks
 * @banks: the banks, in the order of the chip IMA extends
 * @err: TH_ERRLEN bytes for the reason of a failure
 *
 * Allocates every hash up front: once the barrier is up, allocating one
 * could load a module, and loading a module is measured by IMA, which
 * waits for the barrier.
 *
 * Return: the replay, or an ERR_PTR.
 */
struct th_replay *th_replay_alloc(const struct th_banks *banks, char *err)
{
	struct th_replay *r;
	struct crypto_shash *sha1;
	unsigned int b, i;
	int rc = -ENOMEM;

	r = kvzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		snprintf(err, TH_ERRLEN, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	r->banks = *banks;

	for (b = 0; b < banks->nr; b++) {
		const char *hash = NULL;

		for (i = 0; i < ARRAY_SIZE(th_algs); i++)
			if (th_algs[i].alg == banks->alg[b])
				hash = hash_algo_name[th_algs[i].hash];
		if (!hash || banks->size[b] > TH_MAX_DIGEST ||
		    banks->size[b] < SHA1_DIGEST_SIZE) {
			snprintf(err, TH_ERRLEN,
				 "PCR bank 0x%04x is not supported",
				 banks->alg[b]);
			rc = -EOPNOTSUPP;
			goto fail;
		}
		r->tfm[b] = crypto_alloc_shash(hash, 0, 0);
		if (IS_ERR(r->tfm[b])) {
			rc = PTR_ERR(r->tfm[b]);
			snprintf(err, TH_ERRLEN,
				 "cannot allocate %s for the %s bank (%d)",
				 hash, th_alg_name(banks->alg[b]), rc);
			goto fail;
		}
		if (crypto_shash_digestsize(r->tfm[b]) != banks->size[b]) {
			snprintf(err, TH_ERRLEN,
				 "%s digests are not %u bytes", hash,
				 banks->size[b]);
			rc = -EINVAL;
			goto fail;
		}
		r->desc[b] = desc_alloc(r->tfm[b]);
		if (!r->desc[b])
			goto fail_nomem;
	}

	sha1 = crypto_alloc_shash("sha1", 0, 0);
	if (IS_ERR(sha1)) {
		rc = PTR_ERR(sha1);
		snprintf(err, TH_ERRLEN, "cannot allocate sha1 (%d)", rc);
		goto fail;
	}
	r->sha1 = desc_alloc(sha1);
	if (!r->sha1) {
		crypto_free_shash(sha1);
		goto fail_nomem;
	}
	th_replay_reset(r);
	return r;

fail_nomem:
	snprintf(err, TH_ERRLEN, "out of memory");
fail:
	th_replay_free(r);
	return ERR_PTR(rc);
}

/**
 * th_replay_free() - free a replay
 * @r: the replay, or NULL
 */
void th_replay_free(struct th_replay *r)
{
	unsigned int b;

	if (!r)
		return;
	for (b = 0; b < TH_MAX_BANKS; b++) {
		kfree_sensitive(r->desc[b]);
		tfm_free(r->tfm[b]);
	}
	if (r->sha1) {
		crypto_free_shash(r->sha1->tfm);
		kfree_sensitive(r->sha1);
	}
	kvfree(r);
}

static int rp_begin(void *ctx, const struct ima_log_entry *e)
{
	struct th_replay *r = ctx;
	unsigned int b;
	int rc;

	r->entry = *e;
	r->violation = !memchr_inv(e->digest, 0, SHA1_DIGEST_SIZE);
	rc = crypto_shash_init(r->sha1);
	for (b = 0; !rc && b < r->banks.nr; b++)
		rc = crypto_shash_init(r->desc[b]);
	return rc;
}

static int rp_data(void *ctx, const u8 *p, size_t len)
{
	struct th_replay *r = ctx;
	unsigned int b;
	int rc;

	rc = crypto_shash_update(r->sha1, p, len);
	for (b = 0; !rc && b < r->banks.nr; b++)
		rc = crypto_shash_update(r->desc[b], p, len);
	return rc;
}

/* pcr = H(pcr || digest) in bank b, for one kind. */
static int extend_one(struct th_replay *r, unsigned int b, u8 *pcr,
		      const u8 *digest)
{
	struct shash_desc *d = r->desc[b];
	int rc;

	rc = crypto_shash_init(d);
	if (!rc)
		rc = crypto_shash_update(d, pcr, r->banks.size[b]);
	if (!rc)
		rc = crypto_shash_update(d, digest, r->banks.size[b]);
	if (!rc)
		rc = crypto_shash_final(d, pcr);
	return rc;
}

/**
 * th_replay_extend() - extend a PCR value in software
 * @r: a replay (for its hashes); not in the middle of an entry, so use one
 *     of its own or call between th_replay_stream() runs
 * @bank: the bank, in @r's order
 * @pcr: the value, updated to H(@pcr || @digest)
 * @digest: the bank's digest size of bytes
 *
 * Return: 0 or the hash's error.
 */
int th_replay_extend(struct th_replay *r, unsigned int bank, u8 *pcr,
		     const u8 *digest)
{
	return extend_one(r, bank, pcr, digest);
}

static int rp_end(void *ctx)
{
	struct th_replay *r = ctx;
	struct ima_log_parser *p = &r->parser;
	u8 sha1[SHA1_DIGEST_SIZE];
	u64 index = p->entries;
	unsigned int b, k;
	int rc;

	rc = crypto_shash_final(r->sha1, sha1);
	for (b = 0; !rc && b < r->banks.nr; b++) {
		u16 size = r->banks.size[b];

		rc = crypto_shash_final(r->desc[b], r->digest[b][TH_KIND_HASH]);
		memset(r->digest[b][TH_KIND_PADDED], 0, TH_MAX_DIGEST);
		memcpy(r->digest[b][TH_KIND_PADDED], r->entry.digest,
		       SHA1_DIGEST_SIZE);
		if (r->violation)
			for (k = 0; k < TH_NR_KINDS; k++)
				memset(r->digest[b][k], 0xff, size);
	}
	if (rc)
		return rc;

	if (!r->violation && memcmp(sha1, r->entry.digest, SHA1_DIGEST_SIZE)) {
		snprintf(r->err, sizeof(r->err),
			 "IMA log entry %llu at offset %llu: the template digest does not match the template data",
			 index, p->entry_offset);
		return -EBADMSG;
	}

	if (r->fn) {
		rc = r->fn(r->fn_ctx, r, index, r->entry.pcr);
		if (rc)
			return rc;
	}

	memcpy(r->prev, r->pcr[r->entry.pcr], sizeof(r->prev));
	r->prev_pcr = r->entry.pcr;
	r->prev_mask = r->pcr_mask;
	r->pcr_mask |= BIT(r->entry.pcr);
	for (b = 0; b < r->banks.nr; b++)
		for (k = 0; k < TH_NR_KINDS; k++) {
			rc = extend_one(r, b, r->pcr[r->entry.pcr][b][k],
					r->digest[b][k]);
			if (rc)
				return rc;
		}
	return 0;
}

static const struct ima_log_ops rp_ops = {
	.begin = rp_begin,
	.data = rp_data,
	.end = rp_end,
};

/**
 * th_replay_reset() - start over: all PCRs zero, no entry seen
 * @r: the replay
 */
void th_replay_reset(struct th_replay *r)
{
	memset(r->pcr, 0, sizeof(r->pcr));
	memset(r->prev, 0, sizeof(r->prev));
	r->prev_pcr = 0;
	r->prev_mask = 0;
	r->pcr_mask = 0;
	r->err[0] = '\0';
	ima_log_init(&r->parser, &rp_ops, r);
}

/**
 * th_replay_digest() - the current entry's digest in one bank
 * @r: the replay, inside a th_entry_fn
 * @bank: bank index
 * @kind: which interpretation
 *
 * Return: @r->banks.size[bank] bytes.
 */
const u8 *th_replay_digest(const struct th_replay *r, unsigned int bank,
			   enum th_kind kind)
{
	return r->digest[bank][kind];
}

/**
 * th_replay_value() - a running PCR value
 * @r: the replay
 * @pcr: PCR index
 * @bank: bank index
 * @kind: which interpretation
 *
 * Return: the value after the entries replayed so far.
 */
const u8 *th_replay_value(const struct th_replay *r, u32 pcr,
			  unsigned int bank, enum th_kind kind)
{
	return r->pcr[pcr][bank][kind];
}

/**
 * th_replay_entries() - how many entries were replayed
 * @r: the replay
 *
 * Return: the count.
 */
u64 th_replay_entries(const struct th_replay *r)
{
	return r->parser.entries;
}

/**
 * th_replay_pcrs() - PCRs that the replayed entries extended
 * @r: the replay
 *
 * Return: a bit mask of PCR indexes.
 */
u32 th_replay_pcrs(const struct th_replay *r)
{
	return r->pcr_mask;
}

struct cut_search {
	const struct th_pcr_values *snap;
	struct th_cands cands;
};

/**
 * th_replay_size() - memory a replay takes
 *
 * Return: bytes.
 */
size_t th_replay_size(void)
{
	return sizeof(struct th_replay);
}

/**
 * th_cut_search_size() - memory th_find_cut() takes while it runs
 *
 * Return: bytes.
 */
size_t th_cut_search_size(void)
{
	return sizeof(struct cut_search);
}

/**
 * th_replay_pcrs_back() - th_replay_pcrs() one entry back
 * @r: the replay, after at least one entry
 *
 * Return: the PCRs that the entries before the last one extended.
 */
u32 th_replay_pcrs_back(const struct th_replay *r)
{
	return r->prev_mask;
}

/**
 * th_replay_banks() - the banks replayed
 * @r: the replay
 *
 * Return: the banks, in the pTPM's order.
 */
const struct th_banks *th_replay_banks(const struct th_replay *r)
{
	return &r->banks;
}

/**
 * th_replay_error() - why the replay failed, for people
 * @r: the replay
 *
 * Return: a message, empty if none was set.
 */
const char *th_replay_error(const struct th_replay *r)
{
	return r->err[0] ? r->err : r->parser.msg;
}

/**
 * th_replay_feed() - replay the next bytes of the log
 * @r: the replay
 * @buf: the bytes
 * @len: how many
 * @fn: called for every entry completed by these bytes, or NULL
 * @ctx: its argument
 *
 * Return: 0 or a negative errno (th_replay_error() says why).
 */
int th_replay_feed(struct th_replay *r, const u8 *buf, size_t len,
		   th_entry_fn fn, void *ctx)
{
	int rc;

	r->fn = fn;
	r->fn_ctx = ctx;
	rc = ima_log_feed(&r->parser, buf, len);
	r->fn = NULL;
	return rc;
}

/**
 * th_replay_finish() - the log ended
 * @r: the replay
 *
 * Return: 0, or -EBADMSG if it ended inside an entry.
 */
int th_replay_finish(struct th_replay *r)
{
	return ima_log_finish(&r->parser);
}

/**
 * th_replay_stream() - replay a whole log from a reader
 * @r: the replay (reset by the caller)
 * @read: reads the log
 * @src: its argument
 * @chunk: a buffer for the reader
 * @chunk_len: its size
 * @fn: per-entry callback, or NULL
 * @ctx: its argument
 *
 * Return: 0, a negative errno from the reader or the callback, or
 * -EBADMSG for a malformed log.
 */
int th_replay_stream(struct th_replay *r, th_read_fn read, void *src,
		     u8 *chunk, size_t chunk_len, th_entry_fn fn, void *ctx)
{
	for (;;) {
		ssize_t n = read(src, chunk, chunk_len);
		int rc;

		if (n < 0) {
			snprintf(r->err, sizeof(r->err),
				 "cannot read the IMA log (%zd)", n);
			return n;
		}
		if (!n)
			return th_replay_finish(r);
		rc = th_replay_feed(r, chunk, n, fn, ctx);
		if (rc)
			return rc;
	}
}

/*
 * Does the running state reproduce @snap in every bank for every PCR in
 * @mask?  Per bank, either kind may; @kind gets the one that does.
 */
static bool replay_matches(const struct th_replay *r,
			   const struct th_pcr_values *snap, u32 mask,
			   u8 *kind)
{
	unsigned int b, k;
	u32 p;

	for (b = 0; b < r->banks.nr; b++) {
		for (k = 0; k < TH_NR_KINDS; k++) {
			bool all = true;

			for (p = 0; p < TH_NR_PCRS && all; p++)
				if (mask & BIT(p))
					all = !memcmp(r->pcr[p][b][k],
						      snap->val[b][p],
						      r->banks.size[b]);
			if (all)
				break;
		}
		if (k == TH_NR_KINDS)
			return false;
		kind[b] = k;
	}
	return true;
}

/**
 * th_cands_add() - note a prefix whose PCRs so far equal the snapshot
 * @s: the candidates
 * @prefix: the prefix length
 * @mask: the PCRs extended in that prefix (and 10)
 * @kind: per bank, the digest kind that matched
 *
 * A prefix is a candidate when every PCR it extends equals the snapshot.
 * Whether it is the cut depends on PCRs that only later entries extend
 * (they must be zero in the snapshot), which is known only at the end of
 * the log: th_cands_pick() decides then.  Two candidates with the same
 * mask would need the entries between them to leave those PCRs unchanged,
 * which a hash chain does not, so there is at most one per mask, and masks
 * only grow: TH_MAX_CANDS is enough.
 */
void th_cands_add(struct th_cands *s, u64 prefix, u32 mask, const u8 *kind)
{
	struct th_cand *c;

	if (s->n == TH_MAX_CANDS)
		return;
	c = &s->c[s->n++];
	c->prefix = prefix;
	c->mask = mask;
	memcpy(c->kind, kind, sizeof(c->kind));
}

/**
 * th_cands_pick() - the cut among the candidates
 * @s: the candidates, in prefix order
 * @mask: every PCR the whole log extends (and 10)
 * @snap: the snapshot
 * @banks: its banks
 *
 * Return: the first candidate after which no PCR of @mask that is still
 * to be extended has a non-zero snapshot value, or NULL.
 */
const struct th_cand *th_cands_pick(const struct th_cands *s, u32 mask,
				    const struct th_pcr_values *snap,
				    const struct th_banks *banks)
{
	unsigned int i, b;
	u32 later, p;

	for (i = 0; i < s->n; i++) {
		bool zero = true;

		later = mask & ~s->c[i].mask;
		for (p = 0; p < TH_NR_PCRS; p++)
			for (b = 0; (later & BIT(p)) && b < banks->nr; b++)
				if (memchr_inv(snap->val[b][p], 0,
					       banks->size[b]))
					zero = false;
		if (zero)
			return &s->c[i];
	}
	return NULL;
}

static void cut_check(struct cut_search *s, struct th_replay *r, u64 prefix)
{
	u32 mask = r->pcr_mask | BIT(TH_IMA_PCR);
	u8 kind[TH_MAX_BANKS] = { 0 };

	if (replay_matches(r, s->snap, mask, kind))
		th_cands_add(&s->cands, prefix, mask, kind);
}

/* Before entry @index takes effect: does the prefix [0, index) match? */
static int cut_entry(void *ctx, struct th_replay *r, u64 index, u32 pcr)
{
	cut_check(ctx, r, index);
	return 0;
}

/**
 * th_find_cut() - find the prefix of the log that a snapshot covers
 * @r: a replay, reset by the caller
 * @read: reads the log from its start
 * @src: its argument
 * @chunk: a buffer for the reader
 * @chunk_len: its size
 * @snap: the pTPM's PCRs, in @r's banks
 * @cut: the result
 *
 * Replays the whole log and checks after every prefix whether the running
 * values of PCR 10 and of every PCR the log extends equal the snapshot, in
 * every bank (each bank with either digest kind).  The first prefix that
 * does is the cut: a PCR that the log extends only after it must be zero
 * in the snapshot.
 *
 * Return: 0 (whether or not a cut was found: see @cut->found), or a
 * negative errno if the log could not be read or parsed.
 */
int th_find_cut(struct th_replay *r, th_read_fn read, void *src, u8 *chunk,
		size_t chunk_len, const struct th_pcr_values *snap,
		struct th_cut *cut)
{
	struct cut_search *s;
	const struct th_cand *c;
	int rc;

	memset(cut, 0, sizeof(*cut));
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->snap = snap;
	rc = th_replay_stream(r, read, src, chunk, chunk_len, cut_entry, s);
	if (rc)
		goto out;
	cut_check(s, r, th_replay_entries(r));	/* the whole log */

	cut->entries = th_replay_entries(r);
	cut->pcr_mask = r->pcr_mask | BIT(TH_IMA_PCR);
	c = th_cands_pick(&s->cands, cut->pcr_mask, snap, &r->banks);
	if (c) {
		cut->found = true;
		cut->cut = c->prefix;
		memcpy(cut->kind, c->kind, sizeof(cut->kind));
	}
out:
	kfree(s);
	return rc;
}

/**
 * th_replay_match() - do the running values equal a set of PCR values?
 * @r: the replay
 * @v: the values, in @r's banks
 * @mask: the PCRs to compare
 * @kind: per bank, the digest kind to compare
 * @back: compare the state one entry back (before the last entry), which
 *	  must exist
 *
 * Return: true if every PCR in @mask equals @v in every bank.
 */
bool th_replay_match(const struct th_replay *r, const struct th_pcr_values *v,
		     u32 mask, const u8 *kind, bool back)
{
	unsigned int b;
	const u8 *val;
	u32 p;

	for (p = 0; p < TH_NR_PCRS; p++) {
		if (!(mask & BIT(p)))
			continue;
		for (b = 0; b < r->banks.nr; b++) {
			if (back && p == r->prev_pcr)
				val = r->prev[b][kind[b]];
			else
				val = r->pcr[p][b][kind[b]];
			if (memcmp(val, v->val[b][p], r->banks.size[b]))
				return false;
		}
	}
	return true;
}

/**
 * th_pcrs_equal() - compare two sets of PCR values
 * @a: one set
 * @b: the other, in the same banks
 * @mask: the PCRs to compare
 * @bad_pcr: the first PCR that differs
 * @bad_bank: and its bank
 *
 * Return: true if every PCR in @mask is equal in every bank.
 */
bool th_pcrs_equal(const struct th_pcr_values *a,
		   const struct th_pcr_values *b, u32 mask, u32 *bad_pcr,
		   unsigned int *bad_bank)
{
	unsigned int k;
	u32 p;

	for (p = 0; p < TH_NR_PCRS; p++) {
		if (!(mask & BIT(p)))
			continue;
		for (k = 0; k < a->banks.nr; k++) {
			if (memcmp(a->val[k][p], b->val[k][p],
				   a->banks.size[k])) {
				*bad_pcr = p;
				*bad_bank = k;
				return false;
			}
		}
	}
	return true;
}
