/*
 * Batched GEMM, row-major: C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b] for b < count, where
 * op(A) is m x k and op(B) is k x n. Products are placed by an element offset, leading dimensions
 * and two batch dims (b = outer * inner + i, each with its own stride per operand, so views like
 * (B, N, H, D) need no copy); indices are 64-bit. One work-group of ECL_GEMM_WG items computes a
 * ECL_GEMM_TM x ECL_GEMM_TN tile of C, staging ECL_GEMM_TK-deep slices of A and B in local memory
 * (loaded along each operand's contiguous direction, zero beyond the edges) and keeping an
 * ECL_GEMM_WM x ECL_GEMM_WN block of C per item in registers. Item (tx, ty) owns rows
 * ty + r * RM and columns tx + c * RN, so neighbouring items read neighbouring local words and
 * write neighbouring C elements. beta == 0 never reads C. One kernel per transposition pair.
 * The host (opencl_gemm_own.c) launches ECL_GEMM_WG items per group, one dimension, and checks
 * that the kernels were built with that work-group size.
 */
#ifndef ECL_GEMM_TM
#define ECL_GEMM_TM 64
#endif
#ifndef ECL_GEMM_TN
#define ECL_GEMM_TN 64
#endif
#ifndef ECL_GEMM_TK
#define ECL_GEMM_TK 16
#endif
#ifndef ECL_GEMM_WM
#define ECL_GEMM_WM 8
#endif
#ifndef ECL_GEMM_WN
#define ECL_GEMM_WN 8
#endif
#define ECL_GEMM_RM (ECL_GEMM_TM / ECL_GEMM_WM) /* items along M */
#define ECL_GEMM_RN (ECL_GEMM_TN / ECL_GEMM_WN) /* items along N */
#define ECL_GEMM_WG (ECL_GEMM_RM * ECL_GEMM_RN)

/* Geometry of one launch (host twin: ecl_ocl_gemm_geom in opencl_gemm_own.c). */
typedef struct ecl_gemm_geom {
    long m, n, k;
    long ld[3];        /* A, B, C */
    long offset[3];
    long count;        /* products */
    long inner;        /* size of the inner batch dim (>= 1) */
    long stride[3][2]; /* per operand: outer, inner batch stride */
} ecl_gemm_geom;

/* Copies a rows x cols slice (cols contiguous in memory at row stride ld, starting at src) into
 * local tile so that tile[col * tile_ld + row] or tile[row * tile_ld + col] holds it (TRANSPOSED
 * selects the first), with zeros where row >= row_end or col >= col_end. */
#define ECL_GEMM_LOAD(tile, tile_ld, TRANSPOSED, src, ld, ROWS, COLS, row_end, col_end)      \
    for (int e_ = lid; e_ < (ROWS) * (COLS); e_ += ECL_GEMM_WG) {                             \
        const int r_ = e_ / (COLS), c_ = e_ % (COLS);                                         \
        const real v_ = (r_ < (row_end) && c_ < (col_end)) ? (src)[r_ * (ld) + c_] : (real)0; \
        if (TRANSPOSED)                                                                       \
            tile[c_ * (tile_ld) + r_] = v_;                                                   \
        else                                                                                  \
            tile[r_ * (tile_ld) + c_] = v_;                                                   \
    }

#define ECL_GEMM_KERNEL(NAME, TA, TB)                                                         \
    __attribute__((reqd_work_group_size(ECL_GEMM_WG, 1, 1)))                                 \
    kernel void NAME(global const real *A, global const real *B, global real *C,             \
                     const ecl_gemm_geom g, const real alpha, const real beta)                \
    {                                                                                         \
        /* K-major tiles: as[p][i], bs[p][j]; the +1 keeps column-wise stores conflict-free */ \
        local real as[ECL_GEMM_TK * (ECL_GEMM_TM + 1)];                                       \
        local real bs[ECL_GEMM_TK * (ECL_GEMM_TN + 1)];                                       \
        const int lid = (int)get_local_id(0);                                                 \
        const int tx = lid % ECL_GEMM_RN, ty = lid / ECL_GEMM_RN;                             \
        const long tiles_m = (g.m + ECL_GEMM_TM - 1) / ECL_GEMM_TM;                           \
        const long tiles_n = (g.n + ECL_GEMM_TN - 1) / ECL_GEMM_TN;                           \
        const long per_product = tiles_m * tiles_n;                                           \
        for (long t = (long)get_group_id(0); t < per_product * g.count;                       \
             t += (long)get_num_groups(0)) {                                                  \
            const long b = t / per_product, r = t - b * per_product;                          \
            const long bo = b / g.inner, bi = b - bo * g.inner;                              \
            const long m0 = r / tiles_n * ECL_GEMM_TM, n0 = r % tiles_n * ECL_GEMM_TN;        \
            const int mrem = (int)min((long)ECL_GEMM_TM, g.m - m0);                           \
            const int nrem = (int)min((long)ECL_GEMM_TN, g.n - n0);                           \
            /* A at (m0, 0): row i, column p of op(A) */                                      \
            global const real *a = A + g.offset[0] + bo * g.stride[0][0] +                    \
                                   bi * g.stride[0][1] + (TA ? m0 : m0 * g.ld[0]);            \
            global const real *bm = B + g.offset[1] + bo * g.stride[1][0] +                   \
                                    bi * g.stride[1][1] + (TB ? n0 * g.ld[1] : n0);           \
            real accum[ECL_GEMM_WM][ECL_GEMM_WN];                                             \
            for (int i = 0; i < ECL_GEMM_WM; i++)                                             \
                for (int j = 0; j < ECL_GEMM_WN; j++)                                         \
                    accum[i][j] = 0;                                                          \
            for (long k0 = 0; k0 < g.k; k0 += ECL_GEMM_TK) {                                  \
                const int krem = (int)min((long)ECL_GEMM_TK, g.k - k0);                       \
                if (TA) /* stored k x m: rows are p, contiguous along i */                    \
                    ECL_GEMM_LOAD(as, ECL_GEMM_TM + 1, 0, a + k0 * g.ld[0], g.ld[0],          \
                                  ECL_GEMM_TK, ECL_GEMM_TM, krem, mrem)                       \
                else /* stored m x k: rows are i, contiguous along p */                       \
                    ECL_GEMM_LOAD(as, ECL_GEMM_TM + 1, 1, a + k0, g.ld[0], ECL_GEMM_TM,       \
                                  ECL_GEMM_TK, mrem, krem)                                    \
                if (TB) /* stored n x k: rows are j, contiguous along p */                    \
                    ECL_GEMM_LOAD(bs, ECL_GEMM_TN + 1, 1, bm + k0, g.ld[1], ECL_GEMM_TN,      \
                                  ECL_GEMM_TK, nrem, krem)                                    \
                else /* stored k x n: rows are p, contiguous along j */                       \
                    ECL_GEMM_LOAD(bs, ECL_GEMM_TN + 1, 0, bm + k0 * g.ld[1], g.ld[1],         \
                                  ECL_GEMM_TK, ECL_GEMM_TN, krem, nrem)                       \
                barrier(CLK_LOCAL_MEM_FENCE);                                                 \
                _Pragma("unroll")                                                             \
                for (int p = 0; p < ECL_GEMM_TK; p++) {                                       \
                    real av[ECL_GEMM_WM], bv[ECL_GEMM_WN];                                    \
                    for (int i = 0; i < ECL_GEMM_WM; i++)                                     \
                        av[i] = as[p * (ECL_GEMM_TM + 1) + ty + i * ECL_GEMM_RM];             \
                    for (int j = 0; j < ECL_GEMM_WN; j++)                                     \
                        bv[j] = bs[p * (ECL_GEMM_TN + 1) + tx + j * ECL_GEMM_RN];             \
                    for (int i = 0; i < ECL_GEMM_WM; i++)                                     \
                        for (int j = 0; j < ECL_GEMM_WN; j++)                                 \
                            accum[i][j] += av[i] * bv[j];                                     \
                }                                                                             \
                barrier(CLK_LOCAL_MEM_FENCE);                                                 \
            }                                                                                 \
            global real *c = C + g.offset[2] + bo * g.stride[2][0] + bi * g.stride[2][1] +    \
                             m0 * g.ld[2] + n0;                                               \
            for (int i = 0; i < ECL_GEMM_WM; i++) {                                           \
                const int row = ty + i * ECL_GEMM_RM;                                         \
                if (row >= mrem)                                                              \
                    break;                                                                    \
                for (int j = 0; j < ECL_GEMM_WN; j++) {                                       \
                    const int col = tx + j * ECL_GEMM_RN;                                     \
                    if (col < nrem) {                                                         \
                        global real *p = c + row * g.ld[2] + col;                             \
                        const real v = alpha * accum[i][j];                                   \
                        *p = beta == 0 ? v : v + beta * *p;                                   \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }

ECL_GEMM_KERNEL(ecl_gemm_nn, 0, 0)
ECL_GEMM_KERNEL(ecl_gemm_nt, 0, 1)
ECL_GEMM_KERNEL(ecl_gemm_tn, 1, 0)
ECL_GEMM_KERNEL(ecl_gemm_tt, 1, 1)
