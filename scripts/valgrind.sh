#!/usr/bin/env bash
# valgrind memcheck (CI stage), in two passes. First the CPU path: every Criterion test executable
# except the OpenCL-only ones, with ECL_TEST_BACKENDS=cpu (OpenCL tests skip visibly) and no ICD
# loader (so `auto` contexts take the CPU path at once), the random suite cut to ECL_TEST_CASES
# (default 40). Then OpenCL on PoCL for a subset that covers buffers, every kernel family's launch
# path, CLBlast GEMMs and the failure-injection sweeps (ECL_VALGRIND_OPENCL_TESTS): PoCL and
# CLBlast cope under valgrind (kernel binaries come from the cache the test run filled; CLBlast
# compiles its own), but the whole OpenCL half would double the stage's time; ASan covers all of it.
# valgrind follows Criterion's worker processes, not the einsumcl processes the CLI tests start
# (they run the same library code; ASan covers them). Any memcheck error or definite/indirect leak
# fails the stage. Suppressions (tests/valgrind.supp) cover third-party code only. Uses the build in
# ECL_BUILD_DIR (default build/, made by scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh valgrind
build=${ECL_BUILD_DIR:-build}
[ -d "$build/tests" ] || { echo "valgrind.sh: no tests in $build (run scripts/test.sh first)" >&2; exit 1; }
cmake --build "$build" -j "$(nproc)" > /dev/null
logs=$build/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs"
export ECL_TEST_CASES=${ECL_TEST_CASES:-40} OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1
export ECL_UNDER_VALGRIND=1  # tests whose work is only slow, not different, under valgrind skip
status=0

memcheck() {  # pass name, test executable
  local name=$1-$(basename "$2") start
  start=$(date +%s)
  if ! valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --trace-children=yes --trace-children-skip='*/einsumcl' \
        --suppressions=tests/valgrind.supp --log-file="$logs/$name.%p.vg" \
        "$2" --jobs 2 > "$logs/$name.out" 2>&1; then
    tail -20 "$logs/$name.out"
    echo "valgrind.sh: $name failed under memcheck" >&2
    status=1
  fi
  echo "valgrind.sh: $name: $(( $(date +%s) - start )) s"
}

for exe in "$build"/tests/test_*; do
  # OpenCL-only suites; test_threads runs under ThreadSanitizer and ASan instead (four threads of
  # 300000-element einsums take too long serialised by valgrind).
  case $(basename "$exe") in test_opencl_*|test_cli_opencl|test_cross_backend|test_threads) continue ;; esac
  ECL_TEST_BACKENDS=cpu ECL_OPENCL_LIBRARY=libnonexistent-einsumcl-icd.so ECL_TEST_REQUIRE_OPENCL=0 \
    memcheck cpu "$exe"
done
for name in ${ECL_VALGRIND_OPENCL_TESTS:-test_opencl_buffers test_opencl_gemm test_fault}; do
  memcheck opencl "$build/tests/$name"
done

# Errors in forked workers or child processes land in the per-process logs (empty when clean).
if find "$logs" -name '*.vg' -size +0 | grep -q .; then
  for f in $(find "$logs" -name '*.vg' -size +0); do echo "== $f"; head -80 "$f"; done
  echo "valgrind.sh: memcheck reported errors (above)" >&2
  status=1
fi
exit $status
