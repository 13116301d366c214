// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-sessions: the session handle map of drivers/tpm_handoff/sessions.c
 * (th_sessions_command, th_sessions_response), built unchanged (kshim), on
 * commands from any user of /dev/tpm0 and /dev/tpmrm0 and responses from
 * the vTPM.
 *
 * Input: exchanges, until the input runs out, each
 *	u8 kind		which command attributes: 0 StartAuthSession, 1
 *			ContextLoad, 2 FlushContext (as libtpms lists it:
 *			one handle), 3 ContextSave, 4
 *			PolicyPCR (one handle), 5 HMAC (one handle,
 *			sessions), 6 GetCapability, 7 unknown to the vTPM
 *	u8 len		the command's length, then the command
 *	u8 len		the response's length, then the response
 * The command's code is set from the kind (the rest is the input's), each
 * buffer is copied to one of its exact size.
 *
 * Checked, against a reference walk of the command written here from the
 * TPM 2.0 specification: a command the map lets through names, in its
 * handle area, its authorization area and FlushContext's parameter, only
 * session handles that are some entry's vTPM handle, and nothing else in it
 * changed; one it answers gets a known response code.  A response never
 * grows; a GetCapability(TPM_CAP_HANDLES) response lists only the map's
 * virtual handles among its sessions.  The map stays sound: no two live
 * entries share a vTPM handle or a virtual one, and a virtual handle has its
 * session's type and lies in the virtual range.
 */
#include "tpm_handoff.h"
#include "fuzz.h"

#include <asm/unaligned.h>

#define ST_SESSIONS	0x8002
#define HT(h)		((h) & 0xFF000000)

/* Attributes as a TPM lists them: the command's index, cHandles, rHandle. */
#define ATTRS(cc, nh, rh)	((cc) | (nh) << 25 | (rh) << 28)

static const u32 kinds[][2] = {	/* command code, attributes */
	{ TH_CC_START_AUTH_SESSION, ATTRS(TH_CC_START_AUTH_SESSION, 2u, 1u) },
	{ TPM2_CC_CONTEXT_LOAD, ATTRS(TPM2_CC_CONTEXT_LOAD, 0u, 1u) },
	{ TPM2_CC_FLUSH_CONTEXT, ATTRS(TPM2_CC_FLUSH_CONTEXT, 1u, 0u) },
	{ TPM2_CC_CONTEXT_SAVE, ATTRS(TPM2_CC_CONTEXT_SAVE, 1u, 0u) },
	{ 0x017F, ATTRS(0x017Fu, 1u, 0u) },		/* PolicyPCR */
	{ 0x0155, ATTRS(0x0155u, 1u, 0u) },		/* HMAC */
	{ TPM2_CC_GET_CAPABILITY, ATTRS(TPM2_CC_GET_CAPABILITY, 0u, 0u) },
	{ 0x20001234, 0 },				/* unknown */
};

static bool is_session(u32 h)
{
	return HT(h) == 0x02000000 || HT(h) == 0x03000000;
}

static bool is_real(const struct th_sessions *s, u32 h)
{
	for (unsigned int i = 0; i < TH_SESSIONS_MAX; i++)
		if (s->map[i].real && s->map[i].real == h)
			return true;
	return false;
}

static bool is_virt(const struct th_sessions *s, u32 h)
{
	for (unsigned int i = 0; i < TH_SESSIONS_MAX; i++)
		if (s->map[i].real && s->map[i].virt == h)
			return true;
	return false;
}

static void check_map(const struct th_sessions *s)
{
	for (unsigned int i = 0; i < TH_SESSIONS_MAX; i++) {
		const struct th_session_map *a = &s->map[i];

		if (!a->real)
			continue;
		FUZZ_ASSERT(is_session(a->real));
		FUZZ_ASSERT(HT(a->virt) == HT(a->real));
		FUZZ_ASSERT(a->virt & 0x00800000);
		for (unsigned int j = i + 1; j < TH_SESSIONS_MAX; j++) {
			const struct th_session_map *b = &s->map[j];

			if (!b->real)
				continue;
			FUZZ_ASSERT(a->real != b->real);
			FUZZ_ASSERT(a->virt != b->virt);
		}
	}
}

/*
 * Every session handle the command would send is a vTPM handle of the
 * map; bytes other than handles are as they were.  @orig is the command
 * before the map rewrote @cmd.
 */
static void check_sent(const struct th_sessions *s, const u8 *orig,
		       const u8 *cmd, size_t len, u32 cc, u32 attrs)
{
	size_t pos = TPM_HEADER_SIZE, end, i;
	unsigned int nh = cc == TPM2_CC_FLUSH_CONTEXT ? 0 : (attrs >> 25) & 7;
	bool *handle = calloc(len ? len : 1, 1);
	u32 h;

	FUZZ_ASSERT(handle);
	FUZZ_ASSERT(len >= pos + 4 * nh);
	for (i = 0; i < nh; i++, pos += 4)
		memset(handle + pos, 1, 4);
	if (fuzz_be16(cmd) == ST_SESSIONS) {
		FUZZ_ASSERT(len - pos >= 4);
		end = pos + 4 + fuzz_be32(cmd + pos);
		FUZZ_ASSERT(end <= len);
		for (pos += 4; pos < end;) {
			memset(handle + pos, 1, 4);
			pos += 4;
			pos += 2 + fuzz_be16(cmd + pos);
			pos += 1;
			pos += 2 + fuzz_be16(cmd + pos);
		}
		FUZZ_ASSERT(pos == end);
	}
	if (cc == TPM2_CC_FLUSH_CONTEXT) {
		FUZZ_ASSERT(len - pos >= 4);
		memset(handle + pos, 1, 4);
	}
	for (i = 0; i < len; i++) {
		if (!handle[i]) {
			FUZZ_ASSERT(cmd[i] == orig[i]);
			continue;
		}
		h = fuzz_be32(cmd + i);
		FUZZ_ASSERT(!is_session(h) || is_real(s, h));
		FUZZ_ASSERT(!is_session(fuzz_be32(orig + i)) || is_session(h));
		i += 3;
	}
	free(handle);
}

static void check_rsp(const struct th_sessions *s, const u8 *rsp, size_t len,
		      u32 cc)
{
	u32 count;

	if (cc != TPM2_CC_GET_CAPABILITY || len < TPM_HEADER_SIZE + 9 ||
	    fuzz_be32(rsp + 6) || fuzz_be32(rsp + 11) != TPM2_CAP_HANDLES)
		return;
	count = fuzz_be32(rsp + 15);
	if (len != TPM_HEADER_SIZE + 9 + 4 * (size_t)count)
		return;
	for (u32 i = 0; i < count; i++) {
		u32 h = fuzz_be32(rsp + 19 + 4 * i);

		FUZZ_ASSERT(!is_session(h) || is_virt(s, h));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u32 known[] = {
		0x018B, 0x0142, 0x0144, 0x0905,
	};
	struct th_sessions s;
	struct th_cmd_sessions c;
	size_t pos = 0;

	th_sessions_init(&s);
	while (size - pos >= 2) {
		u32 cc = kinds[data[pos] & 7][0], attrs = kinds[data[pos] & 7][1];
		size_t clen = data[pos + 1], rlen, rsp_len;
		u8 *cmd, *orig, *rsp;
		u32 rc, lost;
		bool ok = false;

		pos += 2;
		if (size - pos < clen)
			break;
		cmd = malloc(clen ? clen : 1);
		orig = malloc(clen ? clen : 1);
		FUZZ_ASSERT(cmd && orig);
		memcpy(cmd, data + pos, clen);
		if (clen >= TPM_HEADER_SIZE)
			put_unaligned_be32(cc, cmd + 6);
		memcpy(orig, cmd, clen);
		pos += clen;
		rc = th_sessions_command(&s, cmd, clen, attrs, &c);
		if (rc) {
			for (size_t i = 0; i < ARRAY_SIZE(known); i++)
				ok |= rc == known[i];
			ok |= rc >= 0x0910 && rc < 0x0917;	/* REFERENCE_H */
			ok |= rc >= 0x0918 && rc < 0x091B;	/* REFERENCE_S */
			FUZZ_ASSERT(ok);
		} else if (attrs) {
			check_sent(&s, orig, cmd, clen, cc, attrs);
		} else {
			FUZZ_ASSERT(!memcmp(cmd, orig, clen));
		}
		free(cmd);
		free(orig);
		if (size - pos < 1)
			break;
		rlen = data[pos++];
		if (size - pos < rlen)
			break;
		rsp = malloc(rlen ? rlen : 1);
		FUZZ_ASSERT(rsp);
		memcpy(rsp, data + pos, rlen);
		pos += rlen;
		if (!rc) {
			rsp_len = rlen;
			lost = th_sessions_response(&s, &c, rsp, &rsp_len);
			FUZZ_ASSERT(rsp_len <= rlen);
			FUZZ_ASSERT(!lost || (is_session(lost) && !is_real(&s, lost)));
			if (!lost)
				check_rsp(&s, rsp, rsp_len, cc);
		}
		free(rsp);
		check_map(&s);
	}
	return 0;
}
