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

#include "../lib/imalog.h"
#include "sysfs.h"
#include "util.h"

int th_sysfs_line(const char *dir, const char *name, char *buf, size_t len)
{
	char path[4096], *text;
	size_t n;
	int ret;

	if (th_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	ret = th_read_file(path, TH_FILE_MAX, &text, &n);
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

bool th_state_known(const char *state)
{
	return !strcmp(state, "idle") || !strcmp(state, "running") ||
	       !strcmp(state, "committed") || !strcmp(state, "aborted");
}

bool th_chip_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 3 && n < TH_NAME && !strncmp(s, "tpm", 3) &&
	       strspn(s + 3, "0123456789") == n - 3;
}

/* Split the vtpm attribute into m's vtpm fields. */
static void parse_vtpm(struct th_module *m, const char *v)
{
	const char *sp = strchr(v, ' ');
	size_t n = sp ? (size_t)(sp - v) : strlen(v);

	if (!strcmp(v, "committed")) {
		m->vtpm_kind = TH_VTPM_COMMITTED;
	} else if (!strncmp(v, "none", 4) && (!v[4] || v[4] == ':')) {
		m->vtpm_kind = TH_VTPM_NONE;
		v += 4;
		v += strspn(v, ": ");
		snprintf(m->vtpm_why, sizeof(m->vtpm_why), "%s",
			 *v ? v : "no vTPM found");
	} else if (!*v) {
		/* An empty line: no vTPM, and no reason given. */
		m->vtpm_kind = TH_VTPM_NONE;
		snprintf(m->vtpm_why, sizeof(m->vtpm_why), "no vTPM found");
	} else if (n < TH_NAME) {
		m->vtpm_kind = TH_VTPM_FOUND;
		memcpy(m->vtpm, v, n);
		m->vtpm[n] = 0;
		snprintf(m->provider, sizeof(m->provider), "%s",
			 sp ? sp + 1 : "");
		if (!th_chip_name_ok(m->vtpm) || strlen(m->provider) >= TH_NAME - 1)
			goto bad;
	} else {
		goto bad;
	}
	return;
bad:
	m->vtpm_kind = TH_VTPM_UNREADABLE;
	m->vtpm[0] = m->provider[0] = 0;
	snprintf(m->vtpm_why, sizeof(m->vtpm_why),
		 "the vtpm attribute says \"%.200s\", not \"tpmN PROVIDER\" or \"none: REASON\"",
		 v);
}

void th_module_read(const char *dir, struct th_module *m)
{
	char v[TH_MSG];
	struct stat st;
	int ret;

	memset(m, 0, sizeof(*m));
	m->vtpm_kind = TH_VTPM_UNREADABLE;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return;
	m->loaded = true;
	m->state_err = th_sysfs_line(dir, "state", m->state, sizeof(m->state));
	if (!m->state_err && !th_state_known(m->state))
		m->state_err = -EBADMSG;
	if (th_sysfs_line(dir, "error", m->error, sizeof(m->error)))
		m->error[0] = 0;
	if (th_sysfs_line(dir, "ptpm", m->ptpm, sizeof(m->ptpm)) ||
	    !th_chip_name_ok(m->ptpm))
		m->ptpm[0] = 0;
	ret = th_sysfs_line(dir, "vtpm", v, sizeof(v));
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
	int x = imalog_bank_by_name(a), y = imalog_bank_by_name(b);

	if (x < 0)
		x = IMALOG_NR_BANKS;
	if (y < 0)
		y = IMALOG_NR_BANKS;
	return x != y ? x - y : strcmp(a, b);
}

int th_chip_banks(const char *class_dir, const char *chip, struct th_banks *b)
{
	char path[4096];
	struct dirent *d;
	DIR *dir;

	b->nr = 0;
	if (th_path(path, sizeof(path), class_dir, chip))
		return -ENAMETOOLONG;
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		const char *bank = d->d_name + 4;

		if (strncmp(d->d_name, "pcr-", 4) || !*bank ||
		    strlen(bank) >= TH_NAME || b->nr == TH_MAX_BANKS)
			continue;
		snprintf(b->name[b->nr++], TH_NAME, "%s", bank);
	}
	closedir(dir);
	qsort(b->name, b->nr, sizeof(b->name[0]), bank_order);
	return 0;
}

bool th_banks_has(const struct th_banks *b, const char *name)
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
	if (*pcr >= IMALOG_MAX_PCRS)
		return -1;
	p += 8;
	for (int k = 0; k < TH_TPM1_DIGEST; k++) {
		char hex[3] = { p[0], p[0] ? p[1] : 0, 0 };

		if (th_hex_decode(hex, &v[k], 1))
			return -1;
		p += 2;
		if (*p == ' ')
			p++;
		else if (*p || k < TH_TPM1_DIGEST - 1)
			return -1;
	}
	return *p ? -1 : 0;
}

int th_tpm1_pcrs(const char *class_dir, const char *chip,
		 uint8_t vals[][TH_TPM1_DIGEST], uint32_t *mask,
		 char *path, size_t pathlen, char *err, size_t errlen)
{
	char dir[4096], *text, *line, *next;
	unsigned long ln = 0;
	size_t len;
	int ret;

	*mask = 0;
	if (th_path(dir, sizeof(dir), class_dir, chip) ||
	    th_path(path, pathlen, dir, "device/pcrs")) {
		snprintf(err, errlen, "%s: path too long", class_dir);
		return -1;
	}
	ret = th_read_file(path, TH_FILE_MAX, &text, &len);
	if (ret == -ENOENT) {
		th_path(path, pathlen, dir, "pcrs");
		ret = th_read_file(path, TH_FILE_MAX, &text, &len);
	}
	if (ret) {
		snprintf(err, errlen, "cannot read the TPM 1.2 PCRs of %s (%s/device/pcrs): %s",
			 chip, dir, strerror(-ret));
		return -1;
	}
	ret = -1;
	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "%s: binary data (a NUL byte)", path);
		goto out;
	}
	for (line = text; *line; line = next) {
		unsigned int pcr;
		uint8_t v[TH_TPM1_DIGEST];

		ln++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		if (tpm1_pcr_line(line, &pcr, v)) {
			snprintf(err, errlen, "%s:%lu: expected \"PCR-NN: \" and 20 hex bytes, got \"%.70s\"",
				 path, ln, line);
			goto out;
		}
		if (*mask & (1u << pcr)) {
			snprintf(err, errlen, "%s:%lu: PCR %u given twice", path, ln, pcr);
			goto out;
		}
		memcpy(vals[pcr], v, sizeof(v));
		*mask |= 1u << pcr;
	}
	ret = 0;
out:
	free(text);
	return ret;
}

bool th_chip_is_tpm1(const char *class_dir, const char *chip)
{
	char dir[4096], path[4200];
	struct th_banks b;
	struct stat st;

	if (th_chip_banks(class_dir, chip, &b) || b.nr ||
	    th_path(dir, sizeof(dir), class_dir, chip))
		return false;
	return (!th_path(path, sizeof(path), dir, "device/pcrs") && !stat(path, &st)) ||
	       (!th_path(path, sizeof(path), dir, "pcrs") && !stat(path, &st));
}
