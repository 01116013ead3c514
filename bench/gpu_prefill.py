#!/usr/bin/env python3
"""Prefill forward timings of SeqMix's compiled GPU libraries against fla and mamba_ssm, in one process.

Two steps, the first here (no GPU needed), the second on the GPU machine (CUDA, torch, Triton; no
network, no LLVM/MLIR):

  bench/get-peers.sh .peers        # here, once: fla-core 0.6.0, einops, mamba_ssm's Triton SSD into .peers/site
  bench/gpu_prefill.py build       # here: compile the libraries into build/gpu-prefill (+ manifest.json)
  # there, from the repository root, with build/gpu-prefill, .peers/site and python/ carried (with
  # the device tool: carry = ["build/gpu-prefill", ".peers/site", "python"]):
  PYTHONPATH=.peers/site:python python3 bench/gpu_prefill.py run --out "$OUT"

`build` options: --bindir DIR (seqmix-compile and seqmix-opt; default build/bin, whose ../lib holds
libseqmix_runtime.so), --ops linear_attn,mamba2 (a subset; default all), --chip sm_90a, --libdir,
--strict (exit 1 when anything was rejected; by default rejections are reported and exit 0),
--segments chained|passes and --segment-tokens N (seqmix-compile's options of the segments carry),
--loads cp-async|tma (how the wgmma kernels load Q, K and V).
`run` options: --ops, --libdir, --out (default $OUT), --results (default bench/results; '' for
none), --warmup 10, --reps 50, --skip-checks, --shapes 2x16384,1x65536 (only those (B, T)),
--no-peers (ours only, to compare variants of our kernels; such partial runs write
<date>-<gpu>-prefill[-<ops>]-partial.json).

Ops and shapes (reference/anchors-h100.md):
  linear_attn, retnet, simple_gla at (B, T, H, K, V) = (8,4096,16,128,128), (2,16384,16,128,128),
      (1,65536,16,128,128), (16,2048,32,64,64), against fla 0.6.0's chunk_linear_attn(normalize=False),
      chunk_simple_gla(g_gamma=...), chunk_simple_gla(g=...);
  mamba2 (Mamba2 SSD with the D skip, y = SSD(x) + D x) at (B, T, H, P, N, G) = (8,4096,64,64,128,1),
      (2,16384,64,64,128,8), (1,65536,32,64,128,1), against mamba_ssm 2.3.2.post1's
      mamba_chunk_scan_combined(x, dt, A, B, C, chunk_size=256, D=D) (no z, no dt_bias, no softplus:
      both sides get the same dt, already through softplus, and do the same work).

`build` writes, per (op, shape), a module with every dimension static (B and T included), so that
seqmix-select-form's cost model sees the real shape and picks the form (the carry: onchip, or
segments for (1, 65536, ...)); the form is not pinned. The form and the cost model's remark are
read with `seqmix-opt --seqmix-select-form --remarks-filter=seqmix-select-form
--remark-format=emitRemark` on the module (which carries #seqmix.target<chip = ...>), the pass that
seqmix-compile runs first on the same module. Then `seqmix-compile --target=<chip>` makes
build/gpu-prefill/<op>_<shape>.so (e.g. mamba2_b8_t4096_h64_p64_n128_g1.so). For the correctness
check at a small shape it also builds, per op, configuration (the shape without B and T) and form
that the benchmark libraries use, one library with B and T dynamic and that form pinned:
<op>_<config>_<form>_check.so. A module that seqmix-compile rejects (GPU support for Mamba2's dt and
D and for the segments carry is being written) is reported on a "REJECTED" line with the
compiler's message, and the build goes on. For Mamba2 a rejected module is retried once as the
"g_input" variant (g = A dt as an input, see VARIANTS), which `run` then feeds from a torch multiply
inside each timed call. Everything goes to build/gpu-prefill/manifest.json (form, remark, built or the
error, per library); libseqmix_runtime.so is copied beside the libraries (they find it through
$ORIGIN), so the folder travels alone.

`run` loads the libraries with ctypes (python/seqmix/runtime.py reads their metadata, which also
checks every input's dtype and shape) and calls each CUDA entry point directly with torch tensors'
data_ptr() and the current stream. A library the manifest lists as not built is skipped with a
"SKIP" line and listed under "skipped" in the JSON. Both sides get the same device-resident inputs,
drawn as /work/shared/bench/peers.py draws them: q ~ N(0,1) bf16, k L2-normalised, v ~ N(0,1);
simple GLA g = logsigmoid(N(0,1))/16 per token and head; RetNet g_gamma = log(1 - 2^(-5-h));
Mamba2 x, B, C ~ N(0,1) bf16, dt = softplus(N(0,1) - 4) f32, A = -4 U(0,1) f32 [H], D ~ N(0,1) f32 [H]
(our module computes g = A dt itself, as examples/mamba2.mlir does). First every check library is
compared with the float64 oracle (python/seqmix/reference.py) at (B, T) = (2, 259), next to the
peer; then each (op, shape) is timed with CUDA events around each call (10 warm-up calls, then the
median, min and max of 50), and our output at that shape is compared with the peer's
("vs_peer_rel_l2"); the peer gets the same warm-up and the same statistics. The inputs are 0.27 to 0.5 GB, far above the 50 MB L2, so they are not rotated.
floor_ms = the bytes every forward must move once at 3.0 TB/s (the copy rate measured on the H100):
q, k, v read and o written in bf16 for the linear ops; x, B, C (bf16) and dt (f32) read and y (bf16)
written for Mamba2. One JSON record per (op, shape) ({"op", "shape", "dtype", "device", "ours_ms",
"ours_min_ms", "ours_max_ms", "peer", "peer_ms", "peer_min_ms", "peer_max_ms", "floor_ms", "command",
"form", "remark", ...}) goes
to bench/results/<date>-<gpu>-prefill.json (-prefill-<ops>.json for a subset) and to --out. A full
run autotunes the peers' Triton kernels too; if it does not fit in one 10-minute device command, run
`--ops linear_attn,retnet,simple_gla` and `--ops mamba2` as two commands.
"""
import argparse
import ctypes
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

LINEAR_OPS = ("linear_attn", "retnet", "simple_gla")
OPS = LINEAR_OPS + ("mamba2",)
DECAY = {"linear_attn": "none", "retnet": "static", "simple_gla": "scalar"}
# (B, T, H, K, V) for the linear ops, (B, T, H, P, N, G) for Mamba2.
LINEAR_SHAPES = [(8, 4096, 16, 128, 128), (2, 16384, 16, 128, 128), (1, 65536, 16, 128, 128),
                 (16, 2048, 32, 64, 64)]
MAMBA2_SHAPES = [(8, 4096, 64, 64, 128, 1), (2, 16384, 64, 64, 128, 8), (1, 65536, 32, 64, 128, 1)]
SHAPES = {op: LINEAR_SHAPES for op in LINEAR_OPS}
SHAPES["mamba2"] = MAMBA2_SHAPES
CHECK_BT = (2, 259)
COPY_BYTES_PER_S = 3.0e12  # device-to-device copy rate measured on the H100 (anchors-h100.md)
MAMBA2_CHUNK = 256
LIBDIR = os.path.join(ROOT, "build", "gpu-prefill")
MANIFEST = "manifest.json"


def shape_tag(op, shape):
    letters = ("b", "t", "h", "p", "n", "g") if op == "mamba2" else ("b", "t", "h", "k", "v")
    return "_".join("%s%d" % (l, d) for l, d in zip(letters, shape))


def form_tag(form):
    """A short name for a #seqmix.form: chunked-onchip, chunked-segments, recurrent, ..."""
    m = re.match(r"#seqmix\.form<(\w+)", form or "")
    kind = m.group(1) if m else "unknown"
    carry = re.search(r"carry = (\w+)", form or "")
    return kind + ("-" + carry.group(1) if carry else "")


# ---------------------------------------------------------------------------
# Modules


def _dim(n):
    return "?" if n is None else str(n)


def _arg_attrs(name, rest, dynamic):
    """An argument's attributes: its name, and with dynamic B and T the names of its dimensions."""
    dims = 'seqmix.dims = ["B", "T"%s], ' % "".join(", %d" % d for d in rest) if dynamic else ""
    return '{%sseqmix.name = "%s"}' % (dims, name)


def linear_module(op, shape, chip, form=None):
    """linear_attn / retnet / simple_gla. B and T are static unless None; the form is pinned if given."""
    B, T, H, K, V = shape
    assert K == V
    decay = DECAY[op]
    qk = "tensor<%sx%sx%dx%dxbf16>" % (_dim(B), _dim(T), H, K)
    dynamic = B is None
    attrs = lambda name, rest: _arg_attrs(name, rest, dynamic)

    args = ["%%q: %s %s" % (qk, attrs("q", (H, K))), "%%k: %s %s" % (qk, attrs("k", (H, K))),
            "%%v: %s %s" % (qk, attrs("v", (H, V)))]
    gate = ""
    if decay == "static":
        args.append('%%g: tensor<%dxf32> {seqmix.name = "g_gamma"}' % H)
        gate = " gate(%%g : tensor<%dxf32>)" % H
    elif decay == "scalar":
        gtype = "tensor<%sx%sx%dxf32>" % (_dim(B), _dim(T), H)
        args.append("%%g: %s %s" % (gtype, attrs("g", (H,))))
        gate = " gate(%%g : %s)" % gtype
    mixer = ("!seqmix.mixer<%sx%dx%s, #seqmix.semiseparable<state = %d, decay = %s, transition = additive>>"
             % (_dim(B), H, _dim(T), K, decay))
    pinned = " {form = %s}" % form if form else ""
    return """module attributes {seqmix.target = #seqmix.target<chip = "%s">} {
  func.func @forward(%s) -> (%s %s) {
    %%m = seqmix.semiseparable %%q, %%k%s : %s, %s -> %s
    %%o = seqmix.apply %%m, %%v%s : %s, %s -> %s
    return %%o : %s
  }
}
""" % (chip, ", ".join(args), qk, attrs("o", (H, V)), gate, qk, qk, mixer, pinned, mixer, qk, qk, qk)


# Module variants. Mamba2's "module" variant computes g = A dt in the module, as examples/mamba2.mlir and
# the ONNX importer write it; the "g_input" variant takes g as an input instead, and `run` computes it
# with torch (one [B, T, H] f32 multiply) inside every timed call, so that both sides still start from
# the same x, dt, A, B, C, D. `build` uses the second only when seqmix-compile rejects the first.
VARIANTS = {"linear_attn": ("module",), "retnet": ("module",), "simple_gla": ("module",),
            "mamba2": ("module", "g_input")}


def mamba2_module(shape, chip, form=None, variant="module"):
    """Mamba2 SSD with the D skip as examples/mamba2.mlir maps it (q = C, k = B, the G groups as the
    q/k heads, scalar gate g = A dt, dt as the `dt` operand, scale 1, plus seqmix.diagonal D), without
    states. Inputs x, dt, A, B, C, D (variant "g_input": x, dt, g, B, C, D); output y."""
    B, T, H, P, N, G = shape
    dynamic = B is None
    x = "tensor<%sx%sx%dx%dxbf16>" % (_dim(B), _dim(T), H, P)
    bc = "tensor<%sx%sx%dx%dxbf16>" % (_dim(B), _dim(T), G, N)
    dt = "tensor<%sx%sx%dxf32>" % (_dim(B), _dim(T), H)
    heads = "tensor<%dxf32>" % H
    mixer_shape = "%sx%dx%s" % (_dim(B), H, _dim(T))
    ssd_attr = "#seqmix.semiseparable<state = %d, decay = scalar, transition = additive>" % N
    attrs = lambda name, rest: _arg_attrs(name, rest, dynamic)

    if variant == "g_input":
        third = "%%g: !dt %s" % attrs("g", (H,))
        gate = ""
    else:
        third = '%A: !heads {seqmix.name = "A"}'
        if dynamic:
            empty = ("%c0 = arith.constant 0 : index\n    %c1 = arith.constant 1 : index\n"
                     "    %nb = tensor.dim %dt, %c0 : !dt\n    %nt = tensor.dim %dt, %c1 : !dt\n"
                     "    %empty = tensor.empty(%nb, %nt) : !dt")
        else:
            empty = "%empty = tensor.empty() : !dt"
        gate = ("    // g = A dt, A broadcast over batch and time.\n    %s\n"
                "    %%A_bt = linalg.broadcast ins(%%A : !heads) outs(%%empty : !dt) dimensions = [0, 1]\n"
                "    %%g = arith.mulf %%A_bt, %%dt : !dt\n" % empty)
    pinned = " {form = %s}" % form if form else ""
    return """!x = %s
!bc = %s
!dt = %s
!heads = %s
!ssd = !seqmix.mixer<%s, %s>
!skip = !seqmix.mixer<%s, #seqmix.diagonal>
!mixer = !seqmix.mixer<%s, #seqmix.sum<[%s, #seqmix.diagonal]>>
module attributes {seqmix.target = #seqmix.target<chip = "%s">} {
  func.func @forward(%%x: !x %s, %%dt: !dt %s, %s,
                     %%B: !bc %s, %%C: !bc %s, %%D: !heads {seqmix.name = "D"}) -> (!x %s) {
%s    %%ssd = seqmix.semiseparable %%C, %%B gate(%%g : !dt) dt(%%dt : !dt) {scale = 1.0 : f64} : !bc, !bc -> !ssd
    %%skip = seqmix.diagonal %%D : !heads -> !skip
    %%m = seqmix.add %%ssd, %%skip : !ssd, !skip
    %%y = seqmix.apply %%m, %%x%s : !mixer, !x -> !x
    return %%y : !x
  }
}
""" % (x, bc, dt, heads, mixer_shape, ssd_attr, mixer_shape, mixer_shape, ssd_attr, chip,
       attrs("x", (H, P)), attrs("dt", (H,)), third, attrs("B", (G, N)), attrs("C", (G, N)), attrs("y", (H, P)),
       gate, pinned)


def module_text(op, shape, chip, form=None, variant="module"):
    if op == "mamba2":
        return mamba2_module(shape, chip, form, variant)
    assert variant == "module"
    return linear_module(op, shape, chip, form)


# ---------------------------------------------------------------------------
# build (here)


def _tool(bindir, name, wait_s=180):
    """The path of a SeqMix tool; waits while it is missing (it is rebuilt from time to time)."""
    path = os.path.join(bindir, name)
    deadline = time.time() + wait_s
    while not os.access(path, os.X_OK):
        if time.time() > deadline:
            sys.exit("gpu_prefill: %s is missing (build the tools, or pass --bindir)" % path)
        print("gpu_prefill: waiting for %s" % path, flush=True)
        time.sleep(10)
    return path


def _run_tool(bindir, name, args, tries=3):
    """Runs a tool; retries when it cannot be executed for a moment (being replaced)."""
    for attempt in range(tries):
        cmd = [_tool(bindir, name)] + args
        try:
            return cmd, subprocess.run(cmd, capture_output=True, text=True)
        except OSError as e:  # e.g. ETXTBSY while the binary is being written
            if attempt == tries - 1:
                raise
            print("gpu_prefill: %s: %s; retrying" % (name, e), flush=True)
            time.sleep(10)


_REMARK = re.compile(r'Category:seqmix-select-form \| Remark="(.*)"')
_FORM = re.compile(r"\{form = (#seqmix\.form<[^>]*>)\}")


def select_form(bindir, src):
    """(form, remark, error) from seqmix-opt --seqmix-select-form on the module."""
    cmd, p = _run_tool(bindir, "seqmix-opt", [src, "--seqmix-select-form", "--remarks-filter=seqmix-select-form",
                                              "--remark-format=emitRemark"])
    remarks = _REMARK.findall(p.stderr)
    forms = _FORM.findall(p.stdout)
    if p.returncode != 0 or len(forms) != 1:
        why = (p.stderr.strip() or "no form in the output").splitlines()
        return None, None, "seqmix-opt --seqmix-select-form failed (exit %d): %s" % (p.returncode, " | ".join(why[:4]))
    return forms[0], (remarks[0] if remarks else None), None


def _errors(stderr, src):
    """The compiler's error lines, with the module's path shortened to its file name."""
    stderr = stderr.replace(src, os.path.basename(src))
    prefix = "seqmix-compile: error: "
    lines = [l[len(prefix):].strip() for l in stderr.splitlines() if l.startswith(prefix)]
    return " | ".join(lines[:4]) or stderr.strip()[-500:] or "no message"


def compile_library(bindir, chip, src, lib, mma="auto", extra=()):
    """(ok, command, error)."""
    cmd, p = _run_tool(bindir, "seqmix-compile", [src, "--target=" + chip, "--mma=" + mma] + list(extra) + ["-o", lib])
    if p.returncode != 0:
        if os.path.exists(lib):
            os.remove(lib)
        return False, " ".join(cmd), "seqmix-compile exit %d: %s" % (p.returncode, _errors(p.stderr, src))
    return True, " ".join(cmd), None


def _git_describe():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except OSError:
        return None


def build_library(args, entry, stem, shape, form=None, variants=None):
    """Writes and compiles the module of `entry` (op; shape with None for dynamic B and T; the form
    pinned if given), trying the op's variants in order until seqmix-compile accepts one. Fills in
    the entry: variant, mlir, lib, form, remark, built, error, command (and rejected_variants)."""
    op = entry["op"]
    failures, first_try = [], None
    for variant in variants or VARIANTS[op]:
        name = stem + ("" if variant == "module" else "_" + variant.replace("_", ""))
        src = os.path.join(args.libdir, name + ".mlir")
        lib = os.path.join(args.libdir, name + ".so")
        with open(src, "w") as f:
            f.write(module_text(op, shape, args.chip, form=form, variant=variant))
        chosen, remark, why = select_form(args.bindir, src)
        ok, cmd, err = compile_library(args.bindir, args.chip, src, lib, getattr(args, "mma", "auto"),
                                       compile_options(args))
        entry.update({"variant": variant, "mlir": os.path.basename(src), "lib": os.path.basename(lib),
                      "form": chosen or form, "remark": remark, "built": ok,
                      "error": None if ok else (err or why), "command": cmd})
        if ok:
            break
        first_try = first_try or dict(entry)
        failures.append({"variant": variant, "lib": entry["lib"], "form": entry["form"], "error": entry["error"]})
    if not entry["built"]:  # none accepted: the entry describes the first variant, the error all of them
        entry.update(first_try)
        if len(failures) > 1:
            entry["error"] = "; ".join("variant %s: %s" % (f["variant"], f["error"]) for f in failures)
    if len(failures) > 1 or (failures and entry["built"]):
        entry["rejected_variants"] = failures
    return entry


def compile_options(args):
    """seqmix-compile's options (segments carry, loads) that `build` was given."""
    extra = []
    if getattr(args, "segments", None):
        extra.append("--segments=" + args.segments)
    if getattr(args, "segment_tokens", None):
        extra.append("--segment-tokens=%d" % args.segment_tokens)
    if getattr(args, "loads", None):
        extra.append("--loads=" + args.loads)
    return extra


def build(args):
    ops = args.ops
    os.makedirs(args.libdir, exist_ok=True)
    for f in os.listdir(args.libdir):  # no stale library may pass for a new one
        if f.endswith((".so", ".mlir")) or f == MANIFEST:
            os.remove(os.path.join(args.libdir, f))
    entries = []

    def report(e):
        where = "%s %s" % (e["op"], tuple(e["shape"]) if e["kind"] == "bench" else "check " + e["config"])
        variant = "" if e["variant"] == "module" else " (variant %s)" % e["variant"]
        for f in e.get("rejected_variants", []) if e["built"] else []:
            print("REJECTED %-45s variant %s, form %s: %s" % (where, f["variant"], f["form"], f["error"]), flush=True)
        if e["built"]:
            print("BUILT    %-45s %s%s" % (where, e["form"], variant), flush=True)
        else:
            print("REJECTED %-45s form %s: %s" % (where, e["form"], e["error"]), flush=True)

    # One library per (op, shape), B and T static, the form chosen by the cost model.
    for op in ops:
        for shape in SHAPES[op]:
            e = build_library(args, {"kind": "bench", "op": op, "shape": list(shape)},
                              "%s_%s" % (op, shape_tag(op, shape)), shape)
            report(e)
            entries.append(e)

    # The correctness check: per op, configuration, form and variant used above, B and T dynamic, the
    # form pinned.
    wanted = {}
    for e in entries:
        if e["form"]:
            key = (e["op"], tuple(e["shape"][2:]), e["form"], e["variant"])
            wanted.setdefault(key, []).append(e)
    for (op, config, form, variant), users in wanted.items():
        ctag = shape_tag(op, (0, 0) + config).split("_", 2)[2]
        e = build_library(args, {"kind": "check", "op": op, "config": ctag, "shape": [None, None] + list(config),
                                 "for": [u["lib"] for u in users]},
                          "%s_%s_%s_check" % (op, ctag, form_tag(form)), (None, None) + config, form=form,
                          variants=[variant])
        for u in users:
            u["check"] = e["lib"]
        report(e)
        entries.append(e)

    runtime = os.path.join(os.path.dirname(os.path.abspath(args.bindir)), "lib", "libseqmix_runtime.so")
    shutil.copy(runtime, args.libdir)
    manifest = {"chip": args.chip, "mma": getattr(args, "mma", "auto"), "options": compile_options(args), "date": datetime.datetime.now().isoformat(timespec="seconds"),
                "compiler": os.path.join(os.path.abspath(args.bindir), "seqmix-compile"),
                "source": _git_describe(), "entries": entries}
    with open(os.path.join(args.libdir, MANIFEST), "w") as f:
        json.dump(manifest, f, indent=1)
    rejected = [e for e in entries if not e["built"]]
    print("built %d of %d libraries into %s; manifest %s"
          % (len(entries) - len(rejected), len(entries), args.libdir, MANIFEST), flush=True)
    if rejected:
        print("not built (REJECTED above): %s" % ", ".join(e["lib"] for e in rejected), flush=True)
    return 1 if (rejected and args.strict) else 0


# ---------------------------------------------------------------------------
# run (GPU machine)


class Ours:
    """A compiled CUDA entry point called with torch tensors."""

    def __init__(self, path):
        from seqmix.runtime import Library
        self.lib = Library(path)
        self.fn = self.lib["forward"]
        assert self.fn.device == "cuda", self.fn

    def bind(self, torch, inputs, out, stream):
        """A call with no arguments, after checking the tensors against the library's metadata."""
        dtypes = {torch.bfloat16: "bf16", torch.float32: "f32"}
        if len(inputs) != len(self.fn.inputs) or len(self.fn.outputs) != 1:
            raise ValueError("%s: %d inputs given" % (self.fn, len(inputs)))
        values = {}
        for info, t in zip(self.fn.inputs + self.fn.outputs, list(inputs) + [out]):
            if dtypes.get(t.dtype) != info.dtype_name or not t.is_contiguous() or not t.is_cuda:
                raise ValueError("%s: %s must be a contiguous CUDA %s tensor, got %s" % (
                    self.fn, info.name, info.dtype_name, t.dtype))
            for (sym, off), size in zip(info.dims, t.shape):
                if sym >= 0:
                    values.setdefault(sym, size - off)
        symbols = [values[i] for i in range(len(self.fn.symbol_names))]
        for info, t in zip(self.fn.inputs + self.fn.outputs, list(inputs) + [out]):
            if tuple(t.shape) != info.shape(symbols):
                raise ValueError("%s: %s has shape %s, the library wants %s" % (
                    self.fn, info.name, tuple(t.shape), info.shape(symbols)))
        ins = (ctypes.c_void_p * len(inputs))(*[t.data_ptr() for t in inputs])
        outs = (ctypes.c_void_p * 1)(out.data_ptr())
        syms = (ctypes.c_int64 * max(1, len(symbols)))(*symbols)
        entry, lib, s = self.fn._entry, self.lib, ctypes.c_void_p(stream)

        def call():
            status = entry(ins, outs, syms, s)
            if status != 0:
                raise RuntimeError("forward failed (%d): %s" % (status, lib.last_error()))
        return call


def make_linear_inputs(torch, B, T, H, K, V, seed=0):
    gen = torch.Generator(device="cuda").manual_seed(seed)
    q = torch.randn(B, T, H, K, device="cuda", dtype=torch.bfloat16, generator=gen)
    k = torch.nn.functional.normalize(torch.randn(B, T, H, K, device="cuda", generator=gen), dim=-1).bfloat16()
    v = torch.randn(B, T, H, V, device="cuda", dtype=torch.bfloat16, generator=gen)
    g = (torch.nn.functional.logsigmoid(torch.randn(B, T, H, device="cuda", generator=gen)) / 16).float().contiguous()
    g_gamma = torch.log(1 - torch.pow(2.0, -5.0 - torch.arange(H, device="cuda", dtype=torch.float32))).contiguous()
    return {"q": q, "k": k, "v": v, "g": g, "g_gamma": g_gamma}


def make_mamba2_inputs(torch, B, T, H, P, N, G, seed=0):
    gen = torch.Generator(device="cuda").manual_seed(seed)
    x = torch.randn(B, T, H, P, device="cuda", dtype=torch.bfloat16, generator=gen)
    dt = torch.nn.functional.softplus(torch.randn(B, T, H, device="cuda", generator=gen) - 4).float().contiguous()
    A = (-torch.rand(H, device="cuda", generator=gen) * 4).float().contiguous()
    Bm = torch.randn(B, T, G, N, device="cuda", dtype=torch.bfloat16, generator=gen)
    Cm = torch.randn(B, T, G, N, device="cuda", dtype=torch.bfloat16, generator=gen)
    D = torch.randn(H, device="cuda", generator=gen).float().contiguous()
    return {"x": x, "dt": dt, "A": A, "B": Bm, "C": Cm, "D": D}


def make_inputs(torch, op, shape, seed=0):
    return (make_mamba2_inputs if op == "mamba2" else make_linear_inputs)(torch, *shape, seed=seed)


def our_inputs(op, t, variant="module"):
    if op == "mamba2" and variant == "g_input":
        return [t[n] for n in ("x", "dt", "g", "B", "C", "D")]
    return [t[n] for n in {"linear_attn": ("q", "k", "v"), "retnet": ("q", "k", "v", "g_gamma"),
                           "simple_gla": ("q", "k", "v", "g"), "mamba2": ("x", "dt", "A", "B", "C", "D")}[op]]


def our_call(torch, ours, entry, t, out, stream):
    """Our forward on the inputs `t` into `out`, as a call with no arguments. Mamba2's g_input variant
    computes g = A dt with torch first, in the same call (so it is timed with it)."""
    op, variant = entry["op"], entry.get("variant", "module")
    if op == "mamba2" and variant == "g_input":
        g = t.setdefault("g", torch.empty_like(t["dt"]))
        A, dt = t["A"], t["dt"]
        call = ours.bind(torch, our_inputs(op, t, variant), out, stream)

        def with_gate():
            torch.mul(A, dt, out=g)
            call()
        return with_gate
    return ours.bind(torch, our_inputs(op, t, variant), out, stream)


def output_like(torch, op, t):
    return torch.empty_like(t["x"] if op == "mamba2" else t["v"])


def peer_call(op, peers, t):
    """(name, zero-argument call) of the peer on the same inputs."""
    if op == "mamba2":
        f = peers["mamba_chunk_scan_combined"]
        return ("mamba_ssm.mamba_chunk_scan_combined(chunk_size=%d, D)" % MAMBA2_CHUNK,
                lambda: f(t["x"], t["dt"], t["A"], t["B"], t["C"], chunk_size=MAMBA2_CHUNK, D=t["D"]))
    fla = peers["fla"]
    q, k, v = t["q"], t["k"], t["v"]
    if op == "linear_attn":
        return "fla.chunk_linear_attn(normalize=False)", lambda: fla.chunk_linear_attn(q, k, v, normalize=False)
    if op == "retnet":
        return "fla.chunk_simple_gla(g_gamma)", lambda: fla.chunk_simple_gla(q, k, v, g_gamma=t["g_gamma"])
    return "fla.chunk_simple_gla(g)", lambda: fla.chunk_simple_gla(q, k, v, g=t["g"])


def oracle(op, t):
    """The float64 output of `op` on the inputs `t` (a dict of float64 numpy arrays, names as make_inputs)."""
    from seqmix import reference
    if op == "mamba2":
        return reference.ssd(t["x"], t["dt"], t["A"], t["B"], t["C"], D=t["D"])[0]
    if op == "linear_attn":
        return reference.linear_attn(t["q"], t["k"], t["v"])[0]
    kw = {"g": t["g"]} if op == "simple_gla" else {"g_gamma": t["g_gamma"]}
    return reference.simple_gla(t["q"], t["k"], t["v"], **kw)[0]


def floor_ms(op, shape):
    """The bytes every forward must move once (bf16 tensors, f32 dt), at the measured copy rate."""
    if op == "mamba2":
        B, T, H, P, N, G = shape
        nbytes = 2 * B * T * H * P * 2 + 2 * B * T * G * N * 2 + 4 * B * T * H  # x, y; B, C; dt
    else:
        B, T, H, K, V = shape
        nbytes = 2 * B * T * H * (2 * K + 2 * V)  # q, k, v, o
    return nbytes / COPY_BYTES_PER_S * 1e3


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


def load_peers(ops):
    """The peer modules the ops need; a failed import is reported and leaves that peer out."""
    peers = {}
    if any(op in LINEAR_OPS for op in ops):
        try:
            import fla.ops
            peers["fla"] = fla.ops
        except Exception as e:
            print("PEER fla unavailable: %s: %s (is .peers/site on PYTHONPATH?)" % (type(e).__name__, e), flush=True)
    if "mamba2" in ops:
        try:
            from mamba_ssm.ops.triton.ssd_combined import mamba_chunk_scan_combined
            peers["mamba_chunk_scan_combined"] = mamba_chunk_scan_combined
        except Exception as e:
            print("PEER mamba_ssm unavailable: %s: %s (is .peers/site on PYTHONPATH?)" % (type(e).__name__, e),
                  flush=True)
    return peers


def has_peer(op, peers):
    return ("mamba_chunk_scan_combined" if op == "mamba2" else "fla") in peers


def run(args):
    import numpy as np
    import torch
    torch.manual_seed(0)
    torch.zeros(1, device="cuda")  # the primary context exists before the libraries load
    device = torch.cuda.get_device_name()
    print("torch", torch.__version__, "device", device, flush=True)
    path = os.path.join(args.libdir, MANIFEST)
    if not os.path.exists(path):
        sys.exit("gpu_prefill: no %s: run `bench/gpu_prefill.py build` here and carry %s" % (path, args.libdir))
    with open(path) as f:
        manifest = json.load(f)
    entries = [e for e in manifest["entries"] if e["op"] in args.ops]
    peers = {} if getattr(args, "no_peers", False) else load_peers(args.ops)
    stream = torch.cuda.current_stream().cuda_stream
    f64 = lambda x: x.float().cpu().numpy().astype(np.float64)
    rel = lambda x, ref: float(np.linalg.norm(f64(x) - ref) / np.linalg.norm(ref))
    skipped = []

    def skip(e, why):
        where = tuple(e["shape"]) if e["kind"] == "bench" else "check " + e["config"]
        print("SKIP %s %s (%s): %s" % (e["op"], where, e["form"], why), flush=True)
        skipped.append({"op": e["op"], "kind": e["kind"], "shape": e["shape"], "lib": e["lib"],
                        "form": e["form"], "remark": e.get("remark"), "why": why})

    def load(e):
        if not e["built"]:
            skip(e, "not built: %s" % e["error"])
            return None
        try:
            return Ours(os.path.join(args.libdir, e["lib"]))
        except Exception as err:
            skip(e, "cannot load %s: %s" % (e["lib"], err))
            return None

    # Correctness at a small shape, against the float64 oracle on the same bf16 inputs, beside the peer.
    checks = []
    for e in [e for e in entries if e["kind"] == "check"]:
        if args.skip_checks:
            break
        ours = load(e)
        if ours is None:
            continue
        shape = tuple(CHECK_BT) + tuple(e["shape"][2:])
        t = make_inputs(torch, e["op"], shape, seed=1)
        o = output_like(torch, e["op"], t).fill_(float("nan"))
        rec = {"op": e["op"], "shape": list(shape), "form": e["form"], "variant": e["variant"], "lib": e["lib"]}
        try:
            our_call(torch, ours, e, t, o, stream)()
            torch.cuda.synchronize()
            ref = oracle(e["op"], {n: f64(x) for n, x in t.items()})
            rec["ours_rel_l2"] = rel(o, ref)
            rec["ok"] = bool(rec["ours_rel_l2"] < 1e-2)
            if has_peer(e["op"], peers):
                with torch.no_grad():
                    po = first(peer_call(e["op"], peers, t)[1]())
                torch.cuda.synchronize()
                rec["peer_rel_l2"] = rel(po, ref)
        except Exception as err:
            rec["ok"] = False
            rec["error"] = "%s: %s" % (type(err).__name__, err)
        print(json.dumps(rec), flush=True)
        checks.append(rec)
        del t, o
    if not all(c["ok"] for c in checks):
        print("CHECK FAILED", flush=True)

    date = datetime.date.today().isoformat()
    gpu = device.replace("NVIDIA ", "").split()[0].lower()
    command = "PYTHONPATH=%s python3 %s" % (os.environ.get("PYTHONPATH", ""), " ".join(sys.argv))
    checked = {c["lib"]: c for c in checks}
    records = []
    with torch.no_grad():
        for op_group in (LINEAR_OPS, ("mamba2",)):
            group = [e for e in entries if e["kind"] == "bench" and e["op"] in op_group]
            for shape in (MAMBA2_SHAPES if op_group == ("mamba2",) else LINEAR_SHAPES):
                if getattr(args, "shapes", None) and tuple(shape[:2]) not in args.shapes:
                    continue
                at = [e for e in group if tuple(e["shape"]) == shape]
                runnable = [(e, ours) for e in at for ours in [load(e)] if ours is not None]
                if not runnable:
                    continue
                t = make_inputs(torch, runnable[0][0]["op"], shape)
                o = output_like(torch, runnable[0][0]["op"], t)
                for e, ours in runnable:
                    op = e["op"]
                    rec = {"op": op, "shape": list(shape), "dtype": "bf16", "device": device}
                    try:
                        call = our_call(torch, ours, e, t, o, stream)
                        ours_ms = time_events(torch, call, args.warmup, args.reps)
                    except Exception as err:
                        skip(e, "our call failed: %s: %s" % (type(err).__name__, err))
                        continue
                    name, peer_ms, vs_peer = None, None, None
                    if has_peer(op, peers):
                        name, peer = peer_call(op, peers, t)
                        try:
                            po = first(peer())  # o holds our output from the timed calls
                            torch.cuda.synchronize()
                            vs_peer = float(torch.linalg.vector_norm((o.float() - po.float())) /
                                            torch.linalg.vector_norm(po.float()))
                            del po
                            peer_ms = time_events(torch, peer, args.warmup, args.reps)
                        except Exception as err:  # a failing peer must not hide our numbers
                            print("peer %s failed: %s" % (name, err), flush=True)
                    rec.update({"ours_ms": round(ours_ms[0], 4), "ours_min_ms": round(ours_ms[1], 4),
                                "ours_max_ms": round(ours_ms[2], 4), "peer": name,
                                "peer_ms": None if peer_ms is None else round(peer_ms[0], 4),
                                "peer_min_ms": None if peer_ms is None else round(peer_ms[1], 4),
                                "peer_max_ms": None if peer_ms is None else round(peer_ms[2], 4),
                                "floor_ms": round(floor_ms(op, shape), 4), "command": command,
                                "form": e["form"], "remark": e["remark"], "lib": e["lib"], "variant": e["variant"],
                                "vs_peer_rel_l2": None if vs_peer is None else round(vs_peer, 6),
                                "checked": checked.get(e.get("check"), {}).get("ok"), "date": date})
                    if vs_peer is not None and not vs_peer < 2e-2:
                        print("MISMATCH %s %s: ours vs %s relative L2 %.3g" % (op, shape, name, vs_peer), flush=True)
                    print(json.dumps(rec), flush=True)
                    records.append(rec)
                del t, o
                torch.cuda.empty_cache()
    result = {"device": device, "date": date, "torch": torch.__version__, "build": {k: manifest.get(k) for k in (
              "chip", "mma", "options", "date", "compiler", "source")}, "checks": checks, "records": records, "skipped": skipped,
              "method": "CUDA events around each call, %d warm-up calls then %d timed; median, min, max; "
                        "inputs not rotated (> L2)" % (args.warmup, args.reps)}
    subset = "" if set(args.ops) == set(OPS) else "-" + "-".join(args.ops)  # runs of subsets do not overwrite
    if getattr(args, "shapes", None) or getattr(args, "no_peers", False):
        subset += "-partial"
    name = "%s-%s-prefill%s.json" % (date, gpu, subset)
    for d in filter(None, [args.out, args.results]):
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w") as f:
            json.dump(result, f, indent=1)
    print("wrote", name, "(%d records, %d skipped)" % (len(records), len(skipped)), flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def ops(s):
        chosen = tuple(o for o in s.split(",") if o)
        bad = [o for o in chosen if o not in OPS]
        if bad:
            raise argparse.ArgumentTypeError("unknown op %s (ops: %s)" % (", ".join(bad), ", ".join(OPS)))
        return chosen

    b = sub.add_parser("build")
    b.add_argument("--chip", default="sm_90a")
    b.add_argument("--mma", default="auto", choices=["auto", "wgmma", "sync"],
                   help="seqmix-compile --mma: the bf16 kernels' tensor-core instruction")
    b.add_argument("--segments", choices=["chained", "passes"], default=None,
                   help="seqmix-compile --segments: how the bf16 kernels run the segments carry")
    b.add_argument("--segment-tokens", type=int, default=None,
                   help="seqmix-compile --segment-tokens: tokens per segment of the chained carry")
    b.add_argument("--loads", choices=["cp-async", "tma"], default=None,
                   help="seqmix-compile --loads: how the wgmma kernels load Q, K and V")
    b.add_argument("--bindir", default=os.path.join(ROOT, "build", "bin"))
    b.add_argument("--libdir", default=LIBDIR)
    b.add_argument("--ops", type=ops, default=OPS)
    b.add_argument("--strict", action="store_true", help="exit 1 when a library was rejected")
    r = sub.add_parser("run")
    r.add_argument("--libdir", default=LIBDIR)
    r.add_argument("--ops", type=ops, default=OPS)
    r.add_argument("--out", default=os.environ.get("OUT"))
    r.add_argument("--results", default=os.path.join(ROOT, "bench", "results"),
                   help="where the JSON goes besides --out ('' for nowhere else)")
    r.add_argument("--warmup", type=int, default=10)
    r.add_argument("--reps", type=int, default=50)
    r.add_argument("--skip-checks", action="store_true")
    r.add_argument("--no-peers", action="store_true", help="time ours only (variants of our kernels)")
    r.add_argument("--shapes", type=lambda s: [tuple(int(d) for d in bt.split("x")) for bt in s.split(",")],
                   default=None, help="only these (B, T), e.g. 2x16384,1x65536")
    args = p.parse_args()
    sys.exit(build(args) if args.cmd == "build" else run(args))


if __name__ == "__main__":
    main()
