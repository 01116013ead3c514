"""Make the in-tree ``python/`` package importable for the Python tests."""

import sys
from pathlib import Path

_PYTHON_DIR = Path(__file__).resolve().parents[2] / "python"
if str(_PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(_PYTHON_DIR))


def pytest_terminal_summary(terminalreporter):
    """The family × form pairs whose compiled numerics were checked, and the
    largest errors of the ONNX blocks."""
    import sys as _sys
    mod = _sys.modules.get("test_cpu_numerics")
    covered = sorted(getattr(mod, "COVERED", ()))
    if covered:
        terminalreporter.write_line("numerics: %d family x form pairs covered: %s" % (
            len(covered), ", ".join("%s/%s" % p for p in covered)))
    e2e = getattr(_sys.modules.get("test_onnx_e2e"), "ERRORS", {})
    if e2e:
        terminalreporter.write_line("onnx e2e: largest relative L2 error per block: %s" % ", ".join(
            "%s %.2g" % kv for kv in e2e.items()))
    for line in getattr(_sys.modules.get("test_onnx_node_tests"), "SUMMARY", []):
        terminalreporter.write_line("onnx node tests: " + line)
