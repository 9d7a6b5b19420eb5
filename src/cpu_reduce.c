/*
 * The CPU sum-of-products engine behind reduce and mul-with-summation: dst = alpha * sum over the
 * summed dims of a (or a * b) + beta * dst, accumulated in double. Two strategies:
 * - per element: for each kept element, a dot over the summed dims (best when the innermost summed
 *   dim is contiguous); threads take chunks of kept elements, or, when there are fewer kept
 *   elements than threads, chunks of the summed range whose partial sums are added in order;
 * - rows: when the innermost kept dim is contiguous in the sources and the summed dims are not,
 *   tiles of that dim are accumulated into a double row, four source rows at a time; threads take
 *   chunks of tiles, or chunks of the summed range accumulated into separate rows.
 * Results do not depend on how threads are scheduled, only on the thread count.
 */
#include "cpu_sum_kernels.h"

#include <stdlib.h>
#include "alloc.h"

#define ROW_TILE 512

typedef struct sum_job {
    const cpu_space *sp;
    ecl_dtype dtype;
    int64_t esz;
    char *base[CPU_MAX_OPS];
    int has_b;
    cpu_dot_fn dot;
    cpu_acc_fn acc;
    double alpha, beta;
} sum_job;

static char *at(const sum_job *job, int op, int64_t offset)
{
    return job->base[op] + offset * job->esz;
}

/* Sum over the summed elements [begin, end) (row-major over the summed dims) for the kept element
 * at source offsets oa, ob. */
static double sum_range(const sum_job *job, int64_t oa, int64_t ob, int64_t begin, int64_t end)
{
    const cpu_space *sp = job->sp;
    const int inner = sp->nd - 1;
    const int64_t n = sp->shape[inner];
    const int64_t as = sp->stride[1][inner], bs = job->has_b ? sp->stride[2][inner] : 0;
    cpu_odo it;
    cpu_odo_seek(&it, sp, sp->nkeep, inner, begin / n);
    int64_t col = begin % n;
    double s = 0;
    for (int64_t pos = begin; pos < end; col = 0, cpu_odo_next(&it, sp, sp->nkeep, inner)) {
        const int64_t len = n - col < end - pos ? n - col : end - pos;
        const char *b = job->has_b ? at(job, 2, ob + it.off[2] + col * bs) : NULL;
        s += job->dot(at(job, 1, oa + it.off[1] + col * as), as, b, bs, len);
        pos += len;
    }
    return s;
}

static void per_element(const sum_job *job, int nt)
{
    const cpu_space *sp = job->sp;
    const int64_t nkept = cpu_space_count(sp, 0, sp->nkeep);
    const int64_t nsum = cpu_space_count(sp, sp->nkeep, sp->nd);
    if (nkept >= nt) {
        const int64_t nchunks = cpu_chunk_count(nkept, nsum, nt);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
        for (int64_t c = 0; c < nchunks; c++) {
            int64_t begin, end;
            cpu_chunk_range(nkept, nchunks, c, &begin, &end);
            cpu_odo it;
            cpu_odo_seek(&it, sp, 0, sp->nkeep, begin);
            for (int64_t e = begin; e < end; e++, cpu_odo_next(&it, sp, 0, sp->nkeep)) {
                double s = sum_range(job, it.off[1], it.off[2], 0, nsum);
                cpu_store(job->dtype, at(job, 0, it.off[0]), s, job->alpha, job->beta);
            }
        }
        return;
    }
    /* Fewer kept elements than threads: split each sum, adding the chunks' partials in order. */
    const int64_t nchunks = cpu_chunk_count(nsum, 1, nt);
    double partial[CPU_MAX_CHUNKS];
    cpu_odo it;
    cpu_odo_seek(&it, sp, 0, sp->nkeep, 0);
    for (int64_t e = 0; e < nkept; e++, cpu_odo_next(&it, sp, 0, sp->nkeep)) {
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (int64_t c = 0; c < nchunks; c++) {
            int64_t begin, end;
            cpu_chunk_range(nsum, nchunks, c, &begin, &end);
            partial[c] = sum_range(job, it.off[1], it.off[2], begin, end);
        }
        double total = 0;
        for (int64_t c = 0; c < nchunks; c++)
            total += partial[c];
        cpu_store(job->dtype, at(job, 0, it.off[0]), total, job->alpha, job->beta);
    }
}

/* acc[0, len) += the source rows of tile column c0 for the summed elements [begin, end), taken
 * in runs along the innermost summed dim. */
static void accumulate_rows(const sum_job *job, const cpu_odo *kept, int64_t c0, int64_t len,
                            int64_t begin, int64_t end, double *acc)
{
    const cpu_space *sp = job->sp;
    const int kin = sp->nkeep - 1, inner = sp->nd - 1;
    const int64_t as = sp->stride[1][kin], bs = job->has_b ? sp->stride[2][kin] : 0;
    const int64_t ars = sp->stride[1][inner], brs = job->has_b ? sp->stride[2][inner] : 0;
    const int64_t oa = kept->off[1] + c0 * as, ob = kept->off[2] + c0 * bs;
    const int64_t n = sp->shape[inner];
    cpu_odo it;
    cpu_odo_seek(&it, sp, sp->nkeep, inner, begin / n);
    int64_t r = begin % n;
    for (int64_t pos = begin; pos < end; r = 0, cpu_odo_next(&it, sp, sp->nkeep, inner)) {
        const int64_t count = n - r < end - pos ? n - r : end - pos;
        const char *b = job->has_b ? at(job, 2, ob + it.off[2] + r * brs) : NULL;
        job->acc(acc, at(job, 1, oa + it.off[1] + r * ars), as, ars, b, bs, brs, len, count);
        pos += count;
    }
}

static void store_row(const sum_job *job, const cpu_odo *kept, int64_t c0, int64_t len,
                      const double *acc)
{
    const int64_t ds = job->sp->stride[0][job->sp->nkeep - 1];
    for (int64_t i = 0; i < len; i++)
        cpu_store(job->dtype, at(job, 0, kept->off[0] + (c0 + i) * ds), acc[i], job->alpha,
                  job->beta);
}

static int64_t tile_len(int64_t width, int64_t c0)
{
    return width - c0 < ROW_TILE ? width - c0 : ROW_TILE;
}

/* Fewer row tiles than threads: each tile's summed range is cut into chunks accumulated into
 * separate rows, added in chunk order. Returns 0 when the scratch rows cannot be allocated. */
static int rows_split_sum(const sum_job *job, int nt, int64_t ntasks, int64_t tiles)
{
    const cpu_space *sp = job->sp;
    const int kin = sp->nkeep - 1;
    const int64_t width = sp->shape[kin];
    const int64_t nsum = cpu_space_count(sp, sp->nkeep, sp->nd);
    const int64_t nchunks = cpu_chunk_count(nsum, width < ROW_TILE ? width : ROW_TILE, nt);
    double *partial = ecl_malloc((size_t)nchunks * ROW_TILE * sizeof(double));
    if (!partial)
        return 0;
    cpu_odo kept;
    cpu_odo_seek(&kept, sp, 0, kin, 0);
    for (int64_t t = 0; t < ntasks; t++) {
        if (t > 0 && t % tiles == 0)
            cpu_odo_next(&kept, sp, 0, kin);
        const int64_t c0 = t % tiles * ROW_TILE, len = tile_len(width, c0);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (int64_t c = 0; c < nchunks; c++) {
            int64_t begin, end;
            cpu_chunk_range(nsum, nchunks, c, &begin, &end);
            double *acc = partial + c * ROW_TILE;
            for (int64_t i = 0; i < len; i++)
                acc[i] = 0;
            accumulate_rows(job, &kept, c0, len, begin, end, acc);
        }
        for (int64_t c = 1; c < nchunks; c++)
            for (int64_t i = 0; i < len; i++)
                partial[i] += partial[c * ROW_TILE + i];
        store_row(job, &kept, c0, len, partial);
    }
    ecl_free(partial);
    return 1;
}

static void rows(const sum_job *job, int nt)
{
    const cpu_space *sp = job->sp;
    const int kin = sp->nkeep - 1;
    const int64_t width = sp->shape[kin], tiles = (width + ROW_TILE - 1) / ROW_TILE;
    const int64_t ntasks = cpu_space_count(sp, 0, kin) * tiles;
    const int64_t nsum = cpu_space_count(sp, sp->nkeep, sp->nd);
    if (ntasks < nt && rows_split_sum(job, nt, ntasks, tiles))
        return;
    const int64_t tile_cost = nsum * (width < ROW_TILE ? width : ROW_TILE);
    const int64_t nchunks = cpu_chunk_count(ntasks, tile_cost, nt);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int64_t c = 0; c < nchunks; c++) {
        int64_t begin, end;
        cpu_chunk_range(ntasks, nchunks, c, &begin, &end);
        cpu_odo kept;
        double acc[ROW_TILE];
        for (int64_t t = begin; t < end; t++) {
            if (t == begin || t % tiles == 0)
                cpu_odo_seek(&kept, sp, 0, kin, t / tiles);
            const int64_t c0 = t % tiles * ROW_TILE, len = tile_len(width, c0);
            for (int64_t i = 0; i < len; i++)
                acc[i] = 0;
            accumulate_rows(job, &kept, c0, len, 0, nsum, acc);
            store_row(job, &kept, c0, len, acc);
        }
    }
}

/* 1 when a run along dim d is contiguous in the sources (stride 1, or 0 for one of a and b). */
static int contiguous_run(const cpu_space *sp, int d)
{
    const int64_t as = sp->stride[1][d], bs = sp->nops == 3 ? sp->stride[2][d] : 0;
    if (sp->nops == 2)
        return as == 1;
    return (as == 1 && (bs == 0 || bs == 1)) || (as == 0 && bs == 1);
}

void cpu_sum(const ecl_cpu_backend *be, const cpu_space *sp, ecl_dtype dtype, void *const *mem,
             double alpha, double beta)
{
    sum_job job = {.sp = sp, .dtype = dtype, .esz = (int64_t)ecl_dtype_size(dtype),
                   .has_b = sp->nops == 3, .alpha = alpha, .beta = beta};
    for (int o = 0; o < sp->nops; o++)
        job.base[o] = (char *)mem[o] + sp->offset[o] * job.esz;
    job.dot = cpu_pick_dot(dtype, job.has_b);
    job.acc = cpu_pick_acc(dtype);
    const int64_t total = cpu_space_count(sp, 0, sp->nd);
    const int nt = cpu_threads_for(be, total * (sp->nops - 1));
    if (sp->nkeep > 0 && !contiguous_run(sp, sp->nd - 1) && contiguous_run(sp, sp->nkeep - 1))
        rows(&job, nt);
    else
        per_element(&job, nt);
}
