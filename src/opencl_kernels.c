/*
 * The kernel objects of one precision: created once per backend from the program of that
 * precision (program_cache.c), with the work-group sizes the device allows for each family, and
 * the scratch buffer chunked reductions keep their partial sums in; enqueueing a kernel.
 */
#include "opencl_launch.h"

#include <stdio.h>
#include <stdlib.h>
#include "alloc.h"

static const char *const kernel_names[ECL_K_COUNT] = {
    [ECL_K_COPY] = "ecl_copy",
    [ECL_K_TRANSPOSE] = "ecl_transpose",
    [ECL_K_MUL] = "ecl_mul",
    [ECL_K_SCALE] = "ecl_scale",
    [ECL_K_SUM] = "ecl_sum",
    [ECL_K_SUM_MUL] = "ecl_sum_mul",
    [ECL_K_SUM_PARTIALS] = "ecl_sum_partials",
    [ECL_K_SOFTMAX_ROWS] = "ecl_softmax_rows",
    [ECL_K_SOFTMAX_GROUP] = "ecl_softmax_group",
    [ECL_K_GEMM_NN] = "ecl_gemm_nn",
    [ECL_K_GEMM_NT] = "ecl_gemm_nt",
    [ECL_K_GEMM_TN] = "ecl_gemm_tn",
    [ECL_K_GEMM_TT] = "ecl_gemm_tt",
    [ECL_K_COPY_CONVERT] = "ecl_copy_convert",
    [ECL_K_COPY_FROM_F32] = "ecl_copy_from_f32",
    [ECL_K_COPY_TO_F32] = "ecl_copy_to_f32",
    [ECL_K_TRANSPOSE_FROM_F32] = "ecl_transpose_from_f32",
    [ECL_K_TRANSPOSE_TO_F32] = "ecl_transpose_to_f32",
};

/* Work-group sizes are capped here: larger groups buy nothing for these memory-bound kernels. */
#define WG_CAP 256
/* The transpose kernels' work-group: 32 x 8 items moving 32 x 32 tiles. */
#define TILED_WG 256
#define MAX_GROUPS ((size_t)1 << 22)
/* Work-groups along a range's second dimension: CUDA-based implementations allow 65535. */
#define MAX_GROUPS_DIM1 ((size_t)65535)

void ecl_ocl_kernels_destroy(struct ecl_ocl_kernels *k)
{
    if (!k)
        return;
    for (int i = 0; i < ECL_K_COUNT; i++)
        if (k->kernel[i])
            clReleaseKernel(k->kernel[i]);
    if (k->scratch)
        clReleaseMemObject(k->scratch);
    ecl_free(k);
}

/* The largest work-group the device runs kernel with. */
static ecl_status kernel_wg(ecl_ocl_backend *be, cl_kernel kernel, size_t *out)
{
    cl_int rc = clGetKernelWorkGroupInfo(kernel, be->device, CL_KERNEL_WORK_GROUP_SIZE,
                                         sizeof *out, out, NULL);
    if (rc != CL_SUCCESS)
        return ecl_ocl_fail(be, rc, "clGetKernelWorkGroupInfo(CL_KERNEL_WORK_GROUP_SIZE)");
    return ECL_SUCCESS;
}

static size_t floor_pow2(size_t v)
{
    size_t p = 1;
    while (p * 2 <= v)
        p *= 2;
    return p;
}

/* Work-group sizes: the smallest the device allows over each family, capped. */
static ecl_status choose_sizes(ecl_ocl_backend *be, struct ecl_ocl_kernels *k, int count)
{
    size_t ew = WG_CAP, sum = WG_CAP, tiled = TILED_WG;
    for (int i = 0; i < count; i++) {
        if (i == ECL_K_SOFTMAX_GROUP || (i >= ECL_K_GEMM_NN && i <= ECL_K_GEMM_TT))
            continue; /* their barriers and local arrays must not narrow the others' groups */
        size_t wg;
        ecl_status st = kernel_wg(be, k->kernel[i], &wg);
        if (st)
            return st;
        if (i == ECL_K_SUM || i == ECL_K_SUM_MUL)
            sum = wg < sum ? wg : sum;
        else if (i == ECL_K_TRANSPOSE || i >= ECL_K_TRANSPOSE_FROM_F32)
            tiled = wg < tiled ? wg : tiled;
        else
            ew = wg < ew ? wg : ew;
    }
    k->wg = floor_pow2(ew > 0 ? ew : 1);
    k->sum_wg = floor_pow2(sum > 0 ? sum : 1);
    k->tiled = tiled >= TILED_WG;
    /* Launches cover the work with one item per element (or tile, or output) up to a bound that
     * keeps NDRange sizes well inside every implementation's limits; the kernels loop beyond it.
     * (Loops striding over the whole range are fine on GPUs but ruin locality on CPU devices,
     * where one item's iterations run back to back.) */
    k->max_groups = MAX_GROUPS;
    k->max_groups_dim1 = MAX_GROUPS_DIM1;
    k->fill_groups = 16 * (size_t)(be->info.compute_units > 0 ? be->info.compute_units : 1);
    k->blocked = (be->info.type & CL_DEVICE_TYPE_CPU) != 0;
    return ECL_SUCCESS;
}

ecl_status ecl_ocl_kernels_get(ecl_ocl_backend *be, ecl_dtype dtype, struct ecl_ocl_kernels **out)
{
    const int index = dtype == ECL_F64;
    if (be->kernels[index]) {
        *out = be->kernels[index];
        return ECL_SUCCESS;
    }
    *out = NULL;
    cl_program program;
    ecl_status st = ecl_ocl_program_get(be, dtype, &program);
    if (st)
        return st;
    struct ecl_ocl_kernels *k = ecl_calloc(1, sizeof *k);
    if (!k)
        return ecl_fail(be->base.err, ECL_ERROR_OUT_OF_MEMORY, "opencl: out of host memory");
    const int count = dtype == ECL_F64 ? ECL_K_COUNT : ECL_K_COMMON_COUNT;
    for (int i = 0; i < count && !st; i++) {
        cl_int rc;
        k->kernel[i] = clCreateKernel(program, kernel_names[i], &rc);
        if (rc != CL_SUCCESS) {
            char call[64];
            snprintf(call, sizeof call, "clCreateKernel(%s)", kernel_names[i]);
            k->kernel[i] = NULL;
            st = ecl_ocl_fail(be, rc, call);
        }
    }
    if (!st)
        st = choose_sizes(be, k, count);
    if (st) {
        ecl_ocl_kernels_destroy(k);
        return st;
    }
    be->kernels[index] = k;
    *out = k;
    return ECL_SUCCESS;
}

ecl_status ecl_ocl_scratch_get(ecl_ocl_backend *be, struct ecl_ocl_kernels *k, size_t bytes,
                               cl_mem *out)
{
    if (k->scratch && k->scratch_bytes >= bytes) {
        *out = k->scratch;
        return ECL_SUCCESS;
    }
    if (k->scratch) {
        clReleaseMemObject(k->scratch);
        k->scratch = NULL;
        k->scratch_bytes = 0;
    }
    cl_int rc;
    cl_mem mem = clCreateBuffer(be->context, CL_MEM_READ_WRITE, bytes, NULL, &rc);
    if (rc != CL_SUCCESS)
        return ecl_ocl_fail(be, rc, "clCreateBuffer(reduction scratch)");
    k->scratch = mem;
    k->scratch_bytes = bytes;
    *out = mem;
    return ECL_SUCCESS;
}

ecl_status ecl_ocl_enqueue(ecl_ocl_backend *be, const struct ecl_ocl_kernels *k,
                           ecl_ocl_kernel_id id, const ecl_ocl_arg *args, int nargs, int dims,
                           const size_t *groups, const size_t *wg)
{
    char call[80];
    cl_int rc = CL_SUCCESS;
    for (int i = 0; i < nargs && rc == CL_SUCCESS; i++)
        rc = clSetKernelArg(k->kernel[id], (cl_uint)i, args[i].size, args[i].value);
    if (rc != CL_SUCCESS) {
        snprintf(call, sizeof call, "clSetKernelArg(%s)", kernel_names[id]);
        return ecl_ocl_fail(be, rc, call);
    }
    size_t global[2];
    for (int d = 0; d < dims; d++)
        global[d] = groups[d] * wg[d];
    rc = clEnqueueNDRangeKernel(be->queue, k->kernel[id], (cl_uint)dims, NULL, global, wg, 0,
                                NULL, NULL);
    if (rc != CL_SUCCESS) {
        snprintf(call, sizeof call, "clEnqueueNDRangeKernel(%s)", kernel_names[id]);
        return ecl_ocl_fail(be, rc, call);
    }
    return ECL_SUCCESS;
}
