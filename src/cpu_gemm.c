/*
 * The CPU backend's batched GEMM on OpenBLAS. Products are spread over OpenMP threads with
 * OpenBLAS held to one thread meanwhile; fewer products than threads are first cut into blocks of
 * C's rows or columns, or along k when C is too small for that, so that all the work runs on one
 * thread pool. k == 0 leaves beta * C. Small float32 products run in our register-blocked kernel
 * (cpu_gemm_small.c); other tiny products, and layouts cblas cannot express (a leading dimension
 * below the row length, sizes beyond its integer type), run as plain loops (cpu_gemm_loops.c).
 */
#include "cpu_gemm.h"

#include "alloc.h"

#include <cblas.h>
#include <limits.h>

/* Products of at most this many multiply-adds run faster as plain loops than through cblas. */
#define LOOP_GEMM_MAX_MNK 640
/* Below this many flops in all, a batch is not worth waking threads for. */
#define TINY_WORK_FLOPS (1 << 22)
/* cblas products below this many flops (16^3 multiply-adds) are run in turn, not concurrently. */
#define MIN_PARALLEL_BLAS_FLOPS (2 * 16 * 16 * 16)
/* A product is cut into blocks of at least this many rows or columns of C... */
#define SPLIT_MIN_EXTENT 32
/* ...or, when C is too small for that, into blocks of at least this much of k. */
#define SPLIT_MIN_K 256

static int64_t max64(int64_t x, int64_t y) { return x > y ? x : y; }

/* A leading dimension cblas accepts for a rows x cols matrix, or -1 when there is none: the row
 * stride of a single-row matrix is never used, so it may be raised to the row length. */
static int64_t blas_ld(int64_t ld, int64_t rows, int64_t cols)
{
    if (rows == 1 && ld < cols)
        ld = cols;
    return ld >= max64(1, cols) ? ld : -1;
}

static int fits_blasint(int64_t v)
{
    return sizeof(blasint) >= sizeof(int64_t) || v <= (int64_t)INT_MAX;
}

/* y = beta * y over n elements at stride inc; beta == 0 writes zeros without reading y (cblas
 * gemv scales y by beta, which keeps a NaN that C held before). */
static void scale_vector(ecl_dtype dtype, char *y, int64_t n, int64_t inc, double beta)
{
    for (int64_t i = 0; i < n; i++) {
        if (dtype == ECL_F32)
            ((float *)y)[i * inc] = beta == 0.0 ? 0.0f : (float)(beta * ((float *)y)[i * inc]);
        else
            ((double *)y)[i * inc] = beta == 0.0 ? 0.0 : beta * ((double *)y)[i * inc];
    }
}

/* A product with one row or one column of C as a cblas gemv, which streams the matrix once where
 * gemm would pack it: y = alpha * M x + beta * y with M the matrix operand, x the vector one. */
static void run_gemv(const cpu_gemm_one *g, const char *a, const char *b, char *c)
{
    enum CBLAS_TRANSPOSE t;
    blasint rows, cols, ld, incx, incy, len;
    const char *mat, *x;
    if (g->n == 1) { /* C (m x 1) = op(A) * column of op(B) */
        mat = a, x = b, len = (blasint)g->m, incy = (blasint)g->ldc;
        t = g->trans_a ? CblasTrans : CblasNoTrans;
        rows = (blasint)(g->trans_a ? g->k : g->m), cols = (blasint)(g->trans_a ? g->m : g->k);
        ld = (blasint)g->lda, incx = (blasint)(g->trans_b ? 1 : g->ldb);
    } else {         /* C (1 x n) = row of op(A) * op(B), i.e. op(B)^T times that row */
        mat = b, x = a, len = (blasint)g->n, incy = 1;
        t = g->trans_b ? CblasNoTrans : CblasTrans;
        rows = (blasint)(g->trans_b ? g->n : g->k), cols = (blasint)(g->trans_b ? g->k : g->n);
        ld = (blasint)g->ldb, incx = (blasint)(g->trans_a ? g->lda : 1);
    }
    scale_vector(g->dtype, c, len, incy, g->beta);
    if (g->dtype == ECL_F32)
        cblas_sgemv(CblasRowMajor, t, rows, cols, (float)g->alpha, (const float *)mat, ld,
                    (const float *)x, incx, 1.0f, (float *)c, incy);
    else
        cblas_dgemv(CblasRowMajor, t, rows, cols, g->alpha, (const double *)mat, ld,
                    (const double *)x, incx, 1.0, (double *)c, incy);
}

static void run_one(const cpu_gemm_one *g, const char *a, const char *b, char *c)
{
    if (g->small) {
        cpu_gemm_small(g, a, b, c);
        return;
    }
    if (!g->use_blas) {
        cpu_gemm_loops(g, a, b, c);
        return;
    }
    if (g->n == 1 || g->m == 1) {
        run_gemv(g, a, b, c);
        return;
    }
    const enum CBLAS_TRANSPOSE ta = g->trans_a ? CblasTrans : CblasNoTrans;
    const enum CBLAS_TRANSPOSE tb = g->trans_b ? CblasTrans : CblasNoTrans;
    if (g->dtype == ECL_F32)
        cblas_sgemm(CblasRowMajor, ta, tb, (blasint)g->m, (blasint)g->n, (blasint)g->k,
                    (float)g->alpha, (const float *)a, (blasint)g->lda, (const float *)b,
                    (blasint)g->ldb, (float)g->beta, (float *)c, (blasint)g->ldc);
    else
        cblas_dgemm(CblasRowMajor, ta, tb, (blasint)g->m, (blasint)g->n, (blasint)g->k,
                    g->alpha, (const double *)a, (blasint)g->lda, (const double *)b,
                    (blasint)g->ldb, g->beta, (double *)c, (blasint)g->ldc);
}

static ecl_status check_args(ecl_backend *be, ecl_dtype dtype, const ecl_gemm_args *g,
                             int64_t *nbatch)
{
    if (dtype != ECL_F32 && dtype != ECL_F64)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "cpu gemm: unsupported dtype %d",
                        (int)dtype);
    if (!g)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "cpu gemm: arguments are NULL");
    if (g->m < 0 || g->n < 0 || g->k < 0)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                        "cpu gemm: negative size m=%lld n=%lld k=%lld", (long long)g->m,
                        (long long)g->n, (long long)g->k);
    if (g->nbatch < 0 || g->nbatch > ECL_MAX_DIMS)
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                        "cpu gemm: %d batch dims (0 to %d allowed)", g->nbatch, ECL_MAX_DIMS);
    *nbatch = 1;
    for (int d = 0; d < g->nbatch; d++) {
        if (g->batch_shape[d] < 0)
            return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                            "cpu gemm: batch dim %d has negative size %lld", d,
                            (long long)g->batch_shape[d]);
        if (ecl_mul_overflow_i64(*nbatch, g->batch_shape[d], nbatch))
            return ecl_fail(be->err, ECL_ERROR_OVERFLOW, "cpu gemm: batch count overflows");
        if (g->batch_shape[d] > 1 && g->batch_stride_c[d] == 0)
            return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT,
                            "cpu gemm: batch dim %d of size %lld has C stride 0", d,
                            (long long)g->batch_shape[d]);
    }
    return ECL_SUCCESS;
}

/* C = beta * C for every batch when k == 0. */
static ecl_status scale_c(ecl_backend *be, ecl_dtype dtype, const ecl_gemm_args *g, void *c,
                          int64_t c_offset, double beta)
{
    int64_t shape[ECL_MAX_DIMS + 2], stride[ECL_MAX_DIMS + 2];
    for (int d = 0; d < g->nbatch; d++) {
        shape[d] = g->batch_shape[d];
        stride[d] = g->batch_stride_c[d];
    }
    shape[g->nbatch] = g->m;
    stride[g->nbatch] = g->ldc;
    shape[g->nbatch + 1] = g->n;
    stride[g->nbatch + 1] = 1;
    ecl_strided view = {c, c_offset, g->nbatch + 2, shape, stride};
    return ecl_cpu_scale(be, dtype, &view, beta);
}

/* OpenMP threads for a batch of products (1: run them in turn on this thread). */
static int batch_threads(const ecl_cpu_backend *be, const cpu_gemm_one *one, int64_t nbatch)
{
    const double flops = 2.0 * (double)one->m * (double)one->n * (double)one->k;
    const int nt = be->threads;
    if (nt <= 1 || flops * (double)nbatch < TINY_WORK_FLOPS)
        return 1;
    if (one->use_blas && flops < MIN_PARALLEL_BLAS_FLOPS)
        return 1;  /* concurrent tiny cblas calls contend for OpenBLAS's buffer lock */
    return nt;
}

/* Parts each product is cut into (rows of C when m >= n, else columns) so that few large
 * products still give every OpenMP thread work. Splitting ourselves instead of letting OpenBLAS
 * thread each product keeps one thread pool: OpenBLAS's workers, which spin for a while after
 * each threaded call, would otherwise take cores from the OpenMP threads of the next step (and
 * the reverse), see bench/RESULTS.md. */
static int64_t product_parts(const cpu_gemm_one *one, int64_t nbatch, int nt)
{
    const int64_t extent = one->m >= one->n ? one->m : one->n;
    if (!one->use_blas || nt <= 1 || nbatch >= 4 * nt)
        return 1;
    int64_t parts = (2 * nt + nbatch - 1) / nbatch; /* two per thread evens out uneven cores */
    if (parts > extent / SPLIT_MIN_EXTENT)
        parts = extent / SPLIT_MIN_EXTENT;
    return parts > 1 ? parts : 1;
}

/* Part `part` of `parts` of one product: the sub-product on a block of C's rows or columns. */
static void run_part(const cpu_gemm_one *one, int64_t part, int64_t parts, const char *a,
                     const char *b, char *c)
{
    if (parts == 1) {
        run_one(one, a, b, c);
        return;
    }
    const int64_t esz = (int64_t)ecl_dtype_size(one->dtype);
    cpu_gemm_one sub = *one;
    int64_t begin, end;
    if (one->m >= one->n) {
        cpu_chunk_range(one->m, parts, part, &begin, &end);
        sub.m = end - begin;
        a += (one->trans_a ? begin : begin * one->lda) * esz;
        c += begin * one->ldc * esz;
    } else {
        cpu_chunk_range(one->n, parts, part, &begin, &end);
        sub.n = end - begin;
        b += (one->trans_b ? begin * one->ldb : begin) * esz;
        c += begin * esz;
    }
    if (sub.m > 0 && sub.n > 0)
        run_one(&sub, a, b, c);
}

/* Products too narrow to cut into blocks of C (m and n both under 2 * SPLIT_MIN_EXTENT), fewer
 * than the threads, one after another, each split along k over nt threads: thread p multiplies a
 * block of A's columns and B's rows into its own m x n buffer, and C = alpha * (the buffers' sum,
 * added in order in double, so the result does not depend on scheduling) + beta * C. Returns 0,
 * having done nothing, when the buffers cannot be allocated. */
static int run_split_k(const cpu_gemm_one *one, int nt, const cpu_space *batch, int64_t nbatch,
                       char *const *base)
{
    const int64_t esz = (int64_t)ecl_dtype_size(one->dtype), mn = one->m * one->n;
    char *partial = ecl_malloc((size_t)(nt * mn * esz));
    if (!partial)
        return 0;
    cpu_odo it;
    cpu_odo_seek(&it, batch, 0, batch->nd, 0);
    for (int64_t t = 0; t < nbatch; t++, cpu_odo_next(&it, batch, 0, batch->nd)) {
        const char *a = base[1] + it.off[1] * esz, *b = base[2] + it.off[2] * esz;
        char *c = base[0] + it.off[0] * esz;
#pragma omp parallel for num_threads(nt) schedule(static, 1)
        for (int p = 0; p < nt; p++) {
            int64_t begin, end;
            cpu_chunk_range(one->k, nt, p, &begin, &end);
            cpu_gemm_one sub = *one;
            sub.k = end - begin, sub.alpha = 1.0, sub.beta = 0.0, sub.ldc = one->n;
            run_one(&sub, a + (one->trans_a ? begin * one->lda : begin) * esz,
                    b + (one->trans_b ? begin : begin * one->ldb) * esz, partial + p * mn * esz);
        }
        for (int64_t i = 0; i < one->m; i++)
            for (int64_t j = 0; j < one->n; j++) {
                double sum = 0, old = 0;
                for (int p = 0; p < nt; p++)
                    sum += one->dtype == ECL_F32 ? ((const float *)partial)[p * mn + i * one->n + j]
                                                 : ((const double *)partial)[p * mn + i * one->n + j];
                char *dst = c + (i * one->ldc + j) * esz;
                if (one->beta != 0.0)
                    old = one->dtype == ECL_F32 ? *(float *)dst : *(double *)dst;
                const double v = one->alpha * sum + (one->beta != 0.0 ? one->beta * old : 0.0);
                if (one->dtype == ECL_F32)
                    *(float *)dst = (float)v;
                else
                    *(double *)dst = v;
            }
    }
    ecl_free(partial);
    return 1;
}

/* The batch's products, each cut into `parts` blocks of C, over up to nt OpenMP threads. */
static void run_products(const cpu_gemm_one *one, const cpu_space *batch, int64_t nbatch,
                         int64_t parts, int nt, char *const *base)
{
    const int64_t esz = (int64_t)ecl_dtype_size(one->dtype), ntasks = nbatch * parts;
    if (nt > ntasks)
        nt = (int)ntasks;
    const double mnk = (double)one->m * (double)one->n * (double)one->k / (double)parts;
    const int64_t nchunks = cpu_chunk_count(ntasks, mnk < CPU_GRAIN ? (int64_t)mnk : CPU_GRAIN, nt);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int64_t chunk = 0; chunk < nchunks; chunk++) {
        int64_t begin, end;
        cpu_chunk_range(ntasks, nchunks, chunk, &begin, &end);
        cpu_odo it;
        cpu_odo_seek(&it, batch, 0, batch->nd, begin / parts);
        for (int64_t t = begin; t < end; t++) {
            if (t > begin && t % parts == 0)
                cpu_odo_next(&it, batch, 0, batch->nd);
            run_part(one, t % parts, parts, base[1] + it.off[1] * esz,
                     base[2] + it.off[2] * esz, base[0] + it.off[0] * esz);
        }
    }
}

static void run_batches(const ecl_cpu_backend *be, const cpu_gemm_one *one,
                        const cpu_space *batch, int64_t nbatch, char *const *base)
{
    const int nt = batch_threads(be, one, nbatch);
    const int64_t parts = product_parts(one, nbatch, nt);
    const int narrow = nbatch < nt && one->use_blas && parts == 1 && one->k >= nt * SPLIT_MIN_K;
    /* OpenBLAS runs on one thread, also for work too small to thread here (its own threshold
     * would still wake its pool for products of a few hundred thousand flops). */
    const int blas_threads = one->use_blas ? openblas_get_num_threads() : 1;
    if (blas_threads > 1)
        openblas_set_num_threads(1);
    const int split = narrow && run_split_k(one, nt, batch, nbatch, base);
    if (narrow && !split && blas_threads > 1) /* no memory for the split: OpenBLAS threads them */
        openblas_set_num_threads(blas_threads);
    if (!split)
        run_products(one, batch, nbatch, parts, narrow ? 1 : nt, base);
    if (blas_threads > 1)
        openblas_set_num_threads(blas_threads);
}

ecl_status ecl_cpu_gemm(ecl_backend *be, ecl_dtype dtype, const ecl_gemm_args *g, void *a,
                        int64_t a_offset, void *b, int64_t b_offset, void *c, int64_t c_offset,
                        double alpha, double beta)
{
    int64_t nbatch;
    ecl_status st = check_args(be, dtype, g, &nbatch);
    if (st || g->m == 0 || g->n == 0 || nbatch == 0)
        return st;
    if (!c || (g->k > 0 && (!a || !b)))
        return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "cpu gemm: %s memory is NULL",
                        !c ? "C" : !a ? "A" : "B");
    if (g->k == 0)
        return scale_c(be, dtype, g, c, c_offset, beta);

    cpu_gemm_one one = {.dtype = dtype, .trans_a = g->trans_a, .trans_b = g->trans_b,
                        .m = g->m, .n = g->n, .k = g->k, .alpha = alpha, .beta = beta};
    const int64_t lda = g->trans_a ? blas_ld(g->lda, g->k, g->m) : blas_ld(g->lda, g->m, g->k);
    const int64_t ldb = g->trans_b ? blas_ld(g->ldb, g->n, g->k) : blas_ld(g->ldb, g->k, g->n);
    const int64_t ldc = blas_ld(g->ldc, g->m, g->n);
    const int tiny = (double)g->m * (double)g->n * (double)g->k <= LOOP_GEMM_MAX_MNK;
    one.lda = g->lda, one.ldb = g->ldb, one.ldc = g->ldc;
    one.small = cpu_gemm_small_fits(&one);
    one.use_blas = !one.small && !tiny && lda > 0 && ldb > 0 && ldc > 0 && fits_blasint(g->m) &&
                   fits_blasint(g->n) && fits_blasint(g->k) && fits_blasint(lda) &&
                   fits_blasint(ldb) && fits_blasint(ldc);
    one.lda = one.use_blas ? lda : g->lda;
    one.ldb = one.use_blas ? ldb : g->ldb;
    one.ldc = one.use_blas ? ldc : g->ldc;

    cpu_space batch = {.nops = 3, .nd = g->nbatch, .nkeep = g->nbatch};
    for (int d = 0; d < g->nbatch; d++) {
        batch.shape[d] = g->batch_shape[d];
        batch.stride[0][d] = g->batch_stride_c[d];
        batch.stride[1][d] = g->batch_stride_a[d];
        batch.stride[2][d] = g->batch_stride_b[d];
    }
    cpu_space_simplify(&batch);
    const int64_t esz = (int64_t)ecl_dtype_size(dtype);
    char *const base[CPU_MAX_OPS] = {
        (char *)c + (c_offset + batch.offset[0]) * esz,
        (char *)a + (a_offset + batch.offset[1]) * esz,
        (char *)b + (b_offset + batch.offset[2]) * esz};
    run_batches((const ecl_cpu_backend *)be, &one, &batch, nbatch, base);
    return ECL_SUCCESS;
}
