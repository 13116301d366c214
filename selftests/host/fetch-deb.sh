#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/fetch-deb, which brings other suites' packages into the cache
# without touching apt's sources: a suite's index is used only when its
# InRelease verifies against Debian's keyring; a failure names the package
# and the suite it wanted; a package is found in the real trixie suite and
# its version printed.  In a private cache.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
tmp=$(mktemp -d)
pid=''
trap '[ -z "$pid" ] || kill "$pid"; rm -rf "$tmp"' EXIT
export TPM_HANDOFF_CACHE=$tmp/cache

tap_plan 6

# A mirror that serves a forged InRelease (no signature).
mkdir -p "$tmp/mirror/dists/forged"
printf 'Origin: Debian\nSuite: forged\nSHA256:\n 0 0 main/binary-amd64/Packages.xz\n' \
	>"$tmp/mirror/dists/forged/InRelease"
python3 -m http.server --bind 127.0.0.1 --directory "$tmp/mirror" 0 >"$tmp/http.log" 2>&1 &
pid=$!
port=''
for _ in $(seq 50); do
	port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$tmp/http.log" | head -n1)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || tap_bail "no local HTTP server: $(cat "$tmp/http.log")"

out=$(TH_DEBIAN_MIRROR=http://127.0.0.1:$port "$top/scripts/fetch-deb" forged somepkg 2>&1)
tap_is "$?" 1 "a forged InRelease fails"
tap_diag "$out"
tap_ok "and says the suite's InRelease does not verify, naming the package" \
	grep -q "fetch-deb: somepkg from forged: forged's InRelease does not verify" <<<"$out"
tap_ok "and leaves no index in the cache" test ! -e "$tmp/cache/debs/forged/Packages"

out=$(TH_DEBIAN_MIRROR=http://127.0.0.1:$port "$top/scripts/fetch-deb" nosuite somepkg 2>&1)
tap_ok "a suite the mirror does not have: the download that failed is named ($out)" \
	grep -q "fetch-deb: somepkg from nosuite: cannot download .*/dists/nosuite/InRelease" <<<"$out"

# The real archive (make check needs the network for the trixie root anyway).
v=$("$top/scripts/fetch-deb" --version trixie xen-hypervisor-4.20-amd64 2>"$tmp/err")
tap_ok "trixie's signed index gives xen-hypervisor-4.20-amd64's version (${v:-$(cat "$tmp/err")})" \
	grep -Eq '^4\.20\.' <<<"$v"
out=$("$top/scripts/fetch-deb" trixie no-such-package-th 2>&1)
tap_ok "a package the suite lacks is named with the suite ($out)" \
	grep -q "no-such-package-th from trixie: not in trixie's Packages" <<<"$out"
tap_done
