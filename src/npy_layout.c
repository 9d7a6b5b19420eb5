/*
 * Host-side fix-ups of .npy data: Fortran-order (column-major) elements reordered into C order,
 * and byte swapping for big-endian hosts (the files hold little-endian '<f4' / '<f8').
 */
#include "npy.h"

#include <string.h>

/* Copies one innermost C-order row: count elements read elem_stride elements apart. Fixed-size
 * memcpy lets the compiler emit plain loads and stores. */
static void gather_row(unsigned char *dst, const unsigned char *src, int64_t count,
                       int64_t elem_stride, size_t elem_size)
{
    size_t step = (size_t)elem_stride * elem_size;
    if (elem_size == 4) {
        for (int64_t j = 0; j < count; j++, dst += 4, src += step)
            memcpy(dst, src, 4);
    } else if (elem_size == 8) {
        for (int64_t j = 0; j < count; j++, dst += 8, src += step)
            memcpy(dst, src, 8);
    } else {
        for (int64_t j = 0; j < count; j++, dst += elem_size, src += step)
            memcpy(dst, src, elem_size);
    }
}

void ecl_npy_fortran_to_c(const void *src, void *dst, size_t elem_size, int ndim,
                          const int64_t *shape)
{
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++)
        numel *= shape[i];
    if (numel == 0)
        return;
    if (ndim <= 1) {
        memcpy(dst, src, (size_t)numel * elem_size);
        return;
    }
    /* Element (i0, ..., in-1) of a Fortran-order array lies at sum(i_k * fstride[k]). */
    int64_t fstride[ECL_MAX_DIMS];
    int64_t index[ECL_MAX_DIMS] = {0};
    fstride[0] = 1;
    for (int k = 1; k < ndim; k++)
        fstride[k] = fstride[k - 1] * shape[k - 1];
    const unsigned char *in = src;
    unsigned char *row = dst;
    int64_t inner = shape[ndim - 1];
    size_t row_bytes = (size_t)inner * elem_size;
    int64_t offset = 0;
    for (int64_t done = 0; done < numel; done += inner, row += row_bytes) {
        gather_row(row, in + (size_t)offset * elem_size, inner, fstride[ndim - 1], elem_size);
        for (int k = ndim - 2; k >= 0; k--) {
            offset += fstride[k];
            if (++index[k] < shape[k])
                break;
            offset -= fstride[k] * shape[k];
            index[k] = 0;
        }
    }
}

int ecl_npy_host_is_little_endian(void)
{
    const uint16_t probe = 1;
    unsigned char first;
    memcpy(&first, &probe, 1);
    return first == 1;
}

void ecl_npy_swap_bytes(void *data, size_t count, size_t elem_size)
{
    if (elem_size < 2)
        return;
    unsigned char *p = data;
    for (size_t i = 0; i < count; i++, p += elem_size) {
        for (size_t a = 0, b = elem_size - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
    }
}
