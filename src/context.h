/*
 * The context's internals: the backend it runs on, the last error of a failed call, and the plan
 * cache behind ecl_einsum. Other modules reach the error sink through ecl_context_error().
 */
#ifndef ECL_CONTEXT_H
#define ECL_CONTEXT_H

#include "backend.h"
#include "plan_cache.h"

struct ecl_context {
    ecl_backend *backend;
    ecl_error error;
    ecl_plan_cache cache;
    int num_threads;
};

/* The context's error sink; cleared at the start of each public call that may fail. */
static inline ecl_error *ecl_context_error(ecl_context *ctx) { return &ctx->error; }

#endif /* ECL_CONTEXT_H */
