// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-mgr: the program half of the stand-in for Xen's vTPM manager
 * (Documentation/manager.rst).  It talks to the pTPM through tpm_mgr_tis's
 * /dev/tpm-mgr (locality 2) with tpm2-tss (ESYS over the device TCTI).
 *
 *   tpm-mgr run --stop FILE [--tcti TCTI] [--keys-every N] [--max N]
 *		[--only-pcr-read]
 *	Until FILE exists (or N rounds): PCR_Read of PCR 10, GetRandom,
 *	and every N-th round (default 4) a key creation (CreatePrimary,
 *	RSA 2048 storage key, owner hierarchy) and its FlushContext, as
 *	vtpmmgr does at its start; with --only-pcr-read, the PCR_Read
 *	alone (one command a round).  One line per command on stdout:
 *	    SEQ START_MS DURATION_MS COMMAND RESULT
 *	START_MS from the start of the run; RESULT "ok", "busy" (the
 *	stand-in could not get the locality in time: the command is sent
 *	again, after a new connection) or the error.  Last line:
 *	    tpm-mgr: commands=N ok=N busy=N errors=N longest_ms=N
 *	Exit 0 if no command failed but for busy, 1 if one did.
 *
 *   tpm-mgr pcrread [--tcti TCTI] [--pcr N]
 *	Prints "BANK HEX" for PCR N (default 10) in every bank the TPM
 *	has allocated it in.  Exit 1 on an error.
 *
 * TCTI defaults to "device:/dev/tpm-mgr".  A busy is told from other
 * errors by tpm_mgr_tis's own count (/sys/module/tpm_mgr_tis/parameters/
 * busy), which the device TCTI's error code cannot say.
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#define BUSY_COUNT	"/sys/module/tpm_mgr_tis/parameters/busy"

struct opts {
	const char *tcti, *stop;
	unsigned int keys_every, max, pcr;
	bool only_pcr_read;
};

struct mgr {
	const struct opts *o;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	struct timespec start;
	unsigned long seq, ok, busy, errors;
	double longest;
};

static double now_ms(const struct mgr *m)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - m->start.tv_sec) * 1e3 +
	       (t.tv_nsec - m->start.tv_nsec) / 1e6;
}

static unsigned long busy_count(void)
{
	unsigned long n = 0;
	FILE *f = fopen(BUSY_COUNT, "r");

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

static void disconnect(struct mgr *m)
{
	if (m->esys)
		Esys_Finalize(&m->esys);
	if (m->tcti)
		Tss2_TctiLdr_Finalize(&m->tcti);
	m->esys = NULL;
	m->tcti = NULL;
}

static TSS2_RC connect_tpm(struct mgr *m)
{
	TSS2_RC rc;

	if (m->esys)
		return TSS2_RC_SUCCESS;
	rc = Tss2_TctiLdr_Initialize(m->o->tcti, &m->tcti);
	if (rc)
		return rc;
	rc = Esys_Initialize(&m->esys, m->tcti, NULL);
	if (rc)
		Tss2_TctiLdr_Finalize(&m->tcti);
	return rc;
}

static TSS2_RC pcr_read(struct mgr *m)
{
	TPML_PCR_SELECTION sel = {
		.count = 1,
		.pcrSelections[0] = {
			.hash = TPM2_ALG_SHA256, .sizeofSelect = 3,
			.pcrSelect = { 0, 1 << 2, 0 },		/* PCR 10 */
		},
	};
	TPML_DIGEST *values = NULL;
	TSS2_RC rc;

	rc = Esys_PCR_Read(m->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			   &sel, NULL, NULL, &values);
	Esys_Free(values);
	return rc;
}

static TSS2_RC get_random(struct mgr *m)
{
	TPM2B_DIGEST *bytes = NULL;
	TSS2_RC rc;

	rc = Esys_GetRandom(m->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			    16, &bytes);
	Esys_Free(bytes);
	return rc;
}

static ESYS_TR key = ESYS_TR_NONE;

static TSS2_RC create_primary(struct mgr *m)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC pub = {
		.publicArea = {
			.type = TPM2_ALG_RSA,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_RESTRICTED |
					    TPMA_OBJECT_DECRYPT |
					    TPMA_OBJECT_USERWITHAUTH |
					    TPMA_OBJECT_FIXEDTPM |
					    TPMA_OBJECT_FIXEDPARENT |
					    TPMA_OBJECT_SENSITIVEDATAORIGIN,
			.parameters.rsaDetail = {
				.symmetric = {
					.algorithm = TPM2_ALG_AES,
					.keyBits.aes = 128,
					.mode.aes = TPM2_ALG_CFB,
				},
				.scheme.scheme = TPM2_ALG_NULL,
				.keyBits = 2048,
			},
		},
	};
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };

	return Esys_CreatePrimary(m->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				  ESYS_TR_NONE, ESYS_TR_NONE, &sens, &pub,
				  &outside, &pcrs, &key, NULL, NULL, NULL,
				  NULL);
}

static TSS2_RC flush_key(struct mgr *m)
{
	TSS2_RC rc = Esys_FlushContext(m->esys, key);

	if (!rc)
		key = ESYS_TR_NONE;
	return rc;
}

/*
 * One command, sent again after a busy (on a new connection: ESYS's
 * state after a failed transmit is not worth trusting) until it gets an
 * answer.  Returns its result.
 */
static TSS2_RC command(struct mgr *m, const char *name,
		       TSS2_RC (*fn)(struct mgr *m))
{
	for (;;) {
		unsigned long busy = busy_count();
		double t0 = now_ms(m), t;
		TSS2_RC rc = connect_tpm(m);

		if (!rc)
			rc = fn(m);
		t = now_ms(m) - t0;
		if (t > m->longest)
			m->longest = t;
		m->seq++;
		if (rc && busy_count() != busy) {
			printf("%lu %.1f %.1f %s busy\n", m->seq, t0, t, name);
			fflush(stdout);
			m->busy++;
			disconnect(m);
			continue;
		}
		printf("%lu %.1f %.1f %s %s\n", m->seq, t0, t, name,
		       rc ? Tss2_RC_Decode(rc) : "ok");
		fflush(stdout);
		if (rc) {
			m->errors++;
			disconnect(m);
		} else {
			m->ok++;
		}
		return rc;
	}
}

static int run(struct mgr *m)
{
	const struct opts *o = m->o;

	for (unsigned int round = 1; !o->max || round <= o->max; round++) {
		if (o->stop && access(o->stop, F_OK) == 0)
			break;
		command(m, "PCR_Read", pcr_read);
		if (o->only_pcr_read)
			continue;
		command(m, "GetRandom", get_random);
		if (o->keys_every && round % o->keys_every == 0 &&
		    !command(m, "CreatePrimary", create_primary))
			command(m, "FlushContext", flush_key);
	}
	printf("tpm-mgr: commands=%lu ok=%lu busy=%lu errors=%lu longest_ms=%.0f\n",
	       m->seq, m->ok, m->busy, m->errors, m->longest);
	disconnect(m);
	return m->errors ? 1 : 0;
}

static const char *bank_name(TPMI_ALG_HASH alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1:
		return "sha1";
	case TPM2_ALG_SHA256:
		return "sha256";
	case TPM2_ALG_SHA384:
		return "sha384";
	case TPM2_ALG_SHA512:
		return "sha512";
	case TPM2_ALG_SM3_256:
		return "sm3_256";
	default:
		return NULL;
	}
}

/* PCR @pcr in every bank that has it, one PCR_Read per bank. */
static int pcrread(struct mgr *m)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TSS2_RC rc = connect_tpm(m);
	int ret = 1;

	if (!rc)
		rc = Esys_GetCapability(m->esys, ESYS_TR_NONE, ESYS_TR_NONE,
					ESYS_TR_NONE, TPM2_CAP_PCRS, 0, 1,
					NULL, &cap);
	if (rc) {
		fprintf(stderr, "tpm-mgr: %s\n", Tss2_RC_Decode(rc));
		goto out;
	}
	for (UINT32 i = 0; i < cap->data.assignedPCR.count; i++) {
		TPMS_PCR_SELECTION *s = &cap->data.assignedPCR.pcrSelections[i];
		TPML_PCR_SELECTION sel = { .count = 1 };
		TPML_DIGEST *v = NULL;

		if (!bank_name(s->hash) || s->sizeofSelect <= m->o->pcr / 8 ||
		    !(s->pcrSelect[m->o->pcr / 8] & (1 << (m->o->pcr % 8))))
			continue;
		sel.pcrSelections[0] = (TPMS_PCR_SELECTION){
			.hash = s->hash, .sizeofSelect = s->sizeofSelect,
		};
		sel.pcrSelections[0].pcrSelect[m->o->pcr / 8] = 1 << (m->o->pcr % 8);
		rc = Esys_PCR_Read(m->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, &sel, NULL, NULL, &v);
		if (rc || v->count != 1) {
			fprintf(stderr, "tpm-mgr: PCR_Read: %s\n",
				rc ? Tss2_RC_Decode(rc) : "no value");
			Esys_Free(v);
			goto out;
		}
		printf("%s ", bank_name(s->hash));
		for (UINT16 b = 0; b < v->digests[0].size; b++)
			printf("%02x", v->digests[0].buffer[b]);
		printf("\n");
		Esys_Free(v);
	}
	ret = 0;
out:
	Esys_Free(cap);
	disconnect(m);
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tpm-mgr run --stop FILE [--tcti TCTI] [--keys-every N] [--max N]\n"
		"                   [--only-pcr-read]\n"
		"       tpm-mgr pcrread [--tcti TCTI] [--pcr N]\n");
	exit(2);
}

static unsigned int number(const char *s, unsigned int max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tcti", required_argument, NULL, 't' },
		{ "stop", required_argument, NULL, 's' },
		{ "keys-every", required_argument, NULL, 'k' },
		{ "max", required_argument, NULL, 'm' },
		{ "pcr", required_argument, NULL, 'p' },
		{ "only-pcr-read", no_argument, NULL, 'o' },
		{ 0 }
	};
	struct opts o = { .tcti = "device:/dev/tpm-mgr", .keys_every = 4, .pcr = 10 };
	struct mgr m = { .o = &o };
	const char *mode;
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.tcti = optarg;
			break;
		case 's':
			o.stop = optarg;
			break;
		case 'k':
			o.keys_every = number(optarg, 1000000);
			break;
		case 'm':
			o.max = number(optarg, 100000000);
			break;
		case 'p':
			o.pcr = number(optarg, 23);
			break;
		case 'o':
			o.only_pcr_read = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	clock_gettime(CLOCK_MONOTONIC, &m.start);
	if (!strcmp(mode, "run") && (o.stop || o.max))
		return run(&m);
	if (!strcmp(mode, "pcrread"))
		return pcrread(&m);
	usage();
}
