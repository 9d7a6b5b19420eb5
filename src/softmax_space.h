/*
 * The row softmax's arguments and iteration space, shared by the CPU and OpenCL backends: checks
 * of the op's views (backend.h states the contract) and the space of rows, where the kept dims
 * index the rows and one last dim walks a row forwards. Operand 0 is the tensor, operand 1 the
 * mask when there is one.
 */
#ifndef ECL_SOFTMAX_SPACE_H
#define ECL_SOFTMAX_SPACE_H

#include "cpu_internal.h"

/* Checks dtype, dst (ndim >= 1) and mask (NULL, or dst's ndim and shape); failures name `who`
 * ("cpu softmax", "opencl softmax"). */
ecl_status ecl_softmax_check(ecl_backend *be, const char *who, ecl_dtype dtype,
                             const ecl_strided *dst, const ecl_strided *mask);

/* Builds and simplifies the row space: dims [0, nkeep) are the rows (size-1 dims dropped, dims
 * contiguous in both operands merged), dim nd - 1 the row itself (nd - 1 == nkeep; walked with
 * non-negative tensor stride). Returns 0 when there is nothing to do: no rows, or rows of
 * length 0. */
int ecl_softmax_space(cpu_space *sp, const ecl_strided *dst, const ecl_strided *mask);

#endif /* ECL_SOFTMAX_SPACE_H */
