/*
 * GEMM by plain loops, accumulating in double. Tiny products (the common case of many small batched
 * matrices, where OpenBLAS's per-call and packing overhead dominates) pack op(B) as doubles on the
 * stack and build each row of C in blocks of eight register accumulators. Layouts cblas rejects
 * (leading dimensions of 0 or below the row length) and oversized dimensions use unpacked loops.
 */
#include "cpu_gemm.h"

#define PACK_MAX 4096
#define BLOCK 8

/* *c = alpha * value + beta * *c, not reading *c when beta == 0. */
#define STORE(T, c, value) ((c) = (T)(g->beta == 0.0 ? g->alpha * (value) \
                                      : g->alpha * (value) + g->beta * (double)(c)))

#define DEFINE_LOOP_GEMM(NAME, T)                                                            \
    CPU_SIMD_CLONES static void NAME(const cpu_gemm_one *g, const T *A, const T *B, T *C)    \
    {                                                                                        \
        /* a(i, p) = A[i * ars + p * acs]; b(p, j) = B[p * brs + j * bcs] */                 \
        const int64_t ars = g->trans_a ? 1 : g->lda, acs = g->trans_a ? g->lda : 1;          \
        const int64_t brs = g->trans_b ? 1 : g->ldb, bcs = g->trans_b ? g->ldb : 1;          \
        const int64_t m = g->m, n = g->n, k = g->k;                                          \
        if (k * n > PACK_MAX) {                                                              \
            for (int64_t i = 0; i < m; i++)                                                  \
                for (int64_t j = 0; j < n; j++) {                                            \
                    double s = 0;                                                            \
                    for (int64_t p = 0; p < k; p++)                                          \
                        s += (double)A[i * ars + p * acs] * (double)B[p * brs + j * bcs];    \
                    STORE(T, C[i * g->ldc + j], s);                                          \
                }                                                                            \
            return;                                                                          \
        }                                                                                    \
        double packed[PACK_MAX];                                                             \
        for (int64_t p = 0; p < k; p++)                                                      \
            for (int64_t j = 0; j < n; j++)                                                  \
                packed[p * n + j] = (double)B[p * brs + j * bcs];                            \
        for (int64_t i = 0; i < m; i++) {                                                    \
            const T *arow = A + i * ars;                                                     \
            T *crow = C + i * g->ldc;                                                        \
            int64_t j0 = 0;                                                                  \
            for (; j0 + BLOCK <= n; j0 += BLOCK) {                                           \
                double acc[BLOCK] = {0};                                                     \
                for (int64_t p = 0; p < k; p++) {                                            \
                    const double a = (double)arow[p * acs];                                  \
                    const double *brow = packed + p * n + j0;                                \
                    for (int jj = 0; jj < BLOCK; jj++)                                       \
                        acc[jj] += a * brow[jj];                                             \
                }                                                                            \
                for (int jj = 0; jj < BLOCK; jj++)                                           \
                    STORE(T, crow[j0 + jj], acc[jj]);                                        \
            }                                                                                \
            for (; j0 < n; j0++) {                                                           \
                double s = 0;                                                                \
                for (int64_t p = 0; p < k; p++)                                              \
                    s += (double)arow[p * acs] * packed[p * n + j0];                         \
                STORE(T, crow[j0], s);                                                       \
            }                                                                                \
        }                                                                                    \
    }

DEFINE_LOOP_GEMM(loop_gemm_f32, float)
DEFINE_LOOP_GEMM(loop_gemm_f64, double)

void cpu_gemm_loops(const cpu_gemm_one *g, const char *a, const char *b, char *c)
{
    if (g->dtype == ECL_F32)
        loop_gemm_f32(g, (const float *)a, (const float *)b, (float *)c);
    else
        loop_gemm_f64(g, (const double *)a, (const double *)b, (double *)c);
}
