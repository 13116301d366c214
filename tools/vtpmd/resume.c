// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: the resume record.  At a clean stop vtpmd has libtpms save its
 * state (TPM2_Shutdown(STATE): into permall; TPM 1.2 TPM_SaveState: into
 * savestate) and writes this record beside it; the next start resumes that
 * state (Startup(STATE), the PCRs kept) only if the record is there, whole,
 * and names the very blobs it finds.  Any other permall (a backup put
 * back, another TPM's) or a damaged record means a clean start instead.
 *
 * A resume is for a vtpmd restarted under a frontend that kept running:
 * its measurements are in the PCRs.  A frontend that booted again must
 * find them reset, as a real TPM is at a platform reset.  So the record
 * also names the host's boot (dom0's boot id: a dom0 that serves itself
 * rebooted) and the device (a domU that boots again gets a new domid).
 *
 * The record is text, one field a line, in this order:
 *
 *   vtpmd-resume 1
 *   family 2.0                 (or 1.2)
 *   boot <boot id>             (/proc/sys/kernel/random/boot_id)
 *   device <domid> <handle>
 *   permall <SHA-256, hex>
 *   savestate <SHA-256, hex>   (TPM 1.2 only)
 *   check <SHA-256, hex>       (of every byte above this line)
 *
 * Pure functions, unit tested (test_proto.c); SHA-256 is libcrypto's.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "resume.h"

#define MAGIC		"vtpmd-resume 1\n"
#define MAGIC_WORD	"vtpmd-resume "
#define HEX_LEN		(2 * RESUME_HASH)

static int sha256(const void *data, size_t len, uint8_t md[RESUME_HASH])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) == 1 &&
	       n == RESUME_HASH ? 0 : -1;
}

static void hex(char *out, const uint8_t *md)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < RESUME_HASH; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0xf];
	}
	out[HEX_LEN] = '\0';
}

static int unhex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;			/* upper case is not what we write */
}

static int unhex(const char *s, uint8_t *md)
{
	for (int i = 0; i < RESUME_HASH; i++) {
		int hi = unhex_digit(s[2 * i]), lo = unhex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		md[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* A boot id as the kernel writes it: lower-case hex digits and dashes. */
static int boot_ok(const char *s, size_t len)
{
	if (!len || len > RESUME_BOOT_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (unhex_digit(s[i]) < 0 && s[i] != '-')
			return 0;
	return 1;
}

/* Append "@key <hex of sha256(@data)>\n"; returns the new length or 0. */
static size_t add_hash(char *buf, size_t size, size_t n, const char *key,
		       const void *data, size_t len)
{
	uint8_t md[RESUME_HASH];
	char h[HEX_LEN + 1];
	int w;

	if (sha256(data, len, md))
		return 0;
	hex(h, md);
	w = snprintf(buf + n, size - n, "%s %s\n", key, h);
	return w < 0 || (size_t)w >= size - n ? 0 : n + w;
}

size_t resume_build(char *buf, size_t size, const struct resume_state *s,
		    const char **why)
{
	int w;
	size_t n;

	*why = NULL;
	if (size < RESUME_MAX) {
		*why = "the record does not fit";
		return 0;
	}
	if (!s->permall) {
		*why = "there is no permall to resume";
		return 0;
	}
	if (!s->tpm2 && !s->savestate) {
		*why = "TPM_SaveState stored no savestate";
		return 0;
	}
	if (!s->boot || !boot_ok(s->boot, strlen(s->boot))) {
		*why = "this host's boot id is unknown";
		return 0;
	}
	w = snprintf(buf, size, MAGIC "family %s\nboot %s\ndevice %u %u\n",
		     s->tpm2 ? "2.0" : "1.2", s->boot, s->domid, s->handle);
	if (w < 0 || (size_t)w >= size) {
		*why = "the record does not fit";
		return 0;
	}
	/* From here on it fits (a record is shorter than RESUME_MAX). */
	n = add_hash(buf, size, w, "permall", s->permall, s->permall_len);
	if (n && !s->tpm2)
		n = add_hash(buf, size, n, "savestate", s->savestate,
			     s->savestate_len);
	/* The check covers everything above it. */
	if (n)
		n = add_hash(buf, size, n, "check", buf, n);
	if (!n)
		*why = "libcrypto cannot compute SHA-256";
	return n;
}

/*
 * Take the next line of the record, which must start with @key; its value
 * (after "@key ", without the newline) in *val, *vlen.  Returns 0, 1 if the
 * record ends before the line does, -1 if the line is another one.
 */
static int take_line(const char **p, const char *end, const char *key,
		     const char **val, size_t *vlen)
{
	const char *nl = memchr(*p, '\n', end - *p);
	size_t klen = strlen(key);

	if (!nl)
		return 1;
	if ((size_t)(nl - *p) < klen + 1 || memcmp(*p, key, klen) ||
	    (*p)[klen] != ' ')
		return -1;
	*val = *p + klen + 1;
	*vlen = nl - *val;
	*p = nl + 1;
	return 0;
}

/* A "@key <hex>" line into @md; NULL, or the reason for @damaged. */
static const char *hash_line(const char **p, const char *end, const char *key,
			     uint8_t *md, const char *damaged)
{
	const char *val;
	size_t vlen;
	int rc = take_line(p, end, key, &val, &vlen);

	if (rc > 0)
		return "the record is cut short";
	if (rc < 0 || vlen != HEX_LEN || unhex(val, md))
		return damaged;
	return NULL;
}

/* A decimal number up to @max, without a sign or leading zeros. */
static int number(const char *s, size_t len, unsigned int max,
		  unsigned int *v)
{
	unsigned long n = 0;

	if (!len || len > 5 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	if (n > max)
		return -1;
	*v = n;
	return 0;
}

/* "device <domid> <handle>" */
static const char *device_line(const char **p, const char *end,
			       struct resume_rec *r)
{
	static const char damaged[] = "the record's device line is damaged";
	const char *val, *sp;
	size_t vlen;
	int rc = take_line(p, end, "device", &val, &vlen);

	if (rc > 0)
		return "the record is cut short";
	if (rc < 0)
		return damaged;
	sp = memchr(val, ' ', vlen);
	if (!sp || number(val, sp - val, 0xffff, &r->domid) ||
	    number(sp + 1, val + vlen - sp - 1, 0xffff, &r->handle))
		return damaged;
	return NULL;
}

const char *resume_parse(const char *rec, size_t len, struct resume_rec *r)
{
	const char *p = rec, *end = rec + len, *val, *why;
	uint8_t check[RESUME_HASH], md[RESUME_HASH];
	size_t vlen, body;
	int rc;

	memset(r, 0, sizeof(*r));
	if (len < strlen(MAGIC))
		return "the record is cut short";
	if (memcmp(rec, MAGIC, strlen(MAGIC)))
		return memcmp(rec, MAGIC_WORD, strlen(MAGIC_WORD)) ?
		       "it is not a vtpmd resume record" :
		       "the record is of another version of vtpmd";
	p += strlen(MAGIC);
	rc = take_line(&p, end, "family", &val, &vlen);
	if (rc > 0)
		return "the record is cut short";
	if (rc < 0 || vlen != 3 ||
	    (memcmp(val, "2.0", 3) && memcmp(val, "1.2", 3)))
		return "the record's family line is damaged";
	r->tpm2 = val[0] == '2';
	rc = take_line(&p, end, "boot", &val, &vlen);
	if (rc > 0)
		return "the record is cut short";
	if (rc < 0 || !boot_ok(val, vlen))
		return "the record's boot line is damaged";
	memcpy(r->boot, val, vlen);
	r->boot[vlen] = '\0';
	why = device_line(&p, end, r);
	if (!why)
		why = hash_line(&p, end, "permall", r->permall,
				"the record's permall line is damaged");
	if (!why && !r->tpm2) {
		why = hash_line(&p, end, "savestate", r->savestate,
				"the record's savestate line is damaged (a TPM 1.2's record needs one)");
		r->has_savestate = !why;
	}
	if (why)
		return why;
	body = p - rec;
	why = hash_line(&p, end, "check", check,
			"the record's check line is damaged");
	if (why)
		return why;
	if (p != end)
		return "the record has trailing data";
	if (sha256(rec, body, md))
		return "libcrypto cannot compute SHA-256";
	if (memcmp(md, check, RESUME_HASH))
		return "the record's checksum does not match its content (it is damaged)";
	return NULL;
}

const char *resume_check(const struct resume_rec *r,
			 const struct resume_state *s)
{
	uint8_t md[RESUME_HASH];

	if (r->tpm2 != s->tpm2)
		return r->tpm2 ? "the record is a TPM 2.0's, this vtpmd runs a TPM 1.2" :
				 "the record is a TPM 1.2's, this vtpmd runs a TPM 2.0";
	if (!s->boot || !s->boot[0])
		return "this host's boot id is unknown";
	if (strcmp(r->boot, s->boot))
		return "it was saved in another boot of this host (PCRs do not outlive a reboot)";
	if (r->domid != s->domid || r->handle != s->handle)
		return "it was saved for another device (domain or handle)";
	if (!s->permall)
		return "there is no permall beside it";
	if (sha256(s->permall, s->permall_len, md))
		return "libcrypto cannot compute SHA-256";
	if (memcmp(md, r->permall, RESUME_HASH))
		return "the permall beside it is not the one saved with it";
	if (s->tpm2)
		return NULL;
	if (!r->has_savestate)
		return "the record names no savestate";
	if (!s->savestate)
		return "the savestate it names is missing";
	if (sha256(s->savestate, s->savestate_len, md))
		return "libcrypto cannot compute SHA-256";
	if (memcmp(md, r->savestate, RESUME_HASH))
		return "the savestate beside it is not the one saved with it";
	return NULL;
}

const char *resume_verify(const char *rec, size_t len,
			  const struct resume_state *s)
{
	struct resume_rec r;
	const char *why = resume_parse(rec, len, &r);

	return why ? why : resume_check(&r, s);
}
