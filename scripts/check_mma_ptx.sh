#!/bin/sh
# Compiles the tensor-core kernels (kernels/mma/) the way NVIDIA's OpenCL driver would, without a
# GPU: clang's OpenCL front end to PTX (nvptx64, libclc for the builtins), then ptxas for sm_80 and
# sm_90. It checks what PoCL cannot: that the inline-PTX path (not the emulation CI runs) parses,
# that the mma.sync instructions and their operand constraints assemble, and how many registers,
# how much stack and local memory each kernel takes. NVIDIA's own OpenCL compiler is a different
# front end, so this is a strong hint, not proof; the GPU session runs scripts/gpu_check_mma.sh.
# Needs clang (15 or later), libclc (Debian: libclc-15) and ptxas (CUDA); exits 77 (skipped) when
# one is missing. Usage: scripts/check_mma_ptx.sh [-v]   (-v prints ptxas's per-kernel lines)
set -eu
cd "$(dirname "$0")/.."
verbose=${1:-}

find_tool() {
    for candidate in "$@"; do
        if command -v "$candidate" >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

clang=$(find_tool clang-15 clang-16 clang-17 clang-18 clang) || { echo "check_mma_ptx: no clang: skipped"; exit 77; }
ptxas=$(find_tool ptxas /usr/local/cuda/bin/ptxas) || { echo "check_mma_ptx: no ptxas (CUDA): skipped"; exit 77; }
libclc=
for f in /usr/lib/clc/nvptx64--nvidiacl.bc /usr/share/clc/nvptx64--nvidiacl.bc /usr/lib/llvm-*/lib/clc/nvptx64--nvidiacl.bc; do
    [ -f "$f" ] && libclc=$f && break
done
[ -n "$libclc" ] || { echo "check_mma_ptx: no libclc for nvptx64 (Debian: libclc-15): skipped"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat kernels/mma/*.cl > "$work/mma.cl"
status=0
for type in 1 2 3; do
    name=$(echo "tf32 f16 bf16" | cut -d' ' -f$type)
    for probe in 0 1; do
        defs="-DECL_MMA_TYPE=$type"
        what="$name kernels"
        if [ $probe = 1 ]; then defs="$defs -DECL_MMA_PROBE=1"; what="$name probe"; fi
        # -fgnu-keywords: clang's OpenCL mode knows asm only as a GNU keyword (NVIDIA's accepts it)
        if ! "$clang" -x cl -cl-std=CL1.2 -fgnu-keywords -target nvptx64-nvidia-nvcl \
                -Xclang -finclude-default-header -Xclang -mlink-builtin-bitcode -Xclang "$libclc" \
                -Wno-linker-warnings -O2 -Xclang -target-cpu -Xclang sm_80 $defs \
                -S "$work/mma.cl" -o "$work/$name$probe.ptx" 2> "$work/clang.log"; then
            echo "check_mma_ptx: $what: clang failed:"; cat "$work/clang.log"; status=1; continue
        fi
        for arch in sm_80 sm_90; do
            if ! "$ptxas" -arch=$arch -v "$work/$name$probe.ptx" -o "$work/$name$probe.cubin" \
                    > "$work/ptxas.log" 2>&1; then
                echo "check_mma_ptx: $what: ptxas -arch=$arch failed:"; cat "$work/ptxas.log"; status=1
                continue
            fi
            mma=$(grep -c 'mma.sync.aligned' "$work/$name$probe.ptx" || true)
            regs=$(grep -o 'Used [0-9]* registers' "$work/ptxas.log" | awk '{print $2}' | sort -n | tail -1)
            stack=$(grep -o '[0-9]* bytes stack frame' "$work/ptxas.log" | awk '{print $1}' | sort -n | tail -1)
            echo "check_mma_ptx: $what $arch: ok ($mma mma.sync in the PTX, up to $regs registers, up to $stack bytes of stack)"
            [ "$verbose" = "-v" ] && grep 'Compiling\|Used\|stack frame' "$work/ptxas.log"
        done
    done
done
exit $status
