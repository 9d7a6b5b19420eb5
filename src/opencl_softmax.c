/*
 * The OpenCL backend's row softmax (kernels/softmax.cl), host side: builds the row space (shared
 * with the CPU backend), then picks the kernel by row length and device: rows of at least
 * GROUP_MIN_ROW elements get a work-group each (on GPUs; on CPU devices only when there are too
 * few rows to give every compute unit work), shorter rows a work-item each. Nothing waits.
 */
#include "opencl_launch.h"
#include "softmax_space.h"

/* Rows shorter than this are one work-item's work; longer ones a work-group's. */
#define GROUP_MIN_ROW 64
/* The group kernel's local tree holds this many items (ECL_SOFTMAX_WG in softmax.cl). */
#define GROUP_WG_MAX 256
#define ROWS_WG_MAX 64

static size_t floor_pow2(size_t v)
{
    size_t p = 1;
    while (p * 2 <= v)
        p *= 2;
    return p;
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* Work-group of the group kernel: a power of two, at most a quarter of the row (so that each
 * item reads a few elements), at most what the device runs the kernel with. */
static ecl_status group_size(ecl_ocl_backend *be, const struct ecl_ocl_kernels *k, int64_t n,
                             size_t *wg)
{
    size_t device_max = 0;
    cl_int rc = clGetKernelWorkGroupInfo(k->kernel[ECL_K_SOFTMAX_GROUP], be->device,
                                         CL_KERNEL_WORK_GROUP_SIZE, sizeof device_max,
                                         &device_max, NULL);
    if (rc != CL_SUCCESS)
        return ecl_ocl_fail(be, rc, "clGetKernelWorkGroupInfo(ecl_softmax_group)");
    size_t want = n / 4 > 32 ? (size_t)(n / 4) : 32;
    *wg = floor_pow2(min_size(min_size(want, GROUP_WG_MAX), device_max > 0 ? device_max : 1));
    return ECL_SUCCESS;
}

ecl_status ecl_ocl_softmax(ecl_backend *base, ecl_dtype dtype, const ecl_strided *dst,
                           double scale, const ecl_strided *mask)
{
    ecl_ocl_backend *be = (ecl_ocl_backend *)base;
    ecl_status st = ecl_softmax_check(base, "opencl softmax", dtype, dst, mask);
    cpu_space sp;
    if (st || !ecl_softmax_space(&sp, dst, mask))
        return st;
    struct ecl_ocl_kernels *k;
    ecl_ocl_space space;
    if ((st = ecl_ocl_kernels_get(be, dtype, &k)) ||
        (st = ecl_ocl_space_pack(be, "softmax", &sp, &space)))
        return st;
    const int64_t n = sp.shape[sp.nd - 1];
    const int64_t nrows = space.nrows;
    const int cpu_device = (be->info.type & CL_DEVICE_TYPE_CPU) != 0;
    const int per_group =
        n >= GROUP_MIN_ROW && (!cpu_device || nrows < (int64_t)k->fill_groups);
    ecl_ocl_kernel_id id = per_group ? ECL_K_SOFTMAX_GROUP : ECL_K_SOFTMAX_ROWS;
    size_t wg, groups;
    if (per_group) {
        if ((st = group_size(be, k, n, &wg)))
            return st;
        groups = (size_t)nrows;
    } else {
        wg = min_size(k->wg, ROWS_WG_MAX);
        groups = (size_t)((nrows + (int64_t)wg - 1) / (int64_t)wg);
    }
    groups = min_size(groups, k->max_groups);
    const cl_mem x = (cl_mem)dst->mem, m = mask ? (cl_mem)mask->mem : x;
    const ecl_ocl_scalar s = ecl_ocl_scalar_of(dtype, scale);
    const cl_int has_mask = mask != NULL;
    const ecl_ocl_arg args[] = {{sizeof x, &x}, {sizeof m, &m}, {sizeof space, &space},
                                {s.size, &s.v}, {sizeof has_mask, &has_mask}};
    return ecl_ocl_enqueue(be, k, id, args, 5, 1, &groups, &wg);
}
