/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the handoff record, /sys/kernel/tpm_handoff/record: "key:
 * value" lines (Documentation/ABI/testing/sysfs-kernel-tpm_handoff), and
 * files of "pcrP.BANK: hex" lines (ima-replay --expect's format).
 */
#ifndef TH_RECORD_H
#define TH_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../lib/imalog.h"
#include "sysfs.h"

#define TH_REC_MAX_PCRVALS	(IMALOG_MAX_PCRS * TH_MAX_BANKS)

struct th_rec_kv {
	const char *key;
	const char *value;
};

/* pcrP.BANK, pcrP.BANK.mode and pcrP.BANK.digest */
struct th_rec_pcr {
	unsigned int pcr;
	char bank[TH_NAME];
	int ibank;			/* enum imalog_bank, -1 if unknown */
	bool has_value;
	uint8_t value[IMALOG_MAX_DIGEST];
	unsigned int len;
	const char *mode;		/* NULL if absent */
	const char *digest;		/* NULL if absent */
};

/* The record's family line. */
enum th_family {
	TH_FAMILY_UNKNOWN,		/* no "family" line (older modules: 2.0) */
	TH_FAMILY_20,
	TH_FAMILY_12,
};

struct th_record {
	char *text;			/* owns every string below */
	struct th_rec_kv *kv;		/* every line, in order */
	size_t nkv;
	const char *result;		/* "committed" or "aborted" */
	const char *error, *ptpm, *vtpm, *vtpm_provider;	/* or NULL */
	struct th_banks banks;
	bool has_cut, has_entries, has_replayed, has_barrier, has_duration;
	bool has_pcrs;
	uint64_t cut, entries, replayed, barrier_ns, duration_ns;
	uint32_t pcrs;			/* bit P: PCR P was mirrored */
	struct th_rec_pcr pcr[TH_REC_MAX_PCRVALS];
	size_t npcr;
	enum th_family family;
	const char *version;		/* "tpm_handoff" (measured copy), or NULL */
	/* The firmware PCRs (fw_* keys, pcrP.bind, pcrP.events). */
	const char *fw_log, *fw_log_format, *fw_log_error;	/* or NULL */
	bool has_fw_log_events, has_fw_replay, has_fw_bind;
	uint64_t fw_log_events;
	uint32_t fw_replay, fw_bind;	/* bit P: PCR P replayed / bound */
	const char *bind_why[IMALOG_MAX_PCRS];	/* pcrP.bind, or NULL */
	bool has_events[IMALOG_MAX_PCRS];
	uint64_t events[IMALOG_MAX_PCRS];	/* pcrP.events */
};

enum {
	TH_REC_OK,
	TH_REC_EMPTY = 1,		/* no attempt yet */
	TH_REC_ABSENT = 2,		/* no such file (module not loaded) */
	TH_REC_BAD = -1,		/* unreadable or malformed: see err */
};

/*
 * Parse and check len bytes of text, named name in messages.  Return
 * TH_REC_OK, TH_REC_EMPTY or TH_REC_BAD with a one-line reason in err.
 * Free with th_record_free() in every case.
 */
int th_record_parse(struct th_record *r, const char *text, size_t len,
		    const char *name, char *err, size_t errlen);

/*
 * Read and parse o->record, or o->sysfs/record; returns as above, or
 * TH_REC_ABSENT if the file does not exist.
 */
int th_record_load(struct th_record *r, const struct th_opts *o, char *err,
		   size_t errlen);

void th_record_free(struct th_record *r);

/* The value of key in r, or NULL. */
const char *th_record_get(const struct th_record *r, const char *key);

/*
 * Is key one that differs from run to run, which the copy of the record
 * the module measures into the IMA log leaves out (timings, counters)?
 */
bool th_record_key_unmeasured(const char *key);

/* "0-7 9" for the PCRs in mask ("" for none), into buf. */
const char *th_pcr_mask_str(uint32_t mask, char *buf, size_t len);

/* pcrP.BANK of r, or NULL. */
const struct th_rec_pcr *th_record_pcr(const struct th_record *r,
				       unsigned int pcr, const char *bank);

/* The human form: aligned labels, durations in ms. */
void th_record_print_text(FILE *f, const struct th_record *r);
/* The kernel's lines, as they are. */
void th_record_print_raw(FILE *f, const struct th_record *r);
/* One JSON object and a newline. */
void th_record_print_json(FILE *f, const struct th_record *r);

/*
 * Read every PCR value from a file of "pcrP.BANK: hex" lines (blank lines
 * and "#" comments skipped): vals[P][b] is set and bit b of mask[P] for
 * every PCR P and enum imalog_bank b given.  Return 0, or -1 with a
 * one-line reason in err.
 */
int th_pcrfile_load_all(const char *path,
			uint8_t vals[IMALOG_MAX_PCRS][IMALOG_NR_BANKS][IMALOG_MAX_DIGEST],
			uint32_t mask[IMALOG_MAX_PCRS], char *err, size_t errlen);

/*
 * Read PCR pcr's values from a file of "pcrP.BANK: hex" lines (blank lines
 * and "#" comments skipped; lines for other PCRs are checked and ignored).
 * vals[b] is set and bit b of *mask for every enum imalog_bank b given.
 * Return 0, or -1 with a one-line reason in err.
 */
int th_pcrfile_load(const char *path, unsigned int pcr,
		    uint8_t vals[IMALOG_NR_BANKS][IMALOG_MAX_DIGEST],
		    uint32_t *mask, char *err, size_t errlen);

#endif /* TH_RECORD_H */
