// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: parse and print the handoff record; read PCR value files.
 *
 * The record is checked strictly: every line must be "key: value" with a
 * known syntax for the keys the ABI documents (unknown keys are kept and
 * printed as they are), numbers must be decimal, PCR values hex of their
 * bank's size.  Anything else is refused with the line it is on, so that
 * no later step works on a half-understood record.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "util.h"

#define KEY_MAX		64

/* Does s consist of 1+ characters of set? */
static bool token(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define DIGITS	"0123456789"

/* Parse "P" (0-23, no leading zeros) ending at *end; -1 if not one. */
static int parse_pcr(const char *s, const char **end)
{
	unsigned int v = 0;
	const char *p = s;

	while (isdigit((unsigned char)*p) && p - s < 3)
		v = v * 10 + (unsigned int)(*p++ - '0');
	if (p == s || (p - s > 1 && *s == '0') || v >= IMALOG_MAX_PCRS ||
	    isdigit((unsigned char)*p))
		return -1;
	*end = p;
	return (int)v;
}

/* The pcrP.BANK slot of r, created if need be; NULL if full. */
static struct th_rec_pcr *pcr_slot(struct th_record *r, unsigned int pcr,
				   const char *bank)
{
	struct th_rec_pcr *p;

	for (size_t k = 0; k < r->npcr; k++)
		if (r->pcr[k].pcr == pcr && !strcmp(r->pcr[k].bank, bank))
			return &r->pcr[k];
	if (r->npcr == TH_REC_MAX_PCRVALS)
		return NULL;
	p = &r->pcr[r->npcr++];
	memset(p, 0, sizeof(*p));
	p->pcr = pcr;
	snprintf(p->bank, sizeof(p->bank), "%s", bank);
	p->ibank = imalog_bank_by_name(bank);
	return p;
}

const struct th_rec_pcr *th_record_pcr(const struct th_record *r,
				       unsigned int pcr, const char *bank)
{
	for (size_t k = 0; k < r->npcr; k++)
		if (r->pcr[k].pcr == pcr && !strcmp(r->pcr[k].bank, bank))
			return &r->pcr[k];
	return NULL;
}

/*
 * "pcrP.BANK", "pcrP.BANK.mode", "pcrP.BANK.digest": 0, or -1 with the
 * reason in why.
 */
static int parse_pcr_key(struct th_record *r, const char *key, const char *value,
			 char *why, size_t whylen)
{
	char bank[TH_NAME];
	const char *p, *dot;
	struct th_rec_pcr *slot;
	size_t n;
	int pcr = parse_pcr(key + 3, &p);

	if (pcr < 0 || *p != '.') {
		snprintf(why, whylen, "\"%s\" is not pcrP.BANK with P in 0-23", key);
		return -1;
	}
	p++;
	if (!strcmp(p, "bind")) {
		if (!*value) {
			snprintf(why, whylen, "%s: no reason given", key);
			return -1;
		}
		r->bind_why[pcr] = value;
		return 0;
	}
	if (!strcmp(p, "events")) {
		if (th_parse_u64(value, &r->events[pcr])) {
			snprintf(why, whylen, "%s: \"%.80s\" is not a number", key, value);
			return -1;
		}
		r->has_events[pcr] = true;
		return 0;
	}
	dot = strchr(p, '.');
	n = dot ? (size_t)(dot - p) : strlen(p);
	if (!n || n >= sizeof(bank)) {
		snprintf(why, whylen, "\"%s\": bad bank name", key);
		return -1;
	}
	memcpy(bank, p, n);
	bank[n] = 0;
	if (!token(bank, LOWER DIGITS "_")) {
		snprintf(why, whylen, "\"%s\": bad bank name", key);
		return -1;
	}
	slot = pcr_slot(r, (unsigned int)pcr, bank);
	if (!slot) {
		snprintf(why, whylen, "too many PCR values");
		return -1;
	}
	if (!dot) {
		size_t want = slot->ibank >= 0 ? imalog_bank_size(slot->ibank) :
				strlen(value) / 2;

		if (!want || want > IMALOG_MAX_DIGEST ||
		    th_hex_decode(value, slot->value, want)) {
			if (slot->ibank >= 0)
				snprintf(why, whylen, "%s: \"%.80s\" is not %zu hex digits",
					 key, value, 2 * want);
			else
				snprintf(why, whylen, "%s: \"%.80s\" is not a hex digest",
					 key, value);
			return -1;
		}
		slot->len = (unsigned int)want;
		slot->has_value = true;
		return 0;
	}
	if (!strcmp(dot + 1, "mode") || !strcmp(dot + 1, "digest")) {
		if (!token(value, LOWER DIGITS "-_")) {
			snprintf(why, whylen, "%s: \"%.80s\" is not a word", key, value);
			return -1;
		}
		if (dot[1] == 'm')
			slot->mode = value;
		else
			slot->digest = value;
		return 0;
	}
	snprintf(why, whylen, "\"%s\": unknown PCR attribute", key);
	return -1;
}

/* "sha1 sha256": the banks line. */
static int parse_banks(struct th_record *r, const char *value, char *why,
		       size_t whylen)
{
	const char *p = value;

	while (*p) {
		size_t n = strcspn(p, " ");
		char *b;

		if (!n || n >= TH_NAME || r->banks.nr == TH_MAX_BANKS) {
			snprintf(why, whylen, "banks: \"%.80s\" is not a list of bank names",
				 value);
			return -1;
		}
		b = r->banks.name[r->banks.nr];
		memcpy(b, p, n);
		b[n] = 0;
		if (!token(b, LOWER DIGITS "_") || th_banks_has(&r->banks, b)) {
			snprintf(why, whylen, "banks: bad or repeated bank \"%s\"", b);
			return -1;
		}
		r->banks.nr++;
		p += n;
		if (*p == ' ' && !*++p) {
			snprintf(why, whylen, "banks: trailing space");
			return -1;
		}
	}
	return 0;
}

/* "10 11" (pcrs, fw_replay, fw_bind, fw_resumed; may be empty) into *mask. */
static int parse_pcr_list(const char *key, const char *value, uint32_t *mask,
			  char *why, size_t whylen)
{
	const char *p = value, *end;

	*mask = 0;
	while (*p) {
		int pcr = parse_pcr(p, &end);

		if (pcr < 0 || (*end && *end != ' ') || (*mask & (1u << pcr)) ||
		    (*end == ' ' && !end[1])) {
			snprintf(why, whylen, "%s: \"%.80s\" is not a list of PCRs 0-23",
				 key, value);
			return -1;
		}
		*mask |= 1u << pcr;
		p = *end ? end + 1 : end;
	}
	return 0;
}

const char *th_pcr_mask_str(uint32_t mask, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int p = 0; p < IMALOG_MAX_PCRS && n < len; p++) {
		unsigned int q = p;

		if (!(mask & (1u << p)))
			continue;
		while (q + 1 < IMALOG_MAX_PCRS && (mask & (1u << (q + 1))))
			q++;
		if (q > p + 1)
			n += (size_t)snprintf(buf + n, len - n, "%s%u-%u", n ? " " : "", p, q);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%u", n ? " " : "", p);
		if (q == p + 1 && n < len)
			n += (size_t)snprintf(buf + n, len - n, " %u", q);
		p = q;
	}
	return buf;
}

/* A decimal value into *v, with *has set. */
static int number(const char *key, const char *value, uint64_t *v, bool *has,
		  char *why, size_t whylen)
{
	if (th_parse_u64(value, v)) {
		snprintf(why, whylen, "%s: \"%.80s\" is not a number", key, value);
		return -1;
	}
	*has = true;
	return 0;
}

/* Keys whose value is a decimal number (the JSON form prints them so). */
static const char *const number_keys[] = {
	"tpm_handoff", "cut", "entries", "resumed", "replayed",
	"replayed_in_barrier", "replay_ns", "barrier_ns", "duration_ns",
	"memory_bytes", "fw_extended", "fw_log_events",
};

/* Keys whose value is a list of PCRs (the JSON form: a list of numbers). */
static const char *const pcr_list_keys[] = {
	"pcrs", "fw_replay", "fw_bind", "fw_resumed",
};

static bool in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(key, list[k]))
			return true;
	return false;
}

#define IN_LIST(key, list)	in_list(key, list, sizeof(list) / sizeof(list[0]))

/*
 * The keys the measured copy leaves out (drivers/tpm_handoff/record.c,
 * th_record_format() with measured set).
 */
static const char *const unmeasured_keys[] = {
	"prereplay", "resumed", "replayed", "replayed_in_barrier",
	"replay_ns", "barrier_ns", "duration_ns", "memory_bytes",
	"fw_extended", "fw_resumed",
};

bool th_record_key_unmeasured(const char *key)
{
	size_t n = strlen(key);

	return IN_LIST(key, unmeasured_keys) ||
	       (n > 3 && !strcmp(key + n - 3, "_ns"));
}

const char *th_record_get(const struct th_record *r, const char *key)
{
	for (size_t k = 0; k < r->nkv; k++)
		if (!strcmp(r->kv[k].key, key))
			return r->kv[k].value;
	return NULL;
}

/* The keys of the firmware PCRs and the family. */
static int parse_fw_kv(struct th_record *r, const char *key, const char *value,
		       char *why, size_t whylen)
{
	uint32_t mask;

	if (!strcmp(key, "family")) {
		if (!strcmp(value, "2.0")) {
			r->family = TH_FAMILY_20;
		} else if (!strcmp(value, "1.2")) {
			r->family = TH_FAMILY_12;
		} else {
			snprintf(why, whylen, "family: \"%.80s\" is neither 2.0 nor 1.2", value);
			return -1;
		}
	} else if (!strcmp(key, "fw_log")) {
		if (!*value) {
			snprintf(why, whylen, "fw_log: empty");
			return -1;
		}
		r->fw_log = value;
	} else if (!strcmp(key, "fw_log_format")) {
		if (strcmp(value, "crypto-agile") && strcmp(value, "tpm1.2")) {
			snprintf(why, whylen, "fw_log_format: \"%.80s\" is neither crypto-agile nor tpm1.2",
				 value);
			return -1;
		}
		r->fw_log_format = value;
	} else if (!strcmp(key, "fw_log_error")) {
		r->fw_log_error = value;
	} else if (!strcmp(key, "fw_replay") || !strcmp(key, "fw_bind")) {
		if (parse_pcr_list(key, value, &mask, why, whylen))
			return -1;
		if (key[3] == 'r') {
			r->fw_replay = mask;
			r->has_fw_replay = true;
		} else {
			r->fw_bind = mask;
			r->has_fw_bind = true;
		}
	} else if (!strcmp(key, "fw_resumed")) {
		return parse_pcr_list(key, value, &mask, why, whylen);
	} else if (!strcmp(key, "prereplay")) {
		if (strcmp(value, "yes") && strcmp(value, "no")) {
			snprintf(why, whylen, "prereplay: \"%.80s\" is neither yes nor no", value);
			return -1;
		}
	}
	return 0;
}

/* One "key: value" line. */
static int parse_kv(struct th_record *r, const char *key, const char *value,
		    char *why, size_t whylen)
{
	uint64_t n;
	bool has;

	if (!strcmp(key, "result")) {
		if (strcmp(value, "committed") && strcmp(value, "aborted")) {
			snprintf(why, whylen, "result: \"%.80s\" is neither committed nor aborted",
				 value);
			return -1;
		}
		r->result = value;
	} else if (!strcmp(key, "error")) {
		r->error = value;
	} else if (!strcmp(key, "ptpm") || !strcmp(key, "vtpm")) {
		if (!th_chip_name_ok(value)) {
			snprintf(why, whylen, "%s: \"%.80s\" is not a chip name (tpmN)",
				 key, value);
			return -1;
		}
		if (key[0] == 'p')
			r->ptpm = value;
		else
			r->vtpm = value;
	} else if (!strcmp(key, "vtpm_provider")) {
		if (!token(value, LOWER DIGITS "_-")) {
			snprintf(why, whylen, "vtpm_provider: \"%.80s\" is not a word", value);
			return -1;
		}
		r->vtpm_provider = value;
	} else if (!strcmp(key, "banks")) {
		return parse_banks(r, value, why, whylen);
	} else if (!strcmp(key, "pcrs")) {
		r->has_pcrs = true;
		return parse_pcr_list(key, value, &r->pcrs, why, whylen);
	} else if (!strcmp(key, "tpm_handoff")) {
		r->version = value;
		return number(key, value, &n, &has, why, whylen);
	} else if (!strcmp(key, "cut")) {
		return number(key, value, &r->cut, &r->has_cut, why, whylen);
	} else if (!strcmp(key, "entries")) {
		return number(key, value, &r->entries, &r->has_entries, why, whylen);
	} else if (!strcmp(key, "replayed")) {
		return number(key, value, &r->replayed, &r->has_replayed, why, whylen);
	} else if (!strcmp(key, "barrier_ns")) {
		return number(key, value, &r->barrier_ns, &r->has_barrier, why, whylen);
	} else if (!strcmp(key, "duration_ns")) {
		return number(key, value, &r->duration_ns, &r->has_duration, why, whylen);
	} else if (!strncmp(key, "pcr", 3) && isdigit((unsigned char)key[3])) {
		return parse_pcr_key(r, key, value, why, whylen);
	} else if (!strcmp(key, "fw_log_events")) {
		return number(key, value, &r->fw_log_events, &r->has_fw_log_events,
			      why, whylen);
	} else if (IN_LIST(key, number_keys)) {
		return number(key, value, &n, &has, why, whylen);
	} else {
		return parse_fw_kv(r, key, value, why, whylen);
	}
	/* Any other key: kept as it is, for later versions of the ABI. */
	return 0;
}

/* The checks that need the whole record. */
static int check_whole(const struct th_record *r, char *why, size_t whylen)
{
	static const char *const required[] = { "result", "ptpm", "banks" };

	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++) {
		bool found = false;

		for (size_t i = 0; i < r->nkv && !found; i++)
			found = !strcmp(r->kv[i].key, required[k]);
		if (!found) {
			snprintf(why, whylen, "no \"%s\" line", required[k]);
			return -1;
		}
	}
	if (!strcmp(r->result, "aborted") && !r->error) {
		snprintf(why, whylen, "an aborted record without an \"error\" line");
		return -1;
	}
	if (r->has_cut != r->has_entries) {
		snprintf(why, whylen, "\"%s\" without \"%s\"",
			 r->has_cut ? "cut" : "entries", r->has_cut ? "entries" : "cut");
		return -1;
	}
	if (r->has_cut && r->cut > r->entries) {
		snprintf(why, whylen, "cut %" PRIu64 " is greater than entries %" PRIu64,
			 r->cut, r->entries);
		return -1;
	}
	for (size_t k = 0; k < r->npcr; k++) {
		const struct th_rec_pcr *p = &r->pcr[k];

		if (!p->has_value) {
			snprintf(why, whylen, "pcr%u.%s.%s without a pcr%u.%s value",
				 p->pcr, p->bank, p->mode ? "mode" : "digest",
				 p->pcr, p->bank);
			return -1;
		}
		if (!th_banks_has(&r->banks, p->bank)) {
			snprintf(why, whylen, "pcr%u.%s, but %s is not in banks",
				 p->pcr, p->bank, p->bank);
			return -1;
		}
		if (r->has_pcrs && !(r->pcrs & (1u << p->pcr))) {
			snprintf(why, whylen, "pcr%u.%s, but PCR %u is not in pcrs",
				 p->pcr, p->bank, p->pcr);
			return -1;
		}
		if (p->mode && strcmp(p->mode, "replay") && strcmp(p->mode, "bind")) {
			snprintf(why, whylen, "pcr%u.%s.mode: \"%s\" is neither replay nor bind",
				 p->pcr, p->bank, p->mode);
			return -1;
		}
		/* A firmware PCR's mode agrees with fw_replay and fw_bind. */
		if (p->mode && !p->digest && (r->has_fw_replay || r->has_fw_bind) &&
		    !((p->mode[0] == 'r' ? r->fw_replay : r->fw_bind) & (1u << p->pcr))) {
			snprintf(why, whylen, "pcr%u.%s.mode is %s, but PCR %u is not in fw_%s",
				 p->pcr, p->bank, p->mode, p->pcr, p->mode);
			return -1;
		}
	}
	if (r->fw_replay & r->fw_bind) {
		snprintf(why, whylen, "PCR %d is in both fw_replay and fw_bind",
			 __builtin_ctz(r->fw_replay & r->fw_bind));
		return -1;
	}
	for (unsigned int p = 0; p < IMALOG_MAX_PCRS; p++)
		if ((r->bind_why[p] || r->has_events[p]) && r->has_pcrs &&
		    !(r->pcrs & (1u << p))) {
			snprintf(why, whylen, "pcr%u.%s, but PCR %u is not in pcrs",
				 p, r->bind_why[p] ? "bind" : "events", p);
			return -1;
		}
	if (r->family == TH_FAMILY_12 &&
	    (r->banks.nr != 1 || strcmp(r->banks.name[0], "sha1"))) {
		snprintf(why, whylen, "family 1.2, but banks are not just sha1");
		return -1;
	}
	return 0;
}

int th_record_parse(struct th_record *r, const char *text, size_t len,
		    const char *name, char *err, size_t errlen)
{
	char why[TH_MSG];
	size_t lines = 1;
	unsigned long ln = 0;
	char *p, *next;

	memset(r, 0, sizeof(*r));
	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "%s: binary data (a NUL byte): not a handoff record",
			 name);
		return TH_REC_BAD;
	}
	if (strspn(text, " \t\r\n") == len)
		return TH_REC_EMPTY;
	r->text = malloc(len + 1);
	for (size_t k = 0; k < len; k++)
		lines += text[k] == '\n';
	r->kv = calloc(lines, sizeof(*r->kv));
	if (!r->text || !r->kv) {
		snprintf(err, errlen, "out of memory");
		return TH_REC_BAD;
	}
	memcpy(r->text, text, len);
	r->text[len] = 0;

	for (p = r->text; *p; p = next) {
		char *colon, *value;

		ln++;
		next = strchr(p, '\n');
		if (next)
			*next++ = 0;
		else
			next = p + strlen(p);
		if (!*p)
			continue;	/* blank lines are harmless */
		for (char *c = p; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				snprintf(err, errlen, "%s:%lu: control character 0x%02x: not a handoff record",
					 name, ln, (unsigned char)*c);
				return TH_REC_BAD;
			}
		colon = strchr(p, ':');
		if (!colon || (colon[1] && colon[1] != ' ')) {
			snprintf(err, errlen, "%s:%lu: expected \"key: value\", got \"%.60s\"",
				 name, ln, p);
			return TH_REC_BAD;
		}
		*colon = 0;
		value = colon[1] ? colon + 2 : colon + 1;
		if (strlen(p) > KEY_MAX || !token(p, LOWER DIGITS "_.-")) {
			snprintf(err, errlen, "%s:%lu: \"%.60s\" is not a record key",
				 name, ln, p);
			return TH_REC_BAD;
		}
		for (size_t k = 0; k < r->nkv; k++)
			if (!strcmp(r->kv[k].key, p)) {
				snprintf(err, errlen, "%s:%lu: \"%s\" given twice",
					 name, ln, p);
				return TH_REC_BAD;
			}
		r->kv[r->nkv].key = p;
		r->kv[r->nkv].value = value;
		r->nkv++;
		if (parse_kv(r, p, value, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%lu: %s", name, ln, why);
			return TH_REC_BAD;
		}
	}
	if (check_whole(r, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", name, why);
		return TH_REC_BAD;
	}
	return TH_REC_OK;
}

int th_record_load(struct th_record *r, const struct th_opts *o, char *err,
		   size_t errlen)
{
	char path[4096], *text;
	const char *file = o->record;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!file) {
		if (th_path(path, sizeof(path), o->sysfs, "record")) {
			snprintf(err, errlen, "%s: path too long", o->sysfs);
			return TH_REC_BAD;
		}
		file = path;
	}
	ret = th_read_file(file, TH_FILE_MAX, &text, &len);
	if (ret == -ENOENT && !o->record) {
		snprintf(err, errlen, "%s does not exist: tpm_handoff is not loaded", file);
		return TH_REC_ABSENT;
	}
	if (ret) {
		snprintf(err, errlen, "cannot read the record %s: %s", file,
			 strerror(-ret));
		return TH_REC_BAD;
	}
	ret = th_record_parse(r, text, len, file, err, errlen);
	free(text);
	return ret;
}

void th_record_free(struct th_record *r)
{
	free(r->text);
	free(r->kv);
	memset(r, 0, sizeof(*r));
}

/* Is key one that the human and JSON forms print in their own way? */
static bool pcr_key(const char *key)
{
	return !strcmp(key, "pcrs") ||
	       (!strncmp(key, "pcr", 3) && isdigit((unsigned char)key[3]));
}

/* ns as milliseconds: "12.345 ms". */
static void print_ms(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64 " ms", ns / 1000000, ns / 1000 % 1000);
}

#define LABEL	"%-21s"

/* The PCR values, PCR by PCR: mode, digest kind, events; why bound. */
static void print_pcrs_text(FILE *f, const struct th_record *r)
{
	char list[128];

	if (r->has_pcrs)
		fprintf(f, LABEL "%s\n", "PCRs mirrored:",
			r->pcrs ? th_pcr_mask_str(r->pcrs, list, sizeof(list)) : "(none)");
	for (unsigned int pcr = 0; pcr < IMALOG_MAX_PCRS; pcr++) {
		for (size_t i = 0; i < r->npcr; i++) {
			const struct th_rec_pcr *p = &r->pcr[i];
			char label[64];

			if (p->pcr != pcr)
				continue;
			snprintf(label, sizeof(label), "pcr%u.%s:", p->pcr, p->bank);
			fprintf(f, LABEL, label);
			th_hex_print(f, p->value, p->len);
			if (p->mode || p->digest) {
				fprintf(f, " (%s%s%s", p->mode ? p->mode : "",
					p->mode && p->digest ? ", " : "",
					p->digest ? p->digest : "");
				if (r->has_events[pcr])
					fprintf(f, ", %" PRIu64 " event%s", r->events[pcr],
						r->events[pcr] == 1 ? "" : "s");
				fprintf(f, ")");
			}
			fprintf(f, "\n");
		}
		if (r->bind_why[pcr]) {
			char label[64];

			snprintf(label, sizeof(label), "pcr%u.bind:", pcr);
			fprintf(f, LABEL "%s\n", label, r->bind_why[pcr]);
		}
	}
}

/* fw_log with its format and events, or its error. */
static void print_fw_log_text(FILE *f, const struct th_record *r)
{
	fprintf(f, LABEL "%s", "firmware log:", r->fw_log);
	if (r->fw_log_format || r->has_fw_log_events) {
		fprintf(f, " (%s", r->fw_log_format ? r->fw_log_format : "");
		if (r->has_fw_log_events)
			fprintf(f, "%s%" PRIu64 " events", r->fw_log_format ? ", " : "",
				r->fw_log_events);
		fprintf(f, ")");
	}
	if (r->fw_log_error)
		fprintf(f, ": unusable: %s", r->fw_log_error);
	fprintf(f, "\n");
}

void th_record_print_text(FILE *f, const struct th_record *r)
{
	bool pcrs_done = false, fw_done = false;
	char list[128], list2[128];
	uint64_t n;

	for (size_t k = 0; k < r->nkv; k++) {
		const char *key = r->kv[k].key, *v = r->kv[k].value;

		if (!strcmp(key, "result")) {
			fprintf(f, LABEL "%s\n", "result:", v);
		} else if (!strcmp(key, "error")) {
			fprintf(f, LABEL "%s\n", "error:", v);
		} else if (!strcmp(key, "ptpm")) {
			fprintf(f, LABEL "%s\n", "pTPM:", v);
		} else if (!strcmp(key, "vtpm")) {
			fprintf(f, LABEL "%s", "vTPM:", v);
			if (r->vtpm_provider)
				fprintf(f, " (provider: %s)", r->vtpm_provider);
			fprintf(f, "\n");
		} else if (!strcmp(key, "vtpm_provider")) {
			if (!r->vtpm)
				fprintf(f, LABEL "%s\n", "vTPM provider:", v);
		} else if (!strcmp(key, "family")) {
			fprintf(f, LABEL "TPM %s\n", "family:", v);
		} else if (!strcmp(key, "banks")) {
			fprintf(f, LABEL "%s\n", "banks:", *v ? v : "(none)");
		} else if (!strcmp(key, "cut")) {
			fprintf(f, LABEL "%" PRIu64 " of %" PRIu64 " IMA log entries (entries 1-%" PRIu64
				" validate against the pTPM, the whole log against the vTPM)\n",
				"cut:", r->cut, r->entries, r->cut);
		} else if (!strcmp(key, "entries")) {
			continue;	/* with cut */
		} else if (!strcmp(key, "replayed")) {
			fprintf(f, LABEL "%" PRIu64 " entries extended into the vTPM\n",
				"replayed:", r->replayed);
		} else if (!strcmp(key, "barrier_ns")) {
			fprintf(f, LABEL, "barrier:");
			print_ms(f, r->barrier_ns);
			fprintf(f, " (TPM traffic stopped)\n");
		} else if (!strcmp(key, "duration_ns")) {
			fprintf(f, LABEL, "duration:");
			print_ms(f, r->duration_ns);
			fprintf(f, "\n");
		} else if (!strcmp(key, "fw_log")) {
			print_fw_log_text(f, r);
		} else if (r->fw_log && (!strcmp(key, "fw_log_format") ||
					 !strcmp(key, "fw_log_events") ||
					 !strcmp(key, "fw_log_error"))) {
			continue;	/* with fw_log */
		} else if (!strcmp(key, "fw_replay") || !strcmp(key, "fw_bind")) {
			if (fw_done)
				continue;
			fw_done = true;
			fprintf(f, LABEL "replayed %s; bound %s\n", "firmware PCRs:",
				r->fw_replay ? th_pcr_mask_str(r->fw_replay, list, sizeof(list)) :
				"(none)",
				r->fw_bind ? th_pcr_mask_str(r->fw_bind, list2, sizeof(list2)) :
				"(none)");
		} else if (!strcmp(key, "fw_extended") && !th_parse_u64(v, &n)) {
			fprintf(f, LABEL "%" PRIu64 " extends into the vTPM (replayed events, binds)\n",
				"firmware extends:", n);
		} else if (!strcmp(key, "fw_resumed")) {
			fprintf(f, LABEL "%s\n", "firmware resumed:",
				*v ? v : "(none: no firmware PCR was in the vTPM already)");
		} else if (pcr_key(key)) {
			if (pcrs_done)
				continue;
			pcrs_done = true;
			print_pcrs_text(f, r);
		} else {
			char label[KEY_MAX + 2];

			snprintf(label, sizeof(label), "%s:", key);
			fprintf(f, LABEL "%s\n", label, v);
		}
	}
}

void th_record_print_raw(FILE *f, const struct th_record *r)
{
	for (size_t k = 0; k < r->nkv; k++)
		fprintf(f, "%s:%s%s\n", r->kv[k].key, *r->kv[k].value ? " " : "",
			r->kv[k].value);
}

/* A JSON string: quotes, backslashes, control and non-ASCII bytes escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * "pcrs": {"10": {"sha1": {"value": ..., "mode": ..., "digest": ...}},
 *	    "8": {"sha1": {"value": ..., "mode": "bind"}, "bind": "why"},
 *	    "0": {"sha1": {...}, "events": 12}}
 */
static void json_pcrs(FILE *f, const struct th_record *r)
{
	const char *psep = "";

	fprintf(f, "\"pcrs\":{");
	for (unsigned int pcr = 0; pcr < IMALOG_MAX_PCRS; pcr++) {
		const char *bsep = "";
		bool any = (r->pcrs & (1u << pcr)) || r->bind_why[pcr] || r->has_events[pcr];

		for (size_t k = 0; k < r->npcr && !any; k++)
			any = r->pcr[k].pcr == pcr;
		if (!any)
			continue;
		fprintf(f, "%s\"%u\":{", psep, pcr);
		psep = ",";
		for (size_t k = 0; k < r->npcr; k++) {
			const struct th_rec_pcr *p = &r->pcr[k];

			if (p->pcr != pcr)
				continue;
			fprintf(f, "%s", bsep);
			bsep = ",";
			json_str(f, p->bank);
			fprintf(f, ":{\"value\":\"");
			th_hex_print(f, p->value, p->len);
			fprintf(f, "\"");
			if (p->mode) {
				fprintf(f, ",\"mode\":");
				json_str(f, p->mode);
			}
			if (p->digest) {
				fprintf(f, ",\"digest\":");
				json_str(f, p->digest);
			}
			fprintf(f, "}");
		}
		if (r->bind_why[pcr]) {
			fprintf(f, "%s\"bind\":", bsep);
			json_str(f, r->bind_why[pcr]);
			bsep = ",";
		}
		if (r->has_events[pcr])
			fprintf(f, "%s\"events\":%" PRIu64, bsep, r->events[pcr]);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

/* [0,1,2]: a PCR list (already checked). */
static void json_pcr_list(FILE *f, const char *v)
{
	const char *sep = "";
	uint64_t n;

	fprintf(f, "[");
	while (*v) {
		char num[4];
		size_t len = strcspn(v, " ");

		if (len < sizeof(num)) {
			memcpy(num, v, len);
			num[len] = 0;
			if (!th_parse_u64(num, &n))
				fprintf(f, "%s%" PRIu64, sep, n);
			sep = ",";
		}
		v += len;
		v += strspn(v, " ");
	}
	fprintf(f, "]");
}

void th_record_print_json(FILE *f, const struct th_record *r)
{
	bool pcrs_done = false;
	const char *sep = "";
	uint64_t n;

	fprintf(f, "{");
	for (size_t k = 0; k < r->nkv; k++) {
		const char *key = r->kv[k].key, *v = r->kv[k].value;

		if (pcr_key(key)) {
			if (pcrs_done)
				continue;
			pcrs_done = true;
			fprintf(f, "%s", sep);
			json_pcrs(f, r);
		} else if (!strcmp(key, "banks")) {
			fprintf(f, "%s\"banks\":[", sep);
			for (size_t b = 0; b < r->banks.nr; b++) {
				fprintf(f, "%s", b ? "," : "");
				json_str(f, r->banks.name[b]);
			}
			fprintf(f, "]");
		} else if (IN_LIST(key, number_keys) && !th_parse_u64(v, &n)) {
			/* printed anew: "007" is not a JSON number */
			fprintf(f, "%s\"%s\":%" PRIu64, sep, key, n);
		} else if (IN_LIST(key, pcr_list_keys)) {
			fprintf(f, "%s\"%s\":", sep, key);
			json_pcr_list(f, v);
		} else {
			fprintf(f, "%s", sep);
			json_str(f, key);
			fputc(':', f);
			json_str(f, v);
		}
		sep = ",";
	}
	fprintf(f, "}\n");
}

int th_pcrfile_load_all(const char *path,
			uint8_t vals[IMALOG_MAX_PCRS][IMALOG_NR_BANKS][IMALOG_MAX_DIGEST],
			uint32_t mask[IMALOG_MAX_PCRS], char *err, size_t errlen)
{
	char *text, *line, *next;
	uint32_t *seen = mask;
	unsigned long ln = 0;
	size_t len;
	int ret = th_read_file(path, TH_FILE_MAX, &text, &len);

	memset(mask, 0, IMALOG_MAX_PCRS * sizeof(*mask));
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return -1;
	}
	ret = -1;
	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "%s: binary data (a NUL byte)", path);
		goto out;
	}
	for (line = text; *line; line = next) {
		char bank[TH_NAME], *p = line, *q;
		uint8_t value[IMALOG_MAX_DIGEST];
		const char *end;
		int b, n;

		ln++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		p += strspn(p, " \t\r");
		q = p + strlen(p);
		while (q > p && isspace((unsigned char)q[-1]))
			*--q = 0;
		if (!*p || *p == '#')
			continue;
		if (strncmp(p, "pcr", 3))
			goto syntax;
		n = parse_pcr(p + 3, &end);
		if (n < 0 || *end != '.')
			goto syntax;
		p = (char *)end + 1;
		len = strcspn(p, ":");
		if (p[len] != ':' || !len || len >= sizeof(bank))
			goto syntax;
		memcpy(bank, p, len);
		bank[len] = 0;
		b = imalog_bank_by_name(bank);
		if (b < 0) {
			snprintf(err, errlen, "%s:%lu: unknown bank \"%.40s\"", path, ln, bank);
			goto out;
		}
		p += len + 1;
		p += strspn(p, " \t");
		if ((seen[n] >> b) & 1) {
			snprintf(err, errlen, "%s:%lu: pcr%d.%s given twice", path, ln, n, bank);
			goto out;
		}
		seen[n] |= 1u << b;
		if (th_hex_decode(p, value, imalog_bank_size(b))) {
			snprintf(err, errlen, "%s:%lu: pcr%d.%s: \"%.80s\" is not %u hex digits",
				 path, ln, n, bank, p, 2 * imalog_bank_size(b));
			goto out;
		}
		memcpy(vals[n][b], value, imalog_bank_size(b));
		continue;
syntax:
		snprintf(err, errlen, "%s:%lu: expected \"pcrP.BANK: hex\", got \"%.60s\"",
			 path, ln, line);
		goto out;
	}
	ret = 0;
out:
	free(text);
	return ret;
}

int th_pcrfile_load(const char *path, unsigned int pcr,
		    uint8_t vals[IMALOG_NR_BANKS][IMALOG_MAX_DIGEST],
		    uint32_t *mask, char *err, size_t errlen)
{
	uint8_t (*all)[IMALOG_NR_BANKS][IMALOG_MAX_DIGEST];
	uint32_t masks[IMALOG_MAX_PCRS];
	int ret;

	*mask = 0;
	if (pcr >= IMALOG_MAX_PCRS) {
		snprintf(err, errlen, "PCR %u out of range", pcr);
		return -1;
	}
	all = calloc(IMALOG_MAX_PCRS, sizeof(*all));
	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ret = th_pcrfile_load_all(path, all, masks, err, errlen);
	if (!ret) {
		memcpy(vals, all[pcr], sizeof(all[pcr]));
		*mask = masks[pcr];
	}
	free(all);
	return ret;
}

int cmd_record(const struct th_opts *o)
{
	struct th_record r;
	char err[TH_MSG];
	int ret = th_record_load(&r, o, err, sizeof(err));

	switch (ret) {
	case TH_REC_OK:
		if (o->json)
			th_record_print_json(stdout, &r);
		else if (o->raw)
			th_record_print_raw(stdout, &r);
		else
			th_record_print_text(stdout, &r);
		ret = TH_EXIT_OK;
		break;
	case TH_REC_EMPTY:
		th_err("no record yet: no handoff has been attempted (tpm-handoff start)");
		ret = TH_EXIT_FAIL;
		break;
	case TH_REC_ABSENT:
		th_err("no record: %s", err);
		ret = TH_EXIT_FAIL;
		break;
	default:
		th_err("%s", err);
		ret = TH_EXIT_INPUT;
		break;
	}
	th_record_free(&r);
	return ret;
}
