/* market.c: the market module's table and routing: each tx kind to its
 * check and apply (offer.c, bid.c, receipt.c, reveal.c, dispute.c), the end
 * of block (verifiers, settlement, deadlines, reveal windows, matching, then
 * the expiry of offers and bids), and held (the escrow, for the supply
 * invariant). */
#include "market/market.h"

#include "consensus/crypto.h"
#include "market/order.h"
#include "market/store.h"

static const Hearth__TxBody__KindCase market_kinds[] = {
	HEARTH__TX_BODY__KIND_OFFER,
	HEARTH__TX_BODY__KIND_CANCEL_OFFER,
	HEARTH__TX_BODY__KIND_BID,
	HEARTH__TX_BODY__KIND_CANCEL_BID,
	HEARTH__TX_BODY__KIND_RECEIPT,
	HEARTH__TX_BODY__KIND_RECEIPT_COMMIT,
	HEARTH__TX_BODY__KIND_RECEIPT_REVEAL,
	HEARTH__TX_BODY__KIND_DISPUTE,
};

static void ctx_init(struct market_ctx *c, const struct ledger *l, const struct state *st,
		     const struct ledger_block_ctx *blk)
{
	c->st = st;
	c->p = &l->cfg.params;
	c->height = blk->height;
	c->prev_block_id = blk->prev_block_id;
}

static enum ledger_reason route(const struct market_ctx *c, const struct tx *tx, bool apply,
				struct ledger_error *err)
{
	switch (tx->body->kind_case) {
	case HEARTH__TX_BODY__KIND_OFFER:
		return apply ? market_offer_apply(c, tx, err) : market_offer_check(c, tx, err);
	case HEARTH__TX_BODY__KIND_CANCEL_OFFER:
		return apply ? market_cancel_offer_apply(c, tx, err)
			     : market_cancel_offer_check(c, tx, err);
	case HEARTH__TX_BODY__KIND_BID:
		return apply ? market_bid_apply(c, tx, err) : market_bid_check(c, tx, err);
	case HEARTH__TX_BODY__KIND_CANCEL_BID:
		return apply ? market_cancel_bid_apply(c, tx, err)
			     : market_cancel_bid_check(c, tx, err);
	case HEARTH__TX_BODY__KIND_RECEIPT:
		return apply ? market_receipt_apply(c, tx, err) : market_receipt_check(c, tx, err);
	case HEARTH__TX_BODY__KIND_RECEIPT_COMMIT:
		return apply ? market_commit_apply(c, tx, err) : market_commit_check(c, tx, err);
	case HEARTH__TX_BODY__KIND_RECEIPT_REVEAL:
		return apply ? market_reveal_apply(c, tx, err) : market_reveal_check(c, tx, err);
	case HEARTH__TX_BODY__KIND_DISPUTE:
		return apply ? market_dispute_apply(c, tx, err) : market_dispute_check(c, tx, err);
	case HEARTH__TX_BODY__KIND_TRANSFER:
	case HEARTH__TX_BODY__KIND_BOND:
	case HEARTH__TX_BODY__KIND_UNBOND:
	case HEARTH__TX_BODY__KIND_EVIDENCE:
	case HEARTH__TX_BODY__KIND__NOT_SET:
	case _HEARTH__TX_BODY__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return ledger_fail(err, LEDGER_TX_KIND_UNHANDLED, "not a market kind");
}

static enum ledger_reason market_check(void *arg, const struct ledger *l, const struct state *st,
				       const struct ledger_block_ctx *blk, const struct tx *tx,
				       struct ledger_error *err)
{
	struct market_ctx c;

	(void)arg;
	ctx_init(&c, l, st, blk);
	return route(&c, tx, false, err);
}

static enum ledger_reason market_apply(void *arg, const struct ledger *l, const struct state *st,
				       const struct ledger_block_ctx *blk, const struct tx *tx,
				       struct ledger_error *err)
{
	struct market_ctx c;

	(void)arg;
	ctx_init(&c, l, st, blk);
	return route(&c, tx, true, err);
}

/* Settlement comes first, so the slots it frees serve this block's matching;
 * matching comes before expiry, so an order can still be matched in the
 * block of its expiry height; the expiry of what is left follows. */
static enum ledger_reason market_end_block(void *arg, const struct ledger *l,
					   const struct state *st,
					   const struct ledger_block_ctx *blk,
					   struct ledger_error *err)
{
	struct market_ctx c;
	enum ledger_reason r;

	(void)arg;
	ctx_init(&c, l, st, blk);
	r = market_settle_block(&c, err);
	if (r == LEDGER_OK)
		r = market_match_block(&c, err);
	if (r == LEDGER_OK)
		r = market_offer_expire(&c, err);
	if (r == LEDGER_OK)
		r = market_bid_expire(&c, err);
	return r;
}

static int market_held(void *arg, const struct state *st, uint64_t *amount)
{
	(void)arg;
	return market_escrow_total(st, amount) == STATE_OK ? 0 : -1;
}

const struct ledger_module market_module = {
	.name = "market",
	.kinds = market_kinds,
	.n_kinds = sizeof(market_kinds) / sizeof(market_kinds[0]),
	.check = market_check,
	.apply = market_apply,
	.end_block = market_end_block,
	.held = market_held,
	.arg = NULL,
};

int market_register(struct ledger *l)
{
	return ledger_register_module(l, &market_module);
}
