/* p2p_internal.h: what the files of the transport context (p2p.c,
 * p2p_dial.c, p2p_dispatch.c, p2p_listen.c, p2p_score.c) share: struct p2p
 * itself and the functions one of them calls in another. Not for the rest
 * of the node: it uses node/p2p.h. */
#ifndef HEARTH_NODE_P2P_INTERNAL_H
#define HEARTH_NODE_P2P_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "node/p2p.h"
#include "node/p2p_peer.h"

/* Most addresses one Peers answer carries (and a GetPeers asks for). */
#define P2P_PEERS_REPLY_MAX 64

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

/* p2p.c */
/* One line to the node's log callback, if any. */
void p2p_log(struct p2p *p2p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the peer with id that is not closing, or NULL. */
struct p2p_peer *p2p_find_peer(const struct p2p *p2p, uint64_t id);
/* Returns how many inbound (or outbound) peers are not closing. */
size_t p2p_count_peers(const struct p2p *p2p, bool inbound);
/* uv_close callback of the transport's own handles (handle->data is p2p). */
void p2p_on_handle_closed(uv_handle_t *handle);
/* Makes a peer and puts it in the table. Returns it, or NULL when out of
 * memory. */
struct p2p_peer *p2p_add_peer(struct p2p *p2p, bool inbound);

/* p2p_dial.c */
/* Wait before the next dial after failures consecutive failures. */
uint64_t p2p_backoff_ms(const struct p2p_config *cfg, uint32_t failures);
/* Starts the dials that are due at now, within the outbound limit. */
void p2p_dial_due(struct p2p *p2p, uint64_t now);

/* p2p_dispatch.c */
/* The message hook of every peer: hands msg to the node's callback, counts
 * solicited answers, answers GetPeers. */
void p2p_hook_message(struct p2p_peer *peer, const Hearth__P2PMessage *msg);

/* p2p_score.c */
/* Adds offence's points to peer's score; at the threshold bans its IP
 * (unless noban) and closes it. Returns true when the peer was closed. */
bool p2p_peer_offence(struct p2p *p2p, struct p2p_peer *peer, enum p2p_offence offence,
		      const char *detail);

#endif
