# -*- Python -*-
# lit configuration of the SeqMix regression tests (check-seqmix).

import os
import shutil
import subprocess
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SEQMIX"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.seqmix_obj_root, "test")
# python/ holds the numpy reference, tested by pytest, not by lit.
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "python", "Inputs",
                   "CMakeLists.txt"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", ".so"))
config.substitutions.append(("%seqmix_src_root", config.seqmix_src_root))
config.substitutions.append(("%seqmix_obj_root", config.seqmix_obj_root))
config.substitutions.append(
    ("%seqmix_plugin",
     os.path.join(config.seqmix_lib_dir, "libSeqMixPlugin" + ".so")))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%mlir_cmake_dir", config.mlir_cmake_dir))
# The system C compiler, which seqmix-compile links libraries with and the
# tests build their drivers with.
config.substitutions.append(("%cc", shutil.which("cc") or "cc"))
if shutil.which("cc"):
    config.available_features.add("cc")

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# `not`, `split-file` and the other LLVM test tools, wherever they appear.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.seqmix_tools_dir, config.llvm_tools_dir]
tools = [
    "seqmix-opt",
    "seqmix-run",
    "seqmix-compile",
    "seqmix-translate",
    "not",
    # Debian's own mlir-opt, which loads SeqMix as a plugin.
    ToolSubst("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# %python: the project's Python (with onnx, for the models of test/Import),
# from -DPython3_EXECUTABLE, else the checkout's .venv, else lit's own.
python = getattr(config, "python_executable", "") or ""
if not python or not os.path.exists(python):
    venv_python = os.path.join(config.seqmix_src_root, ".venv", "bin", "python")
    python = venv_python if os.path.exists(venv_python) else sys.executable
config.substitutions.append(("%python", python))
if subprocess.call([python, "-c", "import onnx, numpy"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("onnx")
else:
    lit_config.warning("%s cannot import onnx: the tests of test/Import are "
                       "unsupported (run scripts/setup.sh)" % python)
config.substitutions.append(
    ("%make_models",
     "%s %s" % (python, os.path.join(config.test_source_root, "Import",
                                     "Inputs", "make_models.py"))))
config.substitutions.append(
    ("%check_numerics",
     "%s %s %s %s" % (python, os.path.join(config.test_source_root, "Import",
                                           "Inputs", "check_numerics.py"),
                      config.seqmix_tools_dir,
                      os.path.dirname(config.llvm_tools_dir.rstrip("/")))))
if subprocess.call([python, "-c", "import onnxruntime"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0 \
        and os.path.exists(os.path.join(config.llvm_tools_dir, "mlir-runner")):
    config.available_features.add("onnxruntime")
