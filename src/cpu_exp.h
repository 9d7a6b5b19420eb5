/*
 * e^x for the CPU softmax, written so that GCC vectorises loops calling it (libm's exp is an
 * opaque call per element, several times slower than the rest of a softmax row). Cody-Waite
 * reduction x = n ln2 + r with |r| <= ln2 / 2, a degree-13 Taylor polynomial (truncation below
 * 1e-17 relative), and 2^n built from exponent bits in two factors so that results down to the
 * subnormal range are right. Within a few ulp of exp for x <= 0, the only arguments softmax
 * passes (x - max); x below -745.2 gives 0 (so -inf does), NaN gives NaN. The float32 variant
 * (cephes's expf: degree-5 minimax polynomial, within 2 ulp) serves float32 rows eight lanes to a
 * ymm register instead of four, and with half the polynomial.
 */
#ifndef ECL_CPU_EXP_H
#define ECL_CPU_EXP_H

#include <stdint.h>

/* Type punning through a union (defined in C11) rather than memcpy: GCC vectorises it. */
typedef union cpu_bits {
    double d;
    uint64_t u;
} cpu_bits;

static inline double cpu_pow2_bits(int64_t n)
{
    const cpu_bits b = {.u = (uint64_t)(n + 1023) << 52};
    return b.d;
}

/* max(x, -746) keeping NaN, on the bits: a conditional here is turned into branches GCC then
 * cannot vectorise. Negative doubles order like their bits; -inf has the largest such bits. */
static inline double cpu_clamp_exp_arg(double x)
{
    const uint64_t lo = 0xC087500000000000u; /* -746.0: e^-746 rounds to 0 */
    const cpu_bits b = {.d = x};
    const uint64_t below = (uint64_t)0 - (uint64_t)(b.u > lo && b.u <= 0xFFF0000000000000u);
    const cpu_bits r = {.u = (b.u & ~below) | (lo & below)};
    return r.d;
}

static inline double cpu_exp_nonpositive(double x)
{
    const double magic = 0x1.8p52; /* adding it rounds to an integer kept in the low bits */
    const double xc = cpu_clamp_exp_arg(x);
    const double t = xc * 0x1.71547652b82fep0 + magic;
    const double n = t - magic;
    const double r = (xc - n * 0x1.62e42feep-1) - n * 0x1.a39ef35793c76p-33;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const cpu_bits tb = {.d = t};
    const int64_t ni = (int64_t)(tb.u - 0x4338000000000000u); /* n, from t's low bits */
    const int64_t n1 = ni / 2;
    return p * cpu_pow2_bits(n1) * cpu_pow2_bits(ni - n1);
}

typedef union cpu_bits32 {
    float f;
    uint32_t u;
} cpu_bits32;

static inline float cpu_pow2_bits32(int32_t n)
{
    const cpu_bits32 b = {.u = (uint32_t)(n + 127) << 23};
    return b.f;
}

/* max(x, -104) keeping NaN, on the bits (e^-104 rounds to 0 in float32). */
static inline float cpu_clamp_expf_arg(float x)
{
    const uint32_t lo = 0xC2D00000u; /* -104.0f */
    const cpu_bits32 b = {.f = x};
    const uint32_t below = (uint32_t)0 - (uint32_t)(b.u > lo && b.u <= 0xFF800000u);
    const cpu_bits32 r = {.u = (b.u & ~below) | (lo & below)};
    return r.f;
}

static inline float cpu_expf_nonpositive(float x)
{
    const float magic = 0x1.8p23f;
    const float xc = cpu_clamp_expf_arg(x);
    const float t = xc * 0x1.715476p0f + magic;
    const float n = t - magic;
    const float r = (xc - n * 0.693359375f) - n * -2.12194440e-4f; /* n * 0.693359375 is exact */
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const cpu_bits32 tb = {.f = t};
    const int32_t ni = (int32_t)(tb.u - 0x4B400000u); /* n, from t's low bits */
    const int32_t n1 = ni / 2;
    return p * cpu_pow2_bits32(n1) * cpu_pow2_bits32(ni - n1);
}

#endif /* ECL_CPU_EXP_H */
