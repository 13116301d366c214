// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: libtpms state blobs as files in one directory.
 *
 * The directory holds a TPM's secrets: it must be root's and writable by
 * root only, and it is opened once (O_NOFOLLOW): every file is reached
 * through that descriptor, never by a path that a link could redirect, and
 * opened with O_NOFOLLOW.  A store writes a temporary file, fsyncs it,
 * renames it over the old one and fsyncs the directory, each step checked,
 * so a vtpmd killed at any point leaves the old or the new blob, never a
 * torn one, and a failed store is reported, not believed.  A lock on
 * ".lock" in the directory keeps a second vtpmd out of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

#define BLOB_MAX	(16 << 20)

static int dir_fd = -1;

/**
 * state_check_dir() - may this directory hold a TPM's state?
 * @st: its lstat()
 * @why: receives the reason for a refusal
 *
 * Return: 0, or -EPERM with @why set.
 */
int state_check_dir(const struct stat *st, const char **why)
{
	if (!S_ISDIR(st->st_mode)) {
		*why = "not a directory (or a symbolic link)";
		return -EPERM;
	}
	if (st->st_uid != 0) {
		*why = "not owned by root";
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		*why = "writable by others than root";
		return -EPERM;
	}
	return 0;
}

int state_init(const char *dir, const char **why)
{
	struct stat st;
	int fd, rc;

	*why = NULL;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ELOOP || rc == -ENOTDIR)
			*why = "not a directory (or a symbolic link)";
		return *why ? -EPERM : rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = state_check_dir(&st, why);
	if (rc) {
		close(fd);
		return rc;
	}
	if (dir_fd >= 0)
		close(dir_fd);
	dir_fd = fd;
	return 0;
}

int state_lock(pid_t *holder)
{
	char pid[32];
	ssize_t n;
	int fd;

	*holder = 0;
	fd = openat(dir_fd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int rc = errno == EWOULDBLOCK ? -EBUSY : -errno;

		n = pread(fd, pid, sizeof(pid) - 1, 0);
		if (n > 0) {
			pid[n] = '\0';
			*holder = (pid_t)atol(pid);
		}
		close(fd);
		return rc;
	}
	/* Kept open (and locked) until vtpmd exits. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, n, 0) != n)
		return -errno;
	return 0;
}

static int check_name(const char *name, const char *pfx, char *buf,
		      size_t sz)
{
	/* libtpms names are fixed words; refuse anything path-like */
	if (!*name || strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	if ((size_t)snprintf(buf, sz, "%s%s", pfx, name) >= sz)
		return -ENAMETOOLONG;
	return dir_fd < 0 ? -EBADF : 0;
}

int state_load(const char *name, unsigned char **data, uint32_t *len)
{
	char p[NAME_MAX + 1];
	struct stat st;
	unsigned char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	rc = check_name(name, "", p, sizeof(p));
	if (rc)
		return rc;
	fd = openat(dir_fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > BLOB_MAX) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
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
	char p[NAME_MAX + 1], tmp[NAME_MAX + 1];
	size_t done = 0;
	int fd, rc;

	rc = check_name(name, "", p, sizeof(p));
	if (!rc)
		rc = check_name(name, ".tmp.", tmp, sizeof(tmp));
	if (rc)
		return rc;
	/* A leftover temporary file (or a link put there) is not reused. */
	if (unlinkat(dir_fd, tmp, 0) && errno != ENOENT)
		return -errno;
	fd = openat(dir_fd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
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
	if (close(fd)) {
		rc = -errno;
		unlinkat(dir_fd, tmp, 0);
		return rc;
	}
	if (renameat(dir_fd, tmp, dir_fd, p)) {
		rc = -errno;
		unlinkat(dir_fd, tmp, 0);
		return rc;
	}
	/* The rename is durable only once the directory is. */
	if (fsync(dir_fd))
		return -errno;
	return 0;
fail:
	close(fd);
	unlinkat(dir_fd, tmp, 0);
	return rc;
}

int state_delete(const char *name)
{
	char p[NAME_MAX + 1];
	int rc = check_name(name, "", p, sizeof(p));

	if (rc)
		return rc;
	if (unlinkat(dir_fd, p, 0))
		return -errno;
	return fsync(dir_fd) ? -errno : 0;
}
