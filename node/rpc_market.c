/* rpc_market.c: the market query methods' table and their snapshot: every
 * call opens one snapshot of the store, so a record and the tip height it
 * is reported at agree, and never blocks consensus. */
#include "node/rpc_market.h"

#include "node/node.h"
#include "node/rpc_market_query.h"

typedef int (*query_fn)(const struct rpcm_ctx *c, json_t *params, json_t **result,
			struct rpc_error *err);

static int with_snapshot(const struct node *node, json_t *params, json_t **result,
			 struct rpc_error *err, query_fn fn)
{
	struct store_snapshot *snap;
	struct store_error serr;
	struct store_tip tip;
	struct rpcm_ctx c = { .net = node->chain.genesis.network,
			      .p = &node->chain.genesis.params };
	int rc;

	if (store_snapshot_open(node->store, &snap, &serr) != STORE_OK)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "store: %s", serr.msg);
	if (store_get_tip(node->store, snap, &tip, &serr) != STORE_OK) {
		store_snapshot_close(snap);
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "store: %s", serr.msg);
	}
	c.st = store_snapshot_state(snap);
	c.height = tip.height;
	rc = fn(&c, params, result, err);
	store_snapshot_close(snap);
	return rc;
}

#define QUERY(name)                                                                                \
	static int name(void *ctx, json_t *params, json_t **result, struct rpc_error *err)         \
	{                                                                                          \
		return with_snapshot(ctx, params, result, err, rpcm_##name);                       \
	}

QUERY(getoffer)
QUERY(listoffers)
QUERY(getbid)
QUERY(listbids)
QUERY(explainbid)
QUERY(getlease)
QUERY(listleases)
QUERY(getprovider)
QUERY(getjob)

static const struct rpc_param offer_id[] = {
	{ "id", RPC_PARAM_STRING, false, "offer id, 64 hex digits" },
};
static const struct rpc_param bid_id[] = {
	{ "id", RPC_PARAM_STRING, false, "bid id, 64 hex digits" },
};
static const struct rpc_param lease_id[] = {
	{ "id", RPC_PARAM_STRING, false, "lease id, 64 hex digits" },
};
static const struct rpc_param provider_param[] = {
	{ "address", RPC_PARAM_STRING, false, "the provider's address (bech32m)" },
};
static const struct rpc_param offers_params[] = {
	{ "provider", RPC_PARAM_STRING, true, "only this provider's offers; default: the book" },
	{ "limit", RPC_PARAM_UINT, true, "most offers returned, 1 to 1000 (default 100)" },
};
static const struct rpc_param bids_params[] = {
	{ "consumer", RPC_PARAM_STRING, true, "only this consumer's bids; default: the queue" },
	{ "limit", RPC_PARAM_UINT, true, "most bids returned, 1 to 1000 (default 100)" },
};
static const struct rpc_param leases_params[] = {
	{ "who", RPC_PARAM_STRING, false, "an address, or a bid id (64 hex digits)" },
	{ "role", RPC_PARAM_STRING, true, "provider (default for an address), consumer or bid" },
	{ "limit", RPC_PARAM_UINT, true, "most leases returned, 1 to 1000 (default 100)" },
};

static const struct rpc_method methods[] = {
	{ "getoffer", "an open offer by id", offer_id, 1, true, getoffer },
	{ "listoffers", "open offers, cheapest first, or those of one provider", offers_params, 2,
	  true, listoffers },
	{ "getbid", "a bid by id: state, escrow, why it is unmatched, its leases", bid_id, 1, true,
	  getbid },
	{ "listbids", "queued bids in arrival order, or every bid of one consumer", bids_params, 2,
	  true, listbids },
	{ "explainbid", "a bid's state and why its last matching attempt failed", bid_id, 1, true,
	  explainbid },
	{ "getlease", "a lease with its receipt and dispute", lease_id, 1, true, getlease },
	{ "listleases", "the leases of a provider, a consumer or a bid", leases_params, 3, true,
	  listleases },
	{ "getprovider", "a provider's bond, reputation and offers", provider_param, 1, true,
	  getprovider },
	{ "getjob", "the status of a bid's job with each lease and receipt", bid_id, 1, true,
	  getjob },
};

const struct rpc_method *rpc_market_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
