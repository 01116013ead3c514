"""Tests of the ai.seqmix node builders (python/seqmix/onnx.py).

The nodes are checked for their inputs, outputs and attributes, the models
around them pass onnx.checker, and, where torch is installed, a PyTorch
module exports one node per mixer through the TorchScript exporter.
"""

import importlib.util

import pytest

onnx = pytest.importorskip("onnx")

from onnx import TensorProto, helper  # noqa: E402

from seqmix import onnx as smx  # noqa: E402


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def test_semiseparable_mix_inputs_and_attributes():
    node = smx.semiseparable_mix("q", "k", "v", gate="g", beta="b",
                                 initial_state="s0", final_state="sT",
                                 decay="scalar", transition="delta",
                                 scale=0.125, chunk_size=64)
    assert node.domain == "ai.seqmix"
    assert node.op_type == "SemiseparableMix"
    # dt is omitted between beta and initial_state; trailing ones are dropped.
    assert list(node.input) == ["q", "k", "v", "g", "b", "", "s0"]
    assert list(node.output) == ["o", "sT"]
    assert attrs(node) == {"decay": b"scalar", "transition": b"delta",
                           "scale": pytest.approx(0.125), "chunk_size": 64}


def test_ssd_and_others():
    node = smx.ssd("x", "dt", "A", "B", "C", D="D", chunk_size=128)
    assert list(node.input) == ["x", "dt", "A", "B", "C", "D"]
    assert attrs(node) == {"chunk_size": 128}
    assert list(smx.lowrank_mix("q", "k", "v").input) == ["q", "k", "v"]
    assert attrs(smx.softmax_mix("q", "k", "v", causal=False, window=8)) == {
        "causal": 0, "window": 8}
    assert smx.diagonal_mix("d", "v").op_type == "DiagonalMix"


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError):
        smx.make_node("SemiseparableMix", {"q": "q", "gates": "g"}, ["o"])
    with pytest.raises(ValueError):
        smx.make_node("LowRankMix", {"q": "q"}, ["o"], decay="none")
    with pytest.raises(ValueError):
        smx.make_node("Mixer", {}, ["o"])


def test_model_passes_the_checker():
    vi = helper.make_tensor_value_info
    ins = [vi("q", TensorProto.FLOAT, ["b", "t", 2, 16]),
           vi("k", TensorProto.FLOAT, ["b", "t", 2, 16]),
           vi("v", TensorProto.FLOAT, ["b", "t", 2, 8]),
           vi("g", TensorProto.FLOAT, ["b", "t", 2])]
    node = smx.semiseparable_mix("q", "k", "v", gate="g", decay="scalar")
    model = smx.make_model([node], ins,
                           [vi("o", TensorProto.FLOAT, ["b", "t", 2, 8])])
    onnx.checker.check_model(model)
    domains = {o.domain: o.version for o in model.opset_import}
    assert domains == {"": 17, "ai.seqmix": 1}


@pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                    reason="torch is not installed")
def test_torch_export_emits_one_node(tmp_path):
    import torch

    def simple_gla(q, k, v, g):
        # Eager reference: causal, scalar decay (only its shape matters for
        # the export).
        return v * torch.sigmoid(g)[..., None]

    SimpleGLA = smx.torch_function("SemiseparableMix", simple_gla,
                                   decay="scalar")

    class Layer(torch.nn.Module):
        def forward(self, q, k, v, g):
            return SimpleGLA.apply(q, k, v, g)

    args = (torch.randn(1, 5, 2, 4), torch.randn(1, 5, 2, 4),
            torch.randn(1, 5, 2, 3), torch.randn(1, 5, 2))
    path = tmp_path / "layer.onnx"
    torch.onnx.export(Layer(), args, str(path), dynamo=False,
                      opset_version=17, custom_opsets={"ai.seqmix": 1})
    model = onnx.load(str(path))
    nodes = [n for n in model.graph.node if n.domain == "ai.seqmix"]
    assert len(nodes) == 1
    assert nodes[0].op_type == "SemiseparableMix"
    assert attrs(nodes[0])["decay"] == b"scalar"
