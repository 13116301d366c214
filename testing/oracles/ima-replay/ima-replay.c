// SPDX-License-Identifier: GPL-2.0-only
/*
 * ima-replay: replay IMA's binary measurement list into PCR values, bank by
 * bank, as Linux 6.1 IMA extends the TPM (testing/oracles/ima-replay/imalog.c), without
 * trusting anything but the log.
 *
 *   ima-replay [--entries N] LOG
 *	Print the PCRs after the first N entries (default: all) as
 *	"pcrP.<bank>: hex" (each bank's hash over the template data) and
 *	"pcrP.<bank>.padded-sha1: hex" (the SHA-1 template digest zero-padded,
 *	what IMA extends into a bank whose hash it could not allocate), for
 *	every PCR the log has entries for; then "entries: N".
 *   ima-replay --expect FILE [--entries N] [--pcr P] LOG
 *	FILE holds "pcrP.<bank>: hex" lines (swtpm-trace pcrs prints them).
 *	For each expected bank of the selected PCRs (--pcr P; default PCR 10
 *	and any other PCR the log has entries for), report after how many
 *	entries the log reproduces it and with which digest kind
 *	("template-hash" or "padded-sha1"); with --entries N it must be after
 *	exactly N.  All expected values must also match after one common
 *	number of entries, each bank with one digest kind.
 *
 * --chunk B feeds the parser B bytes at a time instead of 64 KiB (a test
 * of the streaming parser).  testing/fixtures/mklog.py fabricates logs and
 * their expected values for the tests (selftests/host/ima-replay.sh).
 *
 * Entries are numbered from 0 in messages ("entry 9 at offset ..." is the
 * tenth entry), as the module numbers them; "after N entries" is a count.
 *
 * Exit: 0 all match, 1 a mismatch, 2 bad input (unreadable, truncated or
 * garbled log, bad expect file, bad usage).
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imalog.h"

#define NONE		IMALOG_NONE
#define MAX_WANTS	(IMALOG_MAX_PCRS * IMALOG_NR_BANKS)

static const char *prog = "ima-replay";

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: ima-replay [--entries N] LOG\n"
		"       ima-replay --expect FILE [--entries N] [--pcr P] LOG\n"
		"\n"
		"Replay an IMA binary_runtime_measurements LOG (\"-\": stdin) into\n"
		"PCR values in the sha1, sha256, sha384, sha512 (and sm3_256) banks.\n"
		"\n"
		"  --entries N   only the first N entries (--expect: match after exactly N)\n"
		"  --expect FILE check the \"pcrP.<bank>: hex\" values in FILE: after how\n"
		"                many entries does the log reproduce each of them?\n"
		"  --pcr P       with --expect: check PCR P only (default: PCR 10 and\n"
		"                every PCR the log has entries for)\n"
		"  --chunk B     feed the parser B bytes at a time (tests the streaming)\n"
		"\n"
		"A bank other than sha1 may hold the bank's hash of each entry\n"
		"(template-hash) or the SHA-1 template digest zero-padded (padded-sha1,\n"
		"when IMA could not allocate the bank's hash); both are replayed.\n"
		"Exit status: 0 match, 1 mismatch, 2 bad input.\n");
	exit(status);
}

static void print_hex(const uint8_t *v, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		printf("%02x", v[k]);
	printf("\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v >= NONE)
		return false;
	*out = v;
	return true;
}

/* ---- plain mode: values after N entries ---- */

struct snap {
	uint64_t at;
	bool taken;
	uint8_t v[IMALOG_NR_BANKS][IMALOG_NR_KINDS][IMALOG_MAX_PCRS][IMALOG_MAX_DIGEST];
};

static void take(struct snap *s, const struct imalog_replay *r)
{
	for (int b = 0; b < IMALOG_NR_BANKS; b++)
		for (int k = 0; k < IMALOG_NR_KINDS; k++)
			for (unsigned int p = 0; p < IMALOG_MAX_PCRS; p++) {
				const uint8_t *v = imalog_replay_pcr(r, p, b, k);

				if (v)
					memcpy(s->v[b][k][p], v, imalog_bank_size(b));
			}
	s->taken = true;
}

static int snap_step(void *arg, const struct imalog_replay *r,
		     const struct imalog_entry *e)
{
	struct snap *s = arg;

	(void)e;
	if (imalog_replay_entries(r) == s->at)
		take(s, r);
	return 0;
}

static size_t chunk;	/* --chunk: feed the parser this many bytes at a time */

/* Read the whole log and feed it in chunk-byte pieces. */
static int replay_chunked(struct imalog_replay *r, const char *log)
{
	FILE *f = strcmp(log, "-") ? fopen(log, "rb") : stdin;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret = -1;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, log, strerror(errno));
		return -2;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 1 << 16);

			if (!nb) {
				fprintf(stderr, "%s: out of memory\n", prog);
				ret = -2;
				goto out;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", prog, log);
		ret = -2;
		goto out;
	}
	for (size_t off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (imalog_replay_feed(r, buf + off, n))
			goto out;
	}
	ret = imalog_replay_finish(r);
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return ret;
}

static bool replay(struct imalog_replay *r, const char *log)
{
	int ret = chunk ? replay_chunked(r, log) : imalog_replay_file(r, log);

	if (ret == -1)
		fprintf(stderr, "%s: %s\n", prog, imalog_replay_error(r)->msg);
	return ret == 0;
}

static int plain(struct imalog_replay *r, const char *log, uint64_t at)
{
	static struct snap s;
	uint32_t seen;
	uint64_t n;

	s.at = at;
	if (at == 0)
		take(&s, r);
	imalog_replay_on_step(r, snap_step, &s);
	if (!replay(r, log))
		return 2;
	n = imalog_replay_entries(r);
	if (at == NONE) {
		take(&s, r);
		at = n;
	} else if (!s.taken) {
		fprintf(stderr, "%s: %s has %" PRIu64 " entries, not %" PRIu64 "\n",
			prog, log, n, at);
		return 2;
	}
	seen = imalog_replay_pcrs_seen(r);
	for (unsigned int p = 0; p < IMALOG_MAX_PCRS; p++) {
		if (!(seen & (1u << p)))
			continue;
		for (int k = 0; k < IMALOG_NR_KINDS; k++)
			for (int b = 0; b < IMALOG_NR_BANKS; b++) {
				if (!imalog_replay_has_bank(r, b) ||
				    (k == IMALOG_KIND_PADDED && b == IMALOG_SHA1))
					continue;
				printf("pcr%u.%s%s%s: ", p, imalog_bank_name(b),
				       k == IMALOG_KIND_PADDED ? "." : "",
				       k == IMALOG_KIND_PADDED ? imalog_kind_name(k) : "");
				print_hex(s.v[b][k][p], imalog_bank_size(b));
			}
	}
	printf("entries: %" PRIu64 "\n", at);
	return 0;
}

/* ---- expect mode ---- */

struct want {
	struct imalog_match m;
	unsigned long line;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Read "pcrP.<bank>: hex" lines; blank lines and "#" comments are skipped. */
static int load_expect(const char *path, struct want *w, size_t *nw)
{
	FILE *f = fopen(path, "r");
	char *l = NULL;
	size_t cap = 0;
	unsigned long line = 0;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	*nw = 0;
	while (getline(&l, &cap, f) >= 0) {
		char bank[32], *p = l, *q;
		unsigned long pcr;
		int b, len;

		line++;
		l[strcspn(l, "\r\n")] = 0;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		if (strncmp(p, "pcr", 3) || !isdigit((unsigned char)p[3]))
			goto syntax;
		errno = 0;
		pcr = strtoul(p + 3, &q, 10);
		if (errno || *q != '.')
			goto syntax;
		p = q + 1;
		len = (int)strcspn(p, ":");
		if (p[len] != ':' || len == 0 || len >= (int)sizeof(bank))
			goto syntax;
		memcpy(bank, p, len);
		bank[len] = 0;
		p += len + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		q = p + strlen(p);
		while (q > p && isspace((unsigned char)q[-1]))
			*--q = 0;
		if (pcr >= IMALOG_MAX_PCRS) {
			fprintf(stderr, "%s: %s:%lu: PCR %lu out of range (0-%d)\n",
				prog, path, line, pcr, IMALOG_MAX_PCRS - 1);
			goto bad;
		}
		b = imalog_bank_by_name(bank);
		if (b < 0) {
			fprintf(stderr, "%s: %s:%lu: unknown bank \"%s\"\n",
				prog, path, line, bank);
			goto bad;
		}
		if (strlen(p) != 2 * imalog_bank_size(b)) {
			fprintf(stderr, "%s: %s:%lu: pcr%lu.%s needs %u hex digits\n",
				prog, path, line, pcr, bank, 2 * imalog_bank_size(b));
			goto bad;
		}
		for (size_t k = 0; k < *nw; k++)
			if (w[k].m.pcr == pcr && (int)w[k].m.bank == b) {
				fprintf(stderr, "%s: %s:%lu: pcr%lu.%s given twice\n",
					prog, path, line, pcr, bank);
				goto bad;
			}
		memset(&w[*nw], 0, sizeof(w[*nw]));
		w[*nw].m.pcr = (unsigned int)pcr;
		w[*nw].m.bank = b;
		w[*nw].line = line;
		for (unsigned int k = 0; k < imalog_bank_size(b); k++) {
			int hi = hexval((unsigned char)p[2 * k]);
			int lo = hexval((unsigned char)p[2 * k + 1]);

			if (hi < 0 || lo < 0) {
				fprintf(stderr, "%s: %s:%lu: pcr%lu.%s: not hex\n",
					prog, path, line, pcr, bank);
				goto bad;
			}
			w[*nw].m.value[k] = (uint8_t)(hi << 4 | lo);
		}
		(*nw)++;
		continue;
syntax:
		fprintf(stderr, "%s: %s:%lu: expected \"pcrP.<bank>: hex\"\n",
			prog, path, line);
bad:
		ret = -1;
		break;
	}
	if (!ret && ferror(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		ret = -1;
	}
	free(l);
	fclose(f);
	return ret;
}

/* The digest kinds of m's bank: for sha1 both are the same. */
static int nr_kinds(const struct imalog_match *m)
{
	return m->bank == IMALOG_SHA1 ? 1 : IMALOG_NR_KINDS;
}

/* Does m hold after n entries with digest kind k? */
static bool holds(const struct imalog_match *m, int k, uint64_t n, bool exact)
{
	if (exact)
		return m->found[k].at_hit;
	return m->found[k].first != NONE && m->found[k].first <= n &&
	       n <= m->found[k].last;
}

/*
 * After n entries, can every selected value be matched, each bank with
 * one digest kind for all its PCRs?
 */
static bool consistent(struct want **sel, size_t ns, uint64_t n, bool exact)
{
	for (int b = 0; b < IMALOG_NR_BANKS; b++) {
		bool any = false, ok = false;

		for (int k = 0; k < IMALOG_NR_KINDS && !ok; k++) {
			bool all = true;

			for (size_t j = 0; j < ns; j++) {
				if ((int)sel[j]->m.bank != b)
					continue;
				any = true;
				if (k >= nr_kinds(&sel[j]->m) ||
				    !holds(&sel[j]->m, k, n, exact))
					all = false;
			}
			ok = all;
		}
		if (any && !ok)
			return false;
	}
	return true;
}

static void print_range(uint64_t first, uint64_t last)
{
	if (first == last)
		printf("%" PRIu64, first);
	else
		printf("%" PRIu64 "-%" PRIu64, first, last);
}

/* "(template-hash)", "(padded-sha1)" or both: the digest kinds in mask. */
static void print_kinds(unsigned int mask)
{
	const char *sep = "";

	printf(" (");
	for (int k = 0; k < IMALOG_NR_KINDS; k++)
		if (mask & (1u << k)) {
			printf("%s%s", sep, imalog_kind_name(k));
			sep = ", ";
		}
	printf(")\n");
}

/* One line per value; true if it matches (after exactly `at`, if given). */
static bool report(const struct imalog_match *m, uint64_t at)
{
	unsigned int mask = 0;
	int first = -1;

	printf("pcr%u.%s: ", m->pcr, imalog_bank_name(m->bank));
	if (at != NONE) {
		for (int k = 0; k < nr_kinds(m); k++)
			if (m->found[k].at_hit)
				mask |= 1u << k;
		if (mask) {
			printf("matches after %" PRIu64 " entries", at);
			print_kinds(mask);
			return true;
		}
	}
	for (int k = 0; k < nr_kinds(m); k++) {
		if (m->found[k].first == NONE)
			continue;
		if (first < 0)
			first = k;
		if (m->found[k].first == m->found[first].first &&
		    m->found[k].last == m->found[first].last)
			mask |= 1u << k;
	}
	if (first < 0) {
		printf("no prefix matches\n");
		return false;
	}
	printf("matches after ");
	print_range(m->found[first].first, m->found[first].last);
	printf(" entries");
	if (at != NONE)
		printf(", not %" PRIu64, at);
	print_kinds(mask);
	return at == NONE;
}

static int cmp_want(const void *a, const void *b)
{
	const struct want *x = *(struct want *const *)a;
	const struct want *y = *(struct want *const *)b;

	if (x->m.pcr != y->m.pcr)
		return x->m.pcr < y->m.pcr ? -1 : 1;
	return (int)x->m.bank - (int)y->m.bank;
}

static int expect(struct imalog_replay *r, const char *log, const char *file,
		  long only, uint64_t at)
{
	static struct want w[MAX_WANTS];
	struct want *sel[MAX_WANTS];
	size_t nw, ns = 0;
	uint32_t seen;
	uint64_t n, common = NONE;
	bool ok = true;

	if (load_expect(file, w, &nw))
		return 2;
	for (size_t k = 0; k < nw; k++) {
		w[k].m.at = at;
		if (imalog_replay_watch(r, &w[k].m)) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 2;
		}
	}
	if (!replay(r, log))
		return 2;
	n = imalog_replay_entries(r);
	if (at != NONE && at > n) {
		fprintf(stderr, "%s: %s has %" PRIu64 " entries, not %" PRIu64 "\n",
			prog, log, n, at);
		return 2;
	}
	seen = imalog_replay_pcrs_seen(r);
	for (size_t k = 0; k < nw; k++) {
		unsigned int p = w[k].m.pcr;

		if (only >= 0 ? p != (unsigned long)only : p != 10 && !(seen & (1u << p)))
			continue;
		if (!imalog_replay_has_bank(r, w[k].m.bank)) {
			fprintf(stderr, "%s: %s:%lu: no %s in libcrypto\n", prog, file,
				w[k].line, imalog_bank_name(w[k].m.bank));
			return 2;
		}
		sel[ns++] = &w[k];
	}
	if (!ns) {
		if (only >= 0)
			fprintf(stderr, "%s: %s: no values for PCR %ld\n", prog, file, only);
		else
			fprintf(stderr, "%s: %s: no values for PCR 10 or any PCR in the log\n",
				prog, file);
		return 2;
	}
	qsort(sel, ns, sizeof(sel[0]), cmp_want);
	for (size_t k = 0; k < ns; k++)
		ok &= report(&sel[k]->m, at);

	if (ok) {
		/* one prefix for all: the smallest candidate that works */
		if (at != NONE) {
			if (consistent(sel, ns, at, true))
				common = at;
		} else {
			for (size_t k = 0; k < ns; k++)
				for (int j = 0; j < nr_kinds(&sel[k]->m); j++) {
					uint64_t c = sel[k]->m.found[j].first;

					if (c != NONE && c < common &&
					    consistent(sel, ns, c, false))
						common = c;
				}
		}
		if (common == NONE) {
			printf("no common prefix: the values do not all match after the same number of entries (each bank with one digest kind)\n");
			ok = false;
		}
	}
	printf("entries: %" PRIu64 "\n", n);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *log = NULL, *file = NULL;
	uint64_t at = NONE;
	long only = -1;
	struct imalog_replay *r;
	int ret;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout, 0);
		} else if (!strcmp(a, "--entries") && i + 1 < argc) {
			if (!parse_u64(argv[++i], &at)) {
				fprintf(stderr, "%s: bad --entries \"%s\"\n", prog, argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--chunk") && i + 1 < argc) {
			uint64_t c;

			if (!parse_u64(argv[++i], &c) || c == 0 || c > (1u << 30)) {
				fprintf(stderr, "%s: bad --chunk \"%s\"\n", prog, argv[i]);
				return 2;
			}
			chunk = c;
		} else if (!strcmp(a, "--expect") && i + 1 < argc) {
			file = argv[++i];
		} else if (!strcmp(a, "--pcr") && i + 1 < argc) {
			uint64_t p;

			if (!parse_u64(argv[++i], &p) || p >= IMALOG_MAX_PCRS) {
				fprintf(stderr, "%s: bad --pcr \"%s\"\n", prog, argv[i]);
				return 2;
			}
			only = (long)p;
		} else if ((a[0] != '-' || !strcmp(a, "-")) && !log) {
			log = a;
		} else {
			usage(stderr, 2);
		}
	}
	if (!log || (only >= 0 && !file))
		usage(stderr, 2);

	r = imalog_replay_new();
	if (!r) {
		fprintf(stderr, "%s: cannot set up libcrypto digests\n", prog);
		return 2;
	}
	ret = file ? expect(r, log, file, only, at) : plain(r, log, at);
	imalog_replay_free(r);
	if (fflush(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
		return 2;
	}
	return ret;
}
