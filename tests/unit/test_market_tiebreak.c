/* test_market_tiebreak.c: unit tests of tie-breaks (market/tiebreak.c) and
 * the tie-break reserve a replicated bid keeps: a majority refunds the
 * reserve; a reveal window that ends without a majority between two valid
 * results gets a verifier (any offer within the bid's max price, since the
 * reserve covers its worst case); it agrees with one side (paid, the other
 * slashed and its share refunded, the verifier paid from the reserve), with
 * none (all refunded but the verifier's pay, nobody slashed), there is no
 * verifier (or none within the bid's max price: refunded as before, the
 * reserve too), or the verifier misses its deadline (slashed, all
 * refunded); a fault beside a tie-break; exact balances, burned supply and
 * reputation. The supply invariant and the
 * market's consistency are checked after every block (mf_block1). */
#include "market/market.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/supply.h"
#include "market/reputation.h"
#include "tests/unit/market_fixture.h"
#include "tests/unit/test_util.h"

#define SHARE_1 (10 * 60) /* provider 1's share: price 10 x max duration 60 */
#define SHARE_2 (11 * 60)
#define RESERVE (20 * 60) /* the tie-break reserve: max price 20 x max duration 60 */

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

static void commit(struct fixture *f, int idx, const uint8_t *lease, uint8_t hash_byte)
{
	uint8_t c[HASH_SIZE];
	size_t len;
	uint8_t *tx;

	mf_commitment(f, idx, hash_byte, salt[idx - 1], sizeof(salt[0]), c);
	tx = mf_commit_tx(f, idx, mf_nonce(f, idx), lease, MARKET_ID_SIZE, c, HASH_SIZE, &len);
	mf_block1(f, tx, len);
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

static uint64_t burned(const struct fixture *f)
{
	struct supply s;

	assert_int_equal(supply_load(fix_chain_state(&f->chain), &s), STATE_OK);
	return s.burned;
}

/* The bid's tie-break record (asserted to exist; caller frees). */
static Hearth__TieBreakRecord *tiebreak_of(const struct fixture *f, const uint8_t *bid_id)
{
	Hearth__TieBreakRecord *t;

	assert_int_equal(market_tiebreak_get(fix_chain_state(&f->chain), bid_id, &t), STATE_OK);
	return t;
}

static uint32_t outcome_of(const struct fixture *f, const uint8_t *bid_id)
{
	Hearth__TieBreakRecord *t = tiebreak_of(f, bid_id);
	uint32_t o = t->outcome;

	codec_free((ProtobufCMessage *)t);
	return o;
}

/* Offers of providers 1 and 2 at 10 and 11 and a bid of consumer 4 for two
 * replicas matched on them; then, when verifier_price is not 0, an offer
 * of provider 3 at that price (too late to be matched). Provider 1 commits
 * to 0xaa and reveals it (10.5 s: billed 11), provider 2 to hash_2
 * (20 s); the last reveal closes the window. */
static void tied(struct fixture *f, uint64_t verifier_price, uint8_t hash_2, uint8_t *bid_id,
		 uint8_t (*leases)[MARKET_ID_SIZE])
{
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);

	for (int i = 0; i < 2; i++) {
		s.price = 10 + (uint64_t)i;
		mf_offer(f, i + 1, &s, NULL);
	}
	b.replicas = 2;
	mf_bid(f, 4, &b, bid_id);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	market_lease_id(bid_id, 0, leases[0]);
	market_lease_id(bid_id, 1, leases[1]);
	if (verifier_price != 0) {
		s.price = verifier_price;
		mf_offer(f, 3, &s, NULL);
	}
	commit(f, 1, leases[0], 0xaa);
	commit(f, 2, leases[1], hash_2);
	reveal(f, 1, leases[0], 0xaa, 10500);
	reveal(f, 2, leases[1], hash_2, 20000);
}

/* The pending tie-break's verifier lease. Out: vid. Returns its provider's
 * index. */
static int verifier_of(const struct fixture *f, const uint8_t *bid_id, uint8_t *vid)
{
	Hearth__TieBreakRecord *t = tiebreak_of(f, bid_id);
	Hearth__Lease *v;
	int who = -1;

	assert_int_equal(t->outcome, 0);
	assert_true(t->has_verifier_lease_id);
	memcpy(vid, t->verifier_lease_id.data, MARKET_ID_SIZE);
	codec_free((ProtobufCMessage *)t);
	assert_int_equal(market_lease_get(fix_chain_state(&f->chain), vid, &v), STATE_OK);
	assert_int_equal(v->state, HEARTH__LEASE_STATE__LEASE_ACTIVE);
	for (int i = 0; i < FIX_KEYS; i++) {
		if (memcmp(v->provider.data, f->signers[i].pubkey, PUBKEY_SIZE) == 0)
			who = i;
	}
	codec_free((ProtobufCMessage *)v);
	return who;
}

/* The verifier (provider 3) reports hash_byte after 4 s: 40 at price 10. */
static void verify(struct fixture *f, const uint8_t *vid, uint8_t hash_byte)
{
	size_t len;
	uint8_t *tx = mf_receipt_hash_tx(f, 3, mf_nonce(f, 3), vid, 4000, hash_byte, &len);

	mf_block1(f, tx, len);
}

/* Balances and bonds of keys 1..4 (before a step). */
struct before {
	uint64_t balance[5], bonded[5], burned;
};

static struct before before(const struct fixture *f)
{
	struct before b;

	for (int i = 1; i <= 4; i++) {
		b.balance[i] = fix_account(f, &f->chain, i).balance;
		b.bonded[i] = fix_account(f, &f->chain, i).bonded;
	}
	b.burned = burned(f);
	return b;
}

static void test_window_without_majority_draws_a_verifier(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	Hearth__TieBreakRecord *t;
	size_t len;
	uint8_t *tx;

	tied(f, 10, 0xbb, bid_id, leases);
	assert_int_equal(verifier_of(f, bid_id, vid), 3);
	t = tiebreak_of(f, bid_id);
	assert_int_equal(t->cover, RESERVE);
	assert_int_equal(t->height, f->chain.tip.height);
	assert_false(t->has_result_hash);
	codec_free((ProtobufCMessage *)t);
	/* both replicas wait, their shares held; nobody paid or slashed yet */
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_RECEIPTED);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_RECEIPTED);
	assert_int_equal(mf_escrow(&f->chain), SHARE_1 + SHARE_2 + RESERVE);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	/* the verifier's lease is not a replica: no commitment, no dispute */
	tx = mf_commit_tx(f, 3, mf_nonce(f, 3), vid, MARKET_ID_SIZE, leases[0], HASH_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_COMMIT_NOT_REPLICATED);
	tx = mf_dispute_tx(f, 4, mf_nonce(f, 4), vid, MARKET_ID_SIZE, "x", &len);
	mf_assert_rejected(f, tx, len, MARKET_DISPUTE_REPLICATED);
	tx = mf_reveal_tx(f, 2, mf_nonce(f, 2), leases[1], 0xbb, HASH_SIZE, salt[1], 8, 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_REVEAL_CLOSED);
}

static void test_verifier_agrees_with_the_first_replica(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	struct before b0;
	Hearth__TieBreakRecord *t;
	uint8_t aa[HASH_SIZE];

	tied(f, 10, 0xbb, bid_id, leases);
	assert_int_equal(verifier_of(f, bid_id, vid), 3);
	b0 = before(f);
	verify(f, vid, 0xaa);
	/* provider 1 is paid as a majority would be: 10 x 11 s */
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, b0.balance[1] + 110);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, b0.bonded[1]);
	/* provider 2 is wrong: slashed 20 %, its share refunded; the reserve
	 * pays the verifier's 40, the rest of it goes back */
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(fix_account(f, &f->chain, 2).balance, b0.balance[2]);
	assert_int_equal(fix_account(f, &f->chain, 2).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(burned(f), b0.burned + MF_BOND / 5);
	assert_int_equal(fix_account(f, &f->chain, 3).balance, b0.balance[3] - FIX_FEE + 40);
	assert_int_equal(fix_account(f, &f->chain, 4).balance,
			 b0.balance[4] + (SHARE_1 - 110) + SHARE_2 + (RESERVE - 40));
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
	assert_int_equal(rep_of(f, 1).completed, 1);
	assert_int_equal(rep_of(f, 2).failed, 1);
	assert_int_equal(rep_of(f, 2).slashed, 1);
	assert_int_equal(rep_of(f, 3).completed, 1);
	{
		struct market_reputation rep2 = rep_of(f, 2);

		assert_true(market_reputation_score(&rep2) < 50); /* a newcomer scores 50 */
	}
	t = tiebreak_of(f, bid_id);
	assert_int_equal(t->outcome, 1);
	memset(aa, 0xaa, sizeof(aa));
	assert_true(t->has_result_hash);
	assert_memory_equal(t->result_hash.data, aa, HASH_SIZE);
	codec_free((ProtobufCMessage *)t);
	{
		Hearth__Lease *v;

		assert_int_equal(market_lease_get(fix_chain_state(&f->chain), vid, &v), STATE_OK);
		assert_int_equal(v->state, HEARTH__LEASE_STATE__LEASE_SETTLED);
		codec_free((ProtobufCMessage *)v);
	}
}

static void test_verifier_agrees_with_the_second_replica(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	struct before b0;

	tied(f, 10, 0xbb, bid_id, leases);
	assert_int_equal(verifier_of(f, bid_id, vid), 3);
	b0 = before(f);
	verify(f, vid, 0xbb);
	/* provider 2 paid 11 x 20 s; the reserve pays the verifier */
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(fix_account(f, &f->chain, 2).balance, b0.balance[2] + 220);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, b0.balance[1]);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(fix_account(f, &f->chain, 2).bonded, MF_BOND);
	assert_int_equal(fix_account(f, &f->chain, 3).balance, b0.balance[3] - FIX_FEE + 40);
	assert_int_equal(fix_account(f, &f->chain, 4).balance,
			 b0.balance[4] + (SHARE_2 - 220) + SHARE_1 + (RESERVE - 40));
	assert_int_equal(burned(f), b0.burned + MF_BOND / 5);
	assert_int_equal(mf_escrow(&f->chain), 0);
	assert_int_equal(outcome_of(f, bid_id), 1);
	assert_int_equal(rep_of(f, 1).slashed, 1);
	assert_int_equal(rep_of(f, 2).completed, 1);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

static void test_verifier_agreeing_with_none_refunds_all_but_its_pay(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	struct before b0;

	tied(f, 10, 0xbb, bid_id, leases);
	assert_int_equal(verifier_of(f, bid_id, vid), 3);
	b0 = before(f);
	verify(f, vid, 0xcc);
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, b0.balance[1]);
	assert_int_equal(fix_account(f, &f->chain, 2).balance, b0.balance[2]);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND);
	assert_int_equal(fix_account(f, &f->chain, 2).bonded, MF_BOND);
	assert_int_equal(burned(f), b0.burned);
	assert_int_equal(fix_account(f, &f->chain, 3).balance, b0.balance[3] - FIX_FEE + 40);
	assert_int_equal(fix_account(f, &f->chain, 4).balance,
			 b0.balance[4] + SHARE_1 + SHARE_2 + RESERVE - 40);
	assert_int_equal(mf_escrow(&f->chain), 0);
	assert_int_equal(outcome_of(f, bid_id), 2);
	assert_int_equal(rep_of(f, 1).failed + rep_of(f, 1).slashed, 0);
	assert_int_equal(rep_of(f, 2).failed + rep_of(f, 2).slashed, 0);
	assert_int_equal(rep_of(f, 3).completed, 1);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

/* Without another provider, or with one above the bid's max price (20),
 * the tie-break is void: refunded as without a majority (the reserve too),
 * nobody slashed. */
static void assert_void(struct fixture *f, uint64_t verifier_price)
{
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE];
	Hearth__TieBreakRecord *t;

	tied(f, verifier_price, 0xbb, bid_id, leases);
	t = tiebreak_of(f, bid_id);
	assert_int_equal(t->outcome, 3);
	assert_false(t->has_verifier_lease_id);
	codec_free((ProtobufCMessage *)t);
	assert_false(mf_lease_exists(f, bid_id, 0x80000000u));
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND);
	assert_int_equal(fix_account(f, &f->chain, 2).bonded, MF_BOND);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

static void test_no_verifier_refunds_as_without_majority(void **state)
{
	struct fixture *f = *state;
	uint64_t consumer = fix_account(f, &f->chain, 4).balance;

	assert_void(f, 0);
	/* the bid's fee, then both shares and the reserve back */
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer - FIX_FEE);
}

static void test_verifier_above_the_max_price_is_not_drawn(void **state)
{
	struct fixture *f = *state;
	uint64_t consumer = fix_account(f, &f->chain, 4).balance;

	assert_void(f, 21);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer - FIX_FEE);
}

/* A verifier at the bid's max price (20), dearer than either replica, is
 * drawn: the reserve covers its worst case. It runs the whole 60 s and
 * takes the whole reserve; the loser's share is refunded. */
static void test_verifier_at_the_max_price_is_paid_from_the_reserve(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	struct before b0;
	size_t len;
	uint8_t *tx;

	tied(f, 20, 0xbb, bid_id, leases);
	assert_int_equal(verifier_of(f, bid_id, vid), 3);
	b0 = before(f);
	tx = mf_receipt_hash_tx(f, 3, mf_nonce(f, 3), vid, 60000, 0xbb, &len);
	mf_block1(f, tx, len);
	assert_int_equal(outcome_of(f, bid_id), 1);
	assert_int_equal(fix_account(f, &f->chain, 3).balance, b0.balance[3] - FIX_FEE + RESERVE);
	assert_int_equal(fix_account(f, &f->chain, 2).balance, b0.balance[2] + 220);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, b0.balance[1]);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(fix_account(f, &f->chain, 4).balance,
			 b0.balance[4] + (SHARE_2 - 220) + SHARE_1);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

/* A majority needs no verifier: the reserve goes back at the end of the
 * window with the losers' shares, no tie-break record. */
static void test_majority_refunds_the_reserve(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE];
	Hearth__TieBreakRecord *t;
	uint64_t consumer = fix_account(f, &f->chain, 4).balance;

	tied(f, 10, 0xaa, bid_id, leases);
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_SETTLED);
	/* the bid's fee; paid 10 x 11 s and 11 x 20 s, the rest back */
	assert_int_equal(fix_account(f, &f->chain, 4).balance, consumer - FIX_FEE - 110 - 220);
	assert_int_equal(mf_escrow(&f->chain), 0);
	assert_int_equal(market_tiebreak_get(fix_chain_state(&f->chain), bid_id, &t),
			 STATE_NOT_FOUND);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

static void test_verifier_missing_its_deadline_is_slashed_and_all_refunded(void **state)
{
	struct fixture *f = *state;
	uint8_t bid_id[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	Hearth__Lease *v;
	struct before b0;
	uint64_t deadline;

	tied(f, 10, 0xbb, bid_id, leases);
	assert_int_equal(verifier_of(f, bid_id, vid), 3);
	assert_int_equal(market_lease_get(fix_chain_state(&f->chain), vid, &v), STATE_OK);
	deadline = v->deadline_height;
	codec_free((ProtobufCMessage *)v);
	b0 = before(f);
	while (f->chain.tip.height < deadline - 1)
		mf_empty_block(f);
	assert_int_equal(outcome_of(f, bid_id), 0);
	mf_empty_block(f);
	assert_int_equal(outcome_of(f, bid_id), 4);
	assert_int_equal(fix_account(f, &f->chain, 3).bonded, MF_BOND - MF_BOND / 10);
	assert_int_equal(rep_of(f, 3).failed, 1);
	assert_int_equal(burned(f), b0.burned + MF_BOND / 10);
	assert_int_equal(fix_account(f, &f->chain, 4).balance,
			 b0.balance[4] + SHARE_1 + SHARE_2 + RESERVE);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND);
	assert_int_equal(fix_account(f, &f->chain, 2).bonded, MF_BOND);
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_SETTLED, MARKET_OK);
}

/* r = 3: providers 1, 2, 3 reveal 0xaa, 0xbb and nothing; key 0 verifies.
 * The silent one is a fault, slashed at the end of the window; the
 * tie-break decides between the other two. */
static void test_fault_beside_a_tiebreak_is_slashed_at_once(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t bid_id[MARKET_ID_SIZE], leases[3][MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	Hearth__BidRecord *bid;
	uint64_t consumer, end;
	size_t len;
	uint8_t *tx;

	for (int i = 0; i < 3; i++) {
		s.price = 10 + (uint64_t)i;
		mf_offer(f, i + 1, &s, NULL);
	}
	b.replicas = 3;
	mf_bid(f, 4, &b, bid_id);
	for (uint32_t i = 0; i < 3; i++)
		market_lease_id(bid_id, i, leases[i]);
	s.price = 10;
	mf_offer(f, 0, &s, NULL);
	commit(f, 1, leases[0], 0xaa);
	commit(f, 2, leases[1], 0xbb);
	commit(f, 3, leases[2], 0xaa);
	reveal(f, 1, leases[0], 0xaa, 1000);
	reveal(f, 2, leases[1], 0xbb, 1000);
	bid = mf_bid_record(f, bid_id);
	end = bid->reveal_height;
	codec_free((ProtobufCMessage *)bid);
	while (f->chain.tip.height < end)
		mf_empty_block(f);
	assert_int_equal(state_of(f, bid_id, 2), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(fix_account(f, &f->chain, 3).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(verifier_of(f, bid_id, vid), 0);
	assert_int_equal(mf_escrow(&f->chain), SHARE_1 + SHARE_2 + RESERVE);
	consumer = fix_account(f, &f->chain, 4).balance;
	/* key 0 proposes the block too: it gets the fee back */
	tx = mf_receipt_hash_tx(f, 0, mf_nonce(f, 0), vid, 2000, 0xbb, &len);
	mf_block1(f, tx, len);
	assert_int_equal(state_of(f, bid_id, 1), HEARTH__LEASE_STATE__LEASE_SETTLED);
	assert_int_equal(state_of(f, bid_id, 0), HEARTH__LEASE_STATE__LEASE_FAILED);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, MF_BOND - MF_BOND / 5);
	assert_int_equal(fix_account(f, &f->chain, 4).balance,
			 consumer + (SHARE_2 - 11) + SHARE_1 + (RESERVE - 20));
	assert_int_equal(mf_escrow(&f->chain), 0);
	assert_int_equal(outcome_of(f, bid_id), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_window_without_majority_draws_a_verifier,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_verifier_agrees_with_the_first_replica, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_verifier_agrees_with_the_second_replica, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_verifier_agreeing_with_none_refunds_all_but_its_pay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_verifier_refunds_as_without_majority, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_verifier_above_the_max_price_is_not_drawn,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_verifier_at_the_max_price_is_paid_from_the_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_majority_refunds_the_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_verifier_missing_its_deadline_is_slashed_and_all_refunded, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_fault_beside_a_tiebreak_is_slashed_at_once,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
