/*
 * The tensor-core program's warp operations (kernels/mma/: a program of its own, built only for
 * NVIDIA devices, where these compile to inline PTX, or anywhere with -DECL_MMA_EMULATE, where a
 * plain OpenCL C emulation stands in so that CI can test the tiling, edges and fragment layouts
 * of gemm_mma.cl on PoCL). Operands travel in 32-bit words: ECL_MMA_TF32 holds one tf32 value per
 * word (float32 bits, low 13 bits zero), ECL_MMA_F16 / ECL_MMA_BF16 two 16-bit values consecutive
 * along k (the lower k in the low half). One ecl_mma_* call is one warp-wide mma.sync:
 * D (16 x 8, float32) += A (16 rows x 8 words of k) * B (8 words of k x 8 columns), i.e.
 * m16n8k8 for tf32 and m16n8k16 for f16/bf16. With lane = 4 g + t (g, t < 8, 4), the registers
 * are a[0] = A(g, t), a[1] = A(g + 8, t), a[2] = A(g, t + 4), a[3] = A(g + 8, t + 4),
 * b[0] = B(t, g), b[1] = B(t + 4, g), d[0..3] = D(g, 2t), D(g, 2t + 1), D(g + 8, 2t),
 * D(g + 8, 2t + 1) (words of k for A and B), which is what the PTX ISA's fragment figures for
 * these shapes say; the emulation below rebuilds the matrices element by element from the ISA's
 * own formulas instead, so a mistake in either is caught by the tests. Conversions from float32
 * round to nearest even, bit for bit as the planner's rounding copies (kernels/copy.cl).
 * Programs are built per type (-DECL_MMA_TYPE=1, 2 or 3); -DECL_MMA_PROBE builds only the probe
 * kernel of that type (a detection program of a few lines).
 */
#define ECL_MMA_TF32 1
#define ECL_MMA_F16 2
#define ECL_MMA_BF16 3

#if !defined(ECL_MMA_TYPE) || ECL_MMA_TYPE < 1 || ECL_MMA_TYPE > 3
#error "build the tensor-core programs with -DECL_MMA_TYPE=1 (tf32), 2 (f16) or 3 (bf16)"
#endif

/* float32 -> tf32 word: round to nearest even to a 10-bit mantissa (inf and NaN kept). */
uint ecl_mma_tf32_word(const float x)
{
    uint u = as_uint(x);
    if ((u & 0x7f800000u) == 0x7f800000u)
        return u;
    u += 0xfffu + ((u >> 13) & 1u);
    return u & 0xffffe000u;
}

/* float32 -> float16 bits, round to nearest even (overflow to inf, NaN kept quiet), in integer
 * arithmetic: the same steps as the host's ecl_f32_to_half_bits (src/half.h), and no trip
 * through private memory as vstore_half would take. */
uint ecl_mma_f16_bits(const float x)
{
    const uint u = as_uint(x), sign = (u >> 16) & 0x8000u, ax = u & 0x7fffffffu;
    if (ax > 0x7f800000u)
        return sign | 0x7e00u | ((ax >> 13) & 0x3ffu);
    if (ax >= 0x477ff000u) /* 65520 and beyond (and inf) round to inf */
        return sign | 0x7c00u;
    if (ax >= 0x38800000u) { /* normal in float16: rebias the exponent, round the mantissa */
        uint r = ax - (112u << 23);
        r += 0xfffu + ((r >> 13) & 1u);
        return sign | (r >> 13);
    }
    const uint shift = 126u - (ax >> 23); /* subnormal or zero in float16: units of 2^-24 */
    if (shift > 24u)
        return sign;
    const uint m = (ax & 0x7fffffu) | 0x800000u, half_unit = 1u << (shift - 1u);
    uint n = m >> shift;
    const uint rem = m & ((1u << shift) - 1u);
    if (rem > half_unit || (rem == half_unit && (n & 1u)))
        n++;
    return sign | n;
}

/* float32 -> bfloat16 bits, round to nearest even (NaN kept quiet). */
uint ecl_mma_bf16_bits(const float x)
{
    uint u = as_uint(x);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (u >> 16) | 0x40u;
    u += 0x7fffu + ((u >> 16) & 1u);
    return u >> 16;
}

/* Two values consecutive along k as one word of a 16-bit type (lo: the lower k). */
uint ecl_mma_pack(const int type, const float lo, const float hi)
{
    if (type == ECL_MMA_F16)
        return ecl_mma_f16_bits(lo) | (ecl_mma_f16_bits(hi) << 16);
    return ecl_mma_bf16_bits(lo) | (ecl_mma_bf16_bits(hi) << 16);
}

#ifdef ECL_MMA_EMULATE

/* Loops around emulated mma calls stay loops: unrolled, their work-group barriers multiply the
 * code PoCL generates (and its compile time) many times over. */
#define ECL_MMA_UNROLL _Pragma("unroll 1")

/* Local floats each warp needs for the emulation: A as 16 x 16, B as 16 (k) x 8. */
#define ECL_MMA_SCRATCH (16 * 16 + 16 * 8)

/* Element `high` (0: the low half, 1: the high half) of a register as float32. */
float ecl_mma_element(const int type, const uint reg, const int high)
{
    if (type == ECL_MMA_TF32)
        return as_float(reg & 0xffffe000u); /* the instruction reads only tf32's bits */
    const ushort h = (ushort)(high ? reg >> 16 : reg & 0xffffu);
    if (type == ECL_MMA_BF16)
        return as_float((uint)h << 16);
    return vload_half(0, (private const half *)&h); /* emulation only: PoCL */
}

/* One mma.sync of the whole warp, emulated: every lane scatters its registers into the warp's
 * scratch x by the PTX ISA's fragment formulas (groupID = lane >> 2, threadID_in_group = lane % 4),
 * then computes its four elements of D. All work-items of the group call it together (it holds
 * work-group barriers); products are exact for these formats, sums in float32. */
void ecl_mma_emulate(const int type, float *d, const uint *a, const uint *b, local float *x,
                     const uint lane)
{
    const uint group_id = lane >> 2, tig = lane % 4;
    local float *xa = x, *xb = x + 16 * 16;
    barrier(CLK_LOCAL_MEM_FENCE); /* the previous call's readers are done with x */
    if (type == ECL_MMA_TF32) {
        /* "Matrix Fragments for mma.m16n8k8", .tf32: A: row = groupID for a0 and a2, groupID + 8
         * for a1 and a3; col = threadID_in_group for a0 and a1, threadID_in_group + 4 for a2 and
         * a3. B: row = threadID_in_group for b0, threadID_in_group + 4 for b1; col = groupID. */
        for (int i = 0; i < 4; i++) {
            const uint row = group_id + ((i == 1 || i == 3) ? 8 : 0);
            const uint col = tig + (i >= 2 ? 4 : 0);
            xa[row * 16 + col] = ecl_mma_element(type, a[i], 0);
        }
        for (int i = 0; i < 2; i++)
            xb[(tig + (i == 1 ? 4 : 0)) * 8 + group_id] = ecl_mma_element(type, b[i], 0);
    } else {
        /* "Matrix Fragments for mma.m16n8k16 with floating point type", .f16/.bf16: A holds
         * a0..a7, two per register (low half first): row = groupID for ai with 0 <= i < 2 or
         * 4 <= i < 6, groupID + 8 otherwise; col = threadID_in_group * 2 + (i & 1) for i < 4,
         * plus 8 for i >= 4. B holds b0..b3: row = threadID_in_group * 2 + (i & 1) for i < 2,
         * plus 8 for i >= 2; col = groupID. */
        for (int i = 0; i < 8; i++) {
            const uint row = group_id + ((i < 2 || (i >= 4 && i < 6)) ? 0 : 8);
            const uint col = tig * 2 + (uint)(i & 1) + (i >= 4 ? 8 : 0);
            xa[row * 16 + col] = ecl_mma_element(type, a[i / 2], i & 1);
        }
        for (int i = 0; i < 4; i++) {
            const uint row = tig * 2 + (uint)(i & 1) + (i >= 2 ? 8 : 0);
            xb[row * 8 + group_id] = ecl_mma_element(type, b[i / 2], i & 1);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    /* Accumulators, .f32 (both shapes): row = groupID for c0 and c1, groupID + 8 for c2 and c3;
     * col = threadID_in_group * 2 + (i & 1). */
    const int depth = type == ECL_MMA_TF32 ? 8 : 16;
    for (int i = 0; i < 4; i++) {
        const uint row = group_id + (i >= 2 ? 8 : 0), col = tig * 2 + (uint)(i & 1);
        float s = d[i];
        for (int k = 0; k < depth; k++)
            s += xa[row * 16 + k] * xb[k * 8 + col];
        d[i] = s;
    }
}

/* Each warp of a kernel passes its own ECL_MMA_SCRATCH local floats as x. */
#define ECL_MMA(type, d, a, b, x, lane) ecl_mma_emulate(type, d, a, b, x, lane)

#else /* the tensor cores, through inline PTX (NVIDIA's OpenCL compiler accepts asm) */

#define ECL_MMA_SCRATCH 1
#define ECL_MMA_UNROLL _Pragma("unroll")

/* Only the instruction of the program's type is in the program, so a device that lacks one of
 * them loses only that mode. */
#if ECL_MMA_TYPE == ECL_MMA_TF32
#define ECL_MMA_INSTRUCTION "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"
#elif ECL_MMA_TYPE == ECL_MMA_F16
#define ECL_MMA_INSTRUCTION "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32"
#else
#define ECL_MMA_INSTRUCTION "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"
#endif

void ecl_mma_sync(float *d, const uint *a, const uint *b)
{
    float d0 = d[0], d1 = d[1], d2 = d[2], d3 = d[3];
    asm volatile(ECL_MMA_INSTRUCTION " {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                 : "+f"(d0), "+f"(d1), "+f"(d2), "+f"(d3)
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
    d[0] = d0, d[1] = d1, d[2] = d2, d[3] = d3;
}

/* type is always ECL_MMA_TYPE here. */
#define ECL_MMA(type, d, a, b, x, lane) ecl_mma_sync(d, a, b)

#endif /* ECL_MMA_EMULATE */

#ifdef ECL_MMA_PROBE
/* Detection of one type (ECL_MMA_TYPE): one warp runs one mma on constant operands (every element
 * of A 1, of B 0.5, D starting at 0.25), so out[lane * 4 + i] must be 0.25 + 0.5 * depth: 4.25
 * for tf32 (k = 8), 8.25 for f16 and bf16 (k = 16). */
__attribute__((reqd_work_group_size(32, 1, 1)))
kernel void ecl_mma_probe(global float *out)
{
    local float x[ECL_MMA_SCRATCH];
    const uint lane = (uint)get_local_id(0);
    const uint one = ECL_MMA_TYPE == ECL_MMA_TF32  ? as_uint(1.0f)
                     : ECL_MMA_TYPE == ECL_MMA_F16 ? 0x3c003c00u
                                                   : 0x3f803f80u;
    const uint half_one = ECL_MMA_TYPE == ECL_MMA_TF32  ? as_uint(0.5f)
                          : ECL_MMA_TYPE == ECL_MMA_F16 ? 0x38003800u
                                                        : 0x3f003f00u;
    const uint a[4] = {one, one, one, one};
    const uint b[2] = {half_one, half_one};
    float d[4] = {0.25f, 0.25f, 0.25f, 0.25f};
    ECL_MMA(ECL_MMA_TYPE, d, a, b, x, lane);
    for (int i = 0; i < 4; i++)
        out[lane * 4 + i] = d[i];
}
#endif
