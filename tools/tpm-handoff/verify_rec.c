// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff verify: the record the IMA log holds (imarec.h).
 *
 * After the commit the module measures its record as an ima-buf entry
 * "tpm_handoff" (if the IMA policy asks for it), so the entry sits after
 * the cut and its extend went to the vTPM: the whole-log check covers it.
 * verify then checks that
 *  - the entry's d-ng digest is the digest of its buffer;
 *  - it is for PCR 10 and comes after the cut (index >= cut);
 *  - its buffer is a record ("tpm_handoff: 1", then the keys of the sysfs
 *    record but the run-to-run ones), and, when the sysfs record (or
 *    --record) is used too, every key of one has the other's value.
 * With --record-from-log the log's record is the only one: a verifier need
 * not trust sysfs.  If several entries exist, the last one counts.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "verify.h"

#define VERSION		"1"

/* "IMA log entry N" into buf. */
static const char *entry_name(const struct cli_imarec *e, char *buf, size_t len)
{
	snprintf(buf, len, "IMA log entry %" PRIu64, e->index);
	return buf;
}

/*
 * Parse the entry's buffer as a record into r, named name in messages.
 * 0, or exit status (message printed).
 */
static int parse_measured(const struct cli_imarec *e, struct cli_record *r, const char *name)
{
	char err[CLI_MSG];
	int ret = cli_record_parse(r, (const char *)e->buf, e->buf_len, name, err, sizeof(err));

	if (ret == CLI_REC_EMPTY) {
		cli_err("%s (tpm_handoff): an empty record", name);
		return CLI_EXIT_INPUT;
	}
	if (ret != CLI_REC_OK) {
		cli_err("%s (tpm_handoff): %s", name, err);
		return CLI_EXIT_INPUT;
	}
	if (!r->nkv || strcmp(r->kv[0].key, "tpm_handoff")) {
		cli_err("%s (tpm_handoff): its record does not start with \"tpm_handoff: " VERSION "\"",
		       name);
		return CLI_EXIT_INPUT;
	}
	if (strcmp(r->kv[0].value, VERSION)) {
		cli_err("%s (tpm_handoff): a record of version %s; this tool reads version " VERSION,
		       name, r->kv[0].value);
		return CLI_EXIT_INPUT;
	}
	return 0;
}

static const char *log_name(const struct verify *v)
{
	return v->log_buf ? "(stdin)" : v->o->log;
}

bool vrec_in_log(const struct verify *v)
{
	struct cli_imarec rec;
	char err[CLI_MSG];
	bool found;

	if (cli_imarec_find(v->o->log, v->log_buf, v->log_len, &rec, err, sizeof(err)))
		return false;
	found = rec.count > 0;
	cli_imarec_free(&rec);
	return found;
}

int vrec_load(struct verify *v)
{
	char err[CLI_MSG];

	if (cli_imarec_find(v->o->log, v->log_buf, v->log_len, &v->prerec, err, sizeof(err))) {
		cli_err("%s", err);
		return CLI_EXIT_INPUT;
	}
	if (!v->prerec.count) {
		cli_err("--record-from-log: the IMA log %s holds no tpm_handoff record (an ima-buf entry named tpm_handoff): add the IMA policy rule \"%s\" before the handoff",
		       log_name(v), CLI_IMAREC_RULE);
		return CLI_EXIT_INPUT;
	}
	entry_name(&v->prerec, v->rec_path, sizeof(v->rec_path));
	v->rec_name = v->rec_path;
	return parse_measured(&v->prerec, &v->rec, v->rec_name);
}

int vrec_note(struct verify *v, const struct cli_log_entry *e)
{
	return cli_imarec_note(&v->logrec, e) < 0 ? -1 : 0;
}

/* A key of m (the log's) that differs from r (the other record).  FAIL. */
static bool compare(struct verify *v, const struct cli_record *m, const char *ename,
		    char *ok, size_t oklen)
{
	const struct cli_record *r = &v->rec;
	size_t n = 0;

	for (size_t k = 0; k < m->nkv; k++) {
		const char *key = m->kv[k].key, *mv = m->kv[k].value;
		const char *rv = cli_record_get(r, key);

		if (!strcmp(key, "tpm_handoff"))
			continue;
		n++;
		if (!rv) {
			snprintf(v->rec_line, sizeof(v->rec_line),
				 "%s has %s: %s, %s has no %s line", ename, key, mv,
				 v->rec_name, key);
		} else if (strcmp(rv, mv)) {
			snprintf(v->rec_line, sizeof(v->rec_line),
				 "%s has %s: %s, %s has %s: %s", ename, key, mv,
				 v->rec_name, key, rv);
		} else {
			continue;
		}
		snprintf(v->rec_why, sizeof(v->rec_why),
			 "the record in the IMA log (entry %" PRIu64 ") and %s differ in key %s",
			 v->logrec.index, v->rec_name, key);
		return false;
	}
	for (size_t k = 0; k < r->nkv; k++) {
		const char *key = r->kv[k].key;

		if (cli_record_key_unmeasured(key) || cli_record_get(m, key))
			continue;
		snprintf(v->rec_line, sizeof(v->rec_line), "%s has %s: %s, %s has no %s line",
			 v->rec_name, key, r->kv[k].value, ename, key);
		snprintf(v->rec_why, sizeof(v->rec_why),
			 "the record in the IMA log (entry %" PRIu64 ") and %s differ in key %s",
			 v->logrec.index, v->rec_name, key);
		return false;
	}
	snprintf(ok, oklen, "its %zu keys equal %s's", n, v->rec_name);
	return true;
}

/* --record-from-log: is the log's record still the one read first? */
static bool same_as_first(const struct verify *v)
{
	const struct cli_imarec *e = &v->logrec;

	return e->count && e->index == v->prerec.index && e->buf_len == v->prerec.buf_len &&
	       !memcmp(e->buf, v->prerec.buf, e->buf_len);
}

/*
 * Is the entry's d-ng digest the digest of its buffer?  0 with *ok set
 * (if not, rec_line and rec_why say why), or exit status.
 */
static int check_digest(struct verify *v, const struct cli_imarec *e, const char *ename,
			const char *many, bool *ok)
{
	int ret;

	*ok = false;
	if (!e->dng_ok) {
		snprintf(v->rec_line, sizeof(v->rec_line),
			 "%s%s: its d-ng field is not \"ALGO:\", a NUL and a digest", ename, many);
		snprintf(v->rec_why, sizeof(v->rec_why), "%s (the record): malformed d-ng field",
			 ename);
		return 0;
	}
	if (!EVP_get_digestbyname(e->algo)) {
		cli_err("%s (tpm_handoff): cannot check its %s digest: libcrypto has no %s",
		       ename, e->algo, e->algo);
		return CLI_EXIT_INPUT;
	}
	ret = cli_imarec_digest_ok(e);
	if (ret < 0) {
		cli_err("%s (tpm_handoff): hashing with %s failed", ename, e->algo);
		return CLI_EXIT_INPUT;
	}
	if (!ret) {
		snprintf(v->rec_line, sizeof(v->rec_line),
			 "%s%s: its d-ng digest (%s) is not the digest of its %" PRIu32 " bytes",
			 ename, many, e->algo, e->buf_len);
		snprintf(v->rec_why, sizeof(v->rec_why),
			 "%s (the record): its d-ng digest does not match its buffer", ename);
		return 0;
	}
	*ok = true;
	return 0;
}

/* Is the entry for PCR 10, after the cut?  If not, rec_line and rec_why say why. */
static bool check_place(struct verify *v, const struct cli_imarec *e, const char *ename,
			const char *many)
{
	if (e->pcr != CLI_IMA_PCR) {
		snprintf(v->rec_line, sizeof(v->rec_line),
			 "%s%s is for PCR %" PRIu32 ", which verify does not check against a TPM (drop pcr= from the IMA policy rule)",
			 ename, many, e->pcr);
		snprintf(v->rec_why, sizeof(v->rec_why), "%s (the record) is for PCR %" PRIu32
			 ", not %d", ename, e->pcr, CLI_IMA_PCR);
		return false;
	}
	if (e->index < v->rec.cut) {
		snprintf(v->rec_line, sizeof(v->rec_line),
			 "%s%s is before the cut %" PRIu64 ": the module measures its record after the commit",
			 ename, many, v->rec.cut);
		snprintf(v->rec_why, sizeof(v->rec_why),
			 "%s (the record) is before the cut %" PRIu64, ename, v->rec.cut);
		return false;
	}
	return true;
}

/*
 * Every key of the log's record against the other record's; what is the
 * line's start (the entry passed its own checks).  0, or exit status.
 */
static int check_keys(struct verify *v, const struct cli_imarec *e, const char *ename,
		      const char *what)
{
	char keys[CLI_MSG];
	struct cli_record m;
	int ret = parse_measured(e, &m, ename);

	if (ret) {
		cli_record_free(&m);
		return ret;
	}
	v->rec_ok = compare(v, &m, ename, keys, sizeof(keys));
	cli_record_free(&m);
	if (v->rec_ok)
		snprintf(v->rec_line, sizeof(v->rec_line), "%s; %s", what, keys);
	return 0;
}

int vrec_judge(struct verify *v)
{
	const struct cli_imarec *e = &v->logrec;
	char ename[64], many[64] = "", what[CLI_MSG];
	bool ok;
	int ret;

	v->rec_ok = true;
	if (v->damaged) {
		if (v->o->record_from_log)
			snprintf(v->rec_line, sizeof(v->rec_line),
				 "not checked: the log is damaged at entry %" PRIu64, v->damage_index);
		return 0;
	}
	if (v->o->record_from_log && !same_as_first(v)) {
		cli_err("IMA log %s: its tpm_handoff record changed between two reads",
		       log_name(v));
		return CLI_EXIT_INPUT;
	}
	if (!e->count) {
		snprintf(v->rec_line, sizeof(v->rec_line),
			 "none (no ima-buf entry named tpm_handoff; the IMA policy rule \"%s\" adds one)",
			 CLI_IMAREC_RULE);
		return 0;
	}
	entry_name(e, ename, sizeof(ename));
	if (e->count > 1)
		snprintf(many, sizeof(many), ", the last of %u tpm_handoff entries", e->count);
	v->rec_ok = false;
	ret = check_digest(v, e, ename, many, &ok);
	if (ret || !ok || !check_place(v, e, ename, many))
		return ret;
	snprintf(what, sizeof(what), "%s%s, after the cut %" PRIu64 ", its %s digest matches its %"
		 PRIu32 " bytes", ename, many, v->rec.cut, e->algo, e->buf_len);
	if (v->o->record_from_log) {
		v->rec_ok = true;
		snprintf(v->rec_line, sizeof(v->rec_line), "%s; it is the record verify used (sysfs not read)",
			 what);
		return 0;
	}
	return check_keys(v, e, ename, what);
}

const char *vrec_report(const struct verify *v)
{
	if (!v->rec_line[0])
		return NULL;
	printf("IMA log record: %s%s\n", v->rec_ok ? (v->logrec.count ? "OK: " : "") : "FAIL: ",
	       v->rec_line);
	return v->rec_ok ? NULL : v->rec_why;
}
