#!/usr/bin/env python3
"""Runs models of make_models.py through the importer, upstream MLIR
passes and mlir-runner, and compares every float and int64 output with
onnxruntime on the same random inputs.

    check_numerics.py BIN_DIR LLVM_DIR [--translate-flag=F] MODEL...

BIN_DIR holds seqmix-translate and seqmix-opt, LLVM_DIR is the LLVM
installation (bin/mlir-runner, lib/libmlir_*runner_utils.so). Symbolic
dims get the sizes in DIMS; inputs of a dynamic type are passed through
tensor.cast, so the dynamic-shape code paths run. Prints one line per model
and exits non-zero on a mismatch or failure.
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

ort.set_default_logger_severity(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_models as mm  # noqa: E402

B = L = None
# Inputs that random numbers would make meaningless.
FIXED = {"attention_nonpad": {"nonpad": np.array([5, 6], np.int64)}}
XFLAGS = []
DIMS = {"batch": 2, "seq": 5, "n": 3, "past": 3, "total": 7}
NP = {1: np.float32, 7: np.int64, 9: np.bool_, 6: np.int32}
MT = {np.float32: "f32", np.int64: "i64", np.bool_: "i1", np.int32: "i32"}

def mlir_const(a):
    t = MT[a.dtype.type]
    shape = "x".join(map(str, a.shape)) + ("x" if a.ndim else "") + t
    if a.dtype == np.bool_:
        vals = np.where(a, "true", "false")
    elif a.dtype == np.float32:
        vals = np.vectorize(lambda x: "%.9e" % x)(a)
    else:
        vals = a.astype(str)
    def fmt(v):
        if v.ndim == 0: return str(v)
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    body = fmt(vals) if a.ndim else str(vals)
    return "dense<%s> : tensor<%s>" % (body, shape), "tensor<%s>" % shape

def run(name, model=None, rtol=1e-4, inputs=None):
    m = model or mm.MODELS[name]()
    rng = np.random.default_rng(0)
    inputs = inputs or FIXED.get(name)
    feeds = {}
    for vi in m.graph.input:
        tt = vi.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else DIMS[d.dim_param] for d in tt.shape.dim]
        dt = NP[tt.elem_type]
        if inputs and vi.name in inputs: feeds[vi.name] = inputs[vi.name]; continue
        if dt == np.bool_: feeds[vi.name] = rng.random(shape) > 0.3
        elif dt == np.float32: feeds[vi.name] = (rng.random(shape).astype(np.float32) + 0.1)
        else: feeds[vi.name] = rng.integers(0, 3, shape).astype(dt)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = sess.run(None, feeds)
    d = tempfile.mkdtemp()
    p = os.path.join(d, "m.onnx"); onnx.save(m, p)
    mlir = subprocess.run([B + "/seqmix-translate", "--import-onnx", p, "--onnx-function=main_graph"] + XFLAGS, capture_output=True, text=True)
    if mlir.returncode:
        print(name, "IMPORT FAIL", mlir.stderr[:500])
        return False
    text = mlir.stdout
    sig = re.search(r"func\.func @main_graph\((.*)\) -> \((.*)\) \{", text)
    argtypes = re.findall(r"%arg\d+: (tensor<[^>]*>)", sig.group(1))
    restypes = re.findall(r"(tensor<[^>]*>)", sig.group(2))
    lines = ["  func.func @main() {"]
    args = []
    for i, vi in enumerate(m.graph.input):
        c, st = mlir_const(feeds[vi.name])
        lines.append("    %%c%d = arith.constant %s" % (i, c))
        if st != argtypes[i]:
            lines.append("    %%a%d = tensor.cast %%c%d : %s to %s" % (i, i, st, argtypes[i])); args.append("%%a%d" % i)
        else: args.append("%%c%d" % i)
    lines.append("    %%r:%d = call @main_graph(%s) : (%s) -> (%s)" % (len(restypes), ", ".join(args), ", ".join(argtypes), ", ".join(restypes)))
    printed = []
    for j, rt in enumerate(restypes):
        elt = re.search(r"([fi]\d+)>$", rt).group(1)
        if elt not in ("f32", "i64"): continue
        mt = rt.replace("tensor<", "memref<")
        lines.append("    %%b%d = bufferization.to_buffer %%r#%d : %s to %s" % (j, j, rt, mt))
        lines.append("    %%u%d = memref.cast %%b%d : %s to memref<*x%s>" % (j, j, mt, elt))
        lines.append("    call @printMemref%s(%%u%d) : (memref<*x%s>) -> ()" % ("F32" if elt == "f32" else "I64", j, elt))
        printed.append(j)
    lines += ["    return", "  }", "  func.func private @printMemrefF32(memref<*xf32>)", "  func.func private @printMemrefI64(memref<*xi64>)"]
    idx = text.rstrip().rfind("}")
    text = text[:idx] + "\n".join(lines) + "\n}\n"
    open(os.path.join(d, "w.mlir"), "w").write(text)
    low = subprocess.run([B + "/seqmix-opt", os.path.join(d, "w.mlir"), "--one-shot-bufferize=bufferize-function-boundaries",
        "--convert-linalg-to-loops", "--expand-strided-metadata", "--lower-affine", "--convert-scf-to-cf",
        "--convert-math-to-llvm", "--convert-math-to-libm", "--convert-to-llvm", "--reconcile-unrealized-casts"], capture_output=True, text=True)
    if low.returncode:
        print(name, "LOWER FAIL", low.stderr[:800])
        return False
    r = subprocess.run([L + "/bin/mlir-runner", "-e", "main", "-entry-point-result=void",
        "-shared-libs=%s/lib/libmlir_runner_utils.so,%s/lib/libmlir_c_runner_utils.so" % (L, L)], input=low.stdout, capture_output=True, text=True)
    if r.returncode:
        print(name, "RUN FAIL", r.stderr[:800])
        return False
    chunks = r.stdout.split("Unranked Memref")[1:]
    ok = True
    for j, ch in zip(printed, chunks):
        data = ch.split("data =", 1)[1]
        vals = np.array([float(x) for x in re.findall(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)", data)])
        exp = np.asarray(outs[j], dtype=np.float64).ravel()
        if vals.shape != exp.shape or not np.allclose(vals, exp, rtol=rtol, atol=1e-5, equal_nan=True):
            ok = False
            print(name, "output", m.graph.output[j].name, "MISMATCH", vals.shape, exp.shape, vals[:6], exp[:6])
    if len(chunks) != len(printed):
        ok = False
    print(name, "ok" if ok else "BAD", "(%d outputs checked)" % len(printed))
    return ok


def main(argv):
    global B, L
    B, L = argv[1], argv[2]
    names = []
    for a in argv[3:]:
        if a.startswith("--translate-flag="):
            XFLAGS.append(a.split("=", 1)[1])
        else:
            names.append(a)
    results = [run(n) for n in names]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main(sys.argv)
