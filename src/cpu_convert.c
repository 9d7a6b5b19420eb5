/*
 * The CPU copy's rows for the 16-bit dtypes and the compute modes' rounding: every pair of
 * element types the planner and the tensor operations convert between that involves float16,
 * bfloat16 or a rounding destination (dtype_internal.h). Values pass through double (alpha, beta),
 * are rounded to float32 and then to the destination's format by half.h's bit manipulation.
 */
#include "cpu_internal.h"
#include "dtype_internal.h"
#include "half.h"

#define LD_F32(p, i) ((double)((const float *)(p))[i])
#define LD_F64(p, i) (((const double *)(p))[i])
#define LD_F16(p, i) ((double)ecl_half_bits_to_f32(((const uint16_t *)(p))[i]))
#define LD_BF16(p, i) ((double)ecl_bf16_bits_to_f32(((const uint16_t *)(p))[i]))

#define ST_F32(p, i, v) (((float *)(p))[i] = (float)(v))
#define ST_F64(p, i, v) (((double *)(p))[i] = (v))
#define ST_F16(p, i, v) (((uint16_t *)(p))[i] = ecl_f32_to_half_bits((float)(v)))
#define ST_BF16(p, i, v) (((uint16_t *)(p))[i] = ecl_f32_to_bf16_bits((float)(v)))
#define ST_RTF32(p, i, v) (((float *)(p))[i] = ecl_round_tf32((float)(v)))
#define ST_RF16(p, i, v) (((float *)(p))[i] = ecl_round_f16((float)(v)))
#define ST_RBF16(p, i, v) (((float *)(p))[i] = ecl_round_bf16((float)(v)))

/* dst = alpha * src + beta * dst; with beta == 0 dst is not read. */
#define DEFINE_CVT_ROW(NAME, LDS, LDD, STD)                                                  \
    static void NAME(char *dp, int64_t ds, const char *ap, int64_t as, const char *bp,       \
                     int64_t bs, int64_t n, double alpha, double beta)                       \
    {                                                                                        \
        (void)bp, (void)bs;                                                                  \
        if (beta == 0.0 && alpha == 1.0)                                                     \
            for (int64_t i = 0; i < n; i++)                                                  \
                STD(dp, i * ds, LDS(ap, i * as));                                            \
        else if (beta == 0.0)                                                                \
            for (int64_t i = 0; i < n; i++)                                                  \
                STD(dp, i * ds, alpha * LDS(ap, i * as));                                    \
        else                                                                                 \
            for (int64_t i = 0; i < n; i++)                                                  \
                STD(dp, i * ds, alpha * LDS(ap, i * as) + beta * LDD(dp, i * ds));           \
    }

DEFINE_CVT_ROW(cvt_f32_f16, LD_F16, LD_F32, ST_F32)
DEFINE_CVT_ROW(cvt_f32_bf16, LD_BF16, LD_F32, ST_F32)
DEFINE_CVT_ROW(cvt_f64_f16, LD_F16, LD_F64, ST_F64)
DEFINE_CVT_ROW(cvt_f64_bf16, LD_BF16, LD_F64, ST_F64)
DEFINE_CVT_ROW(cvt_f16_f32, LD_F32, LD_F16, ST_F16)
DEFINE_CVT_ROW(cvt_f16_f64, LD_F64, LD_F16, ST_F16)
DEFINE_CVT_ROW(cvt_f16_f16, LD_F16, LD_F16, ST_F16)
DEFINE_CVT_ROW(cvt_f16_bf16, LD_BF16, LD_F16, ST_F16)
DEFINE_CVT_ROW(cvt_bf16_f32, LD_F32, LD_BF16, ST_BF16)
DEFINE_CVT_ROW(cvt_bf16_f64, LD_F64, LD_BF16, ST_BF16)
DEFINE_CVT_ROW(cvt_bf16_f16, LD_F16, LD_BF16, ST_BF16)
DEFINE_CVT_ROW(cvt_bf16_bf16, LD_BF16, LD_BF16, ST_BF16)
DEFINE_CVT_ROW(cvt_rtf32_f32, LD_F32, LD_F32, ST_RTF32)
DEFINE_CVT_ROW(cvt_rtf32_f16, LD_F16, LD_F32, ST_RTF32)
DEFINE_CVT_ROW(cvt_rtf32_bf16, LD_BF16, LD_F32, ST_RTF32)
DEFINE_CVT_ROW(cvt_rf16_f32, LD_F32, LD_F32, ST_RF16)
DEFINE_CVT_ROW(cvt_rf16_f16, LD_F16, LD_F32, ST_RF16)
DEFINE_CVT_ROW(cvt_rf16_bf16, LD_BF16, LD_F32, ST_RF16)
DEFINE_CVT_ROW(cvt_rbf16_f32, LD_F32, LD_F32, ST_RBF16)
DEFINE_CVT_ROW(cvt_rbf16_f16, LD_F16, LD_F32, ST_RBF16)
DEFINE_CVT_ROW(cvt_rbf16_bf16, LD_BF16, LD_F32, ST_RBF16)
DEFINE_CVT_ROW(cvt_rtf32_f64, LD_F64, LD_F32, ST_RTF32)
DEFINE_CVT_ROW(cvt_rf16_f64, LD_F64, LD_F32, ST_RF16)
DEFINE_CVT_ROW(cvt_rbf16_f64, LD_F64, LD_F32, ST_RBF16)

/* Index of a source dtype in the tables below: f32, f64, f16, bf16. */
static int src_index(ecl_dtype d)
{
    return d == ECL_F32 ? 0 : d == ECL_F64 ? 1 : d == ECL_F16 ? 2 : d == ECL_BF16 ? 3 : -1;
}

cpu_row_fn cpu_convert_row(ecl_dtype dtype, ecl_dtype src_dtype)
{
    static const cpu_row_fn to_f32[4] = {NULL, NULL, cvt_f32_f16, cvt_f32_bf16};
    static const cpu_row_fn to_f64[4] = {NULL, NULL, cvt_f64_f16, cvt_f64_bf16};
    static const cpu_row_fn to_f16[4] = {cvt_f16_f32, cvt_f16_f64, cvt_f16_f16, cvt_f16_bf16};
    static const cpu_row_fn to_bf16[4] = {cvt_bf16_f32, cvt_bf16_f64, cvt_bf16_f16, cvt_bf16_bf16};
    static const cpu_row_fn to_rtf32[4] = {cvt_rtf32_f32, cvt_rtf32_f64, cvt_rtf32_f16, cvt_rtf32_bf16};
    static const cpu_row_fn to_rf16[4] = {cvt_rf16_f32, cvt_rf16_f64, cvt_rf16_f16, cvt_rf16_bf16};
    static const cpu_row_fn to_rbf16[4] = {cvt_rbf16_f32, cvt_rbf16_f64, cvt_rbf16_f16, cvt_rbf16_bf16};
    const int s = src_index(src_dtype);
    if (s < 0)
        return NULL;
    switch ((int)dtype) {
    case ECL_F32: return to_f32[s];
    case ECL_F64: return to_f64[s];
    case ECL_F16: return to_f16[s];
    case ECL_BF16: return to_bf16[s];
    case (int)ECL_F32_ROUND_TF32: return to_rtf32[s];
    case (int)ECL_F32_ROUND_F16: return to_rf16[s];
    case (int)ECL_F32_ROUND_BF16: return to_rbf16[s];
    }
    return NULL;
}
