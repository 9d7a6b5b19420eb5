/*
 * Public plan API: parse, bind and lower an equation into a plan that owns its workspace on the
 * context's device; queries (output shape, FLOPs, memory, descriptions); destruction.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "dtype_internal.h"
#include "tensor.h"
#include "alloc.h"

void ecl_plan_options_init(ecl_plan_options *options)
{
    if (options)
        memset(options, 0, sizeof *options);
}

static ecl_status copy_inputs(ecl_plan *plan, int n, const ecl_tensor_desc *inputs, ecl_error *err)
{
    plan->inputs = ecl_calloc((size_t)(n ? n : 1), sizeof *plan->inputs);
    if (!plan->inputs)
        return ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate the plan's input table");
    plan->num_inputs = n;
    for (int i = 0; i < n; i++) {
        ecl_plan_input *in = &plan->inputs[i];
        const ecl_tensor_desc *d = &inputs[i];
        in->dtype = d->dtype;
        in->ndim = d->ndim;
        if (d->ndim < 0 || d->ndim > ECL_MAX_DIMS || (d->ndim > 0 && !d->shape))
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "operand %d: ndim %d or shape is invalid",
                            i, d->ndim);
        if (d->ndim > 0)
            memcpy(in->shape, d->shape, sizeof(int64_t) * (size_t)d->ndim);
        if (d->strides && d->ndim > 0) {
            memcpy(in->stride, d->strides, sizeof(int64_t) * (size_t)d->ndim);
        } else {
            ecl_status st = ecl_contiguous_strides(d->ndim, d->shape, in->stride, NULL, err);
            if (st != ECL_SUCCESS)
                return st;
        }
    }
    return ECL_SUCCESS;
}

/* The compute mode: any for float32 plans (float32, float16, bfloat16 tensors), only the default
 * for float64 ones. Sets the rounding the planner applies to the operands of products. */
static ecl_status apply_compute(ecl_plan *plan, ecl_compute compute, ecl_error *err)
{
    if (compute != ECL_COMPUTE_DEFAULT && compute != ECL_COMPUTE_TF32 &&
        compute != ECL_COMPUTE_F16 && compute != ECL_COMPUTE_BF16)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "unknown compute mode %d", (int)compute);
    ecl_bound *b = plan->bound;
    if (compute != ECL_COMPUTE_DEFAULT && b->dtype == ECL_F64) {
        int i = 0;
        while (i < b->nops - 1 && b->op[i].dtype != ECL_F64)
            i++;
        return ecl_fail(err, ECL_ERROR_DTYPE,
                        "compute mode %s needs float32, float16 or bfloat16 operands, but operand "
                        "%d is float64", ecl_compute_name(compute), i);
    }
    plan->compute = compute;
    b->round = ecl_compute_rounding(compute);
    return ECL_SUCCESS;
}

/* Sizes the workspace; it is allocated by the first execution (execute.c), so that planning stays
 * free of device work and `einsumcl path` can describe problems larger than any device. */
static ecl_status size_workspace(ecl_plan *plan, ecl_error *err)
{
    int64_t bytes;
    if (ecl_mul_overflow_i64(plan->low.workspace_elems, (int64_t)ecl_dtype_size(plan->bound->dtype), &bytes))
        return ecl_fail(err, ECL_ERROR_OVERFLOW, "the plan's workspace size overflows 64 bits");
    plan->workspace_bytes = (size_t)bytes;
    return ECL_SUCCESS;
}

ecl_status ecl_plan_create(ecl_context *ctx, const char *equation, int num_inputs,
                           const ecl_tensor_desc *inputs, const ecl_plan_options *options,
                           ecl_plan **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = ecl_context_error(ctx);
    ecl_error_clear(err);
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_plan_create: out is NULL");
    if (!equation)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "ecl_plan_create: equation is NULL");
    if (num_inputs < 1 || num_inputs > ECL_MAX_OPERANDS || !inputs)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT,
                        "ecl_plan_create: %d operands given (1 to %d needed)", num_inputs, ECL_MAX_OPERANDS);
    ecl_plan_options opts;
    ecl_plan_options_init(&opts);
    if (options)
        opts = *options;

    ecl_plan *plan = ecl_calloc(1, sizeof *plan);
    ecl_equation *eq = ecl_malloc(sizeof *eq);
    if (plan)
        plan->bound = ecl_malloc(sizeof *plan->bound);
    if (plan)
        plan->equation = ecl_strdup(equation);
    ecl_status st = ECL_SUCCESS;
    if (!plan || !eq || !plan->bound || !plan->equation)
        st = ecl_fail(err, ECL_ERROR_OUT_OF_MEMORY, "cannot allocate a plan");
    if (st == ECL_SUCCESS) {
        plan->ctx = ctx;
        st = ecl_equation_parse(equation, eq, err);
    }
    if (st == ECL_SUCCESS)
        st = copy_inputs(plan, num_inputs, inputs, err);
    if (st == ECL_SUCCESS)
        st = ecl_bind(eq, num_inputs, inputs, plan->bound, err);
    if (st == ECL_SUCCESS)
        st = apply_compute(plan, opts.compute, err);
    if (st == ECL_SUCCESS)
        st = ecl_path_find(plan->bound, &opts, &plan->path, err);
    if (st == ECL_SUCCESS)
        st = ecl_plan_build(plan->bound, &plan->path, &plan->low, err);
    if (st == ECL_SUCCESS)
        st = size_workspace(plan, err);
    ecl_free(eq);
    if (st != ECL_SUCCESS) {
        ecl_plan_destroy(plan);
        return st;
    }
    const char *verbose = getenv("ECL_VERBOSE");
    if (verbose && strcmp(verbose, "1") == 0)
        fprintf(stderr, "einsumcl: plan for %s\n%s", equation, ecl_plan_describe(plan));
    *out = plan;
    return ECL_SUCCESS;
}

void ecl_plan_destroy(ecl_plan *plan)
{
    if (!plan)
        return;
    if (plan->workspace)
        plan->ctx->backend->ops->free(plan->ctx->backend, plan->workspace);
    ecl_lowered_free(&plan->low);
    ecl_free(plan->inputs);
    ecl_free(plan->bound);
    ecl_free(plan->equation);
    ecl_free(plan->text);
    ecl_free(plan->json);
    ecl_free(plan);
}

ecl_dtype ecl_plan_output_dtype(const ecl_plan *plan) { return plan ? plan->bound->out_dtype : (ecl_dtype)0; }
int ecl_plan_output_ndim(const ecl_plan *plan) { return plan ? plan->bound->out_ndim : -1; }
const int64_t *ecl_plan_output_shape(const ecl_plan *plan) { return plan ? plan->bound->out_shape : NULL; }
double ecl_plan_flops(const ecl_plan *plan) { return plan ? plan->low.flops : 0; }
double ecl_plan_naive_flops(const ecl_plan *plan) { return plan ? plan->low.naive_flops : 0; }
int ecl_plan_path(const ecl_plan *plan, int (*pairs)[2], int capacity)
{
    if (!plan)
        return -1;
    for (int i = 0; i < plan->path.npairs && i < capacity; i++) {
        pairs[i][0] = plan->path.pair[i][0];
        pairs[i][1] = plan->path.pair[i][1];
    }
    return plan->path.npairs;
}

uint64_t ecl_plan_workspace_bytes(const ecl_plan *plan) { return plan ? plan->workspace_bytes : 0; }

uint64_t ecl_plan_peak_bytes(const ecl_plan *plan)
{
    if (!plan)
        return 0;
    uint64_t out = ecl_dtype_size(plan->bound->out_dtype);
    for (int d = 0; d < plan->bound->out_ndim; d++)
        out *= (uint64_t)plan->bound->out_shape[d];
    return plan->workspace_bytes + out;
}

const char *ecl_plan_describe(const ecl_plan *plan)
{
    if (!plan)
        return "";
    if (!plan->text)
        ((ecl_plan *)plan)->text = ecl_plan_describe_text(plan);
    return plan->text ? plan->text : "(out of memory)";
}

const char *ecl_plan_describe_json(const ecl_plan *plan)
{
    if (!plan)
        return "{}";
    if (!plan->json)
        ((ecl_plan *)plan)->json = ecl_plan_describe_json_text(plan);
    return plan->json ? plan->json : "{}";
}
