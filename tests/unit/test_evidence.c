/* test_evidence.c: unit tests of the node's evidence verifier
 * (node/evidence_check.c) wired into the ledger, and of the evidence tx and
 * reported set of node/evidence_report.c: real duplicate votes, checked
 * against the validator set of their height. */
#include "node/evidence_check.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/staking.h"
#include "consensus/supply.h"
#include "consensus/tx.h"
#include "node/evidence_report.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

#define REPORTER 2 /* the key that sends the evidence txs */

static const uint8_t block_a[HASH_SIZE] = { 0xaa };
static const uint8_t block_b[HASH_SIZE] = { 0xbb };

/* A prevote of signer idx at (height, round) for id (NULL: nil). */
static struct vote signed_vote(const struct fixture *f, int idx, uint64_t height, uint32_t round,
			       const uint8_t *id)
{
	struct vote v;
	uint8_t digest[HASH_SIZE];

	memset(&v, 0, sizeof(v));
	v.type = VOTE_TYPE_PREVOTE;
	v.height = height;
	v.round = round;
	v.has_block = id != NULL;
	if (id != NULL)
		memcpy(v.block_id, id, HASH_SIZE);
	memcpy(v.validator, f->signers[idx].pubkey, PUBKEY_SIZE);
	vote_digest(FIX_CHAIN, &v, digest);
	assert_int_equal(sig_sign(&f->signers[idx], digest, v.sig), 0);
	return v;
}

/* Evidence that signer idx voted for block_a and block_b at height. */
static struct duplicate_vote double_vote(const struct fixture *f, int idx, uint64_t height)
{
	struct vote x = signed_vote(f, idx, height, 0, block_a);
	struct vote y = signed_vote(f, idx, height, 0, block_b);
	struct duplicate_vote ev;

	assert_int_equal(evidence_from_votes(&x, &y, &ev), 0);
	return ev;
}

/* The evidence tx of ev from REPORTER with nonce. Out: *len. */
static uint8_t *evidence_tx(struct fixture *f, const struct duplicate_vote *ev, uint64_t nonce,
			    size_t *len)
{
	uint8_t *tx;
	struct evidence any;

	evidence_of_votes(ev, &any);
	assert_int_equal(evidence_report_build_tx(FIX_CHAIN, &f->signers[REPORTER], &any, nonce, 2,
						  &tx, len),
			 0);
	return tx;
}

static void use_node_verifier(struct fixture *f)
{
	evidence_check_install(&f->ledger.cfg);
}

static bool jailed(struct fixture *f, int idx)
{
	bool is = false;

	assert_int_equal(staking_is_jailed(fix_chain_state(&f->chain), f->signers[idx].pubkey, &is),
			 STATE_OK);
	return is;
}

/* Key 1 bonds as a candidate in block 1 and is in the set from height 3. */
static void key1_joins(struct fixture *f)
{
	size_t len;

	fix_block1(f, fix_bond_validator(f, 1, 1, FIX_FEE, 2 * FIX_BOND, &len), &len);
	fix_empty_block(f);
	fix_empty_block(f);
}

static void test_valid_evidence_slashes_and_jails(void **state)
{
	struct fixture *f = *state;
	struct duplicate_vote ev;
	struct vote x, y;
	struct supply sup;
	struct account a;
	size_t len;

	use_node_verifier(f);
	key1_joins(f);
	ev = double_vote(f, 1, 3);
	fix_block1(f, evidence_tx(f, &ev, 1, &len), &len); /* height 4 */
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.bonded, 2 * FIX_BOND - 2 * FIX_BOND / 10);
	assert_int_equal(supply_load(fix_chain_state(&f->chain), &sup), STATE_OK);
	assert_int_equal(sup.burned, 2 * FIX_BOND / 10);
	assert_true(jailed(f, 1));
	/* the same evidence, or another of the same validator, is a duplicate */
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 2, &len), &len),
			 LEDGER_EVIDENCE_ALREADY_JAILED);
	x = signed_vote(f, 1, 3, 1, NULL);
	y = signed_vote(f, 1, 3, 1, block_a);
	assert_int_equal(evidence_from_votes(&x, &y, &ev), 0);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 2, &len), &len),
			 LEDGER_EVIDENCE_ALREADY_JAILED);
}

static void test_evidence_is_checked_against_the_set_of_its_height(void **state)
{
	struct fixture *f = *state;
	struct duplicate_vote ev;
	size_t len;

	use_node_verifier(f);
	key1_joins(f);
	/* key 1 was not in the set yet at height 2 */
	ev = double_vote(f, 1, 2);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	/* key 3 never was a validator */
	ev = double_vote(f, 3, 3);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	/* key 0 was, at height 2 */
	ev = double_vote(f, 0, 2);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len), LEDGER_OK);
	assert_false(jailed(f, 0));
}

static void test_evidence_with_a_bad_signature_is_rejected(void **state)
{
	struct fixture *f = *state;
	struct duplicate_vote ev;
	size_t len;

	use_node_verifier(f);
	key1_joins(f);
	ev = double_vote(f, 1, 3);
	ev.b.sig[5] ^= 0x01;
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	/* votes of another chain do not count either */
	ev = double_vote(f, 1, 3);
	{
		uint8_t digest[HASH_SIZE];

		vote_digest("hearth-other", &ev.a, digest);
		assert_int_equal(sig_sign(&f->signers[1], digest, ev.a.sig), 0);
	}
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	/* two votes for the same block are no evidence */
	ev = double_vote(f, 1, 3);
	ev.b = ev.a;
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	assert_false(jailed(f, 1));
}

static void test_old_and_future_evidence_is_rejected(void **state)
{
	struct fixture *f = *state;
	struct duplicate_vote ev = double_vote(f, 0, 1);
	size_t len;

	use_node_verifier(f);
	for (int i = 0; i < 5; i++)
		fix_empty_block(f); /* tip 5: the next block is 6 */
	/* more than unbonding_blocks (3) below the block's height */
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_TOO_OLD);
	ev = double_vote(f, 0, 2);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_TOO_OLD);
	ev = double_vote(f, 0, 3);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len), LEDGER_OK);
	ev = double_vote(f, 0, 6);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len), LEDGER_EVIDENCE_FUTURE);
}

static void test_verifier_rejects_malformed_evidence(void **state)
{
	struct fixture *f = *state;
	Hearth__Evidence ev = HEARTH__EVIDENCE__INIT;
	Hearth__DuplicateVote dv = HEARTH__DUPLICATE_VOTE__INIT;
	struct duplicate_vote good = double_vote(f, 0, 1);
	Hearth__Vote a, b;
	uint8_t offender[PUBKEY_SIZE];

	assert_int_equal(
		evidence_check_verify(NULL, FIX_CHAIN, fix_chain_state(&f->chain), &ev, offender),
		-1);
	vote_to_proto(&good.a, &a);
	vote_to_proto(&good.b, &b);
	dv.a = &a;
	dv.b = &b;
	ev.kind_case = HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE;
	ev.duplicate_vote = &dv;
	assert_int_equal(
		evidence_check_verify(NULL, FIX_CHAIN, fix_chain_state(&f->chain), &ev, offender),
		0);
	assert_memory_equal(offender, f->signers[0].pubkey, PUBKEY_SIZE);
	b.validator.len = PUBKEY_SIZE - 1;
	assert_int_equal(
		evidence_check_verify(NULL, FIX_CHAIN, fix_chain_state(&f->chain), &ev, offender),
		-1);
	b.validator.len = PUBKEY_SIZE;
	/* not canonical: b before a */
	dv.a = &b;
	dv.b = &a;
	assert_int_equal(
		evidence_check_verify(NULL, FIX_CHAIN, fix_chain_state(&f->chain), &ev, offender),
		-1);
}

static void test_report_marks_each_validator_and_height_once(void **state UNUSED)
{
	struct evidence_report *r = malloc(sizeof(*r));
	uint8_t key[PUBKEY_SIZE] = { 7 }, other[PUBKEY_SIZE] = { 8 };

	assert_non_null(r);
	evidence_report_init(r);
	assert_true(evidence_report_mark(r, key, 10));
	assert_false(evidence_report_mark(r, key, 10));
	assert_true(evidence_report_mark(r, key, 11));
	assert_true(evidence_report_mark(r, other, 10));
	/* the ring forgets the oldest pair once full */
	for (uint64_t h = 100; h < 100 + EVIDENCE_REPORT_SEEN_MAX; h++)
		assert_true(evidence_report_mark(r, key, h));
	assert_int_equal(r->num_seen, EVIDENCE_REPORT_SEEN_MAX);
	assert_false(evidence_report_mark(r, key, 100 + EVIDENCE_REPORT_SEEN_MAX - 1));
	assert_true(evidence_report_mark(r, key, 10));
	free(r);
}

static void test_report_pending_list_is_bounded(void **state UNUSED)
{
	struct evidence_report *r = malloc(sizeof(*r));
	uint8_t id[HASH_SIZE] = { 0 };
	struct evidence ev;

	assert_non_null(r);
	evidence_report_init(r);
	memset(&ev, 0, sizeof(ev));
	for (int i = 0; i < EVIDENCE_REPORT_PENDING_MAX + 2; i++) {
		id[0] = (uint8_t)i;
		ev.u.vote.a.height = (uint64_t)i;
		evidence_report_add_pending(r, id, &ev);
	}
	assert_int_equal(r->num_pending, EVIDENCE_REPORT_PENDING_MAX);
	assert_int_equal(r->pending[0][0], 2); /* the two oldest went */
	assert_int_equal(evidence_height(&r->pending_ev[0]), 2);
	evidence_report_drop_pending(r, 0);
	assert_int_equal(r->pending[0][0], 3);
	assert_int_equal(evidence_height(&r->pending_ev[0]), 3);
	evidence_report_drop_pending(r, r->num_pending - 1);
	assert_int_equal(r->num_pending, EVIDENCE_REPORT_PENDING_MAX - 2);
	assert_int_equal(r->pending[r->num_pending - 1][0], EVIDENCE_REPORT_PENDING_MAX);
	evidence_report_drop_pending(r, r->num_pending); /* out of range: nothing */
	assert_int_equal(r->num_pending, EVIDENCE_REPORT_PENDING_MAX - 2);
	free(r);
}

static void test_report_waiting_list_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct evidence_report *r = malloc(sizeof(*r));
	struct duplicate_vote dv = double_vote(f, 0, 4);
	struct evidence ev;

	evidence_of_votes(&dv, &ev);
	assert_non_null(r);
	evidence_report_init(r);
	for (int i = 0; i < EVIDENCE_REPORT_WAITING_MAX; i++)
		assert_true(evidence_report_wait(r, &ev));
	assert_false(evidence_report_wait(r, &ev));
	assert_int_equal(r->num_waiting, EVIDENCE_REPORT_WAITING_MAX);
	assert_int_equal(evidence_height(&r->waiting[0]), 4);
	assert_memory_equal(r->waiting[0].u.vote.b.sig, dv.b.sig, SIG_SIZE);
	free(r);
}

static void test_evidence_tx_pays_the_rate_of_its_size(void **state)
{
	struct fixture *f = *state;
	struct duplicate_vote dv = double_vote(f, 0, 1);
	struct evidence ev;
	struct tx tx;
	uint8_t *bytes;
	size_t len;

	evidence_of_votes(&dv, &ev);

	assert_int_equal(evidence_report_build_tx(FIX_CHAIN, &f->signers[REPORTER], &ev, 9, 300,
						  &bytes, &len),
			 0);
	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &f->genesis.params, true, &tx, NULL),
			 LEDGER_OK);
	assert_int_equal(tx.body->fee, 300 * len);
	assert_int_equal(tx.body->nonce, 9);
	assert_int_equal(tx.body->kind_case, HEARTH__TX_BODY__KIND_EVIDENCE);
	tx_free(&tx);
	free(bytes);
	assert_int_equal(evidence_report_build_tx(FIX_CHAIN, &f->signers[REPORTER], &ev, 1,
						  UINT64_MAX / 2, &bytes, &len),
			 -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fix_group_setup, fix_group_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_evidence_slashes_and_jails),
		T(test_evidence_is_checked_against_the_set_of_its_height),
		T(test_evidence_with_a_bad_signature_is_rejected),
		T(test_old_and_future_evidence_is_rejected),
		T(test_verifier_rejects_malformed_evidence),
		cmocka_unit_test(test_report_marks_each_validator_and_height_once),
		cmocka_unit_test(test_report_pending_list_is_bounded),
		T(test_report_waiting_list_is_bounded),
		T(test_evidence_tx_pays_the_rate_of_its_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
