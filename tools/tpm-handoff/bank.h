/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the PCR banks the tool knows, and their one table: the
 * name sysfs and the record use, the TPM algorithm id (TCG Algorithm
 * Registry, as TPM2_GetCapability, the TCG event log and tpm2-tss spell
 * it), the digest size and libcrypto's name.
 */
#ifndef CLI_BANK_H
#define CLI_BANK_H

#include <stdbool.h>
#include <stdint.h>

#define CLI_MAX_PCRS		24	/* PCRs of a PC client TPM */
#define CLI_MAX_DIGEST		64	/* SHA-512 */

enum cli_bank {
	CLI_SHA1,
	CLI_SHA256,
	CLI_SHA384,
	CLI_SHA512,
	CLI_SM3_256,
	CLI_NR_BANKS,
};

const char *cli_bank_name(enum cli_bank b);	/* "sha1", "sm3_256"; "?" */
unsigned int cli_bank_size(enum cli_bank b);	/* 0 if out of range */
uint16_t cli_bank_alg(enum cli_bank b);		/* TPM_ALG_SHA1 ...; 0 */
const char *cli_bank_evp(enum cli_bank b);	/* libcrypto's "SHA1" ... */
int cli_bank_by_name(const char *name);		/* -1 if unknown */
int cli_bank_by_alg(uint16_t alg);		/* -1 if unknown */
bool cli_bank_available(enum cli_bank b);	/* libcrypto has its hash */

#endif /* CLI_BANK_H */
