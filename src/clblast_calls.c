/*
 * The CLBlast calls of the OpenCL GEMM step, in single or double precision: Xgemm (or Xgemv when
 * one side of a lone product is a vector), XgemmStridedBatched and XgemmBatched, all row-major on
 * the backend's queue with no event (so nothing waits; Xgemv's y is cleared first when beta == 0,
 * as Xgemv would multiply NaN by 0), and the mapping of CLBlast's status codes
 * to ecl_status with a message naming the routine, the code and the product's sizes. Calls are
 * serialised process-wide: ThreadSanitizer showed CLBlast 1.5's per-call database set-up writing
 * shared memory without a lock when contexts in different threads run GEMMs at once (CLBlast issue
 * 486 reports failures in that use); the calls only enqueue work, so the lock is held briefly.
 */
#include "clblast_gemm.h"
#include "clblast_tuning.h"

#include "opencl_kernels.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

static pthread_mutex_t clblast_lock = PTHREAD_MUTEX_INITIALIZER;

/* Xgemv for a lone matrix-vector product (1), or Xgemm for every product (0). */
#ifndef ECL_OCL_USE_GEMV
#define ECL_OCL_USE_GEMV 1
#endif

static const char *routine(const ocl_gemm_job *job, const char *suffix)
{
    static const char *const names[2][4] = {
        {"CLBlastSgemm", "CLBlastSgemv", "CLBlastSgemmStridedBatched", "CLBlastSgemmBatched"},
        {"CLBlastDgemm", "CLBlastDgemv", "CLBlastDgemmStridedBatched", "CLBlastDgemmBatched"}};
    int p = job->dtype == ECL_F64;
    int r = strcmp(suffix, "gemm") == 0 ? 0 : strcmp(suffix, "gemv") == 0 ? 1
          : strcmp(suffix, "strided") == 0 ? 2 : 3;
    return names[p][r];
}

static ecl_status fail(const ocl_gemm_job *job, CLBlastStatusCode code, const char *suffix)
{
    const char *call = routine(job, suffix), *name = ecl_clblast_status_name(code);
    ecl_error *err = job->be->base.err;
    ecl_status st;
    if (name) {
        st = code == CLBlastInsufficientMemoryTemp ? ECL_ERROR_OUT_OF_MEMORY
           : code == CLBlastNoDoublePrecision      ? ECL_ERROR_DTYPE
                                                   : ECL_ERROR_BACKEND;
        ecl_fail(err, st, "%s failed: %s (%d)", call, name, (int)code);
    } else {
        st = ecl_ocl_fail(job->be, (cl_int)code, call);
    }
    if (err) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used,
                 " for m=%lld n=%lld k=%lld, batch of %lld", (long long)job->m,
                 (long long)job->n, (long long)job->k, (long long)job->count);
    }
    return st;
}

ecl_status ocl_clblast_prepare(ocl_gemm_job *job)
{
    ecl_status st = ecl_clblast_load(job->be->base.err, &job->api);
    if (st == ECL_SUCCESS)
        ecl_clblast_apply_tuning(job->be, job->api);
    if (st == ECL_SUCCESS && job->dtype == ECL_F64 && !job->be->info.has_fp64)
        st = ecl_fail(job->be->base.err, ECL_ERROR_DTYPE,
                      "opencl gemm: float64 needs cl_khr_fp64, which %s lacks",
                      job->be->info.name);
    return st;
}

static CLBlastTranspose flag(int trans) { return trans ? CLBlastTransposeYes : CLBlastTransposeNo; }

/* C (m x 1) = op(A) b, or C (1 x n) = a op(B) computed as C^T = op(B)^T a^T. */
static CLBlastStatusCode gemv(const ocl_gemm_job *job, const int64_t *off, cl_command_queue *q)
{
    int mat = job->n == 1 ? 0 : 1, vec = 1 - mat;
    int mat_trans = mat == 0 ? job->trans_a : !job->trans_b;
    int64_t rows = mat == 0 ? (job->trans_a ? job->k : job->m) : (job->trans_b ? job->n : job->k);
    int64_t cols = mat == 0 ? (job->trans_a ? job->m : job->k) : (job->trans_b ? job->k : job->n);
    /* the vector's elements are one row (unit stride) or one column (ld stride) of its storage */
    int vec_is_column = vec == 1 ? !job->trans_b : job->trans_a;
    size_t inc_x = vec_is_column ? (size_t)job->ld[vec] : 1;
    size_t inc_y = job->n == 1 ? (size_t)job->ld[2] : 1;
    cl_mem A = job->mem[mat], X = job->mem[vec], Y = job->mem[2];
    size_t oa = (size_t)off[mat], ox = (size_t)off[vec], oy = (size_t)off[2];
    if (job->dtype == ECL_F32)
        return job->api->Sgemv(CLBlastLayoutRowMajor, flag(mat_trans), (size_t)rows,
                               (size_t)cols, (float)job->alpha, A, oa, (size_t)job->ld[mat], X, ox,
                               inc_x, (float)job->beta, Y, oy, inc_y, q, NULL);
    return job->api->Dgemv(CLBlastLayoutRowMajor, flag(mat_trans), (size_t)rows, (size_t)cols,
                           job->alpha, A, oa, (size_t)job->ld[mat], X, ox, inc_x, job->beta, Y,
                           oy, inc_y, q, NULL);
}

ecl_status ocl_clblast_single(const ocl_gemm_job *job, const int64_t *off)
{
    cl_command_queue queue = job->be->queue;
    const size_t m = (size_t)job->m, n = (size_t)job->n, k = (size_t)job->k;
    const size_t lda = (size_t)job->ld[0], ldb = (size_t)job->ld[1], ldc = (size_t)job->ld[2];
    CLBlastStatusCode code;
    if (ECL_OCL_USE_GEMV && (m == 1 || n == 1)) {
        if (job->beta == 0) { /* Xgemv computes beta * y even for beta == 0: clear y first */
            const int64_t shape[2] = {job->m, job->n}, stride[2] = {job->ld[2], 1};
            const ecl_strided y = {job->mem[2], off[2], 2, shape, stride};
            ecl_status st = ecl_ocl_scale(&job->be->base, job->dtype, &y, 0.0);
            if (st != ECL_SUCCESS)
                return st;
        }
        pthread_mutex_lock(&clblast_lock);
        code = gemv(job, off, &queue);
        pthread_mutex_unlock(&clblast_lock);
        return code == CLBlastSuccess ? ECL_SUCCESS : fail(job, code, "gemv");
    }
    pthread_mutex_lock(&clblast_lock);
    if (job->dtype == ECL_F32)
        code = job->api->Sgemm(CLBlastLayoutRowMajor, flag(job->trans_a), flag(job->trans_b), m,
                               n, k, (float)job->alpha, job->mem[0], (size_t)off[0], lda,
                               job->mem[1], (size_t)off[1], ldb, (float)job->beta, job->mem[2],
                               (size_t)off[2], ldc, &queue, NULL);
    else
        code = job->api->Dgemm(CLBlastLayoutRowMajor, flag(job->trans_a), flag(job->trans_b), m,
                               n, k, job->alpha, job->mem[0], (size_t)off[0], lda, job->mem[1],
                               (size_t)off[1], ldb, job->beta, job->mem[2], (size_t)off[2], ldc,
                               &queue, NULL);
    pthread_mutex_unlock(&clblast_lock);
    return code == CLBlastSuccess ? ECL_SUCCESS : fail(job, code, "gemm");
}

ecl_status ocl_clblast_strided(const ocl_gemm_job *job, const int64_t *off,
                               const ocl_batch_dim *dim)
{
    cl_command_queue queue = job->be->queue;
    const size_t m = (size_t)job->m, n = (size_t)job->n, k = (size_t)job->k;
    const size_t lda = (size_t)job->ld[0], ldb = (size_t)job->ld[1], ldc = (size_t)job->ld[2];
    const size_t sa = (size_t)dim->stride[0], sb = (size_t)dim->stride[1];
    const size_t sc = (size_t)dim->stride[2], count = (size_t)dim->size;
    CLBlastStatusCode code;
    pthread_mutex_lock(&clblast_lock);
    if (job->dtype == ECL_F32)
        code = job->api->SgemmStridedBatched(
            CLBlastLayoutRowMajor, flag(job->trans_a), flag(job->trans_b), m, n, k,
            (float)job->alpha, job->mem[0], (size_t)off[0], lda, sa, job->mem[1], (size_t)off[1],
            ldb, sb, (float)job->beta, job->mem[2], (size_t)off[2], ldc, sc, count, &queue, NULL);
    else
        code = job->api->DgemmStridedBatched(
            CLBlastLayoutRowMajor, flag(job->trans_a), flag(job->trans_b), m, n, k, job->alpha,
            job->mem[0], (size_t)off[0], lda, sa, job->mem[1], (size_t)off[1], ldb, sb, job->beta,
            job->mem[2], (size_t)off[2], ldc, sc, count, &queue, NULL);
    pthread_mutex_unlock(&clblast_lock);
    return code == CLBlastSuccess ? ECL_SUCCESS : fail(job, code, "strided");
}

ecl_status ocl_clblast_batched(const ocl_gemm_job *job, const size_t *offsets)
{
    const size_t count = (size_t)job->count;
    void *scalars = ecl_malloc(2 * count * sizeof(double));
    if (!scalars)
        return ecl_fail(job->be->base.err, ECL_ERROR_OUT_OF_MEMORY,
                        "opencl gemm: cannot allocate the scalars of %zu products", count);
    cl_command_queue queue = job->be->queue;
    const size_t m = (size_t)job->m, n = (size_t)job->n, k = (size_t)job->k;
    const size_t lda = (size_t)job->ld[0], ldb = (size_t)job->ld[1], ldc = (size_t)job->ld[2];
    const size_t *oa = offsets, *ob = offsets + count, *oc = offsets + 2 * count;
    CLBlastStatusCode code;
    pthread_mutex_lock(&clblast_lock);
    if (job->dtype == ECL_F32) {
        float *alphas = scalars, *betas = alphas + count;
        for (size_t i = 0; i < count; i++)
            alphas[i] = (float)job->alpha, betas[i] = (float)job->beta;
        code = job->api->SgemmBatched(CLBlastLayoutRowMajor, flag(job->trans_a),
                                      flag(job->trans_b), m, n, k, alphas, job->mem[0], oa, lda,
                                      job->mem[1], ob, ldb, betas, job->mem[2], oc, ldc, count,
                                      &queue, NULL);
    } else {
        double *alphas = scalars, *betas = alphas + count;
        for (size_t i = 0; i < count; i++)
            alphas[i] = job->alpha, betas[i] = job->beta;
        code = job->api->DgemmBatched(CLBlastLayoutRowMajor, flag(job->trans_a),
                                      flag(job->trans_b), m, n, k, alphas, job->mem[0], oa, lda,
                                      job->mem[1], ob, ldb, betas, job->mem[2], oc, ldc, count,
                                      &queue, NULL);
    }
    pthread_mutex_unlock(&clblast_lock);
    ecl_free(scalars);
    return code == CLBlastSuccess ? ECL_SUCCESS : fail(job, code, "batched");
}
