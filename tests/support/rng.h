/*
 * The tests' pseudo-random numbers: xoshiro256** seeded through splitmix64, identical on every
 * platform (never rand()), so a printed seed reproduces a failing case anywhere.
 */
#ifndef ECL_TEST_RNG_H
#define ECL_TEST_RNG_H

#include <stdint.h>

typedef struct ecl_rng {
    uint64_t s[4];
} ecl_rng;

uint64_t ecl_splitmix64(uint64_t *state);
void ecl_rng_seed(ecl_rng *rng, uint64_t seed);
uint64_t ecl_rng_next(ecl_rng *rng);
/* Uniform integer in [0, n), n >= 1. */
int ecl_rng_below(ecl_rng *rng, int n);
/* Uniform double in [0, 1). */
double ecl_rng_uniform(ecl_rng *rng);
/* 1 with probability p. */
int ecl_rng_chance(ecl_rng *rng, double p);

#endif /* ECL_TEST_RNG_H */
