/*
 * Strided test views for the backend primitive tests (test_backend_cpu.c, test_opencl_ops.c):
 * random shapes and layouts (permuted, padded, negative and zero strides) over a flat host buffer,
 * mirrored in a device buffer when a device is set, and the expected destination of a primitive
 * (value and error magnitude per addressed element, untouched elements compared bitwise).
 * tv_check_copy and tv_check_sum run the copy, reduce and mul primitives on random views against
 * long-double loops. Numbers come from a splitmix64 stream that a test reseeds by setting tv_rng_state.
 */
#ifndef ECL_TEST_STRIDED_VIEW_H
#define ECL_TEST_STRIDED_VIEW_H

#include "backend.h"

#include <stdint.h>

#define MAXD 10

extern uint64_t tv_rng_state;
/* Uniform integer in [lo, hi]. */
int64_t rnd(int64_t lo, int64_t hi);
/* Uniform double in [-1, 1). */
double unit(void);

/* The backend the primitives are checked on (tv_check_*) and the error record its calls fill.
 * Views are mirrored in its buffers unless it is the CPU backend, whose buffers are host memory. */
void tv_set_backend(ecl_backend *be, ecl_error *err);

typedef struct tview {
    ecl_dtype dtype;
    int ndim;
    int64_t shape[MAXD], stride[MAXD], offset;
    int64_t len;  /* elements in the buffer */
    void *data;   /* host buffer */
    void *mem;    /* device buffer (NULL without a device) */
} tview;

size_t esize(ecl_dtype t);
long double tv_get(const tview *v, int64_t i);
void tv_put(tview *v, int64_t i, double x);
int64_t numel(int ndim, const int64_t *shape);
/* Advances a row-major multi-index; 0 when it wraps around. */
int next_index(int ndim, const int64_t *shape, int64_t *idx);
int64_t tv_address(const tview *v, const int64_t *idx);

/* A fresh buffer of v->len random values (or NaN), mirrored on the backend's device; for views
 * whose strides and length the caller set. */
void tv_fill(tview *v, int nan_fill);
/* Lays out v (dtype, ndim, shape set) in a fresh buffer (mirrored on the device):
 * perm[0] is the outermost dim; each stride is the extent of the dims inside it (plus pad), the
 * innermost is `inner`; dims in neg_mask run backwards, dims in zero_mask get stride 0. Values
 * are random, or NaN when nan_fill. */
void tv_layout(tview *v, const int *perm, unsigned neg_mask, unsigned zero_mask, int64_t inner,
               int64_t pad, int nan_fill);
/* A random permutation, direction and padding; zero strides only where !writable. */
void tv_random_layout(tview *v, int writable, int nan_fill);
void tv_random_shape(tview *v, int ndim, int64_t maxsize);
/* The view as the backend takes it (the device buffer when there is one). */
ecl_strided tv_strided(const tview *v);
void tv_release(tview *v);

/* The expected destination: for each buffer element, whether it is addressed, the exact value
 * and the magnitude the rounding error scales with. */
typedef struct expect {
    unsigned char *hit;
    long double *value, *mag;
    void *before;
} expect;

void expect_init(expect *e, const tview *dst);
/* Records alpha * sum + beta * old at element i of dst (old not read when beta == 0). */
void expect_set(expect *e, const tview *dst, int64_t i, long double sum, long double sum_abs,
                double alpha, double beta);
/* Reads dst back from the device (if any) and compares it with the expectation: relative
 * tolerance tol (0: exact after rounding to dst's dtype); untouched elements must be bitwise
 * unchanged. Frees the expectation. */
void expect_check(expect *e, tview *dst, long double tol, const char *what);

/* dst = alpha * src + beta * dst through the backend's copy (exact when alpha 1, beta 0). */
void tv_check_copy(tview *dst, tview *src, double alpha, double beta, const char *what);
/* dst (kept dims) = alpha * sum over the trailing dims of a (times b when b) + beta * dst, through
 * the backend's reduce (b NULL) or mul. Both release their views. */
void tv_check_sum(tview *dst, tview *a, tview *b, double alpha, double beta, const char *what);

long double eps(ecl_dtype t);
/* Tolerance for a sum of n terms in dtype (accumulated in double, or Kahan-compensated float on
 * OpenCL devices without fp64, then rounded once to dtype). */
long double sum_tol(ecl_dtype t, int64_t n);

/* alpha/beta pairs the primitives are checked with (beta 0 over a NaN destination among them). */
extern const double alphas[], betas[];
#define NSCALARS 7

#endif /* ECL_TEST_STRIDED_VIEW_H */
