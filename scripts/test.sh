#!/usr/bin/env bash
# The README's test command: installs dependencies, builds with warnings as errors into build/,
# and runs the whole Criterion suite through ctest. Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build=${ECL_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=${ECL_BUILD_TYPE:-Release} -DECL_WERROR=ON "$@"
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure
