/* test_bft_privval.c: unit tests of consensus/privval.c, the double-sign
 * guard. */
#include "consensus/privval.h"

#include <string.h>

#include "tests/unit/bft_fixture.h"

struct disk {
	int writes;
	bool fail;
	struct privval_record rec;
};

static int disk_persist(void *ctx, const struct privval_record *rec)
{
	struct disk *d = ctx;

	if (d->fail)
		return -1;
	d->writes++;
	d->rec = *rec;
	return 0;
}

static const uint8_t block_a[HASH_SIZE] = { 0xaa };
static const uint8_t block_b[HASH_SIZE] = { 0xbb };

static struct vote unsigned_vote(enum vote_type type, uint64_t h, uint32_t r, const uint8_t *id)
{
	struct vote v;

	memset(&v, 0, sizeof(v));
	v.type = type;
	v.height = h;
	v.round = r;
	v.has_block = id != NULL;
	if (id != NULL)
		memcpy(v.block_id, id, HASH_SIZE);
	return v;
}

static void test_privval_persists_before_releasing(void **state UNUSED)
{
	struct fixture f;
	struct privval pv;
	struct disk d = { 0 };
	struct vote v = unsigned_vote(VOTE_TYPE_PREVOTE, 1, 0, block_a);

	fixture_init(&f, 1, NULL);
	assert_int_equal(privval_init(&pv, f.secrets[0], NULL, disk_persist, &d), 0);
	d.fail = true;
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &v), PRIVVAL_PERSIST_FAILED);
	assert_int_equal(d.writes, 0);
	{
		static const uint8_t zero[SIG_SIZE];

		assert_memory_equal(v.sig, zero, SIG_SIZE); /* nothing released */
	}
	d.fail = false;
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &v), PRIVVAL_OK);
	assert_int_equal(d.writes, 1);
	assert_true(vote_verify(FIX_CHAIN, &v));
	assert_int_equal(d.rec.height, 1);
	assert_int_equal(d.rec.step, PRIVVAL_STEP_PREVOTE);
	assert_memory_equal(d.rec.sig, v.sig, SIG_SIZE);
	privval_wipe(&pv);
	fixture_free(&f);
}

static void test_privval_refuses_conflicts_and_regressions(void **state UNUSED)
{
	struct fixture f;
	struct privval pv;
	struct disk d = { 0 };
	struct vote v = unsigned_vote(VOTE_TYPE_PREVOTE, 2, 1, block_a), again;
	struct proposal_header p;

	fixture_init(&f, 1, NULL);
	assert_int_equal(privval_init(&pv, f.secrets[0], NULL, disk_persist, &d), 0);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &v), PRIVVAL_OK);
	/* the identical vote again: the same signature, no new write */
	again = unsigned_vote(VOTE_TYPE_PREVOTE, 2, 1, block_a);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &again), PRIVVAL_RESIGNED);
	assert_memory_equal(again.sig, v.sig, SIG_SIZE);
	assert_int_equal(d.writes, 1);
	/* another block, or nil, at the same step */
	again = unsigned_vote(VOTE_TYPE_PREVOTE, 2, 1, block_b);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &again), PRIVVAL_CONFLICT);
	again = unsigned_vote(VOTE_TYPE_PREVOTE, 2, 1, NULL);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &again), PRIVVAL_CONFLICT);
	/* going back in round, height or step */
	again = unsigned_vote(VOTE_TYPE_PREVOTE, 2, 0, block_a);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &again), PRIVVAL_REGRESSION);
	again = unsigned_vote(VOTE_TYPE_PREVOTE, 1, 5, block_a);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &again), PRIVVAL_REGRESSION);
	memset(&p, 0, sizeof(p));
	p.height = 2;
	p.round = 1;
	p.pol_round = -1;
	memcpy(p.block_id, block_b, HASH_SIZE);
	assert_int_equal(privval_sign_proposal(&pv, FIX_CHAIN, &p), PRIVVAL_REGRESSION);
	/* forward is fine */
	again = unsigned_vote(VOTE_TYPE_PRECOMMIT, 2, 1, NULL);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &again), PRIVVAL_OK);
	p.round = 2;
	assert_int_equal(privval_sign_proposal(&pv, FIX_CHAIN, &p), PRIVVAL_OK);
	assert_true(proposal_verify(FIX_CHAIN, &p));
	assert_int_equal(d.writes, 3);
	privval_wipe(&pv);
	fixture_free(&f);
}

static void test_privval_guard_survives_a_restart(void **state UNUSED)
{
	struct fixture f;
	struct privval pv;
	struct disk d = { 0 };
	struct vote v = unsigned_vote(VOTE_TYPE_PRECOMMIT, 3, 2, block_a);
	int64_t round;
	uint8_t id[HASH_SIZE];
	struct vote last;

	fixture_init(&f, 1, NULL);
	assert_int_equal(privval_init(&pv, f.secrets[0], NULL, disk_persist, &d), 0);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &v), PRIVVAL_OK);
	privval_wipe(&pv);
	/* restart from what the callback stored */
	assert_int_equal(privval_init(&pv, f.secrets[0], &d.rec, disk_persist, &d), 0);
	v = unsigned_vote(VOTE_TYPE_PRECOMMIT, 3, 2, block_b);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &v), PRIVVAL_CONFLICT);
	/* the precommit locked block_a at round 2 of height 3 */
	assert_true(privval_lock(&pv, 3, &round, id));
	assert_int_equal(round, 2);
	assert_memory_equal(id, block_a, HASH_SIZE);
	assert_false(privval_lock(&pv, 4, &round, id));
	/* the last vote can be sent again as it was */
	assert_true(privval_last_vote(&pv, 3, &last));
	assert_int_equal(last.type, VOTE_TYPE_PRECOMMIT);
	assert_true(vote_verify(FIX_CHAIN, &last));
	/* a later precommit for nil keeps the lock; a new height clears it */
	v = unsigned_vote(VOTE_TYPE_PRECOMMIT, 3, 3, NULL);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &v), PRIVVAL_OK);
	assert_true(privval_lock(&pv, 3, &round, id));
	assert_int_equal(round, 2);
	v = unsigned_vote(VOTE_TYPE_PREVOTE, 4, 0, NULL);
	assert_int_equal(privval_sign_vote(&pv, FIX_CHAIN, &v), PRIVVAL_OK);
	assert_false(privval_lock(&pv, 4, &round, id));
	privval_wipe(&pv);
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privval_persists_before_releasing),
		cmocka_unit_test(test_privval_refuses_conflicts_and_regressions),
		cmocka_unit_test(test_privval_guard_survives_a_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
