/*
 * Run-time loading of CLBlast (libclblast.so.1), like opencl_loader.h does for the ICD loader: the
 * library never links CLBlast, so it builds against clblast_c.h and runs where CLBlast is missing
 * (the OpenCL backend's GEMM then runs on einsumcl's own kernel, or fails with
 * ECL_ERROR_UNAVAILABLE naming the library when ECL_GEMM=clblast). Only the C API routines the
 * GEMM step uses are resolved, and CLBlastOverrideParameters where present. ECL_CLBLAST_LIBRARY overrides the file name.
 */
#ifndef ECL_CLBLAST_LOADER_H
#define ECL_CLBLAST_LOADER_H

#include "opencl_loader.h" /* first: it fixes the OpenCL target version clblast_c.h builds with */

#include <clblast_c.h>

/* X(name, real type) for the single- and double-precision routine pairs. */
#define ECL_CLBLAST_GEMM_TYPES(X) X(S, float) X(D, double)

typedef struct ecl_clblast_api {
#define ECL_CLBLAST_MEMBERS(P, real)                                                               \
    CLBlastStatusCode (*P##gemm)(CLBlastLayout, CLBlastTranspose, CLBlastTranspose, size_t, size_t, \
                                 size_t, real, cl_mem, size_t, size_t, cl_mem, size_t, size_t, real, \
                                 cl_mem, size_t, size_t, cl_command_queue *, cl_event *);          \
    CLBlastStatusCode (*P##gemmStridedBatched)(                                                    \
        CLBlastLayout, CLBlastTranspose, CLBlastTranspose, size_t, size_t, size_t, real, cl_mem,   \
        size_t, size_t, size_t, cl_mem, size_t, size_t, size_t, real, cl_mem, size_t, size_t,      \
        size_t, size_t, cl_command_queue *, cl_event *);                                           \
    CLBlastStatusCode (*P##gemmBatched)(CLBlastLayout, CLBlastTranspose, CLBlastTranspose, size_t, \
                                        size_t, size_t, const real *, cl_mem, const size_t *,     \
                                        size_t, cl_mem, const size_t *, size_t, const real *,     \
                                        cl_mem, const size_t *, size_t, size_t,                    \
                                        cl_command_queue *, cl_event *);                           \
    CLBlastStatusCode (*P##gemv)(CLBlastLayout, CLBlastTranspose, size_t, size_t, real, cl_mem,    \
                                 size_t, size_t, cl_mem, size_t, size_t, real, cl_mem, size_t,     \
                                 size_t, cl_command_queue *, cl_event *);
    ECL_CLBLAST_GEMM_TYPES(ECL_CLBLAST_MEMBERS)
#undef ECL_CLBLAST_MEMBERS
    /* Optional (NULL when this CLBlast lacks it): tuned parameters (clblast_tuning.c). */
    CLBlastStatusCode (*OverrideParameters)(const cl_device_id, const char *, const CLBlastPrecision,
                                            const size_t, const char **, const size_t *);
} ecl_clblast_api;

/* Loads CLBlast once per process (thread-safe) and points *api at its routines. On failure:
 * ECL_ERROR_UNAVAILABLE with the library name and the dlopen/dlsym message. */
ecl_status ecl_clblast_load(ecl_error *err, const ecl_clblast_api **api);

/* Static name of a CLBlast status code ("CLBlastInvalidLeadDimA"), or NULL for the codes CLBlast
 * shares with OpenCL (> -1000; name those with ecl_ocl_error_name). */
const char *ecl_clblast_status_name(CLBlastStatusCode code);

#endif /* ECL_CLBLAST_LOADER_H */
