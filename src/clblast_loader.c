/*
 * dlopen()s CLBlast on first use and resolves the GEMM routines of its C API (the table in
 * clblast_loader.h); the outcome is decided once per process. Also names CLBlast's own status
 * codes for error messages.
 */
#include "clblast_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static ecl_clblast_api table;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded;

static int resolve(void *lib, const char *lib_name, const char *symbol, void **slot)
{
    *slot = dlsym(lib, symbol);
    if (*slot)
        return 1;
    snprintf(load_error, sizeof load_error, "%s lacks the CLBlast function %s", lib_name, symbol);
    return 0;
}

static void load(void)
{
    const char *name = getenv("ECL_CLBLAST_LIBRARY");
    if (!name || !*name)
        name = "libclblast.so.1";
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load CLBlast (%s): %s", name,
                 why ? why : "unknown error");
        return;
    }
    ecl_clblast_api api;
#define ECL_CLBLAST_RESOLVE(P, real)                                                               \
    if (!resolve(lib, name, "CLBlast" #P "gemm", (void **)&api.P##gemm) ||                         \
        !resolve(lib, name, "CLBlast" #P "gemmStridedBatched", (void **)&api.P##gemmStridedBatched) || \
        !resolve(lib, name, "CLBlast" #P "gemmBatched", (void **)&api.P##gemmBatched) ||           \
        !resolve(lib, name, "CLBlast" #P "gemv", (void **)&api.P##gemv)) {                         \
        dlclose(lib);                                                                              \
        return;                                                                                    \
    }
    ECL_CLBLAST_GEMM_TYPES(ECL_CLBLAST_RESOLVE)
#undef ECL_CLBLAST_RESOLVE
    *(void **)&api.OverrideParameters = dlsym(lib, "CLBlastOverrideParameters"); /* optional */
    table = api;
    loaded = 1; /* CLBlast stays loaded for the life of the process (it caches programs) */
}

ecl_status ecl_clblast_load(ecl_error *err, const ecl_clblast_api **api)
{
    pthread_once(&load_once, load);
    *api = loaded ? &table : NULL;
    if (!loaded)
        return ecl_fail(err, ECL_ERROR_UNAVAILABLE, "%s", load_error);
    return ECL_SUCCESS;
}

const char *ecl_clblast_status_name(CLBlastStatusCode code)
{
    switch (code) {
#define NAME(c)                                                                                    \
    case c:                                                                                        \
        return #c;
        NAME(CLBlastNotImplemented)
        NAME(CLBlastInvalidMatrixA)
        NAME(CLBlastInvalidMatrixB)
        NAME(CLBlastInvalidMatrixC)
        NAME(CLBlastInvalidVectorX)
        NAME(CLBlastInvalidVectorY)
        NAME(CLBlastInvalidDimension)
        NAME(CLBlastInvalidLeadDimA)
        NAME(CLBlastInvalidLeadDimB)
        NAME(CLBlastInvalidLeadDimC)
        NAME(CLBlastInvalidIncrementX)
        NAME(CLBlastInvalidIncrementY)
        NAME(CLBlastInsufficientMemoryA)
        NAME(CLBlastInsufficientMemoryB)
        NAME(CLBlastInsufficientMemoryC)
        NAME(CLBlastInsufficientMemoryX)
        NAME(CLBlastInsufficientMemoryY)
        NAME(CLBlastInsufficientMemoryTemp)
        NAME(CLBlastInvalidBatchCount)
        NAME(CLBlastInvalidOverrideKernel)
        NAME(CLBlastMissingOverrideParameter)
        NAME(CLBlastInvalidLocalMemUsage)
        NAME(CLBlastNoHalfPrecision)
        NAME(CLBlastNoDoublePrecision)
        NAME(CLBlastInvalidVectorScalar)
        NAME(CLBlastInsufficientMemoryScalar)
        NAME(CLBlastDatabaseError)
        NAME(CLBlastUnknownError)
        NAME(CLBlastUnexpectedError)
#undef NAME
    default:
        return NULL;
    }
}
