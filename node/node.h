/* node.h: the hearthd process as one object. struct node owns everything the
 * daemon runs with: its settings, data directory and lock, log, keys, store
 * and the libuv loop that owns all node state. node_start sets them up in
 * order and undoes what it did when a step fails; node_run runs the loop
 * until SIGINT or SIGTERM; node_stop shuts down in reverse order (flushing
 * and closing the store last). Later parts (mempool, p2p, consensus driver,
 * RPC, executor) hang off this struct and are started and stopped here. */
#ifndef HEARTH_NODE_NODE_H
#define HEARTH_NODE_NODE_H

#include <stdbool.h>

#include <uv.h>

#include "consensus/crypto.h"
#include "node/chain.h"
#include "node/chain_watch.h"
#include "node/config.h"
#include "node/consensus.h"
#include "node/executor.h"
#include "node/datadir.h"
#include "node/evidence_report.h"
#include "node/log.h"
#include "node/loop_call.h"
#include "node/mempool.h"
#include "node/net.h"
#include "node/metrics.h"
#include "node/node_metrics.h"
#include "node/rpc_server.h"
#include "node/store.h"
#include "node/txseen.h"

#define NODE_ERROR_MAX 512

struct node {
	const struct config *cfg;
	const char *network; /* "main", "test" or "dev" */
	struct datadir dd;
	bool dd_open;
	struct log log;
	bool log_open;
	char pid_path[DATADIR_PATH_MAX + 64];
	bool pid_written;
	struct signer node_key;
	bool has_node_key;
	struct signer validator_key;
	bool has_validator_key;
	struct signer provider_key; /* -provider: signs the executor's receipts */
	bool has_provider_key;
	struct store *store;
	struct chain chain;
	bool chain_open;
	struct mempool mempool;
	bool mempool_open;
	struct txseen txseen; /* recent tx ids: asked, verified, committed */
	struct loop_call calls;
	bool calls_open;
	struct metrics *metrics;
	struct metric_family *m_height, *m_pool_txs, *m_pool_bytes;
	struct node_metrics nm;
	struct chain_watch watch; /* wakes waitforblock and waitfortx */
	struct rpc_server *rpc;
	struct net net;
	bool net_open;
	struct consensus consensus;
	bool consensus_open;
	struct executor *executor; /* -provider: runs the provider's leases */
	uv_timer_t health_tick;
	bool health_tick_open;
	bool committing; /* written by the loop, read by /health (atomics) */
	uv_loop_t loop;
	bool loop_open;
	uv_signal_t sig_int, sig_term;
	int signals_open;
	bool stop_requested;
	struct evidence_report evidence; /* double signing reported (evidence_submit.c) */
};

/* The base data directory the settings select: -datadir or ~/.hearth.
 * Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int node_base_dir(const struct config *cfg, char *out,
						      size_t out_size, char *err, size_t err_size);

/* Sets the node up from cfg (which must outlive it).
 * Out: node; err: one line naming the failed step.
 * Returns 0, or -1 after undoing every step already done. */
__attribute__((warn_unused_result)) int node_start(struct node *node, const struct config *cfg,
						   char *err, size_t err_size);

/* Runs the loop until SIGINT or SIGTERM. Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int node_run(struct node *node, char *err, size_t err_size);

/* Opens the mempool over the chain's state with limits, with the table of
 * recent tx ids, and makes both the ledger's verified-signature cache
 * (sigcache.h). node_start does it from the config; a harness that builds
 * a node by hand (tests/fuzz/fuzz_rpc_node.c) calls it itself.
 * Returns 0, or -1 with err (out of memory). */
__attribute__((warn_unused_result)) int node_open_mempool(struct node *node,
							  const struct mempool_limits *limits,
							  char *err, size_t err_size);

/* Sets the height and mempool gauges from the loop thread's state. */
void node_update_gauges(struct node *node);

/* On the loop thread, once a block is committed and the store shows it:
 * updates the metrics and wakes the RPC calls waiting for blocks.
 * In: prev_time_ms, the time of the previous tip's block; txs in the block;
 * round it was decided in. */
void node_on_commit(struct node *node, uint64_t prev_time_ms, size_t txs, uint32_t round);

/* Shuts down everything node_start set up, in reverse order. */
void node_stop(struct node *node);

#endif
