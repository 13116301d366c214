#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The handoff quote (Documentation/attestation.rst): with attestation keys
# provisioned on both TPMs (tpm-handoff provision) and named by ptpm_ak and
# vtpm_ak, the pTPM's last word for dom0 is a TPM2_Quote of the PCRs the
# handoff mirrors, bound to the cut, the snapshot and the vTPM key's name.
# First the refusals, each of which must leave dom0 on the pTPM: one key
# without the other, a handle with no key, a key that is not an
# attestation key, a provisioned key evicted before the trigger, and a key
# the pTPM refuses to quote with (a policy-only key: TPM_RC_AUTH_UNAVAILABLE
# under the barrier).  Then the commit, whose record and critical-data
# entry carry the quote; tpm2_checkquote accepts it with the pTPM key and
# the snapshot, and rejects it with another nonce or another PCR value.
# Then tpm-handoff attest writes the evidence and verify --evidence passes
# on it.  The host half checks the quote against the pTPM's own swtpm
# trace, and the offline verifier against the evidence and each way of
# tampering with it.
lib=${TH_SELFTESTS:-$(dirname "$0")/..}/lib
. "$lib/tap.sh"
. "$lib/ima.sh"
. "$lib/vtpm.sh"
. "$lib/handoff.sh"

PTPM_AK=0x81010002 VTPM_AK=0x81010003
# hexof FILE: its bytes in hex; unhex: hex on stdin to bytes (no xxd here).
hexof() { python3 -c 'import sys; print(open(sys.argv[1], "rb").read().hex())' "$1"; }
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))'; }
param() { echo "$2" >/sys/module/tpm_handoff/parameters/"$1"; }
keys() { param ptpm_ak "$1"; param vtpm_ak "$2"; }

tap_plan 39
mark=$(dmesg_mark)
vchip=$(vtpm_chip) || tap_bail "no vTPM chip"
tap_ok "IMA takes the tpm_handoff critical-data rule" ima_policy_critical_data
ima_grow 200 || tap_diag "the log did not grow"

tap_ok "provision the pTPM's attestation key at $PTPM_AK" \
	tpm-handoff provision --tcti device:/dev/tpmrm0 --handle $PTPM_AK --out "$RESULTS/ptpm-ak"
tap_ok "provision the vTPM's at $VTPM_AK" \
	tpm-handoff provision --tcti "device:/dev/tpmrm${vchip#tpm}" --handle $VTPM_AK --out "$RESULTS/vtpm-ak"
tap_ok "insmod tpm_handoff.ko" handoff_load
tap_is "$(cat /sys/module/tpm_handoff/parameters/ptpm_ak)" 0x00000000 "ptpm_ak is 0 by default (no quote)"
tap_ok "ptpm_ak refuses a handle that is not persistent" \
	sh -c '! echo 0x80000001 >/sys/module/tpm_handoff/parameters/ptpm_ak'

# refused WHAT ERRNO PATTERN: the trigger fails with ERRNO, the error
# matches PATTERN, and the module is back to aborted.
refused() {
	local got
	got=$(handoff_trigger)
	tap_is "$got/$(handoff_state)" "$2/aborted" "$1: the trigger fails ($2), aborted"
	tap_ok "  and says why: $(handoff_error | cut -c1-150)" grep -q -- "$3" "$TH_SYSFS/error"
}

keys $PTPM_AK 0
refused "ptpm_ak without vtpm_ak" EINVAL "needs the pTPM's key and the vTPM's"
keys 0x81010099 $VTPM_AK
refused "a handle with no key" ENOENT "has no key at 0x81010099"

# A storage key (restricted, decrypt) where an attestation key should be.
tpm2 tpmrm0 createprimary -C o -c /tmp/srk.ctx >/dev/null &&
	tpm2 tpmrm0 evictcontrol -C o -c /tmp/srk.ctx 0x81010004 >/dev/null
keys 0x81010004 $VTPM_AK
refused "a storage key" EINVAL "is not an attestation key"

# A provisioned key, evicted before the trigger.
tpm-handoff provision --tcti device:/dev/tpmrm0 --handle 0x81010005 --out /tmp/evicted >/dev/null &&
	tpm2 tpmrm0 evictcontrol -C o -c 0x81010005 >/dev/null
keys 0x81010005 $VTPM_AK
refused "an evicted key" ENOENT "has no key at 0x81010005"

# A restricted signing key that needs a policy: ReadPublic shows an
# attestation key, but the pTPM refuses the quote under the barrier.
head -c 32 /dev/zero >/tmp/policy.bin
tpm2 tpmrm0 createprimary -C o -c /tmp/prim.ctx >/dev/null &&
	tpm2 tpmrm0 create -C /tmp/prim.ctx -G rsa2048:rsassa-sha256:null -L /tmp/policy.bin \
		-a "fixedtpm|fixedparent|sensitivedataorigin|restricted|sign" \
		-u /tmp/pol.pub -r /tmp/pol.priv >/dev/null &&
	tpm2 tpmrm0 load -C /tmp/prim.ctx -u /tmp/pol.pub -r /tmp/pol.priv -c /tmp/pol.ctx >/dev/null &&
	tpm2 tpmrm0 evictcontrol -C o -c /tmp/pol.ctx 0x81010006 >/dev/null
keys 0x81010006 $VTPM_AK
refused "a key the pTPM will not quote with" EIO "refused the handoff quote with its key 0x81010006"
ptpm_validates "$RESULTS/after-refusals" "after five refusals dom0 is on the pTPM"

# A dry run with the quote: another handoff's quote, for the host half.
keys $PTPM_AK $VTPM_AK
param dry_run 1
tap_is "$(handoff_trigger)" ECANCELED "a dry run with both keys quotes and stops before the commit"
grep '^quote_' "$TH_SYSFS/record" >"$RESULTS/dry-quote"
param dry_run 0

# The commit.
tap_is "$(handoff_trigger)/$(handoff_state)" ok/committed "with both keys: committed"
cp "$TH_SYSFS/record" "$RESULTS/record"
get() { sed -n "s/^$1: //p" "$RESULTS/record"; }
tap_is "$(get ptpm_ak_name)/$(get vtpm_ak_name)" \
	"$(hexof "$RESULTS/ptpm-ak.name")/$(hexof "$RESULTS/vtpm-ak.name")" \
	"the record names both keys as provision wrote them"
tap_is "$(get quote_pcrs)" "$(get pcrs)" "the quote covers the mirrored PCRs ($(get pcrs))"

# The measured copy carries the same quote.
grep ' ima-buf .* tpm_handoff ' "$IMA_DIR/ascii_runtime_measurements" | tail -n1 |
	awk '{ print $6 }' | unhex >"$RESULTS/measured-record"
tap_is "$(grep '^quote_' "$RESULTS/measured-record" | grep -v _count)" \
	"$(grep '^quote_' "$RESULTS/record" | grep -v _count)" \
	"the critical-data entry in the IMA log carries the quote"

# tpm2-tools' word on the quote: tpm2_checkquote checks the signature
# with the pTPM key and the qualifying data; tpm2_print shows what was
# signed, whose PCR digest must be sha256 of the record's snapshot.
# (tpm2_checkquote -f -l cannot check 8 PCRs or more: tpm2-tools issue
# #3542, so the digest is compared here.)
get quote_attest | unhex >/tmp/q.msg
get quote_signature | unhex >/tmp/q.sig
hex=
for b in $(get banks); do
	for p in $(get quote_pcrs); do hex+=$(get "pcr$p.$b"); done
done
unhex <<<"$hex" >/tmp/q.pcrs
data=$(get quote_data)
tpm2_checkquote -u "$RESULTS/ptpm-ak.pub" -m /tmp/q.msg -s /tmp/q.sig -g sha256 \
	-q "$data" >/tmp/cq.out 2>&1
tap_is "$?" 0 "tpm2_checkquote accepts the quote with the pTPM key and its qualifying data"
tpm2_checkquote -u "$RESULTS/ptpm-ak.pub" -m /tmp/q.msg -s /tmp/q.sig -g sha256 \
	-q "$([ "${data:0:1}" = 0 ] && echo 1 || echo 0)${data:1}" >/dev/null 2>&1
tap_ok "and rejects it with another nonce" test $? != 0
tpm2_print -t TPMS_ATTEST /tmp/q.msg >/tmp/q.print 2>&1
tap_is "$(sed -n 's/^ *pcrDigest: //p' /tmp/q.print)/$(grep -c "pcrSelect: ff0700" /tmp/q.print)" \
	"$(sha256sum </tmp/q.pcrs | cut -c1-64)/$(get banks | wc -w)" \
	"the signed PCR digest is the snapshot's, PCRs 0-10 in every bank (tpm2_print)"

tpm-handoff verify >"$RESULTS/verify.out" 2>&1
tap_is "$?" 0 "tpm-handoff verify still passes with the quote in the record"
tap_diag "$(cat "$RESULTS/verify.out")"
# The evidence for a remote verifier, and what the host half needs to
# tamper with it: a quote by another vTPM key, and one by the bound key
# that also covers PCR 16.
N1=00112233445566778899aabbccddeeff N2=ffeeddccbbaa99887766554433221100
tpm-handoff attest --nonce $N1 --ptpm-key "$RESULTS/ptpm-ak.pub" \
	--out "$RESULTS/evidence.json" >"$RESULTS/attest.out" 2>&1
tap_is "$?" 0 "tpm-handoff attest writes the evidence"
tap_diag "$(cat "$RESULTS/attest.out")"
tpm-handoff verify --evidence "$RESULTS/evidence.json" --ptpm-key "$RESULTS/ptpm-ak.pub" \
	--nonce $N1 >"$RESULTS/verify-ev.out" 2>&1
tap_is "$?" 0 "tpm-handoff verify --evidence passes in dom0 too"
tap_diag "$(cat "$RESULTS/verify-ev.out")"
tpm-handoff attest --nonce $N2 --ptpm-key "$RESULTS/ptpm-ak.pub" \
	--out "$RESULTS/evidence2.json" >/dev/null 2>&1
tap_is "$?" 0 "attest again with another nonce"
rm="tpmrm${vchip#tpm}"
sel=
for b in $(get banks); do sel+="${sel:++}$b:$(get quote_pcrs | tr ' ' ,)"; done
# The other key is an ECC one: the verifier checks its ECDSA signature
# before it finds the key is not the bound one.
tpm2 "$rm" createek -c /tmp/eke.ctx -G ecc -u /tmp/eke.pub >/dev/null &&
	tpm2 "$rm" createak -C /tmp/eke.ctx -c /tmp/ake.ctx -G ecc -g sha256 -s ecdsa \
		-u "$RESULTS/other-ak.pub" -n "$RESULTS/other-ak.name" >/dev/null &&
	tpm2 "$rm" quote -c /tmp/ake.ctx -l "$sel" -q $N1 -g sha256 \
		-m "$RESULTS/other.msg" -s "$RESULTS/other.sig" >/dev/null &&
	tpm2 "$rm" quote -c $VTPM_AK -l "${sel//+/,16+},16" -q $N1 -g sha256 \
		-m "$RESULTS/pcr16.msg" -s "$RESULTS/pcr16.sig" >/dev/null
tap_is "$?" 0 "quotes for the host half's tampering: another vTPM key's (ECC), and one that covers PCR 16"
# Bad input to attest.
tpm-handoff attest --nonce 0g --ptpm-key "$RESULTS/ptpm-ak.pub" --out /tmp/e >/dev/null 2>&1
tap_is "$?" 2 "attest: a nonce that is not hex: exit 2"
tpm-handoff attest --nonce $N1 --ptpm-key "$RESULTS/vtpm-ak.pub" --out /tmp/e >/tmp/wrongkey 2>&1
tap_is "$?/$(grep -c 'not the key that signed the handoff quote' /tmp/wrongkey)" 2/1 \
	"attest: the vTPM's key as the pTPM's: exit 2, says so"
tpm-handoff attest --nonce $N1 --ptpm-key /nonexistent --out /tmp/e >/dev/null 2>&1
tap_is "$?" 2 "attest: no key file: exit 2"

tap_ok "the kernel log is clean" kernel_log_clean "$mark"

# Last: the vTPM restarted on its state (vtpmd killed and started again):
# its keys persist, its PCRs and resetCount do not.  The bound key's quote
# from it, before the module brought it back to the log, is the host
# half's "reset vTPM"; the evidence after the re-mirror is its "healed".
new=$(vtpm_restart) &&
	tpm2 "tpmrm${new#tpm}" quote -c $VTPM_AK -l "$sel" -q $N1 -g sha256 \
		-m "$RESULTS/reset.msg" -s "$RESULTS/reset.sig" >/dev/null
tap_is "$?" 0 "after a vTPM restart the bound key quotes again (${new:-no chip})"
for ((i = 0; i < 600; i++)); do
	[ "$(cat "$TH_SYSFS/vtpm_state")" = following ] &&
		[ "$(handoff_record_get remirror_vtpm)" = "$new" ] && break
	nap 0.1
done
tap_is "$(handoff_record_get remirrors)/$(cat "$TH_SYSFS/vtpm_state")" 1/following \
	"the module brought the new vTPM back to the log (one re-mirror)"
tpm-handoff attest --nonce $N1 --ptpm-key "$RESULTS/ptpm-ak.pub" \
	--out "$RESULTS/evidence-healed.json" >"$RESULTS/attest-healed.out" 2>&1 &&
	tpm-handoff verify --evidence "$RESULTS/evidence-healed.json" \
		--ptpm-key "$RESULTS/ptpm-ak.pub" --nonce $N1 >"$RESULTS/verify-healed.out" 2>&1
tap_is "$?" 0 "attest after the re-mirror: verify --evidence passes"
tap_diag "$(grep 'vTPM restarts' "$RESULTS/verify-healed.out")"
tap_ok "  and says the vTPM was reset and brought back to the log" \
	grep -q "^vTPM restarts: OK: the vTPM was reset since the handoff .* brought back to the log" \
	"$RESULTS/verify-healed.out"
tap_done
