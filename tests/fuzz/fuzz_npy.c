/*
 * libFuzzer target: the .npy reader. Each input is parsed from memory (ecl_npy_parse_header) and
 * loaded through the public ecl_npy_load from an in-memory file (memfd), which reads the header,
 * checks the data size against the file, converts Fortran order and creates the tensor. Errors must
 * carry a message; a successful load must agree with the header.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "einsumcl.h"
#include "npy.h"

static ecl_context *ctx;
static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ecl_context_options o;
    ecl_context_options_init(&o);
    o.backend = ECL_BACKEND_CPU;
    o.num_threads = 1;
    fd = memfd_create("fuzz.npy", 0);
    if (fd < 0 || ecl_context_create(&o, &ctx) != ECL_SUCCESS) {
        fprintf(stderr, "fuzz_npy: cannot set up: %s\n", ecl_last_create_error());
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ecl_npy_header h;
    ecl_error err;
    ecl_error_clear(&err);
    ecl_status parsed = ecl_npy_parse_header(data, size, &h, &err);
    if (parsed != ECL_SUCCESS && !err.message[0])
        abort();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    ecl_tensor *t = NULL;
    ecl_status st = ecl_npy_load(ctx, path, &t);
    if (st == ECL_SUCCESS) {
        /* whatever the file holds past the header, the tensor must match the header */
        if (parsed != ECL_SUCCESS || ecl_tensor_ndim(t) != h.ndim || ecl_tensor_numel(t) != h.numel ||
            h.data_offset + h.data_bytes > size) {
            fprintf(stderr, "fuzz_npy: loaded a file whose header says otherwise\n");
            abort();
        }
    } else if (t || !ecl_context_last_error(ctx)[0]) {
        fprintf(stderr, "fuzz_npy: failed load left a tensor or no message\n");
        abort();
    }
    ecl_tensor_destroy(t);
    return 0;
}
