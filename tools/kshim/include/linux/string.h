/* SPDX-License-Identifier: GPL-2.0-only */
/* <linux/string.h> for kernel sources built in userspace: see tools/kshim/kshim.h. */
#include "../../kshim.h"
