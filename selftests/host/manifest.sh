#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# testing/suites declares every suite: each script under selftests/host,
# selftests/vm and selftests/native appears in it once, each suite has its
# script, each host half is declared,
# and testing/check reads it without complaint.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
manifest=$top/testing/suites

tap_plan 5
declared=$(sed -e 's/#.*//' "$manifest" | awk 'NF { print $1 }' | sort)
scripts=$(cd "$top/selftests" && ls host/*.sh vm/*.sh native/*.sh | sed 's/\.sh$//' | sort)
tap_is "$(comm -13 <(echo "$declared") <(echo "$scripts") | tr '\n' ' ')" "" \
	"every selftests script is in testing/suites"
tap_is "$(comm -23 <(echo "$declared") <(echo "$scripts") | tr '\n' ' ')" "" \
	"every suite of testing/suites has its script"
tap_is "$(echo "$declared" | uniq -d | tr '\n' ' ')" "" "none twice"
halves=$(cd "$top/selftests" && ls vm/*.host | sed 's/\.host$//' | sort)
with_host=$(sed -e 's/#.*//' "$manifest" | awk '$0 ~ /(^| )host( |$)/ && $1 ~ /^vm\// { print $1 }' | sort)
tap_is "$(comm -3 <(echo "$halves") <(echo "$with_host") | tr -d '\t' | tr '\n' ' ')" "" \
	"each host half is declared, and each declared one exists"
out=$("$top/testing/check" --only '^$' --keep "$(mktemp -d)" 2>&1)
tap_ok "testing/check reads it ($(tail -n 1 <<<"$out"))" grep -q "^0 passed, 0 failed, 0 skipped$" <<<"$out"
tap_done
