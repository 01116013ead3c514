#!/usr/bin/env python3
"""Prefill forward timings of SeqMix's compiled GPU libraries against fla, in one process.

Two steps:

  bench/gpu_prefill.py build            # here (no GPU): compile the libraries into build/gpu-prefill
  bench/gpu_prefill.py run [--out DIR]  # on the GPU machine: check, then time ours and the peers

`build` writes one module per (op, H, K) with B and T dynamic and compiles it with
`seqmix-compile --target=sm_90a` into build/gpu-prefill/<op>_h<H>_k<K>.so, with
libseqmix_runtime.so copied beside them (the libraries find it through $ORIGIN), so
that the folder travels alone.

`run` loads the libraries with ctypes (python/seqmix/runtime.py reads the metadata) and
calls each CUDA entry point directly with torch tensors' data_ptr() and the current
stream; it imports fla (chunk_linear_attn, chunk_simple_gla) from PYTHONPATH (the
sources that /work/shared/bench/get-peers.sh fetches). Both sides get the same
device-resident bf16 inputs (q ~ N(0,1), k L2-normalised, v ~ N(0,1); simple GLA
g = logsigmoid(N(0,1))/16 per token and head; RetNet log(1 - 2^(-5-h)) per head),
as /work/shared/bench/peers.py draws them. First every op is checked against the
float64 oracle (python/seqmix/reference.py) at a small shape; then each op is timed
at the four prefill shapes of reference/anchors-h100.md with CUDA events around each
call (warm-up calls first; median, min and max). The inputs are 0.5 GB, far above the
50 MB L2, so they are not rotated. One JSON record per (op, shape) goes to
bench/results/<date>-<gpu>-prefill.json (and to --out).
"""
import argparse
import ctypes
import datetime
import json
import math
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

OPS = ("linear_attn", "retnet", "simple_gla")
DECAY = {"linear_attn": "none", "retnet": "static", "simple_gla": "scalar"}
SHAPES = [(8, 4096, 16, 128, 128), (2, 16384, 16, 128, 128), (1, 65536, 16, 128, 128),
          (16, 2048, 32, 64, 64)]
CONFIGS = sorted({(H, K) for (_, _, H, K, _) in SHAPES})
LIBDIR = os.path.join(ROOT, "build", "gpu-prefill")


def lib_name(op, H, K):
    return "%s_h%d_k%d.so" % (op, H, K)


def module_text(op, H, K, chip):
    V = K
    decay = DECAY[op]
    qk = "tensor<?x?x%dx%dxbf16>" % (H, K)
    dims = '["B", "T", %d, %d]' % (H, K)
    args = ['%%q: %s {seqmix.dims = %s, seqmix.name = "q"}' % (qk, dims),
            '%%k: %s {seqmix.dims = %s, seqmix.name = "k"}' % (qk, dims),
            '%%v: %s {seqmix.dims = %s, seqmix.name = "v"}' % (qk, dims)]
    gate = ""
    if decay == "static":
        args.append('%%g: tensor<%dxf32> {seqmix.name = "g_gamma"}' % H)
        gate = " gate(%%g : tensor<%dxf32>)" % H
    elif decay == "scalar":
        args.append('%%g: tensor<?x?x%dxf32> {seqmix.dims = ["B", "T", %d], seqmix.name = "g"}' % (H, H))
        gate = " gate(%%g : tensor<?x?x%dxf32>)" % H
    mixer = ("!seqmix.mixer<?x%d x?, #seqmix.semiseparable<state = %d, decay = %s, "
             "transition = additive>>" % (H, K, decay)).replace(" x?", "x?")
    form = "#seqmix.form<chunked, chunk = 64, carry = onchip, split_v = %d>" % (V // 64)
    return """module attributes {seqmix.target = #seqmix.target<chip = "%s">} {
  func.func @forward(%s) -> (%s {seqmix.dims = %s, seqmix.name = "o"}) {
    %%m = seqmix.semiseparable %%q, %%k%s : %s, %s -> %s
    %%o = seqmix.apply %%m, %%v {form = %s} : %s, %s -> %s
    return %%o : %s
  }
}
""" % (chip, ", ".join(args), qk, dims, gate, qk, qk, mixer, form, mixer, qk, qk, qk)


def build(args):
    os.makedirs(LIBDIR, exist_ok=True)
    compiler = os.path.join(ROOT, "build", "bin", "seqmix-compile")
    for op in OPS:
        for H, K in CONFIGS:
            src = os.path.join(LIBDIR, lib_name(op, H, K)[:-3] + ".mlir")
            with open(src, "w") as f:
                f.write(module_text(op, H, K, args.chip))
            cmd = [compiler, src, "--target=" + args.chip, "-o", os.path.join(LIBDIR, lib_name(op, H, K))]
            print(" ".join(cmd), flush=True)
            subprocess.run(cmd, check=True)
    shutil.copy(os.path.join(ROOT, "build", "lib", "libseqmix_runtime.so"), LIBDIR)
    print("built into", LIBDIR)


# ---------------------------------------------------------------------------
# run (GPU machine)


class Ours:
    """A compiled CUDA entry point called with torch tensors."""

    def __init__(self, path):
        from seqmix.runtime import Library
        self.lib = Library(path)
        self.fn = self.lib["forward"]
        assert self.fn.device == "cuda", self.fn

    def __call__(self, inputs, out, stream):
        B, T = out.shape[0], out.shape[1]
        ins = (ctypes.c_void_p * len(inputs))(*[t.data_ptr() for t in inputs])
        outs = (ctypes.c_void_p * 1)(out.data_ptr())
        syms = (ctypes.c_int64 * 2)(B, T)
        status = self.fn._entry(ins, outs, syms, ctypes.c_void_p(stream))
        if status != 0:
            raise RuntimeError("forward failed (%d): %s" % (status, self.lib.last_error()))


def make_inputs(torch, B, T, H, K, V, seed=0):
    gen = torch.Generator(device="cuda").manual_seed(seed)
    q = torch.randn(B, T, H, K, device="cuda", dtype=torch.bfloat16, generator=gen)
    k = torch.nn.functional.normalize(torch.randn(B, T, H, K, device="cuda", generator=gen), dim=-1).bfloat16()
    v = torch.randn(B, T, H, V, device="cuda", dtype=torch.bfloat16, generator=gen)
    g = (torch.nn.functional.logsigmoid(torch.randn(B, T, H, device="cuda", generator=gen)) / 16).float().contiguous()
    g_gamma = torch.log(1 - torch.pow(2.0, -5.0 - torch.arange(H, device="cuda", dtype=torch.float32))).contiguous()
    return q, k, v, g, g_gamma


def our_inputs(op, q, k, v, g, g_gamma):
    return {"linear_attn": [q, k, v], "retnet": [q, k, v, g_gamma], "simple_gla": [q, k, v, g]}[op]


def peer_call(op, fla, q, k, v, g, g_gamma):
    if op == "linear_attn":
        return "fla.chunk_linear_attn(normalize=False)", lambda: fla.chunk_linear_attn(q, k, v, normalize=False)
    if op == "retnet":
        return "fla.chunk_simple_gla(g_gamma)", lambda: fla.chunk_simple_gla(q, k, v, g_gamma=g_gamma)
    return "fla.chunk_simple_gla(g)", lambda: fla.chunk_simple_gla(q, k, v, g=g)


def first(x):
    return x[0] if isinstance(x, (tuple, list)) else x


def time_events(torch, fn, warmup, reps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    for s, e in zip(starts, ends):
        s.record()
        fn()
        e.record()
    torch.cuda.synchronize()
    ms = sorted(s.elapsed_time(e) for s, e in zip(starts, ends))
    return ms[len(ms) // 2], ms[0], ms[-1]


def run(args):
    import numpy as np
    import torch
    from seqmix import reference
    torch.manual_seed(0)
    torch.zeros(1, device="cuda")  # the primary context exists before the libraries load
    device = torch.cuda.get_device_name()
    import fla.ops as fla
    print("torch", torch.__version__, "device", device, flush=True)
    libs = {(op, H, K): Ours(os.path.join(args.libdir, lib_name(op, H, K))) for op in OPS for H, K in CONFIGS}
    stream = torch.cuda.current_stream().cuda_stream

    # Correctness at a small shape, against the float64 oracle on the same bf16 inputs.
    checks = []
    for op in OPS:
        for H, K in CONFIGS:
            B, T = 2, 259
            q, k, v, g, g_gamma = make_inputs(torch, B, T, H, K, K, seed=1)
            o = torch.full((B, T, H, K), float("nan"), device="cuda", dtype=torch.bfloat16)
            libs[(op, H, K)](our_inputs(op, q, k, v, g, g_gamma), o, stream)
            name, peer = peer_call(op, fla, q, k, v, g, g_gamma)
            with torch.no_grad():
                po = first(peer())
            torch.cuda.synchronize()
            f64 = lambda t: t.float().cpu().numpy().astype(np.float64)
            kw = {"simple_gla": {"g": f64(g)}, "retnet": {"g_gamma": f64(g_gamma)}}.get(op, {})
            fn = reference.linear_attn if op == "linear_attn" else reference.simple_gla
            ref = first(fn(f64(q), f64(k), f64(v), **kw))
            err = lambda x: float(np.linalg.norm(f64(x) - ref) / np.linalg.norm(ref))
            rec = {"op": op, "shape": [B, T, H, K, K], "ours_rel_l2": err(o), "peer_rel_l2": err(po),
                   "ok": bool(err(o) < 1e-2)}
            print(json.dumps(rec), flush=True)
            checks.append(rec)
    if not all(c["ok"] for c in checks):
        print("CHECK FAILED", flush=True)

    date = datetime.date.today().isoformat()
    gpu = device.replace("NVIDIA ", "").split()[0].lower()
    command = "python bench/gpu_prefill.py run  (PYTHONPATH=.peers/site; libraries from bench/gpu_prefill.py build)"
    records = []
    with torch.no_grad():
        for (B, T, H, K, V) in SHAPES:
            q, k, v, g, g_gamma = make_inputs(torch, B, T, H, K, V)
            o = torch.empty(B, T, H, V, device="cuda", dtype=torch.bfloat16)
            floor_ms = 2 * B * T * H * (2 * K + 2 * V) / 3.0e9
            for op in OPS:
                ours = libs[(op, H, K)]
                ins = our_inputs(op, q, k, v, g, g_gamma)
                ours_ms = time_events(torch, lambda: ours(ins, o, stream), args.warmup, args.reps)
                name, peer = peer_call(op, fla, q, k, v, g, g_gamma)
                try:
                    peer_ms = time_events(torch, peer, args.warmup, args.reps)[0]
                except Exception as e:  # a failing peer must not hide our numbers
                    print("peer %s failed: %s" % (name, e), flush=True)
                    peer_ms = None
                rec = {"op": op, "shape": [B, T, H, K, V], "dtype": "bf16", "device": device,
                       "ours_ms": round(ours_ms[0], 4), "ours_min_ms": round(ours_ms[1], 4),
                       "ours_max_ms": round(ours_ms[2], 4), "peer": name,
                       "peer_ms": None if peer_ms is None else round(peer_ms, 4),
                       "floor_ms": round(floor_ms, 4), "command": command, "date": date}
                print(json.dumps(rec), flush=True)
                records.append(rec)
            del q, k, v, g, g_gamma, o
            torch.cuda.empty_cache()
    result = {"device": device, "date": date, "torch": torch.__version__, "checks": checks, "records": records,
              "method": "CUDA events around each call, %d warm-up calls then %d timed; median, min, max; "
                        "inputs not rotated (0.5 GB > L2)" % (args.warmup, args.reps)}
    name = "%s-%s-prefill.json" % (date, gpu)
    for d in filter(None, [args.out, os.path.join(ROOT, "bench", "results")]):
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w") as f:
            json.dump(result, f, indent=1)
    print("wrote", name, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--chip", default="sm_90a")
    r = sub.add_parser("run")
    r.add_argument("--libdir", default=LIBDIR)
    r.add_argument("--out", default=os.environ.get("OUT"))
    r.add_argument("--warmup", type=int, default=10)
    r.add_argument("--reps", type=int, default=50)
    args = p.parse_args()
    build(args) if args.cmd == "build" else run(args)


if __name__ == "__main__":
    main()
