/*
 * Choosing the GEMM implementation per job (see opencl_gemm_select.h). Measuring in auto mode
 * runs each candidate once to warm up (CLBlast compiles its kernels then) and then times whole
 * calls with clFinish around them, so CLBlast's host work counts too. The runs must not disturb
 * the result: with beta == 0 and C apart from A and B every run writes the same correct C (the
 * candidates agree within float32 rounding: under a compute mode the operands are already
 * rounded, so the tensor cores compute what the others do), so they run in place; otherwise they
 * run with beta = 0 into a scratch C covering C's reach, and the winner then runs on the real C.
 */
#include "opencl_gemm_select.h"
#include "opencl_mma.h"
#include "alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMED_RUNS 2
#define SLOW_MS 100.0 /* when every warm-up run takes longer, one timed run each is enough */

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
    else if (strcmp(v, "mma") == 0)
        state->mode = ECL_GEMM_MMA;
    else
        return ecl_fail(be->base.err, ECL_ERROR_INVALID_ARGUMENT,
                        "ECL_GEMM=%.64s: expected clblast, own, mma or auto", v);
    state->mode_read = 1;
    return ECL_SUCCESS;
}

static const char *const impl_names[ECL_IMPL_COUNT] = {"clblast", "own", "mma"};

static ecl_status run_impl(ocl_gemm_job *job, ecl_gemm_impl impl)
{
    switch (impl) {
    case ECL_IMPL_OWN:
        return ocl_gemm_run_own(job);
    case ECL_IMPL_MMA:
        return ocl_gemm_run_mma(job);
    default:
        return ocl_gemm_run_clblast(job);
    }
}

static ecl_status run(ecl_ocl_gemm_state *state, ocl_gemm_job *job, ecl_gemm_impl impl)
{
    state->runs[impl]++;
    return run_impl(job, impl);
}

static ecl_gemm_choice key_of(const ocl_gemm_job *job)
{
    return (ecl_gemm_choice){.dtype = (int)job->dtype, .compute = job->compute,
                             .trans_a = job->trans_a, .trans_b = job->trans_b, .m = job->m,
                             .n = job->n, .k = job->k, .count = job->count};
}

static ecl_gemm_choice *find(ecl_ocl_gemm_state *state, const ecl_gemm_choice *key)
{
    for (int i = 0; i < state->nchoices; i++) {
        ecl_gemm_choice *c = &state->choice[i];
        if (c->dtype == key->dtype && c->compute == key->compute && c->trans_a == key->trans_a &&
            c->trans_b == key->trans_b &&
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
    ecl_status st = run_impl(job, impl);
    if (st != ECL_SUCCESS || clFinish(q) != CL_SUCCESS)
        return HUGE_VAL;
    return now_ms() - t0;
}

/* Times the candidates on job and returns the fastest; *done says whether C already holds the
 * result (runs made in place). */
static ecl_gemm_impl measure(ecl_ocl_gemm_state *state, ocl_gemm_job *job, const int *cand,
                             int *done)
{
    ocl_gemm_job t = *job;
    cl_mem scratch = NULL;
    ecl_gemm_impl first = ECL_IMPL_COUNT;
    for (int impl = 0; impl < ECL_IMPL_COUNT && first == ECL_IMPL_COUNT; impl++)
        if (cand[impl])
            first = (ecl_gemm_impl)impl;
    *done = job->beta == 0 && job->mem[2] != job->mem[0] && job->mem[2] != job->mem[1];
    if (!*done) {
        const size_t esize = job->dtype == ECL_F32 ? 4 : 8;
        cl_int rc;
        scratch = clCreateBuffer(job->be->context, CL_MEM_READ_WRITE,
                                 (size_t)(job->last[2] - job->offset[2] + 1) * esize, NULL, &rc);
        if (rc != CL_SUCCESS)
            return first; /* no room to measure: the first candidate, not remembered */
        t.mem[2] = scratch;
        t.last[2] -= t.offset[2];
        t.offset[2] = 0;
        t.beta = 0;
    }
    double ms[ECL_IMPL_COUNT], best[ECL_IMPL_COUNT];
    int reps = 1;
    for (int impl = 0; impl < ECL_IMPL_COUNT; impl++) {
        ms[impl] = cand[impl] ? timed_run(&t, (ecl_gemm_impl)impl) : HUGE_VAL;
        best[impl] = HUGE_VAL;
        if (ms[impl] <= SLOW_MS)
            reps = TIMED_RUNS; /* when every warm-up run took long, one timed run each is enough */
    }
    for (int r = 0; r < reps; r++)
        for (int impl = 0; impl < ECL_IMPL_COUNT; impl++)
            if (ms[impl] < HUGE_VAL) {
                double x = timed_run(&t, (ecl_gemm_impl)impl);
                best[impl] = x < best[impl] ? x : best[impl];
            }
    if (scratch)
        clReleaseMemObject(scratch);
    state->measurements++;
    ecl_gemm_impl winner = first;
    for (int impl = 0; impl < ECL_IMPL_COUNT; impl++) {
        state->last_ms[impl] = best[impl];
        if (best[impl] < best[winner])
            winner = (ecl_gemm_impl)impl;
    }
    if (best[winner] == HUGE_VAL)
        *done = 0; /* every one failed: the real run below reports the first one's error */
    ecl_gemm_choice c = key_of(job);
    c.impl = winner;
    remember(state, c);
    const char *v = getenv("ECL_VERBOSE");
    if (v && *v && strcmp(v, "0") != 0) {
        char times[160] = "";
        size_t len = 0;
        for (int impl = 0; impl < ECL_IMPL_COUNT; impl++)
            if (cand[impl] && len < sizeof times)
                len += (size_t)snprintf(times + len, sizeof times - len, "%s%s %.3f ms",
                                        len ? ", " : "", impl_names[impl], best[impl]);
        fprintf(stderr, "einsumcl: gemm m=%lld n=%lld k=%lld batch %lld trans %d%d%s%s: %s: %s\n",
                (long long)job->m, (long long)job->n, (long long)job->k, (long long)job->count,
                job->trans_a, job->trans_b, job->compute ? " compute " : "",
                job->compute ? ecl_compute_name((ecl_compute)job->compute) : "", times,
                impl_names[winner]);
    }
    return winner;
}

/* ECL_GEMM=mma with a compute mode the tensor-core kernels cannot run here. */
static ecl_status mma_unavailable(ecl_ocl_backend *be, const ocl_gemm_job *job)
{
    return ecl_fail(be->base.err, ECL_ERROR_BACKEND,
                    "ECL_GEMM=mma: the tensor-core GEMM kernels cannot run %s products on %s: %s "
                    "(unset ECL_GEMM, or set it to auto, to run them on CLBlast or the own kernel)",
                    ecl_compute_name((ecl_compute)job->compute), be->info.name,
                    ecl_ocl_mma_status_text(be, (ecl_compute)job->compute));
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
    const int compute_mode = job->dtype == ECL_F32 && job->compute != ECL_COMPUTE_DEFAULT;
    if (state->mode == ECL_GEMM_CLBLAST || state->mode == ECL_GEMM_OWN)
        return run(state, job, state->mode == ECL_GEMM_OWN ? ECL_IMPL_OWN : ECL_IMPL_CLBLAST);
    if (state->mode == ECL_GEMM_MMA && compute_mode) {
        if (!ecl_ocl_mma_ready(be, (ecl_compute)job->compute))
            return mma_unavailable(be, job);
        return run(state, job, ECL_IMPL_MMA);
    }
    /* auto (and ECL_GEMM=mma for default-mode GEMMs): the candidates */
    int cand[ECL_IMPL_COUNT] = {0};
    cand[ECL_IMPL_CLBLAST] = ocl_clblast_usable(job);
    cand[ECL_IMPL_OWN] = 1;
    cand[ECL_IMPL_MMA] = compute_mode && ecl_ocl_mma_ready(be, (ecl_compute)job->compute);
    if (cand[ECL_IMPL_CLBLAST] + cand[ECL_IMPL_OWN] + cand[ECL_IMPL_MMA] == 1)
        return run(state, job, ECL_IMPL_OWN);
    const ecl_gemm_choice key = key_of(job);
    const ecl_gemm_choice *known = find(state, &key);
    if (known)
        return run(state, job, known->impl);
    int done;
    ecl_gemm_impl impl = measure(state, job, cand, &done);
    if (done) {
        state->runs[impl]++;
        return ECL_SUCCESS;
    }
    return run(state, job, impl);
}
