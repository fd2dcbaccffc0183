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

/* sendrawtransaction's batch handler (rpc_batch_fn; ctx is the node): the
 * checks and signatures of every tx on the calling thread, then one trip to
 * the loop thread that admits them all in order. */
void node_rpc_send_batch(void *ctx, json_t *const *params, size_t n, json_t **results,
			 struct rpc_error *errs);

#endif
