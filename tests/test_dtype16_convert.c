/*
 * The 16-bit conversions, exactly: the public host helpers (ecl_f16_* / ecl_bf16_*) against
 * known bit patterns and an arithmetic decoding written here (every float16 value), rounding ties
 * to even, overflow to inf, subnormals, NaN; and the same conversions on both backends' copy
 * primitive (f32 -> f16 / bf16 -> f32 and the compute modes' rounding), which must agree with
 * the host helpers bit for bit.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend_select.h"
#include "dtype_internal.h"

static float bits_f32(uint32_t x)
{
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

static double decode_f16(uint16_t h)
{
    const int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    double v = exp == 0 ? ldexp(man, -24) : exp == 31 ? (man ? NAN : INFINITY) : ldexp(man + 1024, exp - 25);
    return (h & 0x8000) ? -v : v;
}

Test(dtype16, names_and_sizes)
{
    cr_assert_eq(ecl_dtype_size(ECL_F16), 2);
    cr_assert_eq(ecl_dtype_size(ECL_BF16), 2);
    cr_assert_str_eq(ecl_dtype_name(ECL_F16), "float16");
    cr_assert_str_eq(ecl_dtype_name(ECL_BF16), "bfloat16");
    cr_assert_str_eq(ecl_compute_name(ECL_COMPUTE_TF32), "tf32");
    cr_assert_str_eq(ecl_compute_name((ecl_compute)99), "unknown");
}

Test(dtype16, every_f16_decodes_and_round_trips)
{
    for (uint32_t h = 0; h < 65536; h++) {
        const float f = ecl_f16_to_float((uint16_t)h);
        const double want = decode_f16((uint16_t)h);
        if (isnan(want)) {
            cr_assert(isnan(f), "0x%04x", h);
            cr_assert(isnan(ecl_f16_to_float(ecl_f16_from_float(f))), "NaN 0x%04x stays NaN", h);
            continue;
        }
        cr_assert_eq((double)f, want, "0x%04x decodes to %.9g, expected %.9g", h, f, want);
        cr_assert_eq(ecl_f16_from_float(f), h, "0x%04x does not round-trip", h);
    }
}

Test(dtype16, f16_rounding)
{
    cr_assert_eq(ecl_f16_from_float(1.0f), 0x3c00);
    cr_assert_eq(ecl_f16_from_float(1.0f + 0x1p-11f), 0x3c00, "tie rounds to even (down)");
    cr_assert_eq(ecl_f16_from_float(1.0f + 3 * 0x1p-11f), 0x3c02, "tie rounds to even (up)");
    cr_assert_eq(ecl_f16_from_float(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01, "above the tie rounds up");
    cr_assert_eq(ecl_f16_from_float(65504.0f), 0x7bff);
    cr_assert_eq(ecl_f16_from_float(65519.0f), 0x7bff, "below the overflow tie stays finite");
    cr_assert_eq(ecl_f16_from_float(65520.0f), 0x7c00, "the overflow tie rounds to inf");
    cr_assert_eq(ecl_f16_from_float(-INFINITY), 0xfc00);
    cr_assert_eq(ecl_f16_from_float(0x1p-24f), 0x0001, "smallest subnormal");
    cr_assert_eq(ecl_f16_from_float(0x1p-25f), 0x0000, "half the smallest subnormal: tie to even 0");
    cr_assert_eq(ecl_f16_from_float(0x1.8p-24f), 0x0002, "1.5 units: tie to even 2");
    cr_assert_eq(ecl_f16_from_float(0x1.0p-25f + 0x1p-40f), 0x0001, "just above half a unit");
    cr_assert_eq(ecl_f16_from_float(0x1.ff8p-15f), 0x03ff, "largest subnormal");
    cr_assert_eq(ecl_f16_from_float(0x1.ffcp-15f), 0x0400, "1023.5 units: tie to even, the smallest normal");
    cr_assert_eq(ecl_f16_from_float(-0.0f), 0x8000);
    cr_assert_eq(ecl_f16_from_float(1e-30f), 0x0000);
    const uint16_t nan = ecl_f16_from_float(bits_f32(0x7f800001u));
    cr_assert((nan & 0x7c00) == 0x7c00 && (nan & 0x3ff), "a signalling NaN stays NaN: 0x%04x", nan);
}

Test(dtype16, bf16_rounding)
{
    cr_assert_eq(ecl_bf16_from_float(1.0f), 0x3f80);
    cr_assert_eq(ecl_bf16_from_float(1.0f + 0x1p-8f), 0x3f80, "tie rounds to even (down)");
    cr_assert_eq(ecl_bf16_from_float(1.0f + 3 * 0x1p-8f), 0x3f82, "tie rounds to even (up)");
    cr_assert_eq(ecl_bf16_from_float(bits_f32(0x7f7fffffu)), 0x7f80, "FLT_MAX rounds to inf");
    cr_assert_eq(ecl_bf16_from_float(bits_f32(0x00010000u)), 0x0001, "float32 subnormals keep");
    cr_assert_eq(ecl_bf16_to_float(0xc0a0), -5.0f);
    const uint16_t nan = ecl_bf16_from_float(bits_f32(0x7f800001u));
    cr_assert((nan & 0x7f80) == 0x7f80 && (nan & 0x7f), "a NaN whose payload is in the low bits "
              "stays NaN: 0x%04x", nan);
}

/* Values that exercise ties, overflow, subnormals and specials in all three formats. */
static const float probes[] = {1.0f, 1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 1.0f + 0x1p-8f,
                               1.0f + 3 * 0x1p-8f, 1.0f + 0x1p-12f + 0x1p-13f, 65504.0f, 65520.0f,
                               -65519.0f, 0x1p-24f, 0x1p-25f, 0x1.8p-24f, 1e-30f, -0.0f, 3.14159265f,
                               -2.7182818f, 1e30f, INFINITY, -INFINITY, NAN, 0x1.fffffep127f};
#define NPROBES ((int)(sizeof probes / sizeof probes[0]))

static float host_round(ecl_dtype to, float x)
{
    switch ((int)to) {
    case ECL_F16: return ecl_f16_to_float(ecl_f16_from_float(x));
    case ECL_BF16: return ecl_bf16_to_float(ecl_bf16_from_float(x));
    case (int)ECL_F32_ROUND_TF32: {
        uint32_t u;
        memcpy(&u, &x, sizeof u);
        if ((u & 0x7f800000u) != 0x7f800000u)
            u = (u + 0xfffu + ((u >> 13) & 1u)) & 0xffffe000u;
        return bits_f32(u);
    }
    case (int)ECL_F32_ROUND_F16: return ecl_f16_to_float(ecl_f16_from_float(x));
    default: return ecl_bf16_to_float(ecl_bf16_from_float(x));
    }
}

static void same_float(float got, float want, const char *what, int i)
{
    if (isnan(want))
        cr_assert(isnan(got), "%s probe %d: got %.9g, expected NaN", what, i, got);
    else
        cr_assert(memcmp(&got, &want, sizeof got) == 0, "%s probe %d (%.9g): got %.9g, expected %.9g",
                  what, i, probes[i], got, want);
}

/* f32 -> to -> (f32 via the copy again for 16-bit), on the backend, against the host. */
static void backend_conversions(ecl_backend *be)
{
    const int64_t shape[1] = {NPROBES}, stride[1] = {1};
    void *src, *mid, *back;
    cr_assert_eq(be->ops->alloc(be, sizeof probes, &src), ECL_SUCCESS);
    cr_assert_eq(be->ops->alloc(be, sizeof probes, &mid), ECL_SUCCESS);
    cr_assert_eq(be->ops->alloc(be, sizeof probes, &back), ECL_SUCCESS);
    cr_assert_eq(be->ops->write(be, src, 0, probes, sizeof probes), ECL_SUCCESS);
    const ecl_strided vs = {src, 0, 1, shape, stride}, vm = {mid, 0, 1, shape, stride},
                      vb = {back, 0, 1, shape, stride};
    const ecl_dtype targets[] = {ECL_F16, ECL_BF16, ECL_F32_ROUND_TF32, ECL_F32_ROUND_F16,
                                 ECL_F32_ROUND_BF16};
    for (int t = 0; t < 5; t++) {
        const ecl_dtype to = targets[t];
        cr_assert_eq(be->ops->copy(be, to, &vm, ECL_F32, &vs, 1.0, 0.0), ECL_SUCCESS, "%s",
                     be->err->message);
        const ecl_dtype stored = ecl_dtype_storage(to);
        cr_assert_eq(be->ops->copy(be, ECL_F32, &vb, stored, &vm, 1.0, 0.0), ECL_SUCCESS, "%s",
                     be->err->message);
        float got[NPROBES];
        cr_assert_eq(be->ops->read(be, back, 0, got, sizeof got), ECL_SUCCESS);
        for (int i = 0; i < NPROBES; i++)
            same_float(got[i], host_round(to, probes[i]), ecl_dtype_is_16bit(to) ?
                       ecl_dtype_name(to) : "rounding", i);
        if (ecl_dtype_is_16bit(to)) {  /* float64 <-> 16-bit through the f64 path */
            double wide[NPROBES];
            void *dmem;
            cr_assert_eq(be->ops->alloc(be, sizeof wide, &dmem), ECL_SUCCESS);
            const ecl_strided vd = {dmem, 0, 1, shape, stride};
            ecl_status st = be->ops->copy(be, ECL_F64, &vd, to, &vm, 1.0, 0.0);
            if (st == ECL_SUCCESS) {  /* OpenCL devices without fp64 refuse */
                cr_assert_eq(be->ops->read(be, dmem, 0, wide, sizeof wide), ECL_SUCCESS);
                for (int i = 0; i < NPROBES; i++)
                    same_float((float)wide[i], host_round(to, probes[i]), "to float64", i);
            }
            be->ops->free(be, dmem);
        }
    }
    be->ops->free(be, src);
    be->ops->free(be, mid);
    be->ops->free(be, back);
}

Test(dtype16, cpu_copy_converts_like_the_host)
{
    ecl_error err;
    ecl_backend *be = NULL;
    cr_assert_eq(ecl_backend_cpu_create(0, &err, &be), ECL_SUCCESS);
    backend_conversions(be);
    be->ops->destroy(be);
}

Test(dtype16, opencl_copy_converts_like_the_host)
{
    ecl_error err;
    ecl_backend *be = ecl_test_opencl_backend(&err);
    backend_conversions(be);
    be->ops->destroy(be);
}
