/* node_rpc.c: chain and mempool JSON-RPC methods of hearthd. Every result is
 * a JSON object (fields can be added without breaking callers). */
#include "node/node_rpc.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/block.h"
#include "consensus/tx.h"
#include "node/node.h"
#include "node/rpc_json.h"
#include "proto/hex.h"

/* Puts hash as hex under key in obj. Returns 0 or -1. */
static int set_hex(json_t *obj, const char *key, const uint8_t *bytes, size_t len)
{
	char hex[2 * HASH_SIZE + 1];

	if (len > HASH_SIZE || hex_encode(bytes, len, hex, sizeof(hex)) != 0)
		return -1;
	return json_object_set_new(obj, key, json_string(hex));
}

static int store_failed(struct rpc_error *err, const struct store_error *serr)
{
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "store: %s", serr->msg);
}

static int no_memory(struct rpc_error *err)
{
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
}

static int tip_of(const struct node *node, struct store_tip *tip, struct rpc_error *err)
{
	struct store_error serr;

	if (store_get_tip(node->store, NULL, tip, &serr) != STORE_OK)
		return store_failed(err, &serr);
	return 0;
}

static int getblockcount(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct store_tip tip;

	(void)params;
	if (tip_of(ctx, &tip, err) != 0)
		return -1;
	*result = json_pack("{s:I}", "height", (json_int_t)tip.height);
	return *result != NULL ? 0 : no_memory(err);
}

static int getbestblockhash(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct store_tip tip;

	(void)params;
	if (tip_of(ctx, &tip, err) != 0)
		return -1;
	*result = json_object();
	if (*result == NULL || set_hex(*result, "hash", tip.block_id, HASH_SIZE) != 0 ||
	    json_object_set_new(*result, "height", json_integer((json_int_t)tip.height)) != 0) {
		json_decref(*result);
		return no_memory(err);
	}
	return 0;
}

static int getblockhash(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct node *node = ctx;
	json_int_t height = json_integer_value(json_array_get(params, 0));
	struct store_error serr;
	uint8_t id[HASH_SIZE];
	enum store_status st;

	if (height == 0) {
		/* Height 0 is the genesis state: its id is the genesis hash. */
		st = store_get_genesis_hash(node->store, NULL, id, &serr);
	} else {
		uint8_t *bytes;
		size_t len;

		st = store_get_block(node->store, NULL, (uint64_t)height, id, &bytes, &len, &serr);
		if (st == STORE_OK)
			free(bytes);
	}
	if (st == STORE_NOT_FOUND)
		return rpc_error_set(err, RPC_NOT_FOUND, "no block at height %lld",
				     (long long)height);
	if (st != STORE_OK)
		return store_failed(err, &serr);
	*result = json_object();
	if (*result == NULL || set_hex(*result, "hash", id, HASH_SIZE) != 0) {
		json_decref(*result);
		return no_memory(err);
	}
	return 0;
}

static int getblockchaininfo(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct node *node = ctx;
	struct store_tip tip;

	(void)params;
	if (tip_of(node, &tip, err) != 0)
		return -1;
	*result = json_pack("{s:s, s:s, s:I}", "chain_id", node->chain.genesis.chain_id, "network",
			    node->network, "height", (json_int_t)tip.height);
	if (*result == NULL || set_hex(*result, "best_block_hash", tip.block_id, HASH_SIZE) != 0 ||
	    set_hex(*result, "app_hash", tip.app_hash, HASH_SIZE) != 0 ||
	    set_hex(*result, "genesis_hash", node->chain.genesis.hash, HASH_SIZE) != 0) {
		json_decref(*result);
		return no_memory(err);
	}
	return 0;
}

static int getgenesis(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct node *node = ctx;
	json_error_t jerr;
	json_t *doc = json_loads(node->chain.genesis_text, JSON_REJECT_DUPLICATES, &jerr);

	(void)params;
	if (doc == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "genesis: %s", jerr.text);
	*result = json_object();
	if (*result == NULL || json_object_set_new(*result, "genesis", doc) != 0 ||
	    set_hex(*result, "hash", node->chain.genesis.hash, HASH_SIZE) != 0) {
		json_decref(*result);
		return no_memory(err);
	}
	return 0;
}

/* A mempool submission, run on the loop thread. */
struct submit {
	struct node *node;
	uint8_t *tx; /* owned: free with free() */
	size_t len;
	bool ready; /* passed the checks of this thread: goes to the loop */
	uint8_t id[HASH_SIZE];
	enum mempool_result result;
	struct ledger_error lerr;
};

/* Admits one checked tx and announces it. Returns true when added. */
static bool submit_one(struct submit *s)
{
	s->result = mempool_add_verified(&s->node->mempool, s->tx, s->len, s->id, &s->lerr);
	if (s->result != MEMPOOL_ADDED)
		return false;
	log_write(&s->node->log, LOG_DEBUG, LOG_MEMPOOL, "accepted tx bytes=%zu pool=%zu", s->len,
		  s->node->mempool.count);
	return true;
}

/* After txs were added: gauges, and the proposer may build a block. */
static void submit_added(struct node *node)
{
	node_update_gauges(node);
	if (node->consensus_open)
		consensus_on_tx(&node->consensus);
}

static void submit_on_loop(void *arg)
{
	struct submit *s = arg;

	if (!submit_one(s))
		return;
	if (s->node->net_open)
		net_on_tx(&s->node->net, s->id, 0);
	submit_added(s->node);
}

/* The txs of a batch request, admitted in one turn of the loop. */
struct submit_many {
	struct submit *items;
	size_t n;
};

static void submit_many_on_loop(void *arg)
{
	struct submit_many *m = arg;
	uint8_t(*ids)[HASH_SIZE] = malloc((m->n ? m->n : 1) * HASH_SIZE);
	size_t added = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (!m->items[i].ready || !submit_one(&m->items[i]))
			continue;
		if (ids != NULL)
			memcpy(ids[added], m->items[i].id, HASH_SIZE);
		added++;
	}
	if (added > 0) {
		struct node *node = m->items[0].node;

		/* Without memory for the list the txs are not announced; peers get
		 * them with the block. */
		if (node->net_open && ids != NULL)
			net_on_txs(&node->net, (const uint8_t(*)[HASH_SIZE])ids, added, 0);
		submit_added(node);
	}
	free(ids);
}

static int submit_error(const struct submit *s, struct rpc_error *err)
{
	switch (s->result) {
	case MEMPOOL_ADDED:
		return 0;
	case MEMPOOL_DUPLICATE:
		return rpc_error_set(err, RPC_TX_ALREADY_KNOWN, "tx already in the mempool");
	case MEMPOOL_FULL:
		return rpc_error_set(err, RPC_RESOURCE_EXHAUSTED, "%s", s->lerr.text);
	case MEMPOOL_NONCE_TOO_FAR:
	case MEMPOOL_NONCE_WAITING:
		return rpc_error_set(err, RPC_TX_REJECTED, "%s", s->lerr.text);
	case MEMPOOL_REJECTED:
		return rpc_error_set(err, RPC_TX_REJECTED, "%s (reason %d)", s->lerr.text,
				     (int)s->lerr.reason);
	case MEMPOOL_ERROR:
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "mempool: %s", s->lerr.text);
	}
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "mempool: unknown result");
}

/* Decodes the hex and runs the stateless checks and the BIP340 signature on
 * this RPC thread, so the loop thread only applies the tx to the check
 * state. Returns 0 (s->ready, s->tx set), or -1 with err set. */
static int submit_prepare(struct node *node, const char *hex, struct submit *s,
			  struct rpc_error *err)
{
	const struct ledger_config *cfg = &node->chain.ledger.cfg;
	size_t max = node->chain.genesis.params.max_tx_bytes;
	struct tx decoded;
	enum ledger_reason r;

	memset(s, 0, sizeof(*s));
	s->node = node;
	if (hex == NULL || strlen(hex) > 2 * (size_t)max)
		return rpc_error_set(err, RPC_TX_REJECTED, "tx larger than max_tx_bytes (%zu)",
				     max);
	s->tx = malloc(max > 0 ? max : 1);
	if (s->tx == NULL)
		return no_memory(err);
	if (hex_decode(hex, s->tx, max, &s->len) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "tx is not valid hex");
	r = tx_decode(s->tx, s->len, cfg->chain_id, &cfg->params, true, &decoded, &s->lerr);
	node_metrics_on_sig_checks(&node->nm, "rpc", 1);
	if (r != LEDGER_OK) {
		s->result = r == LEDGER_INTERNAL ? MEMPOOL_ERROR : MEMPOOL_REJECTED;
		return submit_error(s, err);
	}
	tx_free(&decoded);
	s->ready = true;
	return 0;
}

/* The answer to an admitted (or refused) submission. Returns 0 or -1. */
static int submit_answer(const struct submit *s, json_t **result, struct rpc_error *err)
{
	if (submit_error(s, err) != 0)
		return -1;
	*result = json_object();
	if (*result == NULL || set_hex(*result, "txid", s->id, HASH_SIZE) != 0) {
		json_decref(*result);
		*result = NULL;
		return no_memory(err);
	}
	return 0;
}

static int sendrawtransaction(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;
	struct submit s;
	int rc;

	if (submit_prepare(node, json_string_value(json_array_get(params, 0)), &s, err) != 0)
		rc = -1;
	else if (loop_call_run(&node->calls, submit_on_loop, &s) != 0)
		rc = rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is shutting down");
	else
		rc = submit_answer(&s, result, err);
	free(s.tx);
	return rc;
}

void node_rpc_send_batch(void *ctx, json_t *const *params, size_t n, json_t **results,
			 struct rpc_error *errs)
{
	struct node *node = ctx;
	struct submit_many m = { .items = calloc(n ? n : 1, sizeof(struct submit)), .n = n };
	bool any = false, down = false;

	for (size_t i = 0; i < n; i++) {
		results[i] = NULL;
		if (m.items == NULL) {
			(void)no_memory(&errs[i]);
			continue;
		}
		if (submit_prepare(node, json_string_value(json_array_get(params[i], 0)),
				   &m.items[i], &errs[i]) == 0)
			any = true;
	}
	if (m.items == NULL)
		return;
	if (any && loop_call_run(&node->calls, submit_many_on_loop, &m) != 0)
		down = true;
	for (size_t i = 0; i < n; i++) {
		if (m.items[i].ready && down)
			(void)rpc_error_set(&errs[i], RPC_SHUTTING_DOWN,
					    "the node is shutting down");
		else if (m.items[i].ready)
			(void)submit_answer(&m.items[i], &results[i], &errs[i]);
		free(m.items[i].tx);
	}
	free(m.items);
}

/* Mempool queries, run on the loop thread. */
struct pool_query {
	struct node *node;
	const uint8_t *id; /* contains: the tx to look for */
	bool contains;
	json_t *result;
};

static void pool_info_on_loop(void *arg)
{
	struct pool_query *q = arg;
	const struct mempool *mp = &q->node->mempool;

	q->result = json_pack("{s:I, s:I, s:I, s:I, s:I}", "size", (json_int_t)mp->count, "bytes",
			      (json_int_t)mp->bytes, "waiting", (json_int_t)mp->n_waiting,
			      "max_txs", (json_int_t)mp->limits.max_txs, "max_bytes",
			      (json_int_t)mp->limits.max_bytes);
}

static void pool_ids_on_loop(void *arg)
{
	struct pool_query *q = arg;
	const struct mempool *mp = &q->node->mempool;
	json_t *ids = json_array();

	for (size_t i = 0; ids != NULL && i < mp->count; i++) {
		char hex[2 * HASH_SIZE + 1];

		if (hex_encode(mp->entries[i].id, HASH_SIZE, hex, sizeof(hex)) != 0 ||
		    json_array_append_new(ids, json_string(hex)) != 0) {
			json_decref(ids);
			ids = NULL;
		}
	}
	q->result = ids != NULL ? json_pack("{s:o}", "txids", ids) : NULL;
}

static void pool_contains_on_loop(void *arg)
{
	struct pool_query *q = arg;

	q->contains = mempool_contains(&q->node->mempool, q->id);
}

static int run_query(struct node *node, void (*fn)(void *), struct pool_query *q,
		     struct rpc_error *err)
{
	q->node = node;
	if (loop_call_run(&node->calls, fn, q) != 0)
		return rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is shutting down");
	return 0;
}

static int getmempoolinfo(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct pool_query q = { 0 };

	(void)params;
	if (run_query(ctx, pool_info_on_loop, &q, err) != 0)
		return -1;
	*result = q.result;
	return *result != NULL ? 0 : no_memory(err);
}

static int getrawmempool(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct pool_query q = { 0 };

	(void)params;
	if (run_query(ctx, pool_ids_on_loop, &q, err) != 0)
		return -1;
	*result = q.result;
	return *result != NULL ? 0 : no_memory(err);
}

static int gettransaction(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;
	const char *hex = json_string_value(json_array_get(params, 0));
	uint8_t id[HASH_SIZE];
	uint64_t height;
	uint32_t index;
	struct store_error serr;
	struct pool_query q = { .id = id };
	enum store_status st;

	if (hex_decode_exact(hex, id, HASH_SIZE) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "txid must be 64 hex digits");
	st = store_get_tx_location(node->store, NULL, id, &height, &index, &serr);
	if (st == STORE_OK) {
		*result = json_pack("{s:s, s:I, s:I}", "status", "committed", "height",
				    (json_int_t)height, "index", (json_int_t)index);
		return *result != NULL ? 0 : no_memory(err);
	}
	if (st != STORE_NOT_FOUND)
		return store_failed(err, &serr);
	if (run_query(node, pool_contains_on_loop, &q, err) != 0)
		return -1;
	/* Committed between the two looks: the pool dropped it after the
	 * store had it. */
	if (!q.contains &&
	    store_get_tx_location(node->store, NULL, id, &height, &index, &serr) == STORE_OK) {
		*result = json_pack("{s:s, s:I, s:I}", "status", "committed", "height",
				    (json_int_t)height, "index", (json_int_t)index);
		return *result != NULL ? 0 : no_memory(err);
	}
	if (!q.contains)
		return rpc_error_set(err, RPC_NOT_FOUND, "no tx %s in the chain or the mempool",
				     hex);
	*result = json_pack("{s:s}", "status", "pending");
	return *result != NULL ? 0 : no_memory(err);
}

static int getaccount(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;
	const char *addr = json_string_value(json_array_get(params, 0));
	uint8_t key[PUBKEY_SIZE];
	enum network net;
	const char *why = NULL;
	struct store_snapshot *snap;
	struct store_error serr;
	struct store_tip tip;
	struct account acct;
	enum state_status st;

	if (address_decode(addr, &net, key, &why) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "bad address: %s", why);
	if (net != node->chain.genesis.network)
		return rpc_error_set(err, RPC_INVALID_PARAMETER,
				     "address of another network than this node's");
	if (store_snapshot_open(node->store, &snap, &serr) != STORE_OK)
		return store_failed(err, &serr);
	/* One snapshot: the account and the height it is read at agree. */
	st = account_load(store_snapshot_state(snap), key, &acct);
	if (st == STATE_OK && store_get_tip(node->store, snap, &tip, &serr) != STORE_OK)
		st = STATE_ERROR;
	store_snapshot_close(snap);
	if (st != STATE_OK)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "cannot read the account");
	*result = json_pack("{s:s, s:I, s:I, s:I, s:I, s:b, s:I}", "address", addr, "balance",
			    (json_int_t)acct.balance, "nonce", (json_int_t)acct.nonce, "bonded",
			    (json_int_t)acct.bonded, "unbonding", (json_int_t)acct.unbonding,
			    "validator", (int)acct.validator, "height", (json_int_t)tip.height);
	return *result != NULL ? 0 : no_memory(err);
}

/* getnonce: the nonce of the sender's last tx, counting the mempool. */
struct nonce_query {
	struct node *node;
	uint8_t key[PUBKEY_SIZE];
	struct account acct;
	enum state_status st;
};

static void nonce_on_loop(void *arg)
{
	struct nonce_query *q = arg;

	q->st = account_load(&q->node->mempool.check_st, q->key, &q->acct);
}

static int getnonce(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;
	const char *addr = json_string_value(json_array_get(params, 0));
	struct nonce_query q = { .node = node };
	enum network net;
	const char *why = NULL;

	if (address_decode(addr, &net, q.key, &why) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "bad address: %s", why);
	if (net != node->chain.genesis.network)
		return rpc_error_set(err, RPC_INVALID_PARAMETER,
				     "address of another network than this node's");
	if (loop_call_run(&node->calls, nonce_on_loop, &q) != 0)
		return rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is shutting down");
	if (q.st != STATE_OK)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "cannot read the account");
	*result = json_pack("{s:I, s:I}", "nonce", (json_int_t)q.acct.nonce, "next",
			    (json_int_t)q.acct.nonce + 1);
	return *result != NULL ? 0 : no_memory(err);
}

int node_rpc_find_block(const struct node *node, const json_t *which, uint64_t *height,
			uint8_t id[HASH_SIZE], uint8_t **bytes, size_t *len, struct rpc_error *err)
{
	struct store_error serr;
	enum store_status st;

	if (json_is_integer(which) && json_integer_value(which) >= 1) {
		*height = (uint64_t)json_integer_value(which);
		st = store_get_block(node->store, NULL, *height, id, bytes, len, &serr);
	} else if (json_is_string(which) &&
		   hex_decode_exact(json_string_value(which), id, HASH_SIZE) == 0) {
		st = store_get_block_by_id(node->store, NULL, id, height, bytes, len, &serr);
	} else {
		return rpc_error_set(err, RPC_INVALID_PARAMETER,
				     "block must be a height >= 1 or a 64-hex-digit id");
	}
	if (st == STORE_NOT_FOUND)
		return rpc_error_set(err, RPC_NOT_FOUND, "no such block");
	if (st != STORE_OK)
		return store_failed(err, &serr);
	return 0;
}

/* {height, id, time_ms, prev_block_id, tx_root, app_hash, validators_hash,
 *  next_validators_hash, proposer, txids[]} of a decoded block. */
static json_t *describe_block(const struct node *node, const struct block *b)
{
	json_t *obj = json_object(), *txids = json_array();
	int rc = rpcj_put_header(obj, node->chain.genesis.network, b);

	for (size_t i = 0; txids != NULL && i < b->msg->n_txs; i++) {
		uint8_t tid[HASH_SIZE];

		tx_id(b->msg->txs[i].data, b->msg->txs[i].len, tid);
		if (json_array_append_new(txids, rpcj_hex(tid, HASH_SIZE)) != 0) {
			json_decref(txids);
			txids = NULL;
		}
	}
	rc |= rpcj_put(obj, "txids", txids);
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int getblock(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct node *node = ctx;
	const json_t *verbosity = json_array_get(params, 1);
	json_int_t level = json_is_null(verbosity) ? 1 : json_integer_value(verbosity);
	uint8_t id[HASH_SIZE], *bytes;
	uint64_t height;
	size_t len;
	struct block b;

	if (level != 0 && level != 1)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "verbosity is 0 or 1");
	if (node_rpc_find_block(node, json_array_get(params, 0), &height, id, &bytes, &len, err) !=
	    0)
		return -1;
	if (level == 0) {
		char *hex = malloc(2 * len + 1);

		*result = NULL;
		if (hex != NULL && hex_encode(bytes, len, hex, 2 * len + 1) == 0)
			*result = json_pack("{s:s, s:I}", "hex", hex, "height", (json_int_t)height);
		free(hex);
		free(bytes);
		return *result != NULL ? 0 : no_memory(err);
	}
	if (block_decode(bytes, len, &node->chain.genesis.params, &b, NULL) != LEDGER_OK) {
		free(bytes);
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "stored block %llu does not decode",
				     (unsigned long long)height);
	}
	free(bytes);
	*result = describe_block(node, &b);
	block_free(&b);
	return *result != NULL ? 0 : no_memory(err);
}

static const struct rpc_param block_params[] = {
	{ "block", RPC_PARAM_ANY, false, "height (>= 1) or block id (64 hex digits)" },
	{ "verbosity", RPC_PARAM_UINT, true, "0: the encoded block in hex; 1 (default): fields" },
};
static const struct rpc_param address_param[] = {
	{ "address", RPC_PARAM_STRING, false, "account address (bech32m)" },
};
static const struct rpc_param height_param[] = {
	{ "height", RPC_PARAM_UINT, false, "block height (0: the genesis state)" },
};
static const struct rpc_param hexstring_param[] = {
	{ "hexstring", RPC_PARAM_STRING, false, "the encoded Tx, in hex" },
};
static const struct rpc_param txid_param[] = {
	{ "txid", RPC_PARAM_STRING, false, "tx id, 64 hex digits" },
};

static const struct rpc_method methods[] = {
	{ "getblockcount", "height of the last committed block", NULL, 0, true, getblockcount },
	{ "getbestblockhash", "id and height of the last committed block", NULL, 0, true,
	  getbestblockhash },
	{ "getblockhash", "id of the block at a height", height_param, 1, true, getblockhash },
	{ "getblockchaininfo", "chain id, network, height, tip and genesis hashes", NULL, 0, true,
	  getblockchaininfo },
	{ "getgenesis", "the genesis document and its hash", NULL, 0, true, getgenesis },
	{ "sendrawtransaction", "submit a signed tx to the mempool", hexstring_param, 1, false,
	  sendrawtransaction },
	{ "getmempoolinfo", "size and limits of the mempool", NULL, 0, true, getmempoolinfo },
	{ "getrawmempool", "ids of the txs in the mempool, in arrival order", NULL, 0, true,
	  getrawmempool },
	{ "getblock", "a committed block, as hex or as fields with its tx ids", block_params, 2,
	  true, getblock },
	{ "getnonce", "nonce of an account's last tx, counting the mempool", address_param, 1, true,
	  getnonce },
	{ "getaccount", "balance, nonce and stake of an account at the tip", address_param, 1, true,
	  getaccount },
	{ "gettransaction", "where a tx is: committed (height, index) or pending", txid_param, 1,
	  true, gettransaction },
};

const struct rpc_method *node_rpc_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
