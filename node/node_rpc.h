/* node_rpc.h: the chain and mempool methods hearthd serves over JSON-RPC
 * (doc/rpc.md). Reads come straight from the store, which is safe from the
 * RPC threads; anything that touches the mempool runs on the loop thread
 * through struct loop_call. */
#ifndef HEARTH_NODE_NODE_RPC_H
#define HEARTH_NODE_NODE_RPC_H

#include <stddef.h>

#include "node/rpc_dispatch.h"

/* The method table; ctx for every handler is the struct node. */
const struct rpc_method *node_rpc_methods(size_t *count);

#endif
