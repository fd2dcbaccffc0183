/* net_gossip.c: vote gossip, CometBFT's "peer round state" in small. Peers
 * tell each other where their engine is (RoundState: height, round, step,
 * the proof-of-lock round they wait for) on connect and whenever it
 * changes; each peer's state (node/net_peerstate.h) records what it has:
 * the votes and proposals it sent us and those we sent it. Every
 * NET_GOSSIP_MS a timer sends each peer at our height the votes of its
 * round and of ours that it lacks (at most NET_GOSSIP_VOTES_PER_TICK per
 * peer and tick) and the proposal of those rounds with its block. So a
 * peer that connects or restarts in the middle of a height, or missed a
 * vote, gets the others' votes too, not only ours. A peer behind by whole
 * heights gets blocks by block sync instead (net_sync.c). */
#include "node/net_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "node/metrics.h"
#include "node/node.h"

/* The engine, when consensus runs. */
static struct bft *engine_of(const struct net *net)
{
	return net->node->consensus_open ? net->node->consensus.engine : NULL;
}

/* ------------------------------------------------------------ round state */

static Hearth__RoundStep step_to_proto(enum bft_step step)
{
	switch (step) {
	case BFT_STEP_PROPOSE:
		return HEARTH__ROUND_STEP__STEP_PROPOSE;
	case BFT_STEP_PREVOTE:
		return HEARTH__ROUND_STEP__STEP_PREVOTE;
	case BFT_STEP_PRECOMMIT:
		return HEARTH__ROUND_STEP__STEP_PRECOMMIT;
	case BFT_STEP_COMMIT:
		return HEARTH__ROUND_STEP__STEP_COMMIT;
	}
	return HEARTH__ROUND_STEP__STEP_PROPOSE;
}

static bool step_from_proto(Hearth__RoundStep step, enum bft_step *out)
{
	switch (step) {
	case HEARTH__ROUND_STEP__STEP_PROPOSE:
		*out = BFT_STEP_PROPOSE;
		return true;
	case HEARTH__ROUND_STEP__STEP_PREVOTE:
		*out = BFT_STEP_PREVOTE;
		return true;
	case HEARTH__ROUND_STEP__STEP_PRECOMMIT:
		*out = BFT_STEP_PRECOMMIT;
		return true;
	case HEARTH__ROUND_STEP__STEP_COMMIT:
		*out = BFT_STEP_COMMIT;
		return true;
	case _HEARTH__ROUND_STEP_IS_INT_SIZE:
		break;
	}
	return false;
}

/* Sends the position last announced to peer_id (0: every peer). */
static void send_round_state(struct net *net, uint64_t peer_id)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__RoundState rs = HEARTH__ROUND_STATE__INIT;

	if (!net->rs_sent)
		return;
	rs.height = net->rs_height;
	rs.round = net->rs_round;
	rs.step = step_to_proto(net->rs_step);
	rs.pol_round = net->rs_pol_round;
	/* Present only when true: the codec takes only canonical encodings. */
	rs.has_has_proposal = net->rs_has_proposal;
	rs.has_proposal = net->rs_has_proposal;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_ROUND_STATE;
	msg.round_state = &rs;
	net_send(net, peer_id, &msg, 0);
}

void net_gossip_update_position(struct net *net)
{
	const struct bft *e = engine_of(net);
	uint64_t height;
	uint32_t round;
	enum bft_step step;
	int64_t pol;
	struct bft_proposal p;
	bool has_proposal;

	if (e == NULL || net->p2p == NULL || net->closing)
		return;
	height = bft_height(e);
	round = bft_round(e);
	step = bft_step(e);
	pol = bft_pol_wanted(e);
	has_proposal = bft_proposal_get(e, round, &p);
	if (height == 0 || (net->rs_sent && net->rs_height == height && net->rs_round == round &&
			    net->rs_step == step && net->rs_pol_round == pol &&
			    net->rs_has_proposal == has_proposal))
		return;
	net->rs_has_proposal = has_proposal;
	net->rs_sent = true;
	net->rs_height = height;
	net->rs_round = round;
	net->rs_step = step;
	net->rs_pol_round = (int32_t)pol;
	send_round_state(net, 0);
}

/* ------------------------------------------------------------ peers */

void net_gossip_peer_up(struct net *net, uint64_t peer_id)
{
	if (net_peers_add(&net->peers, peer_id) == NULL)
		net_log(net, true, "no memory for the gossip state of peer=%llu",
			(unsigned long long)peer_id);
	net_gossip_update_position(net);
	send_round_state(net, peer_id);
}

void net_gossip_peer_down(struct net *net, uint64_t peer_id)
{
	net_peers_remove(&net->peers, peer_id);
}

/* Notes idx's vote (or, idx < 0, the proposal of round) for peer_id, or for
 * every peer but except when peer_id is 0. */
static void mark(struct net *net, uint64_t peer_id, uint64_t except, uint64_t height,
		 uint32_t round, enum vote_type type, int idx)
{
	for (size_t i = 0; i < net->peers.count; i++) {
		struct net_peer_state *ps = net->peers.items[i];

		if ((peer_id != 0 && ps->peer_id != peer_id) ||
		    (except != 0 && ps->peer_id == except))
			continue;
		/* Sent to every peer: the engines at its height take it, and a
		 * peer one height below (in its commit wait, or still deciding)
		 * keeps it until it gets there (cs_early.h); a peer further
		 * behind, or that has not said where it is, drops it and gets
		 * it by gossip once it announces this height. Marking the peer
		 * one below matters: gossip would otherwise send every proposal
		 * twice, as the peers announce the new height only after the
		 * proposer has broadcast it. */
		if (peer_id == 0 &&
		    (!ps->has_position || (ps->height != height && ps->height + 1 != height)))
			continue;
		if (idx < 0)
			net_peerstate_mark_proposal(ps, height, round);
		else
			net_peerstate_mark_vote(ps, height, round, type, (size_t)idx);
	}
}

void net_gossip_mark_vote(struct net *net, uint64_t peer_id, uint64_t except, const struct vote *v)
{
	const struct bft *e = engine_of(net);
	int idx;

	if (e == NULL || v->height != bft_height(e))
		return;
	idx = bft_validator_index(e, v->validator);
	if (idx >= 0)
		mark(net, peer_id, except, v->height, v->round, v->type, idx);
}

void net_gossip_mark_proposal(struct net *net, uint64_t peer_id, uint64_t except, uint64_t height,
			      uint32_t round)
{
	mark(net, peer_id, except, height, round, VOTE_TYPE_PREVOTE, -1);
}

/* ------------------------------------------------------------ sending what a peer lacks */

static bool source_get_vote(void *ctx, uint32_t round, enum vote_type type, size_t idx,
			    struct vote *vote)
{
	return bft_vote_get(ctx, round, type, idx, vote);
}

static bool source_has_proposal(void *ctx, uint32_t round)
{
	struct bft_proposal p;

	return bft_proposal_get(ctx, round, &p);
}

/* Sends one peer what it lacks. */
static void gossip_peer(struct net *net, struct bft *e, struct net_peer_state *ps)
{
	struct vote votes[NET_GOSSIP_VOTES_PER_TICK];
	struct net_vote_source src = {
		.height = bft_height(e),
		.round = bft_round(e),
		.num_validators = bft_num_validators(e),
		.get_vote = source_get_vote,
		.has_proposal = source_has_proposal,
		.ctx = e,
	};
	struct bft_proposal p;
	uint32_t round;
	size_t n;
	bool sent_proposal = false;

	if (net_peerstate_pick_proposal(ps, &src, &round) && bft_proposal_get(e, round, &p) &&
	    net_consensus_send_proposal(net, ps->peer_id, &p.header, p.payload, p.payload_len) ==
		    0) {
		sent_proposal = true;
		net->proposals_resent++;
		if (net->m_proposals_resent != NULL &&
		    metrics_counter_add(net->m_proposals_resent, NULL, 1) != 0)
			net_log(net, false, "cannot count a proposal re-sent");
	}
	n = net_peerstate_pick_votes(ps, &src, votes, NET_GOSSIP_VOTES_PER_TICK);
	for (size_t i = 0; i < n; i++)
		net_consensus_send_vote(net, &votes[i], ps->peer_id);
	net->votes_resent += n;
	if (n > 0 && net->m_votes_resent != NULL &&
	    metrics_counter_add(net->m_votes_resent, NULL, (double)n) != 0)
		net_log(net, false, "cannot count the votes re-sent");
	if (n > 0 || sent_proposal)
		net_log(net, false,
			"gossip to peer=%llu height=%llu round=%u: votes=%zu proposal=%d",
			(unsigned long long)ps->peer_id, (unsigned long long)ps->height, ps->round,
			n, sent_proposal ? 1 : 0);
}

void net_gossip_on_round_state(struct net *net, uint64_t peer_id, const Hearth__RoundState *msg)
{
	struct net_peer_state *ps = net_peers_find(&net->peers, peer_id);
	struct bft *e = engine_of(net);
	enum bft_step step;

	if (!step_from_proto(msg->step, &step) || msg->pol_round < -1 ||
	    (msg->pol_round >= 0 && (uint32_t)msg->pol_round >= msg->round)) {
		(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_PROTOCOL,
				      "invalid round state");
		return;
	}
	if (ps == NULL)
		return;
	net_peerstate_set_position(ps, msg->height, msg->round, step, msg->pol_round);
	if (msg->has_has_proposal && msg->has_proposal)
		net_peerstate_mark_proposal(ps, msg->height, msg->round);
	/* At once, not on the next tick: what it lacks is sent once only. */
	if (e != NULL)
		gossip_peer(net, e, ps);
}

static void on_gossip_tick(uv_timer_t *handle)
{
	struct net *net = handle->data;
	struct bft *e = engine_of(net);

	if (e == NULL || net->p2p == NULL || net->closing)
		return;
	net_gossip_update_position(net);
	for (size_t i = 0; i < net->peers.count; i++)
		gossip_peer(net, e, net->peers.items[i]);
}

/* ------------------------------------------------------------ start and stop */

int net_gossip_start(struct net *net, char *err, size_t err_size)
{
	struct metrics *m = net->node->metrics;

	net_peers_init(&net->peers);
	if (m != NULL) {
		net->m_votes_resent =
			metrics_register(m, METRIC_COUNTER, "hearth_p2p_votes_resent_total",
					 "votes sent by gossip to a peer that lacked them", NULL, 0,
					 NULL, 0, err, err_size);
		net->m_proposals_resent =
			metrics_register(m, METRIC_COUNTER, "hearth_p2p_proposals_resent_total",
					 "proposals sent by gossip to a peer that lacked them",
					 NULL, 0, NULL, 0, err, err_size);
		if (net->m_votes_resent == NULL || net->m_proposals_resent == NULL)
			return -1;
	}
	net->gossip.data = net;
	if (uv_timer_init(&net->node->loop, &net->gossip) != 0) {
		snprintf(err, err_size, "cannot start the gossip timer");
		return -1;
	}
	net->gossip_open = true;
	if (uv_timer_start(&net->gossip, on_gossip_tick, NET_GOSSIP_MS, NET_GOSSIP_MS) != 0) {
		snprintf(err, err_size, "cannot start the gossip timer");
		return -1;
	}
	return 0;
}

void net_gossip_stop(struct net *net)
{
	if (net->gossip_open)
		uv_close((uv_handle_t *)&net->gossip, NULL);
	net->gossip_open = false;
	net_peers_free(&net->peers);
}
