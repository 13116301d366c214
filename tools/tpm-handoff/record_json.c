// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff record --json: the record as one JSON object, built with
 * json-c: numbers as numbers, "banks" and the PCR lists (fw_replay, ...)
 * as lists, the PCR values nested,
 *
 *	"pcrs": {"10": {"sha1": {"value": ..., "mode": ..., "digest": ...}},
 *		 "8": {"sha1": {"value": ..., "mode": "bind"}, "bind": "why"},
 *		 "0": {"sha1": {...}, "events": 12}}
 *
 * and every other key as a string.  Strings are UTF-8: bytes that are not
 * (a record is the kernel's text, a path in it could hold anything) become
 * U+FFFD, so the output is always valid JSON.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string of s, its bytes that are not UTF-8 replaced by U+FFFD. */
static struct json_object *str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct json_object *o;
	char *buf = malloc(3 * strlen(s) + 1), *q = buf;
	size_t n;

	if (!buf)
		return NULL;
	while (*p) {
		n = utf8_len(p);
		if (n) {
			memcpy(q, p, n);
			q += n;
			p += n;
		} else {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
			p++;
		}
	}
	*q = '\0';
	o = json_object_new_string(buf);
	free(buf);
	return o;
}

static struct json_object *hex(const uint8_t *v, size_t len)
{
	char buf[2 * 64 + 1];

	for (size_t i = 0; i < len && i < 64; i++)
		snprintf(buf + 2 * i, 3, "%02x", v[i]);
	buf[2 * (len < 64 ? len : 64)] = '\0';
	return json_object_new_string(buf);
}

/* The object of one PCR: a member per bank, then bind and events. */
static struct json_object *pcr_object(const struct cli_record *r, unsigned int pcr)
{
	struct json_object *o = json_object_new_object(), *b;

	for (size_t k = 0; k < r->npcr; k++) {
		const struct cli_rec_pcr *p = &r->pcr[k];

		if (p->pcr != pcr)
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "value", hex(p->value, p->len));
		if (p->mode)
			json_object_object_add(b, "mode", str(p->mode));
		if (p->digest)
			json_object_object_add(b, "digest", str(p->digest));
		json_object_object_add(o, p->bank, b);
	}
	if (r->bind_why[pcr])
		json_object_object_add(o, "bind", str(r->bind_why[pcr]));
	if (r->has_events[pcr])
		json_object_object_add(o, "events", json_object_new_uint64(r->events[pcr]));
	return o;
}

static struct json_object *pcrs_object(const struct cli_record *r)
{
	struct json_object *o = json_object_new_object();
	char key[4];

	for (unsigned int pcr = 0; pcr < CLI_MAX_PCRS; pcr++) {
		bool any = (r->pcrs & (1u << pcr)) || r->bind_why[pcr] ||
			   r->has_events[pcr];

		for (size_t k = 0; k < r->npcr && !any; k++)
			any = r->pcr[k].pcr == pcr;
		if (!any)
			continue;
		snprintf(key, sizeof(key), "%u", pcr);
		json_object_object_add(o, key, pcr_object(r, pcr));
	}
	return o;
}

/* [0,1,2]: a PCR list (already checked). */
static struct json_object *pcr_list(const char *v)
{
	struct json_object *a = json_object_new_array();
	char num[4];
	uint64_t n;

	while (*v) {
		size_t len = strcspn(v, " ");

		if (len < sizeof(num)) {
			memcpy(num, v, len);
			num[len] = '\0';
			if (!cli_parse_u64(num, &n))
				json_object_array_add(a, json_object_new_uint64(n));
		}
		v += len;
		v += strspn(v, " ");
	}
	return a;
}

static struct json_object *value_of(const struct cli_record *r, const char *key,
				    const char *v)
{
	struct json_object *a;
	uint64_t n;

	if (!strcmp(key, "banks")) {
		a = json_object_new_array();
		for (size_t b = 0; b < r->banks.nr; b++)
			json_object_array_add(a, str(r->banks.name[b]));
		return a;
	}
	/* Printed anew: "007" is not a JSON number. */
	if (cli_rec_number_key(key) && !cli_parse_u64(v, &n))
		return json_object_new_uint64(n);
	if (cli_rec_pcr_list_key(key))
		return pcr_list(v);
	return str(v);
}

int cli_record_print_json(FILE *f, const struct cli_record *r)
{
	struct json_object *o = json_object_new_object();
	bool pcrs_done = false;
	const char *text;
	int rc;

	for (size_t k = 0; k < r->nkv; k++) {
		const char *key = r->kv[k].key;

		if (cli_rec_pcr_key(key)) {
			if (!pcrs_done)
				json_object_object_add(o, "pcrs", pcrs_object(r));
			pcrs_done = true;
			continue;
		}
		json_object_object_add(o, key, value_of(r, key, r->kv[k].value));
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = text && fprintf(f, "%s\n", text) > 0 ? 0 : -1;
	json_object_put(o);
	return rc;
}
