/* validators.c: building, searching and hashing a validator set. Choosing
 * which accounts form the set (top N candidates by stake) lives with staking. */
#include "consensus/validators.h"

#include <stdlib.h>
#include <string.h>

static int compare_keys(const void *a, const void *b)
{
	const struct validator *va = a, *vb = b;

	return memcmp(va->key, vb->key, PUBKEY_SIZE);
}

int validators_set_init(struct validator_set *set, const struct validator *members, size_t n)
{
	uint64_t total = 0;

	memset(set, 0, sizeof(*set));
	if (n == 0 || n > VALIDATORS_MAX)
		return -1;
	memcpy(set->members, members, n * sizeof(*members));
	qsort(set->members, n, sizeof(*members), compare_keys);
	for (size_t i = 0; i < n; i++) {
		if (set->members[i].power == 0)
			return -1;
		if (i > 0 && compare_keys(&set->members[i - 1], &set->members[i]) == 0)
			return -1;
		if (__builtin_add_overflow(total, set->members[i].power, &total) ||
		    total > (uint64_t)INT64_MAX)
			return -1;
	}
	set->count = n;
	set->total_power = total;
	return 0;
}

int validators_find(const struct validator_set *set, const uint8_t key[PUBKEY_SIZE])
{
	size_t lo = 0, hi = set->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(set->members[mid].key, key, PUBKEY_SIZE);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void validators_hash(const struct validator_set *set, uint8_t out[HASH_SIZE])
{
	struct hasher h;

	hash_begin(&h, "hearth/validators");
	hash_u64(&h, set->count);
	for (size_t i = 0; i < set->count; i++) {
		hash_update(&h, set->members[i].key, PUBKEY_SIZE);
		hash_u64(&h, set->members[i].power);
	}
	hash_finish(&h, out);
}
