/* ledger.c: the ledger context, module routing, applying a tx (common
 * checks, fee and nonce, then the module) and applying a whole block into a
 * fresh overlay. */
#include "consensus/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/bank.h"
#include "consensus/staking.h"
#include "consensus/tx.h"

int ledger_init(struct ledger *l, const struct ledger_config *cfg)
{
	const char *why;

	memset(l, 0, sizeof(*l));
	if (cfg->chain_id[0] == '\0' || memchr(cfg->chain_id, '\0', sizeof(cfg->chain_id)) == NULL)
		return -1;
	if (params_validate(&cfg->params, &why) != 0)
		return -1;
	l->cfg = *cfg;
	if (ledger_register_module(l, &bank_module) != 0 ||
	    ledger_register_module(l, &staking_module) != 0)
		return -1;
	return 0;
}

const struct ledger_module *ledger_find_module(const struct ledger *l,
					       Hearth__TxBody__KindCase kind)
{
	for (size_t i = 0; i < l->n_modules; i++) {
		const struct ledger_module *m = &l->modules[i];

		for (size_t j = 0; j < m->n_kinds; j++) {
			if (m->kinds[j] == kind)
				return m;
		}
	}
	return NULL;
}

int ledger_register_module(struct ledger *l, const struct ledger_module *m)
{
	if (l->n_modules == LEDGER_MODULES_MAX || m->check == NULL || m->apply == NULL)
		return -1;
	for (size_t j = 0; j < m->n_kinds; j++) {
		if (ledger_find_module(l, m->kinds[j]) != NULL)
			return -1;
	}
	l->modules[l->n_modules++] = *m;
	return 0;
}

void ledger_block_ctx_init(struct ledger_block_ctx *blk, uint64_t height,
			   const uint8_t proposer[PUBKEY_SIZE])
{
	blk->height = height;
	memcpy(blk->proposer, proposer, PUBKEY_SIZE);
	blk->fees = 0;
	memset(blk->prev_block_id, 0, HASH_SIZE);
}

/* Nonce and fee, then charges the fee and advances the nonce in st. */
static enum ledger_reason charge_sender(const struct state *st, const struct tx *tx,
					struct ledger_error *err)
{
	const Hearth__TxBody *body = tx->body;
	struct account acct;

	if (account_load(st, tx->sender, &acct) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the sender");
	if (acct.nonce == UINT64_MAX)
		return ledger_fail(err, LEDGER_TX_NONCE_EXHAUSTED, NULL);
	if (body->nonce <= acct.nonce)
		return ledger_fail(err, LEDGER_TX_NONCE_REPLAYED, "nonce %llu, account at %llu",
				   (unsigned long long)body->nonce, (unsigned long long)acct.nonce);
	if (body->nonce != acct.nonce + 1)
		return ledger_fail(err, LEDGER_TX_NONCE_GAP, "nonce %llu, expected %llu",
				   (unsigned long long)body->nonce,
				   (unsigned long long)acct.nonce + 1);
	if (acct.balance < body->fee)
		return ledger_fail(err, LEDGER_TX_FEE_UNPAYABLE, "balance %llu < fee %llu",
				   (unsigned long long)acct.balance, (unsigned long long)body->fee);
	acct.balance -= body->fee;
	acct.nonce = body->nonce;
	if (account_store(st, tx->sender, &acct) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the sender");
	return LEDGER_OK;
}

/* Everything after the stateless checks, into a per-tx overlay over st that
 * reaches st only when the whole tx succeeds. */
static enum ledger_reason apply_decoded(const struct ledger *l, const struct state *st,
					struct ledger_block_ctx *blk, const struct tx *tx,
					struct ledger_error *err)
{
	const struct ledger_module *m = ledger_find_module(l, tx->body->kind_case);
	struct overlay ov;
	struct state txst;
	enum ledger_reason r;
	uint64_t fees;

	if (m == NULL)
		return ledger_fail(err, LEDGER_TX_KIND_UNHANDLED, "kind %d",
				   (int)tx->body->kind_case);
	overlay_init(&ov, st, &txst);
	r = charge_sender(&txst, tx, err);
	/* Only a fee the sender can pay is added: the fees collected so far
	 * and its balance are both parts of the supply, so this sum overflows
	 * only in a broken state, while an unpayable fee near 2^64 is the
	 * sender's fault (LEDGER_TX_FEE_UNPAYABLE above). */
	if (r == LEDGER_OK && __builtin_add_overflow(blk->fees, tx->body->fee, &fees))
		r = ledger_fail(err, LEDGER_INTERNAL, "fees of the block overflow");
	if (r == LEDGER_OK)
		r = m->check(m->arg, l, &txst, blk, tx, err);
	if (r == LEDGER_OK)
		r = m->apply(m->arg, l, &txst, blk, tx, err);
	if (r == LEDGER_OK && overlay_flush(&ov, st) != STATE_OK)
		r = ledger_fail(err, LEDGER_INTERNAL, "writing the tx");
	overlay_free(&ov);
	if (r == LEDGER_OK)
		blk->fees = fees;
	return r;
}

enum ledger_reason ledger_apply_tx(const struct ledger *l, const struct state *st,
				   struct ledger_block_ctx *blk, const uint8_t *bytes, size_t len,
				   bool verify_sig, struct ledger_error *err)
{
	struct tx tx;
	enum ledger_reason r;

	r = tx_decode(bytes, len, l->cfg.chain_id, &l->cfg.params, verify_sig, &tx, err);
	if (r != LEDGER_OK)
		return r;
	r = apply_decoded(l, st, blk, &tx, err);
	tx_free(&tx);
	return r;
}

enum ledger_reason ledger_check_tx(const struct ledger *l, const struct state *st, uint64_t height,
				   const uint8_t *tx, size_t len, struct ledger_error *err)
{
	static const uint8_t nobody[PUBKEY_SIZE];
	struct ledger_block_ctx blk;
	struct overlay ov;
	struct state scratch;
	enum ledger_reason r;

	overlay_init(&ov, st, &scratch);
	ledger_block_ctx_init(&blk, height, nobody);
	r = ledger_apply_tx(l, &scratch, &blk, tx, len, true, err);
	overlay_free(&ov);
	return r;
}

enum ledger_reason ledger_end_block(const struct ledger *l, const struct state *st,
				    struct ledger_block_ctx *blk, struct ledger_error *err)
{
	if (blk->fees > 0) {
		int rc = account_credit(st, blk->proposer, blk->fees);

		if (rc != 0)
			return ledger_fail(err, LEDGER_INTERNAL, "crediting fees to the proposer");
	}
	for (size_t i = 0; i < l->n_modules; i++) {
		const struct ledger_module *m = &l->modules[i];
		enum ledger_reason r;

		if (m->end_block == NULL)
			continue;
		r = m->end_block(m->arg, l, st, blk, err);
		if (r != LEDGER_OK)
			return r;
	}
	return LEDGER_OK;
}

/* The hashes of the sets in force at height and height + 1. */
static enum ledger_reason load_set_hashes(const struct state *st, uint64_t height,
					  struct validator_set *set, uint8_t hash[HASH_SIZE],
					  uint8_t next_hash[HASH_SIZE], struct ledger_error *err)
{
	if (staking_load_set(st, height + 1, set) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "no validator set for height %llu",
				   (unsigned long long)height + 1);
	validators_hash(set, next_hash);
	if (staking_load_set(st, height, set) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "no validator set for height %llu",
				   (unsigned long long)height);
	validators_hash(set, hash);
	return LEDGER_OK;
}

static enum ledger_reason check_validators(const struct state *st, const struct block_header *h,
					   struct ledger_error *err)
{
	struct validator_set *set = malloc(sizeof(*set));
	uint8_t hash[HASH_SIZE], next_hash[HASH_SIZE];
	enum ledger_reason r;

	if (set == NULL)
		return ledger_fail(err, LEDGER_INTERNAL, "no memory");
	r = load_set_hashes(st, h->height, set, hash, next_hash, err);
	if (r == LEDGER_OK && memcmp(hash, h->validators_hash, HASH_SIZE) != 0)
		r = ledger_fail(err, LEDGER_BLOCK_WRONG_VALIDATORS, NULL);
	if (r == LEDGER_OK && memcmp(next_hash, h->next_validators_hash, HASH_SIZE) != 0)
		r = ledger_fail(err, LEDGER_BLOCK_WRONG_NEXT_VALIDATORS, NULL);
	if (r == LEDGER_OK && validators_find(set, h->proposer) < 0)
		r = ledger_fail(err, LEDGER_BLOCK_BAD_PROPOSER, NULL);
	free(set);
	return r;
}

/* Applies the txs and ends the block, into res->writes. */
static enum ledger_reason apply_body(const struct ledger *l, const struct block *b,
				     struct ledger_block_result *res, struct ledger_error *err)
{
	struct ledger_block_ctx blk;
	enum ledger_reason r;

	ledger_block_ctx_init(&blk, b->header.height, b->header.proposer);
	memcpy(blk.prev_block_id, b->header.prev_block_id, HASH_SIZE);
	for (size_t i = 0; i < b->msg->n_txs; i++) {
		struct ledger_error txerr;

		const uint8_t *tx = b->msg->txs[i].data;
		size_t tx_len = b->msg->txs[i].len;
		bool verify = l->cfg.sig_verified == NULL ||
			      !l->cfg.sig_verified(l->cfg.sig_arg, tx, tx_len);

		r = ledger_apply_tx(l, &res->state, &blk, tx, tx_len, verify, &txerr);
		if (r != LEDGER_OK) {
			if (r == LEDGER_INTERNAL)
				return ledger_fail(err, r, "tx %zu: %s", i, txerr.text);
			ledger_fail(err, LEDGER_BLOCK_BAD_TX, "tx %zu: %s", i, txerr.text);
			if (err != NULL) {
				err->tx_index = (uint32_t)i;
				err->detail_code = (uint32_t)r;
			}
			return LEDGER_BLOCK_BAD_TX;
		}
		if (verify && l->cfg.sig_noted != NULL)
			l->cfg.sig_noted(l->cfg.sig_arg, tx, tx_len);
	}
	res->fees = blk.fees;
	res->n_txs = b->msg->n_txs;
	return ledger_end_block(l, &res->state, &blk, err);
}

enum ledger_reason ledger_apply_block(const struct ledger *l, const struct state *base,
				      const struct chain_tip *tip, const uint8_t *bytes, size_t len,
				      struct ledger_block_result *res, struct ledger_error *err)
{
	struct block b;
	uint8_t ws_hash[HASH_SIZE];
	enum ledger_reason r;

	memset(res, 0, sizeof(*res));
	overlay_init(&res->writes, base, &res->state);
	r = block_decode(bytes, len, &l->cfg.params, &b, err);
	if (r != LEDGER_OK) {
		overlay_free(&res->writes);
		return r;
	}
	r = block_check_against_tip(&b, l->cfg.chain_id, tip, err);
	if (r == LEDGER_OK)
		r = check_validators(base, &b.header, err);
	if (r == LEDGER_OK)
		r = apply_body(l, &b, res, err);
	if (r != LEDGER_OK) {
		overlay_free(&res->writes);
		block_free(&b);
		return r;
	}
	overlay_write_set_hash(&res->writes, ws_hash);
	overlay_app_hash(tip->app_hash, ws_hash, res->app_hash);
	res->header = b.header;
	res->tip.height = b.header.height;
	res->tip.time_ms = b.header.time_ms;
	memcpy(res->tip.block_id, b.id, HASH_SIZE);
	memcpy(res->tip.app_hash, res->app_hash, HASH_SIZE);
	block_free(&b);
	return LEDGER_OK;
}

void ledger_block_result_free(struct ledger_block_result *res)
{
	overlay_free(&res->writes);
}

enum ledger_reason ledger_prepare_header(const struct ledger *l, const struct state *st,
					 const struct chain_tip *tip, uint64_t time_ms,
					 const uint8_t proposer[PUBKEY_SIZE],
					 const uint8_t *const *txs, const size_t *lens, size_t n,
					 const Hearth__Commit *last_commit, struct block_header *h)
{
	struct validator_set *set;
	uint8_t(*ids)[HASH_SIZE] = NULL;
	enum ledger_reason r;

	memset(h, 0, sizeof(*h));
	strcpy(h->chain_id, l->cfg.chain_id);
	h->height = tip->height + 1;
	h->time_ms = time_ms;
	memcpy(h->prev_block_id, tip->block_id, HASH_SIZE);
	memcpy(h->app_hash, tip->app_hash, HASH_SIZE);
	memcpy(h->proposer, proposer, PUBKEY_SIZE);
	if (last_commit != NULL && block_commit_hash(last_commit, h->last_commit_hash) != 0)
		return LEDGER_INTERNAL;
	if (n > 0) {
		ids = calloc(n, HASH_SIZE);
		if (ids == NULL)
			return LEDGER_INTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		tx_id(txs[i], lens[i], ids[i]);
	block_tx_root((const uint8_t(*)[HASH_SIZE])ids, n, h->tx_root);
	free(ids);
	set = malloc(sizeof(*set));
	if (set == NULL)
		return LEDGER_INTERNAL;
	r = load_set_hashes(st, h->height, set, h->validators_hash, h->next_validators_hash, NULL);
	free(set);
	return r;
}
