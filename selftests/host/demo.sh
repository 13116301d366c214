#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo, as the README's first command runs it (testing/demo/demo, which
# boots the measured dom0): it exits 0, its report says that no command
# reached the pTPM after the handoff, and tpm-handoff verify passed in
# dom0 and on the host.  DEMO_DIST: the release (demo-trixie.sh).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"

tap_plan 5
dist=${DEMO_DIST:-bookworm}
out=$top/build/demo-test-$dist
DEMO_OUT=$out "$top/testing/demo/demo" --dist "$dist" >"$out.log" 2>&1
rc=$?
tail -n 12 "$out.log" | tap_diag "$(cat)"
tap_is "$rc" 0 "testing/demo/demo --dist $dist exits 0"
case "$dist" in
bookworm) xen=4.17 linux=6.1 ;;
trixie) xen=4.20 linux=6.12 ;;
esac
tap_ok "the dom0 was $dist's: Xen $xen and Linux $linux on the console" \
	sh -c "grep -q '(XEN) Xen version $xen\.' '$out/console.log' &&
	       grep -q 'Linux version $linux\.' '$out/console.log'"
tap_ok "the report: 0 commands reached the pTPM after the handoff" \
	grep -q "commands that reached the pTPM after the handoff: 0 " "$out.log"
tap_ok "the report: tpm-handoff verify passed in dom0" grep -q "^   ok: verify passes" "$out.log"
tap_ok "the report: and on the host, with the pTPM's PCR 10 from its trace" \
	grep -q "pTPM values from the trace: verify: PASS" "$out.log"
tap_done
