/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parser of the firmware's TCG event log (the chip's
 * binary_bios_measurements): the TPM 1.2 format (TCG PC Client
 * Implementation Specification for Conventional BIOS, SHA-1 events) and the
 * crypto-agile TPM 2.0 format (TCG PC Client Platform Firmware Profile,
 * "Spec ID Event03" header, then TCG_PCR_EVENT2 events).
 *
 * Pure logic on a byte buffer with no kernel dependency beyond
 * <linux/types.h>, memcmp() and the unaligned little-endian loads, so the
 * same file builds into tpm_handoff.ko, the KUnit kernel and the userspace
 * tools (tools/kshim/kshim.h).  The log comes from firmware, or from a file an
 * administrator names: every length is checked before it is used.
 */
#ifndef _TPM_HANDOFF_TCG_LOG_H
#define _TPM_HANDOFF_TCG_LOG_H

#include <linux/types.h>

#define TCG_LOG_MAX_ALGS	8	/* digests per event the parser keeps */
#define TCG_LOG_NR_PCRS		24
#define TCG_LOG_ERRLEN		160

/* Event types with a meaning for the replay. */
#define TCG_EV_NO_ACTION	0x00000003	/* logged, never extended */

/* Algorithm ids and digest sizes, as the TCG registry assigns them. */
#define TCG_ALG_SHA1		0x0004
#define TCG_SHA1_SIZE		20

/**
 * struct tcg_log_event - one event, pointing into the log buffer
 * @index: its position in the log (the header event is 0)
 * @offset: offset of its first byte
 * @pcr: the PCR it extends (or is logged against, for EV_NO_ACTION)
 * @type: the event type
 * @nr_digests: digests in @alg, @size and @digest
 * @alg: their algorithm ids
 * @size: their sizes
 * @digest: the digests
 * @data: the event data
 * @data_len: its length
 */
struct tcg_log_event {
	u32 index;
	size_t offset;
	u32 pcr;
	u32 type;
	unsigned int nr_digests;
	u16 alg[TCG_LOG_MAX_ALGS];
	u16 size[TCG_LOG_MAX_ALGS];
	const u8 *digest[TCG_LOG_MAX_ALGS];
	const u8 *data;
	u32 data_len;
};

/**
 * struct tcg_log_info - what the whole log says
 * @agile: crypto-agile (TPM 2.0) format; else the TPM 1.2 format
 * @nr_algs: the algorithms the header declares (1 and SHA-1 for 1.2)
 * @alg: their ids
 * @size: their digest sizes
 * @locality: the locality TPM2_Startup ran at (StartupLocality event;
 *	      0 if none): PCR 0 starts at this value, not at zero
 * @events: events in the log, the header event included
 * @length: bytes parsed (trailing zeros after the last event excluded)
 */
struct tcg_log_info {
	bool agile;
	unsigned int nr_algs;
	u16 alg[TCG_LOG_MAX_ALGS];
	u16 size[TCG_LOG_MAX_ALGS];
	u8 locality;
	u32 events;
	size_t length;
};

/**
 * typedef tcg_log_fn - called for each event of the log, in order
 * @ctx: the caller's context
 * @info: the log's header (complete from the first call on)
 * @ev: the event
 *
 * Return: 0 to go on, or a value tcg_log_parse() then returns.
 */
typedef int (*tcg_log_fn)(void *ctx, const struct tcg_log_info *info,
			  const struct tcg_log_event *ev);

int tcg_log_parse(const u8 *log, size_t len, struct tcg_log_info *info,
		  tcg_log_fn fn, void *ctx, char *err, size_t errlen);
const u8 *tcg_log_digest(const struct tcg_log_event *ev, u16 alg, u16 size);

#endif /* _TPM_HANDOFF_TCG_LOG_H */
