/*
 * Sums over trailing axes: dst = alpha * sum(a) + beta * dst (ecl_sum) and dst = alpha *
 * sum(a * b) + beta * dst (ecl_sum_mul: batched dots, matrix-vector products), accumulating in
 * `acc`. dims [0, nkeep) of sp are kept (one output each), [nkeep, nd - 1) are outer summed dims
 * and the innermost summed dim (ninner elements, strides a_in, b_in) is passed apart so the loop
 * walks it without divisions.
 * A work-group of wg items serves wg / lanes outputs, `lanes` items per output (lanes is a power
 * of two; lanes_fast: consecutive items share an output, for sums along contiguous memory, else
 * consecutive items take consecutive outputs). Each item sums every lanes-th element of its chunk
 * of the summed range (GPUs: neighbouring items read neighbouring elements) or, when span > 0, a
 * contiguous block of span elements (CPU devices, where one item's iterations run back to back);
 * the lanes then meet in a tree in local memory. With nchunks == 1 the result goes to dst;
 * otherwise each chunk writes partial[out * nchunks + chunk] and ecl_sum_partials finishes the
 * sum (full reductions use many work-groups this way).
 */
#define ECL_SUM_KERNEL(NAME, HAS_B)                                                           \
    kernel void NAME(global real *dst, global const real *a, global const real *b,            \
                     const ecl_space sp, const long nout, const long nsum, const long ninner, \
                     const long a_in, const long b_in, const int lanes, const int lanes_fast, \
                     const long nchunks, const long chunk, const long span,                   \
                     const real alpha, const real beta,                                       \
                     global acc *partial, local acc *scratch)                                 \
    {                                                                                         \
        const int lid = (int)get_local_id(0), per = (int)get_local_size(0) / lanes;          \
        const int ls = lanes_fast ? lid % lanes : lid / per;                                  \
        const int lo = lanes_fast ? lid / lanes : lid % per;                                  \
        const long tasks = (nout + per - 1) / per * nchunks;                                  \
        const int nkeep = (int)sp.nkeep, nd = (int)sp.nd;                                     \
        for (long t = (long)get_group_id(0); t < tasks; t += (long)get_num_groups(0)) {       \
            const long c = t % nchunks, out = t / nchunks * per + lo;                         \
            acc sum = 0, comp = 0;                                                            \
            long kd = 0, ka = 0, kb = 0;                                                      \
            if (out < nout) {                                                                 \
                ecl_offsets(sp, 0, nkeep, out, &kd, &ka, &kb);                                \
                const long abase = sp.offset[1] + ka, bbase = sp.offset[2] + kb;              \
                const long end = min(c * chunk + chunk, nsum);                                \
                long s = min(c * chunk + (span > 0 ? ls * span : ls), end);                   \
                const long stop = span > 0 ? min(s + span, end) : end;                        \
                const long step = span > 0 ? 1 : lanes;                                       \
                long row = ecl_div(s, ninner, sp.small), k = s - row * ninner;                \
                long rd, ra, rb;                                                              \
                ecl_offsets(sp, nkeep, nd - 1, row, &rd, &ra, &rb);                           \
                for (; s < stop; s += step) {                                                 \
                    acc x = (acc)a[abase + ra + k * a_in];                                    \
                    if (HAS_B)                                                                \
                        x *= (acc)b[bbase + rb + k * b_in];                                   \
                    ECL_ACC_ADD(sum, comp, x);                                                \
                    k += step;                                                                \
                    if (k >= ninner) {                                                        \
                        const long adv = ecl_div(k, ninner, sp.small);                        \
                        row += adv;                                                           \
                        k -= adv * ninner;                                                    \
                        ecl_offsets(sp, nkeep, nd - 1, row, &rd, &ra, &rb);                   \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
            scratch[lo * lanes + ls] = sum - comp;                                            \
            barrier(CLK_LOCAL_MEM_FENCE);                                                     \
            for (int w = lanes / 2; w > 0; w /= 2) {                                          \
                if (ls < w)                                                                   \
                    scratch[lo * lanes + ls] += scratch[lo * lanes + ls + w];                 \
                barrier(CLK_LOCAL_MEM_FENCE);                                                 \
            }                                                                                 \
            if (ls == 0 && out < nout) {                                                      \
                const acc total = scratch[lo * lanes];                                        \
                if (nchunks > 1) {                                                            \
                    partial[out * nchunks + c] = total;                                       \
                } else {                                                                      \
                    global real *p = dst + sp.offset[0] + kd;                                 \
                    const acc v = (acc)alpha * total;                                         \
                    *p = (real)(beta == 0 ? v : v + (acc)beta * (acc)*p);                     \
                }                                                                             \
            }                                                                                 \
            barrier(CLK_LOCAL_MEM_FENCE);                                                     \
        }                                                                                     \
    }

ECL_SUM_KERNEL(ecl_sum, 0)
ECL_SUM_KERNEL(ecl_sum_mul, 1)

/* Second pass of a chunked sum: dst = alpha * sum of the nchunks partials of each output +
 * beta * dst, one output per work-item. */
kernel void ecl_sum_partials(global real *dst, global const acc *partial, const ecl_space sp,
                             const long nout, const long nchunks, const real alpha,
                             const real beta)
{
    const int nkeep = (int)sp.nkeep;
    for (long out = (long)get_global_id(0); out < nout; out += (long)get_global_size(0)) {
        acc sum = 0, comp = 0;
        for (long c = 0; c < nchunks; c++)
            ECL_ACC_ADD(sum, comp, partial[out * nchunks + c]);
        long d0, unused1, unused2;
        ecl_offsets(sp, 0, nkeep, out, &d0, &unused1, &unused2);
        global real *p = dst + sp.offset[0] + d0;
        const acc v = (acc)alpha * (sum - comp);
        *p = (real)(beta == 0 ? v : v + (acc)beta * (acc)*p);
    }
}
