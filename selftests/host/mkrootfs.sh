#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# testing/vm/mkrootfs's contract with testing/vm/boot-dom0: stdout is the image's
# path and nothing else, on the first (building) run as on a cached one;
# the image is an ext4 file labelled th-rootfs holding what debootstrap
# made; a failing debootstrap fails mkrootfs with its log and leaves no
# image.  debootstrap here is a stand-in on PATH (the real one takes
# minutes and the network), in a private cache: the cold path is what a
# fresh CI machine runs first, and a warm cache never exercises it.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v mkfs.ext4 >/dev/null && command -v debugfs >/dev/null ||
	{ echo "1..0 # SKIP e2fsprogs missing"; exit 4; }

tap_plan 9

mkdir -p "$tmp/bin"
# The stand-in: debootstrap [opts] SUITE TARGET MIRROR
cat >"$tmp/bin/debootstrap" <<'S'
#!/bin/bash
[ -n "${FAKE_DEBOOTSTRAP_FAIL:-}" ] && { echo "E: fake failure"; exit 1; }
for a in "$@"; do args+=("$a"); done
target=${args[-2]}
mkdir -p "$target/usr/bin" "$target/usr/share/doc/x" "$target/usr/lib/y" "$target/etc"
echo "fake rootfs" >"$target/etc/th-fake"
echo small >"$target/usr/lib/y/small"
head -c 70000 /dev/zero >"$target/usr/lib/y/big"
echo doc >"$target/usr/share/doc/x/README"
echo "${args[*]}" >"$target/etc/th-args"
S
chmod +x "$tmp/bin/debootstrap"

export TPM_HANDOFF_CACHE=$tmp/cache
PATH=$tmp/bin:$PATH "$top/testing/vm/mkrootfs" >"$tmp/out1" 2>"$tmp/err1"
tap_is $? 0 "mkrootfs builds with a working debootstrap"
tap_is "$(wc -l <"$tmp/out1")" 1 "the building run prints one line on stdout"
img=$(cat "$tmp/out1")
tap_ok "that line is an ext4 image in the cache ($img)" \
	bash -c '[[ "$1" == "$2"/rootfs-*.ext4 ]] && [ -s "$1" ]' _ "$img" "$TPM_HANDOFF_CACHE"
tap_is "$(e2label "$img" 2>/dev/null)" th-rootfs "the image is labelled th-rootfs"
tap_is "$(debugfs -R 'cat /etc/th-fake' "$img" 2>/dev/null)" "fake rootfs" \
	"the image holds what debootstrap made"
tap_is "$(debugfs -R 'cat /etc/th-ima-candidates' "$img" 2>/dev/null)" /usr/lib/y/small \
	"the image lists its small files under /usr/lib and /usr/share for ima_grow (docs removed)"
tap_is "$(PATH=$tmp/bin:$PATH "$top/testing/vm/mkrootfs" 2>/dev/null)" "$img" \
	"a cached run prints the same path, alone"

rm -rf "$TPM_HANDOFF_CACHE"
FAKE_DEBOOTSTRAP_FAIL=1 PATH=$tmp/bin:$PATH "$top/testing/vm/mkrootfs" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
tap_ok "a failing debootstrap fails mkrootfs, saying so (exit $rc)" \
	bash -c '[ "$1" != 0 ] && grep -q "fake failure" "$2" && grep -q "debootstrap of .* failed" "$2"' _ "$rc" "$tmp/err2"
tap_ok "and leaves no image and nothing on stdout" \
	bash -c '! ls "$1"/rootfs-*.ext4 >/dev/null 2>&1 && [ ! -s "$2" ]' _ "$TPM_HANDOFF_CACHE" "$tmp/out2"
tap_done
