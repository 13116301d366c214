// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff verify: the command.  It loads the record (DIR/record,
 * --record, or the IMA log's with --record-from-log), sets up the banks
 * and the vTPM, reads the vTPM's PCR 10 and the log (verify_log.c) as
 * often as the rule in verify_judge.c asks, then judges PCR 10
 * (verify_judge.c), the firmware PCRs (verify_fw.c) and the record the
 * IMA log holds (verify_rec.c), and prints the verdict.
 *
 * A TPM 1.2 vTPM (record family 1.2, bank sha1) is read from sysfs
 * (CLASS/tpmN/device/pcrs), since tpm2-tss cannot talk to it.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logreplay.h"
#include "record.h"
#include "tpm.h"
#include "util.h"
#include "verify.h"

#define PCR		CLI_IMA_PCR
#define NONE		CLI_NONE
#define RETRY_MS	100	/* first wait; doubles, at most 1 s */
#define STDIN_MAX	(1ul << 30)	/* --log -: read into memory */

/* Sleep ms milliseconds. */
static void sleep_ms(unsigned int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* Read the vTPM's PCR 10 in every bank it has, as one snapshot. */
static int read_vtpm(struct verify *v)
{
	uint8_t vals[CLI_NR_BANKS][CLI_MAX_DIGEST];
	uint32_t mask = 0;
	char err[CLI_MSG];

	if (v->tpm1) {
		/* A TPM 1.2: the sha1 bank only (the record says so). */
		if (cli_tpm1_pcrs(v->o->class_dir, cli_record_vtpm_now(&v->rec), v->tpm1_vals, &v->tpm1_mask,
				 v->tpm1_path, sizeof(v->tpm1_path), err, sizeof(err))) {
			cli_err("vTPM: %s", err);
			return CLI_EXIT_INPUT;
		}
		if (!(v->tpm1_mask & (1u << PCR))) {
			cli_err("vTPM: %s has no PCR-%d line", v->tpm1_path, PCR);
			return CLI_EXIT_INPUT;
		}
		memcpy(v->bank[0].vtpm, v->tpm1_vals[PCR], CLI_TPM1_DIGEST);
		return 0;
	}
	for (size_t k = 0; k < v->nb; k++)
		if (v->bank[k].have_v)
			mask |= 1u << v->bank[k].b;
	if (!mask)
		return 0;
	if (cli_tpm_pcr_read(v->tpm, PCR, mask, vals, err, sizeof(err))) {
		cli_err("%s", err);
		return CLI_EXIT_INPUT;
	}
	for (size_t k = 0; k < v->nb; k++)
		memcpy(v->bank[k].vtpm, vals[v->bank[k].b], sizeof(v->bank[k].vtpm));
	return 0;
}

/* The banks, their digest kinds and the pTPM's values. */
static int setup_banks(struct verify *v)
{
	const struct cli_opts *o = v->o;
	uint32_t mask = 0;
	char err[CLI_MSG];

	if (o->ptpm_pcrs) {
		if (cli_pcrfile_load_all(o->ptpm_pcrs, v->pfile, v->pfile_mask, err, sizeof(err))) {
			cli_err("%s", err);
			return CLI_EXIT_INPUT;
		}
		mask = v->pfile_mask[PCR];
	}
	for (size_t k = 0; k < v->rec.banks.nr; k++) {
		struct vbank *b = &v->bank[v->nb];
		const char *name = v->rec.banks.name[k];
		const struct cli_rec_pcr *p = cli_record_pcr(&v->rec, PCR, name);
		int id = cli_bank_by_name(name);

		memset(b, 0, sizeof(*b));
		if (id < 0 || !cli_bank_available(id)) {
			cli_err("record: the %s bank cannot be replayed here (no such digest in libcrypto)",
			       name);
			return CLI_EXIT_INPUT;
		}
		b->b = id;
		b->name = cli_bank_name(id);
		if (!p || !p->digest) {
			cli_err("record: no pcr%d.%s.digest line (which digest IMA extends into the %s bank)",
			       PCR, name, name);
			return CLI_EXIT_INPUT;
		}
		if (!strcmp(p->digest, cli_kind_name(TH_KIND_HASH))) {
			b->kind = TH_KIND_HASH;
		} else if (!strcmp(p->digest, cli_kind_name(TH_KIND_PADDED))) {
			b->kind = TH_KIND_PADDED;
		} else {
			cli_err("record: pcr%d.%s.digest is \"%s\", not template-hash or padded-sha1",
			       PCR, name, p->digest);
			return CLI_EXIT_INPUT;
		}
		if (o->ptpm_pcrs) {
			if (!(mask & (1u << id))) {
				cli_err("%s: no pcr%d.%s value", o->ptpm_pcrs, PCR, name);
				return CLI_EXIT_INPUT;
			}
			memcpy(b->ptpm, v->pfile[PCR][id], sizeof(b->ptpm));
		} else {
			memcpy(b->ptpm, p->value, sizeof(b->ptpm));
		}
		v->nb++;
	}
	if (!v->nb) {
		cli_err("record: no PCR banks");
		return CLI_EXIT_INPUT;
	}
	return 0;
}

/* The vTPM: --vtpm-pcrs, or open it and learn its banks. */
static int setup_vtpm(struct verify *v)
{
	const struct cli_opts *o = v->o;
	char err[CLI_MSG], tcti[300];
	uint32_t mask;

	if (o->vtpm_pcrs) {
		if (cli_pcrfile_load_all(o->vtpm_pcrs, v->vfile, v->vfile_mask, err, sizeof(err))) {
			cli_err("%s", err);
			return CLI_EXIT_INPUT;
		}
		for (size_t k = 0; k < v->nb; k++) {
			struct vbank *b = &v->bank[k];

			if (!(v->vfile_mask[PCR] & (1u << b->b))) {
				cli_err("%s: no pcr%d.%s value", o->vtpm_pcrs, PCR, b->name);
				return CLI_EXIT_INPUT;
			}
			b->have_v = true;
			memcpy(b->vtpm, v->vfile[PCR][b->b], sizeof(b->vtpm));
		}
		return 0;
	}
	if (v->rec.family == CLI_FAMILY_12) {
		if (o->tcti) {
			cli_err("--tcti: the vTPM is a TPM 1.2 (record: family 1.2), which tpm2-tss cannot read; verify reads its PCRs from %s/%s/device/pcrs (--class DIR)",
			       o->class_dir, cli_record_vtpm_now(&v->rec) ? cli_record_vtpm_now(&v->rec) : "tpmN");
			return CLI_EXIT_INPUT;
		}
		if (!cli_record_vtpm_now(&v->rec)) {
			cli_err("the record names no vTPM: give --vtpm-pcrs");
			return CLI_EXIT_INPUT;
		}
		v->tpm1 = true;
		v->bank[0].have_v = true;	/* the record's banks: sha1 */
		return 0;
	}
	if (o->tcti) {
		snprintf(tcti, sizeof(tcti), "%s", o->tcti);
	} else if (cli_record_vtpm_now(&v->rec)) {
		snprintf(tcti, sizeof(tcti), "device:/dev/tpmrm%s", cli_record_vtpm_now(&v->rec) + 3);
	} else {
		cli_err("the record names no vTPM: give --tcti or --vtpm-pcrs");
		return CLI_EXIT_INPUT;
	}
	v->tpm = cli_tpm_open(tcti, err, sizeof(err));
	if (!v->tpm || cli_tpm_banks(v->tpm, PCR, &mask, err, sizeof(err))) {
		cli_err("vTPM: %s", err);
		return CLI_EXIT_INPUT;
	}
	for (size_t k = 0; k < v->nb; k++)
		v->bank[k].have_v = mask & (1u << v->bank[k].b);
	return 0;
}

/* The record, which must be of a committed handoff with a cut. */
static int load_record(struct verify *v)
{
	char err[CLI_MSG];
	int ret;

	if (v->o->record_from_log) {
		ret = vrec_load(v);
		if (ret)
			return ret;
		goto loaded;
	}
	if (v->o->record)
		snprintf(v->rec_path, sizeof(v->rec_path), "%s", v->o->record);
	else
		snprintf(v->rec_path, sizeof(v->rec_path), "%s/record", v->o->sysfs);
	v->rec_name = v->rec_path;
	switch (cli_record_load(&v->rec, v->o, err, sizeof(err))) {
	case CLI_REC_OK:
		break;
	case CLI_REC_EMPTY:
		cli_err("no record yet: no handoff has been attempted");
		return CLI_EXIT_INPUT;
	case CLI_REC_ABSENT:
		cli_err("no record: %s%s", err, vrec_in_log(v) ?
		       "; the IMA log holds one: verify --record-from-log" : "");
		return CLI_EXIT_INPUT;
	default:
		cli_err("%s", err);
		return CLI_EXIT_INPUT;
	}
loaded:
	if (strcmp(v->rec.result, "committed")) {
		cli_err("the record is of an aborted handoff (%s): nothing to verify",
		       v->rec.error ? v->rec.error : "no reason given");
		return CLI_EXIT_INPUT;
	}
	if (!v->rec.has_cut) {
		cli_err("record: no \"cut\" line");
		return CLI_EXIT_INPUT;
	}
	return 0;
}

/* --log -: stdin can be read once; verify may read the log twice. */
static int read_stdin_log(struct verify *v)
{
	int ret;

	if (strcmp(v->o->log, "-"))
		return 0;
	ret = cli_read_file("-", STDIN_MAX, &v->log_buf, &v->log_len);
	if (ret) {
		cli_err("cannot read the IMA log from stdin: %s", strerror(-ret));
		return CLI_EXIT_INPUT;
	}
	return 0;
}

/* Everything before the first read.  0, or exit status. */
static int setup(struct verify *v)
{
	int ret = read_stdin_log(v);

	if (!ret)
		ret = load_record(v);
	if (!ret)
		ret = setup_banks(v);
	if (!ret)
		ret = vfw_setup(v);
	if (!ret)
		ret = setup_vtpm(v);
	return ret;
}

/*
 * Read the vTPM and the log until the vTPM's check decides: once, or up
 * to --attempts times for a vTPM read live and a log read from a file,
 * waiting longer each time.  0, or exit status.
 */
static int read_and_judge_vtpm(struct verify *v)
{
	unsigned int attempts = 1, wait = RETRY_MS;
	uint64_t prev = NONE;
	int ret;

	if ((v->tpm || v->tpm1) && !v->log_buf)
		attempts = v->o->attempts;
	for (unsigned int i = 1; i <= attempts; i++) {
		if (v->tpm || v->tpm1) {
			ret = read_vtpm(v);
			if (ret)
				return ret;
		}
		ret = vlog_read(v);
		if (ret)
			return ret;
		if (vjudge_vtpm(v, prev, i == attempts) != V_RETRY)
			break;
		prev = v->entries;
		sleep_ms(wait);
		if (wait < 1000)
			wait *= 2;
	}
	return 0;
}

static void free_verify(struct verify *v)
{
	cli_tpm_close(v->tpm);
	cli_record_free(&v->rec);
	cli_imarec_free(&v->logrec);
	cli_imarec_free(&v->prerec);
	free(v->fwlog);
	free(v->log_buf);
	free(v->off);
	free(v);
}

int cmd_verify(const struct cli_opts *o)
{
	struct verify *v;
	int ret;

	if (o->evidence)
		return cmd_verify_evidence(o);
	if (o->nonce || o->ptpm_key) {
		cli_err("verify: --nonce and --ptpm-key go with --evidence");
		return CLI_EXIT_INPUT;
	}
	v = calloc(1, sizeof(*v));

	if (!v) {
		cli_err("out of memory");
		return CLI_EXIT_INPUT;
	}
	v->o = o;
	ret = setup(v);
	if (!ret)
		ret = read_and_judge_vtpm(v);
	if (!ret) {
		vjudge_ptpm(v);
		ret = vfw_read_vtpm(v);
	}
	if (!ret)
		ret = vfw_judge(v);
	if (!ret)
		ret = vrec_judge(v);
	if (!ret)
		ret = vjudge_report(v);
	free_verify(v);
	if (fflush(stdout)) {
		cli_err("write error: %s", strerror(errno));
		ret = CLI_EXIT_INPUT;
	}
	return ret;
}
