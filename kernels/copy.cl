/*
 * Strided elementwise copy over an N-d space: dst = alpha * src + beta * dst (dst not read when
 * beta == 0). Serves permutes the tiled kernel does not take, diagonal and strided gathers,
 * broadcasts (zero source strides) and, in the f64 program, the float32 <-> float64 conversions
 * (arithmetic in double). Two-dimensional range: see ecl_row_offsets.
 */
#define ECL_COPY_KERNEL(NAME, DST_T, SRC_T, CALC_T)                                           \
    kernel void NAME(global DST_T *dst, global const SRC_T *src, const ecl_space sp,          \
                     const CALC_T alpha, const CALC_T beta)                                   \
    {                                                                                         \
        const int in = (int)sp.nd - 1;                                                        \
        const long ds = sp.stride[0][in], ss = sp.stride[1][in];                              \
        for (long row = (long)get_global_id(1); row < sp.nrows;                               \
             row += (long)get_global_size(1)) {                                               \
            long d0, s0, unused;                                                              \
            ecl_row_offsets(sp, row, &d0, &s0, &unused);                                      \
            for (long x = (long)get_global_id(0); x < sp.shape[in];                           \
                 x += (long)get_global_size(0)) {                                             \
                global DST_T *p = dst + d0 + x * ds;                                          \
                const CALC_T v = alpha * (CALC_T)src[s0 + x * ss];                            \
                *p = (DST_T)(beta == 0 ? v : v + beta * (CALC_T)*p);                          \
            }                                                                                 \
        }                                                                                     \
    }

ECL_COPY_KERNEL(ecl_copy, real, real, real)
#if PRECISION == 64
ECL_COPY_KERNEL(ecl_copy_from_f32, double, float, double)
ECL_COPY_KERNEL(ecl_copy_to_f32, float, double, double)
#endif
