/*
 * The OpenCL C sources of the kernels, in two families, each compiled as one program: the main
 * one (the .cl files of kernels/, built for every device) and the tensor-core one (kernels/mma/,
 * built only where the mma.sync path may run). Embedded into the library at build time by
 * cmake/embed_kernels.cmake, or read from a directory at run time for kernel development
 * (ECL_KERNEL_DIR and its mma/ subdirectory, or the source tree when built with
 * -DECL_KERNELS_FROM_DISK=ON).
 */
#ifndef ECL_KERNEL_SOURCES_H
#define ECL_KERNEL_SOURCES_H

#include "status.h"

typedef struct ecl_kernel_source {
    const char *name;   /* file name, e.g. "permute.cl" */
    const char *text;   /* NUL-terminated */
    size_t length;      /* bytes, without the NUL */
} ecl_kernel_source;

typedef enum ecl_kernel_family {
    ECL_KERNELS_MAIN, /* kernels/ */
    ECL_KERNELS_MMA   /* kernels/mma/ (file names "mma/...") */
} ecl_kernel_family;

/* The embedded files of each family in file-name order, ending with an entry whose name is NULL
 * (generated). */
extern const ecl_kernel_source ecl_embedded_kernels[];
extern const ecl_kernel_source ecl_embedded_mma_kernels[];

/* The program source of a family: every kernel file in file-name order, each introduced by a
 * #line directive naming it (so build logs name the file). *text is malloc'ed and NUL-terminated;
 * *origin says where the files came from ("embedded" or the directory), for messages. */
ecl_status ecl_kernel_family_source(ecl_error *err, ecl_kernel_family family, char **text,
                                    size_t *length, char *origin, size_t origin_cap);
/* The main family's source (ecl_kernel_family_source with ECL_KERNELS_MAIN). */
ecl_status ecl_kernel_program_source(ecl_error *err, char **text, size_t *length, char *origin,
                                     size_t origin_cap);

#endif /* ECL_KERNEL_SOURCES_H */
