#!/usr/bin/env bash
# Builds the libFuzzer target of the ONNX importer with Debian's clang-22
# (-fsanitize=fuzzer,address) and runs it for a fixed time from the
# committed seed corpus test/Fuzz/corpus/ with a fixed seed. Exits non-zero
# if the fuzzer finds a crash (the reproducer is left in build/fuzz/).
#
#   bash scripts/fuzz-onnx.sh [SECONDS]     (default 60)
#
# Needs a configured and built build/ (for the generated headers and
# libSeqMixDialect.a), clang-22 and libclang-rt-22-dev.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SEQMIX_BUILD_DIR:-$root/build}
seconds=${1:-60}
jobs=${SEQMIX_JOBS:-2}
clang=/usr/lib/llvm-22/bin/clang++
llvm=/usr/lib/llvm-22
out=$build/fuzz
log() { printf 'fuzz-onnx: %s\n' "$*" >&2; }

[ -x "$clang" ] || { log "missing $clang (apt install clang-22)"; exit 1; }
[ -f "$build/lib/libSeqMixDialect.a" ] || { log "build $build first (scripts/build.sh)"; exit 1; }
mkdir -p "$out/obj"

# The reader and importer sources (not the translation registration), plus
# the target, instrumented; the dialect library comes from the g++ build.
sources=("$root"/lib/Import/ONNX*.cpp "$root/tools/seqmix-onnx-fuzz/seqmix-onnx-fuzz.cpp")
flags=(-std=c++17 -O1 -g -fno-rtti -fno-exceptions -fPIC
       -fsanitize=fuzzer-no-link,address
       -D__STDC_CONSTANT_MACROS -D__STDC_FORMAT_MACROS -D__STDC_LIMIT_MACROS
       -DONNX_NAMESPACE=onnx -DONNX_ML=1
       -I"$root/include" -I"$build/include" -isystem "$llvm/include")
objs=()
for src in "${sources[@]}"; do
  base=$(basename "$src" .cpp)
  [ "$base" = ONNXTranslation ] && continue
  objs+=("$out/obj/$base.o")
done
log "compiling ${#objs[@]} files with $clang"
printf '%s\n' "${sources[@]}" | grep -v ONNXTranslation.cpp |
  xargs -P "$jobs" -I{} sh -c 'src={}; obj="$0/obj/$(basename "$src" .cpp).o";
    cc=$1; shift
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
      "$cc" "$@" -c "$src" -o "$obj" || exit 255; fi' "$out" "$clang" "${flags[@]}"
"$clang" -fsanitize=fuzzer,address -o "$out/seqmix-onnx-fuzz" "${objs[@]}" \
  "$build/lib/libSeqMixDialect.a" "$llvm/lib/libMLIR.so" "$llvm/lib/libLLVM.so" \
  -lonnx_proto -lprotobuf -Wl,-rpath,"$llvm/lib"

# New inputs go to a scratch directory, never into the committed corpus.
work=$out/corpus
rm -rf "$work" && mkdir -p "$work"
log "fuzzing for ${seconds}s from $root/test/Fuzz/corpus"
cd "$out"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
  ./seqmix-onnx-fuzz -seed=1 -max_total_time="$seconds" -timeout=30 \
  -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
  -dict="$root/test/Fuzz/onnx.dict" \
  "$work" "$root/test/Fuzz/corpus"
