#!/usr/bin/env bash
# Installs everything SeqMix needs on Debian 12 and checks what comes with the
# machine. Safe to run again: it installs only what is missing.
#
#   apt:  LLVM/MLIR 22 (libMLIR.so, mlir-tblgen, lit, FileCheck), CMake, Ninja,
#         gcc (seqmix-compile links libraries with cc), g++, GoogleTest,
#         Python 3 with venv; for the ONNX importer the generated onnx.proto
#         classes (libonnx-dev) and protobuf, and ONNX's node tests
#         (libonnx-testdata, scripts/onnx-node-tests.py); clang-22 and its
#         compiler-rt (libFuzzer) for the importer's fuzz target
#   pip:  numpy, pytest, onnx, onnxruntime (into .venv/ of the checkout)
#   checked, not installed: the CUDA 13 toolkit at /usr/local/cuda (GPU work only)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf 'setup: %s\n' "$*" >&2; }

sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    log "not root and no sudo: install the apt packages below by hand"; fi
fi

apt_packages=(cmake ninja-build gcc g++ git libgtest-dev python3 python3-venv
              libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
              libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
              clang-22 libclang-rt-22-dev)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing with apt: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "apt packages present"
fi

for tool in /usr/lib/llvm-22/bin/mlir-tblgen /usr/lib/llvm-22/bin/lit \
            /usr/lib/llvm-22/bin/FileCheck /usr/lib/llvm-22/lib/libMLIR.so \
            /usr/include/onnx/onnx_pb.h /usr/lib/x86_64-linux-gnu/libonnx_proto.so; do
  [ -e "$tool" ] || { log "missing after install: $tool"; exit 1; }
done

# Python: a virtual environment in the checkout (Debian's Python refuses pip
# installs into the system, PEP 668).
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  log "creating $venv"
  python3 -m venv "$venv"
fi
# onnx 1.23.2 knows opsets up to 28 (the newest the importer reads);
# onnxruntime runs the models the tests compare against.
pip_packages=(numpy pytest onnx==1.23.2 onnxruntime==1.32.0)
if ! "$venv/bin/python" -c '
import numpy, pytest, onnx, onnxruntime
assert onnx.__version__ == "1.23.2" and onnxruntime.__version__ == "1.32.0"
' 2>/dev/null; then
  log "installing with pip: ${pip_packages[*]}"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${pip_packages[@]}"
else
  log "pip packages present"
fi

# The CUDA toolkit comes with the machine image, not from a package: only
# the GPU path needs it.
cuda=${CUDA_HOME:-/usr/local/cuda}
cuda_missing=()
for f in bin/nvcc bin/ptxas include/cuda.h lib64/stubs/libcuda.so; do
  [ -e "$cuda/$f" ] || cuda_missing+=("$cuda/$f")
done
if [ ${#cuda_missing[@]} -gt 0 ]; then
  log "CUDA toolkit incomplete (GPU builds and PTX checks will be skipped): missing ${cuda_missing[*]}"
else
  log "CUDA toolkit found at $cuda ($("$cuda/bin/nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'))"
fi
log "done"
