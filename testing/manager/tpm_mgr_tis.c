// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm_mgr_tis: a test-only stand-in for the TIS access of Xen's vTPM
 * manager (vtpmmgr), for the scenarios of Documentation/manager.rst.
 *
 * vtpmmgr runs in a domain of its own and is given the pTPM's locality-2
 * registers only: the 4 KiB page at 0xFED42000 (iomem in its config).
 * This module does the same from dom0: it maps that page and nothing
 * else, and carries one TPM command at a time through it, exactly as a
 * TIS driver at locality 2 does (request the locality, commandReady, the
 * command through the FIFO, tpmGo, the answer, commandReady, relinquish).
 * Why not a domain of its own: see manager.rst ("The stand-in").
 *
 * The manager's program (tpm-mgr, tpm2-tss's device TCTI) writes a
 * command to /dev/tpm-mgr and reads the answer, as from /dev/tpm0.  A
 * write that cannot get locality 2 within locality_wait_ms fails with
 * -EBUSY, having withdrawn its request: the manager's documented, retried
 * busy.  key_hold_ms keeps the locality after a key creation's answer, for
 * a TPM whose key generation takes seconds (swtpm's takes milliseconds).
 * keep_locality keeps it after any command until another locality asks for the
 * TPM, and then gives it up only after its next command, as vtpmmgr's
 * driver (mini-os's tpm_tis) does.
 *
 * Never load it outside a test: it gives root a second way into the TPM,
 * at a locality dom0 must leave to the manager.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#define MGR_LOCALITY		2
#define MGR_BUF_SIZE		4096
#define MGR_HEADER_SIZE		10

/* TIS registers of one locality (TCG PC Client PTP, TIS interface). */
#define TIS_ACCESS		0x00
#define TIS_STS			0x18
#define TIS_BURST		0x19
#define TIS_FIFO		0x24

#define ACCESS_VALID		0x80
#define ACCESS_ACTIVE		0x20
#define ACCESS_PENDING		0x04
#define ACCESS_REQUEST_USE	0x02

#define STS_VALID		0x80
#define STS_COMMAND_READY	0x40
#define STS_GO			0x20
#define STS_DATA_AVAIL		0x10
#define STS_DATA_EXPECT		0x08

#define TPM2_CC_CREATE_PRIMARY	0x00000131
#define TPM2_CC_CREATE		0x00000153
#define TPM2_CC_CREATE_LOADED	0x00000191

static unsigned long base = 0xfed40000UL + 0x1000 * MGR_LOCALITY;
module_param(base, ulong, 0444);
MODULE_PARM_DESC(base, "Physical address of the locality's TIS page (default 0xfed42000)");

static unsigned int locality_wait_ms = 10000;
module_param(locality_wait_ms, uint, 0644);
MODULE_PARM_DESC(locality_wait_ms,
		 "How long a command waits for the locality before -EBUSY (ms, default 10000)");

static unsigned int command_wait_ms = 120000;
module_param(command_wait_ms, uint, 0644);
MODULE_PARM_DESC(command_wait_ms,
		 "How long a command may run before -ETIME (ms, default 120000)");

static unsigned int key_hold_ms;
module_param(key_hold_ms, uint, 0644);
MODULE_PARM_DESC(key_hold_ms,
		 "Keep the locality this long after a key creation's answer (ms, default 0)");

static bool keep_locality;
static int keep_locality_set(const char *val, const struct kernel_param *kp);
static const struct kernel_param_ops keep_locality_ops = {
	.set = keep_locality_set,
	.get = param_get_bool,
};
module_param_cb(keep_locality, &keep_locality_ops, &keep_locality, 0644);
MODULE_PARM_DESC(keep_locality,
		 "Keep the locality after a command unless another locality's request is pending, as mini-os's tpm_tis (vtpmmgr's driver) does (default N: relinquish after each command, as Linux's tpm_tis does)");

static unsigned int last_access;
module_param(last_access, uint, 0444);
MODULE_PARM_DESC(last_access, "TPM_ACCESS as the last command's answer left it (diagnostics)");

static unsigned long busy;
module_param(busy, ulong, 0444);
MODULE_PARM_DESC(busy, "Commands refused with -EBUSY: the locality was not granted in time");

/**
 * struct mgr - the device
 * @lock: protects everything below: one exchange at a time, and the
 *	  answer until it is read.  Taken by write() across the exchange
 *	  (it sleeps), by read() and poll(); no other lock nests in it.
 * @regs: the locality's TIS page
 * @buf: the command, then its answer
 * @rsp_len: the answer's length (0: none)
 * @rsp_off: how much of it was read
 */
static struct mgr {
	struct mutex lock;	/* the exchange and the answer */
	void __iomem *regs;
	u8 buf[MGR_BUF_SIZE];
	size_t rsp_len;
	size_t rsp_off;
} mgr = {
	.lock = __MUTEX_INITIALIZER(mgr.lock),
};

/* Wait until (@reg & @mask) == @want, polling; false on timeout. */
static bool mgr_wait(unsigned int reg, u8 mask, u8 want, unsigned int ms)
{
	unsigned long stop = jiffies + msecs_to_jiffies(ms);

	for (;;) {
		if ((ioread8(mgr.regs + reg) & mask) == want)
			return true;
		if (time_after(jiffies, stop))
			return false;
		usleep_range(500, 1000);
	}
}

static int mgr_request_locality(void)
{
	u8 granted = ACCESS_VALID | ACCESS_ACTIVE;
	u8 mask = granted | ACCESS_REQUEST_USE;

	if ((ioread8(mgr.regs + TIS_ACCESS) & mask) == granted)
		return 0;
	iowrite8(ACCESS_REQUEST_USE, mgr.regs + TIS_ACCESS);
	if (mgr_wait(TIS_ACCESS, mask, granted, READ_ONCE(locality_wait_ms)))
		return 0;
	/* Withdraw the request: writing activeLocality clears a pending one. */
	iowrite8(ACCESS_ACTIVE, mgr.regs + TIS_ACCESS);
	WRITE_ONCE(busy, busy + 1);
	return -EBUSY;
}

static void mgr_relinquish(void)
{
	iowrite8(ACCESS_ACTIVE, mgr.regs + TIS_ACCESS);
}

/* Clearing keep_locality gives a kept locality back at once. */
static int keep_locality_set(const char *val, const struct kernel_param *kp)
{
	int rc;

	mutex_lock(&mgr.lock);
	rc = param_set_bool(val, kp);
	if (!rc && !keep_locality && mgr.regs)
		mgr_relinquish();
	mutex_unlock(&mgr.lock);
	return rc;
}

static unsigned int mgr_burst(void)
{
	unsigned long stop = jiffies + msecs_to_jiffies(2000);
	unsigned int n;

	do {
		n = ioread8(mgr.regs + TIS_BURST) |
		    ioread8(mgr.regs + TIS_BURST + 1) << 8;
		if (n)
			return n;
		usleep_range(500, 1000);
	} while (!time_after(jiffies, stop));
	return 0;
}

static int mgr_fifo_write(const u8 *p, size_t len)
{
	while (len) {
		unsigned int n = mgr_burst();

		if (!n)
			return -ETIME;
		for (; n && len; n--, len--)
			iowrite8(*p++, mgr.regs + TIS_FIFO);
	}
	return 0;
}

static int mgr_fifo_read(u8 *p, size_t len)
{
	while (len) {
		unsigned int n = mgr_burst();

		if (!n)
			return -ETIME;
		for (; n && len; n--, len--)
			*p++ = ioread8(mgr.regs + TIS_FIFO);
	}
	return 0;
}

/* Send mgr.buf[0, len) and read the answer into mgr.buf.  Holds the lock. */
static int mgr_exchange(size_t len)
{
	u32 cc = get_unaligned_be32(mgr.buf + 6);
	size_t rsp;
	int rc;

	rc = mgr_request_locality();
	if (rc)
		return rc;
	iowrite8(STS_COMMAND_READY, mgr.regs + TIS_STS);
	rc = -ETIME;
	if (!mgr_wait(TIS_STS, STS_COMMAND_READY, STS_COMMAND_READY, 2000))
		goto out;
	rc = mgr_fifo_write(mgr.buf, len);
	if (rc)
		goto out;
	rc = -EIO;
	if (!mgr_wait(TIS_STS, STS_VALID | STS_DATA_EXPECT, STS_VALID, 750))
		goto out;
	iowrite8(STS_GO, mgr.regs + TIS_STS);
	rc = -ETIME;
	if (!mgr_wait(TIS_STS, STS_VALID | STS_DATA_AVAIL,
		      STS_VALID | STS_DATA_AVAIL, READ_ONCE(command_wait_ms)))
		goto out;
	rc = mgr_fifo_read(mgr.buf, MGR_HEADER_SIZE);
	if (rc)
		goto out;
	rsp = get_unaligned_be32(mgr.buf + 2);
	rc = -EIO;
	if (rsp < MGR_HEADER_SIZE || rsp > MGR_BUF_SIZE)
		goto out;
	rc = mgr_fifo_read(mgr.buf + MGR_HEADER_SIZE, rsp - MGR_HEADER_SIZE);
	if (rc)
		goto out;
	mgr.rsp_len = rsp;
	mgr.rsp_off = 0;
	if (cc == TPM2_CC_CREATE_PRIMARY || cc == TPM2_CC_CREATE ||
	    cc == TPM2_CC_CREATE_LOADED)
		msleep(READ_ONCE(key_hold_ms));
out:
	iowrite8(STS_COMMAND_READY, mgr.regs + TIS_STS);
	/*
	 * mini-os's release_locality(tpm, l, 0) after each command: only
	 * for another locality's pending request.  Idle, it keeps the TPM.
	 */
	WRITE_ONCE(last_access, ioread8(mgr.regs + TIS_ACCESS));
	if (!READ_ONCE(keep_locality) || rc || (last_access & ACCESS_PENDING))
		mgr_relinquish();
	return rc;
}

static ssize_t mgr_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *off)
{
	ssize_t rc;

	if (len < MGR_HEADER_SIZE || len > MGR_BUF_SIZE)
		return -EINVAL;
	mutex_lock(&mgr.lock);
	mgr.rsp_len = 0;
	mgr.rsp_off = 0;
	rc = -EFAULT;
	if (copy_from_user(mgr.buf, ubuf, len))
		goto out;
	rc = -EINVAL;
	if (get_unaligned_be32(mgr.buf + 2) != len)
		goto out;
	rc = mgr_exchange(len);
	if (!rc)
		rc = len;
out:
	mutex_unlock(&mgr.lock);
	return rc;
}

/* The answer, whole or in parts (tpm2-tss's device TCTI reads either way). */
static ssize_t mgr_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *off)
{
	ssize_t rc;

	mutex_lock(&mgr.lock);
	len = min(len, mgr.rsp_len - mgr.rsp_off);
	rc = -EFAULT;
	if (!copy_to_user(ubuf, mgr.buf + mgr.rsp_off, len)) {
		mgr.rsp_off += len;
		rc = len;
	}
	if (mgr.rsp_off == mgr.rsp_len) {
		mgr.rsp_len = 0;
		mgr.rsp_off = 0;
	}
	mutex_unlock(&mgr.lock);
	return rc;
}

/* The exchange ends in write(): an answer is either there or not. */
static __poll_t mgr_poll(struct file *file, poll_table *wait)
{
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	/* Held: an exchange is under way, whose answer is not there yet. */
	if (!mutex_trylock(&mgr.lock))
		return 0;
	if (mgr.rsp_len > mgr.rsp_off)
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&mgr.lock);
	return mask;
}

static const struct file_operations mgr_fops = {
	.owner = THIS_MODULE,
	.write = mgr_write,
	.read = mgr_read,
	.poll = mgr_poll,
};

static struct miscdevice mgr_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "tpm-mgr",
	.fops = &mgr_fops,
	.mode = 0600,
};

static int __init mgr_init(void)
{
	int rc;

	/*
	 * No request_mem_region(): tpm_tis holds the TIS's regions, as the
	 * hypervisor's would be beside a manager's domain.  Only this page.
	 */
	mgr.regs = ioremap(base, PAGE_SIZE);
	if (!mgr.regs)
		return -ENOMEM;
	if (!(ioread8(mgr.regs + TIS_ACCESS) & ACCESS_VALID)) {
		pr_err("no TIS locality at %#lx (TPM_ACCESS %#x)\n", base,
		       ioread8(mgr.regs + TIS_ACCESS));
		iounmap(mgr.regs);
		return -ENODEV;
	}
	rc = misc_register(&mgr_dev);
	if (rc) {
		iounmap(mgr.regs);
		return rc;
	}
	pr_info("locality %d's TIS page at %#lx: /dev/%s\n", MGR_LOCALITY,
		base, mgr_dev.name);
	return 0;
}

static void __exit mgr_exit(void)
{
	misc_deregister(&mgr_dev);
	/* A kept locality goes back with the module. */
	mgr_relinquish();
	iounmap(mgr.regs);
}

module_init(mgr_init);
module_exit(mgr_exit);
MODULE_DESCRIPTION("Test stand-in for Xen's vTPM manager's locality-2 TIS access");
MODULE_LICENSE("GPL");
