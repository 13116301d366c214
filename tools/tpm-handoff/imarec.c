// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: the handoff record the module measures into the IMA log
 * (see imarec.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "imarec.h"

int cli_imarec_note(struct cli_imarec *rec, const struct cli_log_entry *e)
{
	const char *name = rec->name ? rec->name : CLI_IMAREC_NAME;
	const uint8_t *f[3], *colon;
	uint32_t flen[3], off = 0;
	uint8_t *copy;
	int n = 0;

	if (e->violation || strcmp(e->template_name, CLI_IMAREC_TEMPLATE))
		return 0;
	while (n < 3 && cli_log_field_next(e->data, e->data_len, &off, &f[n], &flen[n]) == 1)
		n++;
	/* Exactly three fields, the second the event name with its NUL. */
	if (n != 3 || off != e->data_len || flen[1] != strlen(name) + 1 ||
	    memcmp(f[1], name, strlen(name) + 1))
		return 0;
	copy = malloc(flen[2] ? flen[2] : 1);
	if (!copy)
		return -1;
	memcpy(copy, f[2], flen[2]);
	free(rec->buf);
	rec->buf = copy;
	rec->buf_len = flen[2];
	rec->count++;
	rec->index = e->index;
	rec->offset = e->offset;
	rec->pcr = e->pcr;
	rec->dng_ok = false;
	rec->algo[0] = 0;
	rec->digest_len = 0;
	/* d-ng: "algo" ':' NUL digest */
	colon = memchr(f[0], ':', flen[0]);
	if (colon && colon > f[0] && (size_t)(colon - f[0]) < sizeof(rec->algo) &&
	    (uint32_t)(colon - f[0]) + 2 <= flen[0] && !colon[1]) {
		size_t alen = (size_t)(colon - f[0]);
		uint32_t dlen = flen[0] - (uint32_t)alen - 2;

		if (dlen && dlen <= CLI_MAX_DIGEST && !memchr(f[0], 0, alen)) {
			memcpy(rec->algo, f[0], alen);
			rec->algo[alen] = 0;
			memcpy(rec->digest, colon + 2, dlen);
			rec->digest_len = dlen;
			rec->dng_ok = true;
		}
	}
	return 1;
}

void cli_imarec_free(struct cli_imarec *rec)
{
	const char *name = rec->name;

	free(rec->buf);
	memset(rec, 0, sizeof(*rec));
	rec->name = name;
}

static int find_entry(void *arg, const struct cli_log_entry *e)
{
	return cli_imarec_note(arg, e) < 0 ? -1 : 0;
}

int cli_imarec_find(const char *path, const void *buf, size_t len,
		   struct cli_imarec *rec, char *err, size_t errlen)
{
	return cli_imarec_find_named(CLI_IMAREC_NAME, path, buf, len, rec, err,
				     errlen);
}

int cli_imarec_find_named(const char *name, const char *path, const void *buf,
			  size_t len, struct cli_imarec *rec, char *err,
			  size_t errlen)
{
	const struct cli_log_walk w = {
		.path = path, .buf = buf, .len = len, .fn = find_entry, .arg = rec,
	};
	struct cli_log_result res;

	memset(rec, 0, sizeof(*rec));
	rec->name = name;
	if (cli_log_walk(&w, &res)) {
		snprintf(err, errlen, "%s", res.msg);
		cli_imarec_free(rec);
		return -1;
	}
	return 0;
}

int cli_imarec_digest_ok(const struct cli_imarec *rec)
{
	const EVP_MD *md;
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (!rec->dng_ok)
		return -1;
	md = EVP_get_digestbyname(rec->algo);
	if (!md)
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) &&
	     EVP_DigestUpdate(ctx, rec->buf, rec->buf_len) &&
	     EVP_DigestFinal_ex(ctx, d, &len);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	return len == rec->digest_len && !memcmp(d, rec->digest, len);
}
