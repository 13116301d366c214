/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the preconditions of a handoff, shared by status and start.
 */
#ifndef TH_STATUS_H
#define TH_STATUS_H

#include <stdbool.h>

#include "sysfs.h"
#include "util.h"

enum th_check_id {
	TH_CK_LOADED,		/* tpm_handoff is loaded */
	TH_CK_STATE,		/* state is idle or aborted */
	TH_CK_VTPM,		/* a vTPM is found */
	TH_CK_BANKS,		/* the vTPM has every pTPM bank */
	TH_CK_ROOT,		/* running as root */
	TH_CK_LOG,		/* the IMA log is readable */
	TH_CK_NR,
};

enum th_check_result { TH_CK_OK, TH_CK_FAIL, TH_CK_SKIPPED };

struct th_check {
	const char *what;
	enum th_check_result result;
	char why[TH_MSG];	/* TH_CK_FAIL, TH_CK_SKIPPED: why */
	const char *fix;	/* TH_CK_FAIL: what to do */
};

struct th_ready {
	struct th_module m;
	struct th_banks pbanks, vbanks;
	int pbanks_err, vbanks_err;	/* 0, or -errno */
	bool ptpm1, vtpm1;		/* TPM 1.2 chips (bank sha1) */
	char vtpm[TH_NAME];		/* the vTPM chip, "" if unknown */
	char provider[TH_NAME];
	struct th_check ck[TH_CK_NR];
	int nfail;
	bool committed;
	bool state_error;		/* cannot tell the state: exit 2 */
};

/* Look at everything a handoff needs; no TPM traffic. */
void th_ready_check(const struct th_opts *o, struct th_ready *r);

#endif /* TH_STATUS_H */
