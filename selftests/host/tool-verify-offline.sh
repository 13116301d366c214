#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify with the vTPM's PCR values from a file (--vtpm-pcrs),
# no TPM: the IMA log fabricated by testing/fixtures/mklog.py must
# reproduce them, and the values of 29 entries, fewer than the handoff's
# cut, FAIL at once (one read), naming the first entry missing and its
# offset.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init

tap_plan 2
fx_log
rc=$(verify out --vtpm-pcrs vtpm.all)
tap_is "$rc:$(tail -n 1 out)" "0:verify: PASS" "--vtpm-pcrs FILE: the whole log reproduces the given values"
rc=$(verify out --vtpm-pcrs vtpm.29)
tap_is "$rc:$(tail -n 1 out)" \
	"1:verify: FAIL: vTPM PCR 10 (sha1) is reproduced after 29 entries, not by the whole log (40): entry 29 at offset $(off 29 2) was not extended into the vTPM (fewer than the $C the handoff mirrored: was the vTPM restarted?)" \
	"--vtpm-pcrs of 29 entries: FAIL at once (one read), naming entry 29 (the 30th)"
tap_done
