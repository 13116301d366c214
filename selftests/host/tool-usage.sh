#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff's usage: --help for each subcommand exits 0 and prints its
# usage; an option of another subcommand is refused (exit 2, one line
# naming the option and where the usage is); every option a command's
# help describes is in its usage lines (after a space, "[" or "| ").
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

tap_plan 3
fails=
for c in status start record verify provision attest; do
	"$tool" $c --help >out 2>&1 && grep -q "^usage: tpm-handoff $c" out || fails+=" $c"
done
tap_is "${fails:-none}" none "--help for every subcommand: exit 0, its usage"
# The usage lines run from "usage:" to the first empty line; the options
# described are the lines that start with two spaces and "--".
missing=
for c in status start record verify provision attest; do
	"$tool" $c --help >out 2>&1
	for o in $(grep -o '^  --[a-z0-9-]*' out); do
		sed -n '1,/^$/p' out | grep -qE -- "( |\[|\| )$o( |]|$)" || missing+=" $c:$o"
	done
done
tap_is "${missing:-none}" none "every option described is in its command's usage lines"
rc=$(run out -- "$tool" verify --json)
tap_is "$rc:$(cat out.err)" "2:tpm-handoff: verify: no option --json (tpm-handoff verify --help)" \
	"an option of another subcommand: exit 2, one line"
tap_done
