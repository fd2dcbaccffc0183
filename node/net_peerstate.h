/* net_peerstate.h: what this node knows of each peer's consensus, for vote
 * gossip (node/net_gossip.c). Per peer: its position (height, round, step,
 * and the proof-of-lock round whose prevotes it waits for), as its last
 * RoundState said, and, for one height, which votes and proposals it has:
 * those it sent us and those we sent it, one bit per validator index for
 * each (round, vote type). From that, net_peerstate_pick_votes chooses the
 * votes a peer at our height lacks, a bounded number at a time, and marks
 * them as sent. Pure bookkeeping: no I/O, no clock, no engine (what this
 * node holds comes through struct net_vote_source). */
#ifndef HEARTH_NODE_NET_PEERSTATE_H
#define HEARTH_NODE_NET_PEERSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/bft.h"
#include "consensus/validators.h"
#include "consensus/vote.h"

/* Rounds of one height tracked per peer (as many as the engine tracks). */
#define NET_PEER_ROUNDS	    BFT_ROUND_SLOTS
#define NET_PEER_BITS_BYTES ((VALIDATORS_MAX + 7) / 8)

struct net_peer_round {
	bool used;
	uint32_t round;
	bool proposal;
	uint8_t prevotes[NET_PEER_BITS_BYTES];	 /* bit i: validator i's prevote */
	uint8_t precommits[NET_PEER_BITS_BYTES]; /* likewise, precommits */
};

struct net_peer_state {
	uint64_t peer_id;
	bool has_position; /* a RoundState arrived */
	uint64_t height;   /* the height it decides */
	uint32_t round;
	enum bft_step step;
	int32_t pol_round;    /* -1, or the round whose prevotes it waits for */
	uint64_t bits_height; /* the height the rounds below are about */
	struct net_peer_round rounds[NET_PEER_ROUNDS];
};

/* The states of the connected peers (each allocated alone, so a pointer
 * stays valid until its peer is removed). */
struct net_peers {
	struct net_peer_state **items;
	size_t count, cap;
};

void net_peers_init(struct net_peers *peers);

/* Frees every state. */
void net_peers_free(struct net_peers *peers);

/* The state of peer_id, created (empty, no position) when missing.
 * Returns it, or NULL when out of memory. */
struct net_peer_state *net_peers_add(struct net_peers *peers, uint64_t peer_id);

/* The state of peer_id, or NULL. */
struct net_peer_state *net_peers_find(const struct net_peers *peers, uint64_t peer_id);

/* Forgets peer_id (unknown ids are ignored). */
void net_peers_remove(struct net_peers *peers, uint64_t peer_id);

/* The peer said where it is. A higher height than the bits are about
 * starts them afresh (the peer has none of the new height's votes yet). */
void net_peerstate_set_position(struct net_peer_state *ps, uint64_t height, uint32_t round,
				enum bft_step step, int32_t pol_round);

/* The peer has validator idx's vote of type at (height, round): it sent it
 * to us or we sent it to it. A vote of a later height than the bits are
 * about starts them afresh at that height; an earlier one is ignored, as is
 * idx >= VALIDATORS_MAX. When every round slot holds a higher round, a
 * lower round is not recorded (it may then be sent again: harmless). */
void net_peerstate_mark_vote(struct net_peer_state *ps, uint64_t height, uint32_t round,
			     enum vote_type type, size_t idx);

/* True when the peer is known to have that vote. */
bool net_peerstate_has_vote(const struct net_peer_state *ps, uint64_t height, uint32_t round,
			    enum vote_type type, size_t idx);

/* The peer has the proposal of (height, round) (same rules as votes). */
void net_peerstate_mark_proposal(struct net_peer_state *ps, uint64_t height, uint32_t round);

bool net_peerstate_has_proposal(const struct net_peer_state *ps, uint64_t height, uint32_t round);

/* What this node holds of the height it decides. */
struct net_vote_source {
	uint64_t height; /* the height being decided */
	uint32_t round;	 /* this node's round */
	size_t num_validators;
	/* Out: *vote, validator idx's vote of type at round. Returns true when held. */
	bool (*get_vote)(void *ctx, uint32_t round, enum vote_type type, size_t idx,
			 struct vote *vote);
	/* True when the proposal of round (with its block) is held. */
	bool (*has_proposal)(void *ctx, uint32_t round);
	void *ctx;
};

/* Who needs which vote: for a peer whose position is src's height, the
 * votes src holds that the peer lacks, in this order: the prevotes of the
 * peer's pol_round, then the prevotes and precommits of the peer's round,
 * then those of src's round when it differs (they let a peer in an earlier
 * round skip ahead). Nothing for a peer without a position or at another
 * height (a peer behind by whole heights gets blocks by block sync).
 * Out: out[0..return) (at most max), each marked as known to the peer.
 * Returns how many. */
size_t net_peerstate_pick_votes(struct net_peer_state *ps, const struct net_vote_source *src,
				struct vote *out, size_t max);

/* The proposal the peer lacks: of the peer's round, else of src's round,
 * when src holds it. Marks it as known to the peer.
 * Out: *round. Returns true when there is one to send. */
bool net_peerstate_pick_proposal(struct net_peer_state *ps, const struct net_vote_source *src,
				 uint32_t *round);

#endif
