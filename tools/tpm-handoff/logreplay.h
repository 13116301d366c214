/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: IMA's binary measurement list, read with the module's own
 * parser and replay (drivers/tpm_handoff/ima_log.c and replay.c, built
 * here unchanged through tools/kshim), so the tool and the module cannot
 * disagree on the format or on what IMA extended.  The oracle
 * (testing/oracles/ima-replay) keeps a parser of its own on purpose: see
 * Documentation/testing.rst.
 *
 * Entries are numbered from 0 (the index), in every message, as the
 * module numbers them; "after N entries" is a prefix length.  This header
 * needs no kernel header: the tool's other files include it.
 */
#ifndef CLI_LOGREPLAY_H
#define CLI_LOGREPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bank.h"
#include "../../drivers/tpm_handoff/ima_kind.h"

#define CLI_NONE		UINT64_MAX	/* "never" in cli_log_match */

/* One entry; valid only during the callback that receives it. */
struct cli_log_entry {
	uint64_t index;			/* 0-based */
	uint64_t offset;		/* of its first byte */
	uint32_t pcr;
	bool violation;			/* template digest all zero */
	const char *template_name;
	const uint8_t *data;		/* the template data */
	uint32_t data_len;
};

/* 0 to go on; anything else stops the walk (cli_log_walk() returns -1). */
typedef int (*cli_log_entry_fn)(void *arg, const struct cli_log_entry *e);

/*
 * The fields of template data (u32 length + bytes each): start with
 * *off = 0; returns 1 with *field and *len set, 0 at the clean end, -1 if
 * the data does not split into fields.
 */
int cli_log_field_next(const uint8_t *data, uint32_t data_len, uint32_t *off,
		       const uint8_t **field, uint32_t *len);

/*
 * After how many entries PCR pcr of a bank held value, per digest kind.  A
 * PCR keeps its value while entries for other PCRs go by, so a match is a
 * run of prefix lengths first..last (the all-zero start counts as "after 0
 * entries"); only the first run is kept (a hash chain does not come back).
 */
struct cli_log_match {
	unsigned int pcr;
	enum cli_bank bank;
	uint8_t value[CLI_MAX_DIGEST];
	uint64_t at;			/* a prefix length to test, or CLI_NONE */
	struct {
		uint64_t first, last;	/* CLI_NONE: never matched */
		bool at_hit;		/* matched after exactly `at` entries */
		bool in_run;		/* internal */
	} found[TH_NR_KINDS];
};

/* What to read, and what to do with it. */
struct cli_log_walk {
	const char *path;		/* the log file, for reading and messages */
	const void *buf;		/* or, if not NULL, these bytes */
	size_t len;
	cli_log_entry_fn fn;		/* every entry, or NULL */
	void *arg;
	/* Replay (none: parse only): every match's bank must be here. */
	const enum cli_bank *banks;
	size_t nr_banks;
	struct cli_log_match *const *match;
	size_t nr_match;
};

struct cli_log_result {
	uint64_t entries;		/* complete entries read (and replayed) */
	bool damaged;			/* stopped at a template digest that ... */
	uint64_t damage_index;		/* ... this entry's data does not give */
	char msg[320];			/* why cli_log_walk() failed, or the damage */
};

/*
 * Read the log once, from its start.  A template digest that does not match
 * its data (res->damaged) stops the replay without failing it: it is the
 * log's integrity, a verdict, not an input error.  Entries from the
 * damaged one on are not passed to fn.
 *
 * Return: 0; -1 if the log cannot be read, is malformed, or fn stopped the
 * walk (res->msg says which, as "IMA log PATH: ..." or "cannot read ...").
 */
int cli_log_walk(const struct cli_log_walk *w, struct cli_log_result *res);

/* "template-hash", "padded-sha1"; "?" if out of range. */
const char *cli_kind_name(unsigned int kind);

#endif /* CLI_LOGREPLAY_H */
