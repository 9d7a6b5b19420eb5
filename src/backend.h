/*
 * The backend interface: what the executor needs from a device. Buffers (alloc, free, read,
 * write), and the primitives every plan step lowers to: strided copy (permute / diagonal gather /
 * dtype conversion), reduction over trailing axes, broadcast multiply with optional reduction
 * (elementwise, outer product, batched dot), batched GEMM with per-dimension batch strides, and
 * scale. All primitives compute dst = alpha * result + beta * dst; with beta == 0 dst is not read.
 * Beside them, the in-place row softmax that attention needs between its two einsums.
 * Work may be asynchronous; finish() waits. Implementations: backend_cpu.c (OpenBLAS + OpenMP).
 */
#ifndef ECL_BACKEND_H
#define ECL_BACKEND_H

#include "status.h"

/* A strided view of backend memory, resolved for execution. */
typedef struct ecl_strided {
    void *mem;              /* backend buffer handle (CPU: host pointer to the buffer's start) */
    int64_t offset;         /* element offset of element [0, ..., 0] from mem; strides may be < 0 */
    int ndim;
    const int64_t *shape;
    const int64_t *stride;  /* element strides, 0 for broadcast */
} ecl_strided;

/* Row-major batched GEMM: for every batch index, C = alpha * op(A) op(B) + beta * C, where C is
 * m x n with row stride ldc and column stride 1; op(A) is m x k, stored as m x k (lda, unit column
 * stride) or, when trans_a, as k x m; likewise op(B) is k x n, stored k x n or, when trans_b, n x k.
 * The batch is a multi-index over batch_shape; each batch dimension has its own element stride in
 * A, B and C (0 allowed in A or B for broadcasting). Sizes may be 0. compute is the plan's
 * ecl_compute: under a mode other than the default the operands hold values exact in that mode's
 * format (the planner rounded them), so a backend may multiply them in that format (tensor
 * cores) and still give the emulation's result; ECL_COMPUTE_DEFAULT (0) asks for exact products. */
typedef struct ecl_gemm_args {
    int trans_a, trans_b;
    int compute;
    int64_t m, n, k;
    int64_t lda, ldb, ldc;
    int nbatch;
    int64_t batch_shape[ECL_MAX_DIMS];
    int64_t batch_stride_a[ECL_MAX_DIMS];
    int64_t batch_stride_b[ECL_MAX_DIMS];
    int64_t batch_stride_c[ECL_MAX_DIMS];
} ecl_gemm_args;

typedef struct ecl_backend ecl_backend;

typedef struct ecl_backend_ops {
    void (*destroy)(ecl_backend *be);
    /* Device memory of at least bytes (bytes may be 0); contents undefined. */
    ecl_status (*alloc)(ecl_backend *be, size_t bytes, void **mem);
    void (*free)(ecl_backend *be, void *mem);
    /* Makes caller-owned host memory usable as a buffer without copying where possible. */
    ecl_status (*wrap_host)(ecl_backend *be, void *host, size_t bytes, void **mem);
    void (*unwrap)(ecl_backend *be, void *mem);
    ecl_status (*write)(ecl_backend *be, void *mem, size_t byte_offset, const void *src, size_t bytes);
    ecl_status (*read)(ecl_backend *be, void *mem, size_t byte_offset, void *dst, size_t bytes);
    ecl_status (*fill_zero)(ecl_backend *be, void *mem, size_t byte_offset, size_t bytes);
    /* Copies the first bytes of src into dst as the device copies memory (no kernel of ours):
     * what ecl_measure_ceilings times as the device's copy bandwidth. */
    ecl_status (*copy_bytes)(ecl_backend *be, void *dst, const void *src, size_t bytes);

    /* dst = alpha * src + beta * dst, same shape, any strides; converts src_dtype to dtype. */
    ecl_status (*copy)(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                       ecl_dtype src_dtype, const ecl_strided *src, double alpha, double beta);
    /* dst = alpha * sum over src's trailing (src.ndim - dst.ndim) axes + beta * dst; src's leading
     * dims have dst's shape. f32 accumulates in f64. */
    ecl_status (*reduce)(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                         const ecl_strided *src, double alpha, double beta);
    /* dst = alpha * sum over trailing axes of (a * b) + beta * dst; a and b have the same shape
     * (dst's shape followed by the summed axes), strides 0 where broadcast. */
    ecl_status (*mul)(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                      const ecl_strided *a, const ecl_strided *b, double alpha, double beta);
    ecl_status (*gemm)(ecl_backend *be, ecl_dtype dtype, const ecl_gemm_args *g,
                       void *a, int64_t a_offset, void *b, int64_t b_offset,
                       void *c, int64_t c_offset, double alpha, double beta);
    /* dst = beta * dst (beta == 0: dst = 0, not read). */
    ecl_status (*scale)(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double beta);
    /* In place along dst's last axis (one row per index of the other axes): with
     * v = scale * x + mask, x = exp(v - max(v)) / sum(exp(v - max(v))). dst has ndim >= 1 and no
     * two indices addressing one element. mask is NULL or has dst's ndim, shape and dtype, with
     * stride 0 where it broadcasts, and does not overlap dst. Rows of length 0 and zero rows are
     * no-ops; a row whose v are all -inf (or hold a NaN or +inf) becomes NaN. Sums accumulate in
     * f64 where the backend can afford it, never below the element precision. */
    ecl_status (*softmax)(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double scale,
                          const ecl_strided *mask);
    ecl_status (*finish)(ecl_backend *be);
} ecl_backend_ops;

struct ecl_backend {
    const ecl_backend_ops *ops;
    ecl_backend_kind kind;
    char device_name[256];
    ecl_error *err;  /* where failures are described (the owning context's error) */
};

/* CPU backend (backend_cpu.c). num_threads 0 = default. */
ecl_status ecl_backend_cpu_create(int num_threads, ecl_error *err, ecl_backend **out);

#endif /* ECL_BACKEND_H */
