#!/usr/bin/env bash
# The main job: sets up, builds, then
#  1. writes the example Mamba2 block as ONNX (build/examples/mamba2_block.onnx,
#     python/seqmix/onnx_blocks.py), compiles it for the CPU with
#     seqmix-compile, runs it with seqmix-run on random inputs (a summary of
#     its outputs and its timing) and checks it against the float64 numpy
#     block (scripts/run-onnx-block.py);
#  2. compiles the example model of several mixers
#     (examples/hybrid_model.mlir: Gated DeltaNet, simple GLA, softmax
#     attention) the same way and checks every output against the float64
#     oracle (scripts/run-model.py).
# Arguments go to run-onnx-block.py (--batch, --seq-len, --benchmark).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" >/dev/null
status=0
"$root/.venv/bin/python" "$root/scripts/run-onnx-block.py" "$@" || status=1
echo
"$root/.venv/bin/python" "$root/scripts/run-model.py" || status=1
exit $status
