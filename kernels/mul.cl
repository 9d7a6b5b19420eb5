/*
 * Broadcast multiply with nothing summed (elementwise products, outer products): dst =
 * alpha * a * b + beta * dst over an N-d space, zero strides where an operand is broadcast; dst
 * not read when beta == 0. Products with summed axes go through the reduction kernels.
 * Two-dimensional range: see ecl_row_offsets.
 */
kernel void ecl_mul(global real *dst, global const real *a, global const real *b,
                    const ecl_space sp, const real alpha, const real beta)
{
    const int in = (int)sp.nd - 1;
    const long ds = sp.stride[0][in], as = sp.stride[1][in], bs = sp.stride[2][in];
    for (long row = (long)get_global_id(1); row < sp.nrows; row += (long)get_global_size(1)) {
        long d0, a0, b0;
        ecl_row_offsets(sp, row, &d0, &a0, &b0);
        for (long x = (long)get_global_id(0); x < sp.shape[in]; x += (long)get_global_size(0)) {
            global real *p = dst + d0 + x * ds;
            const real v = alpha * a[a0 + x * as] * b[b0 + x * bs];
            *p = beta == 0 ? v : v + beta * *p;
        }
    }
}
