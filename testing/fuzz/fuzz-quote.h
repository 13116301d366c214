/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz-quote's two halves: fuzz-quote.c runs the module's parsers (kshim,
 * kernel names) and fuzz-quote-mu.c runs tpm2-tss's unmarshalling
 * (Tss2_MU_*), whose headers define the same TPM names as the kernel's;
 * they meet in these plain structures.
 */
#ifndef TESTING_FUZZ_QUOTE_H
#define TESTING_FUZZ_QUOTE_H

#include <stddef.h>
#include <stdint.h>

/* TPM2_ReadPublic's answer, after the header. */
struct fq_public {
	uint16_t pub_len;		/* TPM2B_PUBLIC's size: 0 is an empty one */
	uint16_t type, name_alg, scheme, scheme_hash, sym, policy_len;
	uint32_t attrs;
	uint16_t name_len, qname_len;
	uint8_t name[128];
};

/* A TPMS_ATTEST of a quote. */
struct fq_attest {
	uint32_t magic;
	uint16_t type;
	uint16_t signer_len, extra_len, pcr_digest_len;
	uint8_t signer[128], extra[128], pcr_digest[128];
	uint64_t clock, fw_version;
	uint32_t reset_count, restart_count;
	uint8_t safe;
	uint32_t nr_sel;
	uint16_t sel_alg[16];
	uint8_t sel_size[16];
	uint32_t sel_mask[16];		/* the first 4 bytes of each selection */
};

/* TPM2_Quote's parameters: TPM2B_ATTEST, then TPMT_SIGNATURE. */
struct fq_quote {
	uint16_t attest_len;
	size_t attest_off;		/* where its bytes start in the parameters */
	uint16_t sig_alg, sig_hash;
	size_t sig_len;
};

/* Each: true if tpm2-tss unmarshals @len bytes exactly into @out. */
int fq_mu_public(const uint8_t *buf, size_t len, struct fq_public *out);
int fq_mu_attest(const uint8_t *buf, size_t len, struct fq_attest *out);
int fq_mu_quote(const uint8_t *buf, size_t len, struct fq_quote *out);
int fq_mu_time_info(const uint8_t *buf, size_t len, uint32_t *reset,
		    uint32_t *restart);

#endif /* TESTING_FUZZ_QUOTE_H */
