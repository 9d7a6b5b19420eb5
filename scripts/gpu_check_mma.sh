#!/usr/bin/env bash
# Verifies and times the tensor-core GEMM kernels (kernels/mma/) on an NVIDIA GPU, with the prebuilt
# einsumcl command only (no Criterion on the GPU machine). From the repository root there:
#   source .gpu/gpu-env.sh; scripts/gpu_check_mma.sh
# 1. `einsumcl devices` with ECL_MMA_SELFCHECK=full: per compute mode the probe and the kernels'
#    self-check (8 fixed and 24 random ragged/aligned products, every transposition, against a
#    float64 host reference of the rounded operands at about 2^-20 * (k + 16) of the sum of
#    |terms|). Every mode must say "yes".
# 2. ECL_GEMM=mma `einsumcl bench --check` on ragged einsums (GEMM with odd sizes, attention views,
#    a two-label contraction, three operands) per mode, tf32 on float32, f16 on float16 and bf16 on
#    bfloat16 tensors, against the CPU path in float64 at the mode's tolerance. Every case must pass.
# 2b. examples/attention.c on OpenCL (B=8 N=1024 H=16 D=64) with tf32 products and float16 /
#    bfloat16 tensors, checked against its float64 reference (one timed run each).
# 3. Timings (median of einsum runs, clFinish each) of GEMM 4096^3 and the attention einsums
#    (B=8, N=1024, H=16, D=64) per mode with ECL_GEMM=mma, clblast and own, the exact float32
#    baseline, and what ECL_GEMM=auto picks; one compact table at the end.
# Exit status 1 when a check fails. QUICK=1 skips the timings. EINSUMCL=path picks the binary
# (default build/einsumcl). SMALL=1 shrinks every shape (a dry run of the script itself, e.g. on
# PoCL with ECL_MMA_EMULATE=1). Takes about 2 to 3 minutes on an H100.
set -u
cd "$(dirname "$0")/.."
bin=${EINSUMCL:-build/einsumcl}
[ -x "$bin" ] || { echo "gpu_check_mma: no $bin (build first, and carry build/)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
t0=$(date +%s)

note() { printf '%s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }

note "== 1. devices, probe and full self-check"
if ! ECL_MMA_SELFCHECK=full ECL_VERBOSE=1 timeout 120 "$bin" devices > "$work/devices.out" 2> "$work/devices.err"; then
    fail "einsumcl devices exited with status $?"
fi
grep -E '^(auto|tensor cores|  (tf32|f16|bf16):)' "$work/devices.out"
for mode in tf32 f16 bf16; do
    if grep -qE "^tensor cores \(compute modes tf32, f16, bf16\): yes" "$work/devices.out" ||
       grep -qE "^  $mode: yes" "$work/devices.out"; then
        :
    else
        fail "$mode does not run on tensor cores (see above)"
    fi
done

note ""
note "== 2. ECL_GEMM=mma einsums against the CPU path in float64 (bench --check)"
checks=(
    "ik,kj->ij 1000x777 777x555"
    "ki,kj->ij 333x1001 333x129"
    "bqhd,bkhd->bhqk 3x257x5x40 3x199x5x40"
    "bhqk,bkhd->bqhd 3x5x257x199 3x199x5x40"
    "abc,cbd->ad 37x45x29 29x45x61"
    "ij,jk,kl->il 100x200 200x50 50x300"
)
if [ "${SMALL:-0}" = 1 ]; then
    checks=("ik,kj->ij 130x77 77x55" "bqhd,bkhd->bhqk 2x37x3x20 2x41x3x20" "ij,jk,kl->il 10x20 20x5 5x30")
fi
for spec in "tf32 f32" "f16 f16" "bf16 bf16"; do
    set -- $spec
    mode=$1 dtype=$2
    for c in "${checks[@]}"; do
        read -r -a words <<< "$c"
        out="$work/check.out"
        if ! ECL_GEMM=mma timeout 60 "$bin" bench --backend opencl --no-ceilings --check \
                --repeat 1 --warmup 0 --compute "$mode" --dtype "$dtype" --case "${words[@]}" \
                > "$out" 2>&1; then
            fail "$mode/$dtype ${words[0]}: bench exited with an error:"
            tail -3 "$out"
            continue
        fi
        result=$(grep -oE '\b(pass|FAIL)\b' "$out" | tail -1)
        printf '  %-5s %-5s %-40s %s\n' "$mode" "$dtype" "${words[0]} ${words[*]:1}" "${result:-?}"
        [ "$result" = pass ] || { fail "$mode/$dtype ${words[0]}"; tail -3 "$out"; }
    done
done

note ""
note "== 2b. the attention core end to end on the device (example_attention, checked in float64)"
example=$(dirname "$bin")/example_attention
sizes="8 1024 16 64"
[ "${SMALL:-0}" = 1 ] && sizes="2 64 2 16"
if [ -x "$example" ]; then
    for flags in "--compute tf32" "--dtype float16" "--dtype bfloat16" "--dtype float16 --mask causal"; do
        # shellcheck disable=SC2086
        if out=$(timeout 60 "$example" --backend opencl $flags $sizes 2>&1); then
            printf '  %-30s %s | %s\n' "$flags" "$(echo "$out" | sed -n 2p)" "$(echo "$out" | tail -1)"
        else
            fail "example_attention $flags: $(echo "$out" | tail -2 | tr '\n' ' ')"
        fi
    done
else
    note "  (no $example: skipped)"
fi

if [ "${QUICK:-0}" = 1 ]; then
    note ""
    note "QUICK=1: timings skipped ($(( $(date +%s) - t0 )) s)"
    [ $failures = 0 ] && note "all checks passed" || note "$failures check(s) FAILED"
    [ $failures = 0 ]
    exit
fi

note ""
note "== 3. timings"
cases=(
    "gemm_4096 ik,kj->ij 4096x4096 4096x4096"
    "attn_qk_n1024 bqhd,bkhd->bhqk 8x1024x16x64 8x1024x16x64"
    "attn_av_n1024 bhqk,bkhd->bqhd 8x16x1024x1024 8x1024x16x64"
)
if [ "${SMALL:-0}" = 1 ]; then
    cases=("gemm_256 ik,kj->ij 256x256 256x256" "attn_qk_n64 bqhd,bkhd->bhqk 1x64x2x32 1x64x2x32")
fi
# One bench run: prints "median_ms tflops" (or "error").
time_case() { # impl mode dtype case-words...
    local impl=$1 mode=$2 dtype=$3
    shift 3
    local csv="$work/t.csv"
    rm -f "$csv"
    if ECL_GEMM=$impl timeout 90 "$bin" bench --backend opencl --no-ceilings --repeat 10 \
            --warmup 2 --max-time 1 --compute "$mode" --dtype "$dtype" --csv "$csv" --case "$@" \
            > "$work/t.out" 2>&1 && [ -s "$csv" ]; then
        tail -1 "$csv" | awk -F, '$NF == "" { printf "%.3f %.2f\n", $(NF-10) * 1e3, $(NF-6) / 1e3; next } { print "error" }'
    else
        echo error
    fi
}
table="$work/table"
printf '%-15s %-7s %-5s %18s %18s %18s   %s\n' case mode dtype "clblast ms (TF/s)" \
    "own ms (TF/s)" "mma ms (TF/s)" "auto picks" > "$table"
for spec in "default f32" "tf32 f32" "f16 f16" "bf16 bf16"; do
    set -- $spec
    mode=$1 dtype=$2
    for c in "${cases[@]}"; do
        read -r -a words <<< "$c"
        name=${words[0]}
        cells=()
        for impl in clblast own mma; do
            if [ $mode = default ] && [ $impl = mma ]; then
                cells+=("-")
                continue
            fi
            r=$(time_case $impl $mode $dtype "${words[@]:1}")
            if [ "$r" = error ]; then
                cells+=("error")
                note "  $name $mode $impl: $(tail -2 "$work/t.out" | tr '\n' ' ')"
            else
                set -- $r
                cells+=("$1 ($2)")
            fi
        done
        pick=$(ECL_VERBOSE=1 timeout 90 "$bin" bench --backend opencl --no-ceilings --repeat 1 \
                   --warmup 0 --compute "$mode" --dtype "$dtype" --case "${words[@]:1}" 2>&1 |
               grep -oE 'einsumcl: gemm .*: [a-z]+$' | head -1 | sed 's/.*: //')
        printf '%-15s %-7s %-5s %18s %18s %18s   %s\n' "$name" "$mode" "$dtype" "${cells[0]}" \
            "${cells[1]}" "${cells[2]}" "${pick:--}" >> "$table"
        printf '  %-15s %-7s done\n' "$name" "$mode"
    done
done
note ""
note "device: $(grep -m1 '\[auto\]' "$work/devices.out" | sed 's/^ *//')"
note "einsum medians (whole einsum incl. 16-bit conversions and rounding copies), TFLOP/s in ():"
cat "$table"
note ""
note "$(( $(date +%s) - t0 )) s"
[ $failures = 0 ] && note "all checks passed" || note "$failures check(s) FAILED"
[ $failures = 0 ]
