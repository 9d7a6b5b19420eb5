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

/* The converting copy for the 16-bit dtypes and the compute modes' rounding (dtype_internal.h),
 * in both programs: dst_type and src_type say what each buffer holds (ECL_T_*, below; the host
 * passes the same codes, opencl_launch.c). float16 moves with vload_half / vstore_half_rte,
 * which need no cl_khr_fp16 (NVIDIA's driver does not advertise it); bfloat16 as raw ushort bits;
 * rounding to nearest even everywhere, NaN kept NaN. Arithmetic in `real`. */
#define ECL_T_REAL 0  /* the program's real */
#define ECL_T_F16 1
#define ECL_T_BF16 2
#define ECL_T_F32 3   /* float32 in the f64 program */
#define ECL_T_TF32 4  /* float32 storage rounded to a 10-bit mantissa (TF32) */
#define ECL_T_RF16 5  /* float32 storage rounded to float16 */
#define ECL_T_RBF16 6 /* float32 storage rounded to bfloat16 */

ushort ecl_bf16_bits(const float x)
{
    uint u = as_uint(x);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (ushort)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (ushort)(u >> 16);
}

float ecl_round_tf32(const float x)
{
    uint u = as_uint(x);
    if ((u & 0x7f800000u) == 0x7f800000u)
        return x;
    u += 0xfffu + ((u >> 13) & 1u);
    return as_float(u & 0xffffe000u);
}

float ecl_round_f16(const float x)
{
    ushort h;
    vstore_half_rte(x, 0, (private half *)&h);
    return vload_half(0, (private const half *)&h);
}

real ecl_cvt_load(global const void *p, const int type, const long i)
{
    switch (type) {
    case ECL_T_F16: return (real)vload_half((size_t)i, (global const half *)p);
    case ECL_T_BF16: return (real)as_float((uint)((global const ushort *)p)[i] << 16);
    case ECL_T_REAL: return ((global const real *)p)[i];
    default: return (real)((global const float *)p)[i];
    }
}

void ecl_cvt_store(global void *p, const int type, const long i, const real v)
{
    global float *f = (global float *)p;
    switch (type) {
    case ECL_T_F16: vstore_half_rte(v, (size_t)i, (global half *)p); break;
    case ECL_T_BF16: ((global ushort *)p)[i] = ecl_bf16_bits((float)v); break;
    case ECL_T_REAL: ((global real *)p)[i] = v; break;
    case ECL_T_TF32: f[i] = ecl_round_tf32((float)v); break;
    case ECL_T_RF16: f[i] = ecl_round_f16((float)v); break;
    case ECL_T_RBF16: f[i] = as_float((uint)ecl_bf16_bits((float)v) << 16); break;
    default: f[i] = (float)v; break;
    }
}

kernel void ecl_copy_convert(global void *dst, global const void *src, const ecl_space sp,
                             const real alpha, const real beta, const int dst_type,
                             const int src_type)
{
    const int in = (int)sp.nd - 1;
    const long ds = sp.stride[0][in], ss = sp.stride[1][in];
    for (long row = (long)get_global_id(1); row < sp.nrows; row += (long)get_global_size(1)) {
        long d0, s0, unused;
        ecl_row_offsets(sp, row, &d0, &s0, &unused);
        for (long x = (long)get_global_id(0); x < sp.shape[in]; x += (long)get_global_size(0)) {
            const long di = d0 + x * ds;
            real v = alpha * ecl_cvt_load(src, src_type, s0 + x * ss);
            if (beta != 0)
                v += beta * ecl_cvt_load(dst, dst_type, di);
            ecl_cvt_store(dst, dst_type, di, v);
        }
    }
}
