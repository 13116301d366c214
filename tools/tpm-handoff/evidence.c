// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: the evidence file (evidence.h), with json-c; binary
 * members in hex (small) or base64 (the logs, with libcrypto's codec).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "evidence.h"
#include "util.h"

static const char *const members[] = {
	"format", "version", "nonce", "record", "ptpm_ak", "vtpm_ak",
	"handoff_quote", "vtpm_quote", "ima_log", "fw_log",
};

struct parse {
	char *err;
	size_t errlen;
};

static int bad(struct parse *p, const char *what, const char *why)
{
	snprintf(p->err, p->errlen, "evidence: %s: %s", what, why);
	return -1;
}

/*
 * The string member key of o (what names it in messages), or NULL.  A
 * string with a NUL in it (JSON's \u0000) is refused: C would cut it there.
 */
static const char *get_str(struct parse *p, struct json_object *o,
			   const char *key, const char *what)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		bad(p, what, "missing, or not a string");
		return NULL;
	}
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v)) {
		bad(p, what, "holds a NUL character");
		return NULL;
	}
	return s;
}

static int get_hex(struct parse *p, struct json_object *o, const char *key,
		   const char *what, struct cli_blob *b)
{
	const char *s = get_str(p, o, key, what);
	size_t n;

	if (!s)
		return -1;
	n = strlen(s);
	if (!n || n % 2 || n / 2 > CLI_FILE_MAX)
		return bad(p, what, "not an even number of hex digits");
	b->buf = malloc(n / 2);
	if (!b->buf)
		return bad(p, what, "out of memory");
	b->len = n / 2;
	if (cli_hex_decode(s, b->buf, b->len))
		return bad(p, what, "not hex");
	return 0;
}

/*
 * Strict base64: the alphabet only, "=" only as the last one or two
 * characters (EVP_DecodeBlock() itself would skip white space and leave
 * the padding's zero bytes).
 */
static int get_b64(struct parse *p, const char *s, const char *what,
		   struct cli_blob *b)
{
	size_t n = strlen(s), pad = 0;
	int got;

	if (n % 4)
		return bad(p, what, "not base64 (its length is not a multiple of 4)");
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		    (c == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '=')))
			continue;
		return bad(p, what, "not base64");
	}
	b->buf = malloc(n / 4 * 3 + 1);
	if (!b->buf)
		return bad(p, what, "out of memory");
	if (n > (size_t)INT32_MAX)
		return bad(p, what, "too long");
	got = EVP_DecodeBlock(b->buf, (const unsigned char *)s, (int)n);
	if (got < 0)
		return bad(p, what, "not base64");
	if (n && s[n - 1] == '=')
		pad++;
	if (n > 1 && s[n - 2] == '=')
		pad++;
	b->len = (size_t)got - pad;
	return 0;
}

static int get_handle(struct parse *p, struct json_object *o, const char *what,
		      uint32_t *h)
{
	const char *s = get_str(p, o, "handle", what);
	char *end;
	unsigned long v;

	if (!s)
		return -1;
	v = strtoul(s, &end, 16);
	if (strncmp(s, "0x", 2) || *end || v < 0x81000000ul || v > 0x81fffffful)
		return bad(p, what, "handle is not a persistent handle \"0x81......\"");
	*h = (uint32_t)v;
	return 0;
}

static struct json_object *member(struct parse *p, struct json_object *o,
				  const char *key, json_type type)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type)) {
		bad(p, key, "missing, or of the wrong type");
		return NULL;
	}
	return v;
}

static int get_key(struct parse *p, struct json_object *top, const char *key,
		   uint32_t *h, struct cli_blob *pub)
{
	struct json_object *o = member(p, top, key, json_type_object);
	char what[64];

	if (!o)
		return -1;
	snprintf(what, sizeof(what), "%s.handle", key);
	if (get_handle(p, o, what, h))
		return -1;
	snprintf(what, sizeof(what), "%s.public", key);
	return get_hex(p, o, "public", what, pub);
}

/* "pcrP.BANK": hex, for the vTPM quote's PCRs. */
static int get_pcrs(struct parse *p, struct json_object *o, struct cli_evidence *ev)
{
	json_object_object_foreach(o, k, v) {
		char bank[16], what[64];
		unsigned int pcr;
		int b, n = 0;

		snprintf(what, sizeof(what), "vtpm_quote.pcrs.%.32s", k);
		if (sscanf(k, "pcr%u.%15[a-z0-9_]%n", &pcr, bank, &n) != 2 || k[n] ||
		    pcr >= CLI_MAX_PCRS || (b = cli_bank_by_name(bank)) < 0)
			return bad(p, what, "not \"pcrP.BANK\" of a known bank");
		if (!json_object_is_type(v, json_type_string) ||
		    cli_hex_decode(json_object_get_string(v), ev->vpcr[pcr][b],
				   cli_bank_size((enum cli_bank)b)))
			return bad(p, what, "not a digest of the bank's size in hex");
		ev->vpcr_mask[pcr] |= 1u << b;
	}
	return 0;
}

int cli_evidence_parse(struct cli_evidence *ev, const char *text, size_t len,
		       char *err, size_t errlen)
{
	struct parse p = { err, errlen };
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *top = NULL, *o, *v;
	int ret = -1;

	memset(ev, 0, sizeof(*ev));
	if (!tok)
		return bad(&p, "file", "out of memory");
	if (len > CLI_EVIDENCE_MAX || strlen(text) != len) {
		bad(&p, "file", "too long, or holds a NUL byte");
		goto out;
	}
	top = json_tokener_parse_ex(tok, text, (int)len);
	if (top && json_tokener_get_error(tok) == json_tokener_success) {
		size_t end = json_tokener_get_parse_end(tok);

		/* Only white space after the object. */
		while (end < len && strchr(" \t\r\n", text[end]))
			end++;
		if (end != len) {
			bad(&p, "file", "more than one JSON value");
			goto out;
		}
	} else {
		bad(&p, "file", "not one JSON object");
		goto out;
	}
	if (!json_object_is_type(top, json_type_object)) {
		bad(&p, "file", "not a JSON object");
		goto out;
	}
	json_object_object_foreach(top, key, val) {
		size_t k;

		(void)val;
		for (k = 0; k < sizeof(members) / sizeof(members[0]); k++)
			if (!strcmp(key, members[k]))
				break;
		if (k == sizeof(members) / sizeof(members[0])) {
			bad(&p, key, "not a member of the format");
			goto out;
		}
	}
	if (!get_str(&p, top, "format", "format"))
		goto out;
	if (strcmp(get_str(&p, top, "format", "format"), CLI_EVIDENCE_FORMAT)) {
		bad(&p, "format", "not \"" CLI_EVIDENCE_FORMAT "\"");
		goto out;
	}
	o = member(&p, top, "version", json_type_int);
	if (!o)
		goto out;
	if (json_object_get_int64(o) != CLI_EVIDENCE_VERSION) {
		bad(&p, "version", "not 1, the only version this tool reads");
		goto out;
	}
	if (get_hex(&p, top, "nonce", "nonce", &ev->nonce))
		goto out;
	if (!get_str(&p, top, "record", "record"))
		goto out;
	ev->record = strdup(get_str(&p, top, "record", "record"));
	if (!ev->record ||
	    get_key(&p, top, "ptpm_ak", &ev->ptpm_ak, &ev->ptpm_ak_pub) ||
	    get_key(&p, top, "vtpm_ak", &ev->vtpm_ak, &ev->vtpm_ak_pub))
		goto out;
	o = member(&p, top, "handoff_quote", json_type_object);
	if (!o || get_hex(&p, o, "attest", "handoff_quote.attest", &ev->hq_attest) ||
	    get_hex(&p, o, "signature", "handoff_quote.signature", &ev->hq_sig))
		goto out;
	o = member(&p, top, "vtpm_quote", json_type_object);
	if (!o || get_hex(&p, o, "attest", "vtpm_quote.attest", &ev->vq_attest) ||
	    get_hex(&p, o, "signature", "vtpm_quote.signature", &ev->vq_sig))
		goto out;
	v = member(&p, o, "pcrs", json_type_object);
	if (!v || get_pcrs(&p, v, ev))
		goto out;
	if (!get_str(&p, top, "ima_log", "ima_log") ||
	    get_b64(&p, get_str(&p, top, "ima_log", "ima_log"), "ima_log", &ev->ima_log))
		goto out;
	if (!json_object_object_get_ex(top, "fw_log", &v)) {
		bad(&p, "fw_log", "missing (null for none)");
		goto out;
	}
	if (v && (!get_str(&p, top, "fw_log", "fw_log") ||
		  get_b64(&p, get_str(&p, top, "fw_log", "fw_log"), "fw_log", &ev->fw_log))) {
		if (!err[0])
			bad(&p, "fw_log", "not a string or null");
		goto out;
	}
	ret = 0;
out:
	json_object_put(top);
	json_tokener_free(tok);
	return ret;
}

static struct json_object *hexobj(const struct cli_blob *b)
{
	char *s = malloc(2 * b->len + 1);
	struct json_object *o;

	if (!s)
		return NULL;
	o = json_object_new_string(cli_hex_str(s, b->buf, b->len));
	free(s);
	return o;
}

static struct json_object *b64obj(const struct cli_blob *b)
{
	char *s;
	struct json_object *o;

	if (b->len > (size_t)INT32_MAX / 2)
		return NULL;
	s = malloc(b->len / 3 * 4 + 5);
	if (!s)
		return NULL;
	EVP_EncodeBlock((unsigned char *)s, b->buf, (int)b->len);
	o = json_object_new_string(s);
	free(s);
	return o;
}

static struct json_object *keyobj(uint32_t h, const struct cli_blob *pub)
{
	struct json_object *o = json_object_new_object();
	char hs[16];

	snprintf(hs, sizeof(hs), "0x%08x", h);
	json_object_object_add(o, "handle", json_object_new_string(hs));
	json_object_object_add(o, "public", hexobj(pub));
	return o;
}

static struct json_object *quoteobj(const struct cli_blob *a, const struct cli_blob *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "attest", hexobj(a));
	json_object_object_add(o, "signature", hexobj(s));
	return o;
}

int cli_evidence_write(FILE *f, const struct cli_evidence *ev)
{
	struct json_object *top = json_object_new_object(), *vq, *pcrs;
	int ret;

	if (!top)
		return -1;
	json_object_object_add(top, "format", json_object_new_string(CLI_EVIDENCE_FORMAT));
	json_object_object_add(top, "version", json_object_new_int(CLI_EVIDENCE_VERSION));
	json_object_object_add(top, "nonce", hexobj(&ev->nonce));
	json_object_object_add(top, "record", json_object_new_string(ev->record));
	json_object_object_add(top, "ptpm_ak", keyobj(ev->ptpm_ak, &ev->ptpm_ak_pub));
	json_object_object_add(top, "vtpm_ak", keyobj(ev->vtpm_ak, &ev->vtpm_ak_pub));
	json_object_object_add(top, "handoff_quote", quoteobj(&ev->hq_attest, &ev->hq_sig));
	vq = quoteobj(&ev->vq_attest, &ev->vq_sig);
	pcrs = json_object_new_object();
	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++)
		for (int b = 0; b < CLI_NR_BANKS; b++) {
			struct cli_blob v = { (uint8_t *)ev->vpcr[p][b],
					      cli_bank_size((enum cli_bank)b) };
			char key[32];

			if (!(ev->vpcr_mask[p] & (1u << b)))
				continue;
			snprintf(key, sizeof(key), "pcr%u.%s", p,
				 cli_bank_name((enum cli_bank)b));
			json_object_object_add(pcrs, key, hexobj(&v));
		}
	json_object_object_add(vq, "pcrs", pcrs);
	json_object_object_add(top, "vtpm_quote", vq);
	json_object_object_add(top, "ima_log", b64obj(&ev->ima_log));
	json_object_object_add(top, "fw_log", ev->fw_log.len ? b64obj(&ev->fw_log) : NULL);
	ret = fprintf(f, "%s\n", json_object_to_json_string_ext(top,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 ? -1 : 0;
	json_object_put(top);
	return ret;
}

void cli_evidence_free(struct cli_evidence *ev)
{
	struct cli_blob *b[] = {
		&ev->nonce, &ev->ptpm_ak_pub, &ev->vtpm_ak_pub, &ev->hq_attest,
		&ev->hq_sig, &ev->vq_attest, &ev->vq_sig, &ev->ima_log, &ev->fw_log,
	};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		free(b[i]->buf);
		b[i]->buf = NULL;
	}
	free(ev->record);
	ev->record = NULL;
}
