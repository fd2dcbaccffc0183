/* test_txverify.c: unit tests of node/txverify.c on a real libuv loop:
 * verdicts in the order of the txs across batches verified at once, one
 * batch per loop turn, the bound, and close; and in every test, the txs
 * whose verdicts are handed over no longer count as waiting (the consensus
 * driver's precheck asks txverify_has from inside the callback). */
#include "node/txverify.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

struct seen {
	const struct txverify *q;
	size_t still_waiting; /* verdicts handed over while their tx counted as waiting */
	uint64_t *tags;
	enum ledger_reason *reasons;
	size_t count, cap, calls;
};

struct ctx {
	struct fixture f;
	uv_loop_t loop;
	struct txverify q;
	struct seen seen;
};

static void on_done(void *arg, const struct txverify_item *items, size_t n)
{
	struct seen *s = arg;

	s->calls++;
	for (size_t i = 0; i < n; i++) {
		assert_true(s->count < s->cap);
		if (txverify_has(s->q, items[i].id))
			s->still_waiting++;
		s->tags[s->count] = items[i].tag;
		s->reasons[s->count] = items[i].reason;
		s->count++;
	}
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	fix_setup(&c->f);
	c->seen.q = &c->q;
	c->seen.cap = TXVERIFY_MAX_PENDING + 1;
	c->seen.tags = calloc(c->seen.cap, sizeof(*c->seen.tags));
	c->seen.reasons = calloc(c->seen.cap, sizeof(*c->seen.reasons));
	if (c->seen.tags == NULL || c->seen.reasons == NULL || uv_loop_init(&c->loop) != 0 ||
	    txverify_init(&c->q, &c->loop, FIX_CHAIN, &c->f.ledger.cfg.params, on_done, &c->seen) !=
		    0)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	txverify_close(&c->q);
	if (uv_run(&c->loop, UV_RUN_DEFAULT) != 0 || uv_loop_close(&c->loop) != 0)
		return -1;
	assert_int_equal(c->seen.still_waiting, 0);
	fix_teardown(&c->f);
	free(c->seen.tags);
	free(c->seen.reasons);
	free(c);
	return 0;
}

/* Signer 1's transfer with nonce n; every fifth one has a broken signature. */
static void add_transfer(struct ctx *c, uint64_t n)
{
	size_t len;
	uint8_t *tx = fix_transfer(&c->f, 1, n, FIX_FEE, c->f.signers[6].pubkey, 1, &len);
	uint8_t id[HASH_SIZE];

	if (n % 5 == 0)
		tx[len - 1] ^= 1;
	tx_id(tx, len, id);
	assert_false(txverify_has(&c->q, id));
	assert_int_equal(txverify_add(&c->q, tx, len, id, n), 0);
	assert_true(txverify_has(&c->q, id));
	/* the same tx again (from another peer): verified once */
	assert_int_equal(txverify_add(&c->q, tx, len, id, n + 1000000), -1);
	free(tx);
}

/* A distinct id per number, for txs whose bytes are all alike. */
static const uint8_t *id_of(uint64_t i, uint8_t id[HASH_SIZE])
{
	memset(id, 0, HASH_SIZE);
	memcpy(id, &i, sizeof(i));
	return id;
}

static void test_verdicts_come_in_order_across_batches(void **state)
{
	struct ctx *c = *state;
	size_t n = 3 * TXVERIFY_BATCH + 7;

	for (uint64_t i = 0; i < n; i++)
		add_transfer(c, i);
	assert_false(txverify_idle(&c->q));
	assert_int_equal(uv_run(&c->loop, UV_RUN_DEFAULT), 0);
	assert_true(txverify_idle(&c->q));
	assert_int_equal(c->seen.count, n);
	assert_int_equal(c->seen.calls, 4); /* three full batches and the rest */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(c->seen.tags[i], i);
		assert_int_equal(c->seen.reasons[i],
				 i % 5 == 0 ? LEDGER_TX_BAD_SIGNATURE : LEDGER_OK);
	}
}

static void test_one_turn_makes_one_batch(void **state)
{
	struct ctx *c = *state;

	for (uint64_t i = 1; i <= 10; i++)
		add_transfer(c, i);
	assert_int_equal(uv_run(&c->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(c->seen.calls, 1);
	assert_int_equal(c->seen.count, 10);
	add_transfer(c, 11);
	assert_int_equal(uv_run(&c->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(c->seen.calls, 2);
	assert_int_equal(c->seen.tags[10], 11);
}

/* Garbage fails fast (it does not decode), so the bound is cheap to reach. */
static void test_pending_txs_are_bounded(void **state)
{
	struct ctx *c = *state;
	const uint8_t junk[1] = { 0xff };
	uint8_t id[HASH_SIZE];

	for (uint64_t i = 0; i < TXVERIFY_MAX_PENDING; i++)
		assert_int_equal(txverify_add(&c->q, junk, sizeof(junk), id_of(i, id), i), 0);
	assert_int_equal(txverify_add(&c->q, junk, sizeof(junk), id_of(UINT64_MAX, id), 0), -1);
	assert_int_equal(uv_run(&c->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(c->seen.count, TXVERIFY_MAX_PENDING);
	assert_int_equal(c->seen.reasons[0], LEDGER_TX_MALFORMED);
	/* delivered: neither the count nor the id is held any more */
	assert_false(txverify_has(&c->q, id_of(0, id)));
	assert_int_equal(txverify_add(&c->q, junk, sizeof(junk), id_of(0, id), 0), 0);
}

static void test_close_drops_what_waits(void **state)
{
	struct ctx *c = *state;

	add_transfer(c, 1);
	txverify_close(&c->q);
	{
		uint8_t id[HASH_SIZE];

		assert_int_equal(txverify_add(&c->q, (const uint8_t *)"x", 1, id_of(2, id), 2), -1);
	}
	assert_int_equal(uv_run(&c->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(c->seen.calls, 0);
	assert_true(txverify_idle(&c->q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_verdicts_come_in_order_across_batches, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_turn_makes_one_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_txs_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_drops_what_waits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
