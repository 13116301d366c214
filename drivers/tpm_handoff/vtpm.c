// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where the vTPM comes from.  The handoff needs nothing from its vTPM but a
 * registered TPM chip that it can send commands to through the TPM core,
 * so any chip will do.  Two providers:
 *
 *  "xen"   the dom0 vTPM of xen_tpmfront_ext.ko, taken with
 *          tpmfront_ext_get().  The frontend module is looked up with
 *          symbol_get(), so tpm_handoff.ko loads (and reports -ENODEV at
 *          trigger time) on a machine without it.
 *  "tpmN"  any other registered chip by name, e.g. one of tpm_vtpm_proxy.
 *          It is found in the class of the pTPM's own chip device.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/device.h>
#include <linux/string.h>
#include <linux/lockdep.h>

#include <tpm_handoff/xen_tpmfront_ext.h>

#include "tpm_handoff_priv.h"

static int vtpm_get_xen(struct th_vtpm *v, char *err)
{
	struct tpm_chip *(*get)(void);

	get = symbol_get(tpmfront_ext_get);
	if (!get) {
		snprintf(err, TH_ERRLEN,
			 "no vTPM: xen_tpmfront_ext is not loaded (modprobe xen_tpmfront_ext, then start the vTPM backend)");
		return -ENODEV;
	}
	v->chip = get();
	if (!v->chip) {
		symbol_put(tpmfront_ext_get);
		snprintf(err, TH_ERRLEN,
			 "no vTPM: no Xen vTPM is connected to xen_tpmfront_ext (is the vTPM backend running?)");
		return -ENODEV;
	}
	v->put = symbol_get(tpmfront_ext_put);
	v->abort = symbol_get(tpmfront_ext_abort);
	symbol_put(tpmfront_ext_get);
	if (WARN_ON(!v->put || !v->abort)) {
		/* Cannot happen: the symbols come from one module. */
		if (v->put) {
			v->put(v->chip);
			symbol_put(tpmfront_ext_put);
		}
		if (v->abort)
			symbol_put(tpmfront_ext_abort);
		v->chip = NULL;
		snprintf(err, TH_ERRLEN, "xen_tpmfront_ext is inconsistent");
		return -ENODEV;
	}
	v->provider = "xen";
	return 0;
}

static int vtpm_get_named(struct th_vtpm *v, const char *name,
			  struct tpm_chip *ptpm, char *err)
{
	struct device *dev;

	dev = class_find_device_by_name(ptpm->dev.class, name);
	if (!dev) {
		snprintf(err, TH_ERRLEN, "no vTPM: there is no TPM chip %s",
			 name);
		return -ENODEV;
	}
	v->chip = container_of(dev, struct tpm_chip, dev);
	/* Not yet: a chip of another driver only (see th_vtpm_get()). */
	if (v->chip == ptpm) {
		v->provider = "chip";
		return 0;
	}
	/*
	 * The vTPM's ops_sem and tpm_mutex are taken inside the pTPM's (under
	 * the barrier, and by the forwarding ops for good).  A chip of
	 * another driver was initialised at the same place as the pTPM's, so
	 * its locks are in the same lockdep classes: mark them one level of
	 * nesting down, as xen_tpmfront_ext does with classes of its own.
	 * Only lockdep's view changes; a no-op without CONFIG_LOCKDEP.
	 */
	lockdep_set_subclass(&v->chip->ops_sem, SINGLE_DEPTH_NESTING);
	lockdep_set_subclass(&v->chip->tpm_mutex, SINGLE_DEPTH_NESTING);
	v->provider = "chip";
	return 0;
}

/**
 * th_vtpm_get() - take the vTPM that the vtpm parameter names
 * @v: receives the chip and how to release it
 * @spec: "xen", or the name of a TPM chip ("tpm1")
 * @ptpm: the pTPM chip
 * @err: TH_ERRLEN bytes for the reason of a failure
 *
 * Return: 0, -ENODEV if there is no such vTPM, -EINVAL for a bad @spec or
 * a vTPM that is @ptpm itself.
 */
int th_vtpm_get(struct th_vtpm *v, const char *spec, struct tpm_chip *ptpm,
		char *err)
{
	int rc;

	memset(v, 0, sizeof(*v));
	if (!strcmp(spec, "xen")) {
		rc = vtpm_get_xen(v, err);
	} else if (!strncmp(spec, "tpm", 3) && spec[3]) {
		rc = vtpm_get_named(v, spec, ptpm, err);
	} else {
		snprintf(err, TH_ERRLEN,
			 "bad vtpm parameter \"%s\": use \"xen\" or a chip name such as \"tpm1\"",
			 spec);
		return -EINVAL;
	}
	if (rc)
		return rc;
	/*
	 * Whatever the provider: forwarding a chip to itself would take its
	 * ops_sem for reading under the barrier, which holds it for writing
	 * (every TPM user, and reboot, would hang).  On a dom0 with no
	 * hardware TPM the Xen vTPM is the only chip, and tpm0.
	 */
	if (v->chip == ptpm) {
		snprintf(err, TH_ERRLEN,
			 "the vTPM (%s, provider %s) is the pTPM chip itself: there is nothing to hand off from (does this machine have a TPM of its own?)",
			 dev_name(&ptpm->dev), v->provider);
		th_vtpm_put(v);
		return -EINVAL;
	}
	return 0;
}

/**
 * th_vtpm_put() - release what th_vtpm_get() took
 * @v: the vTPM; cleared
 */
void th_vtpm_put(struct th_vtpm *v)
{
	if (!v->chip)
		return;
	if (v->put) {
		v->put(v->chip);
		symbol_put(tpmfront_ext_put);
		symbol_put(tpmfront_ext_abort);
	} else {
		put_device(&v->chip->dev);
	}
	memset(v, 0, sizeof(*v));
}
