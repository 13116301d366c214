// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen_tpmfront_ext: the TPM side.  tpm_class_ops that carry one command at
 * a time over the tpmif v2 shared page (include/xen/interface/io/tpmif.h).
 *
 * The TPM core serialises every call into these ops with chip->tpm_mutex,
 * so one command is in flight per device and no lock of our own is needed
 * for the shared page.  The backend is untrusted: it writes only @length
 * and @state, which are read once (READ_ONCE) and checked before use; the
 * data offset is ours (no extra pages), never read back from the page.
 */
#include <linux/device.h>
#include <linux/tpm.h>
#include <xen/events.h>
#include <xen/interface/io/tpmif.h>
#include <xen/page.h>

#include <tpm_handoff/compat.h>
#include <tpm_handoff/tpm_core.h>

#include "tpmfront.h"

/* status bits reported to the TPM core */
enum {
	VTPM_STATUS_RUNNING  = 0x1,
	VTPM_STATUS_IDLE     = 0x2,
	VTPM_STATUS_RESULT   = 0x4,
	VTPM_STATUS_CANCELED = 0x8,
};

/**
 * tpmif_data_offset() - where command and response bytes start in the page
 *
 * This frontend grants no extra pages, so data follows the fixed header.
 *
 * Return: the offset in bytes.
 */
size_t tpmif_data_offset(void)
{
	return sizeof(struct vtpm_shared_page);
}

/**
 * tpmif_check_response() - validate what the backend left in the page
 * @state:	shared-page state, as read once
 * @length:	response length, as read once
 * @len:	set to the number of response bytes on success
 *
 * Return: 0 if @state is FINISH and @length holds at least a TPM header and
 * fits in the page, -ECANCELED if the backend went idle without a response,
 * -EIO for anything else.
 */
int tpmif_check_response(u8 state, u32 length, size_t *len)
{
	if (state == VTPM_STATE_IDLE)
		return -ECANCELED;
	if (state != VTPM_STATE_FINISH)
		return -EIO;
	if (length < TPM_HEADER_SIZE || length > PAGE_SIZE - tpmif_data_offset())
		return -EIO;
	*len = length;
	return 0;
}

static struct tpmfront *chip_front(struct tpm_chip *chip)
{
	return dev_get_drvdata(&chip->dev);
}

static u8 tpmif_status(struct tpm_chip *chip)
{
	struct tpmfront *front = chip_front(chip);

	switch (READ_ONCE(front->shr->state)) {
	case VTPM_STATE_IDLE:
		return VTPM_STATUS_IDLE | VTPM_STATUS_CANCELED;
	case VTPM_STATE_FINISH:
		return VTPM_STATUS_IDLE | VTPM_STATUS_RESULT;
	case VTPM_STATE_SUBMIT:
	case VTPM_STATE_CANCEL:
		return VTPM_STATUS_RUNNING;
	default:
		return 0;
	}
}

static bool tpmif_req_canceled(struct tpm_chip *chip, u8 status)
{
	return status & VTPM_STATUS_CANCELED;
}

static void tpmif_cancel(struct tpm_chip *chip)
{
	struct tpmfront *front = chip_front(chip);

	WRITE_ONCE(front->shr->state, VTPM_STATE_CANCEL);
	wmb(); /* state before the notification */
	notify_remote_via_evtchn(front->evtchn);
}

/* The backend is done with the current request (or gone). */
static bool tpmif_settled(struct tpmfront *front)
{
	u8 state = READ_ONCE(front->shr->state);

	return state == VTPM_STATE_IDLE || state == VTPM_STATE_FINISH ||
	       state > VTPM_STATE_CANCEL || !READ_ONCE(front->connected);
}

/**
 * tpmif_wait_settled() - wait for the backend to finish with the page
 * @front: the frontend, connected
 * @timeout: at most this many jiffies
 *
 * For tpmfront_connect(), between two attempts to register a chip: a
 * backend busy with a command the core gave up on (its first commands may
 * be slow: it creates its state) settles it before the next attempt.
 * Ends early if the backend disconnects.  Sleeps (TASK_IDLE).
 *
 * Return: true if the backend settled the page and is still connected.
 */
bool tpmif_wait_settled(struct tpmfront *front, unsigned long timeout)
{
	wait_event_idle_timeout(front->wq, tpmif_settled(front), timeout);
	return READ_ONCE(front->connected) && tpmif_settled(front);
}

/*
 * Wait until the backend settles, at most @timeout jiffies, or until
 * tpmfront_ext_abort() moves @front->abort_gen past @gen.  Signals do not
 * end the wait: a command handed to the backend completes or times out on
 * the TPM's own durations, as on a TPM that the core polls.  A signal that
 * cut it short would cancel a command its caller cannot send again: IMA
 * extends in the context of whatever task opened a file, and an entry it
 * has already logged whose extend fails is never in the PCR.  TASK_IDLE:
 * a long command (CreatePrimary may take minutes) is not a hung task.
 *
 * Returns 0, -ENODEV if the backend disconnected, -ETIME on timeout,
 * -ECANCELED if aborted.
 */
static int tpmif_wait(struct tpmfront *front, unsigned long timeout, int gen)
{
	long rc;

	rc = wait_event_idle_timeout(front->wq, tpmif_settled(front) ||
				     atomic_read(&front->abort_gen) != gen,
				     timeout);
	if (!READ_ONCE(front->connected))
		return -ENODEV;
	if (tpmif_settled(front))
		return 0;
	return rc ? -ECANCELED : -ETIME;
}

/*
 * A command timed out and was cancelled: has the backend settled it since?
 * It gets one wait of timeout_c to do so.  A backend that settles nothing in
 * that time is stopped or dead: every command then fails at once with
 * -ENODEV (IMA holds its list mutex across each extend, so a full timeout
 * per command would stall every open and exec) until the backend settles
 * the page or reconnects.
 */
static int tpmif_unstick(struct tpm_chip *chip, struct tpmfront *front)
{
	if (!tpmif_settled(front)) {
		if (front->dead)
			return -ENODEV;
		if (tpmif_wait(front, chip->timeout_c,
			       atomic_read(&front->abort_gen))) {
			front->dead = true;
			dev_warn(&chip->dev,
				 "vTPM backend does not answer: TPM commands fail until it does or reconnects\n");
			return -ENODEV;
		}
	}
	if (front->dead)
		dev_info(&chip->dev, "vTPM backend answers again\n");
	front->stuck = false;
	front->dead = false;
	return 0;
}

#if TH_TPM_SEND_BUFSIZ
static int tpmif_send(struct tpm_chip *chip, u8 *buf, size_t bufsiz,
		      size_t count)
#else
static int tpmif_send(struct tpm_chip *chip, u8 *buf, size_t count)
#endif
{
	struct tpmfront *front = chip_front(chip);
	struct vtpm_shared_page *shr = front->shr;
	size_t off = tpmif_data_offset();
	u32 ordinal;
	int rc, gen;

	if (!READ_ONCE(front->connected))
		return -ENODEV;
	if (count > PAGE_SIZE - off)
		return -E2BIG;

	/* A previous command timed out: the backend must settle first. */
	if (front->stuck) {
		rc = tpmif_unstick(chip, front);
		if (rc)
			return rc;
	}

	gen = atomic_read(&front->abort_gen);
	memcpy((u8 *)shr + off, buf, count);
	WRITE_ONCE(shr->length, count);
	wmb(); /* data and length before the state */
	WRITE_ONCE(shr->state, VTPM_STATE_SUBMIT);
	wmb(); /* state before the notification */
	notify_remote_via_evtchn(front->evtchn);

	ordinal = be32_to_cpu(((struct tpm_header *)buf)->ordinal);
	rc = tpmif_wait(front, tpm_calc_ordinal_duration(chip, ordinal), gen);
	if (rc == -ETIME || rc == -ECANCELED) {
		dev_warn_ratelimited(&chip->dev,
				     "vTPM backend did not answer command 0x%x %s, cancelling it\n",
				     ordinal, rc == -ETIME ? "in time" : "before an abort");
		front->stuck = true;
		tpmif_cancel(chip);
	}
	return rc;
}

static int tpmif_recv(struct tpm_chip *chip, u8 *buf, size_t count)
{
	struct tpmfront *front = chip_front(chip);
	struct vtpm_shared_page *shr = front->shr;
	u8 state = READ_ONCE(shr->state);
	u32 length = READ_ONCE(shr->length);
	size_t len;
	int rc;

	rmb(); /* state and length before the data */
	rc = tpmif_check_response(state, length, &len);
	if (rc == -EIO)
		dev_err_ratelimited(&chip->dev,
				    "vTPM backend wrote a malformed page (state %u, length %u)\n",
				    state, length);
	if (rc)
		return rc;
	if (len > count) {
		dev_err_ratelimited(&chip->dev,
				    "vTPM response of %zu bytes exceeds the %zu-byte buffer\n",
				    len, count);
		return -EIO;
	}
	memcpy(buf, (u8 *)shr + tpmif_data_offset(), len);
	return len;
}

const struct tpm_class_ops tpmfront_tpm_ops = {
	.flags = TPM_OPS_AUTO_STARTUP,
	.status = tpmif_status,
	.recv = tpmif_recv,
	.send = tpmif_send,
	.cancel = tpmif_cancel,
	.req_complete_mask = VTPM_STATUS_IDLE | VTPM_STATUS_RESULT,
	.req_complete_val = VTPM_STATUS_IDLE | VTPM_STATUS_RESULT,
	.req_canceled = tpmif_req_canceled,
};
