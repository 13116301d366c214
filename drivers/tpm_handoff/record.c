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

/* "pcrs: 0 1 2": the PCRs in @mask. */
static void emit_mask(struct out *o, const char *key, u32 mask)
{
	u32 p;

	emit(o, "%s:", key);
	for (p = 0; p < TH_NR_PCRS; p++)
		if (mask & BIT(p))
			emit(o, " %u", p);
	emit(o, "\n");
}

/* Where the firmware PCRs came from, and what became of each. */
static void emit_fw(struct out *o, const struct th_handoff *h)
{
	const struct th_fw *fw = &h->fw;

	if (!fw->mask)
		return;
	if (h->fw_log_path && h->fw_log_path[0])
		emit(o, "fw_log: %s\n", h->fw_log_path);
	else
		emit(o, "fw_log: %s\n", fw->log ? dev_name(&h->ptpm->dev) : "none");
	if (fw->log_ok)
		emit(o, "fw_log_format: %s\nfw_log_events: %u\n",
		     fw->info.agile ? "crypto-agile" : "tpm1.2", fw->info.events);
	else
		emit(o, "fw_log_error: %s\n", fw->log_err);
	emit_mask(o, "fw_replay", fw->replay);
	emit_mask(o, "fw_bind", fw->bind);
}

/* "key: hex" for any length (%*phN prints at most 64 bytes at a time). */
static void emit_hex(struct out *o, const char *key, const u8 *p, size_t len)
{
	size_t i, n;

	emit(o, "%s: ", key);
	for (i = 0; i < len; i += n) {
		n = min_t(size_t, len - i, 64);
		emit(o, "%*phN", (int)n, p + i);
	}
	emit(o, "\n");
}

/*
 * The handoff quote, once the pTPM produced it: what a verifier needs
 * besides the keys' public parts (Documentation/attestation.rst).
 */
static void emit_quote(struct out *o, const struct th_handoff *h,
		       bool measured)
{
	const struct th_quote *q = h->quote;

	if (!q)
		return;
	emit(o, "ptpm_ak: 0x%08x\n", q->ptpm_key.handle);
	emit_hex(o, "ptpm_ak_name", q->ptpm_key.name, q->ptpm_key.name_len);
	emit(o, "vtpm_ak: 0x%08x\n", q->vtpm_key.handle);
	emit_hex(o, "vtpm_ak_name", q->vtpm_key.name, q->vtpm_key.name_len);
	emit(o, "vtpm_reset_count: %u\nvtpm_restart_count: %u\n",
	     q->vtpm_reset_count, q->vtpm_restart_count);
	if (!q->attest_len)
		return;
	emit_mask(o, "quote_pcrs", q->pcr_mask);
	emit_hex(o, "quote_data", q->data, sizeof(q->data));
	emit_hex(o, "quote_attest", q->attest, q->attest_len);
	emit_hex(o, "quote_signature", q->sig, q->sig_len);
	if (!measured)
		emit(o, "quote_reset_count: %u\nquote_restart_count: %u\n",
		     q->reset_count, q->restart_count);
}

/**
 * th_record_format() - write the record of an attempt
 * @h: the attempt, after th_handoff_run() and before th_handoff_release()
 * @buf: where
 * @len: its size
 * @measured: the record IMA measures: only what the handoff decided (the
 *	      cut, the snapshot and how each PCR was mirrored), without the
 *	      timings and counters that differ from run to run
 *
 * Return: the length written (truncated to fit @len).
 */
int th_record_format(const struct th_handoff *h, char *buf, size_t len,
		     bool measured)
{
	struct out o = { .buf = buf, .len = len };
	u32 mask = h->cut.pcr_mask | h->fw.mask;
	unsigned int b;
	u32 p;

	if (measured)
		emit(&o, "tpm_handoff: 1\n");
	emit(&o, "result: %s\n", h->committed ? "committed" : "aborted");
	if (!h->committed)
		emit(&o, "error: %s\n", h->err);
	emit(&o, "ptpm: %s\n", dev_name(&h->ptpm->dev));
	/* The vTPM the handoff committed to, whatever re-mirrors did since. */
	if (h->vtpm_name[0])
		emit(&o, "vtpm: %s\nvtpm_provider: %s\n", h->vtpm_name,
		     h->vtpm.provider);
	else if (h->vtpm.chip)
		emit(&o, "vtpm: %s\nvtpm_provider: %s\n",
		     dev_name(&h->vtpm.chip->dev), h->vtpm.provider);
	emit(&o, "family: %s\n", h->tpm1 ? "1.2" : "2.0");
	emit(&o, "banks:");
	for (b = 0; b < h->banks.nr; b++)
		emit(&o, " %s", th_alg_name(h->banks.alg[b]));
	emit(&o, "\n");
	if (h->cut.found) {
		emit(&o, "cut: %llu\n", h->cut.cut);
		emit(&o, "entries: %llu\n", h->cut.entries);
	}
	if (!measured) {
		emit(&o, "prereplay: %s\n", h->prereplay ? "yes" : "no");
		emit(&o, "resumed: %llu\n", h->mirror.resumed);
		emit(&o, "replayed: %llu\n", h->mirror.extended);
		emit(&o, "replayed_in_barrier: %llu\n",
		     h->replayed_in_barrier);
		emit(&o, "replay_ns: %lld\n", h->replay_ns);
		emit(&o, "barrier_ns: %lld\n", h->barrier.window_ns);
		emit(&o, "duration_ns: %lld\n", h->duration_ns);
		emit(&o, "memory_bytes: %zu\n", h->mem_bytes);
		if (h->fw.mask) {
			emit(&o, "fw_extended: %u\n", h->fw.extended);
			emit_mask(&o, "fw_resumed", h->fw.resumed);
		}
	}
	emit_fw(&o, h);
	emit_quote(&o, h, measured);
	if (!h->snap || !h->cut.found)
		return o.pos;

	emit_mask(&o, "pcrs", mask);
	for (p = 0; p < TH_NR_PCRS; p++) {
		bool ima = h->cut.pcr_mask & BIT(p);

		if (!(mask & BIT(p)) || !(h->snap->valid & BIT(p)))
			continue;
		for (b = 0; b < h->banks.nr; b++) {
			const char *alg = th_alg_name(h->banks.alg[b]);

			emit(&o, "pcr%u.%s: %*phN\n", p, alg, h->banks.size[b],
			     h->snap->val[b][p]);
			emit(&o, "pcr%u.%s.mode: %s\n", p, alg,
			     ima || (h->fw.replay & BIT(p)) ? "replay" : "bind");
			if (ima)
				emit(&o, "pcr%u.%s.digest: %s\n", p, alg,
				     th_kind_name[h->cut.kind[b]]);
		}
		if (h->fw.bind & BIT(p))
			emit(&o, "pcr%u.bind: %s\n", p, h->fw.why[p]);
		else if (!ima)
			emit(&o, "pcr%u.events: %u\n", p, h->fw.events[p]);
	}
	return o.pos;
}

/**
 * th_remirror_format() - the re-mirrors of a committed handoff
 * @h: the handoff
 * @buf: where
 * @len: its size
 * @measured: the last re-mirror's record that IMA measures (what it
 *	      found and did, without timings); else the lines that the sysfs
 *	      record shows after the handoff's
 *
 * Return: the length written (truncated to fit @len).
 */
int th_remirror_format(const struct th_handoff *h, char *buf, size_t len,
		       bool measured)
{
	const struct th_remirror *rm = &h->remirror;
	struct out o = { .buf = buf, .len = len };

	if (measured) {
		emit(&o, "tpm_handoff_remirror: 1\nremirror: %u\n", rm->count);
		emit(&o, "vtpm: %s\n", dev_name(&h->vtpm.chip->dev));
		emit(&o, "entries: %llu\nresumed: %llu\n", rm->entries,
		     rm->resumed);
		if (h->fw.mask)
			emit_mask(&o, "fw_resumed", rm->fw_resumed);
		if (!h->tpm1)
			emit(&o, "vtpm_reset_count: %u\nvtpm_restart_count: %u\n",
			     rm->reset_count, rm->restart_count);
		return o.pos;
	}
	emit(&o, "remirrors: %u\nremirrors_failed: %u\n", rm->count,
	     rm->failed);
	if (!rm->count)
		return o.pos;
	emit(&o, "remirror_vtpm: %s\n", dev_name(&h->vtpm.chip->dev));
	emit(&o, "remirror_time: %lld\n", (long long)rm->time);
	emit(&o, "remirror_entries: %llu\nremirror_log_entries: %llu\n",
	     rm->entries, rm->log_entries);
	emit(&o, "remirror_resumed: %llu\nremirror_replayed: %llu\n",
	     rm->resumed, rm->extended);
	emit(&o, "remirror_replayed_in_barrier: %llu\n", rm->in_barrier);
	if (h->fw.mask) {
		emit_mask(&o, "remirror_fw_resumed", rm->fw_resumed);
		emit(&o, "remirror_fw_extended: %u\n", rm->fw_extended);
	}
	emit(&o, "remirror_barrier_ns: %lld\nremirror_duration_ns: %lld\n",
	     rm->barrier_ns, rm->duration_ns);
	emit(&o, "remirror_measured: %d\n", rm->measure_rc);
	if (!h->tpm1)
		emit(&o, "remirror_reset_count: %u\nremirror_restart_count: %u\n",
		     rm->reset_count, rm->restart_count);
	return o.pos;
}
