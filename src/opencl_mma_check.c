/*
 * The tensor-core kernels' self-check (see opencl_mma.h), run once per backend and compute mode
 * before the mode's first GEMM may use them, since the kernels cannot be tested on hardware in
 * CI. Every transposition pair runs a ragged product (37 x 45 x 29, odd leading dimensions and
 * offsets: the element-by-element edge path, one tile) and an aligned one (163 x 139 x 75: float4
 * loads, two tiles each way, a partial last stage of k, every edge 3 past a multiple of 4, where a
 * float4 would read one element too many), both over two batch dims; alpha and beta
 * vary and the ragged products start C as NaN with beta == 0 (C must not be read).
 * ECL_MMA_SELFCHECK=full adds 24 random shapes. Inputs are random float32 values, not rounded:
 * the kernels round them as they stage them, so the reference is the float64 sum of products of
 * the operands rounded on the host exactly as the planner rounds (half.h). Tolerance per element:
 * (k + 16) * 2^-20 of the sum of |terms| (float32 sums in any order, with room for the tensor
 * cores' own accumulation), far below the mode's error (2^-11 or 2^-8 of it per operand) and far
 * above what a misplaced fragment, a dropped k slice or a mis-rounded operand gives. Elements of
 * C's buffer outside the view must keep their bits.
 */
#include "opencl_gemm_select.h"
#include "opencl_mma.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "half.h"

#define FULL_RANDOM_CASES 24

typedef struct check_case {
    int64_t m, n, k;
    int ta, tb, aligned;
    int64_t batch[2]; /* outer, inner */
    double alpha, beta;
} check_case;

/* One operand's placement: rows x cols stored at leading dimension ld; batch strides; offset. */
typedef struct placed {
    int64_t rows, cols, ld, stride[2], offset, len;
} placed;

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static float rng_unit(uint64_t *s) { return (float)((double)(rng_next(s) >> 11) * 0x1p-52 - 1.0); }

static int64_t round_up4(int64_t x) { return (x + 3) / 4 * 4; }

/* Lays out an operand: aligned ones get multiples of 4 everywhere, ragged ones odd paddings. */
static placed place(int64_t rows, int64_t cols, const int64_t *batch, int aligned, int salt)
{
    placed p = {rows, cols, 0, {0, 0}, 0, 0};
    p.ld = aligned ? round_up4(cols) + 4 * (salt % 2) : cols + 1 + 2 * (salt % 2);
    const int64_t matrix = rows * p.ld;
    p.stride[1] = aligned ? round_up4(matrix) + 4 : matrix + 3;
    p.stride[0] = p.stride[1] * batch[1] + (aligned ? 8 : 5);
    p.offset = aligned ? 4 * (salt + 1) : 2 * salt + 1;
    p.len = p.offset + (batch[0] - 1) * p.stride[0] + (batch[1] - 1) * p.stride[1] + matrix + 2;
    return p;
}

static float round_to(ecl_compute c, float x)
{
    return c == ECL_COMPUTE_TF32 ? ecl_round_tf32(x) : c == ECL_COMPUTE_F16 ? ecl_round_f16(x)
                                                                              : ecl_round_bf16(x);
}

typedef struct run_state {
    ecl_ocl_backend *be;
    ecl_compute compute;
    double worst;  /* largest error / tolerance so far */
    char *text;
    size_t cap;
} run_state;

/* Device buffers of the three operands, filled from host. */
static ecl_status upload(ecl_ocl_backend *be, float *const *host, const placed *p, cl_mem *mem)
{
    for (int o = 0; o < 3; o++) {
        cl_int rc;
        mem[o] = clCreateBuffer(be->context, CL_MEM_READ_WRITE, (size_t)p[o].len * sizeof(float),
                                NULL, &rc);
        if (rc != CL_SUCCESS)
            return ecl_ocl_fail(be, rc, "clCreateBuffer(self-check operand)");
        rc = clEnqueueWriteBuffer(be->queue, mem[o], CL_TRUE, 0, (size_t)p[o].len * sizeof(float),
                                  host[o], 0, NULL, NULL);
        if (rc != CL_SUCCESS)
            return ecl_ocl_fail(be, rc, "clEnqueueWriteBuffer(self-check operand)");
    }
    return ECL_SUCCESS;
}

/* Runs the case on the kernels; out receives C's buffer. */
static ecl_status run_device(run_state *rs, const check_case *cc, float *const *host,
                             const placed *p, float *out)
{
    ecl_ocl_backend *be = rs->be;
    cl_mem mem[3] = {NULL, NULL, NULL};
    ecl_status st = upload(be, host, p, mem);
    if (st == ECL_SUCCESS) {
        ocl_gemm_job job = {.be = be, .dtype = ECL_F32, .trans_a = cc->ta, .trans_b = cc->tb,
                            .compute = (int)rs->compute, .m = cc->m, .n = cc->n, .k = cc->k,
                            .alpha = cc->alpha, .beta = cc->beta, .count = 1};
        for (int o = 0; o < 3; o++) {
            job.mem[o] = mem[o];
            job.offset[o] = p[o].offset;
            job.ld[o] = p[o].ld;
            job.last[o] = p[o].len - 1;
        }
        for (int d = 0; d < 2; d++)
            if (cc->batch[d] > 1) {
                ocl_batch_dim *bd = &job.dim[job.nd++];
                bd->size = cc->batch[d];
                for (int o = 0; o < 3; o++)
                    bd->stride[o] = p[o].stride[d];
                job.count *= cc->batch[d];
            }
        st = ocl_gemm_run_mma(&job);
    }
    if (st == ECL_SUCCESS) {
        cl_int rc = clEnqueueReadBuffer(be->queue, mem[2], CL_TRUE, 0,
                                        (size_t)p[2].len * sizeof(float), out, 0, NULL, NULL);
        if (rc != CL_SUCCESS)
            st = ecl_ocl_fail(be, rc, "clEnqueueReadBuffer(self-check result)");
    }
    for (int o = 0; o < 3; o++)
        if (mem[o])
            clReleaseMemObject(mem[o]);
    return st;
}

static void describe(const check_case *cc, char *buf, size_t cap)
{
    snprintf(buf, cap, "%lldx%lldx%lld batch %lldx%lld trans %c%c %s alpha %g beta %g",
             (long long)cc->m, (long long)cc->n, (long long)cc->k, (long long)cc->batch[0],
             (long long)cc->batch[1], cc->ta ? 'T' : 'N', cc->tb ? 'T' : 'N',
             cc->aligned ? "aligned" : "ragged", cc->alpha, cc->beta);
}

/* Compares out with the reference; 1 when every element is within tolerance. */
static int compare(run_state *rs, const check_case *cc, float *const *host, const placed *p,
                   float *out)
{
    char *covered = ecl_calloc((size_t)p[2].len, 1);
    if (!covered) {
        snprintf(rs->text, rs->cap, "could not run: out of host memory");
        return 0;
    }
    out[p[2].offset] += (float)ecl_mma_selfcheck_perturb;
    int ok = 1;
    for (int64_t bo = 0; ok && bo < cc->batch[0]; bo++)
        for (int64_t bi = 0; ok && bi < cc->batch[1]; bi++) {
            const int64_t oa = p[0].offset + bo * p[0].stride[0] + bi * p[0].stride[1];
            const int64_t ob = p[1].offset + bo * p[1].stride[0] + bi * p[1].stride[1];
            const int64_t oc = p[2].offset + bo * p[2].stride[0] + bi * p[2].stride[1];
            for (int64_t i = 0; ok && i < cc->m; i++)
                for (int64_t j = 0; ok && j < cc->n; j++) {
                    double s = 0, sabs = 0;
                    for (int64_t q = 0; q < cc->k; q++) {
                        const float a = host[0][oa + (cc->ta ? q * p[0].ld + i : i * p[0].ld + q)];
                        const float b = host[1][ob + (cc->tb ? j * p[1].ld + q : q * p[1].ld + j)];
                        const double t = (double)round_to(rs->compute, a) * round_to(rs->compute, b);
                        s += t;
                        sabs += fabs(t);
                    }
                    const int64_t ic = oc + i * p[2].ld + j;
                    const double prev = cc->beta == 0 ? 0 : cc->beta * host[2][ic];
                    const double want = cc->alpha * s + prev;
                    const double tol = (double)(cc->k + 16) * 0x1p-20 *
                                           (fabs(cc->alpha) * sabs + fabs(prev)) + 1e-30;
                    const double err = fabs((double)out[ic] - want);
                    covered[ic] = 1;
                    if (!(err <= tol)) {
                        char what[160];
                        describe(cc, what, sizeof what);
                        snprintf(rs->text, rs->cap,
                                 "failed: %s: C[%lld][%lld][%lld][%lld] = %.9g, expected %.9g "
                                 "(error %.3g, tolerance %.3g)", what, (long long)bo,
                                 (long long)bi, (long long)i, (long long)j, (double)out[ic], want,
                                 err, tol);
                        ok = 0;
                    } else if (err / tol > rs->worst) {
                        rs->worst = err / tol;
                    }
                }
        }
    for (int64_t x = 0; ok && x < p[2].len; x++)
        if (!covered[x] && memcmp(&out[x], &host[2][x], sizeof(float)) != 0) {
            char what[160];
            describe(cc, what, sizeof what);
            snprintf(rs->text, rs->cap, "failed: %s: element %lld of C's buffer, outside the "
                     "view, changed", what, (long long)x);
            ok = 0;
        }
    ecl_free(covered);
    return ok;
}

/* Runs one case; 1 when it matches. */
static int run_case(run_state *rs, const check_case *cc, uint64_t *seed)
{
    placed p[3];
    p[0] = place(cc->ta ? cc->k : cc->m, cc->ta ? cc->m : cc->k, cc->batch, cc->aligned, 0);
    p[1] = place(cc->tb ? cc->n : cc->k, cc->tb ? cc->k : cc->n, cc->batch, cc->aligned, 1);
    p[2] = place(cc->m, cc->n, cc->batch, cc->aligned, 2);
    float *host[3] = {NULL, NULL, NULL}, *out = ecl_malloc((size_t)p[2].len * sizeof(float));
    int ok = out != NULL;
    for (int o = 0; ok && o < 3; o++) {
        if (!(host[o] = ecl_malloc((size_t)p[o].len * sizeof(float)))) {
            ok = 0;
            break;
        }
        for (int64_t x = 0; x < p[o].len; x++)
            host[o][x] = o == 2 && cc->beta == 0 ? NAN : rng_unit(seed);
    }
    if (!ok) {
        snprintf(rs->text, rs->cap, "could not run: out of host memory");
    } else {
        ecl_status st = run_device(rs, cc, host, p, out);
        if (st != ECL_SUCCESS) {
            char what[160];
            describe(cc, what, sizeof what);
            snprintf(rs->text, rs->cap, "could not run (%s): %.300s", what, rs->be->base.err->message);
            ok = 0;
        } else {
            ok = compare(rs, cc, host, p, out);
        }
    }
    for (int o = 0; o < 3; o++)
        ecl_free(host[o]);
    ecl_free(out);
    return ok;
}

static check_case random_case(uint64_t *seed)
{
    check_case cc;
    cc.m = 1 + (int64_t)(rng_next(seed) % 300);
    cc.n = 1 + (int64_t)(rng_next(seed) % 300);
    cc.k = 1 + (int64_t)(rng_next(seed) % 160);
    cc.ta = (int)(rng_next(seed) & 1);
    cc.tb = (int)(rng_next(seed) & 1);
    cc.aligned = (int)(rng_next(seed) & 1);
    cc.batch[0] = 1 + (int64_t)(rng_next(seed) % 3);
    cc.batch[1] = 1 + (int64_t)(rng_next(seed) % 3);
    cc.alpha = (rng_next(seed) & 1) ? 1.0 : -0.625;
    cc.beta = (rng_next(seed) & 1) ? 0.0 : 0.5;
    return cc;
}

int ecl_ocl_mma_selfcheck(ecl_ocl_backend *be, ecl_compute compute, char *text, size_t cap)
{
    run_state rs = {be, compute, 0.0, text, cap};
    uint64_t seed = 0x5eed0000u + (uint64_t)compute;
    const char *full = getenv("ECL_MMA_SELFCHECK");
    const int extra = full && strcmp(full, "full") == 0 ? FULL_RANDOM_CASES : 0;
    int cases = 0;
    for (int t = 0; t < 4; t++) {
        const check_case ragged = {37, 45, 29, t >> 1, t & 1, 0, {2, 1}, 0.75, 0.0};
        const check_case aligned = {163, 139, 75, t >> 1, t & 1, 1, {2, 2}, -1.25, 0.5};
        if (!run_case(&rs, &ragged, &seed) || !run_case(&rs, &aligned, &seed))
            return 0;
        cases += 2;
    }
    for (int i = 0; i < extra; i++, cases++) {
        const check_case cc = random_case(&seed);
        if (!run_case(&rs, &cc, &seed))
            return 0;
    }
    snprintf(text, cap, "passed (%s): %d products (ragged 37x45x29 and aligned 163x139x75, every "
             "transposition%s), largest error %.2g of the tolerance",
             be->mma && be->mma->emulated ? "emulated instruction" : "mma.sync", cases,
             extra ? ", 24 random shapes" : "", rs.worst);
    return 1;
}
