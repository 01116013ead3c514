#!/usr/bin/env python3
"""The main job: compile examples/hybrid_model.mlir for the CPU with
seqmix-compile, run it with seqmix-run on random inputs, and check every
output against the float64 oracle (python/seqmix/reference.py) of the same
model.

  .venv/bin/python scripts/run-model.py [--batch 2] [--seq-len 300] [--benchmark 5]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
from seqmix import reference as ref  # noqa: E402

MODEL = os.path.join(ROOT, "examples", "hybrid_model.mlir")
H, K, V = 4, 32, 16


def oracle(q, k, v, g, beta):
    """The model of examples/hybrid_model.mlir in float64."""
    o1, s1 = ref.gated_delta_rule(q, k, v, g, beta, output_final_state=True)
    o2, s2 = ref.simple_gla(q, k, o1, g=g, output_final_state=True)
    o3, _ = ref.attention(q, k, o2, causal=True)
    return o3, s1, s2


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--seq-len", type=int, default=300)
    ap.add_argument("--benchmark", type=int, default=5)
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--build", default=os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build")))
    a = ap.parse_args()
    bindir = os.path.join(a.build, "bin")
    rng = np.random.default_rng(0)
    B, T = a.batch, a.seq_len
    q = rng.standard_normal((B, T, H, K)).astype(np.float32)
    k = rng.standard_normal((B, T, H, K))
    k = (k / np.linalg.norm(k, axis=-1, keepdims=True)).astype(np.float32)
    v = rng.standard_normal((B, T, H, V)).astype(np.float32)
    g = (np.log(1 / (1 + np.exp(-rng.standard_normal((B, T, H))))) / 16).astype(np.float32)
    beta = (1 / (1 + np.exp(-rng.standard_normal((B, T, H))))).astype(np.float32)
    expected = oracle(*(x.astype(np.float64) for x in (q, k, v, g, beta)))

    with tempfile.TemporaryDirectory() as d:
        lib = os.path.join(d, "model.so")
        print("$ seqmix-compile examples/hybrid_model.mlir --target=cpu -o model.so", flush=True)
        subprocess.run([os.path.join(bindir, "seqmix-compile"), MODEL, "--target=cpu", "-o", lib], check=True)
        cmd = [os.path.join(bindir, "seqmix-run"), lib, "--function=forward"]
        for name, x in zip(("q", "k", "v", "g", "beta"), (q, k, v, g, beta)):
            path = os.path.join(d, name + ".npy")
            np.save(path, x)
            cmd.append("--input=@" + path)
        for i, x in enumerate(expected):
            path = os.path.join(d, "ref%d.npy" % i)
            np.save(path, x)
            cmd.append("--check=@" + path)
        cmd += ["--rtol=%g" % a.rtol, "--benchmark=%d" % a.benchmark]
        print("$ seqmix-run model.so --function=forward --input=@q.npy ... --check=@ref0.npy ... "
              "--rtol=%g --benchmark=%d   (B=%d, T=%d)" % (a.rtol, a.benchmark, B, T), flush=True)
        run = subprocess.run(cmd)
    print("main job: %s" % ("outputs match the float64 oracle" if run.returncode == 0 else "FAILED"))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
