/*
 * The CPU elementwise engine: dst = beta * dst (scale), dst = alpha * a + beta * dst (copy with
 * float32/float64 conversion) and dst = alpha * a * b + beta * dst (broadcast multiply) over a
 * simplified space without summed dims. Row kernels split out the unit-stride and broadcast-scalar
 * cases so they vectorise; OpenMP threads take chunks of the element range.
 */
#include "cpu_internal.h"
#include "dtype_internal.h"

#include <string.h>

typedef cpu_row_fn row_fn;

/* One loop per alpha/beta mode over i in [0, n): D is the destination element, EXACT the value
 * when alpha == 1 and beta == 0 (computed in the element type when that is exact), V the value
 * as a double. With beta == 0 the destination is never read. */
#define EW_LOOP(TD, D, EXACT, V)                                                             \
    do {                                                                                     \
        if (beta == 0.0 && alpha == 1.0) {                                                   \
            for (int64_t i = 0; i < n; i++)                                                  \
                D = (TD)(EXACT);                                                             \
        } else if (beta == 0.0) {                                                            \
            for (int64_t i = 0; i < n; i++)                                                  \
                D = (TD)(alpha * (V));                                                       \
        } else {                                                                             \
            for (int64_t i = 0; i < n; i++)                                                  \
                D = (TD)(alpha * (V) + beta * (double)D);                                    \
        }                                                                                    \
    } while (0)

#define DEFINE_SCALE_ROW(NAME, T)                                                            \
    static void NAME(char *dp, int64_t ds, const char *ap, int64_t as, const char *bp,       \
                     int64_t bs, int64_t n, double alpha, double beta)                       \
    {                                                                                        \
        (void)ap, (void)as, (void)bp, (void)bs, (void)alpha;                                 \
        T *d = (T *)dp;                                                                      \
        if (beta == 0.0 && ds == 1)                                                          \
            memset(d, 0, (size_t)n * sizeof(T));                                             \
        else if (beta == 0.0)                                                                \
            for (int64_t i = 0; i < n; i++)                                                  \
                d[i * ds] = 0;                                                               \
        else if (ds == 1)                                                                    \
            for (int64_t i = 0; i < n; i++)                                                  \
                d[i] = (T)(beta * (double)d[i]);                                             \
        else                                                                                 \
            for (int64_t i = 0; i < n; i++)                                                  \
                d[i * ds] = (T)(beta * (double)d[i * ds]);                                   \
    }

#define DEFINE_COPY_ROW(NAME, TD, TS)                                                        \
    static void NAME(char *dp, int64_t ds, const char *ap, int64_t as, const char *bp,       \
                     int64_t bs, int64_t n, double alpha, double beta)                       \
    {                                                                                        \
        (void)bp, (void)bs;                                                                  \
        TD *d = (TD *)dp;                                                                    \
        const TS *a = (const TS *)ap;                                                        \
        if (sizeof(TD) == sizeof(TS) && ds == 1 && as == 1 && alpha == 1.0 && beta == 0.0)   \
            memmove(d, a, (size_t)n * sizeof(TD));                                           \
        else if (ds == 1 && as == 1)                                                         \
            EW_LOOP(TD, d[i], a[i], (double)a[i]);                                           \
        else                                                                                 \
            EW_LOOP(TD, d[i * ds], a[i * as], (double)a[i * as]);                            \
    }

#define DEFINE_MUL_ROW(NAME, T)                                                              \
    static void NAME(char *dp, int64_t ds, const char *ap, int64_t as, const char *bp,       \
                     int64_t bs, int64_t n, double alpha, double beta)                       \
    {                                                                                        \
        T *d = (T *)dp;                                                                      \
        const T *a = (const T *)ap, *b = (const T *)bp;                                      \
        if (ds == 1 && as == 1 && bs == 1) {                                                 \
            EW_LOOP(T, d[i], a[i] * b[i], (double)a[i] * (double)b[i]);                      \
        } else if (ds == 1 && as == 0 && bs == 1) {                                          \
            const T a0 = a[0];                                                               \
            EW_LOOP(T, d[i], a0 * b[i], (double)a0 * (double)b[i]);                          \
        } else if (ds == 1 && as == 1 && bs == 0) {                                          \
            const T b0 = b[0];                                                               \
            EW_LOOP(T, d[i], a[i] * b0, (double)a[i] * (double)b0);                          \
        } else {                                                                             \
            EW_LOOP(T, d[i * ds], a[i * as] * b[i * bs],                                     \
                    (double)a[i * as] * (double)b[i * bs]);                                  \
        }                                                                                    \
    }

DEFINE_SCALE_ROW(scale_row_f32, float)
DEFINE_SCALE_ROW(scale_row_f64, double)
DEFINE_COPY_ROW(copy_row_f32_f32, float, float)
DEFINE_COPY_ROW(copy_row_f32_f64, float, double)
DEFINE_COPY_ROW(copy_row_f64_f32, double, float)
DEFINE_COPY_ROW(copy_row_f64_f64, double, double)
DEFINE_MUL_ROW(mul_row_f32, float)
DEFINE_MUL_ROW(mul_row_f64, double)

static row_fn pick_row(int nops, ecl_dtype dtype, ecl_dtype a_dtype)
{
    int d32 = dtype == ECL_F32, a32 = a_dtype == ECL_F32;
    if (nops == 1)
        return d32 ? scale_row_f32 : scale_row_f64;
    if (nops == 3)
        return d32 ? mul_row_f32 : mul_row_f64;
    row_fn cvt = cpu_convert_row(dtype, a_dtype);
    if (cvt)
        return cvt;
    if (d32)
        return a32 ? copy_row_f32_f32 : copy_row_f32_f64;
    return a32 ? copy_row_f64_f32 : copy_row_f64_f64;
}

/* Processes the elements [begin, end) of the space in row-major order of its dims. */
static void run_range(const cpu_space *sp, row_fn row, char *const *base, const size_t *esz,
                      int64_t begin, int64_t end, double alpha, double beta)
{
    if (sp->nd == 0) {
        if (begin < end)
            row(base[0], 1, base[1], 1, base[2], 1, 1, alpha, beta);
        return;
    }
    const int inner = sp->nd - 1;
    const int64_t n = sp->shape[inner];
    int64_t st[CPU_MAX_OPS] = {0, 0, 0};
    for (int o = 0; o < sp->nops; o++)
        st[o] = sp->stride[o][inner];
    cpu_odo it;
    cpu_odo_seek(&it, sp, 0, inner, begin / n);
    int64_t col = begin % n;
    for (int64_t pos = begin; pos < end; col = 0, cpu_odo_next(&it, sp, 0, inner)) {
        int64_t len = n - col < end - pos ? n - col : end - pos;
        char *p[CPU_MAX_OPS] = {NULL, NULL, NULL};
        for (int o = 0; o < sp->nops; o++)
            p[o] = base[o] + (it.off[o] + col * st[o]) * (int64_t)esz[o];
        row(p[0], st[0], p[1], st[1], p[2], st[2], len, alpha, beta);
        pos += len;
    }
}

void cpu_elementwise(const ecl_cpu_backend *be, const cpu_space *sp, ecl_dtype dtype,
                     ecl_dtype a_dtype, void *const *mem, double alpha, double beta)
{
    const size_t esz[CPU_MAX_OPS] = {ecl_dtype_bytes(dtype), ecl_dtype_bytes(a_dtype),
                                     ecl_dtype_bytes(dtype)};
    char *base[CPU_MAX_OPS] = {NULL, NULL, NULL};
    for (int o = 0; o < sp->nops; o++)
        base[o] = (char *)mem[o] + sp->offset[o] * (int64_t)esz[o];
    row_fn row = pick_row(sp->nops, dtype, a_dtype);
    const int64_t total = cpu_space_count(sp, 0, sp->nd);
    const int nt = cpu_threads_for(be, total * sp->nops);
    const int64_t nchunks = cpu_chunk_count(total, sp->nops, nt);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int64_t c = 0; c < nchunks; c++) {
        int64_t begin, end;
        cpu_chunk_range(total, nchunks, c, &begin, &end);
        run_range(sp, row, base, esz, begin, end, alpha, beta);
    }
}
