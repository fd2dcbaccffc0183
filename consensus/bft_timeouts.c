/* bft_timeouts.c: the engine's timeout schedules: a base per step that
 * grows linearly with the round (production, dev and test settings). */
#include "consensus/bft.h"

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
