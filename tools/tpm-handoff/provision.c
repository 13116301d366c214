// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff provision: an attestation key (AK) persisted on a TPM, made
 * as tpm2_createak makes it: a restricted RSA-2048 signing key (RSASSA,
 * SHA-256) that is a child of the TCG default endorsement key (EK, RSA
 * 2048, the EK Credential Profile's template L-1), so that a verifier who
 * trusts the EK (its certificate) can learn by credential activation that
 * the AK lives in the same TPM (Documentation/attestation.rst).  Writes,
 * for the verifier, OUT.pub (the AK's TPM2B_PUBLIC, as tpm2_readpublic -o
 * writes it), OUT.name (its TPM name) and OUT.ek.pub (the EK's
 * TPM2B_PUBLIC).  Idempotent: a key already at the handle is checked and
 * reused, never replaced.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "tpm.h"
#include "util.h"

/* The persistent handles of the owner hierarchy (TPM 2.0 Part 2, 7.2). */
#define PERSISTENT_FIRST	0x81000000u
#define PERSISTENT_LAST		0x817fffffu

/* What makes a key an attestation key: it signs only what the TPM made. */
#define AK_ATTRS (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
		  TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_RESTRICTED | \
		  TPMA_OBJECT_SIGN_ENCRYPT)

/*
 * The EK's policy: PolicySecret(TPM_RH_ENDORSEMENT), from the TCG EK
 * Credential Profile (2.0), B.3.2.  The EK needs a policy session.
 */
static const BYTE ek_policy[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
	0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
	0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

/* The EK template L-1 (RSA 2048, AES-128-CFB), as swtpm_setup makes it. */
static void ek_template(TPM2B_PUBLIC *p)
{
	memset(p, 0, sizeof(*p));
	p->publicArea.type = TPM2_ALG_RSA;
	p->publicArea.nameAlg = TPM2_ALG_SHA256;
	p->publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM |
		TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
		TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED |
		TPMA_OBJECT_DECRYPT;
	p->publicArea.authPolicy.size = sizeof(ek_policy);
	memcpy(p->publicArea.authPolicy.buffer, ek_policy, sizeof(ek_policy));
	p->publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_AES;
	p->publicArea.parameters.rsaDetail.symmetric.keyBits.aes = 128;
	p->publicArea.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	p->publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	p->publicArea.parameters.rsaDetail.keyBits = 2048;
	p->publicArea.unique.rsa.size = 256;	/* zeros */
}

/* The AK template of tpm2_createak's defaults (-G rsa -g sha256 -s rsassa). */
static void ak_template(TPM2B_PUBLIC *p)
{
	memset(p, 0, sizeof(*p));
	p->publicArea.type = TPM2_ALG_RSA;
	p->publicArea.nameAlg = TPM2_ALG_SHA256;
	p->publicArea.objectAttributes = AK_ATTRS | TPMA_OBJECT_USERWITHAUTH;
	p->publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
	p->publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
	p->publicArea.parameters.rsaDetail.scheme.details.rsassa.hashAlg =
		TPM2_ALG_SHA256;
	p->publicArea.parameters.rsaDetail.keyBits = 2048;
}

struct prov {
	ESYS_CONTEXT *esys;	/* of the cli_tpm that cmd_provision opened */
	const char *tcti_name;
	char err[CLI_MSG];
};

static int tpm_fail(struct prov *p, const char *what, TSS2_RC rc)
{
	snprintf(p->err, sizeof(p->err), "TPM at \"%s\": %s failed: %s",
		 p->tcti_name, what, Tss2_RC_Decode(rc));
	return -1;
}

/* A policy session that satisfies the EK's policy, in *s. */
static int ek_session(struct prov *p, ESYS_TR *s)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TSS2_RC rc;

	rc = Esys_StartAuthSession(p->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   NULL, TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, s);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(p, "StartAuthSession", rc);
	rc = Esys_PolicySecret(p->esys, ESYS_TR_RH_ENDORSEMENT, *s,
			       ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			       NULL, NULL, NULL, 0, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		Esys_FlushContext(p->esys, *s);
		return tpm_fail(p, "PolicySecret(endorsement)", rc);
	}
	return 0;
}

/* Write @n bytes of @buf to @prefix@suffix; -1 with a reason if it fails. */
static int write_out(struct prov *p, const char *prefix, const char *suffix,
		     const void *buf, size_t n)
{
	char path[4096];
	FILE *f;
	int ok;

	if ((size_t)snprintf(path, sizeof(path), "%s%s", prefix, suffix) >=
	    sizeof(path)) {
		snprintf(p->err, sizeof(p->err), "--out: path too long");
		return -1;
	}
	f = fopen(path, "wb");
	if (!f) {
		snprintf(p->err, sizeof(p->err), "cannot write %.300s: %s", path,
			 strerror(errno));
		return -1;
	}
	ok = fwrite(buf, 1, n, f) == n;
	ok = (fclose(f) == 0) && ok;
	if (!ok) {
		snprintf(p->err, sizeof(p->err), "cannot write %.300s", path);
		return -1;
	}
	return 0;
}

static int write_public(struct prov *p, const char *prefix, const char *suffix,
			const TPM2B_PUBLIC *pub)
{
	uint8_t buf[sizeof(TPM2B_PUBLIC)];
	size_t off = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof(buf), &off)) {
		snprintf(p->err, sizeof(p->err), "cannot marshal a public area");
		return -1;
	}
	return write_out(p, prefix, suffix, buf, off);
}

/* The EK, created again from its template (the seed makes it the same key). */
static int create_ek(struct prov *p, ESYS_TR *ek, TPM2B_PUBLIC **pub)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC tmpl;
	TSS2_RC rc;

	ek_template(&tmpl);
	rc = Esys_CreatePrimary(p->esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD,
				ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl,
				&outside, &pcrs, ek, pub, NULL, NULL, NULL);
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_fail(p, "CreatePrimary(EK)", rc);
}

/* A new AK under @ek, persisted at @handle; its public part in *pub. */
static int create_ak(struct prov *p, ESYS_TR ek, TPM2_HANDLE handle,
		     ESYS_TR *persistent, TPM2B_PUBLIC **pub)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PRIVATE *priv = NULL;
	ESYS_TR s = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	TPM2B_PUBLIC tmpl;
	TSS2_RC rc;
	int ret = -1;

	ak_template(&tmpl);
	if (ek_session(p, &s))
		return -1;
	rc = Esys_Create(p->esys, ek, s, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
			 &tmpl, &outside, &pcrs, &priv, pub, NULL, NULL, NULL);
	Esys_FlushContext(p->esys, s);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(p, "Create(AK)", rc);
	if (ek_session(p, &s))
		goto out;
	rc = Esys_Load(p->esys, ek, s, ESYS_TR_NONE, ESYS_TR_NONE, priv, *pub,
		       &ak);
	Esys_FlushContext(p->esys, s);
	if (rc != TSS2_RC_SUCCESS) {
		tpm_fail(p, "Load(AK)", rc);
		goto out;
	}
	rc = Esys_EvictControl(p->esys, ESYS_TR_RH_OWNER, ak, ESYS_TR_PASSWORD,
			       ESYS_TR_NONE, ESYS_TR_NONE, handle, persistent);
	Esys_FlushContext(p->esys, ak);
	if (rc != TSS2_RC_SUCCESS) {
		tpm_fail(p, "EvictControl(AK)", rc);
		goto out;
	}
	ret = 0;
out:
	Esys_Free(priv);
	return ret;
}

/*
 * The object at @handle, if any: 1 and its public part when it is an
 * attestation key, 0 when the handle is free, -1 (reason in p->err) when
 * it holds something else, -2 when the TPM fails.
 */
static int existing_ak(struct prov *p, TPM2_HANDLE handle, ESYS_TR *tr,
		       TPM2B_PUBLIC **pub)
{
	TPMA_OBJECT a;
	TSS2_RC rc;

	rc = Esys_TR_FromTPMPublic(p->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, tr);
	/* TPM_RC_HANDLE (format 1, any handle number): nothing there yet. */
	if (!(rc & ~0xffffu) && (rc & (TPM2_RC_FMT1 | 0x3f)) == TPM2_RC_HANDLE)
		return 0;
	if (rc == TSS2_RC_SUCCESS)
		rc = Esys_ReadPublic(p->esys, *tr, ESYS_TR_NONE, ESYS_TR_NONE,
				     ESYS_TR_NONE, pub, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		tpm_fail(p, "ReadPublic", rc);
		return -2;
	}
	a = (*pub)->publicArea.objectAttributes;
	if ((a & AK_ATTRS) != AK_ATTRS || (a & TPMA_OBJECT_DECRYPT)) {
		snprintf(p->err, sizeof(p->err),
			 "handle 0x%08x holds an object that is not an attestation key (attributes 0x%08x: not a restricted signing key fixed to the TPM); choose another --handle",
			 handle, a);
		return -1;
	}
	return 1;
}

/* "0x" and 1 to 8 hex digits, as TPM handles are written; -1 otherwise. */
static int parse_hex32(const char *s, uint64_t *v)
{
	size_t n;

	if (strncmp(s, "0x", 2) && strncmp(s, "0X", 2))
		return -1;
	s += 2;
	n = strspn(s, "0123456789abcdefABCDEF");
	if (n < 1 || n > 8 || s[n])
		return -1;
	*v = strtoull(s, NULL, 16);
	return 0;
}

/* Parse a persistent handle ("0x81010002"); -1 with a message if bad. */
static int parse_handle(const char *s, TPM2_HANDLE *h)
{
	uint64_t v;

	if (!s) {
		cli_err("provision: --handle is required (a persistent handle, e.g. 0x81010002)");
		return -1;
	}
	if (parse_hex32(s, &v) || v < PERSISTENT_FIRST || v > PERSISTENT_LAST) {
		cli_err("provision: --handle \"%s\" is not an owner persistent handle (0x%08x to 0x%08x, in hex)",
			s, PERSISTENT_FIRST, PERSISTENT_LAST);
		return -1;
	}
	*h = (TPM2_HANDLE)v;
	return 0;
}

int cmd_provision(const struct cli_opts *o)
{
	struct prov p = { .tcti_name = o->tcti };
	struct cli_tpm *tpm;
	TPM2B_PUBLIC *ak_pub = NULL, *ek_pub = NULL;
	ESYS_TR ek = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	TPM2B_NAME *name = NULL;
	TPM2_HANDLE handle;
	const char *how;
	int ret = CLI_EXIT_FAIL, have;
	TSS2_RC rc;

	if (parse_handle(o->handle, &handle))
		return CLI_EXIT_INPUT;
	if (!o->out) {
		cli_err("provision: --out PREFIX is required (PREFIX.pub, PREFIX.name and PREFIX.ek.pub are written)");
		return CLI_EXIT_INPUT;
	}
	if (!o->tcti) {
		cli_err("provision: --tcti is required (e.g. device:/dev/tpmrm0)");
		return CLI_EXIT_INPUT;
	}
	tpm = cli_tpm_open(o->tcti, p.err, sizeof(p.err));
	if (!tpm) {
		cli_err("provision: %s", p.err);
		return CLI_EXIT_INPUT;
	}
	p.esys = cli_tpm_esys(tpm);

	have = existing_ak(&p, handle, &ak, &ak_pub);
	if (have < 0) {
		ret = have == -1 ? CLI_EXIT_INPUT : CLI_EXIT_FAIL;
		goto fail;
	}
	if (create_ek(&p, &ek, &ek_pub))
		goto fail;
	if (!have && create_ak(&p, ek, handle, &ak, &ak_pub))
		goto fail;
	how = have ? "reused" : "created";
	rc = Esys_TR_GetName(p.esys, ak, &name);
	if (rc != TSS2_RC_SUCCESS) {
		tpm_fail(&p, "the AK's name", rc);
		goto fail;
	}
	if (write_public(&p, o->out, ".pub", ak_pub) ||
	    write_out(&p, o->out, ".name", name->name, name->size) ||
	    write_public(&p, o->out, ".ek.pub", ek_pub)) {
		ret = CLI_EXIT_INPUT;
		goto fail;
	}
	printf("provision: attestation key 0x%08x %s\nname: ", handle, how);
	cli_hex_print(stdout, name->name, name->size);
	printf("\nwritten: %s.pub %s.name %s.ek.pub\n", o->out, o->out, o->out);
	ret = CLI_EXIT_OK;
	goto out;
fail:
	cli_err("provision: %s", p.err);
out:
	if (ek != ESYS_TR_NONE)
		Esys_FlushContext(p.esys, ek);
	Esys_Free(name);
	Esys_Free(ak_pub);
	Esys_Free(ek_pub);
	cli_tpm_close(tpm);
	return ret;
}
