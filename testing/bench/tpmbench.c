// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpmbench: TPM command timings for make bench (testing/bench/bench).
 *
 *   tpmbench fwd --a TCTI --b TCTI [-n N] --out FILE
 *	N rounds of GetRandom(8) on A, GetRandom(8) on B, PCR_Read(PCR 10,
 *	sha256) on A, PCR_Read on B (one ESYS context per TCTI), each call
 *	timed with CLOCK_MONOTONIC.  FILE gets one "dev op ns" line per
 *	call (dev is the TCTI string); stdout gets the medians and A/B.
 *
 *   tpmbench extend --tcti TCTI [-n N] [--pcr 16|23] [--out FILE]
 *	N back-to-back TPM2_PCR_Extend of PCR P with one digest in each of
 *	sha1, sha256, sha384 and sha512 (as the kernel extends IMA's
 *	entries); prints extends per second.  FILE gets "extend ns" lines.
 *
 * Only ESYS (tss2-esys, tss2-tctildr): no hand-built commands.  TCTI
 * strings as for tss2-tctildr, "device:/dev/tpm0" say.  Bad arguments:
 * one line on stderr, exit 2.  A TPM error: exit 1.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#define DEFAULT_N	1000
#define MAX_N		10000000L
#define WARMUP		10	/* untimed calls per device and op before fwd */
#define FWD_PCR		10	/* read, never extended */

static const char *prog = "tpmbench";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (usage: %s fwd --a TCTI --b TCTI -n N --out FILE | extend --tcti TCTI -n N --pcr 16|23)\n",
		prog);
	return 2;
}

struct tpm {
	const char *name;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
};

static int tpm_open(struct tpm *t, const char *tcti)
{
	TSS2_RC rc;

	t->name = tcti;
	rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		fprintf(stderr, "%s: cannot open TCTI \"%s\": %s\n", prog, tcti,
			Tss2_RC_Decode(rc));
		return -1;
	}
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		fprintf(stderr, "%s: cannot set up ESYS on \"%s\": %s\n", prog,
			tcti, Tss2_RC_Decode(rc));
		Tss2_TctiLdr_Finalize(&t->tcti);
		return -1;
	}
	return 0;
}

static void tpm_close(struct tpm *t)
{
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int tpm_failed(const struct tpm *t, const char *op, TSS2_RC rc)
{
	fprintf(stderr, "%s: %s on \"%s\" failed: %s\n", prog, op, t->name,
		Tss2_RC_Decode(rc));
	return -1;
}

/* One timed GetRandom(8); its time in *ns. */
static int do_getrandom(struct tpm *t, int64_t *ns)
{
	TPM2B_DIGEST *rnd = NULL;
	int64_t t0 = now_ns();
	TSS2_RC rc = Esys_GetRandom(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				    ESYS_TR_NONE, 8, &rnd);

	*ns = now_ns() - t0;
	Esys_Free(rnd);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_failed(t, "GetRandom", rc);
	return 0;
}

/* One timed PCR_Read of PCR 10 in sha256; its time in *ns. */
static int do_pcrread(struct tpm *t, int64_t *ns)
{
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPML_PCR_SELECTION *sel_out = NULL;
	TPML_DIGEST *vals = NULL;
	UINT32 counter;
	int64_t t0;
	TSS2_RC rc;

	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[FWD_PCR / 8] = 1 << (FWD_PCR % 8);
	t0 = now_ns();
	rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			   &sel, &counter, &sel_out, &vals);
	*ns = now_ns() - t0;
	Esys_Free(sel_out);
	if (rc == TSS2_RC_SUCCESS && (!vals || vals->count != 1)) {
		Esys_Free(vals);
		fprintf(stderr, "%s: PCR_Read on \"%s\" returned no sha256 PCR %d\n",
			prog, t->name, FWD_PCR);
		return -1;
	}
	Esys_Free(vals);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_failed(t, "PCR_Read", rc);
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v); the mean of the middle two if n is even. */
static double median(int64_t *v, long n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	return n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static int parse_n(const char *s, long *n)
{
	char *end;

	errno = 0;
	*n = strtol(s, &end, 10);
	return errno || end == s || *end || *n < 1 || *n > MAX_N ? -1 : 0;
}

enum { GETRANDOM, PCRREAD, NR_OPS };
static const char *const op_name[NR_OPS] = { "getrandom", "pcr_read" };

static int fwd_round(struct tpm *t, int op, int64_t *ns)
{
	return op == GETRANDOM ? do_getrandom(t, ns) : do_pcrread(t, ns);
}

static int cmd_fwd(int argc, char **argv)
{
	const char *a = NULL, *b = NULL, *out = NULL;
	struct tpm tpm[2] = { { 0 } };
	int64_t *ns[2][NR_OPS] = { { NULL } };
	long n = DEFAULT_N;
	int ret = 1;
	FILE *f = NULL;

	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage_error("fwd: %s needs a value", argv[i]);
		if (!strcmp(argv[i], "--a"))
			a = argv[i + 1];
		else if (!strcmp(argv[i], "--b"))
			b = argv[i + 1];
		else if (!strcmp(argv[i], "--out"))
			out = argv[i + 1];
		else if (!strcmp(argv[i], "-n")) {
			if (parse_n(argv[i + 1], &n))
				return usage_error("fwd: bad -n \"%s\"", argv[i + 1]);
		} else {
			return usage_error("fwd: unknown argument \"%s\"", argv[i]);
		}
	}
	if (!a || !*a)
		return usage_error("fwd: %s", "missing --a TCTI");
	if (!b || !*b)
		return usage_error("fwd: %s", "missing --b TCTI");
	if (!out || !*out)
		return usage_error("fwd: %s", "missing --out FILE");

	for (int d = 0; d < 2; d++)
		for (int op = 0; op < NR_OPS; op++) {
			ns[d][op] = calloc(n, sizeof(int64_t));
			if (!ns[d][op]) {
				fprintf(stderr, "%s: out of memory\n", prog);
				goto done;
			}
		}
	f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, out, strerror(errno));
		goto done;
	}
	if (tpm_open(&tpm[0], a) || tpm_open(&tpm[1], b))
		goto done;

	/* Warm up both paths (first opens, caches), untimed. */
	for (int w = 0; w < WARMUP; w++)
		for (int op = 0; op < NR_OPS; op++)
			for (int d = 0; d < 2; d++) {
				int64_t dummy;

				if (fwd_round(&tpm[d], op, &dummy))
					goto done;
			}
	/* Interleaved: A, B, A, B ... for each op in turn. */
	for (long i = 0; i < n; i++)
		for (int op = 0; op < NR_OPS; op++)
			for (int d = 0; d < 2; d++)
				if (fwd_round(&tpm[d], op, &ns[d][op][i]))
					goto done;

	fprintf(f, "# tpmbench fwd a=%s b=%s n=%ld\n", a, b, n);
	for (long i = 0; i < n; i++)
		for (int op = 0; op < NR_OPS; op++)
			for (int d = 0; d < 2; d++)
				fprintf(f, "%s %s %lld\n", tpm[d].name, op_name[op],
					(long long)ns[d][op][i]);
	if (fflush(f) || ferror(f)) {
		fprintf(stderr, "%s: cannot write %s\n", prog, out);
		goto done;
	}
	for (int op = 0; op < NR_OPS; op++) {
		double ma = median(ns[0][op], n), mb = median(ns[1][op], n);

		printf("fwd op=%s n=%ld a_median_ns=%.0f b_median_ns=%.0f ratio_a_b=%.4f\n",
		       op_name[op], n, ma, mb, ma / mb);
	}
	ret = 0;
done:
	if (f && fclose(f) && !ret) {
		fprintf(stderr, "%s: cannot write %s\n", prog, out);
		ret = 1;
	}
	tpm_close(&tpm[1]);
	tpm_close(&tpm[0]);
	for (int d = 0; d < 2; d++)
		for (int op = 0; op < NR_OPS; op++)
			free(ns[d][op]);
	return ret;
}

static int cmd_extend(int argc, char **argv)
{
	static const struct { TPMI_ALG_HASH alg; UINT16 size; } banks[] = {
		{ TPM2_ALG_SHA1, TPM2_SHA1_DIGEST_SIZE },
		{ TPM2_ALG_SHA256, TPM2_SHA256_DIGEST_SIZE },
		{ TPM2_ALG_SHA384, TPM2_SHA384_DIGEST_SIZE },
		{ TPM2_ALG_SHA512, TPM2_SHA512_DIGEST_SIZE },
	};
	TPML_DIGEST_VALUES dig = { .count = 4 };
	const char *tcti = NULL, *out = NULL;
	struct tpm tpm = { 0 };
	int64_t *ns = NULL, t0, total;
	long n = DEFAULT_N, pcr = 23;
	FILE *f = NULL;
	int ret = 1;

	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage_error("extend: %s needs a value", argv[i]);
		if (!strcmp(argv[i], "--tcti"))
			tcti = argv[i + 1];
		else if (!strcmp(argv[i], "--out"))
			out = argv[i + 1];
		else if (!strcmp(argv[i], "-n")) {
			if (parse_n(argv[i + 1], &n))
				return usage_error("extend: bad -n \"%s\"", argv[i + 1]);
		} else if (!strcmp(argv[i], "--pcr")) {
			if (strcmp(argv[i + 1], "16") && strcmp(argv[i + 1], "23"))
				return usage_error("extend: --pcr \"%s\": only 16 or 23 (debug PCRs; never IMA's 10)",
						   argv[i + 1]);
			pcr = atol(argv[i + 1]);
		} else {
			return usage_error("extend: unknown argument \"%s\"", argv[i]);
		}
	}
	if (!tcti || !*tcti)
		return usage_error("extend: %s", "missing --tcti TCTI");

	ns = calloc(n, sizeof(*ns));
	if (!ns) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (out) {
		f = fopen(out, "w");
		if (!f) {
			fprintf(stderr, "%s: cannot write %s: %s\n", prog, out, strerror(errno));
			goto done;
		}
	}
	for (unsigned int b = 0; b < 4; b++) {
		dig.digests[b].hashAlg = banks[b].alg;
		/* Any digest will do: a fixed pattern, as long as the hash. */
		memset(&dig.digests[b].digest, 0x5a, banks[b].size);
	}
	if (tpm_open(&tpm, tcti))
		goto done;

	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		int64_t c0 = now_ns();
		TSS2_RC rc = Esys_PCR_Extend(tpm.esys, ESYS_TR_PCR0 + pcr,
					     ESYS_TR_PASSWORD, ESYS_TR_NONE,
					     ESYS_TR_NONE, &dig);

		ns[i] = now_ns() - c0;
		if (rc != TSS2_RC_SUCCESS) {
			tpm_failed(&tpm, "PCR_Extend", rc);
			goto done;
		}
	}
	total = now_ns() - t0;
	if (f) {
		fprintf(f, "# tpmbench extend tcti=%s pcr=%ld n=%ld\n", tcti, pcr, n);
		for (long i = 0; i < n; i++)
			fprintf(f, "extend %lld\n", (long long)ns[i]);
	}
	printf("extend pcr=%ld banks=4 n=%ld total_ns=%lld median_ns=%.0f rate=%.1f entries/s\n",
	       pcr, n, (long long)total, median(ns, n), n * 1e9 / (double)total);
	ret = 0;
done:
	if (f && fclose(f) && !ret) {
		fprintf(stderr, "%s: cannot write %s\n", prog, out);
		ret = 1;
	}
	tpm_close(&tpm);
	free(ns);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "missing subcommand");
	if (!strcmp(argv[1], "fwd"))
		return cmd_fwd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "extend"))
		return cmd_extend(argc - 1, argv + 1);
	return usage_error("unknown subcommand \"%s\"", argv[1]);
}
