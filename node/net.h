/* net.h: hearthd's network layer. struct net owns the node's P2P transport
 * (node/p2p.h) on the loop and everything the node does over it:
 *   - the P2P options (-port, -bind, -listen, -connect, -addnode, -seednode,
 *     -maxconnections, -maxinbound, -maxoutbound, -bantime, -whitelist);
 *   - consensus gossip (net_consensus.c): the engine's proposals and votes go
 *     to every peer, the peers' ones to the engine (new ones are relayed);
 *   - block sync (net_sync.c): Status messages carry each node's height; a
 *     node behind a peer asks it for the missing blocks (GetBlocks) and
 *     applies each after checking its commit certificate;
 *   - tx gossip (net_tx.c): ids of admitted txs are announced (TxIds) to
 *     every peer but the one the tx came from, peers ask for the bodies they
 *     lack (GetTxs);
 *   - vote gossip (net_gossip.c): peers tell each other their consensus
 *     position (RoundState); a peer at our height gets, on a timer, the
 *     votes (and the proposal) of its round and ours that it lacks, this
 *     node's own ones included (the only way they are sent again).
 *   - the address book (net_book.c, node/addrbook.h): peers.dat, addresses
 *     learned from peers, dials from it while outbound peers are few.
 * Everything runs on the loop thread; doc/p2p.md describes the flow. */
#ifndef HEARTH_NODE_NET_H
#define HEARTH_NODE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "consensus/bft.h"
#include "node/addrbook.h"
#include "node/net_peerstate.h"
#include "node/p2p.h"
#include "node/txverify.h"

struct node;
struct metric_family;

/* The txverify tag of a proposal's txs checked before it is validated
 * (cs_precheck.h); a peer's id is never 0. */
#define NET_TX_FROM_BLOCK 0

/* Gossiped txs refused for want of room or for a nonce gap, asked for
 * again after the next commit (net_tx.c). */
#define NET_RETRY_MAX 1024

struct net_retry {
	uint8_t id[HASH_SIZE];
	uint64_t peer; /* the peer that sent it */
};

struct net {
	struct node *node;
	struct p2p *p2p;
	bool closing;
	uv_timer_t tick;
	bool tick_open;
	uint64_t tick_ms;
	/* Block sync: the one request in flight. */
	uint64_t sync_peer; /* 0: none */
	uint64_t sync_sent_ms;
	uint64_t synced_blocks;
	bool connect_only; /* -connect given: no addresses learned from peers */
	/* Vote gossip (net_gossip.c): what each peer has, the gossip timer,
	 * the position last announced (RoundState) and the counters. */
	struct net_peers peers;
	uv_timer_t gossip;
	bool gossip_open;
	bool rs_sent;
	uint64_t rs_height;
	uint32_t rs_round;
	enum bft_step rs_step;
	int32_t rs_pol_round;
	bool rs_has_proposal;
	uint64_t votes_resent, proposals_resent;
	struct metric_family *m_votes_resent, *m_proposals_resent;
	/* Txs received by gossip, verified on the worker pool (net_tx.c). */
	struct txverify txv;
	bool txv_open;
	struct net_retry retry[NET_RETRY_MAX]; /* oldest first */
	size_t n_retry;
	/* Address book and peers.dat (net_book.c); off with -addrbook=0. */
	struct addrbook book;
	bool book_on;
	uint32_t max_outbound;
	uint64_t book_dial_ms, book_saved_ms; /* loop times */
};

/* Starts the transport on node's loop from node's settings: listens (unless
 * -listen=0), dials -connect or -addnode/-seednode addresses.
 * Out: net (stop with net_stop); err: one line on failure.
 * Returns 0 or -1. */
__attribute__((warn_unused_result)) int net_start(struct net *net, struct node *node, char *err,
						  size_t err_size);

/* Starts closing the transport; the loop must run once more to finish. */
void net_stop(struct net *net);

/* The engine broadcasts this node's proposal (sent at once, not kept). */
void net_send_proposal(struct net *net, const struct bft_proposal *p);

/* The engine broadcasts this node's vote. */
void net_send_vote(struct net *net, const struct vote *v);

/* A block was committed or synced: tell the peers the new height. */
void net_on_commit(struct net *net);

/* A tx entered the mempool: announce its id to every peer but from_peer
 * (0: it came from this node's RPC). */
void net_on_tx(struct net *net, const uint8_t id[HASH_SIZE], uint64_t from_peer);

/* net_on_tx for n txs at once (a batch admitted together): their ids go out
 * in as few messages as the limit allows. */
void net_on_txs(struct net *net, const uint8_t (*ids)[HASH_SIZE], size_t n, uint64_t from_peer);

#endif
