# -*- Python -*-
# lit configuration of the SeqMix regression tests (check-seqmix).

import os
import shutil

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
    # Debian's own mlir-opt, which loads SeqMix as a plugin.
    ToolSubst("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
