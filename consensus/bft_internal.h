/* bft_internal.h: the engine's state (struct bft, its block table and
 * round slots) and the functions its files share. Only consensus/bft*.c
 * include it; the interface is bft.h. The files:
 *   bft.c           actions, signing, rounds and heights, events, life cycle
 *   bft_timeouts.c  timeout schedules (production, dev, test)
 *   bft_slots.c     the block table and the round slots of the height
 *   bft_rules.c     the algorithm's "upon" rules and their evaluation */
#ifndef HEARTH_CONSENSUS_BFT_INTERNAL_H
#define HEARTH_CONSENSUS_BFT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/bft.h"
#include "consensus/bft_votes.h"

enum validity {
	VALIDITY_UNKNOWN,
	VALIDITY_VALID,
	VALIDITY_INVALID,
};

struct block {
	bool used;
	uint8_t id[HASH_SIZE];
	uint8_t *payload;
	size_t len;
	enum validity validity;
};

struct round_slot {
	bool used;
	uint32_t round;
	struct vote_set prevotes, precommits;
	bool *seen;	     /* [n]: validator sent some message of this round */
	uint64_t seen_power; /* power of those validators */
	/* the first proposal from the round's proposer, and at most one other
	 * one (an equivocating proposer's) that a quorum of votes asks for */
	bool has_proposal, has_alt;
	struct proposal_header proposal, alt;
	/* evidence already emitted for a second proposal of this round */
	bool proposal_conflict_reported;
	bool prevote_timeout_done, precommit_timeout_done, polka_done;
};

struct bft {
	struct bft_config config;
	struct privval *pv;

	bool started;
	uint64_t height;
	uint32_t round;
	enum bft_step step;
	struct validator_set validators;
	struct validator_set scratch; /* proposer_select's working copy */
	int self;		      /* our index in validators, or -1 */
	size_t proposer;	      /* of the current round */
	bool block_requested;	      /* for the current round */

	int64_t locked_round;
	uint8_t locked_id[HASH_SIZE];
	int64_t valid_round;
	uint8_t valid_id[HASH_SIZE];

	struct round_slot slots[BFT_ROUND_SLOTS];
	struct block blocks[BFT_BLOCKS_MAX];
	void *arena; /* vote storage of every slot, for arena_n validators */
	size_t arena_n;

	/* the decision of the current height */
	uint32_t decided_round;
	struct proposal_header decided;
	uint8_t *decided_payload;
	size_t decided_len;
	struct commit commit;
	bool commit_wait_done;
	bool next_pending;
	uint64_t next_height;
	struct validator_set next_set;

	struct bft_actions *out;
	bool out_overflow;
};

struct bft_action *bft_push(struct bft *e, enum bft_action_type type);

void bft_schedule(struct bft *e, enum bft_step step, uint32_t round);

/* Signs and broadcasts our vote for the current round; a refusal of the
 * double-sign guard (after a restart) means we stay silent this step. */
void bft_cast_vote(struct bft *e, enum vote_type type, bool has_block, const uint8_t id[HASH_SIZE]);

/* StartRound(round) of the paper. */
void bft_start_round(struct bft *e, uint32_t round);

/* Decision: build the certificate, keep a copy of the block, emit COMMIT. */
void bft_decide(struct bft *e, struct round_slot *s, const struct proposal_header *p,
		const struct block *b);

/* Both conditions to leave a decided height: the commit wait is over and the
 * application has started the next height. */
enum bft_status bft_maybe_next_height(struct bft *e);

struct block *bft_block_find(struct bft *e, const uint8_t id[HASH_SIZE]);

/* Stores a copy of payload under id (or finds it). NULL: no room or memory. */
struct block *bft_block_store(struct bft *e, const uint8_t id[HASH_SIZE], const uint8_t *payload,
			      size_t len, enum bft_status *why);

void bft_blocks_clear(struct bft *e);

void bft_request_validation(struct bft *e, const struct block *b);

/* Bytes of vote storage one slot needs for n validators: two vote sets and
 * the "seen" flags, each part rounded up to keep 8-byte alignment. */
size_t bft_slot_bytes(size_t n);

struct round_slot *bft_slot_find(struct bft *e, uint32_t round);

/* The slot of round, created when missing if there is room (see bft.h);
 * force: evict even a higher round (used for the current round). */
struct round_slot *bft_slot_get(struct bft *e, uint32_t round, bool force);

void bft_slot_mark_seen(struct bft *e, struct round_slot *s, size_t idx);

/* The proposal of slot s for block id, primary or alternate. */
const struct proposal_header *bft_slot_proposal_for(const struct round_slot *s,
						    const uint8_t id[HASH_SIZE]);

/* Applies rules until none fires. */
enum bft_status bft_evaluate(struct bft *e);

/* The proof-of-lock round of the current round's proposal, or -1: its
 * prevotes decide our prevote (lines 28-33), so they must stay. */
int64_t bft_current_pol_round(const struct bft *e);

#endif
