/* rpc_market_query.h: the work of the market query methods of hearthd's
 * JSON-RPC (doc/rpc.md, "Market"), over any struct state (the node hands
 * them a store snapshot, the unit tests a test chain), so one call reads
 * one consistent state. Each function has the shape of an rpc_handler_fn
 * with the context first: params are already checked for type by dispatch
 * (one slot per declared parameter, null when absent); ids, addresses and
 * limits are checked here (-8), unknown ids are -5 (RPC_NOT_FOUND). */
#ifndef HEARTH_NODE_RPC_MARKET_QUERY_H
#define HEARTH_NODE_RPC_MARKET_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "consensus/crypto.h"
#include "consensus/params.h"
#include "consensus/state.h"
#include "market/keys.h"
#include "node/rpc_dispatch.h"

#define RPCM_LIMIT_DEFAULT 100
#define RPCM_LIMIT_MAX	   1000

struct rpcm_ctx {
	const struct state *st;
	enum network net;
	const struct params *p;
	uint64_t height; /* of the tip the state is at */
};

/* A parameter as a 32-byte id (64 hex digits). what names it in the error.
 * Returns 0, or -1 with err set (-8). */
int rpcm_parse_id(const json_t *param, const char *what, uint8_t id[MARKET_ID_SIZE],
		  struct rpc_error *err);

/* A parameter as an address of c->net. Returns 0, or -1 with err set (-8). */
int rpcm_parse_address(const struct rpcm_ctx *c, const json_t *param, uint8_t key[PUBKEY_SIZE],
		       struct rpc_error *err);

/* The methods. params: see doc/rpc.md for each. Out: *result or err.
 * Return 0 or -1. */
int rpcm_getoffer(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err);
int rpcm_listoffers(const struct rpcm_ctx *c, json_t *params, json_t **result,
		    struct rpc_error *err);
int rpcm_getbid(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err);
int rpcm_listbids(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err);
int rpcm_explainbid(const struct rpcm_ctx *c, json_t *params, json_t **result,
		    struct rpc_error *err);
int rpcm_getlease(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err);
int rpcm_listleases(const struct rpcm_ctx *c, json_t *params, json_t **result,
		    struct rpc_error *err);
int rpcm_getprovider(const struct rpcm_ctx *c, json_t *params, json_t **result,
		     struct rpc_error *err);

/* rpc_job.c: the aggregate status of a bid's job. */
int rpcm_getjob(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err);

/* The tie-break of bid_id as JSON (rpcj_tiebreak), JSON null when it has
 * none; NULL with *st = STATE_ERROR on failure (else *st = STATE_OK). */
json_t *rpcm_tiebreak_of(const struct rpcm_ctx *c, const uint8_t bid_id[MARKET_ID_SIZE],
			 enum state_status *st);

/* The JSON of lease id with its receipt, dispute and its bid's tie-break
 * (null when none):
 * getlease's result and getjob's entries.
 * Out: *out. Returns STATE_OK, STATE_NOT_FOUND or STATE_ERROR (including
 * out of memory). */
enum state_status rpcm_lease_full(const struct rpcm_ctx *c, const uint8_t id[MARKET_ID_SIZE],
				  json_t **out);

#endif
