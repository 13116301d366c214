/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: what to do about a failed handoff, from the trigger's errno
 * and the kernel's error line (drivers/tpm_handoff/{handoff,vtpm,main}.c).
 */
#ifndef TH_FIXES_H
#define TH_FIXES_H

/*
 * One line saying what to do, for the errno e (positive) a trigger write
 * failed with and the module's error line (may be empty).
 */
const char *th_fix(int e, const char *error);

#endif /* TH_FIXES_H */
