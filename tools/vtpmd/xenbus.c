// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: the xenstore side.  It writes the nodes that "xl vtpm-attach"
 * writes (frontend and backend, dom0 included), maps the frontend's shared
 * page with libxengnttab and binds its event channel with libxenevtchn.
 * xenstore is polled rather than watched: the kernel probes dom0's own
 * frontend on its single xenwatch thread, which a backend waiting on
 * watches could stall behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vtpmd.h"

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

void set_be_state(enum xb_state s)
{
	if (!xs_put(XBT_NULL, d.be, "state", "%d", s))
		fprintf(stderr, "vtpmd: cannot write %s/state\n", d.be);
}

long fe_state(void)
{
	return xs_get_num(d.fe, "state");
}

/* Wait up to @ms for the frontend to reach one of two states. */
long wait_fe(enum xb_state a, enum xb_state b, long ms)
{
	long s = fe_state();

	for (; ms > 0 && s != a && s != b && s >= 0 && !vtpmd_stop; ms -= 10) {
		sleep_ms(10);
		s = fe_state();
	}
	return s;
}

/* Remove a frontend left behind by a vtpmd that was killed. */
void clear_stale(void)
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
	remove_nodes();
	fprintf(stderr, "vtpmd: removed a stale vtpm device of domain %u\n",
		d.domid);
}

void create_nodes(void)
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

bool do_connect(void)
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

void do_disconnect(const char *why)
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

void finish(uint32_t length, uint8_t state)
{
	put_le32(d.page + SHR_LENGTH, length);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&d.page[SHR_STATE], state, __ATOMIC_RELEASE);
	xenevtchn_notify(d.xce, d.port);
}

/* The device's nodes, frontend and backend, are gone. */
void remove_nodes(void)
{
	xs_rm(d.xs, XBT_NULL, d.fe);
	xs_rm(d.xs, XBT_NULL, d.be);
}
