/* net_tx.c: tx gossip. A tx admitted to the mempool (from RPC or from a
 * peer) has its id announced (TxIds) to every peer but the one it came
 * from; a peer that lacks it asks for the body (GetTxs) and gets it as a tx
 * message, offers it to its own mempool and, when admitted, announces it
 * on in turn. A tx is thus never echoed back to its sender, and an id is
 * asked for from one peer at a time (again after NET_ASK_AGAIN_MS if that
 * peer did not deliver). The node's txseen keeps gossip from doing work
 * twice: an id a committed block holds is neither asked for nor verified,
 * and bytes whose signature was verified already (in a block this node
 * applied, or earlier on the worker pool) skip the worker pool. A tx the
 * pool refused for want of room or for a nonce gap is asked for again
 * after the next commit (its peers announced it once, and never again):
 * without that a node whose pool once filled never got those txs, and
 * proposed empty blocks while its peers held thousands. */
#include "node/net_internal.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"
#include "node/node.h"
#include "proto/codec.h"

void net_on_txs(struct net *net, const uint8_t (*ids)[HASH_SIZE], size_t n, uint64_t from_peer)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__TxIds list = HEARTH__TX_IDS__INIT;
	ProtobufCBinaryData *items;

	if (net->p2p == NULL || net->closing || n == 0)
		return;
	items = calloc(n < NET_TX_IDS_MAX ? n : NET_TX_IDS_MAX, sizeof(*items));
	if (items == NULL)
		return;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_TX_IDS;
	msg.tx_ids = &list;
	for (size_t first = 0; first < n; first += NET_TX_IDS_MAX) {
		list.n_ids = n - first < NET_TX_IDS_MAX ? n - first : NET_TX_IDS_MAX;
		for (size_t i = 0; i < list.n_ids; i++) {
			items[i].len = HASH_SIZE;
			items[i].data = (uint8_t *)ids[first + i];
		}
		list.ids = items;
		net_send(net, 0, &msg, from_peer);
	}
	free(items);
}

void net_on_tx(struct net *net, const uint8_t id[HASH_SIZE], uint64_t from_peer)
{
	net_on_txs(net, (const uint8_t(*)[HASH_SIZE])id, 1, from_peer);
}

/* True when there is nothing to fetch or check for the tx with this id:
 * the mempool holds it, it waits for its checks, or a committed block
 * holds it. seen: its txseen flags. */
static bool have_tx(struct net *net, const uint8_t id[HASH_SIZE], unsigned seen)
{
	return (seen & TXSEEN_COMMITTED) != 0 || mempool_contains(&net->node->mempool, id) ||
	       (net->txv_open && txverify_has(&net->txv, id));
}

/* Notes a tx refused for a reason the next commit may lift. When the list
 * is full the newest is not noted: the older ones hold the lower nonces
 * that later ones wait for. */
static void retry_later(struct net *net, const uint8_t id[HASH_SIZE], uint64_t peer)
{
	if (net->n_retry == NET_RETRY_MAX)
		return;
	memcpy(net->retry[net->n_retry].id, id, HASH_SIZE);
	net->retry[net->n_retry].peer = peer;
	net->n_retry++;
}

/* Offers one verified tx to the mempool. Returns true when admitted. */
static bool admit(struct net *net, const struct txverify_item *it, uint8_t id[HASH_SIZE])
{
	struct ledger_error lerr;
	enum mempool_result r;

	if (it->reason != LEDGER_OK && it->tag == NET_TX_FROM_BLOCK) {
		net_log(net, false, "tx of a proposal fails its checks: %s", it->why);
		return false;
	}
	if (it->reason != LEDGER_OK) {
		net_log(net, false, "tx from peer=%llu rejected: %s", (unsigned long long)it->tag,
			it->why);
		return false;
	}
	txseen_note(&net->node->txseen, it->id, TXSEEN_VERIFIED);
	if (it->tag == NET_TX_FROM_BLOCK)
		return false; /* a proposal's: the block brings it, not the pool */
	r = mempool_add_verified(&net->node->mempool, it->tx, it->len, id, &lerr);
	switch (r) {
	case MEMPOOL_ADDED:
		return true;
	case MEMPOOL_REJECTED:
		/* Often honest (a nonce the peer had not seen committed yet). */
		net_log(net, false, "tx from peer=%llu rejected: %s", (unsigned long long)it->tag,
			lerr.text);
		return false;
	case MEMPOOL_FULL:
	case MEMPOOL_NONCE_TOO_FAR:
		retry_later(net, id, it->tag);
		return false;
	case MEMPOOL_DUPLICATE:
	case MEMPOOL_NONCE_WAITING:
	case MEMPOOL_ERROR:
		return false;
	}
	return false;
}

/* Offers txs whose checks and signature held to the mempool and announces
 * the admitted ones. */
static void offer_txs(struct net *net, const struct txverify_item *items, size_t n)
{
	struct node *node = net->node;
	uint8_t(*ids)[HASH_SIZE] = calloc(n ? n : 1, HASH_SIZE);
	size_t added = 0, run = 0;
	uint64_t run_peer = 0;

	if (ids == NULL || net->closing) {
		free(ids);
		return;
	}
	/* The admitted ids are announced in runs of one sender peer (never
	 * back to it): one TxIds message per run instead of one per tx. */
	for (size_t i = 0; i < n; i++) {
		if (!admit(net, &items[i], ids[added]))
			continue;
		if (added > run && items[i].tag != run_peer) {
			net_on_txs(net, (const uint8_t(*)[HASH_SIZE])ids + run, added - run,
				   run_peer);
			run = added;
		}
		run_peer = items[i].tag;
		added++;
	}
	if (added > run)
		net_on_txs(net, (const uint8_t(*)[HASH_SIZE])ids + run, added - run, run_peer);
	free(ids);
	if (added == 0)
		return;
	node_update_gauges(node);
	net_log(net, false, "%zu txs from peers admitted pool=%zu", added, node->mempool.count);
	if (node->consensus_open)
		consensus_on_tx(&node->consensus);
}

void net_tx_on_verified(void *arg, const struct txverify_item *items, size_t n)
{
	struct net *net = arg;

	node_metrics_on_sig_checks(&net->node->nm, "worker", n);
	offer_txs(net, items, n);
	if (net->node->consensus_open)
		cs_precheck_on_checked(&net->node->consensus);
}

/* A tx from a peer goes to the worker pool for its signature (net->txv);
 * net_tx_on_verified offers it to the mempool, in the order received. One
 * whose bytes were verified before is offered at once; one a committed
 * block holds is dropped (its nonce is used). */
void net_tx_on_tx(struct net *net, uint64_t peer_id, const Hearth__Tx *msg)
{
	struct txverify_item item = { .tag = peer_id, .reason = LEDGER_OK };
	unsigned seen;

	if (!net->txv_open || codec_encode(&msg->base, &item.tx, &item.len) != CODEC_OK)
		return;
	tx_id(item.tx, item.len, item.id);
	seen = txseen_flags(&net->node->txseen, item.id);
	if (have_tx(net, item.id, seen)) {
		free(item.tx);
		return;
	}
	if ((seen & TXSEEN_VERIFIED) != 0)
		offer_txs(net, &item, 1);
	else if (txverify_add(&net->txv, item.tx, item.len, item.id, peer_id) != 0)
		net_log(net, false, "tx from peer=%llu dropped: verification queue full",
			(unsigned long long)peer_id);
	free(item.tx);
}

/* True when the tx with this id is not to be asked for now: the node has
 * it or had it (committed), or asked a peer for it less than
 * NET_ASK_AGAIN_MS ago (else that it is asked for now is noted). */
static bool skip_id(struct net *net, const uint8_t id[HASH_SIZE], uint64_t now)
{
	struct txseen *seen = &net->node->txseen;

	return have_tx(net, id, txseen_flags(seen, id)) ||
	       txseen_ask(seen, id, now, NET_ASK_AGAIN_MS);
}

void net_tx_on_ids(struct net *net, uint64_t peer_id, const Hearth__TxIds *msg)
{
	Hearth__P2PMessage req = HEARTH__P2_PMESSAGE__INIT;
	Hearth__TxIds want = HEARTH__TX_IDS__INIT;
	ProtobufCBinaryData *ids;
	uint64_t now = uv_now(&net->node->loop);
	size_t n = 0;

	if (msg->n_ids > NET_TX_IDS_MAX) {
		(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_INVALID_TX, "too many tx ids");
		return;
	}
	ids = calloc(msg->n_ids ? msg->n_ids : 1, sizeof(*ids));
	if (ids == NULL)
		return;
	for (size_t i = 0; i < msg->n_ids; i++) {
		const ProtobufCBinaryData *id = &msg->ids[i];

		if (id->len != HASH_SIZE) {
			(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_INVALID_TX,
					      "malformed tx id");
			free(ids);
			return;
		}
		if (skip_id(net, id->data, now))
			continue;
		ids[n++] = *id;
	}
	if (n > 0) {
		want.n_ids = n;
		want.ids = ids;
		req.msg_case = HEARTH__P2_PMESSAGE__MSG_GET_TXS;
		req.get_txs = &want;
		net_send(net, peer_id, &req, 0);
	}
	free(ids);
}

/* The pool's bytes of the tx with this id, or NULL (a lookup by id, not a
 * scan: a GetTxs may name 1000 ids). */
static const struct mempool_entry *pool_find(const struct mempool *mp, const uint8_t id[HASH_SIZE])
{
	return mempool_find(mp, id);
}

void net_tx_on_get(struct net *net, uint64_t peer_id, const Hearth__TxIds *msg)
{
	if (msg->n_ids > NET_TX_IDS_MAX) {
		(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_INVALID_TX, "too many tx ids");
		return;
	}
	for (size_t i = 0; i < msg->n_ids; i++) {
		const struct mempool_entry *e;
		Hearth__P2PMessage reply = HEARTH__P2_PMESSAGE__INIT;
		ProtobufCMessage *tx;

		if (msg->ids[i].len != HASH_SIZE)
			continue;
		e = pool_find(&net->node->mempool, msg->ids[i].data);
		if (e == NULL || codec_decode(&hearth__tx__descriptor, e->tx, e->len, e->len, &tx,
					      NULL) != CODEC_OK)
			continue;
		reply.msg_case = HEARTH__P2_PMESSAGE__MSG_TX;
		reply.tx = (Hearth__Tx *)tx;
		if (p2p_send(net->p2p, peer_id, &reply) != 0) {
			codec_free(tx);
			return;
		}
		codec_free(tx);
	}
}

/* Sends peer a GetTxs for ids[n]. */
static void ask_again(struct net *net, uint64_t peer, ProtobufCBinaryData *ids, size_t n)
{
	Hearth__P2PMessage req = HEARTH__P2_PMESSAGE__INIT;
	Hearth__TxIds want = HEARTH__TX_IDS__INIT;

	want.n_ids = n;
	want.ids = ids;
	req.msg_case = HEARTH__P2_PMESSAGE__MSG_GET_TXS;
	req.get_txs = &want;
	net_send(net, peer, &req, 0);
}

void net_tx_retry(struct net *net)
{
	const struct mempool *mp = &net->node->mempool;
	size_t room = mp->limits.max_txs > mp->count ? mp->limits.max_txs - mp->count : 0;
	size_t done = 0;
	ProtobufCBinaryData *ids = calloc(NET_TX_IDS_MAX, sizeof(*ids));

	while (ids != NULL && done < net->n_retry && room > 0) {
		uint64_t peer = net->retry[done].peer;
		size_t n = 0;

		/* One GetTxs per run of ids from one peer, in the order refused. */
		for (; done < net->n_retry && net->retry[done].peer == peer && n < NET_TX_IDS_MAX &&
		       room > 0;
		     done++) {
			const uint8_t *id = net->retry[done].id;

			if ((txseen_flags(&net->node->txseen, id) & TXSEEN_COMMITTED) != 0 ||
			    mempool_contains(mp, id))
				continue;
			ids[n].len = HASH_SIZE;
			ids[n].data = net->retry[done].id;
			n++;
			room--;
		}
		if (n > 0)
			ask_again(net, peer, ids, n);
	}
	free(ids);
	/* What there was no room for waits for the next commit. */
	memmove(&net->retry[0], &net->retry[done], (net->n_retry - done) * sizeof(net->retry[0]));
	net->n_retry -= done;
}
