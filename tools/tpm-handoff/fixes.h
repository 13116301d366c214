/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: what to do about a failed handoff, from the trigger's errno
 * and the kernel's error line (drivers/tpm_handoff/{handoff,vtpm,main}.c).
 */
#ifndef CLI_FIXES_H
#define CLI_FIXES_H

/*
 * One line saying what to do, for the errno e (positive) a trigger write
 * failed with and the module's error line (may be empty).
 */
const char *cli_fix(int e, const char *error);

#endif /* CLI_FIXES_H */
