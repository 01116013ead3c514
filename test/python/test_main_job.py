"""The main job's ONNX part (scripts/run-onnx-block.py, the first step of
scripts/demo.sh): the Mamba2 block goes from ONNX to checked, timed outputs
on the CPU; every block does, at a small size."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("onnx")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build"))

pytestmark = pytest.mark.skipif(not os.path.exists(os.path.join(BUILD, "bin", "seqmix-compile")),
                                reason="seqmix-compile is not built")


@pytest.mark.parametrize("block", ["mamba2", "hybrid"])
def test_run_onnx_block(block):
    run = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "run-onnx-block.py"), "--block", block,
                          "--seq-len", "45", "--benchmark", "2", "--build", BUILD],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "%s_block.onnx --target=cpu -o" % block in out
    assert "output #0 'y': f32[2, 45, 32]" in out
    assert "check #0 'y': rel-l2" in out and ": ok" in out
    assert "benchmark 'block' [cpu]: 2 calls" in out
    assert "outputs match the float64 numpy block" in out
