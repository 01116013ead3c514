#!/usr/bin/env python3
"""Per-kernel CUDA times of the libraries that `bench/gpu_prefill.py build` made.

On the GPU machine, from the repository root (build/gpu-prefill carried):

    python3 bench/gpu/profile_kernels.py linear_attn_b1_t65536 simple_gla_b2_t16384

(SEQMIX_LIBDIR=dir reads the libraries from another folder.)

For each library whose file name contains one of the arguments: the host time
to submit a call and the wall time per call (20 back-to-back calls), then
torch.profiler's table (CUPTI: every kernel of the process, ours included)
over 10 calls. Inputs are random (values do not change the timings; gates
negative). bench/results/NOTES.md quotes its output.
"""
import ctypes, json, os, sys
import torch
ROOT = os.getcwd()
sys.path.insert(0, os.path.join(ROOT, "python"))
from seqmix import runtime
libdir = os.environ.get("SEQMIX_LIBDIR", os.path.join(ROOT, "build/gpu-prefill"))
man = json.load(open(os.path.join(libdir, "manifest.json")))
stream = torch.cuda.current_stream().cuda_stream
def tensor_for(info, symbols):
    shape = info.shape(symbols)
    dt = {"bf16": torch.bfloat16, "f32": torch.float32}[info.dtype_name]
    return torch.randn(shape, dtype=torch.float32, device="cuda").to(dt) * (0.1 if dt == torch.float32 else 1)
want = sys.argv[1:]
for name in sorted(os.listdir(libdir)):
    if not name.endswith(".so") or "check" in name or not any(w in name for w in want):
        continue
    lib = runtime.Library(os.path.join(libdir, name))
    fn = list(lib.functions.values())[0]
    symbols = [0] * len(fn.symbol_names)
    ins = []
    for info in fn.inputs:
        t = tensor_for(info, symbols)
        if "g" == info.name or info.name in ("g", "log_gamma", "A"):
            t = -t.abs().float() * 0.05
        ins.append(t)
    outs = [torch.empty(o.shape(symbols), dtype={"bf16": torch.bfloat16, "f32": torch.float32}[o.dtype_name], device="cuda") for o in fn.outputs]
    ci = (ctypes.c_void_p * len(ins))(*[t.data_ptr() for t in ins])
    co = (ctypes.c_void_p * len(outs))(*[t.data_ptr() for t in outs])
    cs = (ctypes.c_int64 * max(1, len(symbols)))(*symbols)
    call = lambda: fn._entry(ci, co, cs, ctypes.c_void_p(stream))
    for _ in range(3): call()
    torch.cuda.synchronize()
    import time
    torch.cuda.synchronize(); t0 = time.perf_counter()
    for _ in range(20): call()
    t1 = time.perf_counter(); torch.cuda.synchronize(); t2 = time.perf_counter()
    print("== %s: host submit %.3f ms/call, wall %.3f ms/call" % (name, (t1 - t0) / 20 * 1e3, (t2 - t0) / 20 * 1e3))
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA, torch.profiler.ProfilerActivity.CPU]) as p:
        for _ in range(10): call()
        torch.cuda.synchronize()
    print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=14, max_name_column_width=60))
