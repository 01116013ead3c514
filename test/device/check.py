#!/usr/bin/env python3
"""Runs the GPU correctness cases that build.py wrote into this folder.

On the GPU machine (PyTorch with CUDA: device memory and the current stream;
numpy for the float64 oracle), from the built folder:

    python3 check.py [--out DIR] [--only GLOB ...] [--memcheck-subset] [--skip-long]

or, with libraries built by `build.py --cpu`, here on numpy buffers:

    python3 check.py --cpu

For each case of manifest.json: random inputs rounded to the input dtype
(oracle.make_inputs), outputs poisoned with NaN before the call (an element
the library does not write fails the case), one call of the library's
`forward` (CUDA: torch tensors' data_ptr() and the current stream), and the
relative L2 error against the float64 oracle on the same rounded inputs, of
the whole output and of each final state (the largest over batch rows or
packed sequences): < 1e-2 with bf16 inputs, < 1e-4 with f32. A case whose
library seqmix-compile rejected is FAILED (not built), with its diagnostic.
One line per case, then 'N passed, M failed'; results.json and results.md
into --out (default $OUT, else ./out). Exit status 1 if any case failed.

--memcheck-subset runs one small case (T = 259) of each built library, the
run that run.sh puts under compute-sanitizer (with the chunked oracle: it is
the faster one, and test_gpu_oracle.py ties it to reference.py). --report DIR writes the dated
markdown report of a run.sh run from the files in DIR.
"""
import argparse
import ctypes
import datetime
import fnmatch
import json
import math
import os
import platform
import re
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # oracle.py, and seqmix/ (runtime.py, reference.py) beside it

# The oracle's float64 products are small (128 x 128): one BLAS thread each
# (oracle.py runs the heads on threads); OpenBLAS' own threads make them
# tens of times slower. Before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import oracle  # noqa: E402
from seqmix import reference  # noqa: E402
from seqmix.runtime import Library  # noqa: E402


# -----------------------------------------------------------------------------
# calling a library


def bind_symbols(fn, shapes):
    """The values of fn's symbols implied by the inputs' shapes (by name)."""
    symbols = [None] * len(fn.symbol_names)
    for info in fn.inputs:
        shape = shapes[info.name]
        if len(shape) != len(info.dims):
            raise ValueError("input %s: rank %d, expected %s" % (info.name, len(shape), info.describe(fn.symbol_names)))
        for (sym, off), size in zip(info.dims, shape):
            if sym < 0:
                if size != off:
                    raise ValueError("input %s: shape %s, expected %s" % (info.name, shape,
                                                                           info.describe(fn.symbol_names)))
                continue
            if symbols[sym] is None:
                symbols[sym] = size - off
            elif symbols[sym] != size - off:
                raise ValueError("input %s: %s = %d, an earlier input gave %d" % (
                    info.name, fn.symbol_names[sym], size - off, symbols[sym]))
    if any(s is None for s in symbols):
        raise ValueError("unbound symbols")
    return symbols


class Backend:
    """The libraries of one device kind, each loaded once."""

    name = None
    wrong_kind = None  # the message when a library is for the other device

    def __init__(self):
        self.libs = {}

    def function(self, path):
        if path not in self.libs:
            self.libs[path] = Library(path)
        fn = self.libs[path]["forward"]
        if fn.device != self.name:
            raise RuntimeError(self.wrong_kind % path)
        return fn


class CPUBackend(Backend):
    """CPU libraries on numpy buffers (seqmix.runtime poisons outputs with NaN)."""

    name = "cpu"
    wrong_kind = "%s is a CUDA library: run without --cpu on a GPU machine"

    def device(self):
        return "CPU (%s)" % (platform.processor() or platform.machine())

    def call(self, path, inputs):
        fn = self.function(path)
        arrays = []
        for info in fn.inputs:
            a = inputs[info.name]
            arrays.append(reference.bf16_bits(a) if info.dtype_name == "bf16" else a.astype(info.dtype))
        outs = fn(*arrays)
        result = {}
        for info, o in zip(fn.outputs, outs):
            o = reference.from_bf16_bits(o) if info.dtype_name == "bf16" else o
            result[info.name] = o.astype(np.float64)
        return result


class CUDABackend(Backend):
    """CUDA libraries on torch tensors, on torch's current stream."""

    name = "cuda"
    wrong_kind = "%s is a CPU library: run with --cpu"

    def __init__(self):
        super().__init__()
        import torch
        self.torch = torch
        torch.zeros(1, device="cuda")  # the primary context exists before the libraries load
        self.dtypes = {"bf16": torch.bfloat16, "f32": torch.float32, "i32": torch.int32, "f16": torch.float16,
                       "f64": torch.float64, "i64": torch.int64}

    def device(self):
        return self.torch.cuda.get_device_name()

    def call(self, path, inputs):
        torch = self.torch
        fn = self.function(path)
        symbols = bind_symbols(fn, {info.name: inputs[info.name].shape for info in fn.inputs})
        dev = []
        for info in fn.inputs:
            a = inputs[info.name]
            t = torch.from_numpy(np.ascontiguousarray(a)).to("cuda")
            if info.dtype_name == "bf16":
                t = t.to(torch.bfloat16)  # a holds bf16 values exactly: no rounding here
            elif t.dtype != self.dtypes[info.dtype_name]:
                raise TypeError("input %s: %s, expected %s" % (info.name, t.dtype, info.dtype_name))
            dev.append(t.contiguous())
        outs = [torch.full(info.shape(symbols), float("nan"), dtype=self.dtypes[info.dtype_name], device="cuda")
                for info in fn.outputs]
        torch.cuda.synchronize()
        stream = torch.cuda.current_stream().cuda_stream
        ins = (ctypes.c_void_p * max(1, len(dev)))(*[t.data_ptr() for t in dev])
        outp = (ctypes.c_void_p * max(1, len(outs)))(*[t.data_ptr() for t in outs])
        syms = (ctypes.c_int64 * max(1, len(symbols)))(*symbols)
        status = fn._entry(ins, outp, syms, ctypes.c_void_p(stream))
        if status != 0:
            raise RuntimeError("forward returned %d: %s" % (status, fn._lib.last_error()))
        torch.cuda.synchronize()
        result = {info.name: o.float().cpu().numpy().astype(np.float64) for info, o in zip(fn.outputs, outs)}
        del dev, outs
        return result


# -----------------------------------------------------------------------------
# one case


def fmt_err(e):
    if e is None:
        return "-"
    return "nan" if isinstance(e, float) and math.isnan(e) else "%.2e" % e


def run_case(backend, manifest, case, folder):
    lib = manifest["libraries"][case["library"]]
    rec = {k: case[k] for k in ("id", "family", "dtype", "B", "T", "H", "Hv", "K", "V", "init", "grouped", "packed",
                                "final", "lengths", "oracle", "bound")}
    rec.update({"err_o": None, "err_final": None, "message": ""})
    start = time.time()
    if lib["status"] != "built":
        rec["status"] = "FAILED (not built)"
        rec["message"] = lib["diagnostic"]
        rec["seconds"] = 0.0
        return rec
    try:
        x = oracle.make_inputs(case)
        t0 = time.time()
        got = backend.call(os.path.join(folder, lib["file"]), x)
        rec["call_seconds"] = round(time.time() - t0, 3)
        t0 = time.time()
        want_o, want_final = oracle.evaluate(case, x, reference)
        rec["oracle_seconds"] = round(time.time() - t0, 3)
        rec["err_o"] = oracle.rel_l2(got["o"], want_o)
        ok = rec["err_o"] < case["bound"]
        if case["final"]:
            errs = [oracle.rel_l2(got["final_state"][n], want_final[n]) for n in range(want_final.shape[0])]
            rec["err_final"] = float("nan") if any(math.isnan(e) for e in errs) else max(errs)
            ok = ok and rec["err_final"] < case["bound"]
        rec["status"] = "PASS" if ok else "FAIL"
        if not ok:
            bad = [n for n, e in (("o", rec["err_o"]), ("final state", rec["err_final"])) if e is not None and
                   not e < case["bound"]]
            rec["message"] = "%s above the bound %.0e%s" % (
                " and ".join(bad), case["bound"],
                " (NaN: an element not written, or not finite)" if any(
                    e is not None and math.isnan(e) for e in (rec["err_o"], rec["err_final"])) else "")
    except Exception as e:  # a failing case must not stop the others
        rec["status"] = "FAIL"
        rec["message"] = "%s: %s" % (type(e).__name__, e)
        traceback.print_exc()
    rec["seconds"] = round(time.time() - start, 3)
    return rec


def case_line(rec):
    line = "%-4s %-11s %-4s B=%d T=%-5d H=%-2d Hv=%-2d K=%d V=%-3d init=%d grouped=%d packed=%d err_o=%-8s err_final=%-8s %s" % (
        "PASS" if rec["status"] == "PASS" else "FAIL", rec["family"], rec["dtype"], rec["B"], rec["T"], rec["H"],
        rec["Hv"], rec["K"], rec["V"], rec["init"], rec["grouped"], rec["packed"], fmt_err(rec["err_o"]),
        fmt_err(rec["err_final"]) if rec["final"] else "-", rec["status"])
    if rec["message"] and rec["status"] != "PASS":
        line += ": " + rec["message"].strip().splitlines()[0][:300]
    return line + "  [%s]" % rec["id"]


# -----------------------------------------------------------------------------
# output files


def family_table(result):
    """Per family and dtype: cases, passed, largest errors."""
    rows = {}
    for r in result["cases"]:
        row = rows.setdefault((r["family"], r["dtype"]), {"n": 0, "pass": 0, "nb": 0, "o": [], "f": []})
        row["n"] += 1
        row["pass"] += r["status"] == "PASS"
        row["nb"] += r["status"] == "FAILED (not built)"
        if r["err_o"] is not None:
            row["o"].append(r["err_o"])
        if r["err_final"] is not None:
            row["f"].append(r["err_final"])
    worst = lambda xs: fmt_err(float("nan") if any(math.isnan(x) for x in xs) else max(xs)) if xs else "-"
    lines = ["| family | dtype | cases | passed | not built | largest err o | largest err final |",
             "|---|---|---|---|---|---|---|"]
    for (fam, dt), row in rows.items():
        lines.append("| %s | %s | %d | %d | %d | %s | %s |" % (fam, dt, row["n"], row["pass"], row["nb"],
                                                          worst(row["o"]), worst(row["f"])))
    return "\n".join(lines) + "\n"


def markdown(result):
    lines = ["| case | family | dtype | B | T | H | Hv | K | V | init | grouped | packed | final | err o | err final | result |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["cases"]:
        lines.append("| %s | %s | %s | %d | %d | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            r["id"], r["family"], r["dtype"], r["B"], r["T"], r["H"], r["Hv"], r["K"], r["V"],
            "yes" if r["init"] else "no", "yes" if r["grouped"] else "no",
            ("yes (%s)" % ", ".join(map(str, r["lengths"])) if r["packed"] else "no"), "yes" if r["final"] else "no",
            fmt_err(r["err_o"]), fmt_err(r["err_final"]) if r["final"] else "-",
            "PASS" if r["status"] == "PASS" else "**%s**" % r["status"]))
    not_built = {}
    for r in result["cases"]:
        if r["status"] == "FAILED (not built)":
            first = (r["message"].strip().splitlines() or ["?"])[0]
            key = re.sub(r"^seqmix-compile: error: \S+?:\d+:\d+: ", "", first)
            not_built.setdefault(key, set()).add(r["id"].rsplit(".B", 1)[0])
    if not_built:
        lines += ["", "Libraries that seqmix-compile rejected (their cases fail), by diagnostic "
                  "(the full text is in results.json):", ""]
        for msg, libs in not_built.items():
            lines.append("- %d libraries: `%s`  \n  %s" % (len(libs), msg, ", ".join(sorted(libs))))
    others = [r for r in result["cases"] if r["status"] == "FAIL" and r["message"]]
    if others:
        lines += ["", "Other failures:", ""]
        lines += ["- %s: %s" % (r["id"], r["message"].strip().splitlines()[0]) for r in others]
    return "\n".join(lines) + "\n"


def summary_line(result):
    recs = result["cases"]
    passed = sum(r["status"] == "PASS" for r in recs)
    nb = sum(r["status"] == "FAILED (not built)" for r in recs)
    failed = len(recs) - passed
    return "%d passed, %d failed" % (passed, failed) + (" (%d of them not built)" % nb if nb else "")


def report(folder):
    """The dated markdown report of a run.sh run (files in `folder`)."""
    def read(name):
        path = os.path.join(folder, name)
        return open(path).read() if os.path.exists(path) else ""
    result = json.loads(read("results.json") or "{}")
    device = result.get("device", "unknown device")
    date = datetime.date.today().isoformat()
    gpu = device.replace("NVIDIA ", "").split()[0].lower() if device else "gpu"
    name = "%s-%s-gpu-tests.md" % (date, gpu)
    lines = ["# GPU correctness tests, %s, %s" % (device, date), "",
             "`test/device/run.sh` (test/device/README.md) from `build/gpu-tests`, built by `test/device/build.py` at "
             "commit %s (%s, target %s)." % (result.get("commit", "?"), result.get("built", "?"),
                                             result.get("target", "?")), "",
             "## Device", "", "```", read("device.txt").strip(), "```", "",
             "## Checks against the float64 oracle", "",
             "Relative L2 error of the output and of each final state (the largest over batch rows or packed "
             "sequences) against the float64 oracle on the same rounded inputs; bound 1e-2 with bf16 inputs, "
             "1e-4 with f32; outputs poisoned with NaN before each call. Oracle: python/seqmix/reference.py "
             "(token loop) at T <= 259, test/device/oracle.py's chunked float64 scan (checked against it by "
             "test/python/test_gpu_oracle.py) for T = %s." % result.get("long_t", "?"), "",
             "**%s**" % (summary_line(result) if result else "no results.json"), ""]
    if result:
        libs = result.get("libraries", {})
        sel = result.get("selection", {})
        if sel.get("only") or sel.get("skip_long"):
            lines += ["A partial run: %s." % ", ".join(
                (["--only " + " ".join(sel["only"])] if sel.get("only") else []) +
                (["--skip-long"] if sel.get("skip_long") else [])), ""]
        lines += ["Libraries: %d built, %d not built (seqmix-compile rejected them; their cases fail, the "
                  "diagnostics are under the table). %.0f s." % (libs.get("built", 0), libs.get("not built", 0),
                                                                 result.get("seconds", 0)), "",
                  family_table(result)]
    memcheck = read("memcheck.txt").strip()
    lines += ["## compute-sanitizer --tool memcheck", "",
              "One small case (T = 259) of each built library, one process, "
              "PYTORCH_NO_CUDA_MEMORY_CACHING=1 (every tensor its own allocation); the cases are checked "
              "against the chunked oracle there.", "", "```",
              memcheck or "not run", "```", ""]
    if result:
        lines += ["## Cases", "", markdown(result)]
    text = "\n".join(lines)
    with open(os.path.join(folder, name), "w") as f:
        f.write(text)
    print(os.path.join(folder, name))


# -----------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", default=HERE, help="the built folder (default: this script's)")
    p.add_argument("--cpu", action="store_true", help="CPU libraries (build.py --cpu) on numpy buffers")
    p.add_argument("--out", default=os.environ.get("OUT") or None, help="where results go (default $OUT, else ./out)")
    p.add_argument("--only", action="append", default=[], help="run the cases whose id matches this glob (repeatable)")
    p.add_argument("--memcheck-subset", action="store_true", help="one small case of each library")
    p.add_argument("--skip-long", action="store_true", help="leave out the long (T = 65536) cases")
    p.add_argument("--oracle", choices=("case", "reference", "chunked"), default=None,
                   help="the case's oracle (default: reference.py up to T = 259, the chunked scan for the long "
                        "cases), or one for all (--memcheck-subset: chunked, the faster one)")
    p.add_argument("--list", action="store_true", help="print the case ids and exit")
    p.add_argument("--report", metavar="DIR", help="write the dated markdown report of a run.sh run in DIR")
    args = p.parse_args()
    if args.report:
        report(args.report)
        return 0

    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)
    cases = manifest["cases"]
    if args.only:
        cases = [c for c in cases if any(fnmatch.fnmatchcase(c["id"], g) for g in args.only)]
    if args.memcheck_subset:  # libraries not built fail in the main run
        cases = [c for c in cases if c["memcheck"] and manifest["libraries"][c["library"]]["status"] == "built"]
    if args.skip_long:
        cases = [c for c in cases if not c["long"]]
    cases.sort(key=lambda c: c["long"])  # the long cases last (stable)
    oracle_choice = args.oracle or ("chunked" if args.memcheck_subset else "case")
    if oracle_choice != "case":
        cases = [dict(c, oracle=oracle_choice) for c in cases]
    if args.list:
        for c in cases:
            print(c["id"])
        return 0
    if not cases:
        print("check.py: no case selected")
        return 0 if args.memcheck_subset else 2  # e.g. run.sh --only '*.T65536': nothing for the sanitizer
    if args.cpu != (manifest["device"] == "cpu"):
        sys.exit("check.py: the libraries were built for %s; %s" % (
            manifest["target"], "run without --cpu" if not args.cpu else "build them with build.py --cpu"))

    backend = CPUBackend() if args.cpu else CUDABackend()
    device = backend.device()
    out = args.out or os.path.join(os.getcwd(), "out")
    os.makedirs(out, exist_ok=True)
    print("check.py: %d cases on %s; libraries for %s built %s at %s" % (
        len(cases), device, manifest["target"], manifest["built"], manifest["commit"]), flush=True)
    start = time.time()
    recs = []
    for case in cases:
        rec = run_case(backend, manifest, case, args.dir)
        recs.append(rec)
        print(case_line(rec), flush=True)
    result = {"device": device, "date": datetime.date.today().isoformat(), "target": manifest["target"],
              "built": manifest["built"], "commit": manifest["commit"], "long_t": manifest["long_t"],
              "selection": {"only": args.only, "memcheck_subset": args.memcheck_subset, "skip_long": args.skip_long,
                            "oracle": oracle_choice},
              "libraries": {"built": sum(l["status"] == "built" for l in manifest["libraries"].values()),
                            "not built": sum(l["status"] != "built" for l in manifest["libraries"].values())},
              "numpy": np.__version__, "seconds": round(time.time() - start, 1), "cases": recs}
    if not args.cpu:
        result["torch"] = backend.torch.__version__
        result["cuda"] = backend.torch.version.cuda
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("%s, %s: %s\n\n" % (device, result["date"], summary_line(result)) + markdown(result))
    print(summary_line(result), flush=True)
    print("check.py: %.0f s; results in %s" % (time.time() - start, out), flush=True)
    return 0 if all(r["status"] == "PASS" for r in recs) else 1


if __name__ == "__main__":
    sys.exit(main())
