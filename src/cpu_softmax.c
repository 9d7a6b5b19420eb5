/*
 * The CPU backend's row softmax: in place along the last axis, x = exp(v - max v) / sum exp(v -
 * max v) with v = scale * x + mask computed in double, the row maximum and the sum of the
 * exponentials in double, the exponentials themselves in the tensor's type (float32 rows take the
 * float32 e^x: the result is rounded to float32 anyway, and it is three times cheaper). Three passes
 * over a row: the maximum, the exponentials (stored in the row) with their sum, then the division. Row kernels split out
 * unit-stride rows and rows of a constant mask, and take e^x from cpu_exp.h, so that every pass
 * vectorises (with an AVX2 clone); OpenMP threads take chunks of rows.
 */
#include "cpu_exp.h"
#include "softmax_space.h"

#include <math.h>

typedef void (*softmax_row_fn)(char *xp, int64_t xs, const char *mp, int64_t ms, int64_t n,
                               double scale);

/* One row: X(i) is element i (an lvalue of type T), M(i) its mask value as a double. A NaN in v
 * is skipped by the maximum but turns the sum, and so the row, into NaN; a row of -inf (or one
 * holding +inf) has max - max = NaN. */
#define SOFTMAX_ROW(T, EXP, X, M)                                                            \
    do {                                                                                     \
        double mx = -INFINITY;                                                               \
        _Pragma("omp simd reduction(max : mx)")                                              \
        for (int64_t i = 0; i < n; i++) {                                                    \
            const double v = scale * (double)X(i) + (M(i));                                  \
            mx = v > mx ? v : mx;                                                            \
        }                                                                                    \
        double sum = 0;                                                                      \
        _Pragma("omp simd reduction(+ : sum)")                                               \
        for (int64_t i = 0; i < n; i++) {                                                    \
            const T e = EXP((T)(scale * (double)X(i) + (M(i)) - mx));                        \
            X(i) = e;                                                                        \
            sum += (double)e;                                                                \
        }                                                                                    \
        const double inv = 1.0 / sum;                                                        \
        _Pragma("omp simd")                                                                  \
        for (int64_t i = 0; i < n; i++)                                                      \
            X(i) = (T)((double)X(i) * inv);                                                  \
    } while (0)

#define X_UNIT(i) x[i]
#define X_STRIDED(i) x[(i) * xs]
#define M_NONE(i) 0.0
#define M_CONST(i) m0
#define M_UNIT(i) (double)m[i]
#define M_STRIDED(i) (double)m[(i) * ms]

#define DEFINE_SOFTMAX_ROW(NAME, T, EXP)                                                     \
    CPU_SIMD_CLONES static void NAME(char *xp, int64_t xs, const char *mp, int64_t ms,       \
                                     int64_t n, double scale)                                \
    {                                                                                        \
        T *x = (T *)xp;                                                                      \
        const T *m = (const T *)mp;                                                          \
        const double m0 = m ? (double)m[0] : 0.0;                                            \
        if (xs == 1 && !m)                                                                   \
            SOFTMAX_ROW(T, EXP, X_UNIT, M_NONE);                                             \
        else if (xs == 1 && ms == 0)                                                         \
            SOFTMAX_ROW(T, EXP, X_UNIT, M_CONST);                                            \
        else if (xs == 1 && ms == 1)                                                         \
            SOFTMAX_ROW(T, EXP, X_UNIT, M_UNIT);                                             \
        else if (!m)                                                                         \
            SOFTMAX_ROW(T, EXP, X_STRIDED, M_NONE);                                          \
        else                                                                                 \
            SOFTMAX_ROW(T, EXP, X_STRIDED, M_STRIDED);                                       \
    }

DEFINE_SOFTMAX_ROW(softmax_row_f32, float, cpu_expf_nonpositive)
DEFINE_SOFTMAX_ROW(softmax_row_f64, double, cpu_exp_nonpositive)

/* Rows [begin, end) of the space. */
static void run_rows(const cpu_space *sp, softmax_row_fn row, char *const *base, size_t esz,
                     int64_t begin, int64_t end, double scale)
{
    const int in = sp->nd - 1;
    const int64_t n = sp->shape[in], xs = sp->stride[0][in];
    const int64_t ms = sp->nops > 1 ? sp->stride[1][in] : 0;
    cpu_odo it;
    cpu_odo_seek(&it, sp, 0, in, begin);
    for (int64_t r = begin; r < end; r++, cpu_odo_next(&it, sp, 0, in)) {
        char *x = base[0] + it.off[0] * (int64_t)esz;
        const char *m = sp->nops > 1 ? base[1] + it.off[1] * (int64_t)esz : NULL;
        row(x, xs, m, ms, n, scale);
    }
}

ecl_status ecl_cpu_softmax(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double scale,
                           const ecl_strided *mask)
{
    ecl_status st = ecl_softmax_check(be, "cpu softmax", dtype, dst, mask);
    cpu_space sp;
    if (st || !ecl_softmax_space(&sp, dst, mask))
        return st;
    const size_t esz = ecl_dtype_size(dtype);
    char *base[2] = {(char *)dst->mem + sp.offset[0] * (int64_t)esz,
                     mask ? (char *)mask->mem + sp.offset[1] * (int64_t)esz : NULL};
    const softmax_row_fn row = dtype == ECL_F32 ? softmax_row_f32 : softmax_row_f64;
    const int in = sp.nd - 1;
    const int64_t nrows = cpu_space_count(&sp, 0, in), n = sp.shape[in];
    /* A row costs a few passes and an exponential per element: weigh it as 4 elements. */
    const int64_t work = nrows > INT64_MAX / 4 / n ? INT64_MAX : nrows * n * 4;
    const int nt = cpu_threads_for((const ecl_cpu_backend *)be, work);
    const int64_t nchunks = cpu_chunk_count(nrows, n * 4 > 0 ? n * 4 : 1, nt);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int64_t c = 0; c < nchunks; c++) {
        int64_t begin, end;
        cpu_chunk_range(nrows, nchunks, c, &begin, &end);
        run_rows(&sp, row, base, esz, begin, end, scale);
    }
    return ECL_SUCCESS;
}
