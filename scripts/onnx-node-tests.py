#!/usr/bin/env python3
"""Runs ONNX's node tests through SeqMix on the CPU.

  .venv/bin/python scripts/onnx-node-tests.py [--jobs 2] [--filter REGEX] [-v]

Two sets of tests:

* the node tests of Debian's libonnx-testdata (ONNX 1.12: model.onnx and
  test_data_set_*/{input,output}_*.pb per test, in
  /usr/share/libonnx-testdata/data/node), compared with their bundled
  outputs;
* the cases of ONNX's own test generator (the installed onnx package,
  ``onnx.backend.test.case.node``) of the operators newer than that data set
  that the importer handles (Attention, RMSNormalization, and their
  function-expanded forms), compared with onnxruntime on the same inputs
  (with the case's own outputs where onnxruntime cannot run the model).

Each test is imported with ``seqmix-translate --import-onnx``. If the
importer rejects it, its diagnostic must say that something is not
supported and name the node, the node's op type and its opset (or, for an
unused graph input, the input and its data type): "unsupported (diagnosed)".
Otherwise the model is compiled with ``seqmix-compile --target=cpu``, run on
each data set with ``seqmix-run``, and every output compared like ONNX's
backend tests (floats: rtol 1e-3, atol 1e-7, NaN where NaN is expected;
integers and booleans exactly): "passed". Everything else (an import error
that is not an unsupported feature, a diagnostic that does not name the
node, a compile or run failure, a crash, a wrong output) is "failed", unless
test/python/onnx_node_known_failures.txt lists the test with its reason; a
listed test that passes is a failure too (the list must stay honest).

Models are compiled in parallel (--jobs, default 2). Prints one line per
failure (and per test with -v) and the counts; exits 1 on any failure.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = "/usr/share/libonnx-testdata/data/node"
KNOWN = os.path.join(ROOT, "test", "python", "onnx_node_known_failures.txt")
# Operators newer than the data set whose generated cases are run.
NEWER = ("test_attention_", "test_rms_normalization_")
TIMEOUT = 300
BF16_RTOL, BF16_ATOL = 2.0 ** -6, 2.0 ** -8
# What an importer diagnostic of an unsupported feature says.
UNSUPPORTED = re.compile(r"unsupported|not supported|does not support|must be computable at import time|"
                         r"is not a tensor")


class Case:
    """One test: a model file and its data sets [(inputs, outputs)] (lists of
    numpy arrays, or a function that reads them: only compiled tests'
    are read); ``outputs`` None: compare with onnxruntime."""

    def __init__(self, name, model_path, data_sets, rtol=1e-3, atol=1e-7, origin="data"):
        self.name = name
        self.model_path = model_path
        self._data_sets = data_sets
        self.rtol = rtol
        self.atol = atol
        self.origin = origin

    @property
    def data_sets(self):
        if callable(self._data_sets):
            self._data_sets = self._data_sets()
        return self._data_sets


def _sorted_pb(pattern):
    return sorted(glob.glob(pattern), key=lambda p: int(re.search(r"_(\d+)\.pb$", p).group(1)))


def load_data_set(directory):
    import onnx
    from onnx import numpy_helper

    def read(path):
        return numpy_helper.to_array(onnx.load_tensor(path))

    return ([read(p) for p in _sorted_pb(os.path.join(directory, "input_*.pb"))],
            [read(p) for p in _sorted_pb(os.path.join(directory, "output_*.pb"))])


def data_set_cases(data_dir, pattern):
    cases = []
    for name in sorted(os.listdir(data_dir)):
        if pattern and not re.search(pattern, name):
            continue
        model = os.path.join(data_dir, name, "model.onnx")
        if os.path.exists(model):
            sets = sorted(glob.glob(os.path.join(data_dir, name, "test_data_set_*")))
            cases.append(Case(name, model, lambda sets=sets: [load_data_set(d) for d in sets]))
    return cases


def newer_op_cases(workdir, pattern):
    """ONNX's generated cases of the newer operators, written to workdir."""
    import onnx
    from onnx.backend.test.case import node as node_cases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collected = node_cases.collect_testcases(None)
    cases = []
    for c in collected:
        if not c.name.startswith(NEWER) or (pattern and not re.search(pattern, c.name)):
            continue
        path = os.path.join(workdir, "newer", c.name, "model.onnx")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        onnx.save(c.model, path)
        sets = [(list(ins), None) for ins, _ in c.data_sets]
        case = Case(c.name, path, sets, c.rtol, c.atol, origin="onnxruntime")
        case.generated_outputs = [list(outs) for _, outs in c.data_sets]
        cases.append(case)
    return cases


def load_known(path):
    known = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(" ")
                known[name] = reason.strip()
    return known


# --- diagnostics ----------------------------------------------------------------


def check_diagnostic(model_path, stderr):
    """(ok, why) for an importer error: an unsupported feature, naming the
    node, its op type and opset (or an unused graph input and its type)."""
    import onnx

    lines = [l for l in stderr.splitlines() if "error: " in l]
    if not lines:
        return False, "no diagnostic: " + stderr.strip()[-300:]
    msg = lines[0].split("error: ", 1)[1]
    if not UNSUPPORTED.search(msg):
        return False, "import error that is not an unsupported feature: " + msg
    model = onnx.load(model_path, load_external_data=False)
    opsets = {("" if o.domain == "ai.onnx" else o.domain): o.version for o in model.opset_import}
    m = re.search(r"node (?:'([^']*)'|#(\d+))", msg)
    if m:
        nodes = list(model.graph.node)
        if m.group(2) is not None:
            index = int(m.group(2))
            node = nodes[index] if index < len(nodes) else None
        else:
            node = next((n for n in nodes if n.name == m.group(1)), None)
        if node is None:
            return False, "the diagnostic names no node of the model: " + msg
        domain = "" if node.domain == "ai.onnx" else node.domain
        opset = opsets.get(domain, 0)
        if node.op_type not in msg or ("opset %d" % opset) not in msg:
            return False, "the diagnostic does not name op type %s and opset %d: %s" % (node.op_type, opset, msg)
        return True, msg
    m = re.search(r"graph input '([^']*)' has data type (\w+)", msg)
    if m:
        inputs = {i.name: i for i in model.graph.input}
        if m.group(1) in inputs:
            elem = inputs[m.group(1)].type.tensor_type.elem_type
            if onnx.TensorProto.DataType.Name(elem) == m.group(2):
                return True, msg
    return False, "the diagnostic names no node: " + msg


# --- running a test -------------------------------------------------------------


def _decode(a):
    """bf16 arrays (ml_dtypes) as their uint16 bit patterns, bools as is."""
    if a.dtype.name == "bfloat16":
        return a.view(np.uint16)
    return a


def _bf16_to_f32(a):
    return (a.astype(np.uint32) << 16).view(np.float32)


def compare(got, expected, rtol, atol, bf16):
    if got.shape != expected.shape:
        return "shape %s, expected %s" % (got.shape, expected.shape)
    if bf16:
        # A bf16 ulp is 2^-8 relative, more than rtol 1e-3, and references
        # round intermediates to bf16: a few ulps.
        rtol, atol = max(rtol, BF16_RTOL), max(atol, BF16_ATOL)
        got = _bf16_to_f32(got)
        expected = expected.astype(np.float32) if expected.dtype.name == "bfloat16" \
            else _bf16_to_f32(expected.view(np.uint16))
    if np.issubdtype(expected.dtype, np.floating):
        try:
            np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol)
        except AssertionError as e:
            return " ".join(str(e).split())[:300]
        return None
    if not np.array_equal(got.astype(expected.dtype), expected):
        return "values differ: got %s, expected %s" % (got.ravel()[:8], expected.ravel()[:8])
    return None


def onnxruntime_outputs(case, inputs):
    import onnx
    import onnxruntime as ort

    ort.set_default_logger_severity(4)
    model = onnx.load(case.model_path)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    return sess.run(None, dict(zip(names, inputs)))


def run_case(case, bindir, workdir):
    """(status, detail): status 'passed', 'diagnosed' or 'failed'."""
    tr = subprocess.run([os.path.join(bindir, "seqmix-translate"), "--import-onnx", case.model_path,
                         "-o", os.devnull], capture_output=True, text=True, timeout=TIMEOUT)
    if tr.returncode < 0:
        return "failed", "seqmix-translate crashed (signal %d): %s" % (-tr.returncode, tr.stderr[-300:])
    if tr.returncode != 0:
        ok, why = check_diagnostic(case.model_path, tr.stderr)
        return ("diagnosed" if ok else "failed"), why
    d = os.path.join(workdir, case.name)
    os.makedirs(d, exist_ok=True)
    so = os.path.join(d, "model.so")
    cc = subprocess.run([os.path.join(bindir, "seqmix-compile"), case.model_path, "--target=cpu", "-o", so],
                        capture_output=True, text=True, timeout=TIMEOUT)
    if cc.returncode != 0:
        what = "crashed (signal %d)" % -cc.returncode if cc.returncode < 0 else "failed"
        return "failed", "seqmix-compile %s: %s" % (what, " ".join(cc.stderr.split())[:400])
    listing = subprocess.run([os.path.join(bindir, "seqmix-run"), so, "--list"], capture_output=True,
                             text=True, timeout=TIMEOUT).stdout
    out_types = re.findall(r"^\s*output \S+: (\w+)\[", listing, re.M)
    notes = []
    try:
        data_sets = case.data_sets
    except Exception as e:  # pylint: disable=broad-except
        return "failed", "cannot read the data sets: %s" % " ".join(str(e).split())[:200]
    for k, (inputs, outputs) in enumerate(data_sets):
        if outputs is None:
            try:
                outputs = [np.asarray(o) for o in onnxruntime_outputs(case, inputs)]
            except Exception as e:  # pylint: disable=broad-except
                outputs = case.generated_outputs[k]
                notes.append("onnxruntime cannot run it (%s): compared with ONNX's reference outputs"
                             % " ".join(str(e).split())[:120])
        cmd = [os.path.join(bindir, "seqmix-run"), so]
        for i, a in enumerate(inputs):
            path = os.path.join(d, "in%d.npy" % i)
            np.save(path, _decode(np.asarray(a)))
            cmd.append("--input=@" + path)
        for i in range(len(out_types)):
            cmd.append("--output=@" + os.path.join(d, "out%d.npy" % i))
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        if run.returncode != 0:
            what = "crashed (signal %d)" % -run.returncode if run.returncode < 0 else "failed"
            return "failed", "seqmix-run %s on data set %d: %s" % (what, k, " ".join(run.stderr.split())[:300])
        if len(out_types) != len(outputs):
            return "failed", "%d outputs, expected %d" % (len(out_types), len(outputs))
        got = [np.load(os.path.join(d, "out%d.npy" % i)) for i in range(len(out_types))]

        def mismatch(expected):
            for i, (dtype, g, e) in enumerate(zip(out_types, got, expected)):
                err = compare(g, np.asarray(e), case.rtol, case.atol, dtype == "bf16")
                if err:
                    return "data set %d, output %d: %s" % (k, i, err)
            return None

        err = mismatch(outputs)
        if err and case.origin == "onnxruntime" and outputs is not case.generated_outputs[k]:
            # onnxruntime differs from ONNX's reference here: the
            # specification's reference decides.
            if not mismatch(case.generated_outputs[k]):
                notes.append("onnxruntime differs (%s); matches ONNX's reference outputs" % err[:160])
                err = None
        if err:
            return "failed", err
    return "passed", "; ".join(notes)


def run_all(cases, bindir, jobs, known, verbose=False, out=sys.stdout):
    """Runs the cases; returns the counts and the per-test results."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="seqmix-node-tests") as workdir:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(run_case, c, bindir, workdir): c for c in cases}
            for future in concurrent.futures.as_completed(futures):
                case = futures[future]
                try:
                    status, detail = future.result()
                except Exception as e:  # pylint: disable=broad-except
                    status, detail = "failed", "the runner failed: %r" % e
                if case.name in known:
                    if status == "failed":
                        status, detail = "known", known[case.name] + " [" + detail + "]"
                    else:
                        status, detail = "failed", "listed as a known failure (%s) but %s" % (known[case.name], status)
                results[case.name] = (case.origin, status, detail)
                if verbose or status == "failed":
                    print("%-8s %s: %s" % (status.upper(), case.name, detail), file=out, flush=True)
    counts = {}
    for origin, status, detail in results.values():
        c = counts.setdefault(origin, {"passed": 0, "diagnosed": 0, "known": 0, "failed": 0,
                                       "reference_only": 0, "onnxruntime_differs": 0})
        c[status] += 1
        if status == "passed" and "onnxruntime cannot run it" in detail:
            c["reference_only"] += 1
        elif status == "passed" and "onnxruntime differs" in detail:
            c["onnxruntime_differs"] += 1
    return counts, results


def summary(counts):
    lines = []
    titles = {"data": "libonnx-testdata node tests (bundled outputs)",
              "onnxruntime": "newer ops, ONNX's generated cases (vs onnxruntime)"}
    for origin in ("data", "onnxruntime"):
        if origin in counts:
            c = counts[origin]
            total = c["passed"] + c["diagnosed"] + c["known"] + c["failed"]
            lines.append("%s: %d tests: %d passed, %d unsupported (diagnosed), %d known failures, %d failed" % (
                titles[origin], total, c["passed"], c["diagnosed"], c["known"], c["failed"]))
            if origin == "onnxruntime" and c["passed"]:
                lines.append("  of the passed: %d against onnxruntime, %d against ONNX's reference outputs where "
                             "onnxruntime cannot run the model, %d where onnxruntime differs from them" % (
                                 c["passed"] - c["reference_only"] - c["onnxruntime_differs"], c["reference_only"],
                                 c["onnxruntime_differs"]))
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--data", default=DATA, help="the node tests (default: %(default)s)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--filter", help="only tests whose name matches this regex")
    ap.add_argument("--no-newer", action="store_true", help="skip the generated cases of the newer ops")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    start = time.time()
    if not os.path.isdir(a.data):
        print("no node tests at %s (install Debian's libonnx-testdata: scripts/setup.sh)" % a.data)
        return 1
    with tempfile.TemporaryDirectory(prefix="seqmix-node-models") as models:
        cases = data_set_cases(a.data, a.filter)
        if not a.no_newer:
            cases += newer_op_cases(models, a.filter)
        counts, _ = run_all(cases, os.path.join(a.build, "bin"), a.jobs, load_known(KNOWN), a.verbose)
    for line in summary(counts):
        print(line)
    print("(%.0f s, %d jobs)" % (time.time() - start, a.jobs))
    return 1 if any(c["failed"] for c in counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
