/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the handoff record, /sys/kernel/tpm_handoff/record: "key:
 * value" lines (Documentation/ABI/testing/sysfs-kernel-tpm_handoff), and
 * files of "pcrP.BANK: hex" lines (ima-replay --expect's format).
 */
#ifndef CLI_RECORD_H
#define CLI_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bank.h"
#include "sysfs.h"

#define CLI_REC_MAX_PCRVALS	(CLI_MAX_PCRS * CLI_MAX_BANKS)

struct cli_rec_kv {
	const char *key;
	const char *value;
};

/* pcrP.BANK, pcrP.BANK.mode and pcrP.BANK.digest */
struct cli_rec_pcr {
	unsigned int pcr;
	char bank[CLI_NAME];
	int ibank;			/* enum cli_bank, -1 if unknown */
	bool has_value;
	uint8_t value[CLI_MAX_DIGEST];
	unsigned int len;
	const char *mode;		/* NULL if absent */
	const char *digest;		/* NULL if absent */
};

/* The record's family line. */
enum cli_family {
	CLI_FAMILY_UNKNOWN,		/* no "family" line (older modules: 2.0) */
	CLI_FAMILY_20,
	CLI_FAMILY_12,
};

struct cli_record {
	char *text;			/* owns every string below */
	struct cli_rec_kv *kv;		/* every line, in order */
	size_t nkv;
	const char *result;		/* "committed" or "aborted" */
	const char *error, *ptpm, *vtpm, *vtpm_provider;	/* or NULL */
	/* The vTPM chip of the last re-mirror since the handoff, or NULL. */
	const char *remirror_vtpm;
	struct cli_banks banks;
	bool has_cut, has_entries, has_replayed, has_barrier, has_duration;
	bool has_pcrs;
	uint64_t cut, entries, replayed, barrier_ns, duration_ns;
	uint32_t pcrs;			/* bit P: PCR P was mirrored */
	struct cli_rec_pcr pcr[CLI_REC_MAX_PCRVALS];
	size_t npcr;
	enum cli_family family;
	const char *version;		/* "tpm_handoff" (measured copy), or NULL */
	/* The firmware PCRs (fw_* keys, pcrP.bind, pcrP.events). */
	const char *fw_log, *fw_log_format, *fw_log_error;	/* or NULL */
	bool has_fw_log_events, has_fw_replay, has_fw_bind;
	uint64_t fw_log_events;
	uint32_t fw_replay, fw_bind;	/* bit P: PCR P replayed / bound */
	const char *bind_why[CLI_MAX_PCRS];	/* pcrP.bind, or NULL */
	bool has_events[CLI_MAX_PCRS];
	uint64_t events[CLI_MAX_PCRS];	/* pcrP.events */
};

enum {
	CLI_REC_OK,
	CLI_REC_EMPTY = 1,		/* no attempt yet */
	CLI_REC_ABSENT = 2,		/* no such file (module not loaded) */
	CLI_REC_BAD = -1,		/* unreadable or malformed: see err */
};

/*
 * Parse and check len bytes of text, named name in messages.  Return
 * CLI_REC_OK, CLI_REC_EMPTY or CLI_REC_BAD with a one-line reason in err.
 * Free with cli_record_free() in every case.
 */
int cli_record_parse(struct cli_record *r, const char *text, size_t len,
		    const char *name, char *err, size_t errlen);
/*
 * The same, line by line only, without the checks of a whole handoff
 * record: for the re-mirror's record ("tpm_handoff_remirror: 1", vtpm,
 * entries, resumed, vtpm_reset_count...), whose keys parse as the
 * handoff record's do.
 */
int cli_record_parse_lines(struct cli_record *r, const char *text, size_t len,
			   const char *name, char *err, size_t errlen);

/*
 * Read and parse o->record, or o->sysfs/record; returns as above, or
 * CLI_REC_ABSENT if the file does not exist.
 */
int cli_record_load(struct cli_record *r, const struct cli_opts *o, char *err,
		   size_t errlen);

void cli_record_free(struct cli_record *r);

/* The value of key in r, or NULL. */
const char *cli_record_get(const struct cli_record *r, const char *key);
/* The vTPM chip the pTPM chip forwards to now: the last re-mirror's, else
 * the handoff's (NULL if the record names none). */
const char *cli_record_vtpm_now(const struct cli_record *r);

/*
 * Is key one that differs from run to run, which the copy of the record
 * the module measures into the IMA log leaves out (timings, counters)?
 */
bool cli_record_key_unmeasured(const char *key);

/* "0-7 9" for the PCRs in mask ("" for none), into buf. */
const char *cli_pcr_mask_str(uint32_t mask, char *buf, size_t len);

/* pcrP.BANK of r, or NULL. */
const struct cli_rec_pcr *cli_record_pcr(const struct cli_record *r,
				       unsigned int pcr, const char *bank);

/* The human form: aligned labels, durations in ms. */
void cli_record_print_text(FILE *f, const struct cli_record *r);
/* The kernel's lines, as they are. */
void cli_record_print_raw(FILE *f, const struct cli_record *r);
/* One JSON object and a newline. */
int cli_record_print_json(FILE *f, const struct cli_record *r);

/*
 * Read every PCR value from a file of "pcrP.BANK: hex" lines (blank lines
 * and "#" comments skipped): vals[P][b] is set and bit b of mask[P] for
 * every PCR P and enum cli_bank b given.  Return 0, or -1 with a
 * one-line reason in err.
 */
int cli_pcrfile_load_all(const char *path,
			uint8_t vals[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST],
			uint32_t mask[CLI_MAX_PCRS], char *err, size_t errlen);

/*
 * Read PCR pcr's values from a file of "pcrP.BANK: hex" lines (blank lines
 * and "#" comments skipped; lines for other PCRs are checked and ignored).
 * vals[b] is set and bit b of *mask for every enum cli_bank b given.
 * Return 0, or -1 with a one-line reason in err.
 */
int cli_pcrfile_load(const char *path, unsigned int pcr,
		    uint8_t vals[CLI_NR_BANKS][CLI_MAX_DIGEST],
		    uint32_t *mask, char *err, size_t errlen);

#endif /* CLI_RECORD_H */
