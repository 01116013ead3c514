#!/usr/bin/env python3
"""Runs the chunked GPU kernels built by build_artifacts.py on a GPU.

Loads each cubin with the CUDA driver API (ctypes on libcuda; PyTorch owns
the context, the memory and the stream), runs the kernel on fresh random
inputs, and compares the outputs with the float64 oracle of
python/seqmix/reference.py evaluated on the same bf16-rounded inputs, by
relative L2 error (< 1e-2) and max-abs error. Outputs are poisoned with NaN
before every run. Then it times the kernels at (B, T, H, K, V) =
(8, 4096, 16, 128, 128) with CUDA events (median of 20 launches after 5
warm-up launches) and checks those outputs against a float64 evaluation of
the parallel form on the GPU; and times (2, 16384, 16, 128, 128), whose 64
CTAs leave half of an H100 idle.

    python3 chunked_harness.py ARTIFACTS [--json out.json] [--quick]

Variants of decay "mamba2" are Mamba2 SSD (q = C, k = B with H groups, v = x,
the gate A·dt, dt, D, scale 1), checked against reference.ssd; timed at
(B, T, G, N, P) = (8, 4096, 1, 128, 64) with 16 heads.

--quick runs three variants at small shapes only (for compute-sanitizer).
Needs torch and numpy; no LLVM or MLIR.
"""

import argparse
import ctypes
import datetime
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference  # noqa: E402  (copied next to this file)

CU_FUNC_ATTRIBUTE_NUM_REGS = 4
CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8
TOLERANCE = 1e-2


class Driver:
    """The few CUDA driver calls needed, with checked return codes."""

    def __init__(self):
        self.lib = ctypes.CDLL("libcuda.so.1")
        self.lib.cuLaunchKernel.argtypes = [
            ctypes.c_void_p] + [ctypes.c_uint] * 7 + [ctypes.c_void_p] * 3
        self.lib.cuModuleLoadData.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p]
        self.lib.cuModuleGetFunction.argtypes = [
            ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_char_p]
        self.lib.cuFuncSetAttribute.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        self.lib.cuFuncGetAttribute.argtypes = [
            ctypes.POINTER(ctypes.c_int), ctypes.c_int, ctypes.c_void_p]

    def check(self, result, what):
        if result != 0:
            name = ctypes.c_char_p()
            self.lib.cuGetErrorName(result, ctypes.byref(name))
            raise RuntimeError(f"{what} failed: {name.value.decode() if name.value else result}")

    def load(self, path, kernel, smem):
        with open(path, "rb") as f:
            image = f.read()
        module = ctypes.c_void_p()
        self.check(self.lib.cuModuleLoadData(ctypes.byref(module), image), "cuModuleLoadData")
        func = ctypes.c_void_p()
        self.check(self.lib.cuModuleGetFunction(ctypes.byref(func), module, kernel.encode()),
                   "cuModuleGetFunction")
        self.check(self.lib.cuFuncSetAttribute(
            func, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem), "cuFuncSetAttribute")
        regs = ctypes.c_int()
        self.check(self.lib.cuFuncGetAttribute(ctypes.byref(regs), CU_FUNC_ATTRIBUTE_NUM_REGS, func),
                   "cuFuncGetAttribute")
        return func, regs.value

    def launch(self, func, grid, block, smem, params):
        """params: torch tensors (passed as 1-D memref descriptors) and ints."""
        holders = []
        for p in params:
            if isinstance(p, torch.Tensor):
                ptr = ctypes.c_void_p(p.data_ptr())
                holders += [ptr, ctypes.c_void_p(p.data_ptr()), ctypes.c_int64(0),
                            ctypes.c_int64(p.numel()), ctypes.c_int64(1)]
            else:
                holders.append(ctypes.c_int64(p))
        array = (ctypes.c_void_p * len(holders))(
            *[ctypes.cast(ctypes.pointer(h), ctypes.c_void_p) for h in holders])
        stream = torch.cuda.current_stream().cuda_stream
        self.check(self.lib.cuLaunchKernel(func, *grid, *block, smem, stream,
                                           ctypes.cast(array, ctypes.c_void_p), None),
                   "cuLaunchKernel")

    def synchronize(self):
        self.check(self.lib.cuCtxSynchronize(), "cuCtxSynchronize (kernel execution)")


class Variant:
    def __init__(self, driver, folder, entry):
        self.__dict__.update(entry)
        self.driver = driver
        self.func, self.loaded_registers = driver.load(
            os.path.join(folder, entry["cubin"]), entry["kernel"], entry["smem"])
        self.mamba2 = self.decay == "mamba2"
        self.scale = 1.0 if self.mamba2 else self.K ** -0.5

    def inputs(self, B, T, gen, anchor_style=False):
        dev = "cuda"
        q = torch.randn(B, T, self.H, self.K, generator=gen, device=dev)
        k = torch.randn(B, T, self.H, self.K, generator=gen, device=dev)
        if anchor_style:
            k = F.normalize(k, dim=-1)
        v = torch.randn(B, T, self.Hv, self.V, generator=gen, device=dev)
        ins = dict(q=q.bfloat16(), k=k.bfloat16(), v=v.bfloat16())
        if self.mamba2:
            # Mamba's ranges: dt = softplus(·) around 0.05, A = -exp(A_log)
            # in [-16, -1], D around 1; g = A·dt in f32 as the layer computes it.
            ins["dt"] = F.softplus(
                torch.randn(B, T, self.Hv, generator=gen, device=dev) - 3.0)
            ins["A"] = -1.0 - 15.0 * torch.rand(self.Hv, generator=gen, device=dev)
            ins["g"] = ins["A"] * ins["dt"]
            ins["D"] = 1.0 + 0.5 * torch.randn(self.Hv, generator=gen, device=dev)
        elif self.decay == "scalar":
            g = torch.randn(B, T, self.Hv, generator=gen, device=dev)
            ins["g"] = F.logsigmoid(g) / (16 if anchor_style else 1)
        elif self.decay == "static":
            h = torch.arange(self.Hv, device=dev, dtype=torch.float64)
            ins["g"] = torch.log1p(-torch.pow(2.0, -5.0 - h)).float()  # RetNet
        if self.init:
            ins["s0"] = torch.randn(B, self.Hv, self.K, self.V, generator=gen, device=dev)
        return ins

    def run(self, ins):
        B, T = ins["v"].shape[:2]
        o = torch.full((B, T, self.Hv, self.V), float("nan"), device="cuda", dtype=torch.bfloat16)
        sT = (torch.full((B, self.Hv, self.K, self.V), float("nan"), device="cuda")
              if self.final else None)
        params = [ins["q"], ins["k"], ins["v"]]
        if self.decay != "none":
            params.append(ins["g"])
        if self.mamba2:
            params += [ins["dt"], ins["D"]]
        if self.init:
            params.append(ins["s0"])
        params.append(o)
        if self.final:
            params.append(sT)
        params.append(T)
        grid = (self.V // 64, self.Hv, B)
        self.driver.launch(self.func, grid, (128, 1, 1), self.smem, params)
        return o, sT, (grid, params)

    def oracle(self, ins):
        np_ = {n: t.detach().float().cpu().numpy() for n, t in ins.items()}
        if self.mamba2:
            # Mamba's names and state layout [B, H, P, N]; ours is [B, H, N, P].
            s0 = np_.get("s0")
            y, h = reference.ssd(np_["v"], np_["dt"], np_["A"], np_["k"], np_["q"], D=np_["D"],
                                 initial_state=None if s0 is None else s0.transpose(0, 1, 3, 2),
                                 output_final_state=True)
            return y, h.transpose(0, 1, 3, 2)
        common = dict(scale=self.scale, initial_state=np_.get("s0"), output_final_state=True)
        if self.decay == "none":
            return reference.linear_attn(np_["q"], np_["k"], np_["v"], **common)
        if self.decay == "static":
            return reference.simple_gla(np_["q"], np_["k"], np_["v"], g_gamma=np_["g"], **common)
        return reference.simple_gla(np_["q"], np_["k"], np_["v"], g=np_["g"], **common)


def errors(got, want):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    finite = bool(np.isfinite(got).all())
    rel = float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-30)) if finite else math.inf
    mae = float(np.abs(got - want).max()) if finite and got.size else (0.0 if finite else math.inf)
    return rel, mae, finite


def parallel_form_fp64(variant, ins):
    """o = (scale · Q Kᵀ ∘ D) V per batch row in float64 on the GPU (zero state)."""
    q, k, v = (ins[n].double() for n in ("q", "k", "v"))
    B, T = v.shape[:2]
    group = variant.Hv // variant.H
    device = v.device
    out = torch.empty(B, T, variant.Hv, variant.V, dtype=torch.float64, device=device)
    idx = torch.arange(T, device=device)
    causal = idx[:, None] >= idx[None, :]
    for b in range(B):
        qb = q[b].repeat_interleave(group, dim=1).transpose(0, 1)  # [Hv, T, K]
        kb = k[b].repeat_interleave(group, dim=1).transpose(0, 1)
        vb = v[b].transpose(0, 1)  # [Hv, T, V]
        m = torch.matmul(qb, kb.transpose(1, 2)) * variant.scale
        if variant.decay != "none":
            g = ins["g"].double()
            gb = g[b].transpose(0, 1) if variant.decay != "static" else g[:, None].expand(variant.Hv, T)
            G = torch.cumsum(gb, dim=1)
            diff = G[:, :, None] - G[:, None, :]
            m = m * torch.exp(torch.clamp(diff, max=0.0))
        if variant.mamba2:
            m = m * ins["dt"][b].double().transpose(0, 1)[:, None, :]  # column j · dt_j
        m = torch.where(causal, m, torch.zeros((), dtype=m.dtype, device=device))
        ob = torch.matmul(m, vb)
        if variant.mamba2:
            ob = ob + ins["D"].double()[:, None, None] * vb
        out[b] = ob.transpose(0, 1)
        del m
    return out


def check_variant(variant, shapes, gen, log):
    rows = []
    for B, T in shapes:
        ins = variant.inputs(B, T, gen)
        o, sT, _ = variant.run(ins)
        variant.driver.synchronize()
        want_o, want_s = variant.oracle(ins)
        rel, mae, finite = errors(o.float().cpu().numpy(), want_o)
        row = dict(tag=variant.tag, B=B, T=T, rel_l2_o=rel, max_abs_o=mae, finite_o=finite)
        ok = finite and rel < TOLERANCE
        if variant.final:
            rel_s, mae_s, finite_s = errors(sT.cpu().numpy(), want_s)
            row.update(rel_l2_state=rel_s, max_abs_state=mae_s, finite_state=finite_s)
            ok = ok and finite_s and rel_s < TOLERANCE
        row["ok"] = ok
        rows.append(row)
        log(f"  {variant.tag:38s} B={B} T={T:4d}  o: rel {rel:.2e} max {mae:.2e}"
            + (f"  S_T: rel {row['rel_l2_state']:.2e} max {row['max_abs_state']:.2e}"
               if variant.final else "") + ("  ok" if ok else "  FAIL"))
    return rows


def time_variant(variant, gen, log, B=8, T=4096, warmup=5, repeats=20, check=True):
    ins = variant.inputs(B, T, gen, anchor_style=True)
    o, _, (grid, params) = variant.run(ins)
    variant.driver.synchronize()
    finite = bool(torch.isfinite(o).all())
    rel = mae = math.nan
    if check:
        want = parallel_form_fp64(variant, ins)
        got = o.double()
        rel = float(torch.linalg.norm(got - want) / torch.linalg.norm(want)) if finite else math.inf
        mae = float((got - want).abs().max()) if finite else math.inf
        del want, got
    for _ in range(warmup):
        variant.driver.launch(variant.func, grid, (128, 1, 1), variant.smem, params)
    variant.driver.synchronize()
    times = []
    for _ in range(repeats):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        variant.driver.launch(variant.func, grid, (128, 1, 1), variant.smem, params)
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1e3)
    variant.driver.synchronize()
    med = float(np.median(times))
    nbytes = 2 * (2 * B * T * variant.H * variant.K + 2 * B * T * variant.Hv * variant.V)
    if variant.decay in ("scalar", "mamba2"):
        nbytes += 4 * B * T * variant.Hv * (2 if variant.mamba2 else 1)  # g (and dt)
    flops = B * variant.Hv * T * (4 * variant.K * variant.V + 64 * 2 * (variant.K + variant.V))
    row = dict(tag=variant.tag, shape=[B, T, variant.H, variant.K, variant.V], median_us=med,
               min_us=float(np.min(times)), max_us=float(np.max(times)), times_us=times,
               bytes=nbytes, tb_per_s=nbytes / med / 1e6, tflop_per_s=flops / med / 1e6,
               rel_l2_o=rel, max_abs_o=mae,
               ok=finite and (not check or rel < TOLERANCE),
               registers=variant.loaded_registers, smem=variant.smem)
    log(f"  {variant.tag:24s} B={B} T={T:5d} {med:8.1f} us (min {row['min_us']:.1f},"
        f" max {row['max_us']:.1f})  {row['tb_per_s']:.2f} TB/s  {row['tflop_per_s']:.0f} TFLOP/s"
        + (f"  check: rel {rel:.2e}" if check else "  (finite only)")
        + ("  ok" if row['ok'] else "  FAIL"))
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifacts")
    parser.add_argument("--json", default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--timing-rounds", type=int, default=2,
                        help="time every case this many times (the spread "
                        "between rounds says what a difference must exceed)")
    args = parser.parse_args()

    lines = []

    def log(msg):
        print(msg, flush=True)
        lines.append(msg)

    torch.zeros(1, device="cuda")  # creates and binds the primary context
    driver = Driver()
    seed = args.seed if args.seed is not None else int(time.time())
    gen = torch.Generator(device="cuda")
    gen.manual_seed(seed)
    with open(os.path.join(args.artifacts, "manifest.json")) as f:
        manifest = json.load(f)
    info = dict(device=torch.cuda.get_device_name(), date=datetime.datetime.now().isoformat(),
                torch=torch.__version__, python=platform.python_version(), seed=seed,
                command=" ".join(sys.argv))
    log(f"device: {info['device']}  torch {info['torch']}  seed {seed}  {info['date']}")

    checks, timings = [], []
    entries = [e for e in manifest if e["purpose"] == "check"]
    if args.quick:
        entries = [e for e in entries if e["tag"] in
                   ("scalar_k128_v128_h2x4_init_final", "none_k64_v128_h2x2_final",
                    "mamba2_k128_v64_h2x8_init_final")]
    shapes = [(2, 37), (1, 130)] if args.quick else [(2, 1), (2, 37), (2, 64 * 4 + 3)]
    log("correctness (relative L2 error against the float64 oracle, bf16 inputs):")
    for entry in entries:
        checks += check_variant(Variant(driver, args.artifacts, entry), shapes, gen, log)
    if not args.quick and not args.no_timing:
        timed = [Variant(driver, args.artifacts, e) for e in manifest if e["purpose"] == "time"]
        for round_ in range(args.timing_rounds):
            log(f"timing round {round_ + 1}:")
            log("(B, T, H, K, V) = (8, 4096, 16, 128, 128), median of 20:")
            for variant in timed:
                timings.append(time_variant(variant, gen, log))
            # Fewer CTAs than multiprocessors (B·H·V/64 = 64): what the
            # segments carry is for. Too large for the float64 check.
            log("(2, 16384, 16, 128, 128), median of 20 (outputs checked finite only):")
            for variant in timed:
                timings.append(time_variant(variant, gen, log, B=2, T=16384, check=False))
    failed = [r for r in checks + timings if not r["ok"]]
    log(f"{len(checks)} checks, {len(timings)} timings, {len(failed)} failed")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(info=info, checks=checks, timings=timings, log=lines), f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
