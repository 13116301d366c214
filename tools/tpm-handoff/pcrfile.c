// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: files of "pcrP.BANK: hex" lines (ima-replay --expect's
 * format), for --ptpm-pcrs and --vtpm-pcrs.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* What the lines of one file fill in: vals[P][BANK], seen[P] its banks. */
struct pcrfile {
	const char *path;
	uint8_t (*vals)[CLI_NR_BANKS][CLI_MAX_DIGEST];
	uint32_t *seen;
};

/*
 * Line ln, line: blank, a "#" comment or "pcrP.BANK: hex", whose value
 * goes into vals[P][BANK] (seen[P] notes the banks given so far).  0, or
 * -1 with the reason in err.  A cli_line_fn.
 */
static int parse_line(char *line, unsigned long ln, void *ctx, char *err,
		      size_t errlen)
{
	struct pcrfile *f = ctx;
	const char *path = f->path;
	uint8_t (*vals)[CLI_NR_BANKS][CLI_MAX_DIGEST] = f->vals;
	uint32_t *seen = f->seen;
	char bank[CLI_NAME], *p = line, *q;
	uint8_t value[CLI_MAX_DIGEST];
	const char *end;
	size_t len;
	int b, n;

	p += strspn(p, " \t\r");
	q = p + strlen(p);
	while (q > p && isspace((unsigned char)q[-1]))
		*--q = 0;
	if (!*p || *p == '#')
		return 0;
	if (strncmp(p, "pcr", 3))
		goto syntax;
	n = cli_rec_parse_pcr(p + 3, &end);
	if (n < 0 || *end != '.')
		goto syntax;
	p = (char *)end + 1;
	len = strcspn(p, ":");
	if (p[len] != ':' || !len || len >= sizeof(bank))
		goto syntax;
	memcpy(bank, p, len);
	bank[len] = 0;
	b = cli_bank_by_name(bank);
	if (b < 0) {
		snprintf(err, errlen, "%s:%lu: unknown bank \"%.40s\"", path, ln, bank);
		return -1;
	}
	p += len + 1;
	p += strspn(p, " \t");
	if ((seen[n] >> b) & 1) {
		snprintf(err, errlen, "%s:%lu: pcr%d.%s given twice", path, ln, n, bank);
		return -1;
	}
	seen[n] |= 1u << b;
	if (cli_hex_decode(p, value, cli_bank_size(b))) {
		snprintf(err, errlen, "%s:%lu: pcr%d.%s: \"%.80s\" is not %u hex digits",
			 path, ln, n, bank, p, 2 * cli_bank_size(b));
		return -1;
	}
	memcpy(vals[n][b], value, cli_bank_size(b));
	return 0;
syntax:
	snprintf(err, errlen, "%s:%lu: expected \"pcrP.BANK: hex\", got \"%.60s\"",
		 path, ln, line);
	return -1;
}

int cli_pcrfile_load_all(const char *path,
			uint8_t vals[CLI_MAX_PCRS][CLI_NR_BANKS][CLI_MAX_DIGEST],
			uint32_t mask[CLI_MAX_PCRS], char *err, size_t errlen)
{
	struct pcrfile f = { .path = path, .vals = vals, .seen = mask };
	size_t len;
	char *text;
	int ret = cli_read_file(path, CLI_FILE_MAX, &text, &len);

	memset(mask, 0, CLI_MAX_PCRS * sizeof(*mask));
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return -1;
	}
	ret = cli_text_lines(text, len, path, parse_line, &f, err, errlen);
	free(text);
	return ret;
}

int cli_pcrfile_load(const char *path, unsigned int pcr,
		    uint8_t vals[CLI_NR_BANKS][CLI_MAX_DIGEST],
		    uint32_t *mask, char *err, size_t errlen)
{
	uint8_t (*all)[CLI_NR_BANKS][CLI_MAX_DIGEST];
	uint32_t masks[CLI_MAX_PCRS];
	int ret;

	*mask = 0;
	if (pcr >= CLI_MAX_PCRS) {
		snprintf(err, errlen, "PCR %u out of range", pcr);
		return -1;
	}
	all = calloc(CLI_MAX_PCRS, sizeof(*all));
	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ret = cli_pcrfile_load_all(path, all, masks, err, errlen);
	if (!ret) {
		memcpy(vals, all[pcr], sizeof(all[pcr]));
		*mask = masks[pcr];
	}
	free(all);
	return ret;
}

