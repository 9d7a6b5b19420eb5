/*
 * Enqueueing the elementwise kernel families on a simplified space: copies (the tiled transpose
 * kernel where the source's fastest dim is not the destination's, else the strided elementwise
 * kernel; float32 <-> float64 conversions through the f64 program's variants), products with
 * nothing summed, and scaling.
 */
#include "opencl_launch.h"

#include "dtype_internal.h"

/* Tile edge of the transpose kernels, and the smallest extent worth a tile. */
#define TILE 32
#define TILE_MIN 8
#define TILED_WG 256

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static size_t ceil_div(int64_t n, int64_t d) { return (size_t)((n + d - 1) / d); }

static size_t capped(size_t groups, size_t cap)
{
    return groups < cap ? (groups > 0 ? groups : 1) : cap;
}

/* Work-group width along the innermost dim: narrower for short dims, so that their rows do not
 * leave most items idle; few distinct shapes, since CPU implementations compile a kernel anew
 * for each work-group shape. */
static size_t group_width(const struct ecl_ocl_kernels *k, int64_t ninner)
{
    size_t w = ninner <= 4 ? 4 : ninner <= 16 ? 16 : k->wg;
    return w < k->wg ? w : k->wg;
}

/* Elementwise launch on a two-dimensional range: the innermost dim across dimension 0, rows
 * across dimension 1. */
static ecl_status run_elementwise(ecl_ocl_backend *be, const struct ecl_ocl_kernels *k,
                                  ecl_ocl_kernel_id id, const char *op, const cpu_space *sp,
                                  const cl_mem *mems, int nmem, const ecl_ocl_scalar *scalars,
                                  int nscalars, const cl_int *ints, int nints)
{
    ecl_ocl_space space;
    ecl_status st = ecl_ocl_space_pack(be, op, sp, &space);
    if (st)
        return st;
    ecl_ocl_arg args[8];
    int nargs = 0;
    for (int i = 0; i < nmem; i++)
        args[nargs++] = (ecl_ocl_arg){sizeof(cl_mem), &mems[i]};
    args[nargs++] = (ecl_ocl_arg){sizeof space, &space};
    for (int i = 0; i < nscalars; i++)
        args[nargs++] = (ecl_ocl_arg){scalars[i].size, &scalars[i].v};
    for (int i = 0; i < nints; i++)
        args[nargs++] = (ecl_ocl_arg){sizeof(cl_int), &ints[i]};
    const int64_t ninner = space.shape[space.nd - 1];
    size_t wg[2], groups[2];
    wg[0] = group_width(k, ninner);
    wg[1] = k->wg / wg[0];
    groups[0] = capped(ceil_div(ninner, (int64_t)wg[0]), k->max_groups);
    groups[1] = capped(ceil_div(space.nrows, (int64_t)wg[1]), k->max_groups_dim1);
    return ecl_ocl_enqueue(be, k, id, args, nargs, 2, groups, wg);
}

/* The dims a tiled transpose runs over: di, the destination's fastest (innermost after
 * simplifying), and dj, the source's fastest among the others, when dj is faster than di in the
 * source and both are long enough to fill tiles. */
static int tile_dims(const cpu_space *sp, int *di, int *dj)
{
    if (sp->nd < 2)
        return 0;
    const int i = sp->nd - 1;
    int j = -1;
    for (int d = 0; d < i; d++)
        if (sp->stride[1][d] != 0 && (j < 0 || abs64(sp->stride[1][d]) < abs64(sp->stride[1][j])))
            j = d;
    if (j < 0 || abs64(sp->stride[1][j]) >= abs64(sp->stride[1][i]))
        return 0;
    if (sp->shape[i] < TILE_MIN || sp->shape[j] < TILE_MIN)
        return 0;
    *di = i;
    *dj = j;
    return 1;
}

static ecl_status run_transpose(ecl_ocl_backend *be, const struct ecl_ocl_kernels *k,
                                ecl_ocl_kernel_id id, const cpu_space *sp, int di, int dj,
                                cl_mem dst, cl_mem src, const ecl_ocl_scalar *scalars)
{
    cpu_space batch = *sp;
    batch.nd = 0;
    for (int d = 0; d < sp->nd; d++) {
        if (d == di || d == dj)
            continue;
        batch.shape[batch.nd] = sp->shape[d];
        for (int o = 0; o < sp->nops; o++)
            batch.stride[o][batch.nd] = sp->stride[o][d];
        batch.nd++;
    }
    batch.nkeep = batch.nd;
    ecl_ocl_space space;
    ecl_status st = ecl_ocl_space_pack(be, "copy", &batch, &space);
    if (st)
        return st;
    const cl_long nbatch = cpu_space_count(&batch, 0, batch.nd);
    const cl_long ni = sp->shape[di], nj = sp->shape[dj];
    const cl_long dst_si = sp->stride[0][di], dst_sj = sp->stride[0][dj];
    const cl_long src_si = sp->stride[1][di], src_sj = sp->stride[1][dj];
    const ecl_ocl_arg args[] = {
        {sizeof dst, &dst},       {sizeof src, &src},       {sizeof space, &space},
        {sizeof nbatch, &nbatch}, {sizeof ni, &ni},         {sizeof nj, &nj},
        {sizeof dst_si, &dst_si}, {sizeof dst_sj, &dst_sj}, {sizeof src_si, &src_si},
        {sizeof src_sj, &src_sj}, {scalars[0].size, &scalars[0].v},
        {scalars[1].size, &scalars[1].v},
    };
    const size_t tiles = ceil_div(ni, TILE) * ceil_div(nj, TILE) * (size_t)nbatch;
    const size_t groups = capped(tiles, k->max_groups), wg = TILED_WG;
    return ecl_ocl_enqueue(be, k, id, args, (int)(sizeof args / sizeof args[0]), 1, &groups,
                           &wg);
}

/* The ECL_T_* code of kernels/copy.cl for what a buffer of dtype holds, in the program of calc. */
static cl_int convert_type(ecl_dtype dtype, ecl_dtype calc)
{
    if (dtype == calc)
        return 0;
    switch ((int)dtype) {
    case ECL_F16: return 1;
    case ECL_BF16: return 2;
    case (int)ECL_F32_ROUND_TF32: return 4;
    case (int)ECL_F32_ROUND_F16: return 5;
    case (int)ECL_F32_ROUND_BF16: return 6;
    }
    return 3; /* float32 in the f64 program */
}

/* Copies that involve a 16-bit or rounding dtype: one elementwise kernel taking type codes, in
 * the f32 program unless a side is float64. */
static ecl_status launch_convert(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                                 ecl_dtype src_dtype, cl_mem dst, cl_mem src, double alpha,
                                 double beta)
{
    const ecl_dtype calc = dtype == ECL_F64 || src_dtype == ECL_F64 ? ECL_F64 : ECL_F32;
    struct ecl_ocl_kernels *k;
    ecl_status st = ecl_ocl_kernels_get(be, calc, &k);
    if (st)
        return st;
    const ecl_ocl_scalar scalars[2] = {ecl_ocl_scalar_of(calc, alpha),
                                       ecl_ocl_scalar_of(calc, beta)};
    const cl_int types[2] = {convert_type(dtype, calc), convert_type(src_dtype, calc)};
    const cl_mem mems[2] = {dst, src};
    return run_elementwise(be, k, ECL_K_COPY_CONVERT, "copy", sp, mems, 2, scalars, 2, types, 2);
}

ecl_status ecl_ocl_launch_copy(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                               ecl_dtype src_dtype, cl_mem dst, cl_mem src, double alpha,
                               double beta)
{
    if (ecl_dtype_storage(dtype) != dtype || ecl_dtype_is_16bit(dtype) ||
        ecl_dtype_is_16bit(src_dtype))
        return launch_convert(be, sp, dtype, src_dtype, dst, src, alpha, beta);
    /* Conversions run in the f64 program, in double. */
    const ecl_dtype calc = src_dtype == dtype ? dtype : ECL_F64;
    struct ecl_ocl_kernels *k;
    ecl_status st = ecl_ocl_kernels_get(be, calc, &k);
    if (st)
        return st;
    ecl_ocl_kernel_id copy = ECL_K_COPY, transpose = ECL_K_TRANSPOSE;
    if (src_dtype != dtype) {
        copy = dtype == ECL_F64 ? ECL_K_COPY_FROM_F32 : ECL_K_COPY_TO_F32;
        transpose = dtype == ECL_F64 ? ECL_K_TRANSPOSE_FROM_F32 : ECL_K_TRANSPOSE_TO_F32;
    }
    const ecl_ocl_scalar scalars[2] = {ecl_ocl_scalar_of(calc, alpha),
                                       ecl_ocl_scalar_of(calc, beta)};
    int di, dj;
    if (k->tiled && tile_dims(sp, &di, &dj))
        return run_transpose(be, k, transpose, sp, di, dj, dst, src, scalars);
    const cl_mem mems[2] = {dst, src};
    return run_elementwise(be, k, copy, "copy", sp, mems, 2, scalars, 2, NULL, 0);
}

ecl_status ecl_ocl_launch_mul(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                              cl_mem dst, cl_mem a, cl_mem b, double alpha, double beta)
{
    struct ecl_ocl_kernels *k;
    ecl_status st = ecl_ocl_kernels_get(be, dtype, &k);
    if (st)
        return st;
    const ecl_ocl_scalar scalars[2] = {ecl_ocl_scalar_of(dtype, alpha),
                                       ecl_ocl_scalar_of(dtype, beta)};
    const cl_mem mems[3] = {dst, a, b};
    return run_elementwise(be, k, ECL_K_MUL, "mul", sp, mems, 3, scalars, 2, NULL, 0);
}

ecl_status ecl_ocl_launch_scale(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                                cl_mem dst, double beta)
{
    struct ecl_ocl_kernels *k;
    ecl_status st = ecl_ocl_kernels_get(be, dtype, &k);
    if (st)
        return st;
    const ecl_ocl_scalar scalar = ecl_ocl_scalar_of(dtype, beta);
    return run_elementwise(be, k, ECL_K_SCALE, "scale", sp, &dst, 1, &scalar, 1, NULL, 0);
}
