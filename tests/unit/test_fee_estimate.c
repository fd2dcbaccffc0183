/* test_fee_estimate.c: unit tests of node/fee_estimate.c over a mempool of
 * the ledger test chain (min_fee_per_byte 1). */
#include "node/fee_estimate.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

#define MAX_TX 4096

struct ctx {
	struct fixture f;
	struct mempool mp;
};

/* Under pressure from the second tx on (half of 4). */
static const struct mempool_limits small = { .max_txs = 4, .max_bytes = 1 << 20 };

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	fix_setup(&c->f);
	mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), 1, &small);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	mempool_free(&c->mp);
	fix_teardown(&c->f);
	free(c);
	return 0;
}

/* Adds a transfer from key `from` paying fee; returns its fee rate. */
static uint64_t add(struct ctx *c, int from, uint64_t fee)
{
	struct ledger_error err;
	uint8_t id[HASH_SIZE];
	size_t len;
	uint8_t *tx = fix_transfer(&c->f, from, 1, fee, c->f.signers[7].pubkey, 1, &len);
	uint64_t rate;

	assert_int_equal(mempool_add(&c->mp, tx, len, id, &err), MEMPOOL_ADDED);
	assert_int_equal(fee_rate_of(tx, len, MAX_TX, &rate), 0);
	assert_int_equal(rate, fee / len);
	free(tx);
	return rate;
}

static void test_fee_estimate_is_the_minimum_without_pressure(void **state)
{
	struct ctx *c = *state;
	struct fee_estimate est;

	assert_int_equal(fee_estimate(&c->mp, 1, MAX_TX, &est), 0);
	assert_false(est.pressure);
	assert_int_equal(est.feerate, 1);
	assert_int_equal(est.min_feerate, 1);
	/* One rich tx in a pool of 4: still no pressure. */
	add(c, 1, 100 * FIX_FEE);
	assert_int_equal(fee_estimate(&c->mp, 1, MAX_TX, &est), 0);
	assert_false(est.pressure);
	assert_int_equal(est.feerate, 1);
	/* A higher chain minimum is returned as is. */
	assert_int_equal(fee_estimate(&c->mp, 7, MAX_TX, &est), 0);
	assert_int_equal(est.feerate, 7);
	assert_int_equal(est.min_feerate, 7);
}

static void test_fee_estimate_beats_the_cheapest_under_pressure(void **state)
{
	struct ctx *c = *state;
	struct fee_estimate est;
	uint64_t rich = add(c, 1, 100 * FIX_FEE);
	uint64_t cheap = add(c, 2, FIX_FEE);

	assert_true(cheap < rich);
	assert_true(cheap > 1);
	assert_int_equal(fee_estimate(&c->mp, 1, MAX_TX, &est), 0);
	assert_true(est.pressure);
	assert_int_equal(est.lowest, cheap);
	assert_int_equal(est.feerate, cheap + 1);
	/* The chain minimum wins when it is higher than that. */
	assert_int_equal(fee_estimate(&c->mp, cheap + 5, MAX_TX, &est), 0);
	assert_int_equal(est.feerate, cheap + 5);
}

static void test_fee_estimate_bytes_pressure(void **state)
{
	struct ctx *c = *state;
	struct fee_estimate est;
	uint64_t rate;

	mempool_free(&c->mp);
	mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), 1,
		     &(struct mempool_limits){ .max_txs = 100, .max_bytes = 300 });
	rate = add(c, 3, FIX_FEE);
	assert_true(c->mp.bytes >= 150);
	assert_int_equal(fee_estimate(&c->mp, 1, MAX_TX, &est), 0);
	assert_true(est.pressure);
	assert_int_equal(est.feerate, rate + 1);
}

static void test_fee_rate_of_refuses_garbage(void **state UNUSED)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff };
	uint64_t rate = 99;

	assert_int_equal(fee_rate_of(junk, sizeof(junk), MAX_TX, &rate), -1);
	assert_int_equal(fee_rate_of(junk, 0, MAX_TX, &rate), -1);
	assert_int_equal(rate, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fee_estimate_is_the_minimum_without_pressure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fee_estimate_beats_the_cheapest_under_pressure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fee_estimate_bytes_pressure, setup, teardown),
		cmocka_unit_test(test_fee_rate_of_refuses_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
