/*
 * Seeded generator of valid random einsum problems for the property tests: an equation over 1..5
 * operands (implicit or explicit output, diagonals, shared and summed labels, "..." with
 * broadcasting, size-0 and size-1 dimensions, 0-d operands, stray whitespace) plus, per operand, a
 * dtype (f32/f64, sometimes mixed), a strided layout (row-major, or a permuted/gapped view with an
 * offset, zero strides on some size-1 dims; see random_operand.h) and data. Deterministic for a
 * seed on every platform: it uses its own PRNG (rng.h), never rand(). The product of all label
 * sizes is kept at most limits.max_loop (ECL_RAND_MAX_LOOP by default) so the naive reference
 * stays fast.
 */
#ifndef ECL_TEST_RANDOM_EINSUM_H
#define ECL_TEST_RANDOM_EINSUM_H

#include <stddef.h>
#include <stdint.h>

#include "einsumcl.h"
#include "random_operand.h"
#include "reference.h"
#include "rng.h"

#define ECL_RAND_MAX_OPERANDS 5
#define ECL_RAND_MAX_LOOP 20000

typedef struct ecl_rand_case {
    uint64_t seed;
    char equation[256];
    int nops;
    ecl_rand_operand op[ECL_RAND_MAX_OPERANDS];
} ecl_rand_case;

/* Size limits: the product of all label sizes, and the largest size drawn for one label. */
typedef struct ecl_rand_limits {
    int64_t max_loop;
    int max_size;
} ecl_rand_limits;

/* The seed of case number index in a run started from base_seed. */
uint64_t ecl_rand_case_seed(uint64_t base_seed, int index);
/* Generates the case for seed with the default limits (ECL_RAND_MAX_LOOP, sizes up to 7).
 * Returns 0, or -1 when out of memory (*c is then empty). */
int ecl_rand_case_generate(uint64_t seed, ecl_rand_case *c);
/* Same with other limits (max_size >= 2), e.g. fewer, larger cases for blocked/threaded paths. */
int ecl_rand_case_generate_limited(uint64_t seed, const ecl_rand_limits *limits, ecl_rand_case *c);
void ecl_rand_case_free(ecl_rand_case *c);
/* Describes the case for the reference (ops needs c->nops entries; they point into c). */
void ecl_rand_case_ref_operands(const ecl_rand_case *c, ecl_ref_operand *ops);
/* One-line-per-operand printable description: seed, equation, dtypes, shapes, strides, offsets. */
void ecl_rand_case_describe(const ecl_rand_case *c, char *buf, size_t size);

#endif /* ECL_TEST_RANDOM_EINSUM_H */
