/* fuzz_rpc_node.c: libFuzzer target for hearthd's real JSON-RPC methods.
 * Once per process it builds a dev node in a fresh temporary data
 * directory (dev genesis, store, chain, mempool, consensus; no P2P, no HTTP
 * server, no threads: loop calls run at once, loop_call_init_direct),
 * commits a few blocks of faucet transfers, stops the consensus driver and
 * registers every method table of node/rpc_tables.c with the server's
 * builtins. Each input is then one request body (the first byte chooses
 * full or public access) dispatched against that table.
 * Invariants: rpc_dispatch_body succeeds; a 204 has no body; any other
 * answer is a well-formed JSON-RPC response (or a batch of them): an id,
 * exactly one of result (an object) and error (a documented code and a
 * message), the 1.0 form with both members when jsonrpc is absent.
 * FUZZ_RPC_NODE_VERBOSE=1 prints every answer (for writing seeds). */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/tx.h"
#include "node/genesis_dev.h"
#include "node/node.h"
#include "node/node_rpc.h"
#include "node/rpc_builtin.h"
#include "node/rpc_tables.h"
#include "proto/hex.h"

#define SETUP_BLOCKS	 3
#define SETUP_SECONDS	 60
#define GENESIS_TIME_MS	 1790000000000ull
#define MAX_BATCH	 64 /* keeps one input's work small; the server's default is 1000 */
#define MEMPOOL_MAX_TXS	 500
#define MEMPOOL_MAX_SIZE (1u << 20)

/* The dev network's unspendable sink the setup transfers go to. */
static const uint8_t sink[PUBKEY_SIZE] = { 0x42 };

struct fuzz_node {
	struct config cfg;
	struct node node;
	struct rpc_table *table;
	struct rpc_builtin builtin;
	struct rpc_method kept[RPC_MAX_METHODS];
	size_t n_kept;
	char dir[64];
	bool verbose; /* FUZZ_RPC_NODE_VERBOSE=1: print every answer */
};

static struct fuzz_node *fn;

static void die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_rpc_node: %s%s%s\n", what, err != NULL ? ": " : "",
		err != NULL ? err : "");
	abort();
}

/* Methods never dispatched here, each for a reason:
 * - stop ends the node (it asks the loop to stop, which the target never
 *   runs again, and every later call would test a stopping node);
 * - the parked methods (rpc_tables_parked: waitforblock, waitfortx) wait for
 *   commits that never come while consensus is stopped, up to their
 *   timeout_ms, which would hang the fuzzer.
 * They answer -32601 (method not found) instead. */
static bool denied(const char *name)
{
	return strcmp(name, "stop") == 0;
}

/* Copies the methods of tables[0..n) that are not denied into fn->kept. */
static void keep_methods(const rpc_table_fn *tables, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t count;
		const struct rpc_method *m = tables[i](&count);

		for (size_t j = 0; j < count; j++) {
			if (denied(m[j].name))
				continue;
			if (fn->n_kept == RPC_MAX_METHODS)
				die("too many methods", NULL);
			fn->kept[fn->n_kept++] = m[j];
		}
	}
}

static void build_table(void)
{
	const rpc_table_fn *tables;
	size_t n;
	char err[256];

	tables = rpc_tables_direct(&n);
	keep_methods(tables, n);
	/* rpc_tables_parked is not registered at all (see denied). */
	fn->table = rpc_table_new();
	if (fn->table == NULL ||
	    rpc_table_add(fn->table, fn->kept, fn->n_kept, &fn->node, err, sizeof(err)) != 0 ||
	    rpc_builtin_register(&fn->builtin, fn->table, err, sizeof(err)) != 0)
		die("cannot build the method table", err);
	if (rpc_table_set_batch(fn->table, "sendrawtransaction", node_rpc_send_batch) != 0)
		die("no sendrawtransaction", NULL);
	rpc_table_set_max_batch(fn->table, MAX_BATCH);
}

/* The steps of node_start this target needs, without P2P, RPC server,
 * executor, metrics or signals; the loop call queue runs calls at once. */
static void open_node(void)
{
	struct node *node = &fn->node;
	struct mempool_limits limits = { .max_txs = MEMPOOL_MAX_TXS,
					 .max_bytes = MEMPOOL_MAX_SIZE };
	struct store_error serr;
	char err[512], path[DATADIR_PATH_MAX + 64];
	bool created;

	node->cfg = &fn->cfg;
	node->network = "dev";
	if (datadir_open(&node->dd, fn->dir, "dev", err, sizeof(err)) != 0)
		die("datadir", err);
	node->dd_open = true;
	if (datadir_file(&node->dd, "debug.log", path, sizeof(path)) != 0 ||
	    log_open(&node->log, path, false, 0) != 0)
		die("log", NULL);
	node->log_open = true;
	if (datadir_load_or_create_key(&node->dd, "node_key", &node->node_key, &created, err,
				       sizeof(err)) != 0)
		die("node key", err);
	node->has_node_key = true;
	if (datadir_load_or_create_key(&node->dd, "validator_key", &node->validator_key, &created,
				       err, sizeof(err)) != 0)
		die("validator key", err);
	node->has_validator_key = true;
	if (datadir_file(&node->dd, STORE_DIR_NAME, path, sizeof(path)) != 0 ||
	    store_open(path, NULL, &node->store, &serr) != STORE_OK)
		die("store", NULL);
	if (chain_open(&node->chain, &node->dd, "dev", node->validator_key.pubkey, NULL,
		       GENESIS_TIME_MS, node->store, &node->log, err, sizeof(err)) != 0)
		die("chain", err);
	node->chain_open = true;
	if (uv_loop_init(&node->loop) != 0)
		die("loop", NULL);
	node->loop_open = true;
	if (node_open_mempool(node, &limits, err, sizeof(err)) != 0)
		die("mempool", err);
	loop_call_init_direct(&node->calls);
	node->calls_open = true;
	if (chain_watch_init(&node->watch) != 0)
		die("chain watch", NULL);
	if (consensus_start(&node->consensus, node, err, sizeof(err)) != 0)
		die("consensus", err);
	node->consensus_open = true;
}

/* A faucet transfer of nonce `nonce` as a sendrawtransaction request.
 * Returns the malloc'd body. */
static char *faucet_transfer(uint64_t nonce)
{
	uint8_t secret[SECKEY_SIZE], *tx;
	struct signer s;
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Transfer transfer = HEARTH__TRANSFER__INIT;
	size_t len;
	char *hex, *req;

	genesis_dev_faucet_secret(secret);
	if (signer_from_secret(&s, secret) != 0)
		die("faucet key", NULL);
	secret_wipe(secret, sizeof(secret));
	body.chain_id = (char *)DEV_CHAIN_ID;
	body.sender.data = s.pubkey;
	body.sender.len = PUBKEY_SIZE;
	body.nonce = nonce;
	body.fee = 1000;
	transfer.to.data = (uint8_t *)sink;
	transfer.to.len = PUBKEY_SIZE;
	transfer.amount = 1000 * nonce;
	body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
	body.transfer = &transfer;
	if (tx_sign(&body, &s, NULL, &tx, &len) != 0)
		die("sign", NULL);
	signer_wipe(&s);
	hex = malloc(2 * len + 1);
	req = malloc(2 * len + 128);
	if (hex == NULL || req == NULL || hex_encode(tx, len, hex, 2 * len + 1) != 0)
		die("out of memory", NULL);
	snprintf(req, 2 * len + 128,
		 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sendrawtransaction\","
		 "\"params\":[\"%s\"]}",
		 hex);
	free(hex);
	free(tx);
	return req;
}

/* Runs the loop until the tip reaches height, or dies after SETUP_SECONDS. */
static void run_until(uint64_t height)
{
	time_t until = time(NULL) + SETUP_SECONDS;

	while (fn->node.chain.tip.height < height) {
		if (time(NULL) > until)
			die("the setup blocks were not committed", NULL);
		(void)uv_run(&fn->node.loop, UV_RUN_ONCE);
	}
}

/* Commits SETUP_BLOCKS blocks of one faucet transfer each, through the
 * sendrawtransaction method, then stops the consensus driver: from here on
 * the chain stays as it is and the mempool keeps what the inputs add. */
static void commit_setup_blocks(void)
{
	for (uint64_t h = 1; h <= SETUP_BLOCKS; h++) {
		char *req = faucet_transfer(h);
		struct rpc_reply reply;

		if (rpc_dispatch_body(fn->table, req, strlen(req), true, &reply) != 0 ||
		    reply.http_status != 200 || strstr(reply.body, "\"result\"") == NULL)
			die("setup tx refused", reply.body);
		free(reply.body);
		free(req);
		run_until(fn->node.chain.tip.height + 1);
	}
	consensus_stop(&fn->node.consensus);
	fn->node.consensus_open = false;
	while (uv_run(&fn->node.loop, UV_RUN_NOWAIT) != 0)
		;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	if (fn == NULL)
		return;
	rpc_table_free(fn->table);
	node_stop(&fn->node);
	if (nftw(fn->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "fuzz_rpc_node: cannot remove %s\n", fn->dir);
	free(fn);
	fn = NULL;
}

static void setup(void)
{
	fn = calloc(1, sizeof(*fn));
	if (fn == NULL || hearth_crypto_init() != 0)
		die("init", NULL);
	config_init(&fn->cfg);
	fn->verbose = getenv("FUZZ_RPC_NODE_VERBOSE") != NULL;
	snprintf(fn->dir, sizeof(fn->dir), "/tmp/fuzz_rpc_node.XXXXXX");
	if (mkdtemp(fn->dir) == NULL)
		die("mkdtemp", NULL);
	if (atexit(teardown) != 0)
		die("atexit", NULL);
	open_node();
	build_table();
	commit_setup_blocks();
}

static bool known_code(json_int_t code)
{
	static const int codes[] = {
		RPC_PARSE_ERROR,	RPC_INVALID_REQUEST, RPC_METHOD_NOT_FOUND,
		RPC_INVALID_PARAMS,	RPC_INTERNAL_ERROR,  RPC_MISC_ERROR,
		RPC_FORBIDDEN,		RPC_NOT_FOUND,	     RPC_INVALID_PARAMETER,
		RPC_NOT_SYNCED,		RPC_TX_REJECTED,     RPC_TX_ALREADY_KNOWN,
		RPC_IN_WARMUP,		RPC_SHUTTING_DOWN,   RPC_TIMEOUT,
		RPC_RESOURCE_EXHAUSTED,
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (code == codes[i])
			return true;
	}
	return false;
}

/* One response object: aborts unless it is well-formed. */
static void check_response(const json_t *r)
{
	const json_t *version = json_object_get(r, "jsonrpc");
	const json_t *id = json_object_get(r, "id");
	const json_t *result = json_object_get(r, "result");
	const json_t *error = json_object_get(r, "error");
	bool legacy = version == NULL;

	if (!json_is_object(r) || id == NULL ||
	    !(json_is_string(id) || json_is_number(id) || json_is_null(id)))
		abort();
	if (!legacy && (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0))
		abort();
	if (legacy) {
		/* bitcoind's 1.0 form: both members, one of them null. */
		if (result == NULL || error == NULL || json_is_null(result) == json_is_null(error))
			abort();
		if (json_is_null(error))
			error = NULL;
		else
			result = NULL;
	} else if ((result == NULL) == (error == NULL)) {
		abort();
	}
	/* jsonrpc, id and result or error; in the 1.0 form id, result, error */
	if (json_object_size(r) != 3)
		abort();
	if (result != NULL && !json_is_object(result))
		abort();
	if (error != NULL) {
		const json_t *code = json_object_get(error, "code");
		const json_t *msg = json_object_get(error, "message");

		if (!json_is_integer(code) || !known_code(json_integer_value(code)) ||
		    !json_is_string(msg) || json_string_length(msg) == 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_reply reply;
	json_t *answer;

	if (fn == NULL)
		setup();
	if (size < 1)
		return 0;
	if (rpc_dispatch_body(fn->table, (const char *)data + 1, size - 1, data[0] & 1, &reply) !=
	    0)
		abort();
	if (fn->verbose)
		fprintf(stderr, "%u %.*s\n", reply.http_status, (int)reply.len,
			reply.body != NULL ? reply.body : "");
	if (reply.http_status == 204) {
		if (reply.body != NULL)
			abort();
		return 0;
	}
	if (reply.body == NULL || strlen(reply.body) != reply.len ||
	    (reply.http_status != 200 && reply.http_status != 400 && reply.http_status != 404 &&
	     reply.http_status != 500))
		abort();
	answer = json_loadb(reply.body, reply.len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_array(answer)) {
		if (json_array_size(answer) == 0)
			abort();
		for (size_t i = 0; i < json_array_size(answer); i++)
			check_response(json_array_get(answer, i));
	} else {
		check_response(answer);
	}
	json_decref(answer);
	free(reply.body);
	return 0;
}
