/* net.c: start and stop of the network layer, the P2P options, the
 * transport's callbacks (handed on to net_consensus.c, net_sync.c and
 * net_tx.c, net_gossip.c) and the tick timer that drives block sync (vote
 * gossip has its own, faster one). */
#include "node/net.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/net_book.h"
#include "node/net_internal.h"
#include "node/node.h"

#define NET_USER_AGENT "hearthd/0.1.0"
/* Default period of the tick (Status messages and sync). */
#define NET_TICK_MS 500

void net_log(struct net *net, bool verbose, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_write(&net->node->log, verbose ? LOG_INFO : LOG_DEBUG, LOG_P2P, "%s", line);
}

void net_send(struct net *net, uint64_t peer_id, const Hearth__P2PMessage *msg, uint64_t except)
{
	if (net->p2p == NULL || net->closing)
		return;
	if (peer_id != 0) {
		if (p2p_send(net->p2p, peer_id, msg) != 0)
			net_log(net, false, "cannot send message=%d peer=%llu", (int)msg->msg_case,
				(unsigned long long)peer_id);
	} else if (p2p_broadcast(net->p2p, msg, except) < 0) {
		net_log(net, true, "cannot broadcast message=%d", (int)msg->msg_case);
	}
}

/* ------------------------------------------------------------ callbacks */

static void on_peer_connected(void *ctx, uint64_t peer_id, const struct p2p_peer_info *info)
{
	struct net *net = ctx;

	net_log(net, false, "peer connected peer=%llu addr=%s inbound=%d height=%llu",
		(unsigned long long)peer_id, info->addr, info->inbound ? 1 : 0,
		(unsigned long long)info->best_height);
	net_sync_send_status(net, peer_id);
	net_gossip_peer_up(net, peer_id);
	net_sync_tick(net);
	net_book_peer_up(net, peer_id, info);
}

static void on_peer_disconnected(void *ctx, uint64_t peer_id, const char *reason)
{
	struct net *net = ctx;

	net_log(net, true, "peer disconnected peer=%llu reason=%s", (unsigned long long)peer_id,
		reason);
	net_sync_peer_down(net, peer_id);
	net_gossip_peer_down(net, peer_id);
}

static void on_status(void *ctx, uint64_t peer_id, const Hearth__Status *msg)
{
	net_sync_on_status(ctx, peer_id, msg);
}

static void on_tx(void *ctx, uint64_t peer_id, const Hearth__Tx *msg)
{
	net_tx_on_tx(ctx, peer_id, msg);
}

static void on_tx_ids(void *ctx, uint64_t peer_id, const Hearth__TxIds *msg)
{
	net_tx_on_ids(ctx, peer_id, msg);
}

static void on_get_txs(void *ctx, uint64_t peer_id, const Hearth__TxIds *msg)
{
	net_tx_on_get(ctx, peer_id, msg);
}

static void on_proposal(void *ctx, uint64_t peer_id, const Hearth__Proposal *msg)
{
	net_consensus_on_proposal(ctx, peer_id, msg);
}

static void on_vote(void *ctx, uint64_t peer_id, const Hearth__Vote *msg)
{
	net_consensus_on_vote(ctx, peer_id, msg);
}

static void on_round_state(void *ctx, uint64_t peer_id, const Hearth__RoundState *msg)
{
	net_gossip_on_round_state(ctx, peer_id, msg);
}

static void on_get_blocks(void *ctx, uint64_t peer_id, const Hearth__GetBlocks *msg)
{
	net_sync_on_get_blocks(ctx, peer_id, msg);
}

static void on_blocks(void *ctx, uint64_t peer_id, const Hearth__Blocks *msg)
{
	net_sync_on_blocks(ctx, peer_id, msg);
}

/* A Peers answer: into the address book (net_book.c). Not with -connect,
 * which means only those peers. */
static void on_peers(void *ctx, uint64_t peer_id, const Hearth__Peers *msg)
{
	net_book_on_peers(ctx, peer_id, msg);
}

static void on_p2p_log(void *ctx, const char *line)
{
	net_log(ctx, true, "%s", line);
}

static void on_closed(void *ctx)
{
	struct net *net = ctx;

	net->p2p = NULL;
}

static const struct p2p_callbacks callbacks = {
	.peer_connected = on_peer_connected,
	.peer_disconnected = on_peer_disconnected,
	.status = on_status,
	.tx = on_tx,
	.proposal = on_proposal,
	.vote = on_vote,
	.get_blocks = on_get_blocks,
	.blocks = on_blocks,
	.peers = on_peers,
	.known_addresses = net_book_known_addresses,
	.tx_ids = on_tx_ids,
	.get_txs = on_get_txs,
	.round_state = on_round_state,
	.log = on_p2p_log,
	.closed = on_closed,
};

static void on_tick(uv_timer_t *handle)
{
	struct net *net = handle->data;

	if (net->p2p == NULL || net->closing)
		return;
	net_sync_send_status(net, 0);
	net_sync_tick(net);
	net_book_tick(net);
}

/* ------------------------------------------------------------ options */

static void config_from_node(const struct node *node, struct p2p_config *pc)
{
	const struct config *cfg = node->cfg;
	bool dev = strcmp(node->network, "dev") == 0;
	int64_t maxconn = config_get_int(cfg, "maxconnections", 40);
	int64_t out = config_get_int(cfg, "maxoutbound", maxconn < 8 ? maxconn : 8);
	int64_t in = config_get_int(cfg, "maxinbound", maxconn > out ? maxconn - out : 0);

	p2p_config_default(pc);
	pc->chain_id = node->chain.genesis.chain_id;
	memcpy(pc->genesis_hash, node->chain.genesis.hash, HASH_SIZE);
	pc->node_key = &node->node_key;
	pc->user_agent = NET_USER_AGENT;
	pc->default_port = dev ? P2P_PORT_DEV : P2P_PORT_MAIN;
	pc->max_outbound = (uint32_t)out;
	pc->max_inbound = (uint32_t)in;
	/* A Blocks answer carries at least one whole block. */
	if (pc->max_frame < node->chain.genesis.params.max_block_bytes + (1u << 20)) {
		pc->max_frame = node->chain.genesis.params.max_block_bytes + (1u << 20);
		if (pc->max_send_queue < 4 * pc->max_frame)
			pc->max_send_queue = 4 * pc->max_frame;
	}
	pc->ban_duration_ms = (uint64_t)config_get_int(cfg, "bantime", 86400) * 1000;
}

static int add_whitelist(struct net *net, char *err, size_t err_size)
{
	const char *values[P2P_NOBAN_MAX + 1];
	size_t n = config_get_list(net->node->cfg, "whitelist", values, P2P_NOBAN_MAX + 1);

	if (n > P2P_NOBAN_MAX) {
		snprintf(err, err_size, "at most %d -whitelist addresses", P2P_NOBAN_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (p2p_noban_add(net->p2p, values[i]) != 0) {
			snprintf(err, err_size, "-whitelist=%s: not a numeric IP address",
				 values[i]);
			return -1;
		}
	}
	return 0;
}

static int start_listen(struct net *net, char *err, size_t err_size)
{
	const struct config *cfg = net->node->cfg;
	bool dev = strcmp(net->node->network, "dev") == 0;
	const char *bind = config_get(cfg, "bind");
	uint16_t port = (uint16_t)config_get_int(cfg, "port", dev ? P2P_PORT_DEV : P2P_PORT_MAIN);
	int rc;

	if (!config_get_bool(cfg, "listen", true))
		return 0;
	rc = p2p_listen(net->p2p, bind != NULL ? bind : "0.0.0.0", port);
	if (rc != 0) {
		snprintf(err, err_size, "cannot listen for peers on %s port %u: %s",
			 bind != NULL ? bind : "0.0.0.0", port, uv_strerror(rc));
		return -1;
	}
	return 0;
}

/* Dials the list key name with flags. */
static int dial_list(struct net *net, const char *name, unsigned flags, char *err, size_t err_size)
{
	const char *values[256];
	size_t n = config_get_list(net->node->cfg, name, values, 256);

	for (size_t i = 0; i < n; i++) {
		if (p2p_connect(net->p2p, values[i], flags) != 0) {
			snprintf(err, err_size, "-%s=%s: not a numeric address (ip:port)", name,
				 values[i]);
			return -1;
		}
	}
	return 0;
}

static int start_dials(struct net *net, char *err, size_t err_size)
{
	const char *one;

	/* -connect: only these peers (bitcoind: no other outbound peers). */
	if (config_get_list(net->node->cfg, "connect", &one, 1) > 0) {
		net->connect_only = true;
		return dial_list(net, "connect", P2P_CONNECT_PERSISTENT, err, err_size);
	}
	if (dial_list(net, "addnode", P2P_CONNECT_PERSISTENT, err, err_size) != 0 ||
	    dial_list(net, "seednode", P2P_CONNECT_SEED, err, err_size) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ start and stop */

int net_start(struct net *net, struct node *node, char *err, size_t err_size)
{
	struct p2p_config pc;

	memset(net, 0, sizeof(*net));
	net->node = node;
	net->tick_ms = NET_TICK_MS;
	config_from_node(node, &pc);
	net->max_outbound = pc.max_outbound;
	if (p2p_new(&node->loop, &pc, &callbacks, net, &net->p2p) != 0) {
		snprintf(err, err_size, "cannot start the P2P transport (check the P2P options)");
		return -1;
	}
	net_book_start(net);
	p2p_set_best_height(net->p2p, node->chain.tip.height);
	if (txverify_init(&net->txv, &node->loop, node->chain.ledger.cfg.chain_id,
			  &node->chain.ledger.cfg.params, net_tx_on_verified, net) != 0) {
		snprintf(err, err_size, "cannot start the tx verification queue");
		net_stop(net);
		return -1;
	}
	net->txv_open = true;
	if (add_whitelist(net, err, err_size) != 0 || start_listen(net, err, err_size) != 0 ||
	    start_dials(net, err, err_size) != 0) {
		net_stop(net);
		return -1;
	}
	net->tick.data = net;
	if (uv_timer_init(&node->loop, &net->tick) != 0) {
		snprintf(err, err_size, "cannot start the P2P timer");
		net_stop(net);
		return -1;
	}
	net->tick_open = true;
	if (uv_timer_start(&net->tick, on_tick, net->tick_ms, net->tick_ms) != 0) {
		snprintf(err, err_size, "cannot start the P2P timer");
		net_stop(net);
		return -1;
	}
	if (net_gossip_start(net, err, err_size) != 0) {
		net_stop(net);
		return -1;
	}
	return 0;
}

void net_stop(struct net *net)
{
	net_book_stop(net);
	net->closing = true;
	if (net->tick_open)
		uv_close((uv_handle_t *)&net->tick, NULL);
	net->tick_open = false;
	if (net->p2p != NULL)
		p2p_close(net->p2p);
	net_gossip_stop(net);
	if (net->txv_open)
		txverify_close(&net->txv);
	net->txv_open = false;
}

void net_on_commit(struct net *net)
{
	if (net->p2p == NULL || net->closing)
		return;
	p2p_set_best_height(net->p2p, net->node->chain.tip.height);
	net_sync_send_status(net, 0);
	net_gossip_update_position(net);
	net_tx_retry(net);
}
