/* test_mempool.c: unit tests of node/mempool.c over the ledger test chain. */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

struct ctx {
	struct fixture f;
	struct mempool mp;
};

static const struct mempool_limits roomy = { .max_txs = 100, .max_bytes = 1 << 20 };

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	fix_setup(&c->f);
	mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), 1, &roomy);
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

/* A transfer of 1 unit from key `from` to key 7 with this nonce. */
static uint8_t *transfer(struct ctx *c, int from, uint64_t nonce, size_t *len)
{
	return fix_transfer(&c->f, from, nonce, FIX_FEE, c->f.signers[7].pubkey, 1, len);
}

static enum mempool_result offer(struct ctx *c, uint8_t *tx, size_t len, uint8_t id[HASH_SIZE],
				 struct ledger_error *err)
{
	enum mempool_result r = mempool_add(&c->mp, tx, len, id, err);

	free(tx);
	return r;
}

static void test_mempool_admits_once_and_rejects_with_reason(void **state)
{
	struct ctx *c = *state;
	struct ledger_error err;
	uint8_t id[HASH_SIZE], *tx;
	size_t len;

	tx = transfer(c, 1, 1, &len);
	assert_int_equal(mempool_add(&c->mp, tx, len, id, &err), MEMPOOL_ADDED);
	assert_true(mempool_contains(&c->mp, id));
	assert_true(mempool_sig_verified(&c->mp, tx, len));
	assert_int_equal(mempool_add(&c->mp, tx, len, id, &err), MEMPOOL_DUPLICATE);
	/* The same tx with a flipped signature bit is another tx, and bad. */
	tx[len - 1] ^= 1;
	assert_false(mempool_sig_verified(&c->mp, tx, len));
	assert_int_equal(mempool_add(&c->mp, tx, len, id, &err), MEMPOOL_REJECTED);
	assert_int_equal(err.reason, LEDGER_TX_BAD_SIGNATURE);
	free(tx);
	assert_int_equal(c->mp.count, 1);
}

static void test_mempool_chains_nonces_of_one_sender(void **state)
{
	struct ctx *c = *state;
	struct ledger_error err;
	uint8_t id[HASH_SIZE], *tx;
	size_t len;

	for (uint64_t n = 1; n <= 3; n++) {
		tx = transfer(c, 2, n, &len);
		assert_int_equal(offer(c, tx, len, id, &err), MEMPOOL_ADDED);
	}
	/* Nonce 5 has a gap (4): it waits instead of being refused. */
	tx = transfer(c, 2, 5, &len);
	assert_int_equal(offer(c, tx, len, id, &err), MEMPOOL_ADDED);
	assert_true(mempool_is_waiting(&c->mp, id));
	/* A second tx at nonce 3 (other bytes) is a replay now. */
	tx = fix_transfer(&c->f, 2, 3, FIX_FEE + 1, c->f.signers[7].pubkey, 1, &len);
	assert_int_equal(offer(c, tx, len, id, &err), MEMPOOL_REJECTED);
	assert_int_equal(err.reason, LEDGER_TX_NONCE_REPLAYED);
}

static void test_mempool_is_bounded(void **state)
{
	struct ctx *c = *state;
	const struct mempool_limits tiny = { .max_txs = 2, .max_bytes = 1 << 20 };
	uint8_t id[HASH_SIZE], *tx;
	size_t len;

	mempool_free(&c->mp);
	mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), 1, &tiny);
	for (int k = 1; k <= 2; k++) {
		tx = transfer(c, k, 1, &len);
		assert_int_equal(offer(c, tx, len, id, NULL), MEMPOOL_ADDED);
	}
	tx = transfer(c, 3, 1, &len);
	assert_int_equal(offer(c, tx, len, id, NULL), MEMPOOL_FULL);

	mempool_free(&c->mp);
	tx = transfer(c, 1, 1, &len);
	{
		const struct mempool_limits bytes = { .max_txs = 100, .max_bytes = len * 2 - 1 };

		mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), 1, &bytes);
	}
	assert_int_equal(offer(c, tx, len, id, NULL), MEMPOOL_ADDED);
	tx = transfer(c, 2, 1, &len);
	assert_int_equal(offer(c, tx, len, id, NULL), MEMPOOL_FULL);
}

static void test_mempool_reaps_in_arrival_order_within_limits(void **state)
{
	struct ctx *c = *state;
	const uint8_t *txs[8];
	size_t lens[8], len, n;
	uint8_t id[HASH_SIZE], first[HASH_SIZE], *tx;

	for (int k = 1; k <= 4; k++) {
		tx = transfer(c, k, 1, &len);
		assert_int_equal(offer(c, tx, len, k == 1 ? first : id, NULL), MEMPOOL_ADDED);
	}
	n = mempool_reap(&c->mp, SIZE_MAX, 8, txs, lens);
	assert_int_equal(n, 4);
	tx_id(txs[0], lens[0], id);
	assert_memory_equal(id, first, HASH_SIZE);
	assert_int_equal(mempool_reap(&c->mp, SIZE_MAX, 3, txs, lens), 3);
	assert_int_equal(mempool_reap(&c->mp, len * 2 + len / 2, 8, txs, lens), 2);
	assert_int_equal(mempool_reap(&c->mp, len - 1, 8, txs, lens), 0);
}

static void test_mempool_update_removes_committed_and_drops_stale(void **state)
{
	struct ctx *c = *state;
	uint8_t ids[3][HASH_SIZE], id[HASH_SIZE], *block_txs[2];
	size_t block_lens[2], len;
	uint8_t *tx;

	/* Pool: key 1 nonce 1, key 1 nonce 2, key 3 nonce 1. */
	tx = transfer(c, 1, 1, &len);
	assert_int_equal(offer(c, tx, len, ids[0], NULL), MEMPOOL_ADDED);
	tx = transfer(c, 1, 2, &len);
	assert_int_equal(offer(c, tx, len, ids[1], NULL), MEMPOOL_ADDED);
	tx = transfer(c, 3, 1, &len);
	assert_int_equal(offer(c, tx, len, ids[2], NULL), MEMPOOL_ADDED);

	/* The block holds key 1's first tx and, instead of key 3's pooled tx,
	 * another tx of key 3 at the same nonce. */
	{
		const uint8_t *pooled[1];
		size_t pooled_len[1];

		assert_int_equal(mempool_reap(&c->mp, SIZE_MAX, 1, pooled, pooled_len), 1);
		block_lens[0] = pooled_len[0];
		block_txs[0] = malloc(pooled_len[0]);
		assert_non_null(block_txs[0]);
		memcpy(block_txs[0], pooled[0], pooled_len[0]);
	}
	block_txs[1] =
		fix_transfer(&c->f, 3, 1, FIX_FEE + 7, c->f.signers[6].pubkey, 1, &block_lens[1]);
	tx_id(block_txs[0], block_lens[0], id);
	assert_memory_equal(id, ids[0], HASH_SIZE);
	{
		uint8_t committed[2][HASH_SIZE];

		tx_id(block_txs[0], block_lens[0], committed[0]);
		tx_id(block_txs[1], block_lens[1], committed[1]);
		assert_int_equal(fix_block(&c->f, &c->f.chain, block_txs, block_lens, 2, NULL),
				 LEDGER_OK);
		assert_int_equal(
			mempool_update(&c->mp, (const uint8_t(*)[HASH_SIZE])committed, 2, 2), 1);
	}
	assert_int_equal(c->mp.count, 1);
	assert_false(mempool_contains(&c->mp, ids[0]));
	assert_true(mempool_contains(&c->mp, ids[1]));
	assert_false(mempool_contains(&c->mp, ids[2]));
	/* The pool still chains on the new tip: key 1 nonce 3 is next. */
	tx = transfer(c, 1, 3, &len);
	assert_int_equal(offer(c, tx, len, id, NULL), MEMPOOL_ADDED);
}

static bool claims_verified(void *arg, const uint8_t *tx, size_t len)
{
	(void)tx;
	(void)len;
	return *(const bool *)arg;
}

/* The ledger skips the signature check of txs the cache vouches for, and
 * checks all others: shown with a tx whose signature is broken. */
static void test_block_apply_consults_the_signature_cache(void **state)
{
	struct ctx *c = *state;
	struct ledger_error err;
	uint8_t *txs[1];
	size_t lens[1];
	bool vouch = false;

	c->f.ledger.cfg.sig_verified = claims_verified;
	c->f.ledger.cfg.sig_arg = &vouch;
	txs[0] = transfer(c, 1, 1, &lens[0]);
	txs[0][lens[0] - 1] ^= 1;
	{
		uint8_t *copy = malloc(lens[0]);

		assert_non_null(copy);
		memcpy(copy, txs[0], lens[0]);
		assert_int_equal(fix_block(&c->f, &c->f.chain, txs, lens, 1, &err),
				 LEDGER_BLOCK_BAD_TX);
		assert_int_equal(err.detail_code, LEDGER_TX_BAD_SIGNATURE);
		vouch = true;
		txs[0] = copy;
		assert_int_equal(fix_block(&c->f, &c->f.chain, txs, lens, 1, &err), LEDGER_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mempool_admits_once_and_rejects_with_reason,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mempool_chains_nonces_of_one_sender, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mempool_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mempool_reaps_in_arrival_order_within_limits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_mempool_update_removes_committed_and_drops_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_apply_consults_the_signature_cache,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
