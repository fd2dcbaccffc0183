/* test_market_book.c: unit tests of a matching pass's in-memory view of the
 * book (market/book.c) over an in-memory state: it yields exactly the
 * state's book (cheapest first, ties by age) across the chunks it reads
 * the keys in, offers filled in the pass leave both the view and the
 * state's book while offers with a slot left stay, long runs of filled
 * offers are crossed, the records are written back once at the end, and
 * each offer carries its provider's standing, read once per provider. */
#include "market/book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/state_mem.h"
#include "market/market.h"
#include "tests/unit/test_util.h"

#define N_PROVIDERS 7

struct bk {
	struct state_mem mem;
	struct state st;
	struct params p;
	struct market_ctx c;
	uint8_t prev[HASH_SIZE];
};

static int setup(void **state)
{
	struct bk *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	state_mem_init(&b->mem, &b->st);
	b->c.st = &b->st;
	b->c.p = &b->p;
	b->c.height = 1;
	memset(b->prev, 0x42, sizeof(b->prev));
	b->c.prev_block_id = b->prev;
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	struct bk *b = *state;

	state_mem_free(&b->mem);
	free(b);
	return 0;
}

static void offer_id(uint32_t i, uint8_t id[MARKET_ID_SIZE])
{
	hash_tagged("test/offer", &i, sizeof(i), id);
}

static void provider_key(uint32_t p, uint8_t key[PUBKEY_SIZE])
{
	memset(key, 0, PUBKEY_SIZE);
	key[0] = (uint8_t)(1 + p % 250);
	key[1] = (uint8_t)(p / 250);
}

/* Writes offer i (arrival seq i) of provider p at price with slots free:
 * its record and its book entry (holding a copy of the record), as
 * market_offer_apply does. */
static void put_offer_of(struct bk *b, uint32_t i, uint32_t p, uint64_t price, uint32_t slots)
{
	Hearth__OfferRecord rec = HEARTH__OFFER_RECORD__INIT;
	Hearth__Offer o = HEARTH__OFFER__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	uint8_t id[MARKET_ID_SIZE], provider[PUBKEY_SIZE];

	offer_id(i, id);
	provider_key(p, provider);
	res.cpu_millicores = 1000;
	res.memory_bytes = 1u << 20;
	o.per_slot = &res;
	o.slots = slots;
	o.price_per_second = price;
	o.max_duration_seconds = 60;
	o.expiry_height = 100;
	rec.id.data = id;
	rec.id.len = MARKET_ID_SIZE;
	rec.provider.data = provider;
	rec.provider.len = PUBKEY_SIZE;
	rec.offer = &o;
	rec.free_slots = slots;
	rec.seq = i;
	assert_int_equal(market_offer_store(&b->st, &rec, true), STATE_OK);
}

static void put_offer(struct bk *b, uint32_t i, uint64_t price, uint32_t slots)
{
	put_offer_of(b, i, i % N_PROVIDERS, price, slots);
}

/* A walk of the state's book or of the view: price and id of each entry. */
struct walk {
	size_t n, cap;
	uint64_t *price;
	uint8_t (*id)[MARKET_ID_SIZE];
};

static void walk_add(struct walk *w, uint64_t price, const uint8_t *id)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->price = realloc(w->price, w->cap * sizeof(*w->price));
		w->id = realloc(w->id, w->cap * sizeof(*w->id));
		assert_non_null(w->price);
		assert_non_null(w->id);
	}
	w->price[w->n] = price;
	memcpy(w->id[w->n], id, MARKET_ID_SIZE);
	w->n++;
}

static void walk_free(struct walk *w)
{
	free(w->price);
	free(w->id);
}

static int state_entry(void *arg, uint64_t price, const uint8_t id[MARKET_ID_SIZE])
{
	walk_add(arg, price, id);
	return 0;
}

static void walk_state(const struct bk *b, struct walk *w)
{
	assert_int_equal(market_book_foreach(&b->st, state_entry, w), STATE_OK);
}

/* Walks the view from its start, as a bid does; checks each entry's record
 * is the one its key names. Out: the indexes of the entries (may be NULL). */
static void walk_view(struct pass_book *v, struct walk *w, size_t *idx_out)
{
	struct book_entry *e;
	size_t idx;

	for (size_t i = 0;; i = idx + 1) {
		assert_int_equal(market_book_next(v, i, &idx, &e), 0);
		if (e == NULL)
			break;
		assert_non_null(e->rec);
		assert_memory_equal(e->rec->id.data, e->id, MARKET_ID_SIZE);
		assert_int_equal(e->rec->offer->price_per_second, e->price);
		if (idx_out != NULL)
			idx_out[w->n] = idx;
		walk_add(w, e->price, e->id);
	}
}

static void assert_same_walk(const struct walk *a, const struct walk *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->price[i], b->price[i]);
		assert_memory_equal(a->id[i], b->id[i], MARKET_ID_SIZE);
	}
}

static uint64_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

static void test_view_yields_the_book_in_order_across_chunks(void **state)
{
	struct bk *b = *state;
	struct walk in_state = { 0 }, in_view = { 0 };
	struct pass_book v;
	uint64_t r = 7;

	/* more keys than three chunks, many equal prices (ties by age) */
	for (uint32_t i = 0; i < 1500; i++)
		put_offer(b, i, 1 + next_rand(&r) % 40, 1);
	walk_state(b, &in_state);
	assert_int_equal(in_state.n, 1500);
	market_book_init(&v, &b->c);
	walk_view(&v, &in_view, NULL);
	assert_same_walk(&in_state, &in_view);
	/* a second walk over the loaded view is the same */
	in_view.n = 0;
	walk_view(&v, &in_view, NULL);
	assert_same_walk(&in_state, &in_view);
	market_book_free(&v);
	walk_free(&in_state);
	walk_free(&in_view);
}

static void test_empty_book_yields_nothing(void **state)
{
	struct bk *b = *state;
	struct pass_book v;
	struct book_entry *e;
	size_t idx;

	market_book_init(&v, &b->c);
	assert_int_equal(market_book_next(&v, 0, &idx, &e), 0);
	assert_null(e);
	market_book_free(&v);
}

/* Takes every slot of the offer at view index idx. */
static void fill(struct pass_book *v, size_t idx)
{
	while (v->e[idx].rec->free_slots > 0)
		assert_int_equal(market_book_take(v, idx), STATE_OK);
}

static void test_filled_offers_leave_the_view_and_the_book(void **state)
{
	struct bk *b = *state;
	struct walk in_state = { 0 }, in_view = { 0 }, first = { 0 };
	size_t idx[900];
	struct pass_book v;

	for (uint32_t i = 0; i < 900; i++)
		put_offer(b, i, 10 + i / 3, 1 + i % 3);
	market_book_init(&v, &b->c);
	walk_view(&v, &first, idx);
	/* a run of 300 from the cheapest (across the first chunk boundary),
	 * then every fourth one, and the dearest */
	for (size_t i = 0; i < 300; i++)
		fill(&v, idx[i]);
	for (size_t i = 300; i < 900; i += 4)
		fill(&v, idx[i]);
	fill(&v, idx[899]);
	walk_view(&v, &in_view, NULL);
	walk_state(b, &in_state);
	assert_int_equal(in_view.n, 900 - 300 - 150 - 1);
	assert_same_walk(&in_state, &in_view);
	market_book_free(&v);
	walk_free(&in_state);
	walk_free(&in_view);
	walk_free(&first);
}

static void test_an_offer_with_a_slot_left_stays_first(void **state)
{
	struct bk *b = *state;
	struct pass_book v;
	struct book_entry *e;
	size_t idx;
	Hearth__OfferRecord *rec;
	uint8_t id[MARKET_ID_SIZE];

	put_offer(b, 0, 5, 3);
	put_offer(b, 1, 6, 1);
	market_book_init(&v, &b->c);
	assert_int_equal(market_book_next(&v, 0, &idx, &e), 0);
	assert_int_equal(e->price, 5);
	assert_int_equal(market_book_take(&v, idx), STATE_OK);
	assert_int_equal(market_book_take(&v, idx), STATE_OK);
	/* the cheaper offer still has a slot: the next walk starts there */
	assert_int_equal(market_book_next(&v, 0, &idx, &e), 0);
	assert_int_equal(e->price, 5);
	assert_int_equal(e->rec->free_slots, 1);
	assert_int_equal(market_book_take(&v, idx), STATE_OK);
	assert_int_equal(market_book_next(&v, 0, &idx, &e), 0);
	assert_int_equal(e->price, 6);
	/* a full offer cannot give another slot */
	assert_int_equal(market_book_take(&v, 0), STATE_ERROR);
	/* the records are written when the pass ends */
	assert_int_equal(market_book_flush(&v), STATE_OK);
	market_book_free(&v);
	offer_id(0, id);
	assert_int_equal(market_offer_get(&b->st, id, &rec), STATE_OK);
	assert_int_equal(rec->free_slots, 0);
	codec_free((ProtobufCMessage *)rec);
	offer_id(1, id);
	assert_int_equal(market_offer_get(&b->st, id, &rec), STATE_OK);
	assert_int_equal(rec->free_slots, 1);
	codec_free((ProtobufCMessage *)rec);
}

/* The book entry of an offer holds its record's bytes: the view decodes
 * the record from it, and the flush at the end of a pass rewrites the copy
 * of an offer that keeps a free slot (and removes the entry of a full one). */
static void assert_book_copy(const struct bk *b, uint32_t i, uint64_t price, bool booked)
{
	uint8_t id[MARKET_ID_SIZE], *rec, *copy;
	size_t rec_len, copy_len;
	struct mkey k;

	offer_id(i, id);
	mkey_id(&k, MKEY_OFFER, id);
	assert_int_equal(state_get(&b->st, k.bytes, k.len, &rec, &rec_len), STATE_OK);
	mkey_book(&k, price, i, id);
	if (!booked) {
		assert_int_equal(state_get(&b->st, k.bytes, k.len, &copy, &copy_len),
				 STATE_NOT_FOUND);
	} else {
		assert_int_equal(state_get(&b->st, k.bytes, k.len, &copy, &copy_len), STATE_OK);
		assert_int_equal(copy_len, rec_len);
		assert_memory_equal(copy, rec, rec_len);
		free(copy);
	}
	free(rec);
}

static void test_the_book_entry_holds_the_offer_record(void **state)
{
	struct bk *b = *state;
	struct pass_book v;
	struct book_entry *e;
	size_t idx;

	put_offer(b, 0, 5, 3);
	put_offer(b, 1, 6, 1);
	assert_book_copy(b, 0, 5, true);
	assert_book_copy(b, 1, 6, true);
	market_book_init(&v, &b->c);
	assert_int_equal(market_book_next(&v, 0, &idx, &e), 0);
	assert_int_equal(e->rec->free_slots, 3);
	assert_int_equal(market_book_take(&v, idx), STATE_OK);
	assert_int_equal(market_book_next(&v, idx + 1, &idx, &e), 0);
	assert_int_equal(market_book_take(&v, idx), STATE_OK);
	assert_int_equal(market_book_flush(&v), STATE_OK);
	market_book_free(&v);
	assert_book_copy(b, 0, 5, true); /* two slots left, in the copy too */
	assert_book_copy(b, 1, 6, false);
	/* a view reads the new copy */
	market_book_init(&v, &b->c);
	assert_int_equal(market_book_next(&v, 0, &idx, &e), 0);
	assert_int_equal(e->rec->free_slots, 2);
	assert_int_equal(market_book_next(&v, idx + 1, &idx, &e), 0);
	assert_null(e);
	market_book_free(&v);
}

/* Runtimes are numbered once per pass (the first BOOK_RUNTIMES of them)
 * and each entry remembers, per number, whether its offer lists it; past
 * the table, or for a name too long, names are compared each time, with
 * the same answers. */
static void test_runtimes_are_remembered_per_entry(void **state)
{
	struct bk *b = *state;
	struct pass_book v;
	struct book_entry e = { 0 };
	Hearth__OfferRecord rec = HEARTH__OFFER_RECORD__INIT;
	Hearth__Offer o = HEARTH__OFFER__INIT;
	char *listed[2] = { (char *)"posix", (char *)"rt7" };
	char name[16], longname[MARKET_NAME_MAX + 2];

	o.runtimes = listed;
	o.n_runtimes = 2;
	rec.offer = &o;
	e.rec = &rec;
	market_book_init(&v, &b->c);
	assert_int_equal(market_book_runtime(&v, "posix"), 0);
	assert_int_equal(market_book_runtime(&v, "wasm"), 1);
	assert_int_equal(market_book_runtime(&v, "posix"), 0);
	assert_true(market_book_has_runtime(&e, 0, "posix"));
	assert_false(market_book_has_runtime(&e, 1, "wasm"));
	assert_int_equal(e.rt_known, 3);
	assert_int_equal(e.rt_has, 1);
	/* remembered: the answer comes from the bits */
	o.n_runtimes = 0;
	assert_true(market_book_has_runtime(&e, 0, "posix"));
	o.n_runtimes = 2;
	for (int i = 2; i < (int)BOOK_RUNTIMES; i++) {
		snprintf(name, sizeof(name), "rt%d", i);
		assert_int_equal(market_book_runtime(&v, name), i);
		assert_int_equal(market_book_has_runtime(&e, i, name), i == 7);
	}
	assert_int_equal(market_book_runtime(&v, "one-more"), -1);
	assert_int_equal(market_book_runtime(&v, "rt7"), 7);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(market_book_runtime(&v, longname), -1);
	assert_true(market_book_has_runtime(&e, -1, "rt7"));
	assert_false(market_book_has_runtime(&e, -1, "one-more"));
	e.rec = NULL;
	market_book_free(&v);
}

/* The terms a walk compares are the record's own fields, and the first
 * eight bytes of the provider's or consumer's key. */
static void test_terms_copy_the_records_fields(void **state UNUSED)
{
	Hearth__OfferRecord orec = HEARTH__OFFER_RECORD__INIT;
	Hearth__Offer o = HEARTH__OFFER__INIT;
	Hearth__BidRecord brec = HEARTH__BID_RECORD__INIT;
	Hearth__Bid bid = HEARTH__BID__INIT;
	Hearth__Resources r1 = HEARTH__RESOURCES__INIT, r2 = HEARTH__RESOURCES__INIT;
	uint8_t provider[PUBKEY_SIZE], consumer[PUBKEY_SIZE];
	struct market_terms t, u;
	uint64_t head;

	for (size_t i = 0; i < PUBKEY_SIZE; i++) {
		provider[i] = (uint8_t)(i + 1);
		consumer[i] = (uint8_t)(0xff - i);
	}
	r1 = (Hearth__Resources){
		.base = r1.base, .cpu_millicores = 1, .memory_bytes = 2, .disk_bytes = 3, .gpus = 4
	};
	r2 = (Hearth__Resources){
		.base = r2.base, .cpu_millicores = 5, .memory_bytes = 6, .disk_bytes = 7, .gpus = 8
	};
	o.per_slot = &r1;
	o.max_duration_seconds = 9;
	orec.offer = &o;
	orec.provider.data = provider;
	orec.provider.len = PUBKEY_SIZE;
	bid.resources = &r2;
	bid.max_duration_seconds = 10;
	brec.bid = &bid;
	brec.consumer.data = consumer;
	brec.consumer.len = PUBKEY_SIZE;
	market_terms_of_offer(&orec, &t);
	market_terms_of_bid(&brec, &u);
	assert_int_equal(t.cpu, 1);
	assert_int_equal(t.memory, 2);
	assert_int_equal(t.disk, 3);
	assert_int_equal(t.gpus, 4);
	assert_int_equal(t.duration, 9);
	memcpy(&head, provider, sizeof(head));
	assert_true(t.key_head == head);
	assert_int_equal(u.cpu, 5);
	assert_int_equal(u.memory, 6);
	assert_int_equal(u.disk, 7);
	assert_int_equal(u.gpus, 8);
	assert_int_equal(u.duration, 10);
	memcpy(&head, consumer, sizeof(head));
	assert_true(u.key_head == head);
}

/* The walk that made matching slow: every bid of a pass starts at the
 * cheapest ask while the cheap offers fill one after the other. Each of
 * 5,000 walks takes the first live entry; with the filled ones crossed in
 * O(1) amortized this is instant, and the view always agrees with the
 * state's book. */
static void test_many_walks_past_filled_offers(void **state)
{
	struct bk *b = *state;
	struct walk in_state = { 0 }, in_view = { 0 };
	struct pass_book v;
	struct book_entry *e;
	size_t idx;

	for (uint32_t i = 0; i < 5000; i++)
		put_offer(b, i, 1 + i / 10, 1);
	market_book_init(&v, &b->c);
	for (size_t n = 0; n < 4990; n++) {
		assert_int_equal(market_book_next(&v, 0, &idx, &e), 0);
		assert_non_null(e);
		assert_int_equal(idx, n);
		assert_int_equal(market_book_take(&v, idx), STATE_OK);
	}
	walk_view(&v, &in_view, NULL);
	walk_state(b, &in_state);
	assert_int_equal(in_view.n, 10);
	assert_same_walk(&in_state, &in_view);
	assert_int_equal(market_book_flush(&v), STATE_OK);
	market_book_free(&v);
	walk_free(&in_state);
	walk_free(&in_view);
}

static void test_each_offer_gets_its_providers_standing(void **state)
{
	struct bk *b = *state;
	struct pass_book v;
	struct book_entry *e;
	uint8_t key[PUBKEY_SIZE];
	size_t idx, n = 0;

	/* 300 providers (the table grows past its first sizes), three offers
	 * each; the providers of odd number are bonded enough */
	b->p.min_provider_bond = 10;
	for (uint32_t p = 0; p < 300; p++) {
		struct account a = { .balance = 0, .nonce = 0, .bonded = p % 2 ? 10 : 9 };

		provider_key(p, key);
		assert_int_equal(account_store(&b->st, key, &a), STATE_OK);
	}
	for (uint32_t i = 0; i < 900; i++)
		put_offer_of(b, i, i % 300, 1 + i % 13, 1);
	market_book_init(&v, &b->c);
	for (size_t i = 0;; i = idx + 1) {
		uint32_t p;

		assert_int_equal(market_book_next(&v, i, &idx, &e), 0);
		if (e == NULL)
			break;
		p = (uint32_t)(e->rec->provider.data[0] - 1) + 250u * e->rec->provider.data[1];
		assert_int_equal(e->sd.bond_ok, p % 2 == 1);
		assert_false(e->sd.jailed);
		assert_int_equal(e->sd.score, 50); /* no outcome yet */
		n++;
	}
	assert_int_equal(n, 900);
	assert_int_equal(v.n_prov, 300);
	market_book_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_view_yields_the_book_in_order_across_chunks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_book_yields_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filled_offers_leave_the_view_and_the_book,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_offer_with_a_slot_left_stays_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_the_book_entry_holds_the_offer_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_runtimes_are_remembered_per_entry, setup,
						teardown),
		cmocka_unit_test(test_terms_copy_the_records_fields),
		cmocka_unit_test_setup_teardown(test_many_walks_past_filled_offers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_each_offer_gets_its_providers_standing, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
