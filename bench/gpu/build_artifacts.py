#!/usr/bin/env python3
"""Builds the chunked GPU kernels that bench/gpu/chunked_harness.py runs.

For every variant (decay, K, V, H, Hv, initial/final state) this writes a
small MLIR function with one seqmix.apply (decay "mamba2": Mamba2 SSD, a
scalar-decay scan with dt, scale 1 and a seqmix.diagonal D added; H is then
the number of groups G of B and C, Hv the heads, K = N and V = P), compiles it with
`seqmix-opt --seqmix-to-nvvm-pipeline` into a cubin (format=bin) and PTX
(format=isa), runs `ptxas -v` on the PTX for the resource report, and writes
manifest.json, which the harness reads. The harness and the float64 oracle
(python/seqmix/reference.py) are copied next to them, so that the folder can
travel alone to a machine with a GPU (and no LLVM or MLIR).

    bench/gpu/build_artifacts.py [--build build] [--dest build/gpu-artifacts]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def variant_mlir(decay, K, V, H, Hv, init, final, chip):
    """A function applying one semiseparable mixer with the GPU form pinned."""
    if decay == "mamba2":
        return mamba2_mlir(K, V, H, Hv, init, final, chip)
    gate_type = {"none": None, "static": f"tensor<{Hv}xf32>",
                 "scalar": f"tensor<?x?x{Hv}xf32>"}[decay]
    qk = f"tensor<?x?x{H}x{K}xbf16>"
    v = f"tensor<?x?x{Hv}x{V}xbf16>"
    state = f"tensor<?x{Hv}x{K}x{V}xf32>"
    mixer = (f"!seqmix.mixer<?x{Hv}x?, #seqmix.semiseparable<state = {K}, "
             f"decay = {decay}, transition = additive>>")
    args = [f"%q: {qk}", f"%k: {qk}", f"%v: {v}"]
    if gate_type:
        args.append(f"%g: {gate_type}")
    if init:
        args.append(f"%s0: {state}")
    results = [v] + ([state] if final else [])
    gate = f" gate(%g : {gate_type})" if gate_type else ""
    init_clause = f" init(%s0 : {state})" if init else ""
    names = "%o, %sT" if final else "%o"
    form = f"#seqmix.form<chunked, chunk = 64, carry = onchip, split_v = {V // 64}>"
    return f"""module attributes {{seqmix.target = #seqmix.target<chip = "{chip}">}} {{
  func.func @forward({", ".join(args)}) -> ({", ".join(results)}) {{
    %m = seqmix.semiseparable %q, %k{gate} : {qk}, {qk} -> {mixer}
    {names} = seqmix.apply %m, %v{init_clause} {{form = {form}}}
        : {mixer}, {v} -> {", ".join(results)}
    return {names} : {", ".join(results)}
  }}
}}
"""


def mamba2_mlir(N, P, G, H, init, final, chip):
    """Mamba2 SSD: q = C, k = B ([B, T, G, N]), v = x ([B, T, H, P]), the
    scalar gate g = A·dt, dt, scale 1, plus Diag(D)."""
    bc = f"tensor<?x?x{G}x{N}xbf16>"
    x = f"tensor<?x?x{H}x{P}xbf16>"
    per_token = f"tensor<?x?x{H}xf32>"
    heads = f"tensor<{H}xf32>"
    state = f"tensor<?x{H}x{N}x{P}xf32>"
    scan = (f"#seqmix.semiseparable<state = {N}, decay = scalar, "
            f"transition = additive>")
    ssd = f"!seqmix.mixer<?x{H}x?, {scan}>"
    skip = f"!seqmix.mixer<?x{H}x?, #seqmix.diagonal>"
    mixer = f"!seqmix.mixer<?x{H}x?, #seqmix.sum<[{scan}, #seqmix.diagonal]>>"
    args = [f"%C: {bc}", f"%B: {bc}", f"%x: {x}", f"%g: {per_token}",
            f"%dt: {per_token}", f"%D: {heads}"]
    if init:
        args.append(f"%s0: {state}")
    results = [x] + ([state] if final else [])
    init_clause = f" init(%s0 : {state})" if init else ""
    names = "%y, %sT" if final else "%y"
    form = f"#seqmix.form<chunked, chunk = 64, carry = onchip, split_v = {P // 64}>"
    return f"""module attributes {{seqmix.target = #seqmix.target<chip = "{chip}">}} {{
  func.func @forward({", ".join(args)}) -> ({", ".join(results)}) {{
    %ssd = seqmix.semiseparable %C, %B gate(%g : {per_token}) dt(%dt : {per_token})
        {{scale = 1.0 : f64}} : {bc}, {bc} -> {ssd}
    %skip = seqmix.diagonal %D : {heads} -> {skip}
    %m = seqmix.add %ssd, %skip : {ssd}, {skip}
    {names} = seqmix.apply %m, %x{init_clause} {{form = {form}}}
        : {mixer}, {x} -> {", ".join(results)}
    return {names} : {", ".join(results)}
  }}
}}
"""


def variants():
    """(purpose, decay, K, V, H, Hv, init, final)."""
    out = []
    for decay in ("none", "static", "scalar"):
        for K in (64, 128):
            for H, Hv in ((2, 2), (2, 4)):
                for init in (False, True):
                    out.append(("check", decay, K, 128, H, Hv, init, True))
        out.append(("check", decay, 128, 128, 2, 4, True, False))
        out.append(("time", decay, 128, 128, 16, 16, False, False))
    # Mamba2 SSD: (K, V, H, Hv) = (N, P, G, heads).
    for K, V in ((128, 64), (64, 128)):
        for G in (1, 2):
            for init in (False, True):
                out.append(("check", "mamba2", K, V, G, 8, init, True))
    out.append(("check", "mamba2", 128, 64, 2, 8, True, False))
    out.append(("time", "mamba2", 128, 64, 1, 16, False, False))
    return out


def run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--dest", default=None)
    parser.add_argument("--chip", default="sm_90a")
    parser.add_argument("--ptxas", default=shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas")
    args = parser.parse_args()
    dest = args.dest or os.path.join(args.build, "gpu-artifacts")
    os.makedirs(dest, exist_ok=True)
    opt = os.path.join(args.build, "bin", "seqmix-opt")
    extract = os.path.join(ROOT, "scripts", "extract-gpu-binary.py")

    manifest = []
    for purpose, decay, K, V, H, Hv, init, final in variants():
        tag = f"{decay}_k{K}_v{V}_h{H}x{Hv}{'_init' if init else ''}{'_final' if final else ''}"
        src = os.path.join(dest, tag + ".mlir")
        with open(src, "w") as f:
            f.write(variant_mlir(decay, K, V, H, Hv, init, final, args.chip))
        formed = run([opt, src, "--seqmix-form-gpu-kernels"])
        kernel = re.search(r"gpu\.launch_func\s+@seqmix_kernels::@(\w+)", formed).group(1)
        smem = int(re.search(r"dynamic_shared_memory_size %c(\d+)_i32", formed).group(1))
        pipeline = f"--seqmix-to-nvvm-pipeline=chip={args.chip} format="
        cubin_ir = run([opt, src, pipeline + "bin"])
        ptx_ir = run([opt, src, pipeline + "isa"])
        cubin = os.path.join(dest, tag + ".cubin")
        ptx = os.path.join(dest, tag + ".ptx")
        subprocess.run([sys.executable, extract, "-o", cubin], input=cubin_ir.encode(), check=True)
        subprocess.run([sys.executable, extract, "-o", ptx], input=ptx_ir.encode(), check=True)
        report = run([args.ptxas, "-arch", args.chip, "-v", ptx, "-o", os.devnull])
        regs = int(re.search(r"Used (\d+) registers", report).group(1))
        spills = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", report)
        manifest.append(dict(tag=tag, purpose=purpose, kernel=kernel, cubin=tag + ".cubin",
                             decay=decay, K=K, V=V, H=H, Hv=Hv, init=init, final=final,
                             smem=smem, registers=regs, spill_stores=int(spills.group(1)),
                             spill_loads=int(spills.group(2))))
        os.remove(src)
        print(f"{tag:40s} {kernel}  regs={regs} spills={spills.group(1)}/{spills.group(2)} smem={smem}")

    with open(os.path.join(dest, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    shutil.copy(os.path.join(ROOT, "python", "seqmix", "reference.py"), dest)
    for name in ("chunked_harness.py", "run_on_device.sh"):
        shutil.copy(os.path.join(ROOT, "bench", "gpu", name), dest)
    print(f"wrote {len(manifest)} variants to {dest}")


if __name__ == "__main__":
    main()
