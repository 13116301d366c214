/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm_handoff: move a running measured system from its boot TPM (the pTPM,
 * which IMA uses) to a virtual TPM without losing a measurement.
 *
 * Internal interfaces between the files of tpm_handoff.ko:
 *
 *   ima_log.c   streaming parser of IMA's binary measurement list
 *   replay.c    per-bank template digests, PCR replay and cut-point search
 *   mirror.c    which entries go into the vTPM before and under the barrier
 *   tcg_log.c   parser of the firmware's TCG event log (tcg_log.h)
 *   firmware.c  the firmware PCRs: replayed from that log, or bound
 *   tpm_cmd.c   TPM 2.0 and 1.2 command marshalling and response parsing
 *   quote.c     the handoff quote: the keys' names, TPM2_Quote, its check
 *   sessions.c  the vTPM's session handles as the pTPM chip's users see them
 *   vtpm.c      where the vTPM comes from (Xen frontend or a named chip)
 *   barrier.c   the quiescence barrier on the pTPM and its watchdog
 *   forward.c   the tpm_class_ops that forward the pTPM chip to the vTPM
 *   handoff.c   the steps: barrier, snapshot, mirror, commit, unplug
 *   record.c    the handoff record shown in sysfs
 *   main.c      module parameters, sysfs ABI and the state machine
 *
 * ima_log.c, replay.c, mirror.c, tcg_log.c, firmware.c, tpm_cmd.c, quote.c
 * and sessions.c are pure logic: they also build into a
 * KUnit kernel (see Kbuild), so they must not call the TPM core.
 */
#ifndef _TPM_HANDOFF_H
#define _TPM_HANDOFF_H

#include <linux/types.h>
#include <linux/tpm.h>
#include <crypto/sha1.h>
#include <crypto/sha2.h>

#include "ima_kind.h"
#include "tcg_log.h"

struct crypto_shash;
struct shash_desc;

#define TH_NR_PCRS		TPM2_PLATFORM_PCR	/* 24 */
#define TH_MAX_BANKS		TPM2_MAX_PCR_BANKS
#define TH_MAX_DIGEST		SHA512_DIGEST_SIZE
#define TH_IMA_PCR		10			/* CONFIG_IMA_MEASURE_PCR_IDX */
#define TH_ERRLEN		256

/* ------------------------------------------------------------------ */
/* ima_log.c */

/* Longest template name IMA writes (TCG_EVENT_NAME_LEN_MAX). */
#define IMA_LOG_NAME_MAX	255
/* Refuse template data longer than this: no IMA template comes close. */
#define IMA_LOG_DATA_MAX	(16U << 20)
/* pcr, digest, name length, name, data length. */
#define IMA_LOG_HDR_MAX		(4 + SHA1_DIGEST_SIZE + 4 + IMA_LOG_NAME_MAX + 4)

/**
 * struct ima_log_entry - header of one entry of the binary measurement list
 * @pcr: the PCR IMA extended (or will extend) for this entry
 * @digest: the SHA-1 template digest as logged; all zero for a violation
 * @name: the template name, NUL-terminated
 * @data_len: length of the template data that follows
 */
struct ima_log_entry {
	u32 pcr;
	u8 digest[SHA1_DIGEST_SIZE];
	char name[IMA_LOG_NAME_MAX + 1];
	u32 data_len;
};

/**
 * struct ima_log_ops - what a parser reports, entry by entry
 * @begin: an entry header was parsed
 * @data: the next piece of the entry's template data (may be called
 *	  several times, or not at all for empty data)
 * @end: the entry is complete
 *
 * A non-zero return stops parsing; ima_log_feed() returns it.
 */
struct ima_log_ops {
	int (*begin)(void *ctx, const struct ima_log_entry *e);
	int (*data)(void *ctx, const u8 *p, size_t len);
	int (*end)(void *ctx);
};

/**
 * struct ima_log_parser - incremental parser state
 * @ops: callbacks
 * @ctx: their argument
 * @entry: the entry being parsed
 * @hdr: header bytes collected so far
 * @hdr_len: how many
 * @hdr_need: how many the header needs, as far as known
 * @in_data: parsing template data
 * @data_left: template data bytes still to come
 * @offset: bytes consumed since the start of the log
 * @entry_offset: offset of the current entry's first byte
 * @entries: complete entries so far
 * @msg: why parsing failed, for people
 */
struct ima_log_parser {
	const struct ima_log_ops *ops;
	void *ctx;
	struct ima_log_entry entry;
	u8 hdr[IMA_LOG_HDR_MAX];
	u32 hdr_len;
	u32 hdr_need;
	bool in_data;
	u32 data_left;
	u64 offset;
	u64 entry_offset;
	u64 entries;
	char msg[TH_ERRLEN];
};

void ima_log_init(struct ima_log_parser *p, const struct ima_log_ops *ops,
		  void *ctx);
int ima_log_feed(struct ima_log_parser *p, const u8 *buf, size_t len);
int ima_log_finish(struct ima_log_parser *p);

/* ------------------------------------------------------------------ */
/* replay.c */

/* enum th_kind and th_kind_name[]: ima_kind.h, shared with the tools. */

/**
 * struct th_banks - a chip's PCR banks, in the chip's order
 * @nr: number of banks
 * @alg: TPM algorithm ids (TPM_ALG_*)
 * @size: digest sizes
 */
struct th_banks {
	unsigned int nr;
	u16 alg[TH_MAX_BANKS];
	u16 size[TH_MAX_BANKS];
};

/**
 * struct th_pcr_values - PCR values in a set of banks
 * @banks: the banks
 * @valid: bit p set: PCR p was read in every bank
 * @val: val[bank][pcr], @banks.size[bank] bytes each
 */
struct th_pcr_values {
	struct th_banks banks;
	u32 valid;
	u8 val[TH_MAX_BANKS][TH_NR_PCRS][TH_MAX_DIGEST];
};

struct th_replay;

/**
 * typedef th_entry_fn - called for every entry once its digests are known
 * @ctx: caller's context
 * @r: the replay; th_replay_digest() gives this entry's digests
 * @index: the entry's index in the log (0-based)
 * @pcr: the PCR it extends
 *
 * Called before the running PCR values take the entry in.
 */
typedef int (*th_entry_fn)(void *ctx, struct th_replay *r, u64 index,
			   u32 pcr);

/**
 * typedef th_read_fn - read the next bytes of the binary log
 * @src: the log source
 * @buf: where to put them
 * @len: at most this many
 *
 * Return: bytes read, 0 at the end of the log, or a negative errno.
 */
typedef ssize_t (*th_read_fn)(void *src, u8 *buf, size_t len);

/**
 * struct th_cut - result of the cut-point search
 * @found: a prefix of the log reproduces the snapshot
 * @cut: entries in that prefix
 * @entries: entries in the whole log as read
 * @pcr_mask: the PCRs IMA extended (10 and every PCR in the log)
 * @kind: per bank, which digest kind reproduces the snapshot
 */
struct th_cut {
	bool found;
	u64 cut;
	u64 entries;
	u32 pcr_mask;
	u8 kind[TH_MAX_BANKS];
};

/**
 * struct th_cand - a prefix whose PCRs so far equal a snapshot
 * @prefix: its length
 * @mask: the PCRs compared (those it extends, and 10)
 * @kind: per bank, the digest kind that matched
 */
struct th_cand {
	u64 prefix;
	u32 mask;
	u8 kind[TH_MAX_BANKS];
};

#define TH_MAX_CANDS	(TH_NR_PCRS + 1)

/**
 * struct th_cands - the candidates for the cut, in prefix order
 * @n: how many
 * @c: them
 */
struct th_cands {
	unsigned int n;
	struct th_cand c[TH_MAX_CANDS];
};

void th_cands_add(struct th_cands *s, u64 prefix, u32 mask, const u8 *kind);
const struct th_cand *th_cands_pick(const struct th_cands *s, u32 mask,
				    const struct th_pcr_values *snap,
				    const struct th_banks *banks);

struct th_replay *th_replay_alloc(const struct th_banks *banks, char *err);
void th_replay_free(struct th_replay *r);
void th_replay_reset(struct th_replay *r);
const u8 *th_replay_digest(const struct th_replay *r, unsigned int bank,
			   enum th_kind kind);
const u8 *th_replay_value(const struct th_replay *r, u32 pcr,
			  unsigned int bank, enum th_kind kind);
u64 th_replay_entries(const struct th_replay *r);
u32 th_replay_pcrs(const struct th_replay *r);
u32 th_replay_pcrs_back(const struct th_replay *r);
size_t th_replay_size(void);
size_t th_cut_search_size(void);
const struct th_banks *th_replay_banks(const struct th_replay *r);
int th_replay_feed(struct th_replay *r, const u8 *buf, size_t len,
		   th_entry_fn fn, void *ctx);
int th_replay_finish(struct th_replay *r);
const char *th_replay_error(const struct th_replay *r);
int th_replay_extend(struct th_replay *r, unsigned int bank, u8 *pcr,
		     const u8 *digest);
int th_replay_stream(struct th_replay *r, th_read_fn read, void *src,
		     u8 *chunk, size_t chunk_len, th_entry_fn fn, void *ctx);
int th_find_cut(struct th_replay *r, th_read_fn read, void *src, u8 *chunk,
		size_t chunk_len, const struct th_pcr_values *snap,
		struct th_cut *cut);
bool th_replay_match(const struct th_replay *r, const struct th_pcr_values *v,
		     u32 mask, const u8 *kind, bool back);
bool th_pcrs_equal(const struct th_pcr_values *a,
		   const struct th_pcr_values *b, u32 mask, u32 *bad_pcr,
		   unsigned int *bad_bank);

/* ------------------------------------------------------------------ */
/* mirror.c */

/**
 * typedef th_extend_fn - extend one entry into the vTPM
 * @ctx: caller's context
 * @pcr: the PCR
 * @dig: per bank (in the replay's order), the digest to extend
 *
 * Return: 0 or a negative errno.
 */
typedef int (*th_extend_fn)(void *ctx, u32 pcr, const u8 *const *dig);

/**
 * struct th_mirror - which entries go into the vTPM, and when (mirror.c)
 * @r: the replay that streams the log
 * @vtpm: the vTPM's PCRs before the mirror
 * @vmask: PCRs compared with @vtpm
 * @kind: per bank, the digest kind extended
 * @extend: sends an entry to the vTPM
 * @ctx: its argument
 * @matched: the vTPM's PCRs matched a prefix of the log
 * @resumed: that prefix: entries the vTPM held already
 * @mirrored: entries the vTPM holds now
 * @extended: entries this plan extended
 * @pending: the newest entry seen is not extended yet
 * @pending_pcr: its PCR
 * @pending_dig: its digests
 * @snap: the pTPM's snapshot, once the barrier is up
 * @first_candidate: the shortest prefix still considered for the cut
 * @cands: prefixes that may be the cut
 * @cut_found: a prefix reproduces @snap
 * @cut: that prefix
 * @entries: entries in the log when it was read to its end
 */
struct th_mirror {
	struct th_replay *r;
	const struct th_pcr_values *vtpm;
	u32 vmask;
	u8 kind[TH_MAX_BANKS];
	th_extend_fn extend;
	void *ctx;
	bool matched;
	u64 resumed;
	u64 mirrored;
	u64 extended;
	bool pending;
	u32 pending_pcr;
	u8 pending_dig[TH_MAX_BANKS][TH_MAX_DIGEST];
	const struct th_pcr_values *snap;
	u64 first_candidate;
	struct th_cands cands;
	bool cut_found;
	u64 cut;
	u64 entries;
};

void th_mirror_init(struct th_mirror *m, struct th_replay *r,
		    const struct th_pcr_values *vtpm, u32 vmask, const u8 *kind,
		    th_extend_fn extend, void *ctx);
int th_mirror_entry(void *ctx, struct th_replay *r, u64 index, u32 pcr);
int th_mirror_caught_up(struct th_mirror *m);
void th_mirror_set_snapshot(struct th_mirror *m,
			    const struct th_pcr_values *snap);
int th_mirror_finish(struct th_mirror *m, char *err);
int th_mirror_finish_at(struct th_mirror *m, u64 target, char *err);

/* ------------------------------------------------------------------ */
/* firmware.c */

/* How a firmware PCR is mirrored (the fw_pcrs parameter). */
enum th_fw_mode {
	TH_FW_OFF,		/* not mirrored */
	TH_FW_AUTO,		/* replay if the event log reproduces it, else bind */
	TH_FW_REPLAY,		/* replay, or abort */
	TH_FW_BIND,		/* bind */
	TH_FW_NR_MODES,
};

#define TH_FW_WHYLEN	112

/**
 * struct th_fw_spec - the mode of each PCR
 * @mode: indexed by PCR
 */
struct th_fw_spec {
	u8 mode[TH_NR_PCRS];
};

/**
 * struct th_fw - the firmware PCRs of one attempt (firmware.c)
 * @spec: the mode of each PCR
 * @banks: the banks mirrored
 * @log: the TCG event log (the caller's), or NULL
 * @log_len: its length
 * @info: its header, once parsed
 * @log_ok: it parsed
 * @log_err: why not
 * @r: hashing for the replay and the bind values
 * @replayed: per PCR, the value the log gives (valid: replayable PCRs)
 * @expect: per PCR of @mask, the value the vTPM must read afterwards
 * @partway: th_fw_mirror()'s scratch: a PCR's value after its first events
 * @snapshot: the pTPM's PCRs the decision was made on
 * @mask: the PCRs fw_pcrs lists
 * @replayable: PCRs the vTPM can reach by replaying the log
 * @replay: PCRs mirrored by replay
 * @bind: PCRs mirrored by binding
 * @resumed: PCRs the vTPM already held at their expected value
 * @midway: replayed PCRs the vTPM held partway through their events (an
 *	earlier attempt stopped between two of them), continued from there
 * @extended: extends sent to the vTPM
 * @events: per PCR, events in the log (EV_NO_ACTION excluded)
 * @why: per PCR, why it is bound (or not replayable)
 */
struct th_fw {
	struct th_fw_spec spec;
	struct th_banks banks;
	const u8 *log;
	size_t log_len;
	struct tcg_log_info info;
	bool log_ok;
	char log_err[TCG_LOG_ERRLEN];
	struct th_replay *r;
	struct th_pcr_values *replayed;
	struct th_pcr_values *expect;
	struct th_pcr_values *partway;
	const struct th_pcr_values *snapshot;
	u32 mask;
	u32 replayable;
	u32 replay;
	u32 bind;
	u32 resumed;
	u32 midway;
	u32 extended;
	u32 events[TH_NR_PCRS];
	char why[TH_NR_PCRS][TH_FW_WHYLEN];
};

const char *th_fw_mode_name(enum th_fw_mode mode);
int th_fw_spec_parse(const char *s, struct th_fw_spec *spec, char *err);
u8 th_fw_reset_value(u32 pcr);
int th_fw_init(struct th_fw *fw, const struct th_fw_spec *spec,
	       const struct th_banks *banks, const u8 *log, size_t len,
	       char *err);
int th_fw_decide(struct th_fw *fw, const struct th_pcr_values *snap,
		 u32 ima_mask, char *err);
int th_fw_check(struct th_fw *fw, const struct th_pcr_values *vtpm, char *err);
int th_fw_mirror(struct th_fw *fw, const struct th_pcr_values *vtpm,
		 th_extend_fn extend, void *ctx, char *err);
void th_fw_free(struct th_fw *fw);
size_t th_fw_size(void);

/* ------------------------------------------------------------------ */
/* tpm_cmd.c */

const char *th_alg_name(u16 alg);
void th_tpm2_pcr_read_cmd(struct tpm_buf *buf, u16 alg, u32 pcr_mask);
int th_tpm2_pcr_read_rsp(const u8 *rsp, size_t len, struct th_pcr_values *v,
			 unsigned int bank, u32 *got);
int th_tpm2_pcr_extend_cmd(struct tpm_buf *buf, u32 pcr,
			   const struct th_banks *banks, const u8 *const *dig);
int th_tpm_rsp_check(const u8 *rsp, size_t len, u32 *rc);
void th_tpm1_pcr_read_cmd(struct tpm_buf *buf, u32 pcr);
void th_tpm1_extend_cmd(struct tpm_buf *buf, u32 pcr, const u8 *digest);
int th_tpm1_digest_rsp(const u8 *rsp, size_t len, u8 *digest);
bool th_is_pcr_extend(const u8 *cmd, size_t len, u32 pcr);

/* ------------------------------------------------------------------ */
/* quote.c */

#define TH_CC_READ_PUBLIC	0x0173
#define TH_CC_QUOTE		0x0158
#define TH_CC_READ_CLOCK	0x0181
/* An object's TPM2B_NAME: nameAlg, then a digest (TPM 2.0 Part 1, 16). */
#define TH_NAME_MAX		(2 + TH_MAX_DIGEST)
/* A quote's TPMS_ATTEST and TPMT_SIGNATURE: RSA 4096 and P-521 fit. */
#define TH_ATTEST_MAX		1024
#define TH_SIG_MAX		1024

/**
 * struct th_key - an attestation key, as TPM2_ReadPublic shows it
 * @handle: its persistent handle
 * @type: TPM_ALG_RSA, TPM_ALG_ECC, ...
 * @name_alg: its name's hash
 * @attrs: TPMA_OBJECT
 * @scheme: its signing scheme (TPM_ALG_NULL: none)
 * @scheme_hash: the scheme's hash (TPM_ALG_NULL: none)
 * @name_len: length of @name
 * @name: its name (nameAlg, then the digest of its public area)
 */
struct th_key {
	u32 handle;
	u16 type;
	u16 name_alg;
	u32 attrs;
	u16 scheme;
	u16 scheme_hash;
	u16 name_len;
	u8 name[TH_NAME_MAX];
};

/**
 * struct th_attest - the fields of a quote's TPMS_ATTEST (th_attest_parse())
 * @type: TPM_ST_ATTEST_QUOTE
 * @signer: qualifiedSigner (@signer_len bytes)
 * @signer_len: its length
 * @extra: extraData, the qualifying data (@extra_len bytes)
 * @extra_len: its length
 * @clock: clockInfo.clock
 * @reset_count: clockInfo.resetCount (TPM resets: boots)
 * @restart_count: clockInfo.restartCount (restarts and resumes since)
 * @safe: clockInfo.safe
 * @fw_version: firmwareVersion
 * @nr_sel: number of PCR selections
 * @sel_alg: each selection's bank
 * @sel_mask: each selection's PCRs
 * @pcr_digest: the digest of the selected PCRs (@pcr_digest_len bytes)
 * @pcr_digest_len: its length
 */
struct th_attest {
	u16 type;
	const u8 *signer;
	u16 signer_len;
	const u8 *extra;
	u16 extra_len;
	u64 clock;
	u32 reset_count;
	u32 restart_count;
	u8 safe;
	u64 fw_version;
	unsigned int nr_sel;
	u16 sel_alg[TH_MAX_BANKS];
	u32 sel_mask[TH_MAX_BANKS];
	const u8 *pcr_digest;
	u16 pcr_digest_len;
};

/**
 * struct th_quote - the handoff quote (quote.c)
 * @ptpm_key: the pTPM's attestation key, which signs it
 * @vtpm_key: the vTPM's key, which inherits the log
 * @bind: SHA-256, for the qualifying data
 * @pcr: the pTPM key's scheme hash, for the PCR digest
 * @pcr_hash: that hash (TPM_ALG_*)
 * @cut: the cut it binds
 * @pcr_mask: the PCRs it covers, in every bank
 * @ima_mask: those the IMA log extends (the cut's)
 * @bind_mask: the firmware PCRs bound (the others replayed)
 * @kind: per bank, the digest kind of IMA's extends (enum th_kind)
 * @data: the qualifying data (th_quote_bind())
 * @sig_alg: the signature's scheme
 * @sig_hash: the signature's hash
 * @attest_len: length of @attest
 * @attest: the TPMS_ATTEST the pTPM signed
 * @sig_len: length of @sig
 * @sig: the TPMT_SIGNATURE
 * @clock: the pTPM's clockInfo at the quote
 * @reset_count: its resetCount
 * @restart_count: its restartCount
 * @vtpm_reset_count: the vTPM's resetCount when the handoff began
 * @vtpm_restart_count: and its restartCount: a verifier compares them
 *	with a later quote's, to see a vTPM reset or restarted since
 */
struct th_quote {
	struct th_key ptpm_key;
	struct th_key vtpm_key;
	struct shash_desc *bind;
	struct shash_desc *pcr;
	u16 pcr_hash;
	u64 cut;
	u32 pcr_mask;
	u32 ima_mask;
	u32 bind_mask;
	u8 kind[TH_MAX_BANKS];
	u8 data[SHA256_DIGEST_SIZE];
	u16 sig_alg;
	u16 sig_hash;
	u16 attest_len;
	u8 attest[TH_ATTEST_MAX];
	u16 sig_len;
	u8 sig[TH_SIG_MAX];
	u64 clock;
	u32 reset_count;
	u32 restart_count;
	u32 vtpm_reset_count;
	u32 vtpm_restart_count;
};

void th_tpm2_read_public_cmd(struct tpm_buf *buf, u32 handle);
int th_tpm2_read_public_rsp(const u8 *rsp, size_t len, struct th_key *key);
bool th_key_is_ak(const struct th_key *key);
void th_tpm2_read_clock_cmd(struct tpm_buf *buf);
int th_tpm2_read_clock_rsp(const u8 *rsp, size_t len, u32 *reset_count,
			   u32 *restart_count);
struct th_quote *th_quote_alloc(const struct th_key *ptpm_key,
				const struct th_key *vtpm_key, char *err);
void th_quote_free(struct th_quote *q);
int th_quote_bind(struct th_quote *q, const struct th_pcr_values *snap);
int th_tpm2_quote_cmd(struct tpm_buf *buf, const struct th_quote *q,
		      const struct th_banks *banks);
int th_tpm2_quote_rsp(const u8 *rsp, size_t len, struct th_quote *q);
int th_attest_parse(const u8 *buf, size_t len, struct th_attest *a);
int th_quote_pcr_digest(struct th_quote *q, const struct th_pcr_values *snap,
			u8 *out);
int th_quote_check(struct th_quote *q, const struct th_pcr_values *snap,
		   char *err);

/* ------------------------------------------------------------------ */
/* sessions.c */

/* TPM2_StartAuthSession; 6.1's linux/tpm.h does not name it. */
#define TH_CC_START_AUTH_SESSION	0x0176
/* At least the vTPM's active sessions (libtpms: MAX_ACTIVE_SESSIONS). */
#define TH_SESSIONS_MAX			64
/* Sessions one command may carry (TPM 2.0 Part 1: three). */
#define TH_CMD_SESSIONS_MAX		3

/**
 * struct th_session_map - one session of the pTPM chip's users on the vTPM
 * @real: the vTPM's handle; 0: a free slot
 * @virt: the handle the pTPM chip's users know it by
 */
struct th_session_map {
	u32 real;
	u32 virt;
};

/**
 * struct th_sessions - the sessions that the pTPM chip's users hold on the
 *	vTPM (sessions.c)
 * @map: the sessions
 * @next: the counter virtual handles are made from
 */
struct th_sessions {
	struct th_session_map map[TH_SESSIONS_MAX];
	u32 next;
};

/**
 * struct th_cmd_sessions - what a response's mapping needs of its command
 * @cc: the command code
 * @attrs: its attributes (0: the vTPM does not know it)
 * @nr_sessions: sessions in its authorization area
 * @session: their virtual handles (0: the password session)
 * @ending: the command ends them (continueSession clear)
 * @flushed: FlushContext's virtual session handle, or 0
 */
struct th_cmd_sessions {
	u32 cc;
	u32 attrs;
	unsigned int nr_sessions;
	u32 session[TH_CMD_SESSIONS_MAX];
	bool ending[TH_CMD_SESSIONS_MAX];
	u32 flushed;
};

void th_sessions_init(struct th_sessions *s);
u32 th_cc_attrs(const u32 *tbl, unsigned int n, u32 cc);
u32 th_sessions_command(struct th_sessions *s, u8 *cmd, size_t len, u32 attrs,
			struct th_cmd_sessions *c);
u32 th_sessions_response(struct th_sessions *s, const struct th_cmd_sessions *c,
			 u8 *rsp, size_t *len);
size_t th_sessions_answer(u8 *rsp, u32 rc);
u32 th_sessions_full_rc(void);

#endif /* _TPM_HANDOFF_H */
