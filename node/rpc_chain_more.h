/* rpc_chain_more.h: more chain and tx methods of hearthd's JSON-RPC
 * (doc/rpc.md): estimatefee, getblockheader, getvalidators,
 * decoderawtransaction. Store reads come from snapshots; the mempool is read
 * on the loop thread through struct loop_call. */
#ifndef HEARTH_NODE_RPC_CHAIN_MORE_H
#define HEARTH_NODE_RPC_CHAIN_MORE_H

#include <stddef.h>

#include "node/rpc_dispatch.h"

/* The method table; ctx for every handler is the struct node.
 * Out: *count: number of methods. */
const struct rpc_method *rpc_chain_more_methods(size_t *count);

#endif
