/* provider.c: signs and submits the executor's receipt, commit and reveal
 * txs through the node's own mempool. */
#include "node/provider.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/tx.h"
#include "market/market.h"

enum provider_tx provider_next_tx(const struct journal_entry *e)
{
	if (e->replicas <= 1 || e->verifier)
		return PROVIDER_RECEIPT;
	return e->state == JOURNAL_COMMITTED ? PROVIDER_REVEAL : PROVIDER_COMMIT;
}

/* The parts of a tx body, pointing into e. */
struct provider_body {
	Hearth__TxBody body;
	Hearth__Receipt receipt;
	Hearth__ReceiptCommit commit;
	Hearth__ReceiptReveal reveal;
	Hearth__Outcome outcome;
	Hearth__Usage usage;
	uint8_t commitment[HASH_SIZE];
};

static void fill_outcome(struct provider_body *b, const struct journal_entry *e)
{
	hearth__usage__init(&b->usage);
	b->usage.wall_ms = e->wall_ms;
	b->usage.cpu_ms = e->cpu_ms;
	b->usage.peak_memory_bytes = e->peak_memory_bytes;
	hearth__outcome__init(&b->outcome);
	b->outcome.result_hash.data = (uint8_t *)e->result_hash;
	b->outcome.result_hash.len = HASH_SIZE;
	b->outcome.exit_status = e->exit_status;
	b->outcome.timed_out = e->timed_out;
	b->outcome.oom_killed = e->oom_killed;
	b->outcome.usage = &b->usage;
}

static void fill_kind(struct provider_body *b, const struct provider *p, enum provider_tx kind,
		      const struct journal_entry *e)
{
	fill_outcome(b, e);
	switch (kind) {
	case PROVIDER_RECEIPT:
		hearth__receipt__init(&b->receipt);
		b->receipt.lease_id.data = (uint8_t *)e->lease_id;
		b->receipt.lease_id.len = HASH_SIZE;
		b->receipt.outcome = &b->outcome;
		b->body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT;
		b->body.receipt = &b->receipt;
		return;
	case PROVIDER_COMMIT:
		market_receipt_commitment(e->result_hash, p->key->pubkey, e->salt,
					  JOURNAL_SALT_SIZE, b->commitment);
		hearth__receipt_commit__init(&b->commit);
		b->commit.lease_id.data = (uint8_t *)e->lease_id;
		b->commit.lease_id.len = HASH_SIZE;
		b->commit.commitment.data = b->commitment;
		b->commit.commitment.len = HASH_SIZE;
		b->body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT_COMMIT;
		b->body.receipt_commit = &b->commit;
		return;
	case PROVIDER_REVEAL:
		hearth__receipt_reveal__init(&b->reveal);
		b->reveal.lease_id.data = (uint8_t *)e->lease_id;
		b->reveal.lease_id.len = HASH_SIZE;
		b->reveal.salt.data = (uint8_t *)e->salt;
		b->reveal.salt.len = JOURNAL_SALT_SIZE;
		b->reveal.outcome = &b->outcome;
		b->body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT_REVEAL;
		b->body.receipt_reveal = &b->reveal;
		return;
	}
}

/* Signs body with the smallest fee the ledger accepts for its size (the
 * fee's own varint can grow the tx, hence the loop).
 * Out: *tx (caller frees), *len. Returns 0 or -1. */
static int sign_with_fee(const struct provider *p, Hearth__TxBody *body, uint8_t **tx, size_t *len)
{
	uint64_t per_byte = p->ledger->cfg.params.min_fee_per_byte, need;

	body->fee = 0;
	for (int i = 0; i < 4; i++) {
		if (tx_sign(body, p->key, NULL, tx, len) != 0)
			return -1;
		if (__builtin_mul_overflow(per_byte, (uint64_t)*len, &need))
			break;
		if (body->fee >= need)
			return 0;
		free(*tx);
		*tx = NULL;
		body->fee = need + 16 * per_byte;
	}
	return -1;
}

/* Fills body's common fields, signs it and offers it to the pool. */
static enum mempool_result submit_body(const struct provider *p, Hearth__TxBody *body,
				       uint8_t txid[HASH_SIZE], struct ledger_error *err)
{
	struct account acct;
	uint8_t *tx = NULL;
	size_t len;
	enum mempool_result r;

	if (account_load(&p->mempool->check_st, p->key->pubkey, &acct) != STATE_OK)
		return MEMPOOL_ERROR;
	body->chain_id = (char *)p->ledger->cfg.chain_id;
	body->sender.data = (uint8_t *)p->key->pubkey;
	body->sender.len = PUBKEY_SIZE;
	body->nonce = acct.nonce + 1;
	if (sign_with_fee(p, body, &tx, &len) != 0)
		return MEMPOOL_ERROR;
	r = mempool_add(p->mempool, tx, len, txid, err);
	free(tx);
	return r;
}

enum mempool_result provider_submit(const struct provider *p, enum provider_tx kind,
				    const struct journal_entry *e, uint8_t txid[HASH_SIZE],
				    struct ledger_error *err)
{
	struct provider_body b;

	hearth__tx_body__init(&b.body);
	fill_kind(&b, p, kind, e);
	return submit_body(p, &b.body, txid, err);
}

enum mempool_result provider_submit_bond(const struct provider *p, uint64_t amount,
					 uint8_t txid[HASH_SIZE], struct ledger_error *err)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Bond bond = HEARTH__BOND__INIT;

	bond.amount = amount;
	body.kind_case = HEARTH__TX_BODY__KIND_BOND;
	body.bond = &bond;
	return submit_body(p, &body, txid, err);
}
