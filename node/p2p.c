/* p2p.c: the transport context of p2p.h: its creation and configuration,
 * the peer table, the hooks each peer reports to (ready with duplicate
 * connections resolved, closing, closed), sending and broadcasting, stats,
 * and an orderly close. Everything runs on the loop's thread; one
 * housekeeping timer drives timeouts, keepalive, dials and ban expiry from
 * uv_now. Listening is p2p_listen.c, dialing p2p_dial.c, message dispatch
 * p2p_dispatch.c, scoring and bans p2p_score.c. */
#include "node/p2p.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/p2p_internal.h"
#include "node/p2p_peer.h"
#include "proto/codec.h"

#define P2P_REQUESTS_MAX 1024 /* outstanding GetBlocks / GetPeers per peer */

void p2p_config_default(struct p2p_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->default_port = P2P_PORT_MAIN;
	cfg->max_inbound = 32;
	cfg->max_outbound = 8;
	cfg->max_frame = 4u << 20;
	cfg->max_send_queue = 16u << 20;
	cfg->handshake_timeout_ms = 10000;
	cfg->ping_interval_ms = 30000;
	cfg->ping_timeout_ms = 20000;
	cfg->tick_ms = 250;
	cfg->ban_threshold = 100;
	cfg->ban_duration_ms = 24ull * 3600 * 1000;
	cfg->max_bans = 4096;
	cfg->reconnect_min_ms = 1000;
	cfg->reconnect_max_ms = 60000;
}

void p2p_log(struct p2p *p2p, const char *fmt, ...)
{
	char line[320];
	va_list ap;

	if (p2p->cb.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p2p->cb.log(p2p->ctx, line);
}

struct p2p_peer *p2p_find_peer(const struct p2p *p2p, uint64_t id)
{
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		if (p->id == id && p->state != P2P_PEER_CLOSING)
			return p;
	return NULL;
}

size_t p2p_count_peers(const struct p2p *p2p, bool inbound)
{
	size_t n = 0;

	for (const struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		if (p->inbound == inbound && p->state != P2P_PEER_CLOSING)
			n++;
	return n;
}

static void handle_closed(struct p2p *p2p)
{
	void (*closed)(void *ctx);
	void *ctx;

	p2p->open_handles--;
	if (!p2p->closing || p2p->open_handles > 0)
		return;
	closed = p2p->cb.closed;
	ctx = p2p->ctx;
	p2p_banlist_free(&p2p->bans);
	free(p2p->dials);
	free(p2p);
	if (closed != NULL)
		closed(ctx);
}

void p2p_on_handle_closed(uv_handle_t *handle)
{
	handle_closed(handle->data);
}

/* ---------------------------------------------------------------- peer hooks */

/* The connection's initiator's node key. */
static const uint8_t *initiator_key(const struct p2p *p2p, const struct p2p_peer *peer)
{
	return peer->inbound ? peer->remote.node_key : p2p->cfg.node_key->pubkey;
}

/* Two connections to one node: both ends keep the one opened by the node
 * with the smaller key, so they agree without talking; same initiator: the
 * older one stays. Returns true when peer itself was closed. */
static bool resolve_duplicate(struct p2p *p2p, struct p2p_peer *peer)
{
	struct p2p_peer *other = NULL;
	int cmp;

	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next) {
		if (p != peer && p->state == P2P_PEER_READY &&
		    memcmp(p->remote.node_key, peer->remote.node_key, PUBKEY_SIZE) == 0) {
			other = p;
			break;
		}
	}
	if (other == NULL)
		return false;
	cmp = memcmp(initiator_key(p2p, peer), initiator_key(p2p, other), PUBKEY_SIZE);
	if (cmp < 0) {
		p2p_peer_close(other, "duplicate connection");
		return false;
	}
	p2p_peer_close(peer, "duplicate connection");
	return true;
}

static void send_get_peers(struct p2p_peer *peer)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__GetPeers get = HEARTH__GET_PEERS__INIT;

	get.max = P2P_PEERS_REPLY_MAX;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_GET_PEERS;
	msg.get_peers = &get;
	if (p2p_peer_send_msg(peer, &msg) == 0)
		peer->peers_requested++;
}

static void hook_ready(struct p2p_peer *peer)
{
	struct p2p *p2p = peer->owner;
	struct p2p_peer_info info;
	char key_hex[PUBKEY_SIZE * 2 + 1];

	if (resolve_duplicate(p2p, peer))
		return;
	if (peer->dial != 0) {
		struct p2p_dial *d = &p2p->dials[peer->dial - 1];

		d->failures = 0;
		if (d->flags & P2P_CONNECT_SEED)
			send_get_peers(peer);
		if (peer->state == P2P_PEER_CLOSING)
			return;
	}
	peer->ready_announced = true;
	sodium_bin2hex(key_hex, sizeof(key_hex), peer->remote.node_key, PUBKEY_SIZE);
	p2p_log(p2p, "connected peer=%llu addr=%s inbound=%d node_key=%s height=%llu",
		(unsigned long long)peer->id, peer->addr, peer->inbound ? 1 : 0, key_hex,
		(unsigned long long)peer->remote.best_height);
	if (p2p->cb.peer_connected != NULL) {
		p2p_peer_info(peer, &info);
		p2p->cb.peer_connected(p2p->ctx, peer->id, &info);
	}
}
static void hook_offence(struct p2p_peer *peer, enum p2p_offence offence, const char *detail)
{
	p2p_peer_offence(peer->owner, peer, offence, detail);
}

static void hook_closing(struct p2p_peer *peer, const char *reason)
{
	struct p2p *p2p = peer->owner;

	p2p_log(p2p, "disconnect peer=%llu addr=%s reason=%s", (unsigned long long)peer->id,
		peer->addr[0] ? peer->addr : "-", reason);
	if (peer->ready_announced && p2p->cb.peer_disconnected != NULL)
		p2p->cb.peer_disconnected(p2p->ctx, peer->id, reason);
}

static void hook_closed(struct p2p_peer *peer)
{
	struct p2p *p2p = peer->owner;
	struct p2p_peer **link = &p2p->peers;

	while (*link != NULL && *link != peer)
		link = &(*link)->next;
	if (*link == peer)
		*link = peer->next;
	p2p->closed_bytes_in += peer->bytes_in;
	p2p->closed_bytes_out += peer->bytes_out;
	if (peer->dial != 0) {
		struct p2p_dial *d = &p2p->dials[peer->dial - 1];

		d->peer_id = 0;
		if ((d->flags & P2P_CONNECT_PERSISTENT) && !p2p->closing && !peer->is_self) {
			d->failures++;
			d->next_ms = uv_now(p2p->loop) + p2p_backoff_ms(&p2p->cfg, d->failures);
		} else {
			d->used = false;
		}
	}
	p2p_peer_free(peer);
	handle_closed(p2p);
}

static const struct p2p_peer_hooks peer_hooks = {
	.ready = hook_ready,
	.message = p2p_hook_message,
	.offence = hook_offence,
	.closing = hook_closing,
	.closed = hook_closed,
};

/* ---------------------------------------------------------------- connections */

struct p2p_peer *p2p_add_peer(struct p2p *p2p, bool inbound)
{
	struct p2p_peer *peer = p2p_peer_new(p2p->loop, p2p, &peer_hooks, &p2p->limits,
					     &p2p->params, ++p2p->next_peer_id, inbound);

	if (peer == NULL)
		return NULL;
	p2p->open_handles++;
	peer->next = p2p->peers;
	p2p->peers = peer;
	return peer;
}

static void on_tick(uv_timer_t *timer)
{
	struct p2p *p2p = timer->data;
	uint64_t now = uv_now(p2p->loop);

	p2p_banlist_expire(&p2p->bans, now);
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		p2p_peer_tick(p, now);
	p2p_dial_due(p2p, now);
}

/* ---------------------------------------------------------------- public */

static bool config_valid(const struct p2p_config *cfg)
{
	size_t chain_len = cfg->chain_id ? strlen(cfg->chain_id) : 0;

	return chain_len > 0 && chain_len <= P2P_CHAIN_ID_MAX && cfg->node_key != NULL &&
	       cfg->max_frame >= P2P_HANDSHAKE_FRAME_MAX && cfg->max_frame <= P2P_FRAME_LIMIT &&
	       cfg->max_send_queue >= cfg->max_frame + P2P_FRAME_OVERHEAD && cfg->tick_ms > 0 &&
	       cfg->ban_threshold > 0 && cfg->handshake_timeout_ms > 0 &&
	       cfg->ping_interval_ms > 0 && cfg->ping_timeout_ms > 0 && cfg->reconnect_min_ms > 0 &&
	       cfg->reconnect_max_ms >= cfg->reconnect_min_ms;
}

int p2p_new(uv_loop_t *loop, const struct p2p_config *cfg, const struct p2p_callbacks *cb,
	    void *ctx, struct p2p **out)
{
	struct p2p *p2p;

	*out = NULL;
	if (!config_valid(cfg))
		return -1;
	p2p = calloc(1, sizeof(*p2p));
	if (p2p == NULL)
		return -1;
	p2p->loop = loop;
	p2p->cfg = *cfg;
	if (cb != NULL)
		p2p->cb = *cb;
	p2p->ctx = ctx;
	p2p->params.chain_id = cfg->chain_id;
	memcpy(p2p->params.genesis_hash, cfg->genesis_hash, HASH_SIZE);
	p2p->params.node_key = cfg->node_key;
	p2p->params.user_agent = cfg->user_agent;
	p2p->limits.max_frame = cfg->max_frame;
	p2p->limits.max_send_queue = cfg->max_send_queue;
	p2p->limits.handshake_timeout_ms = cfg->handshake_timeout_ms;
	p2p->limits.ping_interval_ms = cfg->ping_interval_ms;
	p2p->limits.ping_timeout_ms = cfg->ping_timeout_ms;
	p2p_banlist_init(&p2p->bans, cfg->max_bans);
	if (uv_timer_init(loop, &p2p->tick) != 0) {
		free(p2p);
		return -1;
	}
	p2p->tick.data = p2p;
	p2p->open_handles = 1;
	if (uv_timer_start(&p2p->tick, on_tick, cfg->tick_ms, cfg->tick_ms) != 0) {
		/* Freed by the close callback once the loop runs; the caller
		 * got -1, so it is not told. */
		p2p->cb.closed = NULL;
		p2p_close(p2p);
		return -1;
	}
	*out = p2p;
	return 0;
}

/* Counts a request whose answer becomes solicited. */
static void note_request(struct p2p_peer *peer, const Hearth__P2PMessage *msg)
{
	if (msg->msg_case == HEARTH__P2_PMESSAGE__MSG_GET_BLOCKS &&
	    peer->blocks_requested < P2P_REQUESTS_MAX)
		peer->blocks_requested++;
	if (msg->msg_case == HEARTH__P2_PMESSAGE__MSG_GET_PEERS &&
	    peer->peers_requested < P2P_REQUESTS_MAX)
		peer->peers_requested++;
}

int p2p_send(struct p2p *p2p, uint64_t peer_id, const Hearth__P2PMessage *msg)
{
	struct p2p_peer *peer = p2p_find_peer(p2p, peer_id);

	if (peer == NULL || peer->state != P2P_PEER_READY)
		return -1;
	if (p2p_peer_send_msg(peer, msg) != 0)
		return -1;
	note_request(peer, msg);
	return 0;
}

int p2p_broadcast(struct p2p *p2p, const Hearth__P2PMessage *msg, uint64_t except_peer_id)
{
	uint8_t *plain;
	size_t len;
	int sent = 0;

	if (codec_encode(&msg->base, &plain, &len) != CODEC_OK)
		return -1;
	if (len > p2p->cfg.max_frame) {
		free(plain);
		return -1;
	}
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next) {
		if (p->id == except_peer_id || p->state != P2P_PEER_READY)
			continue;
		if (p2p_peer_send(p, plain, len) == 0) {
			note_request(p, msg);
			sent++;
		}
	}
	free(plain);
	return sent;
}

void p2p_disconnect(struct p2p *p2p, uint64_t peer_id, const char *reason)
{
	struct p2p_peer *peer = p2p_find_peer(p2p, peer_id);

	if (peer != NULL)
		p2p_peer_close(peer, reason ? reason : "disconnected by the node");
}

void p2p_set_best_height(struct p2p *p2p, uint64_t height)
{
	p2p->params.best_height = height;
}

size_t p2p_peer_count(const struct p2p *p2p)
{
	size_t n = 0;

	for (const struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		if (p->state == P2P_PEER_READY)
			n++;
	return n;
}

void p2p_get_stats(const struct p2p *p2p, struct p2p_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->bytes_in = p2p->closed_bytes_in;
	st->bytes_out = p2p->closed_bytes_out;
	st->bans = p2p->bans_total;
	for (const struct p2p_peer *p = p2p->peers; p != NULL; p = p->next) {
		st->bytes_in += p->bytes_in;
		st->bytes_out += p->bytes_out;
		if (p->state == P2P_PEER_READY && p->inbound)
			st->inbound++;
		else if (p->state == P2P_PEER_READY)
			st->outbound++;
		else if (!p->inbound && p->state != P2P_PEER_CLOSING)
			st->outbound_pending++;
	}
}

size_t p2p_peer_list(const struct p2p *p2p, struct p2p_peer_info *out, size_t max)
{
	size_t n = 0;

	for (const struct p2p_peer *p = p2p->peers; p != NULL && n < max; p = p->next)
		if (p->state == P2P_PEER_READY)
			p2p_peer_info(p, &out[n++]);
	return n;
}

int p2p_peer_get(const struct p2p *p2p, uint64_t peer_id, struct p2p_peer_info *out)
{
	const struct p2p_peer *peer = p2p_find_peer(p2p, peer_id);

	if (peer == NULL || peer->state != P2P_PEER_READY)
		return -1;
	p2p_peer_info(peer, out);
	return 0;
}

void p2p_close(struct p2p *p2p)
{
	if (p2p->closing)
		return;
	p2p->closing = true;
	if (p2p->listener_state == LISTENER_OPEN) {
		p2p->listener_state = LISTENER_CLOSED;
		uv_close((uv_handle_t *)&p2p->listener, p2p_on_handle_closed);
	}
	uv_close((uv_handle_t *)&p2p->tick, p2p_on_handle_closed);
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		p2p_peer_close(p, "shutting down");
}
