/* p2p_peer.c: one peer connection (p2p_peer.h). Bytes read go to the
 * handshake until it is done, then to the frame layer one frame at a time;
 * each frame is decoded with the strict codec and handed to the owner,
 * except ping, pong and handshake which are this file's business. Memory per
 * peer is bounded by the fixed read buffer, one frame body (at most the cap,
 * allocated only after its length is checked) and the send queue cap. */
#include "node/p2p_peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/p2p_addr.h"
#include "proto/codec.h"

struct write_req {
	uv_write_t req; /* first: the callback casts back */
	uint8_t *buf;
};

static uint64_t peer_now(const struct p2p_peer *peer)
{
	return uv_now(peer->tcp.loop);
}

struct p2p_peer *p2p_peer_new(uv_loop_t *loop, void *owner, const struct p2p_peer_hooks *hooks,
			      const struct p2p_peer_limits *limits,
			      const struct p2p_hs_params *params, uint64_t id, bool inbound)
{
	struct p2p_peer *peer = calloc(1, sizeof(*peer));

	if (peer == NULL)
		return NULL;
	if (uv_tcp_init(loop, &peer->tcp) != 0) {
		free(peer);
		return NULL;
	}
	peer->tcp.data = peer;
	peer->connect_req.data = peer;
	peer->owner = owner;
	peer->hooks = hooks;
	peer->limits = limits;
	peer->params = params;
	peer->id = id;
	peer->inbound = inbound;
	peer->state = P2P_PEER_CONNECTING;
	peer->started_ms = uv_now(loop);
	return peer;
}

static void on_close(uv_handle_t *handle)
{
	struct p2p_peer *peer = handle->data;

	peer->hooks->closed(peer);
}

void p2p_peer_close(struct p2p_peer *peer, const char *reason)
{
	if (peer->state == P2P_PEER_CLOSING)
		return;
	peer->state = P2P_PEER_CLOSING;
	peer->hooks->closing(peer, reason);
	uv_close((uv_handle_t *)&peer->tcp, on_close);
}

void p2p_peer_free(struct p2p_peer *peer)
{
	p2p_handshake_wipe(&peer->hs);
	p2p_frame_rx_wipe(&peer->rx);
	p2p_frame_tx_wipe(&peer->tx);
	free(peer);
}

/* Records addr as the remote end. */
static int peer_set_addr(struct p2p_peer *peer, const struct sockaddr *addr)
{
	return p2p_addr_format(addr, peer->ip, &peer->port, peer->addr) == 0 ? 0 : UV_EAFNOSUPPORT;
}

int p2p_peer_accepted(struct p2p_peer *peer)
{
	struct sockaddr_storage ss;
	int len = (int)sizeof(ss);
	int rc = uv_tcp_getpeername(&peer->tcp, (struct sockaddr *)&ss, &len);

	if (rc != 0)
		return rc;
	return peer_set_addr(peer, (const struct sockaddr *)&ss);
}

static void on_write(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	struct p2p_peer *peer = req->handle->data;
	char reason[96];

	free(w->buf);
	free(w);
	if (status < 0 && status != UV_ECANCELED) {
		snprintf(reason, sizeof(reason), "write failed: %s", uv_strerror(status));
		p2p_peer_close(peer, reason);
	}
}

/* Queues buf (taken over, freed here in every case).
 * Returns 0, or -1 with the peer closed. */
static int peer_write(struct p2p_peer *peer, uint8_t *buf, size_t len)
{
	struct write_req *w;
	uv_buf_t b;
	int rc;

	if (peer->state == P2P_PEER_CLOSING) {
		free(buf);
		return -1;
	}
	if (uv_stream_get_write_queue_size((uv_stream_t *)&peer->tcp) + len >
	    peer->limits->max_send_queue) {
		free(buf);
		p2p_peer_close(peer, "send queue full");
		return -1;
	}
	w = malloc(sizeof(*w));
	if (w == NULL) {
		free(buf);
		p2p_peer_close(peer, "out of memory");
		return -1;
	}
	w->buf = buf;
	b = uv_buf_init((char *)buf, (unsigned)len);
	rc = uv_write(&w->req, (uv_stream_t *)&peer->tcp, &b, 1, on_write);
	if (rc != 0) {
		free(buf);
		free(w);
		p2p_peer_close(peer, uv_strerror(rc));
		return -1;
	}
	peer->bytes_out += len;
	return 0;
}

int p2p_peer_send(struct p2p_peer *peer, const uint8_t *plain, size_t len)
{
	uint8_t *frame;
	size_t frame_len;
	enum p2p_frame_status st;

	if (peer->state != P2P_PEER_READY || len > peer->limits->max_frame)
		return -1;
	st = p2p_frame_seal(&peer->tx, plain, len, &frame, &frame_len);
	if (st != P2P_FRAME_OK) {
		p2p_peer_close(peer, p2p_frame_strerror(st));
		return -1;
	}
	return peer_write(peer, frame, frame_len);
}

int p2p_peer_send_msg(struct p2p_peer *peer, const Hearth__P2PMessage *msg)
{
	uint8_t *plain;
	size_t len;
	int rc;

	if (codec_encode(&msg->base, &plain, &len) != CODEC_OK)
		return -1;
	rc = p2p_peer_send(peer, plain, len);
	free(plain);
	return rc;
}

static void peer_send_ping(struct p2p_peer *peer, uint64_t now_ms)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Ping ping = HEARTH__PING__INIT;

	randombytes_buf(&peer->ping_nonce, sizeof(peer->ping_nonce));
	ping.nonce = peer->ping_nonce;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_PING;
	msg.ping = &ping;
	peer->ping_sent_ms = now_ms;
	if (p2p_peer_send_msg(peer, &msg) == 0)
		peer->ping_outstanding = true;
}

static void peer_on_ping(struct p2p_peer *peer, const Hearth__Ping *ping)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Pong pong = HEARTH__PONG__INIT;

	pong.nonce = ping->nonce;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_PONG;
	msg.pong = &pong;
	/* A failure closed the peer already; nothing else to do. */
	(void)!p2p_peer_send_msg(peer, &msg);
}

static void peer_on_pong(struct p2p_peer *peer, const Hearth__Pong *pong)
{
	if (!peer->ping_outstanding || pong->nonce != peer->ping_nonce) {
		peer->hooks->offence(peer, P2P_OFFENCE_UNSOLICITED, "pong without a ping");
		return;
	}
	peer->ping_outstanding = false;
	peer->rtt_ms = peer_now(peer) - peer->ping_sent_ms;
}

/* One opened frame: decode it and act on it. */
static void peer_dispatch(struct p2p_peer *peer, const uint8_t *plain, size_t len)
{
	ProtobufCMessage *decoded;
	const Hearth__P2PMessage *msg;
	struct codec_error err;

	if (codec_decode(&hearth__p2_pmessage__descriptor, plain, len, peer->limits->max_frame,
			 &decoded, &err) != CODEC_OK) {
		peer->hooks->offence(peer, P2P_OFFENCE_UNDECODABLE, err.text);
		p2p_peer_close(peer, err.text);
		return;
	}
	msg = (const Hearth__P2PMessage *)decoded;
	switch (msg->msg_case) {
	case HEARTH__P2_PMESSAGE__MSG_PING:
		peer_on_ping(peer, msg->ping);
		break;
	case HEARTH__P2_PMESSAGE__MSG_PONG:
		peer_on_pong(peer, msg->pong);
		break;
	case HEARTH__P2_PMESSAGE__MSG_HANDSHAKE:
	case HEARTH__P2_PMESSAGE__MSG__NOT_SET:
		peer->hooks->offence(peer, P2P_OFFENCE_PROTOCOL, "handshake after the handshake");
		p2p_peer_close(peer, "handshake after the handshake");
		break;
	case HEARTH__P2_PMESSAGE__MSG_STATUS:
	case HEARTH__P2_PMESSAGE__MSG_TX:
	case HEARTH__P2_PMESSAGE__MSG_PROPOSAL:
	case HEARTH__P2_PMESSAGE__MSG_VOTE:
	case HEARTH__P2_PMESSAGE__MSG_GET_BLOCKS:
	case HEARTH__P2_PMESSAGE__MSG_BLOCKS:
	case HEARTH__P2_PMESSAGE__MSG_GET_PEERS:
	case HEARTH__P2_PMESSAGE__MSG_PEERS:
	case HEARTH__P2_PMESSAGE__MSG_EVIDENCE:
	case HEARTH__P2_PMESSAGE__MSG_TX_IDS:
	case HEARTH__P2_PMESSAGE__MSG_GET_TXS:
	case HEARTH__P2_PMESSAGE__MSG_ROUND_STATE:
		peer->hooks->message(peer, msg);
		break;
	case _HEARTH__P2_PMESSAGE__MSG__CASE_IS_INT_SIZE:
		break;
	}
	codec_free(decoded);
}

/* Feeds the handshake. Returns the bytes it used. */
static size_t peer_feed_handshake(struct p2p_peer *peer, const uint8_t *data, size_t len)
{
	uint8_t *out;
	size_t used, out_len;
	enum p2p_hs_status st = p2p_handshake_feed(&peer->hs, data, len, &used, &out, &out_len);

	if (out != NULL && peer_write(peer, out, out_len) != 0)
		return len;
	switch (st) {
	case P2P_HS_CONTINUE:
		return len;
	case P2P_HS_DONE:
		p2p_handshake_finish(&peer->hs, peer->limits->max_frame, &peer->rx, &peer->tx,
				     &peer->remote);
		peer->state = P2P_PEER_READY;
		peer->connected_ms = peer_now(peer);
		peer->ping_sent_ms = peer->connected_ms;
		peer->hooks->ready(peer);
		return used;
	case P2P_HS_FAILED:
		switch (peer->hs.error) {
		case P2P_HS_SELF:
			peer->is_self = true;
			break;
		case P2P_HS_INTERNAL:
		case P2P_HS_BAD_VERSION:
		case P2P_HS_OK:
			/* Not misbehaviour: ourselves, our fault, or an older
			 * or newer node that will be upgraded. */
			break;
		case P2P_HS_BAD_MAGIC:
		case P2P_HS_BAD_KEY_EXCHANGE:
		case P2P_HS_BAD_FRAME:
		case P2P_HS_OVERSIZE:
		case P2P_HS_UNDECODABLE:
		case P2P_HS_UNEXPECTED:
		case P2P_HS_WRONG_CHAIN:
		case P2P_HS_WRONG_GENESIS:
		case P2P_HS_BAD_NODE_KEY:
		case P2P_HS_BAD_SIGNATURE:
			peer->hooks->offence(peer, P2P_OFFENCE_BAD_HANDSHAKE, peer->hs.why);
			break;
		}
		p2p_peer_close(peer, peer->hs.why);
		return len;
	}
	return len;
}

/* Feeds the frame layer up to one frame. Returns the bytes it used. */
static size_t peer_feed_frames(struct p2p_peer *peer, const uint8_t *data, size_t len)
{
	uint8_t *plain;
	size_t used, plain_len;
	enum p2p_frame_status st = p2p_frame_open(&peer->rx, data, len, &used, &plain, &plain_len);

	switch (st) {
	case P2P_FRAME_OK:
		peer_dispatch(peer, plain, plain_len);
		free(plain);
		return used;
	case P2P_FRAME_NEED_MORE:
		return len;
	case P2P_FRAME_TOO_LARGE:
		peer->hooks->offence(peer, P2P_OFFENCE_OVERSIZE, p2p_frame_strerror(st));
		break;
	case P2P_FRAME_TOO_SHORT:
	case P2P_FRAME_BAD_AUTH:
		peer->hooks->offence(peer, P2P_OFFENCE_BAD_FRAME, p2p_frame_strerror(st));
		break;
	case P2P_FRAME_EXHAUSTED:
	case P2P_FRAME_NO_MEMORY:
		break;
	}
	p2p_peer_close(peer, p2p_frame_strerror(st));
	return len;
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	struct p2p_peer *peer = handle->data;

	(void)suggested;
	*buf = uv_buf_init((char *)peer->read_buf, sizeof(peer->read_buf));
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct p2p_peer *peer = stream->data;
	size_t len, pos = 0;
	char reason[96];

	(void)buf;
	if (nread == 0 || peer->state == P2P_PEER_CLOSING)
		return;
	if (nread < 0) {
		if (nread != UV_EOF)
			snprintf(reason, sizeof(reason), "read failed: %s",
				 uv_strerror((int)nread));
		else if (peer->state == P2P_PEER_HANDSHAKE)
			snprintf(reason, sizeof(reason), "closed by peer during the handshake");
		else if (p2p_frame_rx_partial(&peer->rx))
			snprintf(reason, sizeof(reason),
				 "closed by peer inside a frame (truncated)");
		else
			snprintf(reason, sizeof(reason), "closed by peer");
		p2p_peer_close(peer, reason);
		return;
	}
	len = (size_t)nread;
	peer->bytes_in += len;
	while (pos < len) {
		size_t used;

		if (peer->state == P2P_PEER_HANDSHAKE)
			used = peer_feed_handshake(peer, peer->read_buf + pos, len - pos);
		else if (peer->state == P2P_PEER_READY)
			used = peer_feed_frames(peer, peer->read_buf + pos, len - pos);
		else
			break;
		if (used == 0)
			break;
		pos += used;
	}
}

void p2p_peer_start(struct p2p_peer *peer)
{
	uint8_t *hello;
	enum p2p_hs_role role = peer->inbound ? P2P_HS_RESPONDER : P2P_HS_INITIATOR;
	int rc;

	peer->state = P2P_PEER_HANDSHAKE;
	peer->started_ms = peer_now(peer);
	hello = malloc(P2P_HELLO_SIZE);
	if (hello == NULL) {
		p2p_peer_close(peer, "out of memory");
		return;
	}
	if (p2p_handshake_init(&peer->hs, peer->params, role, hello) != 0) {
		free(hello);
		p2p_peer_close(peer, peer->hs.why);
		return;
	}
	/* Small frames go out at once: latency matters more than packets. */
	rc = uv_tcp_nodelay(&peer->tcp, 1);
	if (rc != 0) {
		free(hello);
		p2p_peer_close(peer, uv_strerror(rc));
		return;
	}
	if (peer_write(peer, hello, P2P_HELLO_SIZE) != 0)
		return;
	rc = uv_read_start((uv_stream_t *)&peer->tcp, on_alloc, on_read);
	if (rc != 0)
		p2p_peer_close(peer, uv_strerror(rc));
}

static void on_connect(uv_connect_t *req, int status)
{
	struct p2p_peer *peer = req->data;
	char reason[96];

	if (peer->state == P2P_PEER_CLOSING)
		return;
	if (status < 0) {
		snprintf(reason, sizeof(reason), "connect failed: %s", uv_strerror(status));
		p2p_peer_close(peer, reason);
		return;
	}
	p2p_peer_start(peer);
}

int p2p_peer_connect(struct p2p_peer *peer, const struct sockaddr *addr)
{
	int rc = peer_set_addr(peer, addr);

	if (rc != 0)
		return rc;
	return uv_tcp_connect(&peer->connect_req, &peer->tcp, addr, on_connect);
}

void p2p_peer_tick(struct p2p_peer *peer, uint64_t now_ms)
{
	const struct p2p_peer_limits *lim = peer->limits;

	switch (peer->state) {
	case P2P_PEER_CONNECTING:
	case P2P_PEER_HANDSHAKE:
		if (now_ms - peer->started_ms >= lim->handshake_timeout_ms)
			p2p_peer_close(peer, peer->state == P2P_PEER_CONNECTING
						     ? "connect timeout"
						     : "handshake timeout");
		break;
	case P2P_PEER_READY:
		if (peer->ping_outstanding) {
			if (now_ms - peer->ping_sent_ms >= lim->ping_timeout_ms)
				p2p_peer_close(peer, "ping timeout");
		} else if (now_ms - peer->ping_sent_ms >= lim->ping_interval_ms) {
			peer_send_ping(peer, now_ms);
		}
		break;
	case P2P_PEER_CLOSING:
		break;
	}
}

void p2p_peer_info(const struct p2p_peer *peer, struct p2p_peer_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = peer->id;
	info->inbound = peer->inbound;
	memcpy(info->ip, peer->ip, sizeof(info->ip));
	memcpy(info->addr, peer->addr, sizeof(info->addr));
	memcpy(info->node_key, peer->remote.node_key, PUBKEY_SIZE);
	info->best_height = peer->remote.best_height;
	info->listen_port = peer->remote.listen_port;
	memcpy(info->user_agent, peer->remote.user_agent, sizeof(info->user_agent));
	info->score = peer->score;
	info->connected_ms = peer->connected_ms;
	info->rtt_ms = peer->rtt_ms;
	info->bytes_in = peer->bytes_in;
	info->bytes_out = peer->bytes_out;
}
