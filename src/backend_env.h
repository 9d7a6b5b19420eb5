/*
 * What context creation (context.c) shares with the device listing: the environment variables
 * that steer backend selection, ECL_BACKEND (auto, cpu, opencl; overrides an AUTO request) and
 * ECL_DEVICE (an OpenCL device spec; the context option overrides it), and the thread's record
 * of the last failed creation.
 */
#ifndef ECL_BACKEND_ENV_H
#define ECL_BACKEND_ENV_H

#include "status.h"

/* Applies ECL_BACKEND to an AUTO request: *kind is left alone when the variable is unset or
 * "auto"; ECL_ERROR_INVALID_ARGUMENT for an unknown value. */
ecl_status ecl_env_backend(ecl_backend_kind *kind, ecl_error *err);

/* The calling thread's record behind ecl_last_create_error(), for failures of calls that have no
 * context (context creation, the device listing). */
ecl_error *ecl_create_error(void);

/* The device spec in effect: option when non-empty, else ECL_DEVICE when non-empty, else NULL. */
const char *ecl_env_device(const char *option);

#endif /* ECL_BACKEND_ENV_H */
