/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: options shared by every subcommand, and small helpers
 * (messages, hex, numbers, whole-file reads).
 */
#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_PROG			"tpm-handoff"
#define CLI_DEF_SYSFS		"/sys/kernel/tpm_handoff"
#define CLI_DEF_CLASS		"/sys/class/tpm"
#define CLI_DEF_LOG		"/sys/kernel/security/ima/binary_runtime_measurements"
#define CLI_MSG			512	/* one-line messages */
#define CLI_FILE_MAX		(1u << 20)	/* sysfs files, records, PCR files */

/* Exit statuses. */
enum {
	CLI_EXIT_OK,
	CLI_EXIT_FAIL,		/* not ready, failed, verification failed */
	CLI_EXIT_INPUT,		/* bad input, cannot read what is needed */
};

struct cli_opts {
	const char *sysfs;	/* --sysfs DIR */
	const char *class_dir;	/* --class DIR */
	const char *log;	/* --log FILE ("-": stdin) */
	const char *record;	/* --record FILE, or NULL: SYSFS/record */
	const char *tcti;	/* --tcti STRING, or NULL: from the record */
	const char *ptpm_pcrs;	/* --ptpm-pcrs FILE */
	const char *vtpm_pcrs;	/* --vtpm-pcrs FILE */
	const char *fw_log;	/* --fw-log FILE (verify) */
	bool record_from_log;	/* --record-from-log (verify) */
	unsigned int attempts;	/* --attempts N (verify) */
	bool json;		/* --json (record) */
	bool raw;		/* --raw (record) */
	bool force;		/* --force (start) */
	const char *handle;	/* --handle HANDLE (provision) */
	const char *out;	/* --out PREFIX (provision), FILE (attest) */
	const char *nonce;	/* --nonce HEX (attest, verify --evidence) */
	const char *ptpm_key;	/* --ptpm-key FILE (attest, verify --evidence) */
	const char *evidence;	/* --evidence FILE (verify) */
};

int cmd_status(const struct cli_opts *o);
int cmd_start(const struct cli_opts *o);
int cmd_record(const struct cli_opts *o);
int cmd_verify(const struct cli_opts *o);
int cmd_provision(const struct cli_opts *o);
int cmd_attest(const struct cli_opts *o);
/* verify --evidence (verify_ev.c), from cmd_verify(). */
int cmd_verify_evidence(const struct cli_opts *o);

/* Print "tpm-handoff: MESSAGE\n" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Decode exactly 2 * want hex digits (either case) from s into out.
 * Return 0, or -1 if s is not hex or has another length.
 */
int cli_hex_decode(const char *s, uint8_t *out, size_t want);
/* Write n bytes of v as lowercase hex. */
void cli_hex_print(FILE *f, const uint8_t *v, size_t n);
/* The same into out (2 * n + 1 bytes, NUL-terminated); returns out. */
char *cli_hex_str(char *out, const uint8_t *v, size_t n);

/* A decimal number without sign, spaces or overflow: 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *out);

/*
 * Read a whole file ("-": stdin) of at most max bytes into a NUL-terminated
 * malloc()ed buffer.  Return 0, or -errno (-EFBIG if it is larger).
 */
int cli_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * What cli_text_lines() calls for each line: line is NUL-terminated,
 * without its newline, and may be changed; ln counts from 1.  0 to go on,
 * -1 with the reason in err to stop.
 */
typedef int (*cli_line_fn)(char *line, unsigned long ln, void *ctx,
			   char *err, size_t errlen);

/*
 * Call fn for each line of text, len bytes as cli_read_file() returns them
 * (cut into lines in place), read from path (for messages).  A NUL byte is
 * refused: such a file is binary, not the text it should be.  Return 0, or
 * -1 with the reason in err.
 */
int cli_text_lines(char *text, size_t len, const char *path, cli_line_fn fn,
		   void *ctx, char *err, size_t errlen);

/* snprintf of "dir/name" into out; -1 if it does not fit. */
int cli_path(char *out, size_t len, const char *dir, const char *name);

/* The name of a (positive) errno: "EBUSY"; "errno 123" if unknown. */
const char *cli_errno_name(int e, char *buf, size_t len);

#endif /* CLI_UTIL_H */
