/*
 * Shared internals of the planner: the planning state (bound equation, steps being emitted, the
 * workspace allocator) and the view helpers used by plan_build.c and plan_gemm.c.
 */
#ifndef ECL_PLANNER_H
#define ECL_PLANNER_H

#include "plan.h"

typedef struct ecl_ws_block {
    int64_t offset, len;
} ecl_ws_block;

typedef struct ecl_planner {
    const ecl_bound *b;
    ecl_lowered *low;
    ecl_error *err;
    ecl_ws_block *live;  /* live workspace blocks, sorted by offset */
    int nlive, live_cap;
} ecl_planner;

/* Appends a zeroed step; NULL (with err set) on allocation failure. */
ecl_step *ecl_planner_add_step(ecl_planner *p, ecl_step_kind kind);

/* Largest intermediate, in elements: the path search refuses orders beyond it (ECL_PATH_MAX_ELEMS);
 * the lowering checks again, since it multiplies int64 sizes. */
#define ECL_MAX_INTERMEDIATE ((int64_t)1 << 56)

/* Allocates len (<= ECL_MAX_INTERMEDIATE) elements of workspace (first fit among live blocks);
 * returns the offset, -1 when the block table cannot grow, -2 when the workspace would pass
 * 64 * ECL_MAX_INTERMEDIATE elements. */
int64_t ecl_ws_alloc(ecl_planner *p, int64_t len);
/* Frees the workspace block of a view, if the view lives in the workspace. */
void ecl_ws_release(ecl_planner *p, const ecl_view *v);

int64_t ecl_view_numel(const ecl_view *v);
/* Index of label in v, or -1. */
int ecl_view_find(const ecl_view *v, int label);
/* Stride of label in v, 0 when v does not have it (broadcast). */
int64_t ecl_view_stride_of(const ecl_view *v, int label);
/* A new contiguous workspace view over labels (in that order); ECL_ERROR_OUT_OF_MEMORY on failure. */
ecl_status ecl_planner_new_tmp(ecl_planner *p, const int *labels, int n, ecl_view *out);
/* A view of src with dims reordered to labels; labels src lacks get stride 0 (broadcast). */
void ecl_view_select(const ecl_planner *p, const ecl_view *src, const int *labels, int n,
                     ecl_view *out);
/* Emits a COPY of src into a fresh contiguous workspace view over labels; returns that view. */
ecl_status ecl_planner_copy_to_tmp(ecl_planner *p, const ecl_view *src, const int *labels, int n,
                                   ecl_view *out);

/* Lowers a contraction of A and B with at least one label summed (K) and at least one kept label
 * in one operand only (M or N) to a batched GEMM, permuting an operand only when its layout cannot
 * be expressed with strides, transposition flags and leading dimensions (plan_gemm.c). */
ecl_status ecl_lower_gemm(ecl_planner *p, const ecl_view *A, const ecl_view *B, const int *batch,
                          int nbatch, const int *m, int nm, const int *n, int nn, const int *k, int nk,
                          const ecl_view *final_out, ecl_view *result);

/* What ecl_lower_gemm would do for the same arguments, without emitting steps or allocating
 * (plan_gemm.c; only p->b is read): the bytes its permutes move (operand copies and the final
 * permute of C into final_out, each counted read + write), the elements of the largest workspace
 * tensor it would allocate, whether C goes straight into final_out, and otherwise the label order of
 * the contiguous C it writes (batch labels in the given order, then M, then N). The path search
 * (path_sim.c) uses it to rank orders by the transposes they cause. */
typedef struct ecl_gemm_estimate {
    double permute_bytes;
    int64_t largest_tmp;
    int direct;
    int nlabels;
    int label[ECL_MAX_DIMS];
} ecl_gemm_estimate;

void ecl_estimate_gemm(const ecl_planner *p, const ecl_view *A, const ecl_view *B, const int *batch,
                       int nbatch, const int *m, int nm, const int *n, int nn, const int *k, int nk,
                       const ecl_view *final_out, ecl_gemm_estimate *out);

#endif /* ECL_PLANNER_H */
