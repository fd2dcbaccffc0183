/* test_market_verify.c: unit tests of result verification (market/
 * reveal.c, dispute.c): commit then reveal for replicated leases (every
 * rule, the window opening only once every replica committed, early close,
 * majority paid, dissent, faults and non-revealers slashed, no majority
 * refunded) and disputes of single-replica receipts (every rule, the
 * verifier chosen from the seed, provider right, provider wrong, no
 * verifier, verifier missing its deadline); exact balances. */
#include "market/market.h"

#include <stdlib.h>
#include <string.h>

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

static const uint8_t salt[3][8] = { "salt-one", "salt-two", "salt-3!!" };

/* Fees of n txs in a block collected by idx if it proposes the block (key
 * 0, the fixture's only validator, proposes every block). */
static uint64_t proposer_fees(const struct fixture *f UNUSED, int idx, uint64_t n)
{
	return idx == 0 ? n * FIX_FEE : 0;
}

/* Offers of providers 1..r at prices 10, 11, ... and a bid of consumer 4
 * for r replicas matched on them (replica i on provider i + 1). */
/* A replicated bid's tie-break reserve: its max price 20 x max duration 60,
 * back to the consumer when the bid settles without a tie-break. */
#define RESERVE (20 * 60)

static void replicated(struct fixture *f, uint32_t r, uint8_t *bid_id,
		       uint8_t (*leases)[MARKET_ID_SIZE])
{
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);

	for (uint32_t i = 0; i < r; i++) {
		s.price = 10 + i;
		mf_offer(f, (int)i + 1, &s, NULL);
	}
	b.replicas = r;
	mf_bid(f, 4, &b, bid_id);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	for (uint32_t i = 0; i < r; i++)
		market_lease_id(bid_id, i, leases[i]);
}

static void commit(struct fixture *f, int idx, const uint8_t *lease, uint8_t hash_byte)
{
	uint8_t c[HASH_SIZE];
	size_t len;

	mf_commitment(f, idx, hash_byte, salt[idx - 1], sizeof(salt[0]), c);
	{
		uint8_t *tx_ = mf_commit_tx(f, idx, mf_nonce(f, idx), lease, MARKET_ID_SIZE, c,
					    HASH_SIZE, &len);

		mf_block1(f, tx_, len);
	}
}

static void reveal(struct fixture *f, int idx, const uint8_t *lease, uint8_t hash_byte,
		   uint64_t wall_ms)
{
	size_t len;
	uint8_t *tx = mf_reveal_tx(f, idx, mf_nonce(f, idx), lease, hash_byte, HASH_SIZE,
				   salt[idx - 1], sizeof(salt[0]), wall_ms, &len);

	mf_block1(f, tx, len);
}

static Hearth__LeaseState state_of(const struct fixture *f, const uint8_t *bid_id, uint32_t i)
{
	Hearth__Lease *l = mf_lease_record(f, bid_id, i);
	Hearth__LeaseState s = l->state;

	codec_free((ProtobufCMessage *)l);
	return s;
}

static struct market_reputation rep_of(const struct fixture *f, int idx)
{
	struct market_reputation rep;

	assert_int_equal(
		market_reputation_load(fix_chain_state(&f->chain), f->signers[idx].pubkey, &rep),
		STATE_OK);
	return rep;
}

static void test_majority_is_paid_and_dissent_slashed(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[3][MARKET_ID_SIZE];
	uint64_t consumer, p1, p2;
	size_t len;
	uint8_t *tx;

	replicated(f, 3, bid_id, leases);
	/* the leases' shares and the tie-break reserve, max price 20 x 60 */
	assert_int_equal(mf_escrow(&f->chain), (10 + 11 + 12) * 60 + RESERVE);
	commit(f, 1, leases[0], 0xaa);
	/* nobody may reveal before every replica committed */
	tx = mf_reveal_tx(f, 1, mf_nonce(f, 1), leases[0], 0xaa, HASH_SIZE, salt[0], 8, 1000, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_NOT_OPEN);
	commit(f, 2, leases[1], 0xaa);
	commit(f, 3, leases[2], 0xbb);
	reveal(f, 1, leases[0], 0xaa, 10500); /* billed 11 s */
	reveal(f, 2, leases[1], 0xaa, 20000);
	consumer = fix_account(f, &f->chain, 4).balance;
	p1 = fix_account(f, &f->chain, 1).balance;
	p2 = fix_account(f, &f->chain, 2).balance;
	reveal(f, 3, leases[2], 0xbb, 20000); /* the last reveal closes the window */
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(state_of(f, bid_id, 2), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, p1 + 110 + proposer_fees(f, 1, 1));
	assert_int_equal(fix_account(f, &f->chain, 2).balance, p2 + 220 + proposer_fees(f, 2, 1));
	assert_int_equal(fix_account(f, &f->chain, 4).balance,
			 consumer + (10 * 60 - 110) + (11 * 60 - 220) + 12 * 60 + RESERVE);
	assert_int_equal(fix_account(f, &f->chain, 3).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
	assert_int_equal(rep_of(f, 1).completed, 1);
	assert_int_equal(rep_of(f, 3).slashed, 1);
	assert_int_equal(rep_of(f, 3).failed, 1);
}

static void test_non_revealer_and_bad_reveal_are_faults(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[3][MARKET_ID_SIZE];
	Hearth__BidRecord *bid;
	uint64_t end;
	size_t len;
	uint8_t *tx;

	replicated(f, 3, bid_id, leases);
	commit(f, 1, leases[0], 0xaa);
	commit(f, 2, leases[1], 0xaa);
	commit(f, 3, leases[2], 0xaa);
	bid = mf_bid_record(f, bid_id);
	end = bid->reveal_height;
	codec_free((ProtobufCMessage *)bid);
	assert_int_equal(end, f->chain.tip.height + 4);
	reveal(f, 1, leases[0], 0xaa, 1000);
	/* provider 2 reveals another result than it committed to */
	tx = mf_reveal_tx(f, 2, mf_nonce(f, 2), leases[1], 0xcc, HASH_SIZE, salt[1], 8, 1000, &len);
	mf_block1(f, tx, len);
	/* provider 3 never reveals: the window runs to its end */
	while (f->chain.tip.height < end - 1)
		mf_empty_block(f);
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_RECEIPTED);
	mf_empty_block(f);
	/* one valid vote of three is no majority: everything is refunded,
	 * the faulty and the silent providers are slashed */
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND);
	assert_int_equal(fix_account(f, &f->chain, 2).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(fix_account(f, &f->chain, 3).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(mf_escrow(&f->chain), 0);
	tx = mf_reveal_tx(f, 3, mf_nonce(f, 3), leases[2], 0xaa, HASH_SIZE, salt[2], 8, 1000, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_CLOSED);
}

/* No third provider offers: no tie-break verifier can be drawn (the
 * tie-breaks themselves: test_market_tiebreak.c). */
static void test_honest_disagreement_without_majority_is_refunded(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE];
	uint64_t consumer;

	replicated(f, 2, bid_id, leases);
	commit(f, 1, leases[0], 0xaa);
	commit(f, 2, leases[1], 0xbb);
	reveal(f, 1, leases[0], 0xaa, 1000);
	consumer = fix_account(f, &f->chain, 4).balance;
	reveal(f, 2, leases[1], 0xbb, 1000);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer + (10 + 11) * 60 + RESERVE);
	assert_int_equal(mf_escrow(&f->chain), 0);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND);
	assert_int_equal(fix_account(f, &f->chain, 2).bonded, MF_BOND);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

static void test_commit_and_reveal_rules_each_have_a_reason(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE], single[MARKET_ID_SIZE];
	uint8_t c[HASH_SIZE + 1] = { 0 }, bad_id[MARKET_ID_SIZE + 1] = { 0 },
			      other[MARKET_ID_SIZE] = { 3 };
	size_t len;
	uint8_t *tx;

	replicated(f, 2, bid_id, leases);
	mf_commitment(f, 1, 0xaa, salt[0], 8, c);
	tx = mf_commit_tx(f, 1, mf_nonce(f, 1), bad_id, MARKET_ID_SIZE + 1, c, HASH_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_COMMIT_BAD_LEASE_ID);
	tx = mf_commit_tx(f, 1, mf_nonce(f, 1), other, MARKET_ID_SIZE, c, HASH_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_COMMIT_LEASE_NOT_FOUND);
	tx = mf_commit_tx(f, 2, mf_nonce(f, 2), leases[0], MARKET_ID_SIZE, c, HASH_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_COMMIT_NOT_PROVIDER);
	tx = mf_commit_tx(f, 1, mf_nonce(f, 1), leases[0], MARKET_ID_SIZE, c, HASH_SIZE + 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_COMMIT_BAD_COMMITMENT);
	commit(f, 1, leases[0], 0xaa);
	tx = mf_commit_tx(f, 1, mf_nonce(f, 1), leases[0], MARKET_ID_SIZE, c, HASH_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_COMMIT_NOT_ACTIVE);
	/* a single-replica lease takes a receipt */
	s.price = 5;
	mf_offer(f, 3, &s, NULL);
	mf_bid(f, 5, &b, single);
	market_lease_id(single, 0, leases[1]);
	tx = mf_commit_tx(f, 3, mf_nonce(f, 3), leases[1], MARKET_ID_SIZE, c, HASH_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_COMMIT_NOT_REPLICATED);
	tx = mf_reveal_tx(f, 3, mf_nonce(f, 3), leases[1], 0xaa, HASH_SIZE, salt[0], 8, 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_NOT_REPLICATED);
	market_lease_id(bid_id, 1, leases[1]);
	commit(f, 2, leases[1], 0xaa); /* the window opens */
	tx = mf_reveal_tx(f, 2, mf_nonce(f, 2), leases[0], 0xaa, HASH_SIZE, salt[0], 8, 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_NOT_PROVIDER);
	tx = mf_reveal_tx(f, 1, mf_nonce(f, 1), leases[0], 0xaa, HASH_SIZE, salt[0], 0, 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_BAD_SALT);
	tx = mf_reveal_tx(f, 1, mf_nonce(f, 1), leases[0], 0xaa, HASH_SIZE - 1, salt[0], 8, 1,
			  &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_BAD_RESULT_HASH);
	tx = mf_reveal_tx(f, 1, mf_nonce(f, 1), bad_id, 0xaa, HASH_SIZE, salt[0], 8, 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_LEASE_NOT_FOUND);
	reveal(f, 1, leases[0], 0xaa, 1000);
	tx = mf_reveal_tx(f, 1, mf_nonce(f, 1), leases[0], 0xaa, HASH_SIZE, salt[0], 8, 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_DUPLICATE);
}

static void test_a_failed_replica_lets_the_others_reveal(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[3][MARKET_ID_SIZE];
	Hearth__Lease *l;
	uint64_t deadline;
	size_t len;
	uint8_t *tx;

	replicated(f, 3, bid_id, leases);
	l = mf_lease_record(f, bid_id, 2);
	deadline = l->deadline_height;
	codec_free((ProtobufCMessage *)l);
	commit(f, 1, leases[0], 0xaa);
	commit(f, 2, leases[1], 0xaa);
	while (f->chain.tip.height < deadline)
		mf_empty_block(f); /* provider 3 never commits */
	assert_int_equal(state_of(f, bid_id, 2), HEARTH__LEASE_STATE__LEASE_FAILED);
	tx = mf_commit_tx(f, 3, mf_nonce(f, 3), leases[2], MARKET_ID_SIZE, leases[0], HASH_SIZE,
			  &len);
	mf_assert_rejected(f, tx, len, MARKET_COMMIT_AFTER_DEADLINE);
	tx = mf_reveal_tx(f, 3, mf_nonce(f, 3), leases[2], 0xaa, HASH_SIZE, salt[2], 8, 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_NOT_COMMITTED);
	reveal(f, 1, leases[0], 0xaa, 1000);
	reveal(f, 2, leases[1], 0xaa, 1000); /* 2 of 3 agree: a majority */
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(mf_escrow(&f->chain), 0);
}

/* ---------------------------------------------------------------- disputes */

/* A single-replica lease of provider 1 (price 10) receipted with hash 0xaa
 * and wall 10 s; with verifiers, providers 2 and 3 offer at 15 and 16. Out: bid_id, lease_id. */
static void receipted(struct fixture *f, bool verifiers, uint8_t *bid_id, uint8_t *lease_id)
{
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	size_t len;

	mf_offer(f, 1, &s, NULL);
	if (verifiers) {
		s.price = 15;
		mf_offer(f, 2, &s, NULL);
		s.price = 16;
		mf_offer(f, 3, &s, NULL);
	}
	mf_bid(f, 4, &b, bid_id);
	market_lease_id(bid_id, 0, lease_id);
	{
		uint8_t *tx_ =
			mf_receipt_hash_tx(f, 1, mf_nonce(f, 1), lease_id, 10000, 0xaa, &len);

		mf_block1(f, tx_, len);
	}
}

static void dispute(struct fixture *f, const uint8_t *lease_id)
{
	size_t len;

	{
		uint8_t *tx_ = mf_dispute_tx(f, 4, mf_nonce(f, 4), lease_id, MARKET_ID_SIZE,
					     "wrong", &len);

		mf_block1(f, tx_, len);
	}
}

/* The verifier lease of a dispute and its provider's index. */
static int verifier_of(const struct fixture *f, const uint8_t *lease_id, uint8_t *vid,
		       uint64_t *price)
{
	Hearth__DisputeRecord *d;
	Hearth__Lease *v;
	int who = -1;

	assert_int_equal(market_dispute_get(fix_chain_state(&f->chain), lease_id, &d), STATE_OK);
	assert_true(d->has_verifier_lease_id);
	memcpy(vid, d->verifier_lease_id.data, MARKET_ID_SIZE);
	codec_free((ProtobufCMessage *)d);
	assert_int_equal(market_lease_get(fix_chain_state(&f->chain), vid, &v), STATE_OK);
	for (int i = 0; i < FIX_KEYS; i++) {
		if (memcmp(v->provider.data, f->signers[i].pubkey, PUBKEY_SIZE) == 0)
			who = i;
	}
	*price = v->price_per_second;
	codec_free((ProtobufCMessage *)v);
	return who;
}

static uint32_t dispute_outcome(const struct fixture *f, const uint8_t *lease_id)
{
	Hearth__DisputeRecord *d;
	uint32_t o;

	assert_int_equal(market_dispute_get(fix_chain_state(&f->chain), lease_id, &d), STATE_OK);
	o = d->outcome;
	codec_free((ProtobufCMessage *)d);
	return o;
}

static void test_dispute_provider_right_bond_pays(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	uint64_t consumer, p1, pv, price;
	int v;
	size_t len;

	receipted(f, true, bid_id, lease_id);
	consumer = fix_account(f, &f->chain, 4).balance;
	dispute(f, lease_id);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer - FIX_FEE - 5000);
	assert_int_equal(mf_escrow(&f->chain), 600 + 5000);
	v = verifier_of(f, lease_id, vid, &price);
	assert_true(v == 2 || v == 3);
	assert_int_equal(price, v == 2 ? 15 : 16);
	p1 = fix_account(f, &f->chain, 1).balance;
	pv = fix_account(f, &f->chain, v).balance;
	consumer = fix_account(f, &f->chain, 4).balance;
	/* the verifier's run took 4 s and found the same result */
	{
		uint8_t *tx_ = mf_receipt_hash_tx(f, v, mf_nonce(f, v), vid, 4000, 0xaa, &len);

		mf_block1(f, tx_, len);
	}
	assert_int_equal(dispute_outcome(f, lease_id), 1);
	assert_int_equal(fix_account(f, &f->chain, v).balance,
			 pv - FIX_FEE + proposer_fees(f, v, 1) + 4 * price);
	assert_int_equal(fix_account(f, &f->chain, 1).balance,
			 p1 + proposer_fees(f, 1, 1) + 100 + 5000 - 4 * price);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer + 600 - 100);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

static void test_dispute_provider_wrong_is_slashed_and_pays(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	uint64_t consumer, pv, price;
	struct supply before, after;
	int v;
	size_t len;

	receipted(f, true, bid_id, lease_id);
	dispute(f, lease_id);
	v = verifier_of(f, lease_id, vid, &price);
	pv = fix_account(f, &f->chain, v).balance;
	consumer = fix_account(f, &f->chain, 4).balance;
	assert_int_equal(supply_load(fix_chain_state(&f->chain), &before), STATE_OK);
	{
		uint8_t *tx_ = mf_receipt_hash_tx(f, v, mf_nonce(f, v), vid, 4000, 0xbb, &len);

		mf_block1(f, tx_, len);
	}
	assert_int_equal(dispute_outcome(f, lease_id), 2);
	/* 20% of provider 1's bond: 20000, of which the verifier's 4 s */
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(supply_load(fix_chain_state(&f->chain), &after), STATE_OK);
	assert_int_equal(after.burned - before.burned, MF_BOND / 5 - 4 * price);
	assert_int_equal(fix_account(f, &f->chain, v).balance,
			 pv - FIX_FEE + proposer_fees(f, v, 1) + 4 * price);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer + 600 + 5000);
	assert_int_equal(rep_of(f, 1).disputes_lost, 1);
	assert_int_equal(rep_of(f, 1).slashed, 1);
	assert_int_equal(rep_of(f, v).completed, 1);
	assert_int_equal(mf_escrow(&f->chain), 0);
}

static void test_dispute_without_a_verifier_is_void(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE];
	uint64_t consumer;

	receipted(f, false, bid_id, lease_id);
	consumer = fix_account(f, &f->chain, 4).balance;
	dispute(f, lease_id); /* no other provider: void at the end of the block */
	assert_int_equal(dispute_outcome(f, lease_id), 3);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer - FIX_FEE + 600 - 100);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

static void test_verifier_missing_its_deadline_voids_the_dispute(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	Hearth__Lease *l;
	uint64_t price, deadline, consumer;
	int v;

	receipted(f, true, bid_id, lease_id);
	dispute(f, lease_id);
	v = verifier_of(f, lease_id, vid, &price);
	assert_int_equal(market_lease_get(fix_chain_state(&f->chain), vid, &l), STATE_OK);
	deadline = l->deadline_height;
	codec_free((ProtobufCMessage *)l);
	consumer = fix_account(f, &f->chain, 4).balance;
	while (f->chain.tip.height < deadline)
		mf_empty_block(f);
	assert_int_equal(dispute_outcome(f, lease_id), 4);
	assert_int_equal(fix_account(f, &f->chain, v).bonded, MF_BOND - MF_BOND / 10);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer + 5000 + 600 - 100);
	assert_int_equal(mf_escrow(&f->chain), 0);
}

static void test_dispute_rules_each_have_a_reason(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], lease_id[MARKET_ID_SIZE], other[MARKET_ID_SIZE] = { 1 };
	uint8_t bad_id[MARKET_ID_SIZE + 1] = { 0 }, pair[MARKET_ID_SIZE],
					pair_leases[2][MARKET_ID_SIZE];
	char long_reason[258];
	size_t len;
	uint8_t *tx;

	memset(long_reason, 'x', sizeof(long_reason) - 1);
	long_reason[sizeof(long_reason) - 1] = '\0';
	replicated(f, 2, pair, pair_leases);
	tx = mf_dispute_tx(f, 4, mf_nonce(f, 4), pair_leases[0], MARKET_ID_SIZE, "x", &len);
	mf_assert_rejected(f, tx, len, MARKET_DISPUTE_REPLICATED);
	receipted(f, true, bid_id, lease_id);
	tx = mf_dispute_tx(f, 4, mf_nonce(f, 4), bad_id, MARKET_ID_SIZE + 1, "x", &len);
	mf_assert_rejected(f, tx, len, MARKET_DISPUTE_BAD_LEASE_ID);
	tx = mf_dispute_tx(f, 4, mf_nonce(f, 4), other, MARKET_ID_SIZE, "x", &len);
	mf_assert_rejected(f, tx, len, MARKET_DISPUTE_LEASE_NOT_FOUND);
	tx = mf_dispute_tx(f, 5, mf_nonce(f, 5), lease_id, MARKET_ID_SIZE, "x", &len);
	mf_assert_rejected(f, tx, len, MARKET_DISPUTE_NOT_CONSUMER);
	tx = mf_dispute_tx(f, 4, mf_nonce(f, 4), lease_id, MARKET_ID_SIZE, long_reason, &len);
	mf_assert_rejected(f, tx, len, MARKET_DISPUTE_BAD_REASON);
	tx = fix_transfer(f, 4, mf_nonce(f, 4), FIX_FEE, f->signers[6].pubkey,
			  fix_account(f, &f->chain, 4).balance - 2 * FIX_FEE - 4999, &len);
	mf_block1(f, tx, len);
	tx = mf_dispute_tx(f, 4, mf_nonce(f, 4), lease_id, MARKET_ID_SIZE, "x", &len);
	mf_assert_rejected(f, tx, len, MARKET_DISPUTE_INSUFFICIENT_BALANCE);
	mf_empty_block(f);
	mf_empty_block(f); /* receipt height + 3: the lease settles */
	tx = mf_dispute_tx(f, 4, mf_nonce(f, 4), lease_id, MARKET_ID_SIZE, "x", &len);
	mf_assert_rejected(f, tx, len, MARKET_DISPUTE_WINDOW_CLOSED);
	/* no receipt yet; then disputed twice */
	{
		struct bid_spec b = mf_bid_spec(f);
		uint8_t id2[MARKET_ID_SIZE], l2[MARKET_ID_SIZE];

		mf_bid(f, 5, &b, id2);
		market_lease_id(id2, 0, l2);
		tx = mf_dispute_tx(f, 5, mf_nonce(f, 5), l2, MARKET_ID_SIZE, "x", &len);
		mf_assert_rejected(f, tx, len, MARKET_DISPUTE_NOT_RECEIPTED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_majority_is_paid_and_dissent_slashed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_non_revealer_and_bad_reveal_are_faults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_honest_disagreement_without_majority_is_refunded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_and_reveal_rules_each_have_a_reason,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failed_replica_lets_the_others_reveal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dispute_provider_right_bond_pays, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dispute_provider_wrong_is_slashed_and_pays,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispute_without_a_verifier_is_void, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_verifier_missing_its_deadline_voids_the_dispute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispute_rules_each_have_a_reason, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
