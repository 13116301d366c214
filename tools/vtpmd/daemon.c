// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd as a daemon an operator can trust: one vtpmd per device, and no
 * privilege beyond what serving needs.
 *
 * A second vtpmd for the same domain and handle would clear the live
 * device's xenstore nodes as a dead one's (clear_stale()), which takes the
 * vTPM away from its frontend for good.  So each vtpmd holds an flock on
 * LOCK_DIR/domD.H.lock for its whole life, taken before it touches
 * xenstore; a second one finds it held and refuses to start.
 *
 * Once set up, vtpmd needs no capability: xenstore, the grant table and
 * event channel devices are open descriptors (nothing checks privileges on
 * their later use), and the state directory is root's own, which vtpmd
 * (uid 0) writes as its owner.  So it drops every capability, from the
 * bounding set too, and sets no_new_privs: what remains is uid 0 with the
 * file permissions of its owner (Documentation/vtpm.rst).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cap-ng.h>

#include "state.h"
#include "vtpmd.h"

void lock_domain(const char *lock_dir)
{
	char path[512], pid[32];
	const char *why;
	struct stat st;
	ssize_t n;
	int fd;

	if (mkdir(lock_dir, 0700) && errno != EEXIST)
		die("cannot make the lock directory %s: %s", lock_dir,
		    strerror(errno));
	if (lstat(lock_dir, &st))
		die("lock directory %s: %s", lock_dir, strerror(errno));
	if (state_check_dir(&st, &why))
		die("refusing the lock directory %s: %s", lock_dir, why);
	snprintf(path, sizeof(path), "%s/dom%u.%u.lock", lock_dir, d.domid,
		 d.handle);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK)
			die("cannot lock %s: %s", path, strerror(errno));
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		die("another vtpmd (pid %s) serves domain %u, handle %u: not starting (it would tear the live device down)",
		    pid[0] ? pid : "unknown", d.domid, d.handle);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, n, 0) != n)
		die("cannot write %s: %s", path, strerror(errno));
	/* fd stays open: the lock is ours until vtpmd exits. */
}

void drop_privileges(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("cannot set no_new_privs: %s", strerror(errno));
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(CAPNG_SELECT_ALL))
		die("cannot drop capabilities");
}
