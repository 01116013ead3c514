#!/usr/bin/env python3
"""The main job's first part: an ONNX model of a whole Mamba2 block, from the
model file to timed, checked outputs on the CPU.

1. writes the block (in-projection, depthwise causal Conv, SiLU, softplus dt,
   an ai.seqmix SSD node, gated RMSNormalization, out-projection;
   python/seqmix/onnx_blocks.py) to build/examples/mamba2_block.onnx;
2. compiles it: seqmix-compile mamba2_block.onnx --target=cpu -o mamba2_block.so;
3. runs it with seqmix-run on random inputs, printing a summary of the
   outputs and the timing (--benchmark), and checks them (--check) against
   the float64 numpy version of the whole block (python/seqmix/reference.py
   for the SSD) at relative L2 error 1e-4;
4. on a machine with an NVIDIA GPU, tries the same for sm_90a (the GPU path
   does not cover the block's ops yet: it says so).

  .venv/bin/python scripts/run-onnx-block.py [--block mamba2] [--batch 2] [--seq-len 300] [--benchmark 20]
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
from seqmix import onnx_blocks  # noqa: E402


def show(cmd, root):
    """The command as typed from the top of the checkout."""
    return "$ " + " ".join(c.replace(root + os.sep, "") for c in cmd)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--block", default="mamba2", choices=onnx_blocks.BLOCKS)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--seq-len", type=int, default=300)
    ap.add_argument("--benchmark", type=int, default=20)
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--build", default=os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build")))
    a = ap.parse_args()
    bindir = os.path.join(a.build, "bin")
    outdir = os.path.join(a.build, "examples")
    os.makedirs(outdir, exist_ok=True)
    stem = os.path.join(outdir, a.block + "_block")

    # 1. The model.
    block = onnx_blocks.save(a.block, stem + ".onnx")
    params = sum(int(np.prod(t.dims)) for t in block.model.graph.initializer)
    ops = sorted({(n.domain + "::" if n.domain else "") + n.op_type for n in block.model.graph.node})
    print("%s block: %s (%d nodes, %d parameters, opsets %s)" % (
        a.block, os.path.relpath(stem + ".onnx", ROOT), len(block.model.graph.node), params,
        ", ".join("%s %d" % (o.domain or "ai.onnx", o.version) for o in block.model.opset_import)))
    print("  ops: " + ", ".join(ops), flush=True)

    # 2. Compile for the CPU.
    cmd = [os.path.join(bindir, "seqmix-compile"), stem + ".onnx", "--target=cpu", "-o", stem + ".so"]
    print(show(cmd, ROOT), flush=True)
    start = time.time()
    subprocess.run(cmd, check=True)
    print("  compiled in %.2f s" % (time.time() - start), flush=True)

    # 3. Run on random inputs, print, time and check.
    rng = np.random.default_rng(0)
    feeds = block.inputs(rng, a.batch, a.seq_len)
    start = time.time()
    expected = block.reference(feeds)
    ref_seconds = time.time() - start
    cmd = [os.path.join(bindir, "seqmix-run"), stem + ".so"]
    for i, f in enumerate(feeds):
        path = "%s.input%d.npy" % (stem, i)
        np.save(path, f)
        cmd.append("--input=@" + path)
    cmd += ["--output=-"] * len(expected)
    for i, e in enumerate(expected):
        path = "%s.ref%d.npy" % (stem, i)
        np.save(path, e)
        cmd.append("--check=@" + path)
    cmd += ["--rtol=%g" % a.rtol, "--benchmark=%d" % a.benchmark]
    print(show(cmd, ROOT) + "   (x: [%d, %d, %d] float32; reference: float64 numpy, %.2f s)" % (
        a.batch, a.seq_len, onnx_blocks.D_MODEL, ref_seconds), flush=True)
    run = subprocess.run(cmd)
    ok = run.returncode == 0

    # 4. The GPU, where there is one.
    if shutil.which("nvidia-smi") and subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0:
        cmd = [os.path.join(bindir, "seqmix-compile"), stem + ".onnx", "--target=sm_90a", "-o", stem + ".sm_90a.so"]
        print(show(cmd, ROOT), flush=True)
        gpu = subprocess.run(cmd, capture_output=True, text=True)
        if gpu.returncode != 0:
            print("  GPU: skipped: " + gpu.stderr.strip().splitlines()[-1])
        else:
            cmd = [os.path.join(bindir, "seqmix-run"), stem + ".sm_90a.so"] + run.args[2:]
            print(show(cmd, ROOT), flush=True)
            ok = subprocess.run(cmd).returncode == 0 and ok
    else:
        print("GPU: none on this machine (the CPU run is the main job)")

    print("main job (%s block from ONNX): %s" % (
        a.block, "outputs match the float64 numpy block" if ok else "FAILED"), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
