#!/usr/bin/env bash
# The README's main job: installs dependencies, builds, and benchmarks the einsum suite on the best
# device present (the CPU path when there is no OpenCL GPU), writing build/bench.json and
# build/bench.csv. Arguments go to `einsumcl bench` (e.g. --suite attention --check).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DECL_BUILD_TESTS=OFF
cmake --build build -j "$(nproc)" --target einsumcl_cli
build/einsumcl devices
build/einsumcl bench --json build/bench.json --csv build/bench.csv "$@"
