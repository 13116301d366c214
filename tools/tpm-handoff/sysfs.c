// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: reading /sys/kernel/tpm_handoff and /sys/class/tpm.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bank.h"
#include "sysfs.h"
#include "util.h"

int cli_sysfs_line(const char *dir, const char *name, char *buf, size_t len)
{
	char path[4096], *text;
	size_t n;
	int ret;

	if (cli_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	ret = cli_read_file(path, CLI_FILE_MAX, &text, &n);
	if (ret)
		return ret;
	if (n && text[n - 1] == '\n')
		text[--n] = 0;
	ret = 0;
	if (strlen(text) != n || strchr(text, '\n') || n >= len)
		ret = -EBADMSG;
	else
		memcpy(buf, text, n + 1);
	free(text);
	return ret;
}

bool cli_state_known(const char *state)
{
	return !strcmp(state, "idle") || !strcmp(state, "running") ||
	       !strcmp(state, "committed") || !strcmp(state, "aborted");
}

bool cli_chip_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 3 && n < CLI_NAME && !strncmp(s, "tpm", 3) &&
	       strspn(s + 3, "0123456789") == n - 3;
}

/* Split the vtpm attribute into m's vtpm fields. */
static void parse_vtpm(struct cli_module *m, const char *v)
{
	const char *sp = strchr(v, ' ');
	size_t n = sp ? (size_t)(sp - v) : strlen(v);

	if (!strcmp(v, "committed")) {
		m->vtpm_kind = CLI_VTPM_COMMITTED;
	} else if (!strncmp(v, "none", 4) && (!v[4] || v[4] == ':')) {
		m->vtpm_kind = CLI_VTPM_NONE;
		v += 4;
		v += strspn(v, ": ");
		snprintf(m->vtpm_why, sizeof(m->vtpm_why), "%s",
			 *v ? v : "no vTPM found");
	} else if (!*v) {
		/* An empty line: no vTPM, and no reason given. */
		m->vtpm_kind = CLI_VTPM_NONE;
		snprintf(m->vtpm_why, sizeof(m->vtpm_why), "no vTPM found");
	} else if (n < CLI_NAME) {
		m->vtpm_kind = CLI_VTPM_FOUND;
		memcpy(m->vtpm, v, n);
		m->vtpm[n] = 0;
		snprintf(m->provider, sizeof(m->provider), "%s",
			 sp ? sp + 1 : "");
		if (!cli_chip_name_ok(m->vtpm) || strlen(m->provider) >= CLI_NAME - 1)
			goto bad;
	} else {
		goto bad;
	}
	return;
bad:
	m->vtpm_kind = CLI_VTPM_UNREADABLE;
	m->vtpm[0] = m->provider[0] = 0;
	snprintf(m->vtpm_why, sizeof(m->vtpm_why),
		 "the vtpm attribute says \"%.200s\", not \"tpmN PROVIDER\" or \"none: REASON\"",
		 v);
}

void cli_module_read(const char *dir, struct cli_module *m)
{
	char v[CLI_MSG];
	struct stat st;
	int ret;

	memset(m, 0, sizeof(*m));
	m->vtpm_kind = CLI_VTPM_UNREADABLE;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return;
	m->loaded = true;
	m->state_err = cli_sysfs_line(dir, "state", m->state, sizeof(m->state));
	if (!m->state_err && !cli_state_known(m->state))
		m->state_err = -EBADMSG;
	if (cli_sysfs_line(dir, "error", m->error, sizeof(m->error)))
		m->error[0] = 0;
	if (cli_sysfs_line(dir, "ptpm", m->ptpm, sizeof(m->ptpm)) ||
	    !cli_chip_name_ok(m->ptpm))
		m->ptpm[0] = 0;
	if (cli_sysfs_line(dir, "vtpm_state", m->vtpm_state,
			   sizeof(m->vtpm_state)))
		m->vtpm_state[0] = 0;
	ret = cli_sysfs_line(dir, "vtpm", v, sizeof(v));
	if (ret) {
		snprintf(m->vtpm_why, sizeof(m->vtpm_why),
			 "cannot read %s/vtpm: %s", dir, strerror(-ret));
		return;
	}
	parse_vtpm(m, v);
}

/* sha1, sha256, sha384, sha512, sm3_256, then unknown banks by name. */
static int bank_order(const void *a, const void *b)
{
	int x = cli_bank_by_name(a), y = cli_bank_by_name(b);

	if (x < 0)
		x = CLI_NR_BANKS;
	if (y < 0)
		y = CLI_NR_BANKS;
	return x != y ? x - y : strcmp(a, b);
}

int cli_chip_banks(const char *class_dir, const char *chip, struct cli_banks *b)
{
	char path[4096];
	struct dirent *d;
	DIR *dir;

	b->nr = 0;
	if (cli_path(path, sizeof(path), class_dir, chip))
		return -ENAMETOOLONG;
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		const char *bank = d->d_name + 4;

		if (strncmp(d->d_name, "pcr-", 4) || !*bank ||
		    strlen(bank) >= CLI_NAME || b->nr == CLI_MAX_BANKS)
			continue;
		snprintf(b->name[b->nr++], CLI_NAME, "%s", bank);
	}
	closedir(dir);
	qsort(b->name, b->nr, sizeof(b->name[0]), bank_order);
	return 0;
}

bool cli_banks_has(const struct cli_banks *b, const char *name)
{
	for (size_t k = 0; k < b->nr; k++)
		if (!strcmp(b->name[k], name))
			return true;
	return false;
}

/* One line of a pcrs file: "PCR-NN: XX XX ... XX " into *pcr and v. */
static int tpm1_pcr_line(const char *line, unsigned int *pcr, uint8_t *v)
{
	const char *p = line;

	if (strncmp(p, "PCR-", 4) || !isdigit((unsigned char)p[4]) ||
	    !isdigit((unsigned char)p[5]) || strncmp(p + 6, ": ", 2))
		return -1;
	*pcr = (unsigned int)(p[4] - '0') * 10 + (unsigned int)(p[5] - '0');
	if (*pcr >= CLI_MAX_PCRS)
		return -1;
	p += 8;
	for (int k = 0; k < CLI_TPM1_DIGEST; k++) {
		char hex[3] = { p[0], p[0] ? p[1] : 0, 0 };

		if (cli_hex_decode(hex, &v[k], 1))
			return -1;
		p += 2;
		if (*p == ' ')
			p++;
		else if (*p || k < CLI_TPM1_DIGEST - 1)
			return -1;
	}
	return *p ? -1 : 0;
}

/* What the lines of a TPM 1.2's pcrs file fill in. */
struct tpm1_pcrs {
	const char *path;
	uint8_t (*vals)[CLI_TPM1_DIGEST];
	uint32_t *mask;
};

/* One line of the pcrs file, "PCR-NN: " and 20 hex bytes: a cli_line_fn. */
static int tpm1_pcrs_line(char *line, unsigned long ln, void *ctx, char *err,
			  size_t errlen)
{
	struct tpm1_pcrs *t = ctx;
	uint8_t v[CLI_TPM1_DIGEST];
	unsigned int pcr;

	if (tpm1_pcr_line(line, &pcr, v)) {
		snprintf(err, errlen, "%s:%lu: expected \"PCR-NN: \" and 20 hex bytes, got \"%.70s\"",
			 t->path, ln, line);
		return -1;
	}
	if (*t->mask & (1u << pcr)) {
		snprintf(err, errlen, "%s:%lu: PCR %u given twice", t->path, ln, pcr);
		return -1;
	}
	memcpy(t->vals[pcr], v, sizeof(v));
	*t->mask |= 1u << pcr;
	return 0;
}

int cli_tpm1_pcrs(const char *class_dir, const char *chip,
		 uint8_t vals[][CLI_TPM1_DIGEST], uint32_t *mask,
		 char *path, size_t pathlen, char *err, size_t errlen)
{
	struct tpm1_pcrs t = { .path = path, .vals = vals, .mask = mask };
	char dir[4096], *text;
	size_t len;
	int ret;

	*mask = 0;
	if (cli_path(dir, sizeof(dir), class_dir, chip) ||
	    cli_path(path, pathlen, dir, "device/pcrs")) {
		snprintf(err, errlen, "%s: path too long", class_dir);
		return -1;
	}
	ret = cli_read_file(path, CLI_FILE_MAX, &text, &len);
	if (ret == -ENOENT) {
		cli_path(path, pathlen, dir, "pcrs");
		ret = cli_read_file(path, CLI_FILE_MAX, &text, &len);
	}
	if (ret) {
		snprintf(err, errlen, "cannot read the TPM 1.2 PCRs of %s (%s/device/pcrs): %s",
			 chip, dir, strerror(-ret));
		return -1;
	}
	ret = cli_text_lines(text, len, path, tpm1_pcrs_line, &t, err, errlen);
	free(text);
	return ret;
}

bool cli_chip_is_tpm1(const char *class_dir, const char *chip)
{
	char dir[4096], path[4200];
	struct cli_banks b;
	struct stat st;

	if (cli_chip_banks(class_dir, chip, &b) || b.nr ||
	    cli_path(dir, sizeof(dir), class_dir, chip))
		return false;
	return (!cli_path(path, sizeof(path), dir, "device/pcrs") && !stat(path, &st)) ||
	       (!cli_path(path, sizeof(path), dir, "pcrs") && !stat(path, &st));
}
