// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpmd: libtpms.  Its state lives in the state directory (state.c), or in
 * memory until one is adopted (--state-later).  At power-on vtpmd sends
 * TPM_Startup, as platform firmware does for a real TPM: Startup(STATE) if
 * the last stop was clean and left a resume record that names the state
 * beside it (resume.c), so the PCRs are those of before the stop;
 * Startup(CLEAR) otherwise.  With --pcr-banks it allocates the PCR banks
 * the vTPM must have (those of the pTPM it takes over from: tpm_handoff.ko
 * refuses a vTPM with other banks) and powers it on again for that to take
 * effect.  A clean stop saves the state (TPM2_Shutdown(STATE), TPM 1.2:
 * TPM_SaveState) and writes the resume record.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>

#include "resume.h"
#include "state.h"
#include "vtpmd.h"

/* --state, or --state-later's directory (adopted or not). */
static const char *state_dir;
/* This host's boot id, for the resume record; "" if unknown. */
static char boot_id[RESUME_BOOT_MAX + 1];

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

/* Startup(CLEAR), or (STATE): the response code, or -1 if none. */
static long tpm_startup(bool state)
{
	unsigned char cmd[16], rsp[64];
	size_t len = tpm_command(cmd, startup_cmd(cmd, d.tpm2, state), rsp,
				 sizeof(rsp));

	return rsp_code(rsp, len);
}

static void tpm_main_init(void)
{
	if (TPMLIB_MainInit() == TPM_SUCCESS)
		return;
	if (state_in_memory())
		die("libtpms cannot start a TPM %s in memory",
		    d.tpm2 ? "2.0" : "1.2");
	die("libtpms cannot start with the state in %s (one of the other TPM family?)",
	    state_dir);
}

static void refuse_resume(const char *why)
{
	fprintf(stderr, "vtpmd: refusing the saved state in %s: %s; starting clean (the PCRs are reset)\n",
		state_dir, why);
}

/* Load blob @name for a resume record; NULL with *why set if it fails. */
static unsigned char *load_blob(const char *name, uint32_t *len, char *why,
				size_t size)
{
	unsigned char *data;
	int rc = state_load(name, &data, len);

	if (rc == -ENOENT)
		return NULL;		/* resume.c says what is missing */
	if (rc) {
		snprintf(why, size, "cannot read %s: %s", name, strerror(-rc));
		return NULL;
	}
	return data;
}

/*
 * What a resume record binds, as it is now: this device and boot, and the
 * blobs beside the record (permall; TPM 1.2: savestate).  Returns 0, or -1
 * with @err set; free the blobs with state_blobs_free().
 */
static int state_blobs(struct resume_state *b, char *err, size_t size)
{
	unsigned char *permall, *savestate = NULL;
	uint32_t plen = 0, slen = 0;

	*b = (struct resume_state){
		.tpm2 = d.tpm2, .boot = boot_id, .domid = d.domid,
		.handle = d.handle,
	};
	permall = load_blob("permall", &plen, err, size);
	if (!err[0] && !d.tpm2)
		savestate = load_blob("savestate", &slen, err, size);
	b->permall = permall;
	b->permall_len = plen;
	b->savestate = savestate;
	b->savestate_len = slen;
	return err[0] ? -1 : 0;
}

static void state_blobs_free(struct resume_state *b)
{
	free((void *)b->permall);
	free((void *)b->savestate);
}

/*
 * resume_wanted() - may this power-on resume the saved state?
 *
 * The resume record is read and deleted at once: it is good for one start
 * only, so a vtpmd that crashes later never resumes this old state again.
 * Then it must name the permall (TPM 1.2: and savestate) beside it.
 *
 * Return: true if so; false if there is no record, or (said on stderr) a
 * record that is refused.
 */
static bool resume_wanted(void)
{
	struct resume_state b = { 0 };
	unsigned char *rec;
	uint32_t rlen;
	const char *why = NULL;
	char err[256] = "";
	int rc = state_load(RESUME_NAME, &rec, &rlen);

	if (rc == -ENOENT)
		return false;
	if (rc) {
		snprintf(err, sizeof(err), "cannot read the record %s: %s",
			 RESUME_NAME, strerror(-rc));
		rec = NULL;
	}
	rc = state_delete(RESUME_NAME);
	if (rc && !err[0])
		snprintf(err, sizeof(err), "cannot delete the record %s, which is good for one start only: %s",
			 RESUME_NAME, strerror(-rc));
	if (!err[0] && !state_blobs(&b, err, sizeof(err)))
		why = resume_verify((const char *)rec, rlen, &b);
	else
		why = err;
	if (why)
		refuse_resume(why);
	free(rec);
	state_blobs_free(&b);
	return !why;
}

/*
 * Power-on: TPM_Startup, so the frontend finds a working TPM.  The saved
 * state if @may_resume and resume_wanted(); else, or if Startup(STATE)
 * fails, Startup(CLEAR).  A restored state that was already started
 * answers TPM_RC_INITIALIZE, which is fine.
 */
static void tpm_power_on(bool may_resume)
{
	long rc;

	tpm_main_init();
	if (may_resume && resume_wanted()) {
		rc = tpm_startup(true);
		if (rc == 0) {
			printf("vtpmd: resumed the state saved at the last clean stop (PCRs kept)\n");
			fflush(stdout);
			return;
		}
		if (rc < 0)
			refuse_resume("libtpms gave no answer to Startup(STATE)");
		else {
			char why[64];

			snprintf(why, sizeof(why),
				 "Startup(STATE) failed (response code 0x%lx)", rc);
			refuse_resume(why);
		}
		/*
		 * A TPM 1.2 whose Startup(STATE) failed stays in failure mode
		 * until the next power-on (a TPM 2.0 would take a
		 * Startup(CLEAR) at once): power on again.
		 */
		TPMLIB_Terminate();
		tpm_main_init();
	}
	if (tpm_startup(false) < 0)
		die("libtpms did not answer TPM_Startup");
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

/*
 * --pcr-banks: allocate exactly d.banks, then power on again, with
 * Startup(CLEAR): the allocation is a new configuration, not a resume.
 */
static void tpm_allocate(void)
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
	tpm_power_on(false);
	tpm_banks(&have);
	if (!banks_match(&have, &d.banks))
		die("--pcr-banks: the vTPM did not take the allocation");
	banks_text(&have, text, sizeof(text));
	printf("vtpmd: PCR banks allocated: %s\n", text);
	fflush(stdout);
}

/*
 * This host's boot id, which a resume record names: a vTPM's PCRs must not
 * outlive a reboot of the dom0 that serves itself from it.  Read once, at
 * start: the boot does not change while vtpmd runs.
 */
static void read_boot_id(void)
{
	static const char path[] = "/proc/sys/kernel/random/boot_id";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, boot_id, sizeof(boot_id) - 1);

	if (fd >= 0)
		close(fd);
	boot_id[n > 0 ? n : 0] = '\0';
	boot_id[strcspn(boot_id, "\n")] = '\0';
	if (!boot_id[0])
		fprintf(stderr, "vtpmd: cannot read %s: a clean stop cannot save the state for a resume\n",
			path);
}

/* Check and lock --state's directory, or die. */
static void open_state(const char *dir)
{
	const char *why;
	pid_t holder;
	int rc = state_init(dir, &why);

	if (rc == -EPERM && why)
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
}

/*
 * Start libtpms on the state in @dir (checked and locked first), or with
 * @later on a new state in memory, @dir untouched until adopted.
 */
void tpm_start(const char *dir, bool later)
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

	state_dir = dir;
	read_boot_id();
	if (later)
		state_memory();
	else
		open_state(dir);
	if (TPMLIB_ChooseTPMVersion(d.tpm2 ? TPMLIB_TPM_VERSION_2 :
				    TPMLIB_TPM_VERSION_1_2) != TPM_SUCCESS)
		die("libtpms does not support TPM %s", d.tpm2 ? "2.0" : "1.2");
	if (TPMLIB_RegisterCallbacks(&cb) != TPM_SUCCESS)
		die("libtpms refused the callbacks");
	tpm_power_on(true);
	if (d.banks.nr)
		tpm_allocate();
}

/* TPM2_Shutdown(STATE), TPM 1.2: TPM_SaveState; true if it succeeded. */
static bool tpm_save_state(void)
{
	const char *what = d.tpm2 ? "TPM2_Shutdown(STATE)" : "TPM_SaveState";
	unsigned char cmd[16], rsp[64];
	size_t len = tpm_command(cmd, save_state_cmd(cmd, d.tpm2), rsp,
				 sizeof(rsp));
	long rc = rsp_code(rsp, len);

	if (rc == 0)
		return true;
	if (rc < 0)
		fprintf(stderr, "vtpmd: libtpms gave no answer to %s: the state is not saved, the next start resets the PCRs\n",
			what);
	else
		fprintf(stderr, "vtpmd: %s failed (response code 0x%lx): the state is not saved, the next start resets the PCRs\n",
			what, rc);
	return false;
}

/*
 * The resume record for the state just saved, as stored: it lets the next
 * start resume exactly this state.
 */
static void write_resume(void)
{
	struct resume_state b;
	char rec[RESUME_MAX], err[256] = "";
	const char *why = NULL;
	size_t len = 0;
	int rc;

	if (!state_blobs(&b, err, sizeof(err)))
		len = resume_build(rec, sizeof(rec), &b, &why);
	else
		why = err;
	if (len) {
		rc = state_store(RESUME_NAME, (const unsigned char *)rec, len);
		if (rc) {
			snprintf(err, sizeof(err), "%s", strerror(-rc));
			why = err;
		}
	}
	state_blobs_free(&b);
	if (why) {
		fprintf(stderr, "vtpmd: cannot write the resume record in %s: %s; the next start resets the PCRs\n",
			state_dir, why);
		return;
	}
	printf("vtpmd: state saved in %s; the next start resumes it (PCRs kept)\n",
	       state_dir);
	fflush(stdout);
}

/*
 * The stop; with @save (SIGTERM, SIGINT) a clean one, which saves the state
 * for the next start.  The frontend may have sent TPM2_Shutdown(CLEAR) as
 * its device closed; the Shutdown(STATE) sent here overrides it (the last
 * Shutdown decides what the next Startup may do).  The record is written
 * once libtpms is down, from the blobs as they are stored.  Without @save
 * (the frontend went away: its next boot must find the PCRs reset) no
 * record is written.
 */
void tpm_stop(bool save)
{
	bool saved = save && tpm_save_state();

	TPMLIB_Terminate();
	if (state_in_memory()) {
		printf("vtpmd: the vTPM's state is lost: no state directory was adopted (--state-later %s needs a SIGHUP)\n",
		       state_dir);
		fflush(stdout);
		return;
	}
	if (saved)
		write_resume();
	else if (!save)
		printf("vtpmd: the frontend went away: the state is not saved for a resume (the next start resets the PCRs)\n");
}
