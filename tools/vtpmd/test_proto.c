// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of vtpmd's own logic: shared-page request checks, error
 * responses, localities, the PCR bank commands, and the state directory
 * (its checks, the atomic store, a failing fsync).  TAP output; run as
 * root (the state directory must be root's).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto.h"
#include "state.h"

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

int main(void)
{
	uint8_t page[4096], buf[16];
	size_t off, len;
	char dir[] = "/tmp/vtpmd-test.XXXXXX";
	unsigned char *data;
	uint32_t dlen;
	const char *why;

	printf("TAP version 13\n1..40\n");

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
	return failed ? 1 : 0;
}
