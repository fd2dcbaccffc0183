/* p2p.h: the P2P transport of hearthd. One struct p2p owns everything: the
 * listening socket, the peer connections (handshake, encrypted frames,
 * ping/pong keepalive), the addresses to dial with their reconnect backoff,
 * the misbehaviour scores and the ban list. It runs on one libuv loop and
 * must only be called from that loop's thread; its timers read the loop's
 * clock (uv_now).
 *
 * The node sees peers as numeric ids (never reused) and receives decoded
 * messages through a table of callbacks; it sends with p2p_send and
 * p2p_broadcast, and reports what only it can judge (an invalid tx, a bad
 * vote signature) with p2p_misbehaving. Ping, pong, handshake and get_peers
 * are answered here. doc/p2p.md has the protocol, limits and ban rules. */
#ifndef HEARTH_NODE_P2P_H
#define HEARTH_NODE_P2P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "consensus/crypto.h"
#include "node/p2p_addr.h"
#include "node/p2p_ban.h"
#include "node/p2p_handshake.h"
#include "proto/hearth.pb-c.h"

#define P2P_PORT_MAIN 9740
#define P2P_PORT_DEV  19740

/* Misbehaviour, with the points each adds to a peer's score (doc/p2p.md).
 * A peer reaching config.ban_threshold is disconnected and its IP banned. */
enum p2p_offence {
	P2P_OFFENCE_BAD_HANDSHAKE,     /* 100: garbage, wrong chain or genesis, bad signature */
	P2P_OFFENCE_BAD_FRAME,	       /* 100: a frame failed authentication */
	P2P_OFFENCE_OVERSIZE,	       /* 100: a frame above the cap */
	P2P_OFFENCE_UNDECODABLE,       /* 100: not a canonical P2PMessage */
	P2P_OFFENCE_PROTOCOL,	       /* 100: a second handshake */
	P2P_OFFENCE_UNSOLICITED,       /* 20: blocks, peers or pong nobody asked for */
	P2P_OFFENCE_INVALID_TX,	       /* 10: reported by the node */
	P2P_OFFENCE_INVALID_SIGNATURE, /* 100: reported by the node (vote, proposal, tx) */
	P2P_OFFENCE_INVALID_BLOCK,     /* 100: reported by the node */
};

/* Points of an offence. */
int p2p_offence_points(enum p2p_offence offence);

/* A one-word name of an offence ("bad-frame"). Never NULL. */
const char *p2p_offence_name(enum p2p_offence offence);

struct p2p_config {
	const char *chain_id; /* borrowed; 1..P2P_CHAIN_ID_MAX bytes */
	uint8_t genesis_hash[HASH_SIZE];
	const struct signer *node_key; /* borrowed: proves this node's identity */
	const char *user_agent;	       /* borrowed; may be NULL */
	uint16_t default_port;	       /* for addresses given without a port */
	uint32_t max_inbound;	       /* accepted connections, any state */
	uint32_t max_outbound;	       /* dialed connections, any state */
	size_t max_frame;	       /* plaintext cap of a frame, both directions */
	size_t max_send_queue;	       /* bytes waiting to be written to one peer */
	uint64_t handshake_timeout_ms; /* from TCP connect to authenticated */
	uint64_t ping_interval_ms;     /* a ping when this long since the last */
	uint64_t ping_timeout_ms;      /* no pong this long after a ping: disconnect */
	uint64_t tick_ms;	       /* housekeeping period (timeouts, dials, bans) */
	int ban_threshold;	       /* score at which a peer is banned */
	uint64_t ban_duration_ms;
	size_t max_bans;
	uint64_t reconnect_min_ms; /* first backoff of a persistent address */
	uint64_t reconnect_max_ms; /* backoff doubles up to this */
};

/* Out: cfg with the defaults of doc/p2p.md and no chain, genesis or key. */
void p2p_config_default(struct p2p_config *cfg);

struct p2p_peer_info {
	uint64_t id;
	bool inbound;
	char ip[P2P_IP_MAX];
	char addr[P2P_ADDR_MAX];       /* remote "ip:port" of the TCP connection */
	uint8_t node_key[PUBKEY_SIZE]; /* proved in the handshake */
	uint64_t best_height;	       /* from the handshake */
	uint32_t listen_port;	       /* the port the peer says it listens on, or 0 */
	char user_agent[P2P_USER_AGENT_MAX + 1];
	int score;
	uint64_t connected_ms; /* uv_now when the handshake completed */
	uint64_t rtt_ms;       /* last ping round trip, 0 before the first */
	uint64_t bytes_in, bytes_out;
};

/* An address the node offers in answers to GetPeers. */
struct p2p_known_addr {
	char ip[P2P_IP_MAX];
	uint16_t port;
};

/* What the node is told. Every member may be NULL (the message is then
 * dropped). Message pointers are valid only during the call. Callbacks may
 * call any p2p_ function, including p2p_disconnect and p2p_close. */
struct p2p_callbacks {
	void (*peer_connected)(void *ctx, uint64_t peer_id, const struct p2p_peer_info *info);
	/* Only for peers that were announced by peer_connected. */
	void (*peer_disconnected)(void *ctx, uint64_t peer_id, const char *reason);
	void (*status)(void *ctx, uint64_t peer_id, const Hearth__Status *msg);
	void (*tx)(void *ctx, uint64_t peer_id, const Hearth__Tx *msg);
	void (*proposal)(void *ctx, uint64_t peer_id, const Hearth__Proposal *msg);
	void (*vote)(void *ctx, uint64_t peer_id, const Hearth__Vote *msg);
	void (*get_blocks)(void *ctx, uint64_t peer_id, const Hearth__GetBlocks *msg);
	/* Only blocks this node asked for with a GetBlocks (others are scored). */
	void (*blocks)(void *ctx, uint64_t peer_id, const Hearth__Blocks *msg);
	/* Only addresses this node asked for with a GetPeers. */
	void (*peers)(void *ctx, uint64_t peer_id, const Hearth__Peers *msg);
	void (*evidence)(void *ctx, uint64_t peer_id, const Hearth__Evidence *msg);
	/* Tx gossip: ids a peer announces, and ids it asks us for. */
	void (*tx_ids)(void *ctx, uint64_t peer_id, const Hearth__TxIds *msg);
	void (*get_txs)(void *ctx, uint64_t peer_id, const Hearth__TxIds *msg);
	/* Consensus gossip: where the peer's engine is (height, round, step). */
	void (*round_state)(void *ctx, uint64_t peer_id, const Hearth__RoundState *msg);
	/* Addresses (from the node's address book) that a GetPeers answer
	 * offers after the connected peers. Out: up to max into out.
	 * Returns how many. */
	size_t (*known_addresses)(void *ctx, struct p2p_known_addr *out, size_t max);
	/* One line of log (category p2p), e.g. "disconnect peer=3 reason=...". */
	void (*log)(void *ctx, const char *line);
	/* p2p_close has finished: the struct p2p is freed. */
	void (*closed)(void *ctx);
};

struct p2p;

/* Creates the transport on loop and starts its housekeeping timer.
 * hearth_crypto_init() must have been called.
 * In:  loop; cfg (copied; its borrowed pointers must outlive the p2p); cb
 *      (copied); ctx passed to every callback.
 * Out: *out, released with p2p_close.
 * Returns 0, or -1 for an invalid config or out of memory. */
__attribute__((warn_unused_result)) int p2p_new(uv_loop_t *loop, const struct p2p_config *cfg,
						const struct p2p_callbacks *cb, void *ctx,
						struct p2p **out);

/* Listens for peers on host:port (port 0: the OS chooses; see
 * p2p_listen_port). In: host, a numeric IPv4 or IPv6 address.
 * Returns 0 or a negative libuv error code. */
__attribute__((warn_unused_result)) int p2p_listen(struct p2p *p2p, const char *host,
						   uint16_t port);

/* The port listened on, or 0. */
uint16_t p2p_listen_port(const struct p2p *p2p);

enum p2p_connect_flags {
	P2P_CONNECT_ONCE = 0,	    /* one attempt (-addnode=onetry) */
	P2P_CONNECT_PERSISTENT = 1, /* keep connected, exponential backoff (-connect, -addnode) */
	P2P_CONNECT_SEED = 2,	    /* ask for peers, then disconnect (-seednode) */
};

/* Dials addr ("1.2.3.4:9740", "[::1]:9740", "localhost:9740", or without
 * ":port" for the default port) now and, when persistent, whenever the
 * connection is lost. Dialing an address already known updates its flags.
 * Returns 0, or -1 for an unparsable address, PERSISTENT together with
 * SEED, too many addresses (1024), or out of memory. */
__attribute__((warn_unused_result)) int p2p_connect(struct p2p *p2p, const char *addr,
						    unsigned flags);

/* Sends msg to one authenticated peer. A GetBlocks or GetPeers sent this way
 * makes the matching answer solicited.
 * Returns 0, or -1 when the peer is unknown or not ready, msg cannot be
 * encoded, or it is larger than the frame cap. A peer whose send queue
 * overflows is disconnected (and -1 returned). */
__attribute__((warn_unused_result)) int p2p_send(struct p2p *p2p, uint64_t peer_id,
						 const Hearth__P2PMessage *msg);

/* Sends msg to every authenticated peer but except_peer_id (0: none), e.g.
 * to gossip without echoing back to the sender.
 * Returns the number of peers it was queued to, or -1 when msg cannot be
 * encoded or is above the frame cap. */
__attribute__((warn_unused_result)) int
p2p_broadcast(struct p2p *p2p, const Hearth__P2PMessage *msg, uint64_t except_peer_id);

/* Stops dialing addr (the addnode remove of bitcoind): a persistent address
 * is not redialed; a connection already up stays. Unknown or unparsable
 * addresses are ignored. */
void p2p_forget(struct p2p *p2p, const char *addr);

/* True when addr is a persistent address (-connect, -addnode). */
bool p2p_is_dialed(const struct p2p *p2p, const char *addr);

/* True when ip:port (ip in canonical text) is being dialed or reached by a
 * connection that is not closing (an inbound one by its listening port). */
bool p2p_is_known(const struct p2p *p2p, const char *ip, uint16_t port);

/* Closes the connection to a peer (no score). Unknown ids are ignored. */
void p2p_disconnect(struct p2p *p2p, uint64_t peer_id, const char *reason);

/* Adds an offence's points to a peer's score; at the threshold the peer is
 * disconnected and its IP banned for config.ban_duration_ms (not banned when
 * the IP is on the noban list, see p2p_noban_add).
 * In: detail (may be NULL) for the log and the ban reason.
 * Returns true when the peer was disconnected. Unknown ids are ignored
 * (false). */
bool p2p_misbehaving(struct p2p *p2p, uint64_t peer_id, enum p2p_offence offence,
		     const char *detail);

/* The height announced in later handshakes. */
void p2p_set_best_height(struct p2p *p2p, uint64_t height);

/* Number of authenticated peers. */
size_t p2p_peer_count(const struct p2p *p2p);

/* Totals since p2p_new, for metrics. */
struct p2p_stats {
	size_t inbound, outbound;     /* authenticated peers now, by direction */
	size_t outbound_pending;      /* dialed connections not authenticated yet */
	uint64_t bytes_in, bytes_out; /* over every connection, closed ones too */
	uint64_t bans;		      /* IPs banned (by score or p2p_ban) */
};

/* Out: *st. */
void p2p_get_stats(const struct p2p *p2p, struct p2p_stats *st);

/* Out: up to max authenticated peers into out. Returns how many. */
size_t p2p_peer_list(const struct p2p *p2p, struct p2p_peer_info *out, size_t max);

/* Out: *out, the authenticated peer peer_id. Returns 0 or -1 if unknown. */
__attribute__((warn_unused_result)) int p2p_peer_get(const struct p2p *p2p, uint64_t peer_id,
						     struct p2p_peer_info *out);

/* Bans ip (numeric) for duration_ms and disconnects every peer from it.
 * Returns 0, or -1 for an invalid ip, an ip on the noban list, or out of
 * memory. */
__attribute__((warn_unused_result)) int p2p_ban(struct p2p *p2p, const char *ip,
						uint64_t duration_ms, const char *reason);

/* Lifts a ban. Returns true when ip was banned. */
bool p2p_unban(struct p2p *p2p, const char *ip);

#define P2P_NOBAN_MAX 16

/* Never bans ip (bitcoind's -whitelist=noban@ip): a peer from it that
 * reaches the threshold is only disconnected, and p2p_ban refuses it. For
 * local networks where every node shares 127.0.0.1.
 * Returns 0, or -1 for an invalid ip or a full list (P2P_NOBAN_MAX). */
__attribute__((warn_unused_result)) int p2p_noban_add(struct p2p *p2p, const char *ip);

/* True when ip is banned now. */
bool p2p_is_banned(const struct p2p *p2p, const char *ip);

/* Out: up to max current bans into out (expired ones are dropped first).
 * Returns how many. */
size_t p2p_ban_list(struct p2p *p2p, struct p2p_ban_entry *out, size_t max);

/* Starts closing everything: listener, timer, every connection. When the
 * loop has closed the last handle, the p2p frees itself and calls
 * cb->closed. Run the loop until then (uv_run returns when nothing is left).
 * Callbacks that run during the close (peer_disconnected) may still call
 * p2p_ functions (sends then fail); after cb->closed nothing may. */
void p2p_close(struct p2p *p2p);

#endif
