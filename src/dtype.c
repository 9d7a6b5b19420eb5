/*
 * The public helpers of the 16-bit dtypes and compute modes: names and the host conversions
 * (half.h holds the bit manipulation, shared with the CPU backend).
 */
#include "einsumcl.h"
#include "half.h"

uint16_t ecl_f16_from_float(float value) { return ecl_f32_to_half_bits(value); }
float ecl_f16_to_float(uint16_t bits) { return ecl_half_bits_to_f32(bits); }
uint16_t ecl_bf16_from_float(float value) { return ecl_f32_to_bf16_bits(value); }
float ecl_bf16_to_float(uint16_t bits) { return ecl_bf16_bits_to_f32(bits); }

const char *ecl_compute_name(ecl_compute compute)
{
    switch (compute) {
    case ECL_COMPUTE_DEFAULT: return "default";
    case ECL_COMPUTE_TF32: return "tf32";
    case ECL_COMPUTE_F16: return "f16";
    case ECL_COMPUTE_BF16: return "bf16";
    }
    return "unknown";
}
