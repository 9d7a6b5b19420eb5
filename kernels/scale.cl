/*
 * Scale and fill of a strided view: dst = beta * dst, or dst = 0 without reading it when
 * beta == 0 (so NaN or garbage in uninitialised memory does not survive). Two-dimensional range:
 * see ecl_row_offsets.
 */
kernel void ecl_scale(global real *dst, const ecl_space sp, const real beta)
{
    const int in = (int)sp.nd - 1;
    const long ds = sp.stride[0][in];
    for (long row = (long)get_global_id(1); row < sp.nrows; row += (long)get_global_size(1)) {
        long d0, unused1, unused2;
        ecl_row_offsets(sp, row, &d0, &unused1, &unused2);
        for (long x = (long)get_global_id(0); x < sp.shape[in]; x += (long)get_global_size(0)) {
            global real *p = dst + d0 + x * ds;
            *p = beta == 0 ? (real)0 : beta * *p;
        }
    }
}
