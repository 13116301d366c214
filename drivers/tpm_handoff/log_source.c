// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading IMA's binary measurement list from inside the kernel.
 *
 * The list is not exported to modules; its only interface is the
 * securityfs file binary_runtime_measurements.  In Linux 6.1 that file is
 * a seq_file with .read = seq_read and no .read_iter, so kernel_read()
 * refuses it.  The module therefore opens the file (which checks
 * permissions and gives it the file's seq_operations) and runs those
 * operations itself into a kernel buffer, the way seq_read() does into a
 * user buffer: start() at the current position, show() entries while they
 * fit, next(), stop().  A file with .read_iter (a plain copy of a log, for
 * instance) is read with kernel_read().
 *
 * Assumptions about kernel internals (checked by selftests/vm/handoff-*.sh,
 * which hand off a real IMA log, and by the seq_read check below):
 *  - a file whose f_op->read is seq_read has a struct seq_file in
 *    file->private_data (seq_open());
 *  - IMA's show() writes an entry with seq_putc()/seq_write(), so an entry
 *    that does not fit sets the overflow mark and can be retried.
 */
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "tpm_handoff_priv.h"

#define SRC_BUF_MIN	(16 * 1024)
#define SRC_BUF_MAX	(IMA_LOG_HDR_MAX + IMA_LOG_DATA_MAX)

/*
 * The callbacks of th_log_file_ops (struct th_log_ops says what each
 * does); @src is a struct th_log_source.
 */

static void file_close(void *src)
{
	struct th_log_source *s = src;

	kvfree(s->sf.buf);
	if (s->file)
		filp_close(s->file, NULL);
	memset(s, 0, sizeof(*s));
}

static int file_open(void *src, const char *path, char *err)
{
	struct th_log_source *s = src;
	struct file *f;

	memset(s, 0, sizeof(*s));
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f)) {
		snprintf(err, TH_ERRLEN,
			 "cannot open the IMA log %s (%ld): is securityfs mounted?",
			 path, PTR_ERR(f));
		return PTR_ERR(f);
	}
	s->file = f;
	if (f->f_op->read_iter)
		return 0;
	if (f->f_op->read != seq_read || !f->private_data) {
		snprintf(err, TH_ERRLEN,
			 "cannot read %s from the kernel: it is neither a seq_file nor readable with kernel_read()",
			 path);
		file_close(s);
		return -EINVAL;
	}
	s->seq = f->private_data;
	s->size = SRC_BUF_MIN;
	s->sf.buf = kvmalloc(s->size, GFP_KERNEL);
	if (!s->sf.buf) {
		snprintf(err, TH_ERRLEN, "out of memory");
		file_close(s);
		return -ENOMEM;
	}
	return 0;
}

static void file_rewind(void *src)
{
	struct th_log_source *s = src;

	s->pos = 0;
	s->index = 0;
	s->from = 0;
	s->sf.count = 0;
	s->eof = false;
}

/* The list only grows: the next read returns what IMA appended since. */
static void file_resume(void *src)
{
	struct th_log_source *s = src;

	s->eof = false;
}

/* The buffer only grows while the source is open. */
static size_t file_buffer_size(const void *src)
{
	const struct th_log_source *s = src;

	return s->seq ? s->size : 0;
}

/* Fill sf.buf with as many whole entries from s->index on as fit. */
static int seq_fill(struct th_log_source *s)
{
	const struct seq_operations *op = s->seq->op;
	struct seq_file *sf = &s->sf;
	loff_t pos = s->index;
	void *v;
	int rc = 0;

	sf->count = 0;
	sf->from = 0;
	sf->size = s->size;
	sf->file = s->file;
	sf->op = op;
	sf->private = s->seq->private;

	v = op->start(sf, &pos);
	while (v && !IS_ERR(v)) {
		size_t before = sf->count;

		rc = op->show(sf, v);
		if (rc < 0)
			break;
		if (seq_has_overflowed(sf)) {
			sf->count = before;
			if (before)
				break;		/* next time, first in the buffer */
			rc = -E2BIG;		/* one entry is bigger than all */
			break;
		}
		if (rc == SEQ_SKIP)
			sf->count = before;
		rc = 0;
		v = op->next(sf, v, &pos);
		s->index = pos;
		if (sf->count + IMA_LOG_HDR_MAX > sf->size)
			break;
	}
	op->stop(sf, v);
	if (IS_ERR(v))
		rc = PTR_ERR(v);
	if (!rc && !v && !sf->count)
		s->eof = true;
	return rc;
}

static int seq_grow(struct th_log_source *s)
{
	size_t size = s->size * 2;
	void *buf;

	if (size > SRC_BUF_MAX)
		return -E2BIG;
	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	kvfree(s->sf.buf);
	s->sf.buf = buf;
	s->size = size;
	return 0;
}

/**
 * file_read() - a th_read_fn over the measurement list
 * @src: the struct th_log_source
 * @buf: where to put the bytes
 * @len: at most this many
 *
 * Return: bytes read, 0 at the end of the list, or a negative errno.
 */
static ssize_t file_read(void *src, u8 *buf, size_t len)
{
	struct th_log_source *s = src;
	size_t n;
	int rc;

	if (!s->seq)
		return kernel_read(s->file, buf, len, &s->pos);

	while (s->from == s->sf.count) {
		if (s->eof)
			return 0;
		rc = seq_fill(s);
		while (rc == -E2BIG) {
			rc = seq_grow(s);
			if (!rc)
				rc = seq_fill(s);
		}
		if (rc)
			return rc;
		s->from = 0;
	}
	n = min(len, s->sf.count - s->from);
	memcpy(buf, s->sf.buf + s->from, n);
	s->from += n;
	return n;
}

/* IMA's binary_runtime_measurements, through the functions above. */
const struct th_log_ops th_log_file_ops = {
	.open = file_open,
	.close = file_close,
	.rewind = file_rewind,
	.resume = file_resume,
	.buffer_size = file_buffer_size,
	.read = file_read,
};
