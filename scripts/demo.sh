#!/usr/bin/env bash
# The main job: sets up, builds, and runs seqmix-opt over the example of every
# mixer family in examples/: parse, verify, canonicalize, choose each mixer's
# form for the CPU (explained by a remark), and print the result.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SEQMIX_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" >/dev/null
for f in "$root"/examples/*.mlir; do
  echo "=== $(basename "$f")"
  "$build/bin/seqmix-opt" "$f" --canonicalize --seqmix-select-form \
    --remarks-filter=seqmix-select-form
done
echo "demo: $(ls "$root"/examples/*.mlir | wc -l) example files parsed, verified, canonicalized and given a form"
