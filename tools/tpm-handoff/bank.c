// SPDX-License-Identifier: GPL-2.0-only
/* tpm-handoff: the PCR banks (see bank.h). */
#include <string.h>

#include <openssl/evp.h>

#include "bank.h"

static const struct {
	const char *name;
	uint16_t alg;
	unsigned int size;
	const char *evp;
} banks[CLI_NR_BANKS] = {
	[CLI_SHA1] = { "sha1", 0x0004, 20, "SHA1" },
	[CLI_SHA256] = { "sha256", 0x000b, 32, "SHA256" },
	[CLI_SHA384] = { "sha384", 0x000c, 48, "SHA384" },
	[CLI_SHA512] = { "sha512", 0x000d, 64, "SHA512" },
	[CLI_SM3_256] = { "sm3_256", 0x0012, 32, "SM3" },
};

static int valid(enum cli_bank b)
{
	return (unsigned int)b < CLI_NR_BANKS;
}

const char *cli_bank_name(enum cli_bank b)
{
	return valid(b) ? banks[b].name : "?";
}

unsigned int cli_bank_size(enum cli_bank b)
{
	return valid(b) ? banks[b].size : 0;
}

uint16_t cli_bank_alg(enum cli_bank b)
{
	return valid(b) ? banks[b].alg : 0;
}

const char *cli_bank_evp(enum cli_bank b)
{
	return valid(b) ? banks[b].evp : "";
}

int cli_bank_by_name(const char *name)
{
	for (int b = 0; b < CLI_NR_BANKS; b++)
		if (!strcmp(name, banks[b].name))
			return b;
	return -1;
}

int cli_bank_by_alg(uint16_t alg)
{
	for (int b = 0; b < CLI_NR_BANKS; b++)
		if (banks[b].alg == alg)
			return b;
	return -1;
}

bool cli_bank_available(enum cli_bank b)
{
	return valid(b) && EVP_get_digestbyname(banks[b].evp);
}
