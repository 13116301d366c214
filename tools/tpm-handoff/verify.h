/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff verify: state shared by its parts: verify.c (the command:
 * its inputs and the reads), verify_log.c (one read of the IMA log),
 * verify_judge.c (PCR 10 against the log, the verdict), verify_fw.c (the
 * firmware PCRs) and verify_rec.c (the record the IMA log holds).
 */
#ifndef CLI_VERIFY_H
#define CLI_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logreplay.h"
#include "fwlog.h"
#include "imarec.h"
#include "record.h"
#include "sysfs.h"
#include "util.h"

#define CLI_IMA_PCR	10

struct vbank {
	enum cli_bank b;
	const char *name;
	enum th_kind kind;		/* the record's pcr10.BANK.digest */
	uint8_t ptpm[CLI_MAX_DIGEST];
	bool have_v;			/* the vTPM has (was given) this bank */
	uint8_t vtpm[CLI_MAX_DIGEST];
	struct cli_log_match mp, mv;	/* pTPM's and vTPM's value in the log */
	bool p_ok, v_ok;
	char p_line[CLI_MSG], v_line[CLI_MSG];	/* after "OK: " / "FAIL: " */
	char p_why[CLI_MSG], v_why[CLI_MSG];	/* the verdict, if it failed */
};

/* A firmware PCR; bank k is the verify's bank[k]. */
struct fwpcr {
	unsigned int pcr;
	bool bind;			/* mode bind, else replay */
	const char *why;		/* bind: the record's reason */
	bool from_file;			/* snapshot from --ptpm-pcrs */
	uint8_t snap[CLI_MAX_BANKS][CLI_MAX_DIGEST];
	uint8_t want[CLI_MAX_BANKS][CLI_MAX_DIGEST];	/* the vTPM's */
	uint8_t got[CLI_MAX_BANKS][CLI_MAX_DIGEST];	/* the vTPM's */
	uint32_t have;			/* bit k: got[k] read */
	uint32_t absent;		/* bit k: the vTPM lacks bank k */
	bool v_ok, v_partial;		/* partial: some banks not given */
	char v_line[2 * CLI_MSG], v_why[CLI_MSG];
	bool l_done, l_ok;		/* the event log's check */
	char l_line[2 * CLI_MSG], l_why[CLI_MSG];
};

struct verify {
	const struct cli_opts *o;
	struct cli_record rec;
	const char *rec_name;		/* where the record came from */
	char rec_path[4096];
	struct vbank bank[CLI_MAX_BANKS];
	size_t nb;
	struct cli_tpm *tpm;		/* NULL: --vtpm-pcrs, or a TPM 1.2 */
	bool tpm1;			/* record family 1.2: PCRs from sysfs */
	char tpm1_path[4096];		/* ... this file */
	uint8_t tpm1_vals[CLI_MAX_PCRS][CLI_TPM1_DIGEST];
	uint32_t tpm1_mask;
	/* --vtpm-pcrs, --ptpm-pcrs: every PCR they give */
	uint8_t vfile[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST];
	uint32_t vfile_mask[CLI_MAX_PCRS];
	uint8_t pfile[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST];
	uint32_t pfile_mask[CLI_MAX_PCRS];
	char *log_buf;			/* --log -: stdin, read once */
	size_t log_len;
	uint64_t *off;			/* off[n - 1]: offset of entry n */
	size_t noff, capoff;
	uint64_t entries;		/* in the last read of the log */
	bool damaged;			/* a template digest did not match */
	uint64_t damage_index;		/* the damaged entry */
	char damage_msg[320];		/* what the replay said */
	unsigned int reads;		/* of the vTPM and the log */
	uint64_t vtpm_covers;		/* entries the vTPM's PCR 10 holds (PASS) */
	bool vtpm_passed;

	/* The firmware PCRs (verify_fw.c). */
	struct fwpcr fw[CLI_MAX_PCRS];
	size_t nfw;
	struct cli_fwlog *fwlog;		/* --fw-log's replay */
	char fwlog_line[2 * CLI_MSG];	/* what the event log is */
	char unchecked[CLI_MSG];		/* PCRs that could not be checked */

	/* The record in the IMA log (verify_rec.c). */
	struct cli_imarec logrec;	/* in the last read of the log */
	struct cli_imarec prerec;	/* --record-from-log: found first */
	bool rec_ok;
	char rec_line[3 * CLI_MSG], rec_why[CLI_MSG];
};

/*
 * verify_log.c: read the whole log once, watching every bank's values.
 * 0, or an exit status (a message printed).
 */
int vlog_read(struct verify *v);
/* "entry I at offset O" for the entry of index i in the last read. */
const char *vlog_entry_at(const struct verify *v, uint64_t i, char *buf, size_t len);

/* verify_judge.c: what the vTPM's check on one read of the log decides. */
enum { V_PASS, V_FAIL, V_RETRY };
/* The pTPM's check on the last read of the log. */
void vjudge_ptpm(struct verify *v);
/*
 * The vTPM's check on the last reads (verify_judge.c's rule).  prev is the
 * length of the previous read of the log (CLI_NONE on the first); last:
 * no further read will come.  V_PASS, V_FAIL or V_RETRY.
 */
int vjudge_vtpm(struct verify *v, uint64_t prev, bool last);
/* Print every check's lines and the verdict; the exit status. */
int vjudge_report(struct verify *v);

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
int vrec_note(struct verify *v, const struct cli_log_entry *e);
int vrec_judge(struct verify *v);
const char *vrec_report(const struct verify *v);

#endif /* CLI_VERIFY_H */
