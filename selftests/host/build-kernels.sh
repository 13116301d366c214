#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# One source tree, every supported kernel: both modules build without a
# warning (W=1) for
#   - Debian 12's 6.1 (the host's headers, the host's gcc),
#   - Debian 13's 6.12 (DKMS in the trixie root, trixie's gcc, W=1 and
#     sparse there: testing/vm/build-in-root),
#   - bookworm-backports' 6.12 (Debian 12 with a newer kernel: its headers
#     unpacked by testing/kernel/headers, the host's gcc 12),
#   - 7.2, the newest kernel Debian ships (the kasan kernel built from
#     sid's linux-source-7.2), and its HMAC-session variant (kasan-hmac),
# and each .ko's vermagic names the kernel it was built for.  A line whose
# kernel was not built (make check --no-debug) is skipped, and says so.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# built KVER WHAT DIR LOG MODULE...: one line for the modules in DIR.
built() {
	local kver=$1 what=$2 dir=$3 log=$4 m bad='' w v
	shift 4
	for m in "$@"; do
		v=$(modinfo -F vermagic "$dir/$m.ko" 2>/dev/null | cut -d' ' -f1)
		[ "$v" = "$kver" ] || bad="$bad $m.ko: vermagic '${v:-none}';"
	done
	w=$(grep -E 'warning:|error:|WARNING:' "$log" 2>/dev/null | grep -v 'Skipping BTF')
	[ -z "$w" ] || bad="$bad warnings: $w"
	[ -z "$bad" ] || tap_diag "$bad"
	tap_ok "modules for $kver ($what) build without warnings; vermagic $kver" test -z "$bad"
}

# outside KDIR WHAT: build a private copy of the tree against KDIR, W=1.
outside() {
	local kdir=$1 src=$tmp/src-$RANDOM
	mkdir -p "$src"
	(cd "$top" && git ls-files -co --exclude-standard -- Kbuild drivers include |
		rsync -a --files-from=- ./ "$src/")
	local m=$src
	grep -q '^CONFIG_XEN=y' "$kdir/.config" || m=$src/drivers/tpm_handoff
	make -C "$kdir" M="$m" W=1 CONFIG_TPM_HANDOFF_KUNIT_TEST= modules >"$src.log" 2>&1 ||
		echo "error: the build failed" >>"$src.log"
	mkdir -p "$src/ko"
	find "$src" -name '*.ko' -exec cp {} "$src/ko/" \;
	echo "$src"
}

tap_plan 5

# 6.1: the host's kernel headers (the newest installed, as make's KDIR).
kdir=$(make -s -C "$top" -f - print-kdir <<<'include Makefile
print-kdir: ; @echo $(KDIR)')
rel=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
src=$(outside "$kdir")
built "$rel" "Debian 12, the host's headers" "$src/ko" "$src.log" tpm_handoff xen_tpmfront_ext

# 6.12: trixie's DKMS built them (cached by the checkout's sources).
if out=$("$top/testing/vm/build-in-root" --dist trixie 2>"$tmp/bir.log"); then
	eval "$out"
	built "$KVER" "Debian 13, DKMS, $(cut -d' ' -f1-4 "$(dirname "$KO")/compiler")" \
		"$KO" "$WARNINGS" tpm_handoff xen_tpmfront_ext
else
	tail -n 5 "$tmp/bir.log" | tap_diag "$(cat)"
	tap_ok "modules for Debian 13 build in the trixie root" false
fi

# 6.12 on Debian 12: bookworm-backports' headers.
if out=$("$top/testing/kernel/headers" bookworm-backports 2>"$tmp/bpo.log"); then
	eval "$out"
	rel=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
	src=$(outside "$KDIR")
	built "$rel" "Debian 12 with bookworm-backports' kernel, the host's gcc" \
		"$src/ko" "$src.log" tpm_handoff xen_tpmfront_ext
else
	tail -n 5 "$tmp/bpo.log" | tap_diag "$(cat)"
	tap_ok "bookworm-backports' kernel headers can be fetched" false
fi

# 7.2: against the kasan kernels' build trees (no Xen there: tpm_handoff).
for flavour in kasan kasan-hmac; do
	if ! eval "$("$top/testing/kernel/build" --paths "$flavour" 2>/dev/null)"; then
		tap_skip "no $flavour kernel built (make check --no-debug)"
		continue
	fi
	rel=$(cat "$KDIR/include/config/kernel.release")
	src=$(outside "$KDIR")
	built "$rel" "linux-source-$(cut -d. -f1,2 <<<"$rel") from sid, $flavour" \
		"$src/ko" "$src.log" tpm_handoff
done
tap_done
