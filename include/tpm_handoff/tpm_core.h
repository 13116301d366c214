/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Prototypes of TPM core functions that Linux 6.1 exports
 * (EXPORT_SYMBOL_GPL in drivers/char/tpm/) but declares only in the private
 * drivers/char/tpm/tpm.h, which linux-headers does not ship.
 *
 * Assumption about kernel internals: these signatures are those of Debian's
 * 6.1 kernel, and unchanged in 6.12's and 7.2's drivers/char/tpm/tpm.h
 * (read from the sources).  Module versioning cannot catch a change here
 * (the CRC comes from the kernel's own declaration), so the in-VM tests
 * call every one of them on a real chip: selftests/vm/vtpm-chip.sh
 * registers a chip through tpmm_chip_alloc/tpm2_probe/tpm_chip_register
 * and uses it, on 6.1 (vm/) and 6.12 (trixie-vm/).  The KUnit suite of the
 * handoff core (drivers/tpm_handoff/tests/handoff_test.c) registers its
 * fake chips with tpm_chip_alloc/tpm_chip_register, on 7.2.
 */
#ifndef _TPM_HANDOFF_TPM_CORE_H
#define _TPM_HANDOFF_TPM_CORE_H

#include <linux/tpm.h>

struct device;

struct tpm_chip *tpm_chip_alloc(struct device *pdev,
				const struct tpm_class_ops *ops);
struct tpm_chip *tpmm_chip_alloc(struct device *pdev,
				 const struct tpm_class_ops *ops);
int tpm_chip_register(struct tpm_chip *chip);
void tpm_chip_unregister(struct tpm_chip *chip);
int tpm_chip_start(struct tpm_chip *chip);
void tpm_chip_stop(struct tpm_chip *chip);
int tpm2_probe(struct tpm_chip *chip);
int tpm_get_timeouts(struct tpm_chip *chip);
unsigned long tpm_calc_ordinal_duration(struct tpm_chip *chip, u32 ordinal);

#endif /* _TPM_HANDOFF_TPM_CORE_H */
