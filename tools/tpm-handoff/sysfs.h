/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: what /sys/kernel/tpm_handoff (Documentation/ABI/testing/
 * sysfs-kernel-tpm_handoff) and /sys/class/tpm say, read without any TPM
 * traffic.
 */
#ifndef CLI_SYSFS_H
#define CLI_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define CLI_MAX_BANKS	8
#define CLI_NAME		32	/* chip, bank and state names */

/* The vtpm attribute: "tpmN PROVIDER", "none: REASON" or "committed". */
enum cli_vtpm_kind {
	CLI_VTPM_FOUND,
	CLI_VTPM_NONE,
	CLI_VTPM_COMMITTED,
	CLI_VTPM_UNREADABLE,
};

struct cli_module {
	bool loaded;			/* the sysfs directory exists */
	int state_err;			/* 0, or -errno reading "state" */
	char state[CLI_NAME];		/* idle, running, committed, aborted */
	char error[CLI_MSG];		/* "" if none */
	char ptpm[CLI_NAME];		/* "" if unreadable */
	enum cli_vtpm_kind vtpm_kind;
	char vtpm[CLI_NAME];		/* CLI_VTPM_FOUND: the chip */
	char provider[CLI_NAME];		/* CLI_VTPM_FOUND: "xen" or "chip" */
	char vtpm_why[CLI_MSG];	/* CLI_VTPM_NONE: the reason */
	/* After a commit: following, away, remirroring, failed ("" if the
	 * module has no vtpm_state: one from before re-mirrors). */
	char vtpm_state[CLI_NAME];
};

struct cli_banks {
	size_t nr;
	char name[CLI_MAX_BANKS][CLI_NAME];	/* "sha1", "sha256"... */
};

/*
 * Read one attribute of dir into buf as one line (trailing newline
 * removed).  Return 0 or -errno (-EBADMSG: not one line of text).
 */
int cli_sysfs_line(const char *dir, const char *name, char *buf, size_t len);

/* Read everything but the record; m->loaded false if dir does not exist. */
void cli_module_read(const char *dir, struct cli_module *m);

/* Is s a TPM chip name, "tpm" and digits? */
bool cli_chip_name_ok(const char *s);

/* Is state one of the four the ABI names? */
bool cli_state_known(const char *state);

/*
 * The PCR banks of chip from class_dir/chip/pcr-<bank>/ (TPM 2.0 chips,
 * Linux 5.12+), sha1 first, then by digest size.  Return 0 (b->nr may be
 * 0: a TPM 1.2, or a kernel without them) or -errno if there is no chip.
 */
int cli_chip_banks(const char *class_dir, const char *chip, struct cli_banks *b);

/*
 * A TPM 1.2 chip's PCRs (SHA-1), from class_dir/chip/device/pcrs, else
 * class_dir/chip/pcrs: lines "PCR-NN: " and 20 upper-case hex bytes each
 * followed by a space (drivers/char/tpm/tpm-sysfs.c, pcrs_show()).
 * vals[P] and bit P of *mask for every PCR listed; the file read in path.
 * Return 0, or -1 with a one-line reason in err.
 */
#define CLI_TPM1_DIGEST	20
int cli_tpm1_pcrs(const char *class_dir, const char *chip,
		 uint8_t vals[][CLI_TPM1_DIGEST], uint32_t *mask,
		 char *path, size_t pathlen, char *err, size_t errlen);

/*
 * Is chip a TPM 1.2: no pcr-<bank> directories, but a pcrs file
 * (device/pcrs or pcrs)?
 */
bool cli_chip_is_tpm1(const char *class_dir, const char *chip);

/* Does b hold bank name? */
bool cli_banks_has(const struct cli_banks *b, const char *name);

#endif /* CLI_SYSFS_H */
