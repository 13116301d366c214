// SPDX-License-Identifier: GPL-2.0-only
/*
 * The handoff record: what /sys/kernel/tpm_handoff/record shows, as
 * "key: value" lines (Documentation/ABI/testing/sysfs-kernel-tpm_handoff).
 */
#include <linux/kernel.h>
#include <linux/device.h>

#include "tpm_handoff_priv.h"

struct out {
	char *buf;
	size_t len;
	size_t pos;
};

static void emit(struct out *o, const char *fmt, ...) __printf(2, 3);

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->pos >= o->len)
		return;
	va_start(ap, fmt);
	o->pos += vscnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
}

/**
 * th_record_format() - write the record of an attempt
 * @h: the attempt, after th_handoff_run() and before th_handoff_release()
 * @buf: where
 * @len: its size
 *
 * Return: the length written (truncated to fit @len).
 */
int th_record_format(const struct th_handoff *h, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	unsigned int b;
	u32 p;

	emit(&o, "result: %s\n", h->committed ? "committed" : "aborted");
	if (!h->committed)
		emit(&o, "error: %s\n", h->err);
	emit(&o, "ptpm: %s\n", dev_name(&h->ptpm->dev));
	if (h->vtpm.chip)
		emit(&o, "vtpm: %s\nvtpm_provider: %s\n",
		     dev_name(&h->vtpm.chip->dev), h->vtpm.provider);
	emit(&o, "banks:");
	for (b = 0; b < h->banks.nr; b++)
		emit(&o, " %s", th_alg_name(h->banks.alg[b]));
	emit(&o, "\n");
	if (h->cut.found) {
		emit(&o, "cut: %llu\n", h->cut.cut);
		emit(&o, "entries: %llu\n", h->cut.entries);
	}
	emit(&o, "prereplay: %s\n", h->prereplay ? "yes" : "no");
	emit(&o, "resumed: %llu\n", h->mirror.resumed);
	emit(&o, "replayed: %llu\n", h->mirror.extended);
	emit(&o, "replayed_in_barrier: %llu\n", h->replayed_in_barrier);
	emit(&o, "replay_ns: %lld\n", h->replay_ns);
	emit(&o, "barrier_ns: %lld\n", h->barrier.window_ns);
	emit(&o, "duration_ns: %lld\n", h->duration_ns);
	emit(&o, "memory_bytes: %zu\n", h->mem_bytes);
	if (!h->snap || !h->cut.found)
		return o.pos;

	emit(&o, "pcrs:");
	for (p = 0; p < TH_NR_PCRS; p++)
		if (h->cut.pcr_mask & BIT(p))
			emit(&o, " %u", p);
	emit(&o, "\n");
	for (p = 0; p < TH_NR_PCRS; p++) {
		if (!(h->cut.pcr_mask & BIT(p)) || !(h->snap->valid & BIT(p)))
			continue;
		for (b = 0; b < h->banks.nr; b++) {
			const char *alg = th_alg_name(h->banks.alg[b]);

			emit(&o, "pcr%u.%s: %*phN\n", p, alg, h->banks.size[b],
			     h->snap->val[b][p]);
			emit(&o, "pcr%u.%s.mode: replay\n", p, alg);
			emit(&o, "pcr%u.%s.digest: %s\n", p, alg,
			     th_kind_name[h->cut.kind[b]]);
		}
	}
	return o.pos;
}
