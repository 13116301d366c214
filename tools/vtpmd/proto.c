// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: checks of the tpmif v2 shared page (see proto.h).
 */
#include "proto.h"

uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The shared page's own fields are in the guest's (x86: little) order. */
uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

enum req_verdict check_request(const uint8_t *page, size_t pagesz,
			       size_t *off, size_t *len)
{
	size_t nr = page[SHR_NR_EXTRA];
	size_t o = SHR_HDR + 4 * nr;
	uint32_t l = get_le32(page + SHR_LENGTH);

	*off = o;
	*len = l;
	if (o + TPM_HEADER > pagesz)
		return REQ_NO_ROOM;
	if (nr != 0)
		return REQ_BAD_SIZE;
	if (l < TPM_HEADER || l > pagesz - o)
		return REQ_BAD_SIZE;
	return REQ_OK;
}

size_t error_response(uint8_t *buf, int tpm2, uint32_t rc)
{
	buf[0] = tpm2 ? 0x80 : 0x00;
	buf[1] = tpm2 ? 0x01 : 0xc4;
	put_be32(buf + 2, TPM_HEADER);
	put_be32(buf + 6, rc);
	return TPM_HEADER;
}
