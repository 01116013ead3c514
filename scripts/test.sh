#!/usr/bin/env bash
# Sets up, builds and runs every test: the lit suite (check-seqmix), the
# GoogleTest unit tests (ctest) and the Python tests (pytest). Ends with one
# line 'N passed, M failed'.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SEQMIX_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh" || exit 1
bash "$root/scripts/build.sh" || exit 1

passed=0 failed=0
tally() { # tally NAME PASSED FAILED
  printf 'test.sh: %-8s %s passed, %s failed\n' "$1" "$2" "$3"
  passed=$((passed + $2)); failed=$((failed + $3))
}

# lit
lit_out=$(mktemp)
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$lit_out"
lit_rc=${PIPESTATUS[0]}
lp=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$lit_out" | head -1)
lf=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$lit_out" | head -1)
lp=${lp:-0}; lf=${lf:-0}
[ "$lit_rc" != 0 ] && [ "$lf" = 0 ] && lf=1
tally lit "$lp" "$lf"

# GoogleTest
ctest_out=$(mktemp)
ctest --test-dir "$build" --output-on-failure 2>&1 | tee "$ctest_out"
ctest_rc=${PIPESTATUS[0]}
ct=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1 \2/p' "$ctest_out")
cf=${ct% *}; ctotal=${ct#* }
cf=${cf:-0}; ctotal=${ctotal:-0}
[ "$ctest_rc" != 0 ] && [ "$cf" = 0 ] && cf=1
tally ctest "$((ctotal - cf))" "$cf"

# pytest
py_out=$(mktemp)
(cd "$root" && "$root/.venv/bin/python" -m pytest -q test/python) 2>&1 | tee "$py_out"
py_rc=${PIPESTATUS[0]}
pp=$(grep -oE '[0-9]+ passed' "$py_out" | tail -1 | cut -d' ' -f1)
pf=$(grep -oE '[0-9]+ failed' "$py_out" | tail -1 | cut -d' ' -f1)
pp=${pp:-0}; pf=${pf:-0}
[ "$py_rc" != 0 ] && [ "$pf" = 0 ] && pf=1
tally pytest "$pp" "$pf"

# The ONNX importer's libFuzzer target: one test, in CI or when asked
# (SEQMIX_FUZZ=1); 60 s from the committed seed corpus with a fixed seed.
if [ "${CI:-}" = true ] || [ "${SEQMIX_FUZZ:-0}" = 1 ]; then
  if bash "$root/scripts/fuzz-onnx.sh" "${SEQMIX_FUZZ_SECONDS:-60}" \
      > "$build/fuzz-onnx.log" 2>&1; then
    tail -n 8 "$build/fuzz-onnx.log"
    tally fuzz 1 0
  else
    tail -n 60 "$build/fuzz-onnx.log"
    tally fuzz 0 1
  fi
fi

rm -f "$lit_out" "$ctest_out" "$py_out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
