/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the commands and their options (commands.c), for the
 * option parser (tpm-handoff.c).
 */
#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

#include <stdio.h>

#include "util.h"

/* Every option, as a bit: which a command takes, which were given. */
enum {
	O_SYSFS = 1 << 0,
	O_CLASS = 1 << 1,
	O_LOG = 1 << 2,
	O_RECORD = 1 << 3,
	O_TCTI = 1 << 4,
	O_PTPM_PCRS = 1 << 5,
	O_VTPM_PCRS = 1 << 6,
	O_ATTEMPTS = 1 << 7,
	O_JSON = 1 << 8,
	O_RAW = 1 << 9,
	O_FORCE = 1 << 10,
	O_FW_LOG = 1 << 11,
	O_RECORD_FROM_LOG = 1 << 12,
	O_HELP = 1 << 13,
	O_HANDLE = 1 << 14,
	O_OUT = 1 << 15,
	O_NONCE = 1 << 16,
	O_PTPM_KEY = 1 << 17,
	O_EVIDENCE = 1 << 18,
};

struct cli_command {
	const char *name;
	int (*run)(const struct cli_opts *o);
	unsigned int opts;	/* O_* it takes */
	const char *help;
};

/* Every command, then one with a NULL name. */
extern const struct cli_command cli_commands[];
void cli_usage(FILE *f);

#endif
