#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Does each fuzzer find a bug?  For every mutation below, a private copy of
# the source under test gets a bug on purpose (a length check removed, a
# bound widened), the target is built from that copy into a temporary
# directory (testing/fuzz/Makefile's *_C and OUT variables), and fuzzed from
# its seed corpus until it crashes or SECONDS (default 60) pass.  Nothing
# in the tree changes: not the sources, not testing/fuzz/regressions.
#
#   testing/fuzz/mutation-check.sh [SECONDS] [NAME...]
#
# One line per mutation: found after how long and how, or NOT FOUND; the
# exit status is 1 if any was not found.  Run it after changing a target's
# checks; it is not part of selftests/host/fuzz.sh (it takes minutes).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-60}
shift $(($# > 0 ? 1 : 0))
only=" $* "
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

TH=drivers/tpm_handoff
fail=0

# mutant NAME TARGET MAKEVAR SOURCE SED-EXPRESSION WHAT-THE-BUG-IS
mutant() {
	local name=$1 target=$2 var=$3 src=$4 expr=$5 why=$6 d copy rc t how execs

	[ "$only" = "  " ] || [[ $only == *" $name "* ]] || return 0
	d=$tmp/$name
	mkdir -p "$d/src" "$d/bin" "$d/corpus"
	copy=$d/src/$(basename "$src")
	sed "$expr" "$top/$src" >"$copy"
	if cmp -s "$top/$src" "$copy"; then
		printf '%-17s %-17s MUTATION DID NOT APPLY (%s)\n' "$name" "$target" "$src"
		fail=1
		return
	fi
	if ! make -s -C "$here" OUT="$d/bin" "$var=$copy" "$d/bin/$target" >"$d/build.log" 2>&1; then
		printf '%-17s %-17s BUILD FAILED\n' "$name" "$target"
		sed 's/^/    /' "$d/build.log" | head -n 10
		fail=1
		return
	fi
	cp "$here/corpus/$target"/* "$d/corpus/"
	t=$SECONDS
	"$d/bin/$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$d/" "$d/corpus" >"$d/log" 2>&1
	rc=$?
	t=$((SECONDS - t))
	if [ $rc != 0 ] && ls "$d" | grep -qE '^(crash|leak|timeout|oom)-'; then
		how=$(grep -m1 -oE 'invariant violated: .*|ERROR: AddressSanitizer: [a-z-]+|runtime error: .*|ERROR: libFuzzer: [a-z -]+' "$d/log")
		execs=$(grep -oE '^#[0-9]+' "$d/log" | tail -n1)
		execs=${execs#\#}
		[ -n "$execs" ] && execs="$execs execs" || execs="on a seed"
		printf '%-17s %-17s found in %3ds (%s): %s\n' "$name" "$target" "$t" \
			"$execs" "$how"
	else
		printf '%-17s %-17s NOT FOUND in %ss: %s\n' "$name" "$target" "$secs" "$why"
		fail=1
	fi
}

mutant ima-name-len fuzz-ima-log IMA_LOG_C $TH/ima_log.c \
	's/if (name_len == 0 || name_len > IMA_LOG_NAME_MAX)/if (name_len == 0)/' \
	"template name length not bounded: the header buffer overflows"
mutant ima-data-split fuzz-ima-log IMA_LOG_C $TH/ima_log.c \
	's/n = min_t(size_t, len, p->data_left);/n = min_t(size_t, len, p->data_left + (len > 40));/' \
	"a data piece runs one byte into the next entry (logic only)"
mutant ima-pcr-24 fuzz-ima-log IMA_LOG_C $TH/ima_log.c \
	's/if (e->pcr >= TH_NR_PCRS)/if (e->pcr > TH_NR_PCRS)/' \
	"PCR 24 taken: the replay writes past its PCRs, the oracle refuses it"
mutant replay-padded fuzz-ima-log REPLAY_C $TH/replay.c \
	's/memcpy(r->digest\[b\]\[TH_KIND_PADDED\], r->entry.digest,/memcpy(r->digest[b][TH_KIND_PADDED] + 1, r->entry.digest,/' \
	"the padded-sha1 digest shifted by a byte (logic only): the oracle pads it right"
mutant replay-violation fuzz-ima-log REPLAY_C $TH/replay.c \
	's/r->violation = !memchr_inv(e->digest, 0, SHA1_DIGEST_SIZE);/r->violation = !memchr_inv(e->digest, 0, SHA1_DIGEST_SIZE - 1);/' \
	"a digest ending in one non-zero byte taken for a violation (logic only)"
mutant rsp-digest-size fuzz-tpm-rsp TPM_CMD_C $TH/tpm_cmd.c \
	's/dsize != size ||/dsize < size ||/; s/take(&r, v->val\[bank\]\[pcr\], size)/take(\&r, v->val[bank][pcr], dsize)/' \
	"a digest longer than the bank's is taken whole: writes past the PCR value"
mutant rsp-mask-bits fuzz-tpm-rsp TPM_CMD_C $TH/tpm_cmd.c \
	's/if (mask & ~GENMASK(TH_NR_PCRS - 1, 0))/if (mask \& ~GENMASK(31, 0))/' \
	"PCRs 24-31 of the selection accepted: got holds PCRs that do not exist (logic only)"
mutant tcg-get-bytes fuzz-tcg-log TCG_LOG_C $TH/tcg_log.c \
	'/^static bool get_bytes/,/^}/s/if (c->left < n)/if (c->left < n \&\& n > 64)/' \
	"get_bytes() trusts lengths up to 64: reads past the log"
mutant tcg-locality-len fuzz-tcg-log TCG_LOG_C $TH/tcg_log.c \
	's/ev.data_len >= LOCALITY_SIG_LEN + 1 \&\&/ev.data_len >= LOCALITY_SIG_LEN \&\&/' \
	"a StartupLocality event one byte short: its locality is read past the event"
mutant vtpmd-len fuzz-vtpmd-req VTPMD_PROTO_C tools/vtpmd/proto.c \
	's/if (l < TPM_HEADER || l > pagesz - o)/if (l < TPM_HEADER)/' \
	"request length not bounded by the page"
mutant vtpmd-room fuzz-vtpmd-req VTPMD_PROTO_C tools/vtpmd/proto.c \
	's/if (o + TPM_HEADER > pagesz)/if (o > pagesz)/' \
	"no room check for the error answer after the grant list"
mutant imalog-ima-name fuzz-ima-log IMALOG_C testing/oracles/ima-replay/imalog.c \
	'/case ST_IMA_HDR:/,/return 0;/s/if (v > IMALOG_NAME_MAX)/if (v > 4 * IMALOG_NAME_MAX)/' \
	'"ima" file name length bound too loose: the entry buffer overflows'
mutant imalog-printable fuzz-ima-log IMALOG_C testing/oracles/ima-replay/imalog.c \
	's/if (f\[i\] <= 0x20 || f\[i\] >= 0x7f)/if (f[i] < 0x20 || f[i] >= 0x7f)/' \
	"a space in a template name accepted (logic only)"
mutant quote-name-max fuzz-quote QUOTE_C $TH/quote.c \
	's/!get_2b(&c, &name, &name_len, TH_NAME_MAX)/!get_2b(\&c, \&name, \&name_len, 0xffff)/' \
	"a key's name not bounded: copied past struct th_key"
mutant quote-sig-max fuzz-quote QUOTE_C $TH/quote.c \
	's/c.left < 4 || c.left > TH_SIG_MAX)/c.left < 4)/' \
	"a quote's signature not bounded: copied past struct th_quote"
mutant quote-sym fuzz-quote QUOTE_C $TH/quote.c \
	'/^static bool get_scheme/,/^}/s/if (!get_u16(c, \&skip) || !get_u16(c, \&skip))/if (!get_u16(c, \&skip))/' \
	"a block cipher's mode left unread: the scheme is read from the wrong bytes (logic only)"
mutant attest-mask fuzz-quote QUOTE_C $TH/quote.c \
	'/^int th_attest_parse/,/^}/s/if (mask \& ~GENMASK(TH_NR_PCRS - 1, 0))/if (0)/' \
	"a quote selecting PCRs 24-31 accepted (logic only)"

exit $fail
