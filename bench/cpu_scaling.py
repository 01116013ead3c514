#!/usr/bin/env python3
"""CPU scaling check (a benchmark, not a test): simple GLA at B=1, H=4,
K=V=64, fp32, T = 4096 and 8192, in each form. The chunked and recurrent
forms should grow linearly in T (at most 2.2x for 2x T), the parallel form
quadratically.

  .venv/bin/python bench/cpu_scaling.py [--repeats 3] [--out bench/results]

Writes bench/results/<date>-cpu-scaling.json with the command, the machine
and median/min/max wall times (time.perf_counter around the compiled entry
point, after one warm-up call).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
from seqmix.runtime import Library  # noqa: E402

B, H, K, V = 1, 4, 64, 64
MIXER = "!seqmix.mixer<1x4x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>"


def source(form):
    f = "#seqmix.form<chunked, chunk = 64>" if form == "chunked" else "#seqmix.form<%s>" % form
    t = "tensor<1x?x4x64xf32>"
    return """func.func @sgla(%%q: %(t)s {seqmix.dims = [1, "T", 4, 64]}, %%k: %(t)s {seqmix.dims = [1, "T", 4, 64]},
                %%g: tensor<1x?x4xf32> {seqmix.dims = [1, "T", 4]}, %%v: %(t)s {seqmix.dims = [1, "T", 4, 64]}) -> %(t)s {
  %%m = seqmix.semiseparable %%q, %%k gate(%%g : tensor<1x?x4xf32>) : %(t)s, %(t)s -> %(m)s
  %%o = seqmix.apply %%m, %%v {form = %(f)s} : %(m)s, %(t)s -> %(t)s
  return %%o : %(t)s
}
""" % dict(t=t, m=MIXER, f=f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lengths", default="4096,8192")
    ap.add_argument("--forms", default="chunked,recurrent,parallel")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    compile_tool = os.path.join(os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build")), "bin", "seqmix-compile")
    lengths = [int(x) for x in a.lengths.split(",")]
    rng = np.random.default_rng(0)
    records = []
    with tempfile.TemporaryDirectory() as d:
        for form in a.forms.split(","):
            src, so = os.path.join(d, form + ".mlir"), os.path.join(d, form + ".so")
            open(src, "w").write(source(form))
            subprocess.run([compile_tool, src, "--target=cpu", "-o", so], check=True)
            fn = Library(so)["sgla"]
            times = {}
            for T in lengths:
                q = rng.standard_normal((B, T, H, K)).astype(np.float32)
                k = rng.standard_normal((B, T, H, K)).astype(np.float32)
                g = (np.log(1 / (1 + np.exp(-rng.standard_normal((B, T, H))))) / 16).astype(np.float32)
                v = rng.standard_normal((B, T, H, V)).astype(np.float32)
                fn(q, k, g, v)  # warm-up
                samples = []
                for _ in range(a.repeats):
                    t0 = time.perf_counter()
                    fn(q, k, g, v)
                    samples.append(time.perf_counter() - t0)
                times[T] = samples
                rec = dict(op="simple_gla", form=form, shape=[B, T, H, K, V], dtype="f32", device="cpu",
                           median_s=float(np.median(samples)), min_s=min(samples), max_s=max(samples))
                records.append(rec)
                print("%-9s T=%-6d median %.4f s (min %.4f, max %.4f)" % (form, T, rec["median_s"], rec["min_s"], rec["max_s"]),
                      flush=True)
            if len(lengths) == 2:
                ratio = np.median(times[lengths[1]]) / np.median(times[lengths[0]])
                print("%-9s time(%d) / time(%d) = %.2f" % (form, lengths[1], lengths[0], ratio), flush=True)
                records.append(dict(op="simple_gla", form=form, ratio=float(ratio), lengths=lengths))
    date = datetime.date.today().isoformat()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "%s-cpu-scaling.json" % date)
    meta = dict(command=" ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]), date=date,
                machine="%s, %d cores (%s)" % (platform.processor() or platform.machine(), os.cpu_count(), platform.platform()))
    json.dump(dict(meta=meta, records=records), open(path, "w"), indent=1)
    print("wrote", os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
