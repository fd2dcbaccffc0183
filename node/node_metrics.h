/* node_metrics.h: the node's metric families besides the height and mempool
 * gauges of node.c and the RPC server's own (doc/rpc.md lists them all):
 * last block time, block interval, txs committed, consensus rounds per
 * height, and the P2P families (peers by direction, bytes in and out, bans),
 * brought up to date from the P2P layer's totals by node_metrics_on_p2p,
 * and the evidence txs this node sent. */
#ifndef HEARTH_NODE_NODE_METRICS_H
#define HEARTH_NODE_NODE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/block.h"
#include "node/metrics.h"
#include "node/p2p.h"

struct node_metrics {
	struct metric_family *last_block_time; /* gauge, unix seconds */
	struct metric_family *block_interval;  /* histogram, seconds */
	struct metric_family *txs_committed;   /* counter */
	struct metric_family *rounds;	       /* histogram, rounds to decide a height */
	struct metric_family *peers;	       /* gauge, label direction */
	struct metric_family *p2p_received;    /* counter, bytes */
	struct metric_family *p2p_sent;	       /* counter, bytes */
	struct metric_family *bans;	       /* counter */
	struct p2p_stats p2p_seen;	       /* the P2P totals already counted */
	struct metric_family *evidence;	       /* counter, label state: submitted, committed */
	struct metric_family *sig_checks;      /* counter, label path: rpc, worker, block */
};

/* Registers the families in m and sets the peers gauges of both directions
 * to 0. In: tip, the chain's tip at start (for the last block time).
 * Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int node_metrics_register(struct node_metrics *nm,
							      struct metrics *m,
							      const struct chain_tip *tip,
							      char *err, size_t err_size);

/* Records a commit: the new tip, the time of the previous tip's block, the
 * number of txs in the block and the round it was decided in.
 * Returns 0, or -1 when a series could not be updated. */
__attribute__((warn_unused_result)) int node_metrics_on_commit(struct node_metrics *nm,
							       const struct chain_tip *tip,
							       uint64_t prev_time_ms, size_t txs,
							       uint32_t round);

/* Counts one own evidence tx in state ("submitted" or "committed").
 * Returns 0, or -1 when the series could not be updated. */
__attribute__((warn_unused_result)) int node_metrics_on_evidence(struct node_metrics *nm,
								 const char *state);

/* Counts n tx signature checks done on path ("rpc", "worker", "block":
 * their series exist from node_metrics_register on, so adding to them
 * cannot fail). Any thread. */
void node_metrics_on_sig_checks(struct node_metrics *nm, const char *path, size_t n);

/* Sets the peers gauges from st and adds to the P2P counters what st's
 * totals gained since the last call.
 * Returns 0, or -1 when a series could not be updated. */
__attribute__((warn_unused_result)) int node_metrics_on_p2p(struct node_metrics *nm,
							    const struct p2p_stats *st);

#endif
