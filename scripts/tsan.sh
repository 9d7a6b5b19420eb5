#!/usr/bin/env bash
# ThreadSanitizer (CI stage): builds the library and tests/tsan/tsan_threads.c with clang
# -fsanitize=thread (-DECL_TSAN=ON) into build-tsan/ and runs it: CPU contexts in four threads
# (plans, the one-shot plan cache, every path algorithm) and OpenCL contexts in three threads (PoCL
# in CI; shared ICD loader, CLBlast and kernel disk cache). Any TSan report fails the stage.
# OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1: libomp and OpenBLAS are not instrumented, so TSan
# cannot see their barriers and would report the library's OpenMP loops as racing with themselves;
# the threads under test are the caller's pthreads, one context each.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh clang libclang-rt-14-dev libomp-dev
build=${ECL_TSAN_BUILD_DIR:-build-tsan}
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECL_TSAN=ON > /dev/null
cmake --build "$build" -j "$(nproc)" --target tsan_threads 2>&1 | grep -v "Wpass-failed" | tail -2
mkdir -p "$build/opencl-cache"
ECL_CACHE_DIR=$PWD/$build/opencl-cache OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 exitcode=66" "$build/tests/tsan_threads"
