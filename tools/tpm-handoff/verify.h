/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff verify: state shared by its parts: verify.c (PCR 10 and the
 * IMA log, the verdict), verify_fw.c (the firmware PCRs) and verify_rec.c
 * (the record the IMA log holds).
 */
#ifndef TH_VERIFY_H
#define TH_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/imalog.h"
#include "fwlog.h"
#include "imarec.h"
#include "record.h"
#include "sysfs.h"
#include "util.h"

#define TH_IMA_PCR	10

struct vbank {
	enum imalog_bank b;
	const char *name;
	enum imalog_interp interp;
	uint8_t ptpm[IMALOG_MAX_DIGEST];
	bool have_v;			/* the vTPM has (was given) this bank */
	uint8_t vtpm[IMALOG_MAX_DIGEST];
	struct imalog_match mp, mv;	/* pTPM's and vTPM's value in the log */
	bool p_ok, v_ok;
	char p_line[TH_MSG], v_line[TH_MSG];	/* after "OK: " / "FAIL: " */
	char p_why[TH_MSG], v_why[TH_MSG];	/* the verdict, if it failed */
};

/* A firmware PCR; bank k is the verify's bank[k]. */
struct fwpcr {
	unsigned int pcr;
	bool bind;			/* mode bind, else replay */
	const char *why;		/* bind: the record's reason */
	bool from_file;			/* snapshot from --ptpm-pcrs */
	uint8_t snap[TH_MAX_BANKS][IMALOG_MAX_DIGEST];
	uint8_t want[TH_MAX_BANKS][IMALOG_MAX_DIGEST];	/* the vTPM's */
	uint8_t got[TH_MAX_BANKS][IMALOG_MAX_DIGEST];	/* the vTPM's */
	uint32_t have;			/* bit k: got[k] read */
	uint32_t absent;		/* bit k: the vTPM lacks bank k */
	bool v_ok, v_partial;		/* partial: some banks not given */
	char v_line[2 * TH_MSG], v_why[TH_MSG];
	bool l_done, l_ok;		/* the event log's check */
	char l_line[2 * TH_MSG], l_why[TH_MSG];
};

struct verify {
	const struct th_opts *o;
	struct th_record rec;
	const char *rec_name;		/* where the record came from */
	char rec_path[4096];
	struct vbank bank[TH_MAX_BANKS];
	size_t nb;
	struct th_tpm *tpm;		/* NULL: --vtpm-pcrs, or a TPM 1.2 */
	bool tpm1;			/* record family 1.2: PCRs from sysfs */
	char tpm1_path[4096];		/* ... this file */
	uint8_t tpm1_vals[IMALOG_MAX_PCRS][TH_TPM1_DIGEST];
	uint32_t tpm1_mask;
	/* --vtpm-pcrs, --ptpm-pcrs: every PCR they give */
	uint8_t vfile[IMALOG_MAX_PCRS][IMALOG_NR_BANKS][IMALOG_MAX_DIGEST];
	uint32_t vfile_mask[IMALOG_MAX_PCRS];
	uint8_t pfile[IMALOG_MAX_PCRS][IMALOG_NR_BANKS][IMALOG_MAX_DIGEST];
	uint32_t pfile_mask[IMALOG_MAX_PCRS];
	char *log_buf;			/* --log -: stdin, read once */
	size_t log_len;
	uint64_t *off;			/* off[n - 1]: offset of entry n */
	size_t noff, capoff;
	uint64_t entries;		/* in the last read of the log */
	bool damaged;			/* a template digest did not match */
	struct imalog_error damage;
	unsigned int reads;		/* of the vTPM and the log */
	uint64_t vtpm_covers;		/* entries the vTPM's PCR 10 holds (PASS) */
	bool vtpm_passed;

	/* The firmware PCRs (verify_fw.c). */
	struct fwpcr fw[IMALOG_MAX_PCRS];
	size_t nfw;
	struct th_fwlog *fwlog;		/* --fw-log's replay */
	char fwlog_line[2 * TH_MSG];	/* what the event log is */
	char unchecked[TH_MSG];		/* PCRs that could not be checked */

	/* The record in the IMA log (verify_rec.c). */
	struct th_imarec logrec;	/* in the last read of the log */
	struct th_imarec prerec;	/* --record-from-log: found first */
	bool rec_ok;
	char rec_line[3 * TH_MSG], rec_why[TH_MSG];
};

/* verify_fw.c: 0, or an exit status (a message printed). */
int vfw_setup(struct verify *v);
int vfw_read_vtpm(struct verify *v);
int vfw_judge(struct verify *v);
/* Print the lines; the first failure's reason, or NULL. */
const char *vfw_report(const struct verify *v);

/* verify_rec.c: 0, or an exit status (a message printed). */
int vrec_load(struct verify *v);
/* Does the IMA log (a file) hold a tpm_handoff record?  For hints. */
bool vrec_in_log(const struct verify *v);
int vrec_note(struct verify *v, const struct imalog_entry *e);
int vrec_judge(struct verify *v);
const char *vrec_report(const struct verify *v);

#endif /* TH_VERIFY_H */
