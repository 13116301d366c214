/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interface of xen_tpmfront_ext.ko to its in-kernel users (tpm_handoff.ko).
 *
 * The frontend registers one TPM chip per Xen "vtpm" device.  A user takes
 * the connected vTPM with tpmfront_ext_get(), which pins the chip's device
 * and the frontend module, and sends commands through the TPM core
 * (tpm_try_get_ops()/tpm_transmit_cmd()/tpm_put_ops() on the returned chip).
 * A backend that goes away cannot free the chip under such a user: the
 * frontend unregisters it (the core then fails tpm_try_get_ops()), but the
 * memory and the module stay until tpmfront_ext_put().
 */
#ifndef _TPM_HANDOFF_XEN_TPMFRONT_EXT_H
#define _TPM_HANDOFF_XEN_TPMFRONT_EXT_H

#include <linux/notifier.h>

struct tpm_chip;

/* Notifier events; the data argument is the struct tpm_chip *. */
enum tpmfront_ext_event {
	TPMFRONT_EXT_UP = 1,	/* a vTPM chip was registered and works */
	TPMFRONT_EXT_DOWN,	/* its backend went away; chip being removed */
};

struct tpm_chip *tpmfront_ext_get(void);
void tpmfront_ext_put(struct tpm_chip *chip);
void tpmfront_ext_abort(struct tpm_chip *chip);
int tpmfront_ext_register_notifier(struct notifier_block *nb);
int tpmfront_ext_unregister_notifier(struct notifier_block *nb);

#endif /* _TPM_HANDOFF_XEN_TPMFRONT_EXT_H */
