"""The oracle and harness of the GPU correctness tests (test/device/).

* test/device/oracle.py's chunked float64 scan (the oracle of the T = 65536
  cases) against python/seqmix/reference.py's token loops at small T: every
  family, with and without an initial state, grouped heads, packed sequences
  (one of them empty), chunks of several sizes (T a multiple of the chunk,
  shorter, longer);
* its fast bf16 rounding against reference.bf16_round;
* build.py's modules and check.py end to end on the CPU: one library per
  family compiled with --target=cpu, one case each through check.py --cpu,
  and a library computing the wrong thing must fail.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from seqmix import reference as ref

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GPU_TESTS = os.path.join(ROOT, "test", "device")
sys.path.insert(0, GPU_TESTS)
import oracle  # noqa: E402

BUILD = os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build"))
COMPILE = os.path.join(BUILD, "bin", "seqmix-compile")
FAMILIES = ("linear_attn", "retnet", "simple_gla", "mamba2")


def _case(family, T, init, grouped, packed, K=8, V=4, Hv=4, dtype="f32"):
    H = 2 if grouped else Hv
    lengths = None
    B = 2
    if packed:
        B = 1
        lengths = [T // 3, 0, T - T // 3]
    return {"id": "%s-%d-%d-%d-%d" % (family, T, init, grouped, packed), "family": family, "dtype": dtype, "B": B,
            "T": T, "H": H, "Hv": Hv, "K": K, "V": V, "init": init, "grouped": grouped, "packed": packed,
            "final": True, "lengths": lengths}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("init", [False, True])
@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("packed", [False, True])
def test_chunked_oracle_matches_reference(family, init, grouped, packed):
    for T, chunk in ((1, 4), (13, 4), (16, 4), (13, 32), (40, 16)):
        case = _case(family, T, init, grouped, packed)
        x = oracle.make_inputs(case)
        want_o, want_s = oracle.reference_oracle(case, x, ref)
        got_o, got_s = oracle.chunked_oracle(case, x, chunk=chunk)
        assert got_o.shape == want_o.shape and got_s.shape == want_s.shape
        assert oracle.rel_l2(got_o, want_o) < 1e-12, (T, chunk)
        assert oracle.rel_l2(got_s, want_s) < 1e-12, (T, chunk)


def test_chunked_scan_threads():
    """Heads split unevenly over threads give the same result as one thread."""
    case = _case("simple_gla", 40, True, True, True, Hv=8)
    x = oracle.make_inputs(case)
    one = oracle.chunked_oracle(case, x, chunk=16, workers=1)
    three = oracle.chunked_oracle(case, x, chunk=16, workers=3)
    np.testing.assert_array_equal(one[0], three[0])
    np.testing.assert_array_equal(one[1], three[1])


def test_chunked_scan_decays_strongly():
    """Large negative gates (exp underflows to 0 across a chunk) stay finite."""
    rng = np.random.default_rng(0)
    B, T, H, K, V = 1, 50, 2, 4, 3
    q, k, v = rng.standard_normal((B, T, H, K)), rng.standard_normal((B, T, H, K)), rng.standard_normal((B, T, H, V))
    g = -rng.uniform(0, 40, (B, T, H))
    want = ref.simple_gla(q, k, v, g=g, output_final_state=True)
    got = oracle.chunked_scan(q, k, v, log_decay=g, chunk=16)
    assert np.all(np.isfinite(got[0]))
    assert oracle.rel_l2(got[0], want[0]) < 1e-12 and oracle.rel_l2(got[1], want[1]) < 1e-12


def test_round_bf16_matches_reference():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.standard_normal(100000).astype(np.float32) * np.float32(s) for s in (1, 1e-3, 1e3, 1e-38)])
    # ties: float32 patterns whose low 16 bits are exactly 0x8000
    ties = ((rng.integers(0x3F00, 0x4100, 1000).astype(np.uint32) << 16) | 0x8000).view(np.float32)
    x = np.concatenate([x, ties, -ties, np.float32([0.0, -0.0, 1.0, 3.0e38])])
    np.testing.assert_array_equal(oracle.round_bf16(x).view(np.uint32), ref.bf16_round(x).view(np.uint32))


def test_inputs_are_rounded_and_sane():
    case = _case("mamba2", 37, True, True, True, K=128, V=64, Hv=16, dtype="bf16")
    x = oracle.make_inputs(case)
    for name in ("x", "Bm", "Cm"):
        np.testing.assert_array_equal(x[name], ref.bf16_round(x[name]))
    assert x["dt"].dtype == np.float32 and np.all(x["dt"] > 0)
    assert np.all(x["g"] <= 0)
    assert x["seqlens"].tolist() == [0, 12, 12, 37] and x["seqlens"].dtype == np.int32
    assert x["s0"].shape == (3, 16, 128, 64)
    again = oracle.make_inputs(case)
    np.testing.assert_array_equal(again["x"], x["x"])  # seeded by the case id


@pytest.mark.skipif(not os.path.exists(COMPILE), reason="seqmix-compile is not built")
def test_harness_on_cpu(tmp_path):
    out = tmp_path / "gpu-tests"
    build = subprocess.run([sys.executable, os.path.join(GPU_TESTS, "build.py"), "--cpu", "--out", str(out),
                            "--build", BUILD, "--filter", "*.bf16.h4x16.init.packed.final",
                            "--filter", "mamba2.f32.h16x16.noinit.unpacked.nofinal"],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    check = [sys.executable, str(out / "check.py"), "--cpu", "--only", "*.T37"]
    run = subprocess.run(check + ["--out", str(tmp_path / "res")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed, 0 failed" in run.stdout, run.stdout
    res = json.loads((tmp_path / "res" / "results.json").read_text())
    assert {r["family"] for r in res["cases"]} == set(FAMILIES)

    # A library that computes something else (a scale of 0.5), and one that
    # seqmix-compile rejected: both fail, the second with its diagnostic.
    manifest = json.loads((out / "manifest.json").read_text())
    libs = manifest["libraries"]
    wrong = libs["simple_gla.bf16.h4x16.init.packed.final"]
    src = out / wrong["mlir"]
    src.write_text(src.read_text().replace(": tensor<1x?x4x128xbf16>, tensor<1x?x4x128xbf16> ->",
                                           "{scale = 0.5 : f64} : tensor<1x?x4x128xbf16>, tensor<1x?x4x128xbf16> ->"))
    subprocess.run([COMPILE, str(src), "--target=cpu", "-o", str(out / wrong["file"])], check=True)
    libs["retnet.bf16.h4x16.init.packed.final"].update(status="not built", file=None,
                                                       diagnostic="seqmix-compile: error: x.mlir:1:1: no kernel")
    (out / "manifest.json").write_text(json.dumps(manifest))
    run = subprocess.run(check + ["--out", str(tmp_path / "res2")], capture_output=True, text=True)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "3 passed, 2 failed (1 of them not built)" in run.stdout, run.stdout
    lines = {line.split("[")[-1].rstrip("]"): line for line in run.stdout.splitlines() if line.endswith("]")}
    assert "FAILED (not built): seqmix-compile: error: x.mlir:1:1: no kernel" in lines[
        "retnet.bf16.h4x16.init.packed.final.B1.T37"]
    assert "o above the bound" in lines["simple_gla.bf16.h4x16.init.packed.final.B1.T37"]
