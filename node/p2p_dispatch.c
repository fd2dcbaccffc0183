/* p2p_dispatch.c: what the transport does with a peer's decoded messages
 * (the ones the peer does not handle itself: all but ping, pong and
 * handshake). Most go to the node's callbacks; a Blocks or Peers answer
 * nobody asked for is an offence; GetPeers is answered here, with the
 * addresses of the other peers and then the node's address book, at most
 * once per P2P_GET_PEERS_INTERVAL_MS per peer. */
#include "node/p2p_internal.h"

#include <string.h>

/* A peer's GetPeers is answered at most this often; sooner ones are ignored. */
#define P2P_GET_PEERS_INTERVAL_MS 60000

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

void p2p_hook_message(struct p2p_peer *peer, const Hearth__P2PMessage *msg)
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
			p2p_peer_offence(p2p, peer, P2P_OFFENCE_UNSOLICITED,
					 "blocks not requested");
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
			p2p_peer_offence(p2p, peer, P2P_OFFENCE_UNSOLICITED, "peers not requested");
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
