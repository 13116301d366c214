// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: parse the handoff record.
 *
 * The record is checked strictly: every line must be "key: value" with a
 * known syntax for the keys the ABI documents (unknown keys are kept and
 * printed as they are), numbers must be decimal, PCR values hex of their
 * bank's size.  Anything else is refused with the line it is on, so that
 * no later step works on a half-understood record.  What needs the whole
 * record is checked last (record_check.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* A decimal value into *v, with *has set. */
static int number(const char *key, const char *value, uint64_t *v, bool *has,
		  char *why, size_t whylen)
{
	if (cli_parse_u64(value, v)) {
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
	"memory_bytes", "fw_extended", "fw_log_events", "quote_reset_count",
	"quote_restart_count", "vtpm_reset_count", "vtpm_restart_count",
	"remirrors", "remirrors_failed", "remirror_time", "remirror_entries",
	"remirror_log_entries", "remirror_resumed", "remirror_replayed",
	"remirror_replayed_in_barrier", "remirror_fw_extended",
	"remirror_reset_count", "remirror_restart_count",
};

/* Keys whose value is a list of PCRs (the JSON form: a list of numbers). */
static const char *const pcr_list_keys[] = {
	"pcrs", "fw_replay", "fw_bind", "fw_resumed", "quote_pcrs",
	"remirror_fw_resumed",
};

static bool in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(key, list[k]))
			return true;
	return false;
}

#define IN_LIST(key, list)	in_list(key, list, sizeof(list) / sizeof(list[0]))

bool cli_rec_number_key(const char *key)
{
	return IN_LIST(key, number_keys);
}

bool cli_rec_pcr_list_key(const char *key)
{
	return IN_LIST(key, pcr_list_keys);
}

/*
 * The keys the measured copy leaves out (drivers/tpm_handoff/record.c,
 * th_record_format() with measured set).
 */
static const char *const unmeasured_keys[] = {
	"prereplay", "resumed", "replayed", "replayed_in_barrier",
	"replay_ns", "barrier_ns", "duration_ns", "memory_bytes",
	"fw_extended", "fw_resumed", "quote_reset_count", "quote_restart_count",
};

bool cli_record_key_unmeasured(const char *key)
{
	size_t n = strlen(key);

	/* remirrors, remirror_*: what happened after the measured handoff. */
	return IN_LIST(key, unmeasured_keys) ||
	       !strncmp(key, "remirror", 8) ||
	       (n > 3 && !strcmp(key + n - 3, "_ns"));
}

const char *cli_record_vtpm_now(const struct cli_record *r)
{
	return r->remirror_vtpm ? r->remirror_vtpm : r->vtpm;
}

const char *cli_record_get(const struct cli_record *r, const char *key)
{
	for (size_t k = 0; k < r->nkv; k++)
		if (!strcmp(r->kv[k].key, key))
			return r->kv[k].value;
	return NULL;
}

/* The keys of the firmware PCRs and the family. */
static int parse_fw_kv(struct cli_record *r, const char *key, const char *value,
		       char *why, size_t whylen)
{
	uint32_t mask;

	if (!strcmp(key, "family")) {
		if (!strcmp(value, "2.0")) {
			r->family = CLI_FAMILY_20;
		} else if (!strcmp(value, "1.2")) {
			r->family = CLI_FAMILY_12;
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
		if (cli_rec_parse_pcr_list(key, value, &mask, why, whylen))
			return -1;
		if (key[3] == 'r') {
			r->fw_replay = mask;
			r->has_fw_replay = true;
		} else {
			r->fw_bind = mask;
			r->has_fw_bind = true;
		}
	} else if (!strcmp(key, "fw_resumed")) {
		return cli_rec_parse_pcr_list(key, value, &mask, why, whylen);
	} else if (!strcmp(key, "prereplay")) {
		if (strcmp(value, "yes") && strcmp(value, "no")) {
			snprintf(why, whylen, "prereplay: \"%.80s\" is neither yes nor no", value);
			return -1;
		}
	}
	return 0;
}

/* A key of number_keys; some are kept in r. */
static int parse_number_kv(struct cli_record *r, const char *key, const char *value,
			   char *why, size_t whylen)
{
	uint64_t n;
	bool has;

	if (!strcmp(key, "tpm_handoff"))
		r->version = value;	/* a number too, checked below */
	if (!strcmp(key, "cut"))
		return number(key, value, &r->cut, &r->has_cut, why, whylen);
	if (!strcmp(key, "entries"))
		return number(key, value, &r->entries, &r->has_entries, why, whylen);
	if (!strcmp(key, "replayed"))
		return number(key, value, &r->replayed, &r->has_replayed, why, whylen);
	if (!strcmp(key, "barrier_ns"))
		return number(key, value, &r->barrier_ns, &r->has_barrier, why, whylen);
	if (!strcmp(key, "duration_ns"))
		return number(key, value, &r->duration_ns, &r->has_duration, why, whylen);
	if (!strcmp(key, "fw_log_events"))
		return number(key, value, &r->fw_log_events, &r->has_fw_log_events,
			      why, whylen);
	return number(key, value, &n, &has, why, whylen);
}

/* One "key: value" line. */
static int parse_kv(struct cli_record *r, const char *key, const char *value,
		    char *why, size_t whylen)
{
	if (!strcmp(key, "result")) {
		if (strcmp(value, "committed") && strcmp(value, "aborted")) {
			snprintf(why, whylen, "result: \"%.80s\" is neither committed nor aborted",
				 value);
			return -1;
		}
		r->result = value;
	} else if (!strcmp(key, "error")) {
		r->error = value;
	} else if (!strcmp(key, "ptpm") || !strcmp(key, "vtpm") ||
		   !strcmp(key, "remirror_vtpm")) {
		if (!cli_chip_name_ok(value)) {
			snprintf(why, whylen, "%s: \"%.80s\" is not a chip name (tpmN)",
				 key, value);
			return -1;
		}
		if (key[0] == 'p')
			r->ptpm = value;
		else if (key[0] == 'r')
			r->remirror_vtpm = value;
		else
			r->vtpm = value;
	} else if (!strcmp(key, "vtpm_provider")) {
		if (!cli_rec_token(value, LOWER DIGITS "_-")) {
			snprintf(why, whylen, "vtpm_provider: \"%.80s\" is not a word", value);
			return -1;
		}
		r->vtpm_provider = value;
	} else if (!strcmp(key, "banks")) {
		return cli_rec_parse_banks(r, value, why, whylen);
	} else if (!strcmp(key, "pcrs")) {
		r->has_pcrs = true;
		return cli_rec_parse_pcr_list(key, value, &r->pcrs, why, whylen);
	} else if (IN_LIST(key, number_keys)) {
		return parse_number_kv(r, key, value, why, whylen);
	} else if (!strncmp(key, "pcr", 3) && isdigit((unsigned char)key[3])) {
		return cli_rec_parse_pcr_key(r, key, value, why, whylen);
	} else {
		return parse_fw_kv(r, key, value, why, whylen);
	}
	/* Any other key: kept as it is, for later versions of the ABI. */
	return 0;
}

/*
 * Line ln of the record, p, split in place into r's next key and value.
 * 0, or -1 with the line's number and what is wrong with it in err.
 */
static int parse_line(struct cli_record *r, char *p, const char *name, unsigned long ln,
		      char *err, size_t errlen)
{
	char why[CLI_MSG], *colon, *value;

	for (char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(err, errlen, "%s:%lu: control character 0x%02x: not a handoff record",
				 name, ln, (unsigned char)*c);
			return -1;
		}
	colon = strchr(p, ':');
	if (!colon || (colon[1] && colon[1] != ' ')) {
		snprintf(err, errlen, "%s:%lu: expected \"key: value\", got \"%.60s\"",
			 name, ln, p);
		return -1;
	}
	*colon = 0;
	value = colon[1] ? colon + 2 : colon + 1;
	if (strlen(p) > KEY_MAX || !cli_rec_token(p, LOWER DIGITS "_.-")) {
		snprintf(err, errlen, "%s:%lu: \"%.60s\" is not a record key",
			 name, ln, p);
		return -1;
	}
	if (cli_record_get(r, p)) {
		snprintf(err, errlen, "%s:%lu: \"%s\" given twice", name, ln, p);
		return -1;
	}
	r->kv[r->nkv].key = p;
	r->kv[r->nkv].value = value;
	r->nkv++;
	if (parse_kv(r, p, value, why, sizeof(why))) {
		snprintf(err, errlen, "%s:%lu: %s", name, ln, why);
		return -1;
	}
	return 0;
}

int cli_record_parse(struct cli_record *r, const char *text, size_t len,
		    const char *name, char *err, size_t errlen)
{
	char why[CLI_MSG];
	int rc = cli_record_parse_lines(r, text, len, name, err, errlen);

	if (rc)
		return rc;
	if (cli_rec_check_whole(r, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", name, why);
		return CLI_REC_BAD;
	}
	return CLI_REC_OK;
}

int cli_record_parse_lines(struct cli_record *r, const char *text, size_t len,
			   const char *name, char *err, size_t errlen)
{
	size_t lines = 1;
	unsigned long ln = 0;
	char *p, *next;

	memset(r, 0, sizeof(*r));
	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "%s: binary data (a NUL byte): not a handoff record",
			 name);
		return CLI_REC_BAD;
	}
	if (strspn(text, " \t\r\n") == len)
		return CLI_REC_EMPTY;
	r->text = malloc(len + 1);
	for (size_t k = 0; k < len; k++)
		lines += text[k] == '\n';
	r->kv = calloc(lines, sizeof(*r->kv));
	if (!r->text || !r->kv) {
		snprintf(err, errlen, "out of memory");
		return CLI_REC_BAD;
	}
	memcpy(r->text, text, len);
	r->text[len] = 0;

	for (p = r->text; *p; p = next) {
		ln++;
		next = strchr(p, '\n');
		if (next)
			*next++ = 0;
		else
			next = p + strlen(p);
		if (!*p)
			continue;	/* blank lines are harmless */
		if (parse_line(r, p, name, ln, err, errlen))
			return CLI_REC_BAD;
	}
	return CLI_REC_OK;
}

int cli_record_load(struct cli_record *r, const struct cli_opts *o, char *err,
		   size_t errlen)
{
	char path[4096], *text;
	const char *file = o->record;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!file) {
		if (cli_path(path, sizeof(path), o->sysfs, "record")) {
			snprintf(err, errlen, "%s: path too long", o->sysfs);
			return CLI_REC_BAD;
		}
		file = path;
	}
	ret = cli_read_file(file, CLI_FILE_MAX, &text, &len);
	if (ret == -ENOENT && !o->record) {
		snprintf(err, errlen, "%s does not exist: tpm_handoff is not loaded", file);
		return CLI_REC_ABSENT;
	}
	if (ret) {
		snprintf(err, errlen, "cannot read the record %s: %s", file,
			 strerror(-ret));
		return CLI_REC_BAD;
	}
	ret = cli_record_parse(r, text, len, file, err, errlen);
	free(text);
	return ret;
}

void cli_record_free(struct cli_record *r)
{
	free(r->text);
	free(r->kv);
	memset(r, 0, sizeof(*r));
}

