// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff verify: the firmware PCRs.
 *
 * A firmware PCR is one of the record's PCRs with pcrN.BANK.mode lines but
 * no pcrN.BANK.digest lines (those are the PCRs the IMA log extends).  The
 * module mirrored it into the vTPM in one of two modes:
 *
 *   replay  every event of the firmware's TCG event log for the PCR was
 *	     extended into the vTPM: the vTPM's PCR equals the snapshot
 *	     pcrN.BANK.  With --fw-log, the event log's own replay must give
 *	     the snapshot too; that is what makes the PCR trustworthy.
 *   bind    the vTPM was extended once with the snapshot: it reads
 *	     H(reset || snapshot) in each bank's hash, reset being 00.. for
 *	     PCRs 0-16 and 23 and ff.. for 17-22 (PC Client profile).
 *
 * --ptpm-pcrs replaces the record's snapshot for every PCR the file gives
 * (as for PCR 10); the others keep the record's.  --vtpm-pcrs gives the
 * vTPM's values; a firmware PCR it lacks is reported as not checked, and
 * the verdict says so.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwlog.h"
#include "tpm.h"
#include "verify.h"

/* "sha1 sha256" for the banks in bits (bit k: v->bank[k]). */
static const char *bank_list(const struct verify *v, uint32_t bits, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t k = 0; k < v->nb && n < len; k++)
		if (bits & (1u << k))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "",
					      v->bank[k].name);
	return buf;
}

/* What a replay PCR is compared with: "the snapshot" or the pTPM's. */
static const char *snap_name(const struct fwpcr *f)
{
	return f->from_file ? "the pTPM's value (--ptpm-pcrs)" : "the snapshot";
}

/* What a bound PCR must read: "H(00.. || the snapshot)". */
static const char *bind_name(const struct fwpcr *f, char *buf, size_t len)
{
	snprintf(buf, len, "H(%s.. || %s)", cli_pcr_reset_byte(f->pcr) ? "ff" : "00",
		 snap_name(f));
	return buf;
}

static void hex_str(const uint8_t *v, size_t n, char *buf)
{
	for (size_t k = 0; k < n; k++)
		snprintf(buf + 2 * k, 3, "%02x", v[k]);
}

/* One firmware PCR from the record (and --ptpm-pcrs).  0 or exit status. */
static int setup_one(struct verify *v, unsigned int pcr)
{
	const struct cli_record *r = &v->rec;
	struct fwpcr *f = &v->fw[v->nfw];
	const char *mode = NULL;

	memset(f, 0, sizeof(*f));
	f->pcr = pcr;
	f->from_file = v->o->ptpm_pcrs && v->pfile_mask[pcr];
	for (size_t k = 0; k < v->nb; k++) {
		const struct vbank *b = &v->bank[k];
		const struct cli_rec_pcr *p = cli_record_pcr(r, pcr, b->name);

		if (!p || !p->mode) {
			cli_err("%s: no pcr%u.%s%s line (firmware PCR %u; %s is in banks)",
			       v->rec_name, pcr, b->name, p ? ".mode" : "", pcr, b->name);
			return CLI_EXIT_INPUT;
		}
		if (mode && strcmp(mode, p->mode)) {
			cli_err("%s: pcr%u.%s.mode is %s but pcr%u.%s.mode is %s: one PCR, one mode",
			       v->rec_name, pcr, v->bank[0].name, mode, pcr, b->name, p->mode);
			return CLI_EXIT_INPUT;
		}
		mode = p->mode;
		if (f->from_file) {
			if (!(v->pfile_mask[pcr] & (1u << b->b))) {
				cli_err("%s: no pcr%u.%s value (it gives PCR %u in other banks)",
				       v->o->ptpm_pcrs, pcr, b->name, pcr);
				return CLI_EXIT_INPUT;
			}
			memcpy(f->snap[k], v->pfile[pcr][b->b], cli_bank_size(b->b));
		} else {
			memcpy(f->snap[k], p->value, cli_bank_size(b->b));
		}
	}
	f->bind = mode && !strcmp(mode, "bind");
	f->why = r->bind_why[pcr] ? r->bind_why[pcr] : "(the record gives no reason)";
	for (size_t k = 0; k < v->nb; k++) {
		if (!f->bind) {
			memcpy(f->want[k], f->snap[k], sizeof(f->want[k]));
		} else if (cli_fw_bind_value(v->bank[k].b, pcr, f->snap[k], f->want[k])) {
			cli_err("cannot hash in the %s bank (libcrypto)", v->bank[k].name);
			return CLI_EXIT_INPUT;
		}
	}
	v->nfw++;
	return 0;
}

int vfw_setup(struct verify *v)
{
	const struct cli_record *r = &v->rec;
	uint32_t ima = 0, fw = r->fw_replay | r->fw_bind;

	for (size_t k = 0; k < r->npcr; k++) {
		if (r->pcr[k].digest)
			ima |= 1u << r->pcr[k].pcr;
		else if (r->pcr[k].mode)
			fw |= 1u << r->pcr[k].pcr;
	}
	if (fw & ima) {
		unsigned int p = (unsigned int)__builtin_ctz(fw & ima);

		cli_err("%s: PCR %u has digest lines (the IMA log extends it) and is a firmware PCR too",
		       v->rec_name, p);
		return CLI_EXIT_INPUT;
	}
	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++) {
		int ret;

		if (!(fw & (1u << p)))
			continue;
		ret = setup_one(v, p);
		if (ret)
			return ret;
	}
	return 0;
}

/* The vTPM's firmware PCRs: ESYS, the TPM 1.2's sysfs file, or --vtpm-pcrs. */
int vfw_read_vtpm(struct verify *v)
{
	uint8_t vals[CLI_NR_BANKS][CLI_MAX_DIGEST];
	char err[CLI_MSG];

	for (size_t i = 0; i < v->nfw; i++) {
		struct fwpcr *f = &v->fw[i];
		uint32_t mask = 0, want = 0;

		if (v->o->vtpm_pcrs) {
			for (size_t k = 0; k < v->nb; k++)
				if (v->vfile_mask[f->pcr] & (1u << v->bank[k].b)) {
					memcpy(f->got[k], v->vfile[f->pcr][v->bank[k].b],
					       sizeof(f->got[k]));
					f->have |= 1u << k;
				}
			continue;
		}
		if (v->tpm1) {
			if (!(v->tpm1_mask & (1u << f->pcr))) {
				cli_err("vTPM: %s has no PCR-%02u line", v->tpm1_path, f->pcr);
				return CLI_EXIT_INPUT;
			}
			memcpy(f->got[0], v->tpm1_vals[f->pcr], CLI_TPM1_DIGEST);
			f->have = 1;
			continue;
		}
		if (cli_tpm_banks(v->tpm, f->pcr, &mask, err, sizeof(err))) {
			cli_err("vTPM: %s", err);
			return CLI_EXIT_INPUT;
		}
		for (size_t k = 0; k < v->nb; k++) {
			if (mask & (1u << v->bank[k].b))
				want |= 1u << v->bank[k].b;
			else
				f->absent |= 1u << k;
		}
		if (want && cli_tpm_pcr_read(v->tpm, f->pcr, want, vals, err, sizeof(err))) {
			cli_err("vTPM: %s", err);
			return CLI_EXIT_INPUT;
		}
		for (size_t k = 0; k < v->nb; k++)
			if (want & (1u << v->bank[k].b)) {
				memcpy(f->got[k], vals[v->bank[k].b], sizeof(f->got[k]));
				f->have |= 1u << k;
			}
	}
	return 0;
}

/* The vTPM's check of one firmware PCR. */
static void judge_vtpm(struct verify *v, struct fwpcr *f, uint32_t *unchecked)
{
	uint32_t all = (1u << v->nb) - 1, bad = 0, given;
	char banks[128], miss[128], target[96];
	char got[2 * CLI_MAX_DIGEST + 1], want[2 * CLI_MAX_DIGEST + 1];
	const char *mode = f->bind ? "bind" : "replay";
	size_t first = 0;

	if (f->bind)
		bind_name(f, target, sizeof(target));
	else
		snprintf(target, sizeof(target), "%s", snap_name(f));
	if (f->absent) {
		size_t k = (size_t)__builtin_ctz(f->absent);

		snprintf(f->v_line, sizeof(f->v_line), "the vTPM has no PCR %u in the %s bank",
			 f->pcr, bank_list(v, f->absent, banks, sizeof(banks)));
		snprintf(f->v_why, sizeof(f->v_why), "the vTPM has no PCR %u in the %s bank (%s)",
			 f->pcr, v->bank[k].name, mode);
		return;
	}
	given = f->have & all;
	for (size_t k = 0; k < v->nb; k++)
		if ((given & (1u << k)) &&
		    memcmp(f->got[k], f->want[k], cli_bank_size(v->bank[k].b)))
			bad |= 1u << k;
	if (bad) {
		first = (size_t)__builtin_ctz(bad);
		hex_str(f->got[first], cli_bank_size(v->bank[first].b), got);
		hex_str(f->want[first], cli_bank_size(v->bank[first].b), want);
		snprintf(f->v_line, sizeof(f->v_line), "%s reads %s, not %s = %s%s%s",
			 v->bank[first].name, got, target, want,
			 bad & ~(1u << first) ? "; nor do " : "",
			 bank_list(v, bad & ~(1u << first), banks, sizeof(banks)));
		snprintf(f->v_why, sizeof(f->v_why), "vTPM PCR %u (%s, %s) is not %s",
			 f->pcr, v->bank[first].name, mode, target);
		return;
	}
	f->v_ok = true;
	if (!given) {
		f->v_partial = true;
		*unchecked |= 1u << f->pcr;
		snprintf(f->v_line, sizeof(f->v_line), "%s has no pcr%u value",
			 v->o->vtpm_pcrs, f->pcr);
		return;
	}
	if (given != all) {
		f->v_partial = true;
		*unchecked |= 1u << f->pcr;
		snprintf(miss, sizeof(miss), "; %s not in %s", bank_list(v, all & ~given,
			 banks, sizeof(banks)), v->o->vtpm_pcrs);
	} else {
		miss[0] = 0;
	}
	snprintf(f->v_line, sizeof(f->v_line), "equals %s (%s%s)", target,
		 bank_list(v, given, banks, sizeof(banks)), miss);
}

/* The event log's check of one replay PCR. */
static void judge_log(struct verify *v, struct fwpcr *f)
{
	const struct cli_fwlog *l = v->fwlog;
	char banks[128], got[2 * CLI_MAX_DIGEST + 1], want[2 * CLI_MAX_DIGEST + 1];
	uint32_t n = l->extended[f->pcr];

	f->l_done = true;
	if (f->bind) {
		f->l_ok = true;
		snprintf(f->l_line, sizeof(f->l_line), "%s", f->why);
		return;
	}
	for (size_t k = 0; k < v->nb; k++) {
		enum cli_bank b = v->bank[k].b;

		if (l->missing[f->pcr] & (1u << b)) {
			snprintf(f->l_line, sizeof(f->l_line), "event %" PRIu32 " has no %s digest",
				 l->missing_event[f->pcr][b], v->bank[k].name);
			snprintf(f->l_why, sizeof(f->l_why),
				 "the event log %s cannot reproduce PCR %u (%s, replay): event %" PRIu32
				 " has no %s digest", v->o->fw_log, f->pcr, v->bank[k].name,
				 l->missing_event[f->pcr][b], v->bank[k].name);
			return;
		}
		if (memcmp(l->val[f->pcr][b], f->snap[k], cli_bank_size(b))) {
			hex_str(l->val[f->pcr][b], cli_bank_size(b), got);
			hex_str(f->snap[k], cli_bank_size(b), want);
			snprintf(f->l_line, sizeof(f->l_line), "%s: its %" PRIu32 " event%s give %s, not %s %s",
				 v->bank[k].name, n, n == 1 ? "" : "s", got, snap_name(f), want);
			snprintf(f->l_why, sizeof(f->l_why),
				 "the event log %s does not reproduce %s of PCR %u (%s, replay)",
				 v->o->fw_log, snap_name(f), f->pcr, v->bank[k].name);
			return;
		}
	}
	f->l_ok = true;
	snprintf(f->l_line, sizeof(f->l_line), "its %" PRIu32 " event%s reproduce %s (%s)",
		 n, n == 1 ? "" : "s", snap_name(f),
		 bank_list(v, (1u << v->nb) - 1, banks, sizeof(banks)));
}

/* "crypto-agile, 42 events" of the record's fw_log, for comparison. */
static void describe_log(struct verify *v)
{
	const struct cli_record *r = &v->rec;
	const struct cli_fwlog *l = v->fwlog;
	size_t n;

	n = (size_t)snprintf(v->fwlog_line, sizeof(v->fwlog_line), "%s: %s, %" PRIu32 " events",
			     v->o->fw_log, l->agile ? "crypto-agile" : "tpm1.2", l->events);
	if (n >= sizeof(v->fwlog_line) || !r->fw_log)
		return;
	if (r->fw_log_error)
		snprintf(v->fwlog_line + n, sizeof(v->fwlog_line) - n,
			 " (the handoff's, %s, was unusable: %s)", r->fw_log, r->fw_log_error);
	else if (r->has_fw_log_events && r->fw_log_events != l->events)
		snprintf(v->fwlog_line + n, sizeof(v->fwlog_line) - n,
			 " (the handoff's, %s, had %" PRIu64 ": not the same log?)",
			 r->fw_log, r->fw_log_events);
	else
		snprintf(v->fwlog_line + n, sizeof(v->fwlog_line) - n,
			 " (as the handoff's, %s)", r->fw_log);
}

int vfw_judge(struct verify *v)
{
	uint32_t unchecked = 0, banks = 0, replay = 0;
	char err[CLI_MSG], list[128];

	for (size_t i = 0; i < v->nfw; i++) {
		judge_vtpm(v, &v->fw[i], &unchecked);
		if (!v->fw[i].bind)
			replay |= 1u << v->fw[i].pcr;
	}
	if (unchecked)
		snprintf(v->unchecked, sizeof(v->unchecked), "vTPM PCR%s %s, not in %s",
			 unchecked & (unchecked - 1) ? "s" : "",
			 cli_pcr_mask_str(unchecked, list, sizeof(list)), v->o->vtpm_pcrs);
	if (!v->o->fw_log) {
		if (replay)
			snprintf(v->fwlog_line, sizeof(v->fwlog_line),
				 "not given: nothing shows that the firmware's event log reproduces the snapshot of the replayed PCRs (--fw-log FILE)");
		return 0;
	}
	if (!v->nfw) {
		snprintf(v->fwlog_line, sizeof(v->fwlog_line),
			 "%s: not used: the record mirrors no firmware PCR", v->o->fw_log);
		return 0;
	}
	v->fwlog = malloc(sizeof(*v->fwlog));
	if (!v->fwlog) {
		cli_err("out of memory");
		return CLI_EXIT_INPUT;
	}
	for (size_t k = 0; k < v->nb; k++)
		banks |= 1u << v->bank[k].b;
	if (cli_fwlog_replay(v->o->fw_log, banks, v->fwlog, err, sizeof(err))) {
		cli_err("--fw-log: %s", err);
		return CLI_EXIT_INPUT;
	}
	describe_log(v);
	for (size_t i = 0; i < v->nfw; i++)
		judge_log(v, &v->fw[i]);
	return 0;
}

const char *vfw_report(const struct verify *v)
{
	const char *why = NULL;

	for (size_t i = 0; i < v->nfw; i++) {
		const struct fwpcr *f = &v->fw[i];

		printf("vTPM pcr%u (%s): %s: %s\n", f->pcr, f->bind ? "bind" : "replay",
		       !f->v_ok ? "FAIL" : f->v_partial && !(f->have & ((1u << v->nb) - 1)) ?
		       "not checked" : "OK", f->v_line);
		if (!f->v_ok && !why)
			why = f->v_why;
	}
	if (v->fwlog_line[0])
		printf("fw log: %s\n", v->fwlog_line);
	for (size_t i = 0; i < v->nfw; i++) {
		const struct fwpcr *f = &v->fw[i];

		if (!f->l_done)
			continue;
		printf("fw log pcr%u (%s): %s: %s\n", f->pcr, f->bind ? "bind" : "replay",
		       f->bind ? "bound" : f->l_ok ? "OK" : "FAIL", f->l_line);
	}
	for (size_t i = 0; i < v->nfw && !why; i++)
		if (v->fw[i].l_done && !v->fw[i].l_ok)
			why = v->fw[i].l_why;
	return why;
}
