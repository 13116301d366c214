// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-tpm-rsp: the TPM response parsers of drivers/tpm_handoff/tpm_cmd.c
 * (th_tpm_rsp_check, th_tpm2_pcr_read_rsp, th_tpm1_digest_rsp), built
 * unchanged (kshim), on responses from a TPM that may misbehave.
 *
 * Input:
 *	u8 banks	bits 0-2: number of banks - 1; bits 3-5: the bank asked
 *			(modulo the number); bit 6: write the response's real
 *			length into its header (so that a mutation inside the
 *			response does not stop at the length check); bit 7:
 *			unused
 *	{u16 alg (big-endian), u8 size}[number]	size: 1 + size % 64
 *	u8 mask[3]	PCRs for the command builders
 *	the response
 *
 * Each parser's result is compared with a reference written here from the
 * TPM 2.0 and 1.2 specifications: its return value, th_tpm2_pcr_read_rsp's
 * @got (PCRs 0-23 only) and the whole struct th_pcr_values afterwards,
 * which must differ from what it was only in the asked bank, only in the
 * PCRs the response carries, only in their first size bytes, and there
 * hold the response's digests.  The command builders that go with the
 * parsers (tpm_buf helpers of the shim included) are checked byte by byte.
 */
#include "tpm_handoff.h"
#include "fuzz.h"

#define FILL(i)		((u8)((i) * 7 + 3))

static void fill(void *p, size_t n)
{
	u8 *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = FILL(i);
}

/* The response, parsed from the specification; fills @want like the kernel. */
static int ref_pcr_read(const u8 *rsp, size_t len, struct th_pcr_values *want,
			unsigned int bank, u32 *got)
{
	u16 alg = want->banks.alg[bank], size = want->banks.size[bank];
	size_t pos = TPM_HEADER_SIZE;
	u32 count, mask = 0;
	unsigned int i;

	*got = 0;
	if (len < TPM_HEADER_SIZE || fuzz_be32(rsp + 2) != len)
		return -EPROTO;
	if (fuzz_be32(rsp + 6))
		return -EIO;
	/* pcrUpdateCounter, TPML_PCR_SELECTION.count */
	if (len - pos < 8)
		return -EPROTO;
	count = fuzz_be32(rsp + pos + 4);
	pos += 8;
	if (count > 1)
		return -EPROTO;
	if (count) {
		u8 sel_size;

		if (len - pos < 3 || fuzz_be16(rsp + pos) != alg)
			return -EPROTO;
		sel_size = rsp[pos + 2];
		pos += 3;
		if (sel_size > 4 || len - pos < sel_size)
			return -EPROTO;
		for (i = 0; i < sel_size; i++)
			mask |= (u32)rsp[pos + i] << (8 * i);
		pos += sel_size;
	}
	if (mask >> TH_NR_PCRS)
		return -EPROTO;
	/* TPML_DIGEST: count, then a TPM2B_DIGEST per PCR, lowest first. */
	if (len - pos < 4 || fuzz_be32(rsp + pos) != (u32)__builtin_popcount(mask))
		return -EPROTO;
	pos += 4;
	for (i = 0; i < TH_NR_PCRS; i++) {
		if (!(mask >> i & 1))
			continue;
		if (len - pos < 2 || fuzz_be16(rsp + pos) != size ||
		    len - pos - 2 < size)
			return -EPROTO;
		memcpy(want->val[bank][i], rsp + pos + 2, size);
		pos += 2 + size;
	}
	/* TPM_ST_NO_SESSIONS: nothing follows the digests. */
	if (pos != len)
		return -EPROTO;
	*got = mask;
	return 0;
}

static void check_pcr_read(const u8 *rsp, size_t len, const struct th_banks *banks,
			   unsigned int bank)
{
	struct th_pcr_values *v = malloc(sizeof(*v)), *want = malloc(sizeof(*want));
	u32 got = 0xdeadbeef, want_got;
	int rc, want_rc;

	FUZZ_ASSERT(v && want);
	fill(v, sizeof(*v));
	v->banks = *banks;
	memcpy(want, v, sizeof(*v));
	rc = th_tpm2_pcr_read_rsp(rsp, len, v, bank, &got);
	want_rc = ref_pcr_read(rsp, len, want, bank, &want_got);
	FUZZ_ASSERT(rc == 0 || rc == -EIO || rc == -EPROTO);
	FUZZ_ASSERT(rc == want_rc);
	FUZZ_ASSERT(!(got >> TH_NR_PCRS));
	FUZZ_ASSERT(got == want_got);
	FUZZ_ASSERT(!rc || !got);
	/*
	 * Nothing outside the asked bank, nor past its digest size; then
	 * everything as the reference has it: on success the PCRs in @got
	 * hold the response's digests and the rest is untouched; on a
	 * malformed list of digests the kernel has copied those before the
	 * bad one, and so has the reference.
	 */
	for (unsigned int b = 0; b < TH_MAX_BANKS; b++)
		for (unsigned int p = 0; p < TH_NR_PCRS; p++) {
			const u8 *a = v->val[b][p], *w = want->val[b][p];
			size_t keep = b == bank ? banks->size[b] : 0;

			FUZZ_ASSERT(!memcmp(a + keep, w + keep, TH_MAX_DIGEST - keep));
		}
	FUZZ_ASSERT(!memcmp(&v->banks, &want->banks, sizeof(v->banks)));
	FUZZ_ASSERT(v->valid == want->valid);
	FUZZ_ASSERT(!memcmp(v, want, sizeof(*v)));
	free(v);
	free(want);
}

static void check_rsp_and_tpm1(const u8 *rsp, size_t len)
{
	u8 *digest = malloc(SHA1_DIGEST_SIZE), before[SHA1_DIGEST_SIZE];
	u32 trc = 0x5a5a5a5a;
	int rc, want;

	FUZZ_ASSERT(digest);
	rc = th_tpm_rsp_check(rsp, len, &trc);
	want = len >= TPM_HEADER_SIZE && fuzz_be32(rsp + 2) == len ? 0 : -EPROTO;
	FUZZ_ASSERT(rc == want);
	FUZZ_ASSERT(rc ? trc == 0x5a5a5a5a : trc == fuzz_be32(rsp + 6));

	fill(digest, SHA1_DIGEST_SIZE);
	memcpy(before, digest, SHA1_DIGEST_SIZE);
	rc = th_tpm1_digest_rsp(rsp, len, digest);
	if (want)
		;
	else if (fuzz_be32(rsp + 6))
		want = -EIO;
	else if (len != TPM_HEADER_SIZE + SHA1_DIGEST_SIZE)
		want = -EPROTO;
	FUZZ_ASSERT(rc == want);
	FUZZ_ASSERT(!memcmp(digest, rc ? before : rsp + TPM_HEADER_SIZE,
			    SHA1_DIGEST_SIZE));
	free(digest);
}

/* The commands that go with the responses, byte by byte. */
static void check_cmds(const struct th_banks *banks, unsigned int bank,
		       u32 mask, const u8 *src, size_t src_len)
{
	const u8 *dig[TH_MAX_BANKS];
	u8 digs[TH_MAX_BANKS][TH_MAX_DIGEST];
	struct tpm_buf buf;
	size_t want_len, pos;
	unsigned int i;

	FUZZ_ASSERT(!tpm_buf_init(&buf, 0, 0));

	th_tpm2_pcr_read_cmd(&buf, banks->alg[bank], mask);
	FUZZ_ASSERT(tpm_buf_length(&buf) == 20 && !buf.flags);
	FUZZ_ASSERT(fuzz_be16(buf.data) == TPM2_ST_NO_SESSIONS);
	FUZZ_ASSERT(fuzz_be32(buf.data + 2) == 20);
	FUZZ_ASSERT(fuzz_be32(buf.data + 6) == TPM2_CC_PCR_READ);
	FUZZ_ASSERT(fuzz_be32(buf.data + 10) == 1);
	FUZZ_ASSERT(fuzz_be16(buf.data + 14) == banks->alg[bank]);
	FUZZ_ASSERT(buf.data[16] == 3);
	FUZZ_ASSERT(buf.data[17] == (mask & 0xff) && buf.data[18] == (mask >> 8 & 0xff) &&
		    buf.data[19] == (mask >> 16 & 0xff));

	for (i = 0; i < banks->nr; i++) {
		for (unsigned int k = 0; k < TH_MAX_DIGEST; k++)
			digs[i][k] = src_len ? src[(i * TH_MAX_DIGEST + k) % src_len] : (u8)k;
		dig[i] = digs[i];
	}
	FUZZ_ASSERT(!th_tpm2_pcr_extend_cmd(&buf, mask & 0xffffff, banks, dig));
	want_len = TPM_HEADER_SIZE + 4 + 4 + 9 + 4;
	for (i = 0; i < banks->nr; i++)
		want_len += 2 + banks->size[i];
	FUZZ_ASSERT(tpm_buf_length(&buf) == want_len);
	FUZZ_ASSERT(fuzz_be16(buf.data) == TPM2_ST_SESSIONS);
	FUZZ_ASSERT(fuzz_be32(buf.data + 6) == TPM2_CC_PCR_EXTEND);
	FUZZ_ASSERT(fuzz_be32(buf.data + 10) == (mask & 0xffffff));
	FUZZ_ASSERT(fuzz_be32(buf.data + 14) == 9);
	FUZZ_ASSERT(fuzz_be32(buf.data + 18) == TPM2_RS_PW);
	FUZZ_ASSERT(fuzz_be32(buf.data + 27) == banks->nr);
	for (i = 0, pos = 31; i < banks->nr; i++) {
		FUZZ_ASSERT(fuzz_be16(buf.data + pos) == banks->alg[i]);
		FUZZ_ASSERT(!memcmp(buf.data + pos + 2, dig[i], banks->size[i]));
		pos += 2 + banks->size[i];
	}
	FUZZ_ASSERT(pos == want_len);

	th_tpm1_pcr_read_cmd(&buf, mask);
	FUZZ_ASSERT(tpm_buf_length(&buf) == 14 && fuzz_be16(buf.data) == 0x00c1 &&
		    fuzz_be32(buf.data + 6) == 0x15 && fuzz_be32(buf.data + 10) == mask);
	th_tpm1_extend_cmd(&buf, mask, dig[0]);
	FUZZ_ASSERT(tpm_buf_length(&buf) == 34 && fuzz_be32(buf.data + 6) == 0x14 &&
		    !memcmp(buf.data + 14, dig[0], SHA1_DIGEST_SIZE));
	FUZZ_ASSERT(!buf.flags);
	tpm_buf_destroy(&buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct th_banks banks;
	unsigned int bank, i;
	bool fix_len;
	u32 mask;
	u8 *rsp;

	if (size < 1)
		return 0;
	memset(&banks, 0, sizeof(banks));
	banks.nr = 1 + (data[0] & 7);
	bank = (data[0] >> 3 & 7) % banks.nr;
	fix_len = data[0] & 0x40;
	data++;
	size--;
	if (size < 3 * banks.nr + 3)
		return 0;
	for (i = 0; i < banks.nr; i++) {
		banks.alg[i] = fuzz_be16(data);
		banks.size[i] = 1 + data[2] % TH_MAX_DIGEST;
		data += 3;
		size -= 3;
	}
	mask = (u32)data[0] | (u32)data[1] << 8 | (u32)data[2] << 16;
	data += 3;
	size -= 3;

	rsp = fuzz_dup(data, size);
	if (fix_len && size >= TPM_HEADER_SIZE)
		put_unaligned_be32((u32)size, rsp + 2);
	check_rsp_and_tpm1(rsp, size);
	check_pcr_read(rsp, size, &banks, bank);
	check_cmds(&banks, bank, mask, rsp, size);
	free(rsp);
	return 0;
}
