/* bft_votes.c: counting the votes of one (height, round, type). */
#include "consensus/bft_votes.h"

#include <string.h>

size_t vote_set_storage(size_t n)
{
	return n * (sizeof(struct vote_entry) + sizeof(struct vote_extra) +
		    2 * sizeof(struct vote_tally));
}

void vote_set_reset(struct vote_set *vs, enum vote_type type, uint64_t height, uint32_t round,
		    const struct validator_set *validators, void *storage)
{
	size_t n = validators->count;
	uint8_t *p = storage;

	vs->type = type;
	vs->height = height;
	vs->round = round;
	vs->validators = validators;
	/* largest alignment first: all three hold only bools, bytes and size_t/uint64_t */
	vs->tallies = (struct vote_tally *)p;
	vs->extras = (struct vote_extra *)(p + 2 * n * sizeof(struct vote_tally));
	vs->entries = (struct vote_entry *)(p + 2 * n * sizeof(struct vote_tally) +
					    n * sizeof(struct vote_extra));
	vs->extra_count = 0;
	vs->tally_count = 0;
	vs->power_any = 0;
	memset(vs->entries, 0, n * sizeof(*vs->entries));
}

bool vote_set_get(const struct vote_set *vs, size_t idx, struct vote *vote)
{
	const struct vote_entry *e = &vs->entries[idx];

	if (!e->present)
		return false;
	memset(vote, 0, sizeof(*vote));
	vote->type = vs->type;
	vote->height = vs->height;
	vote->round = vs->round;
	vote->has_block = e->has_block;
	memcpy(vote->block_id, e->block_id, HASH_SIZE);
	memcpy(vote->validator, vs->validators->members[idx].key, PUBKEY_SIZE);
	memcpy(vote->sig, e->sig, SIG_SIZE);
	return true;
}

static bool same_target(bool has_a, const uint8_t *a, bool has_b, const uint8_t *b)
{
	if (has_a != has_b)
		return false;
	return !has_a || memcmp(a, b, HASH_SIZE) == 0;
}

bool vote_set_find(const struct vote_set *vs, size_t idx, bool has_block,
		   const uint8_t block_id[HASH_SIZE], uint8_t sig[SIG_SIZE])
{
	const struct vote_entry *e = &vs->entries[idx];

	if (!e->present)
		return false;
	if (same_target(e->has_block, e->block_id, has_block, block_id)) {
		memcpy(sig, e->sig, SIG_SIZE);
		return true;
	}
	for (size_t i = 0; i < vs->extra_count; i++) {
		const struct vote_extra *x = &vs->extras[i];

		if (x->idx == idx && same_target(x->has_block, x->block_id, has_block, block_id)) {
			memcpy(sig, x->sig, SIG_SIZE);
			return true;
		}
	}
	return false;
}

bool vote_set_is_duplicate(const struct vote_set *vs, size_t idx, const struct vote *vote)
{
	uint8_t sig[SIG_SIZE];

	return vote_set_find(vs, idx, vote->has_block, vote->block_id, sig) &&
	       memcmp(sig, vote->sig, SIG_SIZE) == 0;
}

static void tally_add(struct vote_set *vs, bool has_block, const uint8_t *block_id, uint64_t power)
{
	size_t t;

	for (t = 0; t < vs->tally_count; t++)
		if (same_target(vs->tallies[t].has_block, vs->tallies[t].block_id, has_block,
				block_id))
			break;
	if (t == vs->tally_count) {
		/* n first votes and n extras: at most 2n distinct targets */
		vs->tally_count++;
		vs->tallies[t].has_block = has_block;
		memcpy(vs->tallies[t].block_id, block_id, HASH_SIZE);
		vs->tallies[t].power = 0;
	}
	/* cannot overflow: each validator counts once per target, and the
	 * set's total fits in 63 bits */
	vs->tallies[t].power += power;
}

enum vote_set_result vote_set_add(struct vote_set *vs, size_t idx, const struct vote *vote)
{
	struct vote_entry *e = &vs->entries[idx];
	uint64_t power = vs->validators->members[idx].power;
	uint8_t sig[SIG_SIZE];

	if (!e->present) {
		e->present = true;
		e->has_block = vote->has_block;
		memcpy(e->block_id, vote->block_id, HASH_SIZE);
		memcpy(e->sig, vote->sig, SIG_SIZE);
		tally_add(vs, vote->has_block, vote->block_id, power);
		vs->power_any += power;
		return VOTE_SET_ADDED;
	}
	if (vote_set_find(vs, idx, vote->has_block, vote->block_id, sig))
		return VOTE_SET_DUPLICATE;
	if (vs->extra_count < vs->validators->count) {
		struct vote_extra *x = &vs->extras[vs->extra_count++];

		x->idx = idx;
		x->has_block = vote->has_block;
		memcpy(x->block_id, vote->block_id, HASH_SIZE);
		memcpy(x->sig, vote->sig, SIG_SIZE);
		tally_add(vs, vote->has_block, vote->block_id, power);
	}
	return VOTE_SET_CONFLICT;
}

uint64_t vote_set_power_for(const struct vote_set *vs, bool has_block,
			    const uint8_t block_id[HASH_SIZE])
{
	for (size_t t = 0; t < vs->tally_count; t++)
		if (same_target(vs->tallies[t].has_block, vs->tallies[t].block_id, has_block,
				block_id))
			return vs->tallies[t].power;
	return 0;
}

bool vote_set_quorum(const struct vote_set *vs, bool *has_block, uint8_t block_id[HASH_SIZE])
{
	for (size_t t = 0; t < vs->tally_count; t++)
		if (validators_has_quorum(vs->tallies[t].power, vs->validators->total_power)) {
			*has_block = vs->tallies[t].has_block;
			memcpy(block_id, vs->tallies[t].block_id, HASH_SIZE);
			return true;
		}
	return false;
}

bool vote_set_has_quorum_any(const struct vote_set *vs)
{
	return validators_has_quorum(vs->power_any, vs->validators->total_power);
}

bool vote_set_has_all(const struct vote_set *vs)
{
	return vs->power_any == vs->validators->total_power;
}
