/* net_rpc.h: the network JSON-RPC methods of hearthd (doc/rpc.md):
 * getnetworkinfo, getpeerinfo, addnode, disconnectnode, getnodeaddresses.
 * The P2P transport belongs to the loop thread, so every handler does its work there through
 * the node's loop-call queue. */
#ifndef HEARTH_NODE_NET_RPC_H
#define HEARTH_NODE_NET_RPC_H

#include <stddef.h>

#include "node/rpc_dispatch.h"

/* The method table; ctx for every handler is the struct node. */
const struct rpc_method *net_rpc_methods(size_t *count);

#endif
