// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-client: long-lived TPM 2.0 clients for the resource-manager tests
 * (selftests/vm/handoff-sessions.sh).
 *
 *   tpm-client user --tcti TCTI --stop FILE --commit FILE --name NAME
 *                   [--own-handles]
 *	Holds an HMAC key (a keyed-hash primary key with a key of its own)
 *	and an HMAC session on the TPM behind TCTI, and until FILE exists
 *	computes HMACs with the key under the session, each checked against
 *	OpenSSL's HMAC of the same data with the same key: the answer comes
 *	from its own key, and the session's HMAC (checked by ESYS) from its
 *	own session.  With --own-handles it also lists the TPM's transient
 *	objects and HMAC sessions (GetCapability) and checks it sees its
 *	own only.  An error with objects made before the commit file
 *	existed (on the pTPM), once that file exists (the client waits for
 *	it a little), is "stale": the client makes new ones and goes on.
 *	Any other error counts.
 *
 *   tpm-client flusher --tcti TCTI --stop FILE
 *	Until FILE exists: lists the transient objects loaded in the TPM
 *	and flushes each, as a user of the raw device may.  Resource
 *	managers load their clients' objects only for the length of a
 *	transaction: a flusher that finds one ran in the middle of one.
 *
 * Prints one line per event worth seeing and, at the end, one summary
 * line "NAME: key=value ..." (ok_after: HMACs that worked once the commit
 * file existed).  Exit 0 unless it could not start (2).
 * Only ESYS and OpenSSL: no hand-built commands.
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#define KEY_SIZE	32

struct opts {
	const char *mode, *tcti, *stop, *commit, *name;
	bool own_handles;
};

struct client {
	const struct opts *o;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR key, session;
	bool made_before_commit;
	uint8_t secret[KEY_SIZE];
	unsigned long iterations, ok, ok_after, stale, errors, made;
	unsigned long handle_errors;
	unsigned long flushed, seen;
};

static bool exists(const char *path)
{
	return path && access(path, F_OK) == 0;
}

/* Wait up to @secs for @path to exist. */
static bool wait_for(const char *path, unsigned int secs)
{
	for (unsigned int i = 0; i < secs * 10; i++) {
		if (exists(path))
			return true;
		usleep(100000);
	}
	return exists(path);
}

static void say(struct client *c, const char *what, TSS2_RC rc)
{
	printf("%s: %s: %s (0x%x) at iteration %lu\n", c->o->name, what,
	       Tss2_RC_Decode(rc), rc, c->iterations);
	fflush(stdout);
}

static void disconnect(struct client *c)
{
	if (c->esys)
		Esys_Finalize(&c->esys);
	if (c->tcti)
		Tss2_TctiLdr_Finalize(&c->tcti);
	c->esys = NULL;
	c->tcti = NULL;
	c->key = c->session = ESYS_TR_NONE;
}

static TSS2_RC connect_tpm(struct client *c)
{
	TSS2_RC rc = Tss2_TctiLdr_Initialize(c->o->tcti, &c->tcti);

	if (rc)
		return rc;
	rc = Esys_Initialize(&c->esys, c->tcti, NULL);
	if (rc)
		Tss2_TctiLdr_Finalize(&c->tcti);
	return rc;
}

/* The key and the session; new ones each time (a new connection). */
static TSS2_RC make_objects(struct client *c)
{
	TPM2B_SENSITIVE_CREATE sens = { .sensitive.data.size = KEY_SIZE };
	TPM2B_PUBLIC pub = {
		.publicArea = {
			.type = TPM2_ALG_KEYEDHASH,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT |
					    TPMA_OBJECT_USERWITHAUTH |
					    TPMA_OBJECT_FIXEDTPM |
					    TPMA_OBJECT_FIXEDPARENT,
			.parameters.keyedHashDetail.scheme = {
				.scheme = TPM2_ALG_HMAC,
				.details.hmac.hashAlg = TPM2_ALG_SHA256,
			},
		},
	};
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TSS2_RC rc;

	memcpy(sens.sensitive.data.buffer, c->secret, KEY_SIZE);
	rc = connect_tpm(c);
	if (rc)
		return rc;
	rc = Esys_CreatePrimary(c->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				ESYS_TR_NONE, ESYS_TR_NONE, &sens, &pub,
				&outside, &pcrs, &c->key, NULL, NULL, NULL,
				NULL);
	if (rc)
		return rc;
	rc = Esys_StartAuthSession(c->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256,
				   &c->session);
	if (rc)
		return rc;
	rc = Esys_TRSess_SetAttributes(c->esys, c->session,
				       TPMA_SESSION_CONTINUESESSION, 0xff);
	if (rc)
		return rc;
	c->made++;
	c->made_before_commit = !exists(c->o->commit);
	return 0;
}

/* GetCapability(TPM_CAP_HANDLES) from @first: how many, and ours among them. */
static TSS2_RC handles(struct client *c, TPM2_HANDLE first, TPM2_HANDLE ours,
		       UINT32 *n, bool *found)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	rc = Esys_GetCapability(c->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				ESYS_TR_NONE, TPM2_CAP_HANDLES, first, 64,
				&more, &cap);
	if (rc)
		return rc;
	*n = 0;
	*found = false;
	for (UINT32 i = 0; i < cap->data.handles.count; i++) {
		if ((cap->data.handles.handle[i] & 0xff000000) != (first & 0xff000000))
			continue;
		(*n)++;
		*found |= cap->data.handles.handle[i] == ours;
	}
	Esys_Free(cap);
	return 0;
}

/* With --own-handles: this client sees its key and session, nothing else. */
static TSS2_RC check_handles(struct client *c)
{
	TPM2_HANDLE key, session;
	UINT32 n;
	bool found;
	TSS2_RC rc;

	rc = Esys_TR_GetTpmHandle(c->esys, c->key, &key);
	if (!rc)
		rc = Esys_TR_GetTpmHandle(c->esys, c->session, &session);
	if (!rc)
		rc = handles(c, TPM2_TRANSIENT_FIRST, key, &n, &found);
	if (rc)
		return rc;
	if (n != 1 || !found) {
		printf("%s: sees %u transient objects (its own: %s)\n",
		       c->o->name, n, found ? "among them" : "missing");
		c->handle_errors++;
	}
	rc = handles(c, TPM2_HMAC_SESSION_FIRST, session, &n, &found);
	if (rc)
		return rc;
	if (n != 1 || !found) {
		printf("%s: sees %u HMAC sessions (its own 0x%x: %s)\n",
		       c->o->name, n, session, found ? "among them" : "missing");
		c->handle_errors++;
	}
	return 0;
}

/* One HMAC under the session, checked against OpenSSL's. */
static TSS2_RC one_hmac(struct client *c, bool *right)
{
	TPM2B_MAX_BUFFER data;
	TPM2B_DIGEST *out = NULL;
	uint8_t want[EVP_MAX_MD_SIZE];
	unsigned int wlen = 0;
	TSS2_RC rc;

	data.size = snprintf((char *)data.buffer, sizeof(data.buffer),
			     "%s iteration %lu", c->o->name, c->iterations);
	rc = Esys_HMAC(c->esys, c->key, c->session, ESYS_TR_NONE,
		       ESYS_TR_NONE, &data, TPM2_ALG_SHA256, &out);
	if (rc)
		return rc;
	HMAC(EVP_sha256(), c->secret, KEY_SIZE, data.buffer, data.size, want,
	     &wlen);
	*right = out->size == wlen && !memcmp(out->buffer, want, wlen);
	Esys_Free(out);
	return 0;
}

static int run_user(struct client *c)
{
	TSS2_RC rc;
	bool right;

	for (size_t i = 0; i < KEY_SIZE; i++)
		c->secret[i] = (uint8_t)(c->o->name[i % strlen(c->o->name)] + i);
	rc = make_objects(c);
	if (rc) {
		say(c, "cannot start", rc);
		return 2;
	}
	printf("%s: started\n", c->o->name);
	fflush(stdout);
	while (!exists(c->o->stop)) {
		c->iterations++;
		if (!c->esys) {
			rc = make_objects(c);
			if (rc) {
				say(c, "error making new objects", rc);
				c->errors++;
				disconnect(c);
				continue;
			}
		}
		rc = one_hmac(c, &right);
		if (!rc && c->o->own_handles)
			rc = check_handles(c);
		if (!rc) {
			c->ok++;
			if (!right) {
				printf("%s: the HMAC is not its key's\n", c->o->name);
				c->errors++;
			}
			if (exists(c->o->commit))
				c->ok_after++;
			continue;
		}
		/*
		 * Objects made before the commit fail on the vTPM: the test
		 * creates the commit file once the trigger has returned, which
		 * may be just after this error.
		 */
		if (c->made_before_commit && wait_for(c->o->commit, 10)) {
			say(c, "stale (made before the commit)", rc);
			c->stale++;
		} else {
			say(c, "error", rc);
			c->errors++;
		}
		disconnect(c);
	}
	disconnect(c);
	return 0;
}

static int run_flusher(struct client *c)
{
	TPMS_CAPABILITY_DATA *cap;
	TPMI_YES_NO more;
	ESYS_TR tr;
	TSS2_RC rc = connect_tpm(c);

	if (rc) {
		say(c, "cannot start", rc);
		return 2;
	}
	printf("%s: started\n", c->o->name);
	fflush(stdout);
	while (!exists(c->o->stop)) {
		c->iterations++;
		cap = NULL;
		rc = Esys_GetCapability(c->esys, ESYS_TR_NONE, ESYS_TR_NONE,
					ESYS_TR_NONE, TPM2_CAP_HANDLES,
					TPM2_TRANSIENT_FIRST, 64, &more, &cap);
		if (rc) {
			say(c, "GetCapability", rc);
			c->errors++;
			continue;
		}
		for (UINT32 i = 0; i < cap->data.handles.count; i++) {
			c->seen++;
			printf("%s: found 0x%x loaded\n", c->o->name,
			       cap->data.handles.handle[i]);
			if (!Esys_TR_FromTPMPublic(c->esys,
						   cap->data.handles.handle[i],
						   ESYS_TR_NONE, ESYS_TR_NONE,
						   ESYS_TR_NONE, &tr) &&
			    !Esys_FlushContext(c->esys, tr))
				c->flushed++;
		}
		Esys_Free(cap);
	}
	disconnect(c);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: tpm-client user --tcti TCTI --stop FILE --commit FILE --name NAME [--own-handles]\n"
			"       tpm-client flusher --tcti TCTI --stop FILE [--name NAME]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "tcti", required_argument, NULL, 't' },
		{ "stop", required_argument, NULL, 's' },
		{ "commit", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "own-handles", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .name = "client" };
	struct client c = { .o = &o };
	int opt, rc;

	if (argc < 2)
		return usage();
	o.mode = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (opt) {
		case 't': o.tcti = optarg; break;
		case 's': o.stop = optarg; break;
		case 'c': o.commit = optarg; break;
		case 'n': o.name = optarg; break;
		case 'o': o.own_handles = true; break;
		default: return usage();
		}
	}
	if (!o.tcti || !o.stop || optind != argc || !o.name[0])
		return usage();
	setenv("TSS2_LOG", "all+none", 0);
	if (!strcmp(o.mode, "user") && o.commit)
		rc = run_user(&c);
	else if (!strcmp(o.mode, "flusher"))
		rc = run_flusher(&c);
	else
		return usage();
	printf("%s: iterations=%lu ok=%lu ok_after=%lu stale=%lu errors=%lu made=%lu handle_errors=%lu seen=%lu flushed=%lu\n",
	       o.name, c.iterations, c.ok, c.ok_after, c.stale, c.errors,
	       c.made, c.handle_errors, c.seen, c.flushed);
	return rc;
}
