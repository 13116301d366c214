/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtpmd: a userspace Xen vTPM backend (tpmif v2) with libtpms as the TPM.
 * What its files share:
 *
 *   vtpmd.c    options, setup, the main loop and the clean stop
 *   xenbus.c   the xenstore nodes and the connection to the frontend
 *   serve.c    one request: checks, libtpms, the answer (and --fault)
 *   tpm.c      libtpms: its callbacks, power-on (resumed or clear), the
 *              PCR banks, the clean stop that saves the state
 *   daemon.c   the per-domain lock and dropping privileges
 *   state.c    the state directory, or memory until one is adopted
 *   resume.c   the resume record: build, parse, check (pure, unit tested)
 *   proto.c    pure checks and marshalling (unit tested, fuzzed)
 */
#ifndef VTPMD_H
#define VTPMD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "proto.h"

#define PAGE_SZ 4096

enum xb_state {	/* xenbus states, include/xen/interface/io/xenbus.h */
	XB_UNKNOWN, XB_INITIALISING, XB_INITWAIT, XB_INITIALISED,
	XB_CONNECTED, XB_CLOSING, XB_CLOSED,
};

enum fault {
	F_NONE, F_STALL, F_DIE, F_BAD_LENGTH, F_BAD_STATE, F_SHORT, F_BAD_SIZE,
	F_CLOSE_STALL, F_SLOW,
};

/* --fault slow: how late the one slow answer comes. */
#define FAULT_SLOW_MS	5000

/**
 * struct vtpmd - the daemon (one per process: the global @d)
 * @domid: the frontend's domain
 * @handle: the device's handle
 * @tpm2: TPM 2.0 (else 1.2)
 * @localities: the localities a request may name (bit N: locality N)
 * @banks: --pcr-banks, or nr 0
 * @delay_ms: --delay-ms: answer each command this much later
 * @fault: --fault
 * @fault_after: --fault-after; -1: armed by SIGUSR1
 * @fe: the frontend's xenstore directory
 * @be: the backend's
 * @xs: xenstore
 * @gt: the grant table device
 * @xce: the event channel device
 * @page: the frontend's shared page, mapped; NULL when not connected
 * @port: our end of the event channel, or -1
 * @locality: the locality of the request being served
 * @ncmd: requests served
 * @stalled: --fault stall fired: answer nothing more
 */
struct vtpmd {
	unsigned int domid, handle;
	bool tpm2;
	unsigned int localities;
	struct pcr_banks banks;
	unsigned int delay_ms;
	enum fault fault;
	long fault_after;
	char fe[128], be[128];
	struct xs_handle *xs;
	xengnttab_handle *gt;
	xenevtchn_handle *xce;
	uint8_t *page;
	int port;
	uint8_t locality;
	unsigned long ncmd;
	bool stalled;
};

extern struct vtpmd d;
extern volatile sig_atomic_t vtpmd_stop, vtpmd_armed;

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void sleep_ms(long ms);
extern const char *const fault_names[];

/* xenbus.c */
long fe_state(void);
void set_be_state(enum xb_state s);
long wait_fe(enum xb_state a, enum xb_state b, long ms);
void clear_stale(void);
void create_nodes(void);
void remove_nodes(void);
bool do_connect(void);
void do_disconnect(const char *why);
void finish(uint32_t length, uint8_t state);

/* serve.c */
void serve_request(void);

/* tpm.c */
void tpm_start(const char *dir, bool later);
void tpm_stop(bool save);

/* daemon.c */
void lock_domain(const char *lock_dir);
void drop_privileges(void);

#endif
