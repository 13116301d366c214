#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fabricate an IMA binary measurement list for tests, and compute the PCRs
it must replay to, independently of tools/lib/imalog.c (Python hashlib).

  mklog.py [--kind mixed|ima-ng] [--seed S] [--entries N] [--bad-digest K]
           [--values FILE [--after K]] [--layout FILE] LOG

--kind mixed (default): ima-ng, ima-sig, ima-buf, a nameless template
  ("d-ng|n-ng"), legacy "ima" entries (one with a 255-byte and one with an
  empty file name), violations in both template styles, and entries for
  PCRs 11, 0 and 23 besides IMA's PCR 10.
--kind ima-ng: ima-ng only, PCR 10, with a few violations (evmctl's diet).
--values FILE: the values after the first K entries (default: all) in
  ima-replay's output format: "pcrP.<bank>: hex" (the bank's hash of the
  template data), "pcrP.<bank>.padded-sha1: hex" (the SHA-1 template digest
  zero-padded), "entries: K"; only for PCRs the whole log has entries for.
--layout FILE: one line per entry: "num start name data_len data end pcr":
  the byte offsets of the entry, its template name, its template data
  length field (for "ima": the file digest) and its data, and of its end;
  then its PCR.
--bad-digest K: flip a bit of entry K's template digest (1-based).
"""
import argparse
import hashlib
import random
import struct
import sys

BANKS = [("sha1", 20), ("sha256", 32), ("sha384", 48), ("sha512", 64)]
if "sm3" in hashlib.algorithms_available:
    BANKS.append(("sm3_256", 32))


def h(bank, data):
    return hashlib.new("sm3" if bank == "sm3_256" else bank, data).digest()


def field(b):
    return struct.pack("<I", len(b)) + b


def d_ng(algo, digest):
    return field(algo.encode() + b":\0" + digest)


def n_ng(name):
    return field(name.encode() + b"\0")


class Entry:
    def __init__(self, pcr, template, data, violation=False, ima_name=None):
        self.pcr, self.template, self.violation = pcr, template, violation
        self.data = data            # template data as the log holds it
        self.ima_name = ima_name    # "ima" template: (file digest, name)

    def hashed(self):
        """The bytes IMA hashes (ima_calc_field_array_hash_tfm)."""
        if self.ima_name is None:
            return self.data
        digest, name = self.ima_name
        return digest + name.ljust(256, b"\0")

    def template_digest(self):
        if self.violation:
            return b"\0" * 20
        return hashlib.sha1(self.hashed()).digest()

    def serialise(self):
        name = self.template.encode()
        out = struct.pack("<I", self.pcr) + self.template_digest()
        out += struct.pack("<I", len(name)) + name
        lay = [0, len(out) - len(name)]
        if self.ima_name is None:
            lay.append(len(out))
            out += struct.pack("<I", len(self.data))
            lay.append(len(out))
            out += self.data
        else:
            lay += [len(out), len(out)]
            digest, fname = self.ima_name
            out += digest + struct.pack("<I", len(fname)) + fname
        return out, lay


def rand_name(rng, n=None):
    n = n or rng.randint(5, 60)
    return "/" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz/._-")
                         for _ in range(n - 1))


def ima_ng(rng, pcr=10, template="ima-ng", name=None, violation=False):
    algo, size = rng.choice([("sha256", 32), ("sha256", 32), ("sha1", 20),
                             ("sha512", 64)])
    digest = b"\0" * size if violation else rng.randbytes(size)
    data = d_ng(algo, digest) + n_ng(name or rand_name(rng))
    if template == "ima-sig":
        data += field(rng.randbytes(rng.choice([0, 0, 72, 264])))
    elif template == "ima-buf":
        data += field(rng.randbytes(rng.randint(1, 300)))
    return Entry(pcr, template, data, violation)


def ima_legacy(rng, pcr=10, name=None, violation=False):
    fname = (rand_name(rng) if name is None else name).encode()
    digest = b"\0" * 20 if violation else rng.randbytes(20)
    return Entry(pcr, "ima", field(digest) + field(fname), violation,
                 (digest, fname))


def make(kind, n, rng):
    es = [ima_ng(rng, name="boot_aggregate")]
    while len(es) < n:
        i = len(es)
        if kind == "ima-ng":
            es.append(ima_ng(rng, violation=(i % 11 == 5)))
            continue
        r = i % 17
        if r == 3:
            es.append(ima_ng(rng, violation=True))
        elif r == 5:
            es.append(ima_legacy(rng))
        elif r == 7:
            es.append(ima_ng(rng, pcr=11, template="ima-buf"))
        elif r == 9:
            es.append(ima_ng(rng, template="d-ng|n-ng"))
        elif r == 11:
            es.append(ima_ng(rng, template="ima-sig"))
        elif r == 13:
            es.append(ima_ng(rng, pcr=rng.choice([0, 23, 11])))
        elif r == 15:
            es.append(ima_ng(rng, template="ima-buf"))
        else:
            es.append(ima_ng(rng))
    if kind == "mixed" and n >= 8:
        # the edges of the "ima" template, and a violation in it
        es[2] = ima_legacy(rng, name="x" * 255)
        es[4] = ima_legacy(rng, name="")
        es[6] = ima_legacy(rng, pcr=11, violation=True)
    return es


def replay(es, after):
    zero = {b: bytes(s) for b, s in BANKS}
    val = {}
    for e in es[:after]:
        for b, size in BANKS:
            if e.violation:
                th = pad = b"\xff" * size
            else:
                th = h(b, e.hashed())
                pad = e.template_digest().ljust(size, b"\0")
            for interp, d in (("", th), (".padded-sha1", pad)):
                k = (e.pcr, b, interp)
                val[k] = h(b, val.get(k, zero[b]) + d)
    out = []
    for p in sorted({e.pcr for e in es}):
        for interp in ("", ".padded-sha1"):
            for b, size in BANKS:
                if b == "sha1" and interp:
                    continue
                out.append("pcr%d.%s%s: %s" % (p, b, interp,
                                               val.get((p, b, interp), zero[b]).hex()))
    out.append("entries: %d" % after)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=["mixed", "ima-ng"], default="mixed")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--entries", type=int, default=60)
    ap.add_argument("--bad-digest", type=int)
    ap.add_argument("--values")
    ap.add_argument("--after", type=int)
    ap.add_argument("--layout")
    ap.add_argument("log")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    es = make(a.kind, a.entries, rng) if a.entries else []
    blob, lay = bytearray(), []
    for i, e in enumerate(es, 1):
        b, l = e.serialise()
        if a.bad_digest == i:
            b = bytearray(b)
            b[4] ^= 0x01
        lay.append([i] + [len(blob) + x for x in l] + [len(blob) + len(b), e.pcr])
        blob += b
    with open(a.log, "wb") as f:
        f.write(blob)
    if a.layout:
        with open(a.layout, "w") as f:
            f.writelines(" ".join(map(str, l)) + "\n" for l in lay)
    if a.values:
        after = len(es) if a.after is None else a.after
        if after > len(es):
            sys.exit("mklog.py: --after %d > %d entries" % (after, len(es)))
        with open(a.values, "w") as f:
            f.write(replay(es, after))


if __name__ == "__main__":
    main()
