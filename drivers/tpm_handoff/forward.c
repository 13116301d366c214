// SPDX-License-Identifier: GPL-2.0-only
/*
 * After the commit the pTPM chip keeps its identity (/dev/tpm0,
 * /dev/tpmrm0, its hwrng, the pointer IMA holds) but its ops forward every
 * command to the vTPM chip.  The TPM core calls these ops exactly as it
 * called tpm_tis's: with the pTPM chip's ops_sem held for reading and its
 * tpm_mutex held (tpm_try_get_ops()), or with ops_sem held for writing.
 * Either way one command at a time, which is what protects th_fwd.
 *
 * A forwarded command is sent to the vTPM through the core
 * (tpm_try_get_ops(), tpm_transmit_cmd(), tpm_put_ops()), so the vTPM
 * driver sees an ordinary command.  If the vTPM goes away, commands fail
 * with -ENODEV; they never reach the pTPM again.
 *
 * The ops have no locality, clock or idle callbacks: the core skips them,
 * so tpm_chip_start()/tpm_chip_stop() on the pTPM chip touch no hardware.
 * req_complete_mask = 0 makes the core's status poll end at once: send()
 * already waited for the vTPM's answer.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/gfp.h>
#include <linux/string.h>

#include "tpm_handoff_priv.h"
#include <tpm_handoff/tpm_core.h>

/**
 * struct th_forward - the forwarding state
 * @vchip: the vTPM chip (a reference is held for good after commit)
 * @page: the command, then the response
 * @rsp_len: length of the response in @page
 *
 * Serialised by the pTPM chip's locks (see above); set up before the commit
 * under the barrier.
 */
static struct th_forward {
	struct tpm_chip *vchip;
	u8 *page;
	size_t rsp_len;
} th_fwd;

static int fwd_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct tpm_chip *vchip = th_fwd.vchip;
	struct tpm_buf tb = { .data = th_fwd.page };
	ssize_t rc;

	th_fwd.rsp_len = 0;
	if (len < TPM_HEADER_SIZE || len > PAGE_SIZE)
		return -EINVAL;
	memcpy(tb.data, buf, len);

	if (tpm_try_get_ops(vchip))
		return -ENODEV;		/* the vTPM was unregistered */
	rc = tpm_transmit_cmd(vchip, &tb, 0, NULL);
	tpm_put_ops(vchip);
	if (rc < 0)
		return rc;
	/* A TPM error (rc > 0) is an answer like any other. */
	th_fwd.rsp_len = be32_to_cpu(((struct tpm_header *)tb.data)->length);
	return 0;
}

static int fwd_recv(struct tpm_chip *chip, u8 *buf, size_t len)
{
	size_t n = th_fwd.rsp_len;

	if (n < TPM_HEADER_SIZE || n > PAGE_SIZE)
		return -EIO;
	if (n > len)
		return -EIO;
	memcpy(buf, th_fwd.page, n);
	th_fwd.rsp_len = 0;
	return n;
}

static u8 fwd_status(struct tpm_chip *chip)
{
	return 0;
}

static bool fwd_req_canceled(struct tpm_chip *chip, u8 status)
{
	return false;
}

static void fwd_cancel(struct tpm_chip *chip)
{
}

static const struct tpm_class_ops th_forward_ops = {
	.req_complete_mask = 0,
	.req_complete_val = 0,
	.req_canceled = fwd_req_canceled,
	.status = fwd_status,
	.send = fwd_send,
	.recv = fwd_recv,
	.cancel = fwd_cancel,
};

/**
 * th_forward_prepare() - allocate what forwarding needs
 *
 * Called before the barrier; allocating under it could wait on reclaim
 * for a long time.
 *
 * Return: 0 or -ENOMEM.
 */
int th_forward_prepare(void)
{
	if (th_fwd.page)
		return 0;
	th_fwd.page = (u8 *)__get_free_page(GFP_KERNEL);
	return th_fwd.page ? 0 : -ENOMEM;
}

/**
 * th_forward_unprepare() - free it again after an abort
 */
void th_forward_unprepare(void)
{
	if (th_fwd.vchip)
		return;			/* committed: in use for good */
	free_page((unsigned long)th_fwd.page);
	th_fwd.page = NULL;
}

/**
 * th_forward_active() - has the pTPM chip been switched?
 *
 * Return: true after th_forward_commit().
 */
bool th_forward_active(void)
{
	return th_fwd.vchip;
}

#if IS_ENABLED(CONFIG_TPM_HANDOFF_KUNIT_TEST)
/**
 * th_forward_reset() - forget a commit (KUnit only)
 *
 * The module commits once per boot and forwards for good; the KUnit suite
 * commits in several cases.  Its caller has unregistered the committed
 * pTPM chip, so nothing calls the forwarding ops any more.
 *
 * Return: the vTPM chip the forwarder held (its reference passes to the
 * caller), or NULL.
 */
struct tpm_chip *th_forward_reset(void)
{
	struct tpm_chip *vchip = th_fwd.vchip;

	th_fwd.vchip = NULL;
	free_page((unsigned long)th_fwd.page);
	th_fwd.page = NULL;
	th_fwd.rsp_len = 0;
	return vchip;
}
#endif

/**
 * th_forward_commit() - switch the pTPM chip to the vTPM
 * @ptpm: the pTPM chip; the caller holds its barrier
 * @vchip: the vTPM chip; the caller's reference passes to the forwarder
 * @cc_attrs_tbl: the vTPM's command attribute table, @vchip->nr_commands
 *	entries, allocated by the caller; the chip keeps it for good
 *
 * Refreshes what the core caches about the TPM behind the chip, then
 * installs the forwarding ops.  Cannot fail: everything that can was done
 * before.
 */
void th_forward_commit(struct tpm_chip *ptpm, struct tpm_chip *vchip,
		       u32 *cc_attrs_tbl)
{
	lockdep_assert_held_write(&ptpm->ops_sem);

	ptpm->timeout_a = vchip->timeout_a;
	ptpm->timeout_b = vchip->timeout_b;
	ptpm->timeout_c = vchip->timeout_c;
	ptpm->timeout_d = vchip->timeout_d;
	ptpm->timeout_adjusted = vchip->timeout_adjusted;
	memcpy(ptpm->duration, vchip->duration, sizeof(ptpm->duration));
	ptpm->duration_adjusted = vchip->duration_adjusted;
	if (cc_attrs_tbl) {
		ptpm->cc_attrs_tbl = cc_attrs_tbl;
		ptpm->nr_commands = vchip->nr_commands;
	}

	th_fwd.vchip = vchip;
	ptpm->locality = -1;
	WRITE_ONCE(ptpm->ops, &th_forward_ops);
}
