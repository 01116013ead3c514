#!/usr/bin/env python3
"""Builds the GPU correctness tests (runs here: no GPU needed).

For every library configuration -- family (causal linear attention, RetNet,
simple GLA, Mamba2 SSD) x input dtype (bf16, f32) x initial state x final
state x grouped heads x packed sequences -- writes a module with dynamic B
and T (packed: B = 1, N sequences) and compiles it with

    build/bin/seqmix-compile --target=sm_90a    (or --target=cpu with --cpu)

into OUT/libs/, with a copy of libseqmix_runtime.so beside the libraries
(they find it through their $ORIGIN rpath). The folder also gets the
Python pieces that run there (check.py, oracle.py, run.sh and seqmix/ with
runtime.py and reference.py) and manifest.json: every library (its module,
flags, and the compiler's diagnostic if seqmix-compile rejected it) and every
case (a library, B, T, packed lengths, which oracle). A rejected
configuration stays in the manifest: check.py reports each of its cases as
FAILED (not built) with the diagnostic.

    test/device/build.py [--cpu] [--out build/gpu-tests] [--jobs 2] [--filter GLOB]

One library serves every B and T: the cases T in {1, 37 (< the chunk of 64),
259 (not a multiple of 64)}, B = 2 (packed: lengths (0, 1, 0), (20, 1, 16),
(65, 1, 193)). The unpacked libraries with a final state are also built with
#seqmix.form<..., carry = segments> (the form seqmix-select-form picks for
few heads and long sequences; it splits T when the function runs, here at
T = 2085, B = 2 into 4 or 8 segments, and at the long case); those run the
long case (1, 65536, 16, 128, 128) when ungrouped (--long-t changes its T;
--cpu makes it 2048 unless given: CPU libraries are slow); so do the packed libraries with
a final state, with three uneven sequences of (5/16·T, 1, the rest) tokens.

Shapes: H = Hv = 16 heads ungrouped, H = 4 q/k heads (Mamba2: B/C groups)
for Hv = 16 value heads grouped; K = 128; V = 128 (Mamba2: N = K = 128,
P = V = 64).
"""
import argparse
import concurrent.futures
import datetime
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

FAMILIES = ("linear_attn", "retnet", "simple_gla", "mamba2")
DECAY = {"linear_attn": "none", "retnet": "static", "simple_gla": "scalar", "mamba2": "scalar"}
DTYPES = ("bf16", "f32")
HEADS = 16  # value heads
GROUPED_QK_HEADS = 4
K_DIM = 128
V_DIM = {"linear_attn": 128, "retnet": 128, "simple_gla": 128, "mamba2": 64}
CHUNK = 64
SHORT_T = (1, 37, 259)  # 1, < chunk, not a multiple of the chunk
PACKED_LENGTHS = {1: (0, 1, 0), 37: (20, 1, 16), 259: (65, 1, 193)}
BATCH = 2
LONG_T = 65536
SEGMENTS_T = 2085  # several segments at B = 2 (not a multiple of the chunk)
MEMCHECK_T = 259
# Inputs of bf16 or f32 (q, k, v / x, B, C, and o) against the float64 oracle.
BOUND = {"bf16": 1e-2, "f32": 1e-4}


# -----------------------------------------------------------------------------
# configurations


def library_configs():
    out = []
    for fam in FAMILIES:
        for dtype in DTYPES:
            for grouped in (False, True):
                for packed in (False, True):
                    for init in (False, True):
                        for final in (False, True):
                            H = GROUPED_QK_HEADS if grouped else HEADS
                            # The segments carry (what seqmix-select-form picks for
                            # few heads and long sequences) for the unpacked
                            # libraries (in passes, the default), and for the
                            # bf16 ones also chained in one launch
                            # (seqmix-compile --segments=chained).
                            carries = ["onchip"]
                            if not packed:
                                carries.append("segments")
                                if dtype == "bf16":
                                    carries.append("chained")
                            for carry in carries:
                                out.append({"family": fam, "dtype": dtype, "H": H, "Hv": HEADS, "K": K_DIM,
                                            "V": V_DIM[fam], "grouped": grouped, "packed": packed,
                                            "init": init, "final": final, "carry": carry})
    for lib in out:
        lib["id"] = library_id(lib)
    return out


def library_id(lib):
    return ".".join([lib["family"], lib["dtype"], "h%dx%d" % (lib["H"], lib["Hv"]),
                     "init" if lib["init"] else "noinit",
                     "packed" if lib["packed"] else "unpacked",
                     "final" if lib["final"] else "nofinal"]
                    + ([lib["carry"]] if lib["carry"] != "onchip" else []))


def long_lengths(long_t):
    """Three uneven packed sequences of long_t tokens in all."""
    first = long_t * 5 // 16
    return [first, 1, long_t - first - 1]


def case_list(libs, long_t):
    cases = []
    for lib in libs:
        shapes = []
        for T in SHORT_T:
            if lib["packed"]:
                shapes.append((1, T, list(PACKED_LENGTHS[T])))
            else:
                shapes.append((BATCH, T, None))
        segments = lib["carry"] != "onchip"
        if segments:
            # Several segments at B = 2 and B = 1 (passes: 4 (V = 128) or 8
            # (V = 64) at B = 2; chained: 9 of 256 tokens).
            shapes.append((BATCH, SEGMENTS_T, None))
            shapes.append((1, SEGMENTS_T, None))
        # The long case: the segments carry with a final state (ungrouped and
        # grouped heads), and packed sequences (three uneven ones) on chip.
        is_long = (lib["carry"] == "segments" and lib["final"]) or (lib["packed"] and lib["final"])
        if is_long:
            shapes.append((1, long_t, long_lengths(long_t) if lib["packed"] else None))
        for B, T, lengths in shapes:
            if lengths is not None:
                assert sum(lengths) == T
            case = {k: lib[k] for k in ("family", "dtype", "H", "Hv", "K", "V", "grouped", "packed", "init",
                                        "final", "carry")}
            case.update({"id": "%s.B%d.T%d" % (lib["id"], B, T), "library": lib["id"], "B": B, "T": T,
                         "lengths": lengths, "long": T == long_t and is_long,
                         "oracle": "chunked" if T >= SEGMENTS_T else "reference",
                         "memcheck": T == MEMCHECK_T, "bound": BOUND[lib["dtype"]]})
            cases.append(case)
    return cases


# -----------------------------------------------------------------------------
# modules


def _tensor(shape, et):
    return "tensor<%sx%s>" % ("x".join("?" if isinstance(d, str) else str(d) for d in shape), et)


def _dims(shape):
    return "[%s]" % ", ".join('"%s"' % d if isinstance(d, str) else str(d) for d in shape)


def module_text(lib, split_v=None):
    """The module of one library: @forward with dynamic B (or N) and T."""
    fam, E = lib["family"], lib["dtype"]
    H, Hv, K, V = lib["H"], lib["Hv"], lib["K"], lib["V"]
    Bd = 1 if lib["packed"] else "B"
    Nd = "N" if lib["packed"] else "B"
    split_v = V // 64 if split_v is None else split_v
    args = []  # (name, shape, element type)
    if fam == "mamba2":
        args += [("x", [Bd, "T", Hv, V], E), ("dt", [Bd, "T", Hv], "f32"), ("g", [Bd, "T", Hv], "f32"),
                 ("Bm", [Bd, "T", H, K], E), ("Cm", [Bd, "T", H, K], E), ("D", [Hv], "f32")]
        q, k, value = "Cm", "Bm", "x"
    else:
        args += [("q", [Bd, "T", H, K], E), ("k", [Bd, "T", H, K], E), ("v", [Bd, "T", Hv, V], E)]
        q, k, value = "q", "k", "v"
        if fam == "retnet":
            args.append(("g_gamma", [Hv], "f32"))
        elif fam == "simple_gla":
            args.append(("g", [Bd, "T", Hv], "f32"))
    state = [Nd, Hv, K, V]
    if lib["init"]:
        args.append(("s0", state, "f32"))
    if lib["packed"]:
        args.append(("seqlens", ["N+1"], "i32"))
    types = {name: _tensor(shape, et) for name, shape, et in args}
    decl = ", ".join('%%%s: %s {seqmix.dims = %s, seqmix.name = "%s"}' % (n, types[n], _dims(s), n)
                     for n, s, _ in args)
    ot = _tensor([Bd, "T", Hv, V], E)
    st = _tensor(state, "f32")
    results = ['%s {seqmix.dims = %s, seqmix.name = "o"}' % (ot, _dims([Bd, "T", Hv, V]))]
    if lib["final"]:
        results.append('%s {seqmix.dims = %s, seqmix.name = "final_state"}' % (st, _dims(state)))

    mb = "1" if lib["packed"] else "?"
    structure = "#seqmix.semiseparable<state = %d, decay = %s, transition = additive>" % (K, DECAY[fam])
    ss = "!seqmix.mixer<%sx%dx?, %s>" % (mb, Hv, structure)
    body = []
    gate = ""
    if fam == "retnet":
        gate = " gate(%%g_gamma : %s)" % types["g_gamma"]
    elif fam in ("simple_gla", "mamba2"):
        gate = " gate(%%g : %s)" % types["g"]
    if fam == "mamba2":
        gate += " dt(%%dt : %s) {scale = 1.0 : f64}" % types["dt"]
    body.append("%%ss = seqmix.semiseparable %%%s, %%%s%s : %s, %s -> %s" % (q, k, gate, types[q], types[k], ss))
    mixer, mt = "%ss", ss
    if fam == "mamba2":
        diag = "!seqmix.mixer<%sx%dx?, #seqmix.diagonal>" % (mb, Hv)
        body.append("%%skip = seqmix.diagonal %%D : %s -> %s" % (types["D"], diag))
        body.append("%%m = seqmix.add %%ss, %%skip : %s, %s" % (ss, diag))
        mixer, mt = "%m", "!seqmix.mixer<%sx%dx?, #seqmix.sum<[%s, #seqmix.diagonal]>>" % (mb, Hv, structure)
    opt = ""
    if lib["init"]:
        opt += " init(%%s0 : %s)" % st
    if lib["packed"]:
        opt += " seqlens(%%seqlens : %s)" % types["seqlens"]
    carry = "onchip" if lib["carry"] == "onchip" else "segments"
    form = "#seqmix.form<chunked, chunk = %d, carry = %s, split_v = %d>" % (CHUNK, carry, split_v)
    outs = "%o, %sT" if lib["final"] else "%o"
    rtypes = [ot] + ([st] if lib["final"] else [])
    body.append("%s = seqmix.apply %s, %%%s%s {form = %s}\n        : %s, %s -> %s" % (
        outs, mixer, value, opt, form, mt, types[value], ", ".join(rtypes)))
    body.append("return %s : %s" % (outs, ", ".join(rtypes)))
    return ("// %s (test/device/build.py)\nmodule {\n  func.func @forward(%s)\n      -> (%s) {\n    %s\n  }\n}\n" % (
        lib["id"], decl, ", ".join(results), "\n    ".join(body)))


# -----------------------------------------------------------------------------
# compiling


def compile_library(lib, compiler, target, out, loads=None):
    """Compiles one library; fills in its status, file and diagnostic."""
    src = os.path.join(out, "mlir", lib["id"] + ".mlir")
    so = os.path.join(out, "libs", lib["id"] + ".so")
    split_v = None
    for _ in range(2):
        text = module_text(lib, split_v)
        with open(src, "w") as f:
            f.write(text)
        # From the folder, so that diagnostics name mlir/<id>.mlir.
        cmd = [compiler, os.path.relpath(src, out), "--target=" + target, "-o", os.path.relpath(so, out)]
        if lib["carry"] == "chained":
            cmd.append("--segments=chained")
        if loads:
            cmd.append("--loads=" + loads)
        run = subprocess.run(cmd, capture_output=True, text=True, cwd=out)
        diag = (run.stdout + run.stderr).strip()
        # A kernel with another V tile than 64 (say, the f32 one) names the
        # split it wants: build that one, and say so.
        m = re.search(r"split_v must be V / \d+ = (\d+)", diag)
        if run.returncode != 0 and m and split_v is None:
            split_v = int(m.group(1))
            continue
        break
    lib["mlir"] = os.path.relpath(src, out)
    lib["command"] = " ".join([os.path.relpath(compiler, ROOT) if compiler.startswith(ROOT) else compiler,
                               os.path.relpath(src, out), "--target=" + target, "-o", os.path.relpath(so, out)]
                              + (["--segments=chained"] if lib["carry"] == "chained" else [])
                              + (["--loads=" + loads] if loads else []))
    lib["split_v"] = split_v if split_v is not None else lib["V"] // 64
    if run.returncode == 0:
        lib["status"] = "built"
        lib["file"] = os.path.relpath(so, out)
        lib["diagnostic"] = diag
    else:
        lib["status"] = "not built"
        lib["file"] = None
        lib["diagnostic"] = diag[:4000] or "seqmix-compile exited with %d" % run.returncode
        if os.path.exists(so):
            os.remove(so)
    return lib


def git_commit():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cpu", action="store_true", help="compile for the CPU (check.py --cpu runs them here)")
    p.add_argument("--chip", default="sm_90a")
    p.add_argument("--out", default=None, help="default build/gpu-tests (--cpu: build/gpu-tests-cpu)")
    p.add_argument("--build", default=os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build")))
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--long-t", type=int, default=None, help="T of the long case (default 65536; --cpu: 2048)")
    p.add_argument("--filter", action="append", default=[],
                   help="build only the libraries whose id matches this glob (repeatable)")
    p.add_argument("--loads", choices=["cp-async", "tma"], default=None,
                   help="seqmix-compile --loads for every library (the bf16 wgmma kernels' Q, K, V loads)")
    args = p.parse_args()

    target = "cpu" if args.cpu else args.chip
    out = args.out or os.path.join(args.build, "gpu-tests-cpu" if args.cpu else "gpu-tests")
    long_t = args.long_t or (2048 if args.cpu else LONG_T)
    compiler = os.path.join(args.build, "bin", "seqmix-compile")
    runtime = os.path.join(args.build, "lib", "libseqmix_runtime.so")
    for path in (compiler, runtime):
        if not os.path.exists(path):
            sys.exit("build.py: %s is missing (build the project first: ninja -C %s)" % (path, args.build))

    if os.path.isdir(out):
        for sub in ("libs", "mlir", "seqmix"):
            shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    for sub in ("libs", "mlir", "seqmix"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)

    libs = library_configs()
    if args.filter:
        libs = [lib for lib in libs if any(fnmatch.fnmatchcase(lib["id"], f) for f in args.filter)]
        if not libs:
            sys.exit("build.py: no library matches %s" % args.filter)
    print("build.py: %d libraries for --target=%s into %s" % (len(libs), target, out), flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(compile_library, lib, compiler, target, out, args.loads) for lib in libs]
        for fut in concurrent.futures.as_completed(futures):
            lib = fut.result()
            first = lib["diagnostic"].splitlines()[0] if lib["status"] != "built" and lib["diagnostic"] else ""
            print("  %-10s %s%s" % (lib["status"], lib["id"], ("  " + first) if first else ""), flush=True)

    shutil.copy(runtime, os.path.join(out, "libs"))
    for name in ("__init__.py", "runtime.py", "reference.py"):
        shutil.copy(os.path.join(ROOT, "python", "seqmix", name), os.path.join(out, "seqmix", name))
    for name in ("check.py", "oracle.py", "run.sh", "README.md"):
        shutil.copy(os.path.join(HERE, name), os.path.join(out, name))
    os.chmod(os.path.join(out, "run.sh"), 0o755)

    cases = case_list(libs, long_t)
    manifest = {
        "target": target,
        "device": "cpu" if args.cpu else "cuda",
        "built": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": git_commit(),
        "loads": args.loads or "cp-async",
        "chunk": CHUNK,
        "long_t": long_t,
        "bounds": BOUND,
        "libraries": {lib["id"]: lib for lib in sorted(libs, key=lambda l: l["id"])},
        "cases": cases,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    built = sum(lib["status"] == "built" for lib in libs)
    print("build.py: %d of %d libraries built (%d not built: their cases will fail), %d cases; manifest %s" % (
        built, len(libs), len(libs) - built, len(cases), os.path.join(out, "manifest.json")), flush=True)


if __name__ == "__main__":
    main()
