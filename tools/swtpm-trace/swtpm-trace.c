// SPDX-License-Identifier: GPL-2.0-only
/*
 * swtpm-trace: an independent oracle over swtpm's command trace.
 *
 * swtpm started with "--log file=F,level=20" writes every command it
 * receives ("SWTPM_IO_Read"), every response it sends ("SWTPM_IO_Write")
 * and every control-channel command ("Ctrl Cmd") as hex.  This tool
 * replays that trace to recompute the PCRs the TPM must hold, without
 * trusting anything the guest says:
 *
 *   swtpm-trace pcrs [--pcr N] [--at-last-read] TRACE
 *	Print "pcrN.<bank>: <hex>" for every bank seen.  With
 *	--at-last-read, print the value recomputed at the moment of the last
 *	successful PCR_Read that covered that PCR and bank (so a guest's read
 *	can be compared even if the guest extended later).
 *   swtpm-trace commands TRACE     (PCR commands also print pcr=N)
 *	List every command with its index, code, name and response code.
 *
 * Every successful PCR_Read in the trace is also checked against the
 * recomputed value; a difference means the trace or this model is wrong
 * and the tool exits 3.  A malformed trace exits 2.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define MAX_PCRS	24
#define MAX_DIGEST	64
#define MAX_MSG		(1 << 20)

enum bank_id { B_SHA1, B_SHA256, B_SHA384, B_SHA512, B_SM3, NR_BANKS };

static const struct bank {
	uint16_t alg;
	const char *name;
	const char *evp;
	unsigned int size;
} banks[NR_BANKS] = {
	[B_SHA1]   = { 0x0004, "sha1",   "SHA1",   20 },
	[B_SHA256] = { 0x000b, "sha256", "SHA256", 32 },
	[B_SHA384] = { 0x000c, "sha384", "SHA384", 48 },
	[B_SHA512] = { 0x000d, "sha512", "SHA512", 64 },
	[B_SM3]    = { 0x0012, "sm3_256", "SM3",   32 },
};

struct pcr {
	uint8_t val[MAX_DIGEST];
	uint8_t at_read[MAX_DIGEST];	/* recomputed value at last read */
	bool read;			/* a successful PCR_Read covered it */
};

struct state {
	struct pcr pcr[NR_BANKS][MAX_PCRS];
	bool seen[NR_BANKS];		/* bank extended or read */
	unsigned long ncmd;
	unsigned long mismatches;
	bool list;
};

struct buf {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
};

static int bank_by_alg(uint16_t alg)
{
	for (int i = 0; i < NR_BANKS; i++)
		if (banks[i].alg == alg)
			return i;
	return -1;
}

static uint32_t get(struct buf *b, unsigned int n)
{
	uint32_t v = 0;

	if (b->err || b->len - b->off < n) {
		b->err = true;
		return 0;
	}
	for (unsigned int i = 0; i < n; i++)
		v = (v << 8) | b->p[b->off++];
	return v;
}

static const uint8_t *take(struct buf *b, size_t n)
{
	const uint8_t *p = b->p + b->off;

	if (b->err || b->len - b->off < n) {
		b->err = true;
		return NULL;
	}
	b->off += n;
	return p;
}

static void reset_pcrs(struct state *s)
{
	for (int b = 0; b < NR_BANKS; b++)
		for (int i = 0; i < MAX_PCRS; i++) {
			/* PCRs 17-22 reset to all ones (TPM 2.0 Part 1, 17.6) */
			memset(s->pcr[b][i].val, i >= 17 && i <= 22 ? 0xff : 0,
			       MAX_DIGEST);
		}
}

static void extend(struct state *s, int b, unsigned int idx,
		   const uint8_t *digest)
{
	const struct bank *bk = &banks[b];
	uint8_t in[2 * MAX_DIGEST];
	unsigned int outlen;

	if (idx >= MAX_PCRS)
		return;
	memcpy(in, s->pcr[b][idx].val, bk->size);
	memcpy(in + bk->size, digest, bk->size);
	if (!EVP_Digest(in, 2 * bk->size, s->pcr[b][idx].val, &outlen,
			EVP_get_digestbyname(bk->evp), NULL)) {
		fprintf(stderr, "swtpm-trace: no %s in libcrypto\n", bk->name);
		exit(2);
	}
	s->seen[b] = true;
}

/* Skip a TPM 2.0 command's authorization area (tag TPM_ST_SESSIONS). */
static void skip_auth(struct buf *c, uint16_t tag)
{
	if (tag == 0x8002)
		take(c, get(c, 4));
}

static void digest_values(struct state *s, struct buf *c, unsigned int pcr)
{
	uint32_t count = get(c, 4);

	for (uint32_t i = 0; i < count && !c->err; i++) {
		int b = bank_by_alg(get(c, 2));
		const uint8_t *d;

		if (b < 0) {
			c->err = true;
			return;
		}
		d = take(c, banks[b].size);
		if (d)
			extend(s, b, pcr, d);
	}
}

static void pcr_read(struct state *s, struct buf *r)
{
	struct { int bank; uint8_t sel[8]; unsigned int n; } sel[NR_BANKS];
	uint32_t nsel, ndig;

	get(r, 4);				/* pcrUpdateCounter */
	nsel = get(r, 4);
	if (nsel > NR_BANKS) {
		r->err = true;
		return;
	}
	for (uint32_t i = 0; i < nsel && !r->err; i++) {
		sel[i].bank = bank_by_alg(get(r, 2));
		sel[i].n = get(r, 1);
		if (sel[i].bank < 0 || sel[i].n > sizeof(sel[i].sel)) {
			r->err = true;
			return;
		}
		{
			const uint8_t *p = take(r, sel[i].n);

			if (p)
				memcpy(sel[i].sel, p, sel[i].n);
		}
	}
	ndig = get(r, 4);
	for (uint32_t i = 0; i < nsel && !r->err; i++) {
		int b = sel[i].bank;

		for (unsigned int p = 0; p < sel[i].n * 8 && p < MAX_PCRS; p++) {
			struct pcr *pc = &s->pcr[b][p];
			const uint8_t *d;
			uint16_t sz;

			if (!(sel[i].sel[p / 8] & (1 << (p % 8))))
				continue;
			if (ndig-- == 0)
				return;
			sz = get(r, 2);
			d = take(r, sz);
			if (!d || sz != banks[b].size) {
				r->err = true;
				return;
			}
			s->seen[b] = true;
			if (memcmp(d, pc->val, sz)) {
				fprintf(stderr,
					"swtpm-trace: command %lu: PCR_Read pcr%u.%s differs from the recomputed value\n",
					s->ncmd, p, banks[b].name);
				s->mismatches++;
			}
			memcpy(pc->at_read, pc->val, sz);
			pc->read = true;
		}
	}
}

static const char *cc_name(uint32_t cc)
{
	switch (cc) {
	case 0x144: return "Startup";
	case 0x145: return "Shutdown";
	case 0x143: return "SelfTest";
	case 0x17a: return "GetCapability";
	case 0x17b: return "GetRandom";
	case 0x17e: return "PCR_Read";
	case 0x182: return "PCR_Extend";
	case 0x13c: return "PCR_Event";
	case 0x13d: return "PCR_Reset";
	case 0x176: return "StartAuthSession";
	case 0x165: return "FlushContext";
	case 0x161: return "ContextLoad";
	case 0x162: return "ContextSave";
	case 0x14:  return "TPM1_Extend";
	case 0x15:  return "TPM1_PCRRead";
	case 0x99:  return "TPM1_Startup";
	default:    return "-";
	}
}

/* Apply one command/response pair to the model. */
static int apply(struct state *s, const uint8_t *cmd, size_t clen,
		 const uint8_t *rsp, size_t rlen)
{
	struct buf c = { cmd, clen, 0, false };
	struct buf r = { rsp, rlen, 0, false };
	uint16_t tag = get(&c, 2);
	uint32_t cc, rc;

	get(&c, 4);
	cc = get(&c, 4);
	get(&r, 2);
	get(&r, 4);
	rc = get(&r, 4);
	if (c.err || r.err)
		return -1;
	s->ncmd++;
	if (s->list) {
		printf("%lu 0x%03x %s rc=0x%x", s->ncmd, cc, cc_name(cc), rc);
		/* The PCR a PCR command names: its first handle. */
		if (clen >= 14 && (cc == 0x182 || cc == 0x13c || cc == 0x13d ||
				   (tag == 0x00c1 && cc == 0x14)))
			printf(" pcr=%u", (unsigned)cmd[10] << 24 |
			       (unsigned)cmd[11] << 16 | cmd[12] << 8 | cmd[13]);
		printf("\n");
	}
	if (rc)
		return 0;

	if (tag == 0x8001 || tag == 0x8002) {
		uint32_t h;

		switch (cc) {
		case 0x144:				/* TPM2_Startup */
			if (get(&c, 2) == 0)		/* TPM_SU_CLEAR */
				reset_pcrs(s);
			break;
		case 0x182:				/* TPM2_PCR_Extend */
			h = get(&c, 4);
			skip_auth(&c, tag);
			digest_values(s, &c, h);
			break;
		case 0x13c:				/* TPM2_PCR_Event */
			h = get(&c, 4);
			if (tag == 0x8002)
				get(&r, 4);		/* parameterSize */
			digest_values(s, &r, h);
			break;
		case 0x13d:				/* TPM2_PCR_Reset */
			h = get(&c, 4);
			for (int b = 0; b < NR_BANKS && h < MAX_PCRS; b++)
				memset(s->pcr[b][h].val, 0, MAX_DIGEST);
			break;
		case 0x17e:				/* TPM2_PCR_Read */
			pcr_read(s, &r);
			break;
		}
	} else if (tag == 0x00c1) {			/* TPM 1.2 */
		uint32_t h;
		const uint8_t *d;

		switch (cc) {
		case 0x99:				/* TPM_Startup */
			if (get(&c, 2) == 1)		/* TPM_ST_CLEAR */
				reset_pcrs(s);
			break;
		case 0x14:				/* TPM_Extend */
			h = get(&c, 4);
			d = take(&c, 20);
			if (d)
				extend(s, B_SHA1, h, d);
			break;
		}
	}
	return c.err || r.err ? -1 : 0;
}

/*
 * Read one record's hex bytes: the lines after a "...: length N" header.
 * Returns the number of bytes read; fewer than N means a truncated trace.
 */
static size_t read_hex(FILE *f, uint8_t *out, size_t want, unsigned long *line)
{
	char *l = NULL;
	size_t cap = 0, got = 0;

	while (got < want) {
		long pos = ftell(f);
		const char *p;

		if (getline(&l, &cap, f) < 0)
			break;
		p = l;
		while (*p == ' ')
			p++;
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1])) {
			fseek(f, pos, SEEK_SET);	/* next header: stop */
			break;
		}
		(*line)++;
		while (got < want && isxdigit((unsigned char)p[0]) &&
		       isxdigit((unsigned char)p[1])) {
			out[got++] = (uint8_t)strtoul((char[]){ p[0], p[1], 0 },
						      NULL, 16);
			p += 2;
			while (*p == ' ')
				p++;
		}
	}
	free(l);
	return got;
}

static int parse(FILE *f, struct state *s)
{
	static uint8_t cmd[MAX_MSG], rsp[MAX_MSG];
	char *l = NULL;
	size_t cap = 0, clen = 0;
	unsigned long line = 0;
	bool have_cmd = false;
	int ret = 0;

	reset_pcrs(s);
	while (getline(&l, &cap, f) >= 0) {
		unsigned long n;
		char *p;

		line++;
		p = strstr(l, ": length ");
		if (!p)
			continue;
		errno = 0;
		n = strtoul(p + 9, NULL, 10);
		if (errno || n > MAX_MSG) {
			fprintf(stderr, "swtpm-trace: line %lu: bad length\n", line);
			ret = 2;
			break;
		}
		if (strstr(l, "SWTPM_IO_Read")) {
			clen = read_hex(f, cmd, n, &line);
			if (clen < n)
				goto truncated;
			have_cmd = true;
		} else if (strstr(l, "SWTPM_IO_Write")) {
			size_t rlen = read_hex(f, rsp, n, &line);

			if (rlen < n)
				goto truncated;
			if (!have_cmd) {
				fprintf(stderr, "swtpm-trace: line %lu: response without a command\n",
					line);
				ret = 2;
				break;
			}
			have_cmd = false;
			if (apply(s, cmd, clen, rsp, rlen)) {
				fprintf(stderr, "swtpm-trace: line %lu: malformed command %lu\n",
					line, s->ncmd);
				ret = 2;
				break;
			}
		} else if (strstr(l, "Ctrl Cmd")) {
			uint8_t c[MAX_DIGEST];
			size_t got = read_hex(f, c, n < sizeof(c) ? n : sizeof(c), &line);

			/* CMD_INIT (2) powers the TPM on afresh: PCRs reset. */
			if (got >= 4 && c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 2)
				reset_pcrs(s);
		}
		continue;
truncated:
		/* A TPM killed mid-record leaves one short record: tolerate. */
		if (getline(&l, &cap, f) >= 0) {
			fprintf(stderr, "swtpm-trace: line %lu: record shorter than its length\n",
				line);
			ret = 2;
		}
		break;
	}
	free(l);
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: swtpm-trace pcrs [--pcr N] [--at-last-read] TRACE\n"
		"       swtpm-trace commands TRACE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct state s;
	bool at_read = false;
	long only = -1;
	const char *path = NULL, *mode;
	FILE *f;
	int ret;

	if (argc < 3)
		usage();
	mode = argv[1];
	if (strcmp(mode, "pcrs") && strcmp(mode, "commands"))
		usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--at-last-read")) {
			at_read = true;
		} else if (!strcmp(argv[i], "--pcr") && i + 1 < argc) {
			char *end;

			only = strtol(argv[++i], &end, 10);
			if (*end || only < 0 || only >= MAX_PCRS)
				usage();
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			usage();
		}
	}
	if (!path)
		usage();
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "swtpm-trace: %s: %s\n", path, strerror(errno));
		return 2;
	}
	s.list = !strcmp(mode, "commands");
	ret = parse(f, &s);
	fclose(f);
	if (ret)
		return ret;

	if (!s.list) {
		for (int i = 0; i < MAX_PCRS; i++) {
			if (only >= 0 && i != only)
				continue;
			for (int b = 0; b < NR_BANKS; b++) {
				const struct pcr *pc = &s.pcr[b][i];

				if (!s.seen[b] || (at_read && !pc->read))
					continue;
				printf("pcr%d.%s: ", i, banks[b].name);
				for (unsigned int k = 0; k < banks[b].size; k++)
					printf("%02x", at_read ? pc->at_read[k] : pc->val[k]);
				printf("\n");
			}
		}
	}
	if (s.mismatches) {
		fprintf(stderr, "swtpm-trace: %lu PCR_Read responses disagree with the replay\n",
			s.mismatches);
		return 3;
	}
	return 0;
}
