/*
 * The OpenCL backend's batched GEMM step, and its CLBlast path (CLBlast is loaded at run time,
 * clblast_loader.c; opencl_gemm_select.c chooses between it and the own kernel). The
 * batch dims are first simplified (size-1 dims dropped, dims ordered by C stride, neighbours that
 * nest in A, B and C merged, dims with a negative C stride walked backwards). No batch dim: one
 * Xgemm (Xgemv for a vector side). One dim: one XgemmStridedBatched. More: XgemmStridedBatched
 * over the largest dim, called for each index of the others while that stays a handful of large
 * calls (attention layouts such as 'bqhd,bkhd->bhqk' on a (B,N,H,D) tensor), else one
 * XgemmBatched with per-product offsets computed here. Nothing is copied. CLBlast gets the
 * backend's in-order queue and no event, so nothing waits, except inside XgemmBatched (CLBlast
 * uploads the offsets with a clFinish). k == 0 scales C; layouts CLBlast cannot express (a leading
 * dimension below the row length) run on the backend's broadcast-multiply kernel.
 */
#include "clblast_gemm.h"

#include "opencl_gemm_select.h"
#include "opencl_kernels.h"

#include <limits.h>
#include <stdlib.h>
#include "alloc.h"

/* Unmergeable batch dims run as one XgemmStridedBatched call per index of the other dims when
 * that takes at most MAX_STRIDED_CALLS calls of at least ecl_ocl_gemm_loop_min_flops each: then
 * CLBlast's host time per call (~20 us) hides behind the device's work and nothing blocks.
 * Otherwise one XgemmBatched call does it all, which costs a clFinish (CLBlast uploads its offset
 * arrays with one) but, on PoCL, runs a batch of small products about 1.5x faster than a loop. */
#define MAX_STRIDED_CALLS 16
double ecl_ocl_gemm_loop_min_flops = 2.5e8;

static int64_t max64(int64_t x, int64_t y) { return x > y ? x : y; }

static ecl_status check_args(ecl_ocl_backend *be, ecl_dtype dtype, const ecl_gemm_args *g)
{
    ecl_error *err = be->base.err;
    if (dtype != ECL_F32 && dtype != ECL_F64)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "opencl gemm: unsupported dtype %d",
                        (int)dtype);
    if (!g)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "opencl gemm: arguments are NULL");
    if (g->m < 0 || g->n < 0 || g->k < 0)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "opencl gemm: negative size m=%lld n=%lld k=%lld", (long long)g->m,
                        (long long)g->n, (long long)g->k);
    if (g->nbatch < 0 || g->nbatch > ECL_MAX_DIMS)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "opencl gemm: %d batch dims (0 to %d allowed)", g->nbatch, ECL_MAX_DIMS);
    int64_t count = 1;
    for (int d = 0; d < g->nbatch; d++) {
        if (g->batch_shape[d] < 0)
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                            "opencl gemm: batch dim %d has negative size %lld", d,
                            (long long)g->batch_shape[d]);
        if (ecl_mul_overflow_i64(count, g->batch_shape[d], &count))
            return ecl_fail(err, ECL_ERROR_OVERFLOW, "opencl gemm: the batch count overflows");
        if (g->batch_shape[d] > 1 && g->batch_stride_c[d] == 0)
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                            "opencl gemm: batch dim %d of size %lld has C stride 0", d,
                            (long long)g->batch_shape[d]);
    }
    return ECL_SUCCESS;
}

/* Drops size-1 dims, orders the rest by decreasing |C stride| and merges dims that nest in all
 * three operands. Returns 0 when some batch dim is 0 (nothing to compute). */
static int simplify_batch(const ecl_gemm_args *g, ocl_gemm_job *job)
{
    job->nd = 0;
    job->count = 1;
    for (int d = 0; d < g->nbatch; d++) {
        if (g->batch_shape[d] == 0)
            return 0;
        if (g->batch_shape[d] == 1)
            continue;
        ocl_batch_dim bd = {g->batch_shape[d],
                            {g->batch_stride_a[d], g->batch_stride_b[d], g->batch_stride_c[d]}};
        int i = job->nd++;
        for (; i > 0 && llabs(job->dim[i - 1].stride[2]) < llabs(bd.stride[2]); i--)
            job->dim[i] = job->dim[i - 1];
        job->dim[i] = bd;
    }
    int nd = 0;
    for (int d = 0; d < job->nd; d++) {
        ocl_batch_dim *prev = nd ? &job->dim[nd - 1] : NULL, cur = job->dim[d];
        job->count *= cur.size; /* the product was checked for overflow in check_args */
        if (prev && prev->stride[0] == cur.stride[0] * cur.size &&
            prev->stride[1] == cur.stride[1] * cur.size &&
            prev->stride[2] == cur.stride[2] * cur.size) {
            prev->size *= cur.size;
            for (int o = 0; o < 3; o++)
                prev->stride[o] = cur.stride[o];
        } else {
            job->dim[nd++] = cur;
        }
    }
    job->nd = nd;
    return 1;
}

/* Widens [*lo, *hi] by steps * stride; nonzero on overflow. */
static int add_span(int64_t *lo, int64_t *hi, int64_t steps, int64_t stride)
{
    int64_t span;
    if (ecl_mul_overflow_i64(steps, stride, &span))
        return 1;
    return span < 0 ? ecl_add_overflow_i64(*lo, span, lo) : ecl_add_overflow_i64(*hi, span, hi);
}

/* Records one operand's matrix (rows x cols at leading dimension ld, in storage order) and the
 * last element it reaches; clears *clblast_ok when CLBlast cannot address the layout (a leading
 * dimension below the row length), which then runs on the broadcast-multiply kernel. */
static ecl_status place_operand(ocl_gemm_job *job, int o, int64_t offset, int64_t rows,
                                int64_t cols, int64_t ld, int *clblast_ok)
{
    if (rows <= 1)
        ld = max64(ld, max64(cols, 1)); /* the row stride of a single row is never used */
    if (ld < max64(cols, 1))
        *clblast_ok = 0;
    int64_t lo = offset, hi = offset;
    int overflow = add_span(&lo, &hi, rows - 1, ld) || ecl_add_overflow_i64(hi, cols - 1, &hi);
    for (int d = 0; d < job->nd; d++)
        overflow = overflow || add_span(&lo, &hi, job->dim[d].size - 1, job->dim[d].stride[o]);
    if (overflow)
        return ecl_fail(job->be->base.err, ECL_ERROR_OVERFLOW,
                        "opencl gemm: the extent of operand %c overflows 64 bits", "ABC"[o]);
    if (lo < 0)
        return ecl_fail(job->be->base.err, ECL_ERROR_INVALID_ARGUMENT,
                        "opencl gemm: operand %c reaches element %lld, before its buffer",
                        "ABC"[o], (long long)lo);
    job->offset[o] = offset;
    job->ld[o] = ld;
    job->last[o] = hi;
    return ECL_SUCCESS;
}

/* Walks batch dims whose C stride is negative the other way (from their last product), so that
 * XgemmStridedBatched, which takes only non-negative strides, can run them. */
static void flip_negative_c(ocl_gemm_job *job)
{
    for (int d = 0; d < job->nd; d++) {
        ocl_batch_dim *bd = &job->dim[d];
        if (bd->stride[2] >= 0)
            continue;
        for (int o = 0; o < 3; o++) {
            job->offset[o] += (bd->size - 1) * bd->stride[o];
            bd->stride[o] = -bd->stride[o];
        }
    }
}

/* CLBlast's kernels index buffers with 32-bit ints. */
static ecl_status check_int_reach(const ocl_gemm_job *job)
{
    for (int o = 0; o < 3; o++)
        if (job->last[o] > INT_MAX)
            return ecl_fail(job->be->base.err, ECL_ERROR_BACKEND,
                            "opencl gemm: operand %c reaches element %lld, but CLBlast indexes "
                            "buffers with 32-bit ints (at most %d)",
                            "ABC"[o], (long long)job->last[o], INT_MAX);
    return ECL_SUCCESS;
}

/* dst = alpha * sum_k a * b + beta * dst over the view (batch..., m, n[, k]) on the kernels. */
static ecl_status gemm_by_mul(const ocl_gemm_job *job, const ecl_gemm_args *g)
{
    if (job->nd + 3 > ECL_MAX_DIMS)
        return ecl_fail(job->be->base.err, ECL_ERROR_INVALID_ARGUMENT,
                        "opencl gemm: %d unmergeable batch dims", job->nd);
    int64_t shape[ECL_MAX_DIMS], sa[ECL_MAX_DIMS], sb[ECL_MAX_DIMS], sc[ECL_MAX_DIMS];
    int nd = job->nd;
    for (int d = 0; d < nd; d++) {
        shape[d] = job->dim[d].size;
        sa[d] = job->dim[d].stride[0];
        sb[d] = job->dim[d].stride[1];
        sc[d] = job->dim[d].stride[2];
    }
    shape[nd] = g->m, shape[nd + 1] = g->n, shape[nd + 2] = g->k;
    sa[nd] = g->trans_a ? 1 : g->lda, sa[nd + 1] = 0, sa[nd + 2] = g->trans_a ? g->lda : 1;
    sb[nd] = 0, sb[nd + 1] = g->trans_b ? g->ldb : 1, sb[nd + 2] = g->trans_b ? 1 : g->ldb;
    sc[nd] = g->ldc, sc[nd + 1] = 1;
    ecl_strided a = {job->mem[0], job->offset[0], nd + 3, shape, sa};
    ecl_strided b = {job->mem[1], job->offset[1], nd + 3, shape, sb};
    ecl_strided c = {job->mem[2], job->offset[2], nd + 2, shape, sc};
    if (g->k == 0)
        return ecl_ocl_scale(&job->be->base, job->dtype, &c, job->beta);
    return ecl_ocl_mul(&job->be->base, job->dtype, &c, &a, &b, job->alpha, job->beta);
}

/* The dim to run XgemmStridedBatched over, once per index of the other dims: the largest whose
 * A, B and C strides CLBlast takes (>= 0, C's > 0); -1 when there is none or the calls would be
 * too many or too small (see MAX_STRIDED_CALLS). */
static int pick_strided_dim(const ocl_gemm_job *job)
{
    int best = -1;
    for (int d = 0; d < job->nd; d++) {
        const ocl_batch_dim *bd = &job->dim[d];
        if (bd->stride[0] >= 0 && bd->stride[1] >= 0 && bd->stride[2] > 0 &&
            (best < 0 || bd->size > job->dim[best].size))
            best = d;
    }
    const int64_t calls = best < 0 ? 0 : job->count / job->dim[best].size;
    if (calls == 1)
        return best;
    double flops = 2.0 * (double)job->m * (double)job->n * (double)job->k;
    if (best < 0 || calls > MAX_STRIDED_CALLS ||
        flops * (double)job->dim[best].size < ecl_ocl_gemm_loop_min_flops)
        return -1;
    return best;
}

static ecl_status run_strided(const ocl_gemm_job *job, int sd)
{
    int64_t idx[ECL_MAX_DIMS] = {0}, off[3];
    const int64_t calls = job->count / job->dim[sd].size;
    for (int64_t call = 0; call < calls; call++) {
        for (int o = 0; o < 3; o++)
            off[o] = job->offset[o];
        for (int d = 0; d < job->nd; d++)
            for (int o = 0; o < 3; o++)
                off[o] += d == sd ? 0 : idx[d] * job->dim[d].stride[o];
        ecl_status st = ocl_clblast_strided(job, off, &job->dim[sd]);
        if (st)
            return st;
        for (int d = job->nd - 1; d >= 0; d--) {
            if (d == sd)
                continue;
            if (++idx[d] < job->dim[d].size)
                break;
            idx[d] = 0;
        }
    }
    return ECL_SUCCESS;
}

static ecl_status run_offsets(const ocl_gemm_job *job)
{
    if (job->count > INT_MAX)
        return ecl_fail(job->be->base.err, ECL_ERROR_BACKEND,
                        "opencl gemm: %lld products in one CLBlast call (at most %d)",
                        (long long)job->count, INT_MAX);
    size_t *offsets = ecl_malloc(sizeof(size_t) * 3 * (size_t)job->count);
    if (!offsets)
        return ecl_fail(job->be->base.err, ECL_ERROR_OUT_OF_MEMORY,
                        "opencl gemm: cannot allocate offsets of %lld products",
                        (long long)job->count);
    int64_t idx[ECL_MAX_DIMS] = {0};
    for (int64_t t = 0; t < job->count; t++) {
        for (int o = 0; o < 3; o++) {
            int64_t off = job->offset[o];
            for (int d = 0; d < job->nd; d++)
                off += idx[d] * job->dim[d].stride[o];
            offsets[(size_t)o * (size_t)job->count + (size_t)t] = (size_t)off;
        }
        for (int d = job->nd - 1; d >= 0 && ++idx[d] == job->dim[d].size; d--)
            idx[d] = 0;
    }
    ecl_status st = ocl_clblast_batched(job, offsets);
    ecl_free(offsets);
    return st;
}

ecl_status ecl_ocl_gemm(ecl_backend *base, ecl_dtype dtype, const ecl_gemm_args *g, void *a,
                        int64_t a_offset, void *b, int64_t b_offset, void *c, int64_t c_offset,
                        double alpha, double beta)
{
    ecl_ocl_backend *be = (ecl_ocl_backend *)base;
    ecl_status st = check_args(be, dtype, g);
    ocl_gemm_job job = {.be = be, .dtype = dtype, .trans_a = g ? g->trans_a : 0,
                        .trans_b = g ? g->trans_b : 0, .compute = g ? g->compute : 0,
                        .mem = {a, b, c}, .alpha = alpha,
                        .beta = beta};
    if (st || !simplify_batch(g, &job) || g->m == 0 || g->n == 0)
        return st;
    if (!c || (g->k > 0 && (!a || !b)))
        return ecl_fail(base->err, ECL_ERROR_INVALID_ARGUMENT, "opencl gemm: a buffer is NULL");
    job.m = g->m, job.n = g->n, job.k = g->k;
    if (g->k == 0) {
        job.offset[2] = c_offset;
        return gemm_by_mul(&job, g); /* C = beta * C */
    }
    int clblast_ok = 1;
    int64_t ra = g->trans_a ? g->k : g->m, ca = g->trans_a ? g->m : g->k;
    int64_t rb = g->trans_b ? g->n : g->k, cb = g->trans_b ? g->k : g->n;
    if ((st = place_operand(&job, 0, a_offset, ra, ca, g->lda, &clblast_ok)) ||
        (st = place_operand(&job, 1, b_offset, rb, cb, g->ldb, &clblast_ok)) ||
        (st = place_operand(&job, 2, c_offset, g->m, g->n, g->ldc, &clblast_ok)))
        return st;
    if (!clblast_ok)
        return gemm_by_mul(&job, g);
    flip_negative_c(&job);
    return ocl_gemm_dispatch(&job); /* CLBlast or the own kernel (opencl_gemm_select.c) */
}

int ocl_clblast_usable(const ocl_gemm_job *job)
{
    const ecl_clblast_api *api;
    for (int o = 0; o < 3; o++)
        if (job->last[o] > INT_MAX)
            return 0;
    return ecl_clblast_load(NULL, &api) == ECL_SUCCESS;
}

ecl_status ocl_gemm_run_clblast(ocl_gemm_job *job)
{
    ecl_status st;
    if ((st = check_int_reach(job)) || (st = ocl_clblast_prepare(job)))
        return st;
    if (job->nd == 0)
        return ocl_clblast_single(job, job->offset);
    int sd = pick_strided_dim(job);
    return sd >= 0 ? run_strided(job, sd) : run_offsets(job);
}
