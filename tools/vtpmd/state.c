// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: libtpms state blobs as files in one directory.  A store writes a
 * temporary file, fsyncs it, renames it over the old one and fsyncs the
 * directory, so a vtpmd killed at any point leaves the old or the new blob,
 * never a torn one.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

static char state_dir[PATH_MAX];

int state_init(const char *dir)
{
	if (strlen(dir) >= sizeof(state_dir) - 64)
		return -ENAMETOOLONG;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	strcpy(state_dir, dir);
	return 0;
}

static int path_of(char *buf, size_t sz, const char *name, const char *pfx)
{
	/* libtpms names are fixed words; refuse anything path-like */
	if (!*name || strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	if ((size_t)snprintf(buf, sz, "%s/%s%s", state_dir, pfx, name) >= sz)
		return -ENAMETOOLONG;
	return 0;
}

int state_load(const char *name, unsigned char **data, uint32_t *len)
{
	char p[PATH_MAX];
	struct stat st;
	unsigned char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	rc = path_of(p, sizeof(p), name, "");
	if (rc)
		return rc;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size > 16 << 20) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			free(buf);
			close(fd);
			return rc;
		}
		got += n;
	}
	close(fd);
	*data = buf;
	*len = got;
	return 0;
}

int state_store(const char *name, const unsigned char *data, uint32_t len)
{
	char p[PATH_MAX], tmp[PATH_MAX];
	size_t done = 0;
	int fd, dfd, rc;

	rc = path_of(p, sizeof(p), name, "");
	if (!rc)
		rc = path_of(tmp, sizeof(tmp), name, ".tmp.");
	if (rc)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0) {
			rc = -errno;
			goto fail;
		}
		done += n;
	}
	if (fsync(fd)) {
		rc = -errno;
		goto fail;
	}
	close(fd);
	if (rename(tmp, p)) {
		rc = -errno;
		unlink(tmp);
		return rc;
	}
	dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	close(fd);
	unlink(tmp);
	return rc;
}

int state_delete(const char *name)
{
	char p[PATH_MAX];
	int rc = path_of(p, sizeof(p), name, "");

	if (rc)
		return rc;
	return unlink(p) ? -errno : 0;
}
