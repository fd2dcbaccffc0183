/* chain.h: the node's chain: its genesis, its ledger context and its tip.
 * chain_open reads <datadir>/genesis.json (on the dev network it first
 * writes the built-in one when there is none), checks that every address is
 * of this node's network, and either commits the genesis state into an empty
 * store or checks that the store was made from the same genesis. It then
 * loads the tip the next block must extend. Owned by the loop thread. */
#ifndef HEARTH_NODE_CHAIN_H
#define HEARTH_NODE_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/block.h"
#include "consensus/genesis.h"
#include "consensus/ledger.h"
#include "node/datadir.h"
#include "node/log.h"
#include "node/store.h"

struct chain {
	struct genesis genesis;
	bool genesis_loaded;
	char *genesis_text; /* genesis.json as read, NUL-terminated */
	struct ledger ledger;
	struct chain_tip tip;
};

/* In:  dd, network ("main", "test", "dev"); dev_validator: the key of the
 *      dev network's validator, used only to write a missing dev genesis;
 *      dev_provider: the node's provider key to fund and bond in that
 *      genesis, or NULL; now_ms: the genesis time of a dev genesis written now; store; log.
 * Out: c (close with chain_close); err: one line on failure.
 * Returns 0 or -1. */
__attribute__((warn_unused_result)) int
chain_open(struct chain *c, const struct datadir *dd, const char *network,
	   const uint8_t dev_validator[PUBKEY_SIZE], const uint8_t *dev_provider, uint64_t now_ms,
	   struct store *store, struct log *log, char *err, size_t err_size);

/* Reads the tip from the store into c->tip (the time of the tip block comes
 * from its header; at height 0 it is the genesis time). Returns 0 or -1. */
__attribute__((warn_unused_result)) int chain_load_tip(struct chain *c, struct store *store,
						       char *err, size_t err_size);

void chain_close(struct chain *c);

#endif
