/* sigcache.h: the node's verified-signature cache, as the ledger sees it
 * (consensus/ledger.h, sig_verified and sig_noted): the exact tx bytes held
 * by the mempool, and those noted TXSEEN_VERIFIED in the node's txseen (a
 * block's txs whose signature the ledger verified, gossiped txs verified
 * on the worker pool). So neither block apply nor tx gossip verifies the
 * same tx twice. Loop thread only. */
#ifndef HEARTH_NODE_SIGCACHE_H
#define HEARTH_NODE_SIGCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"

struct node;

/* True when the tx bytes with this id (tx_id) were checked before. */
bool sigcache_has_id(const struct node *node, const uint8_t id[HASH_SIZE]);

/* The ledger's sig_verified callback; arg is the struct node. */
bool sigcache_has(void *arg, const uint8_t *tx, size_t len);

/* The ledger's sig_noted callback; arg is the struct node. */
void sigcache_note(void *arg, const uint8_t *tx, size_t len);

#endif
