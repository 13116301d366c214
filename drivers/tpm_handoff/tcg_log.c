// SPDX-License-Identifier: GPL-2.0-only
/*
 * The firmware's TCG event log, parsed without trusting a byte of it (see
 * tcg_log.h).  Two layouts share one header:
 *
 *   TPM 1.2 (TCG_PCClientPCREvent), every event:
 *	u32 pcr, u32 type, u8 sha1[20], u32 size, u8 data[size]
 *
 *   crypto-agile (TPM 2.0): a first event in the layout above, of type
 *   EV_NO_ACTION, whose data is TCG_EfiSpecIDEvent:
 *	char signature[16] = "Spec ID Event03", u32 platform class,
 *	u8 minor, major, errata, uintn size, u32 n, {u16 alg, u16 size}[n],
 *	u8 vendor size, u8 vendor[vendor size]
 *   then TCG_PCR_EVENT2 events:
 *	u32 pcr, u32 type, u32 count, {u16 alg, u8 digest[size of alg]}[count],
 *	u32 size, u8 data[size]
 *
 * Every integer is little-endian.  The log ends at its last byte, or, as
 * the TPM core's seq files decide (drivers/char/tpm/eventlog/tpm{1,2}.c),
 * at an event of type 0 with no data: firmware hands over a fixed-size
 * area, zero-filled after the last event.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <tpm_handoff/compat.h>
#endif

#include "tcg_log.h"

#define HDR12_LEN	(4 + 4 + TCG_SHA1_SIZE + 4)
#define SPECID_SIG	"Spec ID Event03"	/* 15 chars and a NUL */
#define SPECID_SIG_LEN	16
#define LOCALITY_SIG	"StartupLocality"
#define LOCALITY_SIG_LEN 16
#define MAX_DIGEST	64

struct cursor {
	const u8 *p;
	size_t left;
};

static bool get_u32(struct cursor *c, u32 *v)
{
	if (c->left < 4)
		return false;
	*v = get_unaligned_le32(c->p);
	c->p += 4;
	c->left -= 4;
	return true;
}

static bool get_u16(struct cursor *c, u16 *v)
{
	if (c->left < 2)
		return false;
	*v = get_unaligned_le16(c->p);
	c->p += 2;
	c->left -= 2;
	return true;
}

static bool get_bytes(struct cursor *c, const u8 **p, size_t n)
{
	if (c->left < n)
		return false;
	*p = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__printf(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The Spec ID event's data: the algorithms every later event carries. */
static int parse_specid(const u8 *data, u32 len, struct tcg_log_info *info,
			char *err, size_t errlen)
{
	struct cursor c = { data, len };
	const u8 *skip;
	u32 n, i, j;
	u8 vendor;

	if (!get_bytes(&c, &skip, SPECID_SIG_LEN + 4 + 4) || !get_u32(&c, &n))
		return fail(err, errlen, "the Spec ID event is truncated");
	if (n == 0 || n > TCG_LOG_MAX_ALGS)
		return fail(err, errlen,
			    "the Spec ID event declares %u algorithms (1 to %u supported)",
			    n, TCG_LOG_MAX_ALGS);
	for (i = 0; i < n; i++) {
		if (!get_u16(&c, &info->alg[i]) || !get_u16(&c, &info->size[i]))
			return fail(err, errlen, "the Spec ID event is truncated");
		if (!info->size[i] || info->size[i] > MAX_DIGEST)
			return fail(err, errlen,
				    "the Spec ID event gives algorithm 0x%04x a digest size of %u",
				    info->alg[i], info->size[i]);
		for (j = 0; j < i; j++)
			if (info->alg[j] == info->alg[i])
				return fail(err, errlen,
					    "the Spec ID event declares algorithm 0x%04x twice",
					    info->alg[i]);
	}
	if (c.left < 1)
		return fail(err, errlen, "the Spec ID event is truncated");
	vendor = *c.p;
	if (c.left - 1 < vendor)
		return fail(err, errlen,
			    "the Spec ID event's vendor data runs past the event");
	info->nr_algs = n;
	return 0;
}

/* A TCG_PCR_EVENT2's digests. */
static int parse_digests(struct cursor *c, const struct tcg_log_info *info,
			 struct tcg_log_event *ev, char *err, size_t errlen)
{
	u32 count, i, j, k;

	if (!get_u32(c, &count))
		return -EMSGSIZE;
	if (count > info->nr_algs)
		return fail(err, errlen,
			    "event %u (offset %zu) has %u digests but the log declares %u algorithms",
			    ev->index, ev->offset, count, info->nr_algs);
	for (i = 0; i < count; i++) {
		if (!get_u16(c, &ev->alg[i]))
			return -EMSGSIZE;
		for (j = 0; j < info->nr_algs; j++)
			if (info->alg[j] == ev->alg[i])
				break;
		if (j == info->nr_algs)
			return fail(err, errlen,
				    "event %u (offset %zu) has a digest of algorithm 0x%04x, which the log does not declare",
				    ev->index, ev->offset, ev->alg[i]);
		for (k = 0; k < i; k++)
			if (ev->alg[k] == ev->alg[i])
				return fail(err, errlen,
					    "event %u (offset %zu) has two digests of algorithm 0x%04x",
					    ev->index, ev->offset, ev->alg[i]);
		ev->size[i] = info->size[j];
		if (!get_bytes(c, &ev->digest[i], ev->size[i]))
			return -EMSGSIZE;
	}
	ev->nr_digests = count;
	return 0;
}

static bool all_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/**
 * tcg_log_parse() - walk a TCG event log
 * @log: the log
 * @len: its length
 * @info: filled in from the header, and @events and @length at the end
 * @fn: called for every event, the header event included (may be NULL)
 * @ctx: its argument
 * @err: where to say why the log was rejected (may be NULL)
 * @errlen: its size
 *
 * Return: 0, -EINVAL for a malformed log (@err says where), or what @fn
 * returned.
 */
int tcg_log_parse(const u8 *log, size_t len, struct tcg_log_info *info,
		  tcg_log_fn fn, void *ctx, char *err, size_t errlen)
{
	struct cursor c = { log, len };
	struct tcg_log_event ev;
	int rc;

	memset(info, 0, sizeof(*info));
	info->nr_algs = 1;
	info->alg[0] = TCG_ALG_SHA1;
	info->size[0] = TCG_SHA1_SIZE;
	if (err && errlen)
		err[0] = '\0';

	while (c.left) {
		memset(&ev, 0, sizeof(ev));
		ev.index = info->events;
		ev.offset = len - c.left;
		if (all_zero(c.p, min_t(size_t, c.left, HDR12_LEN)))
			break;		/* the zero fill after the last event */
		if (!get_u32(&c, &ev.pcr) || !get_u32(&c, &ev.type))
			goto truncated;
		if (!info->agile || !info->events) {
			/* TPM 1.2 layout (also the agile log's first event). */
			ev.nr_digests = 1;
			ev.alg[0] = TCG_ALG_SHA1;
			ev.size[0] = TCG_SHA1_SIZE;
			if (!get_bytes(&c, &ev.digest[0], TCG_SHA1_SIZE))
				goto truncated;
		} else {
			rc = parse_digests(&c, info, &ev, err, errlen);
			if (rc == -EMSGSIZE)
				goto truncated;
			if (rc)
				return rc;
		}
		if (!get_u32(&c, &ev.data_len))
			goto truncated;
		if (!get_bytes(&c, &ev.data, ev.data_len))
			return fail(err, errlen,
				    "event %u (offset %zu): its %u bytes of data run past the end of the log (%zu bytes)",
				    ev.index, ev.offset, ev.data_len, len);
		if (ev.type == 0 && ev.data_len == 0)
			break;		/* the core's end-of-log rule */
		if (ev.pcr >= TCG_LOG_NR_PCRS)
			return fail(err, errlen,
				    "event %u (offset %zu) is for PCR %u (0-%u exist)",
				    ev.index, ev.offset, ev.pcr,
				    TCG_LOG_NR_PCRS - 1);

		if (ev.type == TCG_EV_NO_ACTION && !info->events &&
		    ev.data_len >= SPECID_SIG_LEN &&
		    !memcmp(ev.data, SPECID_SIG, SPECID_SIG_LEN)) {
			rc = parse_specid(ev.data, ev.data_len, info, err,
					  errlen);
			if (rc)
				return rc;
			info->agile = true;
		} else if (ev.type == TCG_EV_NO_ACTION &&
			   ev.data_len >= LOCALITY_SIG_LEN + 1 &&
			   !memcmp(ev.data, LOCALITY_SIG, LOCALITY_SIG_LEN)) {
			info->locality = ev.data[LOCALITY_SIG_LEN];
			if (info->locality > 4)
				return fail(err, errlen,
					    "event %u (offset %zu): startup locality %u (0-4 exist)",
					    ev.index, ev.offset, info->locality);
		}
		info->events++;
		info->length = len - c.left;
		if (fn) {
			rc = fn(ctx, info, &ev);
			if (rc)
				return rc;
		}
	}
	if (!info->events)
		return fail(err, errlen, "the event log is empty");
	return 0;

truncated:
	return fail(err, errlen,
		    "event %u (offset %zu) is truncated: the log ends at %zu bytes",
		    info->events, len - c.left, len);
}

/**
 * tcg_log_digest() - an event's digest in one algorithm
 * @ev: the event
 * @alg: the algorithm id
 * @size: the digest size the caller expects
 *
 * Return: the digest, or NULL if @ev has none of @alg of that size.
 */
const u8 *tcg_log_digest(const struct tcg_log_event *ev, u16 alg, u16 size)
{
	unsigned int i;

	for (i = 0; i < ev->nr_digests; i++)
		if (ev->alg[i] == alg && ev->size[i] == size)
			return ev->digest[i];
	return NULL;
}
