/*
 * The bound equation: an equation plus the operands' shapes, strides and dtypes, checked against
 * numpy.einsum's rules. Every distinct label (letters, and one synthetic label per broadcast "..."
 * dimension) gets an id and a size. Each operand becomes a strided view over distinct labels:
 * repeated labels (diagonals) are merged into one dimension whose stride is the sum of theirs, and
 * size-1 dimensions broadcast against a larger label size get stride 0. The output is a list of
 * label ids (implicit output computed as numpy does).
 */
#ifndef ECL_BIND_H
#define ECL_BIND_H

#include "equation.h"

/* 52 letters plus at most ECL_MAX_DIMS broadcast dimensions. */
#define ECL_MAX_LABELS (52 + ECL_MAX_DIMS)

typedef struct ecl_operand {
    ecl_dtype dtype;
    int ndim;                        /* distinct labels of this operand */
    int label[ECL_MAX_DIMS];         /* label ids, distinct, in the operand's dimension order */
    int64_t stride[ECL_MAX_DIMS];    /* element strides (diagonals summed, broadcasts 0) */
} ecl_operand;

typedef struct ecl_bound {
    int nlabels;
    int64_t size[ECL_MAX_LABELS];    /* size of each label */
    char name[ECL_MAX_LABELS];       /* the letter, or 0 for a broadcast ("...") dimension */
    int nops;
    ecl_operand op[ECL_MAX_OPERANDS];
    int out_ndim;
    int out_label[ECL_MAX_DIMS];     /* output label ids in output order, distinct */
    int64_t out_shape[ECL_MAX_DIMS];
    ecl_dtype out_dtype;             /* result dtype (ecl_result_dtype) */
    ecl_dtype dtype;                 /* what every step computes in and the workspace holds:
                                      * float64 if any input is float64, else float32 */
    ecl_dtype round;                 /* ECL_F32, or the rounding dtype (dtype_internal.h) the
                                      * operands of every pairwise product are copied through
                                      * for a compute mode; set by ecl_plan_create */
} ecl_bound;

/* numpy's result dtype of the inputs, with torch's rule for bfloat16: float64 wins, then
 * float32; float16 with bfloat16 gives float32; otherwise the one 16-bit type present. */
ecl_dtype ecl_result_dtype(int n, const ecl_tensor_desc *inputs);

/* Binds eq to n input descriptors. Errors name the operand, label, sizes and byte position:
 * ECL_ERROR_INVALID_ARGUMENT (operand count), ECL_ERROR_SHAPE, ECL_ERROR_DTYPE, ECL_ERROR_OVERFLOW,
 * ECL_ERROR_PARSE (semantic errors tied to a position, e.g. an output label not in any input). */
ecl_status ecl_bind(const ecl_equation *eq, int n, const ecl_tensor_desc *inputs, ecl_bound *b,
                    ecl_error *err);

/* Printable name of a label: the letter, or "...0", "...1" for broadcast dims. buf >= 16 bytes. */
const char *ecl_label_name(const ecl_bound *b, int label, char *buf);

#endif /* ECL_BIND_H */
