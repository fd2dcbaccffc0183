/* rpc_result.h: the results service of a provider node: the JSON-RPC method
 * getjobresult (node/rpc_result.c, doc/rpc.md). */
#ifndef HEARTH_NODE_RPC_RESULT_H
#define HEARTH_NODE_RPC_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "node/rpc_dispatch.h"

/* The methods, registered by node.c with the node as their ctx. */
const struct rpc_method *rpc_result_methods(size_t *count);

/* Out: out = H("hearth/result-request", lease_id || height as u64
 * big-endian), what the consumer signs to ask for a result. */
void rpc_result_digest(const uint8_t lease_id[HASH_SIZE], uint64_t height, uint8_t out[HASH_SIZE]);

#endif
