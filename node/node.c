/* node.c: start-up, run and shut-down of hearthd, step by step in one visible
 * order. Each step is its own function; node_start records what it has done
 * in the struct so node_stop can undo exactly that. */
#include "node/node.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/evidence_submit.h"
#include "node/node_rpc.h"
#include "node/rpc_tables.h"
#include "node/sigcache.h"

int node_base_dir(const struct config *cfg, char *out, size_t out_size, char *err, size_t err_size)
{
	const char *dir = config_get(cfg, "datadir");
	int n;

	if (dir == NULL) {
		if (datadir_default_base(out, out_size) != 0) {
			snprintf(err, err_size, "no -datadir given and HOME is not set");
			return -1;
		}
		return 0;
	}
	n = snprintf(out, out_size, "%s", dir);
	if (n <= 0 || (size_t)n >= out_size) {
		snprintf(err, err_size, "-datadir is empty or too long");
		return -1;
	}
	return 0;
}

static int start_datadir(struct node *node, char *err, size_t err_size)
{
	char base[DATADIR_PATH_MAX];

	if (node_base_dir(node->cfg, base, sizeof(base), err, err_size) != 0)
		return -1;
	if (datadir_open(&node->dd, base, node->network, err, err_size) != 0)
		return -1;
	node->dd_open = true;
	return 0;
}

static int start_log(struct node *node, char *err, size_t err_size)
{
	const char *values[64];
	size_t n = config_get_list(node->cfg, "debug", values, 64);
	uint32_t mask = 0;
	char path[DATADIR_PATH_MAX + 64];

	for (size_t i = 0; i < n; i++) {
		if (log_parse_debug(values[i], &mask, err, err_size) != 0)
			return -1;
	}
	if (datadir_file(&node->dd, "debug.log", path, sizeof(path)) != 0 ||
	    log_open(&node->log, path, config_get_bool(node->cfg, "printtoconsole", false), mask) !=
		    0) {
		snprintf(err, err_size, "cannot open %s/debug.log: %s", node->dd.path,
			 strerror(errno));
		return -1;
	}
	node->log_open = true;
	log_write(&node->log, LOG_INFO, LOG_MAIN, "hearthd starting network=%s datadir=%s pid=%ld",
		  node->network, node->dd.path, (long)getpid());
	return 0;
}

static int start_pid_file(struct node *node, char *err, size_t err_size)
{
	const char *pid = config_get(node->cfg, "pid");
	char text[32];
	int n;

	if (pid != NULL)
		n = snprintf(node->pid_path, sizeof(node->pid_path), "%s", pid);
	else
		n = snprintf(node->pid_path, sizeof(node->pid_path), "%s/hearthd.pid",
			     node->dd.path);
	if (n <= 0 || (size_t)n >= sizeof(node->pid_path)) {
		snprintf(err, err_size, "pid file path too long");
		return -1;
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	{
		FILE *f = fopen(node->pid_path, "w");

		if (f == NULL || fwrite(text, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0) {
			snprintf(err, err_size, "cannot write pid file %s: %s", node->pid_path,
				 strerror(errno));
			return -1;
		}
	}
	node->pid_written = true;
	return 0;
}

static bool has_key_file(const struct node *node, const char *name)
{
	char path[DATADIR_PATH_MAX + 64];

	return datadir_file(&node->dd, name, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

/* -provider: the key the executor signs receipts with, <datadir>/provider_key. */
static int start_provider_key(struct node *node, enum network net, char *err, size_t err_size)
{
	bool created;
	char addr[ADDRESS_MAX];

	if (!config_get_bool(node->cfg, "provider", false))
		return 0;
	if (datadir_load_or_create_key(&node->dd, "provider_key", &node->provider_key, &created,
				       err, err_size) != 0)
		return -1;
	node->has_provider_key = true;
	if (address_encode(net, node->provider_key.pubkey, addr, sizeof(addr)) == 0)
		log_write(&node->log, LOG_INFO, LOG_EXECUTOR, "provider key address=%s%s", addr,
			  created ? " created=1" : "");
	return 0;
}

static int start_keys(struct node *node, char *err, size_t err_size)
{
	bool created;
	char addr[ADDRESS_MAX];
	enum network net = strcmp(node->network, "dev") == 0	? NETWORK_DEV
			   : strcmp(node->network, "test") == 0 ? NETWORK_TEST
								: NETWORK_MAIN;

	if (datadir_load_or_create_key(&node->dd, "node_key", &node->node_key, &created, err,
				       err_size) != 0)
		return -1;
	node->has_node_key = true;
	if (created)
		log_write(&node->log, LOG_INFO, LOG_MAIN, "created node_key");
	/* The dev network's validator is this node; elsewhere a node validates
	 * when its data directory holds a validator_key (-printvalidatorkey). */
	if (strcmp(node->network, "dev") == 0 || has_key_file(node, "validator_key")) {
		if (datadir_load_or_create_key(&node->dd, "validator_key", &node->validator_key,
					       &created, err, err_size) != 0)
			return -1;
		node->has_validator_key = true;
		if (address_encode(net, node->validator_key.pubkey, addr, sizeof(addr)) == 0)
			log_write(&node->log, LOG_INFO, LOG_MAIN, "validator key address=%s%s",
				  addr, created ? " created=1" : "");
	}
	return start_provider_key(node, net, err, err_size);
}

static int start_store(struct node *node, char *err, size_t err_size)
{
	char path[DATADIR_PATH_MAX + 64];
	struct store_options opts;
	struct store_error serr;
	struct store_tip tip;
	enum store_status st;

	if (datadir_file(&node->dd, STORE_DIR_NAME, path, sizeof(path)) != 0) {
		snprintf(err, err_size, "store path too long");
		return -1;
	}
	store_options_default(&opts);
	if (store_open(path, &opts, &node->store, &serr) != STORE_OK) {
		snprintf(err, err_size, "%s", serr.msg);
		return -1;
	}
	st = store_get_tip(node->store, NULL, &tip, &serr);
	if (st == STORE_OK)
		log_write(&node->log, LOG_INFO, LOG_STORE, "store opened height=%llu",
			  (unsigned long long)tip.height);
	else if (st == STORE_NOT_FOUND)
		log_write(&node->log, LOG_INFO, LOG_STORE, "store opened empty");
	else {
		snprintf(err, err_size, "%s", serr.msg);
		return -1;
	}
	return 0;
}

static int start_chain(struct node *node, char *err, size_t err_size)
{
	struct timespec now;
	uint64_t now_ms;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
		snprintf(err, err_size, "clock_gettime: %s", strerror(errno));
		return -1;
	}
	now_ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	if (chain_open(&node->chain, &node->dd, node->network,
		       node->has_validator_key ? node->validator_key.pubkey : NULL,
		       node->has_provider_key ? node->provider_key.pubkey : NULL, now_ms,
		       node->store, &node->log, err, err_size) != 0)
		return -1;
	node->chain_open = true;
	log_write(&node->log, LOG_INFO, LOG_MAIN, "chain chain_id=%s height=%llu",
		  node->chain.genesis.chain_id, (unsigned long long)node->chain.tip.height);
	return 0;
}

static void on_signal(uv_signal_t *handle, int signum)
{
	struct node *node = handle->data;

	if (!node->stop_requested)
		log_write(&node->log, LOG_INFO, LOG_MAIN, "shutdown requested signal=%s",
			  signum == SIGINT ? "SIGINT" : "SIGTERM");
	node->stop_requested = true;
	uv_stop(&node->loop);
}

static int start_loop(struct node *node, char *err, size_t err_size)
{
	int rc = uv_loop_init(&node->loop);

	if (rc != 0) {
		snprintf(err, err_size, "uv_loop_init: %s", uv_strerror(rc));
		return -1;
	}
	node->loop_open = true;
	node->sig_int.data = node;
	node->sig_term.data = node;
	rc = uv_signal_init(&node->loop, &node->sig_int);
	if (rc == 0) {
		node->signals_open = 1;
		rc = uv_signal_init(&node->loop, &node->sig_term);
	}
	if (rc == 0) {
		node->signals_open = 2;
		rc = uv_signal_start(&node->sig_int, on_signal, SIGINT);
	}
	if (rc == 0)
		rc = uv_signal_start(&node->sig_term, on_signal, SIGTERM);
	if (rc != 0) {
		snprintf(err, err_size, "cannot watch signals: %s", uv_strerror(rc));
		return -1;
	}
	return 0;
}

int node_open_mempool(struct node *node, const struct mempool_limits *limits, char *err,
		      size_t err_size)
{
	if (txseen_init(&node->txseen) != 0) {
		snprintf(err, err_size, "out of memory for the table of recent tx ids");
		return -1;
	}
	mempool_init(&node->mempool, &node->chain.ledger, store_state(node->store),
		     node->chain.tip.height + 1, limits);
	node->mempool_open = true;
	/* The pool and txseen are the ledger's verified-signature cache. */
	node->chain.ledger.cfg.sig_verified = sigcache_has;
	node->chain.ledger.cfg.sig_noted = sigcache_note;
	node->chain.ledger.cfg.sig_arg = node;
	return 0;
}

static int start_mempool(struct node *node, char *err, size_t err_size)
{
	struct mempool_limits limits = {
		.max_txs = (size_t)config_get_int(node->cfg, "mempoolmaxtxs", 5000),
		.max_bytes = (size_t)config_get_int(node->cfg, "mempoolmaxbytes", 64 << 20),
		.max_ahead = (uint64_t)config_get_int(node->cfg, "mempoolmaxahead",
						      MEMPOOL_AHEAD_DEFAULT),
	};

	return node_open_mempool(node, &limits, err, err_size);
}

static int start_calls(struct node *node, char *err, size_t err_size)
{
	if (loop_call_init(&node->calls, &node->loop) != 0) {
		snprintf(err, err_size, "cannot set up the loop's call queue");
		return -1;
	}
	node->calls_open = true;
	return 0;
}

void node_update_gauges(struct node *node)
{
	if (node->metrics == NULL)
		return;
	if (metrics_gauge_set(node->m_height, NULL, (double)node->chain.tip.height) != 0 ||
	    metrics_gauge_set(node->m_pool_txs, NULL, (double)node->mempool.count) != 0 ||
	    metrics_gauge_set(node->m_pool_bytes, NULL, (double)node->mempool.bytes) != 0)
		log_write(&node->log, LOG_WARN, LOG_RPC, "cannot update the gauges");
}

static int start_metrics(struct node *node, char *err, size_t err_size)
{
	node->metrics = metrics_new();
	if (node->metrics == NULL) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	node->m_height = metrics_register(node->metrics, METRIC_GAUGE, "hearth_chain_height",
					  "height of the last committed block", NULL, 0, NULL, 0,
					  err, err_size);
	node->m_pool_txs = metrics_register(node->metrics, METRIC_GAUGE, "hearth_mempool_txs",
					    "txs in the mempool", NULL, 0, NULL, 0, err, err_size);
	node->m_pool_bytes =
		metrics_register(node->metrics, METRIC_GAUGE, "hearth_mempool_bytes",
				 "bytes of txs in the mempool", NULL, 0, NULL, 0, err, err_size);
	if (node->m_height == NULL || node->m_pool_txs == NULL || node->m_pool_bytes == NULL ||
	    node_metrics_register(&node->nm, node->metrics, &node->chain.tip, err, err_size) != 0)
		return -1;
	node_update_gauges(node);
	if (chain_watch_init(&node->watch) != 0) {
		snprintf(err, err_size, "cannot set up the chain watch");
		return -1;
	}
	return 0;
}

void node_on_commit(struct node *node, uint64_t prev_time_ms, size_t txs, uint32_t round)
{
	node_update_gauges(node);
	evidence_submit_on_commit(node);
	if (node_metrics_on_commit(&node->nm, &node->chain.tip, prev_time_ms, txs, round) != 0)
		log_write(&node->log, LOG_WARN, LOG_RPC, "cannot update the chain metrics");
	chain_watch_notify(&node->watch);
}

/* GET /health (on an RPC thread): 200 while blocks are being committed,
 * 503 otherwise. It reads only the store and one word the loop writes. */
static unsigned node_health(void *ctx, json_t **body)
{
	struct node *node = ctx;
	struct store_tip tip;
	struct store_error serr;
	json_int_t height = -1;
	bool committing = __atomic_load_n(&node->committing, __ATOMIC_RELAXED);

	if (store_get_tip(node->store, NULL, &tip, &serr) == STORE_OK)
		height = (json_int_t)tip.height;
	*body = json_pack("{s:s, s:I, s:b}", "status", committing ? "ok" : "not committing",
			  "height", height, "committing", committing);
	return committing ? 200 : 503;
}

static void on_health_tick(uv_timer_t *handle)
{
	struct node *node = handle->data;
	bool committing = node->consensus_open &&
			  consensus_is_committing(&node->consensus, uv_now(&node->loop));

	__atomic_store_n(&node->committing, committing, __ATOMIC_RELAXED);
	if (node->net_open) {
		struct p2p_stats st;

		p2p_get_stats(node->net.p2p, &st);
		if (node_metrics_on_p2p(&node->nm, &st) != 0)
			log_write(&node->log, LOG_WARN, LOG_P2P, "cannot update the P2P metrics");
	}
}

static int start_net(struct node *node, char *err, size_t err_size)
{
	if (net_start(&node->net, node, err, err_size) != 0)
		return -1;
	node->net_open = true;
	return 0;
}

static int start_consensus(struct node *node, char *err, size_t err_size)
{
	if (consensus_start(&node->consensus, node, err, err_size) != 0)
		return -1;
	node->consensus_open = true;
	node->health_tick.data = node;
	if (uv_timer_init(&node->loop, &node->health_tick) != 0 ||
	    uv_timer_start(&node->health_tick, on_health_tick, 0, 500) != 0) {
		snprintf(err, err_size, "cannot start the health timer");
		return -1;
	}
	node->health_tick_open = true;
	return 0;
}

static int start_executor(struct node *node, char *err, size_t err_size)
{
	if (!node->has_provider_key)
		return 0;
	return executor_start(&node->executor, node, err, err_size);
}

static int start_rpc(struct node *node, char *err, size_t err_size)
{
	struct rpc_server_opts opts;
	const rpc_table_fn *tables;
	const struct rpc_method *methods;
	size_t n, num_tables;

	rpc_server_opts_default(&opts);
	if (rpc_server_opts_from_config(&opts, node->cfg, err, err_size) != 0)
		return -1;
	opts.datadir = &node->dd;
	opts.metrics = node->metrics;
	opts.log = &node->log;
	opts.health = node_health;
	opts.ctx = node;
	node->rpc = rpc_server_new(&opts, err, err_size);
	if (node->rpc == NULL)
		return -1;
	tables = rpc_tables_direct(&num_tables);
	for (size_t i = 0; i < num_tables; i++) {
		methods = tables[i](&n);
		if (rpc_server_add_methods(node->rpc, methods, n, node, err, err_size) != 0)
			return -1;
	}
	if (rpc_server_set_batch(node->rpc, "sendrawtransaction", node_rpc_send_batch, err,
				 err_size) != 0)
		return -1;
	tables = rpc_tables_parked(&num_tables);
	for (size_t i = 0; i < num_tables; i++) {
		methods = tables[i](&n);
		if (rpc_server_add_parked_methods(node->rpc, methods, n, node, err, err_size) != 0)
			return -1;
	}
	return rpc_server_start(node->rpc, err, err_size);
}

int node_start(struct node *node, const struct config *cfg, char *err, size_t err_size)
{
	memset(node, 0, sizeof(*node));
	node->cfg = cfg;
	node->network = config_network(cfg);
	if (start_datadir(node, err, err_size) != 0 || start_log(node, err, err_size) != 0 ||
	    start_pid_file(node, err, err_size) != 0 || start_keys(node, err, err_size) != 0 ||
	    start_store(node, err, err_size) != 0 || start_chain(node, err, err_size) != 0 ||
	    start_loop(node, err, err_size) != 0 || start_mempool(node, err, err_size) != 0 ||
	    start_calls(node, err, err_size) != 0 || start_metrics(node, err, err_size) != 0 ||
	    start_net(node, err, err_size) != 0 || start_consensus(node, err, err_size) != 0 ||
	    start_executor(node, err, err_size) != 0 || start_rpc(node, err, err_size) != 0) {
		if (node->log_open)
			log_write(&node->log, LOG_ERROR, LOG_MAIN, "start-up failed: %s", err);
		node_stop(node);
		return -1;
	}
	evidence_submit_start(node);
	log_write(&node->log, LOG_INFO, LOG_MAIN, "hearthd started");
	return 0;
}

int node_run(struct node *node, char *err, size_t err_size)
{
	while (!node->stop_requested) {
		int rc = uv_run(&node->loop, UV_RUN_DEFAULT);

		if (rc < 0) {
			snprintf(err, err_size, "event loop: %s", uv_strerror(rc));
			return -1;
		}
	}
	return 0;
}

static void close_loop(struct node *node)
{
	if (node->health_tick_open)
		uv_close((uv_handle_t *)&node->health_tick, NULL);
	executor_stop(node->executor);
	if (node->consensus_open)
		consensus_stop(&node->consensus);
	if (node->net_open)
		net_stop(&node->net);
	if (node->calls_open)
		loop_call_close(&node->calls);
	if (node->signals_open >= 1)
		uv_close((uv_handle_t *)&node->sig_int, NULL);
	if (node->signals_open >= 2)
		uv_close((uv_handle_t *)&node->sig_term, NULL);
	/* Let the close callbacks run, then the loop has nothing left. */
	if (uv_run(&node->loop, UV_RUN_DEFAULT) < 0 || uv_loop_close(&node->loop) != 0)
		log_write(&node->log, LOG_WARN, LOG_MAIN, "event loop did not close cleanly");
}

void node_stop(struct node *node)
{
	/* Release RPC threads waiting on the loop or for blocks before
	 * joining them. */
	if (node->calls_open)
		loop_call_shutdown(&node->calls);
	chain_watch_close(&node->watch);
	if (node->rpc != NULL) {
		rpc_server_free(node->rpc);
		node->rpc = NULL;
	}
	if (node->loop_open)
		close_loop(node);
	if (node->calls_open)
		loop_call_free(&node->calls);
	executor_free(node->executor);
	node->executor = NULL;
	chain_watch_free(&node->watch);
	metrics_free(node->metrics);
	node->metrics = NULL;
	if (node->mempool_open) {
		mempool_free(&node->mempool);
		txseen_free(&node->txseen);
	}
	if (node->chain_open)
		chain_close(&node->chain);
	if (node->store != NULL) {
		store_close(node->store);
		node->store = NULL;
		log_write(&node->log, LOG_INFO, LOG_STORE, "store closed");
	}
	if (node->has_validator_key)
		signer_wipe(&node->validator_key);
	if (node->has_provider_key)
		signer_wipe(&node->provider_key);
	if (node->has_node_key)
		signer_wipe(&node->node_key);
	if (node->pid_written && unlink(node->pid_path) != 0)
		log_write(&node->log, LOG_WARN, LOG_MAIN, "cannot remove %s: %s", node->pid_path,
			  strerror(errno));
	if (node->log_open) {
		log_write(&node->log, LOG_INFO, LOG_MAIN, "shutdown complete");
		log_close(&node->log);
	}
	if (node->dd_open)
		datadir_close(&node->dd);
	memset(node, 0, sizeof(*node));
}
