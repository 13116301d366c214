#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/kshim/kshim.h, the kernel environment for kernel sources built into
# userspace programs (tpm-handoff, the fuzzers):
# a file that includes the kernel headers it covers builds warning-free as
# strict C11 next to glibc headers that include the system's UAPI ones
# (<errno.h> includes <linux/errno.h>, <sys/stat.h> with _GNU_SOURCE
# <linux/types.h>), with gcc and clang if present; its helpers have the
# kernel's semantics; drivers/tpm_handoff/tcg_log.c, ima_log.c and
# replay.c build through it unchanged; and a broken helper is caught.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=(-std=c11 -Wall -Wextra -Werror -I "$top/tools/kshim/include" -include "$top/tools/kshim/kshim.h")

cat >"$tmp/t.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <asm/unaligned.h>
#include <sys/stat.h>

static int fails;

#define CHECK(c) do { if (!(c)) { printf("not ok: %s\n", #c); fails++; } } while (0)

static int fmt(char *buf, size_t len, const char *f, ...) __printf(3, 4);
static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vscnprintf(buf, len, f, ap);
	va_end(ap);
	return n;
}

int main(void)
{
	const u8 b[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
	u8 o[4] = { 0 };
	char s[8];
	u64 big = 1ULL << 40;
	struct stat st;
	__le32 le = 1;
	u32 *p = kzalloc(4 * sizeof(*p), GFP_KERNEL);

	CHECK(sizeof(u8) == 1 && sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8);
	CHECK(sizeof(s8) == 1 && sizeof(s16) == 2 && sizeof(s32) == 4 && sizeof(s64) == 8);
	CHECK(get_unaligned_le16(b + 1) == 0x0302);
	CHECK(get_unaligned_le32(b + 1) == 0x05040302);
	CHECK(get_unaligned_le64(b) == 0x0807060504030201ULL);
	CHECK(get_unaligned_be16(b + 1) == 0x0203);
	CHECK(get_unaligned_be32(b + 1) == 0x02030405);
	CHECK(get_unaligned_be64(b) == 0x0102030405060708ULL);
	put_unaligned_le32(0x11223344, o);
	CHECK(o[0] == 0x44 && o[3] == 0x11);
	put_unaligned_be32(0x11223344, o);
	CHECK(o[0] == 0x11 && o[3] == 0x44);
	put_unaligned_le16(0xabcd, o);
	CHECK(o[0] == 0xcd && o[1] == 0xab);
	put_unaligned_be16(0xabcd, o);
	CHECK(o[0] == 0xab && o[1] == 0xcd);
	CHECK(min_t(size_t, 3, 7) == 3 && max_t(int, -1, 2) == 2);
	CHECK(min_t(u8, 0x1ff, 3) == 3);	/* compared as the type */
	CHECK(ARRAY_SIZE(b) == 8 && BIT(5) == 32 && GENMASK(7, 4) == 0xf0);
	CHECK(DIV_ROUND_UP(9, 4) == 3);
	CHECK(fmt(s, sizeof(s), "%s", "0123456789") == 7 && !strcmp(s, "0123456"));
	CHECK(scnprintf(s, sizeof(s), "%llu", big) == 7);
	CHECK(scnprintf(s, 0, "x") == 0);
	CHECK(EINVAL == 22 && EMSGSIZE > 0 && ENOTSUPP == 524);
	CHECK(p && !p[3]);
	kfree(p);
	CHECK(le == 1 && !stat("/", &st));
	if (likely(!fails))
		printf("kshim: all checks passed\n");
	return fails;
}
EOF

tap_plan 7
cc "${flags[@]}" -o "$tmp/t" "$tmp/t.c" 2>"$tmp/cc.err"
rc=$?
tap_diag "$(head -n 5 "$tmp/cc.err")"
tap_is "$rc:$(wc -c <"$tmp/cc.err")" "0:0" "kernel headers through kshim, next to glibc's <errno.h> and <sys/stat.h>: builds, no warning (gcc, C11)"
"$tmp/t" >"$tmp/out" 2>&1
tap_is "$?:$(cat "$tmp/out")" "0:kshim: all checks passed" "the helpers have the kernel's semantics"
if command -v clang >/dev/null; then
	clang "${flags[@]}" -o "$tmp/tc" "$tmp/t.c" 2>"$tmp/clang.err" && "$tmp/tc" >/dev/null
	tap_is "$?:$(wc -c <"$tmp/clang.err")" "0:0" "the same with clang"
else
	tap_skip "the same with clang" "no clang"
fi
cc "${flags[@]}" -c -o "$tmp/tcg_log.o" "$top/drivers/tpm_handoff/tcg_log.c" 2>"$tmp/tcg.err"
tap_is "$?:$(wc -c <"$tmp/tcg.err")" "0:0" "drivers/tpm_handoff/tcg_log.c builds unchanged through kshim"
nm "$tmp/tcg_log.o" | grep -q ' T tcg_log_parse$'
tap_is $? 0 "... and defines tcg_log_parse"
# The IMA log parser and replay (its hashes: <crypto/hash.h> over libcrypto).
bad=
for c in cc clang; do
	command -v $c >/dev/null || continue
	for f in ima_log replay; do
		$c "${flags[@]}" -c -o "$tmp/$f.o" "$top/drivers/tpm_handoff/$f.c" 2>"$tmp/$f.err" &&
			[ ! -s "$tmp/$f.err" ] || { bad+=" $c:$f.c"; tap_diag "$(head -n 5 "$tmp/$f.err")"; }
	done
done
tap_is "${bad:-none}" none "drivers/tpm_handoff/ima_log.c and replay.c build unchanged through kshim, no warning"

# A helper broken on purpose (big-endian loads for the little-endian ones)
# must make the checks fail.
sed 's/return (u32)b\[0\] | (u32)b\[1\] << 8 | (u32)b\[2\] << 16 | (u32)b\[3\] << 24;/return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | (u32)b[3];/' \
	"$top/tools/kshim/kshim.h" >"$tmp/kshim.h"
cmp -s "$top/tools/kshim/kshim.h" "$tmp/kshim.h" && tap_diag "the mutation did not apply"
mkdir -p "$tmp/inc/linux" "$tmp/inc/asm"
for h in linux/types.h linux/kernel.h linux/string.h asm/unaligned.h; do
	echo '#include "../../kshim.h"' >"$tmp/inc/$h"
done
printf '#include_next <linux/errno.h>\n#include "../../kshim.h"\n' >"$tmp/inc/linux/errno.h"
cc -std=c11 -Wall -Wextra -Werror -I "$tmp/inc" -include "$tmp/kshim.h" -o "$tmp/tm" "$tmp/t.c" &&
	"$tmp/tm" >"$tmp/out.m" 2>&1
tap_ok "a get_unaligned_le32() that loads big-endian fails the checks" grep -q '^not ok: get_unaligned_le32' "$tmp/out.m"
tap_done
