"""Make the in-tree ``python/`` package importable for the Python tests."""

import sys
from pathlib import Path

_PYTHON_DIR = Path(__file__).resolve().parents[2] / "python"
if str(_PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(_PYTHON_DIR))


def pytest_terminal_summary(terminalreporter):
    """The family × form pairs whose compiled numerics were checked."""
    import sys as _sys
    mod = _sys.modules.get("test_cpu_numerics")
    covered = sorted(getattr(mod, "COVERED", ()))
    if covered:
        terminalreporter.write_line("numerics: %d family x form pairs covered: %s" % (
            len(covered), ", ".join("%s/%s" % p for p in covered)))
