#!/usr/bin/env bash
# The GPU correctness tests: run by hand on a GPU machine, from the folder
# that test/device/build.py filled (build/gpu-tests; test/device/README.md).
#
#   OUT=/some/dir ./run.sh [check.py options: --skip-long, --only GLOB, ...]
#
# 1. prints the device (nvidia-smi name, driver, date) into $OUT/device.txt;
# 2. check.py: every case against the float64 oracle ($OUT/check.log,
#    results.json, results.md);
# 3. compute-sanitizer --tool memcheck on one small case (T = 259) of each
#    built library, one process ($OUT/memcheck.log, memcheck.txt);
#    SANITIZERS="memcheck racecheck" adds racecheck;
# 4. check.py --report: $OUT/<date>-<gpu>-gpu-tests.md, the file to commit
#    under bench/results/.
# Exits 1 if any case failed, any library was not built, or a sanitizer
# reported an error (or could not run).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
out=${OUT:-$here/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
py=${PYTHON:-python3}
export PYTHONUNBUFFERED=1
status=0

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(hostname)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
  nvidia-smi 2>/dev/null | grep -m1 -o 'CUDA Version: [0-9.]*'
  "$py" -c 'import torch, numpy; print("torch", torch.__version__, "(CUDA %s)" % torch.version.cuda, "numpy", numpy.__version__)' 2>&1
} | tee "$out/device.txt"

start=$(date +%s)
"$py" check.py --out "$out" "$@" 2>&1 | tee "$out/check.log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
echo "run.sh: check.py took $(( $(date +%s) - start )) s"

san=$(command -v compute-sanitizer || true)
for d in "${CUDA_HOME:-}" /usr/local/cuda; do
  [ -z "$san" ] && [ -n "$d" ] && [ -x "$d/bin/compute-sanitizer" ] && san="$d/bin/compute-sanitizer"
done
: > "$out/memcheck.txt"
for tool in ${SANITIZERS:-memcheck}; do
  if [ -z "$san" ]; then
    echo "$tool: compute-sanitizer not found (PATH, \$CUDA_HOME/bin, /usr/local/cuda/bin)" | tee -a "$out/memcheck.txt"
    status=1
    continue
  fi
  start=$(date +%s)
  # Without torch's caching allocator every tensor is its own allocation, so
  # that an access past a buffer is outside any allocation.
  PYTORCH_NO_CUDA_MEMORY_CACHING=1 timeout "${SANITIZER_TIMEOUT:-1500}" \
    "$san" --tool "$tool" --error-exitcode 86 \
    "$py" check.py --memcheck-subset --out "$out/$tool" "$@" > "$out/$tool.log" 2>&1
  rc=$?
  summary=$(grep -E '(ERROR|RACECHECK) SUMMARY' "$out/$tool.log" | tail -1)
  checks=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/$tool.log" | tail -1)
  {
    echo "$tool: $(basename "$san") exit status $rc, $(( $(date +%s) - start )) s"
    echo "  ${summary:-no SUMMARY line (did it run to the end? see $tool.log)}"
    echo "  cases run under it: ${checks:-none reported}"
    grep -E '^========= (Invalid|Program hit|Error|Race|.*errors? detected|  *at .*in )' "$out/$tool.log" | head -n 20 | sed 's/^/  /'
  } | tee -a "$out/memcheck.txt"
  if ! echo "$summary" | grep -qE 'SUMMARY: 0 (errors|hazards)'; then status=1; fi
  [ "$rc" = 0 ] || status=1
done

"$py" check.py --report "$out"
if [ "$status" = 0 ]; then echo "run.sh: PASSED"; else echo "run.sh: FAILED"; fi
exit "$status"
