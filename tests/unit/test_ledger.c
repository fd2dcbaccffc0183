/* test_ledger.c: unit tests of consensus/ledger.c, bank.c and staking.c:
 * every tx kind, every stateful rejection, module routing, fees, unbonding,
 * validator set selection, slashing and jailing. */
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

static int setup(void **state)
{
	struct fixture *f = malloc(sizeof(*f));

	assert_non_null(f);
	fix_setup(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fix_teardown(*state);
	free(*state);
	return 0;
}

/* Applies one tx as the mempool would, into a throwaway overlay over the
 * chain; asserts that a rejected tx wrote nothing. */
static enum ledger_reason try_tx(struct fixture *f, uint8_t *tx, const size_t *lenp)
{
	size_t len = *lenp;
	struct ledger_block_ctx blk;
	struct ledger_error err;
	struct overlay ov;
	struct state st;
	enum ledger_reason r;

	overlay_init(&ov, fix_chain_state(&f->chain), &st);
	ledger_block_ctx_init(&blk, f->chain.tip.height + 1, f->signers[0].pubkey);
	r = ledger_apply_tx(&f->ledger, &st, &blk, tx, len, true, &err);
	assert_int_equal(err.reason, r);
	if (r != LEDGER_OK) {
		assert_int_equal(ov.writes.count, 0);
		assert_int_equal(blk.fees, 0);
	}
	overlay_free(&ov);
	free(tx);
	return r;
}

/* One block with one tx; asserts it is accepted. */
static void block1(struct fixture *f, uint8_t *tx, const size_t *lenp)
{
	size_t len = *lenp;
	struct ledger_error err;

	if (fix_block(f, &f->chain, &tx, &len, 1, &err) != LEDGER_OK)
		fail_msg("block refused: %s", err.text);
}

static void empty_block(struct fixture *f)
{
	assert_int_equal(fix_block(f, &f->chain, NULL, NULL, 0, NULL), LEDGER_OK);
}

static void test_transfer_moves_amount_and_pays_fee_to_proposer(void **state)
{
	struct fixture *f = *state;
	size_t len;

	block1(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 500, &len), &len);
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

	block1(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[1].pubkey, 500, &len), &len);
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
	block1(f, tx, &len);
	assert_int_equal(try_tx(f, again, &len), LEDGER_TX_NONCE_REPLAYED);
	assert_int_equal(
		try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 7, &len), &len),
		LEDGER_TX_NONCE_REPLAYED);
	assert_int_equal(
		try_tx(f, fix_transfer(f, 1, 2, FIX_FEE, f->signers[6].pubkey, 7, &len), &len),
		LEDGER_OK);
}

static void test_nonce_gap_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(
		try_tx(f, fix_transfer(f, 1, 2, FIX_FEE, f->signers[6].pubkey, 5, &len), &len),
		LEDGER_TX_NONCE_GAP);
	assert_int_equal(
		try_tx(f, fix_transfer(f, 1, 0, FIX_FEE, f->signers[6].pubkey, 5, &len), &len),
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
		try_tx(f, fix_transfer(f, 7, 1, FIX_FEE, f->signers[6].pubkey, 5, &len), &len),
		LEDGER_TX_FEE_UNPAYABLE);
}

static void test_transfer_beyond_balance_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	/* the whole balance: short by the fee */
	assert_int_equal(
		try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, FIX_BALANCE, &len),
		       &len),
		LEDGER_TRANSFER_INSUFFICIENT_BALANCE);
	assert_int_equal(try_tx(f,
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
		try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 0, &len), &len),
		LEDGER_TRANSFER_ZERO_AMOUNT);
}

static void test_transfer_to_a_non_key_is_rejected(void **state)
{
	struct fixture *f = *state;
	uint8_t bad[PUBKEY_SIZE];
	size_t len;

	memset(bad, 0xff, sizeof(bad));
	assert_int_equal(try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, bad, 5, &len), &len),
			 LEDGER_TRANSFER_BAD_RECIPIENT);
}

/* Writes an account directly (beyond what genesis allows) for edge tests. */
static void force_account(struct fixture *f, int idx, const struct account *acct)
{
	assert_int_equal(account_store(fix_chain_state(&f->chain), f->signers[idx].pubkey, acct),
			 STATE_OK);
}

static void test_overflow_at_uint64_max_is_rejected(void **state)
{
	struct fixture *f = *state;
	struct account big = {
		.balance = UINT64_MAX - 10, .nonce = 0, .bonded = 0, .unbonding = 0
	};
	size_t len;

	force_account(f, 6, &big);
	assert_int_equal(
		try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 11, &len), &len),
		LEDGER_TRANSFER_OVERFLOW);
	assert_int_equal(
		try_tx(f, fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 10, &len), &len),
		LEDGER_OK);
	/* bonded stake at the edge */
	big.balance = 1000000;
	big.bonded = UINT64_MAX - 10;
	force_account(f, 6, &big);
	assert_int_equal(try_tx(f, fix_bond(f, 6, 1, FIX_FEE, 11, &len), &len),
			 LEDGER_BOND_OVERFLOW);
	assert_int_equal(try_tx(f, fix_bond(f, 6, 1, FIX_FEE, 10, &len), &len), LEDGER_OK);
	/* unbonding amount at the edge */
	big.bonded = 100;
	big.unbonding = UINT64_MAX - 10;
	force_account(f, 6, &big);
	assert_int_equal(try_tx(f, fix_unbond(f, 6, 1, FIX_FEE, 11, &len), &len),
			 LEDGER_UNBOND_OVERFLOW);
	/* the last nonce */
	big.unbonding = 0;
	big.nonce = UINT64_MAX;
	force_account(f, 6, &big);
	assert_int_equal(try_tx(f, fix_bond(f, 6, UINT64_MAX, FIX_FEE, 1, &len), &len),
			 LEDGER_TX_NONCE_EXHAUSTED);
}

static void test_bond_moves_balance_into_stake(void **state)
{
	struct fixture *f = *state;
	struct account a;
	size_t len;

	block1(f, fix_bond(f, 1, 1, FIX_FEE, 3000, &len), &len);
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.balance, FIX_BALANCE - 3000 - FIX_FEE);
	assert_int_equal(a.bonded, 3000);
}

static void test_bond_rejections(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(try_tx(f, fix_bond(f, 1, 1, FIX_FEE, 0, &len), &len),
			 LEDGER_BOND_ZERO_AMOUNT);
	assert_int_equal(try_tx(f, fix_bond(f, 1, 1, FIX_FEE, FIX_BALANCE, &len), &len),
			 LEDGER_BOND_INSUFFICIENT_BALANCE);
}

static void test_unbond_more_than_bonded_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(try_tx(f, fix_unbond(f, 0, 1, FIX_FEE, FIX_BOND + 1, &len), &len),
			 LEDGER_UNBOND_EXCEEDS_BONDED);
	assert_int_equal(try_tx(f, fix_unbond(f, 1, 1, FIX_FEE, 1, &len), &len),
			 LEDGER_UNBOND_EXCEEDS_BONDED);
	assert_int_equal(try_tx(f, fix_unbond(f, 0, 1, FIX_FEE, 0, &len), &len),
			 LEDGER_UNBOND_ZERO_AMOUNT);
	assert_int_equal(try_tx(f, fix_unbond(f, 0, 1, FIX_FEE, FIX_BOND, &len), &len), LEDGER_OK);
}

static void test_unbonded_stake_returns_at_end_of_release_block(void **state)
{
	struct fixture *f = *state;
	struct account a;
	size_t len;
	uint8_t *txs[2];
	size_t lens[2];

	/* height 1: bond, height 2: two unbonds (merged in one queue entry) */
	block1(f, fix_bond(f, 1, 1, FIX_FEE, 5000, &len), &len);
	txs[0] = fix_unbond(f, 1, 2, FIX_FEE, 1000, &lens[0]);
	txs[1] = fix_unbond(f, 1, 3, FIX_FEE, 500, &lens[1]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 2, NULL), LEDGER_OK);
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.bonded, 3500);
	assert_int_equal(a.unbonding, 1500);
	/* unbonding_blocks = 3: released at the end of height 5 */
	empty_block(f);
	empty_block(f);
	assert_int_equal(f->chain.tip.height, 4);
	assert_int_equal(fix_account(f, &f->chain, 1).unbonding, 1500);
	empty_block(f);
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.unbonding, 0);
	assert_int_equal(a.bonded, 3500);
	assert_int_equal(a.balance, FIX_BALANCE - 3 * FIX_FEE - 5000 + 1500);
}

static void load_set(struct fixture *f, uint64_t height, struct validator_set *set)
{
	assert_int_equal(staking_load_set(fix_chain_state(&f->chain), height, set), STATE_OK);
}

static void test_validator_set_change_takes_effect_two_heights_later(void **state)
{
	struct fixture *f = *state;
	struct validator_set *set = malloc(sizeof(*set));
	size_t len;

	assert_non_null(set);
	block1(f, fix_bond(f, 1, 1, FIX_FEE, 5 * FIX_BOND, &len), &len); /* height 1 */
	load_set(f, 2, set);
	assert_int_equal(set->count, 1);
	load_set(f, 3, set);
	assert_int_equal(set->count, 2);
	assert_int_equal(set->total_power, 6 * FIX_BOND);
	assert_true(validators_find(set, f->signers[1].pubkey) >= 0);
	/* the headers carry it: blocks 2 and 3 are accepted with those hashes */
	empty_block(f);
	empty_block(f);
	free(set);
}

static void put_index(const struct state *st, uint8_t first, uint64_t bonded)
{
	uint8_t key[PUBKEY_SIZE] = { 0 };

	key[0] = first;
	assert_int_equal(staking_reindex(st, key, 0, bonded), STATE_OK);
}

static void test_selection_is_top_n_by_stake_with_key_tie_break(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	struct validator_set *set = malloc(sizeof(*set));

	assert_non_null(set);
	state_mem_init(&mem, &st);
	put_index(&st, 9, 100);
	put_index(&st, 1, 50);
	put_index(&st, 7, 300);
	put_index(&st, 5, 100);
	put_index(&st, 3, 100);
	put_index(&st, 8, 10);
	assert_int_equal(staking_select(&st, 3, set), STATE_OK);
	/* 7 (300), then the 100s by key: 3, 5; 9 loses the tie */
	assert_int_equal(set->count, 3);
	assert_int_equal(set->total_power, 500);
	assert_int_equal(set->members[0].key[0], 3);
	assert_int_equal(set->members[1].key[0], 5);
	assert_int_equal(set->members[2].key[0], 7);
	assert_int_equal(staking_select(&st, 10, set), STATE_OK);
	assert_int_equal(set->count, 6);
	state_mem_free(&mem);
	state_mem_init(&mem, &st);
	assert_int_equal(staking_select(&st, 3, set), STATE_OK);
	assert_int_equal(set->count, 0);
	state_mem_free(&mem);
	free(set);
}

static void test_empty_selection_keeps_the_current_set(void **state)
{
	struct fixture *f = *state;
	struct validator_set *set = malloc(sizeof(*set));
	size_t len;

	assert_non_null(set);
	block1(f, fix_unbond(f, 0, 1, FIX_FEE, FIX_BOND, &len), &len);
	empty_block(f);
	empty_block(f);
	load_set(f, 4, set);
	assert_int_equal(set->count, 1);
	assert_int_equal(set->total_power, FIX_BOND);
	free(set);
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
	assert_int_equal(try_tx(f, offer_tx(f, 1, &len), &len), LEDGER_TX_KIND_UNHANDLED);
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
	assert_int_equal(ov.writes.count, 0);
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
	empty_block(f);
	assert_memory_equal(seen, zeros, HASH_SIZE); /* height 1: no previous block */
	memcpy(prev, f->chain.tip.block_id, HASH_SIZE);
	empty_block(f);
	assert_memory_equal(seen, prev, HASH_SIZE);
}

/* ---------------------------------------------------------------- evidence */

struct fake_verifier {
	int result;
	uint8_t offender[PUBKEY_SIZE];
	int calls;
};

static int fake_verify(void *arg, const char *chain_id, const struct state *st,
		       const Hearth__Evidence *ev, uint8_t offender[PUBKEY_SIZE])
{
	struct fake_verifier *v = arg;

	(void)st;
	assert_string_equal(chain_id, FIX_CHAIN);
	assert_int_equal(ev->kind_case, HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE);
	v->calls++;
	memcpy(offender, v->offender, PUBKEY_SIZE);
	return v->result;
}

static uint8_t *evidence_tx(struct fixture *f, int idx, uint64_t nonce, uint64_t height,
			    size_t *len)
{
	Hearth__TxBody body;
	Hearth__Evidence ev = HEARTH__EVIDENCE__INIT;
	Hearth__DuplicateVote dv = HEARTH__DUPLICATE_VOTE__INIT;
	Hearth__Vote a = HEARTH__VOTE__INIT, b = HEARTH__VOTE__INIT;
	uint8_t id_a[HASH_SIZE] = { 1 }, id_b[HASH_SIZE] = { 2 }, sig[SIG_SIZE] = { 0 };

	a.type = b.type = HEARTH__VOTE_TYPE__VOTE_PREVOTE;
	a.height = b.height = height;
	a.block_id = (ProtobufCBinaryData){ .len = HASH_SIZE, .data = id_a };
	b.block_id = (ProtobufCBinaryData){ .len = HASH_SIZE, .data = id_b };
	a.validator = b.validator =
		(ProtobufCBinaryData){ .len = PUBKEY_SIZE, .data = f->signers[0].pubkey };
	a.sig = b.sig = (ProtobufCBinaryData){ .len = SIG_SIZE, .data = sig };
	dv.a = &a;
	dv.b = &b;
	ev.kind_case = HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE;
	ev.duplicate_vote = &dv;
	fix_body(f, &body, idx, nonce, FIX_FEE);
	body.kind_case = HEARTH__TX_BODY__KIND_EVIDENCE;
	body.evidence = &ev;
	return fix_sign(f, &body, idx, len);
}

static void test_evidence_without_verifier_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	empty_block(f);
	empty_block(f);
	assert_int_equal(try_tx(f, evidence_tx(f, 2, 1, 1, &len), &len),
			 LEDGER_EVIDENCE_NO_VERIFIER);
}

static void test_evidence_slashes_and_jails_the_offender(void **state)
{
	struct fixture *f = *state;
	struct fake_verifier v = { .result = 0, .calls = 0 };
	struct validator_set *set = malloc(sizeof(*set));
	struct supply sup;
	struct account a;
	bool jailed;
	size_t len;

	assert_non_null(set);
	f->ledger.cfg.evidence_verify = fake_verify;
	f->ledger.cfg.evidence_arg = &v;
	block1(f, fix_bond(f, 1, 1, FIX_FEE, 2 * FIX_BOND, &len), &len); /* height 1 */
	empty_block(f);							 /* height 2 */
	memcpy(v.offender, f->signers[1].pubkey, PUBKEY_SIZE);
	/* evidence from the future, or the current height */
	assert_int_equal(try_tx(f, evidence_tx(f, 2, 1, 3, &len), &len), LEDGER_EVIDENCE_FUTURE);
	v.result = -1;
	assert_int_equal(try_tx(f, evidence_tx(f, 2, 1, 2, &len), &len), LEDGER_EVIDENCE_INVALID);
	assert_int_equal(v.calls, 1);
	v.result = 0;
	memcpy(v.offender, f->signers[3].pubkey, PUBKEY_SIZE);
	assert_int_equal(try_tx(f, evidence_tx(f, 2, 1, 2, &len), &len), LEDGER_EVIDENCE_NO_STAKE);
	memcpy(v.offender, f->signers[1].pubkey, PUBKEY_SIZE);
	block1(f, evidence_tx(f, 2, 1, 2, &len), &len); /* height 3 */
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.bonded, 2 * FIX_BOND - 2 * FIX_BOND / 10);
	assert_int_equal(supply_load(fix_chain_state(&f->chain), &sup), STATE_OK);
	assert_int_equal(sup.burned, 2 * FIX_BOND / 10);
	assert_int_equal(
		staking_is_jailed(fix_chain_state(&f->chain), f->signers[1].pubkey, &jailed),
		STATE_OK);
	assert_true(jailed);
	/* gone from the set two heights later */
	load_set(f, 4, set);
	assert_true(validators_find(set, f->signers[1].pubkey) >= 0);
	load_set(f, 5, set);
	assert_int_equal(set->count, 1);
	assert_true(validators_find(set, f->signers[1].pubkey) < 0);
	/* twice is once too many; a jailed account cannot bond again */
	assert_int_equal(try_tx(f, evidence_tx(f, 2, 2, 2, &len), &len),
			 LEDGER_EVIDENCE_ALREADY_JAILED);
	assert_int_equal(try_tx(f, fix_bond(f, 1, 2, FIX_FEE, 10, &len), &len), LEDGER_BOND_JAILED);
	/* but it may unbond what is left */
	block1(f, fix_unbond(f, 1, 2, FIX_FEE, 1000, &len), &len);
	/* too old: more than unbonding_blocks (3) below the block's height (6) */
	empty_block(f);
	assert_int_equal(try_tx(f, evidence_tx(f, 2, 2, 2, &len), &len), LEDGER_EVIDENCE_TOO_OLD);
	free(set);
}

static void test_slash_and_jail_burns_the_fraction(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	struct supply sup = { .genesis = 1000, .issued = 0, .burned = 0 };
	struct account a = { .balance = 0, .nonce = 0, .bonded = 999, .unbonding = 0 };
	struct validator_set *set = malloc(sizeof(*set));
	uint8_t key[PUBKEY_SIZE] = { 4 };
	uint64_t slashed;
	bool jailed;

	assert_non_null(set);
	state_mem_init(&mem, &st);
	assert_int_equal(supply_store(&st, &sup), STATE_OK);
	assert_int_equal(account_store(&st, key, &a), STATE_OK);
	assert_int_equal(staking_reindex(&st, key, 0, 999), STATE_OK);
	assert_int_equal(staking_slash_and_jail(&st, key, 500000, UINT64_MAX, &slashed, NULL),
			 LEDGER_OK);
	assert_int_equal(slashed, 499); /* floor(999 / 2) */
	assert_int_equal(account_load(&st, key, &a), STATE_OK);
	assert_int_equal(a.bonded, 500);
	assert_int_equal(supply_load(&st, &sup), STATE_OK);
	assert_int_equal(sup.burned, 499);
	assert_int_equal(staking_is_jailed(&st, key, &jailed), STATE_OK);
	assert_true(jailed);
	assert_int_equal(staking_select(&st, 4, set), STATE_OK);
	assert_int_equal(set->count, 0);
	assert_int_equal(staking_slash_and_jail(&st, key, 500000, UINT64_MAX, &slashed, NULL),
			 LEDGER_EVIDENCE_ALREADY_JAILED);
	key[0] = 5;
	assert_int_equal(staking_slash_and_jail(&st, key, 500000, UINT64_MAX, &slashed, NULL),
			 LEDGER_EVIDENCE_NO_STAKE);
	state_mem_free(&mem);
	free(set);
}

static void test_slash_without_jail_burns_and_keeps_the_account_staked(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	struct supply sup = { .genesis = 2000, .issued = 0, .burned = 0 };
	struct account a = { .balance = 0, .nonce = 0, .bonded = 1000, .unbonding = 400 };
	Hearth__UnbondingEntry e = HEARTH__UNBONDING_ENTRY__INIT;
	struct validator_set *set = malloc(sizeof(*set));
	uint8_t key[PUBKEY_SIZE] = { 4 }, nobody[PUBKEY_SIZE] = { 5 };
	struct key k;
	uint64_t slashed, paid;
	bool jailed;

	assert_non_null(set);
	state_mem_init(&mem, &st);
	assert_int_equal(supply_store(&st, &sup), STATE_OK);
	assert_int_equal(account_store(&st, key, &a), STATE_OK);
	assert_int_equal(staking_reindex(&st, key, 0, 1000), STATE_OK);
	e.amount = 400;
	key_make_u64_pubkey(&k, KEY_UNBONDING, 20, key);
	assert_int_equal(record_put(&st, &k, &e.base), STATE_OK);
	assert_int_equal(staking_slash(&st, key, 250000, 20, NULL, 0, &slashed, NULL, NULL),
			 LEDGER_OK);
	assert_int_equal(slashed, 250 + 100);
	assert_int_equal(account_load(&st, key, &a), STATE_OK);
	assert_int_equal(a.bonded, 750);
	assert_int_equal(a.unbonding, 300);
	assert_int_equal(supply_load(&st, &sup), STATE_OK);
	assert_int_equal(sup.burned, 350);
	assert_int_equal(staking_is_jailed(&st, key, &jailed), STATE_OK);
	assert_false(jailed);
	/* still ranked, at its new stake */
	assert_int_equal(staking_select(&st, 4, set), STATE_OK);
	assert_int_equal(set->count, 1);
	assert_int_equal(set->members[0].power, 750);
	/* entries released before the offence's reach are untouched */
	assert_int_equal(staking_slash(&st, key, 0, UINT64_MAX, NULL, 0, &slashed, NULL, NULL),
			 LEDGER_OK);
	assert_int_equal(slashed, 0);
	assert_int_equal(staking_slash(&st, key, 1000000, 21, NULL, 0, &slashed, NULL, NULL),
			 LEDGER_OK);
	assert_int_equal(slashed, 750);
	assert_int_equal(staking_select(&st, 4, set), STATE_OK);
	assert_int_equal(set->count, 0);
	/* part of a slash can pay someone instead of being burned */
	a.bonded = 400;
	assert_int_equal(account_store(&st, key, &a), STATE_OK);
	assert_int_equal(staking_reindex(&st, key, 0, 400), STATE_OK);
	assert_int_equal(
		staking_slash(&st, key, 500000, UINT64_MAX, nobody, 150, &slashed, &paid, NULL),
		LEDGER_OK);
	assert_int_equal(slashed, 200);
	assert_int_equal(paid, 150);
	assert_int_equal(account_load(&st, nobody, &a), STATE_OK);
	assert_int_equal(a.balance, 150);
	assert_int_equal(supply_load(&st, &sup), STATE_OK);
	assert_int_equal(sup.burned, 350 + 750 + 50);
	/* nothing at stake is not an error */
	assert_int_equal(staking_slash(&st, nobody, 500000, 0, NULL, 0, &slashed, NULL, NULL),
			 LEDGER_OK);
	assert_int_equal(slashed, 0);
	assert_int_equal(staking_slash(&st, key, 1000001, 0, NULL, 0, &slashed, NULL, NULL),
			 LEDGER_INTERNAL);
	state_mem_free(&mem);
	free(set);
}

static void test_evidence_slashes_stake_unbonded_after_the_offence(void **state)
{
	struct fixture *f = *state;
	struct fake_verifier v = { .result = 0, .calls = 0 };
	struct supply sup;
	struct account a;
	uint8_t *txs[2];
	size_t lens[2], len;
	/* key 1 is in the set at heights 3 and 4; if its key is the smaller, it
	 * proposes them and collects their fees */
	uint64_t proposer_fees = memcmp(f->signers[1].pubkey, f->signers[0].pubkey, PUBKEY_SIZE) < 0
					 ? 2 * FIX_FEE
					 : 0;

	f->ledger.cfg.evidence_verify = fake_verify;
	f->ledger.cfg.evidence_arg = &v;
	memcpy(v.offender, f->signers[1].pubkey, PUBKEY_SIZE);
	/* height 1: bond 2M and unbond 500k at once (released at 4) */
	txs[0] = fix_bond(f, 1, 1, FIX_FEE, 2 * FIX_BOND, &lens[0]);
	txs[1] = fix_unbond(f, 1, 2, FIX_FEE, FIX_BOND / 2, &lens[1]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 2, NULL), LEDGER_OK);
	empty_block(f); /* height 2: the offence */
	/* height 3: the offender unbonds the rest (released at 6) */
	block1(f, fix_unbond(f, 1, 3, FIX_FEE, 3 * FIX_BOND / 2, &len), &len);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, 0);
	/* height 4: evidence of height 2 still slashes what left after it */
	block1(f, evidence_tx(f, 2, 1, 2, &len), &len);
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.bonded, 0);
	assert_int_equal(a.unbonding, 3 * FIX_BOND / 2 - 3 * FIX_BOND / 20);
	assert_int_equal(a.balance,
			 FIX_BALANCE - 2 * FIX_BOND - 3 * FIX_FEE + FIX_BOND / 2 + proposer_fees);
	assert_int_equal(supply_load(fix_chain_state(&f->chain), &sup), STATE_OK);
	assert_int_equal(sup.burned, 3 * FIX_BOND / 20);
	empty_block(f);
	empty_block(f); /* height 6: the slashed remainder comes back */
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.unbonding, 0);
	assert_int_equal(a.balance, FIX_BALANCE - 3 * FIX_FEE - 3 * FIX_BOND / 20 + proposer_fees);
}

static void test_slash_and_jail_cuts_unbonding_entries_from_a_height(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	struct supply sup = { .genesis = 2000, .issued = 0, .burned = 0 };
	struct account a = { .balance = 0, .nonce = 0, .bonded = 0, .unbonding = 600 };
	Hearth__UnbondingEntry e = HEARTH__UNBONDING_ENTRY__INIT;
	ProtobufCMessage *msg;
	uint8_t key[PUBKEY_SIZE] = { 4 }, other[PUBKEY_SIZE] = { 6 };
	struct key k;
	uint64_t slashed;

	state_mem_init(&mem, &st);
	assert_int_equal(supply_store(&st, &sup), STATE_OK);
	assert_int_equal(account_store(&st, key, &a), STATE_OK);
	e.amount = 400;
	key_make_u64_pubkey(&k, KEY_UNBONDING, 10, key);
	assert_int_equal(record_put(&st, &k, &e.base), STATE_OK);
	e.amount = 200;
	key_make_u64_pubkey(&k, KEY_UNBONDING, 20, key);
	assert_int_equal(record_put(&st, &k, &e.base), STATE_OK);
	key_make_u64_pubkey(&k, KEY_UNBONDING, 20, other);
	assert_int_equal(record_put(&st, &k, &e.base), STATE_OK);
	/* nothing bonded and unbonding not slashable: no stake */
	assert_int_equal(staking_slash_and_jail(&st, key, 500000, UINT64_MAX, &slashed, NULL),
			 LEDGER_EVIDENCE_NO_STAKE);
	assert_int_equal(staking_slash_and_jail(&st, key, 500000, 15, &slashed, NULL), LEDGER_OK);
	assert_int_equal(slashed, 100);
	assert_int_equal(account_load(&st, key, &a), STATE_OK);
	assert_int_equal(a.unbonding, 500);
	key_make_u64_pubkey(&k, KEY_UNBONDING, 20, key);
	assert_int_equal(record_get(&st, &k, &hearth__unbonding_entry__descriptor, &msg), STATE_OK);
	assert_int_equal(((Hearth__UnbondingEntry *)msg)->amount, 100);
	codec_free(msg);
	key_make_u64_pubkey(&k, KEY_UNBONDING, 20, other); /* another account's: untouched */
	assert_int_equal(record_get(&st, &k, &hearth__unbonding_entry__descriptor, &msg), STATE_OK);
	assert_int_equal(((Hearth__UnbondingEntry *)msg)->amount, 200);
	codec_free(msg);
	key_make_u64_pubkey(&k, KEY_UNBONDING, 10, key); /* before the offence: untouched */
	assert_int_equal(record_get(&st, &k, &hearth__unbonding_entry__descriptor, &msg), STATE_OK);
	assert_int_equal(((Hearth__UnbondingEntry *)msg)->amount, 400);
	codec_free(msg);
	state_mem_free(&mem);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
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
		T(test_overflow_at_uint64_max_is_rejected),
		T(test_bond_moves_balance_into_stake),
		T(test_bond_rejections),
		T(test_unbond_more_than_bonded_is_rejected),
		T(test_unbonded_stake_returns_at_end_of_release_block),
		T(test_validator_set_change_takes_effect_two_heights_later),
		cmocka_unit_test(test_selection_is_top_n_by_stake_with_key_tie_break),
		T(test_empty_selection_keeps_the_current_set),
		T(test_kind_no_module_handles_is_rejected),
		T(test_kind_is_routed_to_the_module_that_registered_it),
		T(test_evidence_without_verifier_is_rejected),
		T(test_evidence_slashes_and_jails_the_offender),
		T(test_evidence_slashes_stake_unbonded_after_the_offence),
		cmocka_unit_test_setup_teardown(test_end_block_sees_the_previous_block_id, setup,
						teardown),
		cmocka_unit_test(test_slash_and_jail_burns_the_fraction),
		cmocka_unit_test(test_slash_without_jail_burns_and_keeps_the_account_staked),
		cmocka_unit_test(test_slash_and_jail_cuts_unbonding_entries_from_a_height),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
