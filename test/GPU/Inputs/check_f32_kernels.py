"""Runs the f32 chunked kernels that seqmix-form-gpu-kernels generates in the
SIMT interpreter (simt.py) and compares o and the final state with the
float64 oracle (python/seqmix/reference.py).

Usage: check_f32_kernels.py SEQMIX_OPT

For each configuration: a module with one seqmix.apply on f32 tensors, formed
into a launch and a gpu.func by `seqmix-opt --seqmix-form-gpu-kernels
--canonicalize --cse`; the launch's block size and dynamic shared memory come
from the host code; the gpu.func runs CTA by CTA over the grid (V/64, Hv, N).
Prints one line per configuration and fails on any error above 1e-4, any
output element not written exactly once, or any error of the interpreter
(bounds, alignment, races on shared memory, divergent barriers).
"""
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))

import simt  # noqa: E402
from seqmix import reference  # noqa: E402

TILE_V = 64


def module_text(decay, K, V, H, Hv, B, init, final, bits):
    """A module with one apply; B is `1` for seqlens, else dynamic."""
    b = "1" if bits else "?"
    qk = f"tensor<{b}x?x{H}x{K}xf32>"
    vt = f"tensor<{b}x?x{Hv}x{V}xf32>"
    st = f"tensor<?x{Hv}x{K}x{V}xf32>"
    mixer = (f"!seqmix.mixer<{b}x{Hv}x?, #seqmix.semiseparable<state = {K}, "
             f"decay = {decay}, transition = additive>>")
    args = [f"%q: {qk}", f"%k: {qk}", f"%v: {vt}"]
    gate = ""
    if decay == "static":
        args.append(f"%g: tensor<{Hv}xf32>")
        gate = f" gate(%g : tensor<{Hv}xf32>)"
    elif decay == "scalar":
        gt = f"tensor<{b}x?x{Hv}xf32>"
        args.append(f"%g: {gt}")
        gate = f" gate(%g : {gt})"
    operands = ""
    if init:
        args.append(f"%s0: {st}")
        operands += f" init(%s0 : {st})"
    if bits:
        args.append(f"%cu: tensor<?xi{bits}>")
        operands += f" seqlens(%cu : tensor<?xi{bits}>)"
    results = [vt] + ([st] if final else [])
    names = "%o, %sT" if final else "%o"
    return f"""
func.func @f({", ".join(args)}) -> ({", ".join(results)}) {{
  %m = seqmix.semiseparable %q, %k{gate} : {qk}, {qk} -> {mixer}
  {names} = seqmix.apply %m, %v{operands}
      {{form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = {V // TILE_V}>}}
      : {mixer}, {vt} -> {", ".join(results)}
  return {names} : {", ".join(results)}
}}
"""


def form(seqmix_opt, text):
    out = subprocess.run([seqmix_opt, "--seqmix-form-gpu-kernels", "--canonicalize", "--cse",
                          "--mlir-print-op-generic"], input=text, check=True,
                         capture_output=True, text=True).stdout
    constants = dict(re.findall(r'(%[\w]+) = "arith.constant"\(\) <\{value = (\d+) : (?:index|i32)\}>',
                                out))
    launch = re.search(r'"gpu.launch_func"\(([^)]*)\)', out)
    operands = [x.strip() for x in launch.group(1).split(",")]
    threads = int(constants[operands[3]])
    smem = int(constants[operands[6]])
    return out, threads, smem


def check(seqmix_opt, decay, K, V, H, Hv, B, T, init, final, seqlens=None, bits=32, seed=0):
    rng = np.random.default_rng(seed)
    bits = bits if seqlens is not None else 0
    N = len(seqlens) - 1 if seqlens is not None else B
    text, threads, smem = form(seqmix_opt, module_text(decay, K, V, H, Hv, B, init, final, bits))
    f32 = np.float32
    q = rng.standard_normal((B, T, H, K)).astype(f32)
    k = rng.standard_normal((B, T, H, K)).astype(f32)
    v = rng.standard_normal((B, T, Hv, V)).astype(f32)
    g = (-0.3 * rng.random((B, T, Hv))).astype(f32)
    gamma = (-0.3 * rng.random(Hv)).astype(f32)
    s0 = rng.standard_normal((N, Hv, K, V)).astype(f32)
    o = np.full((B, T, Hv, V), np.nan, f32)
    sT = np.full((N, Hv, K, V), np.nan, f32)

    def mem(a, name):
        return simt.Mem(a.reshape(-1), 0, None, "global", name)

    args = [mem(q, "q"), mem(k, "k"), mem(v, "v")]
    if decay == "static":
        args.append(mem(gamma, "gate"))
    elif decay == "scalar":
        args.append(mem(g, "gate"))
    if init:
        args.append(mem(s0, "init"))
    if seqlens is not None:
        args.append(mem(np.array(seqlens, dtype=np.int32 if bits == 32 else np.int64), "seqlens"))
    args.append(mem(o, "o"))
    if final:
        args.append(mem(sT, "final"))
    args.append(np.int64(T))
    writes, _ = simt.run_kernel(text, args, (V // TILE_V, Hv, N), threads, smem)

    kw = {}
    if decay == "scalar":
        kw["g"] = g.astype(np.float64)
    elif decay == "static":
        kw["g_gamma"] = gamma.astype(np.float64)
    ro, rs = reference.simple_gla(q.astype(np.float64), k.astype(np.float64), v.astype(np.float64),
                                  initial_state=s0.astype(np.float64) if init else None,
                                  output_final_state=True,
                                  cu_seqlens=None if seqlens is None else np.array(seqlens), **kw)
    count = writes.get("o", np.zeros(o.size, np.int64))
    problems = []
    if count.min() != 1 or count.max() != 1:
        problems.append("o not written exactly once")
    err = np.linalg.norm(o.astype(np.float64) - ro) / np.linalg.norm(ro)
    line = f"o {err:.1e}"
    if not err < 1e-4:
        problems.append("o error")
    if final:
        count = writes.get("final", np.zeros(sT.size, np.int64))
        if count.min() != 1 or count.max() != 1:
            problems.append("final state not written exactly once")
        es = np.linalg.norm(sT.astype(np.float64) - rs) / np.linalg.norm(rs)
        line += f" final {es:.1e}"
        if not es < 1e-4:
            problems.append("final state error")
    print(f"{'FAIL' if problems else 'ok'} {decay} K={K} V={V} H={H} Hv={Hv} B={B} T={T} "
          f"init={int(init)} final={int(final)} seqlens={seqlens} bits={bits}: {line} "
          f"{' '.join(problems)}", flush=True)
    return not problems


def main():
    seqmix_opt = sys.argv[1]
    ok = True
    ok &= check(seqmix_opt, "none", 64, 64, 1, 1, 2, 130, True, True, seed=1)
    ok &= check(seqmix_opt, "static", 128, 64, 1, 2, 1, 100, False, True, seed=2)
    ok &= check(seqmix_opt, "scalar", 64, 128, 2, 4, 1, 70, True, True, seed=3)
    ok &= check(seqmix_opt, "scalar", 128, 64, 1, 1, 2, 1, True, True, seed=4)
    ok &= check(seqmix_opt, "scalar", 64, 64, 1, 2, 1, 200, True, True,
                seqlens=[0, 0, 37, 37, 130, 131, 200], bits=32, seed=5)
    ok &= check(seqmix_opt, "none", 128, 64, 1, 1, 1, 150, False, True,
                seqlens=[0, 64, 64, 150], bits=64, seed=6)
    print("all ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
