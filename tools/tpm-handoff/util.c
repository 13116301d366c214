// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: messages, hex, numbers and whole-file reads.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void cli_err(const char *fmt, ...)
{
	char msg[2 * CLI_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line, whatever the message quotes. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "%s: %s\n", CLI_PROG, msg);
}

/* 0-15 for a hex digit, -1 otherwise. */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cli_hex_decode(const char *s, uint8_t *out, size_t want)
{
	if (strlen(s) != 2 * want)
		return -1;
	for (size_t k = 0; k < want; k++) {
		int hi = hexval((unsigned char)s[2 * k]);
		int lo = hexval((unsigned char)s[2 * k + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[k] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

char *cli_hex_str(char *out, const uint8_t *v, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t k = 0; k < n; k++) {
		out[2 * k] = digits[v[k] >> 4];
		out[2 * k + 1] = digits[v[k] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

void cli_hex_print(FILE *f, const uint8_t *v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%02x", v[k]);
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned int d;

		if (!isdigit((unsigned char)*s))
			return -1;
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int cli_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *b;
	int ret = 0;

	if (fd < 0)
		return -errno;
	b = malloc(cap + 1);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > max) {
				ret = -EFBIG;
				break;
			}
			cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (!ret && n > max)
		ret = -EFBIG;
	if (ret) {
		free(b);
		goto out;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
out:
	if (!is_stdin)
		close(fd);
	return ret;
}

int cli_text_lines(char *text, size_t len, const char *path, cli_line_fn fn,
		   void *ctx, char *err, size_t errlen)
{
	unsigned long ln = 0;
	char *line, *next;

	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "%s: binary data (a NUL byte)", path);
		return -1;
	}
	for (line = text; *line; line = next) {
		ln++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		if (fn(line, ln, ctx, err, errlen))
			return -1;
	}
	return 0;
}

int cli_path(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

const char *cli_errno_name(int e, char *buf, size_t len)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EBUSY, "EBUSY" },
		{ ENODEV, "ENODEV" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { ETIME, "ETIME" },
		{ EPROTO, "EPROTO" }, { EBADMSG, "EBADMSG" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EALREADY, "EALREADY" }, { EINTR, "EINTR" }, { EAGAIN, "EAGAIN" },
		{ ECANCELED, "ECANCELED" },
	};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (names[k].e == e)
			return names[k].name;
	snprintf(buf, len, "errno %d", e);
	return buf;
}
