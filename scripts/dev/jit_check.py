#!/usr/bin/env python3
"""Developer check of seqmix-lower-to-linalg through mlir-runner (JIT).

Builds one small function per family, lowers it with seqmix-to-cpu-pipeline,
runs it on random inputs embedded as constants and compares with the float64
oracle. A quick loop for developing lowerings; the project's numeric tests go
through seqmix-compile and seqmix-run instead.

  .venv/bin/python scripts/dev/jit_check.py [--form recurrent] [--family gdn] [-v]
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
    flat = ", ".join("%.9e" % x for x in a.reshape(-1))
    return "dense<[%s]> : %s" % (flat, ttype(a.shape, dt)) if a.ndim else "dense<%.9e> : %s" % (a, ttype(a.shape, dt))


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
    text += "func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}\n"
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
        text += "  %%m%d = bufferization.to_buffer %s : %s to memref<%s>\n" % (
            i, src, ttype(s, "f32", dyn), ttype(s, "f32", dyn)[7:-1])
        text += "  %%u%d = memref.cast %%m%d : memref<%s> to memref<*xf32>\n" % (i, i, ttype(s, "f32", dyn)[7:-1])
        text += "  call @printMemrefF32(%%u%d) : (memref<*xf32>) -> ()\n" % i
    text += "  return\n}\n"
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "case.mlir")
        open(src, "w").write(text)
        if verbose:
            print(text)
        low = subprocess.run([OPT, src, "--convert-elementwise-to-linalg", "--seqmix-to-cpu-pipeline"],
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
        nums = re.findall(r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf)", data)
        outs.append(np.array([float(x) for x in nums]))
    return outs, None


def rel(a, b):
    return np.linalg.norm(a.reshape(-1) - b.reshape(-1)) / max(np.linalg.norm(b.reshape(-1)), 1e-30)


def families(rng, B, T, H, Hv, K, V, with_init, dtype):
    """Yields (name, case) for every semiseparable family at these sizes."""
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    rd = (lambda x: ref.bf16_round(x)) if dtype == "bf16" else (lambda x: x)
    q, k = rd(r(B, T, H, K)), rd(r(B, T, H, K))
    k = rd(k / np.linalg.norm(k, axis=-1, keepdims=True))
    v = rd(r(B, T, Hv, V))
    g_s = (np.log(1 / (1 + np.exp(-r(B, T, Hv)))) / 8).astype(np.float32)
    g_d = (np.log(1 / (1 + np.exp(-r(B, T, Hv, K)))) / 8).astype(np.float32)
    g_h = (np.log(1 / (1 + np.exp(-r(Hv)))) / 8).astype(np.float32)
    beta = rd(1 / (1 + np.exp(-r(B, T, Hv))))
    s0 = r(B, Hv, K, V) if with_init else None
    qk_dyn, v_dyn = (0, 1), (0, 1)
    mix = "!seqmix.mixer<?x%d x?, #seqmix.semiseparable<state = %d, decay = DECAY, transition = TRANS>>".replace(" x", "x") % (Hv, K)
    fams = {
        "linear_attn": ("none", "additive", [], lambda: ref.linear_attn(q, k, v, initial_state=s0, output_final_state=True)),
        "simple_gla": ("scalar", "additive", [("g", g_s, "f32", (0, 1), "gate")], lambda: ref.simple_gla(q, k, v, g=g_s, initial_state=s0, output_final_state=True)),
        "retnet": ("static", "additive", [("g", g_h, "f32", (), "gate")], lambda: ref.simple_gla(q, k, v, g_gamma=g_h, initial_state=s0, output_final_state=True)),
        "gla": ("diagonal", "additive", [("g", g_d, "f32", (0, 1), "gate")], lambda: ref.gla(q, k, v, g=g_d, initial_state=s0, output_final_state=True)),
        "delta": ("none", "delta", [("b", beta, dtype, (0, 1), "beta")], lambda: ref.delta_rule(q, k, v, beta, initial_state=s0, output_final_state=True)),
        "gdn": ("scalar", "delta", [("g", g_s, "f32", (0, 1), "gate"), ("b", beta, dtype, (0, 1), "beta")], lambda: ref.gated_delta_rule(q, k, v, g_s, beta, initial_state=s0, output_final_state=True)),
        "kda": ("diagonal", "delta", [("g", g_d, "f32", (0, 1), "gate"), ("b", beta, dtype, (0, 1), "beta")], lambda: ref.kda(q, k, v, g_d, beta, initial_state=s0, output_final_state=True)),
    }
    for name, (decay, trans, extra, oracle) in fams.items():
        mtype = mix.replace("DECAY", decay).replace("TRANS", trans)
        args = [("q", q, dtype, qk_dyn), ("k", k, dtype, qk_dyn)] + [(n, a, dt, dyn) for n, a, dt, dyn, _ in extra] + [("v", v, dtype, v_dyn)]
        if with_init:
            args.append(("s0", s0, "f32", (0,)))
        opnds = "".join(" %s(%%%s : %s)" % (kw, n, ttype(a.shape, dt, dyn)) for n, a, dt, dyn, kw in extra)
        body = "  %%m = seqmix.semiseparable %%q, %%k%s : %s, %s -> %s\n" % (
            opnds, ttype(q.shape, dtype, qk_dyn), ttype(k.shape, dtype, qk_dyn), mtype)
        init = " init(%%s0 : %s)" % ttype(s0.shape, "f32", (0,)) if with_init else ""
        out_t, st_t = ttype(v.shape, dtype, v_dyn), ttype((B, Hv, K, V), "f32", (0,))
        body += "  %%o, %%s = seqmix.apply %%m, %%v%s {form = #seqmix.form<FORM>} : %s, %s -> %s, %s\n" % (
            init, mtype, out_t, out_t, st_t)
        body += "  return %o, %s : " + out_t + ", " + st_t
        o, st = oracle()
        yield name, dict(args=args, body=body, results=[(v.shape, dtype, v_dyn), ((B, Hv, K, V), "f32", (0,))], ref=[o, st])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--form", default="recurrent")
    ap.add_argument("--family")
    ap.add_argument("--dtype", default="f32")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    bad = 0
    for T in (1, 7, 13):
        for with_init in (False, True):
            for name, case in families(rng, 2, T, 2, 4, 5, 3, with_init, a.dtype):
                if a.family and name != a.family:
                    continue
                outs, err = run_case(case, a.form, a.v)
                if err:
                    print("%-12s T=%-3d init=%d  ERROR %s" % (name, T, with_init, err.strip().splitlines()[0]))
                    bad += 1
                    continue
                errs = [rel(o, r) for o, r in zip(outs, case["ref"])]
                tol = 1e-5 if a.dtype == "f32" else 1e-2
                ok = all(e < tol for e in errs)
                bad += not ok
                print("%-12s T=%-3d init=%d  %s  %s" % (name, T, with_init, "ok  " if ok else "FAIL", " ".join("%.2e" % e for e in errs)))
    print("failures:", bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
