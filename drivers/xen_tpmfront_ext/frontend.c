// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen_tpmfront_ext: a Xen vTPM frontend (tpmif v2) that registers TPM 2.0
 * backends as proper TPM 2.0 chips (banks, /dev/tpmrmN, timeouts), keeps
 * TPM 1.2 backends working, and offers its chips to tpm_handoff.ko.
 *
 * The xenbus side: probe grants the shared page and binds the event
 * channel.  Everything that can wait for the backend runs in a work item,
 * never in the xenwatch thread, which every paravirtual device of the
 * domain shares (and which a backend in dom0 may itself need): once the
 * backend is Connected, the work allocates a chip, probes it for TPM 2.0
 * and registers it; once the backend closes, it unregisters the chip (a
 * Closing backend still answers the core's TPM2_Shutdown, a Closed one
 * gets none: commands then fail at once) and the frontend goes Closed.  A
 * backend that comes back on the same device (InitWait again) is offered
 * the same ring and gets a new chip; one whose nodes are removed takes the
 * device with it (xenbus removes it, and remove() waits for nothing).
 *
 * Locking:
 *  - tpmfront_lock (mutex) protects tpmfront_list and each tpmfront's
 *    @chip and @registered as tpmfront_ext_get() sees them.  It is taken
 *    from process context only, and held for no TPM command: chips are
 *    probed, registered and unregistered outside it, so a user that looks
 *    a vTPM up never waits for a backend.  No other lock is taken under
 *    it but the notifier chain's.
 *  - The shared page needs no lock of ours: see tpmif.c.
 */
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/tpm.h>
#include <xen/events.h>
#include <xen/interface/io/tpmif.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include <tpm_handoff/tpm_core.h>
#include <tpm_handoff/xen_tpmfront_ext.h>

#include "tpmfront.h"

/*
 * The stock 6.1 xen-tpmfront registers its xenbus driver without a name,
 * so xenbus names it after the device type.  Ours carries its own name.
 */
#define STOCK_DRIVER "vtpm"

/* Lockdep classes of the vTPM chip's locks (see tpmfront_chip_new()). */
static struct lock_class_key tpmfront_ops_sem_key;
static struct lock_class_key tpmfront_tpm_mutex_key;

static DEFINE_MUTEX(tpmfront_lock);	/* tpmfront_list, ->chip, ->registered */
static LIST_HEAD(tpmfront_list);
static BLOCKING_NOTIFIER_HEAD(tpmfront_chain);

static irqreturn_t tpmfront_interrupt(int irq, void *dev_id)
{
	struct tpmfront *front = dev_id;

	/* The TPM side waits in TASK_IDLE: wake_up(), not _interruptible. */
	wake_up(&front->wq);
	return IRQ_HANDLED;
}

static int tpmfront_publish(struct xenbus_device *dev, struct tpmfront *front)
{
	struct xenbus_transaction xbt;
	const char *what;
	int rc;

again:
	rc = xenbus_transaction_start(&xbt);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "starting transaction");
		return rc;
	}
	what = "ring-ref";
	rc = xenbus_printf(xbt, dev->nodename, what, "%u", front->ring_ref);
	if (!rc) {
		what = "event-channel";
		rc = xenbus_printf(xbt, dev->nodename, what, "%u", front->evtchn);
	}
	if (!rc) {
		what = "feature-protocol-v2";
		rc = xenbus_printf(xbt, dev->nodename, what, "1");
	}
	if (rc) {
		xenbus_transaction_end(xbt, 1);
		xenbus_dev_fatal(dev, rc, "writing %s", what);
		return rc;
	}
	rc = xenbus_transaction_end(xbt, 0);
	if (rc == -EAGAIN)
		goto again;
	if (rc) {
		xenbus_dev_fatal(dev, rc, "completing transaction");
		return rc;
	}
	return xenbus_switch_state(dev, XenbusStateInitialised);
}

static void tpmfront_free_ring(struct tpmfront *front)
{
	if (front->irq > 0)
		unbind_from_irqhandler(front->irq, front);
	else if (front->evtchn)
		xenbus_free_evtchn(front->dev, front->evtchn);
	front->irq = 0;
	front->evtchn = 0;
	if (front->shr)
		xenbus_teardown_ring((void **)&front->shr, 1, &front->ring_ref);
	front->shr = NULL;
}

static int tpmfront_setup_ring(struct xenbus_device *dev,
			       struct tpmfront *front)
{
	int rc;

	rc = xenbus_setup_ring(dev, GFP_KERNEL, (void **)&front->shr, 1,
			       &front->ring_ref);
	if (rc < 0) {
		front->shr = NULL;
		return rc;
	}
	rc = xenbus_alloc_evtchn(dev, &front->evtchn);
	if (rc) {
		front->evtchn = 0;
		return rc;
	}
	rc = bind_evtchn_to_irqhandler(front->evtchn, tpmfront_interrupt, 0,
				       "tpmif", front);
	if (rc <= 0) {
		/*
		 * When request_irq() fails, bind_evtchn_to_irqhandler() has
		 * unbound the irq, which closes the event channel: closing it
		 * again could close a port someone else got meanwhile.  Only a
		 * failure to get an irq at all (none left) leaves it open, and
		 * the caller cannot tell the two apart: leaking one port then
		 * is the lesser harm (xen-blkfront and the stock xen-tpmfront
		 * make the same choice).
		 */
		front->evtchn = 0;
		xenbus_dev_fatal(dev, rc, "binding the event channel");
		return rc ?: -EINVAL;
	}
	front->irq = rc;
	return tpmfront_publish(dev, front);
}

/* A new chip for a new connection: the core's unregistration is final. */
static struct tpm_chip *tpmfront_chip_new(struct tpmfront *front)
{
	struct tpm_chip *chip;

	chip = tpm_chip_alloc(&front->dev->dev, &tpmfront_tpm_ops);
	if (IS_ERR(chip))
		return chip;
	chip->flags |= TPM_CHIP_FLAG_IRQ;	/* event channel */
	dev_set_drvdata(&chip->dev, front);
	/*
	 * tpm_handoff forwards the pTPM chip to this one: our ops_sem and
	 * tpm_mutex are taken inside the pTPM chip's, which the core
	 * initialised at the same place.  Separate classes let lockdep see
	 * that nesting as the ordering it is (pTPM outside, vTPM inside).
	 */
	lockdep_set_class(&chip->ops_sem, &tpmfront_ops_sem_key);
	lockdep_set_class(&chip->tpm_mutex, &tpmfront_tpm_mutex_key);
	return chip;
}

/* A chip, probed and registered; an ERR_PTR if the backend did not answer. */
static struct tpm_chip *tpmfront_chip_register(struct tpmfront *front)
{
	struct tpm_chip *chip;
	int rc;

	/* No chip, so no TPM op runs: the TPM side's flags are ours. */
	front->stuck = false;
	front->dead = false;
	chip = tpmfront_chip_new(front);
	if (IS_ERR(chip)) {
		dev_err(&front->dev->dev, "cannot allocate a TPM chip (%ld)\n",
			PTR_ERR(chip));
		return chip;
	}
	/* tpm2_probe() sets TPM_CHIP_FLAG_TPM2 if the backend speaks 2.0. */
	rc = tpm2_probe(chip);
	if (!rc)
		rc = tpm_chip_register(chip);
	if (rc) {
		put_device(&chip->dev);
		return ERR_PTR(rc);
	}
	return chip;
}

/*
 * The backend is connected: a chip for it.  Work context, no lock held.
 *
 * The core gives each command its duration (SelfTest: 2 s), and a backend
 * that creates its state on its first commands may take longer on a busy
 * host: that registration fails.  The backend still settles the command
 * later, so try again once it has, up to TPMFRONT_REGISTER_TRIES times; a
 * backend that never settles one is left alone (remove() or a new
 * connection ends the wait).
 */
#define TPMFRONT_REGISTER_TRIES	5
#define TPMFRONT_SETTLE_WAIT	(60 * HZ)

static void tpmfront_connect(struct tpmfront *front)
{
	struct tpm_chip *chip = ERR_PTR(-ENODEV);
	int i;

	if (front->registered)
		return;
	for (i = 0; i < TPMFRONT_REGISTER_TRIES; i++) {
		if (i && !tpmif_wait_settled(front, TPMFRONT_SETTLE_WAIT))
			break;
		chip = tpmfront_chip_register(front);
		if (!IS_ERR(chip) || PTR_ERR(chip) == -ENOMEM)
			break;
		dev_warn(&front->dev->dev,
			 "vTPM did not answer in time (%ld)%s\n", PTR_ERR(chip),
			 i + 1 < TPMFRONT_REGISTER_TRIES ?
			 ": trying again once it does" : "");
	}
	if (IS_ERR(chip)) {
		dev_err(&front->dev->dev, "cannot register the vTPM chip (%ld)\n",
			PTR_ERR(chip));
		return;
	}
	dev_info(&front->dev->dev, "%s: TPM %s vTPM, backend %s\n",
		 dev_name(&chip->dev),
		 chip->flags & TPM_CHIP_FLAG_TPM2 ? "2.0" : "1.2",
		 front->dev->otherend);

	mutex_lock(&tpmfront_lock);
	front->chip = chip;
	front->registered = true;
	blocking_notifier_call_chain(&tpmfront_chain, TPMFRONT_EXT_UP, chip);
	mutex_unlock(&tpmfront_lock);
}

/*
 * Take the chip down.  The core's unregistration waits for its users and
 * sends TPM2_Shutdown: a backend that is Closing still answers it, one
 * that is gone does not (@connected is then already false, and every
 * command fails at once).  The chip stays valid memory for anyone who took
 * it with tpmfront_ext_get(); its ops are NULL from here on.
 */
static void tpmfront_chip_down(struct tpmfront *front)
{
	struct tpm_chip *chip;

	mutex_lock(&tpmfront_lock);
	chip = front->registered ? front->chip : NULL;
	if (chip)
		blocking_notifier_call_chain(&tpmfront_chain, TPMFRONT_EXT_DOWN,
					     chip);
	front->registered = false;
	front->chip = NULL;
	mutex_unlock(&tpmfront_lock);
	if (!chip)
		return;
	tpm_chip_unregister(chip);
	put_device(&chip->dev);
}

/* Fail every command at once from now on, and wake those waiting. */
static void tpmfront_cut(struct tpmfront *front)
{
	WRITE_ONCE(front->connected, false);
	wake_up(&front->wq);
}

/*
 * Bring the chip in line with the backend's latest state.  The work may see
 * only the last of several changes, so each case first undoes what an
 * earlier state left.
 */
static void tpmfront_work(struct work_struct *work)
{
	struct tpmfront *front = container_of(work, struct tpmfront, work);
	struct xenbus_device *dev = front->dev;

	switch (READ_ONCE(front->backend)) {
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (READ_ONCE(front->connected))
			tpmfront_connect(front);
		break;
	case XenbusStateInitWait:
		/* A backend (re)starting: a device we closed offers its ring. */
		tpmfront_chip_down(front);
		if (dev->state == XenbusStateClosed && front->shr) {
			WRITE_ONCE(front->shr->state, VTPM_STATE_IDLE);
			tpmfront_publish(dev, front);
		}
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		tpmfront_chip_down(front);
		tpmfront_cut(front);
		if (dev->state != XenbusStateClosed)
			xenbus_frontend_closed(dev);
		break;
	default:
		break;
	}
}

static int tpmfront_probe(struct xenbus_device *dev,
			  const struct xenbus_device_id *id)
{
	struct tpmfront *front;
	int rc;

	front = kzalloc(sizeof(*front), GFP_KERNEL);
	if (!front)
		return -ENOMEM;
	front->dev = dev;
	init_waitqueue_head(&front->wq);
	INIT_WORK(&front->work, tpmfront_work);
	INIT_LIST_HEAD(&front->node);

	rc = tpmfront_setup_ring(dev, front);
	if (rc) {
		tpmfront_free_ring(front);
		kfree(front);
		return rc;
	}
	dev_set_drvdata(&dev->dev, front);
	mutex_lock(&tpmfront_lock);
	list_add_tail(&front->node, &tpmfront_list);
	mutex_unlock(&tpmfront_lock);
	return 0;
}

/*
 * Called by xenbus, in the xenwatch thread, when the device's nodes go
 * away, and at module unload: waits for nothing but the work, which fails
 * fast once the backend is cut off.
 */
static void tpmfront_remove(struct xenbus_device *dev)
{
	struct tpmfront *front = dev_get_drvdata(&dev->dev);

	tpmfront_cut(front);
	cancel_work_sync(&front->work);
	tpmfront_chip_down(front);
	mutex_lock(&tpmfront_lock);
	list_del(&front->node);
	mutex_unlock(&tpmfront_lock);
	tpmfront_free_ring(front);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(front);
}

/* Runs in the xenwatch thread: never waits for the backend. */
static void tpmfront_backend_changed(struct xenbus_device *dev,
				     enum xenbus_state state)
{
	struct tpmfront *front = dev_get_drvdata(&dev->dev);

	switch (state) {
	case XenbusStateInitWait:
		/* Not serving (any more): fail fast until it connects. */
		tpmfront_cut(front);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->state == XenbusStateConnected)
			return;
		if (!front->shr)
			return;
		if (!xenbus_read_unsigned(dev->otherend, "feature-protocol-v2",
					  0)) {
			xenbus_dev_fatal(dev, -EINVAL, "vTPM protocol 2 required");
			return;
		}
		WRITE_ONCE(front->connected, true);
		xenbus_switch_state(dev, XenbusStateConnected);
		break;
	case XenbusStateClosing:
		dev_info(&dev->dev, "vTPM backend %s closing\n", dev->otherend);
		break;
	case XenbusStateClosed:
		dev_info(&dev->dev, "vTPM backend %s closed\n", dev->otherend);
		tpmfront_cut(front);
		break;
	default:
		return;
	}
	WRITE_ONCE(front->backend, state);
	schedule_work(&front->work);
}

/*
 * A suspend or migration interrupts a vTPM: take the chip down and offer a
 * new ring.  The struct tpmfront stays (its drvdata too), ring or not: a
 * device whose ring could not be set up again answers nothing, and remove()
 * frees it as any other.
 */
static int tpmfront_resume(struct xenbus_device *dev)
{
	struct tpmfront *front = dev_get_drvdata(&dev->dev);
	int rc;

	tpmfront_cut(front);
	cancel_work_sync(&front->work);
	tpmfront_chip_down(front);
	tpmfront_free_ring(front);
	rc = tpmfront_setup_ring(dev, front);
	if (rc)
		tpmfront_free_ring(front);
	return rc;
}

/**
 * tpmfront_ext_get() - take the connected vTPM
 *
 * Pins the first registered vTPM chip (a device reference) and this module.
 * Commands go through the TPM core on the returned chip; once its backend is
 * gone, tpm_try_get_ops() on it fails, but the chip stays valid memory until
 * tpmfront_ext_put().
 *
 * Context: process context; takes tpmfront_lock.
 * Return: the chip, or NULL if no vTPM is connected.
 */
struct tpm_chip *tpmfront_ext_get(void)
{
	struct tpm_chip *chip = NULL;
	struct tpmfront *front;

	mutex_lock(&tpmfront_lock);
	list_for_each_entry(front, &tpmfront_list, node) {
		if (front->registered && try_module_get(THIS_MODULE)) {
			chip = front->chip;
			get_device(&chip->dev);
			break;
		}
	}
	mutex_unlock(&tpmfront_lock);
	return chip;
}
EXPORT_SYMBOL_GPL(tpmfront_ext_get);

/**
 * tpmfront_ext_put() - release a chip taken with tpmfront_ext_get()
 * @chip: the chip, or NULL
 */
void tpmfront_ext_put(struct tpm_chip *chip)
{
	if (!chip)
		return;
	put_device(&chip->dev);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_GPL(tpmfront_ext_put);

/**
 * tpmfront_ext_abort() - stop waiting for the command in flight on a vTPM
 * @chip: a chip taken with tpmfront_ext_get()
 *
 * The frontend waits for its backend without regard to signals (a signal
 * must not cancel an IMA extend, see tpmif.c).  A user that needs to give
 * up on a command it sent, tpm_handoff's watchdog, calls this instead: the
 * command in flight on @chip, if any, is cancelled and fails with
 * -ECANCELED.  Commands sent later are not affected.
 *
 * Context: process context; takes tpmfront_lock.
 */
void tpmfront_ext_abort(struct tpm_chip *chip)
{
	struct tpmfront *front;

	mutex_lock(&tpmfront_lock);
	list_for_each_entry(front, &tpmfront_list, node) {
		if (front->registered && front->chip == chip) {
			atomic_inc(&front->abort_gen);
			wake_up(&front->wq);
		}
	}
	mutex_unlock(&tpmfront_lock);
}
EXPORT_SYMBOL_GPL(tpmfront_ext_abort);

/**
 * tpmfront_ext_register_notifier() - hear when a vTPM comes and goes
 * @nb: called with TPMFRONT_EXT_UP or TPMFRONT_EXT_DOWN and the chip, in
 *	process context with tpmfront_lock held: it must not call
 *	tpmfront_ext_get().
 *
 * Return: 0 or a negative errno.
 */
int tpmfront_ext_register_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&tpmfront_chain, nb);
}
EXPORT_SYMBOL_GPL(tpmfront_ext_register_notifier);

/**
 * tpmfront_ext_unregister_notifier() - stop hearing about vTPMs
 * @nb: as registered
 *
 * Return: 0 or -ENOENT.
 */
int tpmfront_ext_unregister_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&tpmfront_chain, nb);
}
EXPORT_SYMBOL_GPL(tpmfront_ext_unregister_notifier);

static const struct xenbus_device_id tpmfront_ids[] = {
	{ "vtpm" },
	{ "" }
};

static struct xenbus_driver tpmfront_driver = {
	.name = KBUILD_MODNAME,
	.ids = tpmfront_ids,
	.probe = tpmfront_probe,
	.remove = tpmfront_remove,
	.resume = tpmfront_resume,
	.otherend_changed = tpmfront_backend_changed,
};

static int __init tpmfront_init(void)
{
	struct device_driver *stock;
	int rc;

	if (!xen_domain())
		return -ENODEV;
	rc = xenbus_register_frontend(&tpmfront_driver);
	if (rc)
		return rc;
	/*
	 * Both drivers claim "vtpm" devices: whichever probes first wins, so
	 * refuse to run beside the stock one (the bus is known only now).
	 */
	stock = driver_find(STOCK_DRIVER, tpmfront_driver.driver.bus);
	if (stock) {
		xenbus_unregister_driver(&tpmfront_driver);
		pr_err("xen_tpmfront_ext: the stock xen_tpmfront driver is loaded; unload it (rmmod xen_tpmfront) and blacklist it (see Documentation/vtpm.rst)\n");
		return -EBUSY;
	}
	return 0;
}
module_init(tpmfront_init);

static void __exit tpmfront_exit(void)
{
	xenbus_unregister_driver(&tpmfront_driver);
}
module_exit(tpmfront_exit);

MODULE_DESCRIPTION("Xen vTPM frontend with TPM 2.0 support, for tpm-handoff");
MODULE_LICENSE("GPL");
