#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify refuses a record in the IMA log (the ima-buf entry
# named tpm_handoff) it cannot judge: none with --record-from-log, an
# entry whose buffer is not a record (with --record-from-log or beside a
# sysfs --record), a measured record of version 2 or without its
# "tpm_handoff: 1" line, a d-ng naming a hash libcrypto does not know.
# Each must exit 2 with one line on stderr starting "tpm-handoff: ", and
# again so under the ASan/UBSan build.  The entries are fabricated by
# testing/fixtures/mkreclog.py.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init --asan

tap_plan 7
fx_log
fx_fw

bad "--record-from-log, no record in the log" --record-from-log --log log --vtpm-pcrs vt.fw
printf 'not a record\001\n' >rec.garbage
"$mkreclog" --values vt.fw vt.garbage log rec.garbage log.garbage
bad "--record-from-log, an entry that is not a record" --record-from-log --log log.garbage --vtpm-pcrs vt.garbage
bad "an IMA log's record that is not one, with --record" --record rec.fw --log log.garbage --vtpm-pcrs vt.garbage
sed 's/^tpm_handoff: 1$/tpm_handoff: 2/' meas.fw >meas.v2
"$mkreclog" --values vt.fw vt.v2 log meas.v2 log.v2
bad "a measured record of version 2" --record-from-log --log log.v2 --vtpm-pcrs vt.v2
grep -v '^tpm_handoff:' meas.fw >meas.nover
"$mkreclog" --values vt.fw vt.nover log meas.nover log.nover
bad "a measured record without its tpm_handoff line" --record-from-log --log log.nover --vtpm-pcrs vt.nover
# an MD5 digest under the name "xy5": the same length, a hash libcrypto
# does not know
"$mkreclog" --algo md5 --algo-name xy5 log meas.fw log.md4
bad "a record entry whose d-ng names an unknown hash" --record-from-log --log log.md4 --vtpm-pcrs vt.fw

bad_under_asan
tap_done
