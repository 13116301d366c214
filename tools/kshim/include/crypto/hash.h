/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <crypto/hash.h> for kernel sources built in userspace (see
 * tools/kshim/kshim.h): the synchronous hash API (crypto_shash) that
 * replay.c uses, over libcrypto's EVP digests.  Link with -lcrypto.
 *
 * As in the kernel, a struct shash_desc is allocated by the caller with
 * crypto_shash_descsize() bytes after it and its tfm set.  Here those bytes
 * hold a pointer to the EVP_MD_CTX that crypto_shash_init() creates, and
 * the tfm keeps every context it created, so crypto_free_shash() frees
 * them: the kernel's callers free a desc with kfree(), which cannot know.
 * This is the one place kshim allocates behind the caller's back.
 */
#ifndef KSHIM_CRYPTO_HASH_H
#define KSHIM_CRYPTO_HASH_H

#include "../../kshim.h"

#include <openssl/evp.h>

struct crypto_shash {
	const EVP_MD *md;
	EVP_MD_CTX **ctx;	/* the contexts of its descs */
	unsigned int nr_ctx;
};

struct shash_desc {
	struct crypto_shash *tfm;
	void *__ctx[];
};

static inline EVP_MD_CTX **kshim_shash_ctx(struct shash_desc *desc)
{
	return (EVP_MD_CTX **)desc->__ctx;
}

/* Return: the tfm, or ERR_PTR(-ENOENT) for an algorithm libcrypto lacks. */
static inline struct crypto_shash *crypto_alloc_shash(const char *name,
						      u32 type, u32 mask)
{
	const EVP_MD *md = EVP_get_digestbyname(name);
	struct crypto_shash *tfm;

	(void)type;
	(void)mask;
	if (!md)
		return ERR_PTR(-ENOENT);
	tfm = calloc(1, sizeof(*tfm));
	if (!tfm)
		return ERR_PTR(-ENOMEM);
	tfm->md = md;
	return tfm;
}

static inline void crypto_free_shash(struct crypto_shash *tfm)
{
	if (!tfm)
		return;
	for (unsigned int i = 0; i < tfm->nr_ctx; i++)
		EVP_MD_CTX_free(tfm->ctx[i]);
	free(tfm->ctx);
	free(tfm);
}

static inline unsigned int crypto_shash_descsize(struct crypto_shash *tfm)
{
	(void)tfm;
	return sizeof(EVP_MD_CTX *);
}

static inline unsigned int crypto_shash_digestsize(struct crypto_shash *tfm)
{
	return (unsigned int)EVP_MD_get_size(tfm->md);
}

static inline int crypto_shash_init(struct shash_desc *desc)
{
	struct crypto_shash *tfm = desc->tfm;
	EVP_MD_CTX **ctx = kshim_shash_ctx(desc);

	if (!*ctx) {
		EVP_MD_CTX **all = realloc(tfm->ctx, (tfm->nr_ctx + 1) *
					   sizeof(*all));

		if (!all)
			return -ENOMEM;
		tfm->ctx = all;
		*ctx = EVP_MD_CTX_new();
		if (!*ctx)
			return -ENOMEM;
		all[tfm->nr_ctx++] = *ctx;
	}
	return EVP_DigestInit_ex(*ctx, tfm->md, NULL) == 1 ? 0 : -EINVAL;
}

static inline int crypto_shash_update(struct shash_desc *desc, const u8 *data,
				      unsigned int len)
{
	return EVP_DigestUpdate(*kshim_shash_ctx(desc), data, len) == 1 ?
	       0 : -EINVAL;
}

static inline int crypto_shash_final(struct shash_desc *desc, u8 *out)
{
	return EVP_DigestFinal_ex(*kshim_shash_ctx(desc), out, NULL) == 1 ?
	       0 : -EINVAL;
}

#endif
