"""ONNX's node tests through SeqMix on the CPU (scripts/onnx-node-tests.py):
the libonnx-testdata node tests against their bundled outputs and ONNX's
generated cases of Attention and RMSNormalization against onnxruntime. Every
test passes or is an unsupported feature that the importer diagnoses (naming
the node, op type and opset); test/python/onnx_node_known_failures.txt lists
the exceptions with their reasons. The counts are printed at the end of the
run."""
import importlib.util
import io
import os

import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SEQMIX_BUILD_DIR", os.path.join(ROOT, "build"))
SUMMARY = []  # printed by conftest.py

_spec = importlib.util.spec_from_file_location("onnx_node_tests", os.path.join(ROOT, "scripts", "onnx-node-tests.py"))
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)


@pytest.mark.skipif(not os.path.isdir(runner.DATA),
                    reason="Debian's libonnx-testdata is not installed (scripts/setup.sh installs it)")
@pytest.mark.skipif(not os.path.exists(os.path.join(BUILD, "bin", "seqmix-compile")),
                    reason="seqmix-compile is not built")
def test_node_tests(tmp_path):
    cases = runner.data_set_cases(runner.DATA, None) + runner.newer_op_cases(str(tmp_path), None)
    jobs = int(os.environ.get("SEQMIX_JOBS", "2"))
    log = io.StringIO()
    counts, results = runner.run_all(cases, os.path.join(BUILD, "bin"), jobs, runner.load_known(runner.KNOWN),
                                     out=log)
    SUMMARY.extend(runner.summary(counts))
    failed = sorted(name for name, (_, status, _) in results.items() if status == "failed")
    assert not failed, "%d failed:\n%s" % (len(failed), log.getvalue())
    assert counts["data"]["passed"] > 0 and counts["onnxruntime"]["passed"] > 0
