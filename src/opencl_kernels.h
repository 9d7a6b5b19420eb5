/*
 * The OpenCL backend's kernels, host side: the kernel objects of one precision (created once per
 * backend from its program and kept in be->kernels[]; opencl_kernels.c) and the strided backend
 * operations built on them (opencl_ops.c), which backend_opencl.c wires into the ops table.
 */
#ifndef ECL_OPENCL_KERNELS_H
#define ECL_OPENCL_KERNELS_H

#include "opencl_backend.h"

typedef enum ecl_ocl_kernel_id {
    ECL_K_COPY,
    ECL_K_TRANSPOSE,
    ECL_K_MUL,
    ECL_K_SCALE,
    ECL_K_SUM,
    ECL_K_SUM_MUL,
    ECL_K_SUM_PARTIALS,
    ECL_K_SOFTMAX_ROWS,   /* kernels/softmax.cl: one work-item per row */
    ECL_K_SOFTMAX_GROUP,  /* kernels/softmax.cl: one work-group per row (sizes its own groups) */
    ECL_K_GEMM_NN,        /* kernels/gemm_batched.cl, in the order NN, NT, TN, TT (fixed groups) */
    ECL_K_GEMM_NT,
    ECL_K_GEMM_TN,
    ECL_K_GEMM_TT,
    ECL_K_COPY_CONVERT,   /* kernels/copy.cl: 16-bit and rounding conversions (both programs) */
    ECL_K_COMMON_COUNT,  /* kernels above exist in both programs; below, only in the f64 one */
    ECL_K_COPY_FROM_F32 = ECL_K_COMMON_COUNT,
    ECL_K_COPY_TO_F32,
    ECL_K_TRANSPOSE_FROM_F32,
    ECL_K_TRANSPOSE_TO_F32,
    ECL_K_COUNT
} ecl_ocl_kernel_id;

struct ecl_ocl_kernels {
    cl_kernel kernel[ECL_K_COUNT];  /* NULL where the program has no such kernel */
    size_t wg;          /* work-group size of the elementwise kernels: a power of two */
    size_t sum_wg;      /* work-group size of the sum kernels: a power of two */
    int tiled;          /* the transpose kernels run with 256-item work-groups */
    size_t max_groups;  /* most work-groups per launch; kernels loop over the rest */
    size_t max_groups_dim1; /* most along the second dimension of a two-dimensional range */
    size_t fill_groups; /* work-groups that keep every compute unit busy */
    int blocked;        /* CPU device: the items sharing a sum take contiguous blocks */
    cl_mem scratch;     /* partial sums of chunked reductions, grown on demand */
    size_t scratch_bytes;
};

/* Releases the kernels and the scratch buffer; accepts NULL. Called by the backend's destroy. */
void ecl_ocl_kernels_destroy(struct ecl_ocl_kernels *k);
/* A scratch buffer of at least bytes. Commands already enqueued on the older, smaller buffer
 * keep it alive (OpenCL defers the release), so the in-order queue makes reuse safe. */
ecl_status ecl_ocl_scratch_get(ecl_ocl_backend *be, struct ecl_ocl_kernels *k, size_t bytes,
                               cl_mem *out);

/* The backend's strided operations (opencl_ops.c), with the signatures of ecl_backend_ops. */
ecl_status ecl_ocl_copy(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                        ecl_dtype src_dtype, const ecl_strided *src, double alpha, double beta);
ecl_status ecl_ocl_reduce(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                          const ecl_strided *src, double alpha, double beta);
ecl_status ecl_ocl_mul(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst,
                       const ecl_strided *a, const ecl_strided *b, double alpha, double beta);
ecl_status ecl_ocl_scale(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double beta);
/* In-place row softmax (opencl_softmax.c), the softmax op of ecl_backend_ops. */
ecl_status ecl_ocl_softmax(ecl_backend *be, ecl_dtype dtype, const ecl_strided *dst, double scale,
                           const ecl_strided *mask);

#endif /* ECL_OPENCL_KERNELS_H */
