/*
 * Plans: a flat array of steps over numbered buffers (inputs, the output, one workspace), built by
 * the pure planner (plan_build.c, plan_gemm.c) from a bound equation, then executed by execute.c
 * through the backend interface. Views carry labels only so that plans can be described.
 */
#ifndef ECL_PLAN_H
#define ECL_PLAN_H

#include "backend.h"
#include "bind.h"
#include "path.h"

#define ECL_BUF_OUTPUT (-1)
#define ECL_BUF_WORKSPACE (-2)

typedef enum ecl_step_kind {
    ECL_STEP_COPY,    /* dst = src (permute, diagonal gather, broadcast, dtype conversion) */
    ECL_STEP_REDUCE,  /* dst = sum over a's trailing nsum dims */
    ECL_STEP_MUL,     /* dst = sum over trailing nsum dims of a * b (broadcast multiply, batched dot) */
    ECL_STEP_GEMM,    /* batched GEMM: a and b are the operands' base views, gemm holds the layout */
    ECL_STEP_SCALE    /* dst = beta * dst (a contraction over an empty label) */
} ecl_step_kind;

/* A strided view of a numbered buffer: an input (>= 0), the output or the workspace. */
typedef struct ecl_view {
    int buf;
    int64_t offset;  /* element offset inside the buffer (input views: from the tensor's origin) */
    ecl_dtype dtype;
    int ndim;
    int label[ECL_MAX_DIMS];
    int64_t shape[ECL_MAX_DIMS];
    int64_t stride[ECL_MAX_DIMS];
} ecl_view;

typedef struct ecl_step {
    ecl_step_kind kind;
    int final;        /* applies the caller's alpha and beta; other steps use 1 and 0 */
    int nsum;         /* REDUCE, MUL: trailing summed dims of a (and b) */
    ecl_view dst, a, b;
    ecl_gemm_args gemm;
    double flops;
} ecl_step;

typedef struct ecl_lowered {
    ecl_step *steps;
    int nsteps, cap;
    int64_t workspace_elems;       /* in elements of the plan's dtype */
    int64_t largest_intermediate;  /* elements */
    double flops, naive_flops;
} ecl_lowered;

/* Lowers a bound equation to steps, contracting pairs in path order. Pure: no device. */
ecl_status ecl_plan_build(const ecl_bound *b, const ecl_path *path, ecl_lowered *out,
                          ecl_error *err);
void ecl_lowered_free(ecl_lowered *low);

typedef struct ecl_plan_input {
    ecl_dtype dtype;
    int ndim;
    int64_t shape[ECL_MAX_DIMS];
    int64_t stride[ECL_MAX_DIMS];
} ecl_plan_input;

struct ecl_plan {
    ecl_context *ctx;
    char *equation;
    ecl_bound *bound;
    int num_inputs;
    ecl_plan_input *inputs;
    ecl_compute compute;  /* what the plan's options asked for */
    ecl_path path;
    ecl_lowered low;
    void *workspace;  /* backend memory, workspace_bytes long; allocated by the first execution */
    size_t workspace_bytes;
    char *text, *json;
};

/* The text and JSON descriptions (plan_describe.c); return NULL on allocation failure. */
char *ecl_plan_describe_text(const ecl_plan *plan);
char *ecl_plan_describe_json_text(const ecl_plan *plan);

#endif /* ECL_PLAN_H */
