// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: the checks of a parsed record that need all of it (each
 * line was checked on its own as it was parsed, record_parse.c): the
 * lines every record has, the lines that come in pairs, and each PCR value
 * against the banks, pcrs, fw_replay and fw_bind lines and the family.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* The lines every record has, and those that come in pairs. */
static int check_lines(const struct cli_record *r, char *why, size_t whylen)
{
	static const char *const required[] = { "result", "ptpm", "banks" };

	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++) {
		bool found = false;

		for (size_t i = 0; i < r->nkv && !found; i++)
			found = !strcmp(r->kv[i].key, required[k]);
		if (!found) {
			snprintf(why, whylen, "no \"%s\" line", required[k]);
			return -1;
		}
	}
	if (!strcmp(r->result, "aborted") && !r->error) {
		snprintf(why, whylen, "an aborted record without an \"error\" line");
		return -1;
	}
	if (r->has_cut != r->has_entries) {
		snprintf(why, whylen, "\"%s\" without \"%s\"",
			 r->has_cut ? "cut" : "entries", r->has_cut ? "entries" : "cut");
		return -1;
	}
	if (r->has_cut && r->cut > r->entries) {
		snprintf(why, whylen, "cut %" PRIu64 " is greater than entries %" PRIu64,
			 r->cut, r->entries);
		return -1;
	}
	return 0;
}

/* A pcrP.BANK slot against the banks, pcrs, fw_replay and fw_bind lines. */
static int check_pcr(const struct cli_record *r, const struct cli_rec_pcr *p,
		     char *why, size_t whylen)
{
	if (!p->has_value) {
		snprintf(why, whylen, "pcr%u.%s.%s without a pcr%u.%s value",
			 p->pcr, p->bank, p->mode ? "mode" : "digest",
			 p->pcr, p->bank);
		return -1;
	}
	if (!cli_banks_has(&r->banks, p->bank)) {
		snprintf(why, whylen, "pcr%u.%s, but %s is not in banks",
			 p->pcr, p->bank, p->bank);
		return -1;
	}
	if (r->has_pcrs && !(r->pcrs & (1u << p->pcr))) {
		snprintf(why, whylen, "pcr%u.%s, but PCR %u is not in pcrs",
			 p->pcr, p->bank, p->pcr);
		return -1;
	}
	if (p->mode && strcmp(p->mode, "replay") && strcmp(p->mode, "bind")) {
		snprintf(why, whylen, "pcr%u.%s.mode: \"%s\" is neither replay nor bind",
			 p->pcr, p->bank, p->mode);
		return -1;
	}
	/* A firmware PCR's mode agrees with fw_replay and fw_bind. */
	if (p->mode && !p->digest && (r->has_fw_replay || r->has_fw_bind) &&
	    !((p->mode[0] == 'r' ? r->fw_replay : r->fw_bind) & (1u << p->pcr))) {
		snprintf(why, whylen, "pcr%u.%s.mode is %s, but PCR %u is not in fw_%s",
			 p->pcr, p->bank, p->mode, p->pcr, p->mode);
		return -1;
	}
	return 0;
}

int cli_rec_check_whole(const struct cli_record *r, char *why, size_t whylen)
{
	if (check_lines(r, why, whylen))
		return -1;
	for (size_t k = 0; k < r->npcr; k++)
		if (check_pcr(r, &r->pcr[k], why, whylen))
			return -1;
	if (r->fw_replay & r->fw_bind) {
		snprintf(why, whylen, "PCR %d is in both fw_replay and fw_bind",
			 __builtin_ctz(r->fw_replay & r->fw_bind));
		return -1;
	}
	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++)
		if ((r->bind_why[p] || r->has_events[p]) && r->has_pcrs &&
		    !(r->pcrs & (1u << p))) {
			snprintf(why, whylen, "pcr%u.%s, but PCR %u is not in pcrs",
				 p, r->bind_why[p] ? "bind" : "events", p);
			return -1;
		}
	if (r->family == CLI_FAMILY_12 &&
	    (r->banks.nr != 1 || strcmp(r->banks.name[0], "sha1"))) {
		snprintf(why, whylen, "family 1.2, but banks are not just sha1");
		return -1;
	}
	return 0;
}
