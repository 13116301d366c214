// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tpm_tis shim: dom0 waits for a locality another owner holds.
 *
 * Xen's vTPM manager uses the pTPM at locality 2 while dom0 uses it at
 * locality 0 (design.rst, "Beside a locality-2 manager").  The TIS gives
 * the TPM to one locality at a time: while the manager holds it, dom0's
 * request for locality 0 stays pending.  Stock tpm_tis waits for it only
 * timeout_a (750 ms on Linux 6.1), then tpm_chip_start() fails, and so
 * does whatever the TPM core was asked to send: for IMA, the extend of a
 * measurement that is in the log already.  A manager creating a key on a
 * real TPM holds it for seconds.
 *
 * From load to the commit, the shim's ops stand in for the pTPM chip's:
 * a copy of tpm_tis's own, but for a request_locality that asks tpm_tis
 * again until it gets the locality or ptpm_locality_wait_ms have passed.
 * tpm_tis leaves its request pending when it gives up (it writes
 * requestUse once and only polls), so the TIS grants locality 0 as soon
 * as the manager relinquishes, and the next ask finds it active.  The
 * commit replaces the shim's ops with the forwarding ops (forward.c); an
 * unload before the commit gives tpm_tis its ops back.
 *
 * Assumptions about the kernel, checked on Debian's 6.1 (its kernel and
 * dom0-debug) by selftests/vm/manager-concurrency.sh, which fails if one
 * breaks (7.2 runs the KUnit cases against fake chips, which do not model
 * tpm_tis; 6.12 only builds this file):
 *  - the TPM core reaches chip->ops under chip->ops_sem (tpm_try_get_ops()
 *    for reading; tpm_del_char_device() and tpm_class_shutdown() for
 *    writing), so the pointer can be swapped under it held for writing, as
 *    the core does when a chip goes away (forward.c rests on the same).
 *    tpm_tis's resume calls tpm_chip_start() without it: harmless, both
 *    ops reach the same tpm_tis functions, and the shim is taken out only
 *    at unload, when nothing resumes;
 *  - tpm_tis's request_locality returns a negative value when it gives up
 *    and leaves its request pending, and a later call finds the locality
 *    granted (check_locality() first).
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/tpm.h>

#include "tpm_handoff_priv.h"

/*
 * struct th_tis_shim - the shim (one pTPM chip per module)
 * @ops: tpm_tis's ops with our request_locality; what the chip points to
 *	 while the shim is in
 * @orig: tpm_tis's own ops, to call and to give back
 * @wait_ms: how long a request for a locality may wait
 * @waits: requests tpm_tis gave up on and the shim asked again
 * @waited_ms: the longest wait for a locality so far
 * @failed: requests that failed all the same (@wait_ms passed, or the
 *	    handoff's thread was killed by its watchdog)
 *
 * @ops and @orig are set under the chip's ops_sem held for writing, and
 * read by the TPM core under it held for reading.  The counters are
 * written under the chip's tpm_mutex (every request_locality runs under
 * it) and read without a lock (sysfs).
 */
static struct th_tis_shim {
	struct tpm_class_ops ops;
	const struct tpm_class_ops *orig;
	unsigned int wait_ms;
	unsigned long waits;
	unsigned long waited_ms;
	unsigned long failed;
} th_shim;

/*
 * Whether to stop waiting: the limit passed, or the handoff's own thread
 * (a kernel thread: the handoff's, a re-mirror's) was killed by its
 * watchdog, which must bound the barrier even while the pTPM is busy.
 * A killed user task keeps waiting: the extend IMA sends on its behalf
 * is of a measurement in the log already.
 */
static bool th_shim_give_up(unsigned long stop)
{
	return time_after(jiffies, stop) ||
	       ((current->flags & PF_KTHREAD) && fatal_signal_pending(current));
}

static int th_shim_request_locality(struct tpm_chip *chip, int loc)
{
	unsigned long start = jiffies;
	unsigned long stop = start + msecs_to_jiffies(READ_ONCE(th_shim.wait_ms));
	unsigned long ms;
	bool waited = false;
	int rc;

	for (;;) {
		rc = th_shim.orig->request_locality(chip, loc);
		if (rc >= 0)
			break;
		if (!waited)
			dev_info_ratelimited(&chip->dev,
					     "locality %d is busy (another locality holds the TPM): waiting up to %u ms\n",
					     loc, READ_ONCE(th_shim.wait_ms));
		waited = true;
		if (th_shim_give_up(stop))
			break;
		/* Uninterruptible: IMA's extend must not end on a signal. */
		msleep(20);
	}
	if (!waited)
		return rc;
	ms = jiffies_to_msecs(jiffies - start);
	WRITE_ONCE(th_shim.waits, th_shim.waits + 1);
	if (ms > th_shim.waited_ms)
		WRITE_ONCE(th_shim.waited_ms, ms);
	if (rc < 0) {
		WRITE_ONCE(th_shim.failed, th_shim.failed + 1);
		dev_err_ratelimited(&chip->dev,
				    "locality %d still busy after %lu ms: the command fails\n",
				    loc, ms);
	}
	return rc;
}

/**
 * th_tis_shim_install() - make the pTPM chip wait for its locality
 * @chip: the pTPM chip (a reference is held by the caller)
 * @wait_ms: how long a request for a locality may wait (0: the shim
 *	     is not installed, the chip keeps tpm_tis's limit)
 *
 * Nothing to do for a chip without localities (request_locality NULL).
 * Takes @chip->ops_sem for writing, so it waits for the commands in
 * flight.
 *
 * Return: true if the shim is in.
 */
bool th_tis_shim_install(struct tpm_chip *chip, unsigned int wait_ms)
{
	bool in = false;

	down_write(&chip->ops_sem);
	if (wait_ms && chip->ops && chip->ops->request_locality) {
		th_shim.orig = chip->ops;
		/* Its completion mask is const: copied, not assigned. */
		memcpy(&th_shim.ops, chip->ops, sizeof(th_shim.ops));
		th_shim.ops.request_locality = th_shim_request_locality;
		th_shim.wait_ms = wait_ms;
		WRITE_ONCE(chip->ops, &th_shim.ops);
		in = true;
	}
	up_write(&chip->ops_sem);
	return in;
}

/**
 * th_tis_shim_set_wait() - change how long a request may wait
 * @wait_ms: the new limit (ms, at least 1)
 */
void th_tis_shim_set_wait(unsigned int wait_ms)
{
	WRITE_ONCE(th_shim.wait_ms, wait_ms);
}

/**
 * th_tis_shim_remove() - give the pTPM chip tpm_tis's ops back
 * @chip: the pTPM chip
 *
 * Only if the shim's ops are still the chip's: after a commit they are
 * the forwarding ops, and after tpm_tis let the chip go they are NULL.
 */
void th_tis_shim_remove(struct tpm_chip *chip)
{
	down_write(&chip->ops_sem);
	if (chip->ops == &th_shim.ops)
		WRITE_ONCE(chip->ops, th_shim.orig);
	up_write(&chip->ops_sem);
}

/**
 * th_tis_shim_show() - the shim's state and counters, "key value" a line
 * @buf: a sysfs page
 * @chip: the pTPM chip
 *
 * "installed" is whether the shim's ops are @chip's now: from the load to
 * the commit (or to tpm_tis letting the chip go).
 *
 * Return: the length written.
 */
ssize_t th_tis_shim_show(char *buf, struct tpm_chip *chip)
{
	return sysfs_emit(buf,
			  "installed %d\nwait_ms %u\nwaits %lu\nlongest_wait_ms %lu\nfailed %lu\n",
			  READ_ONCE(chip->ops) == &th_shim.ops,
			  READ_ONCE(th_shim.wait_ms),
			  READ_ONCE(th_shim.waits),
			  READ_ONCE(th_shim.waited_ms),
			  READ_ONCE(th_shim.failed));
}
