/* node_rpc.h: the chain and mempool methods hearthd serves over JSON-RPC
 * (doc/rpc.md). Reads come straight from the store, which is safe from the
 * RPC threads; anything that touches the mempool runs on the loop thread
 * through struct loop_call. */
#ifndef HEARTH_NODE_NODE_RPC_H
#define HEARTH_NODE_NODE_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "node/rpc_dispatch.h"

struct node;

/* The method table; ctx for every handler is the struct node. */
const struct rpc_method *node_rpc_methods(size_t *count);

/* sendrawtransaction's batch handler (rpc_batch_fn; ctx is the node): the
 * checks and signatures of every tx on the calling thread, then one trip to
 * the loop thread that admits them all in order. */
void node_rpc_send_batch(void *ctx, json_t *const *params, size_t n, json_t **results,
			 struct rpc_error *errs);

/* The stored block at a height (a JSON integer >= 1) or with an id (64 hex
 * digits), for getblock and getblockheader.
 * Out: *height, id, *bytes (the encoded block; caller frees), *len; err.
 * Returns 0, or -1 with err: invalid parameter, not found, or the store's
 * failure. */
__attribute__((warn_unused_result)) int node_rpc_find_block(const struct node *node,
							    const json_t *which, uint64_t *height,
							    uint8_t id[HASH_SIZE], uint8_t **bytes,
							    size_t *len, struct rpc_error *err);

#endif
