/*
 * libFuzzer target: plan creation from a fuzzed equation, operand descriptors and plan options
 * (path algorithm, memory limit), on a single-threaded CPU context. When the plan is small enough
 * it also executes it over host buffers that cover exactly what the strides address, so a plan that
 * reads or writes outside its operands shows up under AddressSanitizer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "einsumcl.h"
#include "fuzz_input.h"

#define MAX_EXEC_ELEMENTS 4096

static ecl_context *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ecl_context_options o;
    ecl_context_options_init(&o);
    o.backend = ECL_BACKEND_CPU;
    o.num_threads = 1;
    if (ecl_context_create(&o, &ctx) != ECL_SUCCESS) {
        fprintf(stderr, "fuzz_plan: %s\n", ecl_last_create_error());
        abort();
    }
    return 0;
}

/* Elements from the lowest to the highest addressed one, or -1 when too many to execute. */
static int64_t span(const ecl_tensor_desc *d, int64_t *first)
{
    int64_t lo = 0, hi = 0, numel = 1;
    for (int k = 0; k < d->ndim; k++) {
        if (d->shape[k] == 0)
            return *first = 0, 0;
        numel *= d->shape[k];  /* bounded: plan create checked the shapes */
        int64_t stride = d->strides ? d->strides[k] : 1;
        if (stride > MAX_EXEC_ELEMENTS || stride < -MAX_EXEC_ELEMENTS || numel > MAX_EXEC_ELEMENTS)
            return -1;
        int64_t reach = (d->shape[k] - 1) * stride;
        if (reach < 0)
            lo += reach;
        else
            hi += reach;
    }
    if (!d->strides)
        hi = numel - 1, lo = 0;
    *first = -lo;
    return hi - lo + 1 > MAX_EXEC_ELEMENTS ? -1 : hi - lo + 1;
}

static void execute(ecl_plan *plan, const fuzz_operands *ops)
{
    ecl_tensor *in[ECL_MAX_OPERANDS] = {0}, *out = NULL;
    void *buf[ECL_MAX_OPERANDS] = {0};
    int ok = 1;
    for (int i = 0; i < ops->n && ok; i++) {
        int64_t first, n = span(&ops->desc[i], &first);
        size_t elem = ops->desc[i].dtype == ECL_F64 ? 8 : 4;
        ok = n >= 0 && (buf[i] = calloc((size_t)(n ? n : 1), elem)) != NULL &&
             ecl_tensor_wrap_host(ctx, ops->desc[i].dtype, ops->desc[i].ndim, ops->desc[i].shape,
                                  ops->desc[i].strides, (char *)buf[i] + first * (int64_t)elem,
                                  &in[i]) == ECL_SUCCESS;
    }
    int64_t numel = 1;
    for (int k = 0; k < ecl_plan_output_ndim(plan); k++)
        numel *= ecl_plan_output_shape(plan)[k];
    if (ok && numel <= MAX_EXEC_ELEMENTS &&
        ecl_tensor_create(ctx, ecl_plan_output_dtype(plan), ecl_plan_output_ndim(plan),
                          ecl_plan_output_shape(plan), &out) == ECL_SUCCESS) {
        if (ecl_plan_execute(plan, (const ecl_tensor *const *)in, out, 1.0, 0.0) != ECL_SUCCESS &&
            ecl_plan_workspace_bytes(plan) < (1u << 20)) {
            fprintf(stderr, "fuzz_plan: a small plan failed to execute: %s\n", ecl_context_last_error(ctx));
            abort();
        }
    }
    ecl_tensor_destroy(out);
    for (int i = 0; i < ops->n; i++) {
        ecl_tensor_destroy(in[i]);
        free(buf[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_bytes rest;
    char *text = fuzz_split(data, size, &rest);
    if (!text)
        return 0;
    static ecl_equation eq;
    ecl_error err;
    if (ecl_equation_parse(text, &eq, &err) != ECL_SUCCESS)
        eq.nops = 1 + fuzz_byte(&rest) % 3;  /* still let the public call see the bad equation */
    static fuzz_operands ops;
    fuzz_operands_draw(&eq, &rest, &ops);
    ecl_plan_options o;
    ecl_plan_options_init(&o);
    uint8_t p = fuzz_byte(&rest);
    o.path = (ecl_path_algorithm)(p % 7);  /* 6 is not an algorithm */
    if (p & 0x80)
        o.memory_limit = (uint64_t)fuzz_byte(&rest) << (fuzz_byte(&rest) % 40);
    static int pairs[ECL_MAX_OPERANDS + 1][2];
    if (o.path == ECL_PATH_EXPLICIT) {
        o.num_pairs = fuzz_byte(&rest) % (ECL_MAX_OPERANDS + 1);
        for (int i = 0; i < o.num_pairs; i++)
            pairs[i][0] = fuzz_byte(&rest) % 8 - 1, pairs[i][1] = fuzz_byte(&rest) % 8 - 1;
        o.pairs = fuzz_byte(&rest) == 7 ? NULL : (const int(*)[2])pairs;
    }
    ecl_plan *plan = NULL;
    ecl_status st = ecl_plan_create(ctx, text, ops.n, ops.desc, &o, &plan);
    if (st == ECL_SUCCESS) {
        execute(plan, &ops);
        ecl_plan_destroy(plan);
    } else if (plan || !ecl_context_last_error(ctx)[0]) {
        fprintf(stderr, "fuzz_plan: failed create left a plan or no message\n");
        abort();
    }
    free(text);
    return 0;
}
