#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# testing/kunit/kunit-results (the kernel's kunit_parser and our checks) on
# canned KUnit console logs (no kernel needed):
# failures, crashes, missing suites and splats must all come out "not ok".
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/tests"
cat >"$tmp/src/tests/a_test.c" <<'EOF'
static struct kunit_suite one = {
	.name = "one",
	.test_cases = one_cases,
};
static struct kunit_suite two = { .name = "two", .test_cases = c };
kunit_test_suites(&one, &two);
EOF

# flat NAME [ARGS...] < LOG: run the parser; TAP in $tmp/NAME, exit in $rc.
flat() {
	local name=$1
	shift
	cat >"$tmp/$name.log"
	rc=0
	"$top/testing/kunit/kunit-results" --src "$tmp/src" "$@" "$tmp/$name.log" \
		>"$tmp/$name" 2>&1 || rc=$?
	# the plan must match the lines
	plan=$(sed -n 's/^1\.\.//p' "$tmp/$name")
	lines=$(grep -Ec '^(not )?ok ' "$tmp/$name")
}
has() { grep -qE "$2" "$tmp/$1" || { sed 's/^/# /' "$tmp/$1"; return 1; }; }

tap_plan 15

suite_one_ok='    KTAP version 1
    # Subtest: one
    1..2
    ok 1 a
    ok 2 b # SKIP not here
ok 1 one'
suite_two_ok='    KTAP version 1
    # Subtest: two
    1..1
    ok 1 c
ok 2 two'

flat pass <<EOF
boot noise
KTAP version 1
1..2
$suite_one_ok
$suite_two_ok
reboot: System halted
EOF
tap_is "$rc/$plan/$lines" "0/3/3" "all pass: exit 0, three lines"
tap_ok "a skip is a skip" has pass '^ok 2 - one.b # SKIP$'

flat fail <<EOF
KTAP version 1
1..2
    KTAP version 1
    # Subtest: one
    1..2
    # a: EXPECTATION FAILED at x.c:12
    Expected 1 == 2, but
    not ok 1 a
    ok 2 b
ok 1 one
$suite_two_ok
EOF
tap_is "$rc/$plan/$lines" "1/3/3" "a failing case: exit 1"
tap_ok "its assertion is a diagnostic above it" \
	has fail '^# a: EXPECTATION FAILED at x.c:12$'
tap_ok "and it is not ok" has fail '^not ok 1 - one.a$'

flat missing <<EOF
KTAP version 1
1..1
$suite_one_ok
EOF
tap_ok "an expected suite that did not run is not ok" \
	has missing '^not ok 3 - two: missing from the KTAP output'

flat crash <<EOF
KTAP version 1
1..2
    KTAP version 1
    # Subtest: one
    1..2
    ok 1 a
Kernel panic - not syncing: Segfault with no mm
EOF
tap_is "$rc/$plan/$lines" "1/3/3" "a crash: exit 1"
tap_ok "the crashed suite is not ok, with the panic" sh -c \
	"grep -q '^not ok 2 - one: the kernel crashed or hung after 1 cases' '$tmp/crash' &&
	 grep -q '^# Kernel panic' '$tmp/crash'"

flat nothing <<EOF
Kernel panic - not syncing: VFS: Unable to mount root fs
EOF
tap_is "$rc/$lines" "1/2" "no KTAP at all: every expected suite is not ok"

flat empty <<EOF
KTAP version 1
1..0
EOF
tap_is "$rc/$(grep -c '^ok' "$tmp/empty")" "1/0" "zero test cases is not ok"

flat warn <<EOF
KTAP version 1
1..2
    KTAP version 1
    # Subtest: one
    1..2
    ok 1 a
BUG: KASAN: slab-out-of-bounds in parse+0x1/0x2
    ok 2 b
ok 1 one
$suite_two_ok
EOF
tap_ok "a case during which KASAN reported is not ok" has warn '^not ok 2 - one.b$'

flat stamped <<EOF
[    0.500000] KTAP version 1
[    0.500000] 1..2
[    0.500000]     KTAP version 1
[    0.500000]     # Subtest: one
[    0.500000]     1..1
[    0.510000]     ok 1 a
[    0.520000] ok 1 one
[    0.600000]     KTAP version 1
[    0.600000]     # Subtest: two
[    0.600000]     1..1
[    0.610000]     not ok 1 c
[    0.620000] not ok 2 two
EOF
tap_is "$rc/$(grep -c '^ok 1 - one.a$' "$tmp/stamped")/$(grep -c '^not ok 2 - two.c$' "$tmp/stamped")" \
	"1/1/1" "printk timestamps are stripped"

flat initfail <<EOF
KTAP version 1
1..2
    # one:     # failed to initialize (-22)
not ok 1 one
$suite_two_ok
EOF
tap_ok "a suite whose init failed is not ok" has initfail '^not ok 1 - one: no test case ran'

printf 'CC x.o\nx.c:1:1: error: expected ;\nmake: *** Error 2\n' >"$tmp/build.log"
rc=0
"$top/testing/kunit/kunit-results" --src "$tmp/src" --build-failed "$tmp/build.log" \
	>"$tmp/build" || rc=$?
tap_is "$rc/$(grep -c '^not ok' "$tmp/build")" "1/2" "a build failure: both suites not ok"

flat filtered --filter '*.a' <<EOF
KTAP version 1
1..1
    KTAP version 1
    # Subtest: one
    1..1
    ok 1 a
ok 1 one
EOF
tap_is "$rc/$(grep -c '^ok .*# SKIP' "$tmp/filtered")" "0/1" \
	"--filter SUITE.CASE: suites without a match are skipped"
tap_done
