/* prng.h: the simulator's only source of randomness: xoshiro256** seeded
 * through splitmix64, so a seed replays the same run on every machine. */
#ifndef HEARTH_TESTS_SIM_PRNG_H
#define HEARTH_TESTS_SIM_PRNG_H

#include <stdbool.h>
#include <stdint.h>

struct prng {
	uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void prng_seed(struct prng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t prng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t prng_next(struct prng *r)
{
	uint64_t *s = r->s;
	uint64_t result = prng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = prng_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is < 2^-32
 * for the small n the simulator uses). */
static inline uint64_t prng_below(struct prng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)prng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static inline uint64_t prng_range(struct prng *r, uint64_t lo, uint64_t hi)
{
	return lo + prng_below(r, hi - lo + 1);
}

/* True with probability per_mille / 1000. */
static inline bool prng_chance(struct prng *r, uint64_t per_mille)
{
	return prng_below(r, 1000) < per_mille;
}

#endif
