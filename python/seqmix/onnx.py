"""Build ONNX nodes of the ``ai.seqmix`` domain, which SeqMix imports
straight into ``seqmix`` ops (``seqmix-translate --import-onnx``).

One node type per mixer family; layouts follow fla: ``q``, ``k`` are
``[B, T, H, K]``, ``v`` and the output ``[B, T, Hv, V]``, states
``[N, Hv, K, V]`` in float32. docs/ONNX.md is the full specification.

=================  ===============================================================
node               inputs -> outputs (``[x]``: optional)
=================  ===============================================================
SemiseparableMix   q, k, v, [gate], [beta], [dt], [initial_state], [cu_seqlens]
                   -> o, [final_state];  attributes ``decay`` (none, static,
                   scalar, diagonal), ``transition`` (additive, delta),
                   ``scale``, ``chunk_size``, ``form``
LowRankMix         q, k, v -> o;  ``scale``, ``form``
SoftmaxMix         q, k, v -> o;  ``causal`` (1), ``window`` (0), ``scale``
DiagonalMix        d ([H] or [B, T, H]), v -> o
SSD                x, dt, A, B, C, [D], [initial_state], [cu_seqlens]
                   -> y, [final_state];  ``chunk_size``, ``form`` (Mamba2: the
                   importer builds gate = A * dt, the scan with scale 1 and dt,
                   plus the diagonal D)
=================  ===============================================================

Emitting these nodes from PyTorch
---------------------------------

With the TorchScript-based exporter (``torch.onnx.export(..., dynamo=False)``)
wrap the mixer call in an ``autograd.Function`` whose ``symbolic`` method
emits the node; :func:`torch_function` builds such a class::

    import torch
    from seqmix.onnx import torch_function

    # reference_impl computes the mixer in eager PyTorch (for tracing and
    # for running the model); the exported graph holds one ai.seqmix node.
    GatedDelta = torch_function("SemiseparableMix", reference_impl,
                                decay="scalar", transition="delta")

    class Layer(torch.nn.Module):
        def forward(self, q, k, v, g, beta):
            return GatedDelta.apply(q, k, v, g, beta)

    torch.onnx.export(Layer(), (q, k, v, g, beta), "layer.onnx",
                      dynamo=False, opset_version=17,
                      custom_opsets={"ai.seqmix": 1})

Inputs are positional in the node's order; pass ``None`` for an omitted
optional input that precedes a given one (the symbolic emits an empty
input). With the dynamo-based exporter (``dynamo=True``) register an
onnxscript function for your custom op in ``custom_translation_table``
that calls ``op.SemiseparableMix(...)`` in an ``onnxscript.values.Opset
("ai.seqmix", 1)``; the node it emits is the same.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import onnx
from onnx import helper

DOMAIN = "ai.seqmix"
VERSION = 1

#: Input names of each node type, in order (optional ones included).
NODE_INPUTS = {
    "SemiseparableMix": ("q", "k", "v", "gate", "beta", "dt",
                         "initial_state", "cu_seqlens"),
    "LowRankMix": ("q", "k", "v"),
    "SoftmaxMix": ("q", "k", "v"),
    "DiagonalMix": ("d", "v"),
    "SSD": ("x", "dt", "A", "B", "C", "D", "initial_state", "cu_seqlens"),
}

#: Attributes each node type takes, with their ONNX kinds.
NODE_ATTRIBUTES = {
    "SemiseparableMix": {"decay": str, "transition": str, "scale": float,
                         "chunk_size": int, "form": str},
    "LowRankMix": {"scale": float, "form": str},
    "SoftmaxMix": {"causal": int, "window": int, "scale": float},
    "DiagonalMix": {},
    "SSD": {"chunk_size": int, "form": str},
}


def opset_imports(onnx_opset: int = 17):
    """The opset imports a model with seqmix nodes needs."""
    return [helper.make_opsetid("", onnx_opset),
            helper.make_opsetid(DOMAIN, VERSION)]


def _inputs(node_type: str, given: dict) -> list:
    names = NODE_INPUTS[node_type]
    unknown = set(given) - set(names)
    if unknown:
        raise ValueError(f"{node_type} has no input {sorted(unknown)}")
    values = [given.get(n) or "" for n in names]
    while values and values[-1] == "":
        values.pop()
    return values


def make_node(node_type: str, inputs: dict, outputs: Sequence[str],
              name: Optional[str] = None, **attributes) -> onnx.NodeProto:
    """A node of the ai.seqmix domain. ``inputs`` maps input names (see
    NODE_INPUTS) to value names; attributes left as None are omitted."""
    if node_type not in NODE_INPUTS:
        raise ValueError(f"unknown ai.seqmix node type {node_type!r}")
    kinds = NODE_ATTRIBUTES[node_type]
    attrs = {}
    for key, value in attributes.items():
        if key not in kinds:
            raise ValueError(f"{node_type} has no attribute {key!r}")
        if value is None:
            continue
        attrs[key] = kinds[key](value)
    return helper.make_node(node_type, _inputs(node_type, inputs),
                            list(outputs), name=name or outputs[0],
                            domain=DOMAIN, **attrs)


def semiseparable_mix(q, k, v, *, gate=None, beta=None, dt=None,
                      initial_state=None, cu_seqlens=None, output="o",
                      final_state=None, decay="none", transition="additive",
                      scale=None, chunk_size=None, form=None, name=None):
    """Linear attention, RetNet, GLA, DeltaNet, Gated DeltaNet, KDA, ..."""
    outputs = [output] + ([final_state] if final_state else [])
    return make_node("SemiseparableMix",
                     dict(q=q, k=k, v=v, gate=gate, beta=beta, dt=dt,
                          initial_state=initial_state, cu_seqlens=cu_seqlens),
                     outputs, name, decay=decay, transition=transition,
                     scale=scale, chunk_size=chunk_size, form=form)


def lowrank_mix(q, k, v, *, output="o", scale=None, form=None, name=None):
    """Non-causal linear attention M = scale * Q K^T."""
    return make_node("LowRankMix", dict(q=q, k=k, v=v), [output], name,
                     scale=scale, form=form)


def softmax_mix(q, k, v, *, output="o", causal=True, window=0, scale=None,
                name=None):
    """Softmax attention in [B, T, H, D] layout, grouped key/value heads."""
    return make_node("SoftmaxMix", dict(q=q, k=k, v=v), [output], name,
                     causal=int(causal), window=window, scale=scale)


def diagonal_mix(d, v, *, output="o", name=None):
    """o = d * v per head (d: [H]) or per token and head (d: [B, T, H])."""
    return make_node("DiagonalMix", dict(d=d, v=v), [output], name)


def ssd(x, dt, A, B, C, *, D=None, initial_state=None, cu_seqlens=None,
        output="y", final_state=None, chunk_size=None, form=None, name=None):
    """Mamba2's SSD: y = SSM(A, B, C)(dt * x) + D * x, dt after softplus."""
    outputs = [output] + ([final_state] if final_state else [])
    return make_node("SSD", dict(x=x, dt=dt, A=A, B=B, C=C, D=D,
                                 initial_state=initial_state,
                                 cu_seqlens=cu_seqlens),
                     outputs, name, chunk_size=chunk_size, form=form)


def make_model(nodes: Iterable[onnx.NodeProto], inputs, outputs,
               initializers=(), onnx_opset: int = 17,
               name: str = "main_graph") -> onnx.ModelProto:
    """A model around ``nodes`` that imports both opsets."""
    graph = helper.make_graph(list(nodes), name, list(inputs), list(outputs),
                              list(initializers))
    return helper.make_model(graph, opset_imports=opset_imports(onnx_opset))


def torch_function(node_type: str, impl, num_outputs: int = 1, **attributes):
    """An ``torch.autograd.Function`` whose forward runs ``impl(*inputs)``
    and whose ONNX symbolic (TorchScript exporter) emits one ai.seqmix node
    of ``node_type`` with ``attributes``. Needs torch."""
    import torch  # pylint: disable=import-outside-toplevel

    kinds = NODE_ATTRIBUTES[node_type]
    suffix = {str: "_s", int: "_i", float: "_f"}
    onnx_attrs = {}
    for key, value in attributes.items():
        if key not in kinds:
            raise ValueError(f"{node_type} has no attribute {key!r}")
        if value is not None:
            onnx_attrs[key + suffix[kinds[key]]] = kinds[key](value)

    class _Mixer(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *inputs):  # pylint: disable=arguments-differ
            return impl(*inputs)

        @staticmethod
        def symbolic(g, *inputs):
            args = [g.op("prim::Constant").setType(
                torch._C.OptionalType.ofTensor()) if i is None else i
                    for i in inputs]
            return g.op(f"{DOMAIN}::{node_type}", *args,
                        outputs=num_outputs, **onnx_attrs)

    _Mixer.__name__ = node_type
    return _Mixer
