"""Numerics of compiled CPU libraries against the float64 oracle.

Every family × every form that applies to it × {f32, bf16} is compiled once
with seqmix-compile (dynamic batch and sequence lengths: one library serves
all cases) and run on random inputs through python/seqmix/runtime.py:
T ∈ {1, < chunk, not a multiple of the chunk, 4·chunk + 3}, without and with
an initial state, with the final state, grouped value heads, and three
packed sequences of uneven length. The bound is the relative L2 error
‖o − ref‖ / ‖ref‖ per output: 1e-5 in f32, 1e-2 with bf16 inputs.
"""
import os
import subprocess
import zlib

import numpy as np
import pytest

import cpu_cases as cases
from seqmix import reference as ref
from seqmix.runtime import Library

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build"))
COMPILE = os.path.join(BUILD, "bin", "seqmix-compile")
TOLERANCE = {"f32": 1e-5, "bf16": 1e-2}
LENGTHS = (1, cases.CHUNK // 2 - 1, 2 * cases.CHUNK + 5, 4 * cases.CHUNK + 3)
PACKED = [0, 5, 6, 2 * cases.CHUNK + 5]  # three uneven sequences
COVERED = set()

pytestmark = pytest.mark.skipif(not os.path.exists(COMPILE), reason="seqmix-compile is not built")

PARAMS = [(f, form, dt) for f in cases.FAMILIES for form in cases.forms_of(f) for dt in ("f32", "bf16")]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    root = tmp_path_factory.mktemp("libs")
    libs = {}

    def get(family, form, dtype):
        key = (family, form, dtype)
        if key not in libs:
            src = root / ("%s-%s-%s.mlir" % key)
            so = root / ("%s-%s-%s.so" % key)
            src.write_text(cases.module(family, form, dtype))
            run = subprocess.run([COMPILE, str(src), "--target=cpu", "-o", str(so)], capture_output=True, text=True)
            assert run.returncode == 0, run.stderr
            libs[key] = Library(str(so))
        return libs[key]

    return get


def _decode(a, dtype):
    return ref.from_bf16_bits(a).astype(np.float64) if a.dtype == np.uint16 else a.astype(np.float64)


def _check(outputs, expected, dtype, what):
    o, st = expected
    got = [_decode(x, dtype) for x in outputs]
    refs = [o] + ([st] if st is not None else [])
    assert len(got) == len(refs), what
    for i, (g, r) in enumerate(zip(got, refs)):
        assert g.shape == r.shape, "%s output %d: shape %s, expected %s" % (what, i, g.shape, r.shape)
        assert not np.isnan(g).any(), "%s output %d has NaN (unwritten elements?)" % (what, i)
        err = np.linalg.norm(g - r) / max(np.linalg.norm(r), 1e-30)
        tol = TOLERANCE[dtype]
        assert err < tol, "%s output %d: relative L2 error %.3g >= %g (max abs %.3g)" % (
            what, i, err, tol, np.abs(g - r).max())


@pytest.mark.parametrize("family,form,dtype", PARAMS, ids=["-".join(p) for p in PARAMS])
def test_numerics(compiled, family, form, dtype):
    lib = compiled(family, form, dtype)
    rng = np.random.default_rng(zlib.crc32(("%s/%s/%s" % (family, form, dtype)).encode()))
    for variant in cases.variants_of(family):
        fn = lib[variant]
        lengths = [PACKED[-1]] if variant == "varlen" else LENGTHS
        for T in lengths:
            cu = PACKED if variant == "varlen" else None
            feed, expected = cases.make_inputs(rng, family, dtype, variant, T, cu)
            outputs = fn(*feed)
            _check(outputs, expected, dtype, "%s/%s/%s/%s T=%d" % (family, form, dtype, variant, T))
    COVERED.add((family, form))
