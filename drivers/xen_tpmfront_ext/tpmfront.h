/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen_tpmfront_ext private definitions: one struct tpmfront per Xen vtpm
 * device, shared by the xenbus side (frontend.c) and the TPM side (tpmif.c).
 */
#ifndef _XEN_TPMFRONT_EXT_TPMFRONT_H
#define _XEN_TPMFRONT_EXT_TPMFRONT_H

#include <linux/list.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/interface/event_channel.h>

struct tpm_chip;
struct xenbus_device;
struct vtpm_shared_page;

/**
 * struct tpmfront - one Xen vTPM frontend device
 * @dev:	the xenbus device
 * @chip:	the registered TPM chip, or NULL; a new one for every
 *		connection (tpmfront_lock)
 * @shr:	the shared page (granted to the backend), or NULL
 * @ring_ref:	grant reference of @shr
 * @evtchn:	event channel to the backend
 * @irq:	irq bound to @evtchn, 0 if none
 * @wq:		woken by the backend's event-channel notifications, and when
 *		@connected drops
 * @connected:	the backend is connected: commands may be sent.  Written by
 *		the xenbus side, read locklessly by the TPM side
 *		(READ_ONCE/WRITE_ONCE), which then fails fast with -ENODEV.
 * @stuck:	a command timed out and was cancelled; the next send first
 *		waits (once, timeout_c) for the backend to settle it.  Only
 *		touched by TPM ops, which the TPM core serialises with
 *		chip->tpm_mutex.
 * @dead:	the backend settled nothing since the command that timed
 *		out and the wait after it: every command fails at once with
 *		-ENODEV until the backend settles the page or reconnects.
 *		TPM ops only, as @stuck.
 * @abort_gen:	bumped by tpmfront_ext_abort(): a command that was sent
 *		before stops waiting for its answer (it is cancelled)
 * @registered:	@chip is registered (tpmfront_lock)
 * @backend:	the backend's last xenbus state, for @work (WRITE_ONCE)
 * @work:	brings the chip in line with @backend: registers it when the
 *		backend is connected, unregisters it when it closes.  Runs on
 *		the system workqueue, never in the xenwatch thread: both can
 *		wait for the backend.
 * @node:	entry in the frontend list (tpmfront_lock)
 */
struct tpmfront {
	struct xenbus_device *dev;
	struct tpm_chip *chip;
	struct vtpm_shared_page *shr;
	grant_ref_t ring_ref;
	evtchn_port_t evtchn;
	int irq;
	wait_queue_head_t wq;
	bool connected;
	bool stuck;
	bool dead;
	atomic_t abort_gen;
	bool registered;
	int backend;
	struct work_struct work;
	struct list_head node;
};

extern const struct tpm_class_ops tpmfront_tpm_ops;

size_t tpmif_data_offset(void);
bool tpmif_wait_settled(struct tpmfront *front, unsigned long timeout);
int tpmif_check_response(u8 state, u32 length, size_t *len);

#endif /* _XEN_TPMFRONT_EXT_TPMFRONT_H */
