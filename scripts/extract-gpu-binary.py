#!/usr/bin/env python3
"""Extracts the payload of a gpu.binary from textual MLIR.

gpu-module-to-binary stores the compiled module (PTX text with format=isa, a
cubin with format=bin) as a string attribute of a #gpu.object: printable
characters as themselves, a backslash as `\\\\`, any other byte as `\\XX` (two
hex digits). This script undoes that escaping and writes the bytes.

    seqmix-opt in.mlir --seqmix-to-nvvm-pipeline=format=isa \\
        | scripts/extract-gpu-binary.py -o kernels.ptx
    scripts/extract-gpu-binary.py out.mlir --binary seqmix_kernels -o k.cubin

With several gpu.binary ops, --binary picks one by name (the first is taken
otherwise); --list prints the names. Only the first #gpu.object of a binary
is extracted.
"""

import argparse
import re
import sys

_BINARY = re.compile(r"gpu\.binary\s+@([\w$.-]+)")
_PAYLOAD = re.compile(r"\b(?:assembly|bin|object)\s*=\s*\"")


def unescape(text, start):
    """Decodes the MLIR string literal whose body begins at text[start]."""
    out = bytearray()
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return bytes(out)
        if c == "\\":
            nxt = text[i + 1]
            if nxt in '\\"':
                out.append(ord(nxt))
                i += 2
            else:
                out.append(int(text[i + 1:i + 3], 16))
                i += 3
            continue
        out += c.encode("utf-8")
        i += 1
    raise ValueError("unterminated string literal in the gpu.binary")


def find_binaries(text):
    """Yields (name, payload bytes) for every gpu.binary in `text`."""
    matches = list(_BINARY.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        payload = _PAYLOAD.search(text, match.end(), end)
        if payload is None:
            continue
        yield match.group(1), unescape(text, payload.end())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", default="-",
                        help="textual MLIR with gpu.binary ops (- for stdin)")
    parser.add_argument("-o", "--output", default="-",
                        help="where to write the payload (- for stdout)")
    parser.add_argument("--binary", help="name of the gpu.binary to extract")
    parser.add_argument("--list", action="store_true",
                        help="list the gpu.binary names and payload sizes")
    args = parser.parse_args(argv)

    if args.input == "-":
        text = sys.stdin.read()
    else:
        with open(args.input, encoding="utf-8") as f:
            text = f.read()
    binaries = list(find_binaries(text))
    if args.list:
        for name, payload in binaries:
            print(f"{name}\t{len(payload)} bytes")
        return 0
    if args.binary:
        binaries = [b for b in binaries if b[0] == args.binary]
    if not binaries:
        what = f"no gpu.binary @{args.binary}" if args.binary else "no gpu.binary"
        print(f"extract-gpu-binary: {what} with a payload in {args.input}",
              file=sys.stderr)
        return 1
    payload = binaries[0][1]
    if args.output == "-":
        sys.stdout.buffer.write(payload)
    else:
        with open(args.output, "wb") as f:
            f.write(payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
