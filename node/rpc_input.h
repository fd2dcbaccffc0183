/* rpc_input.h: the consumer side of inputs by hash: the JSON-RPC method
 * putjobinput (node/rpc_input.c, doc/rpc.md) and the input settings. */
#ifndef HEARTH_NODE_RPC_INPUT_H
#define HEARTH_NODE_RPC_INPUT_H

#include <stddef.h>

#include "node/config.h"
#include "node/input_store.h"
#include "node/rpc_dispatch.h"

/* The methods, registered by node.c with the node as their ctx. */
const struct rpc_method *rpc_input_methods(size_t *count);

/* Out: lim = -maxinputsize, -maxinputstore, -inputretention of cfg (or
 * their defaults). */
void rpc_input_limits(const struct config *cfg, struct input_store_limits *lim);

#endif
