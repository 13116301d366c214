#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel code quality gates: the modules build without a single warning
# under W=1 and under sparse (C=2 checks every file), checkpatch --strict is
# clean, every text file carries an SPDX line and git tracks no build
# product.  It builds in a private copy of the tree (what git tracks, and
# new files it does not ignore): testing/check runs VM jobs beside it that
# copy drivers/*.ko.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"
(cd "$top" && git ls-files -co --exclude-standard -z |
	rsync -a --from0 --files-from=- ./ "$tmp/src/") ||
	{ echo "Bail out! cannot copy the tree"; exit 1; }
cd "$tmp/src" || exit 1

tap_plan 10
# One compile, with W=1; then sparse over every file with the same flags,
# so that Kbuild compiles nothing again (C=2 checks up-to-date files too).
warnings() { grep -E 'warning:|error:|WARNING:' "$1" | grep -v 'Skipping BTF'; }
make modules W=1 >"$tmp/w1" 2>&1
tap_is $? 0 "the modules build"
ko=$(find drivers -name '*.ko' | wc -l)
kbuild_mods=$(grep -ho 'obj-m += [a-z_0-9]*\.o' drivers/*/Kbuild | wc -l)
tap_is "$ko" "$kbuild_mods" "every module in Kbuild was built ($ko)"
warnings "$tmp/w1" | tap_diag "$(cat)"
tap_ok "make W=1 gives no warnings" sh -c "! grep -E 'warning:|error:|WARNING:' '$tmp/w1' | grep -qv 'Skipping BTF'"
make modules W=1 C=2 >"$tmp/c2" 2>&1
warnings "$tmp/c2" | tap_diag "$(cat)"
tap_ok "sparse (C=2) gives no warnings" sh -c "! grep -E 'warning:|error:|WARNING:' '$tmp/c2' | grep -qv 'Skipping BTF'"
make lint >"$tmp/lint" 2>&1
tap_is $? 0 "make lint (checkpatch --strict) is clean"
rel=$(make -s -f - <<<'include Makefile
print-rel: ; @echo $(KRELEASE)' print-rel 2>/dev/null)
make -s install INSTALL_MOD_PATH="$tmp/root" >"$tmp/install" 2>&1
tap_ok "make install puts the modules under updates/ ($rel)" \
	sh -c "test -f '$tmp/root/lib/modules/$rel/updates/drivers/xen_tpmfront_ext/xen_tpmfront_ext.ko' &&
	       test -f '$tmp/root/lib/modules/$rel/updates/drivers/tpm_handoff/tpm_handoff.ko'"
tap_ok "and depmod indexes them" sh -c "grep -q xen_tpmfront_ext '$tmp/root/lib/modules/$rel/modules.dep' &&
	grep -q tpm_handoff '$tmp/root/lib/modules/$rel/modules.dep'"
# dkms.conf, in a private DKMS tree (the system's is left alone), from
# the source tree make dkms-source lays out, under the checkout's version.
version=$("$top/scripts/version")
make -s dkms-source DESTDIR="$tmp/dkms-root" VERSION="$version" >"$tmp/dkms.log" 2>&1
mkdir -p "$tmp/dkms-tree"
dk=(dkms --dkmstree "$tmp/dkms-tree" --sourcetree "$tmp/dkms-root/usr/src")
"${dk[@]}" add -m tpm-handoff -v "$version" >>"$tmp/dkms.log" 2>&1 &&
	"${dk[@]}" build -m tpm-handoff -v "$version" -k "$rel" >>"$tmp/dkms.log" 2>&1
tap_ok "dkms builds the modules from dkms.conf, version $version" \
	sh -c "test -f '$tmp/dkms-tree/tpm-handoff/$version/$rel/x86_64/module/xen_tpmfront_ext.ko' &&
	       test -f '$tmp/dkms-tree/tpm-handoff/$version/$rel/x86_64/module/tpm_handoff.ko'"
# Every text file a person writes carries the licence.  The exceptions have
# a format of their own or are data: the licence text, VERSION, the README,
# .gitignore, the kernel's ABI description, the kernel patches (a patch
# starts with its header) and the fuzzers' corpora and regressions.
missing=$(cd "$top" && git ls-files -co --exclude-standard |
	grep -v -e '^LICENSE$' -e '^VERSION$' -e '^README\.md$' -e '^\.gitignore$' -e '^Documentation/ABI/' \
		-e '\.patch$' -e '^testing/fuzz/corpus/' -e '^testing/fuzz/regressions/' |
	while read -r f; do
		[ -f "$f" ] && grep -Iq . "$f" && ! head -n 3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-only' &&
			echo "$f"
	done)
tap_is "${missing:-none}" none "every text file has an SPDX GPL-2.0-only line"
# What a build or a run produces is ignored, never committed: a file git
# tracks that .gitignore matches (a compiled Python cache, an object) is one.
products=$(git -C "$top" ls-files -ci --exclude-standard | tr '\n' ' ')
tap_is "${products:-none}" none "git tracks no build product (no file that .gitignore ignores)"
tap_done
