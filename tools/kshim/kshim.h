/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kshim: just enough of the kernel's C environment to build a kernel source
 * file that is pure logic (a parser, a replay) into a userspace program, a
 * test or a fuzzer, unchanged.  Today: drivers/tpm_handoff/tcg_log.c in
 * tpm-handoff (tools/Makefile), with ima_log.c and replay.c, and those and
 * tpm_cmd.c and sessions.c in the fuzzers (testing/fuzz/Makefile).
 *
 * How to build such a file:
 *
 *	cc ... -I tools/kshim/include -include tools/kshim/kshim.h -c FILE.c
 *
 * -include brings in what the kernel file would get from the headers it
 * includes only under #ifdef __KERNEL__ (memcmp, vsnprintf, errno values).
 * tools/kshim/include holds <linux/types.h>, <linux/kernel.h>,
 * <linux/string.h>, <linux/errno.h>, <linux/bitops.h> and <asm/unaligned.h>,
 * which all come back here, so that a file including them unconditionally
 * builds too; and, for the kernel files that need them, <linux/tpm.h> (the
 * constants and the tpm_buf helpers) and <crypto/sha1.h>, <crypto/sha2.h>
 * (digest sizes), <crypto/hash.h> and <crypto/hash_info.h> (the kernel's
 * synchronous hash API over libcrypto: replay.c), which include this file
 * and add their own part.
 * Put that directory on the include path of kernel-source objects ONLY:
 * it shadows the system's UAPI headers of the same names (glibc's
 * <sys/sysinfo.h>, for one, needs the real <linux/kernel.h>).  A userspace
 * file that includes a kernel header (tcg_log.h) includes this file first
 * instead, and is built without the directory; the system's <linux/types.h>
 * then adds only __u8-style types, which agree with the ones below.
 *
 * Types have the kernel's definitions (u64 is unsigned long long on every
 * architecture), so the kernel's format strings work.  Helpers are
 * macros or static inline functions with the kernel's names and meanings;
 * min_t() and max_t() evaluate their arguments twice (no statement
 * expressions: this builds as strict C11).  Nothing here allocates behind
 * the caller's back; kmalloc() and friends are malloc() and friends, and
 * GFP flags are ignored (<crypto/hash.h>, which wraps libcrypto, is the one
 * exception, and says so).  WARN() prints "WARNING: ..." to stderr and goes
 * on, as the kernel does; built with -DKSHIM_PANIC_ON_WARN it aborts
 * instead (the kernel's panic_on_warn), which is what a fuzzer wants.  Add
 * what the next kernel file needs, with the kernel's semantics, and nothing
 * that only one program uses.
 */
#ifndef TOOLS_LIB_KSHIM_H
#define TOOLS_LIB_KSHIM_H

#ifdef __KERNEL__
#error "kshim.h is for userspace builds of kernel sources"
#endif

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>		/* ssize_t */

/* <linux/types.h> */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

/* The UAPI names, as <asm-generic/int-ll64.h> defines them. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
/* sparse's __bitwise is nothing to a compiler. */
typedef __u16 __le16;
typedef __u16 __be16;
typedef __u32 __le32;
typedef __u32 __be32;
typedef __u64 __le64;
typedef __u64 __be64;

/*
 * The kernel's warnings, as far as -Wextra goes: the kernel builds with
 * -Wno-unused-parameter even at W=1 (scripts/Makefile.extrawarn), and its
 * callbacks may ignore an argument (replay.c's cut_entry()), which
 * -Wextra -Werror would refuse.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/* <linux/compiler_attributes.h> */
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __scanf(a, b)		__attribute__((format(scanf, a, b)))
#define __always_unused		__attribute__((unused))
#define __maybe_unused		__attribute__((unused))
#define __packed		__attribute__((packed))
#define __must_check		__attribute__((warn_unused_result))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#if defined(__has_attribute)
#if __has_attribute(__fallthrough__)
#define fallthrough		__attribute__((__fallthrough__))
#endif
#endif
#ifndef fallthrough
#define fallthrough		do {} while (0)
#endif

/* <linux/kernel.h>, <linux/minmax.h>, <linux/bits.h> */
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define min_t(type, x, y)	((type)(x) < (type)(y) ? (type)(x) : (type)(y))
#define max_t(type, x, y)	((type)(x) > (type)(y) ? (type)(x) : (type)(y))
#define BIT(n)			(1UL << (n))
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (sizeof(long) * CHAR_BIT - 1 - (h))))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define BITS_PER_LONG		((int)(sizeof(long) * CHAR_BIT))

/* <asm/page.h>: x86's page, the size the tpm_buf helpers assume. */
#ifndef PAGE_SIZE
#define PAGE_SIZE		4096UL
#endif

/*
 * <asm/bug.h>: WARN(cond, fmt, ...) and WARN_ON(cond) return !!cond and,
 * when it is true, print the message (the kernel adds a backtrace).
 */
static inline int kshim_warn(int cond, const char *fmt, ...) __printf(2, 3);
static inline int kshim_warn(int cond, const char *fmt, ...)
{
	va_list ap;

	if (!cond)
		return 0;
	fputs("WARNING: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
#ifdef KSHIM_PANIC_ON_WARN
	abort();
#endif
	return 1;
}

#define WARN(cond, ...)		kshim_warn(!!(cond), __VA_ARGS__)
#define WARN_ON(cond)		kshim_warn(!!(cond), "%s:%d: WARN_ON(%s)\n", \
					   __FILE__, __LINE__, #cond)

/*
 * <linux/bitops.h>, <linux/find.h>: hweight*() count the bits set;
 * find_next_bit() returns the first set bit at or after @offset in the
 * bitmap @addr of @size bits, or @size if there is none.
 */
static inline unsigned int hweight32(unsigned int w)
{
	return (unsigned int)__builtin_popcount(w);
}

static inline unsigned long hweight64(u64 w)
{
	return (unsigned long)__builtin_popcountll(w);
}

static inline unsigned long find_next_bit(const unsigned long *addr,
					  unsigned long size,
					  unsigned long offset)
{
	for (; offset < size; offset++)
		if (addr[offset / BITS_PER_LONG] >> (offset % BITS_PER_LONG) & 1)
			return offset;
	return size;
}

static inline unsigned long find_first_bit(const unsigned long *addr,
					   unsigned long size)
{
	return find_next_bit(addr, size, 0);
}

/* As in Linux 6.1's <linux/find.h>. */
#define for_each_set_bit(bit, addr, size) \
	for ((bit) = 0; (bit) = find_next_bit((addr), (size), (bit)), (bit) < (size); (bit)++)

/*
 * vscnprintf(), scnprintf(): like vsnprintf() but return what was written
 * (without the NUL), never more than size - 1.
 */
static inline int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__printf(3, 0);
static inline int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n;

	if (!size)
		return 0;
	n = vsnprintf(buf, size, fmt, ap);
	if (n < 0)
		return 0;
	return (size_t)n < size ? n : (int)(size - 1);
}

static inline int scnprintf(char *buf, size_t size, const char *fmt, ...)
	__printf(3, 4);
static inline int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* <asm/unaligned.h>: byte by byte, so any alignment and host order work. */
static inline u16 get_unaligned_le16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] | b[1] << 8);
}

static inline u32 get_unaligned_le32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static inline u64 get_unaligned_le64(const void *p)
{
	const u8 *b = p;

	return (u64)get_unaligned_le32(b) | (u64)get_unaligned_le32(b + 4) << 32;
}

static inline u16 get_unaligned_be16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}

static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | (u32)b[3];
}

static inline u64 get_unaligned_be64(const void *p)
{
	const u8 *b = p;

	return (u64)get_unaligned_be32(b) << 32 | (u64)get_unaligned_be32(b + 4);
}

static inline void put_unaligned_le16(u16 v, void *p)
{
	u8 *b = p;

	b[0] = (u8)v;
	b[1] = (u8)(v >> 8);
}

static inline void put_unaligned_le32(u32 v, void *p)
{
	u8 *b = p;

	for (int i = 0; i < 4; i++)
		b[i] = (u8)(v >> (8 * i));
}

static inline void put_unaligned_be16(u16 v, void *p)
{
	u8 *b = p;

	b[0] = (u8)(v >> 8);
	b[1] = (u8)v;
}

static inline void put_unaligned_be32(u32 v, void *p)
{
	u8 *b = p;

	for (int i = 0; i < 4; i++)
		b[i] = (u8)(v >> (24 - 8 * i));
}

static inline void put_unaligned_be64(u64 v, void *p)
{
	put_unaligned_be32((u32)(v >> 32), p);
	put_unaligned_be32((u32)v, (u8 *)p + 4);
}

/*
 * <asm/byteorder.h>: cpu_to_be32() and friends, for any host order.  The
 * __be/__le types are plain integers here (no sparse).
 */
#if !defined(__BYTE_ORDER__) || !defined(__ORDER_LITTLE_ENDIAN__)
#error "kshim.h needs the compiler's __BYTE_ORDER__"
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define KSHIM_BE16(x)		__builtin_bswap16(x)
#define KSHIM_BE32(x)		__builtin_bswap32(x)
#define KSHIM_BE64(x)		__builtin_bswap64(x)
#define KSHIM_LE16(x)		(x)
#define KSHIM_LE32(x)		(x)
#define KSHIM_LE64(x)		(x)
#else
#define KSHIM_BE16(x)		(x)
#define KSHIM_BE32(x)		(x)
#define KSHIM_BE64(x)		(x)
#define KSHIM_LE16(x)		__builtin_bswap16(x)
#define KSHIM_LE32(x)		__builtin_bswap32(x)
#define KSHIM_LE64(x)		__builtin_bswap64(x)
#endif
static inline __be16 cpu_to_be16(u16 x) { return KSHIM_BE16(x); }
static inline __be32 cpu_to_be32(u32 x) { return KSHIM_BE32(x); }
static inline __be64 cpu_to_be64(u64 x) { return KSHIM_BE64(x); }
static inline u16 be16_to_cpu(__be16 x) { return KSHIM_BE16(x); }
static inline u32 be32_to_cpu(__be32 x) { return KSHIM_BE32(x); }
static inline u64 be64_to_cpu(__be64 x) { return KSHIM_BE64(x); }
static inline __le16 cpu_to_le16(u16 x) { return KSHIM_LE16(x); }
static inline __le32 cpu_to_le32(u32 x) { return KSHIM_LE32(x); }
static inline __le64 cpu_to_le64(u64 x) { return KSHIM_LE64(x); }
static inline u16 le16_to_cpu(__le16 x) { return KSHIM_LE16(x); }
static inline u32 le32_to_cpu(__le32 x) { return KSHIM_LE32(x); }
static inline u64 le64_to_cpu(__le64 x) { return KSHIM_LE64(x); }

/* <linux/errno.h>: the kernel-internal values userspace lacks. */
#ifndef ENOTSUPP
#define ENOTSUPP		524
#endif

/* <linux/slab.h>, <linux/mm.h> (kv*: no vmalloc in userspace) */
#define GFP_KERNEL		0
#define GFP_ATOMIC		0
#define kmalloc(n, gfp)		((void)(gfp), malloc(n))
#define kzalloc(n, gfp)		((void)(gfp), calloc(1, (n)))
#define kcalloc(n, sz, gfp)	((void)(gfp), calloc((n), (sz)))
#define kvzalloc(n, gfp)	kzalloc((n), (gfp))
#define kfree(p)		free(p)
#define kvfree(p)		free(p)
#define kfree_sensitive(p)	free(p)

/*
 * <linux/err.h>: an error code in a pointer, in the top page of the
 * address space as in the kernel.
 */
#define MAX_ERRNO		4095
#define IS_ERR_VALUE(x)		((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE(ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR_VALUE(ptr);
}

/*
 * <linux/string.h>: memchr_inv() returns the first byte of @p that is not
 * @c, or NULL if all @n are.
 */
static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (u8)c)
			return (void *)(b + i);
	return NULL;
}

#endif /* TOOLS_LIB_KSHIM_H */
