/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <tpm_handoff/compat.h> for kernel sources built in userspace: of the
 * kernel differences include/tpm_handoff/compat.h bridges, the pure-logic
 * files use only the unaligned accessors (see tools/kshim/kshim.h).
 */
#include <asm/unaligned.h>
