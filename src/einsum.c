/*
 * The one-shot API: ecl_einsum plans through the context's plan cache (so repeated calls with the
 * same equation, dtypes, shapes and strides skip planning) and executes with alpha 1, beta 0.
 */
#include "context.h"
#include "plan.h"
#include "tensor.h"

static ecl_status cached_plan(ecl_context *ctx, const char *equation, int n,
                              const ecl_tensor *const *inputs, ecl_plan **out)
{
    ecl_error *err = ecl_context_error(ctx);
    if (!equation || !inputs || n < 1 || n > ECL_MAX_OPERANDS)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "ecl_einsum: equation, inputs or operand count (%d) is invalid", n);
    for (int i = 0; i < n; i++)
        if (!inputs[i])
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_einsum: input %d is NULL", i);
    size_t key_len;
    uint64_t hash;
    if (!ecl_plan_cache_make_key(&ctx->cache, equation, n, inputs, &key_len, &hash))
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a plan cache key");
    ecl_plan *plan = ecl_plan_cache_find(&ctx->cache, key_len, hash);
    if (plan) {
        *out = plan;
        return ECL_SUCCESS;
    }
    ecl_tensor_desc descs[ECL_MAX_OPERANDS];
    for (int i = 0; i < n; i++)
        descs[i] = (ecl_tensor_desc){inputs[i]->dtype, inputs[i]->ndim, inputs[i]->shape,
                                     inputs[i]->stride};
    ecl_status st = ecl_plan_create(ctx, equation, n, descs, NULL, &plan);
    if (st != ECL_SUCCESS)
        return st;
    if (!ecl_plan_cache_insert(&ctx->cache, key_len, hash, plan)) {
        ecl_plan_destroy(plan);
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot grow the plan cache");
    }
    *out = plan;
    return ECL_SUCCESS;
}

ecl_status ecl_einsum(ecl_context *ctx, const char *equation, int num_inputs,
                      const ecl_tensor *const *inputs, ecl_tensor *output)
{
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error_clear(ecl_context_error(ctx));
    ecl_plan *plan;
    ecl_status st = cached_plan(ctx, equation, num_inputs, inputs, &plan);
    return st != ECL_SUCCESS ? st : ecl_plan_execute(plan, inputs, output, 1.0, 0.0);
}

ecl_status ecl_einsum_alloc(ecl_context *ctx, const char *equation, int num_inputs,
                            const ecl_tensor *const *inputs, ecl_tensor **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = ecl_context_error(ctx);
    ecl_error_clear(err);
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_einsum_alloc: out is NULL");
    *out = NULL;
    ecl_plan *plan;
    ecl_status st = cached_plan(ctx, equation, num_inputs, inputs, &plan);
    if (st != ECL_SUCCESS)
        return st;
    ecl_tensor *result;
    st = ecl_tensor_create(ctx, ecl_plan_output_dtype(plan), ecl_plan_output_ndim(plan),
                           ecl_plan_output_shape(plan), &result);
    if (st == ECL_SUCCESS)
        st = ecl_plan_execute(plan, inputs, result, 1.0, 0.0);
    if (st != ECL_SUCCESS) {
        ecl_tensor_destroy(result);
        return st;
    }
    *out = result;
    return ECL_SUCCESS;
}
