// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: libtpms.  Its state lives in the state directory (state.c); at
 * power-on vtpmd sends TPM_Startup(CLEAR), as platform firmware does for a
 * real TPM, and with --pcr-banks it allocates the PCR banks the vTPM must
 * have (those of the pTPM it takes over from: tpm_handoff.ko refuses a
 * vTPM with other banks) and powers it on again for that to take effect.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>

#include "state.h"
#include "vtpmd.h"

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

/* The locality serve.c read from the page and checked. */
static TPM_RESULT io_locality(TPM_MODIFIER_INDICATOR *loc, uint32_t tpm_number)
{
	(void)tpm_number;
	*loc = d.locality;
	return TPM_SUCCESS;
}

static TPM_RESULT io_pp(TPM_BOOL *pp, uint32_t tpm_number)
{
	(void)tpm_number;
	*pp = 0;
	return TPM_SUCCESS;
}

/*
 * One command to libtpms from vtpmd itself; the response into @rsp.
 * Returns its length, or 0 if libtpms gave none.
 */
static size_t tpm_command(const unsigned char *cmd, size_t len,
			  unsigned char *rsp, size_t size)
{
	unsigned char *rbuf = NULL, in[PAGE_SZ];
	uint32_t rlen = 0, rtotal = 0;

	memcpy(in, cmd, len);
	d.locality = 0;
	if (TPMLIB_Process(&rbuf, &rlen, &rtotal, in, len) != TPM_SUCCESS ||
	    rlen < TPM_HEADER || rlen > size) {
		TPM_Free(rbuf);
		return 0;
	}
	memcpy(rsp, rbuf, rlen);
	TPM_Free(rbuf);
	return rlen;
}

/*
 * Power-on: TPM_Startup(CLEAR), so the frontend finds a working TPM.  A
 * restored state that was already started answers TPM_RC_INITIALIZE, which
 * is fine.
 */
static void tpm_startup(void)
{
	static const unsigned char tpm2[] = {
		0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	static const unsigned char tpm1[] = {
		0x00, 0xc1, 0, 0, 0, 12, 0, 0, 0, 0x99, 0, 1 };
	unsigned char rsp[64];

	if (!tpm_command(d.tpm2 ? tpm2 : tpm1, sizeof(tpm2), rsp, sizeof(rsp)))
		die("libtpms did not answer TPM_Startup");
}

static void tpm_power_on(const char *dir)
{
	if (TPMLIB_MainInit() != TPM_SUCCESS)
		die("libtpms cannot start with the state in %s (one of the other TPM family?)",
		    dir);
	tpm_startup();
}

static bool banks_match(const struct pcr_banks *have,
			const struct pcr_banks *want)
{
	unsigned int on = 0;

	for (unsigned int i = 0; i < have->nr; i++) {
		bool wanted = false;

		for (unsigned int k = 0; k < want->nr; k++)
			wanted |= want->alg[k] == have->alg[i];
		if (wanted != (bool)have->active[i])
			return false;
		on += wanted;
	}
	return on == want->nr;
}

static void tpm_banks(struct pcr_banks *b)
{
	unsigned char cmd[64], rsp[PAGE_SZ];
	size_t len = tpm_command(cmd, pcrs_cap_cmd(cmd), rsp, sizeof(rsp));
	long rc = pcrs_cap_rsp(rsp, len, b);

	if (rc)
		die("the vTPM answered GetCapability(PCRS) with %s 0x%lx",
		    rc < 0 ? "a malformed response" : "TPM error", rc);
}

static void banks_text(const struct pcr_banks *b, char *out, size_t size)
{
	out[0] = '\0';
	for (unsigned int i = 0; i < b->nr; i++)
		if (b->active[i])
			snprintf(out + strlen(out), size - strlen(out), "%s%s",
				 out[0] ? "," : "", pcr_bank_name(b->alg[i]));
}

/* --pcr-banks: allocate exactly d.banks, then power on again. */
static void tpm_allocate(const char *dir)
{
	unsigned char cmd[256], rsp[PAGE_SZ];
	struct pcr_banks have;
	char text[128];
	size_t len;

	tpm_banks(&have);
	if (banks_match(&have, &d.banks))
		return;
	for (unsigned int k = 0; k < d.banks.nr; k++) {
		unsigned int i;

		for (i = 0; i < have.nr && have.alg[i] != d.banks.alg[k]; i++)
			;
		if (i == have.nr)
			die("--pcr-banks: libtpms has no %s bank",
			    pcr_bank_name(d.banks.alg[k]));
	}
	len = tpm_command(cmd, pcr_allocate_cmd(cmd, &have, &d.banks), rsp,
			  sizeof(rsp));
	if (len < TPM_HEADER || get_be32(rsp + 6))
		die("TPM2_PCR_Allocate failed (response code 0x%x)",
		    len < TPM_HEADER ? 0 : get_be32(rsp + 6));
	/* The allocation takes effect at the next power-on. */
	TPMLIB_Terminate();
	tpm_power_on(dir);
	tpm_banks(&have);
	if (!banks_match(&have, &d.banks))
		die("--pcr-banks: the vTPM did not take the allocation");
	banks_text(&have, text, sizeof(text));
	printf("vtpmd: PCR banks allocated: %s\n", text);
	fflush(stdout);
}

/* Start libtpms on the state in @dir (checked and locked first). */
void tpm_start(const char *dir)
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
	const char *why;
	pid_t holder;
	int rc = state_init(dir, &why);

	if (rc == -EPERM)
		die("refusing the state directory %s: %s (it holds the vTPM's secrets: chown root and chmod go-w it)",
		    dir, why);
	if (rc)
		die("state directory %s: %s", dir, strerror(-rc));
	rc = state_lock(&holder);
	if (rc == -EBUSY)
		die("the state directory %s is in use by another vtpmd (pid %ld)",
		    dir, (long)holder);
	if (rc)
		die("cannot lock the state directory %s: %s", dir, strerror(-rc));
	if (TPMLIB_ChooseTPMVersion(d.tpm2 ? TPMLIB_TPM_VERSION_2 :
				    TPMLIB_TPM_VERSION_1_2) != TPM_SUCCESS)
		die("libtpms does not support TPM %s", d.tpm2 ? "2.0" : "1.2");
	if (TPMLIB_RegisterCallbacks(&cb) != TPM_SUCCESS)
		die("libtpms refused the callbacks");
	tpm_power_on(dir);
	if (d.banks.nr)
		tpm_allocate(dir);
}

void tpm_stop(void)
{
	TPMLIB_Terminate();
}
