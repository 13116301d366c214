// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff start: check the preconditions, write "1" to the trigger
 * (the write blocks until the handoff has committed or aborted) and show
 * the record, or the kernel's reason and what to do about it.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixes.h"
#include "record.h"
#include "status.h"
#include "util.h"

#define TICK_MS	100	/* progress refresh */

/* Write "1" to the trigger in one write(): 0 or the errno. */
static int trigger_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return errno;
	n = write(fd, "1", 1);
	e = n == 1 ? 0 : n < 0 ? errno : EIO;
	if (close(fd) && !e && errno != EINTR)
		e = errno;
	return e;
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * The same write in a child process, while this one shows the elapsed time
 * and the state on the terminal, in place.  Returns 0 or the errno.
 */
static int trigger_with_progress(const struct cli_opts *o, const char *path)
{
	struct timespec t0, tick = { 0, TICK_MS * 1000000L };
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return trigger_write(path);
	if (pid == 0)
		_exit(trigger_write(path));
	for (;;) {
		char state[CLI_NAME];
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			fprintf(stderr, "\r\033[K");
			return errno;
		}
		if (cli_sysfs_line(o->sysfs, "state", state, sizeof(state)))
			snprintf(state, sizeof(state), "?");
		fprintf(stderr, "\r\033[K%s: handing off: %.1f s, state %s",
			CLI_PROG, since(&t0), state);
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "\r\033[K");
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	cli_err("the process writing the trigger died (signal %d)",
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return EINTR;
}

/* List the failed preconditions on stderr. */
static void print_failures(const struct cli_ready *r)
{
	for (int k = 0; k < CLI_CK_NR; k++) {
		const struct cli_check *c = &r->ck[k];

		if (c->result != CLI_CK_FAIL)
			continue;
		fprintf(stderr, "  %s: %s\n", c->what, c->why);
		fprintf(stderr, "    fix: %s\n", c->fix);
	}
}

int cmd_start(const struct cli_opts *o)
{
	char path[4096], ebuf[32], error[CLI_MSG], err[CLI_MSG];
	struct cli_record rec;
	struct cli_ready r;
	int e, ret;

	cli_ready_check(o, &r);
	if (r.state_error && !o->force) {
		cli_err("not starting: %s", r.ck[CLI_CK_STATE].why);
		return CLI_EXIT_INPUT;
	}
	if (r.committed && !o->force) {
		cli_err("a handoff has already committed: nothing to do (tpm-handoff record shows it)");
		return CLI_EXIT_OK;
	}
	if (r.nfail && !o->force) {
		cli_err("not starting: %d precondition%s failed (--force tries anyway):",
		       r.nfail, r.nfail > 1 ? "s" : "");
		print_failures(&r);
		return CLI_EXIT_FAIL;
	}
	if (r.nfail) {
		cli_err("--force: starting although %d precondition%s failed:",
		       r.nfail, r.nfail > 1 ? "s" : "");
		print_failures(&r);
	}
	if (cli_path(path, sizeof(path), o->sysfs, "trigger")) {
		cli_err("%s: path too long", o->sysfs);
		return CLI_EXIT_INPUT;
	}
	e = isatty(STDERR_FILENO) ? trigger_with_progress(o, path) : trigger_write(path);
	if (e) {
		if (cli_sysfs_line(o->sysfs, "error", error, sizeof(error)) || !error[0])
			snprintf(error, sizeof(error), "(the module gave no reason)");
		cli_err("handoff failed: %s (%s): %s", cli_errno_name(e, ebuf, sizeof(ebuf)),
		       strerror(e), error);
		cli_err("fix: %s", cli_fix(e, error));
		return CLI_EXIT_FAIL;
	}
	cli_err("committed");
	ret = cli_record_load(&rec, o, err, sizeof(err));
	if (ret == CLI_REC_OK)
		cli_record_print_text(stdout, &rec);
	else
		cli_err("but the record is unreadable: %s",
		       ret == CLI_REC_EMPTY ? "it is empty" : err);
	cli_record_free(&rec);
	return CLI_EXIT_OK;
}
