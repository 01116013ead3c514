#!/usr/bin/env python3
"""Two calls of one library of build/gpu-prefill, for Nsight Compute:

    ncu --kernel-name regex:chunked --launch-skip 1 --launch-count 1 \
        --section SpeedOfLight --section Occupancy --section WarpStateStats \
        python3 bench/gpu/one_call.py simple_gla_b8_t4096_h16_k128_v128.so
"""
import ctypes, os, sys
import torch
ROOT = os.getcwd()
sys.path.insert(0, os.path.join(ROOT, "python"))
from seqmix import runtime
name = sys.argv[1]
lib = runtime.Library(os.path.join(ROOT, "build/gpu-prefill", name))
fn = list(lib.functions.values())[0]
dt = {"bf16": torch.bfloat16, "f32": torch.float32}
ins = []
for info in fn.inputs:
    t = torch.randn(info.shape([]), device="cuda")
    if info.name in ("g", "log_gamma", "g_gamma", "A"):
        t = -t.abs() * 0.05
    ins.append(t.to(dt[info.dtype_name]))
outs = [torch.empty(o.shape([]), dtype=dt[o.dtype_name], device="cuda") for o in fn.outputs]
ci = (ctypes.c_void_p * len(ins))(*[t.data_ptr() for t in ins])
co = (ctypes.c_void_p * len(outs))(*[t.data_ptr() for t in outs])
cs = (ctypes.c_int64 * 1)(0)
s = torch.cuda.current_stream().cuda_stream
for _ in range(2):
    assert fn._entry(ci, co, cs, ctypes.c_void_p(s)) == 0, lib.last_error()
torch.cuda.synchronize()
print("ok")
