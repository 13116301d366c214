// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the session handle map (sessions.c): a session the vTPM
 * starts gets a virtual handle, which every place a command names a session
 * maps back; a handle not in the map (one the pTPM gave out before the
 * commit) never reaches the vTPM; sessions leave the map when flushed or
 * ended; GetCapability shows the map's sessions only; malformed commands
 * are answered, not sent.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <tpm_handoff/compat.h>

#include "../tpm_handoff.h"

/* Command attributes: the command index, cHandles, rHandle. */
#define ATTRS(cc, nh, rh) \
	((cc) | (nh) << TPM2_CC_ATTR_CHANDLES | (rh) << TPM2_CC_ATTR_RHANDLE)
#define CC_POLICY_PCR		0x017F
#define CC_HMAC			0x0155
#define CC_GET_RANDOM		0x017B
#define A_START			ATTRS(TH_CC_START_AUTH_SESSION, 2, 1)
#define A_POLICY_PCR		ATTRS(CC_POLICY_PCR, 1, 0)
#define A_HMAC			ATTRS(CC_HMAC, 1, 0)
#define A_FLUSH			ATTRS(TPM2_CC_FLUSH_CONTEXT, 0, 0)
/* libtpms lists FlushContext's flushHandle as a handle. */
#define A_FLUSH_LIBTPMS		ATTRS(TPM2_CC_FLUSH_CONTEXT, 1, 0)
#define A_SAVE			ATTRS(TPM2_CC_CONTEXT_SAVE, 1, 0)
#define A_LOAD			ATTRS(TPM2_CC_CONTEXT_LOAD, 0, 1)
#define A_GETCAP		ATTRS(TPM2_CC_GET_CAPABILITY, 0, 0)

#define HMAC0	0x02000000	/* what TPMs give out first */
#define POLICY0	0x03000000
#define KEY	0x80000001
#define PW	0x40000009

struct msg {
	u8 b[256];
	size_t len;
};

static void put32(struct msg *m, u32 v)
{
	put_unaligned_be32(v, m->b + m->len);
	m->len += 4;
}

static void put16(struct msg *m, u16 v)
{
	put_unaligned_be16(v, m->b + m->len);
	m->len += 2;
}

static void begin(struct msg *m, u16 tag, u32 code)
{
	m->len = 0;
	put16(m, tag);
	put32(m, 0);
	put32(m, code);
}

static void finish(struct msg *m)
{
	put_unaligned_be32(m->len, m->b + 2);
}

/* One session in an authorization area: handle, nonce, attrs, hmac. */
static void put_session(struct msg *m, u32 handle, u8 attrs)
{
	put32(m, handle);
	put16(m, 2);
	put16(m, 0xaaaa);
	m->b[m->len++] = attrs;
	put16(m, 0);
}

/* A command with @nh handles and, if @ns, @ns sessions (continue: @cont). */
static void command(struct msg *m, u32 cc, const u32 *h, unsigned int nh,
		    const u32 *s, unsigned int ns, bool cont)
{
	unsigned int i;
	size_t at;

	begin(m, ns ? TPM2_ST_SESSIONS : TPM2_ST_NO_SESSIONS, cc);
	for (i = 0; i < nh; i++)
		put32(m, h[i]);
	if (ns) {
		at = m->len;
		put32(m, 0);
		for (i = 0; i < ns; i++)
			put_session(m, s[i], cont ? 1 : 0);
		put_unaligned_be32(m->len - at - 4, m->b + at);
	}
	put16(m, 0);		/* a parameter */
	finish(m);
}

/* A response with @rc and, if @rc is 0, the handle @h. */
static void response(struct msg *m, u32 rc, u32 h)
{
	begin(m, TPM2_ST_NO_SESSIONS, rc);
	if (!rc && h)
		put32(m, h);
	finish(m);
}

/* StartAuthSession through the map; the vTPM answers @real. */
static u32 start(struct kunit *test, struct th_sessions *s, u32 real)
{
	static const u32 h[] = { 0x40000007, 0x40000007 };	/* TPM_RH_NULL */
	struct th_cmd_sessions c;
	struct msg m;

	command(&m, TH_CC_START_AUTH_SESSION, h, 2, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(s, m.b, m.len, A_START, &c), 0);
	response(&m, 0, real);
	KUNIT_EXPECT_EQ(test, th_sessions_response(s, &c, m.b, &m.len), 0);
	return get_unaligned_be32(m.b + TPM_HEADER_SIZE);
}

static void sessions_test_start_and_use(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	u32 hmac, policy, hs[] = { PW, 0 };

	th_sessions_init(&s);
	hmac = start(test, &s, HMAC0);
	policy = start(test, &s, POLICY0);
	/* Virtual, not the vTPM's, and of the same type. */
	KUNIT_EXPECT_NE(test, hmac, HMAC0);
	KUNIT_EXPECT_EQ(test, hmac & 0xFF000000, HMAC0);
	KUNIT_EXPECT_EQ(test, policy & 0xFF000000, POLICY0);
	KUNIT_EXPECT_NE(test, hmac & 0xFFFFFF, policy & 0xFFFFFF);

	/* The handle area (PolicyPCR's policySession). */
	command(&m, CC_POLICY_PCR, &policy, 1, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_POLICY_PCR,
						  &c), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)POLICY0);

	/* The authorization area: the password first, then the session. */
	hs[1] = hmac;
	command(&m, CC_HMAC, (u32[]){ KEY }, 1, hs, 2, true);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_HMAC, &c), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)KEY);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 18), (u32)PW);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 18 + 11), (u32)HMAC0);
	KUNIT_EXPECT_EQ(test, c.nr_sessions, 2U);
}

/* The pTPM's handles from before the commit never reach the vTPM. */
static void sessions_test_stale(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m, orig;
	u32 hs[] = { PW, HMAC0 };

	th_sessions_init(&s);
	start(test, &s, HMAC0);		/* someone's live session, on the vTPM */

	command(&m, CC_POLICY_PCR, (u32[]){ POLICY0 }, 1, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_POLICY_PCR,
						  &c), (u32)0x0910);
	command(&m, CC_HMAC, (u32[]){ KEY }, 1, hs, 2, true);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_HMAC, &c),
			(u32)0x0919);		/* REFERENCE_S0 + 1 */
	command(&m, TPM2_CC_CONTEXT_SAVE, (u32[]){ HMAC0 }, 1, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_SAVE, &c),
			(u32)0x0910);		/* the kernel's RM forgets it */
	/* FlushContext(flushHandle): a parameter, not a handle. */
	begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
	put32(&m, HMAC0);
	finish(&m);
	orig = m;
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_FLUSH, &c),
			(u32)0x018B);
	KUNIT_EXPECT_EQ(test, memcmp(m.b, orig.b, m.len), 0);
	/* A transient handle is the core's RM's business, not the map's. */
	begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
	put32(&m, KEY);
	finish(&m);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_FLUSH, &c), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)KEY);
}

/*
 * FlushContext as libtpms describes it (flushHandle a handle) and as the
 * specification does (a parameter): the same bytes, mapped once; a
 * transient handle goes through as it is.
 */
static void sessions_test_flush_attrs(struct kunit *test)
{
	static const u32 attrs[] = { A_FLUSH, A_FLUSH_LIBTPMS };
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	unsigned int i;
	u32 v;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		th_sessions_init(&s);
		v = start(test, &s, POLICY0);
		begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
		put32(&m, KEY);
		finish(&m);
		KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len,
							  attrs[i], &c), 0);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)KEY);
		begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
		put32(&m, v);
		finish(&m);
		KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len,
							  attrs[i], &c), 0);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)POLICY0);
		KUNIT_EXPECT_EQ(test, c.flushed, v);
		response(&m, 0, 0);
		th_sessions_response(&s, &c, m.b, &m.len);
		begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
		put32(&m, v);
		finish(&m);
		KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len,
							  attrs[i], &c),
				(u32)0x018B);
	}
}

static void sessions_test_flush(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	u32 v;

	th_sessions_init(&s);
	v = start(test, &s, HMAC0);
	begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
	put32(&m, v);
	finish(&m);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_FLUSH, &c), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)HMAC0);
	/* A failed flush keeps it. */
	response(&m, 0x018B, 0);
	th_sessions_response(&s, &c, m.b, &m.len);
	begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
	put32(&m, v);
	finish(&m);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_FLUSH, &c), 0);
	response(&m, 0, 0);
	th_sessions_response(&s, &c, m.b, &m.len);
	/* Gone. */
	command(&m, CC_POLICY_PCR, &v, 1, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_POLICY_PCR,
						  &c), (u32)0x0910);
}

/* continueSession clear: the TPM ends the session if the command works. */
static void sessions_test_ending(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	u32 v;

	th_sessions_init(&s);
	v = start(test, &s, HMAC0);
	command(&m, CC_HMAC, (u32[]){ KEY }, 1, &v, 1, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_HMAC, &c), 0);
	response(&m, 0x098E, 0);		/* failed: the session stays */
	th_sessions_response(&s, &c, m.b, &m.len);
	command(&m, CC_HMAC, (u32[]){ KEY }, 1, &v, 1, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_HMAC, &c), 0);
	response(&m, 0, 0);
	th_sessions_response(&s, &c, m.b, &m.len);
	command(&m, CC_HMAC, (u32[]){ KEY }, 1, &v, 1, true);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_HMAC, &c),
			(u32)0x0918);
}

/* A number the vTPM gives out again: the old virtual handle is dead. */
static void sessions_test_reused(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	u32 old, new;

	th_sessions_init(&s);
	old = start(test, &s, HMAC0);
	new = start(test, &s, HMAC0);
	KUNIT_EXPECT_NE(test, old, new);
	command(&m, CC_POLICY_PCR, &old, 1, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_POLICY_PCR,
						  &c), (u32)0x0910);
	command(&m, CC_POLICY_PCR, &new, 1, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_POLICY_PCR,
						  &c), 0);
}

/* ContextSave keeps a session's handle; ContextLoad gives it back. */
static void sessions_test_save_load(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	u32 v;

	th_sessions_init(&s);
	v = start(test, &s, POLICY0);
	command(&m, TPM2_CC_CONTEXT_SAVE, &v, 1, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_SAVE, &c), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)POLICY0);
	response(&m, 0, 0);
	th_sessions_response(&s, &c, m.b, &m.len);
	begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_CONTEXT_LOAD);
	finish(&m);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_LOAD, &c), 0);
	response(&m, 0, POLICY0);
	KUNIT_EXPECT_EQ(test, th_sessions_response(&s, &c, m.b, &m.len), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), v);
	/* A transient object is left alone. */
	response(&m, 0, KEY);
	KUNIT_EXPECT_EQ(test, th_sessions_response(&s, &c, m.b, &m.len), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)KEY);
}

static void sessions_test_getcap(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	u32 v;

	th_sessions_init(&s);
	v = start(test, &s, HMAC0 + 1);
	begin(&m, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	finish(&m);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_GETCAP, &c), 0);
	begin(&m, TPM2_ST_NO_SESSIONS, 0);
	m.b[m.len++] = 0;			/* moreData */
	put32(&m, TPM2_CAP_HANDLES);
	put32(&m, 3);
	put32(&m, HMAC0);			/* someone else's */
	put32(&m, HMAC0 + 1);			/* ours */
	put32(&m, KEY);
	finish(&m);
	KUNIT_EXPECT_EQ(test, th_sessions_response(&s, &c, m.b, &m.len), 0);
	KUNIT_EXPECT_EQ(test, m.len, (size_t)TPM_HEADER_SIZE + 9 + 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 2), (u32)m.len);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 15), 2U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 19), v);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 23), (u32)KEY);
}

static void sessions_test_full(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	unsigned int i;

	th_sessions_init(&s);
	for (i = 0; i < TH_SESSIONS_MAX; i++)
		start(test, &s, HMAC0 + i);
	command(&m, TH_CC_START_AUTH_SESSION, (u32[]){ 0x40000007, 0x40000007 },
		2, NULL, 0, false);
	th_sessions_command(&s, m.b, m.len, A_START, &c);
	response(&m, 0, HMAC0 + i);
	KUNIT_EXPECT_EQ(test, th_sessions_response(&s, &c, m.b, &m.len),
			(u32)(HMAC0 + i));
	KUNIT_EXPECT_EQ(test, th_sessions_answer(m.b, th_sessions_full_rc()),
			(size_t)TPM_HEADER_SIZE);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 6), 0x0905U);
}

static void sessions_test_malformed(struct kunit *test)
{
	struct th_sessions s;
	struct th_cmd_sessions c;
	struct msg m;
	u32 v;

	th_sessions_init(&s);
	v = start(test, &s, HMAC0);
	/* The handle area is cut short. */
	begin(&m, TPM2_ST_NO_SESSIONS, CC_POLICY_PCR);
	put16(&m, 0);
	finish(&m);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_POLICY_PCR,
						  &c), (u32)0x0142);
	/* authorizationSize beyond the command. */
	command(&m, CC_HMAC, (u32[]){ KEY }, 1, &v, 1, true);
	put_unaligned_be32(200, m.b + 14);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_HMAC, &c),
			(u32)0x0144);
	/* A nonce longer than the area. */
	command(&m, CC_HMAC, (u32[]){ KEY }, 1, &v, 1, true);
	put_unaligned_be16(60, m.b + 22);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_HMAC, &c),
			(u32)0x0144);
	/* Four sessions. */
	command(&m, CC_HMAC, (u32[]){ KEY }, 1,
		(u32[]){ PW, PW, PW, PW }, 4, true);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, A_HMAC, &c),
			(u32)0x0144);
	/* Shorter than a header. */
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, 9, A_HMAC, &c),
			(u32)0x0142);
	/* Unknown to the vTPM (attrs 0): sent as it is, for it to refuse. */
	command(&m, 0x2000ABCD, (u32[]){ HMAC0 }, 1, NULL, 0, false);
	KUNIT_EXPECT_EQ(test, th_sessions_command(&s, m.b, m.len, 0, &c), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(m.b + 10), (u32)HMAC0);
}

static void sessions_test_cc_attrs(struct kunit *test)
{
	static const u32 tbl[] = {
		ATTRS(CC_GET_RANDOM, 0, 0),
		ATTRS(TH_CC_START_AUTH_SESSION, 2, 1),
		BIT(29) | 0x0001,			/* a vendor command */
	};

	KUNIT_EXPECT_EQ(test, th_cc_attrs(tbl, 3, TH_CC_START_AUTH_SESSION),
			tbl[1]);
	KUNIT_EXPECT_EQ(test, th_cc_attrs(tbl, 3, 0x20000001), tbl[2]);
	KUNIT_EXPECT_EQ(test, th_cc_attrs(tbl, 3, 0x0001), 0U);
	KUNIT_EXPECT_EQ(test, th_cc_attrs(tbl, 3, 0x1017B), 0U);
	KUNIT_EXPECT_EQ(test, th_cc_attrs(NULL, 0, CC_GET_RANDOM), 0U);
}

static struct kunit_case sessions_test_cases[] = {
	KUNIT_CASE(sessions_test_start_and_use),
	KUNIT_CASE(sessions_test_stale),
	KUNIT_CASE(sessions_test_flush),
	KUNIT_CASE(sessions_test_flush_attrs),
	KUNIT_CASE(sessions_test_ending),
	KUNIT_CASE(sessions_test_reused),
	KUNIT_CASE(sessions_test_save_load),
	KUNIT_CASE(sessions_test_getcap),
	KUNIT_CASE(sessions_test_full),
	KUNIT_CASE(sessions_test_malformed),
	KUNIT_CASE(sessions_test_cc_attrs),
	{}
};

static struct kunit_suite sessions_test_suite = {
	.name = "tpm_handoff_sessions",
	.test_cases = sessions_test_cases,
};

kunit_test_suites(&sessions_test_suite);

MODULE_LICENSE("GPL");
