/* bank.c: the transfer tx: amount > 0 from the sender's balance (after the
 * fee) to a valid recipient key, whose balance must not overflow. A transfer
 * to oneself is allowed and changes nothing but the fee and nonce. */
#include "consensus/bank.h"

#include <string.h>

#include "consensus/account.h"

static enum ledger_reason bank_check(void *arg, const struct ledger *l, const struct state *st,
				     const struct ledger_block_ctx *blk, const struct tx *tx,
				     struct ledger_error *err)
{
	const Hearth__Transfer *t = tx->body->transfer;
	struct account from, to;
	uint64_t sum;

	(void)arg;
	(void)l;
	(void)blk;
	if (t->amount == 0)
		return ledger_fail(err, LEDGER_TRANSFER_ZERO_AMOUNT, NULL);
	if (t->to.len != PUBKEY_SIZE || (!tx->keys_checked && !pubkey_valid(t->to.data)))
		return ledger_fail(err, LEDGER_TRANSFER_BAD_RECIPIENT, "%zu-byte key", t->to.len);
	if (account_load(st, tx->sender, &from) != STATE_OK ||
	    account_load(st, t->to.data, &to) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading accounts");
	if (from.balance < t->amount)
		return ledger_fail(err, LEDGER_TRANSFER_INSUFFICIENT_BALANCE,
				   "%llu after fee < %llu", (unsigned long long)from.balance,
				   (unsigned long long)t->amount);
	if (memcmp(tx->sender, t->to.data, PUBKEY_SIZE) != 0 &&
	    __builtin_add_overflow(to.balance, t->amount, &sum))
		return ledger_fail(err, LEDGER_TRANSFER_OVERFLOW, NULL);
	return LEDGER_OK;
}

static enum ledger_reason bank_apply(void *arg, const struct ledger *l, const struct state *st,
				     const struct ledger_block_ctx *blk, const struct tx *tx,
				     struct ledger_error *err)
{
	const Hearth__Transfer *t = tx->body->transfer;
	struct account from;
	int rc;

	(void)arg;
	(void)l;
	(void)blk;
	if (account_load(st, tx->sender, &from) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the sender");
	if (from.balance < t->amount)
		return ledger_fail(err, LEDGER_INTERNAL, "balance changed after check");
	from.balance -= t->amount;
	if (account_store(st, tx->sender, &from) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the sender");
	rc = account_credit(st, t->to.data, t->amount);
	if (rc > 0)
		return ledger_fail(err, LEDGER_TRANSFER_OVERFLOW, NULL);
	if (rc < 0)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the recipient");
	return LEDGER_OK;
}

static const Hearth__TxBody__KindCase bank_kinds[] = {
	HEARTH__TX_BODY__KIND_TRANSFER,
};

const struct ledger_module bank_module = {
	.name = "bank",
	.kinds = bank_kinds,
	.n_kinds = 1,
	.check = bank_check,
	.apply = bank_apply,
	.end_block = NULL,
	.held = NULL,
	.arg = NULL,
};
