/* SPDX-License-Identifier: GPL-2.0-only */
/* <asm/unaligned.h> for kernel sources built in userspace: see tools/kshim/kshim.h. */
#include "../../kshim.h"
