/* bft.c: the Tendermint engine (see bft.h): the actions it emits, signing
 * through the double-sign guard, rounds and heights, the handling of each
 * event and the engine's life cycle. The algorithm's "upon" rules are
 * re-evaluated after every event until none fires (bft_rules.c); rounds of
 * the current height live in round slots and payloads in a small block table
 * with the application's validity answer (bft_slots.c). */
#include "consensus/bft.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/bft_internal.h"
#include "consensus/bft_votes.h"
#include "consensus/evidence_proposal.h"
#include "consensus/proposer.h"

/* ------------------------------------------------------------ helpers */

static bool verify_sig(const struct bft *e, const uint8_t sig[SIG_SIZE],
		       const uint8_t digest[HASH_SIZE], const uint8_t key[PUBKEY_SIZE])
{
	return sig_verifier_check(&e->config.verifier, sig, digest, key);
}

struct bft_action *bft_push(struct bft *e, enum bft_action_type type)
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

void bft_schedule(struct bft *e, enum bft_step step, uint32_t round)
{
	struct bft_action *a = bft_push(e, BFT_ACTION_SCHEDULE_TIMEOUT);

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

/* ------------------------------------------------------------ signing */

/* Adds our own signed vote to our vote set (as gossip would). */
static void count_own_vote(struct bft *e, const struct vote *v)
{
	struct round_slot *s = bft_slot_get(e, v->round, true);

	if (s == NULL || e->self < 0)
		return;
	(void)vote_set_add(v->type == VOTE_TYPE_PREVOTE ? &s->prevotes : &s->precommits,
			   (size_t)e->self, v);
	bft_slot_mark_seen(e, s, (size_t)e->self);
}

/* Signs and broadcasts our vote for the current round; a refusal of the
 * double-sign guard (after a restart) means we stay silent this step. */
void bft_cast_vote(struct bft *e, enum vote_type type, bool has_block, const uint8_t id[HASH_SIZE])
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
	a = bft_push(e, BFT_ACTION_BROADCAST_VOTE);
	if (a != NULL)
		a->u.vote = v;
}

/* Signs and broadcasts our proposal of block b for the current round. */
static void cast_proposal(struct bft *e, const struct block *b, int64_t pol_round)
{
	struct round_slot *s = bft_slot_get(e, e->round, true);
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
	bft_slot_mark_seen(e, s, (size_t)e->self);
	a = bft_push(e, BFT_ACTION_BROADCAST_PROPOSAL);
	if (a == NULL)
		return;
	a->u.proposal.header = p;
	a->u.proposal.payload = b->payload;
	a->u.proposal.payload_len = b->len;
}

/* ------------------------------------------------------------ rounds and heights */

/* StartRound(round) of the paper. */
void bft_start_round(struct bft *e, uint32_t round)
{
	e->round = round;
	e->step = BFT_STEP_PROPOSE;
	e->block_requested = false;
	(void)bft_slot_get(e, round, true);
	e->proposer = proposer_of(e, round);
	if (e->self >= 0 && (size_t)e->self == e->proposer) {
		/* pol_round travels as an int32 (proto sint32) */
		struct block *vb = e->valid_round >= 0 && e->valid_round <= INT32_MAX
					   ? bft_block_find(e, e->valid_id)
					   : NULL;

		if (vb != NULL) {
			cast_proposal(e, vb, e->valid_round);
		} else {
			struct bft_action *a = bft_push(e, BFT_ACTION_REQUEST_BLOCK);

			e->block_requested = true;
			if (a != NULL) {
				a->u.request.height = e->height;
				a->u.request.round = round;
			}
		}
	}
	/* CometBFT arms the propose timeout on the proposer too, in case the
	 * application never answers the block request. */
	bft_schedule(e, BFT_STEP_PROPOSE, round);
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
	a = bft_push(e, BFT_ACTION_BROADCAST_VOTE);
	if (a != NULL)
		a->u.vote = v;
}

static int arena_prepare(struct bft *e, size_t n)
{
	void *p;

	if (n <= e->arena_n && e->arena != NULL)
		return 0;
	p = calloc(BFT_ROUND_SLOTS, bft_slot_bytes(n));
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
	bft_blocks_clear(e);
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
	bft_start_round(e, round);
	resume_last_vote(e);
	/* The resumed vote may already complete a rule (a lone validator's own
	 * nil vote is a quorum) and no other event may ever come to run it. */
	return bft_evaluate(e);
}

/* Both conditions to leave a decided height: the commit wait is over and the
 * application has started the next height. */
enum bft_status bft_maybe_next_height(struct bft *e)
{
	if (e->step != BFT_STEP_COMMIT || !e->commit_wait_done || !e->next_pending)
		return BFT_OK;
	return start_height(e, e->next_height, &e->next_set);
}

/* Decision: build the certificate, keep a copy of the block, emit COMMIT. */
void bft_decide(struct bft *e, struct round_slot *s, const struct proposal_header *p,
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
	a = bft_push(e, BFT_ACTION_COMMIT);
	if (a != NULL) {
		a->u.commit.proposal = &e->decided;
		a->u.commit.payload = e->decided_payload;
		a->u.commit.payload_len = e->decided_len;
		a->u.commit.commit = &e->commit;
	}
	if (e->config.timeouts.skip_timeout_commit && vote_set_has_all(&s->precommits))
		e->commit_wait_done = true;
	else
		bft_schedule(e, BFT_STEP_COMMIT, s->round);
}

/* ------------------------------------------------------------ events */

static bool proposal_sig_ok(const struct bft *e, const struct proposal_header *p)
{
	uint8_t digest[HASH_SIZE];

	proposal_digest(e->config.chain_id, p, digest);
	return verify_sig(e, p->sig, digest, p->proposer);
}

/* Emits the evidence of p and the round's first proposal, both signed by
 * the round's proposer (p's signature already checked). */
static void report_conflicting_proposal(struct bft *e, struct round_slot *s,
					const struct proposal_header *p)
{
	struct bft_action *a;
	struct duplicate_proposal dp;

	s->proposal_conflict_reported = true;
	if (evidence_from_proposals(&s->proposal, p, &dp) != 0)
		return;
	a = bft_push(e, BFT_ACTION_EVIDENCE);
	if (a == NULL)
		return;
	a->u.evidence.kind = EVIDENCE_KIND_DUPLICATE_PROPOSAL;
	a->u.evidence.u.proposal = dp;
}

/* A proposal for a round that has one already: a duplicate, or the
 * proposer equivocated. The first conflicting one (validly signed) is
 * reported as evidence once per round; it is kept as the round's alternate
 * only when a quorum of the round's votes is for it (it may be the decided
 * block). Out: *verified (its signature was checked), *alt.
 * Returns BFT_OK to go on keeping it, or the status to return. */
static enum bft_status second_proposal(struct bft *e, struct round_slot *s,
				       const struct proposal_header *p, bool *verified, bool *alt)
{
	const struct proposal_header *known = bft_slot_proposal_for(s, p->block_id);
	uint64_t total = e->validators.total_power;

	/* the same block and proof-of-lock round (the signature may differ:
	 * BIP340 signing may be randomised) */
	if (known != NULL && known->pol_round == p->pol_round)
		return BFT_DUPLICATE;
	if (!s->proposal_conflict_reported) {
		if (!proposal_sig_ok(e, p))
			return BFT_INVALID;
		*verified = true;
		report_conflicting_proposal(e, s, p);
	}
	if (known != NULL || s->has_alt ||
	    (!validators_has_quorum(vote_set_power_for(&s->prevotes, true, p->block_id), total) &&
	     !validators_has_quorum(vote_set_power_for(&s->precommits, true, p->block_id), total)))
		return *verified ? BFT_CONFLICT : BFT_UNJUSTIFIED;
	*alt = true;
	return BFT_OK;
}

static enum bft_status on_proposal(struct bft *e, const struct bft_proposal *bp)
{
	const struct proposal_header *p = &bp->header;
	struct round_slot *s;
	struct block *b;
	enum bft_status why = BFT_DROPPED;
	size_t proposer;
	bool alt = false, verified = false;

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
	s = bft_slot_find(e, p->round);
	if (s != NULL && s->has_proposal) {
		enum bft_status st = second_proposal(e, s, p, &verified, &alt);

		if (st != BFT_OK)
			return st;
	}
	if (!verified && !proposal_sig_ok(e, p))
		return BFT_INVALID;
	if (s == NULL)
		s = bft_slot_get(e, p->round, false);
	if (s == NULL)
		return BFT_DROPPED;
	b = bft_block_store(e, p->block_id, bp->payload, bp->payload_len, &why);
	if (b == NULL)
		return why;
	if (alt) {
		s->has_alt = true;
		s->alt = *p;
	} else {
		s->has_proposal = true;
		s->proposal = *p;
	}
	bft_slot_mark_seen(e, s, proposer);
	if (b->validity == VALIDITY_UNKNOWN)
		bft_request_validation(e, b);
	return bft_evaluate(e);
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
	s = bft_slot_find(e, v->round);
	if (s == NULL) {
		/* after the decision only the decided round's precommits matter */
		if (e->step == BFT_STEP_COMMIT)
			return BFT_STALE;
		/* the votes of the current proposal's proof-of-lock round are
		 * worth evicting a higher round for */
		s = bft_slot_get(e, v->round, (int64_t)v->round == bft_current_pol_round(e));
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
		struct duplicate_vote dv;
		struct bft_action *a;

		if (vs->entries[idx].conflict_reported)
			return BFT_CONFLICT;
		vs->entries[idx].conflict_reported = true;
		/* both hold: the first vote exists and conflicts (vote_set_add) */
		if (vote_set_get(vs, (size_t)idx, &first) &&
		    evidence_from_votes(&first, v, &dv) == 0) {
			a = bft_push(e, BFT_ACTION_EVIDENCE);
			if (a != NULL)
				evidence_of_votes(&dv, &a->u.evidence);
		}
		bft_slot_mark_seen(e, s, (size_t)idx);
		return bft_evaluate(e) == BFT_OK ? BFT_CONFLICT : BFT_ERROR;
	}
	}
	bft_slot_mark_seen(e, s, (size_t)idx);
	return bft_evaluate(e);
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
		bft_cast_vote(e, VOTE_TYPE_PREVOTE, false, NULL);
		break;
	case BFT_STEP_PREVOTE:
		/* OnTimeoutPrevote: precommit nil */
		if (t->round != e->round || e->step != BFT_STEP_PREVOTE)
			return BFT_STALE;
		e->step = BFT_STEP_PRECOMMIT;
		bft_cast_vote(e, VOTE_TYPE_PRECOMMIT, false, NULL);
		break;
	case BFT_STEP_PRECOMMIT:
		/* OnTimeoutPrecommit: next round */
		if (t->round != e->round || e->step == BFT_STEP_COMMIT || e->round == UINT32_MAX)
			return BFT_STALE;
		bft_start_round(e, e->round + 1);
		break;
	case BFT_STEP_COMMIT:
		if (e->step != BFT_STEP_COMMIT)
			return BFT_STALE;
		e->commit_wait_done = true;
		return bft_maybe_next_height(e);
	}
	return bft_evaluate(e);
}

static enum bft_status on_block(struct bft *e, const struct bft_event *ev)
{
	struct block *b;
	enum bft_status why = BFT_DROPPED;

	if (!e->started || ev->u.block.height != e->height || ev->u.block.round != e->round ||
	    e->step != BFT_STEP_PROPOSE || !e->block_requested)
		return BFT_STALE;
	e->block_requested = false;
	b = bft_block_store(e, ev->u.block.block_id, ev->u.block.payload, ev->u.block.payload_len,
			    &why);
	if (b == NULL)
		return why;
	b->validity = VALIDITY_VALID; /* the application built it */
	cast_proposal(e, b, -1);
	return bft_evaluate(e);
}

static enum bft_status on_validity(struct bft *e, const struct bft_event *ev)
{
	struct block *b;

	if (!e->started || ev->u.validity.height != e->height)
		return BFT_STALE;
	b = bft_block_find(e, ev->u.validity.block_id);
	if (b == NULL)
		return BFT_STALE;
	if (b->validity != VALIDITY_UNKNOWN)
		return BFT_DUPLICATE;
	b->validity = ev->u.validity.valid ? VALIDITY_VALID : VALIDITY_INVALID;
	if (e->step == BFT_STEP_COMMIT)
		return BFT_OK;
	return bft_evaluate(e);
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
	return bft_maybe_next_height(e);
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
	bft_blocks_clear(e);
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
	int64_t vr = bft_current_pol_round(e);
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
		return "conflicting vote or proposal (evidence)";
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
