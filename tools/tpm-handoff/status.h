/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the preconditions of a handoff, shared by status and start.
 */
#ifndef CLI_STATUS_H
#define CLI_STATUS_H

#include <stdbool.h>

#include "sysfs.h"
#include "util.h"

enum cli_check_id {
	CLI_CK_LOADED,		/* tpm_handoff is loaded */
	CLI_CK_STATE,		/* state is idle or aborted */
	CLI_CK_VTPM,		/* a vTPM is found */
	CLI_CK_BANKS,		/* the vTPM has every pTPM bank */
	CLI_CK_ROOT,		/* running as root */
	CLI_CK_LOG,		/* the IMA log is readable */
	CLI_CK_NR,
};

enum cli_check_result { CLI_CK_OK, CLI_CK_FAIL, CLI_CK_SKIPPED };

struct cli_check {
	const char *what;
	enum cli_check_result result;
	char why[CLI_MSG];	/* CLI_CK_FAIL, CLI_CK_SKIPPED: why */
	const char *fix;	/* CLI_CK_FAIL: what to do */
};

struct cli_ready {
	struct cli_module m;
	struct cli_banks pbanks, vbanks;
	int pbanks_err, vbanks_err;	/* 0, or -errno */
	bool ptpm1, vtpm1;		/* TPM 1.2 chips (bank sha1) */
	char vtpm[CLI_NAME];		/* the vTPM chip, "" if unknown */
	char provider[CLI_NAME];
	struct cli_check ck[CLI_CK_NR];
	int nfail;
	bool committed;
	bool state_error;		/* cannot tell the state: exit 2 */
};

/* Look at everything a handoff needs; no TPM traffic. */
void cli_ready_check(const struct cli_opts *o, struct cli_ready *r);

#endif /* CLI_STATUS_H */
