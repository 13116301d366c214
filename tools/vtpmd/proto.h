/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtpmd: the tpmif v2 shared page as the backend sees it, and checks of
 * everything the (untrusted) frontend writes there.  Pure functions, unit
 * tested on the host (test_proto.c).
 */
#ifndef VTPMD_PROTO_H
#define VTPMD_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* include/xen/interface/io/tpmif.h, v2 */
enum vtpm_state {
	VTPM_STATE_IDLE,
	VTPM_STATE_SUBMIT,
	VTPM_STATE_FINISH,
	VTPM_STATE_CANCEL,
};

#define SHR_LENGTH	0	/* u32 request/response length */
#define SHR_STATE	4	/* u8 */
#define SHR_LOCALITY	5	/* u8 */
#define SHR_NR_EXTRA	7	/* u8 nr_extra_pages */
#define SHR_HDR		8	/* then u32 extra_pages[nr_extra_pages] */
#define TPM_HEADER	10

/* TPM response codes vtpmd answers with when it refuses a request */
#define TPM2_RC_FAILURE		0x101
#define TPM2_RC_LOCALITY	0x107
#define TPM2_RC_COMMAND_SIZE	0x142
#define TPM1_BAD_PARAM_SIZE	0x19
#define TPM1_FAIL		0x09
#define TPM1_BAD_LOCALITY	0x3d

/* Localities a request may name: 0-4 (TPM 2.0 Part 1, TPM 1.2 TIS). */
#define LOCALITY_MAX		4

enum req_verdict {
	REQ_OK,		/* process data[off, off + len) */
	REQ_BAD_SIZE,	/* answer with a size error at off */
	REQ_NO_ROOM,	/* nowhere to answer: go idle */
};

/*
 * check_request() - validate a submitted request in a page of @pagesz bytes.
 * Sets *off to where data starts and *len to the request length.
 * Extra pages are not supported: a request that names any gets a size error.
 */
enum req_verdict check_request(const uint8_t *page, size_t pagesz,
			       size_t *off, size_t *len);

/*
 * error_response() - write a 10-byte TPM error response with @rc into @buf,
 * tagged for TPM 2.0 or TPM 1.2.  Returns its length.
 */
size_t error_response(uint8_t *buf, int tpm2, uint32_t rc);

/*
 * locality_allowed() - may a request run at the locality the frontend
 * wrote into the page?  @mask has bit N set for each allowed locality N.
 */
int locality_allowed(uint8_t locality, unsigned int mask);

/*
 * parse_localities() - "0", "0,2" or "0-3" into a mask of localities
 * 0..LOCALITY_MAX.  Returns 0, or -1 for anything else.
 */
int parse_localities(const char *s, unsigned int *mask);

/* TPM 2.0 PCR banks: hash algorithm identifiers and names. */
#define PCR_BANKS_MAX		8
struct pcr_banks {
	unsigned int nr;
	uint16_t alg[PCR_BANKS_MAX];
	int active[PCR_BANKS_MAX];	/* allocated (a non-empty selection) */
};

/*
 * parse_pcr_banks() - "sha1,sha256" into @b (every bank active).
 * Returns 0, or -1 for an unknown name, a repeated one or too many.
 */
int parse_pcr_banks(const char *s, struct pcr_banks *b);
const char *pcr_bank_name(uint16_t alg);

/*
 * startup_cmd() - TPM2_Startup (TPM 1.2: TPM_Startup) into @buf (>= 12
 * bytes): TPM_SU_CLEAR, or with @state TPM_SU_STATE (TPM 1.2: TPM_ST_CLEAR,
 * TPM_ST_STATE).  Returns its length.
 */
size_t startup_cmd(uint8_t *buf, int tpm2, int state);
/*
 * save_state_cmd() - what saves the state for a Startup(STATE), into @buf
 * (>= 12 bytes): TPM2_Shutdown(TPM_SU_STATE), TPM 1.2: TPM_SaveState.
 * Returns its length.
 */
size_t save_state_cmd(uint8_t *buf, int tpm2);
/*
 * rsp_code() - the response code of a response of @len bytes: >= 0, or -1
 * if it is shorter than a header or its size field disagrees with @len.
 */
long rsp_code(const uint8_t *rsp, size_t len);

/* GetCapability(TPM_CAP_PCRS): the command, into @buf (>= 22 bytes). */
size_t pcrs_cap_cmd(uint8_t *buf);
/*
 * pcrs_cap_rsp() - the banks a GetCapability(TPM_CAP_PCRS) response lists,
 * each active if its selection is not empty.  Returns 0, the TPM's
 * response code (> 0), or -1 for a malformed response.
 */
long pcrs_cap_rsp(const uint8_t *rsp, size_t len, struct pcr_banks *b);
/*
 * pcr_allocate_cmd() - TPM2_PCR_Allocate (platform hierarchy, empty
 * password) of all 24 PCRs in the banks of @all that @want has, none in
 * the others, into @buf (>= 256 bytes).  Returns its length.
 */
size_t pcr_allocate_cmd(uint8_t *buf, const struct pcr_banks *all,
			const struct pcr_banks *want);

uint32_t get_be32(const uint8_t *p);
uint16_t get_be16(const uint8_t *p);
void put_be16(uint8_t *p, uint16_t v);
void put_be32(uint8_t *p, uint32_t v);
uint32_t get_le32(const uint8_t *p);
void put_le32(uint8_t *p, uint32_t v);

#endif
