// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff record: the record for people (text) and as it is (raw);
 * record_json.c writes it for machines.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* Is key one that the human and JSON forms print in their own way? */
bool cli_rec_pcr_key(const char *key)
{
	return !strcmp(key, "pcrs") ||
	       (!strncmp(key, "pcr", 3) && isdigit((unsigned char)key[3]));
}

/* ns as milliseconds: "12.345 ms". */
static void print_ms(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64 " ms", ns / 1000000, ns / 1000 % 1000);
}

#define LABEL	"%-21s"

/* The PCR values, PCR by PCR: mode, digest kind, events; why bound. */
static void print_pcrs_text(FILE *f, const struct cli_record *r)
{
	char list[128];

	if (r->has_pcrs)
		fprintf(f, LABEL "%s\n", "PCRs mirrored:",
			r->pcrs ? cli_pcr_mask_str(r->pcrs, list, sizeof(list)) : "(none)");
	for (unsigned int pcr = 0; pcr < CLI_MAX_PCRS; pcr++) {
		for (size_t i = 0; i < r->npcr; i++) {
			const struct cli_rec_pcr *p = &r->pcr[i];
			char label[64];

			if (p->pcr != pcr)
				continue;
			snprintf(label, sizeof(label), "pcr%u.%s:", p->pcr, p->bank);
			fprintf(f, LABEL, label);
			cli_hex_print(f, p->value, p->len);
			if (p->mode || p->digest) {
				fprintf(f, " (%s%s%s", p->mode ? p->mode : "",
					p->mode && p->digest ? ", " : "",
					p->digest ? p->digest : "");
				if (r->has_events[pcr])
					fprintf(f, ", %" PRIu64 " event%s", r->events[pcr],
						r->events[pcr] == 1 ? "" : "s");
				fprintf(f, ")");
			}
			fprintf(f, "\n");
		}
		if (r->bind_why[pcr]) {
			char label[64];

			snprintf(label, sizeof(label), "pcr%u.bind:", pcr);
			fprintf(f, LABEL "%s\n", label, r->bind_why[pcr]);
		}
	}
}

/* fw_log with its format and events, or its error. */
static void print_fw_log_text(FILE *f, const struct cli_record *r)
{
	fprintf(f, LABEL "%s", "firmware log:", r->fw_log);
	if (r->fw_log_format || r->has_fw_log_events) {
		fprintf(f, " (%s", r->fw_log_format ? r->fw_log_format : "");
		if (r->has_fw_log_events)
			fprintf(f, "%s%" PRIu64 " events", r->fw_log_format ? ", " : "",
				r->fw_log_events);
		fprintf(f, ")");
	}
	if (r->fw_log_error)
		fprintf(f, ": unusable: %s", r->fw_log_error);
	fprintf(f, "\n");
}

/* The keys of the handoff itself; false if key is not one of them. */
static bool print_main_key(FILE *f, const struct cli_record *r, const char *key,
			   const char *v)
{
	if (!strcmp(key, "result")) {
		fprintf(f, LABEL "%s\n", "result:", v);
	} else if (!strcmp(key, "error")) {
		fprintf(f, LABEL "%s\n", "error:", v);
	} else if (!strcmp(key, "ptpm")) {
		fprintf(f, LABEL "%s\n", "pTPM:", v);
	} else if (!strcmp(key, "vtpm")) {
		fprintf(f, LABEL "%s", "vTPM:", v);
		if (r->vtpm_provider)
			fprintf(f, " (provider: %s)", r->vtpm_provider);
		fprintf(f, "\n");
	} else if (!strcmp(key, "vtpm_provider")) {
		if (!r->vtpm)
			fprintf(f, LABEL "%s\n", "vTPM provider:", v);
	} else if (!strcmp(key, "family")) {
		fprintf(f, LABEL "TPM %s\n", "family:", v);
	} else if (!strcmp(key, "banks")) {
		fprintf(f, LABEL "%s\n", "banks:", *v ? v : "(none)");
	} else if (!strcmp(key, "cut")) {
		fprintf(f, LABEL "%" PRIu64 " of %" PRIu64 " IMA log entries (entries 1-%" PRIu64
			" validate against the pTPM, the whole log against the vTPM)\n",
			"cut:", r->cut, r->entries, r->cut);
	} else if (!strcmp(key, "entries")) {
		/* with cut */
	} else if (!strcmp(key, "replayed")) {
		fprintf(f, LABEL "%" PRIu64 " entries extended into the vTPM\n",
			"replayed:", r->replayed);
	} else if (!strcmp(key, "barrier_ns")) {
		fprintf(f, LABEL, "barrier:");
		print_ms(f, r->barrier_ns);
		fprintf(f, " (TPM traffic stopped)\n");
	} else if (!strcmp(key, "duration_ns")) {
		fprintf(f, LABEL, "duration:");
		print_ms(f, r->duration_ns);
		fprintf(f, "\n");
	} else {
		return false;
	}
	return true;
}

/*
 * The firmware keys, fw_replay and fw_bind as one line (*fw_done once
 * printed); false if key is not one of them, or cannot be shown so.
 */
static bool print_fw_key(FILE *f, const struct cli_record *r, const char *key,
			 const char *v, bool *fw_done)
{
	char list[128], list2[128];
	uint64_t n;

	if (!strcmp(key, "fw_log")) {
		print_fw_log_text(f, r);
	} else if (r->fw_log && (!strcmp(key, "fw_log_format") ||
				 !strcmp(key, "fw_log_events") ||
				 !strcmp(key, "fw_log_error"))) {
		/* with fw_log */
	} else if (!strcmp(key, "fw_replay") || !strcmp(key, "fw_bind")) {
		if (*fw_done)
			return true;
		*fw_done = true;
		fprintf(f, LABEL "replayed %s; bound %s\n", "firmware PCRs:",
			r->fw_replay ? cli_pcr_mask_str(r->fw_replay, list, sizeof(list)) :
			"(none)",
			r->fw_bind ? cli_pcr_mask_str(r->fw_bind, list2, sizeof(list2)) :
			"(none)");
	} else if (!strcmp(key, "fw_extended") && !cli_parse_u64(v, &n)) {
		fprintf(f, LABEL "%" PRIu64 " extends into the vTPM (replayed events, binds)\n",
			"firmware extends:", n);
	} else if (!strcmp(key, "fw_resumed")) {
		fprintf(f, LABEL "%s\n", "firmware resumed:",
			*v ? v : "(none: no firmware PCR was in the vTPM already)");
	} else {
		return false;
	}
	return true;
}

void cli_record_print_text(FILE *f, const struct cli_record *r)
{
	bool pcrs_done = false, fw_done = false;

	for (size_t k = 0; k < r->nkv; k++) {
		const char *key = r->kv[k].key, *v = r->kv[k].value;
		char label[KEY_MAX + 2];

		if (print_main_key(f, r, key, v) || print_fw_key(f, r, key, v, &fw_done))
			continue;
		if (cli_rec_pcr_key(key)) {
			/* Every PCR value at the first, PCR by PCR. */
			if (!pcrs_done)
				print_pcrs_text(f, r);
			pcrs_done = true;
			continue;
		}
		snprintf(label, sizeof(label), "%s:", key);
		fprintf(f, LABEL "%s\n", label, v);
	}
}

void cli_record_print_raw(FILE *f, const struct cli_record *r)
{
	for (size_t k = 0; k < r->nkv; k++)
		fprintf(f, "%s:%s%s\n", r->kv[k].key, *r->kv[k].value ? " " : "",
			r->kv[k].value);
}

int cmd_record(const struct cli_opts *o)
{
	struct cli_record r;
	char err[CLI_MSG];
	int ret = cli_record_load(&r, o, err, sizeof(err));

	switch (ret) {
	case CLI_REC_OK:
		if (o->json)
			cli_record_print_json(stdout, &r);
		else if (o->raw)
			cli_record_print_raw(stdout, &r);
		else
			cli_record_print_text(stdout, &r);
		ret = CLI_EXIT_OK;
		break;
	case CLI_REC_EMPTY:
		cli_err("no record yet: no handoff has been attempted (tpm-handoff start)");
		ret = CLI_EXIT_FAIL;
		break;
	case CLI_REC_ABSENT:
		cli_err("no record: %s", err);
		ret = CLI_EXIT_FAIL;
		break;
	default:
		cli_err("%s", err);
		ret = CLI_EXIT_INPUT;
		break;
	}
	cli_record_free(&r);
	return ret;
}
