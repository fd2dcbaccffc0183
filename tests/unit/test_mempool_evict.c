/* test_mempool_evict.c: eviction from a full mempool takes txs out of the
 * check state without a re-check, and leaves it exactly as applying the
 * remaining ready txs in pool order to the committed state would: txs that
 * others depend on (funds a later tx spends) are passed over, credits to a
 * common recipient or to the evicted sender are undone exactly. */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/keys.h"
#include "consensus/tx.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

#define F FIX_FEE

struct ctx {
	struct fixture f;
	struct mempool mp;
};

static void pool_reset(struct ctx *c, size_t max_txs)
{
	struct mempool_limits limits = { .max_txs = max_txs, .max_bytes = 1 << 20 };

	mempool_free(&c->mp);
	mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), c->f.chain.tip.height + 1,
		     &limits);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	fix_setup(&c->f);
	pool_reset(c, 100);
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

/* Offers tx (freed here). */
static enum mempool_result offer(struct ctx *c, uint8_t *tx, size_t len, uint8_t id[HASH_SIZE])
{
	struct ledger_error err;
	enum mempool_result r = mempool_add(&c->mp, tx, len, id, &err);

	free(tx);
	return r;
}

/* A transfer of amount from key `from` to key `to`. Out: id, err. */
static enum mempool_result pay_err(struct ctx *c, int from, uint64_t nonce, uint64_t fee, int to,
				   uint64_t amount, uint8_t id[HASH_SIZE], struct ledger_error *err)
{
	size_t len;
	uint8_t *tx = fix_transfer(&c->f, from, nonce, fee, c->f.signers[to].pubkey, amount, &len);
	enum mempool_result r = mempool_add(&c->mp, tx, len, id, err);

	free(tx);
	return r;
}

static enum mempool_result pay(struct ctx *c, int from, uint64_t nonce, uint64_t fee, int to,
			       uint64_t amount, uint8_t id[HASH_SIZE])
{
	struct ledger_error err;

	return pay_err(c, from, nonce, fee, to, amount, id, &err);
}

struct cmp {
	const struct state *a, *b;
};

/* Both states read the same at key (value or absence). */
static int same_at(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		   size_t val_len, bool deleted)
{
	const struct cmp *m = arg;
	uint8_t *va = NULL, *vb = NULL;
	size_t la = 0, lb = 0;
	enum state_status ra = state_get(m->a, key, key_len, &va, &la),
			  rb = state_get(m->b, key, key_len, &vb, &lb);
	int differ = ra != rb || la != lb || (la > 0 && memcmp(va, vb, la) != 0);

	(void)val;
	(void)val_len;
	(void)deleted;
	free(va);
	free(vb);
	assert_int_equal(ra == STATE_ERROR, 0);
	return differ;
}

/* The check state reads exactly as the pool's ready txs applied in pool
 * order to the committed state (each of which must apply), and no waiting
 * tx could apply. */
static void assert_exact(struct ctx *c)
{
	const struct state *base = fix_chain_state(&c->f.chain);
	static const uint8_t no_proposer[PUBKEY_SIZE];
	struct ledger_block_ctx blk;
	struct overlay ov;
	struct state ref;
	struct cmp m;

	assert_false(c->mp.fx_lost);
	overlay_init(&ov, base, &ref);
	ledger_block_ctx_init(&blk, c->mp.next_height, no_proposer);
	for (size_t i = 0; i < c->mp.count; i++) {
		const struct mempool_entry *e = &c->mp.entries[i];
		struct account acct;

		if (!e->waiting) {
			assert_int_equal(ledger_apply_tx(&c->f.ledger, &ref, &blk, e->tx, e->len,
							 false, NULL),
					 LEDGER_OK);
			continue;
		}
		assert_int_equal(account_load(&c->mp.check_st, e->sender, &acct), STATE_OK);
		assert_true(e->nonce > acct.nonce + 1);
	}
	m.a = &c->mp.check_st;
	m.b = &ref;
	assert_int_equal(overlay_foreach_write(&ov, same_at, &m), 0);
	assert_int_equal(overlay_foreach_write(&c->mp.check, same_at, &m), 0);
	overlay_free(&ov);
}

static uint64_t balance(struct ctx *c, int key)
{
	struct account acct;

	assert_int_equal(account_load(&c->mp.check_st, c->f.signers[key].pubkey, &acct), STATE_OK);
	return acct.balance;
}

/* Key 6 has no genesis balance: it spends what key 0 sent it, so key 0's
 * tx, the cheapest, is passed over and the next cheapest goes; a newcomer
 * that pays less than every tx that could go alone is refused. */
static void test_a_tx_whose_funds_another_spends_is_not_evicted(void **state)
{
	struct ctx *c = *state;
	uint8_t fund[HASH_SIZE], spend[HASH_SIZE], other[HASH_SIZE], id[HASH_SIZE];
	struct ledger_error err;

	pool_reset(c, 3);
	assert_int_equal(pay(c, 0, 1, F, 6, 10 * F, fund), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 6, 1, 5 * F, 7, F, spend), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 2, 1, 3 * F, 7, 1, other), MEMPOOL_ADDED);
	assert_exact(c);
	/* Pays more than fund, less than other: nothing can go for it. */
	assert_int_equal(pay_err(c, 1, 1, 2 * F, 7, 1, id, &err), MEMPOOL_FULL);
	assert_non_null(strstr(err.text, "depending on them"));
	assert_int_equal(c->mp.count, 3);
	assert_exact(c);
	/* Pays more than other: other goes, fund and spend stay. */
	assert_int_equal(pay(c, 1, 1, 4 * F, 7, 1, id), MEMPOOL_ADDED);
	assert_true(mempool_contains(&c->mp, fund));
	assert_true(mempool_contains(&c->mp, spend));
	assert_false(mempool_contains(&c->mp, other));
	assert_true(mempool_contains(&c->mp, id));
	assert_exact(c);
}

/* Two evictions for one newcomer (bytes): the first victim is key 0's
 * nonce 2; its nonce 1, which key 6 depends on, is passed over without
 * bringing nonce 2 back into the pool; key 6's tx goes instead. */
static void test_a_passed_over_tx_keeps_its_later_nonce_doomed(void **state)
{
	struct ctx *c = *state;
	struct mempool_limits limits = { .max_txs = 100 };
	uint8_t a1[HASH_SIZE], a2[HASH_SIZE], b[HASH_SIZE], id[HASH_SIZE], *tx[3];
	size_t len[3];

	tx[0] = fix_transfer(&c->f, 0, 1, 2 * F, c->f.signers[6].pubkey, 10 * F, &len[0]);
	tx[1] = fix_transfer(&c->f, 6, 1, 5 * F, c->f.signers[7].pubkey, F, &len[1]);
	tx[2] = fix_transfer(&c->f, 0, 2, F, c->f.signers[7].pubkey, 1, &len[2]);
	limits.max_bytes = len[0] + len[1] + len[2];
	mempool_free(&c->mp);
	mempool_init(&c->mp, &c->f.ledger, fix_chain_state(&c->f.chain), 1, &limits);
	assert_int_equal(offer(c, tx[0], len[0], a1), MEMPOOL_ADDED);
	assert_int_equal(offer(c, tx[1], len[1], b), MEMPOOL_ADDED);
	assert_int_equal(offer(c, tx[2], len[2], a2), MEMPOOL_ADDED);
	/* A larger amount makes it longer than any one of them. */
	assert_int_equal(pay(c, 1, 1, 9 * F, 7, 100000000, id), MEMPOOL_ADDED);
	assert_true(mempool_contains(&c->mp, a1));
	assert_false(mempool_contains(&c->mp, a2));
	assert_false(mempool_contains(&c->mp, b));
	assert_true(c->mp.bytes <= limits.max_bytes);
	assert_exact(c);
}

/* Many senders credit key 7; evicting one in the middle takes exactly its
 * amount out of key 7's balance, and its fee and amount back to its sender. */
static void test_credits_to_a_common_recipient_are_undone_exactly(void **state)
{
	struct ctx *c = *state;
	uint8_t ids[5][HASH_SIZE], id[HASH_SIZE];
	uint64_t before7, before2;

	pool_reset(c, 5);
	before2 = balance(c, 2);
	for (int k = 0; k < 5; k++)
		assert_int_equal(pay(c, k, 1, (k == 2 ? 1 : 3) * F, 7, 100 + (uint64_t)k, ids[k]),
				 MEMPOOL_ADDED);
	before7 = balance(c, 7);
	assert_int_equal(pay(c, 5, 1, 4 * F, 6, 1, id), MEMPOOL_ADDED);
	assert_false(mempool_contains(&c->mp, ids[2]));
	assert_int_equal(balance(c, 7), before7 - 102);
	assert_int_equal(balance(c, 2), before2);
	assert_exact(c);
}

/* Key 1's txs are evicted after key 2 credited key 1: the credit stays,
 * key 1's nonce and balance go back; then key 2's credit (its record fixed
 * by the first eviction) goes too. */
static void test_credits_to_the_evicted_sender_stay(void **state)
{
	struct ctx *c = *state;
	uint8_t a1[HASH_SIZE], a2[HASH_SIZE], b1[HASH_SIZE], x[HASH_SIZE], y[HASH_SIZE];

	pool_reset(c, 4);
	assert_int_equal(pay(c, 1, 1, F, 7, 50, a1), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 2, 1, 2 * F, 1, 70, b1), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 1, 2, 5 * F, 7, 60, a2), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 3, 1, 5 * F, 7, 1, x), MEMPOOL_ADDED);
	assert_exact(c);
	assert_int_equal(pay(c, 4, 1, 6 * F, 7, 1, y), MEMPOOL_ADDED);
	assert_false(mempool_contains(&c->mp, a1));
	assert_false(mempool_contains(&c->mp, a2));
	assert_true(mempool_contains(&c->mp, b1));
	assert_exact(c);
	assert_int_equal(balance(c, 1), FIX_BALANCE + 70);
	assert_int_equal(pay(c, 5, 1, 5 * F, 7, 1, x), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 4, 2, 6 * F, 7, 1, y), MEMPOOL_ADDED);
	assert_false(mempool_contains(&c->mp, b1));
	assert_int_equal(balance(c, 1), FIX_BALANCE);
	assert_exact(c);
	/* Key 1's nonce 1 is next again. */
	assert_int_equal(pay(c, 1, 1, 9 * F, 7, 1, a1), MEMPOOL_ADDED);
	assert_exact(c);
}

/* Key 6 has no account: key 0 creates it with a credit, key 2 credits it
 * after; evicting both leaves no account 6 at all. */
static void test_an_account_created_by_evicted_credits_disappears(void **state)
{
	struct ctx *c = *state;
	struct key k;
	uint8_t a[HASH_SIZE], b[HASH_SIZE], x[HASH_SIZE], id[HASH_SIZE], *val = NULL;
	size_t len = 0;

	pool_reset(c, 3);
	assert_int_equal(pay(c, 0, 1, F, 6, 30, a), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 2, 1, 2 * F, 6, 40, b), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 3, 1, 5 * F, 7, 1, x), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 4, 1, 6 * F, 7, 1, id), MEMPOOL_ADDED);
	assert_false(mempool_contains(&c->mp, a));
	assert_int_equal(balance(c, 6), 40);
	assert_exact(c);
	assert_int_equal(pay(c, 4, 2, 6 * F, 7, 1, id), MEMPOOL_ADDED);
	assert_false(mempool_contains(&c->mp, b));
	key_make_pubkey(&k, KEY_ACCOUNT, c->f.signers[6].pubkey);
	assert_int_equal(state_get(&c->mp.check_st, k.bytes, k.len, &val, &len), STATE_NOT_FOUND);
	free(val);
	assert_exact(c);
}

/* A test module for cancel-offer txs: sums the balances of all accounts
 * (iterating over them) and writes the sum under 0x7f || sender. */
static int census_add(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		      size_t val_len)
{
	struct account acct;

	(void)key;
	(void)key_len;
	if (account_decode(val, val_len, &acct) != 0)
		return -1;
	*(uint64_t *)arg += acct.balance;
	return 0;
}

static enum ledger_reason census_check(void *arg, const struct ledger *l, const struct state *st,
				       const struct ledger_block_ctx *blk, const struct tx *tx,
				       struct ledger_error *err)
{
	(void)arg;
	(void)l;
	(void)st;
	(void)blk;
	(void)tx;
	(void)err;
	return LEDGER_OK;
}

static enum ledger_reason census_apply(void *arg, const struct ledger *l, const struct state *st,
				       const struct ledger_block_ctx *blk, const struct tx *tx,
				       struct ledger_error *err)
{
	const uint8_t prefix = KEY_ACCOUNT;
	uint8_t key[1 + PUBKEY_SIZE] = { 0x7f };
	uint64_t sum = 0;

	(void)arg;
	(void)l;
	(void)blk;
	(void)err;
	memcpy(key + 1, tx->sender, PUBKEY_SIZE);
	if (state_iterate(st, &prefix, 1, NULL, 0, census_add, &sum) != STATE_OK ||
	    state_put(st, key, sizeof(key), (const uint8_t *)&sum, sizeof(sum)) != STATE_OK)
		return LEDGER_INTERNAL;
	return LEDGER_OK;
}

static const Hearth__TxBody__KindCase census_kinds[] = { HEARTH__TX_BODY__KIND_CANCEL_OFFER };

static const struct ledger_module census_module = {
	.name = "census",
	.kinds = census_kinds,
	.n_kinds = 1,
	.check = census_check,
	.apply = census_apply,
};

static enum mempool_result census(struct ctx *c, int from, uint64_t nonce, uint64_t fee,
				  uint8_t id[HASH_SIZE])
{
	Hearth__TxBody body;
	Hearth__CancelOffer co = HEARTH__CANCEL_OFFER__INIT;
	uint8_t offer_id[HASH_SIZE] = { 1 };
	size_t len;
	uint8_t *tx;

	fix_body(&c->f, &body, from, nonce, fee);
	co.offer_id.data = offer_id;
	co.offer_id.len = sizeof(offer_id);
	body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_OFFER;
	body.cancel_offer = &co;
	tx = fix_sign(&c->f, &body, from, &len);
	return offer(c, tx, len, id);
}

/* A later tx iterated over the accounts and saw the one key 0's tx created:
 * key 0's tx is passed over. */
static void test_a_tx_another_iterated_over_is_not_evicted(void **state)
{
	struct ctx *c = *state;
	uint8_t fund[HASH_SIZE], sum[HASH_SIZE], other[HASH_SIZE], id[HASH_SIZE];

	assert_int_equal(ledger_register_module(&c->f.ledger, &census_module), 0);
	pool_reset(c, 3);
	assert_int_equal(pay(c, 0, 1, F, 6, 10 * F, fund), MEMPOOL_ADDED);
	assert_int_equal(census(c, 2, 1, 5 * F, sum), MEMPOOL_ADDED);
	assert_int_equal(pay(c, 3, 1, 3 * F, 7, 1, other), MEMPOOL_ADDED);
	assert_exact(c);
	assert_int_equal(pay(c, 1, 1, 4 * F, 7, 1, id), MEMPOOL_ADDED);
	assert_true(mempool_contains(&c->mp, fund));
	assert_true(mempool_contains(&c->mp, sum));
	assert_false(mempool_contains(&c->mp, other));
	assert_exact(c);
}

/* Random transfers among all keys (two start without funds, so some txs
 * live on funds of others), bonds, waiting nonces, blocks, in a small pool
 * that is full most of the time: after every step the check state is exact
 * and no eviction needed a re-check. */
static void test_random_evictions_keep_the_check_state_exact(void **state)
{
	struct ctx *c = *state;
	uint64_t rng = 0x2545f4914f6cdd1dull;
	size_t evictions = 0, refusals = 0;

	pool_reset(c, 10);
	for (int step = 0; step < 600; step++) {
		uint8_t id[HASH_SIZE], *tx;
		struct account acct;
		enum mempool_result res;
		size_t before = c->mp.count, len;
		uint64_t r, nonce, fee;
		int from;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		r = rng;
		/* Half the txs are of the two keys that live on others' funds. */
		from = (int)(r % 2 ? 6 + (r >> 1) % 2 : r % FIX_KEYS);
		if (r % 89 < 6) {
			const uint8_t *txs[16];
			uint8_t *copies[16], ids[16][HASH_SIZE];
			size_t lens[16],
				n = mempool_reap(&c->mp, SIZE_MAX, 1 + (r >> 8) % 8, txs, lens);

			for (size_t i = 0; i < n; i++) {
				copies[i] = malloc(lens[i]);
				assert_non_null(copies[i]);
				memcpy(copies[i], txs[i], lens[i]);
				tx_id(txs[i], lens[i], ids[i]);
			}
			assert_int_equal(fix_block(&c->f, &c->f.chain, copies, lens, n, NULL),
					 LEDGER_OK);
			assert_true(mempool_update(&c->mp, (const uint8_t(*)[HASH_SIZE])ids, n,
						   c->f.chain.tip.height + 1) >= 0);
			assert_exact(c); /* fix_block freed the copies */
			continue;
		}
		assert_int_equal(account_load(&c->mp.check_st, c->f.signers[from].pubkey, &acct),
				 STATE_OK);
		nonce = acct.nonce + ((r >> 8) % 5 ? 1 : 2);
		fee = F * (1 + (r >> 16) % 9) + (r >> 24) % 100;
		if ((r >> 32) % 11 == 0)
			tx = fix_bond(&c->f, from, nonce, fee, 1 + (r >> 40) % 1000, &len);
		else
			tx = fix_transfer(&c->f, from, nonce, fee,
					  c->f.signers[(r >> 40) % 3 ? 6 + (r >> 42) % 2
								     : (r >> 43) % FIX_KEYS]
						  .pubkey,
					  1 + (r >> 48) % (20 * F), &len);
		res = offer(c, tx, len, id);
		assert_true(res != MEMPOOL_ERROR);
		evictions += res == MEMPOOL_ADDED && c->mp.count <= before;
		refusals += res == MEMPOOL_FULL;
		assert_exact(c);
	}
	/* The walk did reach both outcomes. */
	assert_true(evictions > 20);
	assert_true(refusals > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_tx_whose_funds_another_spends_is_not_evicted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_passed_over_tx_keeps_its_later_nonce_doomed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_credits_to_a_common_recipient_are_undone_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credits_to_the_evicted_sender_stay, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_an_account_created_by_evicted_credits_disappears, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_tx_another_iterated_over_is_not_evicted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_evictions_keep_the_check_state_exact,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
