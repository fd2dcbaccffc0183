/* verifychain.h: `hearthd -verifychain`. Replays every stored block from
 * the genesis on a fresh in-memory state through the same ledger code path
 * the commit uses (genesis_apply, then ledger_apply_block for each block,
 * with every signature verified), and compares what it recomputes with what
 * the store recorded: each height's block id and app hash, each block's
 * commit certificate (for that height and block, signed by more than 2/3 of
 * the validator set in force there), the tx index, the tip, and at the end
 * the whole ledger state. It writes nothing. */
#ifndef HEARTH_NODE_VERIFYCHAIN_H
#define HEARTH_NODE_VERIFYCHAIN_H

#include <stdint.h>

#include "consensus/genesis.h"
#include "consensus/ledger.h"
#include "node/config.h"
#include "node/store.h"

#define VERIFY_MSG_MAX 512

enum verify_status {
	VERIFY_OK = 0,
	VERIFY_BAD = 1,	   /* the store disagrees with the replay */
	VERIFY_ERROR = -1, /* the replay could not run (I/O, memory) */
};

/* What a replay found: the height it reached (VERIFY_OK), or the first
 * height where the store and the replay disagree (VERIFY_BAD), and one line
 * saying what. */
struct verify_report {
	uint64_t height;
	char msg[VERIFY_MSG_MAX];
};

/* Replays the chain of store (whose genesis hash must be g's) with ledger l,
 * which was set up from g like the node's (ledger_init, market_register).
 * In:  store, g, l.
 * Out: rep.
 * Returns VERIFY_OK, VERIFY_BAD or VERIFY_ERROR. */
__attribute__((warn_unused_result)) enum verify_status verifychain_store(struct store *store,
									 const struct genesis *g,
									 const struct ledger *l,
									 struct verify_report *rep);

/* The -verifychain command: opens (and locks) the data directory cfg
 * selects, opens its store without creating one, reads its genesis.json,
 * runs verifychain_store and prints one line: the verdict on standard
 * output, or the reason on standard error.
 * Returns the exit status: 0 when the chain verifies, 1 otherwise. */
int verifychain_main(const struct config *cfg);

#endif
