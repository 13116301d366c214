// SPDX-License-Identifier: GPL-2.0-only
/*
 * tpm-handoff: the commands, the options each takes, and their help.
 */
#include <stdio.h>

#include "commands.h"

#define PATHS_HELP \
	"  --sysfs DIR     the module's directory (default " CLI_DEF_SYSFS ")\n"
#define CLASS_HELP \
	"  --class DIR     the TPM class directory (default " CLI_DEF_CLASS ")\n"
#define LOG_HELP \
	"  --log FILE      IMA's binary log (default\n" \
	"                  " CLI_DEF_LOG ";\n" \
	"                  \"-\": stdin)\n"
#define RECORD_HELP \
	"  --record FILE   the record to use instead of DIR/record\n"

const struct cli_command cli_commands[] = {
	{ "status", cmd_status, O_SYSFS | O_CLASS | O_LOG | O_RECORD,
	  "usage: tpm-handoff status [--sysfs DIR] [--class DIR] [--log FILE]\n"
	  "                          [--record FILE]\n"
	  "\n"
	  "Show the handoff state, the last error, the pTPM and vTPM chips with\n"
	  "their PCR banks (from /sys/class/tpm/tpmN/pcr-<bank>/, no TPM traffic)\n"
	  "and the vTPM's provider, then check whether a handoff can start: the\n"
	  "module is loaded, the state is idle or aborted, a vTPM is found, it has\n"
	  "every PCR bank of the pTPM, this runs as root and the IMA log is\n"
	  "readable.  Each failing check says what to do.\n"
	  "\n"
	  PATHS_HELP CLASS_HELP LOG_HELP RECORD_HELP
	  "\n"
	  "Exit status: 0 ready (or already committed), 1 not ready, 2 the state\n"
	  "cannot be read.\n" },
	{ "start", cmd_start, O_SYSFS | O_CLASS | O_LOG | O_RECORD | O_FORCE,
	  "usage: tpm-handoff start [--force] [--sysfs DIR] [--class DIR] [--log FILE]\n"
	  "                         [--record FILE]\n"
	  "\n"
	  "Check the preconditions (as status does; refuse if one fails), then\n"
	  "write \"1\" to DIR/trigger.  The write returns when the handoff has\n"
	  "committed or aborted; on a terminal the elapsed time and the state are\n"
	  "shown meanwhile.  Then print the record, or the module's error line with\n"
	  "the errno and what to do about it.\n"
	  "\n"
	  "  --force         trigger even if a precondition fails\n"
	  PATHS_HELP CLASS_HELP LOG_HELP RECORD_HELP
	  "\n"
	  "Exit status: 0 committed (or already committed), 1 failed or refused,\n"
	  "2 the state cannot be read.\n" },
	{ "record", cmd_record, O_SYSFS | O_RECORD | O_JSON | O_RAW,
	  "usage: tpm-handoff record [--json | --raw] [--sysfs DIR] [--record FILE]\n"
	  "\n"
	  "Print the record of the last handoff attempt (DIR/record): readable\n"
	  "by default, the kernel's \"key: value\" lines with --raw, or one JSON\n"
	  "object with --json (numbers as numbers, \"banks\" and PCR lists such as\n"
	  "\"fw_replay\" lists, PCR values nested: \"pcrs\": {\"10\": {\"sha256\":\n"
	  "{\"value\", \"mode\", \"digest\"}}, \"8\": {\"sha256\": {\"value\", \"mode\"},\n"
	  "\"bind\": REASON}, \"0\": {..., \"events\": N}}).\n"
	  "\n"
	  "  --json          one JSON object\n"
	  "  --raw           the record's lines as they are (after checking them)\n"
	  PATHS_HELP RECORD_HELP
	  "\n"
	  "Exit status: 0 printed, 1 no record yet (or the module is not loaded),\n"
	  "2 the record is unreadable or malformed.\n" },
	{ "verify", cmd_verify,
	  O_SYSFS | O_CLASS | O_RECORD | O_LOG | O_TCTI | O_PTPM_PCRS | O_VTPM_PCRS |
	  O_ATTEMPTS | O_FW_LOG | O_RECORD_FROM_LOG | O_EVIDENCE | O_PTPM_KEY |
	  O_NONCE,
	  "usage: tpm-handoff verify [--tcti TCTI | --vtpm-pcrs FILE] [--ptpm-pcrs FILE]\n"
	  "                          [--log FILE] [--record FILE | --record-from-log]\n"
	  "                          [--fw-log FILE] [--sysfs DIR] [--class DIR]\n"
	  "                          [--attempts N]\n"
	  "       tpm-handoff verify --evidence FILE --ptpm-key PUB --nonce HEX\n"
	  "\n"
	  "With --evidence: check, offline and with no TPM, the evidence file of\n"
	  "tpm-handoff attest against the pTPM's attestation key PUB (its\n"
	  "TPM2B_PUBLIC, from tpm-handoff provision, trusted by credential\n"
	  "activation) and the nonce the verifier chose.  One line per link of\n"
	  "the chain (Documentation/attestation.rst): both keys and signatures,\n"
	  "the nonce, the record in the IMA log (it must carry the handoff quote),\n"
	  "the binding of the cut, the snapshot and the vTPM key, no vTPM reset or\n"
	  "restart since the handoff, the log's prefix [0, cut) and the firmware\n"
	  "event log against the handoff quote, the vTPM quote's PCRs, and the\n"
	  "whole log against them.  Then \"verify: PASS\", or \"verify: FAIL:\n"
	  "LINK: why\" for the first link that fails.  No other option goes with\n"
	  "--evidence.\n"
	  "\n"
	  "Without --evidence:\n"
	  "Check a committed handoff's split IMA log:\n"
	  "  - entries [0, cut) reproduce the pTPM's PCR 10 (the record's snapshot,\n"
	  "    or --ptpm-pcrs) in every bank, after exactly cut entries;\n"
	  "  - the whole log reproduces the vTPM's PCR 10 (read through ESYS, or\n"
	  "    --vtpm-pcrs) in every bank.\n"
	  "Each bank is replayed as the record's pcr10.BANK.digest says\n"
	  "(template-hash or padded-sha1).  Prints one line per check and bank,\n"
	  "then \"verify: PASS\" or \"verify: FAIL: <reason>\", naming the entry\n"
	  "where the log and a TPM part.\n"
	  "\n"
	  "Firmware PCRs (the record's PCRs with a mode but no digest line), one\n"
	  "line each:\n"
	  "  - mode replay: the vTPM's PCR equals the snapshot (pcrN.BANK, or\n"
	  "    --ptpm-pcrs); with --fw-log, the event log's replay equals it too;\n"
	  "  - mode bind: the vTPM's PCR equals H(reset || snapshot) in each bank's\n"
	  "    hash (reset: 00.. for PCRs 0-16 and 23, ff.. for 17-22).\n"
	  "\n"
	  "The record in the IMA log: with the IMA policy rule\n"
	  "  measure func=CRITICAL_DATA label=tpm_handoff template=ima-buf\n"
	  "the module measures its record (without its timings and counters) as\n"
	  "an ima-buf entry \"tpm_handoff\" after the cut.  If the log holds one\n"
	  "(the last, if several), its digest must match its data, it must come\n"
	  "after the cut, and each of its keys must equal the record's.\n"
	  "\n"
	  "A TPM 1.2 (record family: 1.2) cannot be read through tpm2-tss: its\n"
	  "PCRs (sha1) come from DIR/tpmN/device/pcrs of the --class directory.\n"
	  "\n"
	  "A live log grows while it is read, and IMA appends an entry before it\n"
	  "extends it.  So: read the vTPM's PCR 10 (all banks in one snapshot),\n"
	  "then the whole log (L_i entries); k_i is the largest prefix that\n"
	  "reproduces the PCR in every bank.  PASS if k_i = L_i, or if this is not\n"
	  "the first read and k_i >= L_{i-1} (every entry that was in the log\n"
	  "before the PCR was read is in it).  FAIL at once if no prefix (or not\n"
	  "the same prefix in every bank) reproduces it, or if k_i < L_{i-1} - 1.\n"
	  "Otherwise (the last entry may still be on its way to the TPM) wait\n"
	  "0.1, 0.2, 0.4... s and read both again, N times in all; then FAIL.\n"
	  "With --vtpm-pcrs or --log - there is one read and the whole log must\n"
	  "match.\n"
	  "\n"
	  "  --tcti TCTI     the vTPM (default \"device:/dev/tpmrmN\", N from the\n"
	  "                  record's vtpm), e.g. \"swtpm:host=127.0.0.1,port=2321\"\n"
	  "  --vtpm-pcrs FILE  the vTPM's PCRs as \"pcrN.BANK: hex\" lines, instead\n"
	  "                  of reading the vTPM (PCR 10 in every bank; firmware\n"
	  "                  PCRs the file lacks are reported as not checked)\n"
	  "  --ptpm-pcrs FILE  the pTPM's PCRs as \"pcrN.BANK: hex\" lines (as\n"
	  "                  ima-replay --expect takes), instead of the record's\n"
	  "                  snapshot (PCR 10 in every bank; firmware PCRs it\n"
	  "                  lacks keep the record's)\n"
	  "  --fw-log FILE   the firmware's TCG event log, saved before the handoff\n"
	  "                  (/sys/kernel/security/tpm0/binary_bios_measurements)\n"
	  "  --record-from-log  take the record from the IMA log's tpm_handoff\n"
	  "                  entry only, not from DIR/record (exit 2 if there is none)\n"
	  "  --attempts N    reads of the vTPM and the log, 1-20 (default 5)\n"
	  "  --evidence FILE the evidence (tpm-handoff attest)\n"
	  "  --ptpm-key PUB  the pTPM's attestation key (TPM2B_PUBLIC)\n"
	  "  --nonce HEX     the nonce the vTPM quote must carry\n"
	  PATHS_HELP CLASS_HELP LOG_HELP RECORD_HELP
	  "\n"
	  "Exit status: 0 PASS, 1 FAIL, 2 bad input (a malformed evidence file, an\n"
	  "unreadable key file or bad nonce; unreadable, truncated or\n"
	  "garbled log, event log or record, a cut past the end of the log, an\n"
	  "unreachable TPM, no record in the log with --record-from-log).\n" },
	{ "provision", cmd_provision, O_TCTI | O_HANDLE | O_OUT,
	  "usage: tpm-handoff provision --tcti TCTI --handle HANDLE --out PREFIX\n"
	  "\n"
	  "Make an attestation key on the TPM, as tpm2_createak does by default: a\n"
	  "restricted RSA-2048 signing key (RSASSA, SHA-256) under the TCG default\n"
	  "endorsement key (RSA 2048), persisted at HANDLE.  A key already at\n"
	  "HANDLE is reused if it is an attestation key, refused otherwise.  Run it\n"
	  "on the pTPM before the handoff, and on the vTPM.  Writes, for the\n"
	  "verifier (Documentation/attestation.rst): PREFIX.pub, the key's\n"
	  "TPM2B_PUBLIC; PREFIX.name, its TPM name; PREFIX.ek.pub, the EK's\n"
	  "TPM2B_PUBLIC (for make-credential against the EK certificate).\n"
	  "\n"
	  "  --tcti TCTI     the TPM, e.g. \"device:/dev/tpmrm0\"\n"
	  "  --handle HANDLE an owner persistent handle, 0x81000000-0x817fffff\n"
	  "                  (e.g. 0x81010002)\n"
	  "  --out PREFIX    where the files go\n"
	  "\n"
	  "Exit status: 0 created or reused, 1 the TPM failed, 2 bad input (a\n"
	  "handle out of range or holding another kind of object, an unreachable\n"
	  "TPM, files that cannot be written).\n" },
	{ "attest", cmd_attest, O_SYSFS | O_RECORD | O_LOG | O_TCTI | O_FW_LOG |
	  O_ATTEMPTS | O_NONCE | O_PTPM_KEY | O_OUT,
	  "usage: tpm-handoff attest --nonce HEX --ptpm-key PUB --out FILE\n"
	  "                          [--tcti TCTI] [--log FILE] [--fw-log FILE]\n"
	  "                          [--record FILE] [--sysfs DIR] [--attempts N]\n"
	  "\n"
	  "After a committed handoff that made a handoff quote (module parameters\n"
	  "ptpm_ak and vtpm_ak), write the evidence a remote verifier checks with\n"
	  "tpm-handoff verify --evidence: one JSON file (Documentation/\n"
	  "attestation.rst, \"The evidence file\") with the record, the handoff\n"
	  "quote, the pTPM key PUB (the pTPM no longer answers dom0: give the file\n"
	  "tpm-handoff provision wrote), a fresh quote by the vTPM key the handoff\n"
	  "quote names over the same PCRs with the verifier's nonce, that key's\n"
	  "public part, the PCR values it signed, the IMA log and the firmware\n"
	  "event log.  The PCRs are read after the quote; if IMA extended one in\n"
	  "between, it quotes again (--attempts times).\n"
	  "\n"
	  "  --nonce HEX     the verifier's nonce, 1 to 64 bytes\n"
	  "  --ptpm-key PUB  the pTPM key's TPM2B_PUBLIC (provision's PREFIX.pub)\n"
	  "  --out FILE      where the evidence goes (\"-\": stdout)\n"
	  "  --tcti TCTI     the vTPM (default \"device:/dev/tpmrmN\", N from the\n"
	  "                  record's vtpm)\n"
	  "  --fw-log FILE   the firmware event log (default: the pTPM chip's,\n"
	  "                  /sys/kernel/security/tpmN/binary_bios_measurements;\n"
	  "                  none if it has none)\n"
	  "  --attempts N    quotes before giving up, 1-20 (default 5)\n"
	  PATHS_HELP LOG_HELP RECORD_HELP
	  "\n"
	  "Exit status: 0 written, 1 no committed handoff with a quote, or the\n"
	  "vTPM failed, 2 bad input (a bad nonce, an unreadable or wrong key\n"
	  "file, unreadable logs, a file that cannot be written).\n" },
	{ NULL, NULL, 0, NULL },
};

void cli_usage(FILE *f)
{
	fprintf(f,
		"usage: tpm-handoff COMMAND [OPTIONS]\n"
		"\n"
		"Hand a measured dom0 over from its physical TPM to its vTPM with\n"
		"tpm_handoff.ko, without losing an IMA measurement, and check the result.\n"
		"\n"
		"  status   the handoff state, the chips, and whether a handoff can start\n"
		"  start    check the preconditions, hand off, show the record\n"
		"  record   print the last attempt's record (--json: as JSON)\n"
		"  verify   check the IMA log against the pTPM's and the vTPM's PCR 10,\n"
		"           and the firmware PCRs and the record the IMA log holds;\n"
		"           with --evidence, a remote verifier's offline check\n"
		"  provision  an attestation key on a TPM, for the handoff quote\n"
		"  attest   the evidence of a committed handoff, for a remote verifier\n"
		"\n"
		"\"tpm-handoff COMMAND --help\" describes a command and its options.\n"
		"Exit status: 0 success, 1 not ready or failed, 2 bad input.\n");
}

