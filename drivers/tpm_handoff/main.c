// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm_handoff.ko: module parameters, the sysfs ABI under
 * /sys/kernel/tpm_handoff/ and the state machine
 *
 *   idle --trigger--> running --> committed
 *                        |
 *                        +------> aborted --trigger--> running ...
 *
 * After the commit the vTPM has a life of its own (vtpm_state):
 *
 *   following --vTPM gone--> away --new vTPM, or remirror--> remirroring
 *       ^                                                      |   |
 *       +------------------------------------------------------+   |
 *                                   failed <-----------------------+
 *
 * A new Xen vTPM chip (the frontend's notifier) or a write of remirror
 * starts a re-mirror (remirror.c); a failed one is retried the same ways.
 *
 * See Documentation/ABI/testing/sysfs-kernel-tpm_handoff and
 * Documentation/design.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/capability.h>
#include <linux/string.h>
#include <linux/suspend.h>
#include <linux/workqueue.h>

#include <tpm_handoff/xen_tpmfront_ext.h>

#include "tpm_handoff_priv.h"
#include <tpm_handoff/compat.h>

static char *vtpm = "xen";
module_param(vtpm, charp, 0444);
MODULE_PARM_DESC(vtpm,
		 "The vTPM: \"xen\" (xen_tpmfront_ext's vTPM, default) or a TPM chip name such as \"tpm1\"");

static unsigned int barrier_timeout_ms = 30000;
module_param(barrier_timeout_ms, uint, 0644);
MODULE_PARM_DESC(barrier_timeout_ms,
		 "Longest time the barrier may stop TPM traffic before the handoff aborts (ms, default 30000)");

static unsigned int mirror_timeout_ms = 600000;
module_param(mirror_timeout_ms, uint, 0644);
MODULE_PARM_DESC(mirror_timeout_ms,
		 "Longest time the replay before the barrier may take before the handoff aborts (ms, default 600000)");

static bool prereplay = true;
module_param(prereplay, bool, 0644);
MODULE_PARM_DESC(prereplay,
		 "Replay the IMA log into the vTPM before raising the barrier, so the barrier costs only the entries since (default Y; N replays everything under the barrier, for comparison)");

static bool dry_run;
module_param(dry_run, bool, 0644);
MODULE_PARM_DESC(dry_run,
		 "Run every step but the commit, then abort with -ECANCELED: a rehearsal that leaves the system on the pTPM (default N)");

/* fw_pcrs: checked when it is set, so a bad value is refused at once. */
static int fw_pcrs_set(const char *val, const struct kernel_param *kp)
{
	struct th_fw_spec spec;
	char err[TH_ERRLEN];

	if (th_fw_spec_parse(val, &spec, err)) {
		pr_warn("%s\n", err);
		return -EINVAL;
	}
	return param_set_charp(val, kp);
}

static const struct kernel_param_ops fw_pcrs_ops = {
	.set = fw_pcrs_set,
	.get = param_get_charp,
	.free = param_free_charp,
};

static char *fw_pcrs = "0-9";
module_param_cb(fw_pcrs, &fw_pcrs_ops, &fw_pcrs, 0644);
MODULE_PARM_DESC(fw_pcrs,
		 "Firmware PCRs to mirror, and how: items \"N\" or \"N-M\", each with an optional \":auto\" (replay the TCG event log where it reproduces the pTPM, else bind: the default), \":replay\" (or abort) or \":bind\" (extend the vTPM PCR once with the pTPM's value); \"none\" for none (default \"0-9\")");

/*
 * fw_log: empty or an absolute path, checked when it is set.  The handoff
 * thread reads it, and a kernel thread resolves paths from the root, not
 * from the writer's working directory.
 */
static int fw_log_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strcspn(val, "\n");

	if (len && val[0] != '/') {
		pr_warn("fw_log must be empty or an absolute path, not \"%.*s\"\n",
			(int)min_t(size_t, len, 64), val);
		return -EINVAL;
	}
	return param_set_charp(val, kp);
}

static const struct kernel_param_ops fw_log_ops = {
	.set = fw_log_set,
	.get = param_get_charp,
	.free = param_free_charp,
};

static char *fw_log = "";
module_param_cb(fw_log, &fw_log_ops, &fw_log, 0644);
MODULE_PARM_DESC(fw_log,
		 "Absolute path of a file to read the firmware's TCG event log from, instead of the pTPM chip's own (default empty: the chip's; a trailing newline is ignored)");

/*
 * ptpm_ak, vtpm_ak: the attestation keys of the handoff quote
 * (Documentation/attestation.rst), 0 or a persistent handle, checked when
 * set and shown in hex.
 */
#define TH_PERSISTENT_FIRST	0x81000000
#define TH_PERSISTENT_LAST	0x81ffffff

static int ak_set(const char *val, const struct kernel_param *kp)
{
	unsigned int h;

	if (kstrtouint(val, 0, &h) ||
	    (h && (h < TH_PERSISTENT_FIRST || h > TH_PERSISTENT_LAST))) {
		pr_warn("%s must be 0 or a persistent handle 0x81000000-0x81ffffff, not \"%.*s\"\n",
			kp->name, (int)min_t(size_t, strcspn(val, "\n"), 64),
			val);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = h;
	return 0;
}

static int ak_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "0x%08x\n", *(unsigned int *)kp->arg);
}

static const struct kernel_param_ops ak_ops = {
	.set = ak_set,
	.get = ak_get,
};

static unsigned int ptpm_ak;
module_param_cb(ptpm_ak, &ak_ops, &ptpm_ak, 0644);
MODULE_PARM_DESC(ptpm_ak,
		 "Persistent handle of the pTPM's attestation key (tpm-handoff provision): the handoff then has the pTPM quote the PCRs it mirrors, bound to the cut and to vtpm_ak's name, and aborts if it cannot (default 0: no quote)");

static unsigned int vtpm_ak;
module_param_cb(vtpm_ak, &ak_ops, &vtpm_ak, 0644);
MODULE_PARM_DESC(vtpm_ak,
		 "Persistent handle of the vTPM's attestation key, which the handoff quote names as the log's heir (set with ptpm_ak; default 0)");

static bool remirror_auto = true;
module_param(remirror_auto, bool, 0644);
MODULE_PARM_DESC(remirror_auto,
		 "After the commit, bring a new Xen vTPM chip to the IMA log and forward to it as soon as the frontend registers it (default Y; N: only when remirror is written)");

static unsigned int remirror_retry_ms = 5000;
module_param(remirror_retry_ms, uint, 0644);
MODULE_PARM_DESC(remirror_retry_ms,
		 "After the commit, when the vTPM missed one of IMA's extends (it stalled, did not answer) but its chip is still there, re-mirror into it after this long, and again, twice as long each time up to a minute, until it follows the log (ms, default 5000; 0: only when remirror is written)");

static unsigned int ptpm_locality_wait_ms = 30000;
static bool tis_shim_in;

static int locality_wait_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int rc = kstrtouint(val, 0, &ms);

	if (rc)
		return rc;
	/*
	 * A waiting command holds the pTPM chip, and IMA's list mutex behind
	 * it: past a minute the hung-task detector would speak up.
	 */
	if (ms > 60000)
		return -ERANGE;
	/* The shim goes in at load or not at all. */
	if (tis_shim_in && !ms)
		return -EINVAL;
	ptpm_locality_wait_ms = ms;
	if (tis_shim_in)
		th_tis_shim_set_wait(ms);
	return 0;
}

static const struct kernel_param_ops locality_wait_ops = {
	.set = locality_wait_set,
	.get = param_get_uint,
};
module_param_cb(ptpm_locality_wait_ms, &locality_wait_ops, &ptpm_locality_wait_ms, 0644);
MODULE_PARM_DESC(ptpm_locality_wait_ms,
		 "Until the commit, how long a pTPM command waits for locality 0 while another locality (Xen's vTPM manager) holds the TPM, instead of tpm_tis's timeout_a (ms, at most 60000, default 30000; 0 at load: tpm_tis's own limit)");

static char *ima_log = "/sys/kernel/security/ima/binary_runtime_measurements";
module_param(ima_log, charp, 0444);
MODULE_PARM_DESC(ima_log, "IMA's binary measurement list");

/* Longest record: 24 PCRs in 8 banks of 64-byte digests fit easily. */
#define TH_RECORD_MAX	(32 * 1024)

enum th_state_id {
	TH_IDLE,
	TH_RUNNING,
	TH_COMMITTED,
	TH_ABORTED,
};

static const char *const th_state_name[] = {
	[TH_IDLE] = "idle",
	[TH_RUNNING] = "running",
	[TH_COMMITTED] = "committed",
	[TH_ABORTED] = "aborted",
};

/**
 * struct th_state - the module's state
 * @remirror_lock: held across a re-mirror, so that one runs at a time;
 *	  protects @committed's contents while it runs.  Taken outside
 *	  @lock, never inside it.
 * @lock: protects @state, @error, @record, @record_len and
 *	  @remirror_failed.  Never held across a handoff, a re-mirror or a
 *	  TPM command.
 * @state: where the state machine is
 * @error: why the last attempt (or re-mirror) failed, or empty
 * @record: the last attempt's record, or NULL
 * @record_len: its length
 * @committed: the committed handoff, kept for its re-mirrors (set once,
 *	  under @lock, with @state TH_COMMITTED)
 * @remirror_failed: the last re-mirror failed (@error says why)
 * @remirror_work: a re-mirror for a new Xen vTPM chip
 * @retry_work: a re-mirror into the vTPM chip that fell behind the log
 * @retry_delay: the retry's next delay (ms; doubles up to a minute)
 * @frontend_nb: the Xen frontend's notifier, registered at a commit to
 *	  the Xen vTPM, for good (the commit pins this module)
 * @ptpm: the chip IMA uses, from tpm_default_chip() at load (holds a
 *	  device reference); set once at load
 * @kobj: /sys/kernel/tpm_handoff
 */
static struct th_state {
	struct mutex remirror_lock;	/* one re-mirror at a time */
	struct mutex lock;		/* state, error, record */
	enum th_state_id state;
	char error[TH_ERRLEN];
	char *record;
	size_t record_len;
	struct th_handoff *committed;
	bool remirror_failed;
	struct work_struct remirror_work;
	struct delayed_work retry_work;
	unsigned int retry_delay;
	struct notifier_block frontend_nb;
	struct tpm_chip *ptpm;
	struct kobject *kobj;
} th_state = {
	.remirror_lock = __MUTEX_INITIALIZER(th_state.remirror_lock),
	.lock = __MUTEX_INITIALIZER(th_state.lock),
};

/* The record: the handoff's, then its re-mirrors'.  Under th_state.lock. */
static void record_update(const struct th_handoff *h)
{
	size_t n = th_record_format(h, th_state.record, TH_RECORD_MAX, false);

	if (h->committed)
		n += th_remirror_format(h, th_state.record + n,
					TH_RECORD_MAX - n, false);
	th_state.record_len = n;
}

/*
 * Bring a new vTPM to the log (remirror.c) and forward to it.  @spec: the
 * chip, as the vtpm parameter names it.  @retry: the retry into a vTPM
 * that fell behind (retry_work_fn()), which probes a backend that may
 * still be stopped: its failure leaves vtpm_state and error as they were.
 */
static int remirror(const char *spec, bool retry)
{
	struct th_handoff *h;
	int rc;

	mutex_lock(&th_state.remirror_lock);
	mutex_lock(&th_state.lock);
	h = th_state.committed;
	mutex_unlock(&th_state.lock);
	if (!h) {
		mutex_unlock(&th_state.remirror_lock);
		return -EINVAL;
	}
	/* The watchdogs' limits as they are now (writable parameters). */
	h->barrier_timeout_ms = max(READ_ONCE(barrier_timeout_ms), 1U);
	h->mirror_timeout_ms = max(READ_ONCE(mirror_timeout_ms), 1U);
	pr_info("re-mirror to the vTPM (%s) started\n", spec);
	rc = th_remirror_run(h, spec);
	if (rc)
		pr_warn("re-mirror failed (%d), the pTPM chip stays on %s: %s\n",
			rc, dev_name(&h->vtpm.chip->dev), h->err);
	else
		pr_info("re-mirrored: %s now forwards to %s; %llu IMA entries, %llu held already, barrier %lld us\n",
			dev_name(&h->ptpm->dev), dev_name(&h->vtpm.chip->dev),
			h->remirror.entries, h->remirror.resumed,
			h->remirror.barrier_ns / NSEC_PER_USEC);
	mutex_lock(&th_state.lock);
	if (!rc || !retry) {
		th_state.remirror_failed = rc;
		strscpy(th_state.error, rc ? h->err : "", TH_ERRLEN);
	}
	record_update(h);
	mutex_unlock(&th_state.lock);
	mutex_unlock(&th_state.remirror_lock);
	return rc;
}

/* A new Xen vTPM chip came up after the commit: bring it to the log. */
static void remirror_work_fn(struct work_struct *work)
{
	remirror("xen", false);
}

/* Queue the retry after the current delay (remirror_retry_ms 0: off). */
static void retry_arm(void)
{
	unsigned int ms = READ_ONCE(remirror_retry_ms);
	unsigned int delay = READ_ONCE(th_state.retry_delay);

	if (ms)
		queue_delayed_work(system_long_wq, &th_state.retry_work,
				   msecs_to_jiffies(delay ? delay : ms));
}

/*
 * The vTPM fell behind the log (forward.c): it missed an extend of IMA's
 * (a stalled or stopped backend, a command that timed out) and gets
 * nothing more.  If its chip is still there when the retry runs, the
 * backend may answer again: re-mirror into it, and try again later if it
 * does not.  A chip that went away waits for a new one instead.
 */
static void retry_work_fn(struct work_struct *work)
{
	unsigned int delay = READ_ONCE(th_state.retry_delay);
	struct th_handoff *h;
	bool behind;

	/* The lock keeps a re-mirror from changing h->vtpm meanwhile. */
	mutex_lock(&th_state.remirror_lock);
	mutex_lock(&th_state.lock);
	h = th_state.committed;
	mutex_unlock(&th_state.lock);
	behind = h && th_forward_vtpm_behind(h->vtpm.chip) &&
		 READ_ONCE(h->vtpm.chip->ops);
	mutex_unlock(&th_state.remirror_lock);
	if (!behind || !remirror(vtpm, true)) {
		WRITE_ONCE(th_state.retry_delay, 0);
		return;
	}
	if (!delay)
		delay = READ_ONCE(remirror_retry_ms);
	WRITE_ONCE(th_state.retry_delay, min(2 * delay, 60000U));
	retry_arm();
}

/* From forward.c, with the pTPM chip's locks held: only queue work. */
static void fell_behind(void)
{
	retry_arm();
}

/* Called by xen_tpmfront_ext with its lock held: only queue the work. */
static int frontend_event(struct notifier_block *nb, unsigned long event,
			  void *chip)
{
	if (event == TPMFRONT_EXT_UP && READ_ONCE(remirror_auto))
		queue_work(system_long_wq, &th_state.remirror_work);
	return NOTIFY_OK;
}

/*
 * After a commit to the Xen vTPM: hear of the frontend's new chips.  The
 * frontend stays loaded for good (the forwarder holds its chip), and so
 * does the symbol reference taken here.
 */
static void frontend_listen(const struct th_handoff *h)
{
	int (*reg)(struct notifier_block *nb);

	if (strcmp(h->vtpm.provider, "xen"))
		return;
	reg = symbol_get(tpmfront_ext_register_notifier);
	if (WARN_ON(!reg))
		return;
	th_state.frontend_nb.notifier_call = frontend_event;
	if (reg(&th_state.frontend_nb))
		pr_warn("cannot hear of new Xen vTPM chips: re-mirror by hand (remirror)\n");
}

/* Only "1", with or without a newline. */
static bool trigger_input_ok(const char *buf, size_t count)
{
	return (count == 1 && buf[0] == '1') ||
	       (count == 2 && buf[0] == '1' && buf[1] == '\n');
}

static ssize_t trigger_store(struct kobject *kobj, struct kobj_attribute *a,
			     const char *buf, size_t count)
{
	struct th_handoff *h;
	char *record;
	int rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!trigger_input_ok(buf, count))
		return -EINVAL;
	/*
	 * The module stays for the whole trigger: the commit installs ops
	 * that live in it, so rmmod meanwhile must fail (EBUSY), not wait in
	 * sysfs's removal and free them.  A commit keeps the reference.
	 */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;

	mutex_lock(&th_state.lock);
	if (th_state.state == TH_RUNNING)
		rc = -EBUSY;
	else if (th_state.state == TH_COMMITTED)
		rc = -EALREADY;
	else
		rc = 0;
	if (!rc)
		th_state.state = TH_RUNNING;
	mutex_unlock(&th_state.lock);
	if (rc) {
		module_put(THIS_MODULE);
		return rc;
	}

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	record = kzalloc(TH_RECORD_MAX, GFP_KERNEL);
	if (h) {
		kernel_param_lock(THIS_MODULE);
		rc = th_fw_spec_parse(fw_pcrs ? fw_pcrs : "", &h->fw_spec,
				      h->err);
		h->fw_log_path = kstrdup(fw_log ? fw_log : "", GFP_KERNEL);
		kernel_param_unlock(THIS_MODULE);
		/* "echo PATH > fw_log" leaves a newline: not part of the path. */
		if (h->fw_log_path)
			strreplace(h->fw_log_path, '\n', '\0');
	}
	if (!h || !record || !h->fw_log_path || rc) {
		mutex_lock(&th_state.lock);
		th_state.state = TH_ABORTED;
		strscpy(th_state.error, h && rc ? h->err : "out of memory",
			TH_ERRLEN);
		mutex_unlock(&th_state.lock);
		if (h)
			kfree(h->fw_log_path);
		kfree(h);
		kfree(record);
		module_put(THIS_MODULE);
		return rc ? rc : -ENOMEM;
	}
	h->ptpm = th_state.ptpm;
	h->vtpm_spec = vtpm;
	h->barrier_timeout_ms = max(READ_ONCE(barrier_timeout_ms), 1U);
	h->mirror_timeout_ms = max(READ_ONCE(mirror_timeout_ms), 1U);
	h->prereplay = READ_ONCE(prereplay);
	h->dry_run = READ_ONCE(dry_run);
	h->ptpm_ak = READ_ONCE(ptpm_ak);
	h->vtpm_ak = READ_ONCE(vtpm_ak);

	pr_info("handoff from %s started\n", dev_name(&h->ptpm->dev));
	rc = th_handoff_run(h, ima_log);
	if (!rc) {
		/* The pTPM chip's ops are ours now: the reference stays. */
		pr_info("committed: %s now forwards to %s; cut %llu of %llu IMA entries, barrier %lld us; module pinned\n",
			dev_name(&h->ptpm->dev), dev_name(&h->vtpm.chip->dev),
			h->cut.cut, h->cut.entries,
			h->barrier.window_ns / NSEC_PER_USEC);
	} else {
		pr_warn("aborted (%d), still on %s: %s\n", rc,
			dev_name(&h->ptpm->dev), h->err);
	}

	if (!rc)
		th_handoff_park(h);
	mutex_lock(&th_state.lock);
	kfree(th_state.record);
	th_state.record = record;
	record_update(h);
	th_state.state = rc ? TH_ABORTED : TH_COMMITTED;
	strscpy(th_state.error, rc ? h->err : "", TH_ERRLEN);
	if (!rc)
		th_state.committed = h;
	mutex_unlock(&th_state.lock);

	if (rc) {
		th_handoff_release(h);
		kfree(h);
		module_put(THIS_MODULE);
		return rc;
	}
	frontend_listen(h);
	return count;
}

/*
 * "1": re-mirror to the vTPM the vtpm parameter names (for "xen", the
 * frontend's connected chip); or a chip's name ("tpm3"), for a vTPM of
 * another provider that came back under a new name.
 */
static ssize_t remirror_store(struct kobject *kobj, struct kobj_attribute *a,
			      const char *buf, size_t count)
{
	size_t len = strcspn(buf, "\n");
	char spec[16];
	int rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* One word, with or without one newline. */
	if (!len || len >= sizeof(spec) || len + (buf[len] == '\n') != count)
		return -EINVAL;
	memcpy(spec, buf, len);
	spec[len] = '\0';
	if (!strcmp(spec, "1"))
		strscpy(spec, vtpm, sizeof(spec));
	else if (strncmp(spec, "tpm", 3) || !spec[3])
		return -EINVAL;
	rc = remirror(spec, false);
	return rc ? rc : count;
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *a,
			  char *buf)
{
	ssize_t n;

	mutex_lock(&th_state.lock);
	n = sysfs_emit(buf, "%s\n", th_state_name[th_state.state]);
	mutex_unlock(&th_state.lock);
	return n;
}

static ssize_t error_show(struct kobject *kobj, struct kobj_attribute *a,
			  char *buf)
{
	ssize_t n;

	mutex_lock(&th_state.lock);
	n = sysfs_emit(buf, "%s\n", th_state.error);
	mutex_unlock(&th_state.lock);
	return n;
}

/*
 * After a commit: "following" (the vTPM holds the log, as far as the
 * module knows), "away" (the last command found it gone), "remirroring",
 * or "failed" (the last re-mirror failed: error says why).  Before: "none".
 */
static ssize_t vtpm_state_show(struct kobject *kobj,
			       struct kobj_attribute *a, char *buf)
{
	const char *s;

	/* A re-mirror holds the lock: it may be retargeting the forwarder. */
	if (!mutex_trylock(&th_state.remirror_lock))
		return sysfs_emit(buf, "remirroring\n");
	mutex_lock(&th_state.lock);
	if (th_state.state != TH_COMMITTED)
		s = "none";
	else if (th_state.remirror_failed)
		s = "failed";
	else if (th_forward_vtpm_away())
		s = "away";
	else
		s = "following";
	mutex_unlock(&th_state.lock);
	mutex_unlock(&th_state.remirror_lock);
	return sysfs_emit(buf, "%s\n", s);
}

static ssize_t tis_shim_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	return th_tis_shim_show(buf, th_state.ptpm);
}

static ssize_t ptpm_show(struct kobject *kobj, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", dev_name(&th_state.ptpm->dev));
}

/*
 * "tpm1 xen", or "none: <why>": looks without keeping anything.  Any user
 * may read it, so the lookup (which takes the provider's locks) runs
 * without th_state.lock: it must not hold up state, error and record.
 */
static ssize_t vtpm_show(struct kobject *kobj, struct kobj_attribute *a,
			 char *buf)
{
	char err[TH_ERRLEN];
	struct th_vtpm v;
	bool committed;

	mutex_lock(&th_state.lock);
	committed = th_state.state == TH_COMMITTED;
	mutex_unlock(&th_state.lock);
	if (committed)
		return sysfs_emit(buf, "committed\n");
	if (th_vtpm_get(&v, vtpm, th_state.ptpm, err))
		return sysfs_emit(buf, "none: %s\n", err);
	snprintf(err, TH_ERRLEN, "%s %s", dev_name(&v.chip->dev), v.provider);
	th_vtpm_put(&v);
	return sysfs_emit(buf, "%s\n", err);
}

static ssize_t record_read(struct file *file, struct kobject *kobj,
			   TH_BIN_ATTR_CONST struct bin_attribute *a,
			   char *buf, loff_t off,
			   size_t count)
{
	ssize_t n = 0;

	mutex_lock(&th_state.lock);
	if (th_state.record)
		n = memory_read_from_buffer(buf, count, &off, th_state.record,
					    th_state.record_len);
	mutex_unlock(&th_state.lock);
	return n;
}

static struct kobj_attribute trigger_attr = __ATTR_WO(trigger);
static struct kobj_attribute remirror_attr = __ATTR_WO(remirror);
static struct kobj_attribute vtpm_state_attr = __ATTR_RO(vtpm_state);
static struct kobj_attribute state_attr = __ATTR_RO(state);
static struct kobj_attribute error_attr = __ATTR_RO(error);
static struct kobj_attribute ptpm_attr = __ATTR_RO(ptpm);
static struct kobj_attribute tis_shim_attr = __ATTR_RO(tis_shim);
static struct kobj_attribute vtpm_attr = __ATTR_RO(vtpm);
static BIN_ATTR_RO(record, 0);

static struct attribute *th_attrs[] = {
	&trigger_attr.attr,
	&state_attr.attr,
	&error_attr.attr,
	&ptpm_attr.attr,
	&tis_shim_attr.attr,
	&vtpm_attr.attr,
	&remirror_attr.attr,
	&vtpm_state_attr.attr,
	NULL,
};

static TH_BIN_ATTR_CONST struct bin_attribute *TH_BIN_ATTR_CONST th_bin_attrs[] = {
	&bin_attr_record,
	NULL,
};

static const struct attribute_group th_group = {
	.attrs = th_attrs,
	.bin_attrs = th_bin_attrs,
};

/*
 * After a commit, suspend and hibernation are refused.  tpm_tis's own
 * suspend and resume callbacks would run on the pTPM chip: they send
 * TPM2_Shutdown(STATE) through the forwarding ops to the vTPM, and on
 * resume rewrite the pTPM's interrupt registers, which belong to the
 * pTPM's new owner by then (design.rst, "What it does not do").
 */
static int th_pm_notify(struct notifier_block *nb, unsigned long event,
			void *unused)
{
	if (event != PM_SUSPEND_PREPARE && event != PM_HIBERNATION_PREPARE)
		return NOTIFY_DONE;
	if (!th_forward_active())
		return NOTIFY_DONE;
	pr_err("%s refused: %s was handed off to a vTPM, and tpm_tis's suspend and resume would touch the pTPM again\n",
	       event == PM_SUSPEND_PREPARE ? "suspend" : "hibernation",
	       dev_name(&th_state.ptpm->dev));
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block th_pm_nb = {
	.notifier_call = th_pm_notify,
};

static int __init tpm_handoff_init(void)
{
	int rc;

	INIT_WORK(&th_state.remirror_work, remirror_work_fn);
	INIT_DELAYED_WORK(&th_state.retry_work, retry_work_fn);
	th_forward_on_behind(fell_behind);
	th_state.ptpm = tpm_default_chip();
	if (!th_state.ptpm) {
		pr_err("no TPM chip: there is nothing to hand off\n");
		return -ENODEV;
	}
	tis_shim_in = th_tis_shim_install(th_state.ptpm, ptpm_locality_wait_ms);
	th_state.kobj = kobject_create_and_add("tpm_handoff", kernel_kobj);
	if (!th_state.kobj) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = register_pm_notifier(&th_pm_nb);
	if (rc)
		goto fail;
	rc = sysfs_create_group(th_state.kobj, &th_group);
	if (rc) {
		unregister_pm_notifier(&th_pm_nb);
		goto fail;
	}
	pr_info("attached to %s; trigger with /sys/kernel/tpm_handoff/trigger\n",
		dev_name(&th_state.ptpm->dev));
	return 0;

fail:
	th_tis_shim_remove(th_state.ptpm);
	kobject_put(th_state.kobj);
	put_device(&th_state.ptpm->dev);
	return rc;
}

/* Only reachable before a commit: a commit pins the module. */
static void __exit tpm_handoff_exit(void)
{
	cancel_delayed_work_sync(&th_state.retry_work);
	unregister_pm_notifier(&th_pm_nb);
	kobject_put(th_state.kobj);
	th_tis_shim_remove(th_state.ptpm);
	kfree(th_state.record);
	put_device(&th_state.ptpm->dev);
}

module_init(tpm_handoff_init);
module_exit(tpm_handoff_exit);

MODULE_DESCRIPTION("Hand a running measured system from its boot TPM over to a vTPM");
MODULE_LICENSE("GPL");
