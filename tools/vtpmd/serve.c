// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: one request.  Everything the frontend writes into the shared page
 * is untrusted and read once: the request is checked (proto.c), copied out
 * with the locality it names, and only then run by libtpms; the answer is
 * written back and the frontend notified.  --fault makes the answer go
 * wrong on purpose, for the frontend's tests.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>

#include "vtpmd.h"

/* Apply --fault to a response of @len bytes at @off; true if it was. */
static bool inject(size_t off, size_t len)
{
	if (d.fault == F_NONE || d.fault == F_CLOSE_STALL)
		return false;
	if (d.fault_after >= 0 ? d.ncmd <= (unsigned long)d.fault_after :
				 !vtpmd_armed)
		return false;
	vtpmd_armed = 0;
	fprintf(stderr, "vtpmd: fault %s on command %lu\n",
		fault_names[d.fault], d.ncmd);
	switch (d.fault) {
	case F_STALL:
		d.stalled = true;		/* never answer */
		return true;
	case F_DIE:
		_exit(3);			/* mid-command */
	case F_SLOW:
		/* Once, later than the core waits: the frontend cancels. */
		d.fault = F_NONE;
		sleep_ms(FAULT_SLOW_MS);
		return false;
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

/* Answer with a TPM error of our own, without running the command. */
static void refuse(size_t off, uint32_t rc2, uint32_t rc1)
{
	finish(error_response(d.page + off, d.tpm2, d.tpm2 ? rc2 : rc1),
	       VTPM_STATE_FINISH);
}

void serve_request(void)
{
	static unsigned char *rbuf;
	static uint32_t rtotal;
	unsigned char cmd[PAGE_SZ];
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
		refuse(off, TPM2_RC_COMMAND_SIZE, TPM1_BAD_PARAM_SIZE);
		return;
	case REQ_OK:
		break;
	}

	/*
	 * A private copy, and the locality read once: the frontend may change
	 * the page meanwhile.  libtpms asks for the locality while it runs
	 * the command (tpm.c), and gets this one.
	 */
	memcpy(cmd, d.page + off, len);
	d.locality = __atomic_load_n(&d.page[SHR_LOCALITY], __ATOMIC_RELAXED);
	if (!locality_allowed(d.locality, d.localities)) {
		fprintf(stderr, "vtpmd: refused a request at locality %u (allowed: mask 0x%x)\n",
			d.locality, d.localities);
		refuse(off, TPM2_RC_LOCALITY, TPM1_BAD_LOCALITY);
		return;
	}
	res = TPMLIB_Process(&rbuf, &rlen, &rtotal, cmd, len);
	if (res != TPM_SUCCESS || rlen < TPM_HEADER || rlen > PAGE_SZ - off) {
		fprintf(stderr, "vtpmd: libtpms failed (0x%x, %u bytes)\n", res, rlen);
		rlen = error_response(rbuf && rtotal >= TPM_HEADER ? rbuf : d.page + off,
				      d.tpm2, d.tpm2 ? TPM2_RC_FAILURE : TPM1_FAIL);
		if (!rbuf || rtotal < TPM_HEADER) {
			finish(rlen, VTPM_STATE_FINISH);
			return;
		}
	}
	if (d.delay_ms)
		sleep_ms(d.delay_ms);
	memcpy(d.page + off, rbuf, rlen);
	if (inject(off, rlen))
		return;
	finish(rlen, VTPM_STATE_FINISH);
}
