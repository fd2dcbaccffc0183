/* rpc_market.h: the market query methods of hearthd's JSON-RPC (doc/rpc.md,
 * getoffer ... getjob). Each call reads one store snapshot; the work is
 * node/rpc_market_query.c's. */
#ifndef HEARTH_NODE_RPC_MARKET_H
#define HEARTH_NODE_RPC_MARKET_H

#include <stddef.h>

#include "node/rpc_dispatch.h"

/* The method table; ctx for every handler is the struct node.
 * Out: *count: number of methods. */
const struct rpc_method *rpc_market_methods(size_t *count);

#endif
