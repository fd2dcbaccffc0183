/* test_cs_early.c: unit tests of node/cs_early.c, the next height's
 * proposals and votes kept until the engine starts that height: only the
 * height after the engine's is kept, duplicates once, the bounds hold, a
 * newer height replaces an older one, take hands them over at their height
 * and drops them once the engine passed it. */
#include "node/cs_early.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static struct bft_event vote_ev(uint64_t height, uint32_t round, uint8_t who)
{
	struct bft_event ev = { .type = BFT_EVENT_VOTE };

	ev.u.vote.type = VOTE_TYPE_PREVOTE;
	ev.u.vote.height = height;
	ev.u.vote.round = round;
	ev.u.vote.validator[0] = who;
	ev.u.vote.sig[0] = who;
	return ev;
}

static const uint8_t payload[3] = { 1, 2, 3 };

static struct bft_event proposal_ev(uint64_t height, uint32_t round)
{
	struct bft_event ev = { .type = BFT_EVENT_PROPOSAL };

	ev.u.proposal.header.height = height;
	ev.u.proposal.header.round = round;
	ev.u.proposal.header.pol_round = -1;
	ev.u.proposal.header.sig[0] = (uint8_t)round;
	ev.u.proposal.payload = payload;
	ev.u.proposal.payload_len = sizeof(payload);
	return ev;
}

static void test_only_the_next_height_is_kept(void **state UNUSED)
{
	struct cs_early k = { 0 };
	struct bft_event v = vote_ev(11, 0, 1), p = proposal_ev(11, 0);

	assert_false(cs_early_keep(&k, 11, &v)); /* the engine's own height */
	assert_false(cs_early_keep(&k, 9, &v));	 /* two ahead */
	assert_true(cs_early_keep(&k, 10, &v));
	assert_false(cs_early_keep(&k, 10, &v)); /* the same vote again */
	assert_true(cs_early_keep(&k, 10, &p));
	assert_false(cs_early_keep(&k, 10, &p));
	assert_int_equal(k.height, 11);
	assert_int_equal(k.n_votes, 1);
	assert_int_equal(k.n_proposals, 1);
	/* a copy: the caller's payload may go */
	assert_ptr_not_equal(k.proposals[0].payload, payload);
	assert_memory_equal(k.proposals[0].payload, payload, sizeof(payload));
	cs_early_clear(&k);
}

static void test_bounds(void **state UNUSED)
{
	struct cs_early k = { 0 };
	struct bft_event extra = vote_ev(5, 9, 1), late = proposal_ev(5, 99);

	for (unsigned i = 0; i < CS_EARLY_VOTES_MAX; i++) {
		struct bft_event v = vote_ev(5, i / 100, (uint8_t)i);

		assert_true(cs_early_keep(&k, 4, &v));
	}
	assert_false(cs_early_keep(&k, 4, &extra));
	for (uint32_t r = 0; r < CS_EARLY_PROPOSALS_MAX; r++) {
		struct bft_event p = proposal_ev(5, r);

		assert_true(cs_early_keep(&k, 4, &p));
	}
	assert_false(cs_early_keep(&k, 4, &late));
	cs_early_clear(&k);
}

static void test_newer_height_replaces_older(void **state UNUSED)
{
	struct cs_early k = { 0 };
	struct bft_event p = proposal_ev(5, 0), v = vote_ev(6, 0, 1);

	assert_true(cs_early_keep(&k, 4, &p));
	assert_true(cs_early_keep(&k, 5, &v));
	assert_int_equal(k.height, 6);
	assert_int_equal(k.n_proposals, 0);
	assert_int_equal(k.n_votes, 1);
	cs_early_clear(&k);
}

static void test_take(void **state UNUSED)
{
	struct cs_early k = { 0 }, got;
	struct bft_event p = proposal_ev(8, 0), v = vote_ev(8, 0, 3);

	assert_false(cs_early_take(&k, 8, &got)); /* nothing kept */
	assert_true(cs_early_keep(&k, 7, &p));
	assert_true(cs_early_keep(&k, 7, &v));
	assert_false(cs_early_take(&k, 7, &got)); /* not there yet */
	assert_int_equal(k.n_votes, 1);
	assert_true(cs_early_take(&k, 8, &got));
	assert_int_equal(k.height, 0);
	assert_int_equal(got.n_proposals, 1);
	assert_int_equal(got.n_votes, 1);
	assert_int_equal(got.votes[0].validator[0], 3);
	cs_early_clear(&got);
	/* the engine passed their height (block sync): dropped */
	assert_true(cs_early_keep(&k, 7, &p));
	assert_false(cs_early_take(&k, 9, &got));
	assert_int_equal(k.height, 0);
	assert_int_equal(k.n_proposals, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_the_next_height_is_kept),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_newer_height_replaces_older),
		cmocka_unit_test(test_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
