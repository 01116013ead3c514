"""bench/gpu_prefill.py without a GPU.

* The modules it writes parse, and seqmix-select-form picks the carry the cost model should pick
  at the benchmark shapes (onchip with many CTAs, segments for one long sequence).
* A dry run of both steps at small shapes: `build --chip cpu` compiles the same modules for the
  CPU, and `run` executes against a numpy stand-in for torch (below) and stand-in peers, so that
  the whole path (manifest, metadata checks, operand order, Mamba2's variants, the float64 oracle
  check, records, JSON) runs with real compiled code. The stand-in peers compute the oracle, so the
  checks compare our CPU libraries with the float64 reference: this also checks that the Mamba2
  module (g = A dt, dt, scale 1, + D x) computes what mamba_chunk_scan_combined(..., D=D) does.
"""
import argparse
import contextlib
import importlib.util
import json
import os
import sys
import time
import types

import numpy as np
import pytest

from seqmix import reference

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build"))
BINDIR = os.path.join(BUILD, "bin")

pytestmark = pytest.mark.skipif(not all(os.path.exists(os.path.join(BINDIR, t)) for t in ("seqmix-compile", "seqmix-opt")),
                                reason="seqmix-compile / seqmix-opt are not built")


def _load():
    spec = importlib.util.spec_from_file_location("gpu_prefill", os.path.join(ROOT, "bench", "gpu_prefill.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gp = _load()


# ---------------------------------------------------------------------------
# The cost model's choice at the benchmark shapes


@pytest.mark.parametrize("op,shape", [(op, s) for op in gp.OPS for s in gp.SHAPES[op]])
def test_select_form(op, shape, tmp_path):
    src = tmp_path / "m.mlir"
    src.write_text(gp.module_text(op, shape, "sm_90a"))
    form, remark, error = gp.select_form(BINDIR, str(src))
    assert error is None, error
    assert form.startswith("#seqmix.form<chunked, chunk = 64")
    assert remark.startswith("chose " + form + " on sm_90a")
    B, T, H = shape[:3]
    V = shape[3] if op == "mamba2" else shape[4]
    ctas = B * H * (V // 64)
    if ctas >= 132:
        assert "carry = onchip" in form
    if (B, T) == (1, 65536):
        assert "carry = segments" in form


def test_pinned_form_remark(tmp_path):
    src = tmp_path / "m.mlir"
    form = "#seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>"
    src.write_text(gp.module_text("mamba2", (None, None, 64, 64, 128, 1), "sm_90a", form=form))
    got, remark, error = gp.select_form(BINDIR, str(src))
    assert (got, error) == (form, None)
    assert remark == "keeps the form given: " + form


def test_floor():
    # anchors-h100.md: 537 MB at 3.0 TB/s = 0.179 ms; Mamba2 as peers.py counts its bytes.
    assert round(gp.floor_ms("linear_attn", (8, 4096, 16, 128, 128)), 3) == 0.179
    B, T, H, P, N, G = 8, 4096, 64, 64, 128, 1
    nb = 2 * B * T * H * P * 2 + 2 * B * T * G * N * 2 + 4 * B * T * H
    assert gp.floor_ms("mamba2", (B, T, H, P, N, G)) == pytest.approx(nb / 3.0e9)


# ---------------------------------------------------------------------------
# A numpy stand-in for the part of torch that gpu_prefill.run uses. bf16 tensors hold their uint16
# bit patterns, so that data_ptr() gives the compiled libraries what a CUDA bf16 tensor would.


class _DType:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name


bfloat16, float32 = _DType("bfloat16"), _DType("float32")


class FakeTensor:
    def __init__(self, a, dtype=float32):
        self.dtype = dtype
        a = reference.bf16_bits(a) if dtype is bfloat16 else np.asarray(a, np.float32)
        self.a = np.require(a, requirements="C")  # (np.ascontiguousarray makes a 0-d array 1-d)

    def _v(self):
        return reference.from_bf16_bits(self.a) if self.dtype is bfloat16 else self.a

    shape = property(lambda self: tuple(self.a.shape))
    is_cuda = True

    def is_contiguous(self):
        return self.a.flags.c_contiguous

    def data_ptr(self):
        return self.a.ctypes.data

    def float(self):
        return FakeTensor(self._v(), float32)

    def bfloat16(self):
        return FakeTensor(self._v(), bfloat16)

    def contiguous(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        if self.dtype is bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self.a

    def fill_(self, x):
        self.a[...] = reference.bf16_bits(np.float32(x)) if self.dtype is bfloat16 else x
        return self

    def __float__(self):
        return float(self._v())

    def _op(f):
        return lambda self, o: FakeTensor(f(self._v(), o._v() if isinstance(o, FakeTensor) else o))

    __add__ = _op(lambda a, b: a + b)
    __sub__ = _op(lambda a, b: a - b)
    __rsub__ = _op(lambda a, b: b - a)
    __mul__ = _op(lambda a, b: a * b)
    __rmul__ = __mul__
    __truediv__ = _op(lambda a, b: a / b)

    def __neg__(self):
        return FakeTensor(-self._v())


class _Gen:
    def __init__(self, device=None):
        self.rng = np.random.default_rng(0)

    def manual_seed(self, seed):
        self.rng = np.random.default_rng(seed)
        return self


class _Event:
    def __init__(self, enable_timing=False):
        self.t = None

    def record(self):
        self.t = time.perf_counter()

    def elapsed_time(self, end):
        return (end.t - self.t) * 1e3


def fake_torch():
    t = types.ModuleType("torch")
    t.__version__ = "numpy-stand-in"
    t.bfloat16, t.float32 = bfloat16, float32
    t.Generator = _Gen
    t.manual_seed = lambda seed: None
    t.no_grad = contextlib.nullcontext
    gen = lambda g: (g or _Gen()).rng
    t.randn = lambda *s, device=None, dtype=float32, generator=None: FakeTensor(gen(generator).standard_normal(s), dtype)
    t.rand = lambda *s, device=None, dtype=float32, generator=None: FakeTensor(gen(generator).random(s), dtype)
    t.zeros = lambda *s, device=None, dtype=float32: FakeTensor(np.zeros(s), dtype)
    t.arange = lambda n, device=None, dtype=float32: FakeTensor(np.arange(n), dtype)
    t.empty_like = lambda x: FakeTensor(np.zeros(x.shape), x.dtype)
    t.log = lambda x: FakeTensor(np.log(x._v()))
    t.pow = lambda b, e: FakeTensor(np.power(b, e._v()))

    def mul(a, b, out):
        out.a[...] = a._v() * b._v()
        return out
    t.mul = mul
    F = types.SimpleNamespace(
        normalize=lambda x, dim: FakeTensor(x._v() / np.maximum(np.linalg.norm(x._v(), axis=dim, keepdims=True), 1e-12)),
        logsigmoid=lambda x: FakeTensor(-np.logaddexp(0, -x._v())),
        softplus=lambda x: FakeTensor(np.logaddexp(0, x._v())))
    t.nn = types.SimpleNamespace(functional=F)
    t.linalg = types.SimpleNamespace(vector_norm=lambda x: FakeTensor(np.linalg.norm(x._v().astype(np.float64))))
    t.cuda = types.SimpleNamespace(get_device_name=lambda: "NVIDIA FakeGPU (numpy stand-in)",
                                   current_stream=lambda: types.SimpleNamespace(cuda_stream=0),
                                   synchronize=lambda: None, empty_cache=lambda: None, Event=_Event)
    return t


def _f64(x):
    return x._v().astype(np.float64)


def fake_peers(calls):
    """Peers that compute the float64 oracle (rounded to bf16) and record how they were called."""

    def out(y):
        return FakeTensor(y, bfloat16)

    def ssd(x, dt, A, B, C, chunk_size, D=None, **kw):
        calls.append(("ssd", chunk_size, D is not None, sorted(kw)))
        return out(reference.ssd(_f64(x), _f64(dt), _f64(A), _f64(B), _f64(C), D=None if D is None else _f64(D))[0])

    def chunk_linear_attn(q, k, v, normalize):
        calls.append(("linear_attn", normalize))
        return out(reference.linear_attn(_f64(q), _f64(k), _f64(v))[0]), None

    def chunk_simple_gla(q, k, v, g=None, g_gamma=None):
        calls.append(("simple_gla", g is not None, g_gamma is not None))
        kw = {"g": _f64(g)} if g is not None else {"g_gamma": _f64(g_gamma)}
        return out(reference.simple_gla(_f64(q), _f64(k), _f64(v), **kw)[0]), None

    fla = types.SimpleNamespace(chunk_linear_attn=chunk_linear_attn, chunk_simple_gla=chunk_simple_gla)
    return {"fla": fla, "mamba_chunk_scan_combined": ssd}


@pytest.fixture
def small(monkeypatch):
    """Small shapes and a CPU Ours."""
    linear = [(2, 70, 2, 64, 64), (1, 130, 2, 64, 64)]
    mamba2 = [(2, 70, 4, 16, 32, 2), (1, 130, 4, 16, 32, 1)]
    monkeypatch.setattr(gp, "LINEAR_SHAPES", linear)
    monkeypatch.setattr(gp, "MAMBA2_SHAPES", mamba2)
    monkeypatch.setattr(gp, "SHAPES", dict({op: linear for op in gp.LINEAR_OPS}, mamba2=mamba2))
    monkeypatch.setattr(gp, "CHECK_BT", (2, 37))

    def cpu_init(self, path):
        from seqmix.runtime import Library
        self.lib = Library(path)
        self.fn = self.lib["forward"]
    monkeypatch.setattr(gp.Ours, "__init__", cpu_init)
    monkeypatch.setitem(sys.modules, "torch", fake_torch())


def _build(tmp_path, ops=gp.OPS):
    args = argparse.Namespace(chip="cpu", bindir=BINDIR, libdir=str(tmp_path / "libs"), ops=ops, strict=True)
    assert gp.build(args) == 0
    with open(tmp_path / "libs" / gp.MANIFEST) as f:
        return json.load(f)


def _run(tmp_path, monkeypatch, calls, ops=gp.OPS):
    monkeypatch.setattr(gp, "load_peers", lambda ops: fake_peers(calls))
    args = argparse.Namespace(libdir=str(tmp_path / "libs"), ops=ops, out=str(tmp_path / "out"), results="",
                              warmup=1, reps=3, skip_checks=False)
    assert gp.run(args) == 0
    (name,) = os.listdir(tmp_path / "out")
    with open(tmp_path / "out" / name) as f:
        return json.load(f)


REQUIRED = {"op", "shape", "dtype", "device", "ours_ms", "ours_min_ms", "ours_max_ms", "peer", "peer_ms",
            "peer_min_ms", "peer_max_ms", "floor_ms", "command", "form", "remark"}


def test_dry_run(small, tmp_path, monkeypatch, capsys):
    manifest = _build(tmp_path)
    bench = [e for e in manifest["entries"] if e["kind"] == "bench"]
    assert len(bench) == 3 * 2 + 2 and all(e["built"] and e["form"] and e["remark"] for e in bench)
    assert all(e["variant"] == "module" for e in bench)
    calls = []
    result = _run(tmp_path, monkeypatch, calls)
    out = capsys.readouterr().out
    assert "CHECK FAILED" not in out and "MISMATCH" not in out and "SKIP" not in out
    checks = result["checks"]
    assert {c["op"] for c in checks} == set(gp.OPS) and all(c["ok"] for c in checks), checks
    for c in checks:  # the CPU libraries against the float64 oracle on bf16 inputs
        assert c["ours_rel_l2"] < 1e-2
    records = result["records"]
    assert len(records) == len(bench) and not result["skipped"]
    for r in records:
        assert REQUIRED <= set(r), r
        assert r["vs_peer_rel_l2"] < 1e-2 and r["checked"] is True
    assert ("ssd", 256, True, []) in calls  # chunk 256, D given, no z / dt_bias / softplus
    assert ("linear_attn", False) in calls and ("simple_gla", True, False) in calls
    assert ("simple_gla", False, True) in calls


def test_dry_run_g_input_variant(small, tmp_path, monkeypatch, capsys):
    # When seqmix-compile rejects the module variant, build falls back to g as an input; run then
    # computes g = A dt with torch in the timed call. Force the fallback by failing the first variant.
    compile_library = gp.compile_library

    def reject_module(bindir, chip, src, lib, mma="auto", extra=()):
        if "ginput" not in src:
            return False, "seqmix-compile " + src, "seqmix-compile exit 1: rejected for the test"
        return compile_library(bindir, chip, src, lib, mma, extra)
    monkeypatch.setattr(gp, "compile_library", reject_module)
    args = argparse.Namespace(chip="cpu", bindir=BINDIR, libdir=str(tmp_path / "libs"), ops=("mamba2",), strict=False)
    assert gp.build(args) == 0
    out = capsys.readouterr().out
    assert "REJECTED" in out and "variant module" in out and "(variant g_input)" in out
    with open(tmp_path / "libs" / gp.MANIFEST) as f:
        manifest = json.load(f)
    assert all(e["built"] and e["variant"] == "g_input" for e in manifest["entries"])
    result = _run(tmp_path, monkeypatch, [], ops=("mamba2",))
    assert len(result["checks"]) == 2 and all(c["ok"] and c["variant"] == "g_input" for c in result["checks"])
    assert len(result["records"]) == 2
    assert all(r["variant"] == "g_input" and r["vs_peer_rel_l2"] < 1e-2 for r in result["records"])


def test_dry_run_skips_what_was_not_built(small, tmp_path, monkeypatch, capsys):
    compile_library = gp.compile_library

    def reject_long(bindir, chip, src, lib, mma="auto", extra=()):
        if "_b1_t130_" in src or "check" in src and "retnet" in src:
            return False, "seqmix-compile " + src, "seqmix-compile exit 1: rejected for the test"
        return compile_library(bindir, chip, src, lib, mma, extra)
    monkeypatch.setattr(gp, "compile_library", reject_long)
    args = argparse.Namespace(chip="cpu", bindir=BINDIR, libdir=str(tmp_path / "libs"), ops=("retnet", "mamba2"),
                              strict=True)
    assert gp.build(args) == 1  # --strict: something was rejected
    out = capsys.readouterr().out
    assert out.count("REJECTED retnet (1, 130, 2, 64, 64)") == 1
    result = _run(tmp_path, monkeypatch, [], ops=("retnet", "mamba2"))
    out = capsys.readouterr().out
    assert "SKIP retnet (1, 130, 2, 64, 64)" in out and "SKIP mamba2 (1, 130, 4, 16, 32, 1)" in out
    assert "SKIP retnet check h2_k64_v64" in out
    assert {(s["op"], s["kind"]) for s in result["skipped"]} == {("retnet", "bench"), ("mamba2", "bench"),
                                                                 ("retnet", "check")}
    assert {(r["op"], tuple(r["shape"])) for r in result["records"]} == {("retnet", (2, 70, 2, 64, 64)),
                                                                         ("mamba2", (2, 70, 4, 16, 32, 2))}
    assert [r["checked"] for r in result["records"] if r["op"] == "retnet"] == [None]
