// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff attest: after a committed handoff with a handoff quote, the
 * evidence a remote verifier checks (evidence.h): the record, the handoff
 * quote and the pTPM key's public part (from provisioning: the pTPM no
 * longer answers dom0), a fresh quote by the vTPM key the handoff quote
 * names over the same PCRs with the verifier's nonce, that key's public
 * part, the vTPM's PCR values the fresh quote signed, the IMA log and the
 * firmware event log.
 *
 * The PCRs are read after the quote, and IMA may extend PCR 10 in
 * between: the values must give the quote's PCR digest, else it quotes
 * and reads again.  The IMA log is read last, so it holds every entry the
 * quote covers (and perhaps a few more, which the verifier allows).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "evidence.h"
#include "record.h"
#include "record_int.h"	/* cli_rec_parse_pcr_list() */
#include "tpm.h"
#include "tpmobj.h"
#include "util.h"

#define ATTEST_NONCE_MAX	64	/* TPM2B_DATA */

struct attest {
	const struct cli_opts *o;
	struct cli_record rec;
	struct cli_evidence ev;
	struct cli_tpm *tpm;
	ESYS_CONTEXT *esys;
	ESYS_TR key;
	TPML_PCR_SELECTION sel;
	enum cli_bank banks[CLI_MAX_BANKS];	/* the record's, in its order */
	size_t nb;
	uint32_t mask;
	char tcti[300];
	char err[CLI_MSG];
};

/* Say why, and exit 2 (bad input). */
#define INPUT(...)	(cli_err(__VA_ARGS__), CLI_EXIT_INPUT)

static int hex_blob(const char *s, struct cli_blob *b)
{
	size_t n = strlen(s);

	if (!n || n % 2)
		return -1;
	b->buf = malloc(n / 2);
	b->len = n / 2;
	return b->buf ? cli_hex_decode(s, b->buf, b->len) : -1;
}

static int read_blob(const char *path, size_t max, struct cli_blob *b)
{
	char *buf;
	size_t len;
	int rc = cli_read_file(path, max, &buf, &len);

	if (rc)
		return rc;
	b->buf = (uint8_t *)buf;
	b->len = len;
	return 0;
}

/* What the record must say for a handoff quote to exist. */
static int load_record(struct attest *a)
{
	const char *need[] = { "vtpm_ak", "vtpm_ak_name", "quote_attest",
			       "quote_signature", "quote_pcrs" };
	const char *s;
	char *text;
	size_t len;
	int rc;

	rc = cli_record_load(&a->rec, a->o, a->err, sizeof(a->err));
	if (rc == CLI_REC_ABSENT || rc == CLI_REC_EMPTY) {
		cli_err("no handoff record (is tpm_handoff.ko loaded, and did a handoff run?)");
		return CLI_EXIT_FAIL;
	}
	if (rc) {
		cli_err("%s", a->err);
		return CLI_EXIT_INPUT;
	}
	if (!a->rec.result || strcmp(a->rec.result, "committed")) {
		cli_err("the handoff has not committed: nothing to attest");
		return CLI_EXIT_FAIL;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!cli_record_get(&a->rec, need[i])) {
			cli_err("the record has no %s: the handoff ran without a handoff quote (set ptpm_ak and vtpm_ak before the trigger)",
				need[i]);
			return CLI_EXIT_FAIL;
		}
	s = cli_record_get(&a->rec, "vtpm_ak");
	a->ev.vtpm_ak = (uint32_t)strtoul(s, NULL, 16);
	s = cli_record_get(&a->rec, "ptpm_ak");
	a->ev.ptpm_ak = s ? (uint32_t)strtoul(s, NULL, 16) : 0;
	if (hex_blob(cli_record_get(&a->rec, "quote_attest"), &a->ev.hq_attest) ||
	    hex_blob(cli_record_get(&a->rec, "quote_signature"), &a->ev.hq_sig)) {
		cli_err("the record's quote_attest or quote_signature is not hex");
		return CLI_EXIT_INPUT;
	}
	/* The record as text again, for people reading the evidence. */
	text = NULL;
	len = 0;
	{
		FILE *m = open_memstream(&text, &len);

		if (!m)
			return CLI_EXIT_INPUT;
		cli_record_print_raw(m, &a->rec);
		fclose(m);
	}
	a->ev.record = text;
	return 0;
}

/* The selection: the record's quote_pcrs in each of its banks. */
static int selection(struct attest *a)
{
	char why[CLI_MSG];

	if (cli_rec_parse_pcr_list("quote_pcrs", cli_record_get(&a->rec, "quote_pcrs"),
				   &a->mask, why, sizeof(why)))
		return -1;
	for (size_t i = 0; i < a->rec.banks.nr; i++) {
		int b = cli_bank_by_name(a->rec.banks.name[i]);

		if (b < 0)
			return -1;
		a->banks[a->nb++] = (enum cli_bank)b;
	}
	a->sel.count = (UINT32)a->nb;
	for (size_t i = 0; i < a->nb; i++) {
		TPMS_PCR_SELECTION *ps = &a->sel.pcrSelections[i];

		ps->hash = cli_bank_alg(a->banks[i]);
		ps->sizeofSelect = 3;
		for (int k = 0; k < 3; k++)
			ps->pcrSelect[k] = (BYTE)(a->mask >> (8 * k));
	}
	return a->mask ? 0 : -1;
}

static int tpm_fail(struct attest *a, const char *what, TSS2_RC rc)
{
	cli_err("TPM at \"%s\": %s failed: %s", a->tcti, what, Tss2_RC_Decode(rc));
	return CLI_EXIT_FAIL;
}

/* The vTPM key: its public part, which must be the record's vtpm_ak_name. */
static int vtpm_key(struct attest *a)
{
	TPM2B_PUBLIC *pub = NULL;
	uint8_t buf[sizeof(TPM2B_PUBLIC)];
	struct cli_key k;
	size_t off = 0;
	char name[2 * CLI_NAME_MAX + 1];
	TSS2_RC rc;

	rc = Esys_TR_FromTPMPublic(a->esys, a->ev.vtpm_ak, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, &a->key);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(a, "reading the vTPM key (vtpm_ak)", rc);
	rc = Esys_ReadPublic(a->esys, a->key, ESYS_TR_NONE, ESYS_TR_NONE,
			     ESYS_TR_NONE, &pub, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(a, "ReadPublic of the vTPM key", rc);
	rc = Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof(buf), &off);
	Esys_Free(pub);
	if (rc != TSS2_RC_SUCCESS || cli_key_load(buf, off, &k, a->err, sizeof(a->err))) {
		cli_err("the vTPM key's public part: %s", a->err);
		return CLI_EXIT_FAIL;
	}
	if (strcmp(cli_hex_str(name, k.name, k.name_len), cli_record_get(&a->rec, "vtpm_ak_name"))) {
		cli_err("the key at 0x%08x on the vTPM is not the one the handoff quote names (record: vtpm_ak_name)",
			a->ev.vtpm_ak);
		return CLI_EXIT_FAIL;
	}
	a->ev.vtpm_ak_pub.buf = malloc(off);
	if (!a->ev.vtpm_ak_pub.buf)
		return CLI_EXIT_FAIL;
	memcpy(a->ev.vtpm_ak_pub.buf, buf, off);
	a->ev.vtpm_ak_pub.len = off;
	return 0;
}

/* One quote, and the PCRs read after it; 1 if they do not give its digest. */
static int quote_once(struct attest *a)
{
	TPM2B_DATA data = { .size = (UINT16)a->ev.nonce.len };
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *sig = NULL;
	uint8_t sbuf[sizeof(TPMT_SIGNATURE)], dig[CLI_MAX_DIGEST];
	struct cli_quote q;
	size_t off = 0, dlen;
	TSS2_RC rc;
	int ret = CLI_EXIT_FAIL;

	memcpy(data.buffer, a->ev.nonce.buf, a->ev.nonce.len);
	rc = Esys_Quote(a->esys, a->key, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			ESYS_TR_NONE, &data, &scheme, &a->sel, &quoted, &sig);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_fail(a, "Quote with the vTPM key", rc);
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(sig, sbuf, sizeof(sbuf), &off))
		goto out;
	free(a->ev.vq_attest.buf);
	free(a->ev.vq_sig.buf);
	a->ev.vq_attest.buf = malloc(quoted->size);
	a->ev.vq_sig.buf = malloc(off);
	if (!a->ev.vq_attest.buf || !a->ev.vq_sig.buf)
		goto out;
	memcpy(a->ev.vq_attest.buf, quoted->attestationData, quoted->size);
	a->ev.vq_attest.len = quoted->size;
	memcpy(a->ev.vq_sig.buf, sbuf, off);
	a->ev.vq_sig.len = off;
	if (cli_quote_load(a->ev.vq_attest.buf, a->ev.vq_attest.len,
			   a->ev.vq_sig.buf, a->ev.vq_sig.len, &q, a->err,
			   sizeof(a->err))) {
		cli_err("the vTPM's quote: %s", a->err);
		goto out;
	}
	memset(a->ev.vpcr_mask, 0, sizeof(a->ev.vpcr_mask));
	for (unsigned int p = 0; p < CLI_MAX_PCRS; p++) {
		uint32_t bm = 0;

		if (!(a->mask & (1u << p)))
			continue;
		for (size_t i = 0; i < a->nb; i++)
			bm |= 1u << a->banks[i];
		if (cli_tpm_pcr_read(a->tpm, p, bm, a->ev.vpcr[p], a->err,
				     sizeof(a->err))) {
			cli_err("%s", a->err);
			goto out;
		}
		a->ev.vpcr_mask[p] = bm;
	}
	if (cli_quote_pcr_digest(&a->sel, sig->signature.any.hashAlg, a->ev.vpcr,
				 dig, &dlen)) {
		cli_err("cannot hash the vTPM's PCRs");
		goto out;
	}
	ret = dlen == q.attest.attested.quote.pcrDigest.size &&
	      !memcmp(dig, q.attest.attested.quote.pcrDigest.buffer, dlen) ? 0 : 1;
out:
	Esys_Free(quoted);
	Esys_Free(sig);
	return ret;
}

static int gather(struct attest *a)
{
	unsigned int tries = a->o->attempts ? a->o->attempts : 5;
	const char *log = a->o->log ? a->o->log : CLI_DEF_LOG;
	char fw[300];
	int rc = 1;

	for (unsigned int i = 0; i < tries && rc == 1; i++) {
		rc = quote_once(a);
		if (rc == 1)
			nanosleep(&(struct timespec){ 0, 100000000L << (i < 4 ? i : 4) }, NULL);
	}
	if (rc == 1) {
		cli_err("the vTPM's PCRs kept changing between its quote and their read (%u tries)",
			tries);
		return CLI_EXIT_FAIL;
	}
	if (rc)
		return rc;
	/* As base64 it must fit the evidence a verifier reads. */
	rc = read_blob(log, CLI_EVIDENCE_MAX / 4 * 3 - CLI_FILE_MAX, &a->ev.ima_log);
	if (rc)
		return INPUT("cannot read the IMA log %s: %s", log,
			     rc == -EFBIG ? "too large for an evidence file" : strerror(-rc));
	if (a->o->fw_log) {
		snprintf(fw, sizeof(fw), "%s", a->o->fw_log);
	} else {
		snprintf(fw, sizeof(fw), "/sys/kernel/security/%s/binary_bios_measurements",
			 a->rec.ptpm ? a->rec.ptpm : "tpm0");
	}
	rc = read_blob(fw, 4u << 20, &a->ev.fw_log);
	if (rc == -ENOENT && !a->o->fw_log)
		return 0;		/* a pTPM without an event log */
	if (rc)
		return INPUT("cannot read the firmware event log %s: %s", fw, strerror(-rc));
	return 0;
}

static int write_evidence(struct attest *a)
{
	FILE *f = strcmp(a->o->out, "-") ? fopen(a->o->out, "w") : stdout;
	int bad;

	if (!f)
		return INPUT("cannot write %s: %s", a->o->out, strerror(errno));
	bad = cli_evidence_write(f, &a->ev);
	if (f != stdout)
		bad |= fclose(f);
	else
		bad |= fflush(f);
	if (bad)
		return INPUT("cannot write %s", a->o->out);
	return 0;
}

int cmd_attest(const struct cli_opts *o)
{
	struct attest a = { .o = o };
	struct cli_key pk;
	char name[2 * CLI_NAME_MAX + 1];
	const char *want;
	int rc;

	if (!o->nonce || !o->out || !o->ptpm_key)
		return INPUT("attest needs --nonce HEX, --ptpm-key FILE and --out FILE");
	if (hex_blob(o->nonce, &a.ev.nonce) || a.ev.nonce.len > ATTEST_NONCE_MAX) {
		cli_evidence_free(&a.ev);
		return INPUT("--nonce: \"%.80s\" is not 1 to 64 bytes in hex", o->nonce);
	}
	rc = read_blob(o->ptpm_key, CLI_FILE_MAX, &a.ev.ptpm_ak_pub);
	if (rc) {
		cli_evidence_free(&a.ev);
		return INPUT("--ptpm-key: cannot read %s: %s", o->ptpm_key, strerror(-rc));
	}
	if (cli_key_load(a.ev.ptpm_ak_pub.buf, a.ev.ptpm_ak_pub.len, &pk, a.err,
			 sizeof(a.err))) {
		cli_evidence_free(&a.ev);
		return INPUT("--ptpm-key %s: %s", o->ptpm_key, a.err);
	}
	rc = load_record(&a);
	if (rc)
		goto out;
	want = cli_record_get(&a.rec, "ptpm_ak_name");
	if (!want || strcmp(cli_hex_str(name, pk.name, pk.name_len), want)) {
		rc = INPUT("--ptpm-key %s is not the key that signed the handoff quote (record: ptpm_ak_name)",
			   o->ptpm_key);
		goto out;
	}
	if (selection(&a)) {
		rc = INPUT("the record's quote_pcrs or banks are malformed");
		goto out;
	}
	if (o->tcti)
		snprintf(a.tcti, sizeof(a.tcti), "%s", o->tcti);
	else
		snprintf(a.tcti, sizeof(a.tcti), "device:/dev/tpmrm%s",
			 cli_record_vtpm_now(&a.rec) ? cli_record_vtpm_now(&a.rec) + 3 : "0");
	a.tpm = cli_tpm_open(a.tcti, a.err, sizeof(a.err));
	if (!a.tpm) {
		rc = INPUT("%s", a.err);
		goto out;
	}
	a.esys = cli_tpm_esys(a.tpm);
	rc = vtpm_key(&a);
	if (!rc)
		rc = gather(&a);
	if (!rc)
		rc = write_evidence(&a);
out:
	if (a.tpm) {
		if (a.key && a.key != ESYS_TR_NONE)
			Esys_TR_Close(a.esys, &a.key);
		cli_tpm_close(a.tpm);
	}
	cli_record_free(&a.rec);
	cli_evidence_free(&a.ev);
	return rc;
}
