// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: the record's PCR keys (pcrP.BANK, .mode, .digest;
 * pcrP.bind, .events), its bank list and its PCR lists (record_parse.c
 * uses them).
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

bool cli_rec_token(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

/* Parse "P" (0-23, no leading zeros) ending at *end; -1 if not one. */
int cli_rec_parse_pcr(const char *s, const char **end)
{
	unsigned int v = 0;
	const char *p = s;

	while (isdigit((unsigned char)*p) && p - s < 3)
		v = v * 10 + (unsigned int)(*p++ - '0');
	if (p == s || (p - s > 1 && *s == '0') || v >= CLI_MAX_PCRS ||
	    isdigit((unsigned char)*p))
		return -1;
	*end = p;
	return (int)v;
}

/* The pcrP.BANK slot of r, created if need be; NULL if full. */
static struct cli_rec_pcr *pcr_slot(struct cli_record *r, unsigned int pcr,
				   const char *bank)
{
	struct cli_rec_pcr *p;

	for (size_t k = 0; k < r->npcr; k++)
		if (r->pcr[k].pcr == pcr && !strcmp(r->pcr[k].bank, bank))
			return &r->pcr[k];
	if (r->npcr == CLI_REC_MAX_PCRVALS)
		return NULL;
	p = &r->pcr[r->npcr++];
	memset(p, 0, sizeof(*p));
	p->pcr = pcr;
	snprintf(p->bank, sizeof(p->bank), "%s", bank);
	p->ibank = cli_bank_by_name(bank);
	return p;
}

const struct cli_rec_pcr *cli_record_pcr(const struct cli_record *r,
				       unsigned int pcr, const char *bank)
{
	for (size_t k = 0; k < r->npcr; k++)
		if (r->pcr[k].pcr == pcr && !strcmp(r->pcr[k].bank, bank))
			return &r->pcr[k];
	return NULL;
}

/* "pcrP.bind" (why the PCR was bound) and "pcrP.events" (a number). */
static int parse_pcr_attr(struct cli_record *r, unsigned int pcr, const char *attr,
			  const char *key, const char *value, char *why, size_t whylen)
{
	if (!strcmp(attr, "bind")) {
		if (!*value) {
			snprintf(why, whylen, "%s: no reason given", key);
			return -1;
		}
		r->bind_why[pcr] = value;
		return 0;
	}
	if (cli_parse_u64(value, &r->events[pcr])) {
		snprintf(why, whylen, "%s: \"%.80s\" is not a number", key, value);
		return -1;
	}
	r->has_events[pcr] = true;
	return 0;
}

/* "pcrP.BANK: hex", of the bank's size (any even length if unknown). */
static int parse_pcr_value(struct cli_rec_pcr *slot, const char *key, const char *value,
			   char *why, size_t whylen)
{
	size_t want = slot->ibank >= 0 ? cli_bank_size(slot->ibank) :
			strlen(value) / 2;

	if (!want || want > CLI_MAX_DIGEST ||
	    cli_hex_decode(value, slot->value, want)) {
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

/*
 * "pcrP.BANK", "pcrP.BANK.mode", "pcrP.BANK.digest" (and "pcrP.bind",
 * "pcrP.events"): 0, or -1 with the reason in why.
 */
int cli_rec_parse_pcr_key(struct cli_record *r, const char *key, const char *value,
			 char *why, size_t whylen)
{
	char bank[CLI_NAME];
	const char *p, *dot;
	struct cli_rec_pcr *slot;
	size_t n;
	int pcr = cli_rec_parse_pcr(key + 3, &p);

	if (pcr < 0 || *p != '.') {
		snprintf(why, whylen, "\"%s\" is not pcrP.BANK with P in 0-23", key);
		return -1;
	}
	p++;
	if (!strcmp(p, "bind") || !strcmp(p, "events"))
		return parse_pcr_attr(r, (unsigned int)pcr, p, key, value, why, whylen);
	dot = strchr(p, '.');
	n = dot ? (size_t)(dot - p) : strlen(p);
	if (!n || n >= sizeof(bank)) {
		snprintf(why, whylen, "\"%s\": bad bank name", key);
		return -1;
	}
	memcpy(bank, p, n);
	bank[n] = 0;
	if (!cli_rec_token(bank, LOWER DIGITS "_")) {
		snprintf(why, whylen, "\"%s\": bad bank name", key);
		return -1;
	}
	slot = pcr_slot(r, (unsigned int)pcr, bank);
	if (!slot) {
		snprintf(why, whylen, "too many PCR values");
		return -1;
	}
	if (!dot)
		return parse_pcr_value(slot, key, value, why, whylen);
	if (!strcmp(dot + 1, "mode") || !strcmp(dot + 1, "digest")) {
		if (!cli_rec_token(value, LOWER DIGITS "-_")) {
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
int cli_rec_parse_banks(struct cli_record *r, const char *value, char *why,
		       size_t whylen)
{
	const char *p = value;

	while (*p) {
		size_t n = strcspn(p, " ");
		char *b;

		if (!n || n >= CLI_NAME || r->banks.nr == CLI_MAX_BANKS) {
			snprintf(why, whylen, "banks: \"%.80s\" is not a list of bank names",
				 value);
			return -1;
		}
		b = r->banks.name[r->banks.nr];
		memcpy(b, p, n);
		b[n] = 0;
		if (!cli_rec_token(b, LOWER DIGITS "_") || cli_banks_has(&r->banks, b)) {
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
int cli_rec_parse_pcr_list(const char *key, const char *value, uint32_t *mask,
			  char *why, size_t whylen)
{
	const char *p = value, *end;

	*mask = 0;
	while (*p) {
		int pcr = cli_rec_parse_pcr(p, &end);

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

const char *cli_pcr_mask_str(uint32_t mask, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int p = 0; p < CLI_MAX_PCRS && n < len; p++) {
		unsigned int q = p;

		if (!(mask & (1u << p)))
			continue;
		while (q + 1 < CLI_MAX_PCRS && (mask & (1u << (q + 1))))
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
