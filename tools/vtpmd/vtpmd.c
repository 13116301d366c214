// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: a userspace Xen vTPM backend (tpmif v2) with libtpms as the TPM.
 *
 *   vtpmd --domid N --state DIR [--tpm1] [--handle H]
 *         [--fault stall|die|bad-length|bad-state|short|bad-size
 *          [--fault-after N]]
 *
 * It writes the xenstore nodes that "xl vtpm-attach" writes (frontend and
 * backend, dom0 included), maps the frontend's shared page with
 * libxengnttab, binds its event channel with libxenevtchn, and answers
 * every command with libtpms.  xenstore is polled rather than watched: the
 * kernel probes dom0's own frontend on its single xenwatch thread, which a
 * backend waiting on watches could stall behind.  SIGTERM or SIGINT closes
 * the device and removes the nodes.  --fault makes it misbehave on purpose,
 * for the frontend's tests: after N good commands with --fault-after N,
 * else once, on the first command after each SIGUSR1.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "proto.h"
#include "state.h"

#define PAGE_SZ 4096

enum xb_state {	/* xenbus states, include/xen/interface/io/xenbus.h */
	XB_UNKNOWN, XB_INITIALISING, XB_INITWAIT, XB_INITIALISED,
	XB_CONNECTED, XB_CLOSING, XB_CLOSED,
};

enum fault {
	F_NONE, F_STALL, F_DIE, F_BAD_LENGTH, F_BAD_STATE, F_SHORT, F_BAD_SIZE,
};

static const char *const fault_names[] = {
	[F_STALL] = "stall", [F_DIE] = "die", [F_BAD_LENGTH] = "bad-length",
	[F_BAD_STATE] = "bad-state", [F_SHORT] = "short",
	[F_BAD_SIZE] = "bad-size",
};

static struct {
	unsigned int domid, handle;
	bool tpm2;
	enum fault fault;
	long fault_after;	/* -1: armed by SIGUSR1 */
	char fe[128], be[128];
	struct xs_handle *xs;
	xengnttab_handle *gt;
	xenevtchn_handle *xce;
	uint8_t *page;
	int port;
	unsigned long ncmd;
	bool stalled;	/* --fault stall fired: answer nothing more */
} d = { .tpm2 = true, .port = -1, .fault_after = -1 };

static volatile sig_atomic_t stop, armed;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		armed = 1;
	else
		stop = 1;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "vtpmd: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- xenstore ---- */

static char *xs_get(const char *dir, const char *node)
{
	char p[256];
	unsigned int len;

	snprintf(p, sizeof(p), "%s/%s", dir, node);
	return xs_read(d.xs, XBT_NULL, p, &len);
}

static long xs_get_num(const char *dir, const char *node)
{
	char *v = xs_get(dir, node), *end;
	long n;

	if (!v)
		return -1;
	n = strtol(v, &end, 10);
	if (*end || end == v)
		n = -1;
	free(v);
	return n;
}

static bool xs_put(xs_transaction_t t, const char *dir, const char *node,
		   const char *fmt, ...)
{
	char p[256], v[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	snprintf(p, sizeof(p), "%s/%s", dir, node);
	return xs_write(d.xs, t, p, v, strlen(v));
}

static void set_be_state(enum xb_state s)
{
	if (!xs_put(XBT_NULL, d.be, "state", "%d", s))
		fprintf(stderr, "vtpmd: cannot write %s/state\n", d.be);
}

static long fe_state(void)
{
	return xs_get_num(d.fe, "state");
}

/* Wait up to @ms for the frontend to reach one of two states. */
static long wait_fe(enum xb_state a, enum xb_state b, long ms)
{
	long s = fe_state();

	for (; ms > 0 && s != a && s != b && s >= 0 && !stop; ms -= 10) {
		sleep_ms(10);
		s = fe_state();
	}
	return s;
}

/* Remove a frontend left behind by a vtpmd that was killed. */
static void clear_stale(void)
{
	char *s = xs_get(d.fe, "state");

	if (!s)
		return;
	free(s);
	/*
	 * Closed, not Closing: nobody serves the stale ring, so the frontend
	 * must not send its TPM2_Shutdown there (it would wait out the
	 * command's timeout) but let go at once.
	 */
	set_be_state(XB_CLOSED);
	wait_fe(XB_CLOSED, XB_UNKNOWN, 10000);
	xs_rm(d.xs, XBT_NULL, d.fe);
	xs_rm(d.xs, XBT_NULL, d.be);
	fprintf(stderr, "vtpmd: removed a stale vtpm device of domain %u\n",
		d.domid);
}

static void create_nodes(void)
{
	struct xs_permissions fe_perm[2] = {
		{ .id = d.domid, .perms = XS_PERM_NONE },
		{ .id = 0, .perms = XS_PERM_READ },
	};
	struct xs_permissions be_perm[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = d.domid, .perms = XS_PERM_READ },
	};
	xs_transaction_t t;
	bool ok;

	do {
		t = xs_transaction_start(d.xs);
		if (t == XBT_NULL)
			die("xenstore transaction: %s", strerror(errno));
		ok = xs_mkdir(d.xs, t, d.be) && xs_mkdir(d.xs, t, d.fe);
		if (d.domid) {
			ok = ok && xs_set_permissions(d.xs, t, d.fe, fe_perm, 2);
			ok = ok && xs_set_permissions(d.xs, t, d.be, be_perm, 2);
		}
		ok = ok && xs_put(t, d.be, "frontend", "%s", d.fe) &&
		     xs_put(t, d.be, "frontend-id", "%u", d.domid) &&
		     xs_put(t, d.be, "online", "1") &&
		     xs_put(t, d.be, "handle", "%u", d.handle) &&
		     xs_put(t, d.be, "resume", "0") &&
		     xs_put(t, d.be, "state", "%d", XB_INITWAIT) &&
		     xs_put(t, d.fe, "backend", "%s", d.be) &&
		     xs_put(t, d.fe, "backend-id", "0") &&
		     xs_put(t, d.fe, "handle", "%u", d.handle);
		if (!ok) {
			xs_transaction_end(d.xs, t, true);
			die("cannot write the vtpm xenstore nodes: %s", strerror(errno));
		}
	} while (!xs_transaction_end(d.xs, t, false) && errno == EAGAIN);
	/* The frontend's state goes last: it makes the device appear. */
	if (!xs_put(XBT_NULL, d.fe, "state", "%d", XB_INITIALISING))
		die("cannot write %s/state", d.fe);
}

/* ---- the connection ---- */

static bool do_connect(void)
{
	long ref = xs_get_num(d.fe, "ring-ref");
	long evtchn = xs_get_num(d.fe, "event-channel");
	long v2 = xs_get_num(d.fe, "feature-protocol-v2");

	if (ref < 0 || evtchn < 0 || v2 != 1) {
		fprintf(stderr, "vtpmd: frontend %s: bad ring-ref, event-channel or protocol\n",
			d.fe);
		return false;
	}
	d.page = xengnttab_map_grant_ref(d.gt, d.domid, ref,
					 PROT_READ | PROT_WRITE);
	if (!d.page) {
		fprintf(stderr, "vtpmd: cannot map grant %ld: %s\n", ref, strerror(errno));
		return false;
	}
	d.port = xenevtchn_bind_interdomain(d.xce, d.domid, evtchn);
	if (d.port < 0) {
		fprintf(stderr, "vtpmd: cannot bind event channel %ld: %s\n",
			evtchn, strerror(errno));
		xengnttab_unmap(d.gt, d.page, 1);
		d.page = NULL;
		return false;
	}
	xs_put(XBT_NULL, d.be, "feature-protocol-v2", "1");
	set_be_state(XB_CONNECTED);
	printf("vtpmd: connected to domain %u (ring-ref %ld, event channel %ld)\n",
	       d.domid, ref, evtchn);
	fflush(stdout);
	return true;
}

static void do_disconnect(const char *why)
{
	if (d.port >= 0)
		xenevtchn_unbind(d.xce, d.port);
	if (d.page)
		xengnttab_unmap(d.gt, d.page, 1);
	d.port = -1;
	d.page = NULL;
	printf("vtpmd: disconnected from domain %u (%s)\n", d.domid, why);
	fflush(stdout);
}

static void finish(uint32_t length, uint8_t state)
{
	put_le32(d.page + SHR_LENGTH, length);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&d.page[SHR_STATE], state, __ATOMIC_RELEASE);
	xenevtchn_notify(d.xce, d.port);
}

/* Apply --fault to a response of @len bytes at @off; true if it was. */
static bool inject(size_t off, size_t len)
{
	if (d.fault == F_NONE)
		return false;
	if (d.fault_after >= 0 ? d.ncmd <= (unsigned long)d.fault_after : !armed)
		return false;
	armed = 0;
	fprintf(stderr, "vtpmd: fault %s on command %lu\n",
		fault_names[d.fault], d.ncmd);
	switch (d.fault) {
	case F_STALL:
		d.stalled = true;		/* never answer */
		return true;
	case F_DIE:
		_exit(3);			/* mid-command */
	case F_BAD_LENGTH:
		finish(PAGE_SZ, VTPM_STATE_FINISH);
		return true;
	case F_BAD_STATE:
		finish(len, 0x7f);
		return true;
	case F_SHORT:
		finish(3, VTPM_STATE_FINISH);
		return true;
	case F_BAD_SIZE:
		put_be32(d.page + off + 2, len + 1);
		finish(len, VTPM_STATE_FINISH);
		return true;
	default:
		return false;
	}
}

static void serve_request(void)
{
	static unsigned char *rbuf;
	static uint32_t rtotal;
	uint32_t rlen = 0;
	size_t off, len;
	uint8_t state = __atomic_load_n(&d.page[SHR_STATE], __ATOMIC_ACQUIRE);
	TPM_RESULT res;

	if (d.stalled)
		return;
	if (state == VTPM_STATE_CANCEL) {
		/* Commands run synchronously: nothing is in flight to cancel. */
		finish(0, VTPM_STATE_IDLE);
		return;
	}
	if (state != VTPM_STATE_SUBMIT)
		return;

	d.ncmd++;
	switch (check_request(d.page, PAGE_SZ, &off, &len)) {
	case REQ_NO_ROOM:
		fprintf(stderr, "vtpmd: request with %u extra pages leaves no room for a response\n",
			d.page[SHR_NR_EXTRA]);
		finish(0, VTPM_STATE_IDLE);
		return;
	case REQ_BAD_SIZE:
		fprintf(stderr, "vtpmd: refused request of length %zu (%u extra pages)\n",
			len, d.page[SHR_NR_EXTRA]);
		finish(error_response(d.page + off, d.tpm2,
				      d.tpm2 ? TPM2_RC_COMMAND_SIZE : TPM1_BAD_PARAM_SIZE),
		       VTPM_STATE_FINISH);
		return;
	case REQ_OK:
		break;
	}

	/* Process a private copy: the frontend may change the page meanwhile. */
	{
		unsigned char cmd[PAGE_SZ];

		memcpy(cmd, d.page + off, len);
		res = TPMLIB_Process(&rbuf, &rlen, &rtotal, cmd, len);
	}
	if (res != TPM_SUCCESS || rlen < TPM_HEADER || rlen > PAGE_SZ - off) {
		fprintf(stderr, "vtpmd: libtpms failed (0x%x, %u bytes)\n", res, rlen);
		rlen = error_response(rbuf && rtotal >= TPM_HEADER ? rbuf : d.page + off,
				      d.tpm2, d.tpm2 ? TPM2_RC_FAILURE : TPM1_FAIL);
		if (!rbuf || rtotal < TPM_HEADER) {
			finish(rlen, VTPM_STATE_FINISH);
			return;
		}
	}
	memcpy(d.page + off, rbuf, rlen);
	if (inject(off, rlen))
		return;
	finish(rlen, VTPM_STATE_FINISH);
}

/* ---- libtpms glue ---- */

static TPM_RESULT nv_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT nv_load(unsigned char **data, uint32_t *length,
			  uint32_t tpm_number, const char *name)
{
	unsigned char *buf;
	uint32_t len;
	int rc;

	(void)tpm_number;
	rc = state_load(name, &buf, &len);
	if (rc == -ENOENT)
		return TPM_RETRY;		/* libtpms: no such blob yet */
	if (rc) {
		fprintf(stderr, "vtpmd: cannot load state %s: %s\n", name, strerror(-rc));
		return TPM_FAIL;
	}
	if (TPM_Malloc(data, len ? len : 1) != TPM_SUCCESS) {
		free(buf);
		return TPM_FAIL;
	}
	memcpy(*data, buf, len);
	*length = len;
	free(buf);
	return TPM_SUCCESS;
}

static TPM_RESULT nv_store(const unsigned char *data, uint32_t length,
			   uint32_t tpm_number, const char *name)
{
	int rc;

	(void)tpm_number;
	rc = state_store(name, data, length);
	if (rc) {
		fprintf(stderr, "vtpmd: cannot store state %s: %s\n", name, strerror(-rc));
		return TPM_FAIL;
	}
	return TPM_SUCCESS;
}

static TPM_RESULT nv_delete(uint32_t tpm_number, const char *name,
			    TPM_BOOL must_exist)
{
	int rc;

	(void)tpm_number;
	rc = state_delete(name);
	if (rc == -ENOENT && !must_exist)
		return TPM_SUCCESS;
	return rc ? TPM_FAIL : TPM_SUCCESS;
}

static TPM_RESULT io_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT io_locality(TPM_MODIFIER_INDICATOR *loc, uint32_t tpm_number)
{
	(void)tpm_number;
	*loc = d.page ? d.page[SHR_LOCALITY] & 3 : 0;
	return TPM_SUCCESS;
}

static TPM_RESULT io_pp(TPM_BOOL *pp, uint32_t tpm_number)
{
	(void)tpm_number;
	*pp = 0;
	return TPM_SUCCESS;
}

/*
 * Power-on: send TPM_Startup(CLEAR), as platform firmware does for a real
 * TPM, so the frontend finds a working TPM.  A restored state that was
 * already started answers TPM_RC_INITIALIZE, which is fine.
 */
static void tpm_startup(void)
{
	static const unsigned char tpm2[] = {
		0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	static const unsigned char tpm1[] = {
		0x00, 0xc1, 0, 0, 0, 12, 0, 0, 0, 0x99, 0, 1 };
	unsigned char cmd[12], *rbuf = NULL;
	uint32_t rlen = 0, rtotal = 0;

	memcpy(cmd, d.tpm2 ? tpm2 : tpm1, sizeof(cmd));
	if (TPMLIB_Process(&rbuf, &rlen, &rtotal, cmd, sizeof(cmd)) != TPM_SUCCESS ||
	    rlen < TPM_HEADER)
		die("libtpms did not answer TPM_Startup");
	TPM_Free(rbuf);
}

static void tpm_start(const char *dir)
{
	static struct libtpms_callbacks cb = {
		.sizeOfStruct = sizeof(struct libtpms_callbacks),
		.tpm_nvram_init = nv_init,
		.tpm_nvram_loaddata = nv_load,
		.tpm_nvram_storedata = nv_store,
		.tpm_nvram_deletename = nv_delete,
		.tpm_io_init = io_init,
		.tpm_io_getlocality = io_locality,
		.tpm_io_getphysicalpresence = io_pp,
	};
	int rc = state_init(dir);

	if (rc)
		die("state directory %s: %s", dir, strerror(-rc));
	if (TPMLIB_ChooseTPMVersion(d.tpm2 ? TPMLIB_TPM_VERSION_2 :
				    TPMLIB_TPM_VERSION_1_2) != TPM_SUCCESS)
		die("libtpms does not support TPM %s", d.tpm2 ? "2.0" : "1.2");
	if (TPMLIB_RegisterCallbacks(&cb) != TPM_SUCCESS)
		die("libtpms refused the callbacks");
	if (TPMLIB_MainInit() != TPM_SUCCESS)
		die("libtpms cannot start with the state in %s (one of the other TPM family?)",
		    dir);
	tpm_startup();
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: vtpmd --domid N --state DIR [--tpm1] [--handle H]\n"
		"             [--fault stall|die|bad-length|bad-state|short|bad-size [--fault-after N]]\n");
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

static void parse_args(int argc, char **argv, const char **dir)
{
	static const struct option opts[] = {
		{ "domid", required_argument, NULL, 'd' },
		{ "state", required_argument, NULL, 's' },
		{ "tpm1", no_argument, NULL, '1' },
		{ "handle", required_argument, NULL, 'h' },
		{ "fault", required_argument, NULL, 'f' },
		{ "fault-after", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_domid = false;
	int c;

	*dir = NULL;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			d.domid = num_arg(optarg, 0x7fef);
			have_domid = true;
			break;
		case 's':
			*dir = optarg;
			break;
		case '1':
			d.tpm2 = false;
			break;
		case 'h':
			d.handle = num_arg(optarg, 0xffff);
			break;
		case 'f':
			for (size_t i = 1; i < sizeof(fault_names) / sizeof(*fault_names); i++)
				if (!strcmp(optarg, fault_names[i]))
					d.fault = i;
			if (d.fault == F_NONE)
				usage();
			break;
		case 'a':
			d.fault_after = (long)num_arg(optarg, 1UL << 30);
			break;
		default:
			usage();
		}
	}
	if (!have_domid || !*dir || optind != argc)
		usage();
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *dir;
	long fs;

	parse_args(argc, argv, &dir);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	snprintf(d.fe, sizeof(d.fe), "/local/domain/%u/device/vtpm/%u",
		 d.domid, d.handle);
	snprintf(d.be, sizeof(d.be), "/local/domain/0/backend/vtpm/%u/%u",
		 d.domid, d.handle);

	tpm_start(dir);
	d.xs = xs_open(0);
	if (!d.xs)
		die("cannot open xenstore: %s", strerror(errno));
	d.gt = xengnttab_open(NULL, 0);
	if (!d.gt)
		die("cannot open the grant table device: %s", strerror(errno));
	d.xce = xenevtchn_open(NULL, 0);
	if (!d.xce)
		die("cannot open the event channel device: %s", strerror(errno));

	clear_stale();
	create_nodes();

	while (!stop) {
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

	/*
	 * Close: announce Closing but keep answering until the frontend is
	 * Closed, so its last commands (TPM2_Shutdown) are served; then unmap.
	 */
	set_be_state(XB_CLOSING);
	for (int ms = 0; d.page && ms < 5000; ms += 10) {
		fs = fe_state();
		if (fs == XB_CLOSED || fs < 0)
			break;
		serve_request();
		sleep_ms(10);
	}
	if (d.page)
		do_disconnect("stopping");
	wait_fe(XB_CLOSED, XB_UNKNOWN, 5000);
	xs_rm(d.xs, XBT_NULL, d.fe);
	xs_rm(d.xs, XBT_NULL, d.be);
	TPMLIB_Terminate();
	xs_close(d.xs);
	return 0;
}
