// SPDX-License-Identifier: GPL-2.0-only
/*
 * Streaming parser of IMA's binary measurement list
 * (/sys/kernel/security/ima/binary_runtime_measurements).
 *
 * Each entry, as ima_measurements_show() writes it in Linux 6.1:
 *
 *   u32 pcr | u8 digest[20] | u32 name_len | char name[name_len] |
 *   u32 data_len | u8 data[data_len]
 *
 * in host byte order (little endian on the machines this module supports;
 * with ima_canonical_fmt it is little endian everywhere).  The legacy "ima"
 * template has no data_len field and is refused.
 *
 * The parser takes the log in pieces of any size and never holds more than
 * one entry header, so a log of any length costs constant memory.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <tpm_handoff/compat.h>

#include "tpm_handoff.h"

#define HDR_FIXED	(4 + SHA1_DIGEST_SIZE + 4)

/**
 * ima_log_init() - start parsing a log from its first byte
 * @p: parser
 * @ops: callbacks for each entry
 * @ctx: their argument
 */
void ima_log_init(struct ima_log_parser *p, const struct ima_log_ops *ops,
		  void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->ctx = ctx;
	p->hdr_need = HDR_FIXED;
}

static int bad(struct ima_log_parser *p, const char *why)
{
	snprintf(p->msg, sizeof(p->msg),
		 "IMA log entry %llu at offset %llu: %s",
		 p->entries, p->entry_offset, why);
	return -EBADMSG;
}

static int entry_done(struct ima_log_parser *p)
{
	int rc = p->ops->end ? p->ops->end(p->ctx) : 0;

	p->entries++;
	p->in_data = false;
	p->hdr_len = 0;
	p->hdr_need = HDR_FIXED;
	p->entry_offset = p->offset;
	return rc;
}

/* The header is complete as far as hdr_need says: parse what it holds. */
static int header_step(struct ima_log_parser *p)
{
	struct ima_log_entry *e = &p->entry;
	u32 name_len, data_len;
	int rc;

	name_len = get_unaligned_le32(p->hdr + 4 + SHA1_DIGEST_SIZE);
	if (p->hdr_len == HDR_FIXED) {
		if (name_len == 0 || name_len > IMA_LOG_NAME_MAX)
			return bad(p, "bad template name length");
		p->hdr_need = HDR_FIXED + name_len + 4;
		return 0;
	}

	e->pcr = get_unaligned_le32(p->hdr);
	memcpy(e->digest, p->hdr + 4, SHA1_DIGEST_SIZE);
	memcpy(e->name, p->hdr + HDR_FIXED, name_len);
	e->name[name_len] = '\0';
	if (strlen(e->name) != name_len)
		return bad(p, "NUL byte in the template name");
	if (!strcmp(e->name, "ima"))
		return bad(p, "the legacy \"ima\" template is not supported");
	if (e->pcr >= TH_NR_PCRS)
		return bad(p, "PCR index out of range");
	data_len = get_unaligned_le32(p->hdr + HDR_FIXED + name_len);
	if (data_len > IMA_LOG_DATA_MAX)
		return bad(p, "template data length out of range");
	e->data_len = data_len;

	rc = p->ops->begin ? p->ops->begin(p->ctx, e) : 0;
	if (rc)
		return rc;
	p->in_data = true;
	p->data_left = data_len;
	if (!data_len)
		return entry_done(p);
	return 0;
}

/**
 * ima_log_feed() - parse the next piece of the log
 * @p: parser
 * @buf: bytes that follow the ones fed so far
 * @len: how many
 *
 * Calls the callbacks for every entry that @buf starts, continues or ends.
 *
 * Return: 0, -EBADMSG for a malformed log (p->msg says where and why), or
 * what a callback returned.
 */
int ima_log_feed(struct ima_log_parser *p, const u8 *buf, size_t len)
{
	int rc;

	while (len) {
		size_t n;

		if (p->in_data) {
			n = min_t(size_t, len, p->data_left);
			rc = p->ops->data ? p->ops->data(p->ctx, buf, n) : 0;
			if (rc)
				return rc;
			p->data_left -= n;
			p->offset += n;
			buf += n;
			len -= n;
			if (!p->data_left) {
				rc = entry_done(p);
				if (rc)
					return rc;
			}
			continue;
		}

		n = min_t(size_t, len, p->hdr_need - p->hdr_len);
		memcpy(p->hdr + p->hdr_len, buf, n);
		p->hdr_len += n;
		p->offset += n;
		buf += n;
		len -= n;
		if (p->hdr_len == p->hdr_need) {
			rc = header_step(p);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/**
 * ima_log_finish() - the log ended: check that it ended between entries
 * @p: parser
 *
 * Return: 0, or -EBADMSG if the last entry is truncated.
 */
int ima_log_finish(struct ima_log_parser *p)
{
	if (p->in_data || p->hdr_len)
		return bad(p, "truncated entry at the end of the log");
	return 0;
}
