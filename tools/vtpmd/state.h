/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vtpmd: libtpms state kept in a directory, written atomically, or in
 * memory until a directory is adopted (state.c).
 */
#ifndef VTPMD_STATE_H
#define VTPMD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* 0, or -EPERM with *why set: not a directory, not root's, others write. */
int state_check_dir(const struct stat *st, const char **why);
/*
 * Open (make, 0700, if need be) and check the state directory.  Returns 0,
 * -EPERM with *why set (see state_check_dir()), or -errno.
 */
int state_init(const char *dir, const char **why);
/*
 * Take the directory's lock for good.  Returns 0, -EBUSY with *holder set
 * to the pid written by the vtpmd that holds it (0 if unknown), or -errno.
 */
int state_lock(pid_t *holder);
/* Read blob @name into a malloc'd buffer.  Returns 0, -ENOENT, or -errno. */
int state_load(const char *name, unsigned char **data, uint32_t *len);
/* Replace blob @name: temp file, fsync, rename, fsync the directory. */
int state_store(const char *name, const unsigned char *data, uint32_t len);
int state_delete(const char *name);
/*
 * Keep the blobs in memory from now on (--state-later), forgetting any
 * directory; state_load(), state_store() and state_delete() reach them.
 */
void state_memory(void);
bool state_in_memory(void);
/*
 * Write the blobs kept in memory into @dir and keep them there from now on,
 * if @dir passes state_init()'s checks, its lock is free and it holds no
 * permall or the same one.  Returns 0, or -errno with the reason (a
 * phrase) in @why; the blobs then stay in memory.  -EEXIST: @dir holds a
 * different TPM's state.
 */
int state_adopt(const char *dir, char *why, size_t size);

#endif
