#!/usr/bin/env python3
"""Developer check of seqmix-lower-to-linalg through mlir-runner (JIT).

Builds one small function per family, lowers it with seqmix-to-cpu-pipeline,
runs it on random inputs embedded as constants and compares with the float64
oracle. A quick loop for developing lowerings; the project's numeric tests go
through seqmix-compile and seqmix-run instead.

  .venv/bin/python scripts/dev/jit_check.py [--form recurrent|chunked] [--chunk 16]
      [--family gdn] [--T 1,7,13] [--dtype f32|bf16] [--ops] [-v]

Every family runs at each T, with and without an initial state, then once on
packed sequences (seqlens, a batch of one holding sequences of uneven length,
one of them empty). The families: every semiseparable decay (none, static,
scalar, diagonal) with the additive and the delta transition, Mamba2 (dt,
scale 1, a diagonal D term, grouped B/C), and a Hydra-like sum of a causal
term, an anticausal one and a per-token diagonal. With --ops, each
chunk-level op (seqmix.chunk_cumsum, ...) runs alone against a numpy model
of its semantics instead (--family then selects ops by name prefix).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
from seqmix import reference as ref  # noqa: E402

OPT = os.path.join(ROOT, "build", "bin", "seqmix-opt")
RUNNER = "/usr/lib/llvm-22/bin/mlir-runner"
LIBS = ",".join("/usr/lib/llvm-22/lib/lib%s.so" % n for n in ("mlir_runner_utils", "mlir_c_runner_utils"))


def ttype(shape, dt="f32", dynamic=()):
    dims = ["?" if i in dynamic else str(s) for i, s in enumerate(shape)]
    return "tensor<%sx%s>" % ("x".join(dims), dt)


def dense(a, dt):
    fmt = "%d" if dt.startswith("i") else "%.9e"
    flat = ", ".join(fmt % x for x in a.reshape(-1))
    return "dense<[%s]> : %s" % (flat, ttype(a.shape, dt)) if a.ndim else ("dense<" + fmt + "> : %s") % (a, ttype(a.shape, dt))


def const(name, a, dt):
    if dt in ("i32", "i64"):
        vals = ", ".join(str(int(x)) for x in a.reshape(-1))
        return "  %%%s = arith.constant dense<[%s]> : %s\n" % (name, vals, ttype(a.shape, dt))
    # A flat constant reshaped, so that the text stays simple.
    flat = a.reshape(-1)
    s = "  %%%s_flat = arith.constant %s\n" % (name, dense(flat, dt))
    shape_vals = ", ".join(str(d) for d in a.shape)
    s += "  %%%s_shape = arith.constant dense<[%s]> : tensor<%dxindex>\n" % (name, shape_vals, a.ndim)
    s += "  %%%s = tensor.reshape %%%s_flat(%%%s_shape) : (%s, tensor<%dxindex>) -> %s\n" % (
        name, name, name, ttype(flat.shape, dt), a.ndim, ttype(a.shape, dt))
    return s


def run_case(case, form, verbose=False):
    """case: dict(name, args=[(name, array, dtype, dynamic_dims)], body=str(mlir using %args), results=[(shape, dtype)], ref=array list)"""
    args = case["args"]
    sig = ", ".join("%%%s: %s" % (n, ttype(a.shape, dt, dyn)) for n, a, dt, dyn in args)
    res_types = [ttype(s, dt, dyn) for s, dt, dyn in case["results"]]
    body = case["body"].replace("FORM", form)
    text = "func.func @f(%s) -> (%s) {\n%s\n}\n" % (sig, ", ".join(res_types), body)
    text += "func.func private @printMemrefI32(memref<*xi32>) attributes {llvm.emit_c_interface}\n"
    text += "func.func @main() {\n"
    for n, a, dt, dyn in args:
        text += const(n + "_c", a, dt)
        text += "  %%%s = tensor.cast %%%s_c : %s to %s\n" % (n, n, ttype(a.shape, dt), ttype(a.shape, dt, dyn))
    names = ", ".join("%%r%d" % i for i in range(len(res_types)))
    text += "  %s = call @f(%s) : (%s) -> (%s)\n" % (
        names, ", ".join("%" + n for n, *_ in args), ", ".join(ttype(a.shape, dt, dyn) for _, a, dt, dyn in args),
        ", ".join(res_types))
    for i, (s, dt, dyn) in enumerate(case["results"]):
        src = "%%r%d" % i
        if dt != "f32":
            text += "  %%e%d = arith.extf %s : %s to %s\n" % (i, src, res_types[i], ttype(s, "f32", dyn))
            src = "%%e%d" % i
        # Printed as the bits of the f32 values, so that nothing is lost.
        text += "  %%i%d = arith.bitcast %s : %s to %s\n" % (i, src, ttype(s, "f32", dyn), ttype(s, "i32", dyn))
        text += "  %%m%d = bufferization.to_buffer %%i%d : %s to memref<%s>\n" % (
            i, i, ttype(s, "i32", dyn), ttype(s, "i32", dyn)[7:-1])
        text += "  %%u%d = memref.cast %%m%d : memref<%s> to memref<*xi32>\n" % (i, i, ttype(s, "i32", dyn)[7:-1])
        text += "  call @printMemrefI32(%%u%d) : (memref<*xi32>) -> ()\n" % i
    text += "  return\n}\n"
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "case.mlir")
        open(src, "w").write(text)
        if verbose:
            print(text)
        low = subprocess.run([OPT, src, "--inline", "--seqmix-to-cpu-pipeline"],
                             capture_output=True, text=True)
        if low.returncode:
            return None, low.stderr
        ll = os.path.join(d, "case.ll.mlir")
        open(ll, "w").write(low.stdout)
        run = subprocess.run([RUNNER, ll, "-e", "main", "-entry-point-result=void", "-shared-libs=" + LIBS],
                             capture_output=True, text=True)
        if run.returncode:
            return None, run.stderr
    outs = []
    for block in run.stdout.split("Unranked Memref")[1:]:
        data = block.split("data =", 1)[1]
        nums = re.findall(r"[-+]?\d+", data)
        outs.append(np.array([int(x) for x in nums], dtype=np.int64).astype(np.int32).view(np.float32))
    return outs, None


def rel(a, b):
    return np.linalg.norm(a.reshape(-1) - b.reshape(-1)) / max(np.linalg.norm(b.reshape(-1)), 1e-30)


def _per_sequence(cu, T):
    """The token ranges of the sequences: one per batch row, or those of cu."""
    return [(0, T)] if cu is None else [(int(cu[n]), int(cu[n + 1])) for n in range(len(cu) - 1)]


def families(rng, B, T, H, Hv, K, V, with_init, dtype, cu=None):
    """Yields (name, case) for every family at these sizes; cu packs sequences (B = 1)."""
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    rd = (lambda x: ref.bf16_round(x)) if dtype == "bf16" else (lambda x: x)
    q, k = rd(r(B, T, H, K)), rd(r(B, T, H, K))
    k = rd(k / np.linalg.norm(k, axis=-1, keepdims=True))
    v = rd(r(B, T, Hv, V))
    logsig = lambda x: np.log(1 / (1 + np.exp(-x)))
    g_s = (logsig(r(B, T, Hv)) / 8).astype(np.float32)
    g_d = (logsig(r(B, T, Hv, K)) / 8).astype(np.float32)
    g_h = (logsig(r(Hv)) / 8).astype(np.float32)
    beta = rd(1 / (1 + np.exp(-r(B, T, Hv))))
    # Mamba2: dt > 0, A < 0, D per head; Hydra: a second q/k/g, a per-token D.
    dt_ = (np.log1p(np.exp(r(B, T, Hv))) / 4).astype(np.float32)
    A_ = (-np.exp(r(Hv) / 2)).astype(np.float32)
    D_ = r(Hv)
    q2, k2 = rd(r(B, T, H, K)), rd(r(B, T, H, K))
    g2 = (logsig(r(B, T, Hv)) / 8).astype(np.float32)
    d_tok = r(B, T, Hv)
    N = B if cu is None else len(cu) - 1
    s0 = r(N, Hv, K, V) if with_init else None
    seqs = _per_sequence(cu, T)
    dyn = (0, 1)
    mix = "!seqmix.mixer<?x%dx?, #seqmix.semiseparable<state = %d, decay = DECAY, transition = TRANS>>" % (Hv, K)

    def ssd_oracle():
        # Mamba's own layout: x, dt [.., H], B, C [.., G, N], states [.., H, P, N].
        o, st = np.zeros((B, T, Hv, V)), np.zeros((N, Hv, K, V))
        for n, (bos, eos) in enumerate(seqs):
            rows = slice(None) if cu is None else slice(0, 1)
            init = None if s0 is None else (s0 if cu is None else s0[n:n + 1]).transpose(0, 1, 3, 2)
            y, h = ref.ssd(v[rows, bos:eos], dt_[rows, bos:eos], A_, k[rows, bos:eos], q[rows, bos:eos], D=D_,
                           initial_state=init, output_final_state=True)
            o[rows, bos:eos] = y
            if cu is None:
                st[:] = h.transpose(0, 1, 3, 2)
            else:
                st[n] = h[0].transpose(0, 2, 1)
        return o, st

    def hydra_oracle():
        o, st = ref.simple_gla(q, k, v, g=g_s, initial_state=s0, output_final_state=True, cu_seqlens=cu)
        for bos, eos in seqs:
            if eos > bos:
                M2 = ref.simple_gla_matrix(q2[:, bos:eos], k2[:, bos:eos], g=g2[:, bos:eos])  # [B, Hv, L, L]
                o[:, bos:eos] += np.einsum("bhji,bjhv->bihv", M2, v[:, bos:eos])
        return o + d_tok[..., None] * v, st

    oracle = lambda f, *a, **kw: (lambda: f(*a, initial_state=s0, output_final_state=True, cu_seqlens=cu, **kw))
    gate = lambda g, dynamic=dyn: ("g", g, "f32", dynamic, "gate")
    fams = {
        "linear_attn": ("none", "additive", [], oracle(ref.linear_attn, q, k, v)),
        "simple_gla": ("scalar", "additive", [gate(g_s)], oracle(ref.simple_gla, q, k, v, g=g_s)),
        "retnet": ("static", "additive", [gate(g_h, ())], oracle(ref.simple_gla, q, k, v, g_gamma=g_h)),
        "gla": ("diagonal", "additive", [gate(g_d)], oracle(ref.gla, q, k, v, g=g_d)),
        "delta": ("none", "delta", [("b", beta, dtype, dyn, "beta")], oracle(ref.delta_rule, q, k, v, beta)),
        "gdn": ("scalar", "delta", [gate(g_s), ("b", beta, dtype, dyn, "beta")],
                oracle(ref.gated_delta_rule, q, k, v, g_s, beta)),
        "kda": ("diagonal", "delta", [gate(g_d), ("b", beta, dtype, dyn, "beta")],
                oracle(ref.kda, q, k, v, g_d, beta)),
        "mamba2": ("scalar", "additive", [("g", (A_ * dt_).astype(np.float32), "f32", dyn, "gate"),
                                          ("dt", dt_, "f32", dyn, "dt")], ssd_oracle),
        "hydra": ("scalar", "additive", [gate(g_s)], hydra_oracle),
    }
    for name, (decay, trans, extra, oracle_fn) in fams.items():
        mtype = mix.replace("DECAY", decay).replace("TRANS", trans)
        args = [("q", q, dtype, dyn), ("k", k, dtype, dyn)] + [(n, a, dt, dy) for n, a, dt, dy, _ in extra] + [("v", v, dtype, dyn)]
        if with_init:
            args.append(("s0", s0, "f32", (0,)))
        if cu is not None:
            args.append(("cu", np.asarray(cu, dtype=np.int64), "i64", ()))
        opnds = "".join(" %s(%%%s : %s)" % (kw, n, ttype(a.shape, dt, dy)) for n, a, dt, dy, kw in extra)
        attrs = " {scale = 1.0 : f64}" if name == "mamba2" else ""
        qt = ttype(q.shape, dtype, dyn)
        body = "  %%m0 = seqmix.semiseparable %%q, %%k%s%s : %s, %s -> %s\n" % (opnds, attrs, qt, qt, mtype)
        total = mtype
        if name == "mamba2":
            body += "  %%D = arith.constant %s\n" % dense(D_, "f32")
            body += "  %%d = seqmix.diagonal %%D : %s -> !seqmix.mixer<?x%dx?, #seqmix.diagonal>\n" % (ttype(D_.shape, "f32"), Hv)
            total = "!seqmix.mixer<?x%dx?, #seqmix.sum<[%s, #seqmix.diagonal]>>" % (Hv, mtype[mtype.index("#"):-1])
            body += "  %%m = seqmix.add %%m0, %%d : %s, !seqmix.mixer<?x%dx?, #seqmix.diagonal>\n" % (mtype, Hv)
        elif name == "hydra":
            args[2:2] = [("q2", q2, dtype, dyn), ("k2", k2, dtype, dyn), ("g2", g2, "f32", dyn), ("dtok", d_tok, "f32", dyn)]
            anti = mtype.replace(">>", ", direction = anticausal>>")
            body += "  %%b0 = seqmix.semiseparable %%q2, %%k2 gate(%%g2 : %s) : %s, %s -> %s\n" % (
                ttype(g2.shape, "f32", dyn), qt, qt, mtype)
            body += "  %%b = seqmix.transpose %%b0 : %s\n" % mtype
            body += "  %%d = seqmix.diagonal %%dtok : %s -> !seqmix.mixer<?x%dx?, #seqmix.diagonal>\n" % (ttype(d_tok.shape, "f32", dyn), Hv)
            body += "  %%m1 = seqmix.add %%m0, %%b : %s, %s\n" % (mtype, anti)
            sum2 = "!seqmix.mixer<?x%dx?, #seqmix.sum<[%s, %s]>>" % (Hv, mtype[mtype.index("#"):-1], anti[anti.index("#"):-1])
            body += "  %%m = seqmix.add %%m1, %%d : %s, !seqmix.mixer<?x%dx?, #seqmix.diagonal>\n" % (sum2, Hv)
            total = "!seqmix.mixer<?x%dx?, #seqmix.sum<[%s, %s, #seqmix.diagonal]>>" % (
                Hv, mtype[mtype.index("#"):-1], anti[anti.index("#"):-1])
        else:
            body = body.replace("%m0 =", "%m =")
        init = " init(%%s0 : %s)" % ttype(s0.shape, "f32", (0,)) if with_init else ""
        packed = " seqlens(%%cu : %s)" % ttype((len(cu),), "i64") if cu is not None else ""
        out_t, st_t = ttype(v.shape, dtype, dyn), ttype((N, Hv, K, V), "f32", (0,))
        body += "  %%o, %%s = seqmix.apply %%m, %%v%s%s {form = #seqmix.form<FORM>} : %s, %s -> %s, %s\n" % (
            init, packed, total, out_t, out_t, st_t)
        body += "  return %o, %s : " + out_t + ", " + st_t
        yield name, dict(args=args, body=body, results=[(v.shape, dtype, dyn), ((N, Hv, K, V), "f32", (0,))],
                         ref=list(oracle_fn()))


def _chunks(B, T, C, cu):
    """(sequence n, batch row b, first token c0, length L, chunk index c) of every chunk."""
    seqs = [(b, 0, T) for b in range(B)] if cu is None else [(0, int(cu[n]), int(cu[n + 1])) for n in range(len(cu) - 1)]
    out, packed_index = [], 0
    for n, (b, bos, eos) in enumerate(seqs):
        c = 0 if cu is None else packed_index
        for c0 in range(bos, eos, C):
            out.append((n, b, c0, min(C, eos - c0), c))
            c += 1
        packed_index = c if cu is not None else 0
    return out


def _decay_between(G, b, t, s):
    """exp(G[t] - G[s]) per value head, [Hv] or [Hv, K] (1 without a decay)."""
    return 1.0 if G is None else np.exp(G[b, t] - G[b, s])


def op_cases(rng, B, T, H, Hv, K, V, C, cu, dtype):
    """Yields (name, case): every chunk-level op alone against a float64 numpy model."""
    rd = (lambda x: ref.bf16_round(x)) if dtype == "bf16" else (lambda x: x)
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    f64 = lambda a: np.asarray(a, dtype=np.float64)
    ex = lambda x: np.repeat(f64(x), Hv // H, axis=2)  # q/k heads -> value heads
    chunks = _chunks(B, T, C, cu)
    N = B if cu is None else len(cu) - 1
    NT = len(chunks) if cu is not None else -(-T // C)
    logsig = lambda x: np.log(1 / (1 + np.exp(-x)))
    q, k = rd(r(B, T, H, K)), rd(r(B, T, H, K))
    k = rd(k / np.linalg.norm(k, axis=-1, keepdims=True))
    v = rd(r(B, T, Hv, V))
    beta = rd(1 / (1 + np.exp(-r(B, T, Hv))))
    dyn = (0, 1)
    packed_arg = [] if cu is None else [("cu", np.asarray(cu, dtype=np.int64), "i64", ())]
    packed = "" if cu is None else " seqlens(%%cu : %s)" % ttype((len(cu),), "i64")

    def cumsum_ref(g):
        G = np.zeros(g.shape)
        for _, b, c0, L, _ in chunks:
            G[b, c0:c0 + L] = np.cumsum(f64(g[b, c0:c0 + L]), axis=0)
        return G

    def gram_ref(x, y, G, strict):
        A, xe, ye = np.zeros((B, T, Hv, C)), ex(x), ex(y)
        for _, b, c0, L, _ in chunks:
            for i in range(L):
                for j in range(i if strict else i + 1):
                    w = _decay_between(G, b, c0 + i, c0 + j)
                    w = w[:, None] if np.ndim(w) == 1 else w
                    A[b, c0 + i, :, j] = (xe[b, c0 + i] * ye[b, c0 + j] * w).sum(-1)
        return A

    def tri_ref(A, bt):
        Tm = np.zeros((B, T, Hv, C))
        for _, b, c0, L, _ in chunks:
            for h in range(Hv):
                Ac = np.tril(A[b, c0:c0 + L, h, :L], -1)
                d = np.diag(f64(bt[b, c0:c0 + L, h]))
                Tm[b, c0:c0 + L, h, :L] = np.linalg.solve(np.eye(L) + d @ Ac, d)
        return Tm

    def wy_ref(Tm, G):
        W, U, ke = np.zeros((B, T, Hv, K)), np.zeros((B, T, Hv, V)), ex(k)
        for _, b, c0, L, _ in chunks:
            kg = ke[b, c0:c0 + L] * (1.0 if G is None else np.exp(G[b, c0:c0 + L]).reshape(L, Hv, -1))
            Tc = np.tril(np.moveaxis(Tm[b, c0:c0 + L, :, :L], 1, 0))  # [Hv, L, L]
            W[b, c0:c0 + L] = np.einsum("hij,jhd->ihd", Tc, kg)
            U[b, c0:c0 + L] = np.einsum("hij,jhe->ihe", Tc, f64(v[b, c0:c0 + L]))
        return W, U

    def scan_ref(u, w, G, s0):
        states, final = np.zeros((B, NT, Hv, K, V)), np.zeros((N, Hv, K, V))
        vn, ke = f64(u).copy(), ex(k)
        h = {}
        for n in range(N):
            h[n] = np.zeros((Hv, K, V)) if s0 is None else f64(s0[n]).copy()
        for n, b, c0, L, c in chunks:
            states[b, c] = h[n]
            if w is not None:
                vn[b, c0:c0 + L] -= np.einsum("ihd,hde->ihe", w[b, c0:c0 + L], h[n])
            last = c0 + L - 1
            gl = 1.0 if G is None else np.exp(G[b, last]).reshape(Hv, -1, 1)
            kd = ke[b, c0:c0 + L] * (1.0 if G is None else np.exp(G[b, last] - G[b, c0:c0 + L]).reshape(L, Hv, -1))
            h[n] = gl * h[n] + np.einsum("jhd,jhe->hde", kd, vn[b, c0:c0 + L])
        for n in range(N):
            final[n] = h[n]
        return states, final, vn

    def output_ref(A, vals, states, G, scale):
        o, qe = np.zeros((B, T, Hv, V)), ex(q)
        for _, b, c0, L, c in chunks:
            qg = qe[b, c0:c0 + L] * (1.0 if G is None else np.exp(G[b, c0:c0 + L]).reshape(L, Hv, -1))
            Ac = np.tril(np.moveaxis(A[b, c0:c0 + L, :, :L], 1, 0))
            o[b, c0:c0 + L] = np.einsum("ihd,hde->ihe", qg, states[b, c]) + np.einsum("hij,jhe->ihe", Ac, f64(vals[b, c0:c0 + L]))
        return scale * o

    ts = lambda shape, dt="f32", dy=dyn: ttype(shape, dt, dy)
    qt, vt = ts(q.shape, dtype), ts(v.shape, dtype)
    for decay in ("none", "scalar", "diagonal"):
        g = None if decay == "none" else (logsig(r(B, T, Hv)) / 4 if decay == "scalar" else logsig(r(B, T, Hv, K)) / 4).astype(np.float32)
        G = None if g is None else cumsum_ref(g).astype(np.float32)
        gt = None if g is None else ts(g.shape)
        dec = "" if g is None else " decay(%%G : %s)" % gt
        garg = [] if g is None else [("G", G, "f32", dyn)]
        if g is not None:
            yield "chunk_cumsum/" + decay, dict(
                args=[("g", g, "f32", dyn)] + packed_arg,
                body="  %%r = seqmix.chunk_cumsum %%g%s {chunk = %d : i64} : %s -> %s\n  return %%r : %s" % (packed, C, gt, gt, gt),
                results=[(g.shape, "f32", dyn)], ref=[cumsum_ref(g)])
        At = ts((B, T, Hv, C))
        for strict in (False, True):
            yield "chunk_gram/%s%s" % (decay, "/strict" if strict else ""), dict(
                args=[("q", q, dtype, dyn), ("k", k, dtype, dyn)] + garg + packed_arg,
                body="  %%r = seqmix.chunk_gram %%q, %%k%s%s {chunk = %d : i64%s} : %s, %s -> %s\n  return %%r : %s" % (
                    dec, packed, C, ", strict" if strict else "", qt, qt, At, At),
                results=[((B, T, Hv, C), "f32", dyn)], ref=[gram_ref(q, k, G, strict)])
        Akk = gram_ref(k, k, G, True).astype(np.float32)
        Tm = tri_ref(Akk, beta).astype(np.float32)
        if decay == "none":
            yield "tri_inverse", dict(
                args=[("a", Akk, "f32", dyn), ("b", beta, dtype, dyn)] + packed_arg,
                body="  %%r = seqmix.tri_inverse %%a, %%b%s {chunk = %d : i64} : %s, %s -> %s\n  return %%r : %s" % (
                    packed, C, At, ts(beta.shape, dtype), At, At),
                results=[((B, T, Hv, C), "f32", dyn)], ref=[tri_ref(Akk, beta)])
        Wt, Ut = ts((B, T, Hv, K)), ts((B, T, Hv, V))
        W, U = wy_ref(Tm, G)
        yield "wy_apply/" + decay, dict(
            args=[("t", Tm, "f32", dyn), ("k", k, dtype, dyn), ("v", v, dtype, dyn)] + garg + packed_arg,
            body="  %%w, %%u = seqmix.wy_apply %%t, %%k, %%v%s%s {chunk = %d : i64} : %s, %s, %s -> %s, %s\n  return %%w, %%u : %s, %s" % (
                dec, packed, C, At, qt, vt, Wt, Ut, Wt, Ut),
            results=[((B, T, Hv, K), "f32", dyn), ((B, T, Hv, V), "f32", dyn)], ref=[W, U])
        s0 = r(N, Hv, K, V)
        St, Ft = ts((B, NT, Hv, K, V), "f32", (0, 1)), ts((N, Hv, K, V), "f32", (0,))
        W32, U32 = W.astype(np.float32), U.astype(np.float32)
        for delta in (False, True):
            states, final, vn = scan_ref(U32 if delta else v, W32 if delta else None, G, s0)
            wop = " w(%%w : %s)" % Wt if delta else ""
            res = [((B, NT, Hv, K, V), "f32", (0, 1)), ((N, Hv, K, V), "f32", (0,))] + ([((B, T, Hv, V), "f32", dyn)] if delta else [])
            body = "  %%s, %%f%s = seqmix.chunk_state_scan %%k, %%u%s%s init(%%s0 : %s)%s {chunk = %d : i64} : %s, %s -> %s, %s%s\n" % (
                ", %vn" if delta else "", wop, dec, Ft, packed, C, qt, Ut if delta else vt, St, Ft, ", " + Ut if delta else "")
            body += "  return %%s, %%f%s : %s, %s%s" % (", %vn" if delta else "", St, Ft, ", " + Ut if delta else "")
            yield "chunk_state_scan/%s/%s" % (decay, "delta" if delta else "additive"), dict(
                args=[("k", k, dtype, dyn), ("u", U32 if delta else v, "f32" if delta else dtype, dyn)]
                + ([("w", W32, "f32", dyn)] if delta else []) + garg + [("s0", s0, "f32", (0,))] + packed_arg,
                body=body, results=res, ref=[states, final] + ([vn] if delta else []))
        states, _, vn = scan_ref(U32, W32, G, s0)
        Aqk = gram_ref(q, k, G, False).astype(np.float32)
        vn32, states32 = vn.astype(np.float32), states.astype(np.float32)
        yield "chunk_output/" + decay, dict(
            args=[("q", q, dtype, dyn), ("a", Aqk, "f32", dyn), ("v", vn32, "f32", dyn), ("h", states32, "f32", (0, 1))] + garg + packed_arg,
            body="  %%r = seqmix.chunk_output %%q, %%a, %%v, %%h%s%s {chunk = %d : i64, scale = 0.5 : f64} : %s, %s, %s, %s -> %s\n  return %%r : %s" % (
                dec, packed, C, qt, At, Ut, St, Ut, Ut),
            results=[((B, T, Hv, V), "f32", dyn)], ref=[output_ref(Aqk, vn32, states32, G, 0.5)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--form", default="recurrent", help="recurrent or chunked (or a whole #seqmix.form body)")
    ap.add_argument("--chunk", type=int, default=16, help="chunk size of the chunked form")
    ap.add_argument("--family")
    ap.add_argument("--T", default="1,7,13,16,65,67", help="sequence lengths (comma-separated)")
    ap.add_argument("--dtype", default="f32")
    ap.add_argument("--ops", action="store_true", help="check each chunk-level op alone instead of seqmix.apply")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    form = "chunked, chunk = %d" % a.chunk if a.form == "chunked" else a.form
    tol = 1e-5 if a.dtype == "f32" else 1e-2
    rng = np.random.default_rng(0)
    # B = 2, H = 2 q/k heads, Hv = 4 value heads, K = 5, V = 3; then packed
    # sequences of lengths 1, C, 0, C + 3, C + 1 (B = 1).
    C = a.chunk
    cu = np.cumsum([0, 1, C, 0, C + 3, C + 1])
    runs = [(T, init, None) for T in (int(t) for t in a.T.split(",")) for init in (False, True)]
    runs += [(int(cu[-1]), init, cu) for init in (False, True)]
    bad, worst = 0, {}
    if a.ops:
        print("chunk-level ops alone, chunk = %d, dtype %s, tolerance %.0e (relative L2 error of each result)" % (C, a.dtype, tol))
    else:
        print("form = #seqmix.form<%s>, dtype %s, tolerance %.0e (relative L2 error of output, final state)" % (form, a.dtype, tol))
    for T, with_init, seqs in runs:
        B = 2 if seqs is None else 1
        if a.ops and with_init:
            continue
        cases = (op_cases(rng, B, T, 2, 4, 5, 3, C, seqs, a.dtype) if a.ops
                 else families(rng, B, T, 2, 4, 5, 3, with_init, a.dtype, seqs))
        for name, case in cases:
            if a.family and not name.startswith(a.family):
                continue
            if a.ops:
                label = "%-34s T=%-3d%s" % (name, T, " packed" if seqs is not None else "       ")
            else:
                label = "%-12s T=%-3d init=%d%s" % (name, T, with_init, " packed" if seqs is not None else "       ")
            outs, err = run_case(case, form, a.v)
            if err:
                print("%s  ERROR %s" % (label, err.strip().splitlines()[0]))
                bad += 1
                worst[name] = (float("inf"), worst.get(name, (0, 0))[1] + 1)
                continue
            errs = [rel(o, r) for o, r in zip(outs, case["ref"])]
            ok = all(e < tol for e in errs)
            bad += not ok
            w, n = worst.get(name, (0.0, 0))
            worst[name] = (max([w] + errs), n + 1)
            print("%s  %s  %s" % (label, "ok  " if ok else "FAIL", " ".join("%.2e" % e for e in errs)))
    print("\nsummary: family, cases, max relative error")
    for name, (w, n) in worst.items():
        print("  %-34s %3d  %.2e" % (name, n, w) if a.ops else "  %-12s %3d  %.2e" % (name, n, w))
    print("failures:", bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
