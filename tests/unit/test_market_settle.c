/* test_market_settle.c: unit tests of receipts and settlement (market/
 * receipt.c, settle.c, lease.c): every receipt rule, payment of billed
 * seconds after the challenge window with the rest refunded, the cap by the
 * bid, missed deadlines (refund and slash without jail, stake unbonded
 * during the lease included), slots back to the book, offers that expired
 * while leased, reputation counters; exact balances throughout. */
#include "market/market.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/staking.h"
#include "consensus/supply.h"
#include "market/reputation.h"
#include "tests/unit/market_fixture.h"
#include "tests/unit/test_util.h"

static int setup(void **state)
{
	struct fixture *f = malloc(sizeof(*f));

	assert_non_null(f);
	mf_setup(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fix_teardown(*state);
	free(*state);
	return 0;
}

/* An offer of provider 1 at price 10 (slots), a bid of consumer 4 matched
 * on it (max 20/s, 60 s). Out: offer_id, bid_id, lease_id. */
static void leased(struct fixture *f, uint32_t slots, uint8_t *offer_id, uint8_t *bid_id,
		   uint8_t *lease_id)
{
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);

	s.slots = slots;
	mf_offer(f, 1, &s, offer_id);
	mf_bid(f, 4, &b, bid_id);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	market_lease_id(bid_id, 0, lease_id);
}

static Hearth__LeaseState lease_state(const struct fixture *f, const uint8_t *bid_id)
{
	Hearth__Lease *l = mf_lease_record(f, bid_id, 0);
	Hearth__LeaseState s = l->state;

	codec_free((ProtobufCMessage *)l);
	return s;
}

static void receipt(struct fixture *f, int idx, const uint8_t *lease_id, uint64_t wall_ms)
{
	size_t len;
	uint8_t *tx = mf_receipt_tx(f, idx, mf_nonce(f, idx), lease_id, MARKET_ID_SIZE, wall_ms, 32,
				    &len);

	mf_block1(f, tx, len);
}

/* What provider idx pays for its own tx in a block: its fee, unless it
 * proposed the block (key 0, the fixture's only validator, proposes every
 * block) and collected the fee back. */
static uint64_t own_fee(const struct fixture *f UNUSED, int idx)
{
	return idx == 0 ? 0 : FIX_FEE;
}

static struct market_reputation reputation(const struct fixture *f, int idx)
{
	struct market_reputation rep;

	assert_int_equal(
		market_reputation_load(fix_chain_state(&f->chain), f->signers[idx].pubkey, &rep),
		STATE_OK);
	return rep;
}

static void test_receipt_settles_after_the_challenge_window(void **state)
{
	struct fixture *f = *state;
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE];
	uint64_t provider, consumer;
	Hearth__ReceiptRecord *rec;
	Hearth__OfferRecord *o;
	struct market_reputation rep;

	leased(f, 2, offer_id, bid_id, lease_id);
	assert_int_equal(mf_escrow(&f->chain), 10 * 60);
	consumer = fix_account(f, &f->chain, 4).balance;
	provider = fix_account(f, &f->chain, 1).balance;
	receipt(f, 1, lease_id, 12345); /* billed 13 s */
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_RECEIPTED);
	assert_int_equal(market_receipt_get(fix_chain_state(&f->chain), lease_id, &rec), STATE_OK);
	assert_int_equal(rec->height, f->chain.tip.height);
	assert_int_equal(rec->outcome->usage->wall_ms, 12345);
	codec_free((ProtobufCMessage *)rec);
	mf_empty_block(f);
	mf_empty_block(f); /* receipt height + 2: still in the window */
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_RECEIPTED);
	assert_int_equal(mf_escrow(&f->chain), 600);
	mf_empty_block(f); /* receipt height + challenge_blocks (3) */
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, provider - own_fee(f, 1) + 130);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer + 600 - 130);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
	o = mf_offer_record(f, offer_id);
	assert_int_equal(o->free_slots, 2);
	codec_free((ProtobufCMessage *)o);
	rep = reputation(f, 1);
	assert_int_equal(rep.completed, 1);
	assert_int_equal(rep.failed + rep.slashed + rep.disputes_lost, 0);
}

static void test_billed_seconds_are_capped_by_the_bid(void **state)
{
	struct fixture *f = *state;
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE];
	uint64_t provider, consumer;

	leased(f, 1, offer_id, bid_id, lease_id);
	consumer = fix_account(f, &f->chain, 4).balance;
	provider = fix_account(f, &f->chain, 1).balance;
	receipt(f, 1, lease_id, 1000000000);
	for (int i = 0; i < 3; i++)
		mf_empty_block(f);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, provider - own_fee(f, 1) + 600);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer);
	assert_int_equal(mf_escrow(&f->chain), 0);
}

static void test_receipt_rules_each_have_a_reason(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	struct offer_spec s = mf_offer_spec(f);
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE],
		lease_id[MARKET_ID_SIZE + 1] = { 0 };
	uint8_t other[MARKET_ID_SIZE] = { 9 }, pair_id[MARKET_ID_SIZE], pair_lease[MARKET_ID_SIZE];
	size_t len;
	uint8_t *tx;

	leased(f, 2, offer_id, bid_id, lease_id);
	tx = mf_receipt_tx(f, 1, mf_nonce(f, 1), lease_id, MARKET_ID_SIZE + 1, 1, 32, &len);
	mf_assert_rejected(f, tx, len, MARKET_RECEIPT_BAD_LEASE_ID);
	tx = mf_receipt_tx(f, 1, mf_nonce(f, 1), other, MARKET_ID_SIZE, 1, 32, &len);
	mf_assert_rejected(f, tx, len, MARKET_RECEIPT_LEASE_NOT_FOUND);
	tx = mf_receipt_tx(f, 2, mf_nonce(f, 2), lease_id, MARKET_ID_SIZE, 1, 32, &len);
	mf_assert_rejected(f, tx, len, MARKET_RECEIPT_NOT_PROVIDER);
	tx = mf_receipt_tx(f, 1, mf_nonce(f, 1), lease_id, MARKET_ID_SIZE, 1, 31, &len);
	mf_assert_rejected(f, tx, len, MARKET_RECEIPT_BAD_RESULT_HASH);
	receipt(f, 1, lease_id, 1);
	tx = mf_receipt_tx(f, 1, mf_nonce(f, 1), lease_id, MARKET_ID_SIZE, 1, 32, &len);
	mf_assert_rejected(f, tx, len, MARKET_RECEIPT_NOT_ACTIVE);
	/* a lease with two replicas takes commit and reveal */
	mf_offer(f, 2, &s, NULL);
	b.replicas = 2;
	mf_bid(f, 4, &b, pair_id);
	mf_assert_bid(f, pair_id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	market_lease_id(pair_id, 0, pair_lease);
	tx = mf_receipt_tx(f, 1, mf_nonce(f, 1), pair_lease, MARKET_ID_SIZE, 1, 32, &len);
	mf_assert_rejected(f, tx, len, MARKET_RECEIPT_REPLICATED);
}

/* Empty blocks up to and including height. */
static void run_to(struct fixture *f, uint64_t height)
{
	while (f->chain.tip.height < height)
		mf_empty_block(f);
}

static uint64_t lease_deadline(const struct fixture *f, const uint8_t *bid_id)
{
	Hearth__Lease *l = mf_lease_record(f, bid_id, 0);
	uint64_t d = l->deadline_height;

	codec_free((ProtobufCMessage *)l);
	return d;
}

static void test_receipt_in_the_deadline_block_is_accepted(void **state)
{
	struct fixture *f = *state;
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE];

	leased(f, 1, offer_id, bid_id, lease_id);
	run_to(f, lease_deadline(f, bid_id) - 1);
	receipt(f, 1, lease_id, 5000);
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_RECEIPTED);
}

static void test_missed_deadline_refunds_and_slashes_without_jail(void **state)
{
	struct fixture *f = *state;
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE];
	uint64_t consumer, deadline;
	struct market_reputation rep;
	struct supply sup;
	size_t len;
	uint8_t *tx;
	bool jailed;

	leased(f, 1, offer_id, bid_id, lease_id);
	consumer = fix_account(f, &f->chain, 4).balance;
	deadline = lease_deadline(f, bid_id);
	run_to(f, deadline - 1);
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_ACTIVE);
	mf_empty_block(f); /* the deadline block ends without a receipt */
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer + 600);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
	/* 10% of the bond burned, no jail */
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND - MF_BOND / 10);
	assert_int_equal(supply_load(fix_chain_state(&f->chain), &sup), STATE_OK);
	assert_int_equal(sup.burned, MF_BOND / 10);
	assert_int_equal(
		staking_is_jailed(fix_chain_state(&f->chain), f->signers[1].pubkey, &jailed),
		STATE_OK);
	assert_false(jailed);
	rep = reputation(f, 1);
	assert_int_equal(rep.failed, 1);
	assert_int_equal(rep.slashed, 1);
	assert_int_equal(rep.completed, 0);
	assert_int_equal(market_reputation_score(&rep), 25);
	/* too late now */
	tx = mf_receipt_tx(f, 1, mf_nonce(f, 1), lease_id, MARKET_ID_SIZE, 1, 32, &len);
	mf_assert_rejected(f, tx, len, MARKET_RECEIPT_AFTER_DEADLINE);
	/* the offer is free again and the provider may still serve */
	tx = mf_cancel_offer_tx(f, 1, mf_nonce(f, 1), offer_id, MARKET_ID_SIZE, &len);
	mf_block1(f, tx, len);
}

static void test_stake_unbonded_during_the_lease_is_slashed(void **state)
{
	struct fixture *f = *state;
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE];
	struct account a;
	size_t len;
	uint8_t *tx;

	leased(f, 1, offer_id, bid_id, lease_id);
	run_to(f, lease_deadline(f, bid_id) - 2);
	/* the provider unbonds everything below the minimum before its
	 * deadline (released after it, unbonding_blocks = 3) */
	tx = fix_unbond(f, 1, mf_nonce(f, 1), FIX_FEE, MF_BOND, &len);
	mf_block1(f, tx, len);
	mf_empty_block(f); /* the deadline */
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.bonded, 0);
	assert_int_equal(a.unbonding, MF_BOND - MF_BOND / 10);
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_FAILED);
}

static void test_replicated_lease_without_a_commitment_is_slashed(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t bid_id[MARKET_ID_SIZE];
	uint64_t consumer;
	struct market_reputation rep;

	mf_offer(f, 1, &s, NULL);
	mf_offer(f, 2, &s, NULL);
	b.replicas = 2;
	mf_bid(f, 4, &b, bid_id);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	consumer = fix_account(f, &f->chain, 4).balance;
	run_to(f, lease_deadline(f, bid_id));
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_FAILED);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
	/* both shares and the tie-break reserve (20 x 60) back */
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer + 2 * 600 + 1200);
	assert_int_equal(mf_escrow(&f->chain), 0);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND - MF_BOND / 10);
	assert_int_equal(fix_account(f, &f->chain, 2).bonded, MF_BOND - MF_BOND / 10);
	rep = reputation(f, 1);
	assert_int_equal(rep.failed, 1);
	assert_int_equal(rep.slashed, 1);
}

static void test_settled_slot_serves_the_next_bid_in_the_same_block(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE];
	uint8_t next[MARKET_ID_SIZE];

	leased(f, 1, offer_id, bid_id, lease_id);
	mf_bid(f, 5, &b, next);
	mf_assert_bid(f, next, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_NO_OFFERS);
	receipt(f, 1, lease_id, 1000);
	mf_empty_block(f);
	mf_empty_block(f);
	mf_assert_bid(f, next, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_NO_OFFERS);
	mf_empty_block(f); /* settlement, then matching */
	mf_assert_bid(f, next, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
}

static void test_expired_offer_goes_when_its_last_lease_ends(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE];

	s.expiry = f->chain.tip.height + 3;
	mf_offer(f, 1, &s, offer_id);
	mf_bid(f, 4, &b, bid_id);
	market_lease_id(bid_id, 0, lease_id);
	mf_empty_block(f); /* expiry: kept for the lease */
	assert_true(mf_offer_exists(f, offer_id));
	receipt(f, 1, lease_id, 1000);
	run_to(f, f->chain.tip.height + 3);
	assert_int_equal(lease_state(f, bid_id), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_false(mf_offer_exists(f, offer_id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_receipt_settles_after_the_challenge_window,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_billed_seconds_are_capped_by_the_bid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_receipt_rules_each_have_a_reason, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_receipt_in_the_deadline_block_is_accepted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_missed_deadline_refunds_and_slashes_without_jail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stake_unbonded_during_the_lease_is_slashed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_replicated_lease_without_a_commitment_is_slashed, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_settled_slot_serves_the_next_bid_in_the_same_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_offer_goes_when_its_last_lease_ends,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
