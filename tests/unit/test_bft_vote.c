/* test_bft_vote.c: unit tests of consensus/vote.c and consensus/evidence.c:
 * sign bytes, verification, commit certificates, encodings, evidence. */
#include "consensus/vote.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/evidence.h"
#include "tests/unit/bft_fixture.h"

static const uint8_t block_a[HASH_SIZE] = { 0xaa, 1 };
static const uint8_t block_b[HASH_SIZE] = { 0xbb, 2 };

static void test_vote_digest_covers_every_field(void **state UNUSED)
{
	struct fixture f;
	struct vote v, w;
	uint8_t d0[HASH_SIZE], d1[HASH_SIZE];

	fixture_init(&f, 1, NULL);
	v = fixture_vote(&f, 0, VOTE_TYPE_PREVOTE, 7, 3, block_a);
	vote_digest(FIX_CHAIN, &v, d0);
	w = v;
	w.height = 8;
	vote_digest(FIX_CHAIN, &w, d1);
	assert_memory_not_equal(d0, d1, HASH_SIZE);
	w = v;
	w.round = 4;
	vote_digest(FIX_CHAIN, &w, d1);
	assert_memory_not_equal(d0, d1, HASH_SIZE);
	w = v;
	w.type = VOTE_TYPE_PRECOMMIT;
	vote_digest(FIX_CHAIN, &w, d1);
	assert_memory_not_equal(d0, d1, HASH_SIZE);
	w = v;
	w.block_id[5] ^= 1;
	vote_digest(FIX_CHAIN, &w, d1);
	assert_memory_not_equal(d0, d1, HASH_SIZE);
	w = v;
	w.has_block = false;
	memset(w.block_id, 0, HASH_SIZE);
	vote_digest(FIX_CHAIN, &w, d1);
	assert_memory_not_equal(d0, d1, HASH_SIZE);
	vote_digest("hearth-other", &v, d1);
	assert_memory_not_equal(d0, d1, HASH_SIZE);
	fixture_free(&f);
}

static void test_vote_verify_accepts_signed_and_rejects_altered(void **state UNUSED)
{
	struct fixture f;
	struct vote v, w;

	fixture_init(&f, 2, NULL);
	v = fixture_vote(&f, 0, VOTE_TYPE_PRECOMMIT, 1, 0, block_a);
	assert_true(vote_verify(FIX_CHAIN, &v));
	assert_false(vote_verify("hearth-other", &v));
	w = v;
	w.round = 1;
	assert_false(vote_verify(FIX_CHAIN, &w));
	w = v;
	memcpy(w.validator, f.set.members[1].key, PUBKEY_SIZE);
	assert_false(vote_verify(FIX_CHAIN, &w));
	/* a nil vote must carry an all-zero block id */
	w = fixture_vote(&f, 0, VOTE_TYPE_PREVOTE, 1, 0, NULL);
	assert_true(vote_verify(FIX_CHAIN, &w));
	w.block_id[0] = 1;
	assert_false(vote_verify(FIX_CHAIN, &w));
	fixture_free(&f);
}

static void test_proposal_verify_checks_signature_and_pol_round(void **state UNUSED)
{
	struct fixture f;
	struct proposal_header p;

	fixture_init(&f, 1, NULL);
	p = fixture_proposal(&f, 0, 5, 2, 1, block_a);
	assert_true(proposal_verify(FIX_CHAIN, &p));
	p.pol_round = 0;
	assert_false(proposal_verify(FIX_CHAIN, &p));
	p = fixture_proposal(&f, 0, 5, 2, 2, block_a);
	assert_false(proposal_verify(FIX_CHAIN, &p)); /* pol_round must be < round */
	p = fixture_proposal(&f, 0, 5, 0, -2, block_a);
	assert_false(proposal_verify(FIX_CHAIN, &p));
	fixture_free(&f);
}

/* A commit of members[0..k) for block_a at (3, 1). */
static void make_commit(const struct fixture *f, size_t k, struct commit *c)
{
	memset(c, 0, sizeof(*c));
	c->height = 3;
	c->round = 1;
	memcpy(c->block_id, block_a, HASH_SIZE);
	for (size_t i = 0; i < k; i++) {
		struct vote v = fixture_vote(f, i, VOTE_TYPE_PRECOMMIT, 3, 1, block_a);

		memcpy(c->sigs[i].validator, v.validator, PUBKEY_SIZE);
		memcpy(c->sigs[i].sig, v.sig, SIG_SIZE);
	}
	c->count = k;
}

static void test_commit_verify_needs_more_than_two_thirds(void **state UNUSED)
{
	struct fixture f;
	struct commit *c = malloc(sizeof(*c));

	assert_non_null(c);
	fixture_init(&f, 4, NULL);
	make_commit(&f, 3, c);
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_OK);
	assert_int_equal(commit_verify_for(FIX_CHAIN, c, &f.set, 3, block_a), COMMIT_OK);
	assert_int_equal(commit_verify_for(FIX_CHAIN, c, &f.set, 4, block_a), COMMIT_WRONG_TARGET);
	assert_int_equal(commit_verify_for(FIX_CHAIN, c, &f.set, 3, block_b), COMMIT_WRONG_TARGET);
	make_commit(&f, 2, c);
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_NO_QUORUM);
	make_commit(&f, 0, c);
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_EMPTY);
	fixture_free(&f);
	free(c);
}

static void test_commit_verify_rejects_duplicates_strangers_and_bad_sigs(void **state UNUSED)
{
	struct fixture f, other;
	struct commit *c = malloc(sizeof(*c));

	assert_non_null(c);
	fixture_init(&f, 4, NULL);
	/* a duplicated signer does not count twice */
	make_commit(&f, 3, c);
	c->sigs[2] = c->sigs[1];
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_NOT_SORTED);
	/* unsorted */
	make_commit(&f, 3, c);
	{
		struct commit_sig t = c->sigs[0];

		c->sigs[0] = c->sigs[1];
		c->sigs[1] = t;
	}
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_NOT_SORTED);
	/* a bad signature */
	make_commit(&f, 3, c);
	c->sigs[1].sig[10] ^= 1;
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_BAD_SIGNATURE);
	/* a signature for another round */
	make_commit(&f, 3, c);
	c->round = 2;
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_BAD_SIGNATURE);
	/* a stranger */
	{
		uint64_t powers[1] = { 10 };

		fixture_init(&other, 1, powers);
		make_commit(&f, 3, c);
		assert_int_equal(commit_verify(FIX_CHAIN, c, &other.set),
				 COMMIT_NOT_SORTED); /* more signers than members */
		c->count = 1;
		assert_int_equal(
			commit_verify(FIX_CHAIN, c, &other.set),
			memcmp(c->sigs[0].validator, other.set.members[0].key, PUBKEY_SIZE) == 0
				? COMMIT_OK
				: COMMIT_UNKNOWN_VALIDATOR);
		fixture_free(&other);
	}
	fixture_free(&f);
	free(c);
}

static void test_commit_verify_counts_power_not_heads(void **state UNUSED)
{
	const uint64_t powers[4] = { 1, 1, 1, 7 };
	struct fixture f;
	struct commit *c = malloc(sizeof(*c));
	size_t big = 0;

	assert_non_null(c);
	fixture_init(&f, 4, powers);
	for (size_t i = 0; i < 4; i++)
		if (f.set.members[i].power == 7)
			big = i;
	/* three small members: 3 of 10 is no quorum */
	memset(c, 0, sizeof(*c));
	c->height = 3;
	c->round = 1;
	memcpy(c->block_id, block_a, HASH_SIZE);
	for (size_t i = 0; i < 4; i++) {
		struct vote v;

		if (i == big)
			continue;
		v = fixture_vote(&f, i, VOTE_TYPE_PRECOMMIT, 3, 1, block_a);
		memcpy(c->sigs[c->count].validator, v.validator, PUBKEY_SIZE);
		memcpy(c->sigs[c->count].sig, v.sig, SIG_SIZE);
		c->count++;
	}
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_NO_QUORUM);
	/* the big member alone: 7 of 10 is */
	{
		struct vote v = fixture_vote(&f, big, VOTE_TYPE_PRECOMMIT, 3, 1, block_a);

		c->count = 1;
		memcpy(c->sigs[0].validator, v.validator, PUBKEY_SIZE);
		memcpy(c->sigs[0].sig, v.sig, SIG_SIZE);
	}
	assert_int_equal(commit_verify(FIX_CHAIN, c, &f.set), COMMIT_OK);
	fixture_free(&f);
	free(c);
}

static void test_vote_and_commit_encodings_round_trip(void **state UNUSED)
{
	struct fixture f;
	struct vote v, back;
	struct commit *c = malloc(sizeof(*c)), *c2 = malloc(sizeof(*c2));
	uint8_t *buf, h1[HASH_SIZE], h2[HASH_SIZE];
	size_t len;

	assert_non_null(c);
	assert_non_null(c2);
	fixture_init(&f, 4, NULL);
	v = fixture_vote(&f, 1, VOTE_TYPE_PRECOMMIT, 9, 4, block_b);
	assert_int_equal(vote_encode(&v, &buf, &len), 0);
	assert_int_equal(vote_decode(buf, len, &back), 0);
	assert_memory_equal(&v, &back, sizeof(v));
	assert_int_equal(vote_decode(buf, len - 1, &back), -1);
	free(buf);
	v = fixture_vote(&f, 1, VOTE_TYPE_PREVOTE, 9, 4, NULL);
	assert_int_equal(vote_encode(&v, &buf, &len), 0);
	assert_int_equal(vote_decode(buf, len, &back), 0);
	assert_false(back.has_block);
	assert_true(vote_verify(FIX_CHAIN, &back));
	free(buf);
	make_commit(&f, 3, c);
	assert_int_equal(commit_encode(c, &buf, &len), 0);
	assert_int_equal(commit_decode(buf, len, c2), 0);
	assert_int_equal(c2->count, 3);
	assert_int_equal(commit_verify(FIX_CHAIN, c2, &f.set), COMMIT_OK);
	free(buf);
	assert_int_equal(commit_hash(c, h1), 0);
	assert_int_equal(commit_hash(c2, h2), 0);
	assert_memory_equal(h1, h2, HASH_SIZE);
	fixture_free(&f);
	free(c);
	free(c2);
}

static void test_evidence_is_canonical_and_verifies(void **state UNUSED)
{
	struct fixture f;
	struct vote x, y;
	struct duplicate_vote e1, e2, back;
	uint8_t id1[HASH_SIZE], id2[HASH_SIZE], *buf;
	size_t len;

	fixture_init(&f, 4, NULL);
	x = fixture_vote(&f, 2, VOTE_TYPE_PREVOTE, 5, 1, block_b);
	y = fixture_vote(&f, 2, VOTE_TYPE_PREVOTE, 5, 1, block_a);
	assert_int_equal(evidence_from_votes(&x, &y, &e1), 0);
	assert_int_equal(evidence_from_votes(&y, &x, &e2), 0);
	assert_memory_equal(&e1, &e2, sizeof(e1));
	assert_int_equal(evidence_verify(FIX_CHAIN, &e1, &f.set), EVIDENCE_OK);
	assert_int_equal(evidence_id(&e1, id1), 0);
	assert_int_equal(evidence_id(&e2, id2), 0);
	assert_memory_equal(id1, id2, HASH_SIZE);
	/* swapped order is not canonical */
	e2.a = e1.b;
	e2.b = e1.a;
	assert_int_equal(evidence_verify(FIX_CHAIN, &e2, &f.set), EVIDENCE_NOT_CANONICAL);
	/* encoding round trip */
	assert_int_equal(evidence_encode(&e1, &buf, &len), 0);
	assert_int_equal(evidence_decode(buf, len, &back), 0);
	assert_memory_equal(&e1, &back, sizeof(e1));
	free(buf);
	/* a nil vote against a block vote is a conflict too */
	y = fixture_vote(&f, 2, VOTE_TYPE_PREVOTE, 5, 1, NULL);
	assert_int_equal(evidence_from_votes(&x, &y, &e1), 0);
	assert_false(e1.a.has_block);
	assert_int_equal(evidence_verify(FIX_CHAIN, &e1, &f.set), EVIDENCE_OK);
	fixture_free(&f);
}

static void test_evidence_rejects_non_conflicts_and_forgeries(void **state UNUSED)
{
	struct fixture f, other;
	struct vote x, y;
	struct duplicate_vote e;

	fixture_init(&f, 4, NULL);
	x = fixture_vote(&f, 2, VOTE_TYPE_PREVOTE, 5, 1, block_a);
	/* same vote twice */
	assert_int_equal(evidence_from_votes(&x, &x, &e), -1);
	/* other round, other type, other validator: no conflict */
	y = fixture_vote(&f, 2, VOTE_TYPE_PREVOTE, 5, 2, block_b);
	assert_int_equal(evidence_from_votes(&x, &y, &e), -1);
	y = fixture_vote(&f, 2, VOTE_TYPE_PRECOMMIT, 5, 1, block_b);
	assert_int_equal(evidence_from_votes(&x, &y, &e), -1);
	y = fixture_vote(&f, 3, VOTE_TYPE_PREVOTE, 5, 1, block_b);
	assert_int_equal(evidence_from_votes(&x, &y, &e), -1);
	/* a forged second signature */
	y = fixture_vote(&f, 2, VOTE_TYPE_PREVOTE, 5, 1, block_b);
	y.sig[3] ^= 1;
	assert_int_equal(evidence_from_votes(&x, &y, &e), 0);
	assert_int_equal(evidence_verify(FIX_CHAIN, &e, &f.set), EVIDENCE_BAD_SIGNATURE);
	/* a validator of another set */
	y = fixture_vote(&f, 2, VOTE_TYPE_PREVOTE, 5, 1, block_b);
	assert_int_equal(evidence_from_votes(&x, &y, &e), 0);
	{
		const uint64_t p[1] = { 10 };
		struct validator m;
		struct validator_set set;

		fixture_init(&other, 1, p);
		m = other.set.members[0];
		m.key[0] ^= 0x80; /* not one of f's keys */
		assert_int_equal(validators_set_init(&set, &m, 1), 0);
		if (validators_find(&set, x.validator) < 0)
			assert_int_equal(evidence_verify(FIX_CHAIN, &e, &set),
					 EVIDENCE_UNKNOWN_VALIDATOR);
		fixture_free(&other);
	}
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vote_digest_covers_every_field),
		cmocka_unit_test(test_vote_verify_accepts_signed_and_rejects_altered),
		cmocka_unit_test(test_proposal_verify_checks_signature_and_pol_round),
		cmocka_unit_test(test_commit_verify_needs_more_than_two_thirds),
		cmocka_unit_test(test_commit_verify_rejects_duplicates_strangers_and_bad_sigs),
		cmocka_unit_test(test_commit_verify_counts_power_not_heads),
		cmocka_unit_test(test_vote_and_commit_encodings_round_trip),
		cmocka_unit_test(test_evidence_is_canonical_and_verifies),
		cmocka_unit_test(test_evidence_rejects_non_conflicts_and_forgeries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
