/* test_mempool_find.c: unit tests of mempool_find (node/mempool.c), the
 * lookup by tx id that tx gossip (node/net_tx.c) answers GetTxs with: the
 * right entry for every id, before and after a commit moves the entries,
 * after a waiting tx is promoted (moved to the end),
 * NULL for ids the pool does not hold, and still the right entry when the
 * index it keeps were out of date. */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

#define NUM_TXS 6

struct ctx {
	struct fixture f;
	struct mempool mp;
	uint8_t ids[NUM_TXS][HASH_SIZE];
	uint8_t *txs[NUM_TXS]; /* copies of what the pool holds */
	size_t lens[NUM_TXS];
};

static const struct mempool_limits roomy = { .max_txs = 100, .max_bytes = 1 << 20 };

/* A pool with NUM_TXS transfers, one from each funded key (0..5). */
static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	fix_setup(&c->f);
	mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), 1, &roomy);
	for (int i = 0; i < NUM_TXS; i++) {
		c->txs[i] =
			fix_transfer(&c->f, i, 1, FIX_FEE, c->f.signers[7].pubkey, 1, &c->lens[i]);
		if (mempool_add(&c->mp, c->txs[i], c->lens[i], c->ids[i], NULL) != MEMPOOL_ADDED)
			return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	for (int i = 0; i < NUM_TXS; i++)
		free(c->txs[i]);
	mempool_free(&c->mp);
	fix_teardown(&c->f);
	free(c);
	return 0;
}

static void assert_finds(const struct ctx *c, int i)
{
	const struct mempool_entry *e = mempool_find(&c->mp, c->ids[i]);

	assert_non_null(e);
	assert_memory_equal(e->id, c->ids[i], HASH_SIZE);
	assert_int_equal(e->len, c->lens[i]);
	assert_memory_equal(e->tx, c->txs[i], c->lens[i]);
}

static void test_find_returns_the_entry_of_each_id(void **state)
{
	struct ctx *c = *state;
	uint8_t unknown[HASH_SIZE];

	for (int i = 0; i < NUM_TXS; i++)
		assert_finds(c, i);
	memset(unknown, 0xab, sizeof(unknown));
	assert_null(mempool_find(&c->mp, unknown));
}

static void test_find_follows_the_entries_a_commit_moves(void **state)
{
	struct ctx *c = *state;
	uint8_t *block[2];
	size_t block_lens[2];
	uint8_t committed[2][HASH_SIZE], *tx;
	uint8_t id[HASH_SIZE];
	size_t len;

	/* Txs 0 and 2 are committed: the others move down in entries. */
	for (int k = 0; k < 2; k++) {
		block_lens[k] = c->lens[2 * k];
		block[k] = malloc(block_lens[k]);
		assert_non_null(block[k]);
		memcpy(block[k], c->txs[2 * k], block_lens[k]);
		memcpy(committed[k], c->ids[2 * k], HASH_SIZE);
	}
	assert_int_equal(fix_block(&c->f, &c->f.chain, block, block_lens, 2, NULL), LEDGER_OK);
	assert_int_equal(mempool_update(&c->mp, (const uint8_t(*)[HASH_SIZE])committed, 2, 2), 0);
	assert_int_equal(c->mp.count, NUM_TXS - 2);
	assert_null(mempool_find(&c->mp, c->ids[0]));
	assert_null(mempool_find(&c->mp, c->ids[2]));
	for (int i = 0; i < NUM_TXS; i++)
		if (i != 0 && i != 2)
			assert_finds(c, i);
	/* A tx added afterwards is found too; a refused one is not. */
	tx = fix_transfer(&c->f, 0, 2, FIX_FEE, c->f.signers[7].pubkey, 1, &len);
	assert_int_equal(mempool_add(&c->mp, tx, len, id, NULL), MEMPOOL_ADDED);
	assert_non_null(mempool_find(&c->mp, id));
	assert_memory_equal(mempool_find(&c->mp, id)->tx, tx, len);
	free(tx);
	tx = fix_transfer(&c->f, 0, 3, FIX_FEE, c->f.signers[7].pubkey, 1, &len);
	tx[len - 1] ^= 1; /* a bad signature */
	assert_int_equal(mempool_add(&c->mp, tx, len, id, NULL), MEMPOOL_REJECTED);
	assert_null(mempool_find(&c->mp, id));
	free(tx);
}

static void test_find_follows_a_promoted_tx(void **state)
{
	struct ctx *c = *state;
	uint8_t *later, *gap;
	size_t later_len, gap_len;
	uint8_t later_id[HASH_SIZE], gap_id[HASH_SIZE];
	const struct mempool_entry *e;

	/* Key 5's nonce 3 waits; its nonce 2 then promotes it (moved to the
	 * end of entries with a new seq). */
	later = fix_transfer(&c->f, 5, 3, FIX_FEE, c->f.signers[7].pubkey, 1, &later_len);
	gap = fix_transfer(&c->f, 5, 2, FIX_FEE, c->f.signers[7].pubkey, 1, &gap_len);
	assert_int_equal(mempool_add(&c->mp, later, later_len, later_id, NULL), MEMPOOL_ADDED);
	assert_true(mempool_is_waiting(&c->mp, later_id));
	assert_int_equal(mempool_add(&c->mp, gap, gap_len, gap_id, NULL), MEMPOOL_ADDED);
	assert_false(mempool_is_waiting(&c->mp, later_id));
	e = mempool_find(&c->mp, later_id);
	assert_non_null(e);
	assert_memory_equal(e->tx, later, later_len);
	assert_ptr_equal(e, &c->mp.entries[c->mp.count - 1]);
	e = mempool_find(&c->mp, gap_id);
	assert_non_null(e);
	assert_memory_equal(e->tx, gap, gap_len);
	for (int i = 0; i < NUM_TXS; i++)
		assert_finds(c, i);
	free(later);
	free(gap);
}

static void test_find_is_right_even_with_an_index_out_of_date(void **state)
{
	struct ctx *c = *state;
	struct mempool_entry tmp = c->mp.entries[0];

	/* As if code that reorders entries forgot the index. */
	c->mp.entries[0] = c->mp.entries[NUM_TXS - 1];
	c->mp.entries[NUM_TXS - 1] = tmp;
	for (int i = 0; i < NUM_TXS; i++)
		assert_finds(c, i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_returns_the_entry_of_each_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_find_follows_the_entries_a_commit_moves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_find_follows_a_promoted_tx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_is_right_even_with_an_index_out_of_date,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
