// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: a userspace Xen vTPM backend (tpmif v2) with libtpms as the TPM.
 *
 *   vtpmd --domid N (--state DIR | --state-later DIR) [--tpm1] [--handle H]
 *         [--pcr-banks LIST] [--localities LIST] [--lock-dir DIR]
 *         [--delay-ms N]
 *         [--fault stall|die|bad-length|bad-state|short|bad-size|close-stall|slow
 *          [--fault-after N]]
 *
 * Setup, in this order: the per-device lock (daemon.c), the state
 * directory and libtpms (tpm.c), xenstore and the grant and event channel
 * devices, a stale device's nodes cleared and fresh ones written
 * (xenbus.c); then every capability is dropped.  It then serves the
 * frontend one request at a time (serve.c).  SIGTERM or SIGINT closes the
 * device, removes the nodes and saves the vTPM's state, which the next
 * start resumes with its PCRs (tpm.c).  --state-later DIR serves from a
 * new state kept in memory, before DIR can exist (its disk not mounted
 * yet); SIGHUP adopts DIR (state.c: state_adopt()), in the main loop, not
 * in the handler.  --fault makes it misbehave on purpose,
 * for the frontend's tests: after N good commands with --fault-after N,
 * else once, on the first command after each SIGUSR1; close-stall stops
 * answering once it announces Closing; slow answers one command
 * FAULT_SLOW_MS late (later than the core waits for a SelfTest).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state.h"
#include "vtpmd.h"

#define DEFAULT_LOCK_DIR "/run/vtpmd"

struct vtpmd d = {
	.tpm2 = true, .port = -1, .fault_after = -1, .localities = 1,
};
volatile sig_atomic_t vtpmd_stop, vtpmd_armed;
/* SIGHUP: adopt the state directory (--state-later). */
static volatile sig_atomic_t vtpmd_adopt;
/* --state or --state-later's directory */
static const char *state_dir;

const char *const fault_names[] = {
	[F_STALL] = "stall", [F_DIE] = "die", [F_BAD_LENGTH] = "bad-length",
	[F_BAD_STATE] = "bad-state", [F_SHORT] = "short",
	[F_BAD_SIZE] = "bad-size", [F_CLOSE_STALL] = "close-stall",
	[F_SLOW] = "slow",
};

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		vtpmd_armed = 1;
	else if (sig == SIGHUP)
		vtpmd_adopt = 1;
	else
		vtpmd_stop = 1;
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "vtpmd: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static _Noreturn void usage(void)
{
	fprintf(stderr,
		"usage: vtpmd --domid N (--state DIR | --state-later DIR) [--tpm1] [--handle H]\n"
		"             [--pcr-banks LIST] [--localities LIST] [--lock-dir DIR] [--delay-ms N]\n"
		"             [--fault stall|die|bad-length|bad-state|short|bad-size|close-stall|slow\n"
		"              [--fault-after N]]\n");
	exit(2);
}

static unsigned long num_arg(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > max || s[0] == '-')
		usage();
	return v;
}

static enum fault fault_arg(const char *s)
{
	for (size_t i = 1; i < sizeof(fault_names) / sizeof(*fault_names); i++)
		if (!strcmp(s, fault_names[i]))
			return i;
	usage();
}

struct args {
	const char *dir;
	bool later;
	const char *lock_dir;
};

static void parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "domid", required_argument, NULL, 'd' },
		{ "state", required_argument, NULL, 's' },
		{ "state-later", required_argument, NULL, 'S' },
		{ "tpm1", no_argument, NULL, '1' },
		{ "handle", required_argument, NULL, 'h' },
		{ "pcr-banks", required_argument, NULL, 'b' },
		{ "localities", required_argument, NULL, 'l' },
		{ "lock-dir", required_argument, NULL, 'L' },
		{ "delay-ms", required_argument, NULL, 'D' },
		{ "fault", required_argument, NULL, 'f' },
		{ "fault-after", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_domid = false;
	int c;

	a->dir = NULL;
	a->later = false;
	a->lock_dir = DEFAULT_LOCK_DIR;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			d.domid = num_arg(optarg, 0x7fef);
			have_domid = true;
			break;
		case 's':
		case 'S':
			if (a->dir)
				die("give one of --state DIR and --state-later DIR, once");
			a->dir = optarg;
			a->later = c == 'S';
			break;
		case '1':
			d.tpm2 = false;
			break;
		case 'h':
			d.handle = num_arg(optarg, 0xffff);
			break;
		case 'b':
			if (parse_pcr_banks(optarg, &d.banks))
				die("--pcr-banks: \"%s\" is not a list of sha1, sha256, sha384, sha512, sm3_256",
				    optarg);
			break;
		case 'l':
			if (parse_localities(optarg, &d.localities))
				die("--localities: \"%s\" is not a list of localities 0-%d (\"0\", \"0,2\", \"0-3\")",
				    optarg, LOCALITY_MAX);
			break;
		case 'L':
			a->lock_dir = optarg;
			break;
		case 'D':
			d.delay_ms = num_arg(optarg, 60000);
			break;
		case 'f':
			d.fault = fault_arg(optarg);
			break;
		case 'a':
			d.fault_after = (long)num_arg(optarg, 1UL << 30);
			break;
		default:
			usage();
		}
	}
	if (!have_domid || !a->dir || optind != argc)
		usage();
	if (d.banks.nr && !d.tpm2)
		die("--pcr-banks is for a TPM 2.0 (a TPM 1.2 has one bank, sha1)");
}

/*
 * SIGHUP: adopt --state-later's directory.  Here, between two requests,
 * never in the signal handler: it writes files, and libtpms must not be
 * storing a blob meanwhile.
 */
static void adopt_state(void)
{
	char why[512];

	vtpmd_adopt = 0;
	if (!state_in_memory()) {
		printf("vtpmd: SIGHUP: the state is already in %s; nothing to adopt\n",
		       state_dir);
		fflush(stdout);
		return;
	}
	if (state_adopt(state_dir, why, sizeof(why))) {
		fprintf(stderr, "vtpmd: refusing the state directory %s: %s; still serving from memory (send SIGHUP again once it is fixed)\n",
			state_dir, why);
		return;
	}
	printf("vtpmd: state directory %s adopted; persisting from now on\n",
	       state_dir);
	fflush(stdout);
}

/* Serve until a signal stops it or the frontend goes away. */
static void serve(void)
{
	long fs;

	while (!vtpmd_stop) {
		if (vtpmd_adopt)
			adopt_state();
		fs = fe_state();
		if (!d.page) {
			if (fs == XB_INITIALISED || fs == XB_CONNECTED) {
				if (!do_connect()) {
					set_be_state(XB_CLOSING);
					break;
				}
				serve_request();	/* one may already wait */
			} else {
				sleep_ms(10);
			}
			continue;
		}
		if (fs == XB_CLOSING || fs == XB_CLOSED || fs < 0) {
			do_disconnect("frontend closed");
			if (fs < 0)
				break;
			set_be_state(XB_INITWAIT);
			continue;
		}
		{
			struct pollfd p = { .fd = xenevtchn_fd(d.xce), .events = POLLIN };
			int n = poll(&p, 1, 100);

			if (n > 0) {
				xenevtchn_port_or_error_t port = xenevtchn_pending(d.xce);

				if (port >= 0)
					xenevtchn_unmask(d.xce, port);
			}
			/* A notification may be lost or early: check the page each time. */
			serve_request();
		}
	}
}

/*
 * Close: announce Closing but keep answering until the frontend is Closed,
 * so its last commands (TPM2_Shutdown) are served; then unmap.
 */
static void close_device(void)
{
	long fs;

	set_be_state(XB_CLOSING);
	for (int ms = 0; d.page && ms < 5000; ms += 10) {
		fs = fe_state();
		if (fs == XB_CLOSED || fs < 0)
			break;
		if (d.fault != F_CLOSE_STALL)
			serve_request();
		sleep_ms(10);
	}
	if (d.page)
		do_disconnect("stopping");
	wait_fe(XB_CLOSED, XB_UNKNOWN, 5000);
	remove_nodes();
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct args a;

	parse_args(argc, argv, &a);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	snprintf(d.fe, sizeof(d.fe), "/local/domain/%u/device/vtpm/%u",
		 d.domid, d.handle);
	snprintf(d.be, sizeof(d.be), "/local/domain/0/backend/vtpm/%u/%u",
		 d.domid, d.handle);

	lock_domain(a.lock_dir);
	state_dir = a.dir;
	tpm_start(a.dir, a.later);
	d.xs = xs_open(0);
	if (!d.xs)
		die("cannot open xenstore: %s", strerror(errno));
	d.gt = xengnttab_open(NULL, 0);
	if (!d.gt)
		die("cannot open the grant table device: %s", strerror(errno));
	d.xce = xenevtchn_open(NULL, 0);
	if (!d.xce)
		die("cannot open the event channel device: %s", strerror(errno));
	drop_privileges();

	clear_stale();
	create_nodes();
	serve();
	close_device();
	/* A SIGHUP that came with the SIGTERM still counts. */
	if (vtpmd_adopt)
		adopt_state();
	/* Only a stop by signal is a clean one: see tpm_stop(). */
	tpm_stop(vtpmd_stop);
	xs_close(d.xs);
	return 0;
}
