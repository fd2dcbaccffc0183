/* rpc_chain_more.c: estimatefee, getblockheader, getvalidators and
 * decoderawtransaction. Every result is a JSON object. */
#include "node/rpc_chain_more.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/block.h"
#include "consensus/staking.h"
#include "consensus/tx.h"
#include "node/fee_estimate.h"
#include "node/node.h"
#include "node/node_rpc.h"
#include "node/rpc_json.h"
#include "node/rpc_tx_json.h"
#include "proto/hex.h"

static int no_memory(struct rpc_error *err)
{
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
}

static int store_failed(struct rpc_error *err, const struct store_error *serr)
{
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "store: %s", serr->msg);
}

static enum network net_of(const struct node *node)
{
	return node->chain.genesis.network;
}

/* estimatefee: computed on the loop thread, which owns the mempool. */
struct fee_query {
	struct node *node;
	struct fee_estimate est;
	int rc;
};

static void fee_on_loop(void *arg)
{
	struct fee_query *q = arg;
	const struct params *p = &q->node->chain.genesis.params;

	q->rc = fee_estimate(&q->node->mempool, p->min_fee_per_byte, p->max_tx_bytes, &q->est);
}

static int estimatefee(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct fee_query q = { .node = ctx };

	(void)params;
	if (loop_call_run(&q.node->calls, fee_on_loop, &q) != 0)
		return rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is shutting down");
	if (q.rc != 0)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "a pending tx does not decode");
	*result = json_pack("{s:I, s:I}", "feerate", (json_int_t)q.est.feerate, "min_feerate",
			    (json_int_t)q.est.min_feerate);
	return *result != NULL ? 0 : no_memory(err);
}

/* The block at a height (a JSON integer >= 1) or with an id (64 hex
 * digits), decoded. Out: *b (free with block_free), *raw (caller frees). */
static int load_block(const struct node *node, const json_t *which, struct block *b, uint8_t **raw,
		      size_t *raw_len, struct rpc_error *err)
{
	uint8_t id[HASH_SIZE];
	uint64_t height;

	if (node_rpc_find_block(node, which, &height, id, raw, raw_len, err) != 0)
		return -1;
	if (block_decode(*raw, *raw_len, &node->chain.genesis.params, b, NULL) != LEDGER_OK) {
		free(*raw);
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "stored block %llu does not decode",
				     (unsigned long long)height);
	}
	return 0;
}

/* The header fields of a decoded block. */
static json_t *describe_header(enum network net, const struct block *b)
{
	const struct block_header *h = &b->header;
	json_t *obj = json_object();
	int rc = rpcj_put_header(obj, net, b);

	rc |= rpcj_put(obj, "chain_id", rpcj_string(h->chain_id));
	rc |= rpcj_put(obj, "last_commit_hash", rpcj_hex(h->last_commit_hash, HASH_SIZE));
	rc |= rpcj_put(obj, "num_txs", rpcj_u64(b->msg->n_txs));
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int getblockheader(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct node *node = ctx;
	const json_t *verbose = json_array_get(params, 1);
	struct block b;
	uint8_t *raw;
	size_t raw_len;

	if (load_block(node, json_array_get(params, 0), &b, &raw, &raw_len, err) != 0)
		return -1;
	free(raw);
	if (json_is_false(verbose)) {
		*result = json_object();
		if (rpcj_put(*result, "hex", rpcj_hex(b.msg->header.data, b.msg->header.len)) !=
			    0 ||
		    rpcj_put(*result, "height", rpcj_u64(b.header.height)) != 0) {
			json_decref(*result);
			*result = NULL;
		}
	} else {
		*result = describe_header(net_of(node), &b);
	}
	block_free(&b);
	return *result != NULL ? 0 : no_memory(err);
}

static json_t *describe_set(enum network net, uint64_t height, const struct validator_set *set)
{
	json_t *obj = json_object(), *members = json_array();
	int rc = 0;

	for (size_t i = 0; members != NULL && i < set->count; i++) {
		const struct validator *v = &set->members[i];
		json_t *m = json_object();
		int mrc = rpcj_put(m, "address", rpcj_address(net, v->key, PUBKEY_SIZE));

		mrc |= rpcj_put(m, "pubkey", rpcj_hex(v->key, PUBKEY_SIZE));
		mrc |= rpcj_put(m, "voting_power", rpcj_u64(v->power));
		if (mrc != 0) {
			json_decref(m);
			m = NULL;
		}
		if (json_array_append_new(members, m) != 0) {
			json_decref(members);
			members = NULL;
		}
	}
	rc |= rpcj_put(obj, "height", rpcj_u64(height));
	rc |= rpcj_put(obj, "count", rpcj_u64(set->count));
	rc |= rpcj_put(obj, "total_power", rpcj_u64(set->total_power));
	rc |= rpcj_put(obj, "validators", members);
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int getvalidators(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct node *node = ctx;
	const json_t *which = json_array_get(params, 0);
	struct store_snapshot *snap;
	struct store_error serr;
	struct store_tip tip = { 0 };
	struct validator_set *set;
	enum state_status st = STATE_ERROR;
	uint64_t height = 0;

	set = malloc(sizeof(*set));
	if (set == NULL)
		return no_memory(err);
	if (store_snapshot_open(node->store, &snap, &serr) != STORE_OK) {
		free(set);
		return store_failed(err, &serr);
	}
	/* One snapshot: the tip and the set agree. */
	if (store_get_tip(node->store, snap, &tip, &serr) == STORE_OK) {
		height = json_is_null(which) ? tip.height + 1 : (uint64_t)json_integer_value(which);
		/* The set chosen at the end of block H rules H + 2: known up
		 * to tip + 2, and height 0 has no block to sign. */
		st = height >= 1 && height <= tip.height + 2
			     ? staking_load_set(store_snapshot_state(snap), height, set)
			     : STATE_NOT_FOUND;
	}
	store_snapshot_close(snap);
	if (st == STATE_OK)
		*result = describe_set(net_of(node), height, set);
	free(set);
	if (st == STATE_NOT_FOUND)
		return rpc_error_set(err, RPC_NOT_FOUND,
				     "no validator set at height %llu (known: 1 to tip + 2 = %llu)",
				     (unsigned long long)height,
				     (unsigned long long)tip.height + 2);
	if (st != STATE_OK)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "cannot read the validator set");
	return *result != NULL ? 0 : no_memory(err);
}

/* The ledger's message as a JSON string. It may quote the tx's own bytes
 * (a chain id that is not UTF-8, which json_string refuses): then every
 * byte outside printable ASCII becomes '?'. */
static json_t *check_text(const char *text)
{
	char copy[sizeof(((struct ledger_error *)0)->text)];
	json_t *j = json_string(text);
	size_t i;

	if (j != NULL)
		return j;
	for (i = 0; text[i] != '\0' && i + 1 < sizeof(copy); i++)
		copy[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	copy[i] = '\0';
	return json_string(copy);
}

static int decoderawtransaction(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct node *node = ctx;
	const struct params *p = &node->chain.genesis.params;
	const char *hex = json_string_value(json_array_get(params, 0));
	size_t max = p->max_tx_bytes, len;
	struct ledger_error lerr;
	struct tx tx;
	char why[200];
	uint8_t *bytes;
	int rc;

	if (strlen(hex) > 2 * max)
		return rpc_error_set(err, RPC_INVALID_PARAMETER,
				     "tx larger than max_tx_bytes (%zu)", max);
	bytes = malloc(max > 0 ? max : 1);
	if (bytes == NULL)
		return no_memory(err);
	if (hex_decode(hex, bytes, max, &len) != 0 || len == 0) {
		free(bytes);
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "tx is not valid hex");
	}
	rc = rpcj_tx_describe(bytes, len, max, net_of(node), result, why, sizeof(why));
	if (rc == 0) {
		/* The stateless checks sendrawtransaction would make first. */
		enum ledger_reason r =
			tx_decode(bytes, len, node->chain.genesis.chain_id, p, true, &tx, &lerr);

		tx_free(&tx);
		if (rpcj_put(*result, "check", check_text(r == LEDGER_OK ? "ok" : lerr.text)) !=
		    0) {
			json_decref(*result);
			*result = NULL; /* the dispatcher frees what is left in *result */
			rc = -1;
		}
	}
	free(bytes);
	if (rc == 1)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "tx does not decode: %s", why);
	return rc == 0 ? 0 : no_memory(err);
}

static const struct rpc_param block_params[] = {
	{ "block", RPC_PARAM_ANY, false, "height (>= 1) or block id (64 hex digits)" },
	{ "verbose", RPC_PARAM_BOOL, true,
	  "false: the encoded header in hex; true (default): fields" },
};
static const struct rpc_param height_param[] = {
	{ "height", RPC_PARAM_UINT, true, "block height; default: the next block's" },
};
static const struct rpc_param hexstring_param[] = {
	{ "hexstring", RPC_PARAM_STRING, false, "the encoded Tx, in hex" },
};

static const struct rpc_method methods[] = {
	{ "estimatefee", "fee per byte a new tx should pay to get into the mempool", NULL, 0, true,
	  estimatefee },
	{ "getblockheader", "the header of a committed block, as fields or hex", block_params, 2,
	  true, getblockheader },
	{ "getvalidators", "the validator set of a height: addresses and voting power",
	  height_param, 1, true, getvalidators },
	{ "decoderawtransaction", "an encoded tx as JSON fields, with its id, sender and fee",
	  hexstring_param, 1, true, decoderawtransaction },
};

const struct rpc_method *rpc_chain_more_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
