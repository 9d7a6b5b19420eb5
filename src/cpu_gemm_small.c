/*
 * Small float32 products (all of m, n, k modest; the many-small-matrices batches of attention
 * heads and tensor networks) without OpenBLAS: its per-call setup and packing dominate there, and
 * concurrent calls from the batch threads contend for its buffer lock. op(B) is used in place when
 * its rows are contiguous, else packed on the stack; C is built four rows by sixteen columns at a
 * time in register accumulators (the AVX2 clone keeps them in eight ymm registers). Accumulates in
 * float32, as sgemm does.
 */
#include "cpu_gemm.h"

#include <string.h>

#define PACK_MAX 4096 /* floats of packed op(B): k * n */
#define ROWS 4
#define COLS 16

int cpu_gemm_small_fits(const cpu_gemm_one *g)
{
    return g->dtype == ECL_F32 && g->m <= 256 && g->n <= 256 && g->k <= 256 &&
           (double)g->m * (double)g->n * (double)g->k <= 65536.0 &&
           (!g->trans_b || g->k * g->n <= PACK_MAX);
}

typedef float v8 __attribute__((vector_size(32)));

static inline float finish(const cpu_gemm_one *g, float acc, const float *c)
{
    return g->beta == 0.0 ? (float)(g->alpha * acc) : (float)(g->alpha * acc + g->beta * *c);
}

CPU_SIMD_CLONES static void small_gemm(const cpu_gemm_one *g, const float *A, const float *B, float *C)
{
    const int64_t m = g->m, n = g->n, k = g->k;
    const int64_t ars = g->trans_a ? 1 : g->lda, acs = g->trans_a ? g->lda : 1;
    float packed[PACK_MAX];
    const float *b = B;
    int64_t ldb = g->ldb;
    if (g->trans_b) {  /* b(p, j) = B[j * ldb + p] */
        for (int64_t p = 0; p < k; p++)
            for (int64_t j = 0; j < n; j++)
                packed[p * n + j] = B[j * g->ldb + p];
        b = packed, ldb = n;
    }
    int64_t i = 0;
    for (; i + ROWS <= m; i += ROWS) {
        const float *a0 = A + i * ars, *a1 = a0 + ars, *a2 = a1 + ars, *a3 = a2 + ars;
        int64_t j0 = 0;
        for (; j0 + COLS <= n; j0 += COLS) {
            v8 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
            for (int64_t p = 0; p < k; p++) {
                v8 b0, b1;
                memcpy(&b0, b + p * ldb + j0, sizeof b0);
                memcpy(&b1, b + p * ldb + j0 + 8, sizeof b1);
                const float x0 = a0[p * acs], x1 = a1[p * acs], x2 = a2[p * acs], x3 = a3[p * acs];
                c00 += x0 * b0, c01 += x0 * b1;
                c10 += x1 * b0, c11 += x1 * b1;
                c20 += x2 * b0, c21 += x2 * b1;
                c30 += x3 * b0, c31 += x3 * b1;
            }
            const v8 acc[ROWS][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
            for (int r = 0; r < ROWS; r++)
                for (int jj = 0; jj < COLS; jj++) {
                    float *c = &C[(i + r) * g->ldc + j0 + jj];
                    *c = finish(g, acc[r][jj / 8][jj % 8], c);
                }
        }
        for (; j0 < n; j0++)  /* the ragged right edge */
            for (int r = 0; r < ROWS; r++) {
                float s = 0;
                for (int64_t p = 0; p < k; p++)
                    s += A[(i + r) * ars + p * acs] * b[p * ldb + j0];
                float *c = &C[(i + r) * g->ldc + j0];
                *c = finish(g, s, c);
            }
    }
    for (; i < m; i++) {  /* the ragged bottom edge, one row at a time */
        const float *a0 = A + i * ars;
        int64_t j0 = 0;
        for (; j0 + COLS <= n; j0 += COLS) {
            v8 c0 = {0}, c1 = {0};
            for (int64_t p = 0; p < k; p++) {
                const float x0 = a0[p * acs];
                v8 b0, b1;
                memcpy(&b0, b + p * ldb + j0, sizeof b0);
                memcpy(&b1, b + p * ldb + j0 + 8, sizeof b1);
                c0 += x0 * b0, c1 += x0 * b1;
            }
            for (int jj = 0; jj < COLS; jj++) {
                float *c = &C[i * g->ldc + j0 + jj];
                *c = finish(g, jj < 8 ? c0[jj] : c1[jj - 8], c);
            }
        }
        for (; j0 < n; j0++) {
            float s = 0;
            for (int64_t p = 0; p < k; p++)
                s += A[i * ars + p * acs] * b[p * ldb + j0];
            float *c = &C[i * g->ldc + j0];
            *c = finish(g, s, c);
        }
    }
}

void cpu_gemm_small(const cpu_gemm_one *g, const char *a, const char *b, char *c)
{
    small_gemm(g, (const float *)a, (const float *)b, (float *)c);
}
