/* bft_slots.c: the engine's storage of the current height: the block table
 * (payloads with the application's validity answer) and the round slots
 * (votes, proposals and the per-round "first time" flags), with eviction of
 * rounds that can no longer matter, and the read-only observers vote gossip
 * uses (bft_vote_get, bft_proposal_get). */
#include "consensus/bft.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/bft_internal.h"

struct block *bft_block_find(struct bft *e, const uint8_t id[HASH_SIZE])
{
	for (size_t i = 0; i < BFT_BLOCKS_MAX; i++)
		if (e->blocks[i].used && memcmp(e->blocks[i].id, id, HASH_SIZE) == 0)
			return &e->blocks[i];
	return NULL;
}

static bool block_referenced(const struct bft *e, const struct block *b)
{
	if (e->locked_round >= 0 && memcmp(e->locked_id, b->id, HASH_SIZE) == 0)
		return true;
	if (e->valid_round >= 0 && memcmp(e->valid_id, b->id, HASH_SIZE) == 0)
		return true;
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++) {
		const struct round_slot *s = &e->slots[i];

		if (!s->used)
			continue;
		if (s->has_proposal && memcmp(s->proposal.block_id, b->id, HASH_SIZE) == 0)
			return true;
		if (s->has_alt && memcmp(s->alt.block_id, b->id, HASH_SIZE) == 0)
			return true;
	}
	return false;
}

static void block_release(struct block *b)
{
	free(b->payload);
	memset(b, 0, sizeof(*b));
}

/* Stores a copy of payload under id (or finds it). NULL: no room or memory. */
struct block *bft_block_store(struct bft *e, const uint8_t id[HASH_SIZE], const uint8_t *payload,
			      size_t len, enum bft_status *why)
{
	struct block *b = bft_block_find(e, id), *free_b = NULL;

	if (b != NULL)
		return b;
	*why = BFT_DROPPED;
	if (len > BFT_PAYLOAD_MAX)
		return NULL;
	for (size_t i = 0; i < BFT_BLOCKS_MAX && free_b == NULL; i++)
		if (!e->blocks[i].used)
			free_b = &e->blocks[i];
	for (size_t i = 0; i < BFT_BLOCKS_MAX && free_b == NULL; i++)
		if (!block_referenced(e, &e->blocks[i])) {
			block_release(&e->blocks[i]);
			free_b = &e->blocks[i];
		}
	if (free_b == NULL)
		return NULL;
	free_b->payload = malloc(len > 0 ? len : 1);
	if (free_b->payload == NULL) {
		*why = BFT_NO_MEMORY;
		return NULL;
	}
	if (len > 0)
		memcpy(free_b->payload, payload, len);
	free_b->len = len;
	memcpy(free_b->id, id, HASH_SIZE);
	free_b->validity = VALIDITY_UNKNOWN;
	free_b->used = true;
	return free_b;
}

void bft_blocks_clear(struct bft *e)
{
	for (size_t i = 0; i < BFT_BLOCKS_MAX; i++)
		if (e->blocks[i].used)
			block_release(&e->blocks[i]);
}

void bft_request_validation(struct bft *e, const struct block *b)
{
	struct bft_action *a = bft_push(e, BFT_ACTION_VALIDATE_BLOCK);

	if (a == NULL)
		return;
	a->u.validate.height = e->height;
	memcpy(a->u.validate.block_id, b->id, HASH_SIZE);
	a->u.validate.payload = b->payload;
	a->u.validate.payload_len = b->len;
}

/* ------------------------------------------------------------ round slots */

/* Bytes of vote storage one slot needs for n validators: two vote sets and
 * the "seen" flags, each part rounded up to keep 8-byte alignment. */
size_t bft_slot_bytes(size_t n)
{
	size_t set = (vote_set_storage(n) + 7) & ~(size_t)7;

	return 2 * set + ((n * sizeof(bool) + 7) & ~(size_t)7);
}

static void slot_init(struct bft *e, size_t i, uint32_t round)
{
	struct round_slot *s = &e->slots[i];
	size_t n = e->validators.count;
	size_t set = (vote_set_storage(n) + 7) & ~(size_t)7;
	uint8_t *base = (uint8_t *)e->arena + i * bft_slot_bytes(e->arena_n);

	memset(s, 0, sizeof(*s));
	s->used = true;
	s->round = round;
	vote_set_reset(&s->prevotes, VOTE_TYPE_PREVOTE, e->height, round, &e->validators, base);
	vote_set_reset(&s->precommits, VOTE_TYPE_PRECOMMIT, e->height, round, &e->validators,
		       base + set);
	s->seen = (bool *)(base + 2 * set);
	memset(s->seen, 0, n * sizeof(bool));
}

struct round_slot *bft_slot_find(struct bft *e, uint32_t round)
{
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++)
		if (e->slots[i].used && e->slots[i].round == round)
			return &e->slots[i];
	return NULL;
}

/* The proof-of-lock round of the current round's proposal, or -1: its
 * prevotes decide our prevote (lines 28-33), so they must stay. */
int64_t bft_current_pol_round(const struct bft *e)
{
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++) {
		const struct round_slot *s = &e->slots[i];

		if (s->used && s->round == e->round && s->has_proposal)
			return s->proposal.pol_round;
	}
	return -1;
}

static bool slot_evictable(const struct bft *e, const struct round_slot *s)
{
	return s->round != e->round && (int64_t)s->round != e->locked_round &&
	       (int64_t)s->round != e->valid_round && (int64_t)s->round != bft_current_pol_round(e);
}

/* The slot of round, created when missing if there is room (see bft.h);
 * force: evict even a higher round (used for the current round). */
struct round_slot *bft_slot_get(struct bft *e, uint32_t round, bool force)
{
	struct round_slot *s = bft_slot_find(e, round);
	size_t victim = BFT_ROUND_SLOTS;

	if (s != NULL)
		return s;
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++)
		if (!e->slots[i].used) {
			slot_init(e, i, round);
			return &e->slots[i];
		}
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++)
		if (slot_evictable(e, &e->slots[i]) &&
		    (victim == BFT_ROUND_SLOTS || e->slots[i].round < e->slots[victim].round))
			victim = i;
	if (victim == BFT_ROUND_SLOTS || (!force && e->slots[victim].round > round))
		return NULL;
	slot_init(e, victim, round);
	return &e->slots[victim];
}

void bft_slot_mark_seen(struct bft *e, struct round_slot *s, size_t idx)
{
	if (s->seen[idx])
		return;
	s->seen[idx] = true;
	s->seen_power += e->validators.members[idx].power;
}

/* The proposal of slot s for block id, primary or alternate. */
const struct proposal_header *bft_slot_proposal_for(const struct round_slot *s,
						    const uint8_t id[HASH_SIZE])
{
	if (s->has_proposal && memcmp(s->proposal.block_id, id, HASH_SIZE) == 0)
		return &s->proposal;
	if (s->has_alt && memcmp(s->alt.block_id, id, HASH_SIZE) == 0)
		return &s->alt;
	return NULL;
}

/* ------------------------------------------------------------ gossip observers */

size_t bft_num_validators(const struct bft *e)
{
	return e->started ? e->validators.count : 0;
}

int bft_validator_index(const struct bft *e, const uint8_t key[PUBKEY_SIZE])
{
	return e->started ? validators_find(&e->validators, key) : -1;
}

static const struct round_slot *slot_of(const struct bft *e, uint32_t round)
{
	if (!e->started)
		return NULL;
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++)
		if (e->slots[i].used && e->slots[i].round == round)
			return &e->slots[i];
	return NULL;
}

bool bft_vote_get(const struct bft *e, uint32_t round, enum vote_type type, size_t idx,
		  struct vote *vote)
{
	const struct round_slot *s = slot_of(e, round);

	if (s == NULL || idx >= e->validators.count)
		return false;
	return vote_set_get(type == VOTE_TYPE_PREVOTE ? &s->prevotes : &s->precommits, idx, vote);
}

bool bft_proposal_get(const struct bft *e, uint32_t round, struct bft_proposal *p)
{
	const struct round_slot *s = slot_of(e, round);

	if (s == NULL || !s->has_proposal)
		return false;
	for (size_t i = 0; i < BFT_BLOCKS_MAX; i++) {
		const struct block *b = &e->blocks[i];

		if (b->used && memcmp(b->id, s->proposal.block_id, HASH_SIZE) == 0) {
			p->header = s->proposal;
			p->payload = b->payload;
			p->payload_len = b->len;
			return true;
		}
	}
	return false;
}
