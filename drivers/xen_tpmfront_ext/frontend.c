// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen_tpmfront_ext: a Xen vTPM frontend (tpmif v2) that registers TPM 2.0
 * backends as proper TPM 2.0 chips (banks, /dev/tpmrmN, timeouts), keeps
 * TPM 1.2 backends working, and offers its chips to tpm_handoff.ko.
 *
 * The xenbus side: probe grants the shared page and binds the event
 * channel; once the backend is Connected, a work item (not the xenwatch
 * thread, which the backend may need) probes for TPM 2.0 and registers the
 * chip.  A backend that closes takes the device down; one that comes back
 * (vtpmd restarted, new xenstore nodes) is probed afresh.
 *
 * Locking:
 *  - tpmfront_lock (mutex) protects tpmfront_list and each tpmfront's
 *    @registered flag as seen by tpmfront_ext_get().  It is taken from
 *    process context only, never while holding a TPM core lock, and the
 *    TPM core's chip->ops_sem/tpm_mutex may be taken inside it (chip
 *    registration and unregistration run under it).
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

/* Lockdep classes of the vTPM chip's locks (see tpmfront_probe()). */
static struct lock_class_key tpmfront_ops_sem_key;
static struct lock_class_key tpmfront_tpm_mutex_key;

static DEFINE_MUTEX(tpmfront_lock);	/* tpmfront_list, ->registered */
static LIST_HEAD(tpmfront_list);
static BLOCKING_NOTIFIER_HEAD(tpmfront_chain);

static irqreturn_t tpmfront_interrupt(int irq, void *dev_id)
{
	struct tpmfront *front = dev_id;

	wake_up_interruptible(&front->wq);
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
	xenbus_teardown_ring((void **)&front->shr, 1, &front->ring_ref);
}

static int tpmfront_setup_ring(struct xenbus_device *dev,
			       struct tpmfront *front)
{
	int rc;

	rc = xenbus_setup_ring(dev, GFP_KERNEL, (void **)&front->shr, 1,
			       &front->ring_ref);
	if (rc < 0)
		return rc;
	rc = xenbus_alloc_evtchn(dev, &front->evtchn);
	if (rc)
		return rc;
	rc = bind_evtchn_to_irqhandler(front->evtchn, tpmfront_interrupt, 0,
				       "tpmif", front);
	if (rc <= 0) {
		xenbus_dev_fatal(dev, rc, "binding the event channel");
		return rc ?: -EINVAL;
	}
	front->irq = rc;
	return tpmfront_publish(dev, front);
}

/* Runs from the system workqueue once the backend is connected. */
static void tpmfront_register_work(struct work_struct *work)
{
	struct tpmfront *front = container_of(work, struct tpmfront,
					      register_work);
	struct tpm_chip *chip = front->chip;
	int rc;

	mutex_lock(&tpmfront_lock);
	if (front->registered || !READ_ONCE(front->connected))
		goto out;

	/* tpm2_probe() sets TPM_CHIP_FLAG_TPM2 if the backend speaks 2.0. */
	rc = tpm2_probe(chip);
	if (rc) {
		dev_err(&front->dev->dev, "vTPM does not answer (%d)\n", rc);
		goto out;
	}
	rc = tpm_chip_register(chip);
	if (rc) {
		dev_err(&front->dev->dev, "cannot register the vTPM chip (%d)\n",
			rc);
		goto out;
	}
	front->registered = true;
	dev_info(&front->dev->dev, "%s: TPM %s vTPM, backend %s\n",
		 dev_name(&chip->dev),
		 chip->flags & TPM_CHIP_FLAG_TPM2 ? "2.0" : "1.2",
		 front->dev->otherend);
	blocking_notifier_call_chain(&tpmfront_chain, TPMFRONT_EXT_UP, chip);
out:
	mutex_unlock(&tpmfront_lock);
}

/*
 * Take the chip down.  A backend that announces Closing still serves, so
 * the core's TPM2_Shutdown at unregistration reaches it (@serving).  A
 * backend that is Closed (or was replaced: a new vtpmd closes the stale
 * device of a dead one) answers nothing: commands then fail fast at once,
 * instead of costing the Shutdown's long timeout.
 */
static void tpmfront_disconnect(struct tpmfront *front, bool serving)
{
	cancel_work_sync(&front->register_work);
	if (!serving) {
		WRITE_ONCE(front->connected, false);
		wake_up_interruptible(&front->wq);
	}

	mutex_lock(&tpmfront_lock);
	if (front->registered) {
		blocking_notifier_call_chain(&tpmfront_chain, TPMFRONT_EXT_DOWN,
					     front->chip);
		/* Waits for users holding ops_sem; later tpm_try_get_ops() fail. */
		tpm_chip_unregister(front->chip);
		front->registered = false;
	}
	mutex_unlock(&tpmfront_lock);

	WRITE_ONCE(front->connected, false);
	wake_up_interruptible(&front->wq);
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
	INIT_WORK(&front->register_work, tpmfront_register_work);
	INIT_LIST_HEAD(&front->node);

	front->chip = tpmm_chip_alloc(&dev->dev, &tpmfront_tpm_ops);
	if (IS_ERR(front->chip)) {
		rc = PTR_ERR(front->chip);
		kfree(front);
		return rc;
	}
	front->chip->flags |= TPM_CHIP_FLAG_IRQ;	/* event channel */
	dev_set_drvdata(&front->chip->dev, front);
	/*
	 * tpm_handoff forwards the pTPM chip to this one: our ops_sem and
	 * tpm_mutex are taken inside the pTPM chip's, which the core
	 * initialised at the same place.  Separate classes let lockdep see
	 * that nesting as the ordering it is (pTPM outside, vTPM inside).
	 */
	lockdep_set_class(&front->chip->ops_sem, &tpmfront_ops_sem_key);
	lockdep_set_class(&front->chip->tpm_mutex, &tpmfront_tpm_mutex_key);

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

static void tpmfront_remove(struct xenbus_device *dev)
{
	struct tpmfront *front = dev_get_drvdata(&dev->dev);

	tpmfront_disconnect(front, true);
	mutex_lock(&tpmfront_lock);
	list_del(&front->node);
	mutex_unlock(&tpmfront_lock);
	tpmfront_free_ring(front);
	dev_set_drvdata(&front->chip->dev, NULL);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(front);
}

static void tpmfront_backend_changed(struct xenbus_device *dev,
				     enum xenbus_state state)
{
	struct tpmfront *front = dev_get_drvdata(&dev->dev);

	switch (state) {
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->state == XenbusStateConnected)
			break;
		if (!xenbus_read_unsigned(dev->otherend, "feature-protocol-v2",
					  0)) {
			xenbus_dev_fatal(dev, -EINVAL, "vTPM protocol 2 required");
			return;
		}
		WRITE_ONCE(front->connected, true);
		xenbus_switch_state(dev, XenbusStateConnected);
		schedule_work(&front->register_work);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		dev_info(&dev->dev, "vTPM backend %s closed\n", dev->otherend);
		tpmfront_disconnect(front, state == XenbusStateClosing);
		device_unregister(&dev->dev);
		xenbus_frontend_closed(dev);
		break;
	default:
		break;
	}
}

static int tpmfront_resume(struct xenbus_device *dev)
{
	/* A suspend or migration interrupts a vTPM: start over. */
	tpmfront_remove(dev);
	return tpmfront_probe(dev, NULL);
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
