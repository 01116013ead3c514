"""The ONNX models of the importer's lit tests (test/Import/Inputs/
make_models.py) are valid ONNX: onnx.checker with full_check passes for all
but the ones made broken on purpose."""

import sys
from pathlib import Path

import pytest

onnx = pytest.importorskip("onnx")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Import" /
                       "Inputs"))
import make_models  # noqa: E402

BROKEN = {"unknown_op", "unknown_domain", "wrong_rank", "wrong_rank_seqmix",
          "bad_dtype", "bad_dtype_cast", "missing_initializer",
          "bad_raw_data", "bad_attribute", "bad_axis", "old_opset",
          "new_opset", "bad_seqmix_attr", "missing_gate", "missing_external",
          "escaping_external", "unnamed_unknown_op"}


@pytest.mark.parametrize("name", sorted(set(make_models.MODELS) - BROKEN))
def test_model_is_valid(name):
    onnx.checker.check_model(make_models.MODELS[name](), full_check=True)


def test_broken_models_exist():
    assert BROKEN <= set(make_models.MODELS)
