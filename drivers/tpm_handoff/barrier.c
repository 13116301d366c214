// SPDX-License-Identifier: GPL-2.0-only
/*
 * The quiescence barrier: no TPM command reaches the pTPM chip while it
 * stands, IMA's extends included.
 *
 * Every user of a TPM chip goes through tpm_try_get_ops(), which holds
 * chip->ops_sem for reading for the whole command (tpm_transmit() included),
 * and the core changes chip->ops only with ops_sem held for writing
 * (tpm_chip_unregister()).  Taking ops_sem for writing therefore
 *  - waits until every command in flight has finished (drain),
 *  - makes every new command wait in down_read() (rwsems queue readers
 *    behind a waiting writer), and
 *  - loses nothing and repeats nothing: the waiting commands run once,
 *    after the barrier is lowered, through whatever ops are then installed.
 * IMA appends an entry to its list and then extends, both under its
 * ima_extend_list_mutex; an extend that meets the barrier leaves at most one
 * entry in the list that the pTPM has not seen (the cut-point search in
 * replay.c allows for it).
 *
 * Nothing done while the barrier stands may wait for an IMA measurement:
 * the measurement would wait for the barrier.  So hashes are allocated and
 * the log is opened before it is raised, and the vTPM backend must not
 * open measured files while it serves commands.
 *
 * The watchdog bounds the barrier.  The handoff runs in a kernel thread that
 * accepts SIGKILL; when the limit passes, the watchdog sends it one.  That
 * ends a wait for in-flight commands (down_write_killable()) and an
 * interruptible wait for a vTPM response (tpm_vtpm_proxy's).  The Xen
 * frontend waits for its backend regardless of signals (a signal must not
 * cancel an IMA extend), so the watchdog also calls the vTPM's abort hook,
 * tpmfront_ext_abort(), from a work item (it sleeps; a timer may not).  The
 * thread checks th_barrier_expired() between commands and aborts.
 */
#include <linux/kernel.h>
#include <linux/rwsem.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/jiffies.h>
#include <linux/workqueue.h>

#include "tpm_handoff_priv.h"
#include <tpm_handoff/compat.h>

static void th_watchdog_fire(struct timer_list *t)
{
	struct th_barrier *b = timer_container_of(b, t, watchdog);

	atomic_set(&b->fired, 1);
	send_sig(SIGKILL, b->task, 1);
	if (b->abort)
		schedule_work(&b->abort_work);
}

static void th_watchdog_abort(struct work_struct *work)
{
	struct th_barrier *b = container_of(work, struct th_barrier,
					    abort_work);

	b->abort(b->abort_chip);
}

/**
 * th_watchdog_set_abort() - how the watchdog ends a wait for the vTPM
 * @b: barrier state (its watchdog), not armed
 * @abort: called in process context when the watchdog fires, to end a wait
 *	   for @chip that SIGKILL does not end; NULL if SIGKILL does
 * @chip: the vTPM chip
 */
void th_watchdog_set_abort(struct th_barrier *b,
			   void (*abort)(struct tpm_chip *chip),
			   struct tpm_chip *chip)
{
	b->abort = abort;
	b->abort_chip = chip;
}

/**
 * th_watchdog_arm() - bound what the handoff thread does next
 * @b: barrier state (its watchdog)
 * @timeout_ms: the limit, counted from now
 *
 * Must be called from the handoff thread.  When the limit passes, the
 * thread's waits end and th_barrier_expired() turns true.  The replay
 * before the barrier uses this; th_barrier_raise() arms it itself.
 */
void th_watchdog_arm(struct th_barrier *b, unsigned int timeout_ms)
{
	b->task = current;
	atomic_set(&b->fired, 0);
	INIT_WORK(&b->abort_work, th_watchdog_abort);
	timer_setup(&b->watchdog, th_watchdog_fire, 0);
	mod_timer(&b->watchdog, jiffies + msecs_to_jiffies(timeout_ms));
}

/**
 * th_watchdog_disarm() - the bounded part is over
 * @b: barrier state
 *
 * Whether the watchdog fired stays visible in th_barrier_expired().  An
 * abort it started has finished when this returns.
 */
void th_watchdog_disarm(struct th_barrier *b)
{
	timer_delete_sync(&b->watchdog);
	cancel_work_sync(&b->abort_work);
}

/**
 * th_barrier_raise() - stop all TPM traffic on a chip
 * @b: barrier state
 * @chip: the pTPM chip
 * @timeout_ms: the watchdog's limit, counted from now
 *
 * Must be called from the handoff thread (it must accept SIGKILL).  On
 * success the caller holds @chip->ops_sem for writing and @chip->tpm_mutex,
 * and may send commands to @chip with tpm_chip_start() and
 * tpm_transmit_cmd().
 *
 * Return: 0, -ETIMEDOUT if in-flight commands did not drain in time, or
 * -ENODEV if the chip was unregistered.
 */
int th_barrier_raise(struct th_barrier *b, struct tpm_chip *chip,
		     unsigned int timeout_ms)
{
	b->chip = chip;
	b->held = false;
	b->window_ns = 0;
	b->start = ktime_get();
	th_watchdog_arm(b, timeout_ms);

	if (down_write_killable(&chip->ops_sem)) {
		th_watchdog_disarm(b);
		b->window_ns = ktime_to_ns(ktime_sub(ktime_get(), b->start));
		return -ETIMEDOUT;
	}
	if (!chip->ops) {
		up_write(&chip->ops_sem);
		th_watchdog_disarm(b);
		return -ENODEV;
	}
	mutex_lock(&chip->tpm_mutex);
	b->held = true;
	return 0;
}

/**
 * th_barrier_expired() - has the watchdog fired?
 * @b: barrier state
 *
 * Return: true if the handoff must abort now.
 */
bool th_barrier_expired(struct th_barrier *b)
{
	return atomic_read(&b->fired) || fatal_signal_pending(current);
}

/**
 * th_barrier_lower() - let TPM traffic flow again
 * @b: barrier state, raised
 *
 * The commands that waited run now, once each, through the chip's ops as
 * they are at this point (the pTPM's own, or after a commit the forwarding
 * ops).
 */
void th_barrier_lower(struct th_barrier *b)
{
	if (!b->held)
		return;
	b->held = false;
	mutex_unlock(&b->chip->tpm_mutex);
	up_write(&b->chip->ops_sem);
	b->window_ns = ktime_to_ns(ktime_sub(ktime_get(), b->start));
	th_watchdog_disarm(b);
}
