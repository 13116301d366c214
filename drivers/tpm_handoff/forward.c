// SPDX-License-Identifier: GPL-2.0-only
/*
 * After the commit the pTPM chip keeps its identity (/dev/tpm0,
 * /dev/tpmrm0, its hwrng, the pointer IMA holds) but its ops forward every
 * command to the vTPM chip.  The TPM core calls these ops exactly as it
 * called tpm_tis's: with the pTPM chip's ops_sem held for reading and its
 * tpm_mutex held (tpm_try_get_ops()), or with ops_sem held for writing.
 * Either way one command at a time, which is what protects th_fwd.
 *
 * Every user of the pTPM chip brackets its commands with
 * tpm_chip_start()/tpm_chip_stop() (tpm_try_get_ops() does), and the core
 * asks the ops for a locality at the start and gives it back at the stop.
 * The forwarding ops' "locality" is the vTPM chip itself: request_locality
 * takes its ops (tpm_try_get_ops()), relinquish_locality puts them back.
 * So a whole transaction of the pTPM chip, a /dev/tpmrm0 command with the
 * resource manager's context loads, saves and flushes around it, holds the
 * vTPM chip's locks from start to end, and no user of the vTPM chip's own
 * (/dev/tpmN, /dev/tpmrmN, its hwrng) runs in the middle of it.  The
 * forwarded commands go through the core on the vTPM chip
 * (tpm_transmit_cmd()), so its driver sees ordinary commands.  If the vTPM
 * goes away (its chip was unregistered), the start still succeeds and
 * every command fails in send() with -EPIPE: it never reaches the pTPM
 * again, and send() still sees, and counts, each of IMA's extends.
 *
 * The count is what lets a new vTPM take over without losing or doubling
 * an extend (remirror.c).  IMA appends an entry and then extends it, under
 * its list mutex, so the k-th extend of IMA's PCR that reaches send()
 * after the vTPM last took over is that of log entry base + k (base: the
 * entries the vTPM held then), whether the vTPM answered it or not.  Under
 * the barrier no command is in flight, so the count says which entries
 * reached the forwarder (and are in the log only, if the vTPM failed
 * them) and whether the newest entry's extend still waits for the barrier
 * (it will reach the new vTPM by itself).  IMA's PCR is IMA's: root
 * extending it by hand through /dev/tpm0 breaks the log's validity, as on
 * any TPM, and also this count.
 *
 * Session handles are the TPM's own numbers and outlive transactions: the
 * pTPM chip's users get virtual ones (sessions.c), so that a handle the
 * pTPM gave out before the commit never reaches the vTPM.
 *
 * The ops have no clock or idle callbacks: the core skips them, so
 * tpm_chip_start()/tpm_chip_stop() on the pTPM chip touch no hardware.
 * req_complete_mask = 0 makes the core's status poll end at once: send()
 * already waited for the vTPM's answer.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <tpm_handoff/compat.h>

#include "tpm_handoff_priv.h"
#include <tpm_handoff/tpm_core.h>

/**
 * struct th_forward - the forwarding state
 * @vchip: the vTPM chip (a reference is held for good after commit)
 * @page: the command, then the response
 * @rsp_len: length of the response in @page
 * @held: the vTPM chip's ops are held (between the pTPM chip's start and
 *	stop)
 * @sessions: TPM 2.0: the pTPM chip's users' sessions on the vTPM; NULL
 *	for a TPM 1.2
 * @ima_extends: extends of IMA's PCR that reached fwd_send() since the
 *	vTPM took over, answered or not (see above)
 * @cc_attrs_tbl: the command attribute table the pTPM chip got from us
 *	(the core's own was devm-allocated, and is never freed here)
 * @away: the vTPM chip could not be taken at the last start (it was
 *	unregistered: its backend went away), or did not answer the last
 *	command.  Read without the locks by th_forward_vtpm_away(), for
 *	status only.
 * @behind: the vTPM missed one of IMA's extends (it was away, did not
 *	answer, or answered with an error): its PCRs no longer follow the
 *	log, so nothing is sent to it until a re-mirror brings it (or a new
 *	vTPM) back to the log.  An extend sent after a missed one would make
 *	its PCR a value no prefix of the log gives, for good.
 * @on_behind: called when @behind becomes true (under the pTPM chip's
 *	locks, in the context of whoever extended: it may only queue work)
 *
 * Serialised by the pTPM chip's locks (see above); set up before the commit
 * under the barrier.
 */
static struct th_forward {
	struct tpm_chip *vchip;
	u8 *page;
	size_t rsp_len;
	bool held;
	struct th_sessions *sessions;
	u64 ima_extends;
	u32 *cc_attrs_tbl;
	bool away;
	bool behind;
	void (*on_behind)(void);
} th_fwd;

/* The vTPM missed an extend of IMA's: it gets nothing more (see above). */
static void fwd_fall_behind(void)
{
	if (th_fwd.behind)
		return;
	WRITE_ONCE(th_fwd.behind, true);
	dev_warn(&th_fwd.vchip->dev,
		 "missed an extend of IMA's PCR %u: it gets nothing more until a re-mirror brings it back to the IMA log\n",
		 TH_IMA_PCR);
	if (th_fwd.on_behind)
		th_fwd.on_behind();
}

/*
 * The pTPM chip starts a transaction: hold the vTPM chip for all of it.  A
 * vTPM that was unregistered does not fail the start: send() must see the
 * command (to count IMA's extends), and fails it.
 */
static int fwd_request_locality(struct tpm_chip *chip, int loc)
{
	th_fwd.held = !tpm_try_get_ops(th_fwd.vchip);
	WRITE_ONCE(th_fwd.away, !th_fwd.held);
	return 0;
}

static int fwd_relinquish_locality(struct tpm_chip *chip, int loc)
{
	if (th_fwd.held)
		tpm_put_ops(th_fwd.vchip);
	th_fwd.held = false;
	return 0;
}

/*
 * tpm_transmit_cmd() returns a TPM's response code as an int in a ssize_t:
 * one of 0x80000000 or more comes back negative, like an errno.  It is the
 * TPM's answer if the page holds a response with that code; after a
 * transport error it holds the command, whose code is never that large.
 */
static bool fwd_answered(const u8 *page, u32 cc, ssize_t rc)
{
	return rc >= 0 ||
	       (get_unaligned_be32(page + 6) == (u32)rc && (u32)rc != cc);
}

/* The vTPM started a session that the map has no room for: end it. */
static void fwd_flush(struct tpm_chip *vchip, u32 handle)
{
	struct tpm_buf tb = { .data = th_fwd.page };

	put_unaligned_be16(TPM2_ST_NO_SESSIONS, tb.data);
	put_unaligned_be32(TPM_HEADER_SIZE + 4, tb.data + 2);
	put_unaligned_be32(TPM2_CC_FLUSH_CONTEXT, tb.data + 6);
	put_unaligned_be32(handle, tb.data + TPM_HEADER_SIZE);
	tpm_transmit_cmd(vchip, &tb, 0, NULL);
}

#if TH_TPM_SEND_BUFSIZ
static int fwd_send(struct tpm_chip *chip, u8 *buf, size_t bufsiz,
		    size_t len)
#else
static int fwd_send(struct tpm_chip *chip, u8 *buf, size_t len)
#endif
{
	struct tpm_chip *vchip = th_fwd.vchip;
	struct tpm_buf tb = { .data = th_fwd.page };
	struct th_cmd_sessions cs;
	u32 cc, rc_here = 0, lost;
	bool ima_extend;
	ssize_t rc;

	th_fwd.rsp_len = 0;
	if (len < TPM_HEADER_SIZE || len > PAGE_SIZE)
		return -EINVAL;
	cc = get_unaligned_be32(buf + 6);
	ima_extend = th_is_pcr_extend(buf, len, TH_IMA_PCR);
	/* Counted before anything can fail it: see above. */
	if (ima_extend)
		th_fwd.ima_extends++;
	/*
	 * The vTPM is away (see fwd_request_locality()), or behind the log.
	 * -EPIPE, as tpm_vtpm_proxy's when its other side is gone: the core
	 * does not log it (tpm_try_transmit(), 6.1 to 7.2), so a vTPM away
	 * for long does not add a line per measurement to IMA's own.
	 */
	if (!th_fwd.held || th_fwd.behind) {
		if (ima_extend)
			fwd_fall_behind();
		return -EPIPE;
	}
	memcpy(tb.data, buf, len);

	if (th_fwd.sessions)
		rc_here = th_sessions_command(th_fwd.sessions, tb.data, len,
					      th_cc_attrs(vchip->cc_attrs_tbl,
							  vchip->nr_commands,
							  cc),
					      &cs);
	if (rc_here) {
		/* Answered here: an extend of IMA's that did not happen. */
		if (ima_extend)
			fwd_fall_behind();
		th_fwd.rsp_len = th_sessions_answer(tb.data, rc_here);
		return 0;
	}
	rc = tpm_transmit_cmd(vchip, &tb, 0, NULL);
	/* A vTPM that does not answer (crashed, stopped) is away too. */
	WRITE_ONCE(th_fwd.away, !fwd_answered(tb.data, cc, rc));
	if (ima_extend && rc)
		fwd_fall_behind();
	if (!fwd_answered(tb.data, cc, rc))
		return rc;
	/* A TPM error is an answer like any other. */
	th_fwd.rsp_len = get_unaligned_be32(tb.data + 2);
	if (th_fwd.rsp_len < TPM_HEADER_SIZE || th_fwd.rsp_len > PAGE_SIZE)
		return -EIO;
	if (th_fwd.sessions) {
		lost = th_sessions_response(th_fwd.sessions, &cs, tb.data,
					    &th_fwd.rsp_len);
		if (lost) {
			fwd_flush(vchip, lost);
			th_fwd.rsp_len = th_sessions_answer(tb.data,
							    th_sessions_full_rc());
		}
	}
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
	.request_locality = fwd_request_locality,
	.relinquish_locality = fwd_relinquish_locality,
};

/**
 * th_forward_prepare() - allocate what forwarding needs
 * @tpm2: the chips are TPM 2.0 (their sessions are mapped)
 *
 * Called before the barrier; allocating under it could wait on reclaim
 * for a long time.
 *
 * Return: 0 or -ENOMEM.
 */
int th_forward_prepare(bool tpm2)
{
	if (!th_fwd.page)
		th_fwd.page = (u8 *)__get_free_page(GFP_KERNEL);
	if (tpm2 && !th_fwd.sessions) {
		th_fwd.sessions = kmalloc(sizeof(*th_fwd.sessions), GFP_KERNEL);
		if (th_fwd.sessions)
			th_sessions_init(th_fwd.sessions);
	}
	return th_fwd.page && (!tpm2 || th_fwd.sessions) ? 0 : -ENOMEM;
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
	kfree(th_fwd.sessions);
	th_fwd.sessions = NULL;
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
	kfree(th_fwd.sessions);
	th_fwd.sessions = NULL;
	th_fwd.rsp_len = 0;
	th_fwd.held = false;
	th_fwd.ima_extends = 0;
	th_fwd.cc_attrs_tbl = NULL;
	th_fwd.away = false;
	th_fwd.behind = false;
	th_fwd.on_behind = NULL;
	return vchip;
}
#endif

/**
 * th_forward_vtpm_away() - is the vTPM gone?
 *
 * For status, racy by nature.  The caller keeps the forwarder's chip from
 * being retargeted meanwhile (main.c: no re-mirror runs).
 *
 * Return: true if the vTPM chip that the pTPM chip forwards to was
 * unregistered, or could not be taken or did not answer at the last
 * command.
 */
bool th_forward_vtpm_away(void)
{
	return READ_ONCE(th_fwd.away) || READ_ONCE(th_fwd.behind) ||
	       (th_fwd.vchip && !READ_ONCE(th_fwd.vchip->ops));
}

/**
 * th_forward_vtpm_behind() - did the vTPM miss one of IMA's extends?
 * @vchip: the chip to ask about
 *
 * Return: true if @vchip is the chip the pTPM chip forwards to and it
 * missed an extend of IMA's since it took over: it gets nothing until a
 * re-mirror.  Racy but safe: only a re-mirror clears it.
 */
bool th_forward_vtpm_behind(struct tpm_chip *vchip)
{
	return th_fwd.vchip == vchip && READ_ONCE(th_fwd.behind);
}

/**
 * th_forward_on_behind() - hear when the vTPM falls behind the log
 * @fn: called once each time it does, from an extender's context with the
 *	pTPM chip's locks held: it may only queue work
 *
 * Set before the commit.
 */
void th_forward_on_behind(void (*fn)(void))
{
	th_fwd.on_behind = fn;
}

/**
 * th_forward_ima_extends() - IMA's extends since the vTPM took over
 * @ptpm: the pTPM chip; the caller holds its barrier
 *
 * Return: how many extends of IMA's PCR reached the forwarder since the
 * last th_forward_commit() or th_forward_retarget(), answered or not.
 */
u64 th_forward_ima_extends(struct tpm_chip *ptpm)
{
	lockdep_assert_held_write(&ptpm->ops_sem);
	return th_fwd.ima_extends;
}

/* What the core caches about the TPM behind the chip, from the vTPM's. */
static void fwd_take_chip(struct tpm_chip *ptpm, struct tpm_chip *vchip,
			  u32 *cc_attrs_tbl)
{
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
		th_fwd.cc_attrs_tbl = cc_attrs_tbl;
	}
	th_fwd.vchip = vchip;
	th_fwd.held = false;
	th_fwd.ima_extends = 0;
	WRITE_ONCE(th_fwd.away, false);
	WRITE_ONCE(th_fwd.behind, false);
}

/**
 * th_forward_retarget() - forward the pTPM chip to a new vTPM chip
 * @ptpm: the pTPM chip, already forwarding; the caller holds its barrier
 * @vchip: the new vTPM chip; the caller's reference passes to the forwarder
 * @cc_attrs_tbl: its command attribute table, as for th_forward_commit()
 *	(the old one is freed: no command runs under the barrier)
 *
 * The sessions of the old vTPM died with it: the map starts empty, and a
 * user's old virtual handle gets the answer for a handle that is not
 * loaded.  The count of IMA's extends starts again at 0.
 *
 * Return: the old vTPM chip, whose reference passes back to the caller.
 */
struct tpm_chip *th_forward_retarget(struct tpm_chip *ptpm,
				     struct tpm_chip *vchip,
				     u32 *cc_attrs_tbl)
{
	struct tpm_chip *old = th_fwd.vchip;

	lockdep_assert_held_write(&ptpm->ops_sem);
	if (cc_attrs_tbl && th_fwd.cc_attrs_tbl) {
		ptpm->cc_attrs_tbl = NULL;
		kfree(th_fwd.cc_attrs_tbl);
		th_fwd.cc_attrs_tbl = NULL;
	}
	if (th_fwd.sessions)
		th_sessions_init(th_fwd.sessions);
	fwd_take_chip(ptpm, vchip, cc_attrs_tbl);
	return old;
}

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

	fwd_take_chip(ptpm, vchip, cc_attrs_tbl);
	/* Started by tpm_chip_start() from the next user on. */
	ptpm->locality = -1;
	WRITE_ONCE(ptpm->ops, &th_forward_ops);
}
