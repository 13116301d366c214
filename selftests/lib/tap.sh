#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# TAP helpers for tpm-handoff's kselftest-style scripts (TAP 13; exit 4
# means "skipped", as in kselftest).
#
#   . "$(dirname "$0")/../lib/tap.sh"
#   tap_plan 3
#   tap_ok "name" [cmd...] | tap_is GOT WANT name | tap_skip name why
#   tap_done
# shellcheck source=nap.sh
. "$(dirname "${BASH_SOURCE[0]}")/nap.sh"
TAP_N=0
TAP_FAIL=0
TAP_PLAN=

tap_plan() {
	TAP_PLAN=$1
	echo "TAP version 13"
	echo "1..$1"
}

tap_diag() { [ -n "$*" ] && sed 's/^/# /' <<<"$*"; return 0; }

tap_result() {	# tap_result STATUS NAME
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N $2"
	else
		echo "not ok $TAP_N $2"
		TAP_FAIL=$((TAP_FAIL + 1))
	fi
}

# tap_ok NAME CMD...: the test passes if CMD exits 0.
tap_ok() {
	local name=$1 rc=0
	shift
	"$@" || rc=$?
	tap_result $rc "$name"
}

# tap_is GOT WANT NAME: the test passes if GOT equals WANT.
tap_is() {
	if [ "$1" = "$2" ]; then
		tap_result 0 "$3"
	else
		tap_diag "got:  $1"
		tap_diag "want: $2"
		tap_result 1 "$3"
	fi
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N $1 # SKIP $2"
}

# tap_bail WHY: give up on the rest of the plan, counting it as failed.
tap_bail() {
	echo "Bail out! $*"
	exit 1
}

tap_done() {
	if [ -n "$TAP_PLAN" ] && [ "$TAP_N" != "$TAP_PLAN" ]; then
		tap_diag "planned $TAP_PLAN tests, ran $TAP_N"
		exit 1
	fi
	[ "$TAP_FAIL" = 0 ]
	exit $?
}
