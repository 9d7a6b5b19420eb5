/*
 * 16-bit floating-point formats on the host: IEEE binary16 (float16) and bfloat16 to and from
 * float32, rounding to nearest even, NaN kept NaN (quieted), and the compute modes' rounding of a
 * float32 to a narrower format held in a float32 (TF32: 10-bit mantissa, float32 range). Bit
 * manipulation only, so results do not depend on the FPU's rounding mode. The OpenCL kernels do
 * the same in kernels/copy.cl (vload_half / vstore_half_rte for float16).
 */
#ifndef ECL_HALF_H
#define ECL_HALF_H

#include <stdint.h>
#include <string.h>

static inline uint32_t ecl_f32_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    return x;
}

static inline float ecl_bits_f32(uint32_t x)
{
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

static inline float ecl_half_bits_to_f32(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0x1f)
        return ecl_bits_f32(sign | 0x7f800000u | (man << 13));
    if (exp != 0)
        return ecl_bits_f32(sign | ((exp + 112u) << 23) | (man << 13));
    const float sub = (float)man * 0x1p-24f;  /* zero or subnormal: exact */
    return sign ? -sub : sub;
}

static inline uint16_t ecl_f32_to_half_bits(float f)
{
    const uint32_t x = ecl_f32_bits(f);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    const uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u)
        return (uint16_t)(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));
    if (ax >= 0x477ff000u)  /* 65520 and beyond (and inf) round to inf */
        return (uint16_t)(sign | 0x7c00u);
    if (ax >= 0x38800000u) {  /* normal in float16: rebias the exponent, round the mantissa */
        uint32_t r = ax - (112u << 23);
        r += 0xfffu + ((r >> 13) & 1u);
        return (uint16_t)(sign | (r >> 13));
    }
    /* Subnormal (or zero) in float16: units of 2^-24. */
    const uint32_t e = ax >> 23;
    const uint32_t shift = 126u - e;
    if (shift > 24)
        return sign;
    const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    uint32_t n = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (n & 1u)))
        n++;
    return (uint16_t)(sign | n);
}

static inline float ecl_bf16_bits_to_f32(uint16_t h) { return ecl_bits_f32((uint32_t)h << 16); }

static inline uint16_t ecl_f32_to_bf16_bits(float f)
{
    uint32_t x = ecl_f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

/* float32 rounded to TF32's 10-bit mantissa (float32 exponent range), in a float32. */
static inline float ecl_round_tf32(float f)
{
    uint32_t x = ecl_f32_bits(f);
    if ((x & 0x7f800000u) == 0x7f800000u)
        return f;
    x += 0xfffu + ((x >> 13) & 1u);
    return ecl_bits_f32(x & 0xffffe000u);
}

static inline float ecl_round_f16(float f) { return ecl_half_bits_to_f32(ecl_f32_to_half_bits(f)); }
static inline float ecl_round_bf16(float f) { return ecl_bf16_bits_to_f32(ecl_f32_to_bf16_bits(f)); }

#endif /* ECL_HALF_H */
