/* bft_votes.h: the votes of one type at one (height, round), as the engine
 * counts them: power tallied per target (a block id or nil), each validator
 * counted at most once per target and at most once in the power of "any
 * vote". A validator's first vote is its entry; a later vote of the same
 * validator for another target is a conflict: it is reported (the engine
 * turns it into evidence) and kept as an extra vote that counts toward its
 * own target too, up to `n` extra votes per set.
 *
 * Why count a double-signer's second vote: an equivocating validator sends
 * vote A to some nodes and vote B to others. If each node counted only the
 * first vote it saw, a polka that some correct node observed (and locked
 * on) could stay invisible to every other correct node forever, so the
 * locked node's proof-of-lock would never convince them and the height
 * could stall (CometBFT solves the same problem with "peer maj23"
 * messages). Counting it is safe: two quorums for different targets
 * still intersect in more than a third of the power, so in at least one
 * correct validator, which never signs both.
 *
 * The set does not allocate: the engine hands it arrays sized by the
 * validator count n (entries[n], extras[n], tallies[2n]) carved from memory
 * it owns per height. Signatures are checked by the caller before
 * vote_set_add. */
#ifndef HEARTH_CONSENSUS_BFT_VOTES_H
#define HEARTH_CONSENSUS_BFT_VOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/validators.h"
#include "consensus/vote.h"

struct vote_entry {
	bool present;
	bool has_block;
	bool conflict_reported; /* evidence already emitted for this validator */
	uint8_t block_id[HASH_SIZE];
	uint8_t sig[SIG_SIZE];
};

struct vote_extra {
	size_t idx;
	bool has_block;
	uint8_t block_id[HASH_SIZE];
	uint8_t sig[SIG_SIZE];
};

struct vote_tally {
	bool has_block;
	uint8_t block_id[HASH_SIZE];
	uint64_t power;
};

struct vote_set {
	enum vote_type type;
	uint64_t height;
	uint32_t round;
	const struct validator_set *validators;
	struct vote_entry *entries; /* [n], by validator index */
	struct vote_extra *extras;  /* [n] */
	struct vote_tally *tallies; /* [2n] */
	size_t extra_count, tally_count;
	uint64_t power_any; /* power of every validator with a counted vote */
};

enum vote_set_result {
	VOTE_SET_ADDED,
	VOTE_SET_DUPLICATE, /* same target again: nothing changes */
	VOTE_SET_CONFLICT,  /* another target than the validator's first vote */
};

/* Bytes of storage a set needs for n validators (entries, extras, tallies). */
size_t vote_set_storage(size_t n);

/* Empties vs for (type, height, round) over validators, using `storage`
 * (vote_set_storage(validators->count) bytes, suitably aligned). */
void vote_set_reset(struct vote_set *vs, enum vote_type type, uint64_t height, uint32_t round,
		    const struct validator_set *validators, void *storage);

/* The first vote of validator idx, if any.
 * Out: vote (the full signed vote). Returns true when there is one. */
bool vote_set_get(const struct vote_set *vs, size_t idx, struct vote *vote);

/* Validator idx's vote for a target (its first or an extra one), if any.
 * Out: sig. Returns true when there is one. */
bool vote_set_find(const struct vote_set *vs, size_t idx, bool has_block,
		   const uint8_t block_id[HASH_SIZE], uint8_t sig[SIG_SIZE]);

/* True when validator idx already has a vote for vote's target with the
 * same signature bytes (the cheap duplicate test before verification). */
bool vote_set_is_duplicate(const struct vote_set *vs, size_t idx, const struct vote *vote);

/* Adds a vote already checked to be validator idx's, for vs's type, height
 * and round, with a valid signature. Returns what happened. */
enum vote_set_result vote_set_add(struct vote_set *vs, size_t idx, const struct vote *vote);

/* Power counted for a target (has_block false: nil). */
uint64_t vote_set_power_for(const struct vote_set *vs, bool has_block,
			    const uint8_t block_id[HASH_SIZE]);

/* The target with more than 2/3 of the power, if any (there is at most one).
 * Out: *has_block, block_id. Returns true when found. */
bool vote_set_quorum(const struct vote_set *vs, bool *has_block, uint8_t block_id[HASH_SIZE]);

/* True when the validators with a vote hold more than 2/3 of the power,
 * whatever their targets. */
bool vote_set_has_quorum_any(const struct vote_set *vs);

/* True when every validator has a vote. */
bool vote_set_has_all(const struct vote_set *vs);

#endif
