/*
 * The tensor's internals: a strided view (dtype, shape, element strides, element offset) of a
 * reference-counted storage block owned by a backend. Views share storage.
 */
#ifndef ECL_TENSOR_H
#define ECL_TENSOR_H

#include "backend.h"

typedef struct ecl_storage {
    ecl_backend *backend;
    void *mem;        /* backend buffer handle */
    size_t bytes;
    int refcount;
    int wrapped;      /* caller-owned host memory: unwrap instead of free */
} ecl_storage;

struct ecl_tensor {
    ecl_context *ctx;
    ecl_storage *storage;
    ecl_dtype dtype;
    int ndim;
    int64_t shape[ECL_MAX_DIMS];
    int64_t stride[ECL_MAX_DIMS];
    int64_t offset;   /* element offset of element [0, ..., 0] in the storage */
    int64_t numel;
};

/* 1 when the strides are row-major contiguous for the shape (size-1 and size-0 dims are ignored). */
int ecl_is_contiguous(int ndim, const int64_t *shape, const int64_t *strides);
/* Row-major strides for shape; returns ECL_ERROR_OVERFLOW (with message in err) if numel overflows. */
ecl_status ecl_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides, int64_t *numel,
                                  ecl_error *err);
/* Smallest and largest element offsets addressed by a strided view (min = max = 0 when empty). */
void ecl_view_extent(int ndim, const int64_t *shape, const int64_t *strides, int64_t *min_offset,
                     int64_t *max_offset);

#endif /* ECL_TENSOR_H */
