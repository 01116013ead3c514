#!/usr/bin/env python3
"""Writes the small ONNX models that the lit tests of test/Import import.

    make_models.py OUTDIR NAME...

writes OUTDIR/NAME.onnx for each NAME (see MODELS below; `external` also
writes its data file, `truncated` and `random_bytes` write broken files).
Models are built with onnx.helper, so each test says exactly what the
importer reads.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "python"))
from seqmix import onnx as smx  # noqa: E402

F = TP.FLOAT
I64 = TP.INT64


def vi(name, elem, shape):
    return h.make_tensor_value_info(name, elem, shape)


def const(name, array):
    return nh.from_array(np.asarray(array), name)


def model(nodes, inputs, outputs, inits=(), opset=17, extra_opsets=()):
    graph = h.make_graph(nodes, "main_graph", inputs, outputs, list(inits))
    opsets = [h.make_opsetid("", opset)] + list(extra_opsets)
    m = h.make_model(graph, opset_imports=opsets, producer_name="make_models")
    m.ir_version = 10 if opset >= 21 else 8
    return with_output_shapes(m)


def with_output_shapes(m):
    """Fills in the shapes of graph outputs declared without one, from ONNX
    shape inference (as exporters write them; onnx.checker wants them)."""
    try:
        inferred = onnx.shape_inference.infer_shapes(m)
    except Exception:  # pylint: disable=broad-except
        return m
    known = {v.name: v for v in list(inferred.graph.value_info) +
             list(inferred.graph.output)}
    for out in m.graph.output:
        t = out.type.tensor_type
        if t.HasField("shape") or out.name not in known:
            continue
        src = known[out.name].type.tensor_type
        if src.HasField("shape"):
            t.shape.CopyFrom(src.shape)
            if not t.elem_type:
                t.elem_type = src.elem_type
    return m


def N(op, ins, outs, **kw):
    return h.make_node(op, ins, outs, name=outs[0] + "_node", **kw)


MODELS = {}


def register(fn):
    MODELS[fn.__name__] = fn
    return fn


# --- elementwise -------------------------------------------------------------

@register
def arith():
    x, y = vi("x", F, [2, 3]), vi("y", F, [3])
    ops = [("Add", "add"), ("Sub", "sub"), ("Mul", "mul"), ("Div", "div"),
           ("Pow", "pow")]
    nodes = [N(op, ["x", "y"], [o]) for op, o in ops]
    nodes += [N("Pow", ["x", "two"], ["square"]), N("Neg", ["x"], ["neg"])]
    outs = [vi(o, F, None) for _, o in ops] + [vi("square", F, None),
                                               vi("neg", F, None)]
    return model(nodes, [x, y], outs, [const("two", np.float32(2))])


@register
def unary():
    ops = ["Exp", "Log", "Sigmoid", "Softplus", "Tanh", "Relu", "Sqrt",
           "Reciprocal"]
    nodes = [N(op, ["x"], [op.lower()]) for op in ops]
    return model(nodes, [vi("x", F, [4])], [vi(op.lower(), F, None)
                                            for op in ops])


@register
def compare():
    nodes = [N("Equal", ["a", "b"], ["eq"]), N("Less", ["a", "b"], ["lt"]),
             N("Greater", ["a", "b"], ["gt"]),
             N("Where", ["lt", "a", "b"], ["min"]),
             N("Cast", ["gt"], ["gt_f"], to=F),
             N("Cast", ["a"], ["a_i"], to=I64)]
    return model(nodes, [vi("a", F, [2, 4]), vi("b", F, [1, 4])],
                 [vi("eq", TP.BOOL, None), vi("min", F, None),
                  vi("gt_f", F, None), vi("a_i", I64, None)])


# --- contractions --------------------------------------------------------------

@register
def matmul():
    w = const("w", np.ones((8, 16), np.float32))
    nodes = [N("MatMul", ["a", "w"], ["mm2"]),
             N("MatMul", ["b3", "c3"], ["bmm"]),
             N("MatMul", ["x4", "w"], ["bcast"]),
             N("Gemm", ["a", "g", "bias"], ["gemm"], transB=1, alpha=0.5)]
    ins = [vi("a", F, [4, 8]), vi("b3", F, [2, 4, 8]), vi("c3", F, [2, 8, 5]),
           vi("x4", F, ["n", 3, 4, 8]), vi("g", F, [6, 8]),
           vi("bias", F, [6])]
    return model(nodes, ins, [vi(o, F, None) for o in
                              ["mm2", "bmm", "bcast", "gemm"]], [w])


@register
def einsum():
    nodes = [N("Einsum", ["q", "k"], ["scores"], equation="bhqd,bhkd->bhqk"),
             N("Einsum", ["x", "y"], ["ell"], equation="...ij,...jk->...ik"),
             N("Einsum", ["m", "n"], ["implicit"], equation="ij,jk")]
    ins = [vi("q", F, [2, 4, 8, 16]), vi("k", F, [2, 4, 8, 16]),
           vi("x", F, [3, 2, 5]), vi("y", F, [1, 5, 6]),
           vi("m", F, [2, 3]), vi("n", F, [3, 4])]
    return model(nodes, ins, [vi(o, F, None) for o in
                              ["scores", "ell", "implicit"]])


@register
def conv():
    # Depthwise causal 1-D convolution (Mamba's conv1d): pads [K-1, 0].
    c, k = 8, 4
    w = const("w", np.ones((c, 1, k), np.float32))
    bias = const("bias", np.zeros((c,), np.float32))
    w2 = const("w2", np.ones((6, 4, 3), np.float32))
    nodes = [N("Conv", ["x", "w", "bias"], ["y"], group=c, pads=[k - 1, 0],
               kernel_shape=[k]),
             N("Conv", ["x", "w2"], ["z"], group=2, strides=[2],
               dilations=[2])]
    return model(nodes, [vi("x", F, ["batch", c, "seq"])],
                 [vi("y", F, None), vi("z", F, None)], [w, bias, w2])


# --- reductions and normalizations -----------------------------------------------

@register
def reduce13():
    nodes = [N("ReduceSum", ["x", "axes"], ["sum"], keepdims=0),
             N("ReduceMean", ["x"], ["mean"], axes=[-1]),
             N("ReduceMax", ["x"], ["max"], axes=[0, 2], keepdims=1)]
    return model(nodes, [vi("x", F, [2, 3, 4])],
                 [vi(o, F, None) for o in ["sum", "mean", "max"]],
                 [const("axes", np.array([1], np.int64))], opset=13)


@register
def reduce11():
    # Before opset 13, ReduceSum takes its axes as an attribute.
    nodes = [N("ReduceSum", ["x"], ["sum"], axes=[1], keepdims=0)]
    return model(nodes, [vi("x", F, [2, 3, 4])], [vi("sum", F, None)],
                 opset=11)


@register
def reduce18():
    # From opset 18, ReduceMean and ReduceMax take their axes as an input.
    nodes = [N("ReduceMean", ["x", "axes"], ["mean"]),
             N("ReduceMax", ["x", "axes"], ["max"], keepdims=0)]
    return model(nodes, [vi("x", F, [2, 3, 4])],
                 [vi("mean", F, None), vi("max", F, None)],
                 [const("axes", np.array([-1], np.int64))], opset=18)


@register
def softmax13():
    return model([N("Softmax", ["x"], ["y"], axis=1)],
                 [vi("x", F, [2, 3, 4])], [vi("y", F, None)], opset=13)


@register
def softmax11():
    # Opset 11 coerces to 2-D at `axis`: axis 1 normalises over dims 1 and 2.
    return model([N("Softmax", ["x"], ["y"], axis=1)],
                 [vi("x", F, [2, 3, 4])], [vi("y", F, None)], opset=11)


@register
def norms():
    nodes = [N("LayerNormalization", ["x", "scale", "bias"], ["ln"],
               epsilon=1e-5),
             N("RMSNormalization", ["x", "scale"], ["rms"], epsilon=1e-6)]
    return model(nodes, [vi("x", F, ["batch", "seq", 16])],
                 [vi("ln", F, None), vi("rms", F, None)],
                 [const("scale", np.ones(16, np.float32)),
                  const("bias", np.zeros(16, np.float32))], opset=23)


@register
def cumsum():
    nodes = [N("CumSum", ["x", "axis"], ["y"]),
             N("CumSum", ["x", "axis"], ["z"], exclusive=1, reverse=1)]
    return model(nodes, [vi("x", F, [2, "seq", 4])],
                 [vi("y", F, None), vi("z", F, None)],
                 [const("axis", np.array(1, np.int64))])


# --- shapes --------------------------------------------------------------------------

@register
def shapes():
    # The exporter's way of splitting heads: Reshape to [B, T, 4, -1] with
    # B and T read from Shape, then Transpose.
    nodes = [N("Shape", ["x"], ["shape"]),
             N("Gather", ["shape", "zero"], ["b"], axis=0),
             N("Gather", ["shape", "one"], ["t"], axis=0),
             N("Unsqueeze", ["b", "axes0"], ["b1"]),
             N("Unsqueeze", ["t", "axes0"], ["t1"]),
             N("Concat", ["b1", "t1", "heads"], ["target"], axis=0),
             N("Reshape", ["x", "target"], ["split"]),
             N("Transpose", ["split"], ["bhtd"], perm=[0, 2, 1, 3]),
             N("Slice", ["x", "s_start", "s_end", "s_axes"], ["sliced"]),
             N("Squeeze", ["one_row", "axes0"], ["squeezed"]),
             N("Expand", ["one_row", "exp_shape"], ["expanded"]),
             N("Gather", ["x", "idx"], ["gathered"], axis=2)]
    inits = [const("zero", np.array(0, np.int64)),
             const("one", np.array(1, np.int64)),
             const("axes0", np.array([0], np.int64)),
             const("heads", np.array([4, -1], np.int64)),
             const("s_start", np.array([1], np.int64)),
             const("s_end", np.array([-1], np.int64)),
             const("s_axes", np.array([1], np.int64)),
             const("exp_shape", np.array([3, 1], np.int64)),
             const("idx", np.array([[0, 5], [2, -1]], np.int64))]
    ins = [vi("x", F, ["batch", "seq", 32]), vi("one_row", F, [1, 5])]
    outs = [vi(o, F, None) for o in ["bhtd", "sliced", "squeezed",
                                     "expanded", "gathered"]]
    return model(nodes, ins, outs, inits)


@register
def reshape_dynamic():
    # Flatten B and T (a collapse), split them again with a -1 that stays
    # dynamic, and a reshape that moves elements across dims (a copy).
    nodes = [N("Shape", ["x"], ["s"]),
             N("Gather", ["s", "i0"], ["b"], axis=0),
             N("Gather", ["s", "i1"], ["t"], axis=0),
             N("Mul", ["b", "t"], ["bt"]),
             N("Concat", ["bt", "c32"], ["shp"], axis=0),
             N("Reshape", ["x", "shp"], ["flat"]),
             N("Concat", ["b", "t", "c4", "cm1"], ["shp2"], axis=0),
             N("Reshape", ["flat", "shp2"], ["back"]),
             N("Reshape", ["x", "shp3"], ["moved"])]
    inits = [const("i0", np.array([0], np.int64)),
             const("i1", np.array([1], np.int64)),
             const("c32", np.array([32], np.int64)),
             const("c4", np.array([4], np.int64)),
             const("cm1", np.array([-1], np.int64)),
             const("shp3", np.array([0, -1, 8], np.int64))]
    return model(nodes, [vi("x", F, ["batch", "seq", 32])],
                 [vi(o, F, None) for o in ["flat", "back", "moved"]], inits)


def split_model(opset, use_input, num_outputs):
    ins = ["x"] + (["sizes"] if use_input else [])
    kw = {"axis": 1}
    if num_outputs:
        kw["num_outputs"] = 3
    if opset < 13:
        kw["split"] = [2, 2, 1]
    nodes = [N("Split", ins, ["p0", "p1", "p2"], **kw)]
    inits = [const("sizes", np.array([2, 2, 1], np.int64))] if use_input else []
    return model(nodes, [vi("x", F, [2, 5])],
                 [vi(o, F, None) for o in ["p0", "p1", "p2"]], inits,
                 opset=opset)


@register
def split11():
    return split_model(11, False, False)


@register
def split13():
    return split_model(13, True, False)


@register
def split18():
    # num_outputs = 3 for a dimension of 5: parts of 2, 2 and 1.
    return split_model(18, False, True)


@register
def constants():
    nodes = [N("Constant", [], ["c"], value=const("v", np.arange(6, dtype=np.float32).reshape(2, 3))),
             N("Constant", [], ["ci"], value_ints=[1, 2, 3]),
             N("ConstantOfShape", ["ci"], ["zeros"]),
             N("Shape", ["x"], ["xs"]),
             N("ConstantOfShape", ["xs"], ["ones"],
               value=h.make_tensor("v1", TP.FLOAT, [1], [1.0])),
             N("Range", ["r0", "r1", "r2"], ["range"]),
             N("Trilu", ["x"], ["lower"], upper=0),
             N("Trilu", ["x", "k1"], ["upper"])]
    inits = [const("r0", np.array(0, np.int64)),
             const("r1", np.array(10, np.int64)),
             const("r2", np.array(3, np.int64)),
             const("k1", np.array(1, np.int64))]
    outs = [vi("c", F, None), vi("zeros", F, None), vi("ones", F, None),
            vi("range", I64, None), vi("lower", F, None), vi("upper", F, None)]
    return model(nodes, [vi("x", F, ["n", 4])], outs, inits)


@register
def symbolic():
    return model([N("Relu", ["x"], ["y"])],
                 [vi("x", F, ["batch", "seq", 64]), vi("w", F, [2, None])],
                 [vi("y", F, ["batch", "seq", 64])])


@register
def concat_features():
    # seqmix-compile infers the output's dims [batch, seq, 8].
    return model([N("Concat", ["x", "x"], ["y"], axis=2)],
                 [vi("x", F, ["batch", "seq", 4])],
                 [vi("y", F, ["batch", "seq", 8])])


@register
def concat_seq():
    # The output's length is 2 seq: no ABI rule can say it.
    return model([N("Concat", ["x", "x"], ["y"], axis=1)],
                 [vi("x", F, ["batch", "seq", 4])],
                 [vi("y", F, ["batch", "seq2", 4])])


@register
def attention23():
    # Causal self attention: becomes seqmix.attention.
    q = vi("q", F, ["batch", 4, "seq", 16])
    kv = vi("k", F, ["batch", 2, "seq", 16])
    v = vi("v", F, ["batch", 2, "seq", 8])
    nodes = [N("Attention", ["q", "k", "v"], ["y"], is_causal=1)]
    return model(nodes, [q, kv, v], [vi("y", F, None)], opset=23)


@register
def attention_mask():
    # A boolean mask and a soft cap: linalg.
    ins = [vi("q", F, [1, 2, 5, 8]), vi("k", F, [1, 2, 7, 8]),
           vi("v", F, [1, 2, 7, 8]), vi("mask", TP.BOOL, [5, 7])]
    nodes = [N("Attention", ["q", "k", "v", "mask"], ["y"], softcap=30.0)]
    return model(nodes, ins, [vi("y", F, None)], opset=23)


@register
def attention_short_mask():
    # An additive mask shorter than the keys: padded with -inf.
    ins = [vi("q", F, [1, 2, 5, 8]), vi("k", F, [1, 2, 7, 8]),
           vi("v", F, [1, 2, 7, 8]), vi("mask", F, [5, 4])]
    nodes = [N("Attention", ["q", "k", "v", "mask"], ["y"])]
    return model(nodes, ins, [vi("y", F, None)], opset=23)


@register
def attention3d():
    # 3-D inputs with q_num_heads / kv_num_heads and a window (opset 25).
    ins = [vi("q", F, [2, "seq", 64]), vi("k", F, [2, "seq", 32]),
           vi("v", F, [2, "seq", 32])]
    nodes = [N("Attention", ["q", "k", "v"], ["y"], q_num_heads=4,
               kv_num_heads=2, is_causal=1, left_window_size=15)]
    return model(nodes, ins, [vi("y", F, None)], opset=25)


@register
def attention_cache():
    ins = [vi("q", F, [1, 2, 1, 8]), vi("k", F, [1, 2, 1, 8]),
           vi("v", F, [1, 2, 1, 8]), vi("pk", F, [1, 2, "past", 8]),
           vi("pv", F, [1, 2, "past", 8])]
    nodes = [N("Attention", ["q", "k", "v", "", "pk", "pv"],
               ["y", "present_k", "present_v"], is_causal=1)]
    return model(nodes, ins, [vi("y", F, [1, 2, 1, 8]),
                              vi("present_k", F, [1, 2, "total", 8]),
                              vi("present_v", F, [1, 2, "total", 8])], opset=23)


@register
def attention_window():
    # A sliding window that bites (opset 25): causal, 3 keys to the left.
    ins = [vi(n, F, [1, 2, 12, 8]) for n in "qkv"]
    nodes = [N("Attention", ["q", "k", "v"], ["y"], is_causal=1,
               left_window_size=3)]
    return model(nodes, ins, [vi("y", F, None)], opset=25)


@register
def attention_nonpad():
    # An external cache with per-batch valid lengths (opset 24): the causal
    # frontier is offset by nonpad_kv_seqlen - q_len.
    ins = [vi("q", F, [2, 2, 4, 8]), vi("k", F, [2, 2, 6, 8]),
           vi("v", F, [2, 2, 6, 8]), vi("nonpad", I64, [2])]
    nodes = [N("Attention", ["q", "k", "v", "", "", "", "nonpad"], ["y"],
               is_causal=1)]
    return model(nodes, ins, [vi("y", F, None)], opset=24)


@register
def opset28():
    return model([N("Relu", ["x"], ["y"])], [vi("x", F, [2])],
                 [vi("y", F, None)], opset=28)


# --- every opset --------------------------------------------------------------------

def sweep(opset):
    """The same small network written for `opset`: the ops whose inputs or
    attributes changed between opsets 13 and 28 in the form that opset
    wants."""
    inits = [const("w", np.linspace(-1, 1, 32, dtype=np.float32).reshape(8, 4)),
             const("b", np.full((4,), 0.5, np.float32)),
             const("scale", np.ones((4,), np.float32)),
             const("last", np.array([-1], np.int64)),
             const("zero", np.array([0], np.int64)),
             const("halves", np.array([2, 2], np.int64)),
             const("axis1", np.array(1, np.int64))]
    nodes = [N("MatMul", ["x", "w"], ["a"]), N("Add", ["a", "b"], ["c"]),
             N("Softmax", ["c"], ["s"], axis=-1),
             N("ReduceSum", ["s", "last"], ["rs"])]
    if opset < 18:
        nodes.append(N("ReduceMean", ["c"], ["rm"], axes=[-1]))
        nodes.append(N("ReduceMax", ["c"], ["rx"], axes=[-1], keepdims=0))
        nodes.append(N("Split", ["c", "halves"], ["p0", "p1"], axis=-1))
    else:
        nodes.append(N("ReduceMean", ["c", "last"], ["rm"]))
        nodes.append(N("ReduceMax", ["c", "last"], ["rx"], keepdims=0))
        nodes.append(N("Split", ["c"], ["p0", "p1"], axis=-1, num_outputs=2))
    nodes += [N("Unsqueeze", ["rx", "zero"], ["u"]),
              N("Squeeze", ["u", "zero"], ["sq"]),
              N("Concat", ["p1", "p0"], ["cc"], axis=-1),
              N("CumSum", ["cc", "axis1"], ["cs"]),
              N("Mul", ["cs", "rm"], ["m"])]
    norm_in = "m"
    if opset >= 17:
        nodes.append(N("LayerNormalization", ["m", "scale", "b"], ["ln"]))
        norm_in = "ln"
    if opset >= 23:
        nodes.append(N("RMSNormalization", [norm_in, "scale"], ["rn"]))
        norm_in = "rn"
    nodes.append(N("Identity", [norm_in], ["y"]))
    outs = [vi("y", F, None), vi("rs", F, None), vi("sq", F, None)]
    return model(nodes, [vi("x", F, ["batch", "seq", 8])], outs, inits,
                 opset=opset)


for _opset in range(13, 29):
    MODELS["sweep%d" % _opset] = (lambda o: lambda: sweep(o))(_opset)


# --- external data -------------------------------------------------------------------

def write_external(outdir):
    w = const("w", np.arange(8, dtype=np.float32).reshape(4, 2) / 64)
    m = model([N("MatMul", ["x", "w"], ["y"])], [vi("x", F, ["n", 4])],
              [vi("y", F, None)], [w])
    onnx.save(m, os.path.join(outdir, "external.onnx"),
              save_as_external_data=True, all_tensors_to_one_file=True,
              location="external.onnx.data", size_threshold=0)


# --- ai.seqmix nodes -----------------------------------------------------------------

SEQMIX = [h.make_opsetid(smx.DOMAIN, smx.VERSION)]


def seqmix_model(nodes, ins, outs, inits=()):
    return model(nodes, ins, outs, inits, extra_opsets=SEQMIX)


@register
def gated_deltanet():
    ins = [vi("q", F, ["batch", "seq", 2, 32]), vi("k", F, ["batch", "seq", 2, 32]),
           vi("v", F, ["batch", "seq", 4, 16]), vi("g", F, ["batch", "seq", 4]),
           vi("beta", F, ["batch", "seq", 4]), vi("s0", F, ["batch", 4, 32, 16])]
    node = smx.semiseparable_mix("q", "k", "v", gate="g", beta="beta",
                                 initial_state="s0", output="o",
                                 final_state="sT", decay="scalar",
                                 transition="delta", chunk_size=64)
    return seqmix_model([node], ins, [vi("o", F, ["batch", "seq", 4, 16]),
                                      vi("sT", F, ["batch", 4, 32, 16])])


@register
def retnet():
    ins = [vi(n, F, [2, 100, 4, 32]) for n in "qk"] + [vi("v", F, [2, 100, 4, 16])]
    node = smx.semiseparable_mix("q", "k", "v", gate="log_gamma",
                                 decay="static", scale=0.25)
    return seqmix_model([node], ins, [vi("o", F, [2, 100, 4, 16])],
                        [const("log_gamma", np.log(1 - 2.0 ** (-5 - np.arange(4))).astype(np.float32))])


@register
def gla_varlen():
    ins = [vi(n, TP.BFLOAT16, [1, "total", 4, 32]) for n in "qk"] + [
        vi("v", TP.BFLOAT16, [1, "total", 4, 16]),
        vi("gk", TP.BFLOAT16, [1, "total", 4, 32]), vi("cu", TP.INT32, ["n1"])]
    node = smx.semiseparable_mix("q", "k", "v", gate="gk", cu_seqlens="cu",
                                 decay="diagonal", form="recurrent")
    return seqmix_model([node], ins,
                        [vi("o", TP.BFLOAT16, [1, "total", 4, 16])])


@register
def lowrank():
    ins = [vi(n, F, [2, 50, 4, 8]) for n in "qkv"]
    return seqmix_model([smx.lowrank_mix("q", "k", "v", scale=0.5)], ins,
                        [vi("o", F, [2, 50, 4, 8])])


@register
def softmax_mix():
    ins = [vi("q", F, [1, "seq", 8, 16]), vi("k", F, [1, "seq", 2, 16]),
           vi("v", F, [1, "seq", 2, 16])]
    return seqmix_model([smx.softmax_mix("q", "k", "v", window=128)], ins,
                        [vi("o", F, [1, "seq", 8, 16])])


@register
def diagonal_mix():
    ins = [vi("d", F, [4]), vi("v", F, [2, 10, 4, 8])]
    return seqmix_model([smx.diagonal_mix("d", "v")], ins,
                        [vi("o", F, [2, 10, 4, 8])])


@register
def mamba2():
    ins = [vi("x", TP.BFLOAT16, ["batch", "seq", 8, 16]),
           vi("dt", F, ["batch", "seq", 8]),
           vi("B", TP.BFLOAT16, ["batch", "seq", 2, 32]),
           vi("C", TP.BFLOAT16, ["batch", "seq", 2, 32])]
    inits = [const("A", -np.arange(1, 9, dtype=np.float32)),
             const("D", np.ones(8, np.float32))]
    node = smx.ssd("x", "dt", "A", "B", "C", D="D", final_state="state",
                   chunk_size=128)
    return seqmix_model([node], ins,
                        [vi("y", TP.BFLOAT16, ["batch", "seq", 8, 16]),
                         vi("state", F, ["batch", 8, 32, 16])], inits)


# --- bad input -----------------------------------------------------------------------

@register
def unknown_op():
    return model([N("Relu", ["x"], ["r"]), N("FancyOp", ["r"], ["y"])],
                 [vi("x", F, [2])], [vi("y", F, None)], opset=21)


@register
def dropout_training():
    # training_mode not known at import time: Dropout would drop at random.
    return model([N("Dropout", ["x", "r", "t"], ["y"])],
                 [vi("x", F, [2]), vi("r", F, []), vi("t", TP.BOOL, [])],
                 [vi("y", F, [2])], opset=13)


@register
def unnamed_unknown_op():
    # Diagnostics name an unnamed node by its position in the graph.
    return model([N("Relu", ["x"], ["r"]), h.make_node("FancyOp", ["r"], ["y"])],
                 [vi("x", F, [2])], [vi("y", F, [2])], opset=21)


@register
def no_default_opset():
    # Only a training-domain node: the error is at the node.
    graph = h.make_graph(
        [h.make_node("Adagrad", ["r", "t", "x", "g", "h"], ["x2", "h2"],
                     domain="ai.onnx.preview.training")], "main_graph",
        [vi("r", F, []), vi("t", I64, []), vi("x", F, [2]), vi("g", F, [2]),
         vi("h", F, [2])], [vi("x2", F, [2]), vi("h2", F, [2])])
    m = h.make_model(graph, opset_imports=[
        h.make_opsetid("ai.onnx.preview.training", 1)])
    m.ir_version = 8
    return m


@register
def unknown_domain():
    node = h.make_node("FusedThing", ["x"], ["y"], name="fused",
                       domain="com.example")
    return model([node], [vi("x", F, [2])], [vi("y", F, None)],
                 extra_opsets=[h.make_opsetid("com.example", 1)])


@register
def wrong_rank():
    return model([N("MatMul", ["a", "b"], ["y"])],
                 [vi("a", F, []), vi("b", F, [2, 2])], [vi("y", F, None)])


@register
def wrong_rank_seqmix():
    ins = [vi("q", F, [2, 10, 32]), vi("k", F, [2, 10, 4, 32]),
           vi("v", F, [2, 10, 4, 16])]
    return seqmix_model([smx.semiseparable_mix("q", "k", "v")], ins,
                        [vi("o", F, None)])


@register
def bad_dtype():
    return model([N("Relu", ["x"], ["y"])], [vi("x", TP.COMPLEX64, [2])],
                 [vi("y", TP.COMPLEX64, None)])


@register
def bad_dtype_cast():
    return model([N("Cast", ["x"], ["y"], to=TP.FLOAT8E4M3FN)],
                 [vi("x", F, [2])], [vi("y", F, None)])


@register
def missing_initializer():
    return model([N("Add", ["x", "bias"], ["y"])], [vi("x", F, [2])],
                 [vi("y", F, None)])


@register
def bad_raw_data():
    t = const("w", np.ones((4,), np.float32))
    t.raw_data = t.raw_data[:10]
    return model([N("Add", ["x", "w"], ["y"])], [vi("x", F, [4])],
                 [vi("y", F, None)], [t])


@register
def bad_attribute():
    return model([N("Softmax", ["x"], ["y"], axis="last")],
                 [vi("x", F, [2, 3])], [vi("y", F, None)])


@register
def bad_axis():
    return model([N("Softmax", ["x"], ["y"], axis=5)],
                 [vi("x", F, [2, 3])], [vi("y", F, None)])


@register
def old_opset():
    return model([N("Relu", ["x"], ["y"])], [vi("x", F, [2])],
                 [vi("y", F, None)], opset=9)


@register
def new_opset():
    return model([N("Relu", ["x"], ["y"])], [vi("x", F, [2])],
                 [vi("y", F, None)], opset=29)


@register
def bad_seqmix_attr():
    ins = [vi(n, F, [2, 10, 4, 32]) for n in "qkv"]
    return seqmix_model([smx.make_node("SemiseparableMix",
                                       dict(q="q", k="k", v="v"), ["o"],
                                       decay="sideways")],
                        ins, [vi("o", F, None)])


@register
def missing_gate():
    ins = [vi(n, F, [2, 10, 4, 32]) for n in "qkv"]
    return seqmix_model([smx.semiseparable_mix("q", "k", "v", decay="scalar")],
                        ins, [vi("o", F, None)])


@register
def missing_external():
    m = MODELS["symbolic"]()
    t = const("w", np.ones((4,), np.float32))
    t.ClearField("raw_data")
    t.data_location = TP.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "does_not_exist.bin"
    m.graph.initializer.append(t)
    return m


@register
def escaping_external():
    m = MODELS["missing_external"]()
    m.graph.initializer[0].external_data[0].value = "../../etc/passwd"
    return m


def write(outdir, name):
    if name == "external":
        write_external(outdir)
        return
    path = os.path.join(outdir, name + ".onnx")
    if name == "truncated":
        data = MODELS["matmul"]().SerializeToString()
        with open(path, "wb") as f:
            f.write(data[: len(data) // 2])
        return
    if name == "random_bytes":
        rng = np.random.default_rng(7)
        with open(path, "wb") as f:
            f.write(rng.integers(0, 256, 1000, dtype=np.uint8).tobytes())
        return
    if name == "empty":
        open(path, "wb").close()
        return
    with open(path, "wb") as f:
        f.write(MODELS[name]().SerializeToString())


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name in argv[2:]:
        write(outdir, name)


if __name__ == "__main__":
    main(sys.argv)
