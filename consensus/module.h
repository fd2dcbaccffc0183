/* module.h: what a ledger module is. The ledger routes every tx kind to the
 * one module that registered it (bank: transfer; staking: bond, unbond,
 * evidence; the market, later: offers, bids, receipts...). A module is a
 * table of functions over the state interface, so consensus/ never includes
 * the modules built on top of it. */
#ifndef HEARTH_CONSENSUS_MODULE_H
#define HEARTH_CONSENSUS_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/reason.h"
#include "consensus/state.h"
#include "consensus/tx.h"

struct ledger;

/* The block a tx is applied in. The mempool uses the next height and any
 * proposer; fees are credited to the proposer at the end of the block.
 * prev_block_id is the block's header field (zeros outside a block: the
 * mempool, ledger_check_tx); the market seeds its choice of a dispute's
 * verifier with it at the end of the block. */
struct ledger_block_ctx {
	uint64_t height;
	uint8_t proposer[PUBKEY_SIZE];
	uint64_t fees; /* collected so far in this block */
	uint8_t prev_block_id[HASH_SIZE];
};

/* check and apply see the state after the ledger has charged the fee and
 * advanced the sender's nonce. check only reads; it returns LEDGER_OK or the
 * rejection. apply writes the tx's effects; it may still refuse (e.g. an
 * overflow), and then the ledger discards everything the tx wrote.
 * end_block (may be NULL) runs at the end of every block, in module order.
 * held (may be NULL) reports the funds the module keeps outside accounts
 * (escrow), for the supply invariant; returns 0 or -1.
 * A module outside consensus/ rejects with LEDGER_MODULE_REJECTED and its own
 * code in err->detail_code. */
struct ledger_module {
	const char *name;
	const Hearth__TxBody__KindCase *kinds;
	size_t n_kinds;
	enum ledger_reason (*check)(void *arg, const struct ledger *l, const struct state *st,
				    const struct ledger_block_ctx *blk, const struct tx *tx,
				    struct ledger_error *err);
	enum ledger_reason (*apply)(void *arg, const struct ledger *l, const struct state *st,
				    const struct ledger_block_ctx *blk, const struct tx *tx,
				    struct ledger_error *err);
	enum ledger_reason (*end_block)(void *arg, const struct ledger *l, const struct state *st,
					const struct ledger_block_ctx *blk,
					struct ledger_error *err);
	int (*held)(void *arg, const struct state *st, uint64_t *amount);
	void *arg;
};

#endif
