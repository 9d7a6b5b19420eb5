/*
 * xoshiro256** and splitmix64 (public-domain algorithms by Blackman and Vigna) for the tests.
 */
#include "rng.h"

uint64_t ecl_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void ecl_rng_seed(ecl_rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = ecl_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ecl_rng_next(ecl_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

int ecl_rng_below(ecl_rng *rng, int n)
{
    return (int)(ecl_rng_next(rng) % (uint64_t)n);  /* bias is irrelevant for tests */
}

double ecl_rng_uniform(ecl_rng *rng) { return (double)(ecl_rng_next(rng) >> 11) * 0x1.0p-53; }

int ecl_rng_chance(ecl_rng *rng, double p) { return ecl_rng_uniform(rng) < p; }
