/*
 * OpenCL memory: empty and oversized allocations (refused before OpenCL with both sizes named,
 * leaving the context usable), byte-offset reads, writes and zero fills, tensor round trips for
 * contiguous, strided, negative-stride, empty and 0-d tensors of both dtypes, host memory wrapped
 * with CL_MEM_USE_HOST_PTR (read, written, synchronised back on destroy), and the OpenCL error
 * names and status mapping. Expected values come from plain loops over host copies.
 */
#include <criterion/criterion.h>

#include "opencl_backend.h" /* first: it fixes the OpenCL target version */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "context.h"

static ecl_context *ctx;

static void open_ctx(void)
{
    unsetenv("ECL_BACKEND");
    ctx = ecl_test_context(ECL_BACKEND_OPENCL);
}

static void close_ctx(void)
{
    ecl_context_destroy(ctx);
    ctx = NULL;
}

TestSuite(opencl_buffers, .init = open_ctx, .fini = close_ctx);

static ecl_ocl_backend *backend(void) { return (ecl_ocl_backend *)ctx->backend; }

Test(opencl_buffers, empty_and_oversized_allocations)
{
    ecl_backend *be = ctx->backend;
    void *mem = NULL;
    cr_assert_eq(be->ops->alloc(be, 0, &mem), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    cr_expect_not_null(mem);
    be->ops->free(be, mem);

    uint64_t max = backend()->info.max_alloc;
    cr_assert_gt(max, 0);
    mem = (void *)&mem;
    cr_expect_eq(be->ops->alloc(be, (size_t)max + 1, &mem), ECL_ERROR_OUT_OF_MEMORY);
    cr_expect_null(mem);
    char a[32], b[32];
    snprintf(a, sizeof a, "%" PRIu64, max + 1);
    snprintf(b, sizeof b, "%" PRIu64, max);
    cr_expect_not_null(strstr(ecl_context_last_error(ctx), a), "%s", ecl_context_last_error(ctx));
    cr_expect_not_null(strstr(ecl_context_last_error(ctx), b), "%s", ecl_context_last_error(ctx));

    /* The same through the public API: a float32 tensor one element above the limit. */
    const int64_t too_big[2] = {(int64_t)(max / 4) + 1, 1};
    ecl_tensor *t = (ecl_tensor *)&mem;
    cr_expect_eq(ecl_tensor_create(ctx, ECL_F32, 2, too_big, &t), ECL_ERROR_OUT_OF_MEMORY);
    cr_expect_null(t);
    cr_expect_not_null(strstr(ecl_context_last_error(ctx), "CL_DEVICE_MAX_MEM_ALLOC_SIZE"));

    /* The context is still usable. */
    const int64_t shape[1] = {3};
    double v[3] = {1, -2, 3}, w[3];
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F64, 1, shape, &t), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_write(t, v, sizeof v), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_read(t, w, sizeof w), ECL_SUCCESS);
    cr_expect_eq(memcmp(v, w, sizeof v), 0);
    ecl_tensor_destroy(t);
}

Test(opencl_buffers, byte_ranges_and_zero_fills)
{
    ecl_backend *be = ctx->backend;
    enum { N = 45 };
    unsigned char pattern[N], got[N];
    for (int i = 0; i < N; i++)
        pattern[i] = (unsigned char)(0xA0 + i);
    void *mem = NULL;
    cr_assert_eq(be->ops->alloc(be, N, &mem), ECL_SUCCESS);
    /* Every (offset, length) alignment class, including odd ones. */
    const size_t ranges[][2] = {{0, N}, {3, 29}, {8, 16}, {1, 1}, {44, 1}, {6, 10}, {0, 0}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        size_t off = ranges[r][0], len = ranges[r][1];
        cr_assert_eq(be->ops->write(be, mem, 0, pattern, N), ECL_SUCCESS);
        cr_assert_eq(be->ops->fill_zero(be, mem, off, len), ECL_SUCCESS, "%s",
                     ecl_context_last_error(ctx));
        cr_assert_eq(be->ops->read(be, mem, 0, got, N), ECL_SUCCESS);
        for (size_t i = 0; i < N; i++) {
            int zeroed = i >= off && i < off + len;
            cr_expect_eq(got[i], zeroed ? 0 : pattern[i], "range %zu+%zu byte %zu", off, len, i);
        }
    }
    /* Partial writes and reads at byte offsets. */
    cr_assert_eq(be->ops->write(be, mem, 0, pattern, N), ECL_SUCCESS);
    const unsigned char middle[5] = {1, 2, 3, 4, 5};
    cr_assert_eq(be->ops->write(be, mem, 17, middle, 5), ECL_SUCCESS);
    unsigned char part[7];
    cr_assert_eq(be->ops->read(be, mem, 16, part, 7), ECL_SUCCESS);
    const unsigned char expect[7] = {pattern[16], 1, 2, 3, 4, 5, pattern[22]};
    cr_expect_eq(memcmp(part, expect, 7), 0);
    be->ops->free(be, mem);
}

/* Fills a host model and a tensor of the same base shape, writes a strided view of it through
 * ecl_tensor_write, and checks the base through ecl_tensor_read against the model. */
static void view_round_trip(ecl_dtype dtype, int64_t offset, int ndim, const int64_t *shape,
                            const int64_t *strides)
{
    const int64_t base_shape[1] = {96};
    size_t es = ecl_dtype_size(dtype);
    ecl_tensor *base = NULL, *view = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, dtype, 1, base_shape, &base), ECL_SUCCESS);
    double model[96];
    unsigned char bytes[96 * 8];
    for (int i = 0; i < 96; i++) {
        model[i] = i * 0.25 - 7;
        if (dtype == ECL_F32)
            ((float *)bytes)[i] = (float)model[i];
        else
            ((double *)bytes)[i] = model[i];
    }
    cr_assert_eq(ecl_tensor_write(base, bytes, 96 * es), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_view(base, offset, ndim, shape, strides, &view), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    int64_t numel = ecl_tensor_numel(view), idx[8] = {0};
    unsigned char packed[96 * 8], readback[96 * 8];
    for (int64_t i = 0; i < numel; i++) {
        double v = 1000 + (double)i;
        int64_t at = offset;
        for (int d = 0; d < ndim; d++)
            at += idx[d] * strides[d];
        model[at] = v;
        if (dtype == ECL_F32)
            ((float *)packed)[i] = (float)v;
        else
            ((double *)packed)[i] = v;
        for (int d = ndim - 1; d >= 0 && ++idx[d] == shape[d]; d--)
            idx[d] = 0;
    }
    cr_assert_eq(ecl_tensor_write(view, packed, (size_t)numel * es), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_assert_eq(ecl_tensor_read(view, readback, (size_t)numel * es), ECL_SUCCESS);
    cr_expect_eq(memcmp(readback, packed, (size_t)numel * es), 0, "view read back");
    cr_assert_eq(ecl_tensor_read(base, bytes, 96 * es), ECL_SUCCESS);
    for (int i = 0; i < 96; i++) {
        double got = dtype == ECL_F32 ? ((float *)bytes)[i] : ((double *)bytes)[i];
        cr_expect_eq(got, model[i], "%s element %d", ecl_dtype_name(dtype), i);
    }
    ecl_tensor_destroy(view);
    ecl_tensor_destroy(base);
}

Test(opencl_buffers, tensor_round_trips_through_views)
{
    for (int t = 0; t < 2; t++) {
        ecl_dtype dt = t ? ECL_F64 : ECL_F32;
        view_round_trip(dt, 0, 1, (const int64_t[]){96}, (const int64_t[]){1});
        view_round_trip(dt, 5, 2, (const int64_t[]){3, 4}, (const int64_t[]){10, 2});
        view_round_trip(dt, 95, 2, (const int64_t[]){4, 5}, (const int64_t[]){-20, -3});
        view_round_trip(dt, 7, 3, (const int64_t[]){2, 3, 4}, (const int64_t[]){1, 30, 7});
        view_round_trip(dt, 11, 0, NULL, NULL);
        view_round_trip(dt, 3, 2, (const int64_t[]){0, 4}, (const int64_t[]){4, 1});
    }
    /* A fresh tensor reads as zeros; an empty tensor transfers nothing. */
    const int64_t shape[3] = {2, 0, 3}, s2[2] = {4, 5};
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 3, shape, &t), ECL_SUCCESS);
    cr_expect_eq(ecl_tensor_read(t, NULL, 0), ECL_SUCCESS);
    ecl_tensor_destroy(t);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F64, 2, s2, &t), ECL_SUCCESS);
    double z[20];
    memset(z, 0x7f, sizeof z);
    cr_assert_eq(ecl_tensor_read(t, z, sizeof z), ECL_SUCCESS);
    for (int i = 0; i < 20; i++)
        cr_expect_eq(z[i], 0.0);
    cr_expect_eq(ecl_finish(ctx), ECL_SUCCESS);
    ecl_tensor_destroy(t);
}

Test(opencl_buffers, wrapped_host_memory)
{
    float host[24], got[24];
    for (int i = 0; i < 24; i++)
        host[i] = (float)i - 11.5f;
    const int64_t shape[2] = {4, 6};
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_tensor_wrap_host(ctx, ECL_F32, 2, shape, NULL, host, &t), ECL_SUCCESS, "%s",
                 ecl_context_last_error(ctx));
    cr_assert_eq(ecl_tensor_read(t, got, sizeof got), ECL_SUCCESS);
    cr_expect_eq(memcmp(got, host, sizeof got), 0);
    float put[24];
    for (int i = 0; i < 24; i++)
        put[i] = 50.0f - (float)i;
    cr_assert_eq(ecl_tensor_write(t, put, sizeof put), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_read(t, got, sizeof got), ECL_SUCCESS);
    cr_expect_eq(memcmp(got, put, sizeof got), 0);
    /* A view keeps the storage; the caller's memory holds the contents once both are gone. */
    ecl_tensor *row = NULL;
    const int64_t rshape[1] = {6};
    cr_assert_eq(ecl_tensor_view(t, 12, 1, rshape, NULL, &row), ECL_SUCCESS);
    ecl_tensor_destroy(t);
    const float fresh[6] = {7, 7, 7, 8, 8, 8};
    cr_assert_eq(ecl_tensor_write(row, fresh, sizeof fresh), ECL_SUCCESS);
    ecl_tensor_destroy(row);
    for (int i = 0; i < 24; i++)
        cr_expect_eq(host[i], i >= 12 && i < 18 ? fresh[i - 12] : put[i], "host element %d", i);

    /* A transposed (strided) wrap: reads follow the strides. */
    const int64_t tshape[2] = {6, 4}, tstrides[2] = {1, 6};
    cr_assert_eq(ecl_tensor_wrap_host(ctx, ECL_F32, 2, tshape, tstrides, host, &t), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_read(t, got, sizeof got), ECL_SUCCESS);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 4; j++)
            cr_expect_eq(got[i * 4 + j], host[j * 6 + i]);
    ecl_tensor_destroy(t);
    /* An empty wrap. */
    const int64_t empty[1] = {0};
    cr_assert_eq(ecl_tensor_wrap_host(ctx, ECL_F64, 1, empty, NULL, host, &t), ECL_SUCCESS);
    ecl_tensor_destroy(t);
}

Test(opencl_buffers, opencl_error_names_and_statuses)
{
    const char *seen[80] = {0};
    for (int code = -1; code >= -63; code--) {
        if (code <= -20 && code >= -29)
            continue; /* unassigned in OpenCL 1.2 */
        const char *name = ecl_ocl_error_name(code);
        cr_expect_eq(strncmp(name, "CL_", 3), 0, "code %d has no name", code);
        for (int k = 1; k < -code; k++)
            cr_expect(!seen[k] || strcmp(seen[k], name) != 0, "codes -%d and %d share %s", k, code, name);
        seen[-code] = name;
    }
    cr_expect_str_eq(ecl_ocl_error_name(CL_OUT_OF_RESOURCES), "CL_OUT_OF_RESOURCES");
    cr_expect_str_eq(ecl_ocl_error_name(-9999), "unknown OpenCL error");

    ecl_ocl_backend *be = backend();
    cr_expect_eq(ecl_ocl_fail(be, CL_MEM_OBJECT_ALLOCATION_FAILURE, "clEnqueueNDRangeKernel"),
                 ECL_ERROR_OUT_OF_MEMORY);
    cr_expect_str_eq(ecl_context_last_error(ctx),
                     "clEnqueueNDRangeKernel failed: CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)");
    cr_expect_eq(ecl_ocl_fail(be, CL_OUT_OF_HOST_MEMORY, "clFinish"), ECL_ERROR_OUT_OF_MEMORY);
    cr_expect_eq(ecl_ocl_fail(be, CL_OUT_OF_RESOURCES, "clCreateBuffer(64 bytes)"),
                 ECL_ERROR_OUT_OF_MEMORY);
    cr_expect_eq(ecl_ocl_fail(be, CL_OUT_OF_RESOURCES, "clEnqueueNDRangeKernel"), ECL_ERROR_BACKEND);
    cr_expect_str_eq(ecl_context_last_error(ctx),
                     "clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5)");
    cr_expect_eq(ecl_ocl_fail(be, CL_INVALID_KERNEL_ARGS, "clEnqueueNDRangeKernel"),
                 ECL_ERROR_BACKEND);
}

Test(opencl_buffers, context_stays_usable_after_a_failed_execution)
{
    const int64_t shape[2] = {3, 4};
    double a64[12];
    float a32[12];
    for (int i = 0; i < 12; i++)
        a32[i] = (float)(a64[i] = i % 5 - 2.0);
    ecl_tensor *t64 = NULL, *t32 = NULL, *out = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F64, 2, shape, &t64), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 2, shape, &t32), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_write(t64, a64, sizeof a64), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_write(t32, a32, sizeof a32), ECL_SUCCESS);
    /* As on a device without cl_khr_fp64 (before the float64 kernels were ever built). */
    int had_fp64 = backend()->info.has_fp64;
    backend()->info.has_fp64 = 0;
    if (backend()->program[1])
        cr_skip_test("float64 kernels already built");
    cr_expect_eq(ecl_einsum_alloc(ctx, "ij->i", 1, (const ecl_tensor *const *)&t64, &out),
                 ECL_ERROR_DTYPE);
    cr_expect_null(out);
    cr_expect_not_null(strstr(ecl_context_last_error(ctx), "cl_khr_fp64"), "%s",
                       ecl_context_last_error(ctx));
    backend()->info.has_fp64 = had_fp64;
    /* The same context then runs a float32 einsum correctly. */
    cr_assert_eq(ecl_einsum_alloc(ctx, "ij->i", 1, (const ecl_tensor *const *)&t32, &out),
                 ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    float sums[3];
    cr_assert_eq(ecl_tensor_read(out, sums, sizeof sums), ECL_SUCCESS);
    for (int i = 0; i < 3; i++) {
        float e = 0;
        for (int j = 0; j < 4; j++)
            e += a32[i * 4 + j];
        cr_expect_float_eq(sums[i], e, 1e-6f, "row %d", i);
    }
    ecl_tensor_destroy(out);
    ecl_tensor_destroy(t32);
    ecl_tensor_destroy(t64);
}
