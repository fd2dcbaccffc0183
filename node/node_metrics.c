/* node_metrics.c: registering and updating the families of node_metrics.h. */
#include "node/node_metrics.h"

#include <stdio.h>
#include <string.h>

static const double interval_buckets[] = { 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300 };
static const double round_buckets[] = { 1, 2, 3, 4, 6, 8, 12, 16, 32 };
static const char *const direction_label[] = { "direction" };
static const char *const state_label[] = { "state" };
static const char *const path_label[] = { "path" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct metric_family *plain(struct metrics *m, enum metric_type type, const char *name,
				   const char *help, char *err, size_t err_size)
{
	return metrics_register(m, type, name, help, NULL, 0, NULL, 0, err, err_size);
}

static int evidence_add(struct node_metrics *nm, const char *state, double n)
{
	const char *const values[] = { state };

	return metrics_counter_add(nm->evidence, values, n);
}

static int sig_checks_add(struct node_metrics *nm, const char *path, size_t n)
{
	const char *const values[] = { path };

	return metrics_counter_add(nm->sig_checks, values, (double)n);
}

int node_metrics_register(struct node_metrics *nm, struct metrics *m, const struct chain_tip *tip,
			  char *err, size_t err_size)
{
	static const char *const inbound[] = { "inbound" }, *const outbound[] = { "outbound" };

	nm->last_block_time =
		plain(m, METRIC_GAUGE, "hearth_chain_last_block_timestamp_seconds",
		      "time in the header of the last committed block (unix)", err, err_size);
	nm->block_interval =
		metrics_register(m, METRIC_HISTOGRAM, "hearth_chain_block_interval_seconds",
				 "time between the headers of consecutive committed blocks", NULL,
				 0, interval_buckets, N(interval_buckets), err, err_size);
	nm->txs_committed = plain(m, METRIC_COUNTER, "hearth_chain_txs_committed_total",
				  "txs in blocks committed since start", err, err_size);
	nm->rounds = metrics_register(m, METRIC_HISTOGRAM, "hearth_consensus_rounds",
				      "rounds it took to decide a height (1: the first round)",
				      NULL, 0, round_buckets, N(round_buckets), err, err_size);
	nm->peers = metrics_register(m, METRIC_GAUGE, "hearth_p2p_peers",
				     "connected peers, by direction", direction_label, 1, NULL, 0,
				     err, err_size);
	nm->p2p_received = plain(m, METRIC_COUNTER, "hearth_p2p_received_bytes_total",
				 "bytes received from peers", err, err_size);
	nm->p2p_sent = plain(m, METRIC_COUNTER, "hearth_p2p_sent_bytes_total",
			     "bytes sent to peers", err, err_size);
	nm->bans = plain(m, METRIC_COUNTER, "hearth_p2p_bans_total", "peers banned since start",
			 err, err_size);
	nm->evidence = metrics_register(m, METRIC_COUNTER, "hearth_evidence_total",
					"evidence txs this node sent, by state", state_label, 1,
					NULL, 0, err, err_size);
	nm->sig_checks =
		metrics_register(m, METRIC_COUNTER, "hearth_tx_sig_checks_total",
				 "tx signatures checked, by where: rpc (sent to this node), "
				 "worker (on the worker pool: txs from peers, a proposal's txs), "
				 "block (while applying a block)",
				 path_label, 1, NULL, 0, err, err_size);
	memset(&nm->p2p_seen, 0, sizeof(nm->p2p_seen));
	if (nm->sig_checks == NULL || nm->last_block_time == NULL || nm->block_interval == NULL ||
	    nm->txs_committed == NULL || nm->rounds == NULL || nm->peers == NULL ||
	    nm->p2p_received == NULL || nm->p2p_sent == NULL || nm->bans == NULL ||
	    nm->evidence == NULL)
		return -1;
	if (metrics_gauge_set(nm->peers, inbound, 0) != 0 ||
	    metrics_gauge_set(nm->peers, outbound, 0) != 0 ||
	    metrics_gauge_set(nm->last_block_time, NULL, (double)tip->time_ms / 1000) != 0 ||
	    evidence_add(nm, "submitted", 0) != 0 || evidence_add(nm, "committed", 0) != 0 ||
	    sig_checks_add(nm, "rpc", 0) != 0 || sig_checks_add(nm, "worker", 0) != 0 ||
	    sig_checks_add(nm, "block", 0) != 0) {
		snprintf(err, err_size, "cannot set the node's metrics");
		return -1;
	}
	return 0;
}

int node_metrics_on_commit(struct node_metrics *nm, const struct chain_tip *tip,
			   uint64_t prev_time_ms, size_t txs, uint32_t round)
{
	double interval =
		tip->time_ms > prev_time_ms ? (double)(tip->time_ms - prev_time_ms) / 1000 : 0;

	if (nm->last_block_time == NULL)
		return 0; /* no registry */
	if (metrics_gauge_set(nm->last_block_time, NULL, (double)tip->time_ms / 1000) != 0 ||
	    metrics_histogram_observe(nm->block_interval, NULL, interval) != 0 ||
	    metrics_counter_add(nm->txs_committed, NULL, (double)txs) != 0 ||
	    metrics_histogram_observe(nm->rounds, NULL, (double)round + 1) != 0)
		return -1;
	return 0;
}

/* What a cumulative total gained since it was last seen (0 if it went back,
 * which a total never does). */
static double gained(uint64_t now, uint64_t seen)
{
	return now > seen ? (double)(now - seen) : 0;
}

int node_metrics_on_p2p(struct node_metrics *nm, const struct p2p_stats *st)
{
	static const char *const inbound[] = { "inbound" }, *const outbound[] = { "outbound" };

	if (nm->peers == NULL)
		return 0; /* no registry */
	if (metrics_gauge_set(nm->peers, inbound, (double)st->inbound) != 0 ||
	    metrics_gauge_set(nm->peers, outbound, (double)st->outbound) != 0 ||
	    metrics_counter_add(nm->p2p_received, NULL,
				gained(st->bytes_in, nm->p2p_seen.bytes_in)) != 0 ||
	    metrics_counter_add(nm->p2p_sent, NULL,
				gained(st->bytes_out, nm->p2p_seen.bytes_out)) != 0 ||
	    metrics_counter_add(nm->bans, NULL, gained(st->bans, nm->p2p_seen.bans)) != 0)
		return -1;
	nm->p2p_seen = *st;
	return 0;
}

int node_metrics_on_evidence(struct node_metrics *nm, const char *state)
{
	if (nm->evidence == NULL)
		return 0; /* no registry */
	return evidence_add(nm, state, 1);
}

void node_metrics_on_sig_checks(struct node_metrics *nm, const char *path, size_t n)
{
	if (nm->sig_checks != NULL) /* else no registry */
		(void)sig_checks_add(nm, path, n);
}
