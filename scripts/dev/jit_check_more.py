#!/usr/bin/env python3
"""More JIT checks of the lowerings: attention, low rank, transposes, Mamba2
with dt and D, packed sequences. See jit_check.py."""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jit_check import ref, rel, run_case, ttype  # noqa: E402


def cases(rng, forms):
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    B, T, H, Hv, K, V = 2, 11, 2, 4, 5, 3

    # Softmax attention: GQA, causal, windowed, full.
    q, k, v = r(B, T, 4, K), r(B, T, 2, K), r(B, T, 2, V)
    for mask, window in (("causal", 0), ("causal", 4), ("full", 0)):
        attr = "#seqmix.dense<kv_heads = 2%s%s>" % (", mask = full" if mask == "full" else "",
                                                   ", window = %d" % window if window else "")
        mt = "!seqmix.mixer<?x4x?, %s>" % attr
        body = ("  %%m = seqmix.attention %%q, %%k : %s, %s -> %s\n" % (ttype(q.shape, dyn := "f32", (0, 1)), ttype(k.shape, "f32", (0, 1)), mt) +
                "  %%o = seqmix.apply %%m, %%v {form = #seqmix.form<FORM>} : %s, %s -> %s\n" % (mt, ttype(v.shape, "f32", (0, 1)), ttype((B, T, 4, V), "f32", (0, 1))) +
                "  return %%o : %s" % ttype((B, T, 4, V), "f32", (0, 1)))
        if mask == "full":
            o = np.zeros((B, T, 4, V))
            for h in range(4):
                s = np.einsum("btk,bsk->bts", q[:, :, h].astype(np.float64), k[:, :, h // 2]) / np.sqrt(K)
                p = np.exp(s - s.max(-1, keepdims=True)); p /= p.sum(-1, keepdims=True)
                o[:, :, h] = np.einsum("bts,bsv->btv", p, v[:, :, h // 2])
        else:
            o, _ = ref.attention(q, k, v, causal=True, window=window or None)
        yield "attention_%s%s" % (mask, window or ""), ["parallel"], dict(
            args=[("q", q, "f32", (0, 1)), ("k", k, "f32", (0, 1)), ("v", v, "f32", (0, 1))],
            body=body, results=[((B, T, 4, V), "f32", (0, 1))], ref=[o])

    # Non-causal low rank with grouped value heads.
    q, k, v = r(B, T, H, K), r(B, T, H, K), r(B, T, Hv, V)
    mt = "!seqmix.mixer<?x%dx?, #seqmix.lowrank<rank = %d>>" % (Hv, K)
    body = ("  %%m = seqmix.lowrank %%q, %%k : %s, %s -> %s\n" % (ttype(q.shape, "f32", (0, 1)), ttype(k.shape, "f32", (0, 1)), mt) +
            "  %%o = seqmix.apply %%m, %%v {form = #seqmix.form<FORM>} : %s, %s -> %s\n" % (mt, ttype(v.shape, "f32", (0, 1)), ttype(v.shape, "f32", (0, 1))) +
            "  return %%o : %s" % ttype(v.shape, "f32", (0, 1)))
    o, _ = ref.lowrank(q, k, v)
    yield "lowrank", ["parallel", "recurrent"], dict(
        args=[("q", q, "f32", (0, 1)), ("k", k, "f32", (0, 1)), ("v", v, "f32", (0, 1))],
        body=body, results=[(v.shape, "f32", (0, 1))], ref=[o])

    # Transposes: Mᵀ V of a GDN mixer and of a simple GLA mixer with dt.
    q, k, v = r(B, T, H, K), r(B, T, H, K), r(B, T, Hv, V)
    k = k / np.linalg.norm(k, axis=-1, keepdims=True)
    g = (np.log(1 / (1 + np.exp(-r(B, T, Hv)))) / 8).astype(np.float32)
    gd = (np.log(1 / (1 + np.exp(-r(B, T, Hv, K)))) / 8).astype(np.float32)
    beta = (1 / (1 + np.exp(-r(B, T, Hv)))).astype(np.float32)
    dt = (np.log1p(np.exp(r(B, T, Hv) - 1))).astype(np.float32)
    for name, decay, trans, gate, extra, M in (
            ("gdn_T", "scalar", "delta", g, [("b", beta, "beta")], ref.gated_delta_rule_matrix(q, k, g, beta)),
            ("kda_T", "diagonal", "delta", gd, [("b", beta, "beta")], ref.kda_matrix(q, k, gd, beta)),
            ("sgla_dt_T", "scalar", "additive", g, [("dt", dt, "dt")], None)):
        if M is None:  # simple GLA with B_j = dt_j k_j: columns scaled by dt.
            M = ref.simple_gla_matrix(q, k, g=g) * dt.transpose(0, 2, 1)[:, :, None, :]
        mt = "!seqmix.mixer<?x%dx?, #seqmix.semiseparable<state = %d, decay = %s, transition = %s>>" % (Hv, K, decay, trans)
        mtt = mt.replace(">>", ", direction = anticausal>>")
        ops = "".join(" %s(%%%s : %s)" % (kw, n, ttype(a.shape, "f32", (0, 1))) for n, a, kw in extra)
        body = ("  %%m = seqmix.semiseparable %%q, %%k gate(%%g : %s)%s : %s, %s -> %s\n" % (
                    ttype(gate.shape, "f32", (0, 1)), ops, ttype(q.shape, "f32", (0, 1)), ttype(k.shape, "f32", (0, 1)), mt) +
                "  %%t = seqmix.transpose %%m : %s\n" % mt +
                "  %%o = seqmix.apply %%t, %%v {form = #seqmix.form<FORM>} : %s, %s -> %s\n" % (mtt, ttype(v.shape, "f32", (0, 1)), ttype(v.shape, "f32", (0, 1))) +
                "  return %%o : %s" % ttype(v.shape, "f32", (0, 1)))
        o = np.einsum("bhji,bjhv->bihv", M, v.astype(np.float64))
        yield name, forms, dict(
            args=[("q", q, "f32", (0, 1)), ("k", k, "f32", (0, 1)), ("g", gate, "f32", (0, 1))] +
                 [(n, a, "f32", (0, 1)) for n, a, _ in extra] + [("v", v, "f32", (0, 1))],
            body=body, results=[(v.shape, "f32", (0, 1))], ref=[o])

    # Mamba2: semiseparable(C, B, gate = A dt, dt) + Diag(D), with an initial state.
    P, N, G, Hm = 3, 5, 2, 4
    x, Bm, Cm = r(B, T, Hm, P), r(B, T, G, N), r(B, T, G, N)
    dt = np.log1p(np.exp(r(B, T, Hm) - 1)).astype(np.float32)
    A = -np.exp(r(Hm) * 0.5).astype(np.float32)
    D = r(Hm)
    s0 = r(B, Hm, P, N)  # mamba layout [B, H, P, N]
    gate = (A[None, None, :] * dt).astype(np.float32)
    ssd_t = "!seqmix.mixer<?x%dx?, #seqmix.semiseparable<state = %d, decay = scalar, transition = additive>>" % (Hm, N)
    dg_t = "!seqmix.mixer<?x%dx?, #seqmix.diagonal>" % Hm
    sum_t = "!seqmix.mixer<?x%dx?, #seqmix.sum<[#seqmix.semiseparable<state = %d, decay = scalar, transition = additive>, #seqmix.diagonal]>>" % (Hm, N)
    st = ttype((B, Hm, N, P), "f32", (0,))
    body = ("  %%m = seqmix.semiseparable %%C, %%B gate(%%g : %s) dt(%%dt : %s) {scale = 1.0 : f64} : %s, %s -> %s\n" % (
                ttype(gate.shape, "f32", (0, 1)), ttype(dt.shape, "f32", (0, 1)), ttype(Cm.shape, "f32", (0, 1)), ttype(Bm.shape, "f32", (0, 1)), ssd_t) +
            "  %%d = seqmix.diagonal %%D : tensor<%dxf32> -> %s\n" % (Hm, dg_t) +
            "  %%s = seqmix.add %%m, %%d : %s, %s\n" % (ssd_t, dg_t) +
            "  %%o, %%f = seqmix.apply %%s, %%x init(%%s0 : %s) {form = #seqmix.form<FORM>} : %s, %s -> %s, %s\n" % (
                st, sum_t, ttype(x.shape, "f32", (0, 1)), ttype(x.shape, "f32", (0, 1)), st) +
            "  return %%o, %%f : %s, %s" % (ttype(x.shape, "f32", (0, 1)), st))
    y, fs = ref.ssd(x, dt, A, Bm, Cm, D=D, initial_state=s0, output_final_state=True)
    yield "mamba2", forms, dict(
        args=[("x", x, "f32", (0, 1)), ("dt", dt, "f32", (0, 1)), ("g", gate, "f32", (0, 1)), ("B", Bm, "f32", (0, 1)),
              ("C", Cm, "f32", (0, 1)), ("D", D, "f32", ()), ("s0", s0.transpose(0, 1, 3, 2).copy(), "f32", (0,))],
        body=body, results=[(x.shape, "f32", (0, 1)), ((B, Hm, N, P), "f32", (0,))],
        ref=[y, fs.transpose(0, 1, 3, 2)])

    # Packed sequences: GDN over three uneven sequences with initial states.
    cu = np.array([0, 4, 5, 13], dtype=np.int32)
    Tp, Nq = 13, 3
    q, k, v = r(1, Tp, H, K), r(1, Tp, H, K), r(1, Tp, Hv, V)
    k = k / np.linalg.norm(k, axis=-1, keepdims=True)
    g = (np.log(1 / (1 + np.exp(-r(1, Tp, Hv)))) / 8).astype(np.float32)
    beta = (1 / (1 + np.exp(-r(1, Tp, Hv)))).astype(np.float32)
    s0 = r(Nq, Hv, K, V)
    mt = "!seqmix.mixer<1x%dx?, #seqmix.semiseparable<state = %d, decay = scalar, transition = delta>>" % (Hv, K)
    st = ttype((Nq, Hv, K, V), "f32", (0,))
    body = ("  %%m = seqmix.semiseparable %%q, %%k gate(%%g : %s) beta(%%b : %s) : %s, %s -> %s\n" % (
                ttype(g.shape, "f32", (1,)), ttype(beta.shape, "f32", (1,)), ttype(q.shape, "f32", (1,)), ttype(k.shape, "f32", (1,)), mt) +
            "  %%o, %%f = seqmix.apply %%m, %%v init(%%s0 : %s) seqlens(%%cu : tensor<?xi32>) {form = #seqmix.form<FORM>} : %s, %s -> %s, %s\n" % (
                st, mt, ttype(v.shape, "f32", (1,)), ttype(v.shape, "f32", (1,)), st) +
            "  return %%o, %%f : %s, %s" % (ttype(v.shape, "f32", (1,)), st))
    o, fs = ref.gated_delta_rule(q, k, v, g, beta, initial_state=s0, output_final_state=True, cu_seqlens=cu)
    yield "gdn_varlen", forms, dict(
        args=[("q", q, "f32", (1,)), ("k", k, "f32", (1,)), ("g", g, "f32", (1,)), ("b", beta, "f32", (1,)),
              ("v", v, "f32", (1,)), ("s0", s0, "f32", (0,)), ("cu", cu, "i32", (0,))],
        body=body, results=[(v.shape, "f32", (1,)), ((Nq, Hv, K, V), "f32", (0,))], ref=[o, fs])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", default="recurrent,parallel")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    forms = a.forms.split(",")
    bad = 0
    for name, fforms, case in cases(np.random.default_rng(1), forms):
        for form in fforms:
            if form not in forms:
                continue
            outs, err = run_case(case, form, a.v)
            if err:
                print("%-18s %-9s ERROR %s" % (name, form, err.strip().splitlines()[0]))
                bad += 1
                continue
            errs = [rel(o, r) for o, r in zip(outs, case["ref"])]
            ok = all(e < 1e-5 for e in errs)
            bad += not ok
            print("%-18s %-9s %s  %s" % (name, form, "ok  " if ok else "FAIL", " ".join("%.2e" % e for e in errs)))
    print("failures:", bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
