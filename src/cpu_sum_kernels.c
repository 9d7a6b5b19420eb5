/*
 * Inner loops of the CPU sum-of-products engine. Contiguous runs are summed with 16 independent
 * double lanes so the loop vectorises and hides the add latency; broadcast (stride 0) factors are
 * pulled out of the sum; everything else falls back to plain strided loops. Each kernel also has
 * an AVX2 clone.
 */
#include "cpu_sum_kernels.h"

#define LANES 16

/* Sum of EXPR(i) over i < n with LANES partial sums; deterministic for a given n. */
#define LANE_SUM(EXPR)                                                                       \
    do {                                                                                     \
        double lane[LANES] = {0};                                                            \
        int64_t i = 0;                                                                       \
        for (; i + LANES <= n; i += LANES)                                                   \
            for (int k = 0; k < LANES; k++)                                                  \
                lane[k] += (EXPR(i + k));                                                    \
        for (; i < n; i++)                                                                   \
            lane[0] += (EXPR(i));                                                            \
        for (int k = 1; k < LANES; k++)                                                      \
            lane[0] += lane[k];                                                              \
        return lane[0];                                                                      \
    } while (0)

#define DEFINE_SUM(NAME, T)                                                                  \
    CPU_SIMD_CLONES static double NAME(const char *ap, int64_t as, const char *bp, int64_t bs, \
                                       int64_t n)                                            \
    {                                                                                        \
        (void)bp, (void)bs;                                                                  \
        const T *a = (const T *)ap;                                                          \
        if (as == 1)                                                                         \
            LANE_SUM(SUM_UNIT);                                                              \
        double s = 0;                                                                        \
        for (int64_t i = 0; i < n; i++)                                                      \
            s += (double)a[i * as];                                                          \
        return s;                                                                            \
    }
#define SUM_UNIT(i) (double)a[i]

#define DEFINE_DOT(NAME, T, SUM)                                                             \
    CPU_SIMD_CLONES static double NAME(const char *ap, int64_t as, const char *bp, int64_t bs, \
                                       int64_t n)                                            \
    {                                                                                        \
        const T *a = (const T *)ap, *b = (const T *)bp;                                      \
        if (as == 1 && bs == 1)                                                              \
            LANE_SUM(DOT_UNIT);                                                              \
        if (bs == 0)                                                                         \
            return (double)b[0] * SUM(ap, as, NULL, 0, n);                                   \
        if (as == 0)                                                                         \
            return (double)a[0] * SUM(bp, bs, NULL, 0, n);                                   \
        double s = 0;                                                                        \
        for (int64_t i = 0; i < n; i++)                                                      \
            s += (double)a[i * as] * (double)b[i * bs];                                      \
        return s;                                                                            \
    }
#define DOT_UNIT(i) (double)a[i] * (double)b[i]

/* One row of an accumulation: acc[i] += a[i * as] (* b[i * bs]). */
#define DEFINE_ACC_ROW(NAME, T)                                                              \
    static void NAME(double *restrict acc, const T *a, int64_t as, const T *b, int64_t bs,   \
                     int64_t n)                                                              \
    {                                                                                        \
        if (!b && as == 1) {                                                                 \
            for (int64_t i = 0; i < n; i++)                                                  \
                acc[i] += (double)a[i];                                                      \
        } else if (!b) {                                                                     \
            for (int64_t i = 0; i < n; i++)                                                  \
                acc[i] += (double)a[i * as];                                                 \
        } else if (as == 1 && bs == 1) {                                                     \
            for (int64_t i = 0; i < n; i++)                                                  \
                acc[i] += (double)a[i] * (double)b[i];                                       \
        } else if (as == 1 && bs == 0) {                                                     \
            const double b0 = (double)b[0];                                                  \
            for (int64_t i = 0; i < n; i++)                                                  \
                acc[i] += (double)a[i] * b0;                                                 \
        } else {                                                                             \
            for (int64_t i = 0; i < n; i++)                                                  \
                acc[i] += (double)a[i * as] * (double)b[i * bs];                             \
        }                                                                                    \
    }

/* Rows are taken four at a time where the run is contiguous, so acc is loaded and stored once per
 * four source rows. */
#define DEFINE_ACC(NAME, ROW, T)                                                             \
    CPU_SIMD_CLONES static void NAME(double *restrict acc, const char *ap, int64_t as,       \
                                     int64_t ars, const char *bp, int64_t bs, int64_t brs,   \
                                     int64_t n, int64_t rows)                                \
    {                                                                                        \
        const T *a = (const T *)ap, *b = (const T *)bp;                                      \
        if (b && as == 0 && bs == 1) {                                                       \
            const T *t = a;                                                                  \
            a = b, b = t;                                                                    \
            as = 1, bs = 0;                                                                  \
            int64_t trs = ars;                                                               \
            ars = brs, brs = trs;                                                            \
        }                                                                                    \
        int64_t r = 0;                                                                       \
        if (!b && as == 1) {                                                                 \
            for (; r + 4 <= rows; r += 4) {                                                  \
                const T *a0 = a + r * ars, *a1 = a0 + ars, *a2 = a1 + ars, *a3 = a2 + ars;   \
                for (int64_t i = 0; i < n; i++)                                              \
                    acc[i] += ((double)a0[i] + (double)a1[i]) +                              \
                              ((double)a2[i] + (double)a3[i]);                               \
            }                                                                                \
        } else if (b && as == 1 && bs == 0) {                                                \
            for (; r + 4 <= rows; r += 4) {                                                  \
                const T *a0 = a + r * ars, *a1 = a0 + ars, *a2 = a1 + ars, *a3 = a2 + ars;   \
                const double b0 = (double)b[r * brs], b1 = (double)b[(r + 1) * brs];         \
                const double b2 = (double)b[(r + 2) * brs], b3 = (double)b[(r + 3) * brs];   \
                for (int64_t i = 0; i < n; i++)                                              \
                    acc[i] += ((double)a0[i] * b0 + (double)a1[i] * b1) +                    \
                              ((double)a2[i] * b2 + (double)a3[i] * b3);                     \
            }                                                                                \
        } else if (b && as == 1 && bs == 1) {                                                \
            for (; r + 4 <= rows; r += 4) {                                                  \
                const T *a0 = a + r * ars, *a1 = a0 + ars, *a2 = a1 + ars, *a3 = a2 + ars;   \
                const T *b0 = b + r * brs, *b1 = b0 + brs, *b2 = b1 + brs, *b3 = b2 + brs;   \
                for (int64_t i = 0; i < n; i++)                                              \
                    acc[i] += ((double)a0[i] * (double)b0[i] + (double)a1[i] * (double)b1[i]) + \
                              ((double)a2[i] * (double)b2[i] + (double)a3[i] * (double)b3[i]); \
            }                                                                                \
        }                                                                                    \
        for (; r < rows; r++)                                                                \
            ROW(acc, a + r * ars, as, b ? b + r * brs : NULL, bs, n);                        \
    }

DEFINE_SUM(sum_f32, float)
DEFINE_SUM(sum_f64, double)
DEFINE_DOT(dot_f32, float, sum_f32)
DEFINE_DOT(dot_f64, double, sum_f64)
DEFINE_ACC_ROW(acc_row_f32, float)
DEFINE_ACC_ROW(acc_row_f64, double)
DEFINE_ACC(acc_f32, acc_row_f32, float)
DEFINE_ACC(acc_f64, acc_row_f64, double)

cpu_dot_fn cpu_pick_dot(ecl_dtype dtype, int with_b)
{
    if (dtype == ECL_F32)
        return with_b ? dot_f32 : sum_f32;
    return with_b ? dot_f64 : sum_f64;
}

cpu_acc_fn cpu_pick_acc(ecl_dtype dtype)
{
    return dtype == ECL_F32 ? acc_f32 : acc_f64;
}
