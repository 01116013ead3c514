#!/usr/bin/env bash
# The main job: sets up, builds, compiles the example model of several mixers
# (examples/hybrid_model.mlir: Gated DeltaNet, simple GLA, softmax attention)
# for the CPU with seqmix-compile, runs it with seqmix-run on random inputs
# and checks every output against the float64 oracle (scripts/run-model.py).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" >/dev/null
exec "$root/.venv/bin/python" "$root/scripts/run-model.py" "$@"
