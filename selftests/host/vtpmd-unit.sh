#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Unit tests of vtpmd's own logic (tools/vtpmd/test_proto.c).
top=$(cd "$(dirname "$0")/../.." && pwd)
t=$top/build/bin/vtpmd-test-proto
[ -x "$t" ] || { echo "1..0 # SKIP $t not built"; exit 4; }
exec "$t"
