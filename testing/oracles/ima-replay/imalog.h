/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * imalog: parse IMA's binary_runtime_measurements and replay it into PCR
 * values, bank by bank, exactly as Linux 6.1 IMA extends the TPM.
 *
 * This is the test oracle's own code: it shares nothing with the module's
 * parser and replay (drivers/tpm_handoff/ima_log.c, replay.c), which it
 * judges; testing/fuzz/fuzz-ima-log.c runs the two side by side on the
 * same input and requires that they agree (Documentation/testing.rst,
 * "Oracles are independent on purpose").
 *
 * Two layers:
 *
 *  - The parser (struct imalog_parser) splits a byte stream into entries.
 *    It is fed chunks of any size (imalog_parser_feed), copies what it
 *    needs, never reads outside the chunk it is given and enforces limits
 *    on every length field, so it can be fuzzed.  Hashing is not its job.
 *
 *  - The replay (struct imalog_replay) drives a parser and, for every
 *    entry, checks the SHA-1 template digest against the template data,
 *    computes the digest IMA extended into each bank and keeps running PCR
 *    values for both digest kinds of a non-SHA-1 bank (see enum
 *    imalog_kind).  Callers observe it after every entry through a step
 *    callback, or register imalog_match structures that record after how
 *    many entries a PCR held an expected value.
 *
 * Binary log format (x86: host byte order = little endian), per entry:
 *	u32 pcr, u8 template_digest[20], u32 name_len, char name[name_len],
 *	then for every template but "ima":  u32 data_len, u8 data[data_len]
 *	(data = each field as u32 length + bytes), and for the legacy "ima"
 *	template (no total length): u8 file_digest[20], u32 len, char name[len].
 * See ima_measurements_show() in security/integrity/ima/ima_fs.c.
 *
 * Entries are numbered from 0, as the module numbers them: "entry 0" is
 * the first one, and struct imalog_entry.index and struct
 * imalog_error.entry are such indexes.  Counts stay counts: "after N
 * entries" means entries 0..N-1 have been extended, and
 * imalog_replay_entries() is how many were.  Offsets are byte offsets
 * from the start of the log.
 */
#ifndef IMALOG_H
#define IMALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMALOG_MAX_PCRS		24
#define IMALOG_MAX_DIGEST	64
#define IMALOG_SHA1_SIZE	20
#define IMALOG_NAME_MAX		255		/* template name, "ima" file name */
/*
 * Template data: no IMA template comes close.  The bound is arbitrary; it
 * is the module's (IMA_LOG_DATA_MAX), so that the two parsers refuse the
 * same logs (testing/fuzz/fuzz-ima-log.c compares them).
 */
#define IMALOG_DATA_MAX		(16u << 20)
/* "never" in imalog_match; "no entry" in imalog_error */
#define IMALOG_NONE		UINT64_MAX

enum imalog_bank {
	IMALOG_SHA1,
	IMALOG_SHA256,
	IMALOG_SHA384,
	IMALOG_SHA512,
	IMALOG_SM3_256,		/* only if libcrypto has SM3 */
	IMALOG_NR_BANKS,
};

/*
 * The digest kinds: what IMA extended into a bank for one (non-violation)
 * entry, with the module's names (enum th_kind, th_kind_name[]):
 *  KIND_HASH, "template-hash": the bank's hash over the template data (IMA
 *	could allocate the bank's algorithm at boot);
 *  KIND_PADDED, "padded-sha1": the SHA-1 template digest, zero-padded to
 *	the bank's size (it could not: ima_calc_field_array_hash()'s
 *	"unmapped TPM algorithms").
 * For the sha1 bank both are the same.  A violation extends 0xff.. in
 * every bank, whatever the kind.
 */
enum imalog_kind {
	IMALOG_KIND_HASH,
	IMALOG_KIND_PADDED,
	IMALOG_NR_KINDS,
};

/* Bank names as swtpm-trace and the TPM sysfs use them: "sha1", "sm3_256". */
const char *imalog_bank_name(enum imalog_bank b);
unsigned int imalog_bank_size(enum imalog_bank b);
int imalog_bank_by_name(const char *name);	/* -1 if unknown */
const char *imalog_kind_name(enum imalog_kind k);	/* "template-hash" */

struct imalog_error {
	uint64_t entry;		/* index of the entry at fault; IMALOG_NONE:
				 * none (the log could not be read) */
	uint64_t entry_offset;	/* where that entry starts */
	uint64_t offset;	/* where the fault is: the bad field, or the
				 * entry's start */
	char msg[256];		/* one line: "entry 17 at offset 4242: ...",
				 * 17 the index and 4242 the fault's offset */
};

/* One parsed entry; valid only during the callback that receives it. */
struct imalog_entry {
	uint64_t index;		/* 0 for the first entry */
	uint64_t offset;	/* of the entry's first byte */
	uint32_t pcr;		/* < IMALOG_MAX_PCRS */
	uint8_t template_digest[IMALOG_SHA1_SIZE];
	bool violation;		/* template digest all zero */
	bool ima_template;	/* legacy "ima" template */
	char name[IMALOG_NAME_MAX + 1];	/* template name, NUL-terminated */
	/*
	 * The template data as serialised in the log.  For "ima": the
	 * 20-byte file digest, u32 name length, name (no NUL).
	 */
	const uint8_t *data;
	uint32_t data_len;
};

/* ---- parser ---- */

/*
 * Called once per complete entry.  Return 0 to go on; non-zero stops the
 * parser with an error: write the reason into err->msg (the parser
 * prefixes "entry N at offset O: ", N being e->index and O e->offset).
 * The entry does not count then (imalog_parser_entries()).
 */
typedef int (*imalog_entry_fn)(void *arg, const struct imalog_entry *e,
			       struct imalog_error *err);

struct imalog_parser;

struct imalog_parser *imalog_parser_new(imalog_entry_fn fn, void *arg);
void imalog_parser_free(struct imalog_parser *p);
/* 0, or -1 on an error (sticky: later calls fail at once). */
int imalog_parser_feed(struct imalog_parser *p, const void *buf, size_t len);
/* End of input: -1 if it ends inside an entry ("truncated ..."). */
int imalog_parser_finish(struct imalog_parser *p);
const struct imalog_error *imalog_parser_error(const struct imalog_parser *p);
uint64_t imalog_parser_entries(const struct imalog_parser *p);
uint64_t imalog_parser_offset(const struct imalog_parser *p);

/*
 * Template data fields (u32 length + bytes each, non-"ima" templates):
 * start with *off = 0; returns 1 with *field and *len set, 0 at the clean
 * end, -1 if the data does not split into fields.
 */
int imalog_field_next(const uint8_t *data, uint32_t data_len, uint32_t *off,
		      const uint8_t **field, uint32_t *len);

/* ---- replay ---- */

/*
 * Records after how many entries PCR pcr of bank bank held value, per
 * digest kind.  Fill pcr, bank, value and at (a prefix length to test,
 * or IMALOG_NONE), then imalog_replay_watch().  A PCR keeps its value
 * while entries for other PCRs go by, so a match is a run of prefix
 * lengths first..last; the all-zero start counts as "after 0 entries".
 * Only the first run is kept (a hash chain does not come back).
 */
struct imalog_match {
	unsigned int pcr;
	enum imalog_bank bank;
	uint8_t value[IMALOG_MAX_DIGEST];
	uint64_t at;
	struct {
		uint64_t first, last;	/* IMALOG_NONE: never matched */
		bool at_hit;		/* matched after exactly `at` entries */
		bool in_run;		/* internal */
	} found[IMALOG_NR_KINDS];
};

struct imalog_replay;

/*
 * Called after every entry has been extended (r reflects it, and
 * imalog_replay_entries(r) counts it).  Non-zero stops the replay with the
 * error "stopped by the caller" at that entry.
 */
typedef int (*imalog_step_fn)(void *arg, const struct imalog_replay *r,
			      const struct imalog_entry *e);

/* NULL if out of memory or libcrypto lacks SHA-1/256/384/512. */
struct imalog_replay *imalog_replay_new(void);
void imalog_replay_free(struct imalog_replay *r);
bool imalog_replay_has_bank(const struct imalog_replay *r, enum imalog_bank b);
void imalog_replay_on_step(struct imalog_replay *r, imalog_step_fn fn, void *arg);
/*
 * Watch m (it must stay valid while r is fed); it is evaluated at once for
 * the entries replayed so far (0 on a fresh replay), then after each entry.
 */
int imalog_replay_watch(struct imalog_replay *r, struct imalog_match *m);

/* Same contract as the parser's feed/finish; errors include digest checks. */
int imalog_replay_feed(struct imalog_replay *r, const void *buf, size_t len);
int imalog_replay_finish(struct imalog_replay *r);
/* feed + finish of a whole buffer, or of a file ("-" = stdin). */
int imalog_replay_buffer(struct imalog_replay *r, const void *buf, size_t len);
int imalog_replay_file(struct imalog_replay *r, const char *path);
const struct imalog_error *imalog_replay_error(const struct imalog_replay *r);

uint64_t imalog_replay_entries(const struct imalog_replay *r);
/* Bit p set: at least one entry was for PCR p. */
uint32_t imalog_replay_pcrs_seen(const struct imalog_replay *r);
/* Current value; NULL for a bank libcrypto lacks or pcr out of range. */
const uint8_t *imalog_replay_pcr(const struct imalog_replay *r, unsigned int pcr,
				 enum imalog_bank b, enum imalog_kind k);
/* What the last entry extended into bank b, digest kind k. */
const uint8_t *imalog_replay_last_digest(const struct imalog_replay *r,
					 enum imalog_bank b, enum imalog_kind k);

#endif /* IMALOG_H */
