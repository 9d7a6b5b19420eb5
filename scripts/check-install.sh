#!/usr/bin/env bash
# Installs the build in $1 (default build/) into a temporary prefix and builds and runs a consumer
# through find_package(einsumcl) (shared and static) and through pkg-config.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix/usr" >/dev/null
cmake -S tests/install -B "$prefix/consumer" -DCMAKE_PREFIX_PATH="$prefix/usr" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
LD_LIBRARY_PATH="$prefix/usr/lib" "$prefix/consumer/app"
"$prefix/consumer/app_static"
export PKG_CONFIG_PATH="$prefix/usr/lib/pkgconfig"
cc tests/install/app.c $(pkg-config --cflags --libs einsumcl) -o "$prefix/app_pc"
LD_LIBRARY_PATH="$prefix/usr/lib" "$prefix/app_pc"
echo "install check: find_package (shared, static) and pkg-config consumers ran"
