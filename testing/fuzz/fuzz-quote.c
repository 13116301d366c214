// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-quote: the parsers of drivers/tpm_handoff/quote.c
 * (th_tpm2_read_public_rsp, th_tpm2_quote_rsp, th_attest_parse,
 * th_tpm2_read_clock_rsp, and th_quote_check on what they accept), built unchanged (kshim), on answers
 * from a pTPM or vTPM that may misbehave, against tpm2-tss's own
 * unmarshalling (fuzz-quote-mu.c: Tss2_MU_TPM2B_PUBLIC, TPM2B_NAME,
 * TPMS_ATTEST, TPM2B_ATTEST, TPMT_SIGNATURE, TPMS_TIME_INFO).
 *
 * Input:
 *	u8 ctl		bit 0: write the answer's real length into its header
 *			(so that a mutation inside does not stop at the
 *			length check); bit 1: clear its response code
 *	the bytes	fed to every parser: as a ReadPublic answer, as a
 *			Quote answer, as a ReadClock answer, and (after the
 *			header) as a TPMS_ATTEST
 *
 * Where the module accepts, tpm2-tss accepts the same bytes and reads the
 * same fields; where tpm2-tss accepts and the bytes stay within the
 * module's documented limits (a name of a digest, at most 8 banks of PCRs
 * 0-23, a scheme the key's type has), the module accepts too.
 */
#include "tpm_handoff.h"
#include "fuzz.h"
#include "fuzz-quote.h"

#define ALG_RSA		0x0001
#define ALG_ECC		0x0023

static bool scheme_fits(uint16_t type, uint16_t sym, uint16_t scheme)
{
	if (type != ALG_RSA && type != ALG_ECC)
		return true;			/* not parsed past attributes */
	if (sym != TPM_ALG_NULL && sym != 0x0006 && sym != 0x0013 && sym != 0x0026)
		return false;
	if (scheme == TPM_ALG_NULL)
		return true;
	if (type == ALG_RSA)
		return scheme == 0x0014 || scheme == 0x0015 || scheme == 0x0016 ||
		       scheme == 0x0017;
	return scheme == 0x0018 || scheme == 0x0019 || scheme == 0x001a ||
	       scheme == 0x001b || scheme == 0x001c || scheme == 0x001d;
}

static void check_read_public(const u8 *rsp, size_t len)
{
	struct th_key k;
	struct fq_public m;
	bool hdr = len >= TPM_HEADER_SIZE && fuzz_be32(rsp + 2) == len &&
		   !fuzz_be32(rsp + 6);
	bool mu = hdr && fq_mu_public(rsp + TPM_HEADER_SIZE, len - TPM_HEADER_SIZE, &m);
	int rc;

	memset(&k, 0x5a, sizeof(k));
	rc = th_tpm2_read_public_rsp(rsp, len, &k);
	FUZZ_ASSERT(rc == 0 || rc == -EIO || rc == -EPROTO);
	FUZZ_ASSERT((rc == -EIO) == (len >= TPM_HEADER_SIZE && fuzz_be32(rsp + 2) == len &&
				     fuzz_be32(rsp + 6)));
	if (!rc) {
		FUZZ_ASSERT(hdr);
		FUZZ_ASSERT(k.name_len > 2 && k.name_len <= TH_NAME_MAX);
		FUZZ_ASSERT(fuzz_be16(k.name) == k.name_alg);
	}
	if (!rc && mu) {
		FUZZ_ASSERT(k.type == m.type && k.name_alg == m.name_alg && k.attrs == m.attrs);
		if (k.type == ALG_RSA || k.type == ALG_ECC)
			FUZZ_ASSERT(k.scheme == m.scheme && k.scheme_hash == m.scheme_hash);
		FUZZ_ASSERT(k.name_len == m.name_len && !memcmp(k.name, m.name, k.name_len));
	}
	if (mu && m.pub_len && m.policy_len <= TH_MAX_DIGEST && m.name_len > 2 &&
	    m.name_len <= TH_NAME_MAX && fuzz_be16(m.name) == m.name_alg &&
	    m.qname_len <= TH_NAME_MAX && scheme_fits(m.type, m.sym, m.scheme))
		FUZZ_ASSERT(!rc);
}

static void check_attest(const u8 *buf, size_t len)
{
	struct th_attest a;
	struct fq_attest m;
	bool mu = fq_mu_attest(buf, len, &m);
	int rc = th_attest_parse(buf, len, &a);

	FUZZ_ASSERT(rc == 0 || rc == -EPROTO);
	if (!rc) {
		FUZZ_ASSERT(mu);
		FUZZ_ASSERT(m.magic == 0xff544347 && a.type == m.type);
		FUZZ_ASSERT(a.signer_len == m.signer_len &&
			    !memcmp(a.signer, m.signer, a.signer_len));
		FUZZ_ASSERT(a.extra_len == m.extra_len && !memcmp(a.extra, m.extra, a.extra_len));
		FUZZ_ASSERT(a.clock == m.clock && a.reset_count == m.reset_count &&
			    a.restart_count == m.restart_count && a.safe == m.safe &&
			    a.fw_version == m.fw_version);
		FUZZ_ASSERT(a.nr_sel == m.nr_sel && a.nr_sel <= TH_MAX_BANKS);
		for (unsigned int i = 0; i < a.nr_sel; i++)
			FUZZ_ASSERT(a.sel_alg[i] == m.sel_alg[i] &&
				    a.sel_mask[i] == m.sel_mask[i] &&
				    !(a.sel_mask[i] >> TH_NR_PCRS));
		FUZZ_ASSERT(a.pcr_digest_len == m.pcr_digest_len &&
			    !memcmp(a.pcr_digest, m.pcr_digest, a.pcr_digest_len));
		/* Pointers into the buffer, never past it. */
		FUZZ_ASSERT(a.pcr_digest + a.pcr_digest_len == buf + len);
	}
	/*
	 * tpm2-tss bounds a TPM2B_NAME by sizeof(TPMU_NAME), 68 with the
	 * padding the handle adds to TPMT_HA's 66, and a TPM2B_DATA by
	 * sizeof(TPMT_HA): the module takes a name of a digest (TH_NAME_MAX)
	 * and qualifying data of at most a digest, as the TPM makes them.
	 */
	if (mu && m.magic == 0xff544347 && m.nr_sel <= TH_MAX_BANKS &&
	    m.signer_len <= TH_NAME_MAX && m.extra_len <= TH_MAX_DIGEST) {
		bool fits = true;

		for (unsigned int i = 0; i < m.nr_sel; i++)
			fits &= !(m.sel_mask[i] >> TH_NR_PCRS);
		if (fits)
			FUZZ_ASSERT(!rc);
	}
}

/*
 * A quote with its hashes, freed after each check: kshim's hashes keep
 * every context they made until they are freed.
 */
static struct th_quote *quote_alloc(void)
{
	struct th_key k = {
		.handle = 0x81010002, .scheme_hash = TPM_ALG_SHA256,
		.name_len = 34,
	};
	char err[TH_ERRLEN];
	struct th_quote *q = th_quote_alloc(&k, &k, err);

	FUZZ_ASSERT(!IS_ERR(q));
	return q;
}

static void check_quote(const u8 *rsp, size_t len)
{
	static const struct th_banks banks = {
		.nr = 2, .alg = { TPM_ALG_SHA1, TPM_ALG_SHA256 }, .size = { 20, 32 },
	};
	static struct th_pcr_values snap;
	static struct th_quote parsed;
	struct th_quote *q = &parsed;
	struct fq_quote m;
	bool hdr = len >= TPM_HEADER_SIZE && fuzz_be32(rsp + 2) == len &&
		   !fuzz_be32(rsp + 6);
	size_t params = hdr && len >= TPM_HEADER_SIZE + 4 ? fuzz_be32(rsp + 10) : 0;
	bool in = hdr && len >= TPM_HEADER_SIZE + 4 && params <= len - TPM_HEADER_SIZE - 4;
	bool mu = in && fq_mu_quote(rsp + 14, params, &m);
	char err[TH_ERRLEN];
	int rc;

	q->attest_len = 0;
	q->sig_len = 0;
	rc = th_tpm2_quote_rsp(rsp, len, q);
	FUZZ_ASSERT(rc == 0 || rc == -EIO || rc == -EPROTO);
	if (!rc) {
		FUZZ_ASSERT(in);
		FUZZ_ASSERT(2 + (size_t)q->attest_len + q->sig_len == params);
		FUZZ_ASSERT(!memcmp(q->attest, rsp + 16, q->attest_len));
		FUZZ_ASSERT(!memcmp(q->sig, rsp + 16 + q->attest_len, q->sig_len));
		FUZZ_ASSERT(q->sig_alg == fuzz_be16(q->sig) &&
			    q->sig_hash == fuzz_be16(q->sig + 2));
	}
	if (!rc && mu)
		FUZZ_ASSERT(q->attest_len == m.attest_len && q->sig_alg == m.sig_alg &&
			    q->sig_hash == m.sig_hash);
	if (mu && m.attest_len <= TH_ATTEST_MAX && m.sig_len >= 4 &&
	    m.sig_len <= TH_SIG_MAX &&
	    (m.sig_alg == 0x0014 || m.sig_alg == 0x0016 || m.sig_alg == 0x0018 ||
	     m.sig_alg == 0x001a || m.sig_alg == 0x001b || m.sig_alg == 0x001c ||
	     m.sig_alg == 0x0005))
		FUZZ_ASSERT(!rc);
	if (rc)
		return;

	/*
	 * The check: malformed exactly when th_attest_parse() says so, and
	 * never a pass unless the attestation carries the qualifying data,
	 * the selection and the digest of the (all-zero) snapshot.
	 */
	q = quote_alloc();
	q->attest_len = parsed.attest_len;
	memcpy(q->attest, parsed.attest, parsed.attest_len);
	q->sig_hash = parsed.sig_hash;
	snap.banks = banks;
	q->pcr_mask = 0x7ff;
	q->pcr_hash = TPM_ALG_SHA256;
	rc = th_quote_check(q, &snap, err);
	FUZZ_ASSERT(rc == 0 || rc == -EPROTO || rc == -EBADMSG);
	{
		struct th_attest a;
		u8 want[TH_MAX_DIGEST];
		int n;

		FUZZ_ASSERT((rc == -EPROTO) == !!th_attest_parse(q->attest, q->attest_len, &a));
		if (!rc) {
			n = th_quote_pcr_digest(q, &snap, want);
			FUZZ_ASSERT(a.extra_len == sizeof(q->data) &&
				    !memcmp(a.extra, q->data, sizeof(q->data)));
			FUZZ_ASSERT(a.nr_sel == 2 && a.sel_mask[0] == 0x7ff &&
				    a.sel_mask[1] == 0x7ff);
			FUZZ_ASSERT(a.pcr_digest_len == n && !memcmp(a.pcr_digest, want, n));
			FUZZ_ASSERT(q->sig_hash == TPM_ALG_SHA256);
		}
	}
	th_quote_free(q);
}

static void check_read_clock(const u8 *rsp, size_t len)
{
	bool hdr = len >= TPM_HEADER_SIZE && fuzz_be32(rsp + 2) == len &&
		   !fuzz_be32(rsp + 6);
	u32 reset = 0x5a5a5a5a, restart = 0x5a5a5a5a, mreset, mrestart;
	bool mu = hdr && fq_mu_time_info(rsp + TPM_HEADER_SIZE,
					 len - TPM_HEADER_SIZE, &mreset, &mrestart);
	int rc = th_tpm2_read_clock_rsp(rsp, len, &reset, &restart);

	FUZZ_ASSERT(rc == 0 || rc == -EIO || rc == -EPROTO);
	FUZZ_ASSERT(!rc == mu);
	if (rc)
		FUZZ_ASSERT(reset == 0x5a5a5a5a && restart == 0x5a5a5a5a);
	else
		FUZZ_ASSERT(reset == mreset && restart == mrestart);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 *rsp;
	u8 ctl;

	if (size < 1)
		return 0;
	ctl = data[0];
	data++;
	size--;
	rsp = fuzz_dup(data, size);
	if ((ctl & 1) && size >= TPM_HEADER_SIZE)
		put_unaligned_be32((u32)size, rsp + 2);
	if ((ctl & 2) && size >= TPM_HEADER_SIZE)
		put_unaligned_be32(0, rsp + 6);
	check_read_public(rsp, size);
	check_quote(rsp, size);
	check_read_clock(rsp, size);
	if (size >= TPM_HEADER_SIZE) {
		u8 *a = fuzz_dup(rsp + TPM_HEADER_SIZE, size - TPM_HEADER_SIZE);

		check_attest(a, size - TPM_HEADER_SIZE);
		free(a);
	}
	free(rsp);
	return 0;
}
