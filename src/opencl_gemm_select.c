/*
 * Choosing the GEMM implementation per job (see opencl_gemm_select.h). Measuring in auto mode
 * runs each implementation once to warm up (CLBlast compiles its kernels then) and then times
 * whole calls with clFinish around them, so CLBlast's host work counts too. The runs must not
 * disturb the result: with beta == 0 and C apart from A and B every run writes the same correct
 * C, so they run in place; otherwise they run with beta = 0 into a scratch C covering C's reach,
 * and the winner then runs on the real C.
 */
#include "opencl_gemm_select.h"
#include "alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMED_RUNS 2
#define SLOW_MS 100.0 /* when both warm-up runs take longer, one timed run each is enough */

ecl_status ecl_ocl_gemm_state_get(ecl_ocl_backend *be, ecl_ocl_gemm_state **out)
{
    if (!be->gemm && !(be->gemm = ecl_calloc(1, sizeof *be->gemm)))
        return ecl_fail(be->base.err, ECL_ERROR_OUT_OF_MEMORY,
                        "opencl gemm: cannot allocate the implementation table");
    *out = be->gemm;
    return ECL_SUCCESS;
}

void ecl_ocl_gemm_state_free(ecl_ocl_backend *be)
{
    ecl_free(be->gemm);
    be->gemm = NULL;
}

static ecl_status read_mode(ecl_ocl_backend *be, ecl_ocl_gemm_state *state)
{
    if (state->mode_read)
        return ECL_SUCCESS;
    const char *v = getenv("ECL_GEMM");
    if (!v || !*v || strcmp(v, "auto") == 0)
        state->mode = ECL_GEMM_AUTO;
    else if (strcmp(v, "clblast") == 0)
        state->mode = ECL_GEMM_CLBLAST;
    else if (strcmp(v, "own") == 0)
        state->mode = ECL_GEMM_OWN;
    else
        return ecl_fail(be->base.err, ECL_ERROR_INVALID_ARGUMENT,
                        "ECL_GEMM=%.64s: expected clblast, own or auto", v);
    state->mode_read = 1;
    return ECL_SUCCESS;
}

static ecl_status run(ecl_ocl_gemm_state *state, ocl_gemm_job *job, ecl_gemm_impl impl)
{
    state->runs[impl]++;
    return impl == ECL_IMPL_OWN ? ocl_gemm_run_own(job) : ocl_gemm_run_clblast(job);
}

static ecl_gemm_choice key_of(const ocl_gemm_job *job)
{
    return (ecl_gemm_choice){.dtype = (int)job->dtype, .trans_a = job->trans_a,
                             .trans_b = job->trans_b, .m = job->m, .n = job->n, .k = job->k,
                             .count = job->count};
}

static ecl_gemm_choice *find(ecl_ocl_gemm_state *state, const ecl_gemm_choice *key)
{
    for (int i = 0; i < state->nchoices; i++) {
        ecl_gemm_choice *c = &state->choice[i];
        if (c->dtype == key->dtype && c->trans_a == key->trans_a && c->trans_b == key->trans_b &&
            c->m == key->m && c->n == key->n && c->k == key->k && c->count == key->count)
            return c;
    }
    return NULL;
}

static void remember(ecl_ocl_gemm_state *state, ecl_gemm_choice choice)
{
    int slot = state->nchoices < ECL_GEMM_CHOICES ? state->nchoices++ : state->next_slot;
    state->next_slot = (slot + 1) % ECL_GEMM_CHOICES;
    state->choice[slot] = choice;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Milliseconds of one complete run of impl on job (HUGE_VAL when it fails). */
static double timed_run(ocl_gemm_job *job, ecl_gemm_impl impl)
{
    cl_command_queue q = job->be->queue;
    if (clFinish(q) != CL_SUCCESS)
        return HUGE_VAL;
    double t0 = now_ms();
    ecl_status st = impl == ECL_IMPL_OWN ? ocl_gemm_run_own(job) : ocl_gemm_run_clblast(job);
    if (st != ECL_SUCCESS || clFinish(q) != CL_SUCCESS)
        return HUGE_VAL;
    return now_ms() - t0;
}

/* Times both implementations on job and returns the faster; *done says whether C already holds
 * the result (runs made in place). */
static ecl_gemm_impl measure(ecl_ocl_gemm_state *state, ocl_gemm_job *job, int *done)
{
    ocl_gemm_job t = *job;
    cl_mem scratch = NULL;
    *done = job->beta == 0 && job->mem[2] != job->mem[0] && job->mem[2] != job->mem[1];
    if (!*done) {
        const size_t esize = job->dtype == ECL_F32 ? 4 : 8;
        cl_int rc;
        scratch = clCreateBuffer(job->be->context, CL_MEM_READ_WRITE,
                                 (size_t)(job->last[2] - job->offset[2] + 1) * esize, NULL, &rc);
        if (rc != CL_SUCCESS)
            return ECL_IMPL_CLBLAST; /* no room to measure: keep CLBlast, do not remember */
        t.mem[2] = scratch;
        t.last[2] -= t.offset[2];
        t.offset[2] = 0;
        t.beta = 0;
    }
    double ms[2];
    for (int impl = 0; impl < 2; impl++)
        ms[impl] = timed_run(&t, (ecl_gemm_impl)impl);
    int reps = ms[0] > SLOW_MS && ms[1] > SLOW_MS ? 1 : TIMED_RUNS;
    double best[2] = {HUGE_VAL, HUGE_VAL};
    for (int r = 0; r < reps; r++)
        for (int impl = 0; impl < 2; impl++)
            if (ms[impl] < HUGE_VAL) {
                double x = timed_run(&t, (ecl_gemm_impl)impl);
                best[impl] = x < best[impl] ? x : best[impl];
            }
    if (scratch)
        clReleaseMemObject(scratch);
    state->measurements++;
    state->last_ms[0] = best[0];
    state->last_ms[1] = best[1];
    if (best[0] == HUGE_VAL && best[1] == HUGE_VAL)
        *done = 0; /* both failed: the real run below reports CLBlast's error */
    ecl_gemm_impl winner = best[ECL_IMPL_OWN] < best[ECL_IMPL_CLBLAST] ? ECL_IMPL_OWN : ECL_IMPL_CLBLAST;
    ecl_gemm_choice c = key_of(job);
    c.impl = winner;
    remember(state, c);
    const char *v = getenv("ECL_VERBOSE");
    if (v && *v && strcmp(v, "0") != 0)
        fprintf(stderr,
                "einsumcl: gemm m=%lld n=%lld k=%lld batch %lld trans %d%d: clblast %.3f ms, own "
                "%.3f ms: %s\n",
                (long long)job->m, (long long)job->n, (long long)job->k, (long long)job->count,
                job->trans_a, job->trans_b, best[0], best[1],
                winner == ECL_IMPL_OWN ? "own" : "clblast");
    return winner;
}

ecl_status ocl_gemm_dispatch(ocl_gemm_job *job)
{
    ecl_ocl_backend *be = job->be;
    ecl_ocl_gemm_state *state = NULL;
    ecl_status st = ecl_ocl_gemm_state_get(be, &state);
    if (st || (st = read_mode(be, state)))
        return st;
    if (job->dtype == ECL_F64 && !be->info.has_fp64)
        return ecl_fail(be->base.err, ECL_ERROR_DTYPE,
                        "opencl gemm: float64 needs cl_khr_fp64, which %s lacks", be->info.name);
    if (state->mode != ECL_GEMM_AUTO)
        return run(state, job, state->mode == ECL_GEMM_OWN ? ECL_IMPL_OWN : ECL_IMPL_CLBLAST);
    if (!ocl_clblast_usable(job))
        return run(state, job, ECL_IMPL_OWN);
    const ecl_gemm_choice key = key_of(job);
    const ecl_gemm_choice *known = find(state, &key);
    if (known)
        return run(state, job, known->impl);
    int done;
    ecl_gemm_impl impl = measure(state, job, &done);
    if (done) {
        state->runs[impl]++;
        return ECL_SUCCESS;
    }
    return run(state, job, impl);
}
