// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vTPM's authorization sessions as the pTPM chip's users see them.
 *
 * After the commit two resource managers work on one vTPM: the pTPM
 * chip's (/dev/tpmrm0, and every user of the chip) and the vTPM chip's own
 * (/dev/tpmrmN).  Transient objects never outlive a transaction of either,
 * and forward.c makes each transaction of the pTPM chip atomic against the
 * vTPM chip's users; but session handles are the TPM's own numbers and
 * persist across transactions.  A /dev/tpmrm0 client that started a
 * session on the pTPM before the commit still holds the pTPM's handle for
 * it (0x02000000, say), and the kernel's resource manager flushes, saves
 * and names that handle on the client's behalf, now on the vTPM, where the
 * same number may be someone else's live session.
 *
 * So the forwarder gives the pTPM chip's users handles of their own, as
 * the core's resource manager does for transient objects: a session that
 * the vTPM starts for them (StartAuthSession, or ContextLoad of a session)
 * gets a virtual handle of the same type, in a range TPMs do not allocate
 * from (they number sessions from the bottom of the type's range: libtpms
 * and the TPMs we know from 0x02000000 up), and every command's session
 * handles (handle area, authorization area, FlushContext's parameter) are
 * mapped back.  A session handle that is not in the map, such as a handle
 * that the pTPM gave out before the commit, never reaches the vTPM: the
 * command is answered here as a TPM answers a handle that is not loaded.
 * GetCapability(TPM_CAP_HANDLES) shows the pTPM chip's users their own
 * sessions only.
 *
 * Pure logic on byte buffers (no TPM core, no locks: forward.c calls it
 * under the pTPM chip's locks), also built into the KUnit kernel and a
 * fuzzer.  Commands come from any user of /dev/tpm0 and /dev/tpmrm0:
 * every length is checked against the buffer.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <tpm_handoff/compat.h>

#include "tpm_handoff.h"

#define TH_HT_MASK		0xFF000000
#define TH_HT_HMAC		0x02000000
#define TH_HT_POLICY		0x03000000
/* The virtual handles: type | TH_VIRT_BASE | a counter below it. */
#define TH_VIRT_BASE		0x00800000
#define TH_VIRT_COUNT		0x007FFFFF

/* TPM 2.0 Part 2, 6.6: response codes of the answers given here. */
#define TH_RC_HANDLE_P1		0x018B	/* TPM_RC_HANDLE + TPM_RC_P + _1 */
#define TH_RC_COMMAND_SIZE	0x0142
#define TH_RC_AUTHSIZE		0x0144
#define TH_RC_REFERENCE_H0	0x0910
#define TH_RC_REFERENCE_S0	0x0918
#define TH_RC_SESSION_HANDLES	0x0905
#define TH_RS_PW		0x40000009

#define TH_SESSION_CONTINUE	0x01	/* sessionAttributes.continueSession */
/* TPMA_CC.V: a vendor command (its code has the same bit); not in 6.1. */
#define TH_CC_ATTR_V		BIT(29)

static bool is_session(u32 handle)
{
	u32 type = handle & TH_HT_MASK;

	return type == TH_HT_HMAC || type == TH_HT_POLICY;
}

/**
 * th_sessions_init() - an empty map
 * @s: the map
 */
void th_sessions_init(struct th_sessions *s)
{
	memset(s, 0, sizeof(*s));
}

/**
 * th_cc_attrs() - a command's attributes in a chip's table
 * @tbl: the TPM's command attribute table (TPM2_CAP_COMMANDS)
 * @n: its entries
 * @cc: the command code
 *
 * Return: the attributes, or 0 if the TPM does not implement @cc.
 */
u32 th_cc_attrs(const u32 *tbl, unsigned int n, u32 cc)
{
	unsigned int i;

	if (!tbl || (cc & ~(0xFFFF | TH_CC_ATTR_V)))
		return 0;
	for (i = 0; i < n; i++)
		if ((tbl[i] & 0xFFFF) == (cc & 0xFFFF) &&
		    (tbl[i] & TH_CC_ATTR_V) == (cc & TH_CC_ATTR_V))
			return tbl[i];
	return 0;
}

static struct th_session_map *find_virt(struct th_sessions *s, u32 virt)
{
	unsigned int i;

	for (i = 0; i < TH_SESSIONS_MAX; i++)
		if (s->map[i].real && s->map[i].virt == virt)
			return &s->map[i];
	return NULL;
}

static struct th_session_map *find_real(struct th_sessions *s, u32 real)
{
	unsigned int i;

	for (i = 0; i < TH_SESSIONS_MAX; i++)
		if (s->map[i].real == real)
			return &s->map[i];
	return NULL;
}

/* The virtual handle for the vTPM's session @real, made if need be. */
static u32 map_real(struct th_sessions *s, u32 real, bool fresh)
{
	struct th_session_map *m = find_real(s, real);
	u32 virt;

	/*
	 * A session the vTPM just started: if an old entry has its number,
	 * that session ended behind our back (the TPM reuses numbers only
	 * then), and its virtual handle must not reach the new one.
	 */
	if (m && fresh) {
		m->real = 0;
		m = NULL;
	}
	if (m)
		return m->virt;
	m = find_real(s, 0);
	if (!m)
		return 0;
	do {
		virt = (real & TH_HT_MASK) | TH_VIRT_BASE |
		       (s->next++ & TH_VIRT_COUNT);
	} while (find_virt(s, virt));
	m->real = real;
	m->virt = virt;
	return virt;
}

static void unmap_virt(struct th_sessions *s, u32 virt)
{
	struct th_session_map *m = find_virt(s, virt);

	if (m)
		m->real = 0;
}

/* A virtual session handle at @p becomes the vTPM's; false if unknown. */
static bool to_real(struct th_sessions *s, u8 *p)
{
	struct th_session_map *m = find_virt(s, get_unaligned_be32(p));

	if (!m)
		return false;
	put_unaligned_be32(m->real, p);
	return true;
}

/* The authorization area after the handles: map its session handles. */
static u32 map_auth(struct th_sessions *s, u8 *p, const u8 *end,
		    struct th_cmd_sessions *c)
{
	u32 auth_size, handle;
	const u8 *auth_end;
	u16 n;
	u8 attrs;

	if (end - p < 4)
		return TH_RC_AUTHSIZE;
	auth_size = get_unaligned_be32(p);
	p += 4;
	if (auth_size > end - p)
		return TH_RC_AUTHSIZE;
	auth_end = p + auth_size;
	while (p < auth_end) {
		if (c->nr_sessions == TH_CMD_SESSIONS_MAX || auth_end - p < 4 + 2)
			return TH_RC_AUTHSIZE;
		handle = get_unaligned_be32(p);
		if (is_session(handle) && !to_real(s, p))
			return TH_RC_REFERENCE_S0 + c->nr_sessions;
		p += 4;
		n = get_unaligned_be16(p);		/* nonce */
		if (auth_end - p < 2 + n + 1 + 2)
			return TH_RC_AUTHSIZE;
		p += 2 + n;
		attrs = *p++;
		n = get_unaligned_be16(p);		/* hmac */
		if (auth_end - p < 2 + n)
			return TH_RC_AUTHSIZE;
		p += 2 + n;
		c->session[c->nr_sessions] = is_session(handle) ? handle : 0;
		c->ending[c->nr_sessions] = is_session(handle) &&
					    !(attrs & TH_SESSION_CONTINUE);
		c->nr_sessions++;
	}
	return 0;
}

/**
 * th_sessions_command() - give a command the vTPM's session handles
 * @s: the map
 * @cmd: the command, rewritten in place
 * @len: its length
 * @attrs: its attributes in the vTPM's table (th_cc_attrs()), 0 if the
 *	vTPM does not know it: then it is left as it is, and the vTPM
 *	refuses it without looking at it
 * @c: receives what th_sessions_response() needs
 *
 * Every session handle in the handle area, in the authorization area and
 * in FlushContext's parameter is mapped to the vTPM's.  The password
 * "session" and handles of other types are left as they are.
 *
 * Return: 0: send the command; or a TPM 2.0 response code to answer it
 * with instead, without sending it (a session handle that is not in the
 * map: TPM_RC_REFERENCE_H0 + n in the handle area, TPM_RC_REFERENCE_S0 +
 * n in the authorization area, TPM_RC_HANDLE for FlushContext; or an
 * authorization area or handle area that does not fit the command).
 */
u32 th_sessions_command(struct th_sessions *s, u8 *cmd, size_t len, u32 attrs,
			struct th_cmd_sessions *c)
{
	unsigned int nr_handles, i;
	u8 *p = cmd + TPM_HEADER_SIZE, *end = cmd + len;
	u32 handle;

	memset(c, 0, sizeof(*c));
	if (len < TPM_HEADER_SIZE)
		return TH_RC_COMMAND_SIZE;
	c->cc = get_unaligned_be32(cmd + 6);
	c->attrs = attrs;
	if (!attrs)
		return 0;
	/*
	 * FlushContext's flushHandle follows the header whether a TPM lists
	 * it as a handle (libtpms: cHandles 1) or as a parameter (the
	 * specification's Part 3): it is mapped once, below.
	 */
	nr_handles = c->cc == TPM2_CC_FLUSH_CONTEXT ? 0 :
		     (attrs >> TPM2_CC_ATTR_CHANDLES) & GENMASK(2, 0);
	if (end - p < 4 * nr_handles)
		return TH_RC_COMMAND_SIZE;
	for (i = 0; i < nr_handles; i++, p += 4) {
		handle = get_unaligned_be32(p);
		if (is_session(handle) && !to_real(s, p))
			return TH_RC_REFERENCE_H0 + i;
	}
	if (get_unaligned_be16(cmd) == TPM2_ST_SESSIONS) {
		handle = map_auth(s, p, end, c);
		if (handle)
			return handle;
		p += 4 + get_unaligned_be32(p);
	}
	if (c->cc == TPM2_CC_FLUSH_CONTEXT) {
		if (end - p < 4)
			return TH_RC_COMMAND_SIZE;
		handle = get_unaligned_be32(p);
		if (is_session(handle)) {
			if (!to_real(s, p))
				return TH_RC_HANDLE_P1;
			c->flushed = handle;
		}
	}
	return 0;
}

/* GetCapability(TPM_CAP_HANDLES): sessions shown as the map has them. */
static void map_cap_handles(struct th_sessions *s, u8 *rsp, size_t *len)
{
	u8 *h = rsp + TPM_HEADER_SIZE + 9;
	u32 count, handle, i, j, virt;

	if (*len < TPM_HEADER_SIZE + 9 ||
	    get_unaligned_be32(rsp + TPM_HEADER_SIZE + 1) != TPM2_CAP_HANDLES)
		return;
	count = get_unaligned_be32(rsp + TPM_HEADER_SIZE + 5);
	if (count > (*len - TPM_HEADER_SIZE - 9) / 4 ||
	    *len != TPM_HEADER_SIZE + 9 + 4 * (size_t)count)
		return;		/* malformed: the kernel's checks refuse it */
	for (i = 0, j = 0; i < count; i++) {
		handle = get_unaligned_be32(h + 4 * i);
		if (is_session(handle)) {
			struct th_session_map *m = find_real(s, handle);

			if (!m)
				continue;	/* not the pTPM chip's users' */
			virt = m->virt;
		} else {
			virt = handle;
		}
		put_unaligned_be32(virt, h + 4 * j++);
	}
	put_unaligned_be32(j, rsp + TPM_HEADER_SIZE + 5);
	*len = TPM_HEADER_SIZE + 9 + 4 * j;
	put_unaligned_be32(*len, rsp + 2);
}

/**
 * th_sessions_response() - give a response the pTPM chip's session handles
 * @s: the map
 * @c: what th_sessions_command() noted of the command
 * @rsp: the vTPM's response, rewritten in place
 * @len: its length; updated if it shrinks (GetCapability)
 *
 * A new session gets a virtual handle; a flushed one, or one the command
 * ended (continueSession clear), leaves the map.
 *
 * Return: 0, or the vTPM's handle of a new session that the map has no
 * room for: the caller must flush it on the vTPM and answer with
 * th_sessions_full_rc() instead.
 */
u32 th_sessions_response(struct th_sessions *s, const struct th_cmd_sessions *c,
			 u8 *rsp, size_t *len)
{
	u32 real, virt;
	unsigned int i;

	if (!c->attrs || *len < TPM_HEADER_SIZE ||
	    get_unaligned_be32(rsp + 6) != TPM2_RC_SUCCESS)
		return 0;
	for (i = 0; i < c->nr_sessions; i++)
		if (c->ending[i])
			unmap_virt(s, c->session[i]);
	if (c->flushed)
		unmap_virt(s, c->flushed);
	if (c->cc == TPM2_CC_GET_CAPABILITY)
		map_cap_handles(s, rsp, len);
	if (!(c->attrs & BIT(TPM2_CC_ATTR_RHANDLE)) ||
	    *len < TPM_HEADER_SIZE + 4)
		return 0;
	real = get_unaligned_be32(rsp + TPM_HEADER_SIZE);
	if (!is_session(real))
		return 0;
	virt = map_real(s, real, c->cc == TH_CC_START_AUTH_SESSION);
	if (!virt)
		return real;
	put_unaligned_be32(virt, rsp + TPM_HEADER_SIZE);
	return 0;
}

/**
 * th_sessions_answer() - a response made here, without the vTPM
 * @rsp: at least TPM_HEADER_SIZE bytes
 * @rc: the response code
 *
 * Return: its length.
 */
size_t th_sessions_answer(u8 *rsp, u32 rc)
{
	put_unaligned_be16(TPM2_ST_NO_SESSIONS, rsp);
	put_unaligned_be32(TPM_HEADER_SIZE, rsp + 2);
	put_unaligned_be32(rc, rsp + 6);
	return TPM_HEADER_SIZE;
}

/**
 * th_sessions_full_rc() - the answer to a session the map has no room for
 *
 * Return: TPM_RC_SESSION_HANDLES, as a TPM out of session slots answers.
 */
u32 th_sessions_full_rc(void)
{
	return TH_RC_SESSION_HANDLES;
}
