/* net_consensus.c: consensus gossip. The engine's proposals and votes go to
 * every peer once; a peer's proposal or vote goes to the engine (which
 * checks its signature, through the node's signature verifier) and, when it
 * was new to the engine, on to the other peers. Every proposal and vote sent
 * to or received from a peer is noted in that peer's state
 * (net_gossip_mark_*), so that vote gossip (net_gossip.c) later sends each
 * peer at our height what it lacks, this node's own messages included: a
 * peer that connected, restarted or was still finishing the previous height
 * gets them then (doc/p2p.md, "Vote gossip"). */
#include "node/net_internal.h"

#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "proto/codec.h"

/* ------------------------------------------------------------ encoding */

/* Fills msg (views into h, and block, which the caller frees). */
static void proposal_to_proto(const struct proposal_header *h, Hearth__Block *block,
			      Hearth__Proposal *msg)
{
	hearth__proposal__init(msg);
	msg->height = h->height;
	msg->round = h->round;
	msg->pol_round = h->pol_round;
	msg->block = block;
	msg->proposer.data = (uint8_t *)h->proposer;
	msg->proposer.len = PUBKEY_SIZE;
	msg->sig.data = (uint8_t *)h->sig;
	msg->sig.len = SIG_SIZE;
}

int net_consensus_send_proposal(struct net *net, uint64_t peer_id, const struct proposal_header *h,
				const uint8_t *payload, size_t len)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Proposal prop;
	ProtobufCMessage *block;

	if (net->p2p == NULL || net->closing)
		return -1;
	if (codec_decode(&hearth__block__descriptor, payload, len, len, &block, NULL) != CODEC_OK) {
		net_log(net, true, "cannot decode a proposed block for gossip");
		return -1;
	}
	proposal_to_proto(h, (Hearth__Block *)block, &prop);
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_PROPOSAL;
	msg.proposal = &prop;
	net_send(net, peer_id, &msg, 0);
	codec_free(block);
	net_gossip_mark_proposal(net, peer_id, 0, h->height, h->round);
	return 0;
}

void net_consensus_send_vote(struct net *net, const struct vote *v, uint64_t peer_id)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Vote vm;

	if (net->p2p == NULL || net->closing)
		return;
	vote_to_proto(v, &vm);
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_VOTE;
	msg.vote = &vm;
	net_send(net, peer_id, &msg, 0);
	net_gossip_mark_vote(net, peer_id, 0, v);
}

/* ------------------------------------------------------------ own messages */

void net_send_proposal(struct net *net, const struct bft_proposal *p)
{
	(void)net_consensus_send_proposal(net, 0, &p->header, p->payload, p->payload_len);
	net_gossip_update_position(net);
}

void net_send_vote(struct net *net, const struct vote *v)
{
	net_consensus_send_vote(net, v, 0);
	net_gossip_update_position(net);
}

/* ------------------------------------------------------------ from peers */

/* Relays msg to every peer but the sender. */
static void relay(struct net *net, uint64_t from, Hearth__P2PMessage *msg)
{
	net_send(net, 0, msg, from);
}

/* What a peer's message did to the engine: relay a new one, score a bad one. */
static void judge(struct net *net, uint64_t peer_id, enum bft_status st, Hearth__P2PMessage *msg,
		  const char *what)
{
	switch (st) {
	case BFT_OK:
	case BFT_CONFLICT: /* evidence: everyone should see both votes */
		relay(net, peer_id, msg);
		break;
	case BFT_INVALID:
		(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_INVALID_SIGNATURE, what);
		break;
	case BFT_DUPLICATE:
	case BFT_STALE:
	case BFT_UNJUSTIFIED:
	case BFT_DROPPED:
	case BFT_NO_MEMORY:
	case BFT_ERROR:
		break;
	}
}

void net_consensus_on_proposal(struct net *net, uint64_t peer_id, const Hearth__Proposal *msg)
{
	struct bft_event ev = { .type = BFT_EVENT_PROPOSAL };
	struct proposal_header *h = &ev.u.proposal.header;
	Hearth__P2PMessage wrap = HEARTH__P2_PMESSAGE__INIT;
	uint8_t *payload;
	size_t len;
	struct block b;
	enum bft_status st;

	if (msg->proposer.len != PUBKEY_SIZE || msg->sig.len != SIG_SIZE || msg->pol_round < -1) {
		(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_INVALID_BLOCK,
				      "malformed proposal");
		return;
	}
	/* The height being decided, or the one after it (kept until the
	 * engine gets there, cs_early.h); another height: sync or nothing. */
	if (msg->height != net->node->chain.tip.height + 1 &&
	    msg->height != net->node->chain.tip.height + 2)
		return;
	/* The strict decoder took the block canonically, so this gives back the
	 * bytes the proposer signed the id of. */
	if (codec_encode(&msg->block->base, &payload, &len) != CODEC_OK)
		return;
	h->height = msg->height;
	h->round = msg->round;
	h->pol_round = msg->pol_round;
	memcpy(h->proposer, msg->proposer.data, PUBKEY_SIZE);
	memcpy(h->sig, msg->sig.data, SIG_SIZE);
	if (block_decode(payload, len, &net->node->chain.genesis.params, &b, NULL) != LEDGER_OK) {
		free(payload);
		(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_INVALID_BLOCK,
				      "proposed block does not decode");
		return;
	}
	memcpy(h->block_id, b.id, HASH_SIZE);
	block_free(&b);
	ev.u.proposal.payload = payload;
	ev.u.proposal.payload_len = len;
	st = consensus_receive(&net->node->consensus, &ev);
	net_log(net, false, "proposal peer=%llu height=%llu round=%u: %s",
		(unsigned long long)peer_id, (unsigned long long)h->height, h->round,
		bft_strstatus(st));
	free(payload);
	wrap.msg_case = HEARTH__P2_PMESSAGE__MSG_PROPOSAL;
	wrap.proposal = (Hearth__Proposal *)msg;
	/* A new proposal is not relayed at once: its proposer sent it to
	 * every peer of its own, and a relay reached most of them a second
	 * time (a whole block, decrypted and decoded again). Peers say in
	 * their round_state that they hold it; one that does not gets it by
	 * gossip (net_gossip.c) within a tick. A conflicting one is relayed
	 * (evidence). */
	if (st != BFT_OK)
		judge(net, peer_id, st, &wrap, "invalid proposal");
	if (st != BFT_INVALID) /* the sender has it */
		net_gossip_mark_proposal(net, peer_id, 0, msg->height, msg->round);
	net_gossip_update_position(net);
}

void net_consensus_on_vote(struct net *net, uint64_t peer_id, const Hearth__Vote *msg)
{
	struct bft_event ev = { .type = BFT_EVENT_VOTE };
	Hearth__P2PMessage wrap = HEARTH__P2_PMESSAGE__INIT;
	enum bft_status st;

	if (vote_from_proto(msg, &ev.u.vote) != 0) {
		(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_INVALID_SIGNATURE,
				      "malformed vote");
		return;
	}
	/* The tip's own height too: the engine stays there after the commit
	 * until every precommit is in (skip_timeout_commit) or timeout_commit
	 * fires, and drops the vote (BFT_STALE) once it has moved on. And the
	 * height after the one being decided (kept, cs_early.h). */
	if (ev.u.vote.height < net->node->chain.tip.height ||
	    ev.u.vote.height > net->node->chain.tip.height + 2)
		return;
	st = consensus_receive(&net->node->consensus, &ev);
	wrap.msg_case = HEARTH__P2_PMESSAGE__MSG_VOTE;
	wrap.vote = (Hearth__Vote *)msg;
	judge(net, peer_id, st, &wrap, "invalid vote");
	if (st != BFT_INVALID) /* the sender has it; a new one was relayed to the others */
		net_gossip_mark_vote(net, st == BFT_OK || st == BFT_CONFLICT ? 0 : peer_id, 0,
				     &ev.u.vote);
	net_gossip_update_position(net);
}
