/* test_market_pass.c: unit tests of how a matching pass takes its bids
 * (market/match.c): in batches bounded by the bytes of their records, which
 * change nothing but the memory a pass holds. Two in-memory states get the
 * same offers and bids (some with large inline inputs); one is matched with
 * one bid per batch, the other with the node's batches, pass after pass,
 * and the states must stay byte for byte the same (cursor included). */
#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/state_mem.h"
#include "market/order.h"
#include "tests/unit/test_util.h"

#define N_OFFERS 12
#define N_BIDS	 40

struct side {
	struct state_mem mem;
	struct state st;
	struct market_ctx c;
};

struct two {
	struct params p;
	uint8_t prev[HASH_SIZE];
	struct side a, b;
};

static void key_of(uint8_t kind, uint32_t i, uint8_t key[PUBKEY_SIZE])
{
	memset(key, 0, PUBKEY_SIZE);
	key[0] = kind;
	key[1] = (uint8_t)i;
}

static void put_offer(struct side *s, uint32_t i)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Offer o = HEARTH__OFFER__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	const char *runtimes[1] = { "posix" };
	uint8_t key[PUBKEY_SIZE];
	struct tx t = { 0 };

	key_of(1, i % 4, key);
	res.cpu_millicores = 500 * (1 + i % 4);
	res.memory_bytes = 1u << 20;
	o.per_slot = &res;
	o.slots = 1 + i % 3;
	o.runtimes = (char **)runtimes;
	o.n_runtimes = 1;
	o.price_per_second = 1 + (i * 7) % 10;
	o.max_duration_seconds = 60;
	o.expiry_height = 1000;
	body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
	body.offer = &o;
	t.body = &body;
	t.sender = key;
	hash_tagged("test/offer", &i, sizeof(i), t.id);
	assert_int_equal(market_offer_apply(&s->c, &t, NULL), LEDGER_OK);
}

static void put_bid(struct side *s, uint32_t i)
{
	static uint8_t input[3000];
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Bid b = HEARTH__BID__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	Hearth__Job job = HEARTH__JOB__INIT;
	char *argv[1] = { (char *)"true" };
	uint8_t key[PUBKEY_SIZE];
	struct tx t = { 0 };

	key_of(2, i % 5, key);
	res.cpu_millicores = 500 * (1 + i % 5);
	res.memory_bytes = 1u << 20;
	b.resources = &res;
	b.runtime = (char *)"posix";
	b.max_price_per_second = 3 + i % 8;
	b.max_duration_seconds = 30;
	b.replicas = 1 + i % 2;
	job.argv = argv;
	job.n_argv = 1;
	if (i % 3 == 0) { /* every third bid carries a large input */
		job.has_inline_input = true;
		job.inline_input.data = input;
		job.inline_input.len = sizeof(input);
	}
	b.job = &job;
	b.expiry_height = 1000;
	body.kind_case = HEARTH__TX_BODY__KIND_BID;
	body.bid = &b;
	t.body = &body;
	t.sender = key;
	hash_tagged("test/bid", &i, sizeof(i), t.id);
	assert_int_equal(market_bid_apply(&s->c, &t, NULL), LEDGER_OK);
}

static void side_init(struct two *w, struct side *s)
{
	uint8_t key[PUBKEY_SIZE];

	state_mem_init(&s->mem, &s->st);
	s->c.st = &s->st;
	s->c.p = &w->p;
	s->c.height = 1;
	s->c.prev_block_id = w->prev;
	for (uint32_t i = 0; i < 5; i++) {
		struct account a = { .balance = 1ull << 40, .nonce = 0, .bonded = 0 };

		key_of(2, i, key);
		assert_int_equal(account_store(&s->st, key, &a), STATE_OK);
	}
	for (uint32_t i = 0; i < N_OFFERS; i++)
		put_offer(s, i);
	for (uint32_t i = 0; i < N_BIDS; i++)
		put_bid(s, i);
}

static int setup(void **state)
{
	struct two *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->p.market_block_time_ms = 1000;
	w->p.market_lease_grace_blocks = 5;
	w->p.market_match_bids = 9;
	w->p.market_match_offers = 6;
	w->p.min_provider_bond = 0;
	memset(w->prev, 0x42, sizeof(w->prev));
	side_init(w, &w->a);
	side_init(w, &w->b);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct two *w = *state;

	state_mem_free(&w->a.mem);
	state_mem_free(&w->b.mem);
	free(w);
	return 0;
}

/* Every pair of a state, one after the other. */
struct dump {
	size_t len, cap;
	uint8_t *buf;
};

static void dump_add(struct dump *d, const uint8_t *p, size_t n)
{
	if (n == 0)
		return; /* an empty value may come as NULL */
	if (d->len + n > d->cap) {
		d->cap = 2 * (d->len + n);
		d->buf = realloc(d->buf, d->cap);
		assert_non_null(d->buf);
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

static int dump_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		     size_t val_len)
{
	uint64_t lens[2] = { key_len, val_len };

	dump_add(arg, (const uint8_t *)lens, sizeof(lens));
	dump_add(arg, key, key_len);
	dump_add(arg, val, val_len);
	return 0;
}

static void dump_state(const struct state *st, struct dump *d)
{
	for (unsigned p = 0; p < 256; p++) {
		uint8_t prefix = (uint8_t)p;

		assert_int_equal(state_iterate(st, &prefix, 1, NULL, 0, dump_pair, d), STATE_OK);
	}
}

static void assert_same_states(const struct two *w)
{
	struct dump a = { 0 }, b = { 0 };

	dump_state(&w->a.st, &a);
	dump_state(&w->b.st, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	free(a.buf);
	free(b.buf);
}

static size_t count_leases(const struct state *st)
{
	struct dump d = { 0 };
	uint8_t prefix = MKEY_LEASE;
	size_t n = 0;

	assert_int_equal(state_iterate(st, &prefix, 1, NULL, 0, dump_pair, &d), STATE_OK);
	for (size_t off = 0; off < d.len; n++) {
		uint64_t lens[2];

		memcpy(lens, d.buf + off, sizeof(lens));
		off += sizeof(lens) + lens[0] + lens[1];
	}
	free(d.buf);
	return n;
}

static void test_batches_do_not_change_the_outcome(void **state)
{
	struct two *w = *state;

	assert_same_states(w);
	/* five passes of 9 bids go round the queue of 40 and start again */
	for (uint64_t h = 2; h < 7; h++) {
		w->a.c.height = w->b.c.height = h;
		assert_int_equal(market_match_pass(&w->a.c, 1, NULL), LEDGER_OK);
		assert_int_equal(market_match_pass(&w->b.c, MARKET_MATCH_BATCH_BYTES, NULL),
				 LEDGER_OK);
		assert_same_states(w);
	}
	assert_true(count_leases(&w->a.st) > 0);
}

static void test_a_batch_of_a_few_kib_takes_bids_in_several_steps(void **state)
{
	struct two *w = *state;

	/* batches of ~4 KiB: one or two bids each (a large one is ~3 KiB) */
	for (uint64_t h = 2; h < 7; h++) {
		w->a.c.height = w->b.c.height = h;
		assert_int_equal(market_match_pass(&w->a.c, 4096, NULL), LEDGER_OK);
		assert_int_equal(market_match_pass(&w->b.c, MARKET_MATCH_BATCH_BYTES, NULL),
				 LEDGER_OK);
		assert_same_states(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batches_do_not_change_the_outcome, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_of_a_few_kib_takes_bids_in_several_steps, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
