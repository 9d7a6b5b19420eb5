/*
 * Enqueueing the sum kernels (reductions over trailing axes, batched dots): how many work-items
 * share one output and in which order (so reads are coalesced along whichever of the summed or
 * kept dims is contiguous in memory), and how many chunks the summed range is cut into when
 * there are too few outputs to fill the device, in which case a second kernel adds the chunks'
 * partial sums (a full reduction runs on many work-groups, not one).
 */
#include "opencl_launch.h"

/* Elements each item sums at least before lanes meet in the tree (the tree costs a barrier per
 * level); fewest elements per item in a chunk; most chunks per output. */
#define ITEM_RUN 4
#define MIN_PER_ITEM 32
#define MAX_CHUNKS 1024
/* Partial sums are stored as the kernels' accumulator, at most 8 bytes. */
#define PARTIAL_BYTES 8

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static int64_t ceil_pow2(int64_t v)
{
    int64_t p = 1;
    while (p < v)
        p *= 2;
    return p;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

typedef struct sum_shape {
    int64_t nout, nsum;
    int lanes, lanes_fast;  /* items per output; whether they are consecutive */
    int64_t out_groups;     /* work-groups covering the outputs once */
    int64_t nchunks, chunk; /* the summed range cut into nchunks chunks of chunk elements */
} sum_shape;

static void choose_shape(const struct ecl_ocl_kernels *k, const cpu_space *sp, sum_shape *s)
{
    const int nd = sp->nd, nkeep = sp->nkeep, inner = nd - 1;
    const int key = sp->nops == 3 && sp->stride[1][inner] == 0 ? 2 : 1;
    const int64_t wg = (int64_t)k->sum_wg;
    s->nout = cpu_space_count(sp, 0, nkeep);
    s->nsum = cpu_space_count(sp, nkeep, nd);
    /* Summing along memory at least as contiguous as the outputs: lanes of one output take
     * consecutive elements. Otherwise consecutive items take consecutive outputs. */
    s->lanes_fast =
        nkeep == 0 || abs64(sp->stride[key][inner]) <= abs64(sp->stride[key][nkeep - 1]);
    if (s->lanes_fast)
        s->lanes = (int)min64(wg, ceil_pow2((s->nsum + ITEM_RUN - 1) / ITEM_RUN));
    else
        s->lanes = (int)(wg / min64(wg, ceil_pow2(s->nout)));
    const int64_t per = wg / s->lanes;
    s->out_groups = (s->nout + per - 1) / per;
    /* Too few outputs to occupy the device: cut the sum into chunks. */
    const int64_t target = (int64_t)k->fill_groups;
    s->nchunks = 1;
    if (s->out_groups < target) {
        int64_t want = (target + s->out_groups - 1) / s->out_groups;
        want = min64(want, s->nsum / ((int64_t)s->lanes * MIN_PER_ITEM));
        s->nchunks = want > 1 ? min64(want, MAX_CHUNKS) : 1;
    }
    s->chunk = (s->nsum + s->nchunks - 1) / s->nchunks;
    s->nchunks = (s->nsum + s->chunk - 1) / s->chunk;
}

ecl_status ecl_ocl_launch_sum(ecl_ocl_backend *be, const cpu_space *sp, ecl_dtype dtype,
                              cl_mem dst, cl_mem a, cl_mem b, double alpha, double beta)
{
    struct ecl_ocl_kernels *k;
    ecl_status st = ecl_ocl_kernels_get(be, dtype, &k);
    if (st)
        return st;
    const int has_b = sp->nops == 3;
    ecl_ocl_space space;
    st = ecl_ocl_space_pack(be, has_b ? "mul" : "reduce", sp, &space);
    if (st)
        return st;
    sum_shape s;
    choose_shape(k, sp, &s);
    cl_mem partial = NULL;
    if (s.nchunks > 1) {
        st = ecl_ocl_scratch_get(be, k, (size_t)(s.nout * s.nchunks) * PARTIAL_BYTES, &partial);
        if (st)
            return st;
    }
    const int inner = sp->nd - 1;
    const cl_mem bmem = has_b ? b : a;
    const cl_long nout = s.nout, nsum = s.nsum, ninner = sp->shape[inner];
    const cl_long a_in = sp->stride[1][inner], b_in = has_b ? sp->stride[2][inner] : 0;
    const cl_int lanes = s.lanes, lanes_fast = s.lanes_fast;
    const cl_long nchunks = s.nchunks, chunk = s.chunk;
    const cl_long span = k->blocked ? (s.chunk + s.lanes - 1) / s.lanes : 0;
    const ecl_ocl_scalar alpha_s = ecl_ocl_scalar_of(dtype, alpha);
    const ecl_ocl_scalar beta_s = ecl_ocl_scalar_of(dtype, beta);
    const ecl_ocl_arg args[] = {
        {sizeof dst, &dst},
        {sizeof a, &a},
        {sizeof bmem, &bmem},
        {sizeof space, &space},
        {sizeof nout, &nout},
        {sizeof nsum, &nsum},
        {sizeof ninner, &ninner},
        {sizeof a_in, &a_in},
        {sizeof b_in, &b_in},
        {sizeof lanes, &lanes},
        {sizeof lanes_fast, &lanes_fast},
        {sizeof nchunks, &nchunks},
        {sizeof chunk, &chunk},
        {sizeof span, &span},
        {alpha_s.size, &alpha_s.v},
        {beta_s.size, &beta_s.v},
        {sizeof partial, &partial},
        {k->sum_wg * PARTIAL_BYTES, NULL}, /* local memory for the lanes' tree */
    };
    const size_t tasks = (size_t)(s.out_groups * s.nchunks);
    size_t groups = tasks < k->max_groups ? tasks : k->max_groups;
    st = ecl_ocl_enqueue(be, k, has_b ? ECL_K_SUM_MUL : ECL_K_SUM, args,
                         (int)(sizeof args / sizeof args[0]), 1, &groups, &k->sum_wg);
    if (st || s.nchunks == 1)
        return st;
    const ecl_ocl_arg fin[] = {
        {sizeof dst, &dst},   {sizeof partial, &partial}, {sizeof space, &space},
        {sizeof nout, &nout}, {sizeof nchunks, &nchunks}, {alpha_s.size, &alpha_s.v},
        {beta_s.size, &beta_s.v},
    };
    groups = (size_t)((s.nout + (int64_t)k->wg - 1) / (int64_t)k->wg);
    groups = groups < k->max_groups ? groups : k->max_groups;
    return ecl_ocl_enqueue(be, k, ECL_K_SUM_PARTIALS, fin, (int)(sizeof fin / sizeof fin[0]), 1,
                           &groups, &k->wg);
}
