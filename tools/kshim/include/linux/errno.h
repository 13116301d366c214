/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <linux/errno.h> for kernel sources built in userspace: see
 * tools/kshim/kshim.h.  glibc's <errno.h> includes <linux/errno.h> for the
 * E* values, so the system's header comes first.
 */
#include_next <linux/errno.h>
#include "../../kshim.h"
