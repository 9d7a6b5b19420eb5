#!/usr/bin/env bash
# The README's main job: installs dependencies, builds, and benchmarks the einsum suite on the best
# device present (the CPU path when there is no OpenCL GPU). Arguments go to `einsumcl bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DECL_BUILD_TESTS=OFF
cmake --build build -j "$(nproc)" --target einsumcl_cli
build/einsumcl devices
build/einsumcl bench "$@"
