/*
 * In-register block transposes for the CPU transpose kernel (cpu_transpose.c): AVX2 8x8 float32
 * and 4x4 float64 blocks, used for plain copies (alpha 1, beta 0, no conversion) whose source rows
 * are contiguous. Chosen at run time when the CPU has AVX2; elsewhere the scalar tiles run.
 */
#ifndef ECL_CPU_TRANSPOSE_SIMD_H
#define ECL_CPU_TRANSPOSE_SIMD_H

#include <stdint.h>

/* 1 when this CPU runs the functions below (x86-64 with AVX2), else 0. */
int cpu_transpose_simd_available(void);

/* dst[r * drow + c] = src[r + c * scol] for r < rows, c < cols, in blocks of 8x8 (float32) or
 * 4x4 (float64) with the ragged edges done element by element. */
void cpu_transpose_tile_f32_simd(float *dst, int64_t drow, const float *src, int64_t scol,
                                 int64_t rows, int64_t cols);
void cpu_transpose_tile_f64_simd(double *dst, int64_t drow, const double *src, int64_t scol,
                                 int64_t rows, int64_t cols);

#endif /* ECL_CPU_TRANSPOSE_SIMD_H */
