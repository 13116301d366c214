// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-vtpmd-req: vtpmd's checks of the tpmif v2 shared page the (untrusted)
 * frontend writes (tools/vtpmd/proto.c: check_request(), error_response()),
 * and what serve_request() in vtpmd.c then does with their verdict.
 *
 * Input: u8 mode, then the page.  Mode 0: a 4096-byte page (vtpmd's), the
 * input at its start and zeros after it; else a page of exactly the
 * input's size (at least the 8-byte header), so that ASan sees every read
 * and write past it.
 *
 * Checked: the offset is the header and the grant list, the length is the
 * page's; REQ_OK only for a request with no extra page, at least a TPM
 * header long, inside the page; REQ_BAD_SIZE otherwise when a 10-byte
 * error answer fits at the offset; REQ_NO_ROOM only when it does not.
 * Then, as vtpmd does, the request is copied out of the page or the error
 * response written into it, in buffers of the page's exact size.
 */
#include "proto.h"
#include "fuzz.h"

#define PAGE_SZ 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pagesz, off = 0xdead, len = 0xbeef, want_off;
	uint32_t want_len;
	enum req_verdict v;
	uint8_t *page, *cmd;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (!mode) {
		if (size > PAGE_SZ)
			return 0;
		pagesz = PAGE_SZ;
		page = calloc(1, pagesz);
		FUZZ_ASSERT(page);
		memcpy(page, data, size);
	} else {
		if (size < SHR_HDR)
			return 0;
		pagesz = size;
		page = fuzz_dup(data, size);
	}

	v = check_request(page, pagesz, &off, &len);
	want_off = SHR_HDR + 4 * (size_t)page[SHR_NR_EXTRA];
	want_len = fuzz_le32(page + SHR_LENGTH);
	FUZZ_ASSERT(off == want_off && len == want_len);
	switch (v) {
	case REQ_OK:
		FUZZ_ASSERT(!page[SHR_NR_EXTRA]);
		FUZZ_ASSERT(len >= TPM_HEADER && off + len <= pagesz);
		/* serve_request(): the private copy of the command */
		cmd = malloc(pagesz);
		FUZZ_ASSERT(cmd);
		memcpy(cmd, page + off, len);
		free(cmd);
		break;
	case REQ_BAD_SIZE:
		FUZZ_ASSERT(page[SHR_NR_EXTRA] || len < TPM_HEADER ||
			    len > pagesz - off);
		FUZZ_ASSERT(off + TPM_HEADER <= pagesz);
		/* serve_request(): the error answer at the offset */
		FUZZ_ASSERT(error_response(page + off, mode & 1, TPM2_RC_COMMAND_SIZE) ==
			    TPM_HEADER);
		FUZZ_ASSERT(get_be32(page + off + 2) == TPM_HEADER);
		FUZZ_ASSERT(get_be32(page + off + 6) == TPM2_RC_COMMAND_SIZE);
		break;
	case REQ_NO_ROOM:
		FUZZ_ASSERT(off + TPM_HEADER > pagesz);
		break;
	default:
		FUZZ_ASSERT(!"check_request() returned no verdict");
	}
	free(page);
	return 0;
}
