/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel interfaces that changed between the kernels the modules are
 * built for: Debian 12's 6.1, 6.12 (Debian 13, bookworm-backports) and the
 * newest Debian ships (7.2).  One entry per difference, with the release
 * that changed it.  Everything else the modules use is the same in all of
 * them; selftests/host/build-kernels.sh builds both modules for each of
 * the three (W=1), so a new difference shows up there as a build failure.
 * (For this file alone make lint ignores checkpatch's LINUX_VERSION_CODE
 * and CONSTANT_COMPARISON warnings: comparing versions is what it is for.)
 */
#ifndef _TPM_HANDOFF_COMPAT_H
#define _TPM_HANDOFF_COMPAT_H

#include <linux/version.h>
#include <linux/timer.h>

/* 6.12: <asm/unaligned.h> moved to <linux/unaligned.h>. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * 6.16: from_timer() was renamed timer_container_of().
 * (del_timer_sync() went in 6.15: timer_delete_sync(), which 6.1 has,
 * is used everywhere.)
 */
#ifndef timer_container_of
#define timer_container_of(var, callback_timer, timer_fieldname) \
	from_timer(var, callback_timer, timer_fieldname)
#endif

/*
 * 6.16: sysfs binary attributes are const: the read() callback takes a
 * const struct bin_attribute and attribute_group.bin_attrs points to
 * const pointers to const attributes.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define TH_BIN_ATTR_CONST const
#else
#define TH_BIN_ATTR_CONST
#endif

/*
 * 6.16: tpm_class_ops.send() takes the buffer's size before the command's
 * length.  A driver's send() is declared
 *
 *	#if TH_TPM_SEND_BUFSIZ
 *	static int x_send(struct tpm_chip *chip, u8 *buf, size_t bufsiz,
 *			  size_t len)
 *	#else
 *	static int x_send(struct tpm_chip *chip, u8 *buf, size_t len)
 *	#endif
 */
#define TH_TPM_SEND_BUFSIZ (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0))

#endif /* _TPM_HANDOFF_COMPAT_H */
