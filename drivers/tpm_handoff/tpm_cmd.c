// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM 2.0 and TPM 1.2 commands that tpm_handoff sends itself, and the
 * parsing of their responses.  The TPM core exports tpm_pcr_read()/tpm_pcr_extend(), but
 * both take the chip's ops_sem, which the handoff already holds for writing
 * on the pTPM (the barrier); and tpm_pcr_extend() insists on a digest for
 * every bank of the target chip, while the mirror extends exactly the banks
 * IMA extends.  So the handoff marshals PCR_Read and PCR_Extend here (with
 * the core's tpm_buf helpers) and sends them with tpm_transmit_cmd().
 *
 * Responses come from a TPM (possibly a misbehaving vTPM backend): every
 * length is checked against the buffer before it is used.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/bitops.h>
#include <tpm_handoff/compat.h>

#include "tpm_handoff.h"

#define PCR_SELECT_BYTES	TPM2_PCR_SELECT_MIN	/* 3: PCRs 0-23 */

/**
 * th_tpm2_pcr_read_cmd() - build TPM2_PCR_Read for one bank
 * @buf: a tpm_buf from tpm_buf_init()
 * @alg: the bank (TPM_ALG_*)
 * @pcr_mask: the PCRs to read (bits 0-23)
 *
 * A TPM answers with at most eight digests; it says which in the response
 * (see th_tpm2_pcr_read_rsp()), and the caller asks again for the rest.
 */
void th_tpm2_pcr_read_cmd(struct tpm_buf *buf, u16 alg, u32 pcr_mask)
{
	unsigned int i;

	tpm_buf_reset(buf, TPM2_ST_NO_SESSIONS, TPM2_CC_PCR_READ);
	tpm_buf_append_u32(buf, 1);		/* one selection */
	tpm_buf_append_u16(buf, alg);
	tpm_buf_append_u8(buf, PCR_SELECT_BYTES);
	for (i = 0; i < PCR_SELECT_BYTES; i++)
		tpm_buf_append_u8(buf, (pcr_mask >> (8 * i)) & 0xff);
}

/* A cursor over a response: reads fail once the buffer is exhausted. */
struct rsp {
	const u8 *p;
	size_t left;
};

static bool take(struct rsp *r, void *out, size_t n)
{
	if (r->left < n)
		return false;
	if (out)
		memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

static bool take_u8(struct rsp *r, u8 *v)
{
	return take(r, v, 1);
}

static bool take_u16(struct rsp *r, u16 *v)
{
	__be16 x;

	if (!take(r, &x, sizeof(x)))
		return false;
	*v = be16_to_cpu(x);
	return true;
}

static bool take_u32(struct rsp *r, u32 *v)
{
	__be32 x;

	if (!take(r, &x, sizeof(x)))
		return false;
	*v = be32_to_cpu(x);
	return true;
}

/**
 * th_tpm_rsp_check() - check a response header
 * @rsp: the response
 * @len: bytes received
 * @rc: the TPM return code
 *
 * Return: 0 if the header is well formed and its length is @len,
 * -EPROTO otherwise.
 */
int th_tpm_rsp_check(const u8 *rsp, size_t len, u32 *rc)
{
	if (len < TPM_HEADER_SIZE ||
	    get_unaligned_be32(rsp + 2) != len)
		return -EPROTO;
	*rc = get_unaligned_be32(rsp + 6);
	return 0;
}

/**
 * th_tpm2_pcr_read_rsp() - parse a TPM2_PCR_Read response for one bank
 * @rsp: the response (header included)
 * @len: its length
 * @v: receives the digests read, in @v->val[@bank][pcr]
 * @bank: index of the bank asked for in @v->banks
 * @got: the PCRs the response holds
 *
 * A response with bytes after the last digest is malformed too.
 *
 * Return: 0, -EIO for a TPM error, -EPROTO for a malformed response.
 */
int th_tpm2_pcr_read_rsp(const u8 *rsp, size_t len, struct th_pcr_values *v,
			 unsigned int bank, u32 *got)
{
	u16 alg = v->banks.alg[bank], size = v->banks.size[bank];
	struct rsp r = { .p = rsp + TPM_HEADER_SIZE };
	u32 rc, count, mask = 0;
	unsigned long bits;
	u16 hash, dsize;
	u8 sel_size, sel;
	unsigned int i;
	int pcr;

	*got = 0;
	if (th_tpm_rsp_check(rsp, len, &rc))
		return -EPROTO;
	if (rc)
		return -EIO;
	r.left = len - TPM_HEADER_SIZE;

	if (!take(&r, NULL, 4) || !take_u32(&r, &count) || count > 1)
		return -EPROTO;
	if (count == 1) {
		if (!take_u16(&r, &hash) || hash != alg ||
		    !take_u8(&r, &sel_size) || sel_size > 4)
			return -EPROTO;
		for (i = 0; i < sel_size; i++) {
			if (!take_u8(&r, &sel))
				return -EPROTO;
			mask |= (u32)sel << (8 * i);
		}
	}
	if (mask & ~GENMASK(TH_NR_PCRS - 1, 0))
		return -EPROTO;

	if (!take_u32(&r, &count) || count != hweight32(mask))
		return -EPROTO;
	bits = mask;
	for_each_set_bit(pcr, &bits, TH_NR_PCRS) {
		if (!take_u16(&r, &dsize) || dsize != size ||
		    !take(&r, v->val[bank][pcr], size))
			return -EPROTO;
	}
	/* TPM_ST_NO_SESSIONS: the digests are the last field. */
	if (r.left)
		return -EPROTO;
	*got = mask;
	return 0;
}

/**
 * th_tpm2_pcr_extend_cmd() - build TPM2_PCR_Extend
 * @buf: a tpm_buf from tpm_buf_init()
 * @pcr: the PCR
 * @banks: the banks to extend
 * @dig: per bank, @banks->size[i] bytes
 *
 * Authorises with the empty password, as the kernel does for its own
 * extends (PCRs 0-15 accept any locality and an empty auth value).
 *
 * Return: 0, or -E2BIG if the command does not fit.
 */
int th_tpm2_pcr_extend_cmd(struct tpm_buf *buf, u32 pcr,
			   const struct th_banks *banks, const u8 *const *dig)
{
	unsigned int i;

	tpm_buf_reset(buf, TPM2_ST_SESSIONS, TPM2_CC_PCR_EXTEND);
	buf->flags = 0;
	tpm_buf_append_u32(buf, pcr);
	tpm_buf_append_u32(buf, 9);		/* authorization size */
	tpm_buf_append_u32(buf, TPM2_RS_PW);
	tpm_buf_append_u16(buf, 0);		/* nonce */
	tpm_buf_append_u8(buf, 0);		/* attributes */
	tpm_buf_append_u16(buf, 0);		/* hmac */
	tpm_buf_append_u32(buf, banks->nr);
	for (i = 0; i < banks->nr; i++) {
		tpm_buf_append_u16(buf, banks->alg[i]);
		tpm_buf_append(buf, dig[i], banks->size[i]);
	}
	return buf->flags & TPM_BUF_OVERFLOW ? -E2BIG : 0;
}

/* TPM 1.2 (TCG TPM Main Part 3): tags and ordinals the handoff sends. */
#define TPM1_TAG_RQU_COMMAND	0x00c1
#define TPM1_ORD_EXTEND		0x00000014
#define TPM1_ORD_PCR_READ	0x00000015

/**
 * th_tpm1_pcr_read_cmd() - build TPM_PcrRead
 * @buf: a tpm_buf from tpm_buf_init()
 * @pcr: the PCR (a TPM 1.2 reads one PCR per command)
 */
void th_tpm1_pcr_read_cmd(struct tpm_buf *buf, u32 pcr)
{
	tpm_buf_reset(buf, TPM1_TAG_RQU_COMMAND, TPM1_ORD_PCR_READ);
	tpm_buf_append_u32(buf, pcr);
}

/**
 * th_tpm1_extend_cmd() - build TPM_Extend
 * @buf: a tpm_buf from tpm_buf_init()
 * @pcr: the PCR
 * @digest: the SHA-1 digest to extend
 */
void th_tpm1_extend_cmd(struct tpm_buf *buf, u32 pcr, const u8 *digest)
{
	tpm_buf_reset(buf, TPM1_TAG_RQU_COMMAND, TPM1_ORD_EXTEND);
	tpm_buf_append_u32(buf, pcr);
	tpm_buf_append(buf, digest, SHA1_DIGEST_SIZE);
}

/**
 * th_tpm1_digest_rsp() - parse a TPM_PcrRead or TPM_Extend response
 * @rsp: the response (header included)
 * @len: its length
 * @digest: receives the PCR value it carries (SHA-1)
 *
 * Both answer with exactly one 20-byte PCR value.
 *
 * Return: 0, -EIO for a TPM error, -EPROTO for a malformed response.
 */
int th_tpm1_digest_rsp(const u8 *rsp, size_t len, u8 *digest)
{
	u32 rc;

	if (th_tpm_rsp_check(rsp, len, &rc))
		return -EPROTO;
	if (rc)
		return -EIO;
	if (len != TPM_HEADER_SIZE + SHA1_DIGEST_SIZE)
		return -EPROTO;
	memcpy(digest, rsp + TPM_HEADER_SIZE, SHA1_DIGEST_SIZE);
	return 0;
}

/**
 * th_is_pcr_extend() - is a command an extend of a given PCR?
 * @cmd: the command, as a TPM chip's send() gets it
 * @len: its length
 * @pcr: the PCR
 *
 * TPM2_PCR_Extend and TPM 1.2's TPM_Extend both carry the PCR as the first
 * word after the header (TPM 2.0: the pcrHandle, which for a PCR is its
 * index).  The forwarder counts IMA's extends with this (forward.c).
 *
 * Return: true if @cmd extends @pcr.
 */
bool th_is_pcr_extend(const u8 *cmd, size_t len, u32 pcr)
{
	u16 tag;
	u32 cc;

	if (len < TPM_HEADER_SIZE + 4)
		return false;
	tag = get_unaligned_be16(cmd);
	cc = get_unaligned_be32(cmd + 6);
	if (tag == TPM2_ST_SESSIONS || tag == TPM2_ST_NO_SESSIONS) {
		if (cc != TPM2_CC_PCR_EXTEND)
			return false;
	} else if (tag != TPM1_TAG_RQU_COMMAND || cc != TPM1_ORD_EXTEND) {
		return false;
	}
	return get_unaligned_be32(cmd + TPM_HEADER_SIZE) == pcr;
}
