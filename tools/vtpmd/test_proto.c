// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of vtpmd's own logic: shared-page request checks, error
 * responses, localities, the PCR bank and startup commands, the state
 * directory (its checks, the atomic store, a failing fsync), the memory
 * state and its adoption (--state-later), the resume record, and the clean
 * stop and start through libtpms itself (tpm.c: the PCRs kept, a refused
 * record).  TAP output; run as root (the state directory must be root's).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>
#include <openssl/evp.h>

#include "proto.h"
#include "resume.h"
#include "state.h"
#include "vtpmd.h"

/* What tpm.c takes from vtpmd.c. */
struct vtpmd d;

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("vtpmd: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	_exit(99);
}

static int n, failed;

/*
 * fsync() as state.c sees it: the C library's, unless a test makes the
 * next one fail (this definition takes precedence over the library's in
 * this program).
 */
static int fail_fsync;

int fsync(int fd)
{
	static int (*real)(int);

	if (fail_fsync) {
		fail_fsync--;
		if (!fail_fsync) {
			errno = EIO;
			return -1;
		}
	}
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return real(fd);
}

static void ok(int cond, const char *name)
{
	n++;
	if (!cond)
		failed++;
	printf("%sok %d %s\n", cond ? "" : "not ", n, name);
}

static void page_with(uint8_t *page, uint32_t len, uint8_t nr_extra)
{
	memset(page, 0, 4096);
	put_le32(page + SHR_LENGTH, len);
	page[SHR_STATE] = VTPM_STATE_SUBMIT;
	page[SHR_NR_EXTRA] = nr_extra;
}

static void path(char *buf, size_t sz, const char *dir, const char *name)
{
	snprintf(buf, sz, "%s/%s", dir, name);
}

/* The directory's checks, links, a failing fsync, the lock. */
static void test_state_safety(const char *dir)
{
	char p[256], q[256], other[] = "/tmp/vtpmd-test-other.XXXXXX";
	const char *why = NULL;
	unsigned char *data;
	uint32_t dlen;
	pid_t holder;
	int fd;

	if (!mkdtemp(other))
		exit(1);
	chmod(other, 0770);
	ok(state_init(other, &why) == -EPERM && why && strstr(why, "writable"),
	   "a state directory others can write is refused");
	chmod(other, 0700);
	if (chown(other, 65534, 65534) == 0)
		ok(state_init(other, &why) == -EPERM && strstr(why, "not owned by root"),
		   "a state directory root does not own is refused");
	else
		ok(0, "chown (run as root)");
	path(p, sizeof(p), other, "link");
	symlink(dir, p);
	ok(state_init(p, &why) == -EPERM && strstr(why, "symbolic link"),
	   "a symbolic link to a state directory is refused");
	unlink(p);
	rmdir(other);

	ok(state_init(dir, &why) == 0, "back to the good directory");
	/* A blob that is a link to a file elsewhere is not followed. */
	path(p, sizeof(p), dir, "permall");
	symlink("/etc/hostname", p);
	ok(state_load("permall", &data, &dlen) == -ELOOP,
	   "a state file that is a symbolic link is not read (ELOOP)");
	ok(state_store("permall", (const unsigned char *)"new", 3) == 0 &&
	   state_load("permall", &data, &dlen) == 0 && dlen == 3,
	   "a store replaces the link with a file");
	free(data);
	/* A temporary file planted as a link is not written through. */
	path(q, sizeof(q), dir, ".tmp.volatilestate");
	symlink("/tmp/vtpmd-test-victim", q);
	unlink("/tmp/vtpmd-test-victim");
	ok(state_store("volatilestate", (const unsigned char *)"v", 1) == 0 &&
	   access("/tmp/vtpmd-test-victim", F_OK) != 0,
	   "a link at the temporary name is not written through");

	/* Every fsync is checked; the old blob survives a failing one. */
	fail_fsync = 1;
	ok(state_store("permall", (const unsigned char *)"torn", 4) == -EIO,
	   "a failing fsync of the file fails the store");
	ok(state_load("permall", &data, &dlen) == 0 && dlen == 3 &&
	   !memcmp(data, "new", 3), "and leaves the old blob");
	free(data);
	fail_fsync = 2;
	ok(state_store("permall", (const unsigned char *)"late", 4) == -EIO,
	   "a failing fsync of the directory fails the store");
	fail_fsync = 0;

	/* One vtpmd per directory. */
	ok(state_lock(&holder) == 0, "the state directory's lock");
	fd = open(dir, O_RDONLY);
	ok(state_init(dir, &why) == 0 && state_lock(&holder) == -EBUSY &&
	   holder == getpid(), "a second lock is refused, naming the holder");
	close(fd);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	if (system(p))
		ok(0, "cleanup");
}

static void test_localities(void)
{
	unsigned int m = 0;

	ok(parse_localities("0", &m) == 0 && m == 1, "localities \"0\"");
	ok(parse_localities("0,2-3", &m) == 0 && m == 0xd, "localities \"0,2-3\"");
	ok(parse_localities("5", &m) < 0 && parse_localities("1,", &m) < 0 &&
	   parse_localities("3-1", &m) < 0 && parse_localities("", &m) < 0 &&
	   parse_localities("x", &m) < 0, "bad locality lists are refused");
	ok(locality_allowed(0, 1) && !locality_allowed(3, 1) &&
	   locality_allowed(3, 0x8) && !locality_allowed(200, 0xff),
	   "a request's locality is checked against the mask");
}

static void test_banks(void)
{
	static const uint8_t cap[] = {
		0x80, 0x01, 0, 0, 0, 22, 0, 0, 0x01, 0x7a,
		0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	uint8_t rsp[64] = {
		0x80, 0x01, 0, 0, 0, 37, 0, 0, 0, 0,	/* header, 37 bytes */
		0,					/* moreData */
		0, 0, 0, 5,				/* TPM_CAP_PCRS */
		0, 0, 0, 3,
		0, 4, 3, 0xff, 0xff, 0xff,		/* sha1: allocated */
		0, 0x0b, 3, 0, 0, 0,			/* sha256: not */
		0, 0x0c, 3, 0xff, 0, 0,			/* sha384: some */
	};
	uint8_t buf[256];
	struct pcr_banks b, want;

	ok(pcrs_cap_cmd(buf) == sizeof(cap) && !memcmp(buf, cap, sizeof(cap)),
	   "GetCapability(PCRS): the exact bytes");
	ok(pcrs_cap_rsp(rsp, 37, &b) == 0 && b.nr == 3 && b.alg[1] == 0x0b &&
	   b.active[0] && !b.active[1] && b.active[2],
	   "GetCapability(PCRS) response: banks and which are allocated");
	ok(pcrs_cap_rsp(rsp, 36, &b) < 0, "a response whose length differs is malformed");
	rsp[5] = 36;
	ok(pcrs_cap_rsp(rsp, 36, &b) < 0, "a selection cut short is malformed");
	put_be32(rsp + 6, 0x101);
	rsp[5] = 10;
	ok(pcrs_cap_rsp(rsp, 10, &b) == 0x101, "a TPM error is returned as it is");
	ok(parse_pcr_banks("sha1,sha256", &want) == 0 && want.nr == 2 &&
	   want.alg[0] == 4 && want.alg[1] == 0x0b, "--pcr-banks sha1,sha256");
	ok(parse_pcr_banks("sha1,sha1", &want) < 0 &&
	   parse_pcr_banks("md5", &want) < 0 && parse_pcr_banks("", &want) < 0 &&
	   parse_pcr_banks("sha1,", &want) < 0, "bad bank lists are refused");
	parse_pcr_banks("sha256", &want);
	pcrs_cap_rsp((const uint8_t[]){ 0x80, 0x01, 0, 0, 0, 31, 0, 0, 0, 0, 0,
			0, 0, 0, 5, 0, 0, 0, 2, 0, 4, 3, 0xff, 0xff, 0xff,
			0, 0x0b, 3, 0, 0, 0 }, 31, &b);
	ok(pcr_allocate_cmd(buf, &b, &want) == 10 + 4 + 4 + 9 + 4 + 12 &&
	   get_be32(buf + 2) == 43 && get_be32(buf + 6) == 0x12b &&
	   get_be32(buf + 10) == 0x4000000c && get_be32(buf + 18) == 0x40000009 &&
	   get_be32(buf + 27) == 2 && get_be16(buf + 31) == 4 && buf[33] == 3 &&
	   buf[34] == 0 && buf[36] == 0 && get_be16(buf + 37) == 0x0b &&
	   buf[39] == 3 && buf[40] == 0xff && buf[42] == 0xff,
	   "PCR_Allocate: sha1 off, sha256 on, all 24 PCRs, platform auth");
}

static void test_startup_cmds(void)
{
	static const uint8_t su2s[] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 1 };
	static const uint8_t su1c[] = { 0x00, 0xc1, 0, 0, 0, 12, 0, 0, 0, 0x99, 0, 1 };
	static const uint8_t su1s[] = { 0x00, 0xc1, 0, 0, 0, 12, 0, 0, 0, 0x99, 0, 2 };
	static const uint8_t sd2s[] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x45, 0, 1 };
	static const uint8_t ss1[] = { 0x00, 0xc1, 0, 0, 0, 10, 0, 0, 0, 0x98 };
	uint8_t buf[16], rsp[10] = { 0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0xc4 };

	ok(startup_cmd(buf, 1, 0) == 12 && get_be16(buf + 10) == 0 &&
	   !memcmp(buf, su2s, 10) && startup_cmd(buf, 1, 1) == 12 &&
	   !memcmp(buf, su2s, 12) && startup_cmd(buf, 0, 0) == 12 &&
	   !memcmp(buf, su1c, 12) && startup_cmd(buf, 0, 1) == 12 &&
	   !memcmp(buf, su1s, 12),
	   "Startup(CLEAR), Startup(STATE): the exact bytes, TPM 2.0 and 1.2");
	ok(save_state_cmd(buf, 1) == 12 && !memcmp(buf, sd2s, 12) &&
	   save_state_cmd(buf, 0) == 10 && !memcmp(buf, ss1, 10),
	   "TPM2_Shutdown(STATE), TPM_SaveState: the exact bytes");
	ok(rsp_code(rsp, 10) == 0x1c4 && rsp_code(rsp, 9) == -1 &&
	   rsp_code(rsp, 0) == -1 && (rsp[5] = 11, rsp_code(rsp, 10) == -1),
	   "a response's code; a short or mis-sized response is none");
}

/* resume.c: the record built, and refused for each kind of damage. */
static void test_resume(void)
{
	static const uint8_t perm[] = "permall of TPM A", other[] = "permall of TPM B";
	static const uint8_t save[] = "savestate of TPM A";
	static const char boot[] = "67cb2bbd-a53a-4ce4-9654-a4d5e526d9c2";
	struct resume_state s2 = {
		.tpm2 = 1, .boot = boot, .domid = 0, .handle = 0,
		.permall = perm, .permall_len = sizeof(perm),
	};
	struct resume_state s1 = {
		.tpm2 = 0, .boot = boot, .domid = 7, .handle = 1,
		.permall = perm, .permall_len = sizeof(perm),
		.savestate = save, .savestate_len = sizeof(save),
	};
	struct resume_state b;
	char rec2[RESUME_MAX], rec1[RESUME_MAX], bad[RESUME_MAX + 16], *p;
	const char *why, *reasons[24];
	size_t len2, len1, nr = 0, cut;
	int all_cut = 1, distinct = 1;

	len2 = resume_build(rec2, sizeof(rec2), &s2, &why);
	len1 = resume_build(rec1, sizeof(rec1), &s1, &why);
	ok(len2 && !resume_verify(rec2, len2, &s2) && len1 &&
	   !resume_verify(rec1, len1, &s1) && len1 < RESUME_MAX,
	   "a resume record is accepted for the state it was built for (2.0, 1.2)");
	ok(!strncmp(rec1, "vtpmd-resume 1\nfamily 1.2\nboot 67cb2bbd-", 40) &&
	   strstr(rec1, "\ndevice 7 1\npermall ") && strstr(rec1, "\nsavestate ") &&
	   !strstr(rec2, "savestate") && strstr(rec2, "\ncheck ") &&
	   rec2[len2 - 1] == '\n',
	   "the record: magic, family, boot, device, permall (savestate for 1.2), check");
	b = s1;
	b.savestate = NULL;
	ok(resume_build(rec1, sizeof(rec1), &b, &why) == 0 && why &&
	   (b = s2, b.boot = "", resume_build(rec1, sizeof(rec1), &b, &why) == 0),
	   "no record is built for a TPM 1.2 without a savestate, or without a boot id");
	len1 = resume_build(rec1, sizeof(rec1), &s1, &why);

#define REFUSED(rec, len, st, want, name) do {				\
		why = resume_verify(rec, len, st);			\
		ok(why && strstr(why, want), name);			\
		if (why && nr < 24)					\
			reasons[nr++] = why;				\
	} while (0)
#define DAMAGE(rec, len, key, off, c) do {				\
		memcpy(bad, rec, len);					\
		p = strstr(bad, key);					\
		p[off] = c;						\
	} while (0)

	DAMAGE(rec2, len2, "vtpmd", 0, 'V');
	REFUSED(bad, len2, &s2, "not a vtpmd resume record",
		"a damaged magic line is refused");
	DAMAGE(rec2, len2, "vtpmd", 13, '2');
	REFUSED(bad, len2, &s2, "another version",
		"a record of another version is refused");
	DAMAGE(rec2, len2, "family 2.0", 9, '1');
	REFUSED(bad, len2, &s2, "family line", "a damaged family line is refused");
	DAMAGE(rec2, len2, "boot ", 7, 'X');
	REFUSED(bad, len2, &s2, "boot line", "a damaged boot line is refused");
	DAMAGE(rec2, len2, "device ", 7, 'x');
	REFUSED(bad, len2, &s2, "device line", "a damaged device line is refused");
	DAMAGE(rec2, len2, "permall ", 13, 'G');
	REFUSED(bad, len2, &s2, "permall line", "a damaged permall line is refused");
	DAMAGE(rec1, len1, "savestate ", 4, 'S');
	REFUSED(bad, len1, &s1, "savestate line",
		"a damaged savestate line is refused");
	DAMAGE(rec2, len2, "check ", 9, 'Z');
	REFUSED(bad, len2, &s2, "check line", "a damaged check line is refused");
	DAMAGE(rec2, len2, "permall ", 8, '0');
	if (!memcmp(bad, rec2, len2))
		p[8] = '1';			/* it was a '0': still hex */
	REFUSED(bad, len2, &s2, "checksum",
		"a changed digest (still hex) is refused by the record's checksum");
	for (cut = 0; cut < len1; cut++) {
		why = resume_verify(rec1, cut, &s1);
		all_cut &= why && strstr(why, "cut short");
	}
	ok(all_cut, "a record cut short anywhere is refused");
	reasons[nr++] = resume_verify(rec1, len1 - 1, &s1);
	memcpy(bad, rec2, len2);
	memcpy(bad + len2, "x\n", 2);
	REFUSED(bad, len2 + 2, &s2, "trailing data",
		"trailing data after the record is refused");
	b = s2;
	b.tpm2 = 0;
	b.savestate = save;
	b.savestate_len = sizeof(save);
	REFUSED(rec2, len2, &b, "TPM 2.0's",
		"a TPM 2.0's record is refused by a TPM 1.2");
	REFUSED(rec1, len1, &s2, "TPM 1.2's",
		"a TPM 1.2's record is refused by a TPM 2.0");
	b = s2;
	b.boot = "0e8fc5c5-3a4e-4c4d-9a36-0d6d5d0b8e0f";
	REFUSED(rec2, len2, &b, "another boot of this host",
		"a record of another boot of the host is refused (PCRs do not outlive a reboot)");
	b = s2;
	b.domid = 5;
	REFUSED(rec2, len2, &b, "another device",
		"a record of another domain is refused");
	b = s2;
	b.permall = other;
	b.permall_len = sizeof(other);
	REFUSED(rec2, len2, &b, "permall beside it",
		"a record is refused beside another TPM's permall");
	b.permall = NULL;
	REFUSED(rec2, len2, &b, "no permall", "a record without a permall is refused");
	b = s1;
	b.savestate = NULL;
	REFUSED(rec1, len1, &b, "savestate it names is missing",
		"a TPM 1.2's record is refused if the savestate is missing");
	b.savestate = other;
	b.savestate_len = sizeof(other);
	REFUSED(rec1, len1, &b, "savestate beside it",
		"a TPM 1.2's record is refused beside another savestate");
	for (size_t i = 0; i < nr; i++)
		for (size_t k = i + 1; k < nr; k++)
			distinct &= strcmp(reasons[i], reasons[k]) != 0;
	ok(nr == 19 && distinct, "each refusal has a reason of its own");
#undef DAMAGE
#undef REFUSED
}

static int file_is(const char *dir, const char *name, const char *want)
{
	char p[512], buf[64] = "";
	int fd;
	ssize_t n;

	path(p, sizeof(p), dir, name);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return want == NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return want && n == (ssize_t)strlen(want) && !memcmp(buf, want, n);
}

static int exists(const char *dir, const char *name)
{
	char p[512];

	path(p, sizeof(p), dir, name);
	return access(p, F_OK) == 0;
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	int fd;

	path(p, sizeof(p), dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ok(0, "writing a test file");
	close(fd);
}

static void rm_rf(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		ok(0, "cleanup");
}

/* Blobs as libtpms stores them, into the memory state. */
static void mem_state(const char *permall)
{
	state_memory();
	state_store("permall", (const unsigned char *)permall, strlen(permall));
	state_store("volatilestate", (const unsigned char *)"vol", 3);
}

/* state.c's memory state and state_adopt(), against temporary directories. */
static void test_adopt(void)
{
	char parent[] = "/tmp/vtpmd-test-adopt.XXXXXX", dir[256], why[512];
	char lock[300];
	unsigned char *data = NULL;
	uint32_t len;
	pid_t holder;
	int fd, rc;

	if (!mkdtemp(parent))
		exit(1);
	chmod(parent, 0755);
	path(dir, sizeof(dir), parent, "state");
	path(lock, sizeof(lock), dir, ".lock");

	mem_state("A");
	ok(state_in_memory() && state_load("permall", &data, &len) == 0 &&
	   len == 1 && data[0] == 'A' && access(dir, F_OK) != 0,
	   "memory state: a stored blob is loaded back, no directory made");
	free(data);
	ok(state_store("savestate", (const unsigned char *)"s", 1) == 0 &&
	   state_delete("savestate") == 0 && state_delete("savestate") == -ENOENT &&
	   state_load("savestate", &data, &len) == -ENOENT &&
	   state_store("../x", (const unsigned char *)"x", 1) == -EINVAL,
	   "memory state: delete, then -ENOENT; path-like names refused");

	/* A directory that does not exist yet: made 0700, blobs written. */
	{
		struct stat st;

		rc = state_adopt(dir, why, sizeof(why));
		ok(rc == 0 && !state_in_memory() && stat(dir, &st) == 0 &&
		   (st.st_mode & 07777) == 0700 && file_is(dir, "permall", "A") &&
		   file_is(dir, "volatilestate", "vol"),
		   "adopting a new directory: made 0700, every blob written");
	}
	ok(state_store("permall", (const unsigned char *)"A2", 2) == 0 &&
	   file_is(dir, "permall", "A2"),
	   "once adopted, a store goes to the directory");
	ok(state_adopt(dir, why, sizeof(why)) == -EALREADY,
	   "a second adoption is refused: the state is in a directory already");
	fd = open(lock, O_RDWR);
	ok(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0,
	   "the adopted directory is locked");
	close(fd);

	/* The same permall: adopted; our stale blobs there are removed. */
	mem_state("A2");	/* forgets the directory, unlocking it */
	put_file(dir, "resume", "stale");
	put_file(dir, "savestate", "stale");
	put_file(dir, "other", "kept");
	ok(state_adopt(dir, why, sizeof(why)) == 0 && !state_in_memory() &&
	   file_is(dir, "volatilestate", "vol") && !exists(dir, "resume") &&
	   !exists(dir, "savestate") && file_is(dir, "other", "kept"),
	   "a directory holding the same permall is adopted, stale blobs removed");

	/* Another TPM's permall: refused, nothing touched, still in memory. */
	mem_state("B");
	put_file(dir, "volatilestate", "theirs");
	rc = state_adopt(dir, why, sizeof(why));
	ok(rc == -EEXIST && !strcmp(why, "it holds a different TPM's state") &&
	   state_in_memory() && file_is(dir, "permall", "A2") &&
	   file_is(dir, "volatilestate", "theirs"),
	   "a directory holding a different permall is refused, nothing written");
	ok(state_store("permall", (const unsigned char *)"B2", 2) == 0 &&
	   file_is(dir, "permall", "A2") &&
	   state_load("permall", &data, &len) == 0 && len == 2,
	   "after the refusal the state is still kept in memory");
	free(data);
	{
		const char *w;

		ok(state_init(dir, &w) == 0 && state_lock(&holder) == 0,
		   "a refused directory is not left locked");
	}
	mem_state("B");

	/* Directories that fail the checks. */
	chmod(dir, 0770);
	rc = state_adopt(dir, why, sizeof(why));
	ok(rc == -EPERM && strstr(why, "writable by others") && state_in_memory(),
	   "a directory others can write is refused, still in memory");
	chmod(dir, 0700);
	if (chown(dir, 65534, 65534) == 0) {
		rc = state_adopt(dir, why, sizeof(why));
		ok(rc == -EPERM && strstr(why, "not owned by root") && state_in_memory(),
		   "a directory root does not own is refused");
		chown(dir, 0, 0);
	} else {
		ok(0, "chown (run as root)");
	}
	{
		char link[256];

		path(link, sizeof(link), parent, "link");
		symlink(dir, link);
		rc = state_adopt(link, why, sizeof(why));
		ok(rc == -EPERM && strstr(why, "symbolic link") && state_in_memory(),
		   "a symbolic link to a directory is refused");
		unlink(link);
	}

	/* Locked by another vtpmd. */
	fd = open(lock, O_RDWR);
	flock(fd, LOCK_EX);
	rc = state_adopt(dir, why, sizeof(why));
	ok(rc == -EBUSY && strstr(why, "in use by another vtpmd") && state_in_memory(),
	   "a directory another vtpmd holds is refused");
	close(fd);

	/* A failing store: refused, in memory; the next SIGHUP succeeds. */
	rm_rf(dir);
	mem_state("C");
	fail_fsync = 1;
	rc = state_adopt(dir, why, sizeof(why));
	ok(rc == -EIO && strstr(why, "cannot write") && state_in_memory(),
	   "a failing store refuses the adoption, still in memory");
	fail_fsync = 0;
	ok(state_adopt(dir, why, sizeof(why)) == 0 && file_is(dir, "permall", "C"),
	   "and the next attempt adopts the directory");
	state_memory();
	rm_rf(parent);
}

/*
 * vtpmd has no capability left when it adopts (daemon.c): uid 0 with the
 * permissions of an owner.  Enough under a parent root owns and may write;
 * not under another owner's.
 */
static void test_adopt_no_caps(void)
{
	char root[] = "/tmp/vtpmd-test-caps.XXXXXX";
	char other[] = "/tmp/vtpmd-test-caps.XXXXXX", dir[256], why[512];
	int status = -1;
	pid_t pid;

	if (!mkdtemp(root) || !mkdtemp(other))
		exit(1);
	chmod(root, 0755);
	chmod(other, 0755);
	if (chown(other, 65534, 65534))
		ok(0, "chown (run as root)");
	fflush(stdout);		/* or the child prints our lines again */
	pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct none[2] = { { 0 } };
		int good, bad;

		if (syscall(SYS_capset, &h, none)) {
			printf("# capset: %s\n", strerror(errno));
			fflush(stdout);
			_exit(2);
		}
		mem_state("D");
		path(dir, sizeof(dir), root, "state");
		good = state_adopt(dir, why, sizeof(why)) == 0 &&
		       file_is(dir, "permall", "D");
		if (!good)
			printf("# under a root-owned 0755 parent: %s\n", why);
		/* Another owner's parent: no way in without CAP_DAC_OVERRIDE. */
		mem_state("D");
		path(dir, sizeof(dir), other, "state");
		bad = state_adopt(dir, why, sizeof(why)) == -EACCES &&
		      state_in_memory();
		if (!bad)
			printf("# under another owner's parent: %s\n", why);
		fflush(stdout);
		_exit(good && bad ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "without capabilities: adopting works under a root-owned 0755 parent, not under another owner's");
	rm_rf(root);
	rm_rf(other);
}

/*
 * The clean stop and start through libtpms (tpm.c), each vtpmd in a child
 * process (libtpms is one TPM per process), its output kept in @out.
 */
static char out[8192];

struct run {
	int tpm2;
	const char *dir;
	int later;		/* --state-later */
	const char *banks;	/* --pcr-banks */
	int extend;		/* extend PCRs 0 and 16 before the stop */
	const char *adopt;	/* state_adopt() this before the stop */
	int crash;		/* no stop at all */
	int gone;		/* stopped as the frontend went away */
};

/**
 * struct probe - the vTPM as a child found it once started
 * @record_gone: no resume record is left
 * @rc: the PCR read's response code
 * @pcr0: PCR 0 (TPM 2.0: sha256; TPM 1.2: sha1)
 * @pcr16: PCR 16
 * @reset: TPM 2.0 resetCount
 * @restart: TPM 2.0 restartCount
 */
struct probe {
	int record_gone;
	long rc;
	uint8_t pcr0[32], pcr16[32];
	uint32_t reset, restart;
};

static size_t vtpm_cmd(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	unsigned char *r = NULL, in[4096];
	uint32_t rlen = 0, rtotal = 0;

	memcpy(in, cmd, len);
	d.locality = 0;
	if (TPMLIB_Process(&r, &rlen, &rtotal, in, len) != TPM_SUCCESS ||
	    rlen > 4096)
		rlen = 0;
	if (rlen)
		memcpy(rsp, r, rlen);
	TPM_Free(r);
	return rlen;
}

static void vtpm_probe(struct probe *p)
{
	static const uint8_t read2[] = {
		0x80, 0x01, 0, 0, 0, 20, 0, 0, 0x01, 0x7e,
		0, 0, 0, 1, 0, 0x0b, 3, 0x01, 0, 0x01,	/* sha256: 0, 16 */
	};
	static const uint8_t clock2[] = { 0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x81 };
	uint8_t read1[14] = { 0x00, 0xc1, 0, 0, 0, 14, 0, 0, 0, 0x15, 0, 0, 0, 0 };
	uint8_t rsp[4096];
	size_t len;

	if (d.tpm2) {
		len = vtpm_cmd(read2, sizeof(read2), rsp);
		p->rc = rsp_code(rsp, len);
		/* 2 digests of 32 bytes after the counter and the selection */
		if (p->rc == 0 && len == 96 && get_be32(rsp + 24) == 2) {
			memcpy(p->pcr0, rsp + 30, 32);
			memcpy(p->pcr16, rsp + 64, 32);
		} else if (p->rc == 0) {
			p->rc = -2;
		}
		len = vtpm_cmd(clock2, sizeof(clock2), rsp);
		if (rsp_code(rsp, len) == 0 && len == 35) {
			p->reset = get_be32(rsp + 26);
			p->restart = get_be32(rsp + 30);
		}
		return;
	}
	len = vtpm_cmd(read1, sizeof(read1), rsp);
	p->rc = rsp_code(rsp, len);
	if (p->rc == 0 && len == 30)
		memcpy(p->pcr0, rsp + 10, 20);
	read1[13] = 16;
	len = vtpm_cmd(read1, sizeof(read1), rsp);
	if (rsp_code(rsp, len) == 0 && len == 30)
		memcpy(p->pcr16, rsp + 10, 20);
}

/* Extend PCR @pcr with a digest of 0xab bytes. */
static void vtpm_extend(uint32_t pcr)
{
	uint8_t cmd[128] = { 0 }, rsp[4096];
	size_t len;

	if (d.tpm2) {
		put_be16(cmd, 0x8002);
		put_be32(cmd + 2, 65);
		put_be32(cmd + 6, 0x182);
		put_be32(cmd + 10, pcr);
		put_be32(cmd + 14, 9);
		put_be32(cmd + 18, 0x40000009);	/* password session */
		put_be32(cmd + 27, 1);
		put_be16(cmd + 31, 0x0b);
		memset(cmd + 33, 0xab, 32);
		len = vtpm_cmd(cmd, 65, rsp);
	} else {
		put_be16(cmd, 0x00c1);
		put_be32(cmd + 2, 34);
		put_be32(cmd + 6, 0x14);
		put_be32(cmd + 10, pcr);
		memset(cmd + 14, 0xab, 20);
		len = vtpm_cmd(cmd, 34, rsp);
	}
	if (rsp_code(rsp, len))
		printf("test: extending PCR %u failed\n", pcr);
}

/* PCR 0 as one extend leaves it: H(zeros | 0xab...). */
static void extended(int tpm2, uint8_t *md)
{
	uint8_t buf[64];
	size_t n = tpm2 ? 32 : 20;
	unsigned int mdlen;

	memset(buf, 0, n);
	memset(buf + n, 0xab, n);
	EVP_Digest(buf, 2 * n, md, &mdlen, tpm2 ? EVP_sha256() : EVP_sha1(),
		   NULL);
}

static int is_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static int run_vtpm(const struct run *r, struct probe *pr)
{
	char outpath[] = "/tmp/vtpmd-test-out.XXXXXX";
	int fds[2], ofd = mkstemp(outpath), status = -1;
	ssize_t n, got, pn;
	pid_t pid;

	memset(pr, 0, sizeof(*pr));
	if (ofd < 0 || pipe(fds))
		exit(1);
	fflush(stdout);		/* or the child writes our lines again */
	pid = fork();
	if (pid == 0) {
		static const uint8_t shutdown_clear[] = {
			0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x45, 0, 0,
		};
		struct probe p = { 0 };
		unsigned char *data;
		uint32_t len;
		uint8_t rsp[4096];
		char why[512];

		close(fds[0]);
		dup2(ofd, 1);
		dup2(ofd, 2);
		memset(&d, 0, sizeof(d));
		d.tpm2 = r->tpm2;
		d.localities = 1;
		if (r->banks)
			parse_pcr_banks(r->banks, &d.banks);
		tpm_start(r->dir, r->later);
		p.record_gone = state_load(RESUME_NAME, &data, &len) == -ENOENT;
		vtpm_probe(&p);
		if (r->extend) {
			vtpm_extend(0);
			vtpm_extend(16);
		}
		if (r->adopt && state_adopt(r->adopt, why, sizeof(why)))
			printf("test: adopting %s: %s\n", r->adopt, why);
		if (r->crash)
			_exit(write(fds[1], &p, sizeof(p)) == sizeof(p) ? 0 : 1);
		/* What the frontend sends as its device closes. */
		if (r->tpm2 && vtpm_cmd(shutdown_clear, 12, rsp) != 10)
			printf("test: TPM2_Shutdown(CLEAR) failed\n");
		tpm_stop(!r->gone);
		fflush(stdout);
		_exit(write(fds[1], &p, sizeof(p)) == sizeof(p) ? 0 : 1);
	}
	close(fds[1]);
	pn = read(fds[0], pr, sizeof(*pr));
	close(fds[0]);
	waitpid(pid, &status, 0);
	for (got = 0; got < (ssize_t)sizeof(out) - 1; got += n) {
		n = pread(ofd, out + got, sizeof(out) - 1 - got, got);
		if (n <= 0)
			break;
	}
	out[got] = '\0';
	close(ofd);
	unlink(outpath);
	if (!WIFEXITED(status) || WEXITSTATUS(status) ||
	    pn != (ssize_t)sizeof(*pr)) {
		printf("# the vtpmd child failed; its output:\n%s", out);
		return 0;
	}
	return 1;
}

#define RESUMED "vtpmd: resumed the state saved at the last clean stop (PCRs kept)\n"

/*
 * Write a resume record, good but for its @boot (NULL: this one's), for the
 * blobs in @dir as they are now.
 */
static void forge_record(const char *dir, int tpm2, const char *boot)
{
	struct resume_state b = { .tpm2 = tpm2, .boot = boot };
	unsigned char *perm = NULL, *save = NULL;
	uint32_t plen = 0, slen = 0;
	const char *why;
	char rec[RESUME_MAX], now[RESUME_BOOT_MAX + 2] = "";
	size_t len;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (!f || !fgets(now, sizeof(now), f))
		ok(0, "reading this boot's id");
	if (f)
		fclose(f);
	now[strcspn(now, "\n")] = '\0';
	if (!boot)
		b.boot = now;
	state_init(dir, &why);
	state_load("permall", &perm, &plen);
	if (!tpm2)
		state_load("savestate", &save, &slen);
	b.permall = perm;
	b.permall_len = plen;
	b.savestate = save;
	b.savestate_len = slen;
	len = resume_build(rec, sizeof(rec), &b, &why);
	if (!len || state_store(RESUME_NAME, (unsigned char *)rec, len))
		ok(0, "forging a resume record");
	free(perm);
	free(save);
	state_memory();		/* lets go of the directory */
}

static void copy_file(const char *dir, const char *from, const char *to)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp %s/%s %s/%s", dir, from, dir, to);
	if (system(cmd))
		ok(0, "copying a test file");
}

/* TPM 2.0: the PCRs kept across a clean restart, and each refusal. */
static void test_restart_tpm2(const char *base)
{
	char dir[256], msg[512];
	struct run r = { .tpm2 = 1, .extend = 1 };
	struct probe first, p;
	uint8_t pcr[32];

	extended(1, pcr);
	path(dir, sizeof(dir), base, "tpm2");
	r.dir = dir;
	ok(run_vtpm(&r, &first) && first.rc == 0 && is_zero(first.pcr0, 32) &&
	   !strstr(out, "resumed") && !strstr(out, "refusing") &&
	   strstr(out, "vtpmd: state saved in ") && exists(dir, "permall"),
	   "TPM 2.0: a first start is clean; the clean stop saves the state");
	{
		unsigned char *rec;
		uint32_t len;
		const char *why;

		state_init(dir, &why);
		ok(state_load(RESUME_NAME, &rec, &len) == 0 &&
		   !strncmp((char *)rec, "vtpmd-resume 1\nfamily 2.0\n", 26),
		   "the clean stop wrote a TPM 2.0 resume record");
		free(rec);
		state_memory();
	}
	r.extend = 0;
	ok(run_vtpm(&r, &p) && strstr(out, RESUMED) && p.record_gone &&
	   !memcmp(p.pcr0, pcr, 32) && is_zero(p.pcr16, 32),
	   "the next start resumes: PCR 0 kept, PCR 16 (no pcrSave) reset, record deleted");
	ok(p.restart == first.restart + 1 && p.reset == first.reset,
	   "resumed: restartCount + 1, resetCount unchanged");

	/* A crash after a resume: the record was good for one start. */
	r.crash = 1;
	ok(run_vtpm(&r, &p) && strstr(out, RESUMED) && !memcmp(p.pcr0, pcr, 32),
	   "resumed again after a clean stop");
	r.crash = 0;
	r.extend = 1;
	ok(run_vtpm(&r, &p) && !strstr(out, "resumed") &&
	   !strstr(out, "refusing") && is_zero(p.pcr0, 32),
	   "after a crash the next start is clean (no record to resume)");

	/* A damaged record: a digit of its permall digest made no digit. */
	{
		char rp[512], rec[RESUME_MAX + 1] = "", *at;
		ssize_t len;
		int fd;

		path(rp, sizeof(rp), dir, RESUME_NAME);
		fd = open(rp, O_RDWR);
		len = read(fd, rec, RESUME_MAX);
		at = len > 0 ? strstr(rec, "\npermall ") : NULL;
		if (!at || pwrite(fd, "X", 1, at - rec + 12) != 1)
			ok(0, "damaging the record");
		close(fd);
	}
	snprintf(msg, sizeof(msg), "vtpmd: refusing the saved state in %s: the record's permall line is damaged; starting clean (the PCRs are reset)\n",
		 dir);
	ok(run_vtpm(&r, &p) && strstr(out, msg) && !strstr(out, "resumed") &&
	   p.record_gone && p.rc == 0 && is_zero(p.pcr0, 32),
	   "a damaged record is refused, said on stderr, deleted: a clean start");

	/* A record beside another permall (an old record put back). */
	copy_file(dir, RESUME_NAME, "old-resume");
	ok(run_vtpm(&r, &p) && strstr(out, RESUMED), "resumed once more");
	copy_file(dir, "old-resume", RESUME_NAME);
	r.extend = 0;
	ok(run_vtpm(&r, &p) &&
	   strstr(out, "refusing the saved state in ") &&
	   strstr(out, ": the permall beside it is not the one saved with it; starting clean (the PCRs are reset)") &&
	   is_zero(p.pcr0, 32),
	   "a record beside another permall is refused: a clean start");

	/* A valid record, but no Shutdown(STATE) in permall: Startup(STATE) fails. */
	r.crash = 1;
	run_vtpm(&r, &p);
	r.crash = 0;
	forge_record(dir, 1, NULL);
	ok(run_vtpm(&r, &p) &&
	   strstr(out, ": Startup(STATE) failed (response code 0x1c4); starting clean") &&
	   p.rc == 0 && is_zero(p.pcr0, 32),
	   "a failing Startup(STATE) is said, then Startup(CLEAR) serves");

	/* The host rebooted: the saved PCRs are not the new boot's. */
	r.extend = 1;
	run_vtpm(&r, &p);
	forge_record(dir, 1, "0e8fc5c5-3a4e-4c4d-9a36-0d6d5d0b8e0f");
	ok(run_vtpm(&r, &p) &&
	   strstr(out, ": it was saved in another boot of this host (PCRs do not outlive a reboot); starting clean") &&
	   is_zero(p.pcr0, 32),
	   "a record of another boot of the host is refused: a clean start");

	/* Stopped as the frontend went away: no record. */
	r.gone = 1;
	ok(run_vtpm(&r, &p) && !exists(dir, RESUME_NAME) &&
	   strstr(out, "vtpmd: the frontend went away: the state is not saved"),
	   "a stop as the frontend went away writes no resume record");
	r.gone = 0;
	ok(run_vtpm(&r, &p) && !strstr(out, "resumed") &&
	   !strstr(out, "refusing") && is_zero(p.pcr0, 32),
	   "and the next start is clean");
}

/* --pcr-banks: the allocation's second power-on never resumes. */
static void test_restart_banks(const char *base)
{
	char dir[256];
	struct run r = { .tpm2 = 1, .extend = 1, .banks = "sha256" };
	struct probe p;
	uint8_t pcr[32];

	extended(1, pcr);
	path(dir, sizeof(dir), base, "banks");
	r.dir = dir;
	ok(run_vtpm(&r, &p) && strstr(out, "PCR banks allocated: sha256\n") &&
	   strstr(out, "vtpmd: state saved in "),
	   "--pcr-banks sha256: allocated, then the clean stop saves the state");
	r.extend = 0;
	ok(run_vtpm(&r, &p) && strstr(out, RESUMED) &&
	   !strstr(out, "allocated") && !memcmp(p.pcr0, pcr, 32),
	   "resumed with the same banks: no second power-on, PCR 0 kept");
	r.banks = "sha1,sha256";
	ok(run_vtpm(&r, &p) && strstr(out, RESUMED) &&
	   strstr(out, "PCR banks allocated: sha1,sha256\n") &&
	   !strstr(out, "refusing") && is_zero(p.pcr0, 32),
	   "resumed, then other banks: the second power-on is a clean one");
}

/* TPM 1.2: TPM_SaveState into savestate, TPM_Startup(ST_STATE). */
static void test_restart_tpm1(const char *base)
{
	char dir[256];
	struct run r = { .tpm2 = 0, .extend = 1 };
	struct probe p;
	uint8_t pcr[20];

	extended(0, pcr);
	path(dir, sizeof(dir), base, "tpm1");
	r.dir = dir;
	ok(run_vtpm(&r, &p) && p.rc == 0 && is_zero(p.pcr0, 20) &&
	   strstr(out, "vtpmd: state saved in ") && exists(dir, "savestate"),
	   "TPM 1.2: the clean stop saves the state (TPM_SaveState: savestate)");
	r.extend = 0;
	ok(run_vtpm(&r, &p) && strstr(out, RESUMED) && p.record_gone &&
	   !memcmp(p.pcr0, pcr, 20),
	   "TPM 1.2: the next start resumes, PCR 0 kept, record deleted");
	r.extend = 1;
	run_vtpm(&r, &p);
	{
		char sp[512];

		path(sp, sizeof(sp), dir, "savestate");
		unlink(sp);
	}
	ok(run_vtpm(&r, &p) &&
	   strstr(out, ": the savestate it names is missing; starting clean (the PCRs are reset)") &&
	   p.rc == 0 && is_zero(p.pcr0, 20),
	   "TPM 1.2: a record whose savestate is missing is refused: a clean start");
	/* A savestate libtpms cannot load: the TPM 1.2 fails until powered on again. */
	put_file(dir, "savestate", "garbage");
	forge_record(dir, 0, NULL);
	r.extend = 0;
	ok(run_vtpm(&r, &p) &&
	   strstr(out, ": Startup(STATE) failed (response code 0x1c); starting clean") &&
	   p.rc == 0 && is_zero(p.pcr0, 20),
	   "TPM 1.2: a failing Startup(STATE) is said; powered on again, Startup(CLEAR) serves");
}

/* --state-later: served from memory, adopted, resumed from the directory. */
static void test_later(const char *base)
{
	char dir[256];
	struct run r = { .tpm2 = 1, .later = 1, .extend = 1 };
	struct probe p;
	uint8_t pcr[32];

	extended(1, pcr);
	path(dir, sizeof(dir), base, "later");
	r.dir = dir;
	ok(run_vtpm(&r, &p) && p.rc == 0 &&
	   strstr(out, "vtpmd: the vTPM's state is lost: no state directory was adopted") &&
	   access(dir, F_OK) != 0,
	   "--state-later: served from memory; a stop before any SIGHUP says the state is lost, DIR untouched");
	r.adopt = dir;
	ok(run_vtpm(&r, &p) && !strstr(out, "test: adopting") &&
	   strstr(out, "vtpmd: state saved in ") && exists(dir, RESUME_NAME),
	   "--state-later, adopted: the clean stop saves the state in DIR");
	r.later = 0;
	r.adopt = NULL;
	r.extend = 0;
	ok(run_vtpm(&r, &p) && strstr(out, RESUMED) && !memcmp(p.pcr0, pcr, 32),
	   "--state DIR then resumes what was served from memory, PCR 0 kept");
	r.later = 1;
	r.adopt = dir;
	ok(run_vtpm(&r, &p) &&
	   strstr(out, "test: adopting") &&
	   strstr(out, "it holds a different TPM's state") &&
	   strstr(out, "the vTPM's state is lost"),
	   "--state-later: a new TPM does not adopt another one's directory");
}

int main(void)
{
	uint8_t page[4096], buf[16];
	size_t off, len;
	char dir[] = "/tmp/vtpmd-test.XXXXXX";
	unsigned char *data;
	uint32_t dlen;
	const char *why;

	printf("TAP version 13\n1..107\n");

	page_with(page, 22, 0);
	ok(check_request(page, 4096, &off, &len) == REQ_OK && off == 8 && len == 22,
	   "a well-formed request is accepted, data at offset 8");
	page_with(page, 4096 - 8, 0);
	ok(check_request(page, 4096, &off, &len) == REQ_OK,
	   "a request filling the page exactly is accepted");
	page_with(page, 4096 - 7, 0);
	ok(check_request(page, 4096, &off, &len) == REQ_BAD_SIZE,
	   "a length one byte past the page is refused");
	page_with(page, 0xffffffff, 0);
	ok(check_request(page, 4096, &off, &len) == REQ_BAD_SIZE,
	   "length 0xffffffff is refused (no overflow)");
	page_with(page, 9, 0);
	ok(check_request(page, 4096, &off, &len) == REQ_BAD_SIZE,
	   "a request shorter than a TPM header is refused");
	page_with(page, 22, 1);
	ok(check_request(page, 4096, &off, &len) == REQ_BAD_SIZE && off == 12,
	   "extra pages are refused, with the answer after the grant list");
	page_with(page, 22, 255);
	ok(check_request(page, 4096, &off, &len) == REQ_BAD_SIZE && off == 8 + 1020,
	   "255 extra pages still leave room for an error answer");
	ok(check_request(page, 1024, &off, &len) == REQ_NO_ROOM,
	   "a grant list that leaves no room for an answer is refused");

	ok(error_response(buf, 1, TPM2_RC_COMMAND_SIZE) == 10 &&
	   buf[0] == 0x80 && buf[1] == 0x01 && get_be32(buf + 2) == 10 &&
	   get_be32(buf + 6) == 0x142, "TPM 2.0 error response");
	ok(error_response(buf, 0, TPM1_BAD_PARAM_SIZE) == 10 &&
	   buf[0] == 0x00 && buf[1] == 0xc4 && get_be32(buf + 6) == 0x19,
	   "TPM 1.2 error response");

	if (!mkdtemp(dir))
		return 1;
	ok(state_init(dir, &why) == 0, "state directory");
	ok(state_load("permall", &data, &dlen) == -2, "a missing blob is -ENOENT");
	ok(state_store("permall", (const unsigned char *)"abc", 3) == 0 &&
	   state_store("permall", (const unsigned char *)"defg", 4) == 0 &&
	   state_load("permall", &data, &dlen) == 0 && dlen == 4 &&
	   !memcmp(data, "defg", 4), "a store replaces the blob whole");
	free(data);
	{
		char tmp[256];
		struct stat st;

		snprintf(tmp, sizeof(tmp), "%s/.tmp.permall", dir);
		ok(stat(tmp, &st) != 0, "no temporary file is left behind");
	}
	ok(state_store("../escape", (const unsigned char *)"x", 1) < 0 &&
	   state_store(".hidden", (const unsigned char *)"x", 1) < 0,
	   "blob names cannot leave the directory");
	ok(state_delete("permall") == 0 && state_delete("permall") == -2,
	   "delete, then -ENOENT");
	test_state_safety(dir);
	test_localities();
	test_banks();
	test_startup_cmds();
	test_resume();
	test_adopt();
	test_adopt_no_caps();
	{
		char base[] = "/tmp/vtpmd-test-tpm.XXXXXX";

		if (!mkdtemp(base))
			return 1;
		test_restart_tpm2(base);
		test_restart_banks(base);
		test_restart_tpm1(base);
		test_later(base);
		rm_rf(base);
	}
	return failed ? 1 : 0;
}
