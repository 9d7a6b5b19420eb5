/*
 * Limits: sizes and strides at the edges of 64-bit arithmetic and allocations larger than the
 * machine or the device allows must end in a clear error that names the problem, raised before
 * anything is allocated, with the context still usable afterwards. Includes the regressions the
 * fuzzers found (tests/fuzz/corpus/fuzz_plan/regress-*).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "backend_select.h"
#include "fault.h"

static void expect_error(ecl_context *ctx, ecl_status got, ecl_status want, const char *text)
{
    cr_assert_eq(got, want, "got '%s', want '%s': %s", ecl_status_string(got), ecl_status_string(want),
                 ecl_context_last_error(ctx));
    cr_assert_not_null(strstr(ecl_context_last_error(ctx), text), "'%s' lacks '%s'",
                       ecl_context_last_error(ctx), text);
}

/* The context still plans and runs a small einsum correctly. */
static void expect_still_works(ecl_context *ctx)
{
    const int64_t shape[] = {2, 2};
    const float a[] = {1, 2, 3, 4};
    ecl_tensor *t = NULL, *r = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 2, shape, &t), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_write(t, a, sizeof a), ECL_SUCCESS);
    const ecl_tensor *in[] = {t, t};
    cr_assert_eq(ecl_einsum_alloc(ctx, "ij,jk->ik", 2, in, &r), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    float got[4];
    cr_assert_eq(ecl_tensor_read(r, got, sizeof got), ECL_SUCCESS);
    cr_expect_float_eq(got[0], 7.0f, 1e-6);
    cr_expect_float_eq(got[3], 22.0f, 1e-6);
    ecl_tensor_destroy(r);
    ecl_tensor_destroy(t);
}

/* fuzz_plan regress-stride-overflow: strides near 2^61 times sizes of 65536 overflowed int64 inside
 * the GEMM layout choice (plan_gemm.c); the binder now bounds each operand's reach. */
Test(limits, strides_whose_reach_overflows_are_refused)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_CPU);
    const int64_t shape[] = {3, 65536}, strides[] = {1, INT64_MAX / 3};
    const ecl_tensor_desc d[] = {{ECL_F32, 2, shape, strides}, {ECL_F32, 2, shape, NULL}};
    ecl_plan *plan = (ecl_plan *)0x1;
    expect_error(ctx, ecl_plan_create(ctx, "ij,ij->i", 2, d, NULL, &plan), ECL_ERROR_OVERFLOW,
                 "operand 0: stride 3074457345618258602 in dimension 1 (size 65536)");
    cr_assert_null(plan);
    const int64_t neg[] = {INT64_MIN / 3, 1};
    const ecl_tensor_desc e[] = {{ECL_F64, 2, shape, NULL}, {ECL_F64, 2, shape, neg}};
    expect_error(ctx, ecl_plan_create(ctx, "ij,ij->i", 2, e, NULL, &plan), ECL_ERROR_OVERFLOW,
                 "operand 1: stride");
    expect_still_works(ctx);
    ecl_context_destroy(ctx);
}

/* fuzz_plan regress-peak-bytes-overflow: under a memory limit, the smallest peak of an order whose
 * intermediates pass 2^64 bytes was converted from double to unsigned (undefined behaviour). */
Test(limits, memory_limit_with_intermediates_beyond_2_64_bytes)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_CPU);
    const int64_t s[] = {(int64_t)1 << 16, (int64_t)1 << 16};
    const ecl_tensor_desc d[] = {{ECL_F64, 2, s, NULL}, {ECL_F64, 2, s, NULL}, {ECL_F64, 2, s, NULL}};
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    o.memory_limit = 1024;
    ecl_plan *plan = NULL;
    const ecl_path_algorithm searched[] = {ECL_PATH_AUTO, ECL_PATH_OPTIMAL, ECL_PATH_GREEDY, ECL_PATH_BRANCH};
    for (int a = 0; a < 4; a++) {
        o.path = searched[a];
        expect_error(ctx, ecl_plan_create(ctx, "ab,cd,bd->ac", 3, d, &o, &plan), ECL_ERROR_MEMORY_LIMIT,
                     "1024");
        cr_assert_null(plan);
    }
    o.path = ECL_PATH_LEFT;  /* taken as given: its first intermediate has 2^64 elements */
    expect_error(ctx, ecl_plan_create(ctx, "ab,cd,bd->ac", 3, d, &o, &plan), ECL_ERROR_OVERFLOW,
                 "too large to address");
    expect_still_works(ctx);
    ecl_context_destroy(ctx);
}

/* fuzz_plan regress-broadcast-view-overflow: a size-1 operand broadcast against two labels of 2^40
 * spans 2^80 elements; the path model multiplied its sizes in int64. */
Test(limits, operand_broadcast_beyond_int64_is_refused)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_CPU);
    const int64_t ones[] = {1, 1}, big[] = {(int64_t)1 << 40};
    const ecl_tensor_desc d[] = {{ECL_F32, 2, ones, NULL}, {ECL_F32, 1, big, NULL}, {ECL_F32, 1, big, NULL}};
    ecl_plan *plan = NULL;
    expect_error(ctx, ecl_plan_create(ctx, "ab,a,b->", 3, d, NULL, &plan), ECL_ERROR_OVERFLOW,
                 "operand 0, broadcast against the others, has more elements than int64 counts (at label 'b'");
    cr_assert_null(plan);
    expect_still_works(ctx);
    ecl_context_destroy(ctx);
}

/* fuzz_plan regress-kept-numel-rounding: an operand of INT64_MAX elements (stride 0) whose own label
 * is summed first; the path model took that reduction's size through a double, which rounds
 * INT64_MAX up to 2^63, and converted it back to int64 (undefined behaviour). */
Test(limits, operand_of_int64_max_elements_summed_alone)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_CPU);
    const int64_t s0[] = {1, INT64_MAX}, st0[] = {1, 0}, s1[] = {1}, s2[] = {3};
    const ecl_tensor_desc d[] = {{ECL_F32, 2, s0, st0}, {ECL_F64, 1, s1, NULL}, {ECL_F64, 1, s2, NULL}};
    ecl_plan *plan = NULL;
    expect_error(ctx, ecl_plan_create(ctx, "ab,b,c->", 3, d, NULL, &plan), ECL_ERROR_OVERFLOW,
                 "operand 0 alone needs a workspace copy of 9223372036854775807 elements (conversion "
                 "to the plan's dtype) before any contraction, too large to address");
    cr_assert_null(plan);
    expect_still_works(ctx);
    ecl_context_destroy(ctx);
}

Test(limits, more_labels_or_operands_than_the_syntax_allows)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_CPU);
    char eq[3 * ECL_MAX_OPERANDS + 8] = "";
    for (int i = 0; i <= ECL_MAX_DIMS; i++)  /* 65 letters in one term */
        eq[i] = (char)('a' + i % 26);
    int64_t shape[ECL_MAX_DIMS + 1];
    for (int i = 0; i <= ECL_MAX_DIMS; i++)
        shape[i] = 1;
    ecl_tensor_desc d[ECL_MAX_OPERANDS + 1];
    d[0] = (ecl_tensor_desc){ECL_F32, ECL_MAX_DIMS, shape, NULL};
    ecl_plan *plan = NULL;
    cr_assert_eq(ecl_plan_create(ctx, eq, 1, d, NULL, &plan), ECL_ERROR_PARSE);
    cr_assert_eq(ecl_context_last_error_position(ctx), ECL_MAX_DIMS, "%s", ecl_context_last_error(ctx));
    size_t len = 0;  /* 65 operands */
    for (int i = 0; i <= ECL_MAX_OPERANDS; i++) {
        eq[len++] = 'a';
        eq[len++] = ',';
        d[i] = (ecl_tensor_desc){ECL_F32, 1, shape, NULL};
    }
    eq[len - 1] = '\0';
    expect_error(ctx, ecl_plan_create(ctx, eq, ECL_MAX_OPERANDS + 1, d, NULL, &plan),
                 ECL_ERROR_INVALID_ARGUMENT, "65 operands given (1 to 64 needed)");
    ecl_status st = ecl_plan_create(ctx, eq, ECL_MAX_OPERANDS, d, NULL, &plan);
    cr_assert_eq(st, ECL_ERROR_PARSE, "%s: %s", ecl_status_string(st), ecl_context_last_error(ctx));
    cr_assert_eq(ecl_context_last_error_position(ctx), 2 * ECL_MAX_OPERANDS - 1, "%s", ecl_context_last_error(ctx));
    ecl_context_destroy(ctx);
}

/* A tensor larger than the machine's memory: refused before malloc (Linux would overcommit and
 * kill the process later). */
Test(limits, cpu_tensor_larger_than_memory_is_refused_before_allocation)
{
    ecl_context *ctx = ecl_test_context(ECL_BACKEND_CPU);
    const int64_t shape[] = {(int64_t)1 << 20, (int64_t)1 << 20};  /* 4 TiB of float32 */
    ecl_tensor *t = NULL;
    ecl_fault_arm(ECL_FAULT_DEVICE_ALLOC, 1000000);  /* only to count allocation attempts */
    expect_error(ctx, ecl_tensor_create(ctx, ECL_F32, 2, shape, &t), ECL_ERROR_OUT_OF_MEMORY,
                 "4398046511104 bytes exceed the machine's memory");
    cr_assert_eq(ecl_fault_count(ECL_FAULT_DEVICE_ALLOC), 0, "an allocation was attempted");
    ecl_fault_arm(ECL_FAULT_DEVICE_ALLOC, 0);
    cr_assert_null(t);
    expect_still_works(ctx);
    ecl_context_destroy(ctx);
}

/* Small inputs, one huge intermediate: 'i,j,ij->' left to right multiplies i and j into a
 * 2^18 x 2^18 workspace (256 GiB of float32) before the last operand (a stride-0 view) reduces it. The
 * workspace is allocated by the first execute, which must fail cleanly on either backend. */
static void huge_workspace(ecl_backend_kind kind, const char *why)
{
    ecl_context *ctx = ecl_test_context(kind);
    const int64_t n = (int64_t)1 << 18, one = 1, vec[] = {n}, mat[] = {n, n}, zero[] = {0, 0};
    ecl_tensor *i = NULL, *j = NULL, *cell = NULL, *ij = NULL, *out = NULL;
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 1, vec, &i), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 1, vec, &j), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 1, &one, &cell), ECL_SUCCESS);
    cr_assert_eq(ecl_tensor_view(cell, 0, 2, mat, zero, &ij), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    cr_assert_eq(ecl_tensor_create(ctx, ECL_F32, 0, NULL, &out), ECL_SUCCESS);
    const ecl_tensor_desc d[] = {{ECL_F32, 1, vec, NULL}, {ECL_F32, 1, vec, NULL}, {ECL_F32, 2, mat, zero}};
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    o.path = ECL_PATH_LEFT;
    ecl_plan *plan = NULL;
    cr_assert_eq(ecl_plan_create(ctx, "i,j,ij->", 3, d, &o, &plan), ECL_SUCCESS, "%s", ecl_context_last_error(ctx));
    cr_assert_geq(ecl_plan_workspace_bytes(plan), (uint64_t)1 << 38);
    const ecl_tensor *in[] = {i, j, ij};
    expect_error(ctx, ecl_plan_execute(plan, in, out, 1.0, 0.0), ECL_ERROR_OUT_OF_MEMORY, why);
    ecl_plan_destroy(plan);
    ecl_tensor_destroy(out);
    ecl_tensor_destroy(ij);
    ecl_tensor_destroy(cell);
    ecl_tensor_destroy(j);
    ecl_tensor_destroy(i);
    expect_still_works(ctx);
    ecl_context_destroy(ctx);
}

Test(limits, cpu_workspace_larger_than_memory_fails_cleanly)
{
    huge_workspace(ECL_BACKEND_CPU, "exceed the machine's memory");
}

Test(limits, opencl_workspace_above_max_alloc_fails_cleanly, .timeout = 300)
{
    huge_workspace(ECL_BACKEND_OPENCL, "CL_DEVICE_MAX_MEM_ALLOC_SIZE");
}
