// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of vtpmd's own logic: shared-page request checks, error
 * responses, and the atomic state store.  TAP output.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto.h"
#include "state.h"

static int n, failed;

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

int main(void)
{
	uint8_t page[4096], buf[16];
	size_t off, len;
	char dir[] = "/tmp/vtpmd-test.XXXXXX";
	unsigned char *data;
	uint32_t dlen;

	printf("TAP version 13\n1..16\n");

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
	ok(state_init(dir) == 0, "state directory");
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
	rmdir(dir);
	return failed ? 1 : 0;
}
