/* test_ledger.c: unit tests of consensus/ledger.c and bank.c: transfers,
 * nonces, fees, every stateful rejection of a transfer, overflow at the
 * edges, module routing and end-of-block hooks. Staking is in
 * test_staking.c. */
#include "consensus/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/keys.h"
#include "consensus/record.h"
#include "consensus/staking.h"
#include "consensus/supply.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

static void test_transfer_moves_amount_and_pays_fee_to_proposer(void **state)
{
	struct fixture *f = *state;
	size_t len;

	fix_block1(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 500, &len), &len);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, FIX_BALANCE - 500 - FIX_FEE);
	assert_int_equal(fix_account(f, &f->chain, 1).nonce, 1);
	assert_int_equal(fix_account(f, &f->chain, 6).balance, 500);
	assert_int_equal(fix_account(f, &f->chain, 6).nonce, 0);
	/* key 0 is the only validator, hence the proposer */
	assert_int_equal(fix_account(f, &f->chain, 0).balance, FIX_BALANCE + FIX_FEE);
}

static void test_transfer_to_self_only_costs_the_fee(void **state)
{
	struct fixture *f = *state;
	size_t len;

	fix_block1(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[1].pubkey, 500, &len), &len);
	assert_int_equal(fix_account(f, &f->chain, 1).balance, FIX_BALANCE - FIX_FEE);
}

static void test_replayed_nonce_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *tx = fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 500, &len);
	uint8_t *again = malloc(len);

	assert_non_null(again);
	memcpy(again, tx, len);
	fix_block1(f, tx, &len);
	assert_int_equal(fix_try_tx(f, again, &len), LEDGER_TX_NONCE_REPLAYED);
	assert_int_equal(
		fix_try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 7, &len), &len),
		LEDGER_TX_NONCE_REPLAYED);
	assert_int_equal(
		fix_try_tx(f, fix_transfer(f, 1, 2, FIX_FEE, f->signers[6].pubkey, 7, &len), &len),
		LEDGER_OK);
}

static void test_nonce_gap_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(
		fix_try_tx(f, fix_transfer(f, 1, 2, FIX_FEE, f->signers[6].pubkey, 5, &len), &len),
		LEDGER_TX_NONCE_GAP);
	assert_int_equal(
		fix_try_tx(f, fix_transfer(f, 1, 0, FIX_FEE, f->signers[6].pubkey, 5, &len), &len),
		LEDGER_TX_NONCE_REPLAYED);
}

static void test_consecutive_nonces_in_one_mempool_are_accepted(void **state)
{
	struct fixture *f = *state;
	struct ledger_block_ctx blk;
	struct overlay ov;
	struct state st;
	size_t len;

	overlay_init(&ov, fix_chain_state(&f->chain), &st);
	ledger_block_ctx_init(&blk, 1, f->signers[0].pubkey);
	for (uint64_t n = 1; n <= 3; n++) {
		uint8_t *tx = fix_transfer(f, 1, n, FIX_FEE, f->signers[6].pubkey, 5, &len);

		assert_int_equal(ledger_apply_tx(&f->ledger, &st, &blk, tx, len, true, NULL),
				 LEDGER_OK);
		free(tx);
	}
	assert_int_equal(blk.fees, 3 * FIX_FEE);
	overlay_free(&ov);
}

/* Found by tests/fuzz/fuzz_ledger: a fee near 2^64 in a block that already
 * collected fees was refused as an internal error (fees overflow) instead of
 * as unpayable. */
static void test_huge_fee_after_other_fees_is_unpayable(void **state)
{
	struct fixture *f = *state;
	struct ledger_block_ctx blk;
	struct ledger_error err;
	struct overlay ov;
	struct state st;
	size_t len;
	uint8_t *tx;

	overlay_init(&ov, fix_chain_state(&f->chain), &st);
	ledger_block_ctx_init(&blk, 1, f->signers[0].pubkey);
	tx = fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 5, &len);
	assert_int_equal(ledger_apply_tx(&f->ledger, &st, &blk, tx, len, true, NULL), LEDGER_OK);
	free(tx);
	tx = fix_transfer(f, 2, 1, UINT64_MAX, f->signers[6].pubkey, 5, &len);
	assert_int_equal(ledger_apply_tx(&f->ledger, &st, &blk, tx, len, true, &err),
			 LEDGER_TX_FEE_UNPAYABLE);
	free(tx);
	assert_int_equal(blk.fees, FIX_FEE);
	overlay_free(&ov);
}

static void test_check_tx_keeps_nothing(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *tx = fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 5, &len);

	assert_int_equal(ledger_check_tx(&f->ledger, fix_chain_state(&f->chain), 1, tx, len, NULL),
			 LEDGER_OK);
	assert_int_equal(fix_account(f, &f->chain, 1).nonce, 0);
	assert_int_equal(fix_account(f, &f->chain, 6).balance, 0);
	assert_int_equal(
		ledger_check_tx(&f->ledger, fix_chain_state(&f->chain), 1, tx, len - 1, NULL),
		LEDGER_TX_MALFORMED);
	free(tx);
}

static void test_fee_larger_than_balance_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	/* key 7 has no account at all */
	assert_int_equal(
		fix_try_tx(f, fix_transfer(f, 7, 1, FIX_FEE, f->signers[6].pubkey, 5, &len), &len),
		LEDGER_TX_FEE_UNPAYABLE);
}

static void test_transfer_beyond_balance_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	/* the whole balance: short by the fee */
	assert_int_equal(
		fix_try_tx(f,
			   fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, FIX_BALANCE, &len),
			   &len),
		LEDGER_TRANSFER_INSUFFICIENT_BALANCE);
	assert_int_equal(fix_try_tx(f,
				    fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey,
						 FIX_BALANCE - FIX_FEE, &len),
				    &len),
			 LEDGER_OK);
}

static void test_transfer_of_zero_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(
		fix_try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 0, &len), &len),
		LEDGER_TRANSFER_ZERO_AMOUNT);
}

static void test_transfer_to_a_non_key_is_rejected(void **state)
{
	struct fixture *f = *state;
	uint8_t bad[PUBKEY_SIZE];
	size_t len;

	memset(bad, 0xff, sizeof(bad));
	assert_int_equal(fix_try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, bad, 5, &len), &len),
			 LEDGER_TRANSFER_BAD_RECIPIENT);
}

static bool vouches(void *arg, const uint8_t *tx, size_t len)
{
	(void)tx;
	(void)len;
	return *(const bool *)arg;
}

/* Bytes the node's cache vouches for (accepted before) are not parsed for
 * keys again, the others are: a block with a transfer to a non-key is
 * refused until the cache vouches for it (it never would for such a tx:
 * this only shows which check runs). */
static void test_block_skips_key_checks_only_for_vouched_txs(void **state)
{
	struct fixture *f = *state;
	uint8_t bad[PUBKEY_SIZE];
	uint8_t *txs[1];
	size_t lens[1];
	struct ledger_error err;
	bool vouch = false;

	memset(bad, 0xff, sizeof(bad));
	f->ledger.cfg.sig_verified = vouches;
	f->ledger.cfg.sig_arg = &vouch;
	txs[0] = fix_transfer(f, 1, 1, FIX_FEE, bad, 5, &lens[0]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 1, &err), LEDGER_BLOCK_BAD_TX);
	assert_int_equal(err.detail_code, LEDGER_TRANSFER_BAD_RECIPIENT);
	vouch = true;
	txs[0] = fix_transfer(f, 1, 1, FIX_FEE, bad, 5, &lens[0]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 1, &err), LEDGER_OK);
	f->ledger.cfg.sig_verified = NULL;
	f->ledger.cfg.sig_arg = NULL;
}

static void test_overflow_at_uint64_max_is_rejected(void **state)
{
	struct fixture *f = *state;
	struct account big = {
		.balance = UINT64_MAX - 10, .nonce = 0, .bonded = 0, .unbonding = 0
	};
	size_t len;

	fix_force_account(f, 6, &big);
	assert_int_equal(
		fix_try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 11, &len), &len),
		LEDGER_TRANSFER_OVERFLOW);
	assert_int_equal(
		fix_try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 10, &len), &len),
		LEDGER_OK);
	/* bonded stake at the edge */
	big.balance = 1000000;
	big.bonded = UINT64_MAX - 10;
	fix_force_account(f, 6, &big);
	assert_int_equal(fix_try_tx(f, fix_bond(f, 6, 1, FIX_FEE, 11, &len), &len),
			 LEDGER_BOND_OVERFLOW);
	assert_int_equal(fix_try_tx(f, fix_bond(f, 6, 1, FIX_FEE, 10, &len), &len), LEDGER_OK);
	/* unbonding amount at the edge */
	big.bonded = 100;
	big.unbonding = UINT64_MAX - 10;
	fix_force_account(f, 6, &big);
	assert_int_equal(fix_try_tx(f, fix_unbond(f, 6, 1, FIX_FEE, 11, &len), &len),
			 LEDGER_UNBOND_OVERFLOW);
	/* the last nonce */
	big.unbonding = 0;
	big.nonce = UINT64_MAX;
	fix_force_account(f, 6, &big);
	assert_int_equal(fix_try_tx(f, fix_bond(f, 6, UINT64_MAX, FIX_FEE, 1, &len), &len),
			 LEDGER_TX_NONCE_EXHAUSTED);
}

/* ---------------------------------------------------------------- modules */

static const Hearth__TxBody__KindCase offer_kind[] = { HEARTH__TX_BODY__KIND_OFFER };

static enum ledger_reason market_check(void *arg, const struct ledger *l, const struct state *st,
				       const struct ledger_block_ctx *blk, const struct tx *tx,
				       struct ledger_error *err)
{
	(void)l;
	(void)st;
	(void)blk;
	(void)tx;
	(*(int *)arg)++;
	ledger_fail(err, LEDGER_MODULE_REJECTED, "market says no");
	if (err != NULL)
		err->detail_code = 7;
	return LEDGER_MODULE_REJECTED;
}

static uint8_t *offer_tx(struct fixture *f, int idx, size_t *len)
{
	Hearth__TxBody body;
	Hearth__Offer offer = HEARTH__OFFER__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;

	fix_body(f, &body, idx, 1, FIX_FEE);
	offer.per_slot = &res;
	offer.slots = 1;
	body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
	body.offer = &offer;
	return fix_sign(f, &body, idx, len);
}

static void test_kind_no_module_handles_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_null(ledger_find_module(&f->ledger, HEARTH__TX_BODY__KIND_OFFER));
	assert_int_equal(fix_try_tx(f, offer_tx(f, 1, &len), &len), LEDGER_TX_KIND_UNHANDLED);
}

static void test_kind_is_routed_to_the_module_that_registered_it(void **state)
{
	struct fixture *f = *state;
	int calls = 0;
	struct ledger_module market = {
		.name = "market",
		.kinds = offer_kind,
		.n_kinds = 1,
		.check = market_check,
		.apply = market_check,
		.end_block = NULL,
		.held = NULL,
		.arg = &calls,
	};
	struct ledger_module thief = market;
	struct ledger_block_ctx blk;
	struct ledger_error err;
	struct overlay ov;
	struct state st;
	size_t len;
	uint8_t *tx;

	assert_int_equal(ledger_register_module(&f->ledger, &market), 0);
	thief.kinds = (const Hearth__TxBody__KindCase[]){ HEARTH__TX_BODY__KIND_TRANSFER };
	assert_int_equal(ledger_register_module(&f->ledger, &thief), -1);
	assert_string_equal(ledger_find_module(&f->ledger, HEARTH__TX_BODY__KIND_OFFER)->name,
			    "market");
	assert_string_equal(ledger_find_module(&f->ledger, HEARTH__TX_BODY__KIND_TRANSFER)->name,
			    "bank");
	assert_string_equal(ledger_find_module(&f->ledger, HEARTH__TX_BODY__KIND_EVIDENCE)->name,
			    "staking");
	tx = offer_tx(f, 1, &len);
	overlay_init(&ov, fix_chain_state(&f->chain), &st);
	ledger_block_ctx_init(&blk, 1, f->signers[0].pubkey);
	assert_int_equal(ledger_apply_tx(&f->ledger, &st, &blk, tx, len, true, &err),
			 LEDGER_MODULE_REJECTED);
	assert_int_equal(err.detail_code, 7);
	assert_int_equal(calls, 1);
	/* the fee and nonce the ledger charged before the module are undone */
	assert_int_equal(kvmap_count(&ov.writes), 0);
	overlay_free(&ov);
	free(tx);
}

/* Records the prev_block_id its end of block saw (a module's seed). */
static enum ledger_reason seed_end_block(void *arg, const struct ledger *l, const struct state *st,
					 const struct ledger_block_ctx *blk,
					 struct ledger_error *err)
{
	(void)l;
	(void)st;
	(void)err;
	memcpy(arg, blk->prev_block_id, HASH_SIZE);
	return LEDGER_OK;
}

static void test_end_block_sees_the_previous_block_id(void **state)
{
	struct fixture *f = *state;
	uint8_t seen[HASH_SIZE], prev[HASH_SIZE], zeros[HASH_SIZE] = { 0 };
	struct ledger_module seeder = {
		.name = "seeder",
		.kinds = offer_kind,
		.n_kinds = 1,
		.check = market_check,
		.apply = market_check,
		.end_block = seed_end_block,
		.held = NULL,
		.arg = seen,
	};
	struct ledger_block_ctx blk;

	ledger_block_ctx_init(&blk, 5, f->signers[0].pubkey);
	assert_memory_equal(blk.prev_block_id, zeros, HASH_SIZE);
	assert_int_equal(ledger_register_module(&f->ledger, &seeder), 0);
	fix_empty_block(f);
	assert_memory_equal(seen, zeros, HASH_SIZE); /* height 1: no previous block */
	memcpy(prev, f->chain.tip.block_id, HASH_SIZE);
	fix_empty_block(f);
	assert_memory_equal(seen, prev, HASH_SIZE);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fix_group_setup, fix_group_teardown)
	const struct CMUnitTest tests[] = {
		T(test_transfer_moves_amount_and_pays_fee_to_proposer),
		T(test_transfer_to_self_only_costs_the_fee),
		T(test_replayed_nonce_is_rejected),
		T(test_nonce_gap_is_rejected),
		T(test_consecutive_nonces_in_one_mempool_are_accepted),
		T(test_check_tx_keeps_nothing),
		T(test_fee_larger_than_balance_is_rejected),
		T(test_huge_fee_after_other_fees_is_unpayable),
		T(test_transfer_beyond_balance_is_rejected),
		T(test_transfer_of_zero_is_rejected),
		T(test_transfer_to_a_non_key_is_rejected),
		T(test_block_skips_key_checks_only_for_vouched_txs),
		T(test_overflow_at_uint64_max_is_rejected),
		T(test_kind_no_module_handles_is_rejected),
		T(test_kind_is_routed_to_the_module_that_registered_it),
		cmocka_unit_test_setup_teardown(test_end_block_sees_the_previous_block_id,
						fix_group_setup, fix_group_teardown),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
