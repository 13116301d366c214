// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff status: the module's state and chips, and whether a handoff
 * could start now.  The checks are also start's preconditions.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixes.h"
#include "record.h"
#include "status.h"
#include "util.h"

static const char *const check_what[CLI_CK_NR] = {
	[CLI_CK_LOADED] = "tpm_handoff is loaded",
	[CLI_CK_STATE] = "state is idle or aborted",
	[CLI_CK_VTPM] = "a vTPM is found",
	[CLI_CK_BANKS] = "the vTPM has the PCR banks of the pTPM, no more, no less",
	[CLI_CK_ROOT] = "running as root",
	[CLI_CK_LOG] = "the IMA log is readable",
};

/* Mark check id failed, with a fix. */
static void fail(struct cli_ready *r, int id, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct cli_ready *r, int id, const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->ck[id].why, sizeof(r->ck[id].why), fmt, ap);
	va_end(ap);
	r->ck[id].result = CLI_CK_FAIL;
	r->ck[id].fix = fix;
	r->nfail++;
}

/* Mark check id as not decidable (something it needs failed). */
static void skip(struct cli_ready *r, int id, const char *why)
{
	r->ck[id].result = CLI_CK_SKIPPED;
	snprintf(r->ck[id].why, sizeof(r->ck[id].why), "%s", why);
}

/* The names of @a's banks that @b lacks, space-separated, in @out. */
static void banks_not_in(const struct cli_banks *a, const struct cli_banks *b,
			 char out[CLI_MSG])
{
	out[0] = '\0';
	for (size_t k = 0; k < a->nr; k++)
		if (!cli_banks_has(b, a->name[k])) {
			size_t n = strlen(out);

			snprintf(out + n, CLI_MSG - n, "%s%s", n ? " " : "",
				 a->name[k]);
		}
}

/* Both bank lists are known: the vTPM must have the pTPM's, no more. */
static void compare_banks(struct cli_ready *r)
{
	char missing[CLI_MSG], extra[CLI_MSG];

	banks_not_in(&r->pbanks, &r->vbanks, missing);
	banks_not_in(&r->vbanks, &r->pbanks, extra);
	if (missing[0])
		fail(r, CLI_CK_BANKS,
		     "start vtpmd with the pTPM's banks (vtpmd --pcr-banks), then retry",
		     "the vTPM %s lacks %s (the pTPM %s has them)",
		     r->vtpm, missing, r->m.ptpm);
	else if (extra[0])
		fail(r, CLI_CK_BANKS,
		     "start vtpmd with the pTPM's banks only (vtpmd --pcr-banks), then retry",
		     "the vTPM %s has %s, which the pTPM %s lacks: nothing would extend them",
		     r->vtpm, extra, r->m.ptpm);
	else
		r->ck[CLI_CK_BANKS].result = CLI_CK_OK;
}

/* The banks: pTPM's and vTPM's from the class directory. */
static void check_banks(const struct cli_opts *o, struct cli_ready *r)
{
	const struct cli_module *m = &r->m;

	if (!m->ptpm[0]) {
		fail(r, CLI_CK_BANKS, "reload tpm_handoff",
		     "cannot tell the pTPM chip: %s/ptpm is unreadable", o->sysfs);
		return;
	}
	r->pbanks_err = cli_chip_banks(o->class_dir, m->ptpm, &r->pbanks);
	if (!r->vtpm[0]) {
		skip(r, CLI_CK_BANKS, "no vTPM");
		return;
	}
	r->vbanks_err = cli_chip_banks(o->class_dir, r->vtpm, &r->vbanks);
	/* A TPM 1.2 has one bank, sha1, and no pcr-<bank> directories. */
	if (!r->pbanks_err && cli_chip_is_tpm1(o->class_dir, m->ptpm)) {
		r->ptpm1 = true;
		r->pbanks.nr = 1;
		snprintf(r->pbanks.name[0], CLI_NAME, "sha1");
	}
	if (!r->vbanks_err && cli_chip_is_tpm1(o->class_dir, r->vtpm)) {
		r->vtpm1 = true;
		r->vbanks.nr = 1;
		snprintf(r->vbanks.name[0], CLI_NAME, "sha1");
	}
	if (!r->pbanks_err && !r->vbanks_err && r->pbanks.nr && r->ptpm1 != r->vtpm1) {
		fail(r, CLI_CK_BANKS, r->ptpm1 ?
		     "start the vTPM as a TPM 1.2 (vtpmd --tpm1)" :
		     "start the vTPM as a TPM 2.0 (vtpmd without --tpm1)",
		     "the pTPM %s is a TPM %s but the vTPM %s is a TPM %s: both must be the same family",
		     m->ptpm, r->ptpm1 ? "1.2" : "2.0", r->vtpm, r->vtpm1 ? "1.2" : "2.0");
		return;
	}
	if (r->pbanks_err) {
		fail(r, CLI_CK_BANKS, "check that the pTPM chip is registered (ls /sys/class/tpm)",
		     "%s/%s: %s", o->class_dir, m->ptpm, strerror(-r->pbanks_err));
	} else if (!r->pbanks.nr && !r->ptpm1) {
		fail(r, CLI_CK_BANKS, "only a TPM 2.0 pTPM on Linux 5.12 or later, or a TPM 1.2, can be handed off",
		     "%s/%s has neither pcr-<bank> directories nor a pcrs file",
		     o->class_dir, m->ptpm);
	} else if (r->vbanks_err) {
		fail(r, CLI_CK_BANKS, "restart vtpmd and check that its chip is back (ls /sys/class/tpm)",
		     "%s/%s: %s", o->class_dir, r->vtpm, strerror(-r->vbanks_err));
	} else {
		compare_banks(r);
	}
}

/* Can the IMA log be opened for reading? */
static void check_log(const struct cli_opts *o, struct cli_ready *r)
{
	int fd;

	if (!strcmp(o->log, "-")) {
		r->ck[CLI_CK_LOG].result = CLI_CK_OK;
		return;
	}
	fd = open(o->log, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		r->ck[CLI_CK_LOG].result = CLI_CK_OK;
		return;
	}
	if (errno == ENOENT)
		fail(r, CLI_CK_LOG,
		     "mount securityfs (mount -t securityfs securityfs /sys/kernel/security) and boot with IMA enabled",
		     "%s: %s", o->log, strerror(errno));
	else
		fail(r, CLI_CK_LOG, "run as root", "%s: %s", o->log, strerror(errno));
}

/* The module's state: idle or aborted (ready), committed (nothing to do), or running. */
static void check_state(const struct cli_opts *o, struct cli_ready *r)
{
	const struct cli_module *m = &r->m;

	if (m->state_err) {
		r->state_error = true;
		fail(r, CLI_CK_STATE, "check that tpm_handoff and this tool match",
		     "cannot read %s/state: %s", o->sysfs,
		     m->state_err == -EBADMSG ? "not idle, running, committed or aborted" :
		     strerror(-m->state_err));
	} else if (!strcmp(m->state, "committed")) {
		r->committed = true;
		r->ck[CLI_CK_STATE].result = CLI_CK_OK;
	} else if (!strcmp(m->state, "running")) {
		fail(r, CLI_CK_STATE, "wait for it to finish (tpm-handoff status)",
		     "a handoff is running");
	} else {
		r->ck[CLI_CK_STATE].result = CLI_CK_OK;
	}
}

/* The vTPM the module found, or after a commit the one the record names. */
static void check_vtpm(const struct cli_opts *o, struct cli_ready *r)
{
	const struct cli_module *m = &r->m;
	struct cli_record rec;
	char err[CLI_MSG];

	switch (m->vtpm_kind) {
	case CLI_VTPM_FOUND:
		snprintf(r->vtpm, sizeof(r->vtpm), "%s", m->vtpm);
		snprintf(r->provider, sizeof(r->provider), "%s", m->provider);
		r->ck[CLI_CK_VTPM].result = CLI_CK_OK;
		break;
	case CLI_VTPM_COMMITTED:
		/* After a commit only the record names the vTPM. */
		if (cli_record_load(&rec, o, err, sizeof(err)) == CLI_REC_OK && cli_record_vtpm_now(&rec)) {
			snprintf(r->vtpm, sizeof(r->vtpm), "%s", cli_record_vtpm_now(&rec));
			snprintf(r->provider, sizeof(r->provider), "%s",
				 rec.vtpm_provider ? rec.vtpm_provider : "");
		}
		cli_record_free(&rec);
		r->ck[CLI_CK_VTPM].result = CLI_CK_OK;
		break;
	case CLI_VTPM_NONE:
		fail(r, CLI_CK_VTPM, cli_fix(ENODEV, m->vtpm_why), "%s", m->vtpm_why);
		break;
	case CLI_VTPM_UNREADABLE:
		fail(r, CLI_CK_VTPM, "check that tpm_handoff and this tool match",
		     "%s", m->vtpm_why);
		break;
	}
}

void cli_ready_check(const struct cli_opts *o, struct cli_ready *r)
{
	struct cli_module *m = &r->m;

	memset(r, 0, sizeof(*r));
	for (int k = 0; k < CLI_CK_NR; k++)
		r->ck[k].what = check_what[k];
	cli_module_read(o->sysfs, m);

	if (geteuid() == 0)
		r->ck[CLI_CK_ROOT].result = CLI_CK_OK;
	else
		fail(r, CLI_CK_ROOT, "run tpm-handoff start as root",
		     "running as uid %u", (unsigned int)geteuid());
	check_log(o, r);

	if (!m->loaded) {
		fail(r, CLI_CK_LOADED, "load it: modprobe tpm_handoff (or insmod tpm_handoff.ko)",
		     "tpm_handoff is not loaded (%s does not exist)", o->sysfs);
		skip(r, CLI_CK_STATE, "not loaded");
		skip(r, CLI_CK_VTPM, "not loaded");
		skip(r, CLI_CK_BANKS, "not loaded");
		return;
	}
	r->ck[CLI_CK_LOADED].result = CLI_CK_OK;
	check_state(o, r);
	check_vtpm(o, r);
	if (r->committed) {
		skip(r, CLI_CK_BANKS, "already committed");
		if (r->ck[CLI_CK_VTPM].result == CLI_CK_FAIL)
			r->nfail--;
		r->ck[CLI_CK_VTPM].result = CLI_CK_OK;
	} else {
		check_banks(o, r);
	}
}

/* "sha1 sha256" or what went wrong. */
static void print_banks(const struct cli_banks *b, int err, bool tpm1)
{
	if (!err && tpm1) {
		printf("TPM 1.2, bank sha1");
		return;
	}
	if (err)
		printf("banks unknown (%s)", strerror(-err));
	else if (!b->nr)
		printf("no PCR banks in sysfs");
	for (size_t k = 0; !err && k < b->nr; k++)
		printf("%s%s", k ? " " : "banks ", b->name[k]);
}

/*
 * The last attempt's record in brief, if there is one: its family and
 * what became of the firmware PCRs.
 */
static void print_record_summary(const struct cli_opts *o)
{
	struct cli_record rec;
	char err[CLI_MSG], list[128], list2[128];

	if (cli_record_load(&rec, o, err, sizeof(err)) != CLI_REC_OK) {
		cli_record_free(&rec);
		return;
	}
	printf("%-10s %s", "record:", rec.result);
	if (rec.has_cut)
		printf(", cut %" PRIu64 " of %" PRIu64, rec.cut, rec.entries);
	if (rec.family != CLI_FAMILY_UNKNOWN)
		printf(", TPM %s", rec.family == CLI_FAMILY_12 ? "1.2" : "2.0");
	printf(" (tpm-handoff record)\n");
	if (rec.has_fw_replay || rec.has_fw_bind || rec.fw_log) {
		printf("%-10s replayed %s; bound %s", "firmware:",
		       rec.fw_replay ? cli_pcr_mask_str(rec.fw_replay, list, sizeof(list)) : "(none)",
		       rec.fw_bind ? cli_pcr_mask_str(rec.fw_bind, list2, sizeof(list2)) : "(none)");
		if (rec.fw_log)
			printf(" (event log %s%s%s)", rec.fw_log,
			       rec.fw_log_format ? ", " : "",
			       rec.fw_log_format ? rec.fw_log_format : "");
		printf("\n");
		if (rec.fw_log_error)
			printf("%-10s %s\n", "", rec.fw_log_error);
	}
	cli_record_free(&rec);
}

/* A loaded module's state, last error and chips. */
static void print_module(const struct cli_ready *r)
{
	const struct cli_module *m = &r->m;

	printf("%-10s %s\n", "state:", m->state_err ? "(unreadable)" : m->state);
	printf("%-10s %s\n", "error:", m->error[0] ? m->error : "(none)");
	printf("%-10s %s", "pTPM:", m->ptpm[0] ? m->ptpm : "(unknown)");
	if (m->ptpm[0] && !r->committed) {
		printf(", ");
		print_banks(&r->pbanks, r->pbanks_err, r->ptpm1);
	}
	printf("\n%-10s ", "vTPM:");
	if (r->vtpm[0]) {
		printf("%s, provider %s", r->vtpm, r->provider[0] ? r->provider : "?");
		if (!r->committed) {
			printf(", ");
			print_banks(&r->vbanks, r->vbanks_err, r->vtpm1);
		}
	} else if (r->committed) {
		printf("committed");
	} else {
		printf("none: %s", m->vtpm_why);
	}
	printf("\n");
}

/* Every check: ok, not checked (why), or FAIL with why and the fix. */
static void print_checks(const struct cli_ready *r)
{
	printf("checks:\n");
	for (int k = 0; k < CLI_CK_NR; k++) {
		const struct cli_check *c = &r->ck[k];

		if (c->result == CLI_CK_OK) {
			printf("  ok    %s\n", c->what);
		} else if (c->result == CLI_CK_SKIPPED) {
			printf("  -     %s: not checked (%s)\n", c->what, c->why);
		} else {
			printf("  FAIL  %s: %s\n", c->what, c->why);
			printf("        fix: %s\n", c->fix);
		}
	}
}

/*
 * After a commit: the vTPM's life since (vtpm_state, the re-mirrors in the
 * record), and what to do if it does not follow the log.  Returns true if
 * it does, as far as the module knows (tpm-handoff verify checks its
 * PCRs against the log).
 */
static bool print_vtpm_now(const struct cli_opts *o, const struct cli_module *m)
{
	const char *s = m->vtpm_state, *n = NULL, *failed = NULL, *now = NULL;
	char err[CLI_MSG];
	struct cli_record rec;
	bool rec_ok, ok = true;

	rec_ok = cli_record_load(&rec, o, err, sizeof(err)) == CLI_REC_OK;
	if (rec_ok) {
		n = cli_record_get(&rec, "remirrors");
		failed = cli_record_get(&rec, "remirrors_failed");
		now = cli_record_vtpm_now(&rec);
	}
	printf("%-10s ", "vTPM now:");
	if (!s[0]) {
		printf("(this module has no vtpm_state)\n");
	} else if (!strcmp(s, "following")) {
		printf("%s follows the IMA log", now ? now : "the vTPM");
		if (n && strcmp(n, "0"))
			printf(" (brought back to it %s time%s since the handoff, %s failed)",
			       n, strcmp(n, "1") ? "s" : "", failed ? failed : "0");
		printf("; tpm-handoff verify checks its PCRs\n");
	} else if (!strcmp(s, "remirroring")) {
		printf("a new vTPM is being brought back to the IMA log (re-mirror)\n");
	} else if (!strcmp(s, "away")) {
		ok = false;
		printf("away: the vTPM does not answer; TPM commands fail, measurements go on into the IMA log\n");
		printf("%-10s fix: start the vTPM again (vtpmd); the module brings it back to the log when it registers (remirror_auto), or on echo 1 > %s/remirror\n",
		       "", o->sysfs);
	} else if (!strcmp(s, "failed")) {
		ok = false;
		printf("failed: the last re-mirror did not bring the vTPM back to the log: %s\n",
		       m->error[0] ? m->error : "(no error given)");
		printf("%-10s fix: start a vTPM whose PCRs nobody extended (vtpmd on its state, or a fresh one), then echo 1 > %s/remirror\n",
		       "", o->sysfs);
	} else {
		printf("%s (unknown)\n", s);
	}
	if (rec_ok)
		cli_record_free(&rec);
	return ok;
}

int cmd_status(const struct cli_opts *o)
{
	struct cli_ready r;
	const struct cli_module *m = &r.m;

	cli_ready_check(o, &r);
	printf("%-10s %s (%s)\n", "module:", m->loaded ? "loaded" : "not loaded",
	       o->sysfs);
	if (m->loaded) {
		print_module(&r);
		print_record_summary(o);
	}
	printf("%-10s %s\n", "IMA log:", o->log);
	print_checks(&r);
	if (r.state_error) {
		printf("ready: unknown\n");
		cli_err("cannot read the handoff state: %s", r.ck[CLI_CK_STATE].why);
		return CLI_EXIT_INPUT;
	}
	if (r.committed) {
		if (!print_vtpm_now(o, m)) {
			printf("ready: already committed; the vTPM does not follow the IMA log (see vTPM now)\n");
			return CLI_EXIT_FAIL;
		}
		printf("ready: already committed (tpm-handoff record, tpm-handoff verify)\n");
		return CLI_EXIT_OK;
	}
	if (r.nfail) {
		printf("ready: no (%d check%s failed)\n", r.nfail, r.nfail > 1 ? "s" : "");
		return CLI_EXIT_FAIL;
	}
	printf("ready: yes (tpm-handoff start)\n");
	return CLI_EXIT_OK;
}
