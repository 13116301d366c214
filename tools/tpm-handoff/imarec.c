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

int th_imarec_note(struct th_imarec *rec, const struct imalog_entry *e)
{
	const uint8_t *f[3], *colon;
	uint32_t flen[3], off = 0;
	uint8_t *copy;
	int n = 0;

	if (e->ima_template || e->violation || strcmp(e->name, TH_IMAREC_TEMPLATE))
		return 0;
	while (n < 3 && imalog_field_next(e->data, e->data_len, &off, &f[n], &flen[n]) == 1)
		n++;
	/* Exactly three fields, the second the event name with its NUL. */
	if (n != 3 || off != e->data_len ||
	    flen[1] != sizeof(TH_IMAREC_NAME) ||
	    memcmp(f[1], TH_IMAREC_NAME, sizeof(TH_IMAREC_NAME)))
		return 0;
	copy = malloc(flen[2] ? flen[2] : 1);
	if (!copy)
		return -1;
	memcpy(copy, f[2], flen[2]);
	free(rec->buf);
	rec->buf = copy;
	rec->buf_len = flen[2];
	rec->count++;
	rec->num = e->num;
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

		if (dlen && dlen <= IMALOG_MAX_DIGEST && !memchr(f[0], 0, alen)) {
			memcpy(rec->algo, f[0], alen);
			rec->algo[alen] = 0;
			memcpy(rec->digest, colon + 2, dlen);
			rec->digest_len = dlen;
			rec->dng_ok = true;
		}
	}
	return 1;
}

void th_imarec_free(struct th_imarec *rec)
{
	free(rec->buf);
	memset(rec, 0, sizeof(*rec));
}

static int find_entry(void *arg, const struct imalog_entry *e, struct imalog_error *err)
{
	if (th_imarec_note(arg, e) < 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	return 0;
}

int th_imarec_find(const char *path, const void *buf, size_t len,
		   struct th_imarec *rec, char *err, size_t errlen)
{
	struct imalog_parser *p = imalog_parser_new(find_entry, rec);
	const size_t size = 1 << 16;
	uint8_t *chunk = NULL;
	FILE *f = NULL;
	int ret = -1;

	memset(rec, 0, sizeof(*rec));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (buf) {
		if (imalog_parser_feed(p, buf, len) || imalog_parser_finish(p))
			goto parse;
		ret = 0;
		goto out;
	}
	chunk = malloc(size);
	f = fopen(path, "rb");
	if (!chunk || !f) {
		snprintf(err, errlen, "cannot read the IMA log: %s: %s", path,
			 strerror(chunk ? errno : ENOMEM));
		goto out;
	}
	for (;;) {
		size_t n = fread(chunk, 1, size, f);

		if (n && imalog_parser_feed(p, chunk, n))
			goto parse;
		if (n < size)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read the IMA log: %s: %s", path, strerror(EIO));
		goto out;
	}
	if (imalog_parser_finish(p))
		goto parse;
	ret = 0;
	goto out;
parse:
	snprintf(err, errlen, "IMA log %s: %s", path, imalog_parser_error(p)->msg);
out:
	if (f)
		fclose(f);
	free(chunk);
	imalog_parser_free(p);
	if (ret)
		th_imarec_free(rec);
	return ret;
}

int th_imarec_digest_ok(const struct th_imarec *rec)
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
