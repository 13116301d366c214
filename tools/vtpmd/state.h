/* SPDX-License-Identifier: GPL-2.0-only */
/* vtpmd: libtpms state kept in a directory, written atomically. */
#ifndef VTPMD_STATE_H
#define VTPMD_STATE_H

#include <stddef.h>
#include <stdint.h>

int state_init(const char *dir);
/* Read blob @name into a malloc'd buffer.  Returns 0, -ENOENT, or -errno. */
int state_load(const char *name, unsigned char **data, uint32_t *len);
/* Replace blob @name: temp file, fsync, rename, fsync the directory. */
int state_store(const char *name, const unsigned char *data, uint32_t len);
int state_delete(const char *name);

#endif
