/* net_internal.h: what the files of the network layer (net.c,
 * net_consensus.c, net_sync.c, net_tx.c) share. Not for the rest of the
 * node: it uses node/net.h. */
#ifndef HEARTH_NODE_NET_INTERNAL_H
#define HEARTH_NODE_NET_INTERNAL_H

#include "node/net.h"

/* Most blocks one GetBlocks asks for and one Blocks answer carries. */
#define NET_SYNC_BATCH 64
/* A sync request not answered this long is given up (another peer is asked). */
#define NET_SYNC_TIMEOUT_MS 10000
/* Addresses of one Peers answer that are dialed. */
#define NET_LEARNED_MAX 64
/* Most tx ids in one TxIds message. */
#define NET_TX_IDS_MAX 1000
/* A tx id asked for is not asked again (from another peer) before this. */
#define NET_ASK_AGAIN_MS 5000

/* One line of category p2p at info (debug when verbose is false). */
void net_log(struct net *net, bool verbose, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sends msg to peer_id, or to every peer but except when peer_id is 0.
 * A failure (peer gone, queue full) is only logged: gossip repeats. */
void net_send(struct net *net, uint64_t peer_id, const Hearth__P2PMessage *msg, uint64_t except);

/* net_consensus.c */
void net_consensus_on_proposal(struct net *net, uint64_t peer_id, const Hearth__Proposal *msg);
void net_consensus_on_vote(struct net *net, uint64_t peer_id, const Hearth__Vote *msg);
/* Sends a vote to peer_id (0: every peer) and notes that they have it. */
void net_consensus_send_vote(struct net *net, const struct vote *v, uint64_t peer_id);
/* Sends a proposal with its block payload[len] (an encoded Block) to
 * peer_id (0: every peer) and notes that they have it. Returns 0 or -1. */
int net_consensus_send_proposal(struct net *net, uint64_t peer_id, const struct proposal_header *h,
				const uint8_t *payload, size_t len);

/* net_sync.c */
void net_sync_send_status(struct net *net, uint64_t peer_id);
void net_sync_tick(struct net *net);
void net_sync_on_status(struct net *net, uint64_t peer_id, const Hearth__Status *msg);
void net_sync_on_get_blocks(struct net *net, uint64_t peer_id, const Hearth__GetBlocks *msg);
void net_sync_on_blocks(struct net *net, uint64_t peer_id, const Hearth__Blocks *msg);
void net_sync_peer_down(struct net *net, uint64_t peer_id);

/* net_gossip.c */
/* Vote gossip period, and most votes one peer gets per period. */
#define NET_GOSSIP_MS		  100
#define NET_GOSSIP_VOTES_PER_TICK 32
/* Starts the gossip timer and registers its metrics. Returns 0 or -1. */
int net_gossip_start(struct net *net, char *err, size_t err_size);
void net_gossip_stop(struct net *net);
void net_gossip_peer_up(struct net *net, uint64_t peer_id);
void net_gossip_peer_down(struct net *net, uint64_t peer_id);
void net_gossip_on_round_state(struct net *net, uint64_t peer_id, const Hearth__RoundState *msg);
/* Notes that peer_id (0: every peer but except) has v / the proposal of
 * (height, round). Only for the engine's current height. */
void net_gossip_mark_vote(struct net *net, uint64_t peer_id, uint64_t except, const struct vote *v);
void net_gossip_mark_proposal(struct net *net, uint64_t peer_id, uint64_t except, uint64_t height,
			      uint32_t round);
/* Announces the engine's position (RoundState) to every peer if it changed. */
void net_gossip_update_position(struct net *net);

/* net_tx.c */
void net_tx_on_tx(struct net *net, uint64_t peer_id, const Hearth__Tx *msg);
/* txverify_done_fn of net->txv: admits the verified txs, announces them. */
void net_tx_on_verified(void *arg, const struct txverify_item *items, size_t n);
void net_tx_on_ids(struct net *net, uint64_t peer_id, const Hearth__TxIds *msg);
void net_tx_on_get(struct net *net, uint64_t peer_id, const Hearth__TxIds *msg);
/* After a commit: asks again, from the peers that sent them, for the txs
 * refused since for want of room or a nonce gap (as many as the pool now
 * has room for). */
void net_tx_retry(struct net *net);

#endif
