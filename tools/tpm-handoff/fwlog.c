// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: replay of the firmware's TCG event log, as the module's
 * drivers/tpm_handoff/firmware.c does it, with the module's own parser.
 */
#define _POSIX_C_SOURCE 200809L
/* The kernel's types and helpers for tcg_log.h (tools/kshim/kshim.h). */
#include "kshim.h"
#include "../../drivers/tpm_handoff/tcg_log.h"

#include <openssl/evp.h>

#include "fwlog.h"
#include "util.h"

uint8_t cli_pcr_reset_byte(unsigned int pcr)
{
	return pcr >= 17 && pcr <= 22 ? 0xff : 0;
}

/* out = H_b(a || d), both of the bank's size; 0 or -1. */
static int extend(enum cli_bank b, const uint8_t *a, const uint8_t *d, uint8_t *out)
{
	const EVP_MD *md = EVP_get_digestbyname(cli_bank_evp(b));
	unsigned int sz = cli_bank_size(b), len = 0;
	uint8_t res[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx;
	int ok;

	if (!md)
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) &&
	     EVP_DigestUpdate(ctx, a, sz) && EVP_DigestUpdate(ctx, d, sz) &&
	     EVP_DigestFinal_ex(ctx, res, &len) && len == sz;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	memcpy(out, res, sz);
	return 0;
}

int cli_fw_bind_value(enum cli_bank b, unsigned int pcr, const uint8_t *value,
		     uint8_t *out)
{
	uint8_t reset[CLI_MAX_DIGEST];

	if ((unsigned int)b >= CLI_NR_BANKS || pcr >= CLI_MAX_PCRS)
		return -1;
	memset(reset, cli_pcr_reset_byte(pcr), sizeof(reset));
	return extend(b, reset, value, out);
}

struct replay {
	struct cli_fwlog *out;
	uint32_t mask;
};

#define REPLAY_CRYPTO	1	/* a callback's return: hashing failed */

static int replay_event(void *ctx, const struct tcg_log_info *info,
			const struct tcg_log_event *ev)
{
	struct replay *r = ctx;
	struct cli_fwlog *f = r->out;

	(void)info;
	if (ev->type == TCG_EV_NO_ACTION)
		return 0;
	f->extended[ev->pcr]++;
	for (int b = 0; b < CLI_NR_BANKS; b++) {
		const u8 *d;

		if (!(r->mask & (1u << b)))
			continue;
		d = tcg_log_digest(ev, cli_bank_alg(b), (u16)cli_bank_size(b));
		if (!d) {
			if (!(f->missing[ev->pcr] & (1u << b)))
				f->missing_event[ev->pcr][b] = ev->index;
			f->missing[ev->pcr] |= 1u << b;
			continue;
		}
		if (extend(b, f->val[ev->pcr][b], d, f->val[ev->pcr][b]))
			return REPLAY_CRYPTO;
	}
	return 0;
}

int cli_fwlog_replay(const char *path, uint32_t mask, struct cli_fwlog *out,
		    char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = cli_read_file(path, CLI_FWLOG_MAX, &buf, &len);
	if (ret) {
		snprintf(err, errlen, "cannot read the event log %s: %s", path,
			 ret == -EFBIG ? "larger than 4 MiB" : strerror(-ret));
		return -1;
	}
	ret = cli_fwlog_replay_buf(buf, len, path, mask, out, err, errlen);
	free(buf);
	return ret;
}

int cli_fwlog_replay_buf(const void *buf, size_t len, const char *name,
			 uint32_t mask, struct cli_fwlog *out, char *err,
			 size_t errlen)
{
	struct replay r = { out, mask };
	struct tcg_log_info info;
	char why[TCG_LOG_ERRLEN];
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > CLI_FWLOG_MAX) {
		snprintf(err, errlen, "event log %s: larger than 4 MiB", name);
		return -1;
	}
	/* First the header (the locality), then the replay. */
	ret = tcg_log_parse((const u8 *)buf, len, &info, NULL, NULL, why, sizeof(why));
	if (!ret) {
		for (unsigned int p = 0; p < CLI_MAX_PCRS; p++)
			for (int b = 0; b < CLI_NR_BANKS; b++)
				memset(out->val[p][b], cli_pcr_reset_byte(p),
				       sizeof(out->val[p][b]));
		for (int b = 0; b < CLI_NR_BANKS; b++)
			if (mask & (1u << b))
				out->val[0][b][cli_bank_size(b) - 1] = info.locality;
		ret = tcg_log_parse((const u8 *)buf, len, &info, replay_event, &r,
				    why, sizeof(why));
	}
	if (ret == REPLAY_CRYPTO) {
		snprintf(err, errlen, "event log %s: libcrypto hashing failed", name);
		return -1;
	}
	if (ret) {
		snprintf(err, errlen, "event log %s: %s", name,
			 why[0] ? why : "malformed");
		return -1;
	}
	out->agile = info.agile;
	out->events = info.events;
	out->locality = info.locality;
	return 0;
}
