// SPDX-License-Identifier: GPL-2.0-only
/*
 * fail-write.so: an LD_PRELOAD shim that makes write() to any file but
 * stdin, stdout and stderr fail with the errno in $FAKE_ERRNO, as the
 * kernel answers a write to /sys/kernel/tpm_handoff/trigger when a
 * handoff fails (selftests/host/tool-start.sh: what tpm-handoff start
 * says for each).  Without $FAKE_ERRNO, write() is the real one.  Built
 * by the test that uses it:
 *
 *   cc -shared -fPIC -o fail-write.so fail-write.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t (*real)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
	const char *e = getenv("FAKE_ERRNO");

	if (e && fd > 2) {
		errno = atoi(e);
		return -1;
	}
	return real(fd, buf, n);
}
