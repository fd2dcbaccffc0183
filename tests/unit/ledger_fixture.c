/* ledger_fixture.c: the test chain (see ledger_fixture.h). */
#include "tests/unit/ledger_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/invariant.h"
#include "consensus/staking.h"
#include "tests/unit/test_util.h"

void fix_genesis_text(const struct fixture *f, char *buf, size_t size)
{
	char addr[FIX_KEYS][ADDRESS_MAX];
	int n;

	for (int i = 0; i < FIX_KEYS; i++)
		assert_int_equal(
			address_encode(NETWORK_DEV, f->signers[i].pubkey, addr[i], ADDRESS_MAX), 0);
	n = snprintf(buf, size,
		     "{\n"
		     "  \"chain_id\": \"" FIX_CHAIN "\",\n"
		     "  \"genesis_time_ms\": 1764201600000,\n"
		     "  \"params\": {\n"
		     "    \"max_block_bytes\": 1048576,\n"
		     "    \"max_block_txs\": 1000,\n"
		     "    \"max_tx_bytes\": 4096,\n"
		     "    \"min_fee_per_byte\": 1,\n"
		     "    \"unbonding_blocks\": 3,\n"
		     "    \"min_provider_bond\": 1000,\n"
		     "    \"max_validators\": 4,\n"
		     "    \"slash_fraction_ppm\": 100000,\n"
		     "    \"market\": {\"max_inline_input_bytes\": 1024,\n"
		     "      \"block_time_ms\": 1000, \"lease_grace_blocks\": 5,\n"
		     "      \"match_bids_per_block\": 16, \"match_offers_per_bid\": 64,\n"
		     "      \"challenge_blocks\": 3, \"slash_missed_deadline_ppm\": 100000,\n"
		     "      \"reveal_blocks\": 4, \"slash_wrong_result_ppm\": 200000,\n"
		     "      \"dispute_bond\": 5000}\n"
		     "  },\n"
		     "  \"balances\": [\n"
		     "    {\"address\": \"%s\", \"amount\": %llu},\n"
		     "    {\"address\": \"%s\", \"amount\": %llu},\n"
		     "    {\"address\": \"%s\", \"amount\": %llu},\n"
		     "    {\"address\": \"%s\", \"amount\": %llu},\n"
		     "    {\"address\": \"%s\", \"amount\": %llu},\n"
		     "    {\"address\": \"%s\", \"amount\": %llu}\n"
		     "  ],\n"
		     "  \"validators\": [\n"
		     "    {\"address\": \"%s\", \"bond\": %llu}\n"
		     "  ]\n"
		     "}\n",
		     addr[0], FIX_BALANCE, addr[1], FIX_BALANCE, addr[2], FIX_BALANCE, addr[3],
		     FIX_BALANCE, addr[4], FIX_BALANCE, addr[5], FIX_BALANCE, addr[0], FIX_BOND);
	assert_true(n > 0 && (size_t)n < size);
}

void fix_setup(struct fixture *f)
{
	struct ledger_config cfg;
	struct genesis_error gerr;
	char text[8192];

	memset(f, 0, sizeof(*f));
	assert_int_equal(hearth_crypto_init(), 0);
	for (int i = 0; i < FIX_KEYS; i++) {
		uint8_t secret[SECKEY_SIZE] = { 0 };

		secret[31] = (uint8_t)(i + 1);
		secret[0] = 0x42;
		assert_int_equal(signer_from_secret(&f->signers[i], secret), 0);
	}
	fix_genesis_text(f, text, sizeof(text));
	if (genesis_parse(text, strlen(text), &f->genesis, &gerr) != 0)
		fail_msg("test genesis: %s", gerr.text);
	genesis_ledger_config(&f->genesis, &cfg);
	assert_int_equal(ledger_init(&f->ledger, &cfg), 0);
	fix_chain_init(f, &f->chain, false);
}

void fix_teardown(struct fixture *f)
{
	fix_chain_free(&f->chain);
	genesis_free(&f->genesis);
	for (int i = 0; i < FIX_KEYS; i++)
		signer_wipe(&f->signers[i]);
}

const struct state *fix_chain_state(const struct chain *c)
{
	return c->layered ? &c->layer_st : &c->mem_st;
}

void fix_chain_init(struct fixture *f, struct chain *c, bool layered)
{
	struct ledger_block_result res;

	memset(c, 0, sizeof(*c));
	state_mem_init(&c->mem, &c->mem_st);
	c->layered = layered;
	if (layered)
		overlay_init(&c->layer, &c->mem_st, &c->layer_st);
	assert_int_equal(genesis_apply(&f->genesis, fix_chain_state(c), &res, NULL), LEDGER_OK);
	assert_int_equal(overlay_flush(&res.writes, fix_chain_state(c)), STATE_OK);
	c->tip = res.tip;
	ledger_block_result_free(&res);
	fix_assert_invariant(f, c);
}

void fix_chain_free(struct chain *c)
{
	if (c->layered)
		overlay_free(&c->layer);
	state_mem_free(&c->mem);
}

void fix_body(struct fixture *f, Hearth__TxBody *body, int idx, uint64_t nonce, uint64_t fee)
{
	hearth__tx_body__init(body);
	body->chain_id = (char *)FIX_CHAIN;
	body->sender.data = f->signers[idx].pubkey;
	body->sender.len = PUBKEY_SIZE;
	body->nonce = nonce;
	body->fee = fee;
}

uint8_t *fix_sign(struct fixture *f, const Hearth__TxBody *body, int idx, size_t *len)
{
	uint8_t aux[32] = { 0 }, *out;

	f->aux++;
	memcpy(aux, &f->aux, sizeof(f->aux));
	assert_int_equal(tx_sign(body, &f->signers[idx], aux, &out, len), 0);
	return out;
}

uint8_t *fix_transfer(struct fixture *f, int from, uint64_t nonce, uint64_t fee,
		      const uint8_t to[PUBKEY_SIZE], uint64_t amount, size_t *len)
{
	Hearth__TxBody body;
	Hearth__Transfer t = HEARTH__TRANSFER__INIT;

	fix_body(f, &body, from, nonce, fee);
	t.to.data = (uint8_t *)to;
	t.to.len = PUBKEY_SIZE;
	t.amount = amount;
	body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
	body.transfer = &t;
	return fix_sign(f, &body, from, len);
}

/* A bond, with validator = true when candidate (absent otherwise). */
static uint8_t *bond_tx(struct fixture *f, int from, uint64_t nonce, uint64_t fee, uint64_t amount,
			bool candidate, size_t *len)
{
	Hearth__TxBody body;
	Hearth__Bond b = HEARTH__BOND__INIT;

	fix_body(f, &body, from, nonce, fee);
	b.amount = amount;
	b.has_validator = candidate;
	b.validator = candidate;
	body.kind_case = HEARTH__TX_BODY__KIND_BOND;
	body.bond = &b;
	return fix_sign(f, &body, from, len);
}

uint8_t *fix_bond(struct fixture *f, int from, uint64_t nonce, uint64_t fee, uint64_t amount,
		  size_t *len)
{
	return bond_tx(f, from, nonce, fee, amount, false, len);
}

uint8_t *fix_bond_validator(struct fixture *f, int from, uint64_t nonce, uint64_t fee,
			    uint64_t amount, size_t *len)
{
	return bond_tx(f, from, nonce, fee, amount, true, len);
}

uint8_t *fix_unbond(struct fixture *f, int from, uint64_t nonce, uint64_t fee, uint64_t amount,
		    size_t *len)
{
	Hearth__TxBody body;
	Hearth__Unbond u = HEARTH__UNBOND__INIT;

	fix_body(f, &body, from, nonce, fee);
	u.amount = amount;
	body.kind_case = HEARTH__TX_BODY__KIND_UNBOND;
	body.unbond = &u;
	return fix_sign(f, &body, from, len);
}

uint8_t *fix_make_block(struct fixture *f, const struct chain *c, uint8_t *const *txs,
			const size_t *lens, size_t n, size_t *len)
{
	Hearth__Commit commit = HEARTH__COMMIT__INIT;
	struct validator_set *set = malloc(sizeof(*set));
	struct block_header h;
	uint8_t *out;

	assert_non_null(set);
	assert_int_equal(staking_load_set(fix_chain_state(c), c->tip.height + 1, set), STATE_OK);
	commit.height = c->tip.height;
	commit.round = 0;
	commit.block_id.data = (uint8_t *)c->tip.block_id;
	commit.block_id.len = HASH_SIZE;
	assert_int_equal(ledger_prepare_header(&f->ledger, fix_chain_state(c), &c->tip,
					       c->tip.time_ms + 1000, set->members[0].key,
					       (const uint8_t *const *)txs, lens, n,
					       c->tip.height > 0 ? &commit : NULL, &h),
			 LEDGER_OK);
	free(set);
	assert_int_equal(block_encode(&h, (const uint8_t *const *)txs, lens, n,
				      c->tip.height > 0 ? &commit : NULL, &out, len),
			 0);
	return out;
}

void fix_assert_invariant(const struct fixture *f, const struct chain *c)
{
	char why[256];

	if (invariant_check(&f->ledger, fix_chain_state(c), why, sizeof(why)) != 0)
		fail_msg("invariant broken at height %llu: %s", (unsigned long long)c->tip.height,
			 why);
}

enum ledger_reason fix_apply(struct fixture *f, struct chain *c, const uint8_t *block, size_t len,
			     struct ledger_error *err, uint8_t *app_hash)
{
	struct ledger_block_result res;
	enum ledger_reason r;

	r = ledger_apply_block(&f->ledger, fix_chain_state(c), &c->tip, block, len, &res, err);
	if (r != LEDGER_OK)
		return r;
	assert_int_equal(overlay_flush(&res.writes, fix_chain_state(c)), STATE_OK);
	c->tip = res.tip;
	if (app_hash != NULL)
		memcpy(app_hash, res.app_hash, HASH_SIZE);
	ledger_block_result_free(&res);
	if (c->layered && ++c->unflushed == 7) {
		assert_int_equal(overlay_flush(&c->layer, &c->mem_st), STATE_OK);
		c->unflushed = 0;
	}
	fix_assert_invariant(f, c);
	return LEDGER_OK;
}

enum ledger_reason fix_block(struct fixture *f, struct chain *c, uint8_t **txs, const size_t *lens,
			     size_t n, struct ledger_error *err)
{
	size_t len;
	uint8_t *block = fix_make_block(f, c, txs, lens, n, &len);
	enum ledger_reason r = fix_apply(f, c, block, len, err, NULL);

	free(block);
	for (size_t i = 0; i < n; i++)
		free(txs[i]);
	return r;
}

struct account fix_account(const struct fixture *f, const struct chain *c, int idx)
{
	struct account acct;

	assert_int_equal(account_load(fix_chain_state(c), f->signers[idx].pubkey, &acct), STATE_OK);
	return acct;
}

int fix_group_setup(void **state)
{
	struct fixture *f = malloc(sizeof(*f));

	assert_non_null(f);
	fix_setup(f);
	*state = f;
	return 0;
}

int fix_group_teardown(void **state)
{
	fix_teardown(*state);
	free(*state);
	return 0;
}

/* Applies one tx as the mempool would, into a throwaway overlay over the
 * chain; asserts that a rejected tx wrote nothing. */
enum ledger_reason fix_try_tx(struct fixture *f, uint8_t *tx, const size_t *lenp)
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
		assert_int_equal(kvmap_count(&ov.writes), 0);
		assert_int_equal(blk.fees, 0);
	}
	overlay_free(&ov);
	free(tx);
	return r;
}

/* One block with one tx; asserts it is accepted. */
void fix_block1(struct fixture *f, uint8_t *tx, const size_t *lenp)
{
	size_t len = *lenp;
	struct ledger_error err;

	if (fix_block(f, &f->chain, &tx, &len, 1, &err) != LEDGER_OK)
		fail_msg("block refused: %s", err.text);
}

void fix_empty_block(struct fixture *f)
{
	assert_int_equal(fix_block(f, &f->chain, NULL, NULL, 0, NULL), LEDGER_OK);
}

/* Writes an account directly (beyond what genesis allows) for edge tests. */
void fix_force_account(struct fixture *f, int idx, const struct account *acct)
{
	assert_int_equal(account_store(fix_chain_state(&f->chain), f->signers[idx].pubkey, acct),
			 STATE_OK);
}
