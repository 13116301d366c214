#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The documentation stays well-formed: every Documentation/*.rst and the
# README parse with docutils without a warning (a malformed table or a
# broken definition list renders as garbage without failing anything
# else), and every path the README's "What is here" table names exists.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
cd "$top" || exit 1
command -v rst2pseudoxml >/dev/null ||
	{ echo "1..0 # SKIP no rst2pseudoxml (python3-docutils; scripts/deps.sh installs it)"; exit 4; }

docs=(Documentation/*.rst)
tap_plan $((${#docs[@]} + 1))
for f in "${docs[@]}"; do
	# docutils' own front end: warnings (level 2) and worse on stderr
	out=$(rst2pseudoxml --report=2 --halt=5 "$f" 2>&1 >/dev/null)
	tap_diag "$out"
	tap_is "$(grep -c . <<<"$out")" 0 "$f parses without warnings"
done
missing=$(sed -n '/^## What is here/,/^## /p' README.md |
	grep -o '^| `[^`]*`\(, `[^`]*`\)*' | grep -o '`[^`]*`' | tr -d '`' |
	while read -r p; do [ -e "$p" ] || compgen -G "$p" >/dev/null || echo "$p"; done)
tap_is "${missing:-none}" none "every path in the README's table exists"
tap_done
