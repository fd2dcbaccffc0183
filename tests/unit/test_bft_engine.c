/* test_bft_engine.c: unit tests of consensus/bft.c. Each test drives one
 * engine (validator `me` of a 4-validator fixture) with scripted messages
 * signed by the other validators and checks the actions it answers with:
 * the happy path, locking, unlocking on a newer proof-of-lock, round skips,
 * timeouts, evidence, bad input, invalid blocks, restarts and the commit
 * wait. */
#include "consensus/bft.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/bft_fixture.h"

struct rig {
	struct fixture f;
	size_t me;
	struct privval pv;
	struct privval_record disk;
	bool has_disk;
	struct bft_config cfg;
	struct bft *e;
	struct bft_actions acts;
	uint8_t payload_a[8], payload_b[8];
	uint8_t id_a[HASH_SIZE], id_b[HASH_SIZE];
};

static int rig_persist(void *ctx, const struct privval_record *rec)
{
	struct rig *r = ctx;

	r->disk = *rec;
	r->has_disk = true;
	return 0;
}

/* The proposer index of (height 1, round) for the fixture's set. */
static size_t proposer_of(struct rig *r, uint32_t round)
{
	struct bft *probe = bft_new(&r->cfg, NULL);
	struct bft_event ev;
	size_t p;

	assert_non_null(probe);
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_START_HEIGHT;
	ev.u.start.height = 1;
	ev.u.start.validators = &r->f.set;
	assert_int_equal(bft_handle(probe, &ev, &r->acts), BFT_OK);
	p = bft_proposer(probe, round);
	bft_free(probe);
	return p;
}

static enum bft_status feed(struct rig *r, const struct bft_event *ev)
{
	return bft_handle(r->e, ev, &r->acts);
}

static const struct bft_action *find(const struct rig *r, enum bft_action_type type)
{
	for (size_t i = 0; i < r->acts.count; i++)
		if (r->acts.items[i].type == type)
			return &r->acts.items[i];
	return NULL;
}

/* The vote the engine broadcast in the last call, of the given type. */
static const struct vote *voted(const struct rig *r, enum vote_type type)
{
	for (size_t i = 0; i < r->acts.count; i++)
		if (r->acts.items[i].type == BFT_ACTION_BROADCAST_VOTE &&
		    r->acts.items[i].u.vote.type == type)
			return &r->acts.items[i].u.vote;
	return NULL;
}

static void start(struct rig *r, uint64_t height)
{
	struct bft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_START_HEIGHT;
	ev.u.start.height = height;
	ev.u.start.validators = &r->f.set;
	assert_int_equal(feed(r, &ev), BFT_OK);
}

static void engine_new(struct rig *r)
{
	assert_int_equal(privval_init(&r->pv, r->f.secrets[r->me], r->has_disk ? &r->disk : NULL,
				      rig_persist, r),
			 0);
	r->e = bft_new(&r->cfg, &r->pv);
	assert_non_null(r->e);
}

static void engine_drop(struct rig *r)
{
	bft_free(r->e);
	privval_wipe(&r->pv);
}

/* me: a validator proposing neither round 0 nor round 1 (or, with
 * as_proposer, round 0's proposer). */
static void rig_init(struct rig *r, bool as_proposer, bool skip_commit)
{
	size_t p0, p1;

	memset(r, 0, sizeof(*r));
	fixture_init(&r->f, 4, NULL);
	snprintf(r->cfg.chain_id, sizeof(r->cfg.chain_id), "%s", FIX_CHAIN);
	bft_timeouts_test(&r->cfg.timeouts);
	r->cfg.timeouts.skip_timeout_commit = skip_commit;
	memcpy(r->payload_a, "block-a", 8);
	memcpy(r->payload_b, "block-b", 8);
	hash_tagged("hearth/block", r->payload_a, 8, r->id_a);
	hash_tagged("hearth/block", r->payload_b, 8, r->id_b);
	p0 = proposer_of(r, 0);
	p1 = proposer_of(r, 1);
	r->me = p0;
	for (size_t i = 0; i < 4 && !as_proposer; i++)
		if (i != p0 && i != p1)
			r->me = i;
	engine_new(r);
	start(r, 1);
}

static void rig_free(struct rig *r)
{
	engine_drop(r);
	fixture_free(&r->f);
}

/* Delivers the round's proposal of block a or b (signed by its proposer). */
static enum bft_status propose(struct rig *r, uint32_t round, int32_t pol, bool block_b)
{
	struct bft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_PROPOSAL;
	ev.u.proposal.header = fixture_proposal(&r->f, bft_proposer(r->e, round), 1, round, pol,
						block_b ? r->id_b : r->id_a);
	ev.u.proposal.payload = block_b ? r->payload_b : r->payload_a;
	ev.u.proposal.payload_len = 8;
	return feed(r, &ev);
}

static enum bft_status answer(struct rig *r, const uint8_t *id, bool valid)
{
	struct bft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_VALIDITY;
	ev.u.validity.height = 1;
	memcpy(ev.u.validity.block_id, id, HASH_SIZE);
	ev.u.validity.valid = valid;
	return feed(r, &ev);
}

/* A vote of validator i (id NULL: nil). */
static enum bft_status vote_from(struct rig *r, size_t i, enum vote_type type, uint32_t round,
				 const uint8_t *id)
{
	struct bft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_VOTE;
	ev.u.vote = fixture_vote(&r->f, i, type, 1, round, id);
	return feed(r, &ev);
}

/* The n first validators other than me vote. */
static void votes_from_others(struct rig *r, size_t n, enum vote_type type, uint32_t round,
			      const uint8_t *id)
{
	for (size_t i = 0; i < 4 && n > 0; i++) {
		if (i == r->me)
			continue;
		assert_int_equal(vote_from(r, i, type, round, id), BFT_OK);
		n--;
	}
}

static enum bft_status fire(struct rig *r, enum bft_step step, uint32_t round)
{
	struct bft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_TIMEOUT;
	ev.u.timeout.height = bft_height(r->e);
	ev.u.timeout.round = round;
	ev.u.timeout.step = step;
	return feed(r, &ev);
}

/* Round 0 up to our precommit for block a. */
static void lock_on_a(struct rig *r)
{
	assert_int_equal(propose(r, 0, -1, false), BFT_OK);
	assert_non_null(find(r, BFT_ACTION_VALIDATE_BLOCK));
	assert_int_equal(answer(r, r->id_a, true), BFT_OK);
	assert_non_null(voted(r, VOTE_TYPE_PREVOTE));
	assert_true(voted(r, VOTE_TYPE_PREVOTE)->has_block);
	votes_from_others(r, 2, VOTE_TYPE_PREVOTE, 0, r->id_a);
	assert_non_null(voted(r, VOTE_TYPE_PRECOMMIT));
	assert_memory_equal(voted(r, VOTE_TYPE_PRECOMMIT)->block_id, r->id_a, HASH_SIZE);
	assert_int_equal(bft_locked_round(r->e), 0);
}

static void test_engine_commits_with_a_verifiable_certificate(void **state UNUSED)
{
	struct rig r;
	const struct bft_action *c;

	rig_init(&r, false, false);
	lock_on_a(&r);
	votes_from_others(&r, 2, VOTE_TYPE_PRECOMMIT, 0, r.id_a);
	c = find(&r, BFT_ACTION_COMMIT);
	assert_non_null(c);
	assert_memory_equal(c->u.commit.proposal->block_id, r.id_a, HASH_SIZE);
	assert_int_equal(c->u.commit.payload_len, 8);
	assert_memory_equal(c->u.commit.payload, r.payload_a, 8);
	assert_int_equal(c->u.commit.commit->count, 3);
	assert_int_equal(commit_verify_for(FIX_CHAIN, c->u.commit.commit, &r.f.set, 1, r.id_a),
			 COMMIT_OK);
	assert_int_equal(bft_step(r.e), BFT_STEP_COMMIT);
	/* the decided height takes no more proposals */
	assert_int_equal(propose(&r, 0, -1, true), BFT_STALE);
	rig_free(&r);
}

static void test_engine_locked_validator_prevotes_nil_for_another_block(void **state UNUSED)
{
	struct rig r;

	rig_init(&r, false, false);
	lock_on_a(&r);
	/* precommits for nil from two others: no decision; next round */
	votes_from_others(&r, 2, VOTE_TYPE_PRECOMMIT, 0, NULL);
	assert_null(find(&r, BFT_ACTION_COMMIT));
	assert_int_equal(fire(&r, BFT_STEP_PRECOMMIT, 0), BFT_OK);
	assert_int_equal(bft_round(r.e), 1);
	/* a fresh block b without proof of lock: nil */
	assert_int_equal(propose(&r, 1, -1, true), BFT_OK);
	assert_int_equal(answer(&r, r.id_b, true), BFT_OK);
	assert_non_null(voted(&r, VOTE_TYPE_PREVOTE));
	assert_false(voted(&r, VOTE_TYPE_PREVOTE)->has_block);
	rig_free(&r);
}

static void test_engine_locked_validator_follows_a_newer_proof_of_lock(void **state UNUSED)
{
	struct rig r;

	rig_init(&r, false, false);
	lock_on_a(&r);
	votes_from_others(&r, 2, VOTE_TYPE_PRECOMMIT, 0, NULL);
	assert_int_equal(fire(&r, BFT_STEP_PRECOMMIT, 0), BFT_OK);
	/* round 1: the others prevote b (we saw no proposal), nobody decides */
	votes_from_others(&r, 3, VOTE_TYPE_PREVOTE, 1, r.id_b);
	assert_int_equal(fire(&r, BFT_STEP_PROPOSE, 1), BFT_OK);
	votes_from_others(&r, 3, VOTE_TYPE_PRECOMMIT, 1, NULL);
	assert_int_equal(fire(&r, BFT_STEP_PRECOMMIT, 1), BFT_OK);
	assert_int_equal(bft_round(r.e), 2);
	/* round 2 re-proposes b with proof of lock round 1 > our lock round 0 */
	assert_int_equal(propose(&r, 2, 1, true), BFT_OK);
	assert_int_equal(answer(&r, r.id_b, true), BFT_OK);
	assert_non_null(voted(&r, VOTE_TYPE_PREVOTE));
	assert_true(voted(&r, VOTE_TYPE_PREVOTE)->has_block);
	assert_memory_equal(voted(&r, VOTE_TYPE_PREVOTE)->block_id, r.id_b, HASH_SIZE);
	rig_free(&r);
}

static void test_engine_skips_to_a_round_with_one_third_of_the_power(void **state UNUSED)
{
	struct rig r;
	const struct bft_action *t;

	rig_init(&r, false, false);
	/* one validator (10 of 40) at round 5 is not enough */
	assert_int_equal(vote_from(&r, (r.me + 1) % 4, VOTE_TYPE_PREVOTE, 5, NULL), BFT_OK);
	assert_int_equal(bft_round(r.e), 0);
	/* a second one (20 of 40 > 1/3) is */
	assert_int_equal(vote_from(&r, (r.me + 2) % 4, VOTE_TYPE_PRECOMMIT, 5, NULL), BFT_OK);
	assert_int_equal(bft_round(r.e), 5);
	t = find(&r, BFT_ACTION_SCHEDULE_TIMEOUT);
	assert_non_null(t);
	assert_int_equal(t->u.timeout.round, 5);
	assert_int_equal(t->u.timeout.delay_ms, 40 + 5 * 10);
	rig_free(&r);
}

static void test_engine_timeouts_grow_with_the_round(void **state UNUSED)
{
	struct bft_timeouts t;
	struct rig r;

	bft_timeouts_production(&t);
	assert_int_equal(bft_timeout_ms(&t, BFT_STEP_PROPOSE, 0), 3000);
	assert_int_equal(bft_timeout_ms(&t, BFT_STEP_PROPOSE, 2), 4000);
	assert_int_equal(bft_timeout_ms(&t, BFT_STEP_PREVOTE, 1), 1500);
	assert_int_equal(bft_timeout_ms(&t, BFT_STEP_PRECOMMIT, 4), 3000);
	assert_int_equal(bft_timeout_ms(&t, BFT_STEP_COMMIT, 9), 1000);
	assert_false(t.skip_timeout_commit);
	t.propose_delta_ms = UINT64_MAX;
	assert_int_equal(bft_timeout_ms(&t, BFT_STEP_PROPOSE, 2), UINT64_MAX); /* saturates */

	/* no proposal in time: prevote nil; no polka in time: precommit nil */
	rig_init(&r, false, false);
	assert_int_equal(fire(&r, BFT_STEP_PROPOSE, 0), BFT_OK);
	assert_non_null(voted(&r, VOTE_TYPE_PREVOTE));
	assert_false(voted(&r, VOTE_TYPE_PREVOTE)->has_block);
	/* a stale timeout does nothing */
	assert_int_equal(fire(&r, BFT_STEP_PROPOSE, 0), BFT_STALE);
	votes_from_others(&r, 2, VOTE_TYPE_PREVOTE, 0, NULL);
	assert_int_equal(bft_step(r.e), BFT_STEP_PRECOMMIT); /* 3 nil prevotes with ours */
	assert_false(voted(&r, VOTE_TYPE_PRECOMMIT)->has_block);
	rig_free(&r);
}

static void test_engine_reports_a_double_sign_as_evidence(void **state UNUSED)
{
	struct rig r;
	size_t bad;
	const struct bft_action *a;

	rig_init(&r, false, false);
	bad = (r.me + 1) % 4;
	assert_int_equal(vote_from(&r, bad, VOTE_TYPE_PREVOTE, 0, r.id_a), BFT_OK);
	assert_int_equal(vote_from(&r, bad, VOTE_TYPE_PREVOTE, 0, r.id_b), BFT_CONFLICT);
	a = find(&r, BFT_ACTION_EVIDENCE);
	assert_non_null(a);
	assert_int_equal(a->u.evidence.kind, EVIDENCE_KIND_DUPLICATE_VOTE);
	assert_int_equal(evidence_verify(FIX_CHAIN, &a->u.evidence.u.vote, &r.f.set), EVIDENCE_OK);
	assert_memory_equal(a->u.evidence.u.vote.a.validator, r.f.set.members[bad].key,
			    PUBKEY_SIZE);
	/* reported once */
	assert_int_equal(vote_from(&r, bad, VOTE_TYPE_PREVOTE, 0, NULL), BFT_CONFLICT);
	assert_null(find(&r, BFT_ACTION_EVIDENCE));
	rig_free(&r);
}

static void test_engine_rejects_bad_messages(void **state UNUSED)
{
	struct rig r;
	struct bft_event ev;
	struct fixture stranger;
	const uint64_t p[1] = { 10 };

	rig_init(&r, false, false);
	/* a bad signature */
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_VOTE;
	ev.u.vote = fixture_vote(&r.f, (r.me + 1) % 4, VOTE_TYPE_PREVOTE, 1, 0, r.id_a);
	ev.u.vote.sig[0] ^= 1;
	assert_int_equal(feed(&r, &ev), BFT_INVALID);
	/* another height */
	ev.u.vote = fixture_vote(&r.f, (r.me + 1) % 4, VOTE_TYPE_PREVOTE, 2, 0, r.id_a);
	assert_int_equal(feed(&r, &ev), BFT_STALE);
	/* not a validator (a key of another fixture, shifted so it differs) */
	fixture_init(&stranger, 1, p);
	ev.u.vote = fixture_vote(&stranger, 0, VOTE_TYPE_PREVOTE, 1, 0, r.id_a);
	if (validators_find(&r.f.set, ev.u.vote.validator) < 0)
		assert_int_equal(feed(&r, &ev), BFT_INVALID);
	fixture_free(&stranger);
	/* a proposal from someone who is not the round's proposer */
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_PROPOSAL;
	ev.u.proposal.header =
		fixture_proposal(&r.f, (bft_proposer(r.e, 0) + 1) % 4, 1, 0, -1, r.id_a);
	ev.u.proposal.payload = r.payload_a;
	ev.u.proposal.payload_len = 8;
	assert_int_equal(feed(&r, &ev), BFT_INVALID);
	/* a proposal far ahead of our round is not looked at yet */
	ev.u.proposal.header = fixture_proposal(&r.f, 0, 1, 1000, -1, r.id_a);
	assert_int_equal(feed(&r, &ev), BFT_DROPPED);
	/* nothing was counted: a proposal now still gets our prevote */
	assert_int_equal(propose(&r, 0, -1, false), BFT_OK);
	assert_int_equal(propose(&r, 0, -1, false), BFT_DUPLICATE);
	/* a second, different proposal of the round is not taken without a
	 * quorum: it is evidence (see the test below), and a third is ignored */
	assert_int_equal(propose(&r, 0, -1, true), BFT_CONFLICT);
	assert_int_equal(propose(&r, 0, -1, true), BFT_UNJUSTIFIED);
	rig_free(&r);
}

/* The evidence action of the last call, checked to be a duplicate proposal
 * of the round's proposer. */
static const struct duplicate_proposal *proposal_evidence(const struct rig *r, uint32_t round)
{
	const struct bft_action *a = find(r, BFT_ACTION_EVIDENCE);

	assert_non_null(a);
	assert_int_equal(a->u.evidence.kind, EVIDENCE_KIND_DUPLICATE_PROPOSAL);
	assert_int_equal(evidence_verify_any(FIX_CHAIN, &a->u.evidence, &r->f.set, NULL),
			 EVIDENCE_OK);
	assert_int_equal(evidence_height(&a->u.evidence), 1);
	assert_int_equal(evidence_round(&a->u.evidence), round);
	return &a->u.evidence.u.proposal;
}

static void test_engine_reports_a_double_proposal_as_evidence(void **state UNUSED)
{
	struct rig r;
	struct bft_event ev;
	size_t proposer;
	const struct duplicate_proposal *dp;

	rig_init(&r, false, false);
	proposer = bft_proposer(r.e, 0);
	assert_int_equal(propose(&r, 0, -1, false), BFT_OK);
	assert_null(find(&r, BFT_ACTION_EVIDENCE));
	/* another block, same round: evidence, in canonical order */
	assert_int_equal(propose(&r, 0, -1, true), BFT_CONFLICT);
	dp = proposal_evidence(&r, 0);
	assert_memory_equal(dp->a.proposer, r.f.set.members[proposer].key, PUBKEY_SIZE);
	assert_true(memcmp(dp->a.block_id, dp->b.block_id, HASH_SIZE) < 0);
	/* reported once per round */
	assert_int_equal(propose(&r, 0, -1, true), BFT_UNJUSTIFIED);
	assert_null(find(&r, BFT_ACTION_EVIDENCE));
	rig_free(&r);

	/* the same block with another pol_round conflicts too (round 1: a
	 * pol_round of 0 is in range there) */
	rig_init(&r, false, false);
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_PROPOSAL;
	ev.u.proposal.header = fixture_proposal(&r.f, bft_proposer(r.e, 1), 1, 1, -1, r.id_a);
	ev.u.proposal.payload = r.payload_a;
	ev.u.proposal.payload_len = 8;
	assert_int_equal(feed(&r, &ev), BFT_OK);
	ev.u.proposal.header = fixture_proposal(&r.f, bft_proposer(r.e, 1), 1, 1, 0, r.id_a);
	assert_int_equal(feed(&r, &ev), BFT_CONFLICT);
	dp = proposal_evidence(&r, 1);
	assert_int_equal(dp->a.pol_round, -1);
	assert_int_equal(dp->b.pol_round, 0);
	/* a badly signed second proposal is no evidence, and counts as invalid */
	rig_free(&r);
	rig_init(&r, false, false);
	assert_int_equal(propose(&r, 0, -1, false), BFT_OK);
	ev.u.proposal.header = fixture_proposal(&r.f, bft_proposer(r.e, 0), 1, 0, -1, r.id_b);
	ev.u.proposal.header.sig[3] ^= 1;
	ev.u.proposal.payload = r.payload_b;
	assert_int_equal(feed(&r, &ev), BFT_INVALID);
	assert_null(find(&r, BFT_ACTION_EVIDENCE));
	rig_free(&r);
}

static void test_engine_prevotes_nil_for_an_invalid_block(void **state UNUSED)
{
	struct rig r;

	rig_init(&r, false, false);
	assert_int_equal(propose(&r, 0, -1, false), BFT_OK);
	/* no prevote before the application answers */
	assert_null(voted(&r, VOTE_TYPE_PREVOTE));
	assert_int_equal(answer(&r, r.id_a, false), BFT_OK);
	assert_non_null(voted(&r, VOTE_TYPE_PREVOTE));
	assert_false(voted(&r, VOTE_TYPE_PREVOTE)->has_block);
	/* and a quorum of precommits for it does not make us commit it */
	votes_from_others(&r, 3, VOTE_TYPE_PRECOMMIT, 0, r.id_a);
	assert_null(find(&r, BFT_ACTION_COMMIT));
	rig_free(&r);
}

static void test_engine_keeps_its_lock_and_vote_across_a_restart(void **state UNUSED)
{
	struct rig r;
	const struct vote *v;
	struct vote before;

	rig_init(&r, false, false);
	lock_on_a(&r);
	before = *voted(&r, VOTE_TYPE_PRECOMMIT);
	assert_true(r.has_disk);
	engine_drop(&r);
	/* restart from the persisted record only */
	engine_new(&r);
	start(&r, 1);
	assert_int_equal(bft_round(r.e), 0);
	assert_int_equal(bft_locked_round(r.e), 0);
	v = voted(&r, VOTE_TYPE_PRECOMMIT);
	assert_non_null(v); /* the last vote is sent again, identical */
	assert_memory_equal(v, &before, sizeof(before));
	votes_from_others(&r, 2, VOTE_TYPE_PRECOMMIT, 0, NULL);
	assert_int_equal(fire(&r, BFT_STEP_PRECOMMIT, 0), BFT_OK);
	assert_int_equal(propose(&r, 1, -1, true), BFT_OK);
	assert_int_equal(answer(&r, r.id_b, true), BFT_OK);
	assert_non_null(voted(&r, VOTE_TYPE_PREVOTE));
	assert_false(voted(&r, VOTE_TYPE_PREVOTE)->has_block);
	rig_free(&r);
}

/* The only validator signed a nil vote of (1, 0), type, then restarted:
 * its own vote is already a quorum, so the engine must act on it at start
 * (no other event will come) rather than wait forever in round 0. */
static void lone_validator_restarts_after(enum vote_type type)
{
	const struct bft_action *a;
	struct vote nil;
	struct rig r;

	memset(&r, 0, sizeof(r));
	fixture_init(&r.f, 1, NULL);
	snprintf(r.cfg.chain_id, sizeof(r.cfg.chain_id), "%s", FIX_CHAIN);
	bft_timeouts_test(&r.cfg.timeouts);
	engine_new(&r);
	memset(&nil, 0, sizeof(nil));
	nil.type = type;
	nil.height = 1;
	assert_int_equal(privval_sign_vote(&r.pv, FIX_CHAIN, &nil), PRIVVAL_OK);
	engine_drop(&r);
	engine_new(&r);
	start(&r, 1);
	assert_int_equal(bft_round(r.e), 0);
	if (type == VOTE_TYPE_PREVOTE) {
		/* the prevote is sent again, then the nil polka makes it precommit nil */
		assert_non_null(voted(&r, VOTE_TYPE_PREVOTE));
		assert_non_null(voted(&r, VOTE_TYPE_PRECOMMIT));
		assert_false(voted(&r, VOTE_TYPE_PRECOMMIT)->has_block);
	}
	a = NULL;
	for (size_t i = 0; i < r.acts.count; i++)
		if (r.acts.items[i].type == BFT_ACTION_SCHEDULE_TIMEOUT &&
		    r.acts.items[i].u.timeout.step == BFT_STEP_PRECOMMIT)
			a = &r.acts.items[i];
	assert_non_null(a); /* OnTimeoutPrecommit armed: 2f+1 precommits */
	assert_int_equal(a->u.timeout.round, 0);
	assert_int_equal(fire(&r, BFT_STEP_PRECOMMIT, 0), BFT_OK);
	assert_int_equal(bft_round(r.e), 1);
	a = find(&r, BFT_ACTION_REQUEST_BLOCK);
	assert_non_null(a);
	assert_int_equal(a->u.request.round, 1);
	rig_free(&r);
}

static void test_engine_lone_validator_restarted_after_nil_votes_moves_on(void **state UNUSED)
{
	lone_validator_restarts_after(VOTE_TYPE_PRECOMMIT);
	lone_validator_restarts_after(VOTE_TYPE_PREVOTE);
}

static void test_engine_commit_wait_and_its_skip(void **state UNUSED)
{
	for (int skip = 0; skip <= 1; skip++) {
		struct rig r;
		const struct bft_action *t;

		rig_init(&r, false, skip != 0);
		lock_on_a(&r);
		votes_from_others(&r, 2, VOTE_TYPE_PRECOMMIT, 0, r.id_a);
		assert_non_null(find(&r, BFT_ACTION_COMMIT));
		t = find(&r, BFT_ACTION_SCHEDULE_TIMEOUT);
		/* three of four: the commit wait is armed in either mode */
		assert_non_null(t);
		assert_int_equal(t->u.timeout.step, BFT_STEP_COMMIT);
		/* the fourth precommit arrives during the wait */
		for (size_t i = 0; i < 4; i++)
			if (i != r.me && vote_from(&r, i, VOTE_TYPE_PRECOMMIT, 0, r.id_a) == BFT_OK)
				break;
		t = NULL;
		if (skip) {
			/* all four precommits in: no need to wait */
			start(&r, 2);
			assert_int_equal(bft_height(r.e), 2);
		} else {
			start(&r, 2);
			assert_int_equal(bft_height(r.e), 1);
			assert_int_equal(fire(&r, BFT_STEP_COMMIT, 0), BFT_OK);
			assert_int_equal(bft_height(r.e), 2);
		}
		assert_int_equal(bft_round(r.e), 0);
		assert_int_equal(bft_locked_round(r.e), -1);
		rig_free(&r);
	}
}

/* Rounds pass until round 1 is no longer tracked; the proposal of round 20
 * names round 1 as its proof-of-lock round: the engine asks for those
 * prevotes (bft_pol_wanted), makes room for them and follows them. */
static void test_engine_recovers_an_evicted_proof_of_lock_round(void **state UNUSED)
{
	struct rig r;
	size_t a = 0, b = 0;

	rig_init(&r, false, false);
	for (size_t i = 0, k = 0; i < 4; i++)
		if (i != r.me) {
			if (k == 0)
				a = i;
			else if (k == 1)
				b = i;
			k++;
		}
	for (uint32_t round = 1; round <= 20; round++) {
		assert_int_equal(vote_from(&r, a, VOTE_TYPE_PREVOTE, round, NULL), BFT_OK);
		assert_int_equal(vote_from(&r, b, VOTE_TYPE_PREVOTE, round, NULL), BFT_OK);
		assert_int_equal(bft_round(r.e), round);
	}
	assert_int_equal(bft_pol_wanted(r.e), -1);
	assert_int_equal(propose(&r, 20, 1, true), BFT_OK);
	assert_int_equal(answer(&r, r.id_b, true), BFT_OK);
	assert_null(voted(&r, VOTE_TYPE_PREVOTE)); /* no proof of lock yet */
	assert_int_equal(bft_pol_wanted(r.e), 1);
	/* round 1 was dropped from the table: its prevotes still get in */
	votes_from_others(&r, 3, VOTE_TYPE_PREVOTE, 1, r.id_b);
	assert_int_equal(bft_pol_wanted(r.e), -1);
	assert_non_null(voted(&r, VOTE_TYPE_PREVOTE));
	assert_true(voted(&r, VOTE_TYPE_PREVOTE)->has_block);
	assert_memory_equal(voted(&r, VOTE_TYPE_PREVOTE)->block_id, r.id_b, HASH_SIZE);
	rig_free(&r);
}

static void test_engine_jumps_heights_after_block_sync(void **state UNUSED)
{
	struct rig r;
	struct bft_event ev;

	rig_init(&r, false, false);
	lock_on_a(&r);
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_START_HEIGHT;
	ev.u.start.height = 1; /* not forward */
	ev.u.start.validators = &r.f.set;
	assert_int_equal(feed(&r, &ev), BFT_ERROR);
	ev.u.start.height = 5; /* synced up to 4 */
	assert_int_equal(feed(&r, &ev), BFT_OK);
	assert_int_equal(bft_height(r.e), 5);
	assert_int_equal(bft_round(r.e), 0);
	assert_int_equal(bft_locked_round(r.e), -1);
	rig_free(&r);
}

static void test_engine_proposer_asks_for_a_block_and_proposes_it(void **state UNUSED)
{
	struct rig r;
	struct bft_event ev;
	const struct bft_action *a;

	rig_init(&r, true, false);
	/* rig_init's start already asked; ask again by checking a fresh start */
	engine_drop(&r);
	r.has_disk = false;
	engine_new(&r);
	start(&r, 1);
	a = find(&r, BFT_ACTION_REQUEST_BLOCK);
	assert_non_null(a);
	assert_int_equal(a->u.request.round, 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_BLOCK;
	ev.u.block.height = 1;
	ev.u.block.round = 0;
	memcpy(ev.u.block.block_id, r.id_a, HASH_SIZE);
	ev.u.block.payload = r.payload_a;
	ev.u.block.payload_len = 8;
	assert_int_equal(feed(&r, &ev), BFT_OK);
	a = find(&r, BFT_ACTION_BROADCAST_PROPOSAL);
	assert_non_null(a);
	assert_true(proposal_verify(FIX_CHAIN, &a->u.proposal.header));
	assert_int_equal(a->u.proposal.header.pol_round, -1);
	assert_non_null(voted(&r, VOTE_TYPE_PREVOTE));
	assert_true(voted(&r, VOTE_TYPE_PREVOTE)->has_block);
	/* an answer for a round we are not in is stale */
	ev.u.block.round = 3;
	assert_int_equal(feed(&r, &ev), BFT_STALE);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_commits_with_a_verifiable_certificate),
		cmocka_unit_test(test_engine_locked_validator_prevotes_nil_for_another_block),
		cmocka_unit_test(test_engine_locked_validator_follows_a_newer_proof_of_lock),
		cmocka_unit_test(test_engine_skips_to_a_round_with_one_third_of_the_power),
		cmocka_unit_test(test_engine_timeouts_grow_with_the_round),
		cmocka_unit_test(test_engine_reports_a_double_sign_as_evidence),
		cmocka_unit_test(test_engine_rejects_bad_messages),
		cmocka_unit_test(test_engine_reports_a_double_proposal_as_evidence),
		cmocka_unit_test(test_engine_prevotes_nil_for_an_invalid_block),
		cmocka_unit_test(test_engine_keeps_its_lock_and_vote_across_a_restart),
		cmocka_unit_test(test_engine_lone_validator_restarted_after_nil_votes_moves_on),
		cmocka_unit_test(test_engine_commit_wait_and_its_skip),
		cmocka_unit_test(test_engine_recovers_an_evicted_proof_of_lock_round),
		cmocka_unit_test(test_engine_jumps_heights_after_block_sync),
		cmocka_unit_test(test_engine_proposer_asks_for_a_block_and_proposes_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
