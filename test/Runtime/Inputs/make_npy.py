#!/usr/bin/env python3
# Writes the .npy files of the seqmix-run tests, valid and malformed, with
# the standard library only (the lit environment need not have numpy).
#
#   make_npy.py array OUT DESCR SHAPE VALUES [--version=V] [--append]
#       one array: SHAPE like 2x3 (or "" for a scalar), VALUES comma-separated
#       (bf16 values are given as numbers and stored as '<u2' bit patterns
#       when DESCR is bf16)
#   make_npy.py bad KIND OUT
#       a malformed file; KIND is one of the names in BAD below
#   make_npy.py axpy DIR N SEED
#       DIR/x.npy, DIR/y.npy (random f32 [N, 4]) and DIR/ref.npy (f64 2x + y)
#   make_npy.py bf16 DIR B T SEED
#       DIR/x.npy (random bf16 [B, T, 4, 8] as '<u2'), DIR/y_ref.npy (2x, as
#       '<u2') and DIR/sq_ref.npy (f64 sum of x^2 per batch)

import random
import struct
import sys

FORMATS = {"<f2": "e", "<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q",
           "<u2": "H", "|u1": "B", "|b1": "?", "<i2": "h", "|i1": "b",
           "<u4": "I", "<u8": "Q"}


def header(descr, shape, version=1, fortran=False, extra=""):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), %s}" % (
        descr, "True" if fortran else "False", dims, extra)
    size_bytes = 2 if version == 1 else 4
    prefix = 6 + 2 + size_bytes
    total = (prefix + len(text) + 1 + 63) // 64 * 64
    text = text + " " * (total - prefix - len(text) - 1) + "\n"
    length = struct.pack("<H" if version == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + length + text.encode("latin1")


def raw_header(text):
    text = text + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text


def bf16_bits(value):
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    bits += 0x7FFF + ((bits >> 16) & 1)
    return (bits >> 16) & 0xFFFF


def bf16_value(bits):
    return struct.unpack("<f", struct.pack("<I", bits << 16))[0]


def f32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def data(descr, values):
    if descr == "bf16":
        return struct.pack("<%dH" % len(values), *[bf16_bits(v) for v in values])
    fmt = FORMATS[descr]
    if fmt in "bBhHiIqQ":
        values = [int(v) for v in values]
    return struct.pack("<%d%s" % (len(values), fmt), *values)


def write(path, blob, append=False):
    with open(path, "ab" if append else "wb") as f:
        f.write(blob)


def array(path, descr, shape, values, version=1, append=False):
    stored = "<u2" if descr == "bf16" else descr
    write(path, header(stored, shape, version) + data(descr, values), append)


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


BAD = {
    "empty": lambda: b"",
    "magic": lambda: b"PK\x03\x04 this is a zip file, not .npy" + b"\0" * 64,
    "short-magic": lambda: b"\x93NUM",
    "version": lambda: header("<f4", [2]).replace(b"NUMPY\x01", b"NUMPY\x07")
    + data("<f4", [1, 2]),
    "truncated-header": lambda: header("<f4", [2])[:30],
    "header-length": lambda: b"\x93NUMPY\x02\x00" + struct.pack("<I", 0x7FFFFFFF)
    + b"{",
    "bad-dict": lambda: b"\x93NUMPY\x01\x00" + struct.pack("<H", 16)
    + b"{'descr': '<f4' ",
    "not-dict": lambda: b"\x93NUMPY\x01\x00" + struct.pack("<H", 8)
    + b"[1, 2]\n ",
    "no-shape": lambda: raw_header(b"{'descr': '<f4', 'fortran_order': False}"),
    "negative-shape": lambda: header("<f4", [-2]),
    "truncated-data": lambda: header("<f4", [3, 4]) + data("<f4", [1] * 5),
    "fortran": lambda: header("<f4", [2, 2], fortran=True)
    + data("<f4", [1, 2, 3, 4]),
    "big-endian": lambda: header(">f4", [2]) + struct.pack(">2f", 1, 2),
    "complex": lambda: header("<c8", [2]) + b"\0" * 16,
    "object": lambda: header("|O", [2]) + b"\0" * 16,
    "structured": lambda: raw_header(
        b"{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, "
        b"'shape': (2,), }") + b"\0" * 16,
}


def main(argv):
    kind = argv[1]
    if kind == "array":
        path, descr, shape_text, values_text = argv[2:6]
        flags = argv[6:]
        version = 1
        append = "--append" in flags
        for flag in flags:
            if flag.startswith("--version="):
                version = int(flag.split("=")[1])
        shape = [int(d) for d in shape_text.split("x")] if shape_text else []
        values = [float(v) for v in values_text.split(",")] if values_text else []
        if len(values) == 1 and numel(shape) != 1:
            values = values * numel(shape)
        array(path, descr, shape, values, version, append)
    elif kind == "bad":
        write(argv[3], BAD[argv[2]]())
    elif kind == "axpy":
        out, n, seed = argv[2], int(argv[3]), int(argv[4])
        rng = random.Random(seed)
        x = [f32(rng.uniform(-1, 1)) for _ in range(4 * n)]
        y = [f32(rng.uniform(-1, 1)) for _ in range(4 * n)]
        array(out + "/x.npy", "<f4", [n, 4], x)
        array(out + "/y.npy", "<f4", [n, 4], y)
        array(out + "/ref.npy", "<f8", [n, 4], [2 * a + b for a, b in zip(x, y)])
    elif kind == "bf16":
        out, b, t, seed = argv[2], int(argv[3]), int(argv[4]), int(argv[5])
        rng = random.Random(seed)
        x = [bf16_value(bf16_bits(rng.uniform(-1, 1))) for _ in range(b * t * 32)]
        array(out + "/x.npy", "bf16", [b, t, 4, 8], x)
        array(out + "/y_ref.npy", "bf16", [b, t, 4, 8], [2 * v for v in x])
        per = t * 32
        sq = [sum(v * v for v in x[i * per:(i + 1) * per]) for i in range(b)]
        array(out + "/sq_ref.npy", "<f8", [b], sq)
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main(sys.argv)
