#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm_handoff's KUnit suites (drivers/tpm_handoff/tests) in a UML kernel:
# testing/kunit/kunit-uml prints one TAP line per test case; this passes it through.
# Skips (exit 4) only when the kernel source tarball is not installed.
top=$(cd "$(dirname "$0")/../.." && pwd)
if ! ls /usr/src/linux-source-6.1.tar.* >/dev/null 2>&1; then
	echo "1..0 # SKIP no /usr/src/linux-source-6.1.tar.*: run scripts/deps.sh"
	exit 4
fi
exec "$top/testing/kunit/kunit-uml" --out "$top/build/kunit"
