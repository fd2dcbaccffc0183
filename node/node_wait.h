/* node_wait.h: the JSON-RPC methods that wait for the chain (doc/rpc.md):
 * waitforblock and waitfortx, long polls bounded by a timeout, so dApps
 * need not poll. They sleep on the node's chain_watch and are registered as
 * parked methods (rpc_server_add_parked_methods): they never hold an HTTP
 * thread. */
#ifndef HEARTH_NODE_NODE_WAIT_H
#define HEARTH_NODE_NODE_WAIT_H

#include <stddef.h>

#include "node/rpc_dispatch.h"

#define NODE_WAIT_DEFAULT_MS 30000
#define NODE_WAIT_MAX_MS     300000

/* The method table; ctx for every handler is the struct node. */
const struct rpc_method *node_wait_methods(size_t *count);

#endif
