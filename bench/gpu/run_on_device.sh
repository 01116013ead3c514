#!/usr/bin/env bash
# Runs on the GPU machine, from the folder that build_artifacts.py filled:
# correctness and timing, then compute-sanitizer (memcheck, racecheck) on a
# quick subset. Writes everything under $OUT (or ./out).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
out=${OUT:-out}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu \
  --format=csv 2>&1 | tee "$out/device.txt"
python3 chunked_harness.py . --json "$out/results.json" 2>&1 | tee "$out/harness.log"
status=${PIPESTATUS[0]}
for tool in memcheck racecheck; do
  timeout 240 compute-sanitizer --tool "$tool" python3 chunked_harness.py . --quick \
    > "$out/$tool.log" 2>&1
  echo "compute-sanitizer $tool: exit $?; $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$out/$tool.log" | tail -1)"
done
exit "$status"
