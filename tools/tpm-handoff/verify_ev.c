// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff verify --evidence FILE --ptpm-key PUB --nonce HEX: the chain
 * of trust across the handoff, checked offline from the evidence file
 * (tpm-handoff attest) with no TPM (Documentation/attestation.rst, "What
 * a verifier checks").  The links, in order; the first that fails is the
 * verdict, "verify: FAIL: LINK: why":
 *
 *   pTPM key               the evidence's is the verifier's (--ptpm-key)
 *   handoff quote          signed by it: a quote
 *   vTPM key               an attestation key
 *   vTPM quote             signed by it: a quote
 *   nonce                  the vTPM quote's qualifying data is --nonce
 *   record in the log      the IMA log's one tpm_handoff entry, on PCR
 *                          10 (its digest matches; the record parses),
 *                          carries this handoff quote
 *   binding                the handoff quote's qualifying data binds
 *                          everything of the record used below (cut,
 *                          snapshot, vtpm_ak_name, the vTPM's counts, IMA's
 *                          and the bound PCRs, the digest kinds), and its
 *                          PCR digest is the snapshot's
 *   vTPM key binding       the vTPM key's name is vtpm_ak_name
 *   vTPM restarts          the vTPM quote's resetCount and restartCount
 *                          are the record's (no reset or restart since),
 *                          or those of the log's last re-mirror entry
 *                          after the record's (a vTPM that was replaced
 *                          and brought back to the log by the module:
 *                          reported)
 *   IMA log prefix         entries [0, cut) give the snapshot's IMA PCRs,
 *                          extend no other PCR, and the record's entry
 *                          comes after them
 *   firmware log           the event log gives the replayed firmware PCRs
 *   vTPM quote PCRs        the same PCRs and banks as the handoff quote,
 *                          and the evidence's values give its digest
 *   vTPM firmware PCRs     what the handoff mirrored into them
 *   whole IMA log          a prefix of the whole log, the record's entry
 *                          included, gives the vTPM quote's IMA PCRs, and
 *                          no entry extends another PCR
 *
 * The record comes from the IMA log, not from the evidence's "record"
 * (which is for people): the log's copy is covered by the vTPM quote.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "fwlog.h"
#include "imarec.h"
#include "logreplay.h"
#include "record.h"
#include "record_int.h"	/* cli_rec_parse_pcr_list() */
#include "tpmobj.h"
#include "util.h"
#include "verify.h"	/* CLI_IMA_PCR */

enum { EV_OK, EV_FAIL, EV_INPUT };

struct vev {
	const struct cli_opts *o;
	struct cli_evidence ev;
	struct cli_blob nonce, trusted;
	struct cli_key pkey, vkey;
	struct cli_quote hq, vq;
	struct cli_imarec logrec;
	struct cli_record rec;
	enum cli_bank banks[CLI_MAX_BANKS];
	enum th_kind kind[CLI_NR_BANKS];	/* per bank: IMA's digest kind */
	uint8_t kindb[CLI_MAX_BANKS];		/* the same, in banks[]'s order */
	size_t nb;
	uint32_t mask;			/* quote_pcrs */
	uint32_t ima;			/* the IMA PCRs: a .digest line */
	uint32_t bind;			/* the bound firmware PCRs */
	uint32_t reset, restart;	/* the vTPM's counts at the handoff */
	uint64_t cut;
	bool stray;			/* an entry on a PCR not in ima */
	uint64_t stray_index;
	uint32_t stray_pcr;
	uint8_t snap[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST];
	char why[2 * CLI_MSG];
};

static void ok(const char *link, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct vev *v, const char *link, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ok(const char *link, const char *fmt, ...)
{
	va_list ap;

	printf("%s: OK: ", link);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int fail(struct vev *v, const char *link, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(v->why, sizeof(v->why), "%s: ", link);

	va_start(ap, fmt);
	vsnprintf(v->why + n, sizeof(v->why) - n, fmt, ap);
	va_end(ap);
	printf("%s: FAIL: %s\n", link, v->why + n);
	return EV_FAIL;
}

static int read_blob(const char *path, const char *what, struct cli_blob *b)
{
	char *buf;
	int rc = cli_read_file(path, strcmp(what, "--evidence") ? CLI_FILE_MAX :
			       CLI_EVIDENCE_MAX, &buf, &b->len);

	if (rc) {
		cli_err("%s: cannot read %s: %s", what, path,
			rc == -EFBIG ? "too large" : strerror(-rc));
		return EV_INPUT;
	}
	b->buf = (uint8_t *)buf;
	return 0;
}

/* The inputs: the evidence, the trusted pTPM key, the nonce. */
static int load(struct vev *v)
{
	const struct cli_opts *o = v->o;
	struct cli_blob text = { 0 };
	char err[CLI_MSG];
	size_t n = strlen(o->nonce);
	int rc;

	if (!n || n % 2 || n > 128 || !(v->nonce.buf = malloc(n / 2)) ||
	    cli_hex_decode(o->nonce, v->nonce.buf, n / 2)) {
		cli_err("--nonce: \"%.80s\" is not 1 to 64 bytes in hex", o->nonce);
		return EV_INPUT;
	}
	v->nonce.len = n / 2;
	rc = read_blob(o->ptpm_key, "--ptpm-key", &v->trusted);
	if (rc)
		return rc;
	if (cli_key_load(v->trusted.buf, v->trusted.len, &v->pkey, err, sizeof(err))) {
		cli_err("--ptpm-key %s: %s", o->ptpm_key, err);
		return EV_INPUT;
	}
	rc = read_blob(o->evidence, "--evidence", &text);
	if (rc)
		return rc;
	rc = cli_evidence_parse(&v->ev, (const char *)text.buf, text.len, err, sizeof(err));
	free(text.buf);
	if (rc) {
		cli_err("--evidence %s: %s", o->evidence, err);
		return EV_INPUT;
	}
	return 0;
}

static int check_quote(struct vev *v, const char *link, const struct cli_key *k,
		       const struct cli_blob *a, const struct cli_blob *s,
		       struct cli_quote *q)
{
	char err[CLI_MSG];
	int rc;

	if (cli_quote_load(a->buf, a->len, s->buf, s->len, q, err, sizeof(err)))
		return fail(v, link, "%s", err);
	rc = cli_quote_verify(k, q, err, sizeof(err));
	if (rc < 0) {
		cli_err("%s: cannot check the signature: %s", link, err);
		return EV_INPUT;
	}
	if (rc)
		return fail(v, link, "%s", err);
	return 0;
}

/* The keys and both signatures; the nonce. */
static int check_signatures(struct vev *v)
{
	char err[CLI_MSG];
	int rc;

	if (v->ev.ptpm_ak_pub.len != v->trusted.len ||
	    memcmp(v->ev.ptpm_ak_pub.buf, v->trusted.buf, v->trusted.len))
		return fail(v, "pTPM key", "the evidence's pTPM key is not --ptpm-key %s",
			    v->o->ptpm_key);
	if (!cli_key_is_ak(&v->pkey))
		return fail(v, "pTPM key", "--ptpm-key is not an attestation key");
	ok("pTPM key", "the evidence names --ptpm-key, an attestation key");
	rc = check_quote(v, "handoff quote", &v->pkey, &v->ev.hq_attest, &v->ev.hq_sig, &v->hq);
	if (rc)
		return rc;
	ok("handoff quote", "signed by the pTPM key");
	if (cli_key_load(v->ev.vtpm_ak_pub.buf, v->ev.vtpm_ak_pub.len, &v->vkey, err,
			 sizeof(err)))
		return fail(v, "vTPM key", "%s", err);
	if (!cli_key_is_ak(&v->vkey))
		return fail(v, "vTPM key", "not an attestation key (restricted, sign, fixedTPM)");
	ok("vTPM key", "an attestation key");
	rc = check_quote(v, "vTPM quote", &v->vkey, &v->ev.vq_attest, &v->ev.vq_sig, &v->vq);
	if (rc)
		return rc;
	ok("vTPM quote", "signed by the vTPM key");
	if (v->vq.attest.extraData.size != v->nonce.len ||
	    memcmp(v->vq.attest.extraData.buffer, v->nonce.buf, v->nonce.len))
		return fail(v, "nonce", "the vTPM quote was made for another nonce (a stale quote)");
	ok("nonce", "the vTPM quote is for this nonce");
	return 0;
}

/* A number of the record, or fail. */

/* A u32 of any record: 0, or -1 if it has none. */
static int rec_count(const struct cli_record *r, const char *key, uint32_t *out)
{
	const char *s = cli_record_get(r, key);
	uint64_t n;

	if (!s || cli_parse_u64(s, &n) || n > UINT32_MAX)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

/* The same of the record in the log, which must have it. */
static int rec_u32(struct vev *v, const char *key, uint32_t *out)
{
	if (rec_count(&v->rec, key, out))
		return fail(v, "record in the log", "no %s", key);
	return 0;
}

static int hex_eq(const char *hex, const struct cli_blob *b)
{
	char *s = malloc(2 * b->len + 1);
	int eq;

	if (!s)
		return 0;
	cli_hex_str(s, b->buf, b->len);
	eq = hex && !strcmp(hex, s);
	free(s);
	return eq;
}

/*
 * What the record says of each quoted PCR, all of which the binding covers:
 * IMA's PCRs (a digest kind in every bank, one kind per bank), the
 * firmware PCRs (one mode in every bank: replay or bind).
 */
static int record_pcrs(struct vev *v, const char *link)
{
	bool kind_set[CLI_NR_BANKS] = { false };

	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++) {
		unsigned int ndig = 0, nbind = 0, nreplay = 0;

		if (!(v->mask & (1u << p)))
			continue;
		for (size_t i = 0; i < v->nb; i++) {
			const struct cli_rec_pcr *rp =
				cli_record_pcr(&v->rec, p, cli_bank_name(v->banks[i]));
			unsigned int kd;

			if (!rp || !rp->has_value || !rp->mode)
				return fail(v, link, "no snapshot or mode of PCR %u in %s", p,
					    cli_bank_name(v->banks[i]));
			memcpy(v->snap[p][v->banks[i]], rp->value, rp->len);
			nbind += !strcmp(rp->mode, "bind");
			nreplay += !strcmp(rp->mode, "replay");
			if (!rp->digest)
				continue;
			ndig++;
			for (kd = 0; kd < TH_NR_KINDS; kd++)
				if (!strcmp(rp->digest, cli_kind_name(kd)))
					break;
			if (kd == TH_NR_KINDS ||
			    (kind_set[v->banks[i]] && v->kind[v->banks[i]] != (enum th_kind)kd))
				return fail(v, link, "PCR %u in %s: digest kind \"%s\" is unknown or not the bank's",
					    p, cli_bank_name(v->banks[i]), rp->digest);
			v->kind[v->banks[i]] = (enum th_kind)kd;
			kind_set[v->banks[i]] = true;
			v->kindb[i] = (uint8_t)kd;
		}
		if (ndig == v->nb && nreplay == v->nb)
			v->ima |= 1u << p;
		else if (!ndig && nbind == v->nb)
			v->bind |= 1u << p;
		else if (ndig || nreplay != v->nb)
			return fail(v, link, "PCR %u is not mirrored one way in every bank", p);
	}
	if (!(v->ima & (1u << CLI_IMA_PCR)))
		return fail(v, link, "PCR %u is not among the IMA PCRs the handoff quote covers",
			    CLI_IMA_PCR);
	return 0;
}

/* The record the IMA log holds, and what it says of the handoff quote. */
static int check_record(struct vev *v)
{
	const char *link = "record in the log";
	char err[CLI_MSG];
	const char *s;
	int rc;

	if (cli_imarec_find("evidence ima_log", v->ev.ima_log.buf, v->ev.ima_log.len,
			    &v->logrec, err, sizeof(err))) {
		cli_err("--evidence %s: %s", v->o->evidence, err);
		return EV_INPUT;
	}
	if (v->logrec.count != 1)
		return fail(v, link, "the IMA log holds %u tpm_handoff entries, not one (IMA policy rule: %s)",
			    v->logrec.count, CLI_IMAREC_RULE);
	if (v->logrec.pcr != CLI_IMA_PCR)
		return fail(v, link, "entry %llu is on PCR %u, not %u",
			    (unsigned long long)v->logrec.index, v->logrec.pcr, CLI_IMA_PCR);
	rc = cli_imarec_digest_ok(&v->logrec);
	if (rc < 0) {
		cli_err("%s: entry %llu: cannot check its digest (%s)", link,
			(unsigned long long)v->logrec.index, v->logrec.algo);
		return EV_INPUT;
	}
	if (!rc)
		return fail(v, link, "entry %llu: its digest does not match its record",
			    (unsigned long long)v->logrec.index);
	rc = cli_record_parse(&v->rec, (const char *)v->logrec.buf, v->logrec.buf_len,
			      "the IMA log's record", err, sizeof(err));
	if (rc)
		return fail(v, link, "%s", rc == CLI_REC_BAD ? err : "empty");
	if (!v->rec.has_cut || !v->rec.result || strcmp(v->rec.result, "committed"))
		return fail(v, link, "not the record of a committed handoff with a cut");
	v->cut = v->rec.cut;
	if (!hex_eq(cli_record_get(&v->rec, "quote_attest"), &v->ev.hq_attest) ||
	    !hex_eq(cli_record_get(&v->rec, "quote_signature"), &v->ev.hq_sig))
		return fail(v, link, "the record in the log carries another handoff quote than the evidence (one of another handoff or boot)");
	if (rec_u32(v, "vtpm_reset_count", &v->reset) ||
	    rec_u32(v, "vtpm_restart_count", &v->restart))
		return EV_FAIL;
	/* Banks, the quoted PCRs, the snapshot. */
	for (size_t i = 0; i < v->rec.banks.nr; i++) {
		int b = cli_bank_by_name(v->rec.banks.name[i]);

		if (b < 0)
			return fail(v, link, "an unknown bank %s", v->rec.banks.name[i]);
		for (size_t k = 0; k < v->nb; k++)
			if (v->banks[k] == (enum cli_bank)b)
				return fail(v, link, "bank %s twice", v->rec.banks.name[i]);
		v->banks[v->nb++] = (enum cli_bank)b;
	}
	if (!v->nb)
		return fail(v, link, "no banks");
	s = cli_record_get(&v->rec, "quote_pcrs");
	if (!s || cli_rec_parse_pcr_list("quote_pcrs", s, &v->mask, err, sizeof(err)))
		return fail(v, link, "no quote_pcrs, or a malformed one");
	rc = record_pcrs(v, link);
	if (rc)
		return rc;
	ok(link, "entry %llu (cut %llu) carries the handoff quote",
	   (unsigned long long)v->logrec.index, (unsigned long long)v->cut);
	return 0;
}

/* The handoff quote binds the record; the vTPM key is the bound one. */
static int check_binding(struct vev *v)
{
	const char *link = "binding";
	const char *name = cli_record_get(&v->rec, "vtpm_ak_name");
	const char *pname = cli_record_get(&v->rec, "ptpm_ak_name");
	uint8_t nb[CLI_NAME_MAX], want[32], dig[CLI_MAX_DIGEST];
	char have[2 * CLI_NAME_MAX + 1];
	TPMS_QUOTE_INFO *qi = &v->hq.attest.attested.quote;
	struct cli_bind_facts f = {
		.cut = v->cut, .name = nb, .reset_count = v->reset,
		.restart_count = v->restart, .mask = v->mask, .ima_mask = v->ima,
		.bind_mask = v->bind, .banks = v->banks, .nb = v->nb,
		.kind = v->kindb,
	};
	size_t dlen;

	cli_hex_str(have, v->pkey.name, v->pkey.name_len);
	if (!pname || strcmp(have, pname))
		return fail(v, link, "the record's ptpm_ak_name is not --ptpm-key's name");
	f.name_len = name ? strlen(name) / 2 : 0;
	if (!f.name_len || f.name_len > sizeof(nb) || cli_hex_decode(name, nb, f.name_len))
		return fail(v, link, "the record's vtpm_ak_name is malformed");
	if (cli_quote_binding(&f, v->snap, want)) {
		cli_err("binding: libcrypto cannot hash it");
		return EV_INPUT;
	}
	if (v->hq.attest.extraData.size != 32 ||
	    memcmp(v->hq.attest.extraData.buffer, want, 32))
		return fail(v, link, "the handoff quote's qualifying data does not bind this record (cut %llu, the vTPM key and boot, the snapshot, how each PCR was mirrored)",
			    (unsigned long long)v->cut);
	if (!cli_sel_is(&qi->pcrSelect, v->banks, v->nb, v->mask))
		return fail(v, link, "the handoff quote does not cover quote_pcrs in each of the record's banks, once");
	if (cli_quote_pcr_digest(&qi->pcrSelect, v->hq.sig.signature.any.hashAlg,
				 v->snap, dig, &dlen) ||
	    dlen != qi->pcrDigest.size || memcmp(dig, qi->pcrDigest.buffer, dlen))
		return fail(v, link, "the handoff quote's PCR digest is not the record's snapshot");
	ok(link, "the handoff quote binds cut %llu, the snapshot of PCRs %s and the vTPM key",
	   (unsigned long long)v->cut, cli_record_get(&v->rec, "quote_pcrs"));
	cli_hex_str(have, v->vkey.name, v->vkey.name_len);
	if (strcmp(have, name))
		return fail(v, "vTPM key binding", "the vTPM key (name %.20s...) is not the key the handoff quote names (%.20s...)",
			    have, name);
	ok("vTPM key binding", "the key that signed the vTPM quote is the one the handoff quote names");
	return 0;
}

/*
 * A vTPM reset or restarted since the handoff passes only if the module
 * brought it back to the log: the log's last tpm_handoff_remirror entry,
 * after the record's, names the counts the vTPM quote shows.  Its PCR 10
 * covers that entry (checked with the whole log, below).
 */
static int check_remirror(struct vev *v, const char *link, uint32_t reset,
			  uint32_t restart)
{
	const TPMS_CLOCK_INFO *c = &v->vq.attest.clockInfo;
	struct cli_imarec rm;
	struct cli_record r;
	char err[CLI_MSG];
	uint32_t rs = 0, rt = 0;
	const char *n;
	int rc;

	if (cli_imarec_find_named(CLI_IMAREC_REMIRROR, "evidence ima_log",
				  v->ev.ima_log.buf, v->ev.ima_log.len, &rm,
				  err, sizeof(err))) {
		cli_err("--evidence %s: %s", v->o->evidence, err);
		return EV_INPUT;
	}
	if (!rm.count || rm.index < v->logrec.index || rm.pcr != CLI_IMA_PCR) {
		cli_imarec_free(&rm);
		return fail(v, link, "the vTPM was %s since the handoff (resetCount %u -> %u, restartCount %u -> %u) and no re-mirror in the log after the record brought it back: its quote does not continue the handoff's chain",
			    c->resetCount != reset ? "reset" : "restarted", reset,
			    c->resetCount, restart, c->restartCount);
	}
	if (cli_imarec_digest_ok(&rm) != 1) {
		rc = fail(v, link, "the re-mirror entry %llu: its digest does not match its record",
			  (unsigned long long)rm.index);
		cli_imarec_free(&rm);
		return rc;
	}
	rc = cli_record_parse_lines(&r, (const char *)rm.buf, rm.buf_len,
				    "its record", err, sizeof(err));
	if (rc) {
		rc = fail(v, link, "the re-mirror entry %llu: %s",
			  (unsigned long long)rm.index,
			  rc == CLI_REC_BAD ? err : "an empty record");
		cli_record_free(&r);
		cli_imarec_free(&rm);
		return rc;
	}
	n = cli_record_get(&r, "remirror");
	if (rec_count(&r, "vtpm_reset_count", &rs) ||
	    rec_count(&r, "vtpm_restart_count", &rt) ||
	    rs != c->resetCount || rt != c->restartCount) {
		rc = fail(v, link, "the vTPM was reset or restarted since the handoff, and the log's last re-mirror (entry %llu) names another vTPM than the one that quoted (resetCount %u, restartCount %u)",
			  (unsigned long long)rm.index, c->resetCount,
			  c->restartCount);
	} else {
		ok(link, "the vTPM was %s since the handoff (resetCount %u -> %u, restartCount %u -> %u) and brought back to the log by the module: re-mirror %s, entry %llu; the log after the cut is vouched for by this vTPM and that re-mirror",
		   c->resetCount != reset ? "reset" : "restarted", reset,
		   c->resetCount, restart, c->restartCount, n ? n : "?",
		   (unsigned long long)rm.index);
	}
	cli_record_free(&r);
	cli_imarec_free(&rm);
	return rc;
}

static int check_restarts(struct vev *v)
{
	const TPMS_CLOCK_INFO *c = &v->vq.attest.clockInfo;
	uint32_t reset = v->reset, restart = v->restart;

	if (c->resetCount != reset || c->restartCount != restart)
		return check_remirror(v, "vTPM restarts", reset, restart);
	ok("vTPM restarts", "none since the handoff (resetCount %u, restartCount %u)",
	   reset, restart);
	return 0;
}

/* Each entry: one on a PCR the handoff did not mirror is not authenticated. */
static int note_entry(void *arg, const struct cli_log_entry *e)
{
	struct vev *v = arg;

	if (!v->stray && (e->pcr >= CLI_MAX_PCRS || !(v->ima & (1u << e->pcr)))) {
		v->stray = true;
		v->stray_index = e->index;
		v->stray_pcr = e->pcr;
	}
	return 0;
}

/* The log against IMA PCR values: after exactly @at entries, or anywhere. */
static int walk(struct vev *v, uint8_t vals[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST],
		uint64_t at, struct cli_log_match *m, size_t *nm,
		struct cli_log_result *res)
{
	struct cli_log_match *ptr[CLI_MAX_PCRS * CLI_NR_BANKS];
	struct cli_log_walk w = {
		.path = "evidence ima_log", .buf = v->ev.ima_log.buf,
		.len = v->ev.ima_log.len, .banks = v->banks, .nr_banks = v->nb,
		.match = ptr, .fn = note_entry, .arg = v,
	};

	*nm = 0;
	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++)
		for (size_t i = 0; i < v->nb && (v->ima & (1u << p)); i++) {
			m[*nm].pcr = p;
			m[*nm].bank = v->banks[i];
			m[*nm].at = at;
			memcpy(m[*nm].value, vals[p][v->banks[i]], CLI_MAX_DIGEST);
			ptr[*nm] = &m[*nm];
			(*nm)++;
		}
	w.nr_match = *nm;
	if (cli_log_walk(&w, res)) {
		cli_err("--evidence %s: %s", v->o->evidence, res->msg);
		return EV_INPUT;
	}
	return 0;
}

static int check_prefix(struct vev *v)
{
	struct cli_log_match m[CLI_MAX_PCRS * CLI_NR_BANKS];
	struct cli_log_result res;
	size_t nm;
	int rc = walk(v, v->snap, v->cut, m, &nm, &res);

	if (rc)
		return rc;
	if (res.damaged && res.damage_index < v->cut)
		return fail(v, "IMA log prefix", "%s", res.msg);
	if (v->stray && v->stray_index < v->cut)
		return fail(v, "IMA log prefix", "entry %llu extends PCR %u, which the handoff quote does not cover",
			    (unsigned long long)v->stray_index, v->stray_pcr);
	if (res.entries < v->cut)
		return fail(v, "IMA log prefix", "the log has %llu entries, fewer than the cut %llu",
			    (unsigned long long)res.entries, (unsigned long long)v->cut);
	for (size_t i = 0; i < nm; i++) {
		enum th_kind k = v->kind[m[i].bank];

		if (!m[i].found[k].at_hit)
			return fail(v, "IMA log prefix", "entries [0, %llu) do not give the handoff quote's PCR %u in %s (%s)",
				    (unsigned long long)v->cut, m[i].pcr,
				    cli_bank_name(m[i].bank), cli_kind_name(k));
	}
	/* The record was measured after the commit: after the cut. */
	if (v->logrec.index < v->cut)
		return fail(v, "IMA log prefix", "the record's entry %llu lies before the cut %llu",
			    (unsigned long long)v->logrec.index,
			    (unsigned long long)v->cut);
	ok("IMA log prefix", "entries [0, %llu) give the pTPM's signed PCRs; the record's entry comes after them",
	   (unsigned long long)v->cut);
	return 0;
}

static int check_firmware(struct vev *v, struct cli_fwlog *fw)
{
	const char *link = "firmware log";
	uint32_t bm = 0, replay = v->mask & ~v->ima & ~v->bind;
	char err[CLI_MSG];

	for (size_t i = 0; i < v->nb; i++)
		bm |= 1u << v->banks[i];
	if (!replay) {
		ok(link, "no firmware PCR was replayed (all bound)");
		return 0;
	}
	if (!v->ev.fw_log.len)
		return fail(v, link, "the evidence has none, and PCRs were replayed from it");
	if (cli_fwlog_replay_buf(v->ev.fw_log.buf, v->ev.fw_log.len, "evidence fw_log",
				 bm, fw, err, sizeof(err)))
		return fail(v, link, "%s", err);
	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++)
		for (size_t i = 0; i < v->nb && (replay & (1u << p)); i++) {
			enum cli_bank b = v->banks[i];

			if (memcmp(fw->val[p][b], v->snap[p][b], cli_bank_size(b)))
				return fail(v, link, "its replay does not give the handoff quote's PCR %u in %s",
					    p, cli_bank_name(b));
		}
	ok(link, "%u events give the replayed firmware PCRs the pTPM signed", fw->events);
	return 0;
}

static int check_vtpm_quote(struct vev *v)
{
	const char *link = "vTPM quote PCRs";
	TPMS_QUOTE_INFO *qi = &v->vq.attest.attested.quote;
	uint8_t dig[CLI_MAX_DIGEST];
	size_t dlen;

	if (!cli_sel_is(&qi->pcrSelect, v->banks, v->nb, v->mask))
		return fail(v, link, "it does not cover exactly the PCRs (%s) and banks the handoff mirrored, each once",
			    cli_record_get(&v->rec, "quote_pcrs"));
	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++)
		for (size_t i = 0; i < v->nb && (v->mask & (1u << p)); i++)
			if (!(v->ev.vpcr_mask[p] & (1u << v->banks[i])))
				return fail(v, link, "the evidence lacks the value of PCR %u in %s",
					    p, cli_bank_name(v->banks[i]));
	if (cli_quote_pcr_digest(&qi->pcrSelect, v->vq.sig.signature.any.hashAlg,
				 v->ev.vpcr, dig, &dlen) ||
	    dlen != qi->pcrDigest.size || memcmp(dig, qi->pcrDigest.buffer, dlen))
		return fail(v, link, "the evidence's PCR values do not give the digest the vTPM signed");
	ok(link, "the handoff's PCRs and banks; the values give the signed digest");
	return 0;
}

/* Firmware PCRs in the vTPM: the snapshot (replayed) or H(reset || it). */
static int check_vtpm_firmware(struct vev *v)
{
	const char *link = "vTPM firmware PCRs";
	unsigned int n = 0;

	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++) {
		for (size_t i = 0; i < v->nb && (v->mask & ~v->ima & (1u << p)); i++) {
			enum cli_bank b = v->banks[i];
			const struct cli_rec_pcr *rp = cli_record_pcr(&v->rec, p, cli_bank_name(b));
			uint8_t want[CLI_MAX_DIGEST];

			if (!rp || !rp->mode)
				return fail(v, link, "the record has no mode for PCR %u", p);
			if (v->bind & (1u << p)) {
				if (cli_fw_bind_value(b, p, v->snap[p][b], want)) {
					cli_err("%s: libcrypto lacks %s", link, cli_bank_name(b));
					return EV_INPUT;
				}
			} else {
				memcpy(want, v->snap[p][b], cli_bank_size(b));
			}
			if (memcmp(want, v->ev.vpcr[p][b], cli_bank_size(b)))
				return fail(v, link, "PCR %u in %s is not what the handoff mirrored (%s)",
					    p, cli_bank_name(b), rp->mode);
		}
		n += !!(v->mask & ~v->ima & (1u << p));
	}
	ok(link, "%u PCRs hold what the handoff mirrored", n);
	return 0;
}

static int check_whole(struct vev *v)
{
	const char *link = "whole IMA log";
	struct cli_log_match m[CLI_MAX_PCRS * CLI_NR_BANKS];
	struct cli_log_result res;
	uint64_t lo = v->logrec.index + 1, hi = UINT64_MAX;
	size_t nm;
	int rc = walk(v, v->ev.vpcr, CLI_NONE, m, &nm, &res);

	if (rc)
		return rc;
	if (res.damaged)
		return fail(v, link, "%s", res.msg);
	if (v->stray)
		return fail(v, link, "entry %llu extends PCR %u, which the quotes do not cover",
			    (unsigned long long)v->stray_index, v->stray_pcr);
	/* One prefix, the record's entry in it, must give every value. */
	for (size_t i = 0; i < nm; i++) {
		enum th_kind k = v->kind[m[i].bank];

		if (m[i].found[k].first == CLI_NONE)
			return fail(v, link, "no prefix of its %llu entries gives the vTPM quote's PCR %u in %s",
				    (unsigned long long)res.entries, m[i].pcr,
				    cli_bank_name(m[i].bank));
		if (m[i].found[k].first > lo)
			lo = m[i].found[k].first;
		if (m[i].found[k].last < hi)
			hi = m[i].found[k].last;
	}
	if (lo > hi)
		return fail(v, link, "no one prefix that holds the record's entry gives the vTPM quote's PCRs");
	ok(link, "its first %llu of %llu entries give the vTPM quote's PCRs",
	   (unsigned long long)lo, (unsigned long long)res.entries);
	return 0;
}

int cmd_verify_evidence(const struct cli_opts *o)
{
	struct vev *v = calloc(1, sizeof(*v));
	struct cli_fwlog *fw = calloc(1, sizeof(*fw));
	int rc;

	if (!v || !fw) {
		free(v);
		free(fw);
		cli_err("out of memory");
		return CLI_EXIT_INPUT;
	}
	v->o = o;
	if (!o->ptpm_key || !o->nonce) {
		cli_err("verify --evidence needs --ptpm-key PUB and --nonce HEX");
		rc = EV_INPUT;
	} else {
		rc = load(v);
	}
	if (!rc)
		rc = check_signatures(v);
	if (!rc)
		rc = check_record(v);
	if (!rc)
		rc = check_binding(v);
	if (!rc)
		rc = check_restarts(v);
	if (!rc)
		rc = check_prefix(v);
	if (!rc)
		rc = check_firmware(v, fw);
	if (!rc)
		rc = check_vtpm_quote(v);
	if (!rc)
		rc = check_vtpm_firmware(v);
	if (!rc)
		rc = check_whole(v);
	if (rc == EV_OK)
		printf("verify: PASS\n");
	else if (rc == EV_FAIL)
		printf("verify: FAIL: %s\n", v->why);
	cli_evidence_free(&v->ev);
	cli_imarec_free(&v->logrec);
	cli_record_free(&v->rec);
	free(v->nonce.buf);
	free(v->trusted.buf);
	free(v);
	free(fw);
	if (fflush(stdout))
		return CLI_EXIT_INPUT;
	return rc == EV_OK ? CLI_EXIT_OK : rc == EV_FAIL ? CLI_EXIT_FAIL : CLI_EXIT_INPUT;
}
