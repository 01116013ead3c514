"""Small ONNX models of whole sequence-mixer blocks, with their float64
numpy versions, for the end-to-end tests (``test/python/test_onnx_e2e.py``)
and the main job (``scripts/run-onnx-block.py``).

Every block maps ``x [batch, seq, d_model]`` (float32, symbolic ``batch``
and ``seq``) to ``y [batch, seq, d_model]``; the weights are initializers
drawn from a seeded generator. The models are built with ``onnx.helper``
only:

==================  ===========================================================
block               what it is
==================  ===========================================================
linear_attention    causal linear attention written quadratically: q/k/v
                    projections, ``MatMul(q, kᵀ)``, a ``Trilu`` mask,
                    ``MatMul`` with v, the output projection (pure ONNX)
retnet              a RetNet layer: retention ``(q kᵀ ⊙ D) v`` with the decay
                    matrix ``D[h, i, j] = γ_h^(i-j)`` (i ≥ j) built from
                    ``Range``, per-head LayerNorm, swish gate, output
                    projection (pure ONNX)
mamba2              a Mamba2 block: in-projection, depthwise causal ``Conv``,
                    SiLU, softplus dt, an ``ai.seqmix`` ``SSD`` node, gated
                    ``RMSNormalization``, out-projection
gated_deltanet      a Gated DeltaNet layer: SiLU q/k/v projections, L2-normed
                    q and k, sigmoid β, ``-exp(A_log)·softplus`` gate, an
                    ``ai.seqmix`` ``SemiseparableMix`` (scalar decay, delta
                    rule, grouped value heads), per-head RMSNorm with a SiLU
                    output gate, out-projection
hybrid              a hybrid block: a simple-GLA sublayer (``ai.seqmix``) and
                    a causal grouped-query softmax sublayer (one standard
                    ``Attention`` node), each pre-normed with
                    ``RMSNormalization`` and residual
==================  ===========================================================

``block(name)`` returns a :class:`Block`: ``model`` (an ``onnx.ModelProto``),
``inputs(rng, batch, seq)`` (the feeds, float32), ``reference(feeds)`` (the
outputs in float64, computed with :mod:`seqmix.reference` for the mixers) and
``uses_seqmix`` (whether onnxruntime can run the model: only without
``ai.seqmix`` nodes).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from seqmix import onnx as smx
from seqmix import reference as ref

OPSET = 23  # Attention and RMSNormalization
IR_VERSION = 10
D_MODEL = 32
BLOCKS = ("linear_attention", "retnet", "mamba2", "gated_deltanet", "hybrid")

_F = TensorProto.FLOAT


class Block:
    """One block: its ONNX model and its float64 numpy version."""

    def __init__(self, name, model, reference, uses_seqmix):
        self.name = name
        self.model = model
        self._reference = reference
        self.uses_seqmix = uses_seqmix

    def inputs(self, rng, batch, seq):
        """The model's inputs: ``x [batch, seq, d_model]`` in float32."""
        return [rng.standard_normal((batch, seq, D_MODEL)).astype(np.float32)]

    def reference(self, feeds):
        """The outputs in float64."""
        return self._reference(*[np.asarray(f, dtype=np.float64) for f in feeds])


class _Graph:
    """A graph under construction: nodes, initializers (also kept in
    float64 for the numpy version) and fresh names."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.w = {}
        self.count = 0

    def name(self, hint):
        self.count += 1
        return "%s_%d" % (hint, self.count)

    def const(self, hint, array, dtype=np.float32):
        name = self.name(hint)
        array = np.asarray(array, dtype=dtype)
        self.inits.append(numpy_helper.from_array(array, name))
        self.w[name] = array.astype(np.float64) if dtype == np.float32 else array
        return name

    def weight(self, hint, shape, scale=None):
        """A float32 weight, normal with std ``scale`` (default fan_in^-1/2)."""
        scale = shape[0] ** -0.5 if scale is None else scale
        return self.const(hint, self.rng.standard_normal(shape) * scale)

    def op(self, op_type, inputs, hint=None, outputs=1, domain=None, out=None, **attrs):
        """A node; its outputs are fresh names from ``hint``, or ``out``."""
        hint = hint or op_type.lower()
        outs = [out] if out else [self.name(hint) for _ in range(outputs)]
        kw = dict(attrs)
        if domain:
            kw["domain"] = domain
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=outs[0], **kw))
        return outs[0] if outputs == 1 else outs

    def add_node(self, node):
        self.nodes.append(node)
        return node.output[0]

    # Helpers for common patterns.
    def silu(self, x):
        return self.op("Mul", [x, self.op("Sigmoid", [x])], "silu")

    def heads(self, x, heads, dim):
        """[B, T, heads*dim] -> [B, T, heads, dim]."""
        return self.op("Reshape", [x, self.const("shape", [0, 0, heads, dim], np.int64)], "heads")

    def merge(self, x, width):
        """[B, T, H, D] -> [B, T, H*D]."""
        return self.op("Reshape", [x, self.const("shape", [0, 0, width], np.int64)], "merge")

    def model(self, output, seqmix=False):
        vi = helper.make_tensor_value_info
        graph = helper.make_graph(
            self.nodes, "block", [vi("x", _F, ["batch", "seq", D_MODEL])],
            [vi(output, _F, ["batch", "seq", D_MODEL])], self.inits)
        opsets = [helper.make_opsetid("", OPSET)]
        if seqmix:
            opsets.append(helper.make_opsetid(smx.DOMAIN, smx.VERSION))
        m = helper.make_model(graph, opset_imports=opsets, producer_name="seqmix.onnx_blocks")
        m.ir_version = IR_VERSION
        return m


# numpy helpers (float64)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _silu(x):
    return x * _sigmoid(x)


def _softplus(x):
    return np.logaddexp(0.0, x)


def _rmsnorm(x, scale, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * scale


def _layernorm(x, scale, bias, eps):
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * scale + bias


def _heads(x, heads):
    return x.reshape(x.shape[0], x.shape[1], heads, -1)


def _merge(x):
    return x.reshape(x.shape[0], x.shape[1], -1)


# --- the blocks ---------------------------------------------------------------


def linear_attention(heads=2, dk=16, dv=16):
    """Causal linear attention, quadratic: o = tril(scale · q kᵀ) v."""
    g = _Graph(1)
    wq, wk = g.weight("wq", (D_MODEL, heads * dk)), g.weight("wk", (D_MODEL, heads * dk))
    wv, wo = g.weight("wv", (D_MODEL, heads * dv)), g.weight("wo", (heads * dv, D_MODEL))
    perm = [0, 2, 1, 3]
    q = g.op("Transpose", [g.heads(g.op("MatMul", ["x", wq]), heads, dk)], "q", perm=perm)
    k = g.op("Transpose", [g.heads(g.op("MatMul", ["x", wk]), heads, dk)], "k", perm=perm)
    v = g.op("Transpose", [g.heads(g.op("MatMul", ["x", wv]), heads, dv)], "v", perm=perm)
    kt = g.op("Transpose", [k], "kt", perm=[0, 1, 3, 2])
    scores = g.op("Mul", [g.op("MatMul", [q, kt], "qk"), g.const("scale", dk ** -0.5)], "scores")
    masked = g.op("Trilu", [scores], "masked", upper=0)  # keep j <= i
    o = g.op("Transpose", [g.op("MatMul", [masked, v], "o")], "o_bthd", perm=perm)
    y = g.op("MatMul", [g.merge(o, heads * dv), wo], out="y")
    w = g.w

    def numpy_block(x):
        qn, kn, vn = (_heads(x @ w[a], heads) for a in (wq, wk, wv))
        o, _ = ref.linear_attn(qn, kn, vn, scale=dk ** -0.5)
        return [_merge(o) @ w[wo]]

    return Block("linear_attention", g.model(y), numpy_block, False)


def retnet(heads=4, dk=8, dv=8, eps=1e-5):
    """RetNet: retention with the decay matrix D, per-head LayerNorm, swish
    gate. gamma_h = 1 - 2^(-5 - h)."""
    g = _Graph(2)
    log_gamma = np.log(1 - 2.0 ** (-5 - np.arange(heads)))
    wq, wk = g.weight("wq", (D_MODEL, heads * dk)), g.weight("wk", (D_MODEL, heads * dk))
    wv, wg = g.weight("wv", (D_MODEL, heads * dv)), g.weight("wg", (D_MODEL, heads * dv))
    wo = g.weight("wo", (heads * dv, D_MODEL))
    ln_scale = g.const("ln_scale", 1 + 0.1 * g.rng.standard_normal(dv))
    ln_bias = g.const("ln_bias", 0.1 * g.rng.standard_normal(dv))
    perm = [0, 2, 1, 3]
    q = g.op("Transpose", [g.heads(g.op("MatMul", ["x", wq]), heads, dk)], "q", perm=perm)
    k = g.op("Transpose", [g.heads(g.op("MatMul", ["x", wk]), heads, dk)], "k", perm=perm)
    v = g.op("Transpose", [g.heads(g.op("MatMul", ["x", wv]), heads, dv)], "v", perm=perm)
    # The decay matrix D [H, T, T]: exp(log gamma_h * (i - j)), upper triangle zeroed.
    seq = g.op("Gather", [g.op("Shape", ["x"]), g.const("one", 1, np.int64)], "seq", axis=0)
    pos = g.op("Cast", [g.op("Range", [g.const("zero", 0, np.int64), seq, g.const("step", 1, np.int64)], "pos")],
               "posf", to=_F)
    diff = g.op("Sub", [g.op("Unsqueeze", [pos, g.const("axes", [1], np.int64)], "i"),
                        g.op("Unsqueeze", [pos, g.const("axes", [0], np.int64)], "j")], "diff")
    lg = g.const("log_gamma", log_gamma.reshape(heads, 1, 1))
    decay = g.op("Exp", [g.op("Mul", [diff, lg])], "decay")
    dmat = g.op("Trilu", [decay], "dmat", upper=0)
    kt = g.op("Transpose", [k], "kt", perm=[0, 1, 3, 2])
    scores = g.op("Mul", [g.op("MatMul", [q, kt], "qk"), g.const("scale", dk ** -0.5)], "scores")
    ret = g.op("Transpose", [g.op("MatMul", [g.op("Mul", [scores, dmat], "masked"), v])], "ret", perm=perm)
    normed = g.op("LayerNormalization", [ret, ln_scale, ln_bias], "ln", axis=-1, epsilon=eps)
    gate = g.silu(g.op("MatMul", ["x", wg], "gate"))
    y = g.op("MatMul", [g.op("Mul", [g.merge(normed, heads * dv), gate], "gated"), wo], out="y")
    w = g.w

    def numpy_block(x):
        qn, kn, vn = (_heads(x @ w[a], heads) for a in (wq, wk, wv))
        o, _ = ref.simple_gla(qn, kn, vn, g_gamma=w[lg].reshape(heads), scale=dk ** -0.5)
        o = _layernorm(o, w[ln_scale], w[ln_bias], eps)
        return [(_merge(o) * _silu(x @ w[wg])) @ w[wo]]

    return Block("retnet", g.model(y), numpy_block, False)


def mamba2(d_inner=64, headdim=16, d_state=16, ngroups=1, d_conv=4, eps=1e-5):
    """Mamba2: in-projection to [z, xBC, dt], depthwise causal conv + SiLU
    on xBC, dt = softplus(dt + dt_bias), SSD (ai.seqmix), y · SiLU(z)
    RMS-normed, out-projection."""
    g = _Graph(3)
    heads = d_inner // headdim
    conv_dim = d_inner + 2 * ngroups * d_state
    d_in_proj = d_inner + conv_dim + heads
    w_in = g.weight("w_in", (D_MODEL, d_in_proj))
    conv_w = g.weight("conv_w", (conv_dim, 1, d_conv), scale=d_conv ** -0.5)
    conv_b = g.const("conv_b", 0.1 * g.rng.standard_normal(conv_dim))
    dt_bias = g.const("dt_bias", np.log(np.expm1(g.rng.uniform(1e-3, 1e-1, heads))))
    a_log = np.log(g.rng.uniform(1, 16, heads))
    A = g.const("A", -np.exp(a_log))
    D = g.const("D", 1 + 0.1 * g.rng.standard_normal(heads))
    norm_w = g.const("norm_w", 1 + 0.1 * g.rng.standard_normal(d_inner))
    w_out = g.weight("w_out", (d_inner, D_MODEL))

    zxbcdt = g.op("MatMul", ["x", w_in], "zxbcdt")
    z, xbc, dt = g.op("Split", [zxbcdt, g.const("split", [d_inner, conv_dim, heads], np.int64)], "zxbcdt",
                      outputs=3, axis=-1)
    xbc_t = g.op("Transpose", [xbc], "xbc_t", perm=[0, 2, 1])
    conv = g.op("Conv", [xbc_t, conv_w, conv_b], "conv", group=conv_dim, kernel_shape=[d_conv],
                pads=[d_conv - 1, 0])
    xbc = g.silu(g.op("Transpose", [conv], "conv_t", perm=[0, 2, 1]))
    xs, bs, cs = g.op("Split", [xbc, g.const("split", [d_inner, ngroups * d_state, ngroups * d_state], np.int64)],
                      "xbc", outputs=3, axis=-1)
    dt = g.op("Softplus", [g.op("Add", [dt, dt_bias], "dt_raw")], "dt")
    y = g.add_node(smx.ssd(g.heads(xs, heads, headdim), dt, A, g.heads(bs, ngroups, d_state),
                           g.heads(cs, ngroups, d_state), D=D, output=g.name("ssd")))
    gated = g.op("Mul", [g.merge(y, d_inner), g.silu(z)], "gated")
    normed = g.op("RMSNormalization", [gated, norm_w], "norm", axis=-1, epsilon=eps)
    out = g.op("MatMul", [normed, w_out], out="y")
    w = g.w

    def numpy_block(x):
        zxbcdt = x @ w[w_in]
        z, xbc, dt = np.split(zxbcdt, [d_inner, d_inner + conv_dim], axis=-1)
        T = x.shape[1]
        pad = np.concatenate([np.zeros((x.shape[0], d_conv - 1, conv_dim)), xbc], axis=1)
        kern = w[conv_w][:, 0, :]  # [C, K]
        conv = sum(pad[:, j:j + T, :] * kern[:, j] for j in range(d_conv)) + w[conv_b]
        xbc = _silu(conv)
        xs, bs, cs = np.split(xbc, [d_inner, d_inner + ngroups * d_state], axis=-1)
        dt = _softplus(dt + w[dt_bias])
        y, _ = ref.ssd(_heads(xs, heads), dt, w[A], _heads(bs, ngroups), _heads(cs, ngroups), D=w[D])
        normed = _rmsnorm(_merge(y) * _silu(z), w[norm_w], eps)
        return [normed @ w[w_out]]

    return Block("mamba2", g.model(out, seqmix=True), numpy_block, True)


def gated_deltanet(heads=2, v_heads=4, dk=16, dv=8, eps=1e-5):
    """Gated DeltaNet: SiLU projections, L2-normed q and k, β = sigmoid,
    g = -exp(A_log) softplus(x W_a + dt_bias), the delta-rule scan
    (ai.seqmix SemiseparableMix), per-head RMSNorm gated by SiLU(x W_g)."""
    g = _Graph(4)
    wq, wk = g.weight("wq", (D_MODEL, heads * dk)), g.weight("wk", (D_MODEL, heads * dk))
    wv, wg = g.weight("wv", (D_MODEL, v_heads * dv)), g.weight("wg", (D_MODEL, v_heads * dv))
    wb, wa = g.weight("wb", (D_MODEL, v_heads)), g.weight("wa", (D_MODEL, v_heads))
    a_log = np.log(g.rng.uniform(1, 16, v_heads))
    neg_a = g.const("neg_A", -np.exp(a_log))
    dt_bias = g.const("dt_bias", np.log(np.expm1(g.rng.uniform(1e-3, 1e-1, v_heads))))
    norm_w = g.const("norm_w", 1 + 0.1 * g.rng.standard_normal(dv))
    wo = g.weight("wo", (v_heads * dv, D_MODEL))
    l2_eps = g.const("l2_eps", 1e-6)
    axes = g.const("axes", [-1], np.int64)

    def l2norm(t):
        ss = g.op("ReduceSum", [g.op("Mul", [t, t], "sq"), axes], "ss", keepdims=1)
        return g.op("Div", [t, g.op("Sqrt", [g.op("Add", [ss, l2_eps], "ss_eps")], "norm")], "l2")

    q = l2norm(g.heads(g.silu(g.op("MatMul", ["x", wq], "q")), heads, dk))
    k = l2norm(g.heads(g.silu(g.op("MatMul", ["x", wk], "k")), heads, dk))
    v = g.heads(g.silu(g.op("MatMul", ["x", wv], "v")), v_heads, dv)
    beta = g.op("Sigmoid", [g.op("MatMul", ["x", wb], "b")], "beta")
    gate = g.op("Mul", [g.op("Softplus", [g.op("Add", [g.op("MatMul", ["x", wa], "a"), dt_bias])]), neg_a], "g")
    o = g.add_node(smx.semiseparable_mix(q, k, v, gate=gate, beta=beta, decay="scalar", transition="delta",
                                         output=g.name("gdn")))
    normed = g.op("RMSNormalization", [o, norm_w], "norm", axis=-1, epsilon=eps)
    gated = g.op("Mul", [g.merge(normed, v_heads * dv), g.silu(g.op("MatMul", ["x", wg], "og"))], "gated")
    y = g.op("MatMul", [gated, wo], out="y")
    w = g.w

    def numpy_block(x):
        def l2(t):
            return t / np.sqrt(np.sum(t * t, axis=-1, keepdims=True) + 1e-6)

        qn = l2(_heads(_silu(x @ w[wq]), heads))
        kn = l2(_heads(_silu(x @ w[wk]), heads))
        vn = _heads(_silu(x @ w[wv]), v_heads)
        beta = _sigmoid(x @ w[wb])
        gn = _softplus(x @ w[wa] + w[dt_bias]) * w[neg_a]
        o, _ = ref.gated_delta_rule(qn, kn, vn, gn, beta)
        o = _rmsnorm(o, w[norm_w], eps)
        return [(_merge(o) * _silu(x @ w[wg])) @ w[wo]]

    return Block("gated_deltanet", g.model(y, seqmix=True), numpy_block, True)


def hybrid(gla_heads=2, dk=16, dv=16, q_heads=4, kv_heads=2, head_dim=8, eps=1e-5):
    """h = x + W_o1 SimpleGLA(RMSNorm(x)); y = h + W_o2 Attention(RMSNorm(h))
    (causal, grouped query heads, 3-D inputs)."""
    g = _Graph(5)
    n1 = g.const("norm1", 1 + 0.1 * g.rng.standard_normal(D_MODEL))
    n2 = g.const("norm2", 1 + 0.1 * g.rng.standard_normal(D_MODEL))
    wq1, wk1 = g.weight("wq1", (D_MODEL, gla_heads * dk)), g.weight("wk1", (D_MODEL, gla_heads * dk))
    wv1, wg1 = g.weight("wv1", (D_MODEL, gla_heads * dv)), g.weight("wg1", (D_MODEL, gla_heads))
    wo1 = g.weight("wo1", (gla_heads * dv, D_MODEL))
    wq2 = g.weight("wq2", (D_MODEL, q_heads * head_dim))
    wk2, wv2 = g.weight("wk2", (D_MODEL, kv_heads * head_dim)), g.weight("wv2", (D_MODEL, kv_heads * head_dim))
    wo2 = g.weight("wo2", (q_heads * head_dim, D_MODEL))
    # Sublayer 1: simple GLA, log decay g = log sigmoid(x W_g) / 8.
    h1 = g.op("RMSNormalization", ["x", n1], "norm1", axis=-1, epsilon=eps)
    q = g.heads(g.op("MatMul", [h1, wq1], "q1"), gla_heads, dk)
    k = g.heads(g.op("MatMul", [h1, wk1], "k1"), gla_heads, dk)
    v = g.heads(g.op("MatMul", [h1, wv1], "v1"), gla_heads, dv)
    logsig = g.op("Neg", [g.op("Softplus", [g.op("Neg", [g.op("MatMul", [h1, wg1], "gl")])])], "logsig")
    gate = g.op("Mul", [logsig, g.const("eighth", 0.125)], "g1")
    o1 = g.add_node(smx.semiseparable_mix(q, k, v, gate=gate, decay="scalar", output=g.name("gla")))
    h = g.op("Add", ["x", g.op("MatMul", [g.merge(o1, gla_heads * dv), wo1], "mix1")], "h")
    # Sublayer 2: causal softmax attention, one Attention node.
    h2 = g.op("RMSNormalization", [h, n2], "norm2", axis=-1, epsilon=eps)
    att = g.op("Attention", [g.op("MatMul", [h2, wq2], "q2"), g.op("MatMul", [h2, wk2], "k2"),
                             g.op("MatMul", [h2, wv2], "v2")], "attn", is_causal=1, q_num_heads=q_heads,
               kv_num_heads=kv_heads)
    y = g.op("Add", [h, g.op("MatMul", [att, wo2], "mix2")], out="y")
    w = g.w

    def numpy_block(x):
        h1 = _rmsnorm(x, w[n1], eps)
        gl = np.log(_sigmoid(h1 @ w[wg1])) * 0.125
        o1, _ = ref.simple_gla(_heads(h1 @ w[wq1], gla_heads), _heads(h1 @ w[wk1], gla_heads),
                               _heads(h1 @ w[wv1], gla_heads), g=gl)
        h = x + _merge(o1) @ w[wo1]
        h2 = _rmsnorm(h, w[n2], eps)
        o2, _ = ref.attention(_heads(h2 @ w[wq2], q_heads), _heads(h2 @ w[wk2], kv_heads),
                              _heads(h2 @ w[wv2], kv_heads), causal=True)
        return [h + _merge(o2) @ w[wo2]]

    return Block("hybrid", g.model(y, seqmix=True), numpy_block, True)


def block(name):
    """The block called ``name`` (see BLOCKS)."""
    if name not in BLOCKS:
        raise ValueError("unknown block %r (blocks: %s)" % (name, ", ".join(BLOCKS)))
    return globals()[name]()


def save(name, path):
    """Writes the model of block ``name`` to ``path``; returns the Block."""
    b = block(name)
    onnx.save(b.model, path)
    return b
