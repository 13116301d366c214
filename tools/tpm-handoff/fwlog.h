/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the firmware's TCG event log (binary_bios_measurements),
 * parsed by the kernel module's own parser (drivers/tpm_handoff/tcg_log.c,
 * built here through tools/kshim/kshim.h) and replayed bank by bank; and the
 * value a bound firmware PCR reads in the vTPM.
 */
#ifndef CLI_FWLOG_H
#define CLI_FWLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bank.h"

#define CLI_FWLOG_MAX	(4u << 20)	/* as the module's fw_log reader */

struct cli_fwlog {
	bool agile;			/* crypto-agile, else TPM 1.2 format */
	uint32_t events;		/* the header event included */
	uint8_t locality;		/* StartupLocality: PCR 0's last byte */
	/* The replay of every PCR in every bank asked for (enum cli_bank). */
	uint8_t val[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST];
	uint32_t extended[CLI_MAX_PCRS];	/* events extended (not EV_NO_ACTION) */
	/* Bit b: an event for the PCR has no digest of bank b; the first one. */
	uint32_t missing[CLI_MAX_PCRS];
	uint32_t missing_event[CLI_MAX_PCRS][CLI_NR_BANKS];
};

/* The PCR's value after TPM2_Startup(CLEAR) at locality 0: 0x00 or 0xff. */
uint8_t cli_pcr_reset_byte(unsigned int pcr);

/*
 * Parse the event log in path and replay it in the banks of mask (bit b:
 * enum cli_bank b): every event but EV_NO_ACTION is extended with its
 * digest of the bank; PCRs start at their reset value, PCR 0 with the
 * StartupLocality in its last byte.  Return 0; or -1 with err set to the
 * parser's message (a malformed log), or to why the file cannot be read.
 */
int cli_fwlog_replay(const char *path, uint32_t mask, struct cli_fwlog *out,
		    char *err, size_t errlen);
/* The same for len bytes at buf, named name in messages. */
int cli_fwlog_replay_buf(const void *buf, size_t len, const char *name,
			 uint32_t mask, struct cli_fwlog *out, char *err,
			 size_t errlen);

/*
 * What a bound PCR reads in the vTPM: H(reset value || value), H the
 * bank's hash.  Return 0, or -1 if libcrypto lacks the hash.
 */
int cli_fw_bind_value(enum cli_bank b, unsigned int pcr, const uint8_t *value,
		     uint8_t *out);

#endif /* CLI_FWLOG_H */
