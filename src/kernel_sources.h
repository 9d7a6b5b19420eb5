/*
 * The OpenCL C sources of the kernels (the .cl files of kernels/): embedded into the library at build time by
 * cmake/embed_kernels.cmake, or read from a directory at run time for kernel development
 * (ECL_KERNEL_DIR, or the source tree when built with -DECL_KERNELS_FROM_DISK=ON).
 */
#ifndef ECL_KERNEL_SOURCES_H
#define ECL_KERNEL_SOURCES_H

#include "status.h"

typedef struct ecl_kernel_source {
    const char *name;   /* file name, e.g. "permute.cl" */
    const char *text;   /* NUL-terminated */
    size_t length;      /* bytes, without the NUL */
} ecl_kernel_source;

/* The embedded files in file-name order, ending with an entry whose name is NULL (generated). */
extern const ecl_kernel_source ecl_embedded_kernels[];

/* The program source: every kernel file in file-name order, each introduced by a #line directive
 * naming it (so build logs name the file). *text is malloc'ed and NUL-terminated; *origin says
 * where the files came from ("embedded" or the directory), for messages. */
ecl_status ecl_kernel_program_source(ecl_error *err, char **text, size_t *length, char *origin,
                                     size_t origin_cap);

#endif /* ECL_KERNEL_SOURCES_H */
