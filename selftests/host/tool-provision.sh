#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tpm-handoff provision on a swtpm manufactured as a shipped TPM (an EK
# certificate from a local CA, swtpm_setup --create-ek-cert).  The oracles
# are tpm2-tools and OpenSSL, not the tool: tpm2_readpublic names the key
# at the handle as the tool's files do; the EK the tool wrote is the key
# the EK certificate certifies; and credential activation, the verifier's
# side with tpm2_makecredential offline and the TPM's with
# tpm2_activatecredential, gives back the secret only for the AK the tool
# named.  Running provision again reuses the key; bad input gets exit 2.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
. "$top/selftests/lib/tool.sh"
tool_init --asan
command -v swtpm_setup >/dev/null && command -v swtpm_localca >/dev/null &&
	command -v openssl >/dev/null ||
	{ echo "1..0 # SKIP no swtpm_setup, swtpm_localca or openssl"; exit 4; }

# The local CA, in $tmp (never the host's /var/lib/swtpm-localca).
mkdir -p ca st
printf 'statedir = %s/ca\nsigningkey = %s/ca/signkey.pem\nissuercert = %s/ca/issuercert.pem\ncertserial = %s/ca/certserial\n' \
	"$tmp" "$tmp" "$tmp" "$tmp" >ca.conf
printf 'create_certs_tool = %s\ncreate_certs_tool_config = %s/ca.conf\ncreate_certs_tool_options = /etc/swtpm-localca.options\n' \
	"$(command -v swtpm_localca)" "$tmp" >setup.conf
swtpm_setup --tpm2 --tpm-state "$tmp/st" --config "$tmp/setup.conf" \
	--create-ek-cert --create-platform-cert --lock-nvram \
	--logfile "$tmp/setup.log" >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP swtpm_setup cannot make an EK certificate here"; exit 4; }
vtpm_start || { echo "1..0 # SKIP no swtpm, swtpm_ioctl or tpm2-tools"; exit 4; }
tool=$asan

tap_plan 16
H=0x81010002

rc=$(run out -- "$tool" provision "${tcti[@]}" --handle $H --out ak)
tap_is "$rc" 0 "provision creates an attestation key at $H"
tap_ok "it says so" grep -q "attestation key $H created" out
tap_ok "it writes ak.pub, ak.name and ak.ek.pub" test -s ak.pub -a -s ak.name -a -s ak.ek.pub

# tpm2-tools' view of the key at the handle.
tpm2_readpublic -c $H -n oracle.name >readpublic.txt 2>&1
tap_ok "tpm2_readpublic names the key at $H as ak.name does" cmp -s oracle.name ak.name
tap_ok "it is a restricted signing key fixed to the TPM (tpm2_readpublic)" \
	sh -c "grep -q 'restricted' readpublic.txt && grep -q 'sign' readpublic.txt &&
	       grep -q 'fixedtpm' readpublic.txt && ! grep -q 'decrypt' readpublic.txt"

# The EK the tool wrote is the one the EK certificate (NV 0x01c00002) certifies.
tpm2_nvread 0x01c00002 -o ekcert.der >/dev/null 2>&1
openssl x509 -inform der -in ekcert.der -noout -modulus 2>/dev/null |
	sed 's/^Modulus=//' | tr 'A-F' 'a-f' >cert.mod
tpm2_print -t TPM2B_PUBLIC ak.ek.pub 2>/dev/null |
	awk '/^rsa:/ { print $2 }' >ek.mod
tap_ok "ak.ek.pub is the key of the EK certificate (OpenSSL, tpm2_print)" \
	sh -c "test -s cert.mod && cmp -s cert.mod ek.mod"

# Credential activation: the verifier encrypts a secret to the EK for the
# AK's name (offline); only the TPM holding both gives it back.
head -c 16 /dev/urandom >secret
tpm2_makecredential -T none -u ak.ek.pub -s secret \
	-n "$(od -An -tx1 -v ak.name | tr -d " \n")" -o cred >/dev/null 2>&1
activate() {	# activate KEYHANDLE: the secret the TPM gives back, in got
	rm -f got ek.ctx s.ctx
	tpm2_createek -c ek.ctx -G rsa >/dev/null 2>&1 &&
	tpm2_startauthsession --policy-session -S s.ctx >/dev/null 2>&1 &&
	tpm2_policysecret -S s.ctx -c e >/dev/null 2>&1 &&
	tpm2_activatecredential -c "$1" -C ek.ctx -i cred -o got -P "session:s.ctx" >/dev/null 2>&1
	local rc=$?
	tpm2_flushcontext s.ctx >/dev/null 2>&1
	tpm2_flushcontext ek.ctx >/dev/null 2>&1
	tpm2_flushcontext -t >/dev/null 2>&1
	return $rc
}
activate $H
tap_ok "credential activation for ak.name gives the verifier's secret back" cmp -s got secret

# A second key elsewhere is another key: the credential made for the first
# does not activate with it.
rc=$(run out2 -- "$tool" provision "${tcti[@]}" --handle 0x81010003 --out ak2)
tap_is "$rc" 0 "a second key at another handle"
tap_ok "with another name" sh -c "! cmp -s ak.name ak2.name"
activate 0x81010003
tap_ok "the credential for the first key does not activate with the second" sh -c "! cmp -s got secret"

# Idempotent.
rc=$(run out3 -- "$tool" provision "${tcti[@]}" --handle $H --out again)
tap_is "$rc" 0 "provision again: exit 0"
tap_ok "it reuses the key (same name, \"reused\")" \
	sh -c "cmp -s again.name ak.name && grep -q 'attestation key $H reused' out3"
tap_is "$(tpm2_getcap handles-persistent | grep -c '0x8101000[23]')" 2 \
	"still two persistent keys (tpm2_getcap)"

# Bad input: exit 2 with one line that says what is wrong.
tpm2_createek -c 0x81010001 -G rsa >/dev/null 2>&1
rc=$(run bad1 -- "$tool" provision "${tcti[@]}" --handle 0x81010001 --out x)
tap_ok "a handle holding the EK (not an attestation key): exit 2, says why" \
	sh -c "test $rc = 2 && grep -q 'not an attestation key' bad1.err"
bad=0
for h in 0x80000001 0x01c00002 0x81800000 nonsense ""; do
	rc=$(run bad2 -- "$tool" provision "${tcti[@]}" --handle "$h" --out x)
	[ "$rc" = 2 ] && [ "$(wc -l <bad2.err)" = 1 ] || { bad=1; tap_diag "--handle '$h': exit $rc"; cat bad2.err >&2; }
done
tap_is "$bad" 0 "a handle that is not an owner persistent one, or none: exit 2, one line"
bad=0
for args in "--handle $H" "--out x" "--handle $H --out /nonexistent/dir/x"; do
	# shellcheck disable=SC2086 # the options are words
	rc=$(run bad3 -- "$tool" provision "${tcti[@]}" $args)
	[ "$rc" = 2 ] && [ "$(wc -l <bad3.err)" = 1 ] || { bad=1; tap_diag "'$args': exit $rc"; cat bad3.err >&2; }
done
rc=$(run bad4 -- "$tool" provision --tcti "swtpm:host=127.0.0.1,port=1" --handle $H --out x)
[ "$rc" = 2 ] || { bad=1; tap_diag "unreachable TPM: exit $rc"; }
tap_is "$bad" 0 "no --out, no --tcti, an unwritable --out, an unreachable TPM: exit 2"
tap_done
