/*
 * Strided test views and expectations (see strided_view.h).
 */
#include "strided_view.h"

#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t tv_rng_state;
static ecl_backend *backend;  /* the primitives' backend (tv_check_*) */
static ecl_error *backend_err;
static ecl_backend *device;   /* the same when its buffers are not host memory, else NULL */

const double alphas[NSCALARS] = {1.0, 1.0, -1.5, 1.0, 0.5, 0.0, 2.0};
const double betas[NSCALARS] = {0.0, 1.0, 0.0, -2.0, 1.0, 1.0, 0.5};

static uint64_t next_u64(void)
{
    uint64_t z = (tv_rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int64_t rnd(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_u64() % (uint64_t)(hi - lo + 1));
}

double unit(void) { return (double)(next_u64() >> 11) / 9007199254740992.0 * 2.0 - 1.0; }

void tv_set_backend(ecl_backend *be, ecl_error *err)
{
    backend = be;
    backend_err = err;
    device = be && be->kind != ECL_BACKEND_CPU ? be : NULL;
}

size_t esize(ecl_dtype t) { return t == ECL_F32 ? 4 : 8; }

long double tv_get(const tview *v, int64_t i)
{
    return v->dtype == ECL_F32 ? (long double)((const float *)v->data)[i]
                               : (long double)((const double *)v->data)[i];
}

void tv_put(tview *v, int64_t i, double x)
{
    if (v->dtype == ECL_F32)
        ((float *)v->data)[i] = (float)x;
    else
        ((double *)v->data)[i] = x;
}

int64_t numel(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= shape[d];
    return n;
}

int next_index(int ndim, const int64_t *shape, int64_t *idx)
{
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

int64_t tv_address(const tview *v, const int64_t *idx)
{
    int64_t a = v->offset;
    for (int d = 0; d < v->ndim; d++)
        a += idx[d] * v->stride[d];
    return a;
}

void tv_fill(tview *v, int nan_fill)
{
    const size_t bytes = (size_t)v->len * esize(v->dtype);
    v->data = malloc(bytes);
    cr_assert_not_null(v->data);
    for (int64_t i = 0; i < v->len; i++)
        tv_put(v, i, nan_fill ? NAN : unit());
    v->mem = NULL;
    if (!device)
        return;
    cr_assert_eq(device->ops->alloc(device, bytes, &v->mem), ECL_SUCCESS, "%s",
                 backend_err->message);
    cr_assert_eq(device->ops->write(device, v->mem, 0, v->data, bytes), ECL_SUCCESS, "%s",
                 backend_err->message);
}

void tv_layout(tview *v, const int *perm, unsigned neg_mask, unsigned zero_mask, int64_t inner,
               int64_t pad, int nan_fill)
{
    int64_t running = inner;
    for (int k = v->ndim - 1; k >= 0; k--) {
        int d = perm[k];
        if (zero_mask >> d & 1) {
            v->stride[d] = 0;
            continue;
        }
        v->stride[d] = (neg_mask >> d & 1) ? -running : running;
        running = running * (v->shape[d] > 0 ? v->shape[d] : 1) + pad;
    }
    v->offset = 0;
    int64_t hi = 0;
    for (int d = 0; d < v->ndim; d++) {
        if (v->shape[d] == 0)
            continue;
        if (v->stride[d] < 0)
            v->offset -= (v->shape[d] - 1) * v->stride[d];
        else
            hi += (v->shape[d] - 1) * v->stride[d];
    }
    v->len = v->offset + hi + 1 + rnd(0, 3);
    tv_fill(v, nan_fill);
}

void tv_random_layout(tview *v, int writable, int nan_fill)
{
    int perm[MAXD];
    for (int d = 0; d < v->ndim; d++)
        perm[d] = d;
    for (int d = v->ndim - 1; d > 0; d--) {
        int j = (int)rnd(0, d), t = perm[d];
        perm[d] = perm[j];
        perm[j] = t;
    }
    unsigned neg = 0, zero = 0;
    for (int d = 0; d < v->ndim; d++) {
        if (rnd(0, 2) == 0)
            neg |= 1u << d;
        if (!writable && rnd(0, 4) == 0)
            zero |= 1u << d;
    }
    tv_layout(v, perm, neg, zero, rnd(0, 3) == 0 ? rnd(2, 3) : 1, rnd(0, 2) == 0 ? rnd(1, 3) : 0,
              nan_fill);
}

void tv_random_shape(tview *v, int ndim, int64_t maxsize)
{
    v->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        v->shape[d] = rnd(0, 11) == 0 ? 0 : rnd(1, maxsize);
}

ecl_strided tv_strided(const tview *v)
{
    return (ecl_strided){device ? v->mem : v->data, v->offset, v->ndim, v->shape, v->stride};
}

void tv_release(tview *v)
{
    if (device && v->mem)
        device->ops->free(device, v->mem);
    free(v->data);
    v->data = v->mem = NULL;
}

void expect_init(expect *e, const tview *dst)
{
    e->hit = calloc((size_t)dst->len, 1);
    e->value = calloc((size_t)dst->len, sizeof(long double));
    e->mag = calloc((size_t)dst->len, sizeof(long double));
    e->before = malloc((size_t)dst->len * esize(dst->dtype));
    cr_assert(e->hit && e->value && e->mag && e->before);
    memcpy(e->before, dst->data, (size_t)dst->len * esize(dst->dtype));
}

void expect_set(expect *e, const tview *dst, int64_t i, long double sum, long double sum_abs,
                double alpha, double beta)
{
    long double old = beta == 0.0 ? 0.0L : tv_get(dst, i);
    e->hit[i] = 1;
    e->value[i] = (long double)alpha * sum + (long double)beta * old;
    e->mag[i] = fabsl((long double)alpha) * sum_abs + fabsl((long double)beta * old);
}

void expect_check(expect *e, tview *dst, long double tol, const char *what)
{
    const size_t es = esize(dst->dtype);
    if (device)
        cr_assert_eq(device->ops->read(device, dst->mem, 0, dst->data, (size_t)dst->len * es),
                     ECL_SUCCESS, "%s: read: %s", what, backend_err->message);
    for (int64_t i = 0; i < dst->len; i++) {
        if (!e->hit[i]) {
            cr_assert(memcmp((char *)dst->data + i * es, (char *)e->before + i * es, es) == 0,
                      "%s: element %lld outside the view was modified", what, (long long)i);
            continue;
        }
        long double got = tv_get(dst, i);
        if (tol == 0) {
            long double want = dst->dtype == ECL_F32 ? (long double)(float)e->value[i]
                                                     : (long double)(double)e->value[i];
            cr_assert(got == want, "%s: element %lld is %.17Lg, expected exactly %.17Lg", what,
                      (long long)i, got, want);
        } else {
            cr_assert(fabsl(got - e->value[i]) <= tol * e->mag[i] + 1e-300L,
                      "%s: element %lld is %.17Lg, expected %.17Lg (tolerance %Lg)", what,
                      (long long)i, got, e->value[i], tol * e->mag[i]);
        }
    }
    free(e->hit);
    free(e->value);
    free(e->mag);
    free(e->before);
}

void tv_check_copy(tview *dst, tview *src, double alpha, double beta, const char *what)
{
    expect e;
    expect_init(&e, dst);
    int64_t idx[MAXD] = {0};
    if (numel(dst->ndim, dst->shape) > 0)
        do {
            long double x = tv_get(src, tv_address(src, idx));
            expect_set(&e, dst, tv_address(dst, idx), x, fabsl(x), alpha, beta);
        } while (next_index(dst->ndim, dst->shape, idx));
    ecl_strided d = tv_strided(dst), s = tv_strided(src);
    cr_assert_eq(backend->ops->copy(backend, dst->dtype, &d, src->dtype, &s, alpha, beta),
                 ECL_SUCCESS, "%s: %s", what, backend_err->message);
    int exact = alpha == 1.0 && beta == 0.0;
    expect_check(&e, dst, exact ? 0 : 4 * eps(dst->dtype), what);
    tv_release(dst);
    tv_release(src);
}

void tv_check_sum(tview *dst, tview *a, tview *b, double alpha, double beta, const char *what)
{
    const int nkeep = dst->ndim, nd = a->ndim;
    const int64_t nkept = numel(nkeep, a->shape), nsum = numel(nd - nkeep, a->shape + nkeep);
    expect e;
    expect_init(&e, dst);
    int64_t kidx[MAXD] = {0}, idx[MAXD];
    if (nkept > 0)
        do {
            long double s = 0, sabs = 0;
            memcpy(idx, kidx, sizeof kidx);
            if (nsum > 0)
                do {
                    long double x = tv_get(a, tv_address(a, idx));
                    if (b)
                        x *= tv_get(b, tv_address(b, idx));
                    s += x;
                    sabs += fabsl(x);
                } while (next_index(nd - nkeep, a->shape + nkeep, idx + nkeep));
            expect_set(&e, dst, tv_address(dst, kidx), s, sabs, alpha, beta);
        } while (next_index(nkeep, dst->shape, kidx));
    ecl_strided d = tv_strided(dst), sa = tv_strided(a);
    ecl_status st;
    if (b) {
        ecl_strided sb = tv_strided(b);
        st = backend->ops->mul(backend, dst->dtype, &d, &sa, &sb, alpha, beta);
    } else {
        st = backend->ops->reduce(backend, dst->dtype, &d, &sa, alpha, beta);
    }
    cr_assert_eq(st, ECL_SUCCESS, "%s: %s", what, backend_err->message);
    expect_check(&e, dst, sum_tol(dst->dtype, nsum), what);
    tv_release(dst);
    tv_release(a);
    if (b)
        tv_release(b);
}

long double eps(ecl_dtype t) { return t == ECL_F32 ? 0x1p-24L : 0x1p-53L; }

long double sum_tol(ecl_dtype t, int64_t n)
{
    return 4 * eps(t) + (long double)(n + 4) * 0x1p-52L;
}
