/*
 * dlopen()s the OpenCL ICD loader on first use and resolves every entry point the library calls
 * (the list is ECL_CL_FUNCTIONS in opencl_loader.h). The outcome is decided once per process.
 */
#include "opencl_loader.h"
#include "opencl_fault.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ecl_cl_api ecl_cl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded;

static void load(void)
{
    const char *name = getenv("ECL_OPENCL_LIBRARY");
    if (!name || !*name)
        name = "libOpenCL.so.1";
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load the OpenCL ICD loader %s: %s", name,
                 why ? why : "unknown error");
        return;
    }
    ecl_cl_api api;
#define ECL_CL_RESOLVE(fn, ret, params)                                                            \
    *(void **)&api.fn##_fn = dlsym(lib, #fn);                                                       \
    if (!api.fn##_fn) {                                                                                  \
        snprintf(load_error, sizeof load_error, "%s lacks the OpenCL function %s", name, #fn);      \
        dlclose(lib);                                                                               \
        return;                                                                                     \
    }
    ECL_CL_FUNCTIONS(ECL_CL_RESOLVE)
#undef ECL_CL_RESOLVE
    ecl_cl_install_fault_points(&api);
    ecl_cl = api;
    loaded = 1;  /* the library stays loaded for the life of the process */
}

ecl_status ecl_cl_load(ecl_error *err)
{
    pthread_once(&load_once, load);
    if (!loaded)
        return ecl_fail(err, ECL_ERROR_UNAVAILABLE, "%s", load_error);
    return ECL_SUCCESS;
}
