"""End to end on the CPU: ONNX models of whole blocks (python/seqmix/
onnx_blocks.py: quadratic causal linear attention, RetNet, Mamba2, Gated
DeltaNet, a hybrid with an Attention node) compiled with
``seqmix-compile model.onnx --target=cpu`` and run with ``seqmix-run
--check`` on random inputs of several batch sizes and lengths (symbolic
``batch`` and ``seq``: one library serves all).

The reference is onnxruntime for the pure-ONNX models and the float64 numpy
version of the whole block (built on python/seqmix/reference.py) for those
with ``ai.seqmix`` nodes, which onnxruntime cannot run; for the pure-ONNX
models the numpy version is checked against onnxruntime too. The bound is
the relative L2 error 1e-4 (fp32).
"""
import os
import re
import subprocess

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from seqmix import onnx_blocks  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build"))
COMPILE = os.path.join(BUILD, "bin", "seqmix-compile")
RUN = os.path.join(BUILD, "bin", "seqmix-run")
RTOL = 1e-4
SHAPES = [(2, 37), (1, 1), (3, 100)]  # (batch, seq): 37 and 100 are no multiple of 16 or 64
ERRORS = {}  # block -> largest relative L2 error seen, for the summary

pytestmark = pytest.mark.skipif(not os.path.exists(COMPILE), reason="seqmix-compile is not built")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    root = tmp_path_factory.mktemp("blocks")
    libs = {}

    def get(name):
        if name not in libs:
            path = str(root / (name + ".onnx"))
            block = onnx_blocks.save(name, path)
            so = str(root / (name + ".so"))
            run = subprocess.run([COMPILE, path, "--target=cpu", "-o", so], capture_output=True, text=True)
            assert run.returncode == 0, run.stderr
            libs[name] = (block, so)
        return libs[name]

    return get


def _rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)


def _onnxruntime(block, feeds):
    sess = ort.InferenceSession(block.model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    return sess.run(None, dict(zip(names, feeds)))


@pytest.mark.parametrize("name", onnx_blocks.BLOCKS)
def test_block(compiled, tmp_path, name):
    block, so = compiled(name)
    if not block.uses_seqmix:
        onnx.checker.check_model(block.model, full_check=True)
    rng = np.random.default_rng(sum(map(ord, name)))
    for batch, seq in SHAPES:
        feeds = block.inputs(rng, batch, seq)
        if block.uses_seqmix:
            expected = block.reference(feeds)
        else:
            expected = _onnxruntime(block, feeds)
            # The numpy version agrees with onnxruntime (it is the oracle of
            # the ai.seqmix blocks).
            for e, r in zip(expected, block.reference(feeds)):
                assert _rel(e.astype(np.float64), r) < 1e-5
        cmd = [RUN, so]
        for i, f in enumerate(feeds):
            np.save(tmp_path / ("in%d.npy" % i), f)
            cmd.append("--input=@%s" % (tmp_path / ("in%d.npy" % i)))
        for i, e in enumerate(expected):
            np.save(tmp_path / ("ref%d.npy" % i), e)
            cmd.append("--check=@%s" % (tmp_path / ("ref%d.npy" % i)))
        cmd.append("--rtol=%g" % RTOL)
        run = subprocess.run(cmd, capture_output=True, text=True)
        what = "%s (batch %d, seq %d)" % (name, batch, seq)
        assert run.returncode == 0, "%s: %s%s" % (what, run.stdout, run.stderr)
        errors = [float(e) for e in re.findall(r"rel-l2 ([0-9.eE+-]+)", run.stdout)]
        assert len(errors) == len(expected), run.stdout
        ERRORS[name] = max([ERRORS.get(name, 0.0)] + errors)


def test_seqmix_blocks_are_beyond_onnxruntime():
    """The ai.seqmix blocks need the numpy reference: onnxruntime does not
    know the domain."""
    for name in onnx_blocks.BLOCKS:
        block = onnx_blocks.block(name)
        if block.uses_seqmix:
            with pytest.raises(Exception):
                _onnxruntime(block, block.inputs(np.random.default_rng(0), 1, 4))
