#!/usr/bin/env bash
# Fuzzing (CI stage): builds the libFuzzer targets of tests/fuzz/ with clang (-DECL_FUZZ=ON: ASan +
# UBSan + coverage) into build-fuzz/ and runs each for ECL_FUZZ_SECONDS (default 60) starting from
# its committed seed corpus, tests/fuzz/corpus/<target>/ (which also holds every input that once
# crashed a target: regress-*). Fails on the first crash, sanitizer report, leak or hang (an input
# running over 30 s: instrumented, an explicit optimal search over 16 operands takes several), printing
# the report; the input is kept under build-fuzz/fuzz-work/<target>/artifacts/. Arguments name
# targets to run (default: all). The mutation sequence is seeded (ECL_FUZZ_SEED, default 1; 0 picks a
# random seed) so that CI replays the same exploration that was run longer before committing; use
# ECL_FUZZ_SEED=0 with a large ECL_FUZZ_SECONDS to look for new bugs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh clang libclang-rt-14-dev libomp-dev
build=${ECL_FUZZ_BUILD_DIR:-build-fuzz}
seconds=${ECL_FUZZ_SECONDS:-60}
seed=${ECL_FUZZ_SEED:-1}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_equation fuzz_npy fuzz_plan)
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECL_FUZZ=ON -DECL_BUILD_TESTS=OFF > /dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" 2>&1 | grep -v "Wpass-failed" | tail -3
for t in "${targets[@]}"; do
  work=$build/fuzz-work/$t
  rm -rf "$work/artifacts"
  mkdir -p "$work/corpus" "$work/artifacts"
  start=$(date +%s)
  if ! "$build/$t" -max_total_time="$seconds" -seed="$seed" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/artifacts/" "$work/corpus" "tests/fuzz/corpus/$t" > "$work/log" 2>&1; then
    grep -v '^#' "$work/log" | tail -60
    echo "fuzz.sh: $t failed; the input is in $work/artifacts/ (add it to tests/fuzz/corpus/$t/ as regress-NAME once fixed)" >&2
    exit 1
  fi
  echo "fuzz.sh: $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$') runs in $(( $(date +%s) - start )) s, no failure"
done
