/*
 * Batched GEMM on tensor cores (mma.sync through 00_mma_ops.cl), float32 in memory:
 * C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b], with the interface of the own kernel
 * (kernels/gemm_batched.cl: element offsets, leading dimensions, two batch dims with a stride per
 * operand, 64-bit indices, beta == 0 never reads C; host side opencl_gemm_mma.c). A and B are
 * rounded to the mode's format as they are staged (round to nearest even: the identity on the
 * planner's already-rounded operands), products are exact and sums float32. One work-group of
 * 256 items (8 warps, 2 x 4) computes a 128 x 128 tile of C, each warp 64 x 32 of it as 4 x 4
 * m16n8 fragments in registers. K advances in stages of 16 words (16 tf32 or 32 f16/bf16 values),
 * double-buffered in local memory: while a stage is multiplied, the next one's global loads are
 * in flight in registers, so one barrier per stage suffices. Local tiles are [row][word] with
 * rows of 20 words (16 + 4, so fragment reads hit 32 different banks). Each item stages two
 * "units" of 4 words per operand: along k where the operand is contiguous along k, else across
 * 4 rows (mapped so that a warp's stores hit distinct banks); a unit loads as float4s when the
 * host says the operand is 16-byte aligned (offset, leading dimension and batch strides multiples
 * of 4) and the unit lies inside the matrix, else element by element with zeros beyond the edges.
 * Each program holds the four kernels (transposition pairs) of the mode ECL_MMA_TYPE says;
 * nothing here is built with -DECL_MMA_PROBE.
 */
#ifndef ECL_MMA_PROBE

#define ECL_MMA_WG 256
#define ECL_MMA_WARPS (ECL_MMA_WG / 32)
#define ECL_MMA_BM 128                    /* tile of C: rows */
#define ECL_MMA_BN 128                    /* tile of C: columns */
#define ECL_MMA_KW 16                     /* words of k per stage */
#define ECL_MMA_LDS (ECL_MMA_KW + 4)      /* words per row of a local tile */
#define ECL_MMA_WARPS_N 4                 /* warps along N (2 along M) */
#define ECL_MMA_WM 64                     /* warp tile: rows */
#define ECL_MMA_WN 32                     /* warp tile: columns */
#define ECL_MMA_MI (ECL_MMA_WM / 16)      /* m16 fragments per warp */
#define ECL_MMA_NI (ECL_MMA_WN / 8)       /* n8 fragments per warp */
#define ECL_MMA_UNITS 2                   /* 4-word units each item stages per operand */

/* Geometry of one launch (host twin: ecl_ocl_gemm_geom in opencl_gemm_geom.h; the same layout as
 * ecl_gemm_geom of the own kernel). */
typedef struct ecl_mma_geom {
    long m, n, k;
    long ld[3];        /* A, B, C */
    long offset[3];
    long count;        /* products */
    long inner;        /* size of the inner batch dim (>= 1) */
    long stride[3][2]; /* per operand: outer, inner batch stride */
} ecl_mma_geom;

/* One operand's tile for a stage: p at (row 0, k 0) of the tile, rows (m or n) valid below rrem,
 * k valid below krem; kc: element (r, k) at p[r * ld + k] (contiguous along k), else at
 * p[k * ld + r]. */
typedef struct ecl_mma_src {
    global const float *p;
    long ld;
    int kc, rrem, krem, vec;
} ecl_mma_src;

float ecl_mma_at(const ecl_mma_src s, const int r, const int k)
{
    if (r >= s.rrem || k >= s.krem)
        return 0.0f;
    return s.kc ? s.p[(long)r * s.ld + k] : s.p[(long)k * s.ld + r];
}

/* 4 values of the operand starting at element (r, k), along k (kc) or along r: one float4 when
 * aligned and inside, else one by one. */
float4 ecl_mma_load4(const ecl_mma_src s, const int r, const int k)
{
    if (s.kc) {
        if (s.vec && r < s.rrem && k + 3 < s.krem)
            return *(global const float4 *)(s.p + (long)r * s.ld + k);
        return (float4)(ecl_mma_at(s, r, k), ecl_mma_at(s, r, k + 1), ecl_mma_at(s, r, k + 2),
                        ecl_mma_at(s, r, k + 3));
    }
    if (s.vec && k < s.krem && r + 3 < s.rrem)
        return *(global const float4 *)(s.p + (long)k * s.ld + r);
    return (float4)(ecl_mma_at(s, r, k), ecl_mma_at(s, r + 1, k), ecl_mma_at(s, r + 2, k),
                    ecl_mma_at(s, r + 3, k));
}

/* Where unit u (< 2 * ECL_MMA_WG) of a 128-row tile sits: k-contiguous operands take 4 words
 * along k of one row (4 items cover a row's 16 words); the others 4 rows at one word (16 items
 * cover the 16 words of 4 rows, so a warp's scattered stores land in distinct banks). */
void ecl_mma_unit_place(const int kc, const int u, int *r, int *kw)
{
    if (kc) {
        *r = u >> 2;
        *kw = (u & 3) * 4;
    } else {
        *r = (u >> 4) * 4;
        *kw = u & 15;
    }
}

/* The 4 words of unit u, converted to the mode's format. tf32 words are single values; a 16-bit
 * word packs the values at k = 2 kw and 2 kw + 1. */
uint4 ecl_mma_unit_load(const int type, const ecl_mma_src s, const int u)
{
    int r, kw;
    ecl_mma_unit_place(s.kc, u, &r, &kw);
    if (type == ECL_MMA_TF32) {
        const float4 v = ecl_mma_load4(s, r, kw);
        return (uint4)(ecl_mma_tf32_word(v.x), ecl_mma_tf32_word(v.y), ecl_mma_tf32_word(v.z),
                       ecl_mma_tf32_word(v.w));
    }
    if (s.kc) { /* 8 values along k of row r */
        const float4 lo = ecl_mma_load4(s, r, 2 * kw), hi = ecl_mma_load4(s, r, 2 * kw + 4);
        return (uint4)(ecl_mma_pack(type, lo.x, lo.y), ecl_mma_pack(type, lo.z, lo.w),
                       ecl_mma_pack(type, hi.x, hi.y), ecl_mma_pack(type, hi.z, hi.w));
    }
    /* rows r..r+3 at k = 2 kw (even) and 2 kw + 1 (odd) */
    const float4 ev = ecl_mma_load4(s, r, 2 * kw), od = ecl_mma_load4(s, r, 2 * kw + 1);
    return (uint4)(ecl_mma_pack(type, ev.x, od.x), ecl_mma_pack(type, ev.y, od.y),
                   ecl_mma_pack(type, ev.z, od.z), ecl_mma_pack(type, ev.w, od.w));
}

/* Stores unit u's words into a local tile ([row][ECL_MMA_LDS] words). */
void ecl_mma_unit_store(local uint *tile, const int kc, const int u, const uint4 w)
{
    int r, kw;
    ecl_mma_unit_place(kc, u, &r, &kw);
    if (kc) { /* 16-byte aligned: rows are 80 bytes, kw a multiple of 4, the tiles aligned */
        *(local uint4 *)(tile + r * ECL_MMA_LDS + kw) = w;
    } else {
        tile[r * ECL_MMA_LDS + kw] = w.x;
        tile[(r + 1) * ECL_MMA_LDS + kw] = w.y;
        tile[(r + 2) * ECL_MMA_LDS + kw] = w.z;
        tile[(r + 3) * ECL_MMA_LDS + kw] = w.w;
    }
}

#define ECL_MMA_GEMM_KERNEL(NAME, TYPE, TA, TB)                                                 \
    __attribute__((reqd_work_group_size(ECL_MMA_WG, 1, 1)))                                    \
    kernel void NAME(global const float *A, global const float *B, global float *C,            \
                     const ecl_mma_geom g, const float alpha, const float beta, const int vec)  \
    {                                                                                           \
        local uint as[2 * ECL_MMA_BM * ECL_MMA_LDS] __attribute__((aligned(16)));                \
        local uint bs[2 * ECL_MMA_BN * ECL_MMA_LDS] __attribute__((aligned(16)));                \
        local float mma_x[ECL_MMA_SCRATCH * ECL_MMA_WARPS];                                     \
        const int lid = (int)get_local_id(0), warp = lid / 32;                                  \
        const uint lane = (uint)(lid % 32), gid = lane >> 2, tig = lane & 3;                    \
        local float *x = mma_x + (ECL_MMA_SCRATCH > 1 ? warp * ECL_MMA_SCRATCH : 0);            \
        const int wm = (warp / ECL_MMA_WARPS_N) * ECL_MMA_WM;                                   \
        const int wn = (warp % ECL_MMA_WARPS_N) * ECL_MMA_WN;                                   \
        const int ke = TYPE == ECL_MMA_TF32 ? ECL_MMA_KW : 2 * ECL_MMA_KW; /* k per stage */    \
        const long stages = (g.k + ke - 1) / ke;                                                \
        const long tiles_m = (g.m + ECL_MMA_BM - 1) / ECL_MMA_BM;                               \
        const long tiles_n = (g.n + ECL_MMA_BN - 1) / ECL_MMA_BN;                               \
        const long per_product = tiles_m * tiles_n;                                             \
        for (long t = (long)get_group_id(0); t < per_product * g.count;                         \
             t += (long)get_num_groups(0)) {                                                    \
            const long b = t / per_product, r = t - b * per_product;                            \
            const long bo = b / g.inner, bi = b - bo * g.inner;                                \
            const long m0 = r / tiles_n * ECL_MMA_BM, n0 = r % tiles_n * ECL_MMA_BN;            \
            const int mrem = (int)min((long)ECL_MMA_BM, g.m - m0);                              \
            const int nrem = (int)min((long)ECL_MMA_BN, g.n - n0);                              \
            /* A at (m0, 0) and B at (0, n0) of this product */                                 \
            global const float *a0 = A + g.offset[0] + bo * g.stride[0][0] +                    \
                                     bi * g.stride[0][1] + (TA ? m0 : m0 * g.ld[0]);            \
            global const float *b0 = B + g.offset[1] + bo * g.stride[1][0] +                    \
                                     bi * g.stride[1][1] + (TB ? n0 * g.ld[1] : n0);            \
            ecl_mma_src sa = {a0, g.ld[0], !(TA), mrem, 0, vec & 1};                            \
            ecl_mma_src sb = {b0, g.ld[1], (TB), nrem, 0, (vec >> 1) & 1};                      \
            /* registers: every loop over acc, ra and rb unrolls (constant indices) */          \
            float acc[ECL_MMA_MI][ECL_MMA_NI][4];                                               \
            ECL_MMA_UNROLL                                                                      \
            for (int i = 0; i < ECL_MMA_MI; i++)                                                \
                ECL_MMA_UNROLL                                                                  \
                for (int j = 0; j < ECL_MMA_NI; j++)                                            \
                    ECL_MMA_UNROLL                                                              \
                    for (int e = 0; e < 4; e++)                                                 \
                        acc[i][j][e] = 0.0f;                                                    \
            uint4 ra[ECL_MMA_UNITS], rb[ECL_MMA_UNITS];                                         \
            /* stage 0 into buffer 0 */                                                         \
            sa.krem = (int)min((long)ke, g.k);                                                  \
            sb.krem = sa.krem;                                                                  \
            ECL_MMA_UNROLL                                                                      \
            for (int q = 0; q < ECL_MMA_UNITS; q++) {                                           \
                ra[q] = ecl_mma_unit_load(TYPE, sa, lid + q * ECL_MMA_WG);                      \
                rb[q] = ecl_mma_unit_load(TYPE, sb, lid + q * ECL_MMA_WG);                      \
            }                                                                                   \
            ECL_MMA_UNROLL                                                                      \
            for (int q = 0; q < ECL_MMA_UNITS; q++) {                                           \
                ecl_mma_unit_store(as, sa.kc, lid + q * ECL_MMA_WG, ra[q]);                     \
                ecl_mma_unit_store(bs, sb.kc, lid + q * ECL_MMA_WG, rb[q]);                     \
            }                                                                                   \
            barrier(CLK_LOCAL_MEM_FENCE);                                                       \
            for (long s = 0; s < stages; s++) {                                                 \
                const int cur = (int)(s & 1);                                                   \
                const int more = s + 1 < stages;                                                \
                if (more) { /* next stage's loads in flight while this one multiplies */        \
                    const long k1 = (s + 1) * ke;                                               \
                    sa.p = a0 + (TA ? k1 * g.ld[0] : k1);                                       \
                    sb.p = b0 + (TB ? k1 : k1 * g.ld[1]);                                       \
                    sa.krem = (int)min((long)ke, g.k - k1);                                     \
                    sb.krem = sa.krem;                                                          \
                    ECL_MMA_UNROLL                                                              \
                    for (int q = 0; q < ECL_MMA_UNITS; q++) {                                   \
                        ra[q] = ecl_mma_unit_load(TYPE, sa, lid + q * ECL_MMA_WG);              \
                        rb[q] = ecl_mma_unit_load(TYPE, sb, lid + q * ECL_MMA_WG);              \
                    }                                                                           \
                }                                                                               \
                local const uint *at = as + cur * ECL_MMA_BM * ECL_MMA_LDS;                     \
                local const uint *bt = bs + cur * ECL_MMA_BN * ECL_MMA_LDS;                     \
                ECL_MMA_UNROLL                                                               \
                for (int kw = 0; kw < ECL_MMA_KW; kw += 8) {                                    \
                    uint af[ECL_MMA_MI][4], bf[ECL_MMA_NI][2];                                  \
                    ECL_MMA_UNROLL                                                           \
                    for (int i = 0; i < ECL_MMA_MI; i++) {                                      \
                        local const uint *p = at + (wm + i * 16 + (int)gid) * ECL_MMA_LDS +     \
                                              kw + (int)tig;                                    \
                        af[i][0] = p[0];                                                        \
                        af[i][1] = p[8 * ECL_MMA_LDS];                                          \
                        af[i][2] = p[4];                                                        \
                        af[i][3] = p[8 * ECL_MMA_LDS + 4];                                      \
                    }                                                                           \
                    ECL_MMA_UNROLL                                                           \
                    for (int j = 0; j < ECL_MMA_NI; j++) {                                      \
                        local const uint *p = bt + (wn + j * 8 + (int)gid) * ECL_MMA_LDS +      \
                                              kw + (int)tig;                                    \
                        bf[j][0] = p[0];                                                        \
                        bf[j][1] = p[4];                                                        \
                    }                                                                           \
                    ECL_MMA_UNROLL                                                           \
                    for (int i = 0; i < ECL_MMA_MI; i++)                                        \
                        ECL_MMA_UNROLL                                                       \
                        for (int j = 0; j < ECL_MMA_NI; j++)                                    \
                            ECL_MMA(TYPE, acc[i][j], af[i], bf[j], x, lane);                    \
                }                                                                               \
                if (more)                                                                       \
                    ECL_MMA_UNROLL                                                              \
                    for (int q = 0; q < ECL_MMA_UNITS; q++) {                                   \
                        local uint *na = as + (cur ^ 1) * ECL_MMA_BM * ECL_MMA_LDS;             \
                        local uint *nb = bs + (cur ^ 1) * ECL_MMA_BN * ECL_MMA_LDS;             \
                        ecl_mma_unit_store(na, sa.kc, lid + q * ECL_MMA_WG, ra[q]);             \
                        ecl_mma_unit_store(nb, sb.kc, lid + q * ECL_MMA_WG, rb[q]);             \
                    }                                                                           \
                barrier(CLK_LOCAL_MEM_FENCE);                                                   \
            }                                                                                   \
            global float *c = C + g.offset[2] + bo * g.stride[2][0] + bi * g.stride[2][1] +     \
                              m0 * g.ld[2] + n0;                                                \
            ECL_MMA_UNROLL                                                                      \
            for (int i = 0; i < ECL_MMA_MI; i++)                                                \
                ECL_MMA_UNROLL                                                                  \
                for (int j = 0; j < ECL_MMA_NI; j++)                                            \
                    ECL_MMA_UNROLL                                                              \
                    for (int e = 0; e < 4; e++) {                                               \
                        const int row = wm + i * 16 + (int)gid + (e >= 2 ? 8 : 0);              \
                        const int col = wn + j * 8 + 2 * (int)tig + (e & 1);                    \
                        if (row < mrem && col < nrem) {                                         \
                            global float *p = c + (long)row * g.ld[2] + col;                    \
                            const float v = alpha * acc[i][j][e];                               \
                            *p = beta == 0 ? v : v + beta * *p;                                 \
                        }                                                                       \
                    }                                                                           \
        }                                                                                       \
    }

/* The host builds one program per mode, with -DECL_MMA_TYPE set to it. */
#if ECL_MMA_TYPE == ECL_MMA_TF32
ECL_MMA_GEMM_KERNEL(ecl_mma_tf32_nn, ECL_MMA_TF32, 0, 0)
ECL_MMA_GEMM_KERNEL(ecl_mma_tf32_nt, ECL_MMA_TF32, 0, 1)
ECL_MMA_GEMM_KERNEL(ecl_mma_tf32_tn, ECL_MMA_TF32, 1, 0)
ECL_MMA_GEMM_KERNEL(ecl_mma_tf32_tt, ECL_MMA_TF32, 1, 1)
#elif ECL_MMA_TYPE == ECL_MMA_F16
ECL_MMA_GEMM_KERNEL(ecl_mma_f16_nn, ECL_MMA_F16, 0, 0)
ECL_MMA_GEMM_KERNEL(ecl_mma_f16_nt, ECL_MMA_F16, 0, 1)
ECL_MMA_GEMM_KERNEL(ecl_mma_f16_tn, ECL_MMA_F16, 1, 0)
ECL_MMA_GEMM_KERNEL(ecl_mma_f16_tt, ECL_MMA_F16, 1, 1)
#elif ECL_MMA_TYPE == ECL_MMA_BF16
ECL_MMA_GEMM_KERNEL(ecl_mma_bf16_nn, ECL_MMA_BF16, 0, 0)
ECL_MMA_GEMM_KERNEL(ecl_mma_bf16_nt, ECL_MMA_BF16, 0, 1)
ECL_MMA_GEMM_KERNEL(ecl_mma_bf16_tn, ECL_MMA_BF16, 1, 0)
ECL_MMA_GEMM_KERNEL(ecl_mma_bf16_tt, ECL_MMA_BF16, 1, 1)
#endif

#endif /* ECL_MMA_PROBE */
