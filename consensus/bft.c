/* bft.c: the Tendermint engine (see bft.h). The algorithm's "upon" rules are
 * re-evaluated after every event until none fires (evaluate()); each rule is
 * one function named after the paper's line it implements. Rounds of the
 * current height live in round slots (votes, the proposal, the per-round
 * "for the first time" flags); payloads live in a small block table with the
 * application's validity answer. */
#include "consensus/bft.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/bft_votes.h"
#include "consensus/proposer.h"

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

/* ------------------------------------------------------------ timeouts */

void bft_timeouts_production(struct bft_timeouts *t)
{
	t->propose_ms = 3000;
	t->propose_delta_ms = 500;
	t->prevote_ms = 1000;
	t->prevote_delta_ms = 500;
	t->precommit_ms = 1000;
	t->precommit_delta_ms = 500;
	t->commit_ms = 1000;
	t->skip_timeout_commit = false;
}

void bft_timeouts_dev(struct bft_timeouts *t)
{
	t->propose_ms = 300;
	t->propose_delta_ms = 50;
	t->prevote_ms = 100;
	t->prevote_delta_ms = 50;
	t->precommit_ms = 100;
	t->precommit_delta_ms = 50;
	t->commit_ms = 100;
	t->skip_timeout_commit = true;
}

void bft_timeouts_test(struct bft_timeouts *t)
{
	t->propose_ms = 40;
	t->propose_delta_ms = 10;
	t->prevote_ms = 20;
	t->prevote_delta_ms = 10;
	t->precommit_ms = 20;
	t->precommit_delta_ms = 10;
	t->commit_ms = 10;
	t->skip_timeout_commit = true;
}

static uint64_t grow(uint64_t init, uint64_t delta, uint32_t round)
{
	uint64_t r;

	if (__builtin_mul_overflow(delta, (uint64_t)round, &r) ||
	    __builtin_add_overflow(r, init, &r))
		return UINT64_MAX;
	return r;
}

uint64_t bft_timeout_ms(const struct bft_timeouts *t, enum bft_step step, uint32_t round)
{
	switch (step) {
	case BFT_STEP_PROPOSE:
		return grow(t->propose_ms, t->propose_delta_ms, round);
	case BFT_STEP_PREVOTE:
		return grow(t->prevote_ms, t->prevote_delta_ms, round);
	case BFT_STEP_PRECOMMIT:
		return grow(t->precommit_ms, t->precommit_delta_ms, round);
	case BFT_STEP_COMMIT:
		return t->commit_ms;
	}
	return UINT64_MAX;
}

/* ------------------------------------------------------------ helpers */

static bool verify_sig(const struct bft *e, const uint8_t sig[SIG_SIZE],
		       const uint8_t digest[HASH_SIZE], const uint8_t key[PUBKEY_SIZE])
{
	return sig_verifier_check(&e->config.verifier, sig, digest, key);
}

static struct bft_action *push(struct bft *e, enum bft_action_type type)
{
	struct bft_action *a;

	if (e->out->count == BFT_ACTIONS_MAX) {
		e->out_overflow = true;
		return NULL;
	}
	a = &e->out->items[e->out->count++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	return a;
}

static void schedule(struct bft *e, enum bft_step step, uint32_t round)
{
	struct bft_action *a = push(e, BFT_ACTION_SCHEDULE_TIMEOUT);

	if (a == NULL)
		return;
	a->u.timeout.height = e->height;
	a->u.timeout.round = round;
	a->u.timeout.step = step;
	a->u.timeout.delay_ms = bft_timeout_ms(&e->config.timeouts, step, round);
}

static size_t proposer_of(struct bft *e, uint32_t round)
{
	return proposer_select(&e->validators, round, &e->scratch);
}

/* ------------------------------------------------------------ blocks */

static struct block *block_find(struct bft *e, const uint8_t id[HASH_SIZE])
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
static struct block *block_store(struct bft *e, const uint8_t id[HASH_SIZE], const uint8_t *payload,
				 size_t len, enum bft_status *why)
{
	struct block *b = block_find(e, id), *free_b = NULL;

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

static void blocks_clear(struct bft *e)
{
	for (size_t i = 0; i < BFT_BLOCKS_MAX; i++)
		if (e->blocks[i].used)
			block_release(&e->blocks[i]);
}

static void request_validation(struct bft *e, const struct block *b)
{
	struct bft_action *a = push(e, BFT_ACTION_VALIDATE_BLOCK);

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
static size_t slot_bytes(size_t n)
{
	size_t set = (vote_set_storage(n) + 7) & ~(size_t)7;

	return 2 * set + ((n * sizeof(bool) + 7) & ~(size_t)7);
}

static void slot_init(struct bft *e, size_t i, uint32_t round)
{
	struct round_slot *s = &e->slots[i];
	size_t n = e->validators.count;
	size_t set = (vote_set_storage(n) + 7) & ~(size_t)7;
	uint8_t *base = (uint8_t *)e->arena + i * slot_bytes(e->arena_n);

	memset(s, 0, sizeof(*s));
	s->used = true;
	s->round = round;
	vote_set_reset(&s->prevotes, VOTE_TYPE_PREVOTE, e->height, round, &e->validators, base);
	vote_set_reset(&s->precommits, VOTE_TYPE_PRECOMMIT, e->height, round, &e->validators,
		       base + set);
	s->seen = (bool *)(base + 2 * set);
	memset(s->seen, 0, n * sizeof(bool));
}

static struct round_slot *slot_find(struct bft *e, uint32_t round)
{
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++)
		if (e->slots[i].used && e->slots[i].round == round)
			return &e->slots[i];
	return NULL;
}

/* The proof-of-lock round of the current round's proposal, or -1: its
 * prevotes decide our prevote (lines 28-33), so they must stay. */
static int64_t current_pol_round(const struct bft *e)
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
	       (int64_t)s->round != e->valid_round && (int64_t)s->round != current_pol_round(e);
}

/* The slot of round, created when missing if there is room (see bft.h);
 * force: evict even a higher round (used for the current round). */
static struct round_slot *slot_get(struct bft *e, uint32_t round, bool force)
{
	struct round_slot *s = slot_find(e, round);
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

static void slot_mark_seen(struct bft *e, struct round_slot *s, size_t idx)
{
	if (s->seen[idx])
		return;
	s->seen[idx] = true;
	s->seen_power += e->validators.members[idx].power;
}

/* The proposal of slot s for block id, primary or alternate. */
static const struct proposal_header *slot_proposal_for(const struct round_slot *s,
						       const uint8_t id[HASH_SIZE])
{
	if (s->has_proposal && memcmp(s->proposal.block_id, id, HASH_SIZE) == 0)
		return &s->proposal;
	if (s->has_alt && memcmp(s->alt.block_id, id, HASH_SIZE) == 0)
		return &s->alt;
	return NULL;
}

/* ------------------------------------------------------------ signing */

/* Adds our own signed vote to our vote set (as gossip would). */
static void count_own_vote(struct bft *e, const struct vote *v)
{
	struct round_slot *s = slot_get(e, v->round, true);

	if (s == NULL || e->self < 0)
		return;
	(void)vote_set_add(v->type == VOTE_TYPE_PREVOTE ? &s->prevotes : &s->precommits,
			   (size_t)e->self, v);
	slot_mark_seen(e, s, (size_t)e->self);
}

/* Signs and broadcasts our vote for the current round; a refusal of the
 * double-sign guard (after a restart) means we stay silent this step. */
static void cast_vote(struct bft *e, enum vote_type type, bool has_block,
		      const uint8_t id[HASH_SIZE])
{
	struct vote v;
	struct bft_action *a;
	enum privval_status st;

	if (e->pv == NULL || e->self < 0)
		return;
	memset(&v, 0, sizeof(v));
	v.type = type;
	v.height = e->height;
	v.round = e->round;
	v.has_block = has_block;
	if (has_block)
		memcpy(v.block_id, id, HASH_SIZE);
	st = privval_sign_vote(e->pv, e->config.chain_id, &v);
	if (st != PRIVVAL_OK && st != PRIVVAL_RESIGNED)
		return;
	count_own_vote(e, &v);
	a = push(e, BFT_ACTION_BROADCAST_VOTE);
	if (a != NULL)
		a->u.vote = v;
}

/* Signs and broadcasts our proposal of block b for the current round. */
static void cast_proposal(struct bft *e, const struct block *b, int64_t pol_round)
{
	struct round_slot *s = slot_get(e, e->round, true);
	struct proposal_header p;
	struct bft_action *a;
	enum privval_status st;

	if (s == NULL || e->pv == NULL || s->has_proposal)
		return;
	memset(&p, 0, sizeof(p));
	p.height = e->height;
	p.round = e->round;
	p.pol_round = (int32_t)pol_round;
	memcpy(p.block_id, b->id, HASH_SIZE);
	st = privval_sign_proposal(e->pv, e->config.chain_id, &p);
	if (st != PRIVVAL_OK && st != PRIVVAL_RESIGNED)
		return;
	s->has_proposal = true;
	s->proposal = p;
	slot_mark_seen(e, s, (size_t)e->self);
	a = push(e, BFT_ACTION_BROADCAST_PROPOSAL);
	if (a == NULL)
		return;
	a->u.proposal.header = p;
	a->u.proposal.payload = b->payload;
	a->u.proposal.payload_len = b->len;
}

/* ------------------------------------------------------------ rounds and heights */

/* StartRound(round) of the paper. */
static void start_round(struct bft *e, uint32_t round)
{
	e->round = round;
	e->step = BFT_STEP_PROPOSE;
	e->block_requested = false;
	(void)slot_get(e, round, true);
	e->proposer = proposer_of(e, round);
	if (e->self >= 0 && (size_t)e->self == e->proposer) {
		/* pol_round travels as an int32 (proto sint32) */
		struct block *vb = e->valid_round >= 0 && e->valid_round <= INT32_MAX
					   ? block_find(e, e->valid_id)
					   : NULL;

		if (vb != NULL) {
			cast_proposal(e, vb, e->valid_round);
		} else {
			struct bft_action *a = push(e, BFT_ACTION_REQUEST_BLOCK);

			e->block_requested = true;
			if (a != NULL) {
				a->u.request.height = e->height;
				a->u.request.round = round;
			}
		}
	}
	/* CometBFT arms the propose timeout on the proposer too, in case the
	 * application never answers the block request. */
	schedule(e, BFT_STEP_PROPOSE, round);
}

/* After a restart in the middle of a height: send our last vote again (it
 * may never have left the machine, and the others may need it to reach a
 * quorum) and resume at the step after it, as CometBFT does by replaying
 * its WAL. The guard would refuse any other vote at that step anyway. */
static void resume_last_vote(struct bft *e)
{
	struct vote v;
	struct bft_action *a;

	if (e->pv == NULL || e->self < 0 || !privval_last_vote(e->pv, e->height, &v) ||
	    v.round != e->round)
		return;
	count_own_vote(e, &v);
	switch (v.type) {
	case VOTE_TYPE_PREVOTE:
		if (e->step == BFT_STEP_PROPOSE)
			e->step = BFT_STEP_PREVOTE;
		break;
	case VOTE_TYPE_PRECOMMIT:
		e->step = BFT_STEP_PRECOMMIT;
		break;
	}
	a = push(e, BFT_ACTION_BROADCAST_VOTE);
	if (a != NULL)
		a->u.vote = v;
}

static int arena_prepare(struct bft *e, size_t n)
{
	void *p;

	if (n <= e->arena_n && e->arena != NULL)
		return 0;
	p = calloc(BFT_ROUND_SLOTS, slot_bytes(n));
	if (p == NULL)
		return -1;
	free(e->arena);
	e->arena = p;
	e->arena_n = n;
	return 0;
}

static enum bft_status start_height(struct bft *e, uint64_t height, const struct validator_set *set)
{
	int64_t lock_round;
	uint32_t round = 0;

	if (set->count == 0 || set->count > VALIDATORS_MAX)
		return BFT_ERROR;
	if (arena_prepare(e, set->count) != 0)
		return BFT_NO_MEMORY;
	blocks_clear(e);
	memset(e->slots, 0, sizeof(e->slots));
	e->validators.count = set->count;
	e->validators.total_power = set->total_power;
	memcpy(e->validators.members, set->members, set->count * sizeof(set->members[0]));
	e->height = height;
	e->self = e->pv != NULL ? validators_find(&e->validators, privval_pubkey(e->pv)) : -1;
	e->started = true;
	e->commit_wait_done = false;
	e->next_pending = false;
	e->locked_round = -1;
	e->valid_round = -1;
	/* After a restart: keep the lock the guard recorded for this height and
	 * resume at the last round we signed in. */
	if (e->pv != NULL && privval_lock(e->pv, height, &lock_round, e->locked_id)) {
		/* validRound >= lockedRound always holds in the algorithm; as
		 * proposer we re-propose the locked block once gossip (or the
		 * node's WAL) brings its payload back */
		e->locked_round = lock_round;
		e->valid_round = lock_round;
		memcpy(e->valid_id, e->locked_id, HASH_SIZE);
	}
	if (e->pv != NULL && e->pv->last.step != PRIVVAL_STEP_NONE && e->pv->last.height == height)
		round = e->pv->last.round;
	start_round(e, round);
	resume_last_vote(e);
	return BFT_OK;
}

/* Both conditions to leave a decided height: the commit wait is over and the
 * application has started the next height. */
static enum bft_status maybe_next_height(struct bft *e)
{
	if (e->step != BFT_STEP_COMMIT || !e->commit_wait_done || !e->next_pending)
		return BFT_OK;
	return start_height(e, e->next_height, &e->next_set);
}

/* Decision: build the certificate, keep a copy of the block, emit COMMIT. */
static void decide(struct bft *e, struct round_slot *s, const struct proposal_header *p,
		   const struct block *b)
{
	struct bft_action *a;
	uint8_t *copy = malloc(b->len > 0 ? b->len : 1);

	if (copy == NULL) {
		/* retried at the next event: the rule stays enabled */
		e->out_overflow = true;
		return;
	}
	if (b->len > 0)
		memcpy(copy, b->payload, b->len);
	free(e->decided_payload);
	e->decided_payload = copy;
	e->decided_len = b->len;
	e->decided = *p;
	e->decided_round = s->round;
	memset(&e->commit, 0, sizeof(e->commit));
	e->commit.height = e->height;
	e->commit.round = s->round;
	memcpy(e->commit.block_id, p->block_id, HASH_SIZE);
	for (size_t i = 0; i < e->validators.count; i++) {
		struct commit_sig *cs = &e->commit.sigs[e->commit.count];

		if (!vote_set_find(&s->precommits, i, true, p->block_id, cs->sig))
			continue;
		memcpy(cs->validator, e->validators.members[i].key, PUBKEY_SIZE);
		e->commit.count++;
	}
	e->step = BFT_STEP_COMMIT;
	a = push(e, BFT_ACTION_COMMIT);
	if (a != NULL) {
		a->u.commit.proposal = &e->decided;
		a->u.commit.payload = e->decided_payload;
		a->u.commit.payload_len = e->decided_len;
		a->u.commit.commit = &e->commit;
	}
	if (e->config.timeouts.skip_timeout_commit && vote_set_has_all(&s->precommits))
		e->commit_wait_done = true;
	else
		schedule(e, BFT_STEP_COMMIT, s->round);
}

/* ------------------------------------------------------------ upon rules */

static bool block_valid(struct bft *e, const uint8_t id[HASH_SIZE], bool *known)
{
	const struct block *b = block_find(e, id);

	*known = b != NULL && b->validity != VALIDITY_UNKNOWN;
	return b != NULL && b->validity == VALIDITY_VALID;
}

/* upon <PROPOSAL, h, r, v, *> AND 2f+1 <PRECOMMIT, h, r, id(v)> while
 * decision = nil: decide v (any round r). */
static bool rule_decide(struct bft *e)
{
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++) {
		struct round_slot *s = &e->slots[i];
		const struct proposal_header *p;
		uint8_t id[HASH_SIZE];
		bool has_block, known;

		if (!s->used || !vote_set_quorum(&s->precommits, &has_block, id) || !has_block)
			continue;
		p = slot_proposal_for(s, id);
		if (p == NULL || !block_valid(e, id, &known))
			continue;
		decide(e, s, p, block_find(e, id));
		return e->step == BFT_STEP_COMMIT;
	}
	return false;
}

/* upon f+1 <*, h, round', *, *> with round' > round: StartRound(round'). */
static bool rule_skip_round(struct bft *e)
{
	bool found = false;
	uint32_t best = 0;

	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++) {
		const struct round_slot *s = &e->slots[i];

		if (s->used && s->round > e->round &&
		    validators_has_one_third(s->seen_power, e->validators.total_power) &&
		    (!found || s->round > best)) {
			found = true;
			best = s->round;
		}
	}
	if (found)
		start_round(e, best);
	return found;
}

/* The lock test of lines 22-23 and 28-29; a deliberately broken engine
 * (tests only) ignores it. */
static bool lock_allows(const struct bft *e, const uint8_t id[HASH_SIZE], int64_t pol_round)
{
#ifdef BFT_BROKEN_IGNORE_LOCK
	(void)e;
	(void)id;
	(void)pol_round;
	return true;
#else
	return e->locked_round == -1 || e->locked_round <= pol_round ||
	       memcmp(e->locked_id, id, HASH_SIZE) == 0;
#endif
}

/* Lines 22-33: upon the round's proposal while step = propose, with
 * vr = -1, or with vr >= 0 and 2f+1 <PREVOTE, h, vr, id(v)>: prevote id(v)
 * when v is valid and the lock allows it, else nil. Waits for the
 * application's validity answer. */
static bool rule_prevote_proposal(struct bft *e, struct round_slot *cur)
{
	const struct proposal_header *p = &cur->proposal;
	bool known, valid;

	if (e->step != BFT_STEP_PROPOSE || !cur->has_proposal)
		return false;
	if (p->pol_round >= 0) {
		const struct round_slot *pol = slot_find(e, (uint32_t)p->pol_round);

		if (pol == NULL ||
		    !validators_has_quorum(vote_set_power_for(&pol->prevotes, true, p->block_id),
					   e->validators.total_power))
			return false;
	}
	valid = block_valid(e, p->block_id, &known);
	if (!known)
		return false;
	e->step = BFT_STEP_PREVOTE;
	if (valid && lock_allows(e, p->block_id, p->pol_round))
		cast_vote(e, VOTE_TYPE_PREVOTE, true, p->block_id);
	else
		cast_vote(e, VOTE_TYPE_PREVOTE, false, NULL);
	return true;
}

/* Lines 34-35: upon 2f+1 <PREVOTE, h, round, *> while step = prevote for
 * the first time: schedule OnTimeoutPrevote. */
static bool rule_prevote_timeout(struct bft *e, struct round_slot *cur)
{
	if (e->step != BFT_STEP_PREVOTE || cur->prevote_timeout_done ||
	    !vote_set_has_quorum_any(&cur->prevotes))
		return false;
	cur->prevote_timeout_done = true;
	schedule(e, BFT_STEP_PREVOTE, e->round);
	return true;
}

/* Lines 36-43: upon the proposal v and 2f+1 <PREVOTE, h, round, id(v)>
 * while valid(v) and step >= prevote for the first time: lock and precommit
 * (when in prevote), and remember v as the valid value. */
static bool rule_polka(struct bft *e, struct round_slot *cur)
{
	uint8_t id[HASH_SIZE];
	bool has_block, known;

	if (cur->polka_done || (e->step != BFT_STEP_PREVOTE && e->step != BFT_STEP_PRECOMMIT))
		return false;
	if (!vote_set_quorum(&cur->prevotes, &has_block, id) || !has_block)
		return false;
	if (slot_proposal_for(cur, id) == NULL || !block_valid(e, id, &known))
		return false;
	cur->polka_done = true;
	if (e->step == BFT_STEP_PREVOTE) {
		e->locked_round = e->round;
		memcpy(e->locked_id, id, HASH_SIZE);
		e->step = BFT_STEP_PRECOMMIT;
		cast_vote(e, VOTE_TYPE_PRECOMMIT, true, id);
	}
	e->valid_round = e->round;
	memcpy(e->valid_id, id, HASH_SIZE);
	return true;
}

/* Lines 44-46: upon 2f+1 <PREVOTE, h, round, nil> while step = prevote:
 * precommit nil. */
static bool rule_polka_nil(struct bft *e, struct round_slot *cur)
{
	if (e->step != BFT_STEP_PREVOTE ||
	    !validators_has_quorum(vote_set_power_for(&cur->prevotes, false, NULL),
				   e->validators.total_power))
		return false;
	e->step = BFT_STEP_PRECOMMIT;
	cast_vote(e, VOTE_TYPE_PRECOMMIT, false, NULL);
	return true;
}

/* Lines 47-48: upon 2f+1 <PRECOMMIT, h, round, *> for the first time:
 * schedule OnTimeoutPrecommit. */
static bool rule_precommit_timeout(struct bft *e, struct round_slot *cur)
{
	if (cur->precommit_timeout_done || !vote_set_has_quorum_any(&cur->precommits))
		return false;
	cur->precommit_timeout_done = true;
	schedule(e, BFT_STEP_PRECOMMIT, e->round);
	return true;
}

/* After a decision: skip timeout_commit once every precommit is in. */
static bool rule_all_precommits(struct bft *e)
{
	struct round_slot *s = slot_find(e, e->decided_round);

	if (e->commit_wait_done || !e->config.timeouts.skip_timeout_commit || s == NULL ||
	    !vote_set_has_all(&s->precommits))
		return false;
	e->commit_wait_done = true;
	return true;
}

/* Applies rules until none fires. */
static enum bft_status evaluate(struct bft *e)
{
	for (unsigned guard = 0; guard < 1000 && !e->out_overflow; guard++) {
		struct round_slot *cur;

		if (e->step == BFT_STEP_COMMIT) {
			if (rule_all_precommits(e))
				return maybe_next_height(e);
			return BFT_OK;
		}
		if (rule_decide(e) || rule_skip_round(e))
			continue;
		cur = slot_get(e, e->round, true);
		if (cur == NULL)
			return BFT_ERROR;
		if (rule_prevote_proposal(e, cur) || rule_prevote_timeout(e, cur) ||
		    rule_polka(e, cur) || rule_polka_nil(e, cur) || rule_precommit_timeout(e, cur))
			continue;
		return BFT_OK;
	}
	return BFT_ERROR;
}

/* ------------------------------------------------------------ events */

static enum bft_status on_proposal(struct bft *e, const struct bft_proposal *bp)
{
	const struct proposal_header *p = &bp->header;
	uint8_t digest[HASH_SIZE];
	struct round_slot *s;
	struct block *b;
	enum bft_status why = BFT_DROPPED;
	size_t proposer;
	bool alt = false;

	if (!e->started || p->height != e->height || e->step == BFT_STEP_COMMIT)
		return BFT_STALE;
	if (p->pol_round < -1 || (p->pol_round >= 0 && (uint32_t)p->pol_round >= p->round))
		return BFT_INVALID;
	/* Finding a round's proposer costs O(round x validators): proposals far
	 * ahead wait until votes bring us near their round (round skip). */
	if (p->round > e->round && p->round - e->round > BFT_ROUND_SLOTS)
		return BFT_DROPPED;
	proposer = p->round == e->round ? e->proposer : proposer_of(e, p->round);
	if (memcmp(e->validators.members[proposer].key, p->proposer, PUBKEY_SIZE) != 0)
		return BFT_INVALID;
	s = slot_find(e, p->round);
	if (s != NULL && s->has_proposal) {
		const struct proposal_header *known = slot_proposal_for(s, p->block_id);

		/* the same block and proof-of-lock round (the signature may
		 * differ: BIP340 signing may be randomised) */
		if (known != NULL && known->pol_round == p->pol_round)
			return BFT_DUPLICATE;
		if (known != NULL || s->has_alt)
			return BFT_UNJUSTIFIED;
		/* The proposer equivocated. Keep this one only if a quorum of
		 * the round's votes is for it: it may be the decided block. */
		if (!validators_has_quorum(vote_set_power_for(&s->prevotes, true, p->block_id),
					   e->validators.total_power) &&
		    !validators_has_quorum(vote_set_power_for(&s->precommits, true, p->block_id),
					   e->validators.total_power))
			return BFT_UNJUSTIFIED;
		alt = true;
	}
	proposal_digest(e->config.chain_id, p, digest);
	if (!verify_sig(e, p->sig, digest, p->proposer))
		return BFT_INVALID;
	if (s == NULL)
		s = slot_get(e, p->round, false);
	if (s == NULL)
		return BFT_DROPPED;
	b = block_store(e, p->block_id, bp->payload, bp->payload_len, &why);
	if (b == NULL)
		return why;
	if (alt) {
		s->has_alt = true;
		s->alt = *p;
	} else {
		s->has_proposal = true;
		s->proposal = *p;
	}
	slot_mark_seen(e, s, proposer);
	if (b->validity == VALIDITY_UNKNOWN)
		request_validation(e, b);
	return evaluate(e);
}

static enum bft_status on_vote(struct bft *e, const struct vote *v)
{
	uint8_t digest[HASH_SIZE];
	struct round_slot *s;
	struct vote_set *vs;
	int idx;

	if (!e->started || v->height != e->height)
		return BFT_STALE;
	if ((v->type != VOTE_TYPE_PREVOTE && v->type != VOTE_TYPE_PRECOMMIT) ||
	    (!v->has_block && memcmp(v->block_id, (uint8_t[HASH_SIZE]){ 0 }, HASH_SIZE) != 0))
		return BFT_INVALID;
	idx = validators_find(&e->validators, v->validator);
	if (idx < 0)
		return BFT_INVALID;
	s = slot_find(e, v->round);
	if (s == NULL) {
		/* after the decision only the decided round's precommits matter */
		if (e->step == BFT_STEP_COMMIT)
			return BFT_STALE;
		/* the votes of the current proposal's proof-of-lock round are
		 * worth evicting a higher round for */
		s = slot_get(e, v->round, (int64_t)v->round == current_pol_round(e));
		if (s == NULL)
			return BFT_DROPPED;
	}
	vs = v->type == VOTE_TYPE_PREVOTE ? &s->prevotes : &s->precommits;
	if (vote_set_is_duplicate(vs, (size_t)idx, v))
		return BFT_DUPLICATE;
	vote_digest(e->config.chain_id, v, digest);
	if (!verify_sig(e, v->sig, digest, v->validator))
		return BFT_INVALID;
	switch (vote_set_add(vs, (size_t)idx, v)) {
	case VOTE_SET_ADDED:
		break;
	case VOTE_SET_DUPLICATE:
		return BFT_DUPLICATE;
	case VOTE_SET_CONFLICT: {
		struct vote first;
		struct duplicate_vote ev;
		struct bft_action *a;

		if (vs->entries[idx].conflict_reported)
			return BFT_CONFLICT;
		vs->entries[idx].conflict_reported = true;
		/* both hold: the first vote exists and conflicts (vote_set_add) */
		if (vote_set_get(vs, (size_t)idx, &first) &&
		    evidence_from_votes(&first, v, &ev) == 0) {
			a = push(e, BFT_ACTION_EVIDENCE);
			if (a != NULL)
				a->u.evidence = ev;
		}
		slot_mark_seen(e, s, (size_t)idx);
		return evaluate(e) == BFT_OK ? BFT_CONFLICT : BFT_ERROR;
	}
	}
	slot_mark_seen(e, s, (size_t)idx);
	return evaluate(e);
}

static enum bft_status on_timeout(struct bft *e, const struct bft_timeout *t)
{
	if (!e->started || t->height != e->height)
		return BFT_STALE;
	switch (t->step) {
	case BFT_STEP_PROPOSE:
		/* OnTimeoutPropose: prevote nil */
		if (t->round != e->round || e->step != BFT_STEP_PROPOSE)
			return BFT_STALE;
		e->step = BFT_STEP_PREVOTE;
		cast_vote(e, VOTE_TYPE_PREVOTE, false, NULL);
		break;
	case BFT_STEP_PREVOTE:
		/* OnTimeoutPrevote: precommit nil */
		if (t->round != e->round || e->step != BFT_STEP_PREVOTE)
			return BFT_STALE;
		e->step = BFT_STEP_PRECOMMIT;
		cast_vote(e, VOTE_TYPE_PRECOMMIT, false, NULL);
		break;
	case BFT_STEP_PRECOMMIT:
		/* OnTimeoutPrecommit: next round */
		if (t->round != e->round || e->step == BFT_STEP_COMMIT || e->round == UINT32_MAX)
			return BFT_STALE;
		start_round(e, e->round + 1);
		break;
	case BFT_STEP_COMMIT:
		if (e->step != BFT_STEP_COMMIT)
			return BFT_STALE;
		e->commit_wait_done = true;
		return maybe_next_height(e);
	}
	return evaluate(e);
}

static enum bft_status on_block(struct bft *e, const struct bft_event *ev)
{
	struct block *b;
	enum bft_status why = BFT_DROPPED;

	if (!e->started || ev->u.block.height != e->height || ev->u.block.round != e->round ||
	    e->step != BFT_STEP_PROPOSE || !e->block_requested)
		return BFT_STALE;
	e->block_requested = false;
	b = block_store(e, ev->u.block.block_id, ev->u.block.payload, ev->u.block.payload_len,
			&why);
	if (b == NULL)
		return why;
	b->validity = VALIDITY_VALID; /* the application built it */
	cast_proposal(e, b, -1);
	return evaluate(e);
}

static enum bft_status on_validity(struct bft *e, const struct bft_event *ev)
{
	struct block *b;

	if (!e->started || ev->u.validity.height != e->height)
		return BFT_STALE;
	b = block_find(e, ev->u.validity.block_id);
	if (b == NULL)
		return BFT_STALE;
	if (b->validity != VALIDITY_UNKNOWN)
		return BFT_DUPLICATE;
	b->validity = ev->u.validity.valid ? VALIDITY_VALID : VALIDITY_INVALID;
	if (e->step == BFT_STEP_COMMIT)
		return BFT_OK;
	return evaluate(e);
}

static enum bft_status on_start_height(struct bft *e, const struct bft_event *ev)
{
	const struct validator_set *set = ev->u.start.validators;

	if (set == NULL || set->count == 0 || set->count > VALIDATORS_MAX)
		return BFT_ERROR;
	if (!e->started)
		return start_height(e, ev->u.start.height, set);
	if (ev->u.start.height <= e->height)
		return BFT_ERROR;
	/* A later height while undecided, or more than one ahead: the node got
	 * the blocks in between from block sync (each checked against its
	 * certificate); leave this height at once. */
	if (e->step != BFT_STEP_COMMIT || ev->u.start.height != e->height + 1)
		return start_height(e, ev->u.start.height, set);
	if (e->next_pending)
		return BFT_ERROR;
	e->next_pending = true;
	e->next_height = ev->u.start.height;
	e->next_set.count = set->count;
	e->next_set.total_power = set->total_power;
	memcpy(e->next_set.members, set->members, set->count * sizeof(set->members[0]));
	return maybe_next_height(e);
}

enum bft_status bft_handle(struct bft *e, const struct bft_event *ev, struct bft_actions *out)
{
	enum bft_status st = BFT_ERROR;

	out->count = 0;
	e->out = out;
	e->out_overflow = false;
	switch (ev->type) {
	case BFT_EVENT_START_HEIGHT:
		st = on_start_height(e, ev);
		break;
	case BFT_EVENT_PROPOSAL:
		st = on_proposal(e, &ev->u.proposal);
		break;
	case BFT_EVENT_VOTE:
		st = on_vote(e, &ev->u.vote);
		break;
	case BFT_EVENT_TIMEOUT:
		st = on_timeout(e, &ev->u.timeout);
		break;
	case BFT_EVENT_BLOCK:
		st = on_block(e, ev);
		break;
	case BFT_EVENT_VALIDITY:
		st = on_validity(e, ev);
		break;
	}
	e->out = NULL;
	if (e->out_overflow)
		return BFT_ERROR;
	return st;
}

/* ------------------------------------------------------------ life cycle */

struct bft *bft_new(const struct bft_config *config, struct privval *pv)
{
	struct bft *e;

	if (!chain_id_valid(config->chain_id))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->config = *config;
	e->pv = pv;
	e->self = -1;
	e->locked_round = -1;
	e->valid_round = -1;
	return e;
}

void bft_free(struct bft *e)
{
	if (e == NULL)
		return;
	blocks_clear(e);
	free(e->arena);
	free(e->decided_payload);
	free(e);
}

uint64_t bft_height(const struct bft *e)
{
	return e->height;
}

uint32_t bft_round(const struct bft *e)
{
	return e->round;
}

enum bft_step bft_step(const struct bft *e)
{
	return e->step;
}

int64_t bft_locked_round(const struct bft *e)
{
	return e->locked_round;
}

int64_t bft_pol_wanted(const struct bft *e)
{
	int64_t vr = current_pol_round(e);
	const struct round_slot *cur = NULL, *pol = NULL;

	if (!e->started || e->step != BFT_STEP_PROPOSE || vr < 0)
		return -1;
	for (size_t i = 0; i < BFT_ROUND_SLOTS; i++) {
		if (!e->slots[i].used)
			continue;
		if (e->slots[i].round == e->round)
			cur = &e->slots[i];
		if ((int64_t)e->slots[i].round == vr)
			pol = &e->slots[i];
	}
	if (cur != NULL && pol != NULL &&
	    validators_has_quorum(vote_set_power_for(&pol->prevotes, true, cur->proposal.block_id),
				  e->validators.total_power))
		return -1;
	return vr;
}

size_t bft_proposer(struct bft *e, uint32_t round)
{
	return proposer_of(e, round);
}

const char *bft_strstatus(enum bft_status status)
{
	switch (status) {
	case BFT_OK:
		return "ok";
	case BFT_DUPLICATE:
		return "duplicate";
	case BFT_CONFLICT:
		return "conflicting vote (evidence)";
	case BFT_STALE:
		return "stale";
	case BFT_INVALID:
		return "invalid";
	case BFT_UNJUSTIFIED:
		return "second proposal without a quorum for it";
	case BFT_DROPPED:
		return "dropped (no room)";
	case BFT_NO_MEMORY:
		return "out of memory";
	case BFT_ERROR:
		return "engine error";
	}
	return "unknown status";
}

const char *bft_strstep(enum bft_step step)
{
	switch (step) {
	case BFT_STEP_PROPOSE:
		return "propose";
	case BFT_STEP_PREVOTE:
		return "prevote";
	case BFT_STEP_PRECOMMIT:
		return "precommit";
	case BFT_STEP_COMMIT:
		return "commit";
	}
	return "unknown";
}
