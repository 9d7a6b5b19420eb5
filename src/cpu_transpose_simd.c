/*
 * AVX2 block transposes (cpu_transpose_simd.h). Each block loads whole source rows (contiguous
 * along the destination's column index), shuffles them in registers and stores whole destination
 * rows, so neither side is touched one element at a time: 2x the scalar tiles on a 4096^2
 * float32 transpose. Compiled with target("avx2") and called only after a run-time CPU check, as
 * the library itself is built for the baseline ISA.
 */
#include "cpu_transpose_simd.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define SIMD __attribute__((target("avx2")))

/* libgcc fills the CPU model in a constructor, so reading it here needs no initialisation (and
 * no static cache, which threads of different contexts would race on). */
int cpu_transpose_simd_available(void) { return __builtin_cpu_supports("avx2") ? 1 : 0; }

/* d[i * ds + j] = s[j * ss + i] for i, j < 8. */
SIMD static void block8(float *d, int64_t ds, const float *s, int64_t ss)
{
    __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ss), r2 = _mm256_loadu_ps(s + 2 * ss),
           r3 = _mm256_loadu_ps(s + 3 * ss), r4 = _mm256_loadu_ps(s + 4 * ss),
           r5 = _mm256_loadu_ps(s + 5 * ss), r6 = _mm256_loadu_ps(s + 6 * ss),
           r7 = _mm256_loadu_ps(s + 7 * ss);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1),
           t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3),
           t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
           t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
           u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
           u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
           u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(d + ds, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(d + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(d + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(d + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(d + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(d + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(d + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
}

/* d[i * ds + j] = s[j * ss + i] for i, j < 4. */
SIMD static void block4(double *d, int64_t ds, const double *s, int64_t ss)
{
    __m256d r0 = _mm256_loadu_pd(s), r1 = _mm256_loadu_pd(s + ss), r2 = _mm256_loadu_pd(s + 2 * ss),
            r3 = _mm256_loadu_pd(s + 3 * ss);
    __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1),
            t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
    _mm256_storeu_pd(d, _mm256_permute2f128_pd(t0, t2, 0x20));
    _mm256_storeu_pd(d + ds, _mm256_permute2f128_pd(t1, t3, 0x20));
    _mm256_storeu_pd(d + 2 * ds, _mm256_permute2f128_pd(t0, t2, 0x31));
    _mm256_storeu_pd(d + 3 * ds, _mm256_permute2f128_pd(t1, t3, 0x31));
}

#define DEFINE_TILE(NAME, T, B, BLOCK)                                                         \
    SIMD void NAME(T *dst, int64_t drow, const T *src, int64_t scol, int64_t rows,           \
                   int64_t cols)                                                             \
    {                                                                                        \
        const int64_t rfull = rows / B * B, cfull = cols / B * B;                            \
        for (int64_t r = 0; r < rfull; r += B) {                                             \
            for (int64_t c = 0; c < cfull; c += B)                                           \
                BLOCK(dst + r * drow + c, drow, src + r + c * scol, scol);                   \
        }                                                                                    \
        for (int64_t r = 0; r < rows; r++) { /* the ragged right and bottom edges */         \
            for (int64_t c = r < rfull ? cfull : 0; c < cols; c++)                           \
                dst[r * drow + c] = src[r + c * scol];                                       \
        }                                                                                    \
    }

DEFINE_TILE(cpu_transpose_tile_f32_simd, float, 8, block8)
DEFINE_TILE(cpu_transpose_tile_f64_simd, double, 4, block4)

#else /* not x86-64: the scalar tiles run */

int cpu_transpose_simd_available(void) { return 0; }
void cpu_transpose_tile_f32_simd(float *dst, int64_t drow, const float *src, int64_t scol,
                                 int64_t rows, int64_t cols)
{
    (void)dst, (void)drow, (void)src, (void)scol, (void)rows, (void)cols;
}
void cpu_transpose_tile_f64_simd(double *dst, int64_t drow, const double *src, int64_t scol,
                                 int64_t rows, int64_t cols)
{
    (void)dst, (void)drow, (void)src, (void)scol, (void)rows, (void)cols;
}

#endif
