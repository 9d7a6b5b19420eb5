/*
 * Installs the failure-injection wrappers (opencl_fault.c) into a freshly loaded OpenCL entry-point
 * table.
 */
#ifndef ECL_OPENCL_FAULT_H
#define ECL_OPENCL_FAULT_H

#include "opencl_loader.h"

void ecl_cl_install_fault_points(ecl_cl_api *api);

#endif /* ECL_OPENCL_FAULT_H */
