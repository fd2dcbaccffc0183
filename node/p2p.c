/* p2p.c: the transport context of p2p.h: listening, dialing with backoff,
 * the peer table, limits, duplicate connections, dispatch of decoded
 * messages to the node, scoring and bans, and an orderly close. Everything
 * runs on the loop's thread; one housekeeping timer drives timeouts,
 * keepalive, dials and ban expiry from uv_now. */
#include "node/p2p.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/p2p_peer.h"
#include "proto/codec.h"

#define P2P_DIALS_MAX	    1024
#define P2P_PEERS_REPLY_MAX 64
#define P2P_REQUESTS_MAX    1024 /* outstanding GetBlocks / GetPeers per peer */
/* A peer's GetPeers is answered at most this often; sooner ones are ignored. */
#define P2P_GET_PEERS_INTERVAL_MS 60000

/* An address this node dials. */
struct p2p_dial {
	bool used;
	unsigned flags;
	struct sockaddr_storage addr;
	char ip[P2P_IP_MAX];
	uint16_t port;
	uint64_t peer_id; /* the connection in progress or up, 0 for none */
	uint32_t failures;
	uint64_t next_ms;
};

enum listener_state {
	LISTENER_NONE,
	LISTENER_OPEN,
	LISTENER_CLOSED,
};

struct p2p {
	uv_loop_t *loop;
	struct p2p_config cfg;
	struct p2p_callbacks cb;
	void *ctx;
	struct p2p_hs_params params;
	struct p2p_peer_limits limits;
	uv_tcp_t listener;
	enum listener_state listener_state;
	uint16_t listen_port;
	uv_timer_t tick;
	struct p2p_peer *peers; /* every connection, closing ones too, until closed */
	uint64_t next_peer_id;
	struct p2p_dial *dials;
	size_t num_dials; /* slots, used or not */
	struct p2p_banlist bans;
	char noban[P2P_NOBAN_MAX][P2P_IP_MAX];
	size_t num_noban;
	bool closing;
	unsigned open_handles;
	uint64_t closed_bytes_in, closed_bytes_out; /* of connections already freed */
	uint64_t bans_total;
};

int p2p_offence_points(enum p2p_offence offence)
{
	switch (offence) {
	case P2P_OFFENCE_BAD_HANDSHAKE:
	case P2P_OFFENCE_BAD_FRAME:
	case P2P_OFFENCE_OVERSIZE:
	case P2P_OFFENCE_UNDECODABLE:
	case P2P_OFFENCE_PROTOCOL:
	case P2P_OFFENCE_INVALID_SIGNATURE:
	case P2P_OFFENCE_INVALID_BLOCK:
		return 100;
	case P2P_OFFENCE_UNSOLICITED:
		return 20;
	case P2P_OFFENCE_INVALID_TX:
		return 10;
	}
	return 100;
}

const char *p2p_offence_name(enum p2p_offence offence)
{
	switch (offence) {
	case P2P_OFFENCE_BAD_HANDSHAKE:
		return "bad-handshake";
	case P2P_OFFENCE_BAD_FRAME:
		return "bad-frame";
	case P2P_OFFENCE_OVERSIZE:
		return "oversize";
	case P2P_OFFENCE_UNDECODABLE:
		return "undecodable";
	case P2P_OFFENCE_PROTOCOL:
		return "protocol";
	case P2P_OFFENCE_UNSOLICITED:
		return "unsolicited";
	case P2P_OFFENCE_INVALID_TX:
		return "invalid-tx";
	case P2P_OFFENCE_INVALID_SIGNATURE:
		return "invalid-signature";
	case P2P_OFFENCE_INVALID_BLOCK:
		return "invalid-block";
	}
	return "unknown";
}

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

__attribute__((format(printf, 2, 3))) static void p2p_log(struct p2p *p2p, const char *fmt, ...)
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

static struct p2p_peer *find_peer(const struct p2p *p2p, uint64_t id)
{
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		if (p->id == id && p->state != P2P_PEER_CLOSING)
			return p;
	return NULL;
}

static size_t count_peers(const struct p2p *p2p, bool inbound)
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

static void on_handle_closed(uv_handle_t *handle)
{
	handle_closed(handle->data);
}

/* ---------------------------------------------------------------- scoring */

static bool is_noban(const struct p2p *p2p, const char *ip)
{
	for (size_t i = 0; i < p2p->num_noban; i++)
		if (strcmp(p2p->noban[i], ip) == 0)
			return true;
	return false;
}

static uint64_t ban_until(const struct p2p *p2p, uint64_t duration_ms)
{
	uint64_t now = uv_now(p2p->loop);

	return duration_ms > UINT64_MAX - now ? UINT64_MAX : now + duration_ms;
}

static bool peer_offence(struct p2p *p2p, struct p2p_peer *peer, enum p2p_offence offence,
			 const char *detail)
{
	int points = p2p_offence_points(offence);
	char reason[P2P_BAN_REASON_MAX];

	peer->score = peer->score > INT32_MAX - points ? INT32_MAX : peer->score + points;
	p2p_log(p2p, "misbehaving peer=%llu ip=%s offence=%s points=%d score=%d detail=%s",
		(unsigned long long)peer->id, peer->ip, p2p_offence_name(offence), points,
		peer->score, detail ? detail : "");
	if (peer->score < p2p->cfg.ban_threshold)
		return false;
	snprintf(reason, sizeof(reason), "%s: %s", p2p_offence_name(offence), detail ? detail : "");
	if (is_noban(p2p, peer->ip))
		p2p_log(p2p, "not banning noban ip=%s reason=%s", peer->ip, reason);
	else if (p2p_banlist_add(&p2p->bans, peer->ip, ban_until(p2p, p2p->cfg.ban_duration_ms),
				 reason) != 0)
		p2p_log(p2p, "ban failed ip=%s", peer->ip);
	else {
		p2p->bans_total++;
		p2p_log(p2p, "banned ip=%s for_ms=%llu reason=%s", peer->ip,
			(unsigned long long)p2p->cfg.ban_duration_ms, reason);
	}
	p2p_peer_close(peer, reason);
	return true;
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

/* True when out[0..n) already holds ip:port. */
static bool reply_has(const Hearth__PeerAddress *out, size_t n, const char *ip, uint32_t port)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].port == port && strcmp(out[i].host, ip) == 0)
			return true;
	return false;
}

/* Appends the node's known addresses to addrs[0..*n), up to max, but not
 * the asking peer's own. known holds their texts. */
static void add_known(struct p2p *p2p, const struct p2p_peer *peer, Hearth__PeerAddress *addrs,
		      struct p2p_known_addr *known, size_t *n, size_t max)
{
	uint32_t own_port = peer->inbound ? peer->remote.listen_port : peer->port;
	size_t room = max - *n, got;

	if (p2p->cb.known_addresses == NULL || *n >= max)
		return;
	got = p2p->cb.known_addresses(p2p->ctx, known, room);
	for (size_t i = 0; i < got && i < room && *n < max; i++) {
		known[i].ip[P2P_IP_MAX - 1] = '\0';
		if (known[i].port == 0 || reply_has(addrs, *n, known[i].ip, known[i].port) ||
		    (known[i].port == own_port && strcmp(known[i].ip, peer->ip) == 0))
			continue;
		hearth__peer_address__init(&addrs[*n]);
		addrs[*n].host = known[i].ip;
		addrs[*n].port = known[i].port;
		(*n)++;
	}
}

/* Answers GetPeers with the addresses of other authenticated peers that
 * accept connections, then the ones the node knows (its address book). */
static void answer_get_peers(struct p2p *p2p, struct p2p_peer *peer, const Hearth__GetPeers *get)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Peers reply = HEARTH__PEERS__INIT;
	Hearth__PeerAddress addrs[P2P_PEERS_REPLY_MAX];
	Hearth__PeerAddress *ptrs[P2P_PEERS_REPLY_MAX];
	struct p2p_known_addr known[P2P_PEERS_REPLY_MAX];
	size_t max = get->max < P2P_PEERS_REPLY_MAX ? get->max : P2P_PEERS_REPLY_MAX;
	size_t n = 0;
	uint64_t now = uv_now(p2p->loop);

	if (peer->peers_answered_ms != 0 &&
	    now - peer->peers_answered_ms < P2P_GET_PEERS_INTERVAL_MS)
		return;
	peer->peers_answered_ms = now > 0 ? now : 1;
	for (struct p2p_peer *p = p2p->peers; p != NULL && n < max; p = p->next) {
		uint32_t port = p->inbound ? p->remote.listen_port : p->port;

		if (p == peer || p->state != P2P_PEER_READY || port == 0)
			continue;
		hearth__peer_address__init(&addrs[n]);
		addrs[n].host = p->ip;
		addrs[n].port = port;
		n++;
	}
	add_known(p2p, peer, addrs, known, &n, max);
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &addrs[i];
	reply.n_peers = n;
	reply.peers = n > 0 ? ptrs : NULL;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_PEERS;
	msg.peers = &reply;
	if (p2p_peer_send_msg(peer, &msg) != 0)
		p2p_log(p2p, "cannot answer get_peers peer=%llu", (unsigned long long)peer->id);
}

static void hook_message(struct p2p_peer *peer, const Hearth__P2PMessage *msg)
{
	struct p2p *p2p = peer->owner;
	const struct p2p_callbacks *cb = &p2p->cb;
	void *ctx = p2p->ctx;

	switch (msg->msg_case) {
	case HEARTH__P2_PMESSAGE__MSG_STATUS:
		peer->remote.best_height = msg->status->best_height;
		if (cb->status != NULL)
			cb->status(ctx, peer->id, msg->status);
		break;
	case HEARTH__P2_PMESSAGE__MSG_TX:
		if (cb->tx != NULL)
			cb->tx(ctx, peer->id, msg->tx);
		break;
	case HEARTH__P2_PMESSAGE__MSG_PROPOSAL:
		if (cb->proposal != NULL)
			cb->proposal(ctx, peer->id, msg->proposal);
		break;
	case HEARTH__P2_PMESSAGE__MSG_VOTE:
		if (cb->vote != NULL)
			cb->vote(ctx, peer->id, msg->vote);
		break;
	case HEARTH__P2_PMESSAGE__MSG_GET_BLOCKS:
		if (cb->get_blocks != NULL)
			cb->get_blocks(ctx, peer->id, msg->get_blocks);
		break;
	case HEARTH__P2_PMESSAGE__MSG_BLOCKS:
		if (peer->blocks_requested == 0) {
			peer_offence(p2p, peer, P2P_OFFENCE_UNSOLICITED, "blocks not requested");
			break;
		}
		peer->blocks_requested--;
		if (cb->blocks != NULL)
			cb->blocks(ctx, peer->id, msg->blocks);
		break;
	case HEARTH__P2_PMESSAGE__MSG_GET_PEERS:
		answer_get_peers(p2p, peer, msg->get_peers);
		break;
	case HEARTH__P2_PMESSAGE__MSG_PEERS:
		if (peer->peers_requested == 0) {
			peer_offence(p2p, peer, P2P_OFFENCE_UNSOLICITED, "peers not requested");
			break;
		}
		peer->peers_requested--;
		if (cb->peers != NULL)
			cb->peers(ctx, peer->id, msg->peers);
		if (peer->dial != 0 && (p2p->dials[peer->dial - 1].flags & P2P_CONNECT_SEED))
			p2p_peer_close(peer, "seed done");
		break;
	case HEARTH__P2_PMESSAGE__MSG_EVIDENCE:
		if (cb->evidence != NULL)
			cb->evidence(ctx, peer->id, msg->evidence);
		break;
	case HEARTH__P2_PMESSAGE__MSG_TX_IDS:
		if (cb->tx_ids != NULL)
			cb->tx_ids(ctx, peer->id, msg->tx_ids);
		break;
	case HEARTH__P2_PMESSAGE__MSG_GET_TXS:
		if (cb->get_txs != NULL)
			cb->get_txs(ctx, peer->id, msg->get_txs);
		break;
	case HEARTH__P2_PMESSAGE__MSG_ROUND_STATE:
		if (cb->round_state != NULL)
			cb->round_state(ctx, peer->id, msg->round_state);
		break;
	case HEARTH__P2_PMESSAGE__MSG_PING:
	case HEARTH__P2_PMESSAGE__MSG_PONG:
	case HEARTH__P2_PMESSAGE__MSG_HANDSHAKE:
	case HEARTH__P2_PMESSAGE__MSG__NOT_SET:
	case _HEARTH__P2_PMESSAGE__MSG__CASE_IS_INT_SIZE:
		/* Handled by the peer itself; never handed over. */
		break;
	}
}

static void hook_offence(struct p2p_peer *peer, enum p2p_offence offence, const char *detail)
{
	peer_offence(peer->owner, peer, offence, detail);
}

static void hook_closing(struct p2p_peer *peer, const char *reason)
{
	struct p2p *p2p = peer->owner;

	p2p_log(p2p, "disconnect peer=%llu addr=%s reason=%s", (unsigned long long)peer->id,
		peer->addr[0] ? peer->addr : "-", reason);
	if (peer->ready_announced && p2p->cb.peer_disconnected != NULL)
		p2p->cb.peer_disconnected(p2p->ctx, peer->id, reason);
}

static uint64_t backoff_ms(const struct p2p_config *cfg, uint32_t failures)
{
	uint64_t ms = cfg->reconnect_min_ms;

	for (uint32_t i = 1; i < failures && ms < cfg->reconnect_max_ms; i++)
		ms *= 2;
	return ms < cfg->reconnect_max_ms ? ms : cfg->reconnect_max_ms;
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
			d->next_ms = uv_now(p2p->loop) + backoff_ms(&p2p->cfg, d->failures);
		} else {
			d->used = false;
		}
	}
	p2p_peer_free(peer);
	handle_closed(p2p);
}

static const struct p2p_peer_hooks peer_hooks = {
	.ready = hook_ready,
	.message = hook_message,
	.offence = hook_offence,
	.closing = hook_closing,
	.closed = hook_closed,
};

/* ---------------------------------------------------------------- connections */

static struct p2p_peer *add_peer(struct p2p *p2p, bool inbound)
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

static void on_connection(uv_stream_t *server, int status)
{
	struct p2p *p2p = server->data;
	struct p2p_peer *peer;
	int rc;

	if (status < 0) {
		p2p_log(p2p, "accept failed: %s", uv_strerror(status));
		return;
	}
	peer = add_peer(p2p, true);
	if (peer == NULL) {
		p2p_log(p2p, "accept failed: out of memory");
		return;
	}
	rc = uv_accept(server, (uv_stream_t *)&peer->tcp);
	if (rc == 0)
		rc = p2p_peer_accepted(peer);
	if (rc != 0) {
		p2p_peer_close(peer, uv_strerror(rc));
		return;
	}
	if (p2p->closing) {
		p2p_peer_close(peer, "shutting down");
		return;
	}
	if (p2p_banlist_contains(&p2p->bans, peer->ip, uv_now(p2p->loop))) {
		p2p_peer_close(peer, "banned");
		return;
	}
	/* This peer is counted already. */
	if (count_peers(p2p, true) > p2p->cfg.max_inbound) {
		p2p_peer_close(peer, "too many inbound peers");
		return;
	}
	p2p_peer_start(peer);
}

/* True when an authenticated peer already reaches ip:port. */
static bool dial_satisfied(const struct p2p *p2p, const struct p2p_dial *d)
{
	for (const struct p2p_peer *p = p2p->peers; p != NULL; p = p->next) {
		uint32_t port = p->inbound ? p->remote.listen_port : p->port;

		if (p->state == P2P_PEER_READY && port == d->port && strcmp(p->ip, d->ip) == 0)
			return true;
	}
	return false;
}

static void dial_start(struct p2p *p2p, size_t slot)
{
	struct p2p_dial *d = &p2p->dials[slot];
	struct p2p_peer *peer = add_peer(p2p, false);
	char reason[96];
	int rc;

	if (peer == NULL) {
		d->failures++;
		d->next_ms = uv_now(p2p->loop) + backoff_ms(&p2p->cfg, d->failures);
		return;
	}
	peer->dial = slot + 1;
	d->peer_id = peer->id;
	rc = p2p_peer_connect(peer, (const struct sockaddr *)&d->addr);
	if (rc != 0) {
		snprintf(reason, sizeof(reason), "connect failed: %s", uv_strerror(rc));
		p2p_peer_close(peer, reason);
	}
}

/* Starts the dials that are due, within the outbound limit. */
static void dial_due(struct p2p *p2p, uint64_t now)
{
	for (size_t i = 0; i < p2p->num_dials && !p2p->closing; i++) {
		struct p2p_dial *d = &p2p->dials[i];

		if (!d->used || d->peer_id != 0 || d->next_ms > now)
			continue;
		if (p2p_banlist_contains(&p2p->bans, d->ip, now) || dial_satisfied(p2p, d)) {
			if (d->flags & P2P_CONNECT_PERSISTENT)
				d->next_ms = now + p2p->cfg.reconnect_max_ms;
			else
				d->used = false;
			continue;
		}
		if (count_peers(p2p, false) >= p2p->cfg.max_outbound)
			return;
		dial_start(p2p, i);
	}
}

static void on_tick(uv_timer_t *timer)
{
	struct p2p *p2p = timer->data;
	uint64_t now = uv_now(p2p->loop);

	p2p_banlist_expire(&p2p->bans, now);
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		p2p_peer_tick(p, now);
	dial_due(p2p, now);
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

int p2p_listen(struct p2p *p2p, const char *host, uint16_t port)
{
	struct sockaddr_storage addr;
	int len = (int)sizeof(addr);
	char ip[P2P_IP_MAX];
	uint16_t bound;
	int rc;

	if (p2p->listener_state != LISTENER_NONE || p2p->closing)
		return UV_EALREADY;
	memset(&addr, 0, sizeof(addr));
	rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&addr);
	if (rc != 0)
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr);
	if (rc != 0)
		return rc;
	rc = uv_tcp_init(p2p->loop, &p2p->listener);
	if (rc != 0)
		return rc;
	p2p->listener.data = p2p;
	p2p->listener_state = LISTENER_OPEN;
	p2p->open_handles++;
	rc = uv_tcp_bind(&p2p->listener, (const struct sockaddr *)&addr, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&p2p->listener, 128, on_connection);
	if (rc == 0)
		rc = uv_tcp_getsockname(&p2p->listener, (struct sockaddr *)&addr, &len);
	if (rc == 0)
		rc = p2p_addr_format((const struct sockaddr *)&addr, ip, &bound, NULL) == 0
			     ? 0
			     : UV_EINVAL;
	if (rc != 0) {
		p2p->listener_state = LISTENER_CLOSED;
		uv_close((uv_handle_t *)&p2p->listener, on_handle_closed);
		return rc;
	}
	p2p->listen_port = bound;
	p2p->params.listen_port = bound;
	p2p_log(p2p, "listening addr=%s port=%u", ip, bound);
	return 0;
}

uint16_t p2p_listen_port(const struct p2p *p2p)
{
	return p2p->listen_port;
}

int p2p_connect(struct p2p *p2p, const char *addr, unsigned flags)
{
	struct sockaddr_storage ss;
	struct p2p_dial *d = NULL;
	char ip[P2P_IP_MAX];
	uint16_t port;
	size_t slot;

	if ((flags & P2P_CONNECT_PERSISTENT) && (flags & P2P_CONNECT_SEED))
		return -1;
	if (p2p->closing || p2p_addr_parse(addr, p2p->cfg.default_port, &ss) != 0 ||
	    p2p_addr_format((const struct sockaddr *)&ss, ip, &port, NULL) != 0)
		return -1;
	for (slot = 0; slot < p2p->num_dials; slot++) {
		struct p2p_dial *e = &p2p->dials[slot];

		if (e->used && e->port == port && strcmp(e->ip, ip) == 0) {
			e->flags = flags;
			return 0;
		}
	}
	for (slot = 0; slot < p2p->num_dials; slot++)
		if (!p2p->dials[slot].used && p2p->dials[slot].peer_id == 0)
			break;
	if (slot == p2p->num_dials) {
		struct p2p_dial *grown;

		if (p2p->num_dials >= P2P_DIALS_MAX)
			return -1;
		grown = realloc(p2p->dials, (p2p->num_dials + 1) * sizeof(*grown));
		if (grown == NULL)
			return -1;
		p2p->dials = grown;
		p2p->num_dials++;
	}
	d = &p2p->dials[slot];
	memset(d, 0, sizeof(*d));
	d->used = true;
	d->flags = flags;
	d->addr = ss;
	memcpy(d->ip, ip, sizeof(d->ip));
	d->port = port;
	d->next_ms = uv_now(p2p->loop);
	dial_due(p2p, uv_now(p2p->loop));
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
	struct p2p_peer *peer = find_peer(p2p, peer_id);

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
	struct p2p_peer *peer = find_peer(p2p, peer_id);

	if (peer != NULL)
		p2p_peer_close(peer, reason ? reason : "disconnected by the node");
}

void p2p_forget(struct p2p *p2p, const char *addr)
{
	struct sockaddr_storage ss;
	char ip[P2P_IP_MAX];
	uint16_t port;

	if (p2p_addr_parse(addr, p2p->cfg.default_port, &ss) != 0 ||
	    p2p_addr_format((const struct sockaddr *)&ss, ip, &port, NULL) != 0)
		return;
	for (size_t slot = 0; slot < p2p->num_dials; slot++) {
		struct p2p_dial *d = &p2p->dials[slot];

		if (d->used && d->port == port && strcmp(d->ip, ip) == 0) {
			/* A connection up stays; it is just not redialed. */
			d->used = false;
			d->flags = P2P_CONNECT_ONCE;
		}
	}
}

bool p2p_is_dialed(const struct p2p *p2p, const char *addr)
{
	struct sockaddr_storage ss;
	char ip[P2P_IP_MAX];
	uint16_t port;

	if (p2p_addr_parse(addr, p2p->cfg.default_port, &ss) != 0 ||
	    p2p_addr_format((const struct sockaddr *)&ss, ip, &port, NULL) != 0)
		return false;
	for (size_t slot = 0; slot < p2p->num_dials; slot++) {
		const struct p2p_dial *d = &p2p->dials[slot];

		if (d->used && (d->flags & P2P_CONNECT_PERSISTENT) && d->port == port &&
		    strcmp(d->ip, ip) == 0)
			return true;
	}
	return false;
}

bool p2p_is_known(const struct p2p *p2p, const char *ip, uint16_t port)
{
	for (size_t slot = 0; slot < p2p->num_dials; slot++) {
		const struct p2p_dial *d = &p2p->dials[slot];

		if ((d->used || d->peer_id != 0) && d->port == port && strcmp(d->ip, ip) == 0)
			return true;
	}
	for (const struct p2p_peer *p = p2p->peers; p != NULL; p = p->next) {
		uint32_t p_port = p->inbound ? p->remote.listen_port : p->port;

		if (p->state != P2P_PEER_CLOSING && p_port == port && strcmp(p->ip, ip) == 0)
			return true;
	}
	return false;
}

bool p2p_misbehaving(struct p2p *p2p, uint64_t peer_id, enum p2p_offence offence,
		     const char *detail)
{
	struct p2p_peer *peer = find_peer(p2p, peer_id);

	return peer != NULL && peer_offence(p2p, peer, offence, detail);
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
	const struct p2p_peer *peer = find_peer(p2p, peer_id);

	if (peer == NULL || peer->state != P2P_PEER_READY)
		return -1;
	p2p_peer_info(peer, out);
	return 0;
}

int p2p_ban(struct p2p *p2p, const char *ip, uint64_t duration_ms, const char *reason)
{
	char norm[P2P_IP_MAX];

	if (p2p_addr_normalize_ip(ip, norm) != 0 || is_noban(p2p, norm) ||
	    p2p_banlist_add(&p2p->bans, norm, ban_until(p2p, duration_ms),
			    reason ? reason : "banned by the node") != 0)
		return -1;
	p2p->bans_total++;
	p2p_log(p2p, "banned ip=%s for_ms=%llu reason=%s", norm, (unsigned long long)duration_ms,
		reason ? reason : "banned by the node");
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		if (p->state != P2P_PEER_CLOSING && strcmp(p->ip, norm) == 0)
			p2p_peer_close(p, "banned");
	return 0;
}

int p2p_noban_add(struct p2p *p2p, const char *ip)
{
	char norm[P2P_IP_MAX];

	if (p2p_addr_normalize_ip(ip, norm) != 0)
		return -1;
	if (is_noban(p2p, norm))
		return 0;
	if (p2p->num_noban >= P2P_NOBAN_MAX)
		return -1;
	memcpy(p2p->noban[p2p->num_noban++], norm, P2P_IP_MAX);
	(void)p2p_banlist_remove(&p2p->bans, norm);
	return 0;
}

bool p2p_unban(struct p2p *p2p, const char *ip)
{
	char norm[P2P_IP_MAX];

	return p2p_addr_normalize_ip(ip, norm) == 0 && p2p_banlist_remove(&p2p->bans, norm);
}

bool p2p_is_banned(const struct p2p *p2p, const char *ip)
{
	char norm[P2P_IP_MAX];

	return p2p_addr_normalize_ip(ip, norm) == 0 &&
	       p2p_banlist_contains(&p2p->bans, norm, uv_now(p2p->loop));
}

size_t p2p_ban_list(struct p2p *p2p, struct p2p_ban_entry *out, size_t max)
{
	size_t n;

	p2p_banlist_expire(&p2p->bans, uv_now(p2p->loop));
	n = p2p->bans.count < max ? p2p->bans.count : max;
	if (n > 0)
		memcpy(out, p2p->bans.entries, n * sizeof(*out));
	return n;
}

void p2p_close(struct p2p *p2p)
{
	if (p2p->closing)
		return;
	p2p->closing = true;
	if (p2p->listener_state == LISTENER_OPEN) {
		p2p->listener_state = LISTENER_CLOSED;
		uv_close((uv_handle_t *)&p2p->listener, on_handle_closed);
	}
	uv_close((uv_handle_t *)&p2p->tick, on_handle_closed);
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		p2p_peer_close(p, "shutting down");
}
