/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtpmd: the resume record (resume.c), which says that the state beside it
 * was saved at a clean stop and may be resumed with Startup(STATE).  Pure
 * functions: the caller reads and writes the blobs (state.c).
 */
#ifndef VTPMD_RESUME_H
#define VTPMD_RESUME_H

#include <stddef.h>
#include <stdint.h>

/* Its name in the state directory, beside libtpms' blobs. */
#define RESUME_NAME	"resume"
/* No record is longer (a TPM 1.2's is about 330 bytes). */
#define RESUME_MAX	512
#define RESUME_HASH	32	/* SHA-256 */
/* A boot id as /proc/sys/kernel/random/boot_id has it: a UUID, 36 chars. */
#define RESUME_BOOT_MAX	64

/**
 * struct resume_state - what a record is built from or checked against
 * @tpm2: the TPM family vtpmd runs (else 1.2)
 * @boot: this host's boot id (/proc/sys/kernel/random/boot_id, without
 *	the newline): PCRs must not outlive a reboot of the host
 * @domid: the frontend's domain
 * @handle: the device's handle
 * @permall: libtpms' permanent state as stored (TPM 2.0: with the state
 *	TPM2_Shutdown(STATE) saved in it); NULL if there is none
 * @permall_len: its length
 * @savestate: TPM 1.2: the state TPM_SaveState stored; NULL if none
 * @savestate_len: its length
 */
struct resume_state {
	int tpm2;
	const char *boot;
	unsigned int domid, handle;
	const uint8_t *permall;
	size_t permall_len;
	const uint8_t *savestate;
	size_t savestate_len;
};

/**
 * struct resume_rec - a record's content, as resume_parse() found it
 * @tpm2: the family it was written for
 * @boot: the host's boot id then
 * @domid: the frontend's domain then
 * @handle: the device's handle then
 * @permall: SHA-256 of permall
 * @has_savestate: a TPM 1.2's record names a savestate
 * @savestate: SHA-256 of savestate
 */
struct resume_rec {
	int tpm2;
	char boot[RESUME_BOOT_MAX + 1];
	unsigned int domid, handle;
	uint8_t permall[RESUME_HASH];
	int has_savestate;
	uint8_t savestate[RESUME_HASH];
};

/*
 * resume_build() - the record for @s, into @buf (@size >= RESUME_MAX).
 * Returns its length, or 0 with *why set (no permall, a TPM 1.2 without a
 * savestate, a boot id that is not one, libcrypto failing).
 */
size_t resume_build(char *buf, size_t size, const struct resume_state *s,
		    const char **why);
/* Parse a record of @len bytes.  Returns NULL, or why it is refused. */
const char *resume_parse(const char *rec, size_t len, struct resume_rec *r);
/* Does @r name the state @s?  Returns NULL, or why not. */
const char *resume_check(const struct resume_rec *r,
			 const struct resume_state *s);
/* resume_parse(), then resume_check(). */
const char *resume_verify(const char *rec, size_t len,
			  const struct resume_state *s);

#endif
