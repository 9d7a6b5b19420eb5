/*
 * The .npy file format (numpy.lib.format) without a context: parsing and checking a header from
 * memory or a FILE, writing a header exactly as numpy's format.write_array_header does, and the
 * host-side data fix-ups a load needs (Fortran order to C order, byte order). ecl_npy_load and
 * ecl_npy_save (npy.c) build the public calls on these.
 *
 * Supported: format versions 1.0, 2.0 and 3.0 for reading (1.0 and, when the header needs it, 2.0
 * for writing); descr '<f4' and '<f8' only; C or Fortran order; up to ECL_MAX_DIMS dimensions.
 */
#ifndef ECL_NPY_H
#define ECL_NPY_H

#include <stdio.h>

#include "status.h"

#define ECL_NPY_MAGIC "\x93NUMPY"
#define ECL_NPY_MAGIC_LEN 6
/* Magic, major and minor version bytes: what comes before the header-length field. */
#define ECL_NPY_SIGNATURE_LEN 8
/* Headers longer than this are rejected as corrupt rather than read into memory. */
#define ECL_NPY_MAX_HEADER_BYTES (1u << 20)
/* numpy aligns the start of the data to this many bytes. */
#define ECL_NPY_ALIGN 64

typedef struct ecl_npy_header {
    int version;              /* major format version: 1, 2 or 3 */
    ecl_dtype dtype;
    int ndim;
    int64_t shape[ECL_MAX_DIMS];
    int fortran_order;
    int64_t numel;            /* product of shape (1 for ndim == 0) */
    uint64_t data_offset;     /* bytes before the data: signature, length field and header text */
    uint64_t data_bytes;      /* numel * dtype size */
} ecl_npy_header;

/* Parses the signature, length field and header dictionary at the start of buf (len bytes, which
 * must hold at least the whole header; the data need not be there). Fills *out on success. */
ecl_status ecl_npy_parse_header(const void *buf, size_t len, ecl_npy_header *out, ecl_error *err);

/* Same, reading from file's current position; on success the file is positioned at the data. */
ecl_status ecl_npy_read_header(FILE *file, ecl_npy_header *out, ecl_error *err);

/* Parses only the header dictionary text (a Python literal such as
 * "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), filling dtype, ndim, shape,
 * fortran_order, numel and data_bytes of *out. */
ecl_status ecl_npy_parse_dict(const char *text, size_t len, ecl_npy_header *out, ecl_error *err);

/* ECL_ERROR_FORMAT unless at least header->data_bytes bytes of data are available. */
ecl_status ecl_npy_check_data_size(const ecl_npy_header *header, uint64_t available,
                                   ecl_error *err);

/* Writes "(2, 3)" style text (Python's repr of the shape tuple) into buf, truncated with "..." if
 * cap is too small. Returns buf. */
char *ecl_npy_shape_string(int ndim, const int64_t *shape, char *buf, size_t cap);

/* Builds the bytes numpy writes before a C-order array of this dtype and shape: signature, length
 * field, header dictionary, space padding and '\n', the total a multiple of ECL_NPY_ALIGN. Format
 * 1.0, or 2.0 when the header is longer than 1.0's 16-bit length allows. *out is malloc'ed; the
 * caller frees it. */
ecl_status ecl_npy_format_header(ecl_dtype dtype, int ndim, const int64_t *shape,
                                 unsigned char **out, size_t *out_len, ecl_error *err);

/* Reorders elements stored in Fortran (column-major) order for shape into C (row-major) order.
 * src and dst must not overlap. */
void ecl_npy_fortran_to_c(const void *src, void *dst, size_t elem_size, int ndim,
                          const int64_t *shape);

/* .npy data here is little-endian; big-endian hosts swap each element's bytes in place. */
int ecl_npy_host_is_little_endian(void);
void ecl_npy_swap_bytes(void *data, size_t count, size_t elem_size);

#endif /* ECL_NPY_H */
