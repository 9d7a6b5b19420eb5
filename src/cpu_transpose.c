/*
 * Cache-blocked strided copy for transpose-like layouts: the destination's innermost dim has unit
 * stride, and another dim has unit stride in the source. The two dims are cut into square tiles
 * that fit in L1, so both sides touch whole cache lines; tiles (times any remaining batch dims)
 * are spread over OpenMP threads. Handles float32/float64 conversion and alpha/beta. Plain copies
 * with contiguous source rows take the AVX2 block transposes (cpu_transpose_simd.c). Tiles are
 * longer along the source's unit-stride dim: with power-of-two strides, every line a tile touches
 * on the strided side falls in the same cache set, so fewer of them at a time miss less.
 */
#include "cpu_internal.h"
#include "cpu_transpose_simd.h"

#define TILE_ROWS 64 /* along the dim with unit stride in the source */
#define TILE_COLS 32 /* along the destination's inner dim */

typedef void (*tile_fn)(char *dp, int64_t drow, const char *sp, int64_t srow, int64_t scol,
                        int64_t rows, int64_t cols, double alpha, double beta);

/* dst[r * drow + c] = f(src[r * srow + c * scol]) for r < rows, c < cols; srow is +-1. The tile
 * is walked in column strips of 8 so each source cache line is consumed while still hot. */
#define TILE_LOOP(TD, EXPR)                                                                  \
    for (int64_t c0 = 0; c0 < cols; c0 += 8) {                                               \
        const int64_t c1 = c0 + 8 < cols ? c0 + 8 : cols;                                    \
        for (int64_t r = 0; r < rows; r++) {                                                 \
            TD *drow_p = d + r * drow;                                                       \
            const TS_ *srow_p = s + r * srow;                                                \
            for (int64_t c = c0; c < c1; c++)                                                \
                drow_p[c] = (TD)(EXPR);                                                      \
        }                                                                                    \
    }

#define DEFINE_TILE(NAME, TD, TS)                                                            \
    static void NAME(char *dp, int64_t drow, const char *sp, int64_t srow, int64_t scol,     \
                     int64_t rows, int64_t cols, double alpha, double beta)                  \
    {                                                                                        \
        typedef TS TS_;                                                                      \
        TD *d = (TD *)dp;                                                                    \
        const TS *s = (const TS *)sp;                                                        \
        if (beta == 0.0 && alpha == 1.0) {                                                   \
            TILE_LOOP(TD, srow_p[c * scol])                                                  \
        } else if (beta == 0.0) {                                                            \
            TILE_LOOP(TD, alpha * (double)srow_p[c * scol])                                  \
        } else {                                                                             \
            TILE_LOOP(TD, alpha * (double)srow_p[c * scol] + beta * (double)drow_p[c])       \
        }                                                                                    \
    }

DEFINE_TILE(tile_f32_f32, float, float)
DEFINE_TILE(tile_f32_f64, float, double)
DEFINE_TILE(tile_f64_f32, double, float)
DEFINE_TILE(tile_f64_f64, double, double)

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

int cpu_transpose(const ecl_cpu_backend *be, const cpu_space *sp, ecl_dtype dtype,
                  ecl_dtype src_dtype, void *const *mem, double alpha, double beta)
{
    if (sp->nops != 2 || sp->nd < 2 || (dtype != ECL_F32 && dtype != ECL_F64) ||
        (src_dtype != ECL_F32 && src_dtype != ECL_F64))
        return 0;  /* 16-bit and rounding copies take the elementwise engine */
    const int inner = sp->nd - 1;
    if (sp->stride[0][inner] != 1 || abs64(sp->stride[1][inner]) < 2 || sp->shape[inner] < 16)
        return 0;
    int j = -1;
    for (int d = 0; d < inner && j < 0; d++)
        if (abs64(sp->stride[1][d]) == 1 && sp->shape[d] >= 16)
            j = d;
    if (j < 0)
        return 0;

    /* The remaining dims form the batch. */
    cpu_space batch = {.nops = 2, .nd = 0, .nkeep = 0};
    for (int d = 0; d < inner; d++) {
        if (d == j)
            continue;
        batch.shape[batch.nd] = sp->shape[d];
        batch.stride[0][batch.nd] = sp->stride[0][d];
        batch.stride[1][batch.nd] = sp->stride[1][d];
        batch.nd++;
    }
    batch.nkeep = batch.nd;

    const int d32 = dtype == ECL_F32, s32 = src_dtype == ECL_F32;
    const tile_fn tile = d32 ? (s32 ? tile_f32_f32 : tile_f32_f64)
                             : (s32 ? tile_f64_f32 : tile_f64_f64);
    const int64_t dsz = (int64_t)ecl_dtype_size(dtype), ssz = (int64_t)ecl_dtype_size(src_dtype);
    char *dbase = (char *)mem[0] + sp->offset[0] * dsz;
    const char *sbase = (const char *)mem[1] + sp->offset[1] * ssz;
    const int64_t nrow = sp->shape[j], ncol = sp->shape[inner];
    const int64_t drow = sp->stride[0][j], srow = sp->stride[1][j], scol = sp->stride[1][inner];
    const int64_t trows = (nrow + TILE_ROWS - 1) / TILE_ROWS, tcols = (ncol + TILE_COLS - 1) / TILE_COLS;
    const int64_t nbatch = cpu_space_count(&batch, 0, batch.nd);
    const int64_t ntasks = nbatch * trows * tcols;
    const int nt = cpu_threads_for(be, nbatch * nrow * ncol * 2);
    const int64_t nchunks = cpu_chunk_count(ntasks, TILE_ROWS * TILE_COLS * 2, nt);
    const int simd = srow == 1 && dtype == src_dtype && alpha == 1.0 && beta == 0.0 &&
                     cpu_transpose_simd_available();

#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int64_t chunk = 0; chunk < nchunks; chunk++) {
        int64_t begin, end;
        cpu_chunk_range(ntasks, nchunks, chunk, &begin, &end);
        cpu_odo it;
        for (int64_t t = begin; t < end; t++) {
            const int64_t tile_index = t % (trows * tcols);
            if (t == begin || tile_index == 0)
                cpu_odo_seek(&it, &batch, 0, batch.nd, t / (trows * tcols));
            const int64_t r0 = tile_index / tcols * TILE_ROWS, c0 = tile_index % tcols * TILE_COLS;
            const int64_t rows = nrow - r0 < TILE_ROWS ? nrow - r0 : TILE_ROWS;
            const int64_t cols = ncol - c0 < TILE_COLS ? ncol - c0 : TILE_COLS;
            char *dp = dbase + (it.off[0] + r0 * drow + c0) * dsz;
            const char *spp = sbase + (it.off[1] + r0 * srow + c0 * scol) * ssz;
            if (simd && d32)
                cpu_transpose_tile_f32_simd((float *)dp, drow, (const float *)spp, scol, rows, cols);
            else if (simd)
                cpu_transpose_tile_f64_simd((double *)dp, drow, (const double *)spp, scol, rows, cols);
            else
                tile(dp, drow, spp, srow, scol, rows, cols, alpha, beta);
        }
    }
    return 1;
}
