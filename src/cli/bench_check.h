/*
 * `einsumcl bench --check`: each case's result compared with the CPU path computing the same case
 * in float64 on the same inputs. The error is the largest absolute difference over the largest
 * reference magnitude; the tolerance grows with the number of terms each output element sums
 * (rounding errors of a sum of K terms grow about like sqrt(K)), so a wrong answer (an error of
 * order 1) fails while honest float32 rounding passes.
 */
#ifndef ECL_CLI_BENCH_CHECK_H
#define ECL_CLI_BENCH_CHECK_H

#include "bench_run.h"

typedef enum ecl_bench_check_state {
    ECL_BENCH_CHECK_NOT_RUN,  /* --check not given, or the case failed before it */
    ECL_BENCH_CHECK_PASS,
    ECL_BENCH_CHECK_FAIL,
    ECL_BENCH_CHECK_SELF      /* the run is the reference itself (CPU path in float64) */
} ecl_bench_check_state;

typedef struct ecl_bench_check {
    ecl_bench_check_state state;
    double error;      /* max |out - ref| / max |ref| */
    double tolerance;
} ecl_bench_check;

const char *ecl_bench_check_name(ecl_bench_check_state state);

/* Checks w's output (already computed by a run) against the case on *cpu (a CPU context created
 * on first use, destroyed by the caller). On failure to compute the reference writes a reason
 * into err. */
ecl_status ecl_bench_check_output(ecl_context **cpu, const ecl_bench_case *bc,
                                  const ecl_bench_inputs *in, ecl_bench_work *w,
                                  ecl_bench_check *out, char *err, size_t err_size);

#endif /* ECL_CLI_BENCH_CHECK_H */
