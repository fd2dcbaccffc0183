/* node_control.h: the JSON-RPC methods that control the node itself
 * (doc/rpc.md): `stop`, which answers and then shuts hearthd down as
 * SIGTERM does. Not read-only: never served without credentials. */
#ifndef HEARTH_NODE_NODE_CONTROL_H
#define HEARTH_NODE_NODE_CONTROL_H

#include <stddef.h>

#include "node/rpc_dispatch.h"

/* The method table; ctx for every handler is the struct node. */
const struct rpc_method *node_control_methods(size_t *count);

#endif
