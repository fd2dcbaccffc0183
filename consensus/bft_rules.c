/* bft_rules.c: the Tendermint paper's "upon" rules, one function per rule,
 * re-evaluated after every event until none fires (bft_evaluate). Built a
 * second time with -DBFT_BROKEN_IGNORE_LOCK for the simulator's
 * broken-engine check (tests/sim). */
#include "consensus/bft.h"

#include <string.h>

#include "consensus/bft_internal.h"

static bool block_valid(struct bft *e, const uint8_t id[HASH_SIZE], bool *known)
{
	const struct block *b = bft_block_find(e, id);

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
		p = bft_slot_proposal_for(s, id);
		if (p == NULL || !block_valid(e, id, &known))
			continue;
		bft_decide(e, s, p, bft_block_find(e, id));
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
		bft_start_round(e, best);
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
		const struct round_slot *pol = bft_slot_find(e, (uint32_t)p->pol_round);

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
		bft_cast_vote(e, VOTE_TYPE_PREVOTE, true, p->block_id);
	else
		bft_cast_vote(e, VOTE_TYPE_PREVOTE, false, NULL);
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
	bft_schedule(e, BFT_STEP_PREVOTE, e->round);
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
	if (bft_slot_proposal_for(cur, id) == NULL || !block_valid(e, id, &known))
		return false;
	cur->polka_done = true;
	if (e->step == BFT_STEP_PREVOTE) {
		e->locked_round = e->round;
		memcpy(e->locked_id, id, HASH_SIZE);
		e->step = BFT_STEP_PRECOMMIT;
		bft_cast_vote(e, VOTE_TYPE_PRECOMMIT, true, id);
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
	bft_cast_vote(e, VOTE_TYPE_PRECOMMIT, false, NULL);
	return true;
}

/* Lines 47-48: upon 2f+1 <PRECOMMIT, h, round, *> for the first time:
 * schedule OnTimeoutPrecommit. */
static bool rule_precommit_timeout(struct bft *e, struct round_slot *cur)
{
	if (cur->precommit_timeout_done || !vote_set_has_quorum_any(&cur->precommits))
		return false;
	cur->precommit_timeout_done = true;
	bft_schedule(e, BFT_STEP_PRECOMMIT, e->round);
	return true;
}

/* After a decision: skip timeout_commit once every precommit is in. */
static bool rule_all_precommits(struct bft *e)
{
	struct round_slot *s = bft_slot_find(e, e->decided_round);

	if (e->commit_wait_done || !e->config.timeouts.skip_timeout_commit || s == NULL ||
	    !vote_set_has_all(&s->precommits))
		return false;
	e->commit_wait_done = true;
	return true;
}

/* Applies rules until none fires. */
enum bft_status bft_evaluate(struct bft *e)
{
	for (unsigned guard = 0; guard < 1000 && !e->out_overflow; guard++) {
		struct round_slot *cur;

		if (e->step == BFT_STEP_COMMIT) {
			if (rule_all_precommits(e))
				return bft_maybe_next_height(e);
			return BFT_OK;
		}
		if (rule_decide(e) || rule_skip_round(e))
			continue;
		cur = bft_slot_get(e, e->round, true);
		if (cur == NULL)
			return BFT_ERROR;
		if (rule_prevote_proposal(e, cur) || rule_prevote_timeout(e, cur) ||
		    rule_polka(e, cur) || rule_polka_nil(e, cur) || rule_precommit_timeout(e, cur))
			continue;
		return BFT_OK;
	}
	return BFT_ERROR;
}
