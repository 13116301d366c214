/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <crypto/sha1.h> for kernel sources built in userspace (see
 * tools/kshim/kshim.h): the sizes only, no hashing.
 */
#ifndef KSHIM_CRYPTO_SHA1_H
#define KSHIM_CRYPTO_SHA1_H

#include "../../kshim.h"

#define SHA1_DIGEST_SIZE	20
#define SHA1_BLOCK_SIZE		64

#endif
