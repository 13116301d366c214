/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the handoff record in the IMA log.  After a commit the
 * module measures a copy of its record as IMA critical data
 * (ima_measure_critical_data(), label and event name "tpm_handoff"); with
 * the policy rule
 *	measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf
 * IMA appends an "ima-buf" entry whose template data is three fields
 * (security/integrity/ima/ima_template_lib.c), each u32 length + bytes:
 *	d-ng	"<hash algo>:" NUL digest	(the digest of buf)
 *	n-ng	"tpm_handoff" NUL		(the event name)
 *	buf	the record, "tpm_handoff: 1" then "key: value" lines
 */
#ifndef CLI_IMAREC_H
#define CLI_IMAREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logreplay.h"

#define CLI_IMAREC_NAME		"tpm_handoff"
/* A re-mirror's record: a vTPM brought back to the log after the commit. */
#define CLI_IMAREC_REMIRROR	"tpm_handoff_remirror"
#define CLI_IMAREC_TEMPLATE	"ima-buf"
#define CLI_IMAREC_RULE		"measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf"

/* The last tpm_handoff (or @name) entry of a log. */
struct cli_imarec {
	const char *name;		/* the event name; NULL: tpm_handoff */
	unsigned int count;		/* such entries in the log */
	uint64_t index;			/* the last one's index (0-based) */
	uint64_t offset;		/* and its offset */
	uint32_t pcr;
	bool dng_ok;			/* d-ng has the "algo:" NUL form */
	char algo[32];			/* d-ng's hash algorithm */
	uint8_t digest[CLI_MAX_DIGEST];
	uint32_t digest_len;
	uint8_t *buf;			/* the record (malloc()ed), buf_len bytes */
	uint32_t buf_len;
};

/*
 * If e is an ima-buf entry named tpm_handoff, make it rec's last entry
 * (count + 1).  Return 1 if it was one, 0 if not, -1 if out of memory.
 */
int cli_imarec_note(struct cli_imarec *rec, const struct cli_log_entry *e);

void cli_imarec_free(struct cli_imarec *rec);

/*
 * Find the last tpm_handoff entry of an IMA log (a file, or len bytes at
 * buf if buf is not NULL) without replaying it.  Return 0 (rec->count 0:
 * none), or -1 with err set if the log cannot be read or parsed.
 */
int cli_imarec_find(const char *path, const void *buf, size_t len,
		   struct cli_imarec *rec, char *err, size_t errlen);
/* The same for the entries named @name (CLI_IMAREC_REMIRROR). */
int cli_imarec_find_named(const char *name, const char *path, const void *buf,
			  size_t len, struct cli_imarec *rec, char *err,
			  size_t errlen);

/*
 * Does d-ng's digest match the digest of buf?  1 yes, 0 no, -1 libcrypto
 * lacks the algorithm (or d-ng is malformed).
 */
int cli_imarec_digest_ok(const struct cli_imarec *rec);

#endif /* CLI_IMAREC_H */
