#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff verify refuses what it cannot judge: an IMA log that is
# truncated, garbled, random or missing; a record that lacks a key, has a
# cut past the log's end or beyond its entries, a value that is not hex
# or a byte short, a key twice, a line without a colon, or is aborted,
# empty, random or absent (the module not loaded); vTPM values in an
# unknown bank or missing one; a vTPM that cannot be reached (nothing on
# the port, an unknown TCTI, the default /dev/tpmrmN of a chip that does
# not exist).  Each must exit 2 with one line on stderr starting
# "tpm-handoff: ", never a verdict, and again so under the ASan/UBSan
# build (build/bin/tpm-handoff-asan): no sanitizer report.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init --asan

tap_plan 29
fx_log
src=(--record record --vtpm-pcrs vtpm.all)

# ---- the IMA log ----
head -c $(($(off 34 5) + 7)) log >trunc.log
bad "a log truncated inside entry 34's data (the 35th)" "${src[@]}" --log trunc.log
grep -q "IMA log entry 34 at offset $(off 34 2): truncated entry at the end of the log" out.err
tap_is $? 0 "... and the message names entry 34 and its offset"
cp log garbled.log
patch_u32 garbled.log "$(off 20 2)" 99
bad "a garbled log (PCR 99 in entry 20)" "${src[@]}" --log garbled.log
head -c 5000 /dev/urandom >random.log
bad "a log of random bytes" "${src[@]}" --log random.log
bad "a missing log" "${src[@]}" --log nonexistent.log

# ---- the record ----
for k in cut banks pcr10.sha256 pcr10.sha1.digest result; do
	grep -v "^$k:" record >rec.no-$k
	bad "a record without \"$k\"" --record rec.no-$k --vtpm-pcrs vtpm.all --log log
done
sed -e "s/^cut: .*/cut: $((N + 5))/" -e "s/^entries: .*/entries: $((N + 6))/" record >rec.cut
bad "a record whose cut ($((N + 5))) is past the end of the log ($N)" \
	--record rec.cut --vtpm-pcrs vtpm.all --log log
grep -q "fewer than the record's cut $((N + 5))" out.err
tap_is $? 0 "... and the message says so"
sed -e "s/^cut: .*/cut: 31/" -e "s/^entries: .*/entries: 30/" record >rec.order
bad "a record with cut > entries" --record rec.order --vtpm-pcrs vtpm.all --log log
sed "s/^\(pcr10.sha1: \).\{4\}/\1zzzz/" record >rec.hex
bad "a non-hex PCR value" --record rec.hex --vtpm-pcrs vtpm.all --log log
sed "s/^\(pcr10.sha256: \)../\1/" record >rec.len
bad "a PCR value one byte short" --record rec.len --vtpm-pcrs vtpm.all --log log
sed "s/^cut: .*/cut: 3o/" record >rec.num
bad "a cut that is not a number" --record rec.num --vtpm-pcrs vtpm.all --log log
head -c 3000 /dev/urandom >rec.random
bad "a record of random bytes" --record rec.random --vtpm-pcrs vtpm.all --log log
printf 'result: committed\nptpm tpm0\n' >rec.garbage
bad "a record line without a colon" --record rec.garbage --vtpm-pcrs vtpm.all --log log
{ cat record; echo "cut: 12"; } >rec.twice
bad "a key given twice" --record rec.twice --vtpm-pcrs vtpm.all --log log
printf 'result: aborted\nerror: no vTPM\nptpm: tpm0\nbanks: sha1\n' >rec.aborted
bad "an aborted record" --record rec.aborted --vtpm-pcrs vtpm.all --log log
: >rec.empty
bad "an empty record" --record rec.empty --vtpm-pcrs vtpm.all --log log
bad "no record (the module is not loaded)" --sysfs "$tmp/nonexistent" --vtpm-pcrs vtpm.all --log log

# ---- the vTPM: its values, or how to reach it ----
sed 's/^pcr10.sha256/pcr10.sha257/' vtpm.all >vt.bank
bad "an unknown bank in --vtpm-pcrs" --record record --vtpm-pcrs vt.bank --log log
grep -v sha384 vtpm.all >vt.short
bad "a --vtpm-pcrs file without sha384" --record record --vtpm-pcrs vt.short --log log
dead=$(free_port)
bad "an unreachable vTPM (nothing on port $dead)" --record record --log log \
	--tcti "swtpm:host=127.0.0.1,port=$dead"
grep -q "cannot open the TPM through TCTI \"swtpm:host=127.0.0.1,port=$dead\"" out.err
tap_is $? 0 "... the message names the TCTI"
bad "a TCTI that does not exist" --record record --log log --tcti "nosuchtcti:x"
sed 's/^vtpm: .*/vtpm: tpm987/' record >rec.tpm987
bad "the default TCTI, /dev/tpmrm987, which does not exist" --record rec.tpm987 --log log

bad_under_asan
tap_done
