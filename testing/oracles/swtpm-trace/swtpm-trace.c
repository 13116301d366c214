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
 *   swtpm-trace pcrs --at-quote TRACE
 *	The values at the last successful TPM2_Quote.
 *   swtpm-trace quote TRACE
 *	The last successful TPM2_Quote, as the TPM saw and answered it:
 *	"quote_handle: 0x81..", "quote_data: <qualifyingData hex>",
 *	"quote_attest: <TPMS_ATTEST hex>", "quote_signature: <TPMT_SIGNATURE
 *	hex>" (exit 1 if there is none).
 *   swtpm-trace commands TRACE
 *	List every command: "index 0xCODE Name rc=0xRC [pcr=N[,M...]]",
 *	with pcr= for the commands that name PCRs (extend, event, reset, and
 *	TPM 1.2's single-PCR read).
 *
 * Each command's family comes from its tag: 0x8001/0x8002 are TPM 2.0,
 * 0x00C1/0x00C2/0x00C3 are TPM 1.2 (whose only bank is sha1).  TPM 1.2
 * ordinals that do what a TPM 2.0 command does are listed under the TPM 2.0
 * name (TPM_Extend is PCR_Extend, TPM_PCRRead is PCR_Read, TPM_PCR_Reset,
 * TPM_Startup, TPM_GetRandom, TPM_GetCapability), so scripts that count
 * commands work on both; the code column tells them apart (0x014 is
 * TPM_Extend, 0x182 TPM2_PCR_Extend).  PCRs reset, at CMD_INIT and at a
 * Startup(CLEAR) of either family, to what swtpm reports: 0-16 and 23
 * zero, 17-22 all ones.
 *
 * Every successful PCR_Read in the trace is also checked against the
 * recomputed value, and so is the new PCR value a TPM 1.2 TPM_Extend or
 * TPM_SHA1CompleteExtend returns; a difference means the trace or this
 * model is wrong and the tool exits 3.  A malformed trace exits 2.
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
	uint8_t at_quote[MAX_DIGEST];	/* and at the last quote */
	bool read;			/* a successful PCR_Read covered it */
};

struct state {
	struct pcr pcr[NR_BANKS][MAX_PCRS];
	bool seen[NR_BANKS];		/* bank extended or read */
	unsigned long ncmd;
	unsigned long mismatches;
	bool list;
	/* The last successful TPM2_Quote: command's and response's fields. */
	bool quoted;
	uint32_t quote_handle;
	size_t quote_data_len, quote_attest_len, quote_sig_len;
	uint8_t quote_data[MAX_MSG / 16], quote_attest[MAX_MSG / 16];
	uint8_t quote_sig[MAX_MSG / 16];
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
			/*
			 * PCRs 17-22 reset to all ones (TPM 2.0 Part 1,
			 * 17.6; TPM 1.2 PC Client: at TPM_Startup).
			 */
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

/*
 * What the TPM returned for PCR idx of bank b (a PCR_Read, or the new value
 * a TPM 1.2 extend returns) against the model.  A read also records the
 * recomputed value for --at-last-read.
 */
static void check(struct state *s, int b, unsigned int idx, const uint8_t *d,
		  const char *what, bool is_read)
{
	struct pcr *pc;

	if (idx >= MAX_PCRS)
		return;
	pc = &s->pcr[b][idx];
	s->seen[b] = true;
	if (memcmp(d, pc->val, banks[b].size)) {
		fprintf(stderr,
			"swtpm-trace: command %lu: %s pcr%u.%s differs from the recomputed value\n",
			s->ncmd, what, idx, banks[b].name);
		s->mismatches++;
	}
	if (is_read) {
		memcpy(pc->at_read, pc->val, banks[b].size);
		pc->read = true;
	}
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
			check(s, b, p, d, "PCR_Read", true);
		}
	}
}

enum family { FAM_NONE, FAM_TPM12, FAM_TPM2 };

static enum family family(uint16_t tag)
{
	switch (tag) {
	case 0x00c1: case 0x00c2: case 0x00c3:	/* TPM_TAG_RQU_(AUTH1_|AUTH2_)COMMAND */
		return FAM_TPM12;
	case 0x8001: case 0x8002:		/* TPM_ST_(NO_)SESSIONS */
		return FAM_TPM2;
	default:
		return FAM_NONE;
	}
}

static const char *tpm2_name(uint32_t cc)
{
	switch (cc) {
	case 0x144: return "Startup";
	case 0x145: return "Shutdown";
	case 0x143: return "SelfTest";
	case 0x17a: return "GetCapability";
	case 0x17b: return "GetRandom";
	case 0x17e: return "PCR_Read";
	case 0x181: return "ReadClock";
	case 0x182: return "PCR_Extend";
	case 0x13c: return "PCR_Event";
	case 0x13d: return "PCR_Reset";
	case 0x176: return "StartAuthSession";
	case 0x165: return "FlushContext";
	case 0x161: return "ContextLoad";
	case 0x162: return "ContextSave";
	case 0x158: return "Quote";
	case 0x173: return "ReadPublic";
	case 0x131: return "CreatePrimary";
	case 0x153: return "Create";
	case 0x157: return "Load";
	case 0x120: return "EvictControl";
	case 0x151: return "PolicySecret";
	case 0x14d: return "ActivateCredential";
	case 0x14e: return "NV_Read";
	case 0x169: return "NV_ReadPublic";
	default:    return "-";
	}
}

/* TPM 1.2 ordinals; those with a TPM 2.0 twin carry its name. */
static const char *tpm12_name(uint32_t ord)
{
	switch (ord) {
	case 0x099: return "Startup";
	case 0x098: return "SaveState";
	case 0x014: return "PCR_Extend";		/* TPM_Extend */
	case 0x015: return "PCR_Read";		/* TPM_PCRRead */
	case 0x0c8: return "PCR_Reset";
	case 0x065: return "GetCapability";
	case 0x046: return "GetRandom";
	case 0x050: return "SelfTestFull";
	case 0x053: return "ContinueSelfTest";
	case 0x054: return "GetTestResult";
	case 0x0f1: return "GetTicks";
	case 0x016: return "Quote";
	case 0x03e: return "Quote2";
	case 0x0a0: return "SHA1Start";
	case 0x0a1: return "SHA1Update";
	case 0x0a2: return "SHA1Complete";
	case 0x0a3: return "SHA1CompleteExtend";
	case 0x00a: return "OIAP";
	case 0x00b: return "OSAP";
	case 0x0ba: return "FlushSpecific";
	case 0x00d: return "TakeOwnership";
	case 0x05b: return "OwnerClear";
	case 0x05d: return "ForceClear";
	case 0x06f: return "PhysicalEnable";
	case 0x070: return "PhysicalDisable";
	case 0x072: return "PhysicalSetDeactivated";
	case 0x073: return "SetTempDeactivated";
	case 0x078: return "CreateEndorsementKeyPair";
	case 0x07c: return "ReadPubek";
	case 0x4000000a: return "TSC_PhysicalPresence";
	case 0x4000000b: return "TSC_ResetEstablishmentBit";
	default:    return "-";
	}
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* " pcr=N[,M...]": the PCRs a PCR command names, as "commands" lists them. */
static void list_pcrs(enum family fam, uint32_t cc, const uint8_t *cmd, size_t clen)
{
	if (fam == FAM_TPM2 && (cc == 0x182 || cc == 0x13c || cc == 0x13d)) {
		if (clen >= 14)			/* its first handle */
			printf(" pcr=%u", be32(cmd + 10));
	} else if (fam == FAM_TPM12 && (cc == 0x14 || cc == 0x15 || cc == 0xa3)) {
		if (clen >= 14)			/* TPM_PCRINDEX */
			printf(" pcr=%u", be32(cmd + 10));
	} else if (fam == FAM_TPM12 && cc == 0xc8 && clen >= 12) {
		/* TPM_PCR_SELECTION: u16 sizeOfSelect, bitmap */
		size_t n = (size_t)cmd[10] << 8 | cmd[11];
		const char *sep = " pcr=";

		for (size_t p = 0; p < n * 8 && 12 + p / 8 < clen; p++) {
			if (cmd[12 + p / 8] & (1 << (p % 8))) {
				printf("%s%zu", sep, p);
				sep = ",";
			}
		}
	}
}

/* A successful TPM 2.0 command. */
/* Copy a TPM2B (at most @max bytes) from @b. */
static size_t take_2b(struct buf *b, uint8_t *out, size_t max)
{
	size_t n = get(b, 2);
	const uint8_t *p = take(b, n);

	if (!p || n > max) {
		b->err = true;
		return 0;
	}
	memcpy(out, p, n);
	return n;
}

/*
 * TPM2_Quote: signHandle, the authorization area, qualifyingData; the
 * response: parameterSize, TPM2B_ATTEST, then the TPMT_SIGNATURE up to
 * the end of the parameters.
 */
static void quote(struct state *s, uint16_t tag, struct buf *c, struct buf *r)
{
	const uint8_t *sig;
	size_t params;

	s->quote_handle = get(c, 4);
	skip_auth(c, tag);
	s->quote_data_len = take_2b(c, s->quote_data, sizeof(s->quote_data));
	params = get(r, 4);
	s->quote_attest_len = take_2b(r, s->quote_attest,
				      sizeof(s->quote_attest));
	if (r->err || params < s->quote_attest_len + 2 ||
	    params - s->quote_attest_len - 2 > sizeof(s->quote_sig)) {
		r->err = true;
		return;
	}
	s->quote_sig_len = params - s->quote_attest_len - 2;
	sig = take(r, s->quote_sig_len);
	if (!sig)
		return;
	memcpy(s->quote_sig, sig, s->quote_sig_len);
	s->quoted = true;
	for (int b = 0; b < NR_BANKS; b++)
		for (int i = 0; i < MAX_PCRS; i++)
			memcpy(s->pcr[b][i].at_quote, s->pcr[b][i].val, MAX_DIGEST);
}

static void print_hex(const char *key, const uint8_t *p, size_t n)
{
	printf("%s: ", key);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void apply_tpm2(struct state *s, uint16_t tag, uint32_t cc,
		       struct buf *c, struct buf *r)
{
	uint32_t h;

	switch (cc) {
	case 0x144:				/* TPM2_Startup */
		if (get(c, 2) == 0)		/* TPM_SU_CLEAR */
			reset_pcrs(s);
		break;
	case 0x182:				/* TPM2_PCR_Extend */
		h = get(c, 4);
		skip_auth(c, tag);
		digest_values(s, c, h);
		break;
	case 0x13c:				/* TPM2_PCR_Event */
		h = get(c, 4);
		if (tag == 0x8002)
			get(r, 4);		/* parameterSize */
		digest_values(s, r, h);
		break;
	case 0x13d:				/* TPM2_PCR_Reset */
		h = get(c, 4);
		for (int b = 0; b < NR_BANKS && h < MAX_PCRS; b++)
			memset(s->pcr[b][h].val, 0, MAX_DIGEST);
		break;
	case 0x17e:				/* TPM2_PCR_Read */
		pcr_read(s, r);
		break;
	case 0x158:				/* TPM2_Quote */
		quote(s, tag, c, r);
		break;
	}
}

/*
 * A successful TPM 1.2 command: one SHA-1 bank.  Parameters come first in
 * a command and in a response; authorization data, if any, follows them.
 */
static void apply_tpm12(struct state *s, uint32_t ord, struct buf *c,
			struct buf *r)
{
	const uint8_t *d, *out;
	uint32_t h, n;

	switch (ord) {
	case 0x99:				/* TPM_Startup */
		if (get(c, 2) == 1)		/* TPM_ST_CLEAR */
			reset_pcrs(s);
		break;
	case 0x14:				/* TPM_Extend */
		h = get(c, 4);
		d = take(c, 20);		/* inDigest */
		out = take(r, 20);		/* outDigest: the new value */
		if (d && out) {
			extend(s, B_SHA1, h, d);
			check(s, B_SHA1, h, out, "TPM_Extend", false);
		}
		break;
	case 0xa3:				/* TPM_SHA1CompleteExtend */
		h = get(c, 4);
		take(c, get(c, 4));		/* hashData: the last of it */
		d = take(r, 20);		/* hashValue: SHA-1 of all of it */
		out = take(r, 20);		/* outDigest */
		if (d && out) {
			extend(s, B_SHA1, h, d);
			check(s, B_SHA1, h, out, "TPM_SHA1CompleteExtend", false);
		}
		break;
	case 0x15:				/* TPM_PCRRead */
		h = get(c, 4);
		out = take(r, 20);
		if (out)
			check(s, B_SHA1, h, out, "PCR_Read", true);
		break;
	case 0xc8:				/* TPM_PCR_Reset */
		n = get(c, 2);			/* TPM_PCR_SELECTION */
		d = take(c, n);
		for (uint32_t p = 0; d && p < n * 8 && p < MAX_PCRS; p++) {
			if (!(d[p / 8] & (1 << (p % 8))))
				continue;
			/*
			 * 16 and 23 reset to zeros; 17-22 (locality 4 and 3
			 * only) to ones unless a dynamic launch is under way,
			 * which this model does not follow: swtpm's
			 * CMD_HASH_START is not modelled.
			 */
			memset(s->pcr[B_SHA1][p].val, p >= 17 && p <= 22 ? 0xff : 0,
			       MAX_DIGEST);
		}
		break;
	}
}

/* Apply one command/response pair to the model. */
static int apply(struct state *s, const uint8_t *cmd, size_t clen,
		 const uint8_t *rsp, size_t rlen)
{
	struct buf c = { cmd, clen, 0, false };
	struct buf r = { rsp, rlen, 0, false };
	uint16_t tag = get(&c, 2);
	enum family fam = family(tag);
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
		printf("%lu 0x%03x %s rc=0x%x", s->ncmd, cc,
		       fam == FAM_TPM12 ? tpm12_name(cc) :
		       fam == FAM_TPM2 ? tpm2_name(cc) : "-", rc);
		list_pcrs(fam, cc, cmd, clen);
		printf("\n");
	}
	if (rc)
		return 0;
	if (fam == FAM_TPM2)
		apply_tpm2(s, tag, cc, &c, &r);
	else if (fam == FAM_TPM12)
		apply_tpm12(s, cc, &c, &r);
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
		"usage: swtpm-trace pcrs [--pcr N] [--at-last-read | --at-quote] TRACE\n"
		"       swtpm-trace quote TRACE\n"
		"       swtpm-trace commands TRACE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct state s;
	bool at_read = false, at_quote = false;
	long only = -1;
	const char *path = NULL, *mode;
	FILE *f;
	int ret;

	if (argc < 3)
		usage();
	mode = argv[1];
	if (strcmp(mode, "pcrs") && strcmp(mode, "commands") &&
	    strcmp(mode, "quote"))
		usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--at-last-read")) {
			at_read = true;
		} else if (!strcmp(argv[i], "--at-quote")) {
			at_quote = true;
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
	if ((at_quote || !strcmp(mode, "quote")) && !s.quoted) {
		fprintf(stderr, "swtpm-trace: no successful TPM2_Quote in %s\n", path);
		return 1;
	}
	if (!strcmp(mode, "quote")) {
		printf("quote_handle: 0x%08x\n", s.quote_handle);
		print_hex("quote_data", s.quote_data, s.quote_data_len);
		print_hex("quote_attest", s.quote_attest, s.quote_attest_len);
		print_hex("quote_signature", s.quote_sig, s.quote_sig_len);
	} else if (!s.list) {
		for (int i = 0; i < MAX_PCRS; i++) {
			if (only >= 0 && i != only)
				continue;
			for (int b = 0; b < NR_BANKS; b++) {
				const struct pcr *pc = &s.pcr[b][i];

				if (!s.seen[b] || (at_read && !pc->read))
					continue;
				printf("pcr%d.%s: ", i, banks[b].name);
				for (unsigned int k = 0; k < banks[b].size; k++)
					printf("%02x", at_read ? pc->at_read[k] :
					       at_quote ? pc->at_quote[k] : pc->val[k]);
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
