"""python/seqmix/runtime.py: calls with rank-0 inputs (numpy scalars and
0-d arrays keep their rank)."""
import os
import subprocess

import numpy as np
import pytest

from seqmix.runtime import Library

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build"))
COMPILE = os.path.join(BUILD, "bin", "seqmix-compile")

pytestmark = pytest.mark.skipif(not os.path.exists(COMPILE), reason="seqmix-compile is not built")

MODULE = """
func.func @scale(%x: tensor<3xf32>, %s: tensor<f32>) -> tensor<3xf32> {
  %e = tensor.empty() : tensor<3xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]} ins(%x, %s : tensor<3xf32>, tensor<f32>) outs(%e : tensor<3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
"""


def test_rank0_inputs(tmp_path):
    src = tmp_path / "scale.mlir"
    src.write_text(MODULE)
    so = tmp_path / "scale.so"
    subprocess.run([COMPILE, str(src), "-o", str(so)], check=True)
    fn = Library(str(so))["scale"]
    x = np.array([1, 2, 3], dtype=np.float32)
    for s in (np.float32(2), np.array(2, dtype=np.float32)):
        (y,) = fn(x, s)
        np.testing.assert_array_equal(y, [2, 4, 6])
