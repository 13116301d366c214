// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-tcg-log: drivers/tpm_handoff/tcg_log.c's tcg_log_parse() and
 * tcg_log_digest(), built unchanged (kshim), on a firmware event log in
 * either layout (TPM 1.2, or crypto-agile after a Spec ID event).
 *
 * Input: the log, in a buffer of its exact size.
 *
 * The callback checks every event against the log and the header: events
 * in order and back to back, every digest and the data inside the log,
 * digests only of declared algorithms, once each, with the declared sizes,
 * tcg_log_digest() finding each of them and nothing else; the header
 * fixed by the first event, the locality by StartupLocality events.  A log
 * that parses must parse again, to the same result, cut to info->length; a
 * log that does not must say why.  A callback's non-zero return stops the
 * parse half way and is returned; without a callback or an error buffer
 * the verdict is the same.
 */
#include "../../drivers/tpm_handoff/tcg_log.h"
#include "fuzz.h"

#define HDR12_LEN	(4 + 4 + TCG_SHA1_SIZE + 4)

struct run {
	u32 stop;		/* return 1234 from event stop - 1; 0: never */
	const u8 *log;
	size_t len;
	u32 events;		/* callbacks */
	size_t end;		/* where the last event ended */
	struct tcg_log_info first;	/* the header after the first event */
	u8 locality;		/* the last StartupLocality event's */
	u64 hash;
};

static bool inside(const struct run *r, const u8 *p, size_t n)
{
	return p >= r->log && (size_t)(p - r->log) <= r->len &&
	       n <= r->len - (size_t)(p - r->log);
}

static int cb(void *ctx, const struct tcg_log_info *info,
	      const struct tcg_log_event *ev)
{
	struct run *r = ctx;
	unsigned int i, j;

	FUZZ_ASSERT(ev->index == r->events);
	FUZZ_ASSERT(info->events == r->events + 1);
	FUZZ_ASSERT(ev->offset == r->end);
	FUZZ_ASSERT(ev->pcr < TCG_LOG_NR_PCRS);
	FUZZ_ASSERT(info->nr_algs >= 1 && info->nr_algs <= TCG_LOG_MAX_ALGS);
	FUZZ_ASSERT(info->locality <= 4);
	FUZZ_ASSERT(fuzz_le32(r->log + ev->offset) == ev->pcr);
	FUZZ_ASSERT(fuzz_le32(r->log + ev->offset + 4) == ev->type);
	if (!r->events)
		r->first = *info;
	/* The algorithms are the first event's; the locality may come later. */
	FUZZ_ASSERT(info->agile == r->first.agile);
	FUZZ_ASSERT(info->nr_algs == r->first.nr_algs);
	FUZZ_ASSERT(!memcmp(info->alg, r->first.alg, sizeof(info->alg)));
	FUZZ_ASSERT(!memcmp(info->size, r->first.size, sizeof(info->size)));
	if (!info->agile)
		FUZZ_ASSERT(info->nr_algs == 1 && info->alg[0] == TCG_ALG_SHA1 &&
			    info->size[0] == TCG_SHA1_SIZE);

	if (!info->agile || !ev->index) {
		/* TPM 1.2 layout: one SHA-1 digest right after pcr and type. */
		FUZZ_ASSERT(ev->nr_digests == 1);
		FUZZ_ASSERT(ev->digest[0] == r->log + ev->offset + 8);
		FUZZ_ASSERT(ev->alg[0] == TCG_ALG_SHA1 && ev->size[0] == TCG_SHA1_SIZE);
	} else {
		FUZZ_ASSERT(ev->nr_digests <= info->nr_algs);
		FUZZ_ASSERT(fuzz_le32(r->log + ev->offset + 8) == ev->nr_digests);
		FUZZ_ASSERT(ev->nr_digests ? ev->digest[0] == r->log + ev->offset + 14
					   : ev->data == r->log + ev->offset + 16);
	}
	for (i = 0; i < ev->nr_digests; i++) {
		FUZZ_ASSERT(inside(r, ev->digest[i], ev->size[i]));
		FUZZ_ASSERT(ev->digest[i] < ev->data);
		/* The Spec ID event's SHA-1 is the layout's, declared or not. */
		for (j = 0; j < info->nr_algs && info->agile && ev->index; j++)
			if (info->alg[j] == ev->alg[i])
				break;
		if (info->agile && ev->index) {
			FUZZ_ASSERT(j < info->nr_algs);
			FUZZ_ASSERT(ev->size[i] == info->size[j]);
		}
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(ev->alg[j] != ev->alg[i]);
		if (i)
			FUZZ_ASSERT(ev->digest[i] == ev->digest[i - 1] + ev->size[i - 1] + 2);
		FUZZ_ASSERT(tcg_log_digest(ev, ev->alg[i], ev->size[i]) == ev->digest[i]);
		FUZZ_ASSERT(!tcg_log_digest(ev, ev->alg[i], ev->size[i] + 1));
		r->hash = fuzz_hash(r->hash, ev->digest[i], ev->size[i]);
	}
	for (j = 0; j < info->nr_algs && ev->index; j++) {
		for (i = 0; i < ev->nr_digests; i++)
			if (ev->alg[i] == info->alg[j])
				break;
		if (i == ev->nr_digests)
			FUZZ_ASSERT(!tcg_log_digest(ev, info->alg[j], info->size[j]));
	}
	FUZZ_ASSERT(inside(r, ev->data, ev->data_len));
	FUZZ_ASSERT(fuzz_le32(ev->data - 4) == ev->data_len);
	FUZZ_ASSERT(!ev->nr_digests ||
		    ev->data - 4 == ev->digest[ev->nr_digests - 1] + ev->size[ev->nr_digests - 1]);
	FUZZ_ASSERT(ev->type || ev->data_len);	/* that one ends the log */
	/* TCG_EfiStartupLocalityEvent: signature, then the locality. */
	if (ev->type == TCG_EV_NO_ACTION && ev->data_len > 16 &&
	    !memcmp(ev->data, "StartupLocality", 16))
		r->locality = ev->data[16];
	FUZZ_ASSERT(info->locality == r->locality);
	r->end = (size_t)(ev->data - r->log) + ev->data_len;
	FUZZ_ASSERT(info->length == r->end);
	r->hash = fuzz_hash(r->hash, ev->data, ev->data_len);
	r->hash = fuzz_hash_u64(r->hash, (u64)ev->pcr << 32 | ev->type);
	r->events++;
	return r->events == r->stop ? 1234 : 0;
}

static int parse(struct run *r, const u8 *log, size_t len,
		 struct tcg_log_info *info, u32 stop)
{
	char *err = malloc(TCG_LOG_ERRLEN);
	int rc;

	FUZZ_ASSERT(err);
	memset(r, 0, sizeof(*r));
	r->stop = stop;
	r->log = log;
	r->len = len;
	r->hash = FUZZ_HASH_INIT;
	rc = tcg_log_parse(log, len, info, cb, r, err, TCG_LOG_ERRLEN);
	FUZZ_ASSERT(memchr(err, '\0', TCG_LOG_ERRLEN));
	if (rc == 1234) {
		FUZZ_ASSERT(stop && r->events == stop && info->events == stop);
		FUZZ_ASSERT(!err[0]);
	} else if (rc) {
		FUZZ_ASSERT(rc == -EINVAL);
		FUZZ_ASSERT(err[0]);
		FUZZ_ASSERT(r->events <= info->events);
	} else {
		FUZZ_ASSERT(!err[0]);
		FUZZ_ASSERT(info->events && info->events == r->events);
		FUZZ_ASSERT(info->length == r->end && info->length <= len);
		/* What follows is the zero fill or an event of type 0 with no data. */
		if (info->length < len) {
			const u8 *t = log + info->length;
			size_t left = len - info->length;
			bool zero = true;

			for (size_t i = 0; i < left && i < HDR12_LEN; i++)
				zero = zero && !t[i];
			FUZZ_ASSERT(zero || (left >= 8 && !fuzz_le32(t + 4)));
		}
	}
	free(err);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcg_log_info info, info2;
	struct run r, r2;
	u8 *log = fuzz_dup(data, size);
	int rc;

	rc = parse(&r, log, size, &info, 0);
	if (!rc && info.length < size) {
		u8 *cut = fuzz_dup(log, info.length);

		FUZZ_ASSERT(!parse(&r2, cut, info.length, &info2, 0));
		FUZZ_ASSERT(!memcmp(&info, &info2, sizeof(info)));
		FUZZ_ASSERT(r.hash == r2.hash && r.events == r2.events);
		free(cut);
	}
	/* A callback that stops half way: its value, after as many events. */
	if (r.events >= 2)
		FUZZ_ASSERT(parse(&r2, log, size, &info2, r.events / 2) == 1234);
	/* Without a callback, without an error buffer: the same verdict. */
	FUZZ_ASSERT(tcg_log_parse(log, size, &info2, NULL, NULL, NULL, 0) == rc);
	if (!rc)
		FUZZ_ASSERT(!memcmp(&info, &info2, sizeof(info)));
	free(log);
	return 0;
}
