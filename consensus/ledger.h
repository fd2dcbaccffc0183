/* ledger.h: the ledger context and the two entry points the node calls:
 * ledger_apply_tx (mempool admission, and each tx of a block) and
 * ledger_apply_block (a whole block, atomically, returning its write set and
 * the new app hash without touching the base state).
 *
 * A struct ledger holds the chain id, the parameters, the evidence verifier
 * and the module table; it is filled once and only read afterwards, so any
 * number of callers may share it. Nothing here does I/O or keeps globals.
 *
 * Applying a tx: stateless checks (consensus/tx.h), then the route to the
 * module of its kind (LEDGER_TX_KIND_UNHANDLED if none), then the nonce
 * (= account nonce + 1) and the fee (<= balance); the fee is charged and the
 * nonce advanced, then the module checks and applies. A rejected tx writes
 * nothing. doc/transactions.md lists every rule and reason. */
#ifndef HEARTH_CONSENSUS_LEDGER_H
#define HEARTH_CONSENSUS_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/block.h"
#include "consensus/module.h"
#include "consensus/overlay.h"
#include "consensus/params.h"
#include "consensus/reason.h"
#include "consensus/state.h"

#define LEDGER_MODULES_MAX 8

/* Verifies a piece of evidence against the state (the validator sets of
 * past heights are in it, see staking_load_set).
 * Out: offender, the key of the validator that misbehaved.
 * Returns 0 when the evidence is valid, -1 when it is not. */
typedef int (*ledger_evidence_verify_fn)(void *arg, const char *chain_id, const struct state *st,
					 const Hearth__Evidence *ev, uint8_t offender[PUBKEY_SIZE]);

struct ledger_config {
	char chain_id[CHAIN_ID_MAX + 1];
	struct params params;
	/* NULL: every evidence tx is rejected with LEDGER_EVIDENCE_NO_VERIFIER. */
	ledger_evidence_verify_fn evidence_verify;
	void *evidence_arg;
	/* The node's verified-tx cache: true when these exact tx bytes were
	 * accepted before (admitted to the mempool: signature verified, keys
	 * valid, every check passed once), so ledger_apply_block verifies
	 * neither their signature nor their keys again (the state-dependent
	 * checks still run). NULL: always verify. */
	bool (*sig_verified)(void *arg, const uint8_t *tx, size_t len);
	/* Told of tx bytes whose signature ledger_apply_block verified (the
	 * tx applied): the cache may remember them. NULL: nobody is told. */
	void (*sig_noted)(void *arg, const uint8_t *tx, size_t len);
	void *sig_arg;
};

struct ledger {
	struct ledger_config cfg;
	size_t n_modules;
	struct ledger_module modules[LEDGER_MODULES_MAX];
};

/* Fills l from cfg and registers the built-in modules (bank, staking).
 * Returns 0, or -1 when the chain id is empty or the params are out of
 * bounds (params_validate). */
__attribute__((warn_unused_result)) int ledger_init(struct ledger *l,
						    const struct ledger_config *cfg);

/* Adds a module (copied; its kinds array and arg must outlive l).
 * Returns 0, or -1 when the table is full or a kind is already routed. */
__attribute__((warn_unused_result)) int ledger_register_module(struct ledger *l,
							       const struct ledger_module *m);

/* The module that handles kind, or NULL. */
const struct ledger_module *ledger_find_module(const struct ledger *l,
					       Hearth__TxBody__KindCase kind);

/* Starts a block context: no fees collected yet. */
void ledger_block_ctx_init(struct ledger_block_ctx *blk, uint64_t height,
			   const uint8_t proposer[PUBKEY_SIZE]);

/* Applies one encoded tx to st.
 * In:  st: where the tx's writes go (an overlay: the block's, or the
 *      mempool's over the tip); blk: the block it belongs to;
 *      verify_sig: false only for bytes whose signature was verified before.
 * Out: blk->fees grows by the fee; err (may be NULL).
 * Returns LEDGER_OK, or the reason, and then st is unchanged; except for
 * LEDGER_INTERNAL (st failed while the tx was written into it), after which
 * st must be dropped. */
__attribute__((warn_unused_result)) enum ledger_reason
ledger_apply_tx(const struct ledger *l, const struct state *st, struct ledger_block_ctx *blk,
		const uint8_t *tx, size_t len, bool verify_sig, struct ledger_error *err);

/* Checks one tx against st without keeping anything (RPC "would this tx be
 * accepted now"): ledger_apply_tx into a throwaway overlay, in a block of
 * the given height. Returns LEDGER_OK or the reason. */
__attribute__((warn_unused_result)) enum ledger_reason
ledger_check_tx(const struct ledger *l, const struct state *st, uint64_t height, const uint8_t *tx,
		size_t len, struct ledger_error *err);

/* Ends a block: credits blk->fees to the proposer, then runs every module's
 * end_block (staking: releases matured unbonding, picks the set of
 * height + 2). Returns LEDGER_OK or LEDGER_INTERNAL. */
__attribute__((warn_unused_result)) enum ledger_reason
ledger_end_block(const struct ledger *l, const struct state *st, struct ledger_block_ctx *blk,
		 struct ledger_error *err);

/* The outcome of a block: its writes over the base, the new app hash and the
 * new tip. res->state reads through the writes and points into res, so a
 * result must not be copied or moved. */
struct ledger_block_result {
	struct overlay writes;
	struct state state;
	uint8_t app_hash[HASH_SIZE];
	struct chain_tip tip;
	struct block_header header;
	size_t n_txs;
	uint64_t fees;
};

/* Checks and applies a block over base, atomically.
 * In:  base: the state at tip (only read); tip: the last applied block;
 *      block[len]: the encoded Block.
 * Out: *res on success (free with ledger_block_result_free): the write set
 *      to commit (node/store.c writes it with the block in one batch), the
 *      new app_hash = H("hearth/app", tip app_hash || H(write set)) and the
 *      new tip. On failure res holds nothing to free and nothing was written
 *      anywhere; err says why, and for LEDGER_BLOCK_BAD_TX which tx
 *      (err->tx_index) and its reason (err->detail_code).
 * Returns LEDGER_OK or the reason. */
__attribute__((warn_unused_result)) enum ledger_reason
ledger_apply_block(const struct ledger *l, const struct state *base, const struct chain_tip *tip,
		   const uint8_t *block, size_t len, struct ledger_block_result *res,
		   struct ledger_error *err);

/* Drops the write set of res. */
void ledger_block_result_free(struct ledger_block_result *res);

/* Builds the header a proposer puts on a new block over st at tip.
 * In:  txs[n] encoded Tx (lens[n]); last_commit: the tip's commit (NULL at
 *      height 1); time_ms; proposer.
 * Out: *h. Returns LEDGER_OK or LEDGER_INTERNAL. */
__attribute__((warn_unused_result)) enum ledger_reason
ledger_prepare_header(const struct ledger *l, const struct state *st, const struct chain_tip *tip,
		      uint64_t time_ms, const uint8_t proposer[PUBKEY_SIZE],
		      const uint8_t *const *txs, const size_t *lens, size_t n,
		      const Hearth__Commit *last_commit, struct block_header *h);

#endif
