/*
 * Tiled strided copy for transposes: dst = alpha * src + beta * dst where the destination's
 * fastest dim (i) is not the source's (j). A work-group of 256 items moves 32 x 32 tiles through
 * local memory: it reads a tile with consecutive items along j (coalesced in src) and writes it
 * with consecutive items along i (coalesced in dst); the tile row is padded to 33 to avoid bank
 * conflicts. The remaining dims are a batch described by sp (dims [0, nd)). Work-groups loop over
 * the tiles. In the f64 program also for float32 <-> float64 conversion.
 */
#define ECL_TILE 32
#define ECL_TILE_ROWS 8

#define ECL_TRANSPOSE_KERNEL(NAME, DST_T, SRC_T, CALC_T)                                      \
    kernel void NAME(global DST_T *dst, global const SRC_T *src, const ecl_space sp,          \
                     const long nbatch, const long ni, const long nj, const long dst_si,      \
                     const long dst_sj, const long src_si, const long src_sj,                 \
                     const CALC_T alpha, const CALC_T beta)                                   \
    {                                                                                         \
        local CALC_T tile[ECL_TILE][ECL_TILE + 1];                                            \
        const int lx = (int)get_local_id(0) % ECL_TILE, ly = (int)get_local_id(0) / ECL_TILE; \
        const long ti = (ni + ECL_TILE - 1) / ECL_TILE, tj = (nj + ECL_TILE - 1) / ECL_TILE;  \
        const long per_batch = ti * tj;                                                       \
        for (long t = (long)get_group_id(0); t < per_batch * nbatch;                          \
             t += (long)get_num_groups(0)) {                                                  \
            const long batch = t / per_batch, r = t - batch * per_batch;                      \
            const long j0 = r / ti * ECL_TILE, i0 = r % ti * ECL_TILE;                        \
            long bd, bs, unused;                                                              \
            ecl_offsets(sp, 0, (int)sp.nd, batch, &bd, &bs, &unused);                         \
            const long sbase = sp.offset[1] + bs, dbase = sp.offset[0] + bd;                  \
            for (int y = ly; y < ECL_TILE; y += ECL_TILE_ROWS) {                              \
                const long i = i0 + y, j = j0 + lx;                                           \
                if (i < ni && j < nj)                                                         \
                    tile[y][lx] = alpha * (CALC_T)src[sbase + i * src_si + j * src_sj];       \
            }                                                                                 \
            barrier(CLK_LOCAL_MEM_FENCE);                                                     \
            for (int y = ly; y < ECL_TILE; y += ECL_TILE_ROWS) {                              \
                const long i = i0 + lx, j = j0 + y;                                           \
                if (i < ni && j < nj) {                                                       \
                    global DST_T *p = dst + dbase + i * dst_si + j * dst_sj;                  \
                    const CALC_T v = tile[lx][y];                                             \
                    *p = (DST_T)(beta == 0 ? v : v + beta * (CALC_T)*p);                      \
                }                                                                             \
            }                                                                                 \
            barrier(CLK_LOCAL_MEM_FENCE);                                                     \
        }                                                                                     \
    }

ECL_TRANSPOSE_KERNEL(ecl_transpose, real, real, real)
#if PRECISION == 64
ECL_TRANSPOSE_KERNEL(ecl_transpose_from_f32, double, float, double)
ECL_TRANSPOSE_KERNEL(ecl_transpose_to_f32, float, double, double)
#endif
