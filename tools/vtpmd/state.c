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
 *
 * With --state-later the blobs live in memory first (state_memory()), the
 * same calls reaching them there, until state_adopt() writes them into the
 * directory and switches every later call to it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

#define BLOB_MAX	(16 << 20)

static int dir_fd = -1, lock_fd = -1;

/*
 * The memory backend (--state-later): blobs kept here until
 * state_adopt() writes them to a directory.  libtpms stores three names at
 * most (permall, volatilestate, savestate) and vtpmd one (resume).
 */
#define MEM_BLOBS	8
#define MEM_NAME	32

struct mem_blob {
	char name[MEM_NAME];	/* "" if the slot is free */
	unsigned char *data;
	uint32_t len;
};

static struct mem_blob mem[MEM_BLOBS];
static bool in_memory;

/* The names vtpmd and libtpms write: an adopted directory has only ours. */
static const char *const known_names[] = {
	"permall", "volatilestate", "savestate", "resume",
};

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

/* Make (0700) if need be, open and check @dir; its descriptor in *fdp. */
static int open_dir(const char *dir, const char **why, int *fdp)
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
	*fdp = fd;
	return 0;
}

static void mem_free(struct mem_blob *b)
{
	if (b->data)
		explicit_bzero(b->data, b->len);	/* the TPM's secrets */
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void mem_clear(void)
{
	for (int i = 0; i < MEM_BLOBS; i++)
		mem_free(&mem[i]);
}

static void close_dir(void)
{
	if (dir_fd >= 0)
		close(dir_fd);
	if (lock_fd >= 0)
		close(lock_fd);		/* releases the lock */
	dir_fd = lock_fd = -1;
}

int state_init(const char *dir, const char **why)
{
	int fd = -1, rc = open_dir(dir, why, &fd);

	if (rc)
		return rc;
	if (dir_fd >= 0)
		close(dir_fd);
	dir_fd = fd;
	if (in_memory)
		mem_clear();
	in_memory = false;
	return 0;
}

void state_memory(void)
{
	close_dir();
	mem_clear();
	in_memory = true;
}

bool state_in_memory(void)
{
	return in_memory;
}

/* Lock ".lock" in @dfd; the locked descriptor in *lfd. */
static int lock_at(int dfd, pid_t *holder, int *lfd)
{
	char pid[32];
	ssize_t n;
	int fd, rc;

	*holder = 0;
	fd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		if (n > 0) {
			pid[n] = '\0';
			*holder = (pid_t)atol(pid);
		}
		close(fd);
		return rc;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, n, 0) != n) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*lfd = fd;
	return 0;
}

int state_lock(pid_t *holder)
{
	int fd = -1, rc;

	if (dir_fd < 0)
		return -EBADF;
	rc = lock_at(dir_fd, holder, &fd);
	if (rc)
		return rc;
	/* Kept open (and locked) until vtpmd exits. */
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = fd;
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
	return 0;
}

static int load_at(int dfd, const char *name, unsigned char **data,
		   uint32_t *len)
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
	fd = openat(dfd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
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

static int store_at(int dfd, const char *name, const unsigned char *data,
		    uint32_t len)
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
	if (unlinkat(dfd, tmp, 0) && errno != ENOENT)
		return -errno;
	fd = openat(dfd, tmp,
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
		unlinkat(dfd, tmp, 0);
		return rc;
	}
	if (renameat(dfd, tmp, dfd, p)) {
		rc = -errno;
		unlinkat(dfd, tmp, 0);
		return rc;
	}
	/* The rename is durable only once the directory is. */
	if (fsync(dfd))
		return -errno;
	return 0;
fail:
	close(fd);
	unlinkat(dfd, tmp, 0);
	return rc;
}

static int delete_at(int dfd, const char *name)
{
	char p[NAME_MAX + 1];
	int rc = check_name(name, "", p, sizeof(p));

	if (rc)
		return rc;
	if (unlinkat(dfd, p, 0))
		return -errno;
	return fsync(dfd) ? -errno : 0;
}

static struct mem_blob *mem_find(const char *name)
{
	for (int i = 0; i < MEM_BLOBS; i++)
		if (mem[i].name[0] && !strcmp(mem[i].name, name))
			return &mem[i];
	return NULL;
}

static int mem_load(const char *name, unsigned char **data, uint32_t *len)
{
	struct mem_blob *b = mem_find(name);

	if (!b)
		return -ENOENT;
	*data = malloc(b->len ? b->len : 1);
	if (!*data)
		return -ENOMEM;
	memcpy(*data, b->data, b->len);
	*len = b->len;
	return 0;
}

static int mem_store(const char *name, const unsigned char *data,
		     uint32_t len)
{
	struct mem_blob *b = mem_find(name);
	unsigned char *copy;

	if (strlen(name) >= MEM_NAME)
		return -ENAMETOOLONG;
	if (len > BLOB_MAX)
		return -EFBIG;
	for (int i = 0; !b && i < MEM_BLOBS; i++)
		if (!mem[i].name[0])
			b = &mem[i];
	if (!b)
		return -ENOSPC;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	/* Replaced whole, as a file is: the old copy goes only now. */
	mem_free(b);
	strcpy(b->name, name);
	b->data = copy;
	b->len = len;
	return 0;
}

static int mem_delete(const char *name)
{
	struct mem_blob *b = mem_find(name);

	if (!b)
		return -ENOENT;
	mem_free(b);
	return 0;
}

int state_load(const char *name, unsigned char **data, uint32_t *len)
{
	char p[NAME_MAX + 1];
	int rc = check_name(name, "", p, sizeof(p));

	if (rc)
		return rc;
	if (in_memory)
		return mem_load(name, data, len);
	return dir_fd < 0 ? -EBADF : load_at(dir_fd, name, data, len);
}

int state_store(const char *name, const unsigned char *data, uint32_t len)
{
	char p[NAME_MAX + 1];
	int rc = check_name(name, "", p, sizeof(p));

	if (rc)
		return rc;
	if (in_memory)
		return mem_store(name, data, len);
	return dir_fd < 0 ? -EBADF : store_at(dir_fd, name, data, len);
}

int state_delete(const char *name)
{
	char p[NAME_MAX + 1];
	int rc = check_name(name, "", p, sizeof(p));

	if (rc)
		return rc;
	if (in_memory)
		return mem_delete(name);
	return dir_fd < 0 ? -EBADF : delete_at(dir_fd, name);
}

/*
 * Copy the memory's blobs into @dfd, permall last (a directory with our
 * permall has all the rest), and remove the blobs of ours that memory
 * does not have (a stale savestate or resume record).
 */
static int adopt_blobs(int dfd, char *why, size_t size)
{
	const char *name;
	int rc;

	for (int last = 0; last < 2; last++) {
		for (int i = 0; i < MEM_BLOBS; i++) {
			name = mem[i].name;
			if (!name[0] || !strcmp(name, "permall") != (bool)last)
				continue;
			rc = store_at(dfd, name, mem[i].data, mem[i].len);
			if (rc) {
				snprintf(why, size, "cannot write %s there: %s",
					 name, strerror(-rc));
				return rc;
			}
		}
	}
	for (size_t i = 0; i < sizeof(known_names) / sizeof(*known_names); i++) {
		name = known_names[i];
		if (mem_find(name))
			continue;
		rc = delete_at(dfd, name);
		if (rc && rc != -ENOENT) {
			snprintf(why, size, "cannot remove the stale %s there: %s",
				 name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/**
 * state_adopt() - move the state from memory into a directory
 * @dir: the directory; made 0700 if it does not exist
 * @why: receives the reason for a refusal, as a phrase
 * @size: its size
 *
 * The directory is checked and locked as state_init() and state_lock()
 * would.  It is adopted if it holds no permall, or the same permall as the
 * memory: every blob is written there, and from then on every store goes
 * there.  Anything else leaves the state in memory, the directory neither
 * locked nor kept open.
 *
 * Return: 0; -EEXIST if it holds a different TPM's state; -EALREADY if the
 * state is not in memory; -EPERM (the checks), -EBUSY (the lock) or -errno.
 */
int state_adopt(const char *dir, char *why, size_t size)
{
	struct mem_blob *ours = mem_find("permall");
	unsigned char *theirs;
	const char *refusal;
	uint32_t len;
	pid_t holder;
	int fd = -1, lfd = -1, rc;

	if (!in_memory) {
		snprintf(why, size, "the state is already in a directory");
		return -EALREADY;
	}
	rc = open_dir(dir, &refusal, &fd);
	if (rc) {
		if (rc == -EPERM && refusal)
			snprintf(why, size, "%s (it is to hold the vTPM's secrets: chown root and chmod go-w it)",
				 refusal);
		else
			snprintf(why, size, "%s", strerror(-rc));
		return rc;
	}
	rc = lock_at(fd, &holder, &lfd);
	if (rc) {
		if (rc == -EBUSY)
			snprintf(why, size, "it is in use by another vtpmd (pid %ld)",
				 (long)holder);
		else
			snprintf(why, size, "cannot lock it: %s", strerror(-rc));
		close(fd);
		return rc;
	}
	rc = load_at(fd, "permall", &theirs, &len);
	if (!rc) {
		bool same = ours && ours->len == len &&
			    !memcmp(ours->data, theirs, len);

		explicit_bzero(theirs, len);
		free(theirs);
		if (!same) {
			snprintf(why, size, "it holds a different TPM's state");
			rc = -EEXIST;
		}
	} else if (rc == -ENOENT) {
		rc = 0;
	} else {
		snprintf(why, size, "cannot read its permall: %s", strerror(-rc));
	}
	if (!rc)
		rc = adopt_blobs(fd, why, size);
	if (rc) {
		close(lfd);
		close(fd);
		return rc;
	}
	close_dir();
	dir_fd = fd;
	lock_fd = lfd;
	mem_clear();
	in_memory = false;
	return 0;
}
