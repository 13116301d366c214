// SPDX-License-Identifier: GPL-2.0-only
/*
 * The firmware PCRs (0-9 by default): mirrored into the vTPM by replaying
 * the firmware's TCG event log where it reproduces the pTPM's snapshot, and
 * bound where it does not.
 *
 *   replay  every event the log records for the PCR is extended into the
 *           vTPM with the log's digests, bank by bank: the vTPM's PCR then
 *           equals the pTPM's, and the event log validates both.
 *   bind    one extend of the pTPM's snapshot value: the vTPM reads
 *           H(reset value || snapshot).  A verifier learns the snapshot
 *           from the record and checks that relation instead.
 *
 * A PCR can be replayed only if the vTPM can reach the pTPM's value from
 * its own reset value: every event has a digest for every bank, the replay
 * from the PCR's initial value reproduces the snapshot, PCR 0 was not
 * started at a locality other than 0 (H-CRTM; the vTPM's PCR 0 starts at
 * zero) and no DRTM PCR (17-22) has events (the vTPM cannot reset them to
 * zero).  fw_pcrs says, PCR by PCR, whether to replay, bind, or decide
 * (auto: replay when possible, else bind).
 *
 * Pure logic: the extends go through a th_extend_fn, and hashing through a
 * th_replay of its own, so KUnit runs all of this against fabricated logs.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/err.h>
#include <linux/ctype.h>

#include "tpm_handoff.h"
#include "tcg_log.h"

static const char *const mode_name[TH_FW_NR_MODES] = {
	[TH_FW_OFF] = "off",
	[TH_FW_AUTO] = "auto",
	[TH_FW_REPLAY] = "replay",
	[TH_FW_BIND] = "bind",
};

/**
 * th_fw_mode_name() - a mode's name
 * @mode: the mode
 *
 * Return: "off", "auto", "replay" or "bind".
 */
const char *th_fw_mode_name(enum th_fw_mode mode)
{
	return mode < TH_FW_NR_MODES ? mode_name[mode] : "?";
}

static int parse_pcr(const char **s, u32 *pcr)
{
	u32 v = 0;
	int digits = 0;

	while (isdigit(**s) && digits < 3) {
		v = v * 10 + (**s - '0');
		(*s)++;
		digits++;
	}
	if (!digits || isdigit(**s))
		return -EINVAL;
	*pcr = v;
	return 0;
}

/**
 * th_fw_spec_parse() - parse the fw_pcrs parameter
 * @s: a comma-separated list of items "N" or "N-M", each optionally
 *     followed by ":auto", ":replay" or ":bind" (auto if none); "" or
 *     "none" for no firmware PCR; one trailing newline is allowed
 * @spec: the mode of each PCR (TH_FW_OFF if not listed)
 * @err: why @s was refused
 *
 * PCR 10 (IMA's) cannot be listed, and neither can a PCR twice.
 *
 * Return: 0 or -EINVAL.
 */
int th_fw_spec_parse(const char *s, struct th_fw_spec *spec, char *err)
{
	const char *orig = s;
	u32 lo, hi, p;
	enum th_fw_mode mode;
	size_t n;

	memset(spec, 0, sizeof(*spec));
	n = strlen(s);
	if (n && s[n - 1] == '\n')
		n--;
	if (!n || (n == 4 && !strncmp(s, "none", 4)))
		return 0;

	while (n) {
		const char *start = s, *end;

		if (parse_pcr(&s, &lo))
			goto bad;
		hi = lo;
		if (*s == '-') {
			s++;
			if (parse_pcr(&s, &hi))
				goto bad;
		}
		mode = TH_FW_AUTO;
		if (*s == ':') {
			end = ++s;
			while (*end && *end != ',' && *end != '\n')
				end++;
			for (mode = TH_FW_AUTO; mode < TH_FW_NR_MODES; mode++)
				if (strlen(mode_name[mode]) == end - s &&
				    !strncmp(s, mode_name[mode], end - s))
					break;
			if (mode == TH_FW_NR_MODES) {
				snprintf(err, TH_ERRLEN,
					 "fw_pcrs: unknown mode \"%.*s\" (auto, replay or bind)",
					 (int)(end - s), s);
				return -EINVAL;
			}
			s = end;
		}
		if (lo > hi || hi >= TH_NR_PCRS) {
			snprintf(err, TH_ERRLEN,
				 "fw_pcrs: PCRs %u-%u: PCRs are 0-%u", lo, hi,
				 TH_NR_PCRS - 1);
			return -EINVAL;
		}
		for (p = lo; p <= hi; p++) {
			if (p == TH_IMA_PCR) {
				snprintf(err, TH_ERRLEN,
					 "fw_pcrs: PCR %u is IMA's, mirrored from the IMA log",
					 p);
				return -EINVAL;
			}
			if (spec->mode[p] != TH_FW_OFF) {
				snprintf(err, TH_ERRLEN,
					 "fw_pcrs: PCR %u is listed twice", p);
				return -EINVAL;
			}
			spec->mode[p] = mode;
		}
		n -= s - start;
		if (n && *s == ',') {
			s++;
			n--;
			if (!n)
				goto bad;
		} else if (n) {
			goto bad;
		}
	}
	return 0;
bad:
	snprintf(err, TH_ERRLEN,
		 "fw_pcrs: cannot parse \"%.*s\": want a list such as \"0-7,8-9:bind\" (modes auto, replay, bind) or \"none\"",
		 (int)strcspn(orig, "\n"), orig);
	return -EINVAL;
}

/**
 * th_fw_reset_value() - a PCR's value after TPM2_Startup(CLEAR) at locality 0
 * @pcr: the PCR
 *
 * Return: 0xff for the DRTM PCRs 17-22 (PC Client profile), else 0: the
 * byte every digest byte holds.
 */
u8 th_fw_reset_value(u32 pcr)
{
	return pcr >= 17 && pcr <= 22 ? 0xff : 0;
}

/* What the replay of the log does, event by event. */
struct replay_ctx {
	struct th_fw *fw;
	int rc;
};

static int replay_event(void *ctx, const struct tcg_log_info *info,
			const struct tcg_log_event *ev)
{
	struct th_fw *fw = ctx;
	const struct th_banks *banks = &fw->banks;
	const u8 *dig;
	unsigned int b;
	int rc;

	if (ev->type == TCG_EV_NO_ACTION)
		return 0;
	fw->events[ev->pcr]++;
	if (!(fw->replayable & BIT(ev->pcr)))
		return 0;
	if (ev->pcr >= 17 && ev->pcr <= 22) {
		fw->replayable &= ~BIT(ev->pcr);
		snprintf(fw->why[ev->pcr], TH_FW_WHYLEN,
			 "DRTM PCR with events: the vTPM cannot reset it to zero");
		return 0;
	}
	for (b = 0; b < banks->nr; b++) {
		dig = tcg_log_digest(ev, banks->alg[b], banks->size[b]);
		if (!dig) {
			fw->replayable &= ~BIT(ev->pcr);
			snprintf(fw->why[ev->pcr], TH_FW_WHYLEN,
				 "event %u of the log has no %s digest",
				 ev->index, th_alg_name(banks->alg[b]));
			return 0;
		}
		rc = th_replay_extend(fw->r, b, fw->replayed->val[b][ev->pcr],
				      dig);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * th_fw_init() - replay the firmware's event log in software
 * @fw: zeroed state
 * @spec: the mode of each PCR
 * @banks: the banks to mirror (the pTPM's)
 * @log: the TCG event log, or NULL if there is none (it must stay valid
 *	 until th_fw_free())
 * @len: its length
 * @err: why @fw could not be set up
 *
 * A missing or malformed log is not an error here: it makes every PCR
 * unreplayable, and th_fw_decide() binds them or, where fw_pcrs insists
 * on a replay, refuses.
 *
 * Return: 0, -ENOMEM, or a hash error.
 */
int th_fw_init(struct th_fw *fw, const struct th_fw_spec *spec,
	       const struct th_banks *banks, const u8 *log, size_t len,
	       char *err)
{
	unsigned int b;
	u32 p;
	int rc;

	fw->spec = *spec;
	fw->banks = *banks;
	fw->log = log;
	fw->log_len = len;
	for (p = 0; p < TH_NR_PCRS; p++)
		if (spec->mode[p] != TH_FW_OFF)
			fw->mask |= BIT(p);
	if (!fw->mask)
		return 0;

	fw->r = th_replay_alloc(banks, err);
	if (IS_ERR(fw->r)) {
		rc = PTR_ERR(fw->r);
		fw->r = NULL;
		return rc;
	}
	fw->replayed = kzalloc(sizeof(*fw->replayed), GFP_KERNEL);
	fw->expect = kzalloc(sizeof(*fw->expect), GFP_KERNEL);
	fw->partway = kzalloc(sizeof(*fw->partway), GFP_KERNEL);
	if (!fw->replayed || !fw->expect || !fw->partway) {
		snprintf(err, TH_ERRLEN, "out of memory");
		return -ENOMEM;
	}
	fw->replayed->banks = *banks;
	fw->expect->banks = *banks;
	fw->partway->banks = *banks;
	for (b = 0; b < banks->nr; b++)
		for (p = 0; p < TH_NR_PCRS; p++)
			memset(fw->replayed->val[b][p], th_fw_reset_value(p),
			       banks->size[b]);

	if (!log) {
		snprintf(fw->log_err, sizeof(fw->log_err),
			 "the pTPM has no event log");
		return 0;
	}
	fw->replayable = GENMASK(TH_NR_PCRS - 1, 0);
	rc = tcg_log_parse(log, len, &fw->info, NULL, NULL, fw->log_err,
			   sizeof(fw->log_err));
	if (!rc) {
		for (b = 0; b < banks->nr; b++)
			fw->replayed->val[b][0][banks->size[b] - 1] =
				fw->info.locality;
		rc = tcg_log_parse(log, len, &fw->info, replay_event, fw,
				   fw->log_err, sizeof(fw->log_err));
	}
	if (rc == -EINVAL) {
		fw->replayable = 0;
		fw->log_ok = false;
		return 0;
	}
	if (rc) {
		snprintf(err, TH_ERRLEN, "replaying the event log failed (%d)",
			 rc);
		return rc;
	}
	fw->log_ok = true;
	fw->replayed->valid = fw->replayable;
	if (fw->info.locality) {
		fw->replayable &= ~BIT(0);
		snprintf(fw->why[0], TH_FW_WHYLEN,
			 "TPM2_Startup ran at locality %u: the vTPM's PCR 0 starts at zero",
			 fw->info.locality);
	}
	return 0;
}

/* The vTPM's value after one bind extend of @v in every bank. */
static int bind_value(struct th_fw *fw, u32 pcr, const struct th_pcr_values *v)
{
	unsigned int b;
	int rc;

	for (b = 0; b < fw->banks.nr; b++) {
		memset(fw->expect->val[b][pcr], th_fw_reset_value(pcr),
		       fw->banks.size[b]);
		rc = th_replay_extend(fw->r, b, fw->expect->val[b][pcr],
				      v->val[b][pcr]);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * th_fw_decide() - choose replay or bind for each firmware PCR
 * @fw: after th_fw_init()
 * @snap: the pTPM's PCRs (every PCR of @fw's mask valid)
 * @ima_mask: the PCRs the IMA log extends (they cannot be firmware PCRs)
 * @err: why not
 *
 * Sets @fw->replay, @fw->bind, the reason for each bind and @fw->expect,
 * the value each PCR must read in the vTPM afterwards.
 *
 * Return: 0, or -EINVAL if fw_pcrs cannot be honoured.
 */
int th_fw_decide(struct th_fw *fw, const struct th_pcr_values *snap,
		 u32 ima_mask, char *err)
{
	unsigned int b, bad_bank;
	u32 p, bad;
	bool same;
	int rc;

	fw->replay = 0;
	fw->bind = 0;
	fw->snapshot = snap;
	if (!fw->mask)
		return 0;
	if (fw->mask & ima_mask) {
		p = __ffs(fw->mask & ima_mask);
		snprintf(err, TH_ERRLEN,
			 "fw_pcrs lists PCR %u, but the IMA log extends it: leave it out of fw_pcrs",
			 p);
		return -EINVAL;
	}
	for (p = 0; p < TH_NR_PCRS; p++) {
		enum th_fw_mode mode = fw->spec.mode[p];

		if (mode == TH_FW_OFF)
			continue;
		same = false;
		if (fw->replayable & BIT(p)) {
			same = th_pcrs_equal(fw->replayed, snap, BIT(p), &bad,
					     &bad_bank);
			if (!same)
				snprintf(fw->why[p], TH_FW_WHYLEN,
					 "the event log does not reproduce it (%s bank): extended outside the log",
					 th_alg_name(fw->banks.alg[bad_bank]));
		} else if (!fw->why[p][0]) {
			/* A long log error is cut to fit; the whole is in err. */
			strscpy(fw->why[p],
				fw->log_ok ? "not replayable" : fw->log_err,
				TH_FW_WHYLEN);
		}
		if (mode == TH_FW_REPLAY && !same) {
			snprintf(err, TH_ERRLEN,
				 "fw_pcrs asks to replay PCR %u, but %s: use :bind or :auto for it",
				 p, fw->why[p]);
			return -EINVAL;
		}
		if (mode == TH_FW_BIND) {
			snprintf(fw->why[p], TH_FW_WHYLEN, "fw_pcrs asks to bind it");
			same = false;
		}
		if (same) {
			fw->replay |= BIT(p);
			fw->why[p][0] = '\0';
			for (b = 0; b < fw->banks.nr; b++)
				memcpy(fw->expect->val[b][p], snap->val[b][p],
				       fw->banks.size[b]);
		} else {
			fw->bind |= BIT(p);
			rc = bind_value(fw, p, snap);
			if (rc) {
				snprintf(err, TH_ERRLEN, "hashing failed (%d)",
					 rc);
				return rc;
			}
		}
	}
	fw->expect->valid = fw->mask;
	return 0;
}

/**
 * struct mirror_ctx - one pass of th_fw_mirror() over the event log
 * @fw: the state
 * @vtpm: the vTPM's PCRs before the pass
 * @todo: the PCRs the pass extends (or, finding midway PCRs, looks for)
 * @skip: per PCR, its first events to leave out (the vTPM holds them)
 * @extend: sends one extend to the vTPM
 * @ctx: its argument
 */
struct mirror_ctx {
	struct th_fw *fw;
	const struct th_pcr_values *vtpm;
	u32 todo;
	u32 skip[TH_NR_PCRS];
	th_extend_fn extend;
	void *ctx;
};

static bool pcr_is(const struct th_pcr_values *v, u32 pcr,
		   const struct th_pcr_values *want)
{
	u32 bad;
	unsigned int bank;

	return th_pcrs_equal(v, want, BIT(pcr), &bad, &bank);
}

/*
 * Finding midway PCRs: extend @fw->partway event by event and stop looking
 * for a PCR once the vTPM's value is among its intermediate values.
 */
static int midway_event(void *ctx, const struct tcg_log_info *info,
			const struct tcg_log_event *ev)
{
	struct mirror_ctx *m = ctx;
	struct th_fw *fw = m->fw;
	const u8 *dig;
	unsigned int b;
	int rc;

	if (ev->type == TCG_EV_NO_ACTION || !(m->todo & BIT(ev->pcr)))
		return 0;
	for (b = 0; b < fw->banks.nr; b++) {
		dig = tcg_log_digest(ev, fw->banks.alg[b], fw->banks.size[b]);
		if (!dig)		/* th_fw_decide() ruled this out */
			return -EPROTO;
		rc = th_replay_extend(fw->r, b, fw->partway->val[b][ev->pcr],
				      dig);
		if (rc)
			return rc;
	}
	m->skip[ev->pcr]++;
	if (pcr_is(m->vtpm, ev->pcr, fw->partway))
		m->todo &= ~BIT(ev->pcr);
	return 0;
}

/* Which replayed PCRs of @todo the vTPM holds partway: fills @m->skip. */
static int find_midway(struct mirror_ctx *m, u32 todo)
{
	struct th_fw *fw = m->fw;
	struct tcg_log_info info;
	unsigned int b;
	u32 p;
	int rc;

	for (b = 0; b < fw->banks.nr; b++)
		for (p = 0; p < TH_NR_PCRS; p++)
			memset(fw->partway->val[b][p], th_fw_reset_value(p),
			       fw->banks.size[b]);
	m->todo = todo;
	rc = tcg_log_parse(fw->log, fw->log_len, &info, midway_event, m,
			   NULL, 0);
	fw->midway = todo & ~m->todo;
	return rc;
}

static int mirror_event(void *ctx, const struct tcg_log_info *info,
			const struct tcg_log_event *ev)
{
	struct mirror_ctx *m = ctx;
	struct th_fw *fw = m->fw;
	const u8 *dig[TH_MAX_BANKS];
	unsigned int b;
	int rc;

	if (ev->type == TCG_EV_NO_ACTION || !(m->todo & BIT(ev->pcr)))
		return 0;
	if (m->skip[ev->pcr]) {
		m->skip[ev->pcr]--;
		return 0;
	}
	for (b = 0; b < fw->banks.nr; b++) {
		dig[b] = tcg_log_digest(ev, fw->banks.alg[b], fw->banks.size[b]);
		if (!dig[b])		/* th_fw_decide() ruled this out */
			return -EPROTO;
	}
	rc = m->extend(m->ctx, ev->pcr, dig);
	if (!rc)
		fw->extended++;
	return rc;
}

static bool pcr_reset(const struct th_pcr_values *v, u32 pcr)
{
	unsigned int b, i;

	for (b = 0; b < v->banks.nr; b++)
		for (i = 0; i < v->banks.size[b]; i++)
			if (v->val[b][pcr][i] != th_fw_reset_value(pcr))
				return false;
	return true;
}

/*
 * Sort the firmware PCRs by what the vTPM holds: at their value
 * (@fw->resumed), partway through their events (@fw->midway), reset
 * (@todo), or anything else: -EBUSY, naming the PCR.  Nothing is sent.
 */
static int fw_classify(struct mirror_ctx *m, const struct th_pcr_values *vtpm,
		       u32 *todo, char *err)
{
	struct th_fw *fw = m->fw;
	u32 p, other = 0;
	int rc;

	fw->resumed = 0;
	fw->midway = 0;
	*todo = 0;
	for (p = 0; p < TH_NR_PCRS; p++) {
		if (!(fw->mask & BIT(p)))
			continue;
		if (pcr_is(vtpm, p, fw->expect))
			fw->resumed |= BIT(p);
		else if (pcr_reset(vtpm, p))
			*todo |= BIT(p);
		else
			other |= BIT(p);
	}
	if (other & fw->replay) {
		rc = find_midway(m, other & fw->replay);
		if (rc)
			return rc;
		other &= ~fw->midway;
	}
	if (other) {
		p = __ffs(other);
		snprintf(err, TH_ERRLEN,
			 "vTPM PCR %u is neither in its reset state nor at or on the way to the value the handoff gives it (another user extended it): restart the vTPM, then retry",
			 p);
		return -EBUSY;
	}
	return 0;
}

/**
 * th_fw_check() - can the firmware PCRs be mirrored into this vTPM?
 * @fw: after th_fw_decide()
 * @vtpm: the vTPM's PCRs now (those in @fw's mask valid)
 * @err: why not
 *
 * th_fw_mirror()'s check alone, for a caller that must know before it
 * extends anything else (a re-mirror: nothing may reach a vTPM that
 * someone else extended).
 *
 * Return: 0, or -EBUSY as th_fw_mirror() (@err names the PCR).
 */
int th_fw_check(struct th_fw *fw, const struct th_pcr_values *vtpm, char *err)
{
	struct mirror_ctx m = { .fw = fw, .vtpm = vtpm };
	u32 todo;

	return fw_classify(&m, vtpm, &todo, err);
}

/**
 * th_fw_mirror() - extend the firmware PCRs into the vTPM
 * @fw: after th_fw_decide()
 * @vtpm: the vTPM's PCRs now (those in @fw's mask valid)
 * @extend: sends one extend to the vTPM
 * @ctx: its argument
 * @err: why not
 *
 * A PCR the vTPM already holds at its expected value (an earlier attempt
 * got that far) is left alone and counted in @fw->resumed.  A replayed PCR
 * the vTPM holds after some of its events (an earlier attempt stopped
 * between two) gets the rest of them, and is counted in @fw->midway.
 *
 * Return: 0, -EBUSY if a vTPM PCR is neither in its reset state nor at its
 * expected value nor, replayed, at one on the way there, or what @extend
 * returned.
 */
int th_fw_mirror(struct th_fw *fw, const struct th_pcr_values *vtpm,
		 th_extend_fn extend, void *ctx, char *err)
{
	struct mirror_ctx m = {
		.fw = fw, .vtpm = vtpm, .extend = extend, .ctx = ctx,
	};
	struct tcg_log_info info;
	const u8 *dig[TH_MAX_BANKS];
	u32 p, todo;
	unsigned int b;
	int rc;

	fw->extended = 0;
	rc = fw_classify(&m, vtpm, &todo, err);
	if (rc)
		return rc;

	m.todo = (todo | fw->midway) & fw->replay;
	if (m.todo) {
		rc = tcg_log_parse(fw->log, fw->log_len, &info, mirror_event,
				   &m, NULL, 0);
		if (rc)
			return rc;
	}
	for (p = 0; p < TH_NR_PCRS; p++) {
		if (!(fw->bind & BIT(p)) || (fw->resumed & BIT(p)))
			continue;
		for (b = 0; b < fw->banks.nr; b++)
			dig[b] = fw->snapshot->val[b][p];
		rc = extend(ctx, p, dig);
		if (rc)
			return rc;
		fw->extended++;
	}
	return 0;
}

/**
 * th_fw_free() - free what th_fw_init() allocated
 * @fw: the state (the log is the caller's)
 */
void th_fw_free(struct th_fw *fw)
{
	th_replay_free(fw->r);
	fw->r = NULL;
	kfree(fw->replayed);
	fw->replayed = NULL;
	kfree(fw->expect);
	fw->expect = NULL;
	kfree(fw->partway);
	fw->partway = NULL;
}

/**
 * th_fw_size() - memory th_fw_init() allocates
 *
 * Return: bytes, for the record's memory_bytes.
 */
size_t th_fw_size(void)
{
	return th_replay_size() + 3 * sizeof(struct th_pcr_values);
}
