// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: the operator's tool for tpm_handoff.ko, which moves a
 * measured dom0 from its physical TPM to its vTPM at run time without
 * losing an IMA measurement.  This file: the options (getopt_long) and
 * the dispatch to a command (commands.c lists them).
 *
 *   tpm-handoff status | start | record [--json] | verify   (--help each)
 *
 * Options may come before or after the command.  Exit status: 0 ready /
 * committed / PASS, 1 not ready / failed / FAIL, 2 bad input (unreadable
 * or malformed state, record, log or PCR file, unreachable TPM, bad
 * usage).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "util.h"

static const struct option long_options[] = {
	{ "sysfs", required_argument, NULL, O_SYSFS },
	{ "class", required_argument, NULL, O_CLASS },
	{ "log", required_argument, NULL, O_LOG },
	{ "record", required_argument, NULL, O_RECORD },
	{ "tcti", required_argument, NULL, O_TCTI },
	{ "ptpm-pcrs", required_argument, NULL, O_PTPM_PCRS },
	{ "vtpm-pcrs", required_argument, NULL, O_VTPM_PCRS },
	{ "attempts", required_argument, NULL, O_ATTEMPTS },
	{ "fw-log", required_argument, NULL, O_FW_LOG },
	{ "record-from-log", no_argument, NULL, O_RECORD_FROM_LOG },
	{ "json", no_argument, NULL, O_JSON },
	{ "raw", no_argument, NULL, O_RAW },
	{ "force", no_argument, NULL, O_FORCE },
	{ "handle", required_argument, NULL, O_HANDLE },
	{ "out", required_argument, NULL, O_OUT },
	{ "nonce", required_argument, NULL, O_NONCE },
	{ "ptpm-key", required_argument, NULL, O_PTPM_KEY },
	{ "evidence", required_argument, NULL, O_EVIDENCE },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char *option_name(unsigned int id)
{
	for (const struct option *o = long_options; o->name; o++)
		if ((unsigned int)o->val == id)
			return o->name;
	return "?";
}

static const struct cli_command *find_command(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* Store option @id's @value in @o; -1 (message printed) if it is bad. */
static int set_option(struct cli_opts *o, unsigned int id, const char *value)
{
	uint64_t n;

	if (value && !*value) {
		cli_err("--%s needs a non-empty value", option_name(id));
		return -1;
	}
	switch (id) {
	case O_SYSFS: o->sysfs = value; break;
	case O_CLASS: o->class_dir = value; break;
	case O_LOG: o->log = value; break;
	case O_RECORD: o->record = value; break;
	case O_TCTI: o->tcti = value; break;
	case O_PTPM_PCRS: o->ptpm_pcrs = value; break;
	case O_VTPM_PCRS: o->vtpm_pcrs = value; break;
	case O_FW_LOG: o->fw_log = value; break;
	case O_RECORD_FROM_LOG: o->record_from_log = true; break;
	case O_JSON: o->json = true; break;
	case O_RAW: o->raw = true; break;
	case O_FORCE: o->force = true; break;
	case O_HANDLE: o->handle = value; break;
	case O_OUT: o->out = value; break;
	case O_NONCE: o->nonce = value; break;
	case O_PTPM_KEY: o->ptpm_key = value; break;
	case O_EVIDENCE: o->evidence = value; break;
	case O_ATTEMPTS:
		if (cli_parse_u64(value, &n) || n < 1 || n > 20) {
			cli_err("--attempts: \"%s\" is not a number from 1 to 20", value);
			return -1;
		}
		o->attempts = (unsigned int)n;
		break;
	}
	return 0;
}

/* What getopt_long could not take, as one line. */
static void option_error(int c, char *const *argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		cli_err("--%s needs a value", option_name(optopt));
	else if (optopt && strchr(arg, '='))
		cli_err("--%s takes no value", option_name(optopt));
	else
		cli_err("unknown option \"%s\" (tpm-handoff --help)", arg);
}

/* Parse every option into @o and @given; -1 (message printed) if bad. */
static int parse_options(int argc, char **argv, struct cli_opts *o,
			 unsigned int *given)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if (c == 'h')
			c = O_HELP;
		if (c == '?' || c == ':') {
			option_error(c, argv);
			return -1;
		}
		if (*given & (unsigned int)c & ~O_HELP) {
			cli_err("--%s given twice", option_name(c));
			return -1;
		}
		*given |= c;
		if (set_option(o, c, optarg))
			return -1;
	}
	return 0;
}

/* Options that exclude each other, or that two inputs cannot share. */
static int check_options(const struct cli_opts *o)
{
	const char *clash = NULL;

	if (o->json && o->raw)
		clash = "record: --json and --raw exclude each other";
	else if (o->vtpm_pcrs && o->tcti)
		clash = "verify: --vtpm-pcrs and --tcti exclude each other";
	else if (o->record && o->record_from_log)
		clash = "verify: --record and --record-from-log exclude each other";
	else if (o->fw_log && !strcmp(o->fw_log, "-") &&
		 (!strcmp(o->log, "-") || (o->record && !strcmp(o->record, "-"))))
		clash = "only one of the log, the event log and the record can come from stdin";
	else if (!strcmp(o->log, "-") && o->record && !strcmp(o->record, "-"))
		clash = "the log and the record cannot both come from stdin";
	if (clash)
		cli_err("%s", clash);
	return clash ? -1 : 0;
}

/* The command among the arguments left ("help [CMD]" too); NULL: done. */
static const struct cli_command *pick_command(int argc, char **argv,
					      unsigned int given, int *exit)
{
	const struct cli_command *cmd;

	*exit = CLI_EXIT_INPUT;
	if (optind < argc && !strcmp(argv[optind], "help") && optind + 2 >= argc) {
		cmd = optind + 1 < argc ? find_command(argv[optind + 1]) : NULL;
		if (cmd || optind + 1 == argc) {
			fputs(cmd ? cmd->help : "", stdout);
			if (!cmd)
				cli_usage(stdout);
			*exit = CLI_EXIT_OK;
			return NULL;
		}
	}
	cmd = optind < argc ? find_command(argv[optind]) : NULL;
	if (optind < argc && !cmd) {
		cli_err("unknown command \"%s\" (tpm-handoff --help)", argv[optind]);
		return NULL;
	}
	if (cmd && optind + 1 < argc) {
		cli_err("%s: unexpected argument \"%s\" (tpm-handoff %s --help)",
			cmd->name, argv[optind + 1], cmd->name);
		return NULL;
	}
	if (given & O_HELP) {
		cmd ? fputs(cmd->help, stdout) : cli_usage(stdout);
		*exit = CLI_EXIT_OK;
		return NULL;
	}
	if (!cmd)
		cli_usage(stderr);
	return cmd;
}

int main(int argc, char **argv)
{
	struct cli_opts o = {
		.sysfs = CLI_DEF_SYSFS,
		.class_dir = CLI_DEF_CLASS,
		.log = CLI_DEF_LOG,
		.attempts = 5,
	};
	const struct cli_command *cmd;
	unsigned int given = 0;
	int exit;

	/* tpm2-tss logs errors on stderr itself; this tool reports them. */
	setenv("TSS2_LOG", "all+none", 0);
	if (parse_options(argc, argv, &o, &given))
		return CLI_EXIT_INPUT;
	cmd = pick_command(argc, argv, given, &exit);
	if (!cmd)
		return exit;
	if ((given & O_EVIDENCE) && (given & ~(O_EVIDENCE | O_PTPM_KEY | O_NONCE | O_HELP))) {
		cli_err("verify --evidence takes only --ptpm-key and --nonce: the evidence holds the rest");
		return CLI_EXIT_INPUT;
	}
	for (const struct option *opt = long_options; opt->name; opt++)
		if ((given & opt->val) && !(cmd->opts & opt->val) && opt->val != O_HELP) {
			cli_err("%s: no option --%s (tpm-handoff %s --help)",
				cmd->name, opt->name, cmd->name);
			return CLI_EXIT_INPUT;
		}
	if (check_options(&o))
		return CLI_EXIT_INPUT;
	return cmd->run(&o);
}
