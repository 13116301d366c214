#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the fabricated seeds of tools/fuzz/corpus/TARGET/ (files "fab-*"),
small valid inputs (and a few refused ones) in each target's input format
(see the comment at the top of tools/fuzz/fuzz-TARGET.c).  Deterministic:
run it again after a format change and commit what changed.

  tools/fuzz/mkcorpus.py [--real-ima LOG] [--real-fw AGILE TPM12]

--real-ima LOG: also write corpus/{fuzz-ima-log,fuzz-imalog-user}/vm-ima-sig
  from the first 6 entries of a dom0 IMA log (binary_runtime_measurements);
--real-fw AGILE TPM12: also copy two firmware event logs (SeaBIOS's, from
  a VM run's results/fw.log) to corpus/fuzz-tcg-log/seabios-*.
Those "real" seeds were taken once from the project's VM runs
(selftests/vm/handoff-firmware.sh, handoff-tpm1.sh) and are kept as they are.
"""
import argparse
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(TOP, "corpus")
MKLOG = os.path.join(TOP, "..", "ima-replay", "mklog.py")

u32 = lambda v: struct.pack("<I", v)
u16 = lambda v: struct.pack("<H", v)
be32 = lambda v: struct.pack(">I", v)
be16 = lambda v: struct.pack(">H", v)


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def split(sizes=(), ctl=0):
    """fuzz.h's split prefix: ctl << 4 | len(sizes), then the sizes."""
    assert len(sizes) < 16 and ctl < 16
    return bytes([ctl << 4 | len(sizes)]) + bytes(sizes)


def mklog(kind, entries, seed):
    with tempfile.TemporaryDirectory() as t:
        out = os.path.join(t, "log")
        subprocess.run([sys.executable, MKLOG, "--kind", kind, "--seed", str(seed),
                        "--entries", str(entries), out], check=True)
        return open(out, "rb").read()


def ima_entry(pcr, template, data, digest=None):
    name = template.encode()
    if digest is None:
        digest = hashlib.sha1(data).digest()
    return u32(pcr) + digest + u32(len(name)) + name + u32(len(data)) + data


def ima_entries(log, n):
    """The first n entries of a binary log (non-"ima" templates)."""
    pos = 0
    for _ in range(n):
        nl = struct.unpack_from("<I", log, pos + 24)[0]
        dl = struct.unpack_from("<I", log, pos + 28 + nl)[0]
        pos += 28 + nl + 4 + dl
    return log[:pos]


def ima_seeds(real):
    ng3 = mklog("ima-ng", 3, 1)
    mixed = mklog("mixed", 18, 2)
    field = lambda b: u32(len(b)) + b
    buf = ima_entry(11, "ima-buf", field(b"sha256:\0" + bytes(32)) +
                    field(b"tpm_handoff\0") + field(b"tpm_handoff: 1\n"))
    viol = ima_entry(10, "ima-ng", field(b"sha1:\0" + bytes(20)) + field(b"/tmp/x\0"),
                     digest=bytes(20))
    for t in ("fuzz-ima-log", "fuzz-imalog-user"):
        put(t, "fab-empty", split())
        put(t, "fab-ima-ng-3", split() + ng3)
        put(t, "fab-ima-ng-3-bytewise", split([1]) + ng3)
        put(t, "fab-ima-ng-3-pieces", split([7, 0, 30, 100]) + ng3)
        put(t, "fab-mixed-18", split([64, 3]) + mixed)
        put(t, "fab-ima-buf-violation", split([29, 5]) + buf + viol)
        put(t, "fab-truncated", split() + ng3[:-5])
        if real:
            put(t, "vm-ima-sig", split([200]) + ima_entries(real, 6))
    # The kernel's parser takes empty template data; imalog.c refuses it.
    put("fuzz-ima-log", "fab-stop-data", split([13], ctl=2) + ng3)
    put("fuzz-ima-log", "fab-empty-data", split() + ima_entry(10, "ima-ng", b"") + ng3)
    put("fuzz-imalog-user", "fab-stop-2", split([13], ctl=2) + ng3)


def pcr_read_rsp(alg, size, pcrs, fill=None, select=3):
    mask = sum(1 << p for p in pcrs)
    body = be32(42) + be32(1) + be16(alg) + bytes([select]) + mask.to_bytes(select, "little")
    body += be32(len(pcrs))
    for p in pcrs:
        body += be16(size) + bytes([fill if fill is not None else p]) * size
    return be16(0x8001) + be32(10 + len(body)) + be32(0) + body


BANKS = [(0x4, 20), (0xb, 32), (0xc, 48), (0xd, 64)]


def rsp_prefix(banks, asked, mask=0x0400ff, fix_len=False):
    out = bytes([(len(banks) - 1) | asked << 3 | fix_len << 6])
    for alg, size in banks:
        out += be16(alg) + bytes([size - 1])
    return out + bytes([mask & 255, mask >> 8 & 255, mask >> 16])


def tpm_rsp_seeds():
    t = "fuzz-tpm-rsp"
    put(t, "fab-sha256-pcr0-10", rsp_prefix(BANKS[1:2], 0) +
        pcr_read_rsp(0xb, 32, [0, 10]))
    put(t, "fab-sha256-pcr0-10-fixlen", rsp_prefix(BANKS[1:2], 0, fix_len=True) +
        pcr_read_rsp(0xb, 32, [0, 10]))
    put(t, "fab-4banks-sha1-8pcrs", rsp_prefix(BANKS, 0) +
        pcr_read_rsp(0x4, 20, list(range(8))))
    put(t, "fab-4banks-sha512-pcr23", rsp_prefix(BANKS, 3, fix_len=True) +
        pcr_read_rsp(0xd, 64, [23]))
    # sizeofSelect 4: PCRs 24-31 exist in the format, not on a PC client TPM.
    put(t, "fab-sha1-select4", rsp_prefix(BANKS[:1], 0, fix_len=True) +
        pcr_read_rsp(0x4, 20, [3, 17], select=4))
    empty = be32(42) + be32(0) + be32(0)
    put(t, "fab-empty-selection", rsp_prefix(BANKS[:2], 1) +
        be16(0x8001) + be32(10 + len(empty)) + be32(0) + empty)
    put(t, "fab-tpm2-error", rsp_prefix(BANKS[:1], 0) +
        be16(0x8001) + be32(10) + be32(0x101))
    put(t, "fab-tpm1-pcrread", rsp_prefix(BANKS[:1], 0) +
        be16(0x00c4) + be32(30) + be32(0) + bytes(range(20)))
    put(t, "fab-tpm1-error", rsp_prefix(BANKS[:1], 0) +
        be16(0x00c4) + be32(10) + be32(0x9))


def ev12(pcr, typ, digest, data):
    return u32(pcr) + u32(typ) + digest + u32(len(data)) + data


def ev2(pcr, typ, digests, data):
    return (u32(pcr) + u32(typ) + u32(len(digests)) +
            b"".join(u16(alg) + d for alg, d in digests) + u32(len(data)) + data)


def specid(banks):
    spec = b"Spec ID Event03\0" + u32(0) + bytes([0, 2, 0, 2]) + u32(len(banks))
    spec += b"".join(u16(alg) + u16(sz) for alg, sz in banks) + b"\0"
    return ev12(0, 3, bytes(20), spec)


def digests(banks, data):
    names = {0x4: "sha1", 0xb: "sha256", 0xc: "sha384", 0xd: "sha512"}
    return [(alg, hashlib.new(names[alg], data).digest()) for alg, _ in banks]


def tcg_seeds(real_fw):
    t = "fuzz-tcg-log"
    banks = BANKS[:2]
    log = specid(banks)
    log += ev2(0, 3, [(a, bytes(s)) for a, s in banks], b"StartupLocality\0\x03")
    for pcr, typ, data in [(4, 5, b"Calling INT 19h"), (0, 8, b"1.16.2"),
                           (7, 4, b"\0\0\0\0"), (2, 6, b"\x01" * 9)]:
        log += ev2(pcr, typ, digests(banks, data), data)
    put(t, "fab-agile-locality-zerofill", log + bytes(64))
    one = specid(BANKS[1:2]) + ev2(0, 8, digests(BANKS[1:2], b"x"), b"x")
    put(t, "fab-agile-sha256-only", one)
    # An event with fewer digests than the log declares.
    put(t, "fab-agile-omit", specid(banks) + ev2(5, 1, digests(banks[1:], b"y"), b"y"))
    # The most algorithms the parser takes: the TCG registry's 8 hashes.
    algs8 = BANKS + [(0x12, 32), (0x27, 32), (0x28, 48), (0x29, 64)]
    put(t, "fab-agile-8-algs", specid(algs8) +
        ev2(7, 0x80000001, [(a, bytes([a]) * sz) for a, sz in algs8], b"z"))
    log12 = b""
    for pcr, typ, data in [(0, 8, b"SeaBIOS"), (4, 5, b"Calling INT 19h"),
                           (1, 4, b"\xff\xff\xff\xff")]:
        log12 += ev12(pcr, typ, hashlib.sha1(data).digest(), data)
    put(t, "fab-tpm12-end-event", log12 + ev12(0, 0, bytes(20), b"") + b"junk")
    if real_fw:
        shutil.copyfile(real_fw[0], os.path.join(CORPUS, t, "seabios-agile"))
        shutil.copyfile(real_fw[1], os.path.join(CORPUS, t, "seabios-tpm12"))


def vtpmd_seeds():
    t = "fuzz-vtpmd-req"
    getrandom = be16(0x8001) + be32(12) + be32(0x17b) + be16(8)
    page = u32(len(getrandom)) + bytes([1, 0, 0, 0]) + getrandom
    put(t, "fab-getrandom", b"\0" + page)
    put(t, "fab-getrandom-exact", b"\1" + page)
    put(t, "fab-extra-pages", b"\0" + u32(12) + bytes([1, 0, 0, 2]) + bytes(8) + getrandom)
    put(t, "fab-too-long", b"\1" + u32(4096) + bytes([1, 0, 0, 0]) + getrandom)
    put(t, "fab-no-room", b"\2" + u32(12) + bytes([1, 0, 0, 255]) + bytes(20))


def sessions_seeds():
    t = "fuzz-sessions"

    def cmd(tag, body):
        return be16(tag) + be32(10 + len(body)) + be32(0) + body

    def rsp(rc, body=b""):
        return be16(0x8001) + be32(10 + len(body)) + be32(rc) + body

    def x(kind, c, r):
        return bytes([kind, len(c)]) + c + bytes([len(r)]) + r

    null = be32(0x40000007)
    start = x(0, cmd(0x8001, null + null + be16(0) + be16(0) + b"\x01\x00\x10\x00\x0b"),
              rsp(0, be32(0x02000000)))
    pw = be32(0x40000009) + be16(0) + b"\x00" + be16(0)

    def sess(h, attrs=1):
        return be32(h) + be16(2) + b"ab" + bytes([attrs]) + be16(0)

    virt = 0x02800000
    hmac = x(5, cmd(0x8002, be32(0x80000001) + be32(11 + 11) + pw + sess(virt) + be16(1) + b"d"),
             rsp(0, be32(0)))
    stale = x(5, cmd(0x8002, be32(0x80000001) + be32(11) + sess(0x02000000)), rsp(0))
    ending = x(5, cmd(0x8002, be32(0x80000001) + be32(11) + sess(virt, 0)), rsp(0))
    flush = x(2, cmd(0x8001, be32(virt)), rsp(0))
    save = x(3, cmd(0x8001, be32(virt)), rsp(0, bytes(8)))
    load = x(1, cmd(0x8001, bytes(16)), rsp(0, be32(0x02000000)))
    getcap = x(6, cmd(0x8001, be32(1) + be32(0x02000000) + be32(64)),
               rsp(0, b"\x00" + be32(1) + be32(3) + be32(0x02000000) + be32(0x02000001) + be32(0x80000000)))
    put(t, "fab-start-hmac", start + hmac)
    put(t, "fab-stale", start + stale + flush)
    put(t, "fab-ending", start + ending + hmac)
    put(t, "fab-save-load", start + save + load + hmac)
    put(t, "fab-getcap", start + getcap)
    put(t, "fab-unknown", x(7, cmd(0x8001, be32(0x02000000)), rsp(0x143)))
    put(t, "fab-short", x(4, b"\x80\x01", b""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real-ima")
    ap.add_argument("--real-fw", nargs=2)
    a = ap.parse_args()
    real = open(a.real_ima, "rb").read() if a.real_ima else None
    ima_seeds(real)
    tpm_rsp_seeds()
    tcg_seeds(a.real_fw)
    vtpmd_seeds()
    sessions_seeds()


if __name__ == "__main__":
    main()
