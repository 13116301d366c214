#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify refuses TPM 1.2 inputs it cannot judge: --tcti for a
# record of family 1.2 (a TPM 1.2 is read through sysfs), and a fake
# /sys/class/tpm whose tpm1 pcrs file has a short line, a line of 21
# bytes, no PCR 10 or no PCR 8 (a bound one), or is missing.  Each must
# exit 2 with one line on stderr starting "tpm-handoff: ", and again so
# under the ASan/UBSan build.  The record and the good pcrs file (the
# kernel's pcrs_show() format) are fabricated by testing/fixtures
# (mkrecord.py --family 1.2, mkpcrs.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init --asan

tap_plan 7
fx_log
fx_tpm12

bad "--tcti for a TPM 1.2 (family 1.2)" --record rec12 --log log --tcti "swtpm:host=127.0.0.1,port=1"
# cls3: the fake class dir, its tpm1's pcrs file a damaged pcrs.good
mkdir -p cls3/tpm1/device
pcrs=cls3/tpm1/device/pcrs
printf 'PCR-00: 12 34\n' >$pcrs
bad "a TPM 1.2 pcrs file with a short line" --record rec12 --log log --class cls3 --attempts 1
sed 's/^PCR-10: .*/& 00 /' pcrs.good >$pcrs
bad "a TPM 1.2 pcrs line with 21 bytes" --record rec12 --log log --class cls3 --attempts 1
grep -v '^PCR-10:' pcrs.good >$pcrs
bad "a TPM 1.2 pcrs file without PCR 10" --record rec12 --log log --class cls3 --attempts 1
grep -v '^PCR-08:' pcrs.good >$pcrs
bad "a TPM 1.2 pcrs file without PCR 8 (bound)" --record rec12 --log log --class cls3 --attempts 1
bad "a TPM 1.2 without a pcrs file" --record rec12 --log log --class "$tmp/nonexistent" --attempts 1

bad_under_asan
tap_done
