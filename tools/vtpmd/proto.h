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
#define TPM2_RC_COMMAND_SIZE	0x142
#define TPM1_BAD_PARAM_SIZE	0x19
#define TPM1_FAIL		0x09

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

uint32_t get_be32(const uint8_t *p);
void put_be32(uint8_t *p, uint32_t v);
uint32_t get_le32(const uint8_t *p);
void put_le32(uint8_t *p, uint32_t v);

#endif
