/*
 * ecl_context_tensor_cores: whether a context's compute-mode GEMMs may run on tensor cores. The
 * CPU path has none; an OpenCL context asks its backend's tensor-core state (opencl_mma.c), which
 * probes and self-checks on first use.
 */
#include "context.h"
#include "opencl_mma.h"

#include <stdio.h>

ecl_status ecl_context_tensor_cores(ecl_context *ctx, ecl_compute compute, int *available,
                                    char *detail, size_t detail_size)
{
    if (available)
        *available = 0;
    if (detail && detail_size)
        detail[0] = '\0';
    if (!ctx || !available)
        return ECL_ERROR_INVALID_ARGUMENT;
    ecl_error_clear(&ctx->error);
    if (compute != ECL_COMPUTE_DEFAULT && compute != ECL_COMPUTE_TF32 &&
        compute != ECL_COMPUTE_F16 && compute != ECL_COMPUTE_BF16)
        return ecl_fail(&ctx->error, ECL_ERROR_INVALID_ARGUMENT, "unknown compute mode %d",
                        (int)compute);
    const char *why;
    if (ctx->backend->kind != ECL_BACKEND_OPENCL) {
        why = "the CPU path has no tensor-core kernels: compute modes are emulated (operands "
              "rounded, float32 sums)";
    } else {
        ecl_ocl_backend *be = (ecl_ocl_backend *)ctx->backend;
        *available = ecl_ocl_mma_ready(be, compute);
        why = ecl_ocl_mma_status_text(be, compute);
    }
    if (detail && detail_size)
        snprintf(detail, detail_size, "%s", why);
    return ECL_SUCCESS;
}
