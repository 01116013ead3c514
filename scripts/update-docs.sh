#!/usr/bin/env bash
# Regenerates the reference documentation from ODS (ninja seqmix-doc) and
# copies it into docs/generated/, where it is committed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SEQMIX_BUILD_DIR:-$root/build}
ninja -C "$build" seqmix-doc
mkdir -p "$root/docs/generated"
cp "$build"/docs/*.md "$root/docs/generated/"
echo "updated $(ls "$root"/docs/generated | tr '\n' ' ')"
