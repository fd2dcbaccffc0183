/* p2p_peer.h: one peer connection of the transport: its TCP handle, the
 * handshake, the session's frame states, read buffering with bounded memory,
 * the write queue, and ping/pong keepalive. It knows nothing of other peers,
 * scores or bans: it reports to its owner (struct p2p) through a table of
 * hooks. Internal to node/p2p*.c; the node uses p2p.h. */
#ifndef HEARTH_NODE_P2P_PEER_H
#define HEARTH_NODE_P2P_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "node/p2p.h"
#include "node/p2p_frame.h"
#include "node/p2p_handshake.h"

#define P2P_READ_BUFFER 65536

enum p2p_peer_state {
	P2P_PEER_CONNECTING, /* outbound, TCP connect in flight */
	P2P_PEER_HANDSHAKE,
	P2P_PEER_READY,
	P2P_PEER_CLOSING, /* uv_close called; freed by the owner in hooks->closed */
};

struct p2p_peer;

/* What a peer tells its owner. Each hook may close the peer. */
struct p2p_peer_hooks {
	/* The handshake completed. */
	void (*ready)(struct p2p_peer *peer);
	/* A message other than ping, pong and handshake. */
	void (*message)(struct p2p_peer *peer, const Hearth__P2PMessage *msg);
	/* The peer broke a rule; the owner scores it (and may close it). */
	void (*offence)(struct p2p_peer *peer, enum p2p_offence offence, const char *detail);
	/* The connection is closing (called once, from p2p_peer_close). */
	void (*closing)(struct p2p_peer *peer, const char *reason);
	/* The handle is closed: the owner frees the peer with p2p_peer_free. */
	void (*closed)(struct p2p_peer *peer);
};

/* Limits and timeouts a peer follows (a view of struct p2p_config). */
struct p2p_peer_limits {
	size_t max_frame;
	size_t max_send_queue;
	uint64_t handshake_timeout_ms;
	uint64_t ping_interval_ms;
	uint64_t ping_timeout_ms;
};

struct p2p_peer {
	void *owner;
	const struct p2p_peer_hooks *hooks;
	const struct p2p_peer_limits *limits;
	const struct p2p_hs_params *params;
	uint64_t id;
	size_t dial; /* owner's dial slot + 1, or 0 */
	enum p2p_peer_state state;
	bool inbound;
	bool ready_announced; /* the owner told the node about this peer */
	uv_tcp_t tcp;
	uv_connect_t connect_req;
	char ip[P2P_IP_MAX];
	uint16_t port;
	char addr[P2P_ADDR_MAX];
	struct p2p_handshake hs;
	struct p2p_frame_rx rx;
	struct p2p_frame_tx tx;
	struct p2p_hs_peer remote;
	uint64_t started_ms;   /* TCP connected (handshake deadline base) */
	uint64_t connected_ms; /* handshake done */
	uint64_t ping_sent_ms;
	uint64_t ping_nonce;
	bool ping_outstanding;
	uint64_t rtt_ms;
	int score;
	uint32_t blocks_requested; /* GetBlocks sent and not yet answered */
	uint32_t peers_requested;
	uint64_t peers_answered_ms; /* when its last GetPeers was answered (0: never) */
	bool is_self;		    /* the handshake found this node at the other end */
	uint64_t bytes_in;
	uint64_t bytes_out;
	struct p2p_peer *next;
	uint8_t read_buf[P2P_READ_BUFFER];
};

/* Allocates a peer and initializes its TCP handle on loop.
 * In:  everything is borrowed and must outlive the peer.
 * Returns the peer (state P2P_PEER_CONNECTING), or NULL when out of memory
 * or the handle cannot be made. Once returned, it is released only through
 * p2p_peer_close and hooks->closed. */
struct p2p_peer *p2p_peer_new(uv_loop_t *loop, void *owner, const struct p2p_peer_hooks *hooks,
			      const struct p2p_peer_limits *limits,
			      const struct p2p_hs_params *params, uint64_t id, bool inbound);

/* Dials addr; the handshake starts when TCP connects.
 * Returns 0 or a negative libuv error (then the caller closes the peer). */
__attribute__((warn_unused_result)) int p2p_peer_connect(struct p2p_peer *peer,
							 const struct sockaddr *addr);

/* For an accepted connection: records the remote address.
 * Returns 0 or a negative libuv error. */
__attribute__((warn_unused_result)) int p2p_peer_accepted(struct p2p_peer *peer);

/* Sends the hello and starts reading. Closes the peer on failure. */
void p2p_peer_start(struct p2p_peer *peer);

/* Seals plain as one frame and queues it.
 * Returns 0, or -1 when the peer is not ready, plain is above the cap, or
 * the send queue overflowed (the peer is then closed). */
__attribute__((warn_unused_result)) int p2p_peer_send(struct p2p_peer *peer, const uint8_t *plain,
						      size_t len);

/* Encodes msg and sends it. Returns as p2p_peer_send. */
__attribute__((warn_unused_result)) int p2p_peer_send_msg(struct p2p_peer *peer,
							  const Hearth__P2PMessage *msg);

/* Timeouts and keepalive at time now_ms (uv_now). */
void p2p_peer_tick(struct p2p_peer *peer, uint64_t now_ms);

/* Starts closing (idempotent): calls hooks->closing, then the loop closes
 * the handle and calls hooks->closed. */
void p2p_peer_close(struct p2p_peer *peer, const char *reason);

/* Wipes the session secrets and frees the peer. Only from hooks->closed. */
void p2p_peer_free(struct p2p_peer *peer);

/* Out: info about the peer. */
void p2p_peer_info(const struct p2p_peer *peer, struct p2p_peer_info *info);

#endif
