/*
 * The CPU kernels' iteration space: building it from strided views and simplifying it (dropping
 * size-1 dims, walking negative strides forwards, ordering dims so the innermost loop has the
 * smallest stride, merging dims that are contiguous in every operand), so that the kernels see as
 * few and as long loops as the layouts allow.
 */
#include "cpu_internal.h"

int cpu_space_build(cpu_space *sp, int nops, const ecl_strided *const *views, int *empty_sum)
{
    const ecl_strided *full = views[nops - 1];
    sp->nops = nops;
    sp->nd = full->ndim;
    sp->nkeep = views[0]->ndim;
    *empty_sum = 0;
    int nonempty = 1;
    for (int o = 0; o < nops; o++)
        sp->offset[o] = views[o]->offset;
    for (int d = 0; d < sp->nd; d++) {
        sp->shape[d] = full->shape[d];
        for (int o = 0; o < nops; o++)
            sp->stride[o][d] = d < views[o]->ndim ? views[o]->stride[d] : 0;
        if (sp->shape[d] == 0) {
            if (d < sp->nkeep)
                nonempty = 0;
            else
                *empty_sum = 1;
        }
    }
    return nonempty;
}

int64_t cpu_space_count(const cpu_space *sp, int lo, int hi)
{
    int64_t n = 1;
    for (int d = lo; d < hi; d++)
        n *= sp->shape[d];
    return n;
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

/* The operand whose stride orders a dim: the destination for kept dims, else the first source
 * that moves along it. */
static int key_operand(const cpu_space *sp, int d)
{
    if (d < sp->nkeep || sp->nops == 1)
        return 0;
    if (sp->nops == 3 && sp->stride[1][d] == 0)
        return 2;
    return 1;
}

static void drop_unit_dims(cpu_space *sp)
{
    int n = 0, nkeep = sp->nkeep;
    for (int d = 0; d < sp->nd; d++) {
        if (sp->shape[d] == 1) {
            if (d < sp->nkeep)
                nkeep--;
            continue;
        }
        sp->shape[n] = sp->shape[d];
        for (int o = 0; o < sp->nops; o++)
            sp->stride[o][n] = sp->stride[o][d];
        n++;
    }
    sp->nd = n;
    sp->nkeep = nkeep;
}

static void flip_negative_dims(cpu_space *sp)
{
    for (int d = 0; d < sp->nd; d++) {
        if (sp->stride[key_operand(sp, d)][d] >= 0)
            continue;
        for (int o = 0; o < sp->nops; o++) {
            sp->offset[o] += (sp->shape[d] - 1) * sp->stride[o][d];
            sp->stride[o][d] = -sp->stride[o][d];
        }
    }
}

/* 1 when dim x should be outside dim y: larger key stride, ties broken by the other operands. */
static int goes_outside(const cpu_space *sp, int x, int y)
{
    int key = key_operand(sp, x);
    if (abs64(sp->stride[key][x]) != abs64(sp->stride[key][y]))
        return abs64(sp->stride[key][x]) > abs64(sp->stride[key][y]);
    for (int o = 0; o < sp->nops; o++)
        if (o != key && abs64(sp->stride[o][x]) != abs64(sp->stride[o][y]))
            return abs64(sp->stride[o][x]) > abs64(sp->stride[o][y]);
    return 0;
}

static void swap_dims(cpu_space *sp, int x, int y)
{
    int64_t t = sp->shape[x];
    sp->shape[x] = sp->shape[y];
    sp->shape[y] = t;
    for (int o = 0; o < sp->nops; o++) {
        t = sp->stride[o][x];
        sp->stride[o][x] = sp->stride[o][y];
        sp->stride[o][y] = t;
    }
}

/* Stable insertion sort of dims [lo, hi), outermost first. */
static void sort_dims(cpu_space *sp, int lo, int hi)
{
    for (int i = lo + 1; i < hi; i++)
        for (int j = i; j > lo && goes_outside(sp, j, j - 1); j--)
            swap_dims(sp, j, j - 1);
}

static void merge_dims(cpu_space *sp)
{
    int n = 0, nkeep = sp->nkeep;
    for (int d = 0; d < sp->nd; d++) {
        int mergeable = n > 0 && (d != sp->nkeep);
        for (int o = 0; mergeable && o < sp->nops; o++)
            mergeable = sp->stride[o][n - 1] == sp->stride[o][d] * sp->shape[d];
        if (mergeable) {
            sp->shape[n - 1] *= sp->shape[d];
            for (int o = 0; o < sp->nops; o++)
                sp->stride[o][n - 1] = sp->stride[o][d];
            if (d < sp->nkeep)
                nkeep--;
            continue;
        }
        sp->shape[n] = sp->shape[d];
        for (int o = 0; o < sp->nops; o++)
            sp->stride[o][n] = sp->stride[o][d];
        n++;
    }
    sp->nd = n;
    sp->nkeep = nkeep;
}

void cpu_space_simplify(cpu_space *sp)
{
    drop_unit_dims(sp);
    flip_negative_dims(sp);
    sort_dims(sp, 0, sp->nkeep);
    sort_dims(sp, sp->nkeep, sp->nd);
    merge_dims(sp);
}
