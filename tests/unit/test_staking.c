/* test_staking.c: unit tests of consensus/staking.c through the ledger:
 * bond, unbond and the release of unbonding stake, validator set selection
 * and its delay, evidence, slashing and jailing. */
#include "consensus/staking.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/keys.h"
#include "consensus/record.h"
#include "consensus/ledger.h"
#include "consensus/supply.h"
#include "consensus/tx.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

static void test_bond_moves_balance_into_stake(void **state)
{
	struct fixture *f = *state;
	struct account a;
	size_t len;

	fix_block1(f, fix_bond(f, 1, 1, FIX_FEE, 3000, &len), &len);
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.balance, FIX_BALANCE - 3000 - FIX_FEE);
	assert_int_equal(a.bonded, 3000);
}

static void test_bond_rejections(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(fix_try_tx(f, fix_bond(f, 1, 1, FIX_FEE, 0, &len), &len),
			 LEDGER_BOND_ZERO_AMOUNT);
	assert_int_equal(fix_try_tx(f, fix_bond(f, 1, 1, FIX_FEE, FIX_BALANCE, &len), &len),
			 LEDGER_BOND_INSUFFICIENT_BALANCE);
}

static void test_unbond_more_than_bonded_is_rejected(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(fix_try_tx(f, fix_unbond(f, 0, 1, FIX_FEE, FIX_BOND + 1, &len), &len),
			 LEDGER_UNBOND_EXCEEDS_BONDED);
	assert_int_equal(fix_try_tx(f, fix_unbond(f, 1, 1, FIX_FEE, 1, &len), &len),
			 LEDGER_UNBOND_EXCEEDS_BONDED);
	assert_int_equal(fix_try_tx(f, fix_unbond(f, 0, 1, FIX_FEE, 0, &len), &len),
			 LEDGER_UNBOND_ZERO_AMOUNT);
	assert_int_equal(fix_try_tx(f, fix_unbond(f, 0, 1, FIX_FEE, FIX_BOND, &len), &len),
			 LEDGER_OK);
}

static void test_unbonded_stake_returns_at_end_of_release_block(void **state)
{
	struct fixture *f = *state;
	struct account a;
	size_t len;
	uint8_t *txs[2];
	size_t lens[2];

	/* height 1: bond, height 2: two unbonds (merged in one queue entry) */
	fix_block1(f, fix_bond(f, 1, 1, FIX_FEE, 5000, &len), &len);
	txs[0] = fix_unbond(f, 1, 2, FIX_FEE, 1000, &lens[0]);
	txs[1] = fix_unbond(f, 1, 3, FIX_FEE, 500, &lens[1]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 2, NULL), LEDGER_OK);
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.bonded, 3500);
	assert_int_equal(a.unbonding, 1500);
	/* unbonding_blocks = 3: released at the end of height 5 */
	fix_empty_block(f);
	fix_empty_block(f);
	assert_int_equal(f->chain.tip.height, 4);
	assert_int_equal(fix_account(f, &f->chain, 1).unbonding, 1500);
	fix_empty_block(f);
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
	fix_block1(f, fix_bond_validator(f, 1, 1, FIX_FEE, 5 * FIX_BOND, &len),
		   &len); /* height 1 */
	load_set(f, 2, set);
	assert_int_equal(set->count, 1);
	load_set(f, 3, set);
	assert_int_equal(set->count, 2);
	assert_int_equal(set->total_power, 6 * FIX_BOND);
	assert_true(validators_find(set, f->signers[1].pubkey) >= 0);
	/* the headers carry it: blocks 2 and 3 are accepted with those hashes */
	fix_empty_block(f);
	fix_empty_block(f);
	free(set);
}

/* True when key has an entry in the stake index of c. */
static bool indexed(const struct fixture *f, int idx)
{
	struct account a = fix_account(f, &f->chain, idx);
	struct key k;
	uint8_t *val = NULL;
	size_t len;
	enum state_status rc;

	if (a.bonded == 0)
		return false;
	key_make_u64_pubkey(&k, KEY_STAKE_INDEX, UINT64_MAX - a.bonded, f->signers[idx].pubkey);
	rc = state_get(fix_chain_state(&f->chain), k.bytes, k.len, &val, &len);
	free(val);
	assert_int_not_equal(rc, STATE_ERROR);
	return rc == STATE_OK;
}

static void test_plain_bond_never_enters_the_validator_set(void **state)
{
	struct fixture *f = *state;
	struct validator_set *set = malloc(sizeof(*set));
	size_t len;

	assert_non_null(set);
	/* five times the validator's stake, and still not a validator */
	fix_block1(f, fix_bond(f, 1, 1, FIX_FEE, 5 * FIX_BOND, &len), &len); /* height 1 */
	fix_empty_block(f);
	fix_empty_block(f);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, 5 * FIX_BOND);
	assert_false(fix_account(f, &f->chain, 1).validator);
	assert_false(indexed(f, 1));
	for (uint64_t h = 1; h <= f->chain.tip.height + 2; h++) {
		load_set(f, h, set);
		assert_int_equal(set->count, 1);
		assert_memory_equal(set->members[0].key, f->signers[0].pubkey, PUBKEY_SIZE);
		assert_int_equal(set->total_power, FIX_BOND);
	}
	free(set);
}

static void test_validator_bond_makes_all_the_stake_a_candidate_for_good(void **state)
{
	struct fixture *f = *state;
	struct validator_set *set = malloc(sizeof(*set));
	size_t len;

	assert_non_null(set);
	fix_block1(f, fix_bond(f, 1, 1, FIX_FEE, 3 * FIX_BOND, &len), &len); /* height 1 */
	fix_block1(f, fix_bond_validator(f, 1, 2, FIX_FEE, 1, &len), &len);  /* height 2 */
	assert_true(fix_account(f, &f->chain, 1).validator);
	assert_true(indexed(f, 1));
	load_set(f, 3, set);
	assert_int_equal(set->count, 1);
	load_set(f, 4, set); /* two heights after the block that bonded */
	assert_int_equal(set->count, 2);
	assert_int_equal(set->total_power, 4 * FIX_BOND + 1);
	/* a later plain bond of a candidate still counts */
	fix_block1(f, fix_bond(f, 1, 3, FIX_FEE, 10, &len), &len); /* height 3 */
	assert_true(fix_account(f, &f->chain, 1).validator);
	load_set(f, 5, set);
	assert_int_equal(set->total_power, 4 * FIX_BOND + 11);
	free(set);
}

static void test_unbonding_to_zero_ends_candidacy(void **state)
{
	struct fixture *f = *state;
	struct validator_set *set = malloc(sizeof(*set));
	size_t len;

	assert_non_null(set);
	fix_block1(f, fix_bond_validator(f, 1, 1, FIX_FEE, 2000, &len), &len); /* height 1 */
	fix_block1(f, fix_unbond(f, 1, 2, FIX_FEE, 1500, &len), &len);	       /* height 2 */
	assert_true(fix_account(f, &f->chain, 1).validator);
	assert_true(indexed(f, 1));
	fix_block1(f, fix_unbond(f, 1, 3, FIX_FEE, 500, &len), &len); /* height 3 */
	assert_false(fix_account(f, &f->chain, 1).validator);
	assert_false(indexed(f, 1));
	load_set(f, 5, set);
	assert_int_equal(set->count, 1);
	/* a plain bond afterwards does not bring it back */
	fix_block1(f, fix_bond(f, 1, 4, FIX_FEE, 5 * FIX_BOND, &len), &len); /* height 4 */
	assert_false(fix_account(f, &f->chain, 1).validator);
	load_set(f, 6, set);
	assert_int_equal(set->count, 1);
	free(set);
}

/* A Tx of body bytes signed by signer idx as they are (no codec check).
 * Out: *len. Returns the tx (caller frees). */
static uint8_t *sign_raw_body(struct fixture *f, int idx, uint8_t *body, size_t body_len,
			      size_t *len)
{
	Hearth__Tx env = HEARTH__TX__INIT;
	uint8_t digest[HASH_SIZE], sig[SIG_SIZE], aux[32] = { 7 }, *out;

	tx_sign_digest(body, body_len, digest);
	assert_int_equal(sig_sign_aux(&f->signers[idx], digest, aux, sig), 0);
	env.body.data = body;
	env.body.len = body_len;
	env.sig.data = sig;
	env.sig.len = SIG_SIZE;
	assert_int_equal(codec_encode(&env.base, &out, len), CODEC_OK);
	return out;
}

static void test_bond_with_validator_false_is_malformed(void **state)
{
	struct fixture *f = *state;
	Hearth__TxBody body;
	Hearth__Bond b = HEARTH__BOND__INIT;
	uint8_t *body_bytes, *tx;
	size_t body_len, len;

	/* tx_sign refuses to build it, so sign bytes encoded by hand */
	fix_body(f, &body, 1, 1, FIX_FEE);
	b.amount = 100;
	b.has_validator = 1;
	b.validator = 0;
	body.kind_case = HEARTH__TX_BODY__KIND_BOND;
	body.bond = &b;
	assert_int_equal(codec_check(&body.base, NULL), CODEC_NOT_CANONICAL);
	assert_int_equal(tx_sign(&body, &f->signers[1], NULL, &tx, &len), -1);
	assert_int_equal(codec_encode(&body.base, &body_bytes, &body_len), CODEC_OK);
	tx = sign_raw_body(f, 1, body_bytes, body_len, &len);
	free(body_bytes);
	assert_int_equal(fix_try_tx(f, tx, &len), LEDGER_TX_BODY_MALFORMED);
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
	fix_block1(f, fix_unbond(f, 0, 1, FIX_FEE, FIX_BOND, &len), &len);
	fix_empty_block(f);
	fix_empty_block(f);
	load_set(f, 4, set);
	assert_int_equal(set->count, 1);
	assert_int_equal(set->total_power, FIX_BOND);
	free(set);
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

	fix_empty_block(f);
	fix_empty_block(f);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, 2, 1, 1, &len), &len),
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
	fix_block1(f, fix_bond_validator(f, 1, 1, FIX_FEE, 2 * FIX_BOND, &len),
		   &len);   /* height 1 */
	fix_empty_block(f); /* height 2 */
	memcpy(v.offender, f->signers[1].pubkey, PUBKEY_SIZE);
	/* evidence from the future, or the current height */
	assert_int_equal(fix_try_tx(f, evidence_tx(f, 2, 1, 3, &len), &len),
			 LEDGER_EVIDENCE_FUTURE);
	v.result = -1;
	assert_int_equal(fix_try_tx(f, evidence_tx(f, 2, 1, 2, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	assert_int_equal(v.calls, 1);
	v.result = 0;
	memcpy(v.offender, f->signers[3].pubkey, PUBKEY_SIZE);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, 2, 1, 2, &len), &len),
			 LEDGER_EVIDENCE_NO_STAKE);
	memcpy(v.offender, f->signers[1].pubkey, PUBKEY_SIZE);
	fix_block1(f, evidence_tx(f, 2, 1, 2, &len), &len); /* height 3 */
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
	assert_int_equal(fix_try_tx(f, evidence_tx(f, 2, 2, 2, &len), &len),
			 LEDGER_EVIDENCE_ALREADY_JAILED);
	assert_int_equal(fix_try_tx(f, fix_bond(f, 1, 2, FIX_FEE, 10, &len), &len),
			 LEDGER_BOND_JAILED);
	/* but it may unbond what is left */
	fix_block1(f, fix_unbond(f, 1, 2, FIX_FEE, 1000, &len), &len);
	/* too old: more than unbonding_blocks (3) below the block's height (6) */
	fix_empty_block(f);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, 2, 2, 2, &len), &len),
			 LEDGER_EVIDENCE_TOO_OLD);
	free(set);
}

static void test_slash_and_jail_burns_the_fraction(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	struct supply sup = { .genesis = 1000, .issued = 0, .burned = 0 };
	struct account a = {
		.balance = 0, .nonce = 0, .bonded = 999, .unbonding = 0, .validator = true
	};
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
	struct account a = {
		.balance = 0, .nonce = 0, .bonded = 1000, .unbonding = 400, .validator = true
	};
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
	/* nothing left bonded: no longer a candidate */
	assert_int_equal(account_load(&st, key, &a), STATE_OK);
	assert_int_equal(a.bonded, 0);
	assert_false(a.validator);
	/* part of a slash can pay someone instead of being burned */
	a.bonded = 400;
	a.validator = true;
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
	txs[0] = fix_bond_validator(f, 1, 1, FIX_FEE, 2 * FIX_BOND, &lens[0]);
	txs[1] = fix_unbond(f, 1, 2, FIX_FEE, FIX_BOND / 2, &lens[1]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 2, NULL), LEDGER_OK);
	fix_empty_block(f); /* height 2: the offence */
	/* height 3: the offender unbonds the rest (released at 6) */
	fix_block1(f, fix_unbond(f, 1, 3, FIX_FEE, 3 * FIX_BOND / 2, &len), &len);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, 0);
	/* height 4: evidence of height 2 still slashes what left after it */
	fix_block1(f, evidence_tx(f, 2, 1, 2, &len), &len);
	a = fix_account(f, &f->chain, 1);
	assert_int_equal(a.bonded, 0);
	assert_int_equal(a.unbonding, 3 * FIX_BOND / 2 - 3 * FIX_BOND / 20);
	assert_int_equal(a.balance,
			 FIX_BALANCE - 2 * FIX_BOND - 3 * FIX_FEE + FIX_BOND / 2 + proposer_fees);
	assert_int_equal(supply_load(fix_chain_state(&f->chain), &sup), STATE_OK);
	assert_int_equal(sup.burned, 3 * FIX_BOND / 20);
	fix_empty_block(f);
	fix_empty_block(f); /* height 6: the slashed remainder comes back */
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
#define T(name) cmocka_unit_test_setup_teardown(name, fix_group_setup, fix_group_teardown)
	const struct CMUnitTest tests[] = {
		T(test_bond_moves_balance_into_stake),
		T(test_bond_rejections),
		T(test_unbond_more_than_bonded_is_rejected),
		T(test_unbonded_stake_returns_at_end_of_release_block),
		T(test_validator_set_change_takes_effect_two_heights_later),
		T(test_plain_bond_never_enters_the_validator_set),
		T(test_validator_bond_makes_all_the_stake_a_candidate_for_good),
		T(test_unbonding_to_zero_ends_candidacy),
		T(test_bond_with_validator_false_is_malformed),
		cmocka_unit_test(test_selection_is_top_n_by_stake_with_key_tie_break),
		T(test_empty_selection_keeps_the_current_set),
		T(test_evidence_without_verifier_is_rejected),
		T(test_evidence_slashes_and_jails_the_offender),
		cmocka_unit_test(test_slash_and_jail_burns_the_fraction),
		cmocka_unit_test(test_slash_without_jail_burns_and_keeps_the_account_staked),
		T(test_evidence_slashes_stake_unbonded_after_the_offence),
		cmocka_unit_test(test_slash_and_jail_cuts_unbonding_entries_from_a_height),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
