/*
 * Internal element types, never seen through the API: float32 storage whose values the copy
 * primitive rounds to a narrower format, which is how the planner emulates the compute modes
 * (ecl_compute) on devices without tensor cores. Only a copy's destination dtype takes them.
 */
#ifndef ECL_DTYPE_INTERNAL_H
#define ECL_DTYPE_INTERNAL_H

#include "einsumcl.h"

#define ECL_F32_ROUND_TF32 ((ecl_dtype)17)
#define ECL_F32_ROUND_F16 ((ecl_dtype)18)
#define ECL_F32_ROUND_BF16 ((ecl_dtype)19)

static inline int ecl_dtype_is_rounding(ecl_dtype d)
{
    return d == ECL_F32_ROUND_TF32 || d == ECL_F32_ROUND_F16 || d == ECL_F32_ROUND_BF16;
}

static inline int ecl_dtype_is_16bit(ecl_dtype d) { return d == ECL_F16 || d == ECL_BF16; }

/* The dtype the memory holds: float32 for the rounding dtypes. */
static inline ecl_dtype ecl_dtype_storage(ecl_dtype d) { return ecl_dtype_is_rounding(d) ? ECL_F32 : d; }

/* Bytes per element, the rounding dtypes included (4); 0 when unknown. */
static inline size_t ecl_dtype_bytes(ecl_dtype d) { return ecl_dtype_size(ecl_dtype_storage(d)); }

/* The rounding dtype of a compute mode (ECL_F32 for the default: no rounding). */
static inline ecl_dtype ecl_compute_rounding(ecl_compute c)
{
    return c == ECL_COMPUTE_TF32  ? ECL_F32_ROUND_TF32
           : c == ECL_COMPUTE_F16 ? ECL_F32_ROUND_F16
           : c == ECL_COMPUTE_BF16 ? ECL_F32_ROUND_BF16
                                   : ECL_F32;
}

/* The compute mode whose rounding dtype is round (the default for ECL_F32 and anything else). */
static inline ecl_compute ecl_rounding_compute(ecl_dtype round)
{
    return round == ECL_F32_ROUND_TF32  ? ECL_COMPUTE_TF32
           : round == ECL_F32_ROUND_F16 ? ECL_COMPUTE_F16
           : round == ECL_F32_ROUND_BF16 ? ECL_COMPUTE_BF16
                                         : ECL_COMPUTE_DEFAULT;
}

#endif /* ECL_DTYPE_INTERNAL_H */
