/* test_net_gossip.c: unit tests of vote gossip's bookkeeping
 * (node/net_peerstate.c): the table of peers, what each peer is known to
 * have (bits per height, round and type; round slots; later heights
 * starting afresh), and "who needs which vote" (net_peerstate_pick_votes
 * and _pick_proposal) over a scripted source and over a real engine through
 * the engine's gossip observers (bft_vote_get, bft_proposal_get); and the
 * RoundState message under the strict codec (with the fuzz seed). */
#include "node/net_peerstate.h"

#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"
#include "tests/unit/bft_fixture.h"

/* ---------------------------------------------------------------- scripted source */

#define SRC_ROUNDS 8
#define SRC_VALS   8

/* Which votes and proposals a node holds, by round, type and index. */
struct held {
	bool votes[SRC_ROUNDS][2][SRC_VALS];
	bool proposals[SRC_ROUNDS];
	int gets; /* get_vote calls */
};

static bool held_get(void *ctx, uint32_t round, enum vote_type type, size_t idx, struct vote *v)
{
	struct held *h = ctx;

	h->gets++;
	if (round >= SRC_ROUNDS || idx >= SRC_VALS || !h->votes[round][type - 1][idx])
		return false;
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->height = 7;
	v->round = round;
	v->validator[0] = (uint8_t)idx;
	return true;
}

static bool held_has_proposal(void *ctx, uint32_t round)
{
	struct held *h = ctx;

	return round < SRC_ROUNDS && h->proposals[round];
}

static struct net_vote_source source(struct held *h, uint64_t height, uint32_t round, size_t n)
{
	struct net_vote_source src = {
		.height = height,
		.round = round,
		.num_validators = n,
		.get_vote = held_get,
		.has_proposal = held_has_proposal,
		.ctx = h,
	};

	return src;
}

static struct net_peer_state *new_state(void)
{
	struct net_peer_state *ps = calloc(1, sizeof(*ps));

	assert_non_null(ps);
	ps->pol_round = -1;
	return ps;
}

/* ---------------------------------------------------------------- the peer table */

static void test_peer_table_adds_finds_and_removes(void **state UNUSED)
{
	struct net_peers peers;
	struct net_peer_state *a, *b;

	net_peers_init(&peers);
	assert_null(net_peers_find(&peers, 1));
	for (uint64_t id = 1; id <= 40; id++) /* past the first growth */
		assert_non_null(net_peers_add(&peers, id));
	assert_int_equal(peers.count, 40);
	a = net_peers_find(&peers, 3);
	assert_non_null(a);
	assert_false(a->has_position);
	assert_int_equal(a->pol_round, -1);
	assert_ptr_equal(net_peers_add(&peers, 3), a); /* not twice */
	assert_int_equal(peers.count, 40);
	net_peerstate_mark_vote(a, 5, 0, VOTE_TYPE_PREVOTE, 1);
	b = net_peers_find(&peers, 40);
	net_peers_remove(&peers, 1);
	net_peers_remove(&peers, 99); /* unknown: ignored */
	assert_int_equal(peers.count, 39);
	assert_null(net_peers_find(&peers, 1));
	/* The others keep their state (and their address). */
	assert_ptr_equal(net_peers_find(&peers, 3), a);
	assert_ptr_equal(net_peers_find(&peers, 40), b);
	assert_true(net_peerstate_has_vote(a, 5, 0, VOTE_TYPE_PREVOTE, 1));
	net_peers_free(&peers);
	assert_int_equal(peers.count, 0);
}

/* ---------------------------------------------------------------- bits */

static void test_marked_votes_are_known_per_round_type_and_index(void **state UNUSED)
{
	struct net_peer_state *ps = new_state();

	net_peerstate_set_position(ps, 5, 0, BFT_STEP_PROPOSE, -1);
	assert_false(net_peerstate_has_vote(ps, 5, 0, VOTE_TYPE_PREVOTE, 0));
	net_peerstate_mark_vote(ps, 5, 0, VOTE_TYPE_PREVOTE, 0);
	net_peerstate_mark_vote(ps, 5, 2, VOTE_TYPE_PRECOMMIT, VALIDATORS_MAX - 1);
	net_peerstate_mark_vote(ps, 5, 2, VOTE_TYPE_PRECOMMIT, VALIDATORS_MAX); /* ignored */
	assert_true(net_peerstate_has_vote(ps, 5, 0, VOTE_TYPE_PREVOTE, 0));
	assert_false(net_peerstate_has_vote(ps, 5, 0, VOTE_TYPE_PRECOMMIT, 0));
	assert_false(net_peerstate_has_vote(ps, 5, 0, VOTE_TYPE_PREVOTE, 1));
	assert_false(net_peerstate_has_vote(ps, 5, 1, VOTE_TYPE_PREVOTE, 0));
	assert_false(net_peerstate_has_vote(ps, 4, 0, VOTE_TYPE_PREVOTE, 0));
	assert_true(net_peerstate_has_vote(ps, 5, 2, VOTE_TYPE_PRECOMMIT, VALIDATORS_MAX - 1));
	assert_false(net_peerstate_has_vote(ps, 5, 2, VOTE_TYPE_PRECOMMIT, VALIDATORS_MAX));
	assert_false(net_peerstate_has_proposal(ps, 5, 2));
	net_peerstate_mark_proposal(ps, 5, 2);
	assert_true(net_peerstate_has_proposal(ps, 5, 2));
	assert_false(net_peerstate_has_proposal(ps, 5, 0));
	free(ps);
}

static void test_a_later_height_starts_afresh_an_earlier_one_is_ignored(void **state UNUSED)
{
	struct net_peer_state *ps = new_state();

	net_peerstate_set_position(ps, 5, 3, BFT_STEP_PREVOTE, 1);
	assert_true(ps->has_position);
	assert_int_equal(ps->height, 5);
	assert_int_equal(ps->round, 3);
	assert_int_equal(ps->step, BFT_STEP_PREVOTE);
	assert_int_equal(ps->pol_round, 1);
	net_peerstate_mark_vote(ps, 5, 0, VOTE_TYPE_PREVOTE, 2);
	/* A vote of the past height: nothing to remember. */
	net_peerstate_mark_vote(ps, 4, 0, VOTE_TYPE_PREVOTE, 3);
	assert_false(net_peerstate_has_vote(ps, 4, 0, VOTE_TYPE_PREVOTE, 3));
	assert_true(net_peerstate_has_vote(ps, 5, 0, VOTE_TYPE_PREVOTE, 2));
	/* A vote of the next height that we relayed before the peer got there
	 * moves the bits on; its RoundState for that height keeps them. */
	net_peerstate_mark_vote(ps, 6, 0, VOTE_TYPE_PRECOMMIT, 1);
	assert_false(net_peerstate_has_vote(ps, 5, 0, VOTE_TYPE_PREVOTE, 2));
	net_peerstate_set_position(ps, 6, 0, BFT_STEP_PROPOSE, -1);
	assert_true(net_peerstate_has_vote(ps, 6, 0, VOTE_TYPE_PRECOMMIT, 1));
	/* A later height in a RoundState clears them. */
	net_peerstate_set_position(ps, 7, 0, BFT_STEP_PROPOSE, -1);
	assert_false(net_peerstate_has_vote(ps, 6, 0, VOTE_TYPE_PRECOMMIT, 1));
	assert_int_equal(ps->bits_height, 7);
	free(ps);
}

static void test_round_slots_keep_the_highest_rounds(void **state UNUSED)
{
	struct net_peer_state *ps = new_state();

	for (uint32_t r = 10; r < 10 + NET_PEER_ROUNDS; r++)
		net_peerstate_mark_vote(ps, 1, r, VOTE_TYPE_PREVOTE, 0);
	for (uint32_t r = 10; r < 10 + NET_PEER_ROUNDS; r++)
		assert_true(net_peerstate_has_vote(ps, 1, r, VOTE_TYPE_PREVOTE, 0));
	/* Full: a lower round is not recorded... */
	net_peerstate_mark_vote(ps, 1, 2, VOTE_TYPE_PREVOTE, 0);
	assert_false(net_peerstate_has_vote(ps, 1, 2, VOTE_TYPE_PREVOTE, 0));
	assert_true(net_peerstate_has_vote(ps, 1, 10, VOTE_TYPE_PREVOTE, 0));
	/* ...a higher one takes the place of the lowest. */
	net_peerstate_mark_vote(ps, 1, 100, VOTE_TYPE_PRECOMMIT, 4);
	assert_true(net_peerstate_has_vote(ps, 1, 100, VOTE_TYPE_PRECOMMIT, 4));
	assert_false(net_peerstate_has_vote(ps, 1, 10, VOTE_TYPE_PREVOTE, 0));
	assert_true(net_peerstate_has_vote(ps, 1, 11, VOTE_TYPE_PREVOTE, 0));
	free(ps);
}

/* ---------------------------------------------------------------- who needs which vote */

static void test_a_peer_gets_only_the_votes_it_lacks_and_each_once(void **state UNUSED)
{
	struct held h;
	struct net_peer_state *ps = new_state();
	struct net_vote_source src;
	struct vote out[16];
	size_t n;

	memset(&h, 0, sizeof(h));
	src = source(&h, 7, 0, 4);
	h.votes[0][0][0] = h.votes[0][0][1] = h.votes[0][0][3] = true; /* prevotes 0, 1, 3 */
	h.votes[0][1][3] = true;				       /* precommit 3 */
	/* No position yet: nothing. */
	assert_int_equal(net_peerstate_pick_votes(ps, &src, out, 16), 0);
	net_peerstate_set_position(ps, 7, 0, BFT_STEP_PREVOTE, -1);
	net_peerstate_mark_vote(ps, 7, 0, VOTE_TYPE_PREVOTE, 1); /* it sent us this one */
	n = net_peerstate_pick_votes(ps, &src, out, 16);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].type, VOTE_TYPE_PREVOTE);
	assert_int_equal(out[0].validator[0], 0);
	assert_int_equal(out[1].type, VOTE_TYPE_PREVOTE);
	assert_int_equal(out[1].validator[0], 3);
	assert_int_equal(out[2].type, VOTE_TYPE_PRECOMMIT);
	assert_int_equal(out[2].validator[0], 3);
	/* Sent: not again. A vote we get later is sent on the next pick. */
	assert_int_equal(net_peerstate_pick_votes(ps, &src, out, 16), 0);
	h.votes[0][1][2] = true;
	assert_int_equal(net_peerstate_pick_votes(ps, &src, out, 16), 1);
	assert_int_equal(out[0].validator[0], 2);
	free(ps);
}

static void test_a_peer_at_another_height_gets_no_votes(void **state UNUSED)
{
	struct held h;
	struct net_peer_state *ps = new_state();
	struct net_vote_source src;
	struct vote out[4];
	uint32_t round;

	memset(&h, 0, sizeof(h));
	src = source(&h, 7, 0, 4);
	h.votes[0][0][0] = true;
	h.proposals[0] = true;
	net_peerstate_set_position(ps, 6, 0, BFT_STEP_PREVOTE, -1); /* behind: block sync */
	assert_int_equal(net_peerstate_pick_votes(ps, &src, out, 4), 0);
	assert_false(net_peerstate_pick_proposal(ps, &src, &round));
	net_peerstate_set_position(ps, 8, 0, BFT_STEP_PREVOTE, -1); /* ahead: nothing to give */
	assert_int_equal(net_peerstate_pick_votes(ps, &src, out, 4), 0);
	assert_false(net_peerstate_pick_proposal(ps, &src, &round));
	assert_int_equal(h.gets, 0);
	free(ps);
}

static void test_pick_order_is_pol_round_then_peer_round_then_ours(void **state UNUSED)
{
	struct held h;
	struct net_peer_state *ps = new_state();
	struct net_vote_source src;
	struct vote out[16];
	size_t n;

	memset(&h, 0, sizeof(h));
	src = source(&h, 7, 4, 2); /* we are in round 4 */
	for (uint32_t r = 0; r < 5; r++)
		for (size_t i = 0; i < 2; i++)
			h.votes[r][0][i] = h.votes[r][1][i] = true;
	/* The peer is in round 2, waiting for the prevotes of round 1. */
	net_peerstate_set_position(ps, 7, 2, BFT_STEP_PROPOSE, 1);
	n = net_peerstate_pick_votes(ps, &src, out, 16);
	assert_int_equal(n, 2 + 4 + 4);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(out[i].round, 1);
		assert_int_equal(out[i].type, VOTE_TYPE_PREVOTE);
	}
	for (size_t i = 2; i < 6; i++)
		assert_int_equal(out[i].round, 2);
	for (size_t i = 6; i < 10; i++)
		assert_int_equal(out[i].round, 4); /* ours: lets it skip ahead */
	assert_int_equal(out[6].type, VOTE_TYPE_PREVOTE);
	assert_int_equal(out[9].type, VOTE_TYPE_PRECOMMIT);
	/* Rounds 0 and 3 are neither its nor ours. */
	for (size_t i = 0; i < n; i++)
		assert_true(out[i].round != 0 && out[i].round != 3);
	free(ps);
}

static void test_votes_per_pick_are_bounded(void **state UNUSED)
{
	struct held h;
	struct net_peer_state *ps = new_state();
	struct net_vote_source src;
	struct vote out[3];
	size_t total = 0, n;
	int picks = 0;

	memset(&h, 0, sizeof(h));
	src = source(&h, 7, 0, SRC_VALS);
	for (size_t i = 0; i < SRC_VALS; i++)
		h.votes[0][0][i] = true;
	net_peerstate_set_position(ps, 7, 0, BFT_STEP_PREVOTE, -1);
	while ((n = net_peerstate_pick_votes(ps, &src, out, 3)) > 0) {
		assert_true(n <= 3);
		total += n;
		picks++;
	}
	assert_int_equal(total, SRC_VALS);
	assert_int_equal(picks, 3); /* 3 + 3 + 2 */
	free(ps);
}

static void test_a_peer_gets_the_proposal_it_lacks_once(void **state UNUSED)
{
	struct held h;
	struct net_peer_state *ps = new_state();
	struct net_vote_source src;
	uint32_t round = 99;

	memset(&h, 0, sizeof(h));
	src = source(&h, 7, 3, 4);
	net_peerstate_set_position(ps, 7, 1, BFT_STEP_PROPOSE, -1);
	assert_false(net_peerstate_pick_proposal(ps, &src, &round)); /* we hold none */
	h.proposals[1] = h.proposals[3] = true;
	net_peerstate_mark_proposal(ps, 7, 1); /* it sent us the one of its round */
	assert_true(net_peerstate_pick_proposal(ps, &src, &round));
	assert_int_equal(round, 3);
	assert_false(net_peerstate_pick_proposal(ps, &src, &round));
	/* In the next round the peer lacks that round's proposal. */
	h.proposals[4] = true;
	net_peerstate_set_position(ps, 7, 4, BFT_STEP_PROPOSE, -1);
	assert_true(net_peerstate_pick_proposal(ps, &src, &round));
	assert_int_equal(round, 4);
	free(ps);
}

/* ---------------------------------------------------------------- over a real engine */

static bool engine_get(void *ctx, uint32_t round, enum vote_type type, size_t idx, struct vote *v)
{
	return bft_vote_get(ctx, round, type, idx, v);
}

static bool engine_has_proposal(void *ctx, uint32_t round)
{
	struct bft_proposal p;

	return bft_proposal_get(ctx, round, &p);
}

static void test_engine_votes_reach_the_peer_that_lacks_them(void **state UNUSED)
{
	struct fixture f;
	struct bft_config cfg;
	struct bft *e;
	struct bft_actions acts;
	struct bft_event ev;
	struct bft_proposal got;
	struct vote v, out[8];
	struct net_peer_state *ps = new_state();
	struct net_vote_source src;
	uint8_t payload[8] = "block-a", id[HASH_SIZE];
	size_t proposer, n;
	uint32_t round;

	fixture_init(&f, 4, NULL);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.chain_id, sizeof(cfg.chain_id), "%s", FIX_CHAIN);
	bft_timeouts_test(&cfg.timeouts);
	e = bft_new(&cfg, NULL); /* a follower */
	assert_non_null(e);
	assert_int_equal(bft_num_validators(e), 0);
	assert_false(bft_vote_get(e, 0, VOTE_TYPE_PREVOTE, 0, &v));
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_START_HEIGHT;
	ev.u.start.height = 1;
	ev.u.start.validators = &f.set;
	assert_int_equal(bft_handle(e, &ev, &acts), BFT_OK);
	assert_int_equal(bft_num_validators(e), 4);
	assert_int_equal(bft_validator_index(e, f.set.members[2].key), 2);

	/* The round's proposal and two prevotes for it. */
	hash_tagged("hearth/block", payload, sizeof(payload), id);
	proposer = bft_proposer(e, 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_PROPOSAL;
	ev.u.proposal.header = fixture_proposal(&f, proposer, 1, 0, -1, id);
	ev.u.proposal.payload = payload;
	ev.u.proposal.payload_len = sizeof(payload);
	assert_int_equal(bft_handle(e, &ev, &acts), BFT_OK);
	for (size_t i = 1; i <= 2; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = BFT_EVENT_VOTE;
		ev.u.vote = fixture_vote(&f, (proposer + i) % 4, VOTE_TYPE_PREVOTE, 1, 0, id);
		assert_int_equal(bft_handle(e, &ev, &acts), BFT_OK);
	}
	assert_true(bft_vote_get(e, 0, VOTE_TYPE_PREVOTE, (proposer + 1) % 4, &v));
	assert_int_equal(v.type, VOTE_TYPE_PREVOTE);
	assert_int_equal(v.height, 1);
	assert_int_equal(v.round, 0);
	assert_true(v.has_block);
	assert_memory_equal(v.block_id, id, HASH_SIZE);
	assert_memory_equal(v.validator, f.set.members[(proposer + 1) % 4].key, PUBKEY_SIZE);
	assert_false(bft_vote_get(e, 0, VOTE_TYPE_PREVOTE, (proposer + 3) % 4, &v));
	assert_false(bft_vote_get(e, 0, VOTE_TYPE_PRECOMMIT, (proposer + 1) % 4, &v));
	assert_false(bft_vote_get(e, 1, VOTE_TYPE_PREVOTE, (proposer + 1) % 4, &v));
	assert_true(bft_proposal_get(e, 0, &got));
	assert_memory_equal(got.header.block_id, id, HASH_SIZE);
	assert_int_equal(got.payload_len, sizeof(payload));
	assert_memory_equal(got.payload, payload, sizeof(payload));
	assert_false(bft_proposal_get(e, 1, &got));

	/* A peer that joined in round 0 and sent us one of the prevotes. */
	src.height = bft_height(e);
	src.round = bft_round(e);
	src.num_validators = bft_num_validators(e);
	src.get_vote = engine_get;
	src.has_proposal = engine_has_proposal;
	src.ctx = e;
	net_peerstate_set_position(ps, 1, 0, BFT_STEP_PROPOSE, -1);
	net_peerstate_mark_vote(ps, 1, 0, VOTE_TYPE_PREVOTE, (proposer + 2) % 4);
	n = net_peerstate_pick_votes(ps, &src, out, 8);
	assert_int_equal(n, 1);
	assert_memory_equal(out[0].validator, f.set.members[(proposer + 1) % 4].key, PUBKEY_SIZE);
	assert_true(net_peerstate_pick_proposal(ps, &src, &round));
	assert_int_equal(round, 0);
	assert_int_equal(net_peerstate_pick_votes(ps, &src, out, 8), 0);
	assert_false(net_peerstate_pick_proposal(ps, &src, &round));
	free(ps);
	bft_free(e);
	fixture_free(&f);
}

/* ---------------------------------------------------------------- the message */

/* msg encodes, and its encoding does not decode (not canonical). */
static void assert_not_canonical(const Hearth__P2PMessage *msg)
{
	ProtobufCMessage *decoded = NULL;
	uint8_t *bytes;
	size_t len;

	assert_int_equal(codec_encode(&msg->base, &bytes, &len), CODEC_OK);
	assert_int_not_equal(
		codec_decode(&hearth__p2_pmessage__descriptor, bytes, len, len, &decoded, NULL),
		CODEC_OK);
	free(bytes);
}

static void test_round_state_round_trips_and_an_unknown_step_is_refused(void **state UNUSED)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__RoundState rs = HEARTH__ROUND_STATE__INIT;
	const Hearth__P2PMessage *back;
	ProtobufCMessage *decoded;
	uint8_t *bytes;
	size_t len;
	FILE *f;
	char path[4096];
	uint8_t seed[64];
	size_t seed_len;

	rs.height = 12345678901ull;
	rs.round = 7;
	rs.step = HEARTH__ROUND_STEP__STEP_PRECOMMIT;
	rs.pol_round = -1;
	rs.has_has_proposal = true;
	rs.has_proposal = true;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_ROUND_STATE;
	msg.round_state = &rs;
	assert_int_equal(codec_encode(&msg.base, &bytes, &len), CODEC_OK);
	assert_true(len <= 29); /* doc/p2p.md: at most 29 bytes, whatever the values */
	assert_int_equal(
		codec_decode(&hearth__p2_pmessage__descriptor, bytes, len, len, &decoded, NULL),
		CODEC_OK);
	back = (const Hearth__P2PMessage *)decoded;
	assert_int_equal(back->msg_case, HEARTH__P2_PMESSAGE__MSG_ROUND_STATE);
	assert_int_equal(back->round_state->height, rs.height);
	assert_int_equal(back->round_state->round, 7);
	assert_int_equal(back->round_state->step, HEARTH__ROUND_STEP__STEP_PRECOMMIT);
	assert_int_equal(back->round_state->pol_round, -1);
	assert_true(back->round_state->has_has_proposal && back->round_state->has_proposal);
	codec_free(decoded);
	/* has_proposal present and false is not canonical (net_gossip.c sends
	 * it only when true). */
	rs.has_proposal = false;
	assert_not_canonical(&msg);
	/* The step is the 3rd field (tag 0x18) of the inner message: 9 is no step. */
	for (size_t i = 2; i + 1 < len; i++)
		if (bytes[i] == 0x18 && bytes[i + 1] == 3)
			bytes[i + 1] = 9;
	assert_int_equal(
		codec_decode(&hearth__p2_pmessage__descriptor, bytes, len, len, &decoded, NULL),
		CODEC_BAD_ENUM);
	free(bytes);

	/* The fuzz seed of tests/fuzz/make_corpus.py (after its selector byte). */
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/fuzz_codec/p2p-round-state",
		 TEST_SRCDIR);
	f = fopen(path, "rb");
	assert_non_null(f);
	seed_len = fread(seed, 1, sizeof(seed), f);
	fclose(f);
	assert_true(seed_len > 1);
	assert_int_equal(codec_decode(&hearth__p2_pmessage__descriptor, seed + 1, seed_len - 1,
				      seed_len, &decoded, NULL),
			 CODEC_OK);
	back = (const Hearth__P2PMessage *)decoded;
	assert_int_equal(back->msg_case, HEARTH__P2_PMESSAGE__MSG_ROUND_STATE);
	assert_int_equal(back->round_state->step, HEARTH__ROUND_STEP__STEP_PREVOTE);
	codec_free(decoded);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_table_adds_finds_and_removes),
		cmocka_unit_test(test_marked_votes_are_known_per_round_type_and_index),
		cmocka_unit_test(test_a_later_height_starts_afresh_an_earlier_one_is_ignored),
		cmocka_unit_test(test_round_slots_keep_the_highest_rounds),
		cmocka_unit_test(test_a_peer_gets_only_the_votes_it_lacks_and_each_once),
		cmocka_unit_test(test_a_peer_at_another_height_gets_no_votes),
		cmocka_unit_test(test_pick_order_is_pol_round_then_peer_round_then_ours),
		cmocka_unit_test(test_votes_per_pick_are_bounded),
		cmocka_unit_test(test_a_peer_gets_the_proposal_it_lacks_once),
		cmocka_unit_test(test_engine_votes_reach_the_peer_that_lacks_them),
		cmocka_unit_test(test_round_state_round_trips_and_an_unknown_step_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
