/* test_market.c: unit tests of the market's transactions (market/offer.c,
 * bid.c): every rule of offer, cancel_offer, bid and cancel_bid with its
 * reason, escrow locked and refunded to the unit, the indexes and listings,
 * and the expiry of offers and bids. The supply invariant (escrow included)
 * and the market's consistency are checked after every block. */
#include "market/market.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/staking.h"
#include "market/order.h"
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

struct ids {
	size_t n;
	uint8_t id[8][MARKET_ID_SIZE];
};

static int collect(void *arg, const uint8_t id[MARKET_ID_SIZE])
{
	struct ids *ids = arg;

	if (ids->n == 8)
		return 1;
	memcpy(ids->id[ids->n++], id, MARKET_ID_SIZE);
	return 0;
}

static struct ids list(const struct fixture *f, enum market_listing which, int owner)
{
	struct ids ids = { 0 };

	assert_int_equal(market_list(fix_chain_state(&f->chain), which, f->signers[owner].pubkey,
				     NULL, collect, &ids),
			 STATE_OK);
	return ids;
}

static void reject_offer(struct fixture *f, int idx, const struct offer_spec *s,
			 enum market_reason code)
{
	size_t len;
	uint8_t *tx = mf_offer_tx(f, idx, mf_nonce(f, idx), s, &len, NULL);

	mf_assert_rejected(f, tx, len, code);
}

static void reject_bid(struct fixture *f, int idx, const struct bid_spec *s,
		       enum market_reason code)
{
	size_t len;
	uint8_t *tx = mf_bid_tx(f, idx, mf_nonce(f, idx), s, &len, NULL);

	mf_assert_rejected(f, tx, len, code);
}

static void test_offer_is_recorded_and_indexed(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	uint8_t id[MARKET_ID_SIZE];
	Hearth__OfferRecord *rec;
	struct ids ids;

	mf_offer(f, 1, &s, id);
	rec = mf_offer_record(f, id);
	assert_memory_equal(rec->provider.data, f->signers[1].pubkey, PUBKEY_SIZE);
	assert_int_equal(rec->created_height, f->chain.tip.height);
	assert_int_equal(rec->free_slots, 2);
	assert_int_equal(rec->offer->price_per_second, 10);
	codec_free((ProtobufCMessage *)rec);
	ids = list(f, MARKET_OFFERS_BY_PROVIDER, 1);
	assert_int_equal(ids.n, 1);
	assert_memory_equal(ids.id[0], id, MARKET_ID_SIZE);
	assert_int_equal(list(f, MARKET_OFFERS_BY_PROVIDER, 2).n, 0);
}

static void test_offer_rules_each_have_a_reason(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s;
	uint8_t *tx;
	size_t len;

	s = mf_offer_spec(f);
	reject_offer(f, 4, &s, MARKET_OFFER_NO_BOND);
	s.slots = 0;
	reject_offer(f, 1, &s, MARKET_OFFER_ZERO_SLOTS);
	s.slots = 65536;
	reject_offer(f, 1, &s, MARKET_OFFER_TOO_MANY_SLOTS);
	s = mf_offer_spec(f);
	s.cpu = 0;
	reject_offer(f, 1, &s, MARKET_OFFER_BAD_RESOURCES);
	s = mf_offer_spec(f);
	s.memory = 0;
	reject_offer(f, 1, &s, MARKET_OFFER_BAD_RESOURCES);
	s = mf_offer_spec(f);
	s.n_runtimes = 0;
	reject_offer(f, 1, &s, MARKET_OFFER_NO_RUNTIME);
	s = mf_offer_spec(f);
	s.runtimes[0] = "";
	reject_offer(f, 1, &s, MARKET_OFFER_BAD_RUNTIME);
	s.runtimes[0] = "posix";
	s.runtimes[1] = "posix";
	s.n_runtimes = 2;
	reject_offer(f, 1, &s, MARKET_OFFER_BAD_RUNTIME);
	s.runtimes[1] = "0123456789012345678901234567890123456789012345678901234567890123x";
	reject_offer(f, 1, &s, MARKET_OFFER_BAD_RUNTIME);
	s = mf_offer_spec(f);
	s.attr_keys[1] = "region";
	s.attr_values[1] = "us";
	s.n_attrs = 2;
	reject_offer(f, 1, &s, MARKET_OFFER_BAD_ATTRIBUTE);
	s.attr_keys[1] = "arch";
	s.attr_values[1] = "";
	reject_offer(f, 1, &s, MARKET_OFFER_BAD_ATTRIBUTE);
	s = mf_offer_spec(f);
	s.max_duration = 0;
	reject_offer(f, 1, &s, MARKET_OFFER_ZERO_DURATION);
	s.max_duration = 31536001;
	reject_offer(f, 1, &s, MARKET_OFFER_DURATION_TOO_LONG);
	s = mf_offer_spec(f);
	s.expiry = f->chain.tip.height + 1; /* the height of the block it would be in */
	reject_offer(f, 1, &s, MARKET_OFFER_EXPIRED);
	/* A jailed provider cannot offer even with its bond intact. */
	assert_int_equal(staking_slash_and_jail(fix_chain_state(&f->chain), f->signers[2].pubkey, 0,
						UINT64_MAX, NULL, NULL),
			 LEDGER_OK);
	s = mf_offer_spec(f);
	reject_offer(f, 2, &s, MARKET_OFFER_JAILED);
	/* The limits themselves are accepted. */
	s.slots = 65535;
	s.max_duration = 31536000;
	s.expiry = f->chain.tip.height + 2;
	tx = mf_offer_tx(f, 1, mf_nonce(f, 1), &s, &len, NULL);
	mf_block1(f, tx, len);
}

static void test_cancel_offer_removes_it_everywhere(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	uint8_t id[MARKET_ID_SIZE];
	size_t len;
	uint8_t *tx;

	mf_offer(f, 1, &s, id);
	tx = mf_cancel_offer_tx(f, 1, mf_nonce(f, 1), id, MARKET_ID_SIZE, &len);
	mf_block1(f, tx, len);
	assert_false(mf_offer_exists(f, id));
	assert_int_equal(list(f, MARKET_OFFERS_BY_PROVIDER, 1).n, 0);
	/* gone: a second cancel finds nothing */
	tx = mf_cancel_offer_tx(f, 1, mf_nonce(f, 1), id, MARKET_ID_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_OFFER_NOT_FOUND);
}

static void test_cancel_offer_rules_each_have_a_reason(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE];
	size_t len;
	uint8_t *tx;

	mf_offer(f, 1, &s, id);
	tx = mf_cancel_offer_tx(f, 1, mf_nonce(f, 1), id, 31, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_OFFER_BAD_ID);
	tx = mf_cancel_offer_tx(f, 2, mf_nonce(f, 2), id, MARKET_ID_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_OFFER_NOT_OWNER);
	mf_bid(f, 4, &b, bid_id);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	tx = mf_cancel_offer_tx(f, 1, mf_nonce(f, 1), id, MARKET_ID_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_OFFER_HAS_LEASES);
}

static void test_bid_locks_the_worst_case_in_escrow(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	struct account before = fix_account(f, &f->chain, 4), after;
	uint8_t id[MARKET_ID_SIZE];
	Hearth__BidRecord *rec;
	struct ids ids;

	b.replicas = 3;
	mf_bid(f, 4, &b, id); /* no offer: stays queued */
	after = fix_account(f, &f->chain, 4);
	/* three replicas and the tie-break reserve (r >= 2): 20 x 60 x (3 + 1) */
	assert_int_equal(after.balance, before.balance - FIX_FEE - 20 * 60 * 4);
	assert_int_equal(mf_escrow(&f->chain), 20 * 60 * 4);
	rec = mf_bid_record(f, id);
	assert_int_equal(rec->escrow, 4800);
	assert_int_equal(rec->state, HEARTH__BID_STATE__BID_QUEUED);
	assert_int_equal(rec->created_height, f->chain.tip.height);
	codec_free((ProtobufCMessage *)rec);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_NO_OFFERS);
	ids = list(f, MARKET_BIDS_BY_CONSUMER, 4);
	assert_int_equal(ids.n, 1);
	assert_memory_equal(ids.id[0], id, MARKET_ID_SIZE);
}

static void test_bid_rules_each_have_a_reason(void **state)
{
	struct fixture *f = *state;
	uint8_t big[1025] = { 0 }, hash[33] = { 1 };
	struct bid_spec b;

	b = mf_bid_spec(f);
	b.replicas = 0;
	reject_bid(f, 4, &b, MARKET_BID_ZERO_REPLICAS);
	b.replicas = 17;
	reject_bid(f, 4, &b, MARKET_BID_TOO_MANY_REPLICAS);
	b = mf_bid_spec(f);
	b.cpu = 0;
	reject_bid(f, 4, &b, MARKET_BID_BAD_RESOURCES);
	b = mf_bid_spec(f);
	b.runtime = "";
	reject_bid(f, 4, &b, MARKET_BID_BAD_RUNTIME);
	b = mf_bid_spec(f);
	b.attr_keys[0] = "";
	b.attr_values[0] = "eu";
	b.n_attrs = 1;
	reject_bid(f, 4, &b, MARKET_BID_BAD_ATTRIBUTE);
	b = mf_bid_spec(f);
	b.min_reputation = 101;
	reject_bid(f, 4, &b, MARKET_BID_BAD_REPUTATION);
	b = mf_bid_spec(f);
	b.max_duration = 0;
	reject_bid(f, 4, &b, MARKET_BID_ZERO_DURATION);
	b.max_duration = 31536001;
	reject_bid(f, 4, &b, MARKET_BID_DURATION_TOO_LONG);
	b = mf_bid_spec(f);
	b.n_argv = 0;
	reject_bid(f, 4, &b, MARKET_BID_EMPTY_ARGV);
	b = mf_bid_spec(f);
	b.inline_input = big;
	b.inline_len = 10;
	b.input_hash = hash;
	b.input_hash_len = 32;
	reject_bid(f, 4, &b, MARKET_BID_TWO_INPUTS);
	b.input_hash = NULL;
	b.inline_len = sizeof(big); /* max_inline_input_bytes is 1024 */
	reject_bid(f, 4, &b, MARKET_BID_INPUT_TOO_LARGE);
	b = mf_bid_spec(f);
	b.input_hash = hash;
	b.input_hash_len = 31;
	reject_bid(f, 4, &b, MARKET_BID_BAD_INPUT_HASH);
	b = mf_bid_spec(f);
	b.result_key = hash;
	b.result_key_len = 33;
	reject_bid(f, 4, &b, MARKET_BID_BAD_RESULT_KEY);
	b = mf_bid_spec(f);
	b.expiry = f->chain.tip.height + 1;
	reject_bid(f, 4, &b, MARKET_BID_EXPIRED);
	b = mf_bid_spec(f);
	b.max_price = UINT64_MAX / 2;
	b.max_duration = 4;
	reject_bid(f, 4, &b, MARKET_BID_ESCROW_OVERFLOW);
	b.max_price = FIX_BALANCE / 60;
	b.max_duration = 61;
	reject_bid(f, 4, &b, MARKET_BID_INSUFFICIENT_BALANCE);
	/* At the bounds: the largest inline input, a 32-byte hash and key. */
	b = mf_bid_spec(f);
	b.inline_input = big;
	b.inline_len = 1024;
	b.result_key = hash;
	b.result_key_len = 32;
	mf_bid(f, 4, &b, NULL);
	b = mf_bid_spec(f);
	b.input_hash = hash;
	b.input_hash_len = 32;
	b.max_price = FIX_BALANCE / 60 / 2;
	mf_bid(f, 5, &b, NULL);
}

static void test_bid_input_url_rules_each_have_a_reason(void **state)
{
	struct fixture *f = *state;
	uint8_t hash[HASH_SIZE] = { 7 };
	char long_url[MARKET_INPUT_URL_MAX + 2];
	struct bid_spec b = mf_bid_spec(f);

	b.input_url = "http://127.0.0.1:19741/input/00";
	reject_bid(f, 4, &b, MARKET_BID_URL_WITHOUT_HASH);
	b.input_hash = hash;
	b.input_hash_len = sizeof(hash);
	b.input_url = "https://example.org/in.tar";
	reject_bid(f, 4, &b, MARKET_BID_BAD_INPUT_URL);
	b.input_url = "http://";
	reject_bid(f, 4, &b, MARKET_BID_BAD_INPUT_URL);
	b.input_url = "http://host/a b";
	reject_bid(f, 4, &b, MARKET_BID_BAD_INPUT_URL);
	b.input_url = "http://host/a\r\nX: y";
	reject_bid(f, 4, &b, MARKET_BID_BAD_INPUT_URL);
	memset(long_url, 'a', sizeof(long_url) - 1);
	memcpy(long_url, "http://", 7);
	long_url[sizeof(long_url) - 1] = '\0'; /* MARKET_INPUT_URL_MAX + 1 bytes */
	b.input_url = long_url;
	reject_bid(f, 4, &b, MARKET_BID_BAD_INPUT_URL);
	long_url[MARKET_INPUT_URL_MAX] = '\0'; /* at the bound */
	mf_bid(f, 4, &b, NULL);
	b.input_url = "http://127.0.0.1:19741/input/07";
	mf_bid(f, 4, &b, NULL);
}

static void test_cancel_bid_refunds_the_whole_escrow(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];
	struct account before = fix_account(f, &f->chain, 4);
	size_t len;
	uint8_t *tx;

	b.replicas = 2;
	mf_bid(f, 4, &b, id);
	assert_int_equal(mf_escrow(&f->chain), 3600); /* 2 replicas and the reserve */
	tx = mf_cancel_bid_tx(f, 4, mf_nonce(f, 4), id, MARKET_ID_SIZE, &len);
	mf_block1(f, tx, len);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, before.balance - 2 * FIX_FEE);
	assert_int_equal(mf_escrow(&f->chain), 0);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_CANCELLED, MARKET_UNMATCHED_NO_OFFERS);
	/* a second cancel races the first: the bid is no longer queued */
	tx = mf_cancel_bid_tx(f, 4, mf_nonce(f, 4), id, MARKET_ID_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_BID_NOT_QUEUED);
}

static void test_cancel_bid_rules_each_have_a_reason(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	struct offer_spec s = mf_offer_spec(f);
	uint8_t id[MARKET_ID_SIZE + 1] = { 0 }, other[MARKET_ID_SIZE] = { 7 };
	size_t len;
	uint8_t *tx;

	mf_bid(f, 4, &b, id);
	tx = mf_cancel_bid_tx(f, 4, mf_nonce(f, 4), id, MARKET_ID_SIZE + 1, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_BID_BAD_ID);
	tx = mf_cancel_bid_tx(f, 4, mf_nonce(f, 4), other, MARKET_ID_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_BID_NOT_FOUND);
	tx = mf_cancel_bid_tx(f, 5, mf_nonce(f, 5), id, MARKET_ID_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_BID_NOT_OWNER);
	mf_offer(f, 1, &s, NULL); /* matched at the end of this block */
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	tx = mf_cancel_bid_tx(f, 4, mf_nonce(f, 4), id, MARKET_ID_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_BID_NOT_QUEUED);
}

static void test_cancel_and_match_in_one_block_cancel_wins(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	struct offer_spec s = mf_offer_spec(f);
	uint8_t id[MARKET_ID_SIZE], *txs[2];
	size_t lens[2];

	mf_bid(f, 4, &b, id);
	/* The offer arrives in the same block as the cancel: txs run before
	 * matching, so the bid is gone when the book could serve it. */
	txs[0] = mf_offer_tx(f, 1, mf_nonce(f, 1), &s, &lens[0], NULL);
	txs[1] = mf_cancel_bid_tx(f, 4, mf_nonce(f, 4), id, MARKET_ID_SIZE, &lens[1]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 2, NULL), LEDGER_OK);
	mf_assert_consistent(&f->chain);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_CANCELLED, MARKET_UNMATCHED_NO_OFFERS);
	assert_false(mf_lease_exists(f, id, 0));
	assert_int_equal(mf_escrow(&f->chain), 0);
}

static void test_unmatched_bid_expires_with_a_full_refund(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE], id2[MARKET_ID_SIZE];
	uint64_t balance = fix_account(f, &f->chain, 4).balance;

	b.expiry = f->chain.tip.height + 3;
	mf_bid(f, 4, &b, id); /* at tip + 1 */
	b.replicas = 2;
	mf_bid(f, 4, &b, id2); /* at tip + 2: two replicas and the tie-break reserve */
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_NO_OFFERS);
	assert_int_equal(mf_escrow(&f->chain), 1200 + 3 * 1200);
	mf_empty_block(f); /* the expiry height: still tried, then expired */
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_EXPIRED, MARKET_UNMATCHED_NO_OFFERS);
	mf_assert_bid(f, id2, HEARTH__BID_STATE__BID_EXPIRED, MARKET_UNMATCHED_NO_OFFERS);
	assert_int_equal(mf_escrow(&f->chain), 0);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, balance - 2 * FIX_FEE);
}

static void test_bid_matches_in_the_block_of_its_expiry(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	struct offer_spec s = mf_offer_spec(f);
	uint8_t id[MARKET_ID_SIZE];

	b.expiry = f->chain.tip.height + 2;
	mf_bid(f, 4, &b, id);
	mf_offer(f, 1, &s, NULL);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
}

static int count_book(void *arg, uint64_t price, const uint8_t id[MARKET_ID_SIZE])
{
	(void)price;
	(void)id;
	++*(size_t *)arg;
	return 0;
}

static void test_offer_expires_and_leaves_no_trace(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE];
	size_t booked = 0;

	s.expiry = f->chain.tip.height + 2;
	mf_offer(f, 1, &s, id);
	assert_int_equal(market_book_foreach(fix_chain_state(&f->chain), count_book, &booked),
			 STATE_OK);
	assert_int_equal(booked, 1);
	mf_empty_block(f); /* the expiry height */
	assert_false(mf_offer_exists(f, id));
	assert_int_equal(list(f, MARKET_OFFERS_BY_PROVIDER, 1).n, 0);
	booked = 0;
	assert_int_equal(market_book_foreach(fix_chain_state(&f->chain), count_book, &booked),
			 STATE_OK);
	assert_int_equal(booked, 0);
	mf_bid(f, 4, &b, bid_id);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_NO_OFFERS);
}

static void test_expired_offer_with_a_lease_keeps_its_record(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE];
	Hearth__OfferRecord *rec;
	size_t len;
	uint8_t *tx;

	s.expiry = f->chain.tip.height + 3;
	mf_offer(f, 1, &s, offer_id);
	mf_bid(f, 4, &b, bid_id);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	mf_empty_block(f); /* the expiry height */
	rec = mf_offer_record(f, offer_id);
	assert_int_equal(rec->free_slots, 1);
	codec_free((ProtobufCMessage *)rec);
	assert_int_equal(list(f, MARKET_OFFERS_BY_PROVIDER, 1).n, 1);
	tx = mf_cancel_offer_tx(f, 1, mf_nonce(f, 1), offer_id, MARKET_ID_SIZE, &len);
	mf_assert_rejected(f, tx, len, MARKET_CANCEL_OFFER_HAS_LEASES);
	/* a later bid does not see it */
	b = mf_bid_spec(f);
	mf_bid(f, 5, &b, bid_id);
	mf_assert_bid(f, bid_id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_NO_OFFERS);
}

/* A provider's bond is a plain bond: enough to offer and be matched, never
 * a seat in the validator set. */
static void test_plain_bonded_provider_offers_without_validating(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	struct validator_set *set = malloc(sizeof(*set));
	uint8_t offer_id[MARKET_ID_SIZE], bid_id[MARKET_ID_SIZE], *tx;
	size_t len;

	assert_non_null(set);
	/* key 5 had no bond: exactly min_provider_bond, plainly */
	reject_offer(f, 5, &s, MARKET_OFFER_NO_BOND);
	tx = fix_bond(f, 5, mf_nonce(f, 5), FIX_FEE, f->genesis.params.min_provider_bond, &len);
	mf_block1(f, tx, len);
	mf_offer(f, 5, &s, offer_id);
	assert_true(mf_offer_exists(f, offer_id));
	b.max_price = s.price;
	mf_bid(f, 4, &b, bid_id);
	assert_true(mf_lease_exists(f, bid_id, 0));
	mf_empty_block(f);
	/* neither it nor the fixture's providers 1..3 stand as validators */
	for (int i = 1; i < MF_PROVIDERS; i++)
		assert_false(fix_account(f, &f->chain, i).validator);
	assert_false(fix_account(f, &f->chain, 5).validator);
	assert_int_equal(staking_load_set(fix_chain_state(&f->chain), f->chain.tip.height + 2, set),
			 STATE_OK);
	assert_int_equal(set->count, 1);
	assert_memory_equal(set->members[0].key, f->signers[0].pubkey, PUBKEY_SIZE);
	free(set);
}

static void test_reason_messages_are_distinct(void **state UNUSED)
{
	for (uint32_t a = 1; a <= MARKET_UNMATCHED_SCAN_LIMIT; a++) {
		const char *ma = market_strreason(a);

		if (strcmp(ma, "unknown market reason") == 0)
			continue;
		for (uint32_t b = a + 1; b <= MARKET_UNMATCHED_SCAN_LIMIT; b++)
			assert_string_not_equal(ma, market_strreason(b));
	}
	assert_string_equal(market_strreason(12), "unknown market reason");
	assert_string_equal(market_strreason(999), "unknown market reason");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offer_is_recorded_and_indexed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bid_input_url_rules_each_have_a_reason, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_offer_rules_each_have_a_reason, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel_offer_removes_it_everywhere, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel_offer_rules_each_have_a_reason, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bid_locks_the_worst_case_in_escrow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bid_rules_each_have_a_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_bid_refunds_the_whole_escrow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel_bid_rules_each_have_a_reason, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel_and_match_in_one_block_cancel_wins,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_bid_expires_with_a_full_refund,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bid_matches_in_the_block_of_its_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_offer_expires_and_leaves_no_trace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_expired_offer_with_a_lease_keeps_its_record,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_plain_bonded_provider_offers_without_validating, setup, teardown),
		cmocka_unit_test(test_reason_messages_are_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
