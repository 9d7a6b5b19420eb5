#!/usr/bin/env bash
# Installs the Debian packages einsumcl needs to build, test and benchmark (run as root or with sudo).
# Extra package names given as arguments are installed too (the hardening scripts add clang, valgrind).
set -euo pipefail
packages=(build-essential cmake pkg-config libopenblas-openmp-dev libcriterion-dev
          opencl-c-headers ocl-icd-opencl-dev libclblast-dev pocl-opencl-icd clinfo "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
