// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: checks of the tpmif v2 shared page, and the few TPM commands
 * vtpmd sends itself (see proto.h).  Pure functions.
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"

uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
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

int locality_allowed(uint8_t locality, unsigned int mask)
{
	return locality <= LOCALITY_MAX && (mask >> locality) & 1;
}

int parse_localities(const char *s, unsigned int *mask)
{
	unsigned int m = 0;
	char *end;

	for (;;) {
		long a, b;

		if (*s < '0' || *s > '9')
			return -1;
		a = strtol(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -1;
			b = strtol(end + 1, &end, 10);
		}
		if (a > LOCALITY_MAX || b > LOCALITY_MAX || a > b)
			return -1;
		for (long l = a; l <= b; l++)
			m |= 1u << l;
		if (!*end)
			break;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
	*mask = m;
	return 0;
}

static const struct {
	uint16_t alg;
	const char *name;
} bank_names[] = {
	{ 0x0004, "sha1" }, { 0x000b, "sha256" }, { 0x000c, "sha384" },
	{ 0x000d, "sha512" }, { 0x0012, "sm3_256" },
};

const char *pcr_bank_name(uint16_t alg)
{
	for (size_t i = 0; i < sizeof(bank_names) / sizeof(*bank_names); i++)
		if (bank_names[i].alg == alg)
			return bank_names[i].name;
	return "unknown";
}

int parse_pcr_banks(const char *s, struct pcr_banks *b)
{
	memset(b, 0, sizeof(*b));
	while (*s) {
		size_t len = strcspn(s, ","), i, k;

		for (i = 0; i < sizeof(bank_names) / sizeof(*bank_names); i++)
			if (strlen(bank_names[i].name) == len &&
			    !strncmp(bank_names[i].name, s, len))
				break;
		if (i == sizeof(bank_names) / sizeof(*bank_names) ||
		    b->nr == PCR_BANKS_MAX)
			return -1;
		for (k = 0; k < b->nr; k++)
			if (b->alg[k] == bank_names[i].alg)
				return -1;
		b->alg[b->nr] = bank_names[i].alg;
		b->active[b->nr++] = 1;
		s += len;
		if (*s == ',' && *++s == '\0')
			return -1;
	}
	return b->nr ? 0 : -1;
}

#define TPM2_ST_NO_SESSIONS	0x8001
#define TPM2_ST_SESSIONS	0x8002
#define TPM2_CC_PCR_ALLOCATE	0x012b
#define TPM2_CC_STARTUP		0x0144
#define TPM2_CC_SHUTDOWN	0x0145
#define TPM2_CC_GET_CAPABILITY	0x017a
#define TPM2_CAP_PCRS		5
#define TPM2_RH_PLATFORM	0x4000000c
#define TPM2_RS_PW		0x40000009
#define TPM2_SU_CLEAR		0x0000
#define TPM2_SU_STATE		0x0001
#define TPM1_TAG_RQU_COMMAND	0x00c1
#define TPM1_ORD_SAVE_STATE	0x00000098
#define TPM1_ORD_STARTUP	0x00000099
#define TPM1_ST_CLEAR		0x0001
#define TPM1_ST_STATE		0x0002

static size_t header(uint8_t *buf, uint16_t tag, uint32_t cc)
{
	put_be16(buf, tag);
	put_be32(buf + 6, cc);
	return TPM_HEADER;
}

size_t startup_cmd(uint8_t *buf, int tpm2, int state)
{
	size_t n = tpm2 ? header(buf, TPM2_ST_NO_SESSIONS, TPM2_CC_STARTUP) :
			  header(buf, TPM1_TAG_RQU_COMMAND, TPM1_ORD_STARTUP);

	if (tpm2)
		put_be16(buf + n, state ? TPM2_SU_STATE : TPM2_SU_CLEAR);
	else
		put_be16(buf + n, state ? TPM1_ST_STATE : TPM1_ST_CLEAR);
	n += 2;
	put_be32(buf + 2, n);
	return n;
}

size_t save_state_cmd(uint8_t *buf, int tpm2)
{
	size_t n;

	if (!tpm2) {
		n = header(buf, TPM1_TAG_RQU_COMMAND, TPM1_ORD_SAVE_STATE);
		put_be32(buf + 2, n);
		return n;
	}
	n = header(buf, TPM2_ST_NO_SESSIONS, TPM2_CC_SHUTDOWN);
	put_be16(buf + n, TPM2_SU_STATE);
	n += 2;
	put_be32(buf + 2, n);
	return n;
}

long rsp_code(const uint8_t *rsp, size_t len)
{
	if (len < TPM_HEADER || get_be32(rsp + 2) != len)
		return -1;
	return get_be32(rsp + 6);
}

size_t pcrs_cap_cmd(uint8_t *buf)
{
	size_t n = header(buf, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);

	put_be32(buf + n, TPM2_CAP_PCRS);
	put_be32(buf + n + 4, 0);
	put_be32(buf + n + 8, 1);
	n += 12;
	put_be32(buf + 2, n);
	return n;
}

long pcrs_cap_rsp(const uint8_t *rsp, size_t len, struct pcr_banks *b)
{
	const uint8_t *p = rsp + TPM_HEADER + 1, *end = rsp + len;
	uint32_t count, rc;

	memset(b, 0, sizeof(*b));
	if (len < TPM_HEADER || get_be32(rsp + 2) != len)
		return -1;
	rc = get_be32(rsp + 6);
	if (rc)
		return rc;
	if (end - p < 8 || get_be32(p) != TPM2_CAP_PCRS)
		return -1;
	count = get_be32(p + 4);
	p += 8;
	if (count > PCR_BANKS_MAX)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		uint8_t n;
		int any = 0;

		if (end - p < 3)
			return -1;
		n = p[2];
		if (end - p < 3 + n)
			return -1;
		for (uint8_t k = 0; k < n; k++)
			any |= p[3 + k];
		b->alg[b->nr] = get_be16(p);
		b->active[b->nr++] = any != 0;
		p += 3 + n;
	}
	return p == end ? 0 : -1;
}

size_t pcr_allocate_cmd(uint8_t *buf, const struct pcr_banks *all,
			const struct pcr_banks *want)
{
	size_t n = header(buf, TPM2_ST_SESSIONS, TPM2_CC_PCR_ALLOCATE);

	put_be32(buf + n, TPM2_RH_PLATFORM);
	put_be32(buf + n + 4, 9);		/* one password session */
	put_be32(buf + n + 8, TPM2_RS_PW);
	memset(buf + n + 12, 0, 5);		/* nonce, attributes, hmac */
	n += 17;
	put_be32(buf + n, all->nr);
	n += 4;
	for (unsigned int i = 0; i < all->nr; i++) {
		uint8_t on = 0;

		for (unsigned int k = 0; k < want->nr; k++)
			if (want->alg[k] == all->alg[i])
				on = 0xff;
		put_be16(buf + n, all->alg[i]);
		buf[n + 2] = 3;				/* 24 PCRs */
		memset(buf + n + 3, on, 3);
		n += 6;
	}
	put_be32(buf + 2, n);
	return n;
}
