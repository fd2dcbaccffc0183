/* test_market_match.c: unit tests of matching (market/match.c): cheapest
 * fitting offers at their own price, ties by age, replicas on distinct
 * providers, every filter and its explanation, competition for the last
 * slot, the per-block bounds and the pass that continues in the next block,
 * the escrow kept for the leases and the exact refund of the rest; within
 * one pass, offers filled by earlier bids are skipped and no other. */
#include "market/market.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/staking.h"
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

/* The provider of the lease of bid's replica. */
static int lease_provider(const struct fixture *f, const uint8_t *bid_id, uint32_t replica)
{
	Hearth__Lease *l = mf_lease_record(f, bid_id, replica);
	int who = -1;

	for (int i = 0; i < FIX_KEYS; i++) {
		if (memcmp(l->provider.data, f->signers[i].pubkey, PUBKEY_SIZE) == 0)
			who = i;
	}
	codec_free((ProtobufCMessage *)l);
	return who;
}

static void offer_at(struct fixture *f, int idx, uint64_t price, uint8_t *id)
{
	struct offer_spec s = mf_offer_spec(f);

	s.price = price;
	mf_offer(f, idx, &s, id);
}

static void test_bid_takes_the_cheapest_fitting_offer_at_its_price(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t cheap[MARKET_ID_SIZE], id[MARKET_ID_SIZE];
	uint64_t balance = fix_account(f, &f->chain, 4).balance;
	Hearth__OfferRecord *o;
	Hearth__Lease *l;
	Hearth__BidRecord *rec;

	offer_at(f, 1, 15, NULL);
	offer_at(f, 2, 12, cheap);
	offer_at(f, 3, 25, NULL);
	mf_bid(f, 4, &b, id);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	l = mf_lease_record(f, id, 0);
	assert_int_equal(l->price_per_second, 12);
	assert_int_equal(l->start_height, f->chain.tip.height);
	/* 60 s at 1000 ms a block, plus 5 blocks of grace */
	assert_int_equal(l->deadline_height, f->chain.tip.height + 65);
	assert_int_equal(l->state, HEARTH__LEASE_STATE__LEASE_ACTIVE);
	assert_int_equal(l->replica, 0);
	assert_memory_equal(l->offer_id.data, cheap, MARKET_ID_SIZE);
	assert_memory_equal(l->consumer.data, f->signers[4].pubkey, PUBKEY_SIZE);
	codec_free((ProtobufCMessage *)l);
	assert_int_equal(lease_provider(f, id, 0), 2);
	assert_false(mf_lease_exists(f, id, 1));
	/* escrow keeps the lease's worst case, 12 x 60; the rest came back */
	rec = mf_bid_record(f, id);
	assert_int_equal(rec->escrow, 720);
	codec_free((ProtobufCMessage *)rec);
	assert_int_equal(mf_escrow(&f->chain), 720);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, balance - FIX_FEE - 720);
	o = mf_offer_record(f, cheap);
	assert_int_equal(o->free_slots, 1);
	codec_free((ProtobufCMessage *)o);
}

static int count_ids(void *arg, const uint8_t id[MARKET_ID_SIZE])
{
	(void)id;
	++*(size_t *)arg;
	return 0;
}

static void test_leases_are_listed_by_provider_and_consumer(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	size_t n = 0;

	offer_at(f, 1, 10, NULL);
	mf_bid(f, 4, &b, NULL);
	mf_bid(f, 4, &b, NULL);
	assert_int_equal(market_list(fix_chain_state(&f->chain), MARKET_LEASES_BY_PROVIDER,
				     f->signers[1].pubkey, NULL, count_ids, &n),
			 STATE_OK);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(market_list(fix_chain_state(&f->chain), MARKET_LEASES_BY_CONSUMER,
				     f->signers[4].pubkey, NULL, count_ids, &n),
			 STATE_OK);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(market_list(fix_chain_state(&f->chain), MARKET_LEASES_BY_CONSUMER,
				     f->signers[1].pubkey, NULL, count_ids, &n),
			 STATE_OK);
	assert_int_equal(n, 0);
}

static void test_equal_prices_go_to_the_older_offer(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];

	offer_at(f, 3, 10, NULL);
	offer_at(f, 1, 10, NULL);
	offer_at(f, 2, 10, NULL);
	mf_bid(f, 4, &b, id);
	assert_int_equal(lease_provider(f, id, 0), 3);
	mf_bid(f, 4, &b, id);
	assert_int_equal(lease_provider(f, id, 0), 3); /* its second slot */
	mf_bid(f, 4, &b, id);
	assert_int_equal(lease_provider(f, id, 0), 1);
}

static void test_replicas_go_to_distinct_providers(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];
	uint64_t balance;

	offer_at(f, 1, 5, NULL);
	offer_at(f, 1, 6, NULL);
	offer_at(f, 2, 10, NULL);
	offer_at(f, 3, 11, NULL);
	balance = fix_account(f, &f->chain, 4).balance;
	b.replicas = 2;
	mf_bid(f, 4, &b, id);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	assert_int_equal(lease_provider(f, id, 0), 1);
	assert_int_equal(lease_provider(f, id, 1), 2);
	/* the leases' worst case and the tie-break reserve, 20 x 60 */
	assert_int_equal(mf_escrow(&f->chain), (5 + 10) * 60 + 1200);
	assert_int_equal(fix_account(f, &f->chain, 4).balance, balance - FIX_FEE - 900 - 1200);
}

static void test_too_few_distinct_providers_is_explained(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];

	offer_at(f, 1, 5, NULL);
	offer_at(f, 1, 6, NULL);
	b.replicas = 2;
	mf_bid(f, 4, &b, id);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_PROVIDERS);
	assert_false(mf_lease_exists(f, id, 0));
	assert_int_equal(mf_escrow(&f->chain), 3600); /* 2 replicas and the reserve */
	offer_at(f, 2, 20, NULL);		      /* a second provider: matched in this block */
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	assert_int_equal(mf_escrow(&f->chain), (5 + 20) * 60 + 1200);
}

/* One filter case: an offer (provider 1) and a bid (consumer) that fails on
 * exactly one rule. */
struct filter_case {
	const char *name;
	void (*edit)(struct fixture *f, struct offer_spec *s, struct bid_spec *b);
	void (*after_offer)(struct fixture *f);
	int consumer;
	enum market_reason reason;
};

static void edit_runtime(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)b;
	s->runtimes[0] = "wasm";
}

static void edit_cpu(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)b;
	s->cpu = 499;
}

static void edit_memory(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)s;
	b->memory = (1ull << 30) + 1;
}

static void edit_disk(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)s;
	b->disk = (1ull << 30) + 1;
}

static void edit_gpus(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)s;
	b->gpus = 1;
}

static void edit_duration(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)b;
	s->max_duration = 59;
}

static void edit_attributes(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)s;
	b->attr_keys[0] = "region";
	b->attr_values[0] = "us";
	b->n_attrs = 1;
}

static void edit_reputation(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)s;
	b->min_reputation = 51; /* a new provider scores 50 */
}

static void edit_price(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)b;
	s->price = 21;
}

static void edit_none(struct fixture *f, struct offer_spec *s, struct bid_spec *b)
{
	(void)f;
	(void)s;
	(void)b;
}

static void unbond_below_min(struct fixture *f)
{
	size_t len;
	uint8_t *tx = fix_unbond(f, 1, mf_nonce(f, 1), FIX_FEE, MF_BOND - 999, &len);

	mf_block1(f, tx, len);
}

static void jail_provider(struct fixture *f)
{
	assert_int_equal(staking_slash_and_jail(fix_chain_state(&f->chain), f->signers[1].pubkey, 0,
						UINT64_MAX, NULL, NULL),
			 LEDGER_OK);
}

static void cancel_nothing(struct fixture *f)
{
	(void)f;
}

static const struct filter_case filter_cases[] = {
	{ "runtime", edit_runtime, cancel_nothing, 4, MARKET_UNMATCHED_RUNTIME },
	{ "cpu", edit_cpu, cancel_nothing, 4, MARKET_UNMATCHED_CPU },
	{ "memory", edit_memory, cancel_nothing, 4, MARKET_UNMATCHED_MEMORY },
	{ "disk", edit_disk, cancel_nothing, 4, MARKET_UNMATCHED_DISK },
	{ "gpus", edit_gpus, cancel_nothing, 4, MARKET_UNMATCHED_GPUS },
	{ "duration", edit_duration, cancel_nothing, 4, MARKET_UNMATCHED_DURATION },
	{ "attributes", edit_attributes, cancel_nothing, 4, MARKET_UNMATCHED_ATTRIBUTES },
	{ "reputation", edit_reputation, cancel_nothing, 4, MARKET_UNMATCHED_REPUTATION },
	{ "price", edit_price, cancel_nothing, 4, MARKET_UNMATCHED_PRICE },
	{ "own offer", edit_none, cancel_nothing, 1, MARKET_UNMATCHED_OWN_OFFER },
	{ "bond", edit_none, unbond_below_min, 4, MARKET_UNMATCHED_BOND },
	{ "jailed", edit_none, jail_provider, 4, MARKET_UNMATCHED_JAILED },
};

static void test_each_filter_is_explained(void **state UNUSED)
{
	for (size_t i = 0; i < sizeof(filter_cases) / sizeof(filter_cases[0]); i++) {
		const struct filter_case *fc = &filter_cases[i];
		struct fixture *f = malloc(sizeof(*f));
		struct offer_spec s;
		struct bid_spec b;
		uint8_t id[MARKET_ID_SIZE];

		assert_non_null(f);
		mf_setup(f);
		s = mf_offer_spec(f);
		b = mf_bid_spec(f);
		fc->edit(f, &s, &b);
		mf_offer(f, 1, &s, NULL);
		fc->after_offer(f);
		mf_bid(f, fc->consumer, &b, id);
		print_message("filter %s\n", fc->name);
		mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, fc->reason);
		fix_teardown(f);
		free(f);
	}
}

static void test_the_furthest_filter_reached_is_the_reason(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];

	s.price = 1;
	s.runtimes[0] = "wasm";
	mf_offer(f, 1, &s, NULL);
	s = mf_offer_spec(f);
	s.price = 2;
	s.memory = 1 << 20;
	mf_offer(f, 2, &s, NULL);
	s = mf_offer_spec(f);
	s.price = 30;
	mf_offer(f, 3, &s, NULL);
	mf_bid(f, 4, &b, id);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_MEMORY);
}

static void test_reputation_filter_uses_the_score(void **state)
{
	struct fixture *f = *state;
	struct market_reputation good = { .completed = 8 }, bad = { .completed = 1, .failed = 1 };
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];

	assert_int_equal(market_reputation_score(&good), 90);
	assert_int_equal(market_reputation_score(&bad), 50);
	bad.slashed = 2;
	assert_int_equal(market_reputation_score(&bad), 33);
	assert_int_equal(
		market_reputation_store(fix_chain_state(&f->chain), f->signers[1].pubkey, &bad),
		STATE_OK);
	assert_int_equal(
		market_reputation_store(fix_chain_state(&f->chain), f->signers[2].pubkey, &good),
		STATE_OK);
	offer_at(f, 1, 5, NULL);
	offer_at(f, 2, 15, NULL);
	b.min_reputation = 90;
	mf_bid(f, 4, &b, id);
	assert_int_equal(lease_provider(f, id, 0), 2);
	b.min_reputation = 91;
	mf_bid(f, 4, &b, id);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_REPUTATION);
}

static void test_two_bids_compete_for_the_last_slot(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t first[MARKET_ID_SIZE], second[MARKET_ID_SIZE], *txs[2];
	size_t lens[2];

	s.slots = 1;
	mf_offer(f, 1, &s, NULL);
	txs[0] = mf_bid_tx(f, 5, mf_nonce(f, 5), &b, &lens[0], first);
	txs[1] = mf_bid_tx(f, 4, mf_nonce(f, 4), &b, &lens[1], second);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 2, NULL), LEDGER_OK);
	mf_assert_consistent(&f->chain);
	mf_assert_bid(f, first, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	/* the full offer left the book */
	mf_assert_bid(f, second, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_NO_OFFERS);
}

static void test_own_offers_are_skipped_for_others(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];

	offer_at(f, 1, 5, NULL);
	offer_at(f, 2, 15, NULL);
	mf_bid(f, 1, &b, id);
	assert_int_equal(lease_provider(f, id, 0), 2);
}

static void test_provider_below_min_bond_is_passed_over(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];

	offer_at(f, 1, 5, NULL);
	offer_at(f, 2, 15, NULL);
	unbond_below_min(f);
	mf_bid(f, 4, &b, id);
	assert_int_equal(lease_provider(f, id, 0), 2);
}

/* n bids of consumer 4 in one block. Out: ids. */
static void bids_in_one_block(struct fixture *f, const struct bid_spec *b, size_t n,
			      uint8_t (*ids)[MARKET_ID_SIZE])
{
	uint8_t **txs = calloc(n, sizeof(*txs));
	size_t *lens = calloc(n, sizeof(*lens));
	uint64_t nonce = mf_nonce(f, 4);

	assert_non_null(txs);
	assert_non_null(lens);
	for (size_t i = 0; i < n; i++)
		txs[i] = mf_bid_tx(f, 4, nonce + i, b, &lens[i], ids[i]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, n, NULL), LEDGER_OK);
	mf_assert_consistent(&f->chain);
	free(txs);
	free(lens);
}

static void test_matching_work_is_bounded_per_block(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t ids[20][MARKET_ID_SIZE];

	s.slots = 100;
	mf_offer(f, 1, &s, NULL);
	bids_in_one_block(f, &b, 20, ids); /* 16 bids a block (the fixture's bound) */
	for (size_t i = 0; i < 16; i++)
		mf_assert_bid(f, ids[i], HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	for (size_t i = 16; i < 20; i++)
		mf_assert_bid(f, ids[i], HEARTH__BID_STATE__BID_QUEUED, MARKET_OK);
	mf_empty_block(f); /* the pass continues where it stopped */
	for (size_t i = 16; i < 20; i++)
		mf_assert_bid(f, ids[i], HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
}

static void test_unmatchable_bids_do_not_starve_later_ones(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t low[16][MARKET_ID_SIZE], late[1][MARKET_ID_SIZE];

	mf_offer(f, 1, &s, NULL);
	b.max_price = 9;
	bids_in_one_block(f, &b, 16, low);
	mf_assert_bid(f, low[15], HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_PRICE);
	b.max_price = 10;
	bids_in_one_block(f, &b, 1, late); /* the pass wrapped: tries the 16 again */
	mf_assert_bid(f, late[0], HEARTH__BID_STATE__BID_QUEUED, MARKET_OK);
	mf_empty_block(f); /* then resumes at the late bid */
	mf_assert_bid(f, late[0], HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
}

static void test_offers_examined_per_bid_are_bounded(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t *txs[64], id[MARKET_ID_SIZE];
	size_t lens[64];
	uint64_t nonce = mf_nonce(f, 2);

	/* 64 cheap offers that do not fit fill the bid's examination budget */
	s.price = 1;
	s.runtimes[0] = "wasm";
	for (size_t i = 0; i < 64; i++)
		txs[i] = mf_offer_tx(f, 2, nonce + i, &s, &lens[i], NULL);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 64, NULL), LEDGER_OK);
	offer_at(f, 1, 10, NULL);
	mf_bid(f, 4, &b, id);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_SCAN_LIMIT);
}

/* An offer of provider idx: price, slots and cpu per slot. Out: id. */
static void offer_sized(struct fixture *f, int idx, uint64_t price, uint32_t slots, uint64_t cpu,
			uint8_t *id)
{
	struct offer_spec s = mf_offer_spec(f);

	s.price = price;
	s.slots = slots;
	s.cpu = cpu;
	mf_offer(f, idx, &s, id);
}

static void assert_lease_on(const struct fixture *f, const uint8_t *bid_id, const uint8_t *offer)
{
	Hearth__Lease *l = mf_lease_record(f, bid_id, 0);

	assert_memory_equal(l->offer_id.data, offer, MARKET_ID_SIZE);
	codec_free((ProtobufCMessage *)l);
}

static void test_a_pass_skips_the_offers_it_filled_and_no_other(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t one[MARKET_ID_SIZE], two[MARKET_ID_SIZE], many[MARKET_ID_SIZE];
	uint8_t ids[5][MARKET_ID_SIZE];
	Hearth__OfferRecord *o;

	offer_sized(f, 1, 5, 1, 1000, one);
	offer_sized(f, 2, 6, 2, 1000, two);
	offer_sized(f, 3, 7, 5, 1000, many);
	bids_in_one_block(f, &b, 5, ids); /* one pass */
	assert_lease_on(f, ids[0], one);
	assert_lease_on(f, ids[1], two); /* the cheapest is full: skipped */
	assert_lease_on(f, ids[2], two); /* a slot was left: not skipped */
	assert_lease_on(f, ids[3], many);
	assert_lease_on(f, ids[4], many);
	o = mf_offer_record(f, one);
	assert_int_equal(o->free_slots, 0);
	codec_free((ProtobufCMessage *)o);
	o = mf_offer_record(f, many);
	assert_int_equal(o->free_slots, 3);
	codec_free((ProtobufCMessage *)o);
}

static void test_a_cheaper_larger_offer_wins_over_a_closer_fit(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t big[MARKET_ID_SIZE], close[MARKET_ID_SIZE], id[MARKET_ID_SIZE];

	offer_sized(f, 1, 9, 2, 1000, close);
	offer_sized(f, 2, 8, 2, 64000, big); /* far more than any bid asks */
	b.cpu = 1000;
	mf_bid(f, 4, &b, id);
	assert_lease_on(f, id, big);
	b.cpu = 64000;
	mf_bid(f, 4, &b, id);
	assert_lease_on(f, id, big);
	b.cpu = 500;
	mf_bid(f, 4, &b, id);
	assert_lease_on(f, id, close);
}

static void test_every_bid_of_a_pass_walks_past_cheap_misfits(void **state)
{
	struct fixture *f = *state;
	struct offer_spec s = mf_offer_spec(f);
	struct bid_spec b = mf_bid_spec(f);
	uint8_t *txs[60], fit[MARKET_ID_SIZE], ids[16][MARKET_ID_SIZE];
	size_t lens[60];
	uint64_t nonce = mf_nonce(f, 2);

	/* 60 cheap offers no bid fits, then one that fits all: each of the 16
	 * bids of the pass examines 61 of its 64 entries */
	s.price = 1;
	s.cpu = 100;
	for (size_t i = 0; i < 60; i++)
		txs[i] = mf_offer_tx(f, 2, nonce + i, &s, &lens[i], NULL);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 60, NULL), LEDGER_OK);
	offer_sized(f, 1, 10, 16, 1000, fit);
	bids_in_one_block(f, &b, 16, ids);
	for (size_t i = 0; i < 16; i++) {
		mf_assert_bid(f, ids[i], HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
		assert_lease_on(f, ids[i], fit);
	}
	assert_true(mf_offer_exists(f, fit));
	mf_bid(f, 4, &b, ids[0]); /* the fitting offer is full now */
	mf_assert_bid(f, ids[0], HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_CPU);
}

/* The queue entry's value is the bid's record, byte for byte (matching
 * reads queued bids from it): after the bid, after a pass that changes its
 * reason, and gone once the bid is matched. */
static bool queue_holds_record(const struct fixture *f, const uint8_t *id)
{
	const struct state *st = fix_chain_state(&f->chain);
	Hearth__BidRecord *rec;
	uint8_t *a, *b;
	size_t a_len, b_len;
	struct mkey k;
	bool same;

	assert_int_equal(market_bid_get(st, id, &rec), STATE_OK);
	mkey_u64_id(&k, MKEY_BID_QUEUE, rec->seq, id);
	codec_free((ProtobufCMessage *)rec);
	if (state_get(st, k.bytes, k.len, &b, &b_len) != STATE_OK)
		return false;
	mkey_id(&k, MKEY_BID, id);
	assert_int_equal(state_get(st, k.bytes, k.len, &a, &a_len), STATE_OK);
	same = a_len == b_len && memcmp(a, b, a_len) == 0;
	free(a);
	free(b);
	return same;
}

static void test_the_queue_entry_holds_the_bid_record(void **state)
{
	struct fixture *f = *state;
	struct bid_spec b = mf_bid_spec(f);
	uint8_t id[MARKET_ID_SIZE];

	b.max_price = 10;
	mf_bid(f, 4, &b, id);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_NO_OFFERS);
	assert_true(queue_holds_record(f, id));
	offer_at(f, 1, 11, NULL); /* the reason becomes the price */
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_QUEUED, MARKET_UNMATCHED_PRICE);
	assert_true(queue_holds_record(f, id));
	offer_at(f, 2, 10, NULL);
	mf_assert_bid(f, id, HEARTH__BID_STATE__BID_MATCHED, MARKET_OK);
	assert_false(queue_holds_record(f, id));
	mf_assert_consistent(&f->chain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_bid_takes_the_cheapest_fitting_offer_at_its_price, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leases_are_listed_by_provider_and_consumer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_equal_prices_go_to_the_older_offer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replicas_go_to_distinct_providers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_few_distinct_providers_is_explained, setup,
						teardown),
		cmocka_unit_test(test_each_filter_is_explained),
		cmocka_unit_test_setup_teardown(test_the_furthest_filter_reached_is_the_reason,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reputation_filter_uses_the_score, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_bids_compete_for_the_last_slot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_own_offers_are_skipped_for_others, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_provider_below_min_bond_is_passed_over, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_matching_work_is_bounded_per_block, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unmatchable_bids_do_not_starve_later_ones,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_offers_examined_per_bid_are_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_pass_skips_the_offers_it_filled_and_no_other,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_cheaper_larger_offer_wins_over_a_closer_fit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_bid_of_a_pass_walks_past_cheap_misfits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_queue_entry_holds_the_bid_record, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
