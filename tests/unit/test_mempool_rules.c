/* test_mempool_rules.c: unit tests of the mempool's rules over the ledger
 * test chain: waiting nonces and their promotion, the per-sender limit, fee
 * priority in the reaped block, eviction when full, the re-check. */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

#define F FIX_FEE

struct ctx {
	struct fixture f;
	struct mempool mp;
};

static void pool_reset(struct ctx *c, const struct mempool_limits *limits)
{
	mempool_free(&c->mp);
	mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), c->f.chain.tip.height + 1,
		     limits);
}

static int setup(void **state)
{
	static const struct mempool_limits roomy = { .max_txs = 100, .max_bytes = 1 << 20 };
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

/* Offers a transfer of 1 unit from key `from` to key 7. Out: id, err. */
static enum mempool_result add(struct ctx *c, int from, uint64_t nonce, uint64_t fee,
			       uint8_t id[HASH_SIZE], struct ledger_error *err)
{
	size_t len;
	uint8_t *tx = fix_transfer(&c->f, from, nonce, fee, c->f.signers[7].pubkey, 1, &len);
	enum mempool_result r = mempool_add(&c->mp, tx, len, id, err);

	free(tx);
	return r;
}

/* Reaps at most max txs. Out: ids of the reaped txs in block order. */
static size_t reap_ids(struct ctx *c, size_t max, uint8_t (*ids)[HASH_SIZE])
{
	const uint8_t *txs[16];
	size_t lens[16], n;

	assert_true(max <= 16);
	n = mempool_reap(&c->mp, SIZE_MAX, max, txs, lens);
	for (size_t i = 0; i < n; i++)
		tx_id(txs[i], lens[i], ids[i]);
	return n;
}

/* Reaps a block of at most max txs, commits it on the chain (it must
 * apply) and updates the pool. Returns the number of txs in the block. */
static size_t reap_and_commit_max(struct ctx *c, size_t max)
{
	const uint8_t *txs[16];
	uint8_t *copies[16], ids[16][HASH_SIZE];
	size_t lens[16], n = mempool_reap(&c->mp, SIZE_MAX, max, txs, lens);

	for (size_t i = 0; i < n; i++) {
		copies[i] = malloc(lens[i]);
		assert_non_null(copies[i]);
		memcpy(copies[i], txs[i], lens[i]);
		tx_id(txs[i], lens[i], ids[i]);
	}
	assert_int_equal(fix_block(&c->f, &c->f.chain, copies, lens, n, NULL), LEDGER_OK);
	assert_int_equal(mempool_update(&c->mp, (const uint8_t(*)[HASH_SIZE])ids, n,
					c->f.chain.tip.height + 1),
			 0);
	return n;
}

static size_t reap_and_commit(struct ctx *c)
{
	return reap_and_commit_max(c, 16);
}

static void test_future_nonce_waits_then_is_promoted_when_the_gap_fills(void **state)
{
	struct ctx *c = *state;
	uint8_t ids[3][HASH_SIZE], got[16][HASH_SIZE];

	assert_int_equal(add(c, 1, 2, F, ids[1], NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 1, 3, F, ids[2], NULL), MEMPOOL_ADDED);
	assert_true(mempool_is_waiting(&c->mp, ids[1]));
	assert_true(mempool_is_waiting(&c->mp, ids[2]));
	assert_int_equal(c->mp.count, 2);
	assert_int_equal(reap_ids(c, 16, got), 0); /* nothing executable yet */

	assert_int_equal(add(c, 1, 1, F, ids[0], NULL), MEMPOOL_ADDED);
	assert_false(mempool_is_waiting(&c->mp, ids[1]));
	assert_false(mempool_is_waiting(&c->mp, ids[2]));
	assert_int_equal(c->mp.n_waiting, 0);
	assert_int_equal(reap_ids(c, 16, got), 3);
	for (int i = 0; i < 3; i++)
		assert_memory_equal(got[i], ids[i], HASH_SIZE);
	assert_int_equal(reap_and_commit(c), 3);
	assert_int_equal(c->mp.count, 0);
}

static void test_waiting_is_limited_per_sender(void **state)
{
	struct ctx *c = *state;
	const struct mempool_limits two = { .max_txs = 100, .max_bytes = 1 << 20, .max_ahead = 2 };
	struct ledger_error err;
	uint8_t id[HASH_SIZE];

	pool_reset(c, &two);
	/* Next nonce 1: nonce 4 is 3 ahead, nonce 3 is 2 ahead. */
	assert_int_equal(add(c, 1, 4, F, id, &err), MEMPOOL_NONCE_TOO_FAR);
	assert_non_null(strstr(err.text, "ahead"));
	assert_false(mempool_contains(&c->mp, id));
	assert_int_equal(add(c, 1, 3, F, id, &err), MEMPOOL_ADDED);
	assert_int_equal(add(c, 1, 3, F + 1, id, &err), MEMPOOL_NONCE_WAITING);
	assert_non_null(strstr(err.text, "already waits"));
	/* The limit counts from the next nonce, which moves with ready txs. */
	assert_int_equal(add(c, 1, 1, F, id, &err), MEMPOOL_ADDED);
	assert_int_equal(add(c, 1, 5, F, id, &err), MEMPOOL_NONCE_TOO_FAR);
	assert_int_equal(add(c, 1, 4, F, id, &err), MEMPOOL_ADDED); /* 2 ahead of 2 */
	assert_int_equal(add(c, 1, 2, F, id, &err), MEMPOOL_ADDED);
	assert_int_equal(c->mp.n_waiting, 0);
	assert_int_equal(add(c, 1, 6, F, id, &err), MEMPOOL_ADDED);

	/* The default allows MEMPOOL_AHEAD_DEFAULT nonces past the next. */
	pool_reset(c, &(struct mempool_limits){ .max_txs = 100, .max_bytes = 1 << 20 });
	assert_int_equal(add(c, 2, 2 + MEMPOOL_AHEAD_DEFAULT, F, id, &err), MEMPOOL_NONCE_TOO_FAR);
	assert_int_equal(add(c, 2, 1 + MEMPOOL_AHEAD_DEFAULT, F, id, &err), MEMPOOL_ADDED);
}

static void test_reap_orders_by_fee_per_byte_keeping_each_senders_nonces(void **state)
{
	struct ctx *c = *state;
	uint8_t a1[HASH_SIZE], a2[HASH_SIZE], b1[HASH_SIZE], c1[HASH_SIZE], got[16][HASH_SIZE];

	assert_int_equal(add(c, 1, 1, F, a1, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 1, 2, 10 * F, a2, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 3, 1, 2 * F, c1, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 2, 1, 3 * F, b1, NULL), MEMPOOL_ADDED);
	/* Room for 3 of 4: a2 pays most but needs a1, so b1, c1, a1. */
	assert_int_equal(reap_ids(c, 3, got), 3);
	assert_memory_equal(got[0], b1, HASH_SIZE);
	assert_memory_equal(got[1], c1, HASH_SIZE);
	assert_memory_equal(got[2], a1, HASH_SIZE);
	assert_int_equal(reap_ids(c, 1, got), 1);
	assert_memory_equal(got[0], b1, HASH_SIZE);
	/* Room for all: all of them, in pool order (a valid block as is). */
	assert_int_equal(reap_ids(c, 16, got), 4);
	assert_memory_equal(got[0], a1, HASH_SIZE);
	assert_memory_equal(got[1], a2, HASH_SIZE);
	assert_memory_equal(got[2], c1, HASH_SIZE);
	assert_memory_equal(got[3], b1, HASH_SIZE);
	assert_int_equal(reap_and_commit_max(c, 3), 3);
	assert_int_equal(reap_ids(c, 16, got), 1);
	assert_memory_equal(got[0], a2, HASH_SIZE);
}

/* A high-fee tx of key 6 spends funds that a cheaper tx of key 1 sends it:
 * it cannot go first, so the block leaves it out until key 1's commits. */
static void test_reap_leaves_out_a_tx_that_needs_a_cheaper_one_of_another_sender(void **state)
{
	struct ctx *c = *state;
	uint8_t fund[HASH_SIZE], spend[HASH_SIZE], got[16][HASH_SIZE], *tx;
	size_t len;

	tx = fix_transfer(&c->f, 1, 1, F, c->f.signers[6].pubkey, 1000000, &len);
	assert_int_equal(mempool_add(&c->mp, tx, len, fund, NULL), MEMPOOL_ADDED);
	free(tx);
	assert_int_equal(add(c, 6, 1, 5 * F, spend, NULL), MEMPOOL_ADDED);
	/* Room for one: spend pays more, but only fund can go first. */
	assert_int_equal(reap_ids(c, 1, got), 1);
	assert_memory_equal(got[0], fund, HASH_SIZE);
	assert_int_equal(reap_and_commit_max(c, 1), 1);
	assert_int_equal(reap_ids(c, 16, got), 1);
	assert_memory_equal(got[0], spend, HASH_SIZE);
	assert_int_equal(reap_and_commit(c), 1);
}

static void test_full_pool_evicts_the_cheapest_with_its_later_nonces(void **state)
{
	struct ctx *c = *state;
	uint8_t a1[HASH_SIZE], a2[HASH_SIZE], a3[HASH_SIZE], b1[HASH_SIZE], c1[HASH_SIZE];

	pool_reset(c, &(struct mempool_limits){ .max_txs = 4, .max_bytes = 1 << 20 });
	assert_int_equal(add(c, 1, 1, F, a1, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 1, 2, 10 * F, a2, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 1, 4, 10 * F, a3, NULL), MEMPOOL_ADDED); /* waiting */
	assert_int_equal(add(c, 2, 1, 2 * F, b1, NULL), MEMPOOL_ADDED);
	/* Full: c1 beats a1, the cheapest; a2 and a3 cannot apply without it. */
	assert_int_equal(add(c, 3, 1, 3 * F, c1, NULL), MEMPOOL_ADDED);
	assert_int_equal(c->mp.count, 2);
	assert_int_equal(c->mp.n_waiting, 0);
	assert_false(mempool_contains(&c->mp, a1));
	assert_false(mempool_contains(&c->mp, a2));
	assert_false(mempool_contains(&c->mp, a3));
	assert_true(mempool_contains(&c->mp, b1));
	assert_true(mempool_contains(&c->mp, c1));
	/* The check state forgot a1: key 1's nonce 1 is next again. */
	assert_int_equal(add(c, 1, 1, F, a1, NULL), MEMPOOL_ADDED);
	assert_int_equal(reap_and_commit(c), 3);
}

static void test_full_pool_refuses_a_tx_that_does_not_pay_more(void **state)
{
	struct ctx *c = *state;
	struct ledger_error err;
	uint8_t a1[HASH_SIZE], b1[HASH_SIZE], id[HASH_SIZE];

	pool_reset(c, &(struct mempool_limits){ .max_txs = 2, .max_bytes = 1 << 20 });
	assert_int_equal(add(c, 1, 1, 2 * F, a1, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 2, 1, 2 * F, b1, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 3, 1, 2 * F, id, &err), MEMPOOL_FULL); /* equal is not more */
	assert_non_null(strstr(err.text, "mempool full"));
	assert_int_equal(add(c, 3, 1, F, id, &err), MEMPOOL_FULL);
	/* A tx that would wait for an earlier nonce evicts nothing. */
	assert_int_equal(add(c, 3, 2, 50 * F, id, &err), MEMPOOL_FULL);
	assert_non_null(strstr(err.text, "waiting"));
	assert_true(mempool_contains(&c->mp, a1));
	assert_true(mempool_contains(&c->mp, b1));
	/* A tx the ledger refuses gets the ledger's reason, not "full". */
	assert_int_equal(add(c, 1, 1, 9 * F, id, &err), MEMPOOL_REJECTED);
	assert_int_equal(err.reason, LEDGER_TX_NONCE_REPLAYED);
	/* Its own sender's earlier nonce is never evicted for it: b1 goes. */
	assert_int_equal(add(c, 1, 2, 3 * F, id, &err), MEMPOOL_ADDED);
	assert_true(mempool_contains(&c->mp, a1));
	assert_false(mempool_contains(&c->mp, b1));
}

static void test_byte_cap_evicts_as_many_as_needed(void **state)
{
	struct ctx *c = *state;
	uint8_t a1[HASH_SIZE], b1[HASH_SIZE], c1[HASH_SIZE], id[HASH_SIZE], *tx;
	size_t len;

	tx = fix_transfer(&c->f, 1, 1, F, c->f.signers[7].pubkey, 1, &len);
	free(tx);
	pool_reset(c, &(struct mempool_limits){ .max_txs = 100, .max_bytes = 2 * len + len / 2 });
	assert_int_equal(add(c, 1, 1, F, a1, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 2, 1, 3 * F, b1, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 3, 1, 2 * F, c1, NULL), MEMPOOL_ADDED);
	assert_false(mempool_contains(&c->mp, a1));
	assert_int_equal(c->mp.count, 2);
	assert_true(c->mp.bytes <= c->mp.limits.max_bytes);
	assert_int_equal(add(c, 4, 1, 2 * F, id, NULL), MEMPOOL_FULL);
	assert_int_equal(add(c, 4, 1, 4 * F, id, NULL), MEMPOOL_ADDED);
	assert_false(mempool_contains(&c->mp, c1));
	assert_true(mempool_contains(&c->mp, b1));
}

/* A block from elsewhere holds key 1's nonces 1 and 2 (another tx than the
 * pool's nonce 2): the pool's nonce 2 is stale, its nonce 3 becomes ready. */
static void test_recheck_drops_stale_and_promotes_waiting(void **state)
{
	struct ctx *c = *state;
	uint8_t *block[2], ids[2][HASH_SIZE], n2[HASH_SIZE], n3[HASH_SIZE], got[16][HASH_SIZE];
	size_t lens[2];

	assert_int_equal(add(c, 1, 2, F, n2, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 1, 3, F, n3, NULL), MEMPOOL_ADDED);
	block[0] = fix_transfer(&c->f, 1, 1, F, c->f.signers[6].pubkey, 1, &lens[0]);
	block[1] = fix_transfer(&c->f, 1, 2, F, c->f.signers[6].pubkey, 1, &lens[1]);
	tx_id(block[0], lens[0], ids[0]);
	tx_id(block[1], lens[1], ids[1]);
	assert_int_equal(fix_block(&c->f, &c->f.chain, block, lens, 2, NULL), LEDGER_OK);
	assert_int_equal(mempool_update(&c->mp, (const uint8_t(*)[HASH_SIZE])ids, 2, 2), 1);
	assert_false(mempool_contains(&c->mp, n2));
	assert_true(mempool_contains(&c->mp, n3));
	assert_false(mempool_is_waiting(&c->mp, n3));
	assert_int_equal(reap_ids(c, 16, got), 1);
	assert_memory_equal(got[0], n3, HASH_SIZE);
}

/* Key 1's balance is gone: its nonce 1 is dropped and nonce 2 waits again. */
static void test_recheck_sends_later_nonces_back_to_waiting(void **state)
{
	struct ctx *c = *state;
	struct account broke = { .balance = 0 };
	uint8_t n1[HASH_SIZE], n2[HASH_SIZE], got[16][HASH_SIZE];

	assert_int_equal(add(c, 1, 1, F, n1, NULL), MEMPOOL_ADDED);
	assert_int_equal(add(c, 1, 2, F, n2, NULL), MEMPOOL_ADDED);
	fix_force_account(&c->f, 1, &broke);
	assert_int_equal(mempool_update(&c->mp, NULL, 0, 1), 1);
	assert_false(mempool_contains(&c->mp, n1));
	assert_true(mempool_is_waiting(&c->mp, n2));
	assert_int_equal(reap_ids(c, 16, got), 0);
}

/* The pool's counters and indexes agree with its entries. */
static void assert_consistent(const struct mempool *mp)
{
	size_t bytes = 0, waiting = 0;

	for (size_t i = 0; i < mp->count; i++) {
		bytes += mp->entries[i].len;
		waiting += mp->entries[i].waiting;
		assert_true(mempool_contains(mp, mp->entries[i].id));
		assert_true(i == 0 || mp->entries[i - 1].seq < mp->entries[i].seq);
	}
	assert_int_equal(bytes, mp->bytes);
	assert_int_equal(waiting, mp->n_waiting);
	assert_int_equal(kvmap_count(&mp->ids), mp->count);
	assert_int_equal(kvmap_count(&mp->waiting), mp->n_waiting);
	assert_true(mp->count <= mp->limits.max_txs);
	assert_true(mp->bytes <= mp->limits.max_bytes);
}

/* Random offers (mostly the sender's next nonce in the pool, else one ahead
 * or stale; fees of 1 to 5 units) and
 * blocks of random sizes: the pool stays consistent, every block it builds
 * applies, and committing it drops nothing else. */
static void test_random_offers_and_blocks_keep_the_pool_consistent(void **state)
{
	struct ctx *c = *state;
	uint64_t rng = 0x9e3779b97f4a7c15ull;

	pool_reset(c, &(struct mempool_limits){ .max_txs = 24, .max_bytes = 1 << 20 });
	for (int step = 0; step < 400; step++) {
		uint64_t r;
		uint8_t id[HASH_SIZE];
		int from;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		r = rng;
		from = 1 + (int)(r % 5);
		if (r % 97 < 15) {
			(void)reap_and_commit_max(c, 1 + (r >> 8) % 6);
		} else {
			uint64_t ahead = (r >> 8) % 3 ? 1 : (r >> 10) % 22;
			struct account acct;
			uint64_t nonce;

			assert_int_equal(
				account_load(&c->mp.check_st, c->f.signers[from].pubkey, &acct),
				STATE_OK);
			nonce = acct.nonce + ahead;
			assert_true(add(c, from, nonce ? nonce : 1, F * (1 + (r >> 16) % 5), id,
					NULL) != MEMPOOL_ERROR);
		}
		assert_consistent(&c->mp);
	}
	while (mempool_ready_count(&c->mp) > 0)
		(void)reap_and_commit(c);
	assert_consistent(&c->mp);
}

static void test_every_result_has_its_own_string(void **state)
{
	const enum mempool_result all[] = {
		MEMPOOL_ADDED,	       MEMPOOL_DUPLICATE, MEMPOOL_FULL,	 MEMPOOL_NONCE_TOO_FAR,
		MEMPOOL_NONCE_WAITING, MEMPOOL_REJECTED,  MEMPOOL_ERROR,
	};
	size_t n = sizeof(all) / sizeof(all[0]);

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(mempool_result_string(all[i]),
						mempool_result_string(all[j]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_future_nonce_waits_then_is_promoted_when_the_gap_fills, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_waiting_is_limited_per_sender, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_reap_orders_by_fee_per_byte_keeping_each_senders_nonces, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_reap_leaves_out_a_tx_that_needs_a_cheaper_one_of_another_sender, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_full_pool_evicts_the_cheapest_with_its_later_nonces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_pool_refuses_a_tx_that_does_not_pay_more,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_byte_cap_evicts_as_many_as_needed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recheck_drops_stale_and_promotes_waiting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_recheck_sends_later_nonces_back_to_waiting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_random_offers_and_blocks_keep_the_pool_consistent, setup, teardown),
		cmocka_unit_test(test_every_result_has_its_own_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
