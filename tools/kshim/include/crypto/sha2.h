/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <crypto/sha2.h> for kernel sources built in userspace (see
 * tools/kshim/kshim.h): the sizes only, no hashing.
 */
#ifndef KSHIM_CRYPTO_SHA2_H
#define KSHIM_CRYPTO_SHA2_H

#include "../../kshim.h"

#define SHA224_DIGEST_SIZE	28
#define SHA224_BLOCK_SIZE	64
#define SHA256_DIGEST_SIZE	32
#define SHA256_BLOCK_SIZE	64
#define SHA384_DIGEST_SIZE	48
#define SHA384_BLOCK_SIZE	128
#define SHA512_DIGEST_SIZE	64
#define SHA512_BLOCK_SIZE	128

#endif
