/* validators.h: the validator set, the one view of "who votes and with what
 * power" shared by the ledger (which derives it from bonded stake) and the BFT
 * engine (which counts votes and picks proposers with it).
 *
 * A set is an array ordered by key bytes (ascending), so every node iterates
 * it the same way. Power is bonded stake in base units. Quorum arithmetic is
 * done in 128 bits so no stake can overflow it. */
#ifndef HEARTH_CONSENSUS_VALIDATORS_H
#define HEARTH_CONSENSUS_VALIDATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"

#define VALIDATORS_MAX 256

struct validator {
	uint8_t key[PUBKEY_SIZE];
	uint64_t power;
	int64_t proposer_priority;
};

struct validator_set {
	size_t count;
	uint64_t total_power; /* sum of power; validators_set_init checks it fits */
	struct validator members[VALIDATORS_MAX];
};

/* True when power is more than 2/3 of total: power * 3 > total * 2. */
static inline bool validators_has_quorum(uint64_t power, uint64_t total)
{
	return (unsigned __int128)power * 3 > (unsigned __int128)total * 2;
}

/* True when power is more than 1/3 of total: enough that at least one honest
 * validator is among them. */
static inline bool validators_has_one_third(uint64_t power, uint64_t total)
{
	return (unsigned __int128)power * 3 > (unsigned __int128)total;
}

/* Builds a set from n members in any order: sorts them by key, sums power.
 * In:  members[n] (power > 0, keys distinct and valid), n <= VALIDATORS_MAX.
 * Out: set. Proposer priorities are copied as given.
 * Returns 0, or -1 for n = 0, n too large, a zero power, a duplicate key or a
 * total power that does not fit in 63 bits (priorities are signed). */
__attribute__((warn_unused_result)) int
validators_set_init(struct validator_set *set, const struct validator *members, size_t n);

/* Index of key in set, or -1 when it is not a member. O(log n). */
int validators_find(const struct validator_set *set, const uint8_t key[PUBKEY_SIZE]);

/* H("hearth/validators", count, then key and power of each member in order).
 * Priorities are excluded: they change every height. */
void validators_hash(const struct validator_set *set, uint8_t out[HASH_SIZE]);

#endif
