"""Test cases for the compiled CPU numerics: each family as MLIR source, with
the float64 oracle of the same inputs.

A library is compiled per (family, form, dtype). It holds up to three entry
points with dynamic batch and sequence lengths, so that one library serves
every shape:

  plain    q/k heads = value heads, no initial state, output and final state
  grouped  value heads a multiple of the q/k heads, an initial state
  varlen   B = 1 with packed sequences (seqlens) and per-sequence states

Sizes are small (K = 8, V = 4) to keep the suite fast.
"""
import numpy as np

from seqmix import reference as ref

K, V, CHUNK = 8, 4, 16
H_PLAIN, HQ_GROUPED, HV_GROUPED = 2, 1, 2

# family: (decay, transition, oracle name, forms)
SEMISEPARABLE = {
    "linear_attn": ("none", "additive"),
    "retnet": ("static", "additive"),
    "simple_gla": ("scalar", "additive"),
    "gla": ("diagonal", "additive"),
    "delta_rule": ("none", "delta"),
    "gated_delta_rule": ("scalar", "delta"),
    "kda": ("diagonal", "delta"),
    "ssd": ("scalar", "additive"),
}
FAMILIES = list(SEMISEPARABLE) + ["attention", "lowrank"]


def forms_of(family):
    if family == "attention":
        return ["parallel"]
    if family == "lowrank":
        return ["parallel", "recurrent"]
    return ["parallel", "recurrent", "chunked"]


def _t(shape, dt):
    return "tensor<%sx%s>" % ("x".join(str(d) for d in shape), dt)


def _dims(names):
    return "{seqmix.dims = [%s]}" % ", ".join('"%s"' % n if isinstance(n, str) else str(n) for n in names)


def _form(form):
    return "#seqmix.form<chunked, chunk = %d>" % CHUNK if form == "chunked" else "#seqmix.form<%s>" % form


class Arg:
    def __init__(self, name, shape, dtype, dims):
        self.name, self.shape, self.dtype, self.dims = name, shape, dtype, dims

    def decl(self):
        return "%%%s: %s %s" % (self.name, _t(self.shape, self.dtype), _dims(self.dims))


def _entry(family, form, dtype, variant):
    """MLIR text of one entry point, and the argument list."""
    dec, trans = SEMISEPARABLE.get(family, (None, None))
    et = dtype
    grouped = variant == "grouped"
    varlen = variant == "varlen"
    hq, hv = (HQ_GROUPED, HV_GROUPED) if grouped else (H_PLAIN, H_PLAIN)
    B = 1 if varlen else "B"
    bt = [B, "T"]
    sh = lambda *rest: tuple(["?" if isinstance(d, str) else d for d in bt] + list(rest))
    stateful = family in SEMISEPARABLE
    args, body = [], []
    if family == "ssd":
        # x, dt, A (as gate = A·dt computed outside), B, C, D: Mamba2.
        args += [Arg("x", sh(hv, V), et, bt + [hv, V]), Arg("dt", sh(hv), "f32", bt + [hv]),
                 Arg("g", sh(hv), "f32", bt + [hv]), Arg("Bm", sh(hq, K), et, bt + [hq, K]),
                 Arg("Cm", sh(hq, K), et, bt + [hq, K]), Arg("D", (hv,), "f32", [hv])]
        value, q, k = "x", "Cm", "Bm"
        extra = " gate(%%g : %s) dt(%%dt : %s)" % (_t(sh(hv), "f32"), _t(sh(hv), "f32"))
        scale = " {scale = 1.0 : f64}"
    else:
        kv_heads = H_PLAIN if family != "attention" else None
        if family == "attention":
            # Query heads a multiple of key/value heads.
            qh, kvh = (HV_GROUPED, HQ_GROUPED) if grouped else (H_PLAIN, H_PLAIN)
            args += [Arg("q", sh(qh, K), et, bt + [qh, K]), Arg("k", sh(kvh, K), et, bt + [kvh, K]),
                     Arg("v", sh(kvh, V), et, bt + [kvh, V])]
            hq, hv = kvh, qh
        else:
            args += [Arg("q", sh(hq, K), et, bt + [hq, K]), Arg("k", sh(hq, K), et, bt + [hq, K]),
                     Arg("v", sh(hv, V), et, bt + [hv, V])]
        value, q, k = "v", "q", "k"
        extra, scale = "", ""
        if dec == "static":
            args.append(Arg("g", (hv,), "f32", [hv]))
        elif dec == "scalar":
            args.append(Arg("g", sh(hv), "f32", bt + [hv]))
        elif dec == "diagonal":
            args.append(Arg("g", sh(hv, K), "f32", bt + [hv, K]))
        if dec and dec != "none":
            extra += " gate(%%g : %s)" % _t(next(a for a in args if a.name == "g").shape, "f32")
        if trans == "delta":
            args.append(Arg("beta", sh(hv), et, bt + [hv]))
            extra += " beta(%%beta : %s)" % _t(sh(hv), et)
    n_seq = "N" if varlen else "B"
    if stateful and variant != "plain":
        args.append(Arg("s0", ("?", hv, K, V), "f32", [n_seq, hv, K, V]))
    if varlen:
        args.append(Arg("cu", ("?",), "i32", ["N+1"]))
    qt = _t(next(a for a in args if a.name == q).shape, et)
    kt = _t(next(a for a in args if a.name == k).shape, et)
    vt = _t(next(a for a in args if a.name == value).shape, et)
    out_shape = sh(hv, V)
    ot = _t(out_shape, et)
    mb = "1" if varlen else "?"
    if family == "attention":
        mt = "!seqmix.mixer<%sx%dx?, #seqmix.dense<kv_heads = %d>>" % (mb, hv, hq)
        body.append("%%m = seqmix.attention %%q, %%k : %s, %s -> %s" % (qt, kt, mt))
    elif family == "lowrank":
        mt = "!seqmix.mixer<%sx%dx?, #seqmix.lowrank<rank = %d>>" % (mb, hv, K)
        body.append("%%m = seqmix.lowrank %%q, %%k : %s, %s -> %s" % (qt, kt, mt))
    else:
        st = "#seqmix.semiseparable<state = %d, decay = %s, transition = %s>" % (K, dec, trans)
        mt = "!seqmix.mixer<%sx%dx?, %s>" % (mb, hv, st)
        body.append("%%m = seqmix.semiseparable %%%s, %%%s%s%s : %s, %s -> %s" % (q, k, extra, scale, qt, kt, mt))
        if family == "ssd":
            dt_ = "!seqmix.mixer<%sx%dx?, #seqmix.diagonal>" % (mb, hv)
            body.append("%%d = seqmix.diagonal %%D : %s -> %s" % (_t((hv,), "f32"), dt_))
            body.append("%%sum = seqmix.add %%m, %%d : %s, %s" % (mt, dt_))
            mt = "!seqmix.mixer<%sx%dx?, #seqmix.sum<[%s, #seqmix.diagonal]>>" % (mb, hv, st)
            body[-1] = body[-1]
            mixer = "%sum"
        else:
            mixer = "%m"
    if family in ("attention", "lowrank"):
        mixer = "%m"
    opt = ""
    if any(a.name == "s0" for a in args):
        opt += " init(%%s0 : %s)" % _t(("?", hv, K, V), "f32")
    if varlen:
        opt += " seqlens(%cu : tensor<?xi32>)"
    res = ["%s %s" % (ot, _dims(bt + [hv, V]))]
    state_t = _t(("?", hv, K, V), "f32")
    if stateful:
        res.append("%s %s" % (state_t, _dims([n_seq, hv, K, V])))
        body.append("%%o, %%s = seqmix.apply %s, %%%s%s {form = %s} : %s, %s -> %s, %s" % (
            mixer, value, opt, _form(form), mt, vt, ot, state_t))
        body.append("return %%o, %%s : %s, %s" % (ot, state_t))
    else:
        body.append("%%o = seqmix.apply %s, %%%s%s {form = %s} : %s, %s -> %s" % (
            mixer, value, opt, _form(form), mt, vt, ot))
        body.append("return %%o : %s" % ot)
    text = "func.func @%s(%s) -> (%s) {\n  %s\n}\n" % (
        variant, ", ".join(a.decl() for a in args), ", ".join(res), "\n  ".join(body))
    return text, args


def variants_of(family):
    return ["plain", "grouped", "varlen"]


def module(family, form, dtype):
    return "\n".join(_entry(family, form, dtype, v)[0] for v in variants_of(family))


def make_inputs(rng, family, dtype, variant, T, cu=None):
    """Random inputs of an entry point (numpy, bf16 as uint16) and the oracle's
    outputs (float64)."""
    _, args = _entry(family, "parallel", dtype, variant)
    B = 1 if variant == "varlen" else 2
    N = len(cu) - 1 if cu is not None else B
    shapes = {}
    values = {}
    for a in args:
        shape = tuple({"?": None}.get(d, d) for d in a.shape)
        dims = []
        for d, name in zip(a.shape, a.dims):
            if name == "B":
                dims.append(B)
            elif name == "T":
                dims.append(T)
            elif name == "N":
                dims.append(N)
            elif name == "N+1":
                dims.append(N + 1)
            else:
                dims.append(d)
        shapes[a.name] = tuple(dims)
    r = lambda s: rng.standard_normal(s)
    for a in args:
        s = shapes[a.name]
        if a.name == "cu":
            values["cu"] = np.asarray(cu, dtype=np.int32)
        elif a.name == "g":
            values["g"] = (np.log(1 / (1 + np.exp(-r(s)))) / 8).astype(np.float32)
        elif a.name == "beta":
            values["beta"] = 1 / (1 + np.exp(-r(s)))
        elif a.name == "dt":
            values["dt"] = np.log1p(np.exp(r(s) - 1)).astype(np.float32)
        elif a.name == "k" and family in ("delta_rule", "gated_delta_rule", "kda"):
            x = r(s)
            values["k"] = x / np.linalg.norm(x, axis=-1, keepdims=True)
        else:
            values[a.name] = r(s)
    if family == "ssd":
        A = -np.exp(rng.standard_normal(shapes["g"][-1]) * 0.5)
        values["A"] = A
        values["g"] = (A * values["dt"]).astype(np.float32)
    # Round to the element types; the oracle sees the rounded values.
    feed, seen = [], {}
    for a in args:
        x = values[a.name]
        if a.dtype == "bf16":
            seen[a.name] = ref.bf16_round(x).astype(np.float64)
            feed.append(ref.bf16_bits(x))
        elif a.dtype == "f32":
            seen[a.name] = x.astype(np.float32).astype(np.float64)
            feed.append(x.astype(np.float32))
        else:
            seen[a.name] = x
            feed.append(x)
    if "A" in values:
        seen["A"] = values["A"]
    return feed, oracle(family, variant, seen, cu)


def oracle(family, variant, x, cu):
    s0 = x.get("s0")
    kw = dict(initial_state=s0, output_final_state=True, cu_seqlens=cu)
    if family == "linear_attn":
        return ref.linear_attn(x["q"], x["k"], x["v"], **kw)
    if family == "retnet":
        return ref.simple_gla(x["q"], x["k"], x["v"], g_gamma=x["g"], **kw)
    if family == "simple_gla":
        return ref.simple_gla(x["q"], x["k"], x["v"], g=x["g"], **kw)
    if family == "gla":
        return ref.gla(x["q"], x["k"], x["v"], x["g"], **kw)
    if family == "delta_rule":
        return ref.delta_rule(x["q"], x["k"], x["v"], x["beta"], **kw)
    if family == "gated_delta_rule":
        return ref.gated_delta_rule(x["q"], x["k"], x["v"], x["g"], x["beta"], **kw)
    if family == "kda":
        return ref.kda(x["q"], x["k"], x["v"], x["g"], x["beta"], **kw)
    if family == "ssd":
        return _ssd_oracle(x, s0, cu)
    if family == "attention":
        return _varlen(lambda q, k, v: ref.attention(q, k, v, causal=True)[0], [x["q"], x["k"], x["v"]], cu), None
    if family == "lowrank":
        return _varlen(lambda q, k, v: ref.lowrank(q, k, v)[0], [x["q"], x["k"], x["v"]], cu), None
    raise ValueError(family)


def _varlen(fn, arrays, cu):
    """Applies a stateless mixer per packed sequence."""
    if cu is None:
        return fn(*arrays)
    outs = [fn(*[a[:, cu[n]:cu[n + 1]] for a in arrays]) for n in range(len(cu) - 1)]
    return np.concatenate(outs, axis=1)


def _ssd_oracle(x, s0, cu):
    """Mamba2 through the oracle, in the dialect's state layout [N, H, K, V]."""
    # D is added by the oracle; its state layout is [B, H, P, N].
    if cu is None:
        init = None if s0 is None else s0.transpose(0, 1, 3, 2)
        y, fs = ref.ssd(x["x"], x["dt"], x["A"], x["Bm"], x["Cm"], D=x["D"], initial_state=init,
                        output_final_state=True)
        return y, fs.transpose(0, 1, 3, 2)
    ys, states = [], []
    for n in range(len(cu) - 1):
        sl = slice(cu[n], cu[n + 1])
        init = None if s0 is None else s0[n:n + 1].transpose(0, 1, 3, 2)
        y, fs = ref.ssd(x["x"][:, sl], x["dt"][:, sl], x["A"], x["Bm"][:, sl], x["Cm"][:, sl], D=x["D"],
                        initial_state=init, output_final_state=True)
        ys.append(y)
        states.append(fs.transpose(0, 1, 3, 2))
    return np.concatenate(ys, axis=1), np.concatenate(states, axis=0)
