/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tpm-handoff: the evidence file that tpm-handoff attest writes and
 * verify --evidence reads (Documentation/attestation.rst, "The evidence
 * file"): one JSON object,
 *
 *	"format": "tpm-handoff-evidence", "version": 1,
 *	"nonce": hex,			the verifier's
 *	"record": text,			the sysfs record (for people: the
 *					verifier uses the IMA log's copy)
 *	"ptpm_ak", "vtpm_ak": {"handle": "0x8101...", "public": hex TPM2B_PUBLIC},
 *	"handoff_quote": {"attest": hex TPMS_ATTEST, "signature": hex TPMT_SIGNATURE},
 *	"vtpm_quote": {"attest", "signature", "pcrs": {"pcrP.BANK": hex, ...}},
 *	"ima_log": base64 binary_runtime_measurements,
 *	"fw_log": base64 binary_bios_measurements, or null
 *
 * Nothing else; every member is required.
 */
#ifndef CLI_EVIDENCE_H
#define CLI_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bank.h"

#define CLI_EVIDENCE_FORMAT	"tpm-handoff-evidence"
#define CLI_EVIDENCE_VERSION	1
#define CLI_EVIDENCE_MAX	(256u << 20)	/* bytes of JSON */

struct cli_blob {
	uint8_t *buf;
	size_t len;
};

struct cli_evidence {
	struct cli_blob nonce;
	char *record;
	uint32_t ptpm_ak, vtpm_ak;
	struct cli_blob ptpm_ak_pub, vtpm_ak_pub;
	struct cli_blob hq_attest, hq_sig;	/* the handoff quote */
	struct cli_blob vq_attest, vq_sig;	/* the vTPM's fresh quote */
	/* Its PCR values: vpcr[P][b] if bit b of vpcr_mask[P]. */
	uint8_t vpcr[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST];
	uint32_t vpcr_mask[CLI_MAX_PCRS];
	struct cli_blob ima_log;
	struct cli_blob fw_log;			/* len 0: none */
};

/*
 * Parse len bytes of JSON text.  0, or -1 with a one-line reason in err
 * (naming the member).  Free with cli_evidence_free() in every case.
 */
int cli_evidence_parse(struct cli_evidence *ev, const char *text, size_t len,
		       char *err, size_t errlen);
/* Write ev as the JSON object and a newline.  0, or -1 (out of memory, I/O). */
int cli_evidence_write(FILE *f, const struct cli_evidence *ev);
void cli_evidence_free(struct cli_evidence *ev);

#endif /* CLI_EVIDENCE_H */
