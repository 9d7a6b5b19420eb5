/*
 * Plan execution: checks the tensors against the plan, resolves each step's views to backend
 * memory (inputs, output, the plan's workspace) and calls the backend primitive. Only the final
 * step applies the caller's alpha and beta. Nothing is copied to the host between steps.
 */
#include <string.h>

#include "context.h"
#include "plan.h"
#include "tensor.h"

static ecl_status check_input(const ecl_plan *plan, int i, const ecl_tensor *t, ecl_error *err)
{
    const ecl_plan_input *in = &plan->inputs[i];
    if (!t)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "input %d is NULL", i);
    if (t->ctx != plan->ctx)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "input %d belongs to another context", i);
    if (t->dtype != in->dtype)
        return ecl_fail(err, ECL_ERROR_DTYPE, "input %d is %s but the plan was made for %s", i,
                        ecl_dtype_name(t->dtype), ecl_dtype_name(in->dtype));
    int same = t->ndim == in->ndim;
    for (int d = 0; same && d < t->ndim; d++)
        same = t->shape[d] == in->shape[d] && (t->shape[d] <= 1 || t->stride[d] == in->stride[d]);
    if (!same)
        return ecl_fail(err, ECL_ERROR_SHAPE,
                        "input %d does not have the shape and strides the plan was made for", i);
    return ECL_SUCCESS;
}

static int overlaps(const ecl_tensor *a, const ecl_tensor *b)
{
    if (a->storage != b->storage || a->numel == 0 || b->numel == 0)
        return 0;
    int64_t alo, ahi, blo, bhi;
    ecl_view_extent(a->ndim, a->shape, a->stride, &alo, &ahi);
    ecl_view_extent(b->ndim, b->shape, b->stride, &blo, &bhi);
    return a->offset + alo <= b->offset + bhi && b->offset + blo <= a->offset + ahi;
}

static ecl_status check_output(const ecl_plan *plan, const ecl_tensor *const *inputs,
                               const ecl_tensor *out, ecl_error *err)
{
    const ecl_bound *b = plan->bound;
    if (!out)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "output is NULL");
    if (out->ctx != plan->ctx)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "output belongs to another context");
    if (out->dtype != b->out_dtype)
        return ecl_fail(err, ECL_ERROR_DTYPE, "output is %s but the einsum's result is %s",
                        ecl_dtype_name(out->dtype), ecl_dtype_name(b->out_dtype));
    int same = out->ndim == b->out_ndim;
    for (int d = 0; same && d < out->ndim; d++)
        same = out->shape[d] == b->out_shape[d];
    if (!same)
        return ecl_fail(err, ECL_ERROR_SHAPE, "output has %d dims but the einsum's result has %d, or "
                        "their sizes differ", out->ndim, b->out_ndim);
    if (!ecl_is_contiguous(out->ndim, out->shape, out->stride))
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "output must be a contiguous tensor");
    for (int i = 0; i < plan->num_inputs; i++)
        if (overlaps(out, inputs[i]))
            return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "output overlaps input %d", i);
    return ECL_SUCCESS;
}

static void resolve(const ecl_plan *plan, const ecl_view *v, const ecl_tensor *const *inputs,
                    const ecl_tensor *output, ecl_strided *s)
{
    const ecl_tensor *t = v->buf >= 0 ? inputs[v->buf] : v->buf == ECL_BUF_OUTPUT ? output : NULL;
    s->mem = t ? t->storage->mem : plan->workspace;
    s->offset = (t ? t->offset : 0) + v->offset;
    s->ndim = v->ndim;
    s->shape = v->shape;
    s->stride = v->stride;
}

static ecl_status run_step(const ecl_plan *plan, const ecl_step *s, const ecl_tensor *const *inputs,
                           ecl_tensor *output, double alpha, double beta)
{
    ecl_backend *be = plan->ctx->backend;
    ecl_dtype dt = plan->bound->dtype;
    ecl_strided dst, a, b;
    resolve(plan, &s->dst, inputs, output, &dst);
    if (!s->final) {
        alpha = 1;
        beta = 0;
    }
    switch (s->kind) {
    case ECL_STEP_SCALE:
        return be->ops->scale(be, dt, &dst, beta);
    case ECL_STEP_COPY:
        resolve(plan, &s->a, inputs, output, &a);
        return be->ops->copy(be, s->dst.dtype, &dst, s->a.dtype, &a, alpha, beta);
    case ECL_STEP_REDUCE:
        resolve(plan, &s->a, inputs, output, &a);
        return be->ops->reduce(be, dt, &dst, &a, alpha, beta);
    case ECL_STEP_MUL:
        resolve(plan, &s->a, inputs, output, &a);
        resolve(plan, &s->b, inputs, output, &b);
        return be->ops->mul(be, dt, &dst, &a, &b, alpha, beta);
    case ECL_STEP_GEMM:
        resolve(plan, &s->a, inputs, output, &a);
        resolve(plan, &s->b, inputs, output, &b);
        return be->ops->gemm(be, dt, &s->gemm, a.mem, a.offset, b.mem, b.offset, dst.mem, dst.offset,
                             alpha, beta);
    }
    return ecl_fail(be->err, ECL_ERROR_INVALID_ARGUMENT, "unknown plan step kind %d", (int)s->kind);
}

ecl_status ecl_plan_execute(ecl_plan *plan, const ecl_tensor *const *inputs, ecl_tensor *output,
                            double alpha, double beta)
{
    if (!plan)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error *err = ecl_context_error(plan->ctx);
    ecl_error_clear(err);
    if (!inputs)
        return ecl_fail(err, ECL_ERROR_INVALID_ARGUMENT, "inputs is NULL");
    ecl_status st;
    for (int i = 0; i < plan->num_inputs; i++)
        if ((st = check_input(plan, i, inputs[i], err)) != ECL_SUCCESS)
            return st;
    if ((st = check_output(plan, inputs, output, err)) != ECL_SUCCESS)
        return st;
    if (!plan->workspace && plan->workspace_bytes > 0) {
        ecl_backend *be = plan->ctx->backend;
        if ((st = be->ops->alloc(be, plan->workspace_bytes, &plan->workspace)) != ECL_SUCCESS)
            return st;
    }
    for (int i = 0; i < plan->low.nsteps; i++)
        if ((st = run_step(plan, &plan->low.steps[i], inputs, output, alpha, beta)) != ECL_SUCCESS)
            return st;
    return ECL_SUCCESS;
}
