/* node_wait.c: waitforblock and waitfortx of node_wait.h. Each handler
 * reads the commit count, looks at the store, and if what it waits for is
 * not there yet sleeps until the next commit or its deadline, then looks
 * again. At its deadline it answers with the current state (as bitcoind's
 * waitforblockheight answers with the current tip), not an error. */
#include "node/node_wait.h"

#include "node/node.h"
#include "proto/hex.h"

static int no_memory(struct rpc_error *err)
{
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
}

/* The timeout_ms parameter (null: the default). Returns 0 with *deadline,
 * or -1 with err. */
static int deadline_of(const json_t *timeout, struct timespec *deadline, struct rpc_error *err)
{
	json_int_t ms = json_is_null(timeout) ? NODE_WAIT_DEFAULT_MS : json_integer_value(timeout);

	if (ms > NODE_WAIT_MAX_MS)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "timeout_ms is at most %d",
				     NODE_WAIT_MAX_MS);
	if (chain_watch_deadline((uint64_t)ms, deadline) != 0)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "no monotonic clock");
	return 0;
}

/* Sleeps until the next commit after seen or the deadline. Returns 1 to
 * look again, 0 when the deadline passed, -1 with err when stopping. */
static int wait_commit(struct node *node, uint64_t seen, const struct timespec *deadline,
		       struct rpc_error *err)
{
	switch (chain_watch_wait(&node->watch, seen, deadline)) {
	case CHAIN_WATCH_COMMITTED:
		return 1;
	case CHAIN_WATCH_TIMEOUT:
		return 0;
	case CHAIN_WATCH_CLOSING:
		return rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is shutting down");
	}
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "chain watch failed");
}

static int waitforblock(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;
	uint64_t want = (uint64_t)json_integer_value(json_array_get(params, 0));
	struct timespec deadline;
	struct store_error serr;
	struct store_tip tip;
	char hex[2 * HASH_SIZE + 1];
	int more = 1;

	if (deadline_of(json_array_get(params, 1), &deadline, err) != 0)
		return -1;
	for (;;) {
		uint64_t seen = chain_watch_commits(&node->watch);

		if (store_get_tip(node->store, NULL, &tip, &serr) != STORE_OK)
			return rpc_error_set(err, RPC_INTERNAL_ERROR, "store: %s", serr.msg);
		if (tip.height >= want || more == 0)
			break;
		more = wait_commit(node, seen, &deadline, err);
		if (more < 0)
			return -1;
	}
	if (hex_encode(tip.block_id, HASH_SIZE, hex, sizeof(hex)) != 0)
		return no_memory(err);
	*result = json_pack("{s:I, s:s, s:b}", "height", (json_int_t)tip.height, "hash", hex,
			    "timed_out", tip.height < want);
	return *result != NULL ? 0 : no_memory(err);
}

/* A mempool lookup on the loop thread. */
struct pool_lookup {
	struct node *node;
	const uint8_t *id;
	bool found;
};

static void lookup_on_loop(void *arg)
{
	struct pool_lookup *q = arg;

	q->found = mempool_contains(&q->node->mempool, q->id);
}

/* The answer at the deadline: pending or unknown. */
static int tx_not_committed(struct node *node, const uint8_t id[HASH_SIZE], json_t **result,
			    struct rpc_error *err)
{
	struct pool_lookup q = { .node = node, .id = id, .found = false };

	if (loop_call_run(&node->calls, lookup_on_loop, &q) != 0)
		return rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is shutting down");
	*result =
		json_pack("{s:s, s:b}", "status", q.found ? "pending" : "unknown", "timed_out", 1);
	return *result != NULL ? 0 : no_memory(err);
}

static int waitfortx(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;
	uint8_t id[HASH_SIZE];
	struct timespec deadline;
	int more = 1;

	if (hex_decode_exact(json_string_value(json_array_get(params, 0)), id, HASH_SIZE) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "txid must be 64 hex digits");
	if (deadline_of(json_array_get(params, 1), &deadline, err) != 0)
		return -1;
	for (;;) {
		uint64_t seen = chain_watch_commits(&node->watch), height;
		struct store_error serr;
		uint32_t index;
		enum store_status st =
			store_get_tx_location(node->store, NULL, id, &height, &index, &serr);

		if (st == STORE_OK) {
			*result = json_pack("{s:s, s:I, s:I, s:b}", "status", "committed", "height",
					    (json_int_t)height, "index", (json_int_t)index,
					    "timed_out", 0);
			return *result != NULL ? 0 : no_memory(err);
		}
		if (st != STORE_NOT_FOUND)
			return rpc_error_set(err, RPC_INTERNAL_ERROR, "store: %s", serr.msg);
		if (more == 0)
			return tx_not_committed(node, id, result, err);
		more = wait_commit(node, seen, &deadline, err);
		if (more < 0)
			return -1;
	}
}

static const struct rpc_param waitforblock_params[] = {
	{ "height", RPC_PARAM_UINT, false, "the height to wait for" },
	{ "timeout_ms", RPC_PARAM_UINT, true,
	  "longest wait in ms (default 30000, at most 300000)" },
};
static const struct rpc_param waitfortx_params[] = {
	{ "txid", RPC_PARAM_STRING, false, "tx id, 64 hex digits" },
	{ "timeout_ms", RPC_PARAM_UINT, true,
	  "longest wait in ms (default 30000, at most 300000)" },
};

static const struct rpc_method methods[] = {
	{ "waitforblock", "wait until the block at a height is committed, or a timeout",
	  waitforblock_params, 2, true, waitforblock },
	{ "waitfortx", "wait until a tx is committed, or a timeout", waitfortx_params, 2, true,
	  waitfortx },
};

const struct rpc_method *node_wait_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
