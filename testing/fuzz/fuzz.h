/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the libFuzzer targets in testing/fuzz (see
 * Documentation/testing.rst, "Fuzzers").
 *
 * FUZZ_ASSERT(cond) aborts on a violated invariant, so that a logic bug is
 * a crash libFuzzer keeps, like a memory error.
 *
 * Streaming parsers are fed in pieces whose sizes come from the input
 * itself: fuzz_split_init() takes a prefix off the input,
 *
 *	u8 ctl			low nibble: n, how many size bytes follow;
 *				high nibble: the target's own use
 *	u8 size[n]		piece sizes, used in turn (0: an empty piece)
 *
 * and what is left is the stream.  n = 0 feeds it in one piece.  Every
 * piece is copied into a buffer of its own exact size, so that a parser
 * reading past the piece it was given hits AddressSanitizer instead of the
 * next bytes of the input.
 */
#ifndef TOOLS_FUZZ_FUZZ_H
#define TOOLS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant violated: %s\n", \
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

struct fuzz_split {
	const uint8_t *sizes;
	size_t nsizes;
	size_t next;
	bool last_empty;
	unsigned int ctl;	/* the control byte's high nibble */
};

/* Take the prefix off the input (*data, *size); false if the input is too short for it. */
static inline bool fuzz_split_init(struct fuzz_split *s, const uint8_t **data,
				   size_t *size)
{
	size_t n;

	memset(s, 0, sizeof(*s));
	if (*size < 1)
		return false;
	n = (*data)[0] & 15;
	s->ctl = (*data)[0] >> 4;
	if (*size < 1 + n)
		return false;
	s->sizes = *data + 1;
	s->nsizes = n;
	*data += 1 + n;
	*size -= 1 + n;
	return true;
}

/* The size of the next piece when @left bytes are still to come. */
static inline size_t fuzz_split_next(struct fuzz_split *s, size_t left)
{
	size_t n;

	if (!s->nsizes)
		return left;
	n = s->sizes[s->next++ % s->nsizes];
	if (!n && s->last_empty)
		n = 1;		/* no two empty pieces in a row: progress */
	s->last_empty = !n;
	return n < left ? n : left;
}

/*
 * A heap copy of @len bytes at @p, exactly @len bytes long (under
 * AddressSanitizer, malloc(0) is a buffer nothing may be read from).
 */
static inline uint8_t *fuzz_dup(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len);

	FUZZ_ASSERT(d || !len);
	if (len)
		memcpy(d, p, len);
	return d;
}

/* FNV-1a, to compare what two runs reported. */
static inline uint64_t fuzz_hash(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

#define FUZZ_HASH_INIT	0xcbf29ce484222325ULL

static inline uint64_t fuzz_hash_u64(uint64_t h, uint64_t v)
{
	return fuzz_hash(h, &v, sizeof(v));
}

static inline uint32_t fuzz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint32_t fuzz_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t fuzz_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint16_t fuzz_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

#endif /* TOOLS_FUZZ_FUZZ_H */
