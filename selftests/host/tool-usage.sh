#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff's usage: --help for each subcommand exits 0 and prints its
# usage; an option of another subcommand is refused (exit 2, one line
# naming the option and where the usage is).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

tap_plan 2
fails=
for c in status start record verify; do
	"$tool" $c --help >out 2>&1 && grep -q "^usage: tpm-handoff $c" out || fails+=" $c"
done
tap_is "${fails:-none}" none "--help for every subcommand: exit 0, its usage"
rc=$(run out -- "$tool" verify --json)
tap_is "$rc:$(cat out.err)" "2:tpm-handoff: verify: no option --json (tpm-handoff verify --help)" \
	"an option of another subcommand: exit 2, one line"
tap_done
