/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <crypto/hash_info.h> for kernel sources built in userspace (see
 * tools/kshim/kshim.h): the algorithms a TPM bank can use, with the
 * kernel's names for them (crypto/hash_info.c), which are also OpenSSL's
 * but for SM3 ("sm3" in both since Linux 5.x and OpenSSL 1.1.1).
 */
#ifndef KSHIM_CRYPTO_HASH_INFO_H
#define KSHIM_CRYPTO_HASH_INFO_H

#include "../../kshim.h"

/* The kernel's enum hash_algo (include/uapi/linux/hash_info.h), in part. */
enum hash_algo {
	HASH_ALGO_SHA1 = 2,
	HASH_ALGO_SHA256 = 4,
	HASH_ALGO_SHA384 = 5,
	HASH_ALGO_SHA512 = 6,
	HASH_ALGO_SM3_256 = 17,
	HASH_ALGO__LAST = 20,
};

static const char *const hash_algo_name[HASH_ALGO__LAST] = {
	[HASH_ALGO_SHA1] = "sha1",
	[HASH_ALGO_SHA256] = "sha256",
	[HASH_ALGO_SHA384] = "sha384",
	[HASH_ALGO_SHA512] = "sha512",
	[HASH_ALGO_SM3_256] = "sm3",
};

#endif
