/*
 * OpenCL interop (einsumcl_opencl.h): a context over the caller's in-order queue (and the refusal
 * of out-of-order ones), tensors over the caller's cl_mem with offsets and strides, bounds and
 * ownership checks, an einsum whose result the caller reads on its own queue, and reference counts
 * checked so that every retain is balanced by a release. Skips visibly without an OpenCL device.
 */
#include <criterion/criterion.h>

#include "opencl_raw.h" /* first: it fixes the OpenCL target version */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend_select.h"
#include "einsumcl.h"
#include "einsumcl_opencl.h"

static void clean_env(void)
{
    unsetenv("ECL_BACKEND");
    unsetenv("ECL_DEVICE");
    ecl_test_use_kernel_cache();
}

TestSuite(opencl_interop, .init = clean_env);

typedef struct caller_cl {
    cl_context context;
    cl_command_queue queue;
    cl_device_id device;
} caller_cl;

static caller_cl open_caller(cl_command_queue_properties props)
{
    raw_device raw[64];
    raw_devices(raw, 64);
    caller_cl c = {.device = raw[0].device};
    cl_int rc;
    c.context = clCreateContext(NULL, 1, &c.device, NULL, NULL, &rc);
    cr_assert_eq(rc, CL_SUCCESS, "clCreateContext: %d", rc);
    c.queue = clCreateCommandQueue(c.context, c.device, props, &rc);
    if (rc != CL_SUCCESS) {
        clReleaseContext(c.context);
        c.context = NULL;
        c.queue = NULL;
    }
    return c;
}

static cl_uint refs_of_queue(cl_command_queue q)
{
    cl_uint n = 0;
    clGetCommandQueueInfo(q, CL_QUEUE_REFERENCE_COUNT, sizeof n, &n, NULL);
    return n;
}

/* The queue's reference count once it settles at want (PoCL's completed commands release their
 * queue reference asynchronously), waiting up to about two seconds. */
static cl_uint settled_refs_of_queue(cl_command_queue q, cl_uint want)
{
    clFinish(q);
    cl_uint n = refs_of_queue(q);
    for (int i = 0; i < 200 && n != want; i++) {
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        n = refs_of_queue(q);
    }
    return n;
}

static cl_uint refs_of_context(cl_context c)
{
    cl_uint n = 0;
    clGetContextInfo(c, CL_CONTEXT_REFERENCE_COUNT, sizeof n, &n, NULL);
    return n;
}

static cl_uint refs_of_mem(cl_mem m)
{
    cl_uint n = 0;
    clGetMemObjectInfo(m, CL_MEM_REFERENCE_COUNT, sizeof n, &n, NULL);
    return n;
}

Test(opencl_interop, context_over_the_callers_queue)
{
    caller_cl c = open_caller(0);
    cr_assert_not_null(c.queue);
    cl_uint q0 = refs_of_queue(c.queue), c0 = refs_of_context(c.context);
    ecl_context *ctx = NULL;
    cr_assert_eq(ecl_context_create_from_queue(c.queue, &ctx), ECL_SUCCESS, "%s",
                 ecl_last_create_error());
    cr_expect_eq(ecl_context_backend(ctx), ECL_BACKEND_OPENCL);
    cr_expect_eq(ecl_context_cl_queue(ctx), c.queue);
    cr_expect_eq(refs_of_queue(c.queue), q0 + 1);
    cr_expect_eq(refs_of_context(c.context), c0 + 1);

    /* Work on the caller's queue: a tensor round trip. */
    const int64_t shape[2] = {3, 5};
    float in[15], out[15];
    for (int i = 0; i < 15; i++)
        in[i] = (float)i * 0.5f - 3.0f;
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 2, shape, &t), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_write(t, in, sizeof in), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_read(t, out, sizeof out), ECL_SUCCESS);
    cr_expect_eq(memcmp(in, out, sizeof in), 0);
    cl_mem mem = ecl_tensor_cl_mem(t);
    cr_assert_not_null(mem);
    cl_context owner = NULL;
    clGetMemObjectInfo(mem, CL_MEM_CONTEXT, sizeof owner, &owner, NULL);
    cr_expect_eq(owner, c.context, "tensors must live in the caller's context");
    ecl_tensor_destroy(t);
    ecl_context_destroy(ctx);
    cr_expect_eq(settled_refs_of_queue(c.queue, q0), q0, "the queue reference must be released");
    cr_expect_eq(refs_of_context(c.context), c0, "the context reference must be released");
    clReleaseCommandQueue(c.queue);
    clReleaseContext(c.context);

    cr_expect_eq(ecl_context_create_from_queue(NULL, &ctx), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_null(ctx);
    cr_expect_eq(ecl_context_create_from_queue(c.queue, NULL), ECL_ERROR_INVALID_ARGUMENT);
}

Test(opencl_interop, callers_references_may_go_first)
{
    caller_cl c = open_caller(0);
    cr_assert_not_null(c.queue);
    ecl_context *ctx = NULL;
    cr_assert_eq(ecl_context_create_from_queue(c.queue, &ctx), ECL_SUCCESS);
    clReleaseCommandQueue(c.queue); /* the context keeps its own references */
    clReleaseContext(c.context);
    double v = 2.5, back = 0;
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F64, 0, NULL, &t), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_write(t, &v, sizeof v), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_read(t, &back, sizeof back), ECL_SUCCESS);
    cr_expect_eq(back, v);
    ecl_tensor_destroy(t);
    ecl_context_destroy(ctx);
}

Test(opencl_interop, out_of_order_queue_is_rejected)
{
    caller_cl c = open_caller(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
    if (!c.queue)
        cr_skip_test("the device has no out-of-order queues");
    ecl_context *ctx = NULL;
    cr_expect_eq(ecl_context_create_from_queue(c.queue, &ctx), ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_null(ctx);
    cr_expect_not_null(strstr(ecl_last_create_error(), "in-order"), "%s", ecl_last_create_error());
    clReleaseCommandQueue(c.queue);
    clReleaseContext(c.context);
}

Test(opencl_interop, wrapping_the_callers_cl_mem)
{
    caller_cl c = open_caller(0);
    cr_assert_not_null(c.queue);
    ecl_context *ctx = NULL;
    cr_assert_eq(ecl_context_create_from_queue(c.queue, &ctx), ECL_SUCCESS);
    float host[40];
    for (int i = 0; i < 40; i++)
        host[i] = (float)(i * i % 17) - 8.0f;
    cl_int rc;
    cl_mem buf = clCreateBuffer(c.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof host,
                                host, &rc);
    cr_assert_eq(rc, CL_SUCCESS);
    cl_uint r0 = refs_of_mem(buf);

    /* A 3 x 4 view with a row pitch of 7, starting at element 5; then its transpose. */
    const int64_t shape[2] = {3, 4}, strides[2] = {7, 1};
    ecl_tensor *t = NULL;
    cr_assert_eq(ecl_tensor_wrap_cl_mem(ctx, buf, ECL_F32, 2, shape, strides, 5, &t), ECL_SUCCESS,
                 "%s", ecl_context_last_error(ctx));
    cr_expect_eq(refs_of_mem(buf), r0 + 1, "the tensor must retain the buffer");
    cr_expect_eq(ecl_tensor_cl_mem(t), buf);
    cr_expect_eq(ecl_tensor_cl_offset(t), 5);
    float got[12];
    cr_assert_eq(ecl_tensor_read(t, got, sizeof got), ECL_SUCCESS);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++)
            cr_expect_eq(got[i * 4 + j], host[5 + 7 * i + j], "[%d][%d]", i, j);

    /* Writing through the view changes exactly the addressed elements of the buffer. */
    float put[12], raw[40];
    for (int i = 0; i < 12; i++)
        put[i] = 100.0f + (float)i;
    cr_assert_eq(ecl_tensor_write(t, put, sizeof put), ECL_SUCCESS);
    cr_assert_eq(clEnqueueReadBuffer(c.queue, buf, CL_TRUE, 0, sizeof raw, raw, 0, NULL, NULL),
                 CL_SUCCESS);
    for (int e = 0; e < 40; e++) {
        int k = e - 5, i = k / 7, j = k % 7;
        int inside = k >= 0 && i < 3 && j < 4;
        cr_expect_eq(raw[e], inside ? put[i * 4 + j] : host[e], "element %d", e);
    }
    ecl_tensor_destroy(t);
    cr_expect_eq(refs_of_mem(buf), r0, "destroying the tensor must release the buffer");

    /* Every element of the buffer, then one too many. */
    const int64_t all[1] = {40}, over[1] = {41}, back[1] = {-1};
    cr_assert_eq(ecl_tensor_wrap_cl_mem(ctx, buf, ECL_F32, 1, all, NULL, 0, &t), ECL_SUCCESS);
    ecl_tensor_destroy(t);
    t = (ecl_tensor *)&c;
    cr_expect_eq(ecl_tensor_wrap_cl_mem(ctx, buf, ECL_F32, 1, over, NULL, 0, &t), ECL_ERROR_SHAPE);
    cr_expect_null(t);
    cr_expect_eq(ecl_tensor_wrap_cl_mem(ctx, buf, ECL_F64, 1, all, NULL, 0, &t), ECL_ERROR_SHAPE,
                 "40 floats are 20 doubles");
    cr_expect_eq(ecl_tensor_wrap_cl_mem(ctx, buf, ECL_F32, 1, all, back, 0, &t), ECL_ERROR_SHAPE,
                 "a negative stride from element 0 leaves the buffer");
    cr_expect_eq(ecl_tensor_wrap_cl_mem(ctx, buf, ECL_F32, 1, all, back, 39, &t), ECL_SUCCESS);
    ecl_tensor_destroy(t);
    cr_expect_eq(ecl_tensor_wrap_cl_mem(ctx, NULL, ECL_F32, 1, all, NULL, 0, &t),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(ecl_tensor_wrap_cl_mem(ctx, buf, (ecl_dtype)9, 1, all, NULL, 0, &t), ECL_ERROR_DTYPE);
    cr_expect_eq(refs_of_mem(buf), r0, "failed wraps must not keep references");

    /* A buffer of another OpenCL context, and a context that is not on OpenCL. */
    caller_cl other = open_caller(0);
    cl_mem foreign = clCreateBuffer(other.context, CL_MEM_READ_WRITE, 64, NULL, &rc);
    cr_assert_eq(rc, CL_SUCCESS);
    cr_expect_eq(ecl_tensor_wrap_cl_mem(ctx, foreign, ECL_F32, 1, all + 0, NULL, 0, &t),
                 ECL_ERROR_INVALID_ARGUMENT);
    clReleaseMemObject(foreign);
    clReleaseCommandQueue(other.queue);
    clReleaseContext(other.context);
    ecl_context *cpu = ecl_test_context(ECL_BACKEND_CPU);
    cr_expect_eq(ecl_tensor_wrap_cl_mem(cpu, buf, ECL_F32, 1, all, NULL, 0, &t),
                 ECL_ERROR_INVALID_ARGUMENT);
    cr_expect_null(ecl_context_cl_queue(cpu));
    ecl_tensor *host_t = NULL;
    cr_assert_eq(ecl_tensor_create(cpu, ECL_F32, 1, all, &host_t), ECL_SUCCESS);
    cr_expect_null(ecl_tensor_cl_mem(host_t));
    cr_expect_eq(ecl_tensor_cl_offset(host_t), -1);
    ecl_tensor_destroy(host_t);
    ecl_context_destroy(cpu);

    ecl_context_destroy(ctx);
    clReleaseMemObject(buf);
    clReleaseCommandQueue(c.queue);
    clReleaseContext(c.context);
}

Test(opencl_interop, einsum_over_wrapped_buffers)
{
    caller_cl c = open_caller(0);
    cr_assert_not_null(c.queue);
    ecl_context *ctx = NULL;
    cr_assert_eq(ecl_context_create_from_queue(c.queue, &ctx), ECL_SUCCESS);
    enum { R = 6, C = 9 };
    double a[R * C], sums[C], expect[C];
    for (int i = 0; i < R * C; i++)
        a[i] = (double)((i * 37) % 23) / 7.0 - 1.5;
    for (int j = 0; j < C; j++) {
        expect[j] = 0;
        for (int i = 0; i < R; i++)
            expect[j] += a[i * C + j];
    }
    cl_int rc;
    cl_mem in = clCreateBuffer(c.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof a, a, &rc);
    cr_assert_eq(rc, CL_SUCCESS);
    cl_mem out = clCreateBuffer(c.context, CL_MEM_READ_WRITE, sizeof sums, NULL, &rc);
    cr_assert_eq(rc, CL_SUCCESS);
    const int64_t sa[2] = {R, C}, so[1] = {C};
    ecl_tensor *ta = NULL, *to = NULL;
    cr_assert_eq(ecl_tensor_wrap_cl_mem(ctx, in, ECL_F64, 2, sa, NULL, 0, &ta), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_wrap_cl_mem(ctx, out, ECL_F64, 1, so, NULL, 0, &to), ECL_SUCCESS);
    ecl_status st = ecl_einsum(ctx, "ij->j", 1, (const ecl_tensor *const *)&ta, to);
    if (st == ECL_ERROR_DTYPE)
        cr_skip_test("the device has no float64: %s", ecl_context_last_error(ctx));
    cr_assert_eq(st, ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    /* The caller's own read on the same in-order queue sees the result. */
    cr_assert_eq(clEnqueueReadBuffer(c.queue, out, CL_TRUE, 0, sizeof sums, sums, 0, NULL, NULL),
                 CL_SUCCESS);
    for (int j = 0; j < C; j++)
        cr_expect_float_eq(sums[j], expect[j], 1e-12, "column %d", j);
    ecl_tensor_destroy(ta);
    ecl_tensor_destroy(to);
    ecl_context_destroy(ctx);
    clReleaseMemObject(in);
    clReleaseMemObject(out);
    clReleaseCommandQueue(c.queue);
    clReleaseContext(c.context);
}
