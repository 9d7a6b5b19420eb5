/*
 * Tolerance-scaled comparison of library results against the reference einsum (see compare.h).
 */
#include "compare.h"

#include <float.h>
#include <math.h>

/* Summation depth grows with the summed terms; the slack covers products of up to ECL_MAX_OPERANDS
 * factors, intermediate roundings between contraction steps, conversions and alpha/beta. */
double ecl_test_tolerance(ecl_dtype dtype, long double abs_sum, int64_t terms, int nops,
                          double alpha, double beta, double prev)
{
    double eps = dtype == ECL_F32 ? FLT_EPSILON : DBL_EPSILON;
    double tiny = dtype == ECL_F32 ? FLT_MIN : DBL_MIN;
    double depth = (double)terms + 4.0 * nops + 16.0;
    return eps * (depth * fabs(alpha) * (double)abs_sum + 4.0 * fabs(beta * prev)) + tiny;
}

double ecl_test_load(ecl_dtype dtype, const void *data, int64_t i)
{
    if (dtype == ECL_F32)
        return (double)((const float *)data)[i];
    return ((const double *)data)[i];
}

int ecl_test_mismatch(const ecl_ref_result *ref, int nops, const void *got, const double *prev,
                      double alpha, double beta, ecl_mismatch *first)
{
    first->index = -1;
    for (int64_t i = 0; i < ref->numel; i++) {
        double old = beta != 0.0 && prev ? prev[i] : 0.0;
        long double want = (long double)alpha * ref->value[i] + (long double)beta * old;
        double tol = ecl_test_tolerance(ref->dtype, ref->abs_sum[i], ref->terms, nops, alpha, beta,
                                        old);
        double value = ecl_test_load(ref->dtype, got, i);
        if (!(fabsl((long double)value - want) <= tol)) {
            first->index = i;
            first->got = value;
            first->want = (double)want;
            first->tolerance = tol;
            return 1;
        }
    }
    return 0;
}
